//! Security keys and passkeys: the two JSON steps of a WebAuthn registration (driven by
//! `static/app.js`, CSRF-checked through [`ApiActor`]), and removing a key with the current
//! password.

use super::security::{Sections, render};
use super::{FormErrors, PasswordConfirm};
use crate::error::ApiError;
use crate::extract::{ApiActor, ApiJson};
use crate::state::WebState;
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{UiSession, set_flash};
use crate::ui::pages;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_domain::CredentialId;
use serde::{Deserialize, Serialize};

/// What the browser needs for `navigator.credentials.create`.
#[derive(Debug, Serialize)]
pub struct StartResponse {
    /// Echoed back by the finish step.
    challenge: String,
    /// `{ publicKey: … }`, binary fields base64url-encoded.
    options: serde_json::Value,
}

/// The authenticator's answer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinishRequest {
    challenge: String,
    name: String,
    credential: serde_json::Value,
}

/// The key just added.
#[derive(Debug, Serialize)]
pub struct FinishResponse {
    id: uuid::Uuid,
    name: String,
}

/// `POST /settings/security/keys/start`.
pub async fn start(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<StartResponse>, ApiError> {
    let ceremony = state.app.begin_key_registration(&actor).await?;
    Ok(Json(StartResponse {
        challenge: ceremony.challenge,
        options: ceremony.options,
    }))
}

/// `POST /settings/security/keys/finish`: stores the key; the page reloads to a flash.
pub async fn finish(
    State(state): State<WebState>,
    jar: CookieJar,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<FinishRequest>,
) -> Result<Response, ApiError> {
    let record = state
        .app
        .finish_key_registration(&actor, &body.challenge, &body.name, body.credential)
        .await?;
    let jar = set_flash(jar, "success", "account_key_added", state.secure_cookies);
    let body = FinishResponse {
        id: record.id.as_uuid(),
        name: record.name,
    };
    Ok((StatusCode::CREATED, jar, Json(body)).into_response())
}

/// `POST /settings/security/keys/{id}/delete` (current password required).
pub async fn remove(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<uuid::Uuid>,
    UiForm(form): UiForm<PasswordConfirm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let result = state
        .app
        .remove_security_key(&info.actor, CredentialId::from_uuid(id), &form.password)
        .await;
    match result {
        Ok(()) => (
            set_flash(jar, "success", "account_key_removed", state.secure_cookies),
            Redirect::to("/settings/security#keys"),
        )
            .into_response(),
        Err(AppError::Invalid(errors)) => {
            render(
                &state,
                &headers,
                jar,
                &info,
                StatusCode::UNPROCESSABLE_ENTITY,
                |tr| Sections {
                    keys: FormErrors::from_domain(tr, &errors),
                    key_target: Some(id),
                    ..Sections::default()
                },
            )
            .await
        }
        Err(AppError::Conflict(reason)) => {
            render(&state, &headers, jar, &info, StatusCode::CONFLICT, |_| {
                Sections {
                    keys: FormErrors::text(reason),
                    key_target: Some(id),
                    ..Sections::default()
                }
            })
            .await
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
