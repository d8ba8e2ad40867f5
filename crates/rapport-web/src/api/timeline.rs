//! `GET /api/v1/{contacts|companies|deals}/{id}/timeline`: a record's activity feed, newest
//! first, with note bodies (sanitized HTML) and task states inline.

use super::work_common::parse_cursor;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use rapport_app::Actor;
use rapport_app::crm::timeline::{TimelineFilter, TimelineItem, encode_cursor};
use rapport_domain::ActivityId;
use rapport_domain::crm::RecordType;
use serde::{Deserialize, Serialize};

/// Filters and paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TimelineParams {
    /// Comma-separated: notes, tasks, stages, fields, emails, messages, calls, meetings
    /// (empty: everything).
    pub kinds: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–100 (default 50).
    pub limit: Option<u64>,
}

/// The note of a note entry, as it is now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimelineNote {
    /// Id.
    pub id: uuid::Uuid,
    /// Markdown source.
    pub body: String,
    /// Sanitized HTML.
    pub html: String,
    /// Pinned.
    pub pinned: bool,
    /// Last edited.
    pub updated_at: DateTime<Utc>,
}

/// The task of a task entry, as it is now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimelineTask {
    /// Id.
    pub id: uuid::Uuid,
    /// Title.
    pub title: String,
    /// Whether it is done.
    pub done: bool,
    /// Due time.
    pub due_at: Option<DateTime<Utc>>,
}

/// One entry.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    /// Id.
    pub id: uuid::Uuid,
    /// What happened (`note.created`, `task.completed`, `deal.stage_changed` …).
    pub kind: String,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// Who (user id), if a member.
    pub actor_id: Option<uuid::Uuid>,
    /// Who, as shown.
    pub actor_name: Option<String>,
    /// Kind-specific details.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    /// For note entries.
    pub note: Option<TimelineNote>,
    /// For task entries.
    pub task: Option<TimelineTask>,
}

impl From<TimelineItem> for TimelineEntry {
    fn from(i: TimelineItem) -> Self {
        let a = i.activity;
        Self {
            id: a.id.as_uuid(),
            kind: a.kind,
            occurred_at: a.occurred_at,
            actor_id: a.actor.map(|u| u.as_uuid()),
            actor_name: i.actor_name,
            data: a.data,
            note: i.note.map(|n| TimelineNote {
                id: n.id.as_uuid(),
                body: n.body,
                html: n.html,
                pinned: n.pinned,
                updated_at: n.updated_at,
            }),
            task: i.task.map(|t| TimelineTask {
                id: t.id.as_uuid(),
                title: t.title,
                done: t.done_at.is_some(),
                due_at: t.due_at,
            }),
        }
    }
}

/// A page of a timeline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimelineList {
    /// Newest first.
    pub items: Vec<TimelineEntry>,
    /// Pass as `cursor` for the next page; null at the end.
    pub next_cursor: Option<String>,
}

async fn timeline(
    state: &WebState,
    actor: &Actor,
    record: (RecordType, uuid::Uuid),
    params: TimelineParams,
) -> Result<Json<TimelineList>, ApiError> {
    let filters = TimelineFilter::parse_list(params.kinds.as_deref().unwrap_or_default())
        .map_err(|e| ApiError::from(rapport_app::AppError::from(e)))?;
    let after =
        parse_cursor(params.cursor.as_deref())?.map(|(at, id)| (at, ActivityId::from_uuid(id)));
    let page = state
        .app
        .timeline(actor, record, &filters, after, params.limit.unwrap_or(50))
        .await?;
    Ok(Json(TimelineList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next.map(|(at, id)| encode_cursor(at, id.as_uuid())),
    }))
}

/// A contact's timeline (needs `contacts.read`).
#[utoipa::path(get, path = "/contacts/{id}/timeline", tag = "timeline",
    params(("id" = uuid::Uuid, Path, description = "Contact id"), TimelineParams),
    responses(
        (status = 200, description = "Entries", body = TimelineList),
        (status = 404, description = "No such contact in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter or cursor", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn contact_timeline(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiQuery(params): ApiQuery<TimelineParams>,
) -> Result<Json<TimelineList>, ApiError> {
    timeline(&state, &actor, (RecordType::Contact, id), params).await
}

/// A company's timeline (needs `contacts.read`).
#[utoipa::path(get, path = "/companies/{id}/timeline", tag = "timeline",
    params(("id" = uuid::Uuid, Path, description = "Company id"), TimelineParams),
    responses(
        (status = 200, description = "Entries", body = TimelineList),
        (status = 404, description = "No such company in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter or cursor", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn company_timeline(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiQuery(params): ApiQuery<TimelineParams>,
) -> Result<Json<TimelineList>, ApiError> {
    timeline(&state, &actor, (RecordType::Company, id), params).await
}

/// A deal's timeline (needs `deals.read`).
#[utoipa::path(get, path = "/deals/{id}/timeline", tag = "timeline",
    params(("id" = uuid::Uuid, Path, description = "Deal id"), TimelineParams),
    responses(
        (status = 200, description = "Entries", body = TimelineList),
        (status = 404, description = "No such deal in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter or cursor", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn deal_timeline(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiQuery(params): ApiQuery<TimelineParams>,
) -> Result<Json<TimelineList>, ApiError> {
    timeline(&state, &actor, (RecordType::Deal, id), params).await
}
