//! `/api/v1/tokens`: the caller's personal API tokens. Creating one needs a browser session
//! (a token cannot mint tokens); the secret is in the creation response only.

use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rapport_app::auth::api_tokens::TokenRequest;
use rapport_app::records::TokenRecord;
use rapport_domain::{PermissionSet, TokenId};
use serde::{Deserialize, Serialize};

/// A token (never its secret).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Token {
    /// Id.
    pub id: uuid::Uuid,
    /// Label.
    pub name: String,
    /// The secret's first characters, to recognize it.
    pub prefix: String,
    /// Permissions it carries.
    pub scopes: Vec<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Stops working at.
    pub expires_at: Option<DateTime<Utc>>,
    /// Last used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revoked at.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<TokenRecord> for Token {
    fn from(t: TokenRecord) -> Self {
        Self {
            id: t.id.as_uuid(),
            name: t.name,
            prefix: t.prefix,
            scopes: t.scopes.iter().map(|p| p.as_str().to_owned()).collect(),
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// The caller's tokens.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenList {
    /// Newest first.
    pub items: Vec<Token>,
    /// Always null: the list is short.
    pub next_cursor: Option<String>,
}

/// A token to create.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    /// Label.
    pub name: String,
    /// Permission names; omitted means all of the caller's permissions.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// Lifetime in days (1–3650); omitted means it never expires.
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

/// A created token with its secret (shown once).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    /// The token.
    #[serde(flatten)]
    pub token: Token,
    /// Send as `Authorization: Bearer <secret>`. Not retrievable later.
    pub secret: String,
}

/// Lists the caller's tokens.
#[utoipa::path(get, path = "/tokens", tag = "tokens", responses(
    (status = 200, description = "Tokens", body = TokenList),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_tokens(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<TokenList>, ApiError> {
    let items = state.app.my_tokens(&actor).await?;
    Ok(Json(TokenList {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: None,
    }))
}

/// Creates a token for the caller (browser session only).
#[utoipa::path(post, path = "/tokens", tag = "tokens", request_body = CreateToken, responses(
    (status = 201, description = "Created; the secret is in this response only", body = CreatedToken),
    (status = 403, description = "Called with a token, not a session", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid name, scopes or lifetime", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_token(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<CreateToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let scopes = match req.scopes {
        None => None,
        Some(names) => Some(PermissionSet::parse_list(&names.join(" ")).map_err(|p| {
            ApiError::validation(vec![crate::error::FieldError {
                field: "scopes".into(),
                message: format!("unknown permission `{p}`"),
            }])
        })?),
    };
    let created = state
        .app
        .create_token(
            &actor,
            TokenRequest {
                name: req.name,
                scopes,
                expires_in_days: req.expires_in_days,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: created.record.into(),
            secret: created.secret,
        }),
    ))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "tokens",
    params(("id" = uuid::Uuid, Path, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such token of yours", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revoke_token(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .revoke_token(&actor, TokenId::from_uuid(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
