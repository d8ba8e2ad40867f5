//! `POST /api/v1/setup`: first-run setup for scripted installs.

use crate::error::{ApiError, Problem};
use crate::extract::ApiJson;
use crate::extract::Meta;
use crate::state::WebState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rapport_app::setup::SetupInput;
use serde::{Deserialize, Serialize};

/// First organization and owner.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    /// Organization name.
    pub org_name: String,
    /// Owner's name.
    pub name: String,
    /// Owner's email.
    pub email: String,
    /// Owner's password (at least 10 characters).
    pub password: String,
    /// Owner's IANA time zone; UTC when omitted.
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// What setup created.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SetupResponse {
    /// The organization's id.
    pub org_id: uuid::Uuid,
    /// The owner's id.
    pub user_id: uuid::Uuid,
}

/// Creates the first organization and its owner. Open only while no organization exists.
#[utoipa::path(
    post,
    path = "/setup",
    tag = "setup",
    request_body = SetupRequest,
    responses(
        (status = 201, description = "Organization and owner created", body = SetupResponse),
        (status = 409, description = "Already set up", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_setup(
    State(state): State<WebState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<SetupRequest>,
) -> Result<(StatusCode, Json<SetupResponse>), ApiError> {
    let input = SetupInput {
        org_name: req.org_name,
        name: req.name,
        email: req.email,
        password: req.password,
        time_zone: req.time_zone.unwrap_or_default(),
    };
    let done = state.app.complete_setup(input, &meta).await?;
    Ok((
        StatusCode::CREATED,
        Json(SetupResponse {
            org_id: done.org_id.as_uuid(),
            user_id: done.user_id.as_uuid(),
        }),
    ))
}
