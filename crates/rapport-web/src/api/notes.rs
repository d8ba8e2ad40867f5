//! `/api/v1/notes`: Markdown notes on contacts, companies and deals (the rendered `html` is
//! sanitized and safe to embed).

use super::work_common::{bad_field, parse_record_type};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rapport_app::crm::notes::NoteView;
use rapport_domain::NoteId;
use serde::{Deserialize, Serialize};

/// A note.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Note {
    /// Id.
    pub id: uuid::Uuid,
    /// `contact`, `company` or `deal`.
    pub record_type: String,
    /// The record's id.
    pub record_id: uuid::Uuid,
    /// Markdown source.
    pub body: String,
    /// Sanitized HTML rendering of `body`.
    pub html: String,
    /// Author's user id.
    pub author_id: Option<uuid::Uuid>,
    /// Pinned above the others.
    pub pinned: bool,
    /// Written.
    pub created_at: DateTime<Utc>,
    /// Last edited.
    pub updated_at: DateTime<Utc>,
}

impl From<NoteView> for Note {
    fn from(n: NoteView) -> Self {
        Self {
            id: n.id.as_uuid(),
            record_type: n.record.0.as_str().to_owned(),
            record_id: n.record.1,
            body: n.body,
            html: n.html,
            author_id: n.author.map(|u| u.as_uuid()),
            pinned: n.pinned,
            created_at: n.created_at,
            updated_at: n.updated_at,
        }
    }
}

/// A record's notes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NoteList {
    /// Pinned first, then newest first (at most 200).
    pub items: Vec<Note>,
    /// Always null (one page).
    pub next_cursor: Option<String>,
}

/// Which record's notes.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NoteParams {
    /// `contact`, `company` or `deal`.
    pub record_type: String,
    /// The record's id.
    pub record_id: uuid::Uuid,
}

/// A note to add.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNote {
    /// `contact`, `company` or `deal`.
    pub record_type: String,
    /// The record's id.
    pub record_id: uuid::Uuid,
    /// Markdown (up to 100 KB).
    pub body: String,
}

/// Changes to a note (absent fields stay as they are).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateNote {
    /// New Markdown text.
    #[serde(default)]
    pub body: Option<String>,
    /// Pin or unpin.
    #[serde(default)]
    pub pinned: Option<bool>,
}

/// Lists a record's notes (needs read access to the record).
#[utoipa::path(get, path = "/notes", tag = "notes", params(NoteParams), responses(
    (status = 200, description = "Notes", body = NoteList),
    (status = 404, description = "No such record in your org", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Unknown record type", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_notes(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<NoteParams>,
) -> Result<Json<NoteList>, ApiError> {
    let t = parse_record_type(&params.record_type)?;
    let items = state.app.notes(&actor, (t, params.record_id)).await?;
    Ok(Json(NoteList {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: None,
    }))
}

/// Adds a note to a record (needs write access to it).
#[utoipa::path(post, path = "/notes", tag = "notes", request_body = CreateNote, responses(
    (status = 201, description = "Created", body = Note),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such record in your org", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Empty or too long", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_note(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<CreateNote>,
) -> Result<(StatusCode, Json<Note>), ApiError> {
    let t = parse_record_type(&req.record_type)?;
    let note = state
        .app
        .create_note(&actor, (t, req.record_id), &req.body)
        .await?;
    Ok((StatusCode::CREATED, Json(note.into())))
}

/// Edits, pins or unpins a note.
#[utoipa::path(patch, path = "/notes/{id}", tag = "notes", request_body = UpdateNote,
    params(("id" = uuid::Uuid, Path, description = "Note id")),
    responses(
        (status = 200, description = "Updated", body = Note),
        (status = 404, description = "No such note in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or too long", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_note(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<UpdateNote>,
) -> Result<Json<Note>, ApiError> {
    if req.body.is_none() && req.pinned.is_none() {
        return Err(bad_field("body", "send body and/or pinned"));
    }
    let note = state
        .app
        .update_note(
            &actor,
            NoteId::from_uuid(id),
            req.body.as_deref(),
            req.pinned,
        )
        .await?;
    Ok(Json(note.into()))
}

/// Deletes a note (and its timeline entries).
#[utoipa::path(delete, path = "/notes/{id}", tag = "notes",
    params(("id" = uuid::Uuid, Path, description = "Note id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such note in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_note(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state.app.delete_note(&actor, NoteId::from_uuid(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
