//! `/api/v1/canned-responses`: the org's canned responses (saved replies), and
//! `POST /api/v1/conversations/{id}/canned-responses/{canned_id}/render`, which fills one in
//! for a conversation (the composer inserts the result).

use crate::api::crm::nullable;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rapport_app::inbox::CannedRecord;
use rapport_app::inbox::canned::{CannedPatch, CannedQuery, NewCanned};
use rapport_domain::{CannedResponseId, ConversationId, InboxId};
use serde::{Deserialize, Serialize};

/// A canned response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CannedResponse {
    /// Id.
    pub id: uuid::Uuid,
    /// What agents type after `/` in the composer (unique in the org).
    pub short_code: String,
    /// Shown in the picker.
    pub title: String,
    /// The template: Markdown text with `{{ contact.first_name }}`-style variables.
    pub body: String,
    /// The one inbox it is offered in; null: every inbox.
    pub inbox_id: Option<uuid::Uuid>,
    /// Who wrote it.
    pub created_by: Option<uuid::Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<CannedRecord> for CannedResponse {
    fn from(r: CannedRecord) -> Self {
        Self {
            id: r.id.as_uuid(),
            short_code: r.short_code,
            title: r.title,
            body: r.body,
            inbox_id: r.inbox_id.map(|i| i.as_uuid()),
            created_by: r.created_by.map(|u| u.as_uuid()),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A page of canned responses.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CannedList {
    /// By short code.
    pub items: Vec<CannedResponse>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// Which canned responses.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CannedParams {
    /// Only those offered in this inbox (its own and the org-wide ones).
    pub inbox_id: Option<uuid::Uuid>,
    /// Only those whose short code or title starts with this (case-insensitive).
    pub q: Option<String>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size (1–200, default 100).
    pub limit: Option<u64>,
}

/// A new canned response.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCanned {
    /// 1–40 lowercase letters, digits, `_` and `-` (unique in the org).
    pub short_code: String,
    /// Up to 120 characters.
    pub title: String,
    /// Up to 20,000 characters; variables: `contact.first_name`, `contact.last_name`,
    /// `contact.name`, `contact.email`, `agent.name`, `agent.first_name`,
    /// `conversation.number`, `inbox.name`, `org.name`.
    pub body: String,
    /// Offer it in this inbox only (omitted or null: every inbox).
    #[serde(default)]
    pub inbox_id: Option<uuid::Uuid>,
}

/// Changes to a canned response.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCanned {
    /// New short code.
    #[serde(default)]
    pub short_code: Option<String>,
    /// New title.
    #[serde(default)]
    pub title: Option<String>,
    /// New template.
    #[serde(default)]
    pub body: Option<String>,
    /// New inbox (null: every inbox).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub inbox_id: Option<Option<uuid::Uuid>>,
}

/// A canned response filled in for a conversation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RenderedCanned {
    /// The text to insert into the reply.
    pub body: String,
}

/// Lists canned responses by short code (needs `conversations.read`).
#[utoipa::path(get, path = "/canned-responses", tag = "inbox", params(CannedParams), responses(
    (status = 200, description = "A page", body = CannedList),
    (status = 422, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_canned(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<CannedParams>,
) -> Result<Json<CannedList>, ApiError> {
    let query = CannedQuery {
        inbox: p.inbox_id.map(InboxId::from_uuid),
        search: p.q,
        cursor: p.cursor,
        limit: p.limit,
    };
    let page = state.app.canned_responses(&actor, &query).await?;
    Ok(Json(CannedList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Creates a canned response (needs `settings.manage`). A template that does not compile is
/// refused with the line it fails on.
#[utoipa::path(post, path = "/canned-responses", tag = "inbox", request_body = CreateCanned, responses(
    (status = 201, description = "Created", body = CannedResponse),
    (status = 409, description = "The short code is taken", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_canned(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<CreateCanned>,
) -> Result<(StatusCode, Json<CannedResponse>), ApiError> {
    let input = NewCanned {
        short_code: req.short_code,
        title: req.title,
        body: req.body,
        inbox_id: req.inbox_id.map(InboxId::from_uuid),
    };
    let created = state.app.create_canned_response(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// One canned response (needs `conversations.read`).
#[utoipa::path(get, path = "/canned-responses/{id}", tag = "inbox",
    params(("id" = uuid::Uuid, Path, description = "Canned response id")),
    responses(
        (status = 200, description = "The canned response", body = CannedResponse),
        (status = 404, description = "No such canned response in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_canned(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<CannedResponse>, ApiError> {
    let id = CannedResponseId::from_uuid(id);
    Ok(Json(state.app.canned_response(&actor, id).await?.into()))
}

/// Changes a canned response (needs `settings.manage`).
#[utoipa::path(patch, path = "/canned-responses/{id}", tag = "inbox", request_body = UpdateCanned,
    params(("id" = uuid::Uuid, Path, description = "Canned response id")),
    responses(
        (status = 200, description = "Updated", body = CannedResponse),
        (status = 404, description = "No such canned response in your org", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The short code is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_canned(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<UpdateCanned>,
) -> Result<Json<CannedResponse>, ApiError> {
    let patch = CannedPatch {
        short_code: req.short_code,
        title: req.title,
        body: req.body,
        inbox_id: req.inbox_id.map(|i| i.map(InboxId::from_uuid)),
    };
    let id = CannedResponseId::from_uuid(id);
    let updated = state.app.update_canned_response(&actor, id, patch).await?;
    Ok(Json(updated.into()))
}

/// Deletes a canned response (needs `settings.manage`).
#[utoipa::path(delete, path = "/canned-responses/{id}", tag = "inbox",
    params(("id" = uuid::Uuid, Path, description = "Canned response id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such canned response in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_canned(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    let id = CannedResponseId::from_uuid(id);
    state.app.delete_canned_response(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Fills a canned response in for a conversation: its contact, inbox and org, and the caller
/// as the agent; unknown variables render empty (needs `conversations.read`). Nothing is
/// stored or sent.
#[utoipa::path(post, path = "/conversations/{id}/canned-responses/{canned_id}/render", tag = "inbox",
    params(
        ("id" = uuid::Uuid, Path, description = "Conversation id"),
        ("canned_id" = uuid::Uuid, Path, description = "Canned response id"),
    ),
    responses(
        (status = 200, description = "The filled-in text", body = RenderedCanned),
        (status = 404, description = "No such conversation or canned response in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Kept for another inbox, or the template failed", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn render_canned(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path((id, canned_id)): Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<Json<RenderedCanned>, ApiError> {
    let body = state
        .app
        .render_canned_response(
            &actor,
            ConversationId::from_uuid(id),
            CannedResponseId::from_uuid(canned_id),
        )
        .await?;
    Ok(Json(RenderedCanned { body }))
}
