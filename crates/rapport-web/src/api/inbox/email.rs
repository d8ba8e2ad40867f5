//! `/api/v1/inboxes/{id}/email` (an email inbox's mailbox and SMTP settings, tested on save,
//! and how its mailbox reads) and `/api/v1/mail-quarantine` (mail that could not be stored:
//! list, retry, discard). All need `settings.manage`. Passwords are write-only: they are never
//! returned, and an empty one on change keeps the stored one.

use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rapport_app::inbox::email::{EmailInput, EmailStatus, Receive};
use rapport_domain::InboxId;
use serde::{Deserialize, Serialize};

/// One server, without its password.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServerView {
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// `tls`, `starttls` or `none`.
    pub security: String,
    /// User name.
    pub username: Option<String>,
}

/// How a folder reads.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FolderView {
    /// The folder.
    pub folder: String,
    /// Messages taken in so far.
    pub imported: i64,
    /// When a batch last completed.
    pub last_synced_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed (null after a success).
    pub last_error: Option<String>,
}

/// An email inbox's settings and sync state.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EmailView {
    /// The inbox.
    pub inbox_id: uuid::Uuid,
    /// Its address.
    pub address: String,
    /// The name replies are sent under.
    pub display_name: Option<String>,
    /// The mailbox read.
    pub imap: ServerView,
    /// The folder read.
    pub folder: String,
    /// The folder copies of sent replies are saved in.
    pub sent_folder: Option<String>,
    /// The server replies go through.
    pub smtp: ServerView,
    /// How each folder reads.
    pub folders: Vec<FolderView>,
    /// Messages waiting in quarantine.
    pub quarantined: u64,
    /// The OAuth connection the mailbox signs in with (absent: passwords).
    pub oauth: Option<OAuthView>,
    /// Mail that arrived before this day was not taken in (absent: all of it).
    pub backfill_since: Option<chrono::NaiveDate>,
}

/// How an OAuth mailbox signs in.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OAuthView {
    /// `google` or `microsoft`.
    pub provider: String,
    /// The connected account.
    pub account: String,
    /// `active`, or `revoked` when the provider stopped accepting the grant.
    pub status: String,
    /// The provider's words when it was revoked.
    pub last_error: Option<String>,
}

impl From<EmailStatus> for EmailView {
    fn from(s: EmailStatus) -> Self {
        let server = |v: &rapport_app::inbox::email::settings::ServerSettings| ServerView {
            host: v.host.clone(),
            port: v.port,
            security: v.security.as_str().to_owned(),
            username: v.username.clone(),
        };
        Self {
            inbox_id: s.inbox.id.as_uuid(),
            address: s.settings.address.clone(),
            display_name: s.settings.display_name.clone(),
            imap: server(&s.settings.imap),
            folder: s.settings.folder.clone(),
            sent_folder: s.settings.sent_folder.clone(),
            smtp: server(&s.settings.smtp),
            folders: s
                .folders
                .into_iter()
                .map(|f| FolderView {
                    folder: f.folder,
                    imported: f.imported,
                    last_synced_at: f.last_synced_at,
                    last_error: f.last_error,
                })
                .collect(),
            quarantined: s.quarantined,
            backfill_since: s.settings.backfill_since,
            oauth: s.oauth.map(|c| OAuthView {
                provider: c.provider,
                account: c.account,
                status: c.status,
                last_error: c.last_error,
            }),
        }
    }
}

/// An email inbox's settings and sync state.
#[utoipa::path(get, path = "/inboxes/{id}/email", tag = "inbox",
    params(("id" = uuid::Uuid, Path, description = "Inbox id")),
    responses(
        (status = 200, description = "Settings and sync state", body = EmailView),
        (status = 404, description = "No such inbox in your org", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not an email inbox", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_email(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<EmailView>, ApiError> {
    let status = state
        .app
        .email_status(&actor, InboxId::from_uuid(id))
        .await?;
    Ok(Json(status.into()))
}

/// Changes an email inbox's settings, tested before they are saved.
#[utoipa::path(put, path = "/inboxes/{id}/email", tag = "inbox", request_body = EmailInput,
    params(("id" = uuid::Uuid, Path, description = "Inbox id")),
    responses(
        (status = 200, description = "Saved", body = EmailView),
        (status = 404, description = "No such inbox in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid settings, or the servers refused them (the message says why)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_email(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<EmailInput>,
) -> Result<Json<EmailView>, ApiError> {
    let id = InboxId::from_uuid(id);
    state.app.update_email_settings(&actor, id, &req).await?;
    Ok(Json(state.app.email_status(&actor, id).await?.into()))
}

/// Which quarantined mail to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct QuarantineQuery {
    /// Only this inbox's.
    pub inbox_id: Option<uuid::Uuid>,
}

/// A message that could not be stored.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuarantinedMail {
    /// Id.
    pub id: uuid::Uuid,
    /// The inbox it came to.
    pub inbox_id: uuid::Uuid,
    /// Its folder.
    pub folder: String,
    /// Its UID in the folder.
    pub uid: u32,
    /// Its size in bytes.
    pub size: i64,
    /// Why it could not be stored.
    pub error: String,
    /// Attempts so far.
    pub attempts: i32,
    /// First seen.
    pub created_at: DateTime<Utc>,
    /// Last attempt.
    pub updated_at: DateTime<Utc>,
}

/// Quarantined mail, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuarantineList {
    /// At most 200.
    pub items: Vec<QuarantinedMail>,
}

/// The org's quarantined mail.
#[utoipa::path(get, path = "/mail-quarantine", tag = "inbox", params(QuarantineQuery),
    responses((status = 200, description = "Quarantined mail", body = QuarantineList)))]
pub async fn list_quarantine(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<QuarantineQuery>,
) -> Result<Json<QuarantineList>, ApiError> {
    let items = state
        .app
        .quarantined_mail(&actor, q.inbox_id.map(InboxId::from_uuid))
        .await?
        .into_iter()
        .map(|q| QuarantinedMail {
            id: q.id,
            inbox_id: q.inbox_id.as_uuid(),
            folder: q.folder,
            uid: q.uid,
            size: q.size,
            error: q.error,
            attempts: q.attempts,
            created_at: q.created_at,
            updated_at: q.updated_at,
        })
        .collect();
    Ok(Json(QuarantineList { items }))
}

/// What a retry did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RetryOutcome {
    /// `stored`, `skipped` (our own mail) or `quarantined` (refused again).
    pub outcome: String,
    /// Why it was refused again.
    pub error: Option<String>,
}

/// Tries to store a quarantined message again.
#[utoipa::path(post, path = "/mail-quarantine/{id}/retry", tag = "inbox",
    params(("id" = uuid::Uuid, Path, description = "Quarantined message id")),
    responses(
        (status = 200, description = "What the retry did", body = RetryOutcome),
        (status = 404, description = "No such message in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn retry_quarantined(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<RetryOutcome>, ApiError> {
    let (outcome, error) = match state.app.retry_quarantined(&actor, id).await? {
        Receive::Stored => ("stored", None),
        Receive::Skipped => ("skipped", None),
        Receive::Quarantined(why) | Receive::Retry(why) => ("quarantined", Some(why)),
    };
    Ok(Json(RetryOutcome {
        outcome: outcome.into(),
        error,
    }))
}

/// Discards a quarantined message.
#[utoipa::path(delete, path = "/mail-quarantine/{id}", tag = "inbox",
    params(("id" = uuid::Uuid, Path, description = "Quarantined message id")),
    responses(
        (status = 204, description = "Discarded"),
        (status = 404, description = "No such message in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn discard_quarantined(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state.app.discard_quarantined(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
