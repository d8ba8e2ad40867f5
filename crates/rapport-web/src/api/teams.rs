//! `/api/v1/teams`: groups of the org's members.

use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rapport_app::records::TeamRecord;
use rapport_domain::{TeamId, UserId};
use serde::{Deserialize, Serialize};

/// A team.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Team {
    /// Id.
    pub id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Member user ids.
    pub members: Vec<uuid::Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<TeamRecord> for Team {
    fn from(t: TeamRecord) -> Self {
        Self {
            id: t.id.as_uuid(),
            name: t.name,
            description: t.description,
            members: t.members.iter().map(|u| u.as_uuid()).collect(),
            created_at: t.created_at,
        }
    }
}

/// Teams.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TeamList {
    /// By name.
    pub items: Vec<Team>,
    /// Always null.
    pub next_cursor: Option<String>,
}

/// A team to create.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTeam {
    /// Name (unique in the org).
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Initial members (user ids of org members).
    #[serde(default)]
    pub members: Vec<uuid::Uuid>,
}

/// Lists the org's teams.
#[utoipa::path(get, path = "/teams", tag = "teams", responses(
    (status = 200, description = "Teams", body = TeamList),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_teams(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<TeamList>, ApiError> {
    let items = state.app.teams(&actor).await?;
    Ok(Json(TeamList {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: None,
    }))
}

/// Creates a team (needs `members.manage`).
#[utoipa::path(post, path = "/teams", tag = "teams", request_body = CreateTeam, responses(
    (status = 201, description = "Created", body = Team),
    (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "A member id is not in your org", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Name taken", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_team(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<CreateTeam>,
) -> Result<(StatusCode, Json<Team>), ApiError> {
    let members: Vec<UserId> = req.members.into_iter().map(UserId::from_uuid).collect();
    let team = state
        .app
        .create_team(&actor, &req.name, &req.description, &members)
        .await?;
    Ok((StatusCode::CREATED, Json(team.into())))
}

/// Deletes a team (needs `members.manage`).
#[utoipa::path(delete, path = "/teams/{id}", tag = "teams",
    params(("id" = uuid::Uuid, Path, description = "Team id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such team in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_team(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state.app.delete_team(&actor, TeamId::from_uuid(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
