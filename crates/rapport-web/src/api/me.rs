//! `GET /api/v1/me`: the signed-in user and their org.

use crate::error::{ApiError, Problem};
use crate::extract::ApiActor;
use axum::Json;
use rapport_domain::Role;
use serde::Serialize;

/// The signed-in user.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    /// User id.
    pub id: uuid::Uuid,
    /// Email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Current org id.
    pub org_id: uuid::Uuid,
    /// Role in the current org.
    pub role: Role,
    /// IANA time zone.
    pub time_zone: String,
    /// Locale.
    pub locale: String,
}

/// Returns the signed-in user.
#[utoipa::path(
    get,
    path = "/me",
    tag = "account",
    responses(
        (status = 200, description = "The signed-in user", body = Me),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_me(ApiActor(actor): ApiActor) -> Result<Json<Me>, ApiError> {
    Ok(Json(Me {
        id: actor.user_id.as_uuid(),
        email: actor.email,
        name: actor.name,
        org_id: actor.org_id.as_uuid(),
        role: actor.role,
        time_zone: actor.time_zone,
        locale: actor.locale,
    }))
}
