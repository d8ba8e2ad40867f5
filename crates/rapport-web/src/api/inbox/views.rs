//! `/api/v1/conversation-views`: saved views (named conversation filters) a member keeps in
//! the inbox's folder pane, their own or shared with the org.

use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rapport_app::inbox::ViewRecord;
use rapport_app::inbox::views::NewView;
use rapport_domain::inbox::view::ViewFilter;
use serde::{Deserialize, Serialize};

/// A saved view.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConversationView {
    /// Id (open it in the inbox with `/inbox?folder=view:<id>`).
    pub id: uuid::Uuid,
    /// Its name.
    pub name: String,
    /// Every member sees it.
    pub shared: bool,
    /// Who made it.
    pub owner_id: uuid::Uuid,
    /// What it shows (the status tab still applies).
    pub filter: ViewFilter,
    /// Made.
    pub created_at: DateTime<Utc>,
}

impl From<ViewRecord> for ConversationView {
    fn from(v: ViewRecord) -> Self {
        Self {
            id: v.id,
            name: v.name,
            shared: v.shared,
            owner_id: v.user_id.as_uuid(),
            filter: v.filter,
            created_at: v.created_at,
        }
    }
}

/// The views you see.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConversationViewList {
    /// Shared first, then by name.
    pub items: Vec<ConversationView>,
}

/// A view to save.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConversationView {
    /// Its name (1–60 characters).
    pub name: String,
    /// Share with every member (needs `settings.manage`).
    #[serde(default)]
    pub shared: bool,
    /// What it shows: at least one of assignee, inbox, team, label, priority.
    pub filter: ViewFilter,
}

/// Lists your views and the shared ones (needs `conversations.read`).
#[utoipa::path(get, path = "/conversation-views", tag = "conversations", responses(
    (status = 200, description = "Your views and the org's shared ones", body = ConversationViewList),
))]
pub async fn list_views(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<ConversationViewList>, ApiError> {
    let items = state.app.saved_views(&actor).await?;
    Ok(Json(ConversationViewList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Saves a view (needs `conversations.read`; shared: `settings.manage`).
#[utoipa::path(post, path = "/conversation-views", tag = "conversations", request_body = CreateConversationView,
    responses(
        (status = 201, description = "Saved", body = ConversationView),
        (status = 403, description = "Sharing needs settings.manage", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You keep 50 views already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad name or filter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_view(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<CreateConversationView>,
) -> Result<(StatusCode, Json<ConversationView>), ApiError> {
    let view = state
        .app
        .create_saved_view(
            &actor,
            NewView {
                name: req.name,
                shared: req.shared,
                filter: req.filter,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// One view you see.
#[utoipa::path(get, path = "/conversation-views/{id}", tag = "conversations",
    params(("id" = uuid::Uuid, Path, description = "View id")),
    responses(
        (status = 200, description = "The view", body = ConversationView),
        (status = 404, description = "No such view for you", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_view(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<ConversationView>, ApiError> {
    Ok(Json(state.app.saved_view(&actor, id).await?.into()))
}

/// Deletes your view (a shared one of someone else's needs `settings.manage`).
#[utoipa::path(delete, path = "/conversation-views/{id}", tag = "conversations",
    params(("id" = uuid::Uuid, Path, description = "View id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not yours", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such view for you", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_view(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state.app.delete_saved_view(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
