//! The server-rendered UI: askama templates, htmx for partial updates, text from the i18n
//! catalog, dates in the user's time zone. One file per page group.

pub mod account;
pub mod admin;
pub mod auth;
pub mod crm;
pub mod crm_import;
pub mod crm_merge;
pub mod csat;
pub mod deals;
pub mod form;
pub mod home;
pub mod inbox;
pub mod invite;
pub mod jobs;
pub mod labels;
pub mod lists;
mod lists_builder;
pub mod lists_view;
pub mod orgs;
pub mod page;
pub mod pages;
pub mod recovery;
pub mod routes;
pub mod signin;
pub mod work;

use routes::RouteTable;

/// The UI routes (sign-in, setup, recovery, invitations, jobs, account and administration).
pub fn table() -> RouteTable {
    RouteTable::new()
        .get("/", home::show)
        .get("/setup", auth::setup_form)
        .post("/setup", auth::setup_submit)
        .get("/login", auth::login_form)
        .post("/login", auth::login_submit)
        .post("/logout", auth::logout)
        .get("/login/verify", signin::verify_form)
        .post("/login/verify", signin::verify_submit)
        .post("/login/verify/key/start", signin::key_start)
        .post("/login/verify/key/finish", signin::key_finish)
        .get("/login/enroll", signin::enroll_form)
        .post("/login/enroll", signin::enroll_submit)
        .get("/forgot", recovery::forgot_form)
        .post("/forgot", recovery::forgot_submit)
        .get("/reset/{token}", recovery::reset_form)
        .post("/reset/{token}", recovery::reset_submit)
        .get("/csat/{token}", csat::show)
        .post("/csat/{token}", csat::answer)
        .get("/invite/{token}", invite::show)
        .post("/invite/{token}", invite::accept)
        .post("/invite/{token}/join", invite::join)
        .get("/auth/oidc/{provider}", signin::oidc_start)
        .get("/auth/oidc/{provider}/callback", signin::oidc_callback)
        .get("/admin/jobs", jobs::show)
        .post("/admin/jobs/{id}/retry", jobs::retry)
        .get("/orgs", orgs::show)
        .post("/orgs/{id}/switch", orgs::switch)
        .get("/contacts", lists::contacts)
        .get("/companies", lists::companies)
        .get("/deals/list", lists::deals)
        .post("/segments", lists::save_segment)
        .post("/segments/{id}/delete", lists::delete_segment)
        .get("/contacts/import", crm_import::upload_form)
        .get("/contacts/import/{id}", crm_import::show)
        .post("/contacts/import/{id}", crm_import::submit)
        .get("/contacts/duplicates", crm_merge::duplicates)
        .get("/contacts/merge", crm_merge::merge_form)
        .post("/contacts/merge", crm_merge::merge_submit)
        .merge(account::table())
        .merge(admin::table())
        .merge(crm::table())
        .merge(deals::table())
        .merge(work::table())
        .merge(inbox::table())
}
