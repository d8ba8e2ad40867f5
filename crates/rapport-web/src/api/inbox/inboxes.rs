//! `/api/v1/inboxes`: the org's inboxes, and the API channel's inbound endpoint
//! `POST /inboxes/{id}/messages` (exactly-once by its `Idempotency-Key`).

use super::{Inbox, Message};
use crate::api::crm::nullable;
use crate::api::work_common::bad_field;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use rapport_app::inbox::channels::ApiInbound;
use rapport_app::inbox::inboxes::{InboxPatch, NewInbox};
use rapport_domain::inbox::ChannelKind;
use rapport_domain::inbox::assignment::AutoAssign;
use rapport_domain::{AttachmentId, ConversationId, InboxId, TeamId};
use serde::{Deserialize, Serialize};

/// The org's inboxes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InboxList {
    /// By name.
    pub items: Vec<Inbox>,
    /// Always null (one page).
    pub next_cursor: Option<String>,
}

/// A new inbox.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInbox {
    /// Name (unique in the org).
    pub name: String,
    /// Channel; `api` (the default) is the one created here.
    #[serde(default)]
    pub channel: Option<ChannelKind>,
    /// The team new conversations belong to.
    #[serde(default)]
    pub team_id: Option<uuid::Uuid>,
    /// How new conversations are assigned: `none` (default), `round_robin` or `least_loaded`.
    #[serde(default)]
    pub auto_assign: Option<AutoAssign>,
    /// Reopen a resolved conversation on the customer's reply (default true).
    #[serde(default)]
    pub reopen_resolved: Option<bool>,
    /// Send a satisfaction survey on resolve (default false).
    #[serde(default)]
    pub csat_enabled: Option<bool>,
    /// An email inbox's mailbox and SMTP settings (required with `"channel": "email"`; the
    /// servers are tested before the inbox is created).
    #[serde(default)]
    pub email: Option<rapport_app::inbox::email::EmailInput>,
}

/// Changes to an inbox.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateInbox {
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// New team (null clears it).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub team_id: Option<Option<uuid::Uuid>>,
    /// How new conversations are assigned.
    #[serde(default)]
    pub auto_assign: Option<AutoAssign>,
    /// Reopen resolved conversations on reply.
    #[serde(default)]
    pub reopen_resolved: Option<bool>,
    /// Send a satisfaction survey on resolve.
    #[serde(default)]
    pub csat_enabled: Option<bool>,
}

/// Lists the org's inboxes (needs `conversations.read`).
#[utoipa::path(get, path = "/inboxes", tag = "inbox", responses(
    (status = 200, description = "Inboxes", body = InboxList),
))]
pub async fn list_inboxes(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<InboxList>, ApiError> {
    let items = state.app.inboxes(&actor).await?;
    Ok(Json(InboxList {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: None,
    }))
}

/// Creates an inbox (needs `settings.manage`).
#[utoipa::path(post, path = "/inboxes", tag = "inbox", request_body = CreateInbox, responses(
    (status = 201, description = "Created", body = Inbox),
    (status = 409, description = "The name is taken", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_inbox(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<CreateInbox>,
) -> Result<(StatusCode, Json<Inbox>), ApiError> {
    let input = NewInbox {
        name: req.name,
        channel: req.channel.unwrap_or(ChannelKind::Api),
        team_id: req.team_id.map(TeamId::from_uuid),
        auto_assign: req.auto_assign.unwrap_or(AutoAssign::None),
        reopen_resolved: req.reopen_resolved.unwrap_or(true),
        csat_enabled: req.csat_enabled.unwrap_or(false),
        email: req.email,
    };
    let inbox = state.app.create_inbox(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(inbox.into())))
}

/// One inbox (needs `conversations.read`).
#[utoipa::path(get, path = "/inboxes/{id}", tag = "inbox",
    params(("id" = uuid::Uuid, Path, description = "Inbox id")),
    responses(
        (status = 200, description = "The inbox", body = Inbox),
        (status = 404, description = "No such inbox in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_inbox(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<Inbox>, ApiError> {
    Ok(Json(
        state
            .app
            .inbox(&actor, InboxId::from_uuid(id))
            .await?
            .into(),
    ))
}

/// Changes an inbox (needs `settings.manage`).
#[utoipa::path(patch, path = "/inboxes/{id}", tag = "inbox", request_body = UpdateInbox,
    params(("id" = uuid::Uuid, Path, description = "Inbox id")),
    responses(
        (status = 200, description = "Updated", body = Inbox),
        (status = 404, description = "No such inbox in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_inbox(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<UpdateInbox>,
) -> Result<Json<Inbox>, ApiError> {
    let patch = InboxPatch {
        name: req.name,
        team_id: req.team_id.map(|t| t.map(TeamId::from_uuid)),
        auto_assign: req.auto_assign,
        reopen_resolved: req.reopen_resolved,
        csat_enabled: req.csat_enabled,
    };
    let inbox = state
        .app
        .update_inbox(&actor, InboxId::from_uuid(id), patch)
        .await?;
    Ok(Json(inbox.into()))
}

/// Deletes an inbox with all its conversations (needs `settings.manage`).
#[utoipa::path(delete, path = "/inboxes/{id}", tag = "inbox",
    params(("id" = uuid::Uuid, Path, description = "Inbox id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such inbox in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_inbox(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_inbox(&actor, InboxId::from_uuid(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The customer who wrote.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InboundContact {
    /// Your stable id for the person (up to 200 characters, no spaces).
    pub identifier: String,
    /// Their name.
    #[serde(default)]
    pub name: Option<String>,
    /// Their email (links them to the contact that has it).
    #[serde(default)]
    pub email: Option<String>,
    /// Their phone number.
    #[serde(default)]
    pub phone: Option<String>,
}

/// A customer's message.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InboundMessage {
    /// Who wrote it.
    pub contact: InboundContact,
    /// The text (up to 256 KiB); may be empty when files are attached.
    #[serde(default)]
    pub content: String,
    /// A subject line.
    #[serde(default)]
    pub subject: Option<String>,
    /// The conversation it continues (this contact's, in this inbox); omitted: the contact's
    /// open conversation, or a new one.
    #[serde(default)]
    pub conversation_id: Option<uuid::Uuid>,
    /// Your id for the message.
    #[serde(default)]
    pub external_id: Option<String>,
    /// When the customer sent it.
    #[serde(default)]
    pub sent_at: Option<DateTime<Utc>>,
    /// Files uploaded before with `POST /uploads` (up to 10).
    #[serde(default)]
    pub attachments: Vec<uuid::Uuid>,
}

/// What posting a message did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IngestResult {
    /// The key was used before: nothing was stored; these are the first post's results.
    pub duplicate: bool,
    /// The stored message (null for a repeat whose message was deleted since).
    pub message: Option<Message>,
    /// Its conversation.
    pub conversation_id: Option<uuid::Uuid>,
    /// The conversation's number.
    pub conversation_number: Option<i64>,
    /// The contact it was filed under.
    pub contact_id: Option<uuid::Uuid>,
    /// Whether this post opened the conversation.
    pub opened_conversation: bool,
}

/// Posts a customer's message to an API inbox (needs `conversations.reply`). Send an
/// `Idempotency-Key` header: a repeat with the same key returns the first result (200) and
/// stores nothing.
#[utoipa::path(post, path = "/inboxes/{id}/messages", tag = "inbox", request_body = InboundMessage,
    params(
        ("id" = uuid::Uuid, Path, description = "Inbox id"),
        ("Idempotency-Key" = String, Header, description = "Unique per message (up to 200 visible ASCII characters)"),
    ),
    responses(
        (status = 201, description = "Stored", body = IngestResult),
        (status = 200, description = "A repeat: nothing stored", body = IngestResult),
        (status = 404, description = "No such inbox in your org", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not an API inbox", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or no Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_inbound_message(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<InboundMessage>,
) -> Result<(StatusCode, Json<IngestResult>), ApiError> {
    let key = idempotency_key(&headers)?.unwrap_or_default();
    let input = ApiInbound {
        identifier: req.contact.identifier,
        name: req.contact.name,
        email: req.contact.email,
        phone: req.contact.phone,
        content: req.content,
        subject: req.subject,
        conversation_id: req.conversation_id.map(ConversationId::from_uuid),
        external_id: req.external_id,
        sent_at: req.sent_at,
        attachments: req
            .attachments
            .into_iter()
            .map(AttachmentId::from_uuid)
            .collect(),
    };
    let outcome = state
        .app
        .ingest_api_message(&actor, InboxId::from_uuid(id), &key, input)
        .await?;
    let status = if outcome.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(IngestResult {
            duplicate: outcome.duplicate,
            conversation_id: outcome.conversation.as_ref().map(|c| c.id.as_uuid()),
            conversation_number: outcome.conversation.as_ref().map(|c| c.number),
            contact_id: outcome
                .conversation
                .as_ref()
                .map(|c| c.contact_id.as_uuid()),
            message: outcome.message.map(Into::into),
            opened_conversation: outcome.opened_conversation,
        }),
    ))
}

/// The `Idempotency-Key` header, if sent.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(|s| Some(s.to_owned()))
            .map_err(|_| bad_field("idempotency_key", "use visible ASCII characters only")),
    }
}
