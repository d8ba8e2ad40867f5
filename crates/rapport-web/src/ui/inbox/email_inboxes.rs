//! Email inboxes on the inbox settings page (`/admin/inboxes`, `settings.manage`): connect a
//! mailbox (the servers are tested before anything is stored, and a refusal says what went
//! wrong next to the form), see how its mailbox reads (messages taken in, last read, the last
//! error) and change its settings (an empty password keeps the stored one), and the mail that
//! could not be stored: retry it or discard it.

use super::inboxes::{PAGE, refused_email};
use crate::i18n::Tr;
use crate::state::WebState;
use crate::ui::admin::{CsrfOnly, Fields, done, parse_id};
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::UiSession;
use crate::ui::pages;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::inbox::InboxRecord;
use rapport_app::inbox::email::{EmailInput, Receive};
use rapport_app::inbox::inboxes::NewInbox;
use rapport_domain::InboxId;
use rapport_domain::inbox::ChannelKind;
use rapport_domain::inbox::assignment::AutoAssign;

/// The mail settings form as it holds them (passwords are never echoed back).
#[derive(Debug, Clone, Default)]
pub struct EmailForm {
    /// "" for a new inbox.
    pub id: String,
    pub name: String,
    pub address: String,
    pub display_name: String,
    pub imap_host: String,
    pub imap_port: String,
    pub imap_security: String,
    pub imap_username: String,
    pub folder: String,
    pub sent_folder: String,
    pub smtp_host: String,
    pub smtp_port: String,
    pub smtp_security: String,
    pub smtp_username: String,
    /// Days of existing mail to take in ("" all), for a new mailbox.
    pub backfill: String,
    /// Refused: show it open.
    pub open: bool,
}

/// A quarantined message as the page lists it.
pub struct QuarantineRow {
    pub id: String,
    pub when: String,
    pub size: String,
    pub error: String,
    pub attempts: i32,
}

/// What an email inbox's card shows.
pub struct EmailCard {
    pub address: String,
    pub imap: String,
    pub smtp: String,
    pub imported: i64,
    pub last_synced: String,
    pub last_error: Option<String>,
    pub quarantine: Vec<QuarantineRow>,
    pub form: EmailForm,
    /// Set when the mailbox signs in with an OAuth connection.
    pub oauth: Option<OAuthBadge>,
}

/// How an OAuth mailbox signs in.
pub struct OAuthBadge {
    /// `google` or `microsoft` (the reconnect form's path).
    pub id: String,
    /// "Google · ana@example.com".
    pub provider: String,
    /// Why the provider stopped accepting it, when it did.
    pub revoked: Option<String>,
}

/// The form of a stored inbox's settings.
fn form_of(r: &InboxRecord, s: &rapport_app::inbox::email::EmailSettings) -> EmailForm {
    EmailForm {
        id: r.id.to_string(),
        name: r.name.clone(),
        address: s.address.clone(),
        display_name: s.display_name.clone().unwrap_or_default(),
        imap_host: s.imap.host.clone(),
        imap_port: s.imap.port.to_string(),
        imap_security: s.imap.security.as_str().into(),
        imap_username: s.imap.username.clone().unwrap_or_default(),
        folder: s.folder.clone(),
        sent_folder: s.sent_folder.clone().unwrap_or_default(),
        smtp_host: s.smtp.host.clone(),
        smtp_port: s.smtp.port.to_string(),
        smtp_security: s.smtp.security.as_str().into(),
        smtp_username: s.smtp.username.clone().unwrap_or_default(),
        backfill: String::new(),
        open: false,
    }
}

/// The card of an email inbox.
pub async fn card(
    state: &WebState,
    actor: &rapport_app::authz::Actor,
    tr: &Tr,
    r: &InboxRecord,
) -> Result<EmailCard, AppError> {
    let status = state.app.email_status(actor, r.id).await?;
    let held = state.app.quarantined_mail(actor, Some(r.id)).await?;
    let folder = status
        .folders
        .iter()
        .find(|f| f.folder == status.settings.folder);
    let server = |s: &rapport_app::inbox::email::settings::ServerSettings| {
        format!("{}:{} ({})", s.host, s.port, s.security.as_str())
    };
    let oauth = status.oauth.as_ref().map(|c| OAuthBadge {
        id: c.provider.clone(),
        provider: format!(
            "{} · {}",
            rapport_app::oauth_connections::provider_name(&c.provider),
            c.account
        ),
        revoked: (!c.is_active()).then(|| c.last_error.clone().unwrap_or_default()),
    });
    Ok(EmailCard {
        oauth,
        address: status.settings.address.clone(),
        imap: server(&status.settings.imap),
        smtp: server(&status.settings.smtp),
        imported: folder.map_or(0, |f| f.imported),
        last_synced: tr.datetime_or(
            &folder.and_then(|f| f.last_synced_at),
            "inboxes.email.never",
        ),
        last_error: folder.and_then(|f| f.last_error.clone()),
        quarantine: held
            .into_iter()
            .map(|q| QuarantineRow {
                id: q.id.to_string(),
                when: tr.datetime(&q.created_at),
                size: tr.tf(
                    "inboxes.email.size",
                    &[("kb", &((q.size + 1023) / 1024).to_string())],
                ),
                error: q.error,
                attempts: q.attempts,
            })
            .collect(),
        form: form_of(r, &status.settings),
    })
}

/// The form as posted.
pub fn read(f: &Fields, id: &str) -> EmailForm {
    let get = |k: &str| f.get(k).trim().to_owned();
    EmailForm {
        id: id.to_owned(),
        name: f.get("name").to_owned(),
        address: get("address"),
        display_name: get("display_name"),
        imap_host: get("imap_host"),
        imap_port: get("imap_port"),
        imap_security: get("imap_security"),
        imap_username: get("imap_username"),
        folder: get("folder"),
        sent_folder: get("sent_folder"),
        smtp_host: get("smtp_host"),
        smtp_port: get("smtp_port"),
        smtp_security: get("smtp_security"),
        smtp_username: get("smtp_username"),
        backfill: get("backfill_days"),
        open: true,
    }
}

fn port(field: &str, raw: &str) -> Result<Option<u16>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        p => p.parse().map(Some).map_err(|_| {
            AppError::InvalidInput(vec![(field.into(), "ports run from 1 to 65535".into())])
        }),
    }
}

fn input(form: &EmailForm, f: &Fields) -> Result<EmailInput, AppError> {
    let optional = |v: &str| (!v.is_empty()).then(|| v.to_owned());
    Ok(EmailInput {
        address: form.address.clone(),
        display_name: optional(&form.display_name),
        imap_host: form.imap_host.clone(),
        imap_port: port("imap_port", &form.imap_port)?,
        imap_security: optional(&form.imap_security),
        imap_username: form.imap_username.clone(),
        imap_password: optional(f.get("imap_password")),
        folder: optional(&form.folder),
        sent_folder: optional(&form.sent_folder),
        smtp_host: form.smtp_host.clone(),
        smtp_port: port("smtp_port", &form.smtp_port)?,
        smtp_security: optional(&form.smtp_security),
        smtp_username: optional(&form.smtp_username),
        smtp_password: optional(f.get("smtp_password")),
        backfill_days: match form.backfill.as_str() {
            "" => None,
            days => Some(days.parse().map_err(|_| {
                AppError::InvalidInput(vec![(
                    "backfill_days".into(),
                    "choose how much existing mail to take in".into(),
                )])
            })?),
        },
    })
}

/// `POST /admin/inboxes/email`: connect a mailbox.
pub async fn create(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if !csrf_ok(f.get("_csrf"), &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let form = read(&f, "");
    let result = match input(&form, &f) {
        Ok(email) => {
            let new = NewInbox {
                name: form.name.clone(),
                channel: ChannelKind::Email,
                team_id: None,
                auto_assign: AutoAssign::None,
                reopen_resolved: true,
                csat_enabled: false,
                email: Some(email),
            };
            state.app.create_inbox(&info.actor, new).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => done(&state, jar, "inbox_created", PAGE),
        Err(err) => refused_email(&state, &headers, &info, jar, form, err).await,
    }
}

/// `POST /admin/inboxes/{id}/email`: change a mailbox's settings.
pub async fn update(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if !csrf_ok(f.get("_csrf"), &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = parse_id::<InboxId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    // Another org's inbox is a 404 whatever the form holds.
    let record = match state.app.inbox(&info.actor, id).await {
        Ok(r) => r,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let mut form = read(&f, &id.to_string());
    form.name = record.name;
    let result = match input(&form, &f) {
        Ok(email) => state
            .app
            .update_email_settings(&info.actor, id, &email)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => done(&state, jar, "inbox_saved", PAGE),
        Err(err) => refused_email(&state, &headers, &info, jar, form, err).await,
    }
}

/// `POST /admin/mail-quarantine/{id}/retry`.
pub async fn retry(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<CsrfOnly>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = parse_id::<uuid::Uuid>(&id) else {
        return pages::not_found(&state, &headers);
    };
    match state.app.retry_quarantined(&info.actor, id).await {
        Ok(Receive::Stored | Receive::Skipped) => done(&state, jar, "mail_retried", PAGE),
        Ok(Receive::Quarantined(_) | Receive::Retry(_)) => {
            done(&state, jar, "mail_still_quarantined", PAGE)
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// `POST /admin/mail-quarantine/{id}/discard`.
pub async fn discard(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<CsrfOnly>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = parse_id::<uuid::Uuid>(&id) else {
        return pages::not_found(&state, &headers);
    };
    match state.app.discard_quarantined(&info.actor, id).await {
        Ok(()) => done(&state, jar, "mail_discarded", PAGE),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
