//! `/api/v1/system/…`: the job queue and its dead letters, for owners and admins.

use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rapport_app::system::JobState;
use rapport_app::system::{JobView, QueueDepth};
use rapport_domain::JobId;
use serde::{Deserialize, Serialize};

/// Filter for the job list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct JobFilter {
    /// `queued`, `running`, `done` or `dead` (default `dead`).
    pub state: Option<String>,
    /// At most this many (1–200, default 50).
    pub limit: Option<u64>,
}

/// A page of jobs.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobList {
    /// Jobs, most recently updated first.
    pub items: Vec<JobView>,
}

/// Queue depth per state.
#[utoipa::path(
    get,
    path = "/system/queue",
    tag = "system",
    responses(
        (status = 200, description = "Queue depth", body = QueueDepth),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn queue_depth(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<QueueDepth>, ApiError> {
    Ok(Json(state.app.job_overview(&actor).await?))
}

/// Jobs in one state; `dead` lists the dead letters.
#[utoipa::path(
    get,
    path = "/system/jobs",
    tag = "system",
    params(JobFilter),
    responses(
        (status = 200, description = "Jobs", body = JobList),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown state", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_jobs(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(filter): ApiQuery<JobFilter>,
) -> Result<Json<JobList>, ApiError> {
    let raw = filter.state.as_deref().unwrap_or("dead");
    let Some(job_state) = JobState::parse(raw) else {
        return Err(ApiError::validation(vec![crate::error::FieldError {
            field: "state".into(),
            message: "must be one of queued, running, done, dead".into(),
        }]));
    };
    let items = state
        .app
        .list_jobs(&actor, job_state, filter.limit.unwrap_or(50))
        .await?;
    Ok(Json(JobList { items }))
}

/// Sends a dead job back to the queue with a fresh attempt budget.
#[utoipa::path(
    post,
    path = "/system/jobs/{id}/retry",
    tag = "system",
    params(("id" = uuid::Uuid, Path, description = "Job id")),
    responses(
        (status = 204, description = "Queued again"),
        (status = 404, description = "No dead job with this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn retry_job(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state.app.retry_job(&actor, JobId::from_uuid(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
