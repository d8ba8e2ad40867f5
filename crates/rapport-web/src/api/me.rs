//! `GET /api/v1/me`: the signed-in user, their org, role and permissions.

use crate::error::{ApiError, Problem};
use crate::extract::ApiActor;
use axum::Json;
use rapport_app::authz::Via;
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
    /// Built-in role in the current org.
    pub role: Role,
    /// Custom role name, when one refines the built-in role.
    pub custom_role: Option<String>,
    /// Effective permissions (for a token: its scopes within the owner's permissions).
    pub permissions: Vec<String>,
    /// `session` or `token`.
    pub authenticated_by: &'static str,
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
        org_id: actor.org_id.as_uuid(),
        role: actor.role,
        custom_role: actor.access.custom_role.map(|(_, name)| name),
        permissions: actor
            .access
            .permissions
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
        authenticated_by: match actor.via {
            Via::Session(_) => "session",
            Via::Token(_) => "token",
            Via::Seed => "seed",
            Via::Automation(_) => "automation",
            Via::AutoAssign => "auto_assignment",
        },
        email: actor.email,
        name: actor.name,
        time_zone: actor.time_zone,
        locale: actor.locale,
    }))
}
