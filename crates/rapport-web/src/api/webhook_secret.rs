//! `/api/v1/webhook-secret`: the secret the org's outgoing webhooks are signed with (Standard
//! Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of
//! id.timestamp.body>`), for receivers to verify deliveries, and its rotation. Needs
//! `settings.manage`.

use crate::error::{ApiError, Problem};
use crate::extract::ApiActor;
use crate::state::WebState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;

/// The signing secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookSecret {
    /// `whsec_` + base64 of the key (the form Standard Webhooks libraries take).
    pub secret: String,
    /// The signing scheme.
    pub scheme: &'static str,
}

const SCHEME: &str = "standard-webhooks-v1";

/// The org's webhook signing secret.
#[utoipa::path(get, path = "/webhook-secret", tag = "inbox", responses(
    (status = 200, description = "The secret", body = WebhookSecret),
    (status = 403, description = "Needs settings.manage", body = Problem, content_type = "application/problem+json"),
))]
pub async fn get_secret(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<WebhookSecret>, ApiError> {
    let secret = state.app.webhook_secret(&actor).await?;
    Ok(Json(WebhookSecret {
        secret,
        scheme: SCHEME,
    }))
}

/// Replaces the secret; deliveries from now on are signed with the new one (audited).
#[utoipa::path(post, path = "/webhook-secret/rotate", tag = "inbox", responses(
    (status = 200, description = "The new secret", body = WebhookSecret),
    (status = 403, description = "Needs settings.manage", body = Problem, content_type = "application/problem+json"),
))]
pub async fn rotate_secret(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<WebhookSecret>, ApiError> {
    state.app.rotate_webhook_secret(&actor).await?;
    let secret = state.app.webhook_secret(&actor).await?;
    Ok(Json(WebhookSecret {
        secret,
        scheme: SCHEME,
    }))
}
