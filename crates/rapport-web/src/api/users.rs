//! `/api/v1/users`: the members of the caller's org, with their roles and permissions.

use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rapport_app::identity::members::NewMember;
use rapport_app::records::MemberRecord;
use rapport_domain::{Role, RoleId, UserId};
use serde::{Deserialize, Serialize};

/// A member.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct User {
    /// User id.
    pub id: uuid::Uuid,
    /// Email.
    pub email: String,
    /// Name.
    pub name: String,
    /// Built-in role.
    pub role: Role,
    /// Custom role id.
    pub custom_role_id: Option<uuid::Uuid>,
    /// Custom role name.
    pub custom_role: Option<String>,
    /// Effective permissions.
    pub permissions: Vec<String>,
    /// Has a second factor (authenticator app or security key).
    pub mfa: bool,
    /// Joined the org.
    pub joined_at: DateTime<Utc>,
}

impl From<MemberRecord> for User {
    fn from(m: MemberRecord) -> Self {
        let (custom_role_id, custom_role) = match m.access.custom_role {
            Some((id, name)) => (Some(id.as_uuid()), Some(name)),
            None => (None, None),
        };
        Self {
            id: m.user.id.as_uuid(),
            email: m.user.email,
            name: m.user.name,
            role: m.access.role,
            custom_role_id,
            custom_role,
            permissions: m
                .access
                .permissions
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            mfa: m.has_second_factor,
            joined_at: m.joined_at,
        }
    }
}

/// Members.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserList {
    /// By name.
    pub items: Vec<User>,
    /// Always null (an org's member list is one page).
    pub next_cursor: Option<String>,
}

/// A member to add.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// Email of the new account (an existing account is refused with 409: invite it instead).
    pub email: String,
    /// Display name for a new account.
    #[serde(default)]
    pub name: Option<String>,
    /// Password of the new account (at least 10 characters).
    #[serde(default)]
    pub password: Option<String>,
    /// Built-in role.
    pub role: Role,
    /// Custom role refining it.
    #[serde(default)]
    pub custom_role_id: Option<uuid::Uuid>,
}

/// A role change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    /// Built-in role.
    pub role: Role,
    /// Custom role (null removes it).
    #[serde(default)]
    pub custom_role_id: Option<uuid::Uuid>,
}

/// Lists the org's members.
#[utoipa::path(get, path = "/users", tag = "users", responses(
    (status = 200, description = "Members", body = UserList),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_users(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<UserList>, ApiError> {
    let items = state.app.members(&actor).await?;
    Ok(Json(UserList {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: None,
    }))
}

/// Creates an account in the org (needs `members.manage`; roles beyond the caller's own are
/// refused). People who already have an account are invited instead.
#[utoipa::path(post, path = "/users", tag = "users", request_body = CreateUser, responses(
    (status = 201, description = "Added", body = User),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "An account with this email exists", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_user(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<CreateUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let member = state
        .app
        .add_member(
            &actor,
            NewMember {
                email: req.email,
                name: req.name,
                password: req.password,
                role: req.role,
                custom_role: req.custom_role_id.map(RoleId::from_uuid),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(member.into())))
}

/// One member.
#[utoipa::path(get, path = "/users/{id}", tag = "users",
    params(("id" = uuid::Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "The member", body = User),
        (status = 404, description = "Not a member of your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_user(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(
        state
            .app
            .member(&actor, UserId::from_uuid(id))
            .await?
            .into(),
    ))
}

/// Changes a member's role (needs `roles.manage`).
#[utoipa::path(patch, path = "/users/{id}", tag = "users", request_body = UpdateUser,
    params(("id" = uuid::Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "Updated", body = User),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a member of your org", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would leave the org without an owner", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_user(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<UpdateUser>,
) -> Result<Json<User>, ApiError> {
    let user = UserId::from_uuid(id);
    state
        .app
        .change_member_role(
            &actor,
            user,
            req.role,
            req.custom_role_id.map(RoleId::from_uuid),
        )
        .await?;
    Ok(Json(state.app.member(&actor, user).await?.into()))
}

/// Removes a member: their sessions and tokens in this org end at once.
#[utoipa::path(delete, path = "/users/{id}", tag = "users",
    params(("id" = uuid::Uuid, Path, description = "User id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a member of your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_user(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .remove_member(&actor, UserId::from_uuid(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
