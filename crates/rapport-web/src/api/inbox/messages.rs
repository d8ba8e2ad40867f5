//! `/api/v1/conversations/{id}/messages`: the thread (paged back in time), replies to the
//! customer (exactly-once with an `Idempotency-Key`) and private notes with mentions; and
//! `/api/v1/messages/{id}/split`, which moves a message into a conversation of its own.

use super::inboxes::idempotency_key;
use super::{Conversation, Message};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use rapport_domain::{AttachmentId, ConversationId, MessageId, UserId};
use serde::{Deserialize, Serialize};

/// A page of a thread.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MessageList {
    /// Oldest first.
    pub items: Vec<Message>,
    /// Pass as `before` for the older entries; null when this page starts the thread.
    pub older_cursor: Option<String>,
}

/// Which part of the thread.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MessageParams {
    /// A previous page's `older_cursor`: the entries before it.
    pub before: Option<String>,
    /// Entries per page (1–200, default 50).
    pub limit: Option<u64>,
}

/// Lists a conversation's messages, notes and activity, oldest first (needs
/// `conversations.read`).
#[utoipa::path(get, path = "/conversations/{id}/messages", tag = "conversations", params(
    ("id" = uuid::Uuid, Path, description = "Conversation id"), MessageParams),
    responses(
        (status = 200, description = "The latest page, or the one before `before`", body = MessageList),
        (status = 404, description = "No such conversation in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_messages(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiQuery(p): ApiQuery<MessageParams>,
) -> Result<Json<MessageList>, ApiError> {
    let page = state
        .app
        .conversation_messages(
            &actor,
            ConversationId::from_uuid(id),
            p.before.as_deref().filter(|c| !c.is_empty()),
            p.limit,
        )
        .await?;
    Ok(Json(MessageList {
        items: page.items.into_iter().map(Into::into).collect(),
        older_cursor: page.older_cursor,
    }))
}

/// A reply or a private note.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMessage {
    /// Text (a note is Markdown).
    pub content: String,
    /// `true`: a private note colleagues see and the customer never does.
    #[serde(default)]
    pub private: bool,
    /// Members a note mentions (they are notified and follow the conversation).
    #[serde(default)]
    pub mentions: Vec<uuid::Uuid>,
    /// Files uploaded before with `POST /uploads` (up to 10); with files, `content` may be
    /// empty.
    #[serde(default)]
    pub attachments: Vec<uuid::Uuid>,
}

/// Replies to the customer (sent on the inbox's channel) or adds a private note (needs
/// `conversations.reply`). With an `Idempotency-Key`, a repeated reply returns the first
/// (200) and sends nothing.
#[utoipa::path(post, path = "/conversations/{id}/messages", tag = "conversations", request_body = CreateMessage,
    params(
        ("id" = uuid::Uuid, Path, description = "Conversation id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried reply a no-op"),
    ),
    responses(
        (status = 201, description = "Stored (a reply is queued for its channel)", body = Message),
        (status = 200, description = "A repeated reply: nothing new", body = Message),
        (status = 404, description = "No such conversation in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty, too long, or a mention of a non-member", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_message(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CreateMessage>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    let id = ConversationId::from_uuid(id);
    let files: Vec<AttachmentId> = req
        .attachments
        .iter()
        .copied()
        .map(AttachmentId::from_uuid)
        .collect();
    if req.private {
        let mentions: Vec<UserId> = req
            .mentions
            .iter()
            .copied()
            .map(UserId::from_uuid)
            .collect();
        let note = state
            .app
            .add_note_with_files(&actor, id, &req.content, &mentions, &files)
            .await?;
        return Ok((StatusCode::CREATED, Json(note.into())));
    }
    if !req.mentions.is_empty() {
        return Err(crate::api::work_common::bad_field(
            "mentions",
            "only private notes mention colleagues",
        ));
    }
    let key = idempotency_key(&headers)?;
    let out = state
        .app
        .reply_with_files(&actor, id, &req.content, &files, key.as_deref())
        .await?;
    let status = if out.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(out.message.into())))
}

/// Moves a customer's message into a new conversation of its own (needs
/// `conversations.reply`).
#[utoipa::path(post, path = "/messages/{id}/split", tag = "conversations",
    params(("id" = uuid::Uuid, Path, description = "Message id")),
    responses(
        (status = 201, description = "The new conversation", body = Conversation),
        (status = 404, description = "No such message in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a message (a note or activity line)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn split_message(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<(StatusCode, Json<Conversation>), ApiError> {
    let d = state
        .app
        .split_message(&actor, MessageId::from_uuid(id))
        .await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}
