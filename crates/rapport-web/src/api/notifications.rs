//! `/api/v1/notifications`: the caller's own in-app notifications in the current org.

use super::work_common::bad_field;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rapport_app::crm::timeline::{decode_cursor, encode_cursor};
use rapport_app::records::{NotificationCursor, NotificationRecord};
use rapport_domain::NotificationId;
use serde::{Deserialize, Serialize};

/// A notification.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Notification {
    /// Id.
    pub id: uuid::Uuid,
    /// What it is about (`task.reminder`).
    pub kind: String,
    /// Headline.
    pub title: String,
    /// Details.
    pub body: String,
    /// A path in the app to open.
    pub link: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// When it was read.
    pub read_at: Option<DateTime<Utc>>,
}

impl From<NotificationRecord> for Notification {
    fn from(n: NotificationRecord) -> Self {
        Self {
            id: n.id.as_uuid(),
            kind: n.kind,
            title: n.title,
            body: n.body,
            link: n.link,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

/// A page of notifications.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationList {
    /// Unread first, then newest first.
    pub items: Vec<Notification>,
    /// Pass as `cursor` for the next page; null at the end.
    pub next_cursor: Option<String>,
    /// How many are unread in all.
    pub unread_count: u64,
}

/// Paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NotificationParams {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u64>,
}

/// How many were marked read.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MarkedRead {
    /// Count.
    pub marked: u64,
}

/// The cursor adds which group (unread `u`, read `r`) the last item was in.
fn cursor_of(n: NotificationCursor) -> String {
    let group = if n.unread { 'u' } else { 'r' };
    format!("{group}{}", encode_cursor(n.created_at, n.id.as_uuid()))
}

fn parse(raw: Option<&str>) -> Result<Option<NotificationCursor>, ApiError> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let bad = || bad_field("cursor", "not a cursor from this API");
    let unread = match raw.chars().next() {
        Some('u') => true,
        Some('r') => false,
        _ => return Err(bad()),
    };
    let (created_at, id) = decode_cursor(&raw[1..]).map_err(|_| bad())?;
    Ok(Some(NotificationCursor {
        unread,
        created_at,
        id: NotificationId::from_uuid(id),
    }))
}

/// Lists your notifications, unread first.
#[utoipa::path(get, path = "/notifications", tag = "notifications", params(NotificationParams), responses(
    (status = 200, description = "Notifications", body = NotificationList),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_notifications(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<NotificationParams>,
) -> Result<Json<NotificationList>, ApiError> {
    let after = parse(params.cursor.as_deref())?;
    let page = state
        .app
        .notifications(&actor, after, params.limit.unwrap_or(50))
        .await?;
    Ok(Json(NotificationList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next.map(cursor_of),
        unread_count: page.unread,
    }))
}

/// Marks one of your notifications read.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications",
    params(("id" = uuid::Uuid, Path, description = "Notification id")),
    responses(
        (status = 204, description = "Read"),
        (status = 404, description = "No such notification of yours", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn read_notification(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .mark_notification_read(&actor, NotificationId::from_uuid(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks all your notifications read.
#[utoipa::path(post, path = "/notifications/read-all", tag = "notifications", responses(
    (status = 200, description = "Marked", body = MarkedRead),
))]
pub async fn read_all_notifications(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<MarkedRead>, ApiError> {
    let marked = state.app.mark_all_notifications_read(&actor).await?;
    Ok(Json(MarkedRead { marked }))
}
