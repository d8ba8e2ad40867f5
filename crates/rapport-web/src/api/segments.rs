//! `/api/v1/segments`: saved list filters, private to their owner or shared with the org.

use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rapport_app::segments::{SegmentInput, SegmentRecord, parse_object};
use rapport_domain::SegmentId;
use serde::{Deserialize, Serialize};

/// A saved segment.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Segment {
    /// Id.
    pub id: uuid::Uuid,
    /// `contact`, `company` or `deal`.
    pub object_type: String,
    /// Name.
    pub name: String,
    /// Filter expression.
    pub filter: String,
    /// Chosen columns, in order.
    pub columns: Vec<String>,
    /// Sort (`name:asc`), null for the default.
    pub sort: Option<String>,
    /// Owner (user id).
    pub owner_id: uuid::Uuid,
    /// Visible to the whole org (otherwise only to its owner).
    pub shared: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<SegmentRecord> for Segment {
    fn from(s: SegmentRecord) -> Self {
        Self {
            id: s.id.as_uuid(),
            object_type: s.object_type,
            name: s.name,
            filter: s.filter,
            columns: s.columns,
            sort: s.sort,
            owner_id: s.owner_id.as_uuid(),
            shared: s.shared,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// Segments.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SegmentList {
    /// By name.
    pub items: Vec<Segment>,
    /// Always null (all visible segments are returned).
    pub next_cursor: Option<String>,
}

/// List filter.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SegmentQuery {
    /// Only segments of this object type (`contact`, `company`, `deal`).
    pub object_type: Option<String>,
}

/// A segment to create.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSegment {
    /// Name.
    pub name: String,
    /// `contact`, `company` or `deal`.
    pub object_type: String,
    /// Filter expression (validated against the org's fields).
    #[serde(default)]
    pub filter: String,
    /// Columns to show.
    #[serde(default)]
    pub columns: Vec<String>,
    /// Sort.
    pub sort: Option<String>,
    /// Share with the org (default: private).
    #[serde(default)]
    pub shared: bool,
}

/// Changes to a segment (omitted fields keep their value).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSegment {
    /// Name.
    pub name: Option<String>,
    /// Filter expression.
    pub filter: Option<String>,
    /// Columns.
    pub columns: Option<Vec<String>>,
    /// Sort (empty string for the default).
    pub sort: Option<String>,
    /// Shared with the org.
    pub shared: Option<bool>,
}

/// Lists the segments you can see: shared ones and your own.
#[utoipa::path(get, path = "/segments", tag = "segments", params(SegmentQuery), responses(
    (status = 200, description = "Segments", body = SegmentList),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_segments(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<SegmentQuery>,
) -> Result<Json<SegmentList>, ApiError> {
    let object = match q.object_type.as_deref() {
        Some(t) => Some(parse_object(t)?),
        None => None,
    };
    let items = state.app.segments(&actor, object).await?;
    Ok(Json(SegmentList {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: None,
    }))
}

/// Saves a segment (its filter must be valid).
#[utoipa::path(post, path = "/segments", tag = "segments", request_body = CreateSegment, responses(
    (status = 201, description = "Created", body = Segment),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields or filter", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_segment(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<CreateSegment>,
) -> Result<(StatusCode, Json<Segment>), ApiError> {
    let object = parse_object(&req.object_type)?;
    let input = SegmentInput {
        name: req.name,
        filter: req.filter,
        columns: req.columns,
        sort: req.sort,
        shared: req.shared,
    };
    let seg = state.app.create_segment(&actor, object, &input).await?;
    Ok((StatusCode::CREATED, Json(seg.into())))
}

/// One segment.
#[utoipa::path(get, path = "/segments/{id}", tag = "segments",
    params(("id" = uuid::Uuid, Path, description = "Segment id")),
    responses(
        (status = 200, description = "The segment", body = Segment),
        (status = 404, description = "No such segment visible to you", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_segment(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<Segment>, ApiError> {
    let seg = state.app.segment(&actor, SegmentId::from_uuid(id)).await?;
    Ok(Json(seg.into()))
}

/// Changes a segment (its owner; shared segments also those who manage settings).
#[utoipa::path(patch, path = "/segments/{id}", tag = "segments", request_body = UpdateSegment,
    params(("id" = uuid::Uuid, Path, description = "Segment id")),
    responses(
        (status = 200, description = "Updated", body = Segment),
        (status = 403, description = "Not yours to change", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such segment visible to you", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or filter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_segment(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<UpdateSegment>,
) -> Result<Json<Segment>, ApiError> {
    let id = SegmentId::from_uuid(id);
    let cur = state.app.segment(&actor, id).await?;
    let input = SegmentInput {
        name: req.name.unwrap_or(cur.name),
        filter: req.filter.unwrap_or(cur.filter),
        columns: req.columns.unwrap_or(cur.columns),
        sort: match req.sort {
            Some(s) => Some(s),
            None => cur.sort,
        },
        shared: req.shared.unwrap_or(cur.shared),
    };
    let seg = state.app.update_segment(&actor, id, &input).await?;
    Ok(Json(seg.into()))
}

/// Deletes a segment (same rule as changing it).
#[utoipa::path(delete, path = "/segments/{id}", tag = "segments",
    params(("id" = uuid::Uuid, Path, description = "Segment id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not yours to delete", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such segment visible to you", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_segment(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_segment(&actor, SegmentId::from_uuid(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
