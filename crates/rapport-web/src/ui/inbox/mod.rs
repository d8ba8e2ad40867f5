//! The agent inbox (`/inbox`): three panes — folders (mine, unassigned, all, following, each
//! inbox, the most used labels), the folder's conversations with unread state, and the open
//! conversation with its thread, composer (reply or private note) and a side panel with the
//! contact and the conversation's status, priority, assignee and labels. Keyboard shortcuts
//! live in `static/inbox.js`; the canned-response picker in `static/canned.js`, and the
//! canned responses' settings page (`/admin/canned-responses`) in `canned.rs`, and the
//! automation rules' pages (`/admin/automation`) in `automation*.rs`, the SLA policies' page
//! (`/admin/sla`) in `sla*.rs`, saved views (`/inbox/views/new`) in `views.rs`.
//!
//! Forms follow the other pages' conventions: `_csrf` on every POST, a `303` back to where the
//! agent was (a validated local `return_to`), unparsable ids are a 404.

mod actions;
mod automation;
mod automation_form;
mod automation_words;
mod availability;
mod canned;
mod email_inboxes;
mod email_oauth;
mod folders;
mod inboxes;
mod original;
mod page;
mod sla;
mod sla_badge;
mod sla_form;
mod thread;
mod views;
mod webhook_secret;

use crate::ui::routes::RouteTable;

/// The routes of this module.
pub fn table() -> RouteTable {
    RouteTable::new()
        .get("/inbox", page::show)
        .get("/inbox/conversations/{id}", page::show_one)
        .get("/inbox/views/new", views::new)
        .post("/inbox/views", views::create)
        .post("/inbox/views/{id}/delete", views::delete)
        .post("/inbox/conversations/{id}/messages", actions::send)
        .post("/inbox/conversations/{id}/status", actions::status)
        .post("/inbox/conversations/{id}/assign", actions::assign)
        .post("/inbox/conversations/{id}/priority", actions::priority)
        .post("/inbox/conversations/{id}/labels", actions::labels)
        .get("/admin/canned-responses", canned::show)
        .post("/admin/canned-responses", canned::create)
        .post("/admin/canned-responses/{id}", canned::update)
        .post("/admin/canned-responses/{id}/delete", canned::delete)
        .get("/admin/automation", automation::list)
        .post("/admin/automation", automation::create)
        .get("/admin/automation/new", automation::new)
        .get("/admin/automation/{id}", automation::edit)
        .post("/admin/automation/{id}", automation::update)
        .post("/admin/automation/{id}/toggle", automation::toggle)
        .post(
            "/admin/automation/webhook-secret/rotate",
            webhook_secret::rotate,
        )
        .post("/admin/automation/{id}/delete", automation::delete)
        .get("/admin/automation/{id}/runs", automation::runs)
        .get("/admin/inboxes", inboxes::show)
        .post("/admin/inboxes", inboxes::create)
        .post("/admin/inboxes/{id}", inboxes::update)
        .post("/admin/inboxes/{id}/delete", inboxes::delete)
        .post("/admin/inboxes/email", email_inboxes::create)
        .get("/admin/inboxes/email/oauth/{provider}", email_oauth::begin)
        .get("/oauth/mail/callback", email_oauth::callback)
        .get("/inbox/messages/{id}/original", original::show)
        .post("/admin/inboxes/{id}/email", email_inboxes::update)
        .post("/admin/mail-quarantine/{id}/retry", email_inboxes::retry)
        .post(
            "/admin/mail-quarantine/{id}/discard",
            email_inboxes::discard,
        )
        .post("/settings/availability", availability::set)
        .get("/admin/sla", sla::show)
        .post("/admin/sla", sla::create)
        .post("/admin/sla/{id}", sla::update)
        .post("/admin/sla/{id}/delete", sla::delete)
}
