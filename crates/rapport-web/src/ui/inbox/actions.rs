//! The inbox's forms: reply or private note, status (with snooze choices), assignee,
//! priority and labels. Each answers `303` back to the page the agent was on.

use crate::state::WebState;
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{UiSession, set_flash};
use crate::ui::pages;
use crate::ui::work::safe_return;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use chrono::Duration;
use rapport_app::AppError;
use rapport_app::inbox::conversations::{Assignment, StatusChange};
use rapport_app::inbox::organize::LabelChange;
use rapport_domain::inbox::{ConversationStatus, Priority};
use rapport_domain::{AttachmentId, ConversationId, UserId};
use serde::Deserialize;

/// Every inbox form: the CSRF token, where to go back, and the fields of one of them.
#[derive(Debug, Deserialize)]
pub struct InboxForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    return_to: String,
    /// Composer text.
    #[serde(default)]
    body: String,
    /// `reply` or `note`.
    #[serde(default)]
    mode: String,
    /// Uploaded files to send, comma-separated ids.
    #[serde(default)]
    attachments: String,
    /// Colleagues a note mentions, comma-separated ids.
    #[serde(default)]
    mentions: String,
    /// A status name.
    #[serde(default)]
    status: String,
    /// Snooze: hours from now, or `reply` (until the customer replies).
    #[serde(default)]
    snooze: String,
    /// A member id, `me` or `none`.
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    priority: String,
    /// A label to add.
    #[serde(default)]
    add: String,
    /// A label to remove.
    #[serde(default)]
    remove: String,
}

/// Checks the token and the id, runs `act`, and goes back with a flash. A refused form value
/// is only reported for a conversation of the agent's org: another org's is a 404 whatever
/// the form says (the form is parsed before the use case looks the conversation up).
#[allow(clippy::too_many_arguments)]
async fn respond<F, Fut>(
    state: &WebState,
    headers: &HeaderMap,
    jar: CookieJar,
    actor: &rapport_app::Actor,
    csrf: (&str, &str),
    id: &str,
    return_to: &str,
    act: F,
) -> Response
where
    F: FnOnce(ConversationId) -> Fut,
    Fut: Future<Output = Result<&'static str, AppError>>,
{
    if !csrf_ok(csrf.0, csrf.1) {
        return pages::forbidden(state, headers);
    }
    let Ok(id) = id.parse() else {
        return pages::not_found(state, headers);
    };
    let id = ConversationId::from_uuid(id);
    let to = safe_return(return_to, &format!("/inbox/conversations/{id}"));
    match act(id).await {
        Ok(flash) => (
            set_flash(jar, "success", flash, state.secure_cookies),
            Redirect::to(&to),
        )
            .into_response(),
        Err(
            AppError::Invalid(_)
            | AppError::InvalidField { .. }
            | AppError::InvalidFields(_)
            | AppError::InvalidInput(_)
            | AppError::Conflict(_),
        ) => match state.app.conversation(actor, id).await {
            Ok(_) => (
                set_flash(jar, "error", "inbox_invalid", state.secure_cookies),
                Redirect::to(&to),
            )
                .into_response(),
            Err(err) => pages::from_app_error(state, headers, err),
        },
        Err(err) => pages::from_app_error(state, headers, err),
    }
}

/// Comma-separated ids from the composer (its files, a note's mentions).
fn ids<T>(raw: &str, field: &str, make: fn(uuid::Uuid) -> T) -> Result<Vec<T>, AppError> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<uuid::Uuid>()
                .map(make)
                .map_err(|_| AppError::InvalidField {
                    field: field.to_owned(),
                    message: "not an id".into(),
                })
        })
        .collect()
}

/// `POST /inbox/conversations/{id}/messages`: a reply, or a private note (`mode=note`), with
/// the files uploaded from the composer.
pub async fn send(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(f): UiForm<InboxForm>,
) -> Response {
    let actor = &info.actor;
    let app = &state.app;
    respond(
        &state,
        &headers,
        jar,
        actor,
        (&f.csrf, &info.csrf_token),
        &id,
        &f.return_to,
        |id| async move {
            let files = ids(&f.attachments, "attachments", AttachmentId::from_uuid)?;
            if f.mode == "note" {
                let mentions = ids(&f.mentions, "mentions", UserId::from_uuid)?;
                app.add_note_with_files(actor, id, &f.body, &mentions, &files)
                    .await?;
                Ok("inbox_note_added")
            } else {
                app.reply_with_files(actor, id, &f.body, &files, None)
                    .await?;
                Ok("inbox_reply_sent")
            }
        },
    )
    .await
}

/// `POST /inbox/conversations/{id}/status`.
pub async fn status(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(f): UiForm<InboxForm>,
) -> Response {
    let actor = &info.actor;
    let app = &state.app;
    let now = app.clock().now();
    respond(
        &state,
        &headers,
        jar,
        actor,
        (&f.csrf, &info.csrf_token),
        &id,
        &f.return_to,
        |id| async move {
            let status = ConversationStatus::parse(&f.status)?;
            let snooze_until = match (status, f.snooze.parse::<i64>()) {
                (ConversationStatus::Snoozed, Ok(hours)) if (1..=24 * 30).contains(&hours) => {
                    Some(now + Duration::hours(hours))
                }
                _ => None,
            };
            app.set_conversation_status(
                actor,
                id,
                StatusChange {
                    status,
                    snooze_until,
                },
            )
            .await?;
            Ok("inbox_status_changed")
        },
    )
    .await
}

/// `POST /inbox/conversations/{id}/assign`.
pub async fn assign(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(f): UiForm<InboxForm>,
) -> Response {
    let actor = &info.actor;
    let app = &state.app;
    respond(
        &state,
        &headers,
        jar,
        actor,
        (&f.csrf, &info.csrf_token),
        &id,
        &f.return_to,
        |id| async move {
            let assignee = match f.assignee.as_str() {
                "none" | "" => None,
                "me" => Some(actor.user_id),
                other => Some(UserId::from_uuid(other.parse().map_err(|_| {
                    AppError::from(rapport_domain::DomainError::Invalid {
                        field: "assignee_id",
                        reason: "not a member",
                    })
                })?)),
            };
            let change = Assignment {
                assignee: Some(assignee),
                team: None,
            };
            app.assign_conversation(actor, id, change).await?;
            Ok("inbox_assigned")
        },
    )
    .await
}

/// `POST /inbox/conversations/{id}/priority`.
pub async fn priority(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(f): UiForm<InboxForm>,
) -> Response {
    let actor = &info.actor;
    let app = &state.app;
    respond(
        &state,
        &headers,
        jar,
        actor,
        (&f.csrf, &info.csrf_token),
        &id,
        &f.return_to,
        |id| async move {
            let p = Priority::parse(&f.priority)?;
            app.set_conversation_priority(actor, id, p).await?;
            Ok("inbox_priority_changed")
        },
    )
    .await
}

/// `POST /inbox/conversations/{id}/labels`: adds `add` and/or removes `remove`.
pub async fn labels(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(f): UiForm<InboxForm>,
) -> Response {
    let actor = &info.actor;
    let app = &state.app;
    respond(
        &state,
        &headers,
        jar,
        actor,
        (&f.csrf, &info.csrf_token),
        &id,
        &f.return_to,
        |id| async move {
            let some = |s: &str| {
                if s.trim().is_empty() {
                    Vec::new()
                } else {
                    vec![s.to_owned()]
                }
            };
            let change = LabelChange {
                set: None,
                add: some(&f.add),
                remove: some(&f.remove),
            };
            app.label_conversation(actor, id, &change).await?;
            Ok("inbox_labels_changed")
        },
    )
    .await
}
