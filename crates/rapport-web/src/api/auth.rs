//! `POST /api/v1/auth/login` and `/auth/logout`: cookie sessions for API clients that act as a
//! browser would (single-page tools, scripts that need a session). Scripts should prefer API
//! tokens. A second factor, when the account has one, goes in `code`.

use crate::cookies;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson, Meta};
use crate::state::WebState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use rapport_app::auth::{SignInStep, SignedIn};
use serde::{Deserialize, Serialize};

/// Credentials.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
    /// Authenticator-app or recovery code, when the account uses two-step verification.
    #[serde(default)]
    pub code: Option<String>,
}

/// A signed-in session (the cookie is set on the response).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    /// The user.
    pub user_id: uuid::Uuid,
    /// The org the session works in.
    pub org_id: uuid::Uuid,
    /// Send this as `X-CSRF-Token` on writes made with the session cookie.
    pub csrf_token: String,
    /// When the session ends at the latest.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

fn second_factor_required() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "second_factor_required",
        "Second factor required",
        "This account uses two-step verification: send the authenticator or recovery code in `code`.",
    )
}

fn enrollment_required() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "second_factor_enrollment_required",
        "Two-step verification required",
        "The organization requires two-step verification: sign in once in a browser to set it up.",
    )
}

async fn respond(
    state: &WebState,
    jar: CookieJar,
    signed_in: SignedIn,
) -> Result<Response, ApiError> {
    let now = state.app.clock().now();
    let info = state
        .app
        .authenticate(&signed_in.token, Default::default())
        .await?;
    let jar = jar.add(cookies::build(
        cookies::SESSION,
        signed_in.token.clone(),
        state.secure_cookies,
        Some(cookies::seconds(
            (signed_in.expires_at - now).num_seconds().max(0),
        )),
    ));
    let body = LoginResponse {
        user_id: signed_in.user_id.as_uuid(),
        org_id: signed_in.org_id.as_uuid(),
        csrf_token: info.csrf_token,
        expires_at: signed_in.expires_at,
    };
    Ok((jar, Json(body)).into_response())
}

/// Signs in and sets the session cookie.
#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; `Set-Cookie` carries the session", body = LoginResponse),
        (status = 401, description = "Wrong credentials (`bad_credentials`), a second factor is needed (`second_factor_required`) or the code was wrong (`invalid_token`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The org requires two-step verification the account lacks", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts (`Retry-After`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn login(
    State(state): State<WebState>,
    jar: CookieJar,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    match state.app.sign_in(&req.email, &req.password, &meta).await? {
        SignInStep::Done(signed_in) => respond(&state, jar, signed_in).await,
        SignInStep::SecondFactor { challenge, .. } => {
            let Some(code) = req.code.filter(|c| !c.trim().is_empty()) else {
                return Err(second_factor_required());
            };
            match state
                .app
                .sign_in_second_factor(&challenge, &code, &meta)
                .await
            {
                Ok(signed_in) => respond(&state, jar, signed_in).await,
                Err(rapport_app::AppError::InvalidToken) => Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    "Wrong code",
                    "The two-step verification code is not correct.",
                )),
                Err(other) => Err(other.into()),
            }
        }
        SignInStep::Enroll { .. } => Err(enrollment_required()),
    }
}

/// Ends the current session (a no-op for bearer tokens: revoke those at `/tokens/{id}`).
#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "auth",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn logout(
    State(state): State<WebState>,
    jar: CookieJar,
    ApiActor(actor): ApiActor,
) -> Result<Response, ApiError> {
    state.app.sign_out(&actor).await?;
    Ok((
        jar.add(cookies::removal(cookies::SESSION)),
        StatusCode::NO_CONTENT,
    )
        .into_response())
}
