//! Workload for automatic assignment: `GET /api/v1/me/workload` and
//! `PUT /api/v1/me/availability` (any member, about themselves), and
//! `PUT /api/v1/users/{id}/capacity` (`members.manage`).

use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use rapport_app::inbox::assignment::Workload as Stored;
use rapport_domain::UserId;
use rapport_domain::inbox::assignment::Availability;
use serde::{Deserialize, Serialize};

/// A member's availability and capacity.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Workload {
    /// `online` members get new conversations; `away` and `offline` do not.
    pub availability: Availability,
    /// The most open conversations auto-assignment gives them; null: no limit.
    pub capacity: Option<u32>,
}

impl From<Stored> for Workload {
    fn from(w: Stored) -> Self {
        Self {
            availability: w.availability,
            capacity: w.capacity,
        }
    }
}

/// A new availability.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetAvailability {
    /// `online`, `away` or `offline`.
    pub availability: Availability,
}

/// A new capacity.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetCapacity {
    /// 0–1000 open conversations; null: no limit.
    pub capacity: Option<u32>,
}

/// Your availability and capacity.
#[utoipa::path(get, path = "/me/workload", tag = "inbox", responses(
    (status = 200, description = "Your workload settings", body = Workload),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
))]
pub async fn my_workload(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Workload>, ApiError> {
    Ok(Json(state.app.my_workload(&actor).await?.into()))
}

/// Sets your availability: only `online` members get new conversations.
#[utoipa::path(put, path = "/me/availability", tag = "inbox", request_body = SetAvailability, responses(
    (status = 200, description = "Your workload settings", body = Workload),
    (status = 422, description = "Not an availability", body = Problem, content_type = "application/problem+json"),
))]
pub async fn set_availability(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<SetAvailability>,
) -> Result<Json<Workload>, ApiError> {
    let w = state.app.set_availability(&actor, req.availability).await?;
    Ok(Json(w.into()))
}

/// Sets a member's capacity (needs `members.manage`).
#[utoipa::path(put, path = "/users/{id}/capacity", tag = "inbox", request_body = SetCapacity,
    params(("id" = uuid::Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "Their workload settings", body = Workload),
        (status = 404, description = "Not a member of your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Over 1000", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn set_capacity(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<SetCapacity>,
) -> Result<Json<Workload>, ApiError> {
    let w = state
        .app
        .set_member_capacity(&actor, UserId::from_uuid(id), req.capacity)
        .await?;
    Ok(Json(w.into()))
}
