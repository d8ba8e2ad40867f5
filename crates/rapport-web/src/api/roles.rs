//! `/api/v1/roles`: the built-in roles and the org's custom roles, with their permissions.

use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rapport_app::identity::roles::RoleInput;
use rapport_app::records::RoleRecord;
use rapport_domain::{Role, RoleId};
use serde::{Deserialize, Serialize};

/// A role.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoleView {
    /// Id for custom roles; the built-in name (`agent`) for built-in ones.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Whether it is built in (not editable).
    pub built_in: bool,
    /// Permissions granted.
    pub permissions: Vec<String>,
}

impl From<RoleRecord> for RoleView {
    fn from(r: RoleRecord) -> Self {
        Self {
            id: r.id.to_string(),
            name: r.name,
            description: r.description,
            built_in: false,
            permissions: r
                .permissions
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
        }
    }
}

fn built_in(role: Role) -> RoleView {
    RoleView {
        id: role.as_str().to_owned(),
        name: role.as_str().to_owned(),
        description: String::new(),
        built_in: true,
        permissions: role
            .permissions()
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
    }
}

/// Roles.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoleList {
    /// Built-in roles first, then custom roles by name.
    pub items: Vec<RoleView>,
    /// Always null.
    pub next_cursor: Option<String>,
}

/// A custom role.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    /// Name (unique in the org).
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Permission names (`contacts.read`…), none beyond the caller's own.
    pub permissions: Vec<String>,
}

impl From<RoleBody> for RoleInput {
    fn from(b: RoleBody) -> Self {
        Self {
            name: b.name,
            description: b.description,
            permissions: b.permissions,
        }
    }
}

/// Lists built-in and custom roles.
#[utoipa::path(get, path = "/roles", tag = "roles", responses(
    (status = 200, description = "Roles", body = RoleList),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_roles(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<RoleList>, ApiError> {
    let mut items: Vec<RoleView> = [Role::Owner, Role::Admin, Role::Agent, Role::Viewer]
        .into_iter()
        .map(built_in)
        .collect();
    items.extend(state.app.roles(&actor).await?.into_iter().map(Into::into));
    Ok(Json(RoleList {
        items,
        next_cursor: None,
    }))
}

/// Creates a custom role (needs `roles.manage`).
#[utoipa::path(post, path = "/roles", tag = "roles", request_body = RoleBody, responses(
    (status = 201, description = "Created", body = RoleView),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Name taken", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Unknown or unauthorized permissions", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_role(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<RoleBody>,
) -> Result<(StatusCode, Json<RoleView>), ApiError> {
    let role = state.app.create_role(&actor, req.into()).await?;
    Ok((StatusCode::CREATED, Json(role.into())))
}

/// Redefines a custom role (needs `roles.manage`).
#[utoipa::path(patch, path = "/roles/{id}", tag = "roles", request_body = RoleBody,
    params(("id" = uuid::Uuid, Path, description = "Custom role id")),
    responses(
        (status = 200, description = "Updated", body = RoleView),
        (status = 404, description = "No such role in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_role(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<RoleBody>,
) -> Result<Json<RoleView>, ApiError> {
    let role = state
        .app
        .update_role(&actor, RoleId::from_uuid(id), req.into())
        .await?;
    Ok(Json(role.into()))
}

/// Deletes a custom role nobody holds (needs `roles.manage`).
#[utoipa::path(delete, path = "/roles/{id}", tag = "roles",
    params(("id" = uuid::Uuid, Path, description = "Custom role id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such role in your org", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Still assigned", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_role(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state.app.delete_role(&actor, RoleId::from_uuid(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
