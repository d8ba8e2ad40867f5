//! What every page template receives: translator, CSRF token, flash messages, and for signed-in
//! pages the shell's org and user details.

use crate::cookies;
use crate::i18n::Tr;
use crate::state::WebState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SessionInfo;
use rapport_app::system::OrgOverview;

/// One flash message, already translated.
#[derive(Debug, Clone)]
pub struct FlashMsg {
    /// `success`, `error` or `info` (a CSS modifier).
    pub kind: &'static str,
    /// The text.
    pub text: String,
}

/// The shared page context.
#[derive(Debug, Clone)]
pub struct PageCtx {
    /// Translator for this request.
    pub tr: Tr,
    /// CSRF token for forms on this page.
    pub csrf: String,
    /// Messages to show once.
    pub flash: Vec<FlashMsg>,
    /// Which nav entry is active.
    pub active: &'static str,
    /// Org name (signed-in pages).
    pub org_name: String,
    /// Org initials for the avatar tile.
    pub org_initials: String,
    /// User's name.
    pub user_name: String,
    /// User's initials.
    pub user_initials: String,
    /// Translated role name.
    pub role_label: String,
    /// Whether admin navigation is shown.
    pub is_admin: bool,
    /// What the signed-in member may do (drives which navigation and actions are shown).
    pub permissions: rapport_domain::PermissionSet,
    /// Version line for the sidebar.
    pub version: String,
    /// Cache-busting query value for static assets (they are embedded in the binary, so they
    /// change exactly when the build does).
    pub asset_version: &'static str,
    /// The member's unread notifications (the bell in the header).
    pub unread_notifications: u64,
    /// The member's availability (`online`, `away`, `offline`; "" before sign-in).
    pub availability: &'static str,
}

impl PageCtx {
    /// Whether the member holds the permission named `name` (`members.manage`).
    pub fn can(&self, name: &str) -> bool {
        rapport_domain::Permission::parse(name).is_some_and(|p| self.permissions.contains(p))
    }

    /// Whether any organization-administration page is available.
    pub fn any_admin(&self) -> bool {
        [
            "members.manage",
            "roles.manage",
            "settings.manage",
            "audit.read",
            "system.manage",
        ]
        .iter()
        .any(|p| self.can(p))
    }
}

/// The value appended to asset URLs.
pub const ASSET_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Flash keys the server may set (never free text from a request).
const FLASH_KEYS: &[(&str, &str)] = &[
    ("setup_done", "setup.done"),
    ("signed_out", "login.signed_out"),
    ("expired", "login.expired"),
    ("setup_closed", "setup.closed"),
    ("job_retried", "jobs.retried"),
    ("signin_expired", "login.signin_expired"),
    ("oidc_unreachable", "login.oidc_unreachable"),
    ("oidc_denied", "login.oidc_denied"),
    ("oidc_failed", "login.oidc_failed"),
    ("reset_sent", "reset.sent"),
    ("reset_done", "reset.done"),
    ("invite_accepted", "invite.accepted"),
    // Organization administration (ui/admin).
    ("invitation_sent", "invitations.sent"),
    ("invitation_revoked", "invitations.revoked"),
    ("member_role_changed", "members.role_changed"),
    ("member_removed", "members.removed"),
    ("team_created", "teams.created_flash"),
    ("team_updated", "teams.updated_flash"),
    ("team_deleted", "teams.deleted_flash"),
    ("team_member_added", "teams.member_added_flash"),
    ("team_member_removed", "teams.member_removed_flash"),
    ("role_created", "roles_admin.created_flash"),
    ("role_updated", "roles_admin.updated_flash"),
    ("role_deleted", "roles_admin.deleted_flash"),
    ("org_settings_saved", "org_settings.saved"),
    ("access_review_signed", "access_review.signed"),
    // The member's own account (ui/account).
    ("account_profile_saved", "account.flash.profile_saved"),
    ("account_password_changed", "account.flash.password_changed"),
    (
        "account_password_changed_alone",
        "account.flash.password_changed_alone",
    ),
    ("account_totp_disabled", "account.flash.totp_disabled"),
    ("account_key_added", "account.flash.key_added"),
    ("account_key_removed", "account.flash.key_removed"),
    ("account_session_revoked", "account.flash.session_revoked"),
    ("account_sessions_revoked", "account.flash.sessions_revoked"),
    (
        "account_no_other_sessions",
        "account.flash.no_other_sessions",
    ),
    ("account_token_revoked", "account.flash.token_revoked"),
    // CRM records (ui/crm).
    ("crm_contact_created", "crm_records.flash.contact_created"),
    ("crm_contact_saved", "crm_records.flash.contact_saved"),
    ("crm_contact_deleted", "crm_records.flash.contact_deleted"),
    ("crm_company_created", "crm_records.flash.company_created"),
    ("crm_company_saved", "crm_records.flash.company_saved"),
    ("crm_company_deleted", "crm_records.flash.company_deleted"),
    ("crm_field_created", "crm_records.flash.field_created"),
    ("crm_field_saved", "crm_records.flash.field_saved"),
    ("crm_field_deleted", "crm_records.flash.field_deleted"),
    // Deals and pipelines (ui/deals).
    ("deal_created", "crm_deals.flash.created"),
    ("deal_saved", "crm_deals.flash.saved"),
    ("deal_moved", "crm_deals.flash.moved"),
    ("deal_deleted", "crm_deals.flash.deleted"),
    ("pipeline_created", "crm_deals.flash.pipeline_created"),
    ("pipeline_saved", "crm_deals.flash.pipeline_saved"),
    ("pipeline_deleted", "crm_deals.flash.pipeline_deleted"),
    ("stage_added", "crm_deals.flash.stage_added"),
    ("stage_saved", "crm_deals.flash.stage_saved"),
    ("stage_deleted", "crm_deals.flash.stage_deleted"),
    // Notes, tasks and notifications (ui/work).
    ("crm_work_invalid", "crm_work.flash.invalid"),
    // The inbox (ui/inbox).
    ("inbox_invalid", "inbox.flash.invalid"),
    ("inbox_note_added", "inbox.flash.note_added"),
    ("inbox_reply_sent", "inbox.flash.reply_sent"),
    ("inbox_status_changed", "inbox.flash.status_changed"),
    ("inbox_assigned", "inbox.flash.assigned"),
    ("inbox_priority_changed", "inbox.flash.priority_changed"),
    ("inbox_labels_changed", "inbox.flash.labels_changed"),
    ("inbox_view_saved", "inbox.views.saved"),
    ("inbox_view_deleted", "inbox.views.deleted"),
    ("canned_created", "canned.flash.created"),
    ("canned_saved", "canned.flash.saved"),
    ("canned_deleted", "canned.flash.deleted"),
    ("automation_created", "automation.flash.created"),
    ("automation_saved", "automation.flash.saved"),
    ("automation_enabled", "automation.flash.enabled"),
    ("webhook_secret_rotated", "automation.flash.secret_rotated"),
    ("automation_disabled", "automation.flash.disabled"),
    ("automation_deleted", "automation.flash.deleted"),
    ("sla_created", "sla.flash.created"),
    ("sla_saved", "sla.flash.saved"),
    ("sla_deleted", "sla.flash.deleted"),
    ("inbox_created", "inboxes.flash.created"),
    ("mailbox_connected", "inboxes.flash.mailbox_connected"),
    ("mail_retried", "inboxes.flash.mail_retried"),
    (
        "mail_still_quarantined",
        "inboxes.flash.mail_still_quarantined",
    ),
    ("mail_discarded", "inboxes.flash.mail_discarded"),
    ("inbox_saved", "inboxes.flash.saved"),
    ("inbox_deleted", "inboxes.flash.deleted"),
    ("availability_saved", "availability.saved"),
    ("crm_work_note_added", "crm_work.flash.note_added"),
    ("crm_work_note_saved", "crm_work.flash.note_saved"),
    ("crm_work_note_pinned", "crm_work.flash.note_pinned"),
    ("crm_work_note_unpinned", "crm_work.flash.note_unpinned"),
    ("crm_work_note_deleted", "crm_work.flash.note_deleted"),
    ("crm_work_task_added", "crm_work.flash.task_added"),
    ("crm_work_task_saved", "crm_work.flash.task_saved"),
    ("crm_work_task_done", "crm_work.flash.task_done"),
    ("crm_work_task_reopened", "crm_work.flash.task_reopened"),
    ("crm_work_task_deleted", "crm_work.flash.task_deleted"),
    ("crm_work_all_read", "crm_work.flash.all_read"),
    // CRM lists (ui/lists).
    ("segment_saved", "crm_lists.segment_saved"),
    ("segment_deleted", "crm_lists.segment_deleted"),
    ("segment_invalid", "crm_lists.segment_invalid"),
    // Contact import and merge (ui/crm_import, ui/crm_merge).
    ("contacts_merged", "crm_import.merge.merged_flash"),
];

/// Sets a flash message for the next page.
pub fn set_flash(jar: CookieJar, kind: &'static str, key: &'static str, secure: bool) -> CookieJar {
    jar.add(cookies::build(
        cookies::FLASH,
        format!("{kind}:{key}"),
        secure,
        Some(cookies::seconds(60)),
    ))
}

/// Reads and clears the flash cookie.
pub fn take_flash(jar: CookieJar, tr: &Tr) -> (CookieJar, Vec<FlashMsg>) {
    let Some(cookie) = jar.get(cookies::FLASH) else {
        return (jar, Vec::new());
    };
    let mut messages = Vec::new();
    if let Some((kind, key)) = cookie.value().split_once(':') {
        let kind = match kind {
            "success" => "success",
            "error" => "error",
            _ => "info",
        };
        if let Some((_, catalog_key)) = FLASH_KEYS.iter().find(|(k, _)| *k == key) {
            messages.push(FlashMsg {
                kind,
                text: tr.t(catalog_key),
            });
        }
    }
    (jar.add(cookies::removal(cookies::FLASH)), messages)
}

/// Initials for an avatar ("Dana Demo" → "DD").
pub fn initials(name: &str) -> String {
    let s: String = name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    if s.is_empty() { "?".into() } else { s }
}

/// The version line.
pub fn version_line(tr: &Tr) -> String {
    tr.tf("nav.version", &[("version", env!("CARGO_PKG_VERSION"))])
}

/// Builds the context for a signed-in page.
pub async fn app_page(
    state: &WebState,
    info: &SessionInfo,
    active: &'static str,
    jar: CookieJar,
) -> Result<(CookieJar, PageCtx), AppError> {
    let overview = state.app.org_overview(&info.actor).await?;
    Ok(app_page_with(state, info, active, jar, &overview))
}

/// [`app_page`] for pages that already loaded the org overview (saves the second query).
pub fn app_page_with(
    state: &WebState,
    info: &SessionInfo,
    active: &'static str,
    jar: CookieJar,
    overview: &OrgOverview,
) -> (CookieJar, PageCtx) {
    let actor = &info.actor;
    let tr = Tr::new(state.i18n.clone(), &actor.locale, &actor.time_zone);
    let (jar, flash) = take_flash(jar, &tr);
    let role_label = tr.t(&format!("role.{}", actor.role.as_str()));
    let ctx = PageCtx {
        csrf: info.csrf_token.clone(),
        flash,
        active,
        org_initials: initials(&overview.name),
        org_name: overview.name.clone(),
        user_initials: initials(&actor.name),
        user_name: actor.name.clone(),
        role_label,
        is_admin: actor.can(rapport_domain::Permission::SystemManage),
        permissions: actor.access.permissions,
        version: version_line(&tr),
        asset_version: ASSET_VERSION,
        unread_notifications: overview.unread_notifications,
        availability: overview.availability.as_str(),
        tr,
    };
    (jar, ctx)
}

/// Builds the context for a page shown before sign-in (setup, sign-in, errors), in the
/// browser's preferred language.
pub fn anonymous_page(
    state: &WebState,
    accept_language: Option<&str>,
    csrf: String,
    flash: Vec<FlashMsg>,
) -> PageCtx {
    anonymous_page_in(state.i18n.clone(), accept_language, csrf, flash)
}

/// [`anonymous_page`] for callers that hold only the catalog (middleware).
pub fn anonymous_page_in(
    catalog: std::sync::Arc<crate::i18n::Catalog>,
    accept_language: Option<&str>,
    csrf: String,
    flash: Vec<FlashMsg>,
) -> PageCtx {
    let tr = Tr::new(catalog, accept_language.unwrap_or("en"), "UTC");
    PageCtx {
        csrf,
        flash,
        active: "",
        org_name: String::new(),
        org_initials: String::new(),
        user_name: String::new(),
        user_initials: String::new(),
        role_label: String::new(),
        is_admin: false,
        permissions: rapport_domain::PermissionSet::empty(),
        version: version_line(&tr),
        asset_version: ASSET_VERSION,
        unread_notifications: 0,
        availability: "",
        tr,
    }
}

/// The first language tag of `Accept-Language`.
pub fn accept_language(parts: &axum::http::HeaderMap) -> Option<String> {
    let raw = parts.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    raw.split(',')
        .next()
        .map(|tag| tag.split(';').next().unwrap_or_default().trim().to_owned())
}

/// A signed-in UI request; anything else is redirected to sign-in (or to setup on a fresh
/// install).
pub struct UiSession(pub SessionInfo);

impl FromRequestParts<WebState> for UiSession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        if let Some(cookie) = jar.get(cookies::SESSION) {
            let meta = crate::extract::request_meta(parts, state);
            match state.app.authenticate(cookie.value(), meta).await {
                Ok(info) => return Ok(Self(info)),
                Err(AppError::Unauthenticated) => {
                    let jar = set_flash(
                        jar.add(cookies::removal(cookies::SESSION)),
                        "info",
                        "expired",
                        state.secure_cookies,
                    );
                    return Err((jar, Redirect::to("/login")).into_response());
                }
                Err(other) => {
                    return Err(super::pages::internal_error(state, &parts.headers, &other));
                }
            }
        }
        match state.app.needs_setup().await {
            Ok(true) => Err(Redirect::to("/setup").into_response()),
            Ok(false) => Err(Redirect::to("/login").into_response()),
            Err(err) => Err(super::pages::internal_error(state, &parts.headers, &err)),
        }
    }
}
