//! The steps of signing in after the password: the second-factor prompt (authenticator code,
//! recovery code or security key), required enrolment when an org demands a second factor,
//! and OIDC sign-in. Between steps the server keeps the state; the browser holds only a
//! short-lived, HttpOnly challenge cookie.

use super::auth::{anonymous_form_page, check_anon_csrf, session_cookie};
use super::form::UiForm;
use super::page::{PageCtx, set_flash};
use super::pages;
use crate::cookies;
use crate::error::ApiError;
use crate::extract::Meta;
use crate::state::WebState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SignInStep;
use serde::Deserialize;

const CHALLENGE_SECONDS: i64 = 600;

fn challenge_cookie(jar: CookieJar, token: String, state: &WebState) -> CookieJar {
    jar.add(cookies::build(
        cookies::SIGNIN,
        token,
        state.secure_cookies,
        Some(cookies::seconds(CHALLENGE_SECONDS)),
    ))
}

fn challenge_of(jar: &CookieJar) -> String {
    jar.get(cookies::SIGNIN)
        .map(|c| c.value().to_owned())
        .unwrap_or_default()
}

fn restart(state: &WebState, jar: CookieJar, flash_key: &'static str) -> Response {
    let jar = set_flash(
        jar.add(cookies::removal(cookies::SIGNIN)),
        "error",
        flash_key,
        state.secure_cookies,
    );
    (jar, Redirect::to("/login")).into_response()
}

/// Turns a sign-in step into the next response: the app, the second-factor page, or
/// enrolment.
pub fn continue_sign_in(state: &WebState, jar: CookieJar, step: SignInStep) -> Response {
    match step {
        SignInStep::Done(signed_in) => {
            let jar = session_cookie(
                jar.add(cookies::removal(cookies::SIGNIN)),
                &signed_in,
                state,
                state.app.clock().now(),
            );
            (jar, Redirect::to("/")).into_response()
        }
        SignInStep::SecondFactor { challenge, .. } => (
            challenge_cookie(jar, challenge, state),
            Redirect::to("/login/verify"),
        )
            .into_response(),
        SignInStep::Enroll { challenge } => (
            challenge_cookie(jar, challenge, state),
            Redirect::to("/login/enroll"),
        )
            .into_response(),
    }
}

/// The second-factor page.
#[derive(Template, WebTemplate)]
#[template(path = "login_verify.html")]
pub struct VerifyPage {
    page: PageCtx,
    totp: bool,
    webauthn: bool,
    errors: Vec<String>,
}

/// The required-enrolment page.
#[derive(Template, WebTemplate)]
#[template(path = "login_enroll.html")]
pub struct EnrollPage {
    page: PageCtx,
    qr_svg: String,
    secret: String,
    errors: Vec<String>,
}

/// Recovery codes, shown once.
#[derive(Template, WebTemplate)]
#[template(path = "recovery_codes.html")]
pub struct RecoveryCodesPage {
    page: PageCtx,
    codes: Vec<String>,
    next: &'static str,
}

/// A code form.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    code: String,
}

/// `GET /login/verify`.
pub async fn verify_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let challenge = challenge_of(&jar);
    let (totp, webauthn) = match state.app.pending_second_factor(&challenge).await {
        Ok(methods) => methods,
        Err(AppError::InvalidToken) => return restart(&state, jar, "signin_expired"),
        Err(err) => return pages::internal_error(&state, &headers, &err),
    };
    let (jar, page) = anonymous_form_page(&state, &headers, jar);
    (
        jar,
        VerifyPage {
            page,
            totp,
            webauthn,
            errors: Vec::new(),
        },
    )
        .into_response()
}

/// `POST /login/verify`: an authenticator or recovery code.
pub async fn verify_submit(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    Meta(meta): Meta,
    UiForm(form): UiForm<CodeForm>,
) -> Response {
    let (jar, _, csrf_valid) = check_anon_csrf(jar, &form.csrf, state.secure_cookies);
    if !csrf_valid {
        return restart(&state, jar, "signin_expired");
    }
    let challenge = challenge_of(&jar);
    match state
        .app
        .sign_in_second_factor(&challenge, &form.code, &meta)
        .await
    {
        Ok(signed_in) => continue_sign_in(&state, jar, SignInStep::Done(signed_in)),
        Err(AppError::InvalidToken) => {
            let Ok((totp, webauthn)) = state.app.pending_second_factor(&challenge).await else {
                return restart(&state, jar, "signin_expired");
            };
            let (jar, page) = anonymous_form_page(&state, &headers, jar);
            let errors = vec![page.tr.t("mfa.code_wrong")];
            (
                StatusCode::UNAUTHORIZED,
                jar,
                VerifyPage {
                    page,
                    totp,
                    webauthn,
                    errors,
                },
            )
                .into_response()
        }
        // Wrong codes count towards the account's lock like wrong passwords; once locked,
        // say so (as the password form does) instead of failing.
        Err(AppError::Throttled { retry_after_secs }) => {
            let (totp, webauthn) = state
                .app
                .pending_second_factor(&challenge)
                .await
                .unwrap_or((true, false));
            let (jar, page) = anonymous_form_page(&state, &headers, jar);
            let minutes = retry_after_secs.div_ceil(60).to_string();
            let errors = vec![page.tr.tf("login.throttled", &[("minutes", &minutes)])];
            (
                StatusCode::TOO_MANY_REQUESTS,
                jar,
                VerifyPage {
                    page,
                    totp,
                    webauthn,
                    errors,
                },
            )
                .into_response()
        }
        Err(err) => pages::internal_error(&state, &headers, &err),
    }
}

fn anon_csrf_header_ok(headers: &HeaderMap, jar: &CookieJar) -> bool {
    let sent = headers
        .get(crate::extract::CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let expected = jar
        .get(cookies::CSRF)
        .map(|c| c.value())
        .unwrap_or_default();
    super::form::csrf_ok(sent, expected)
}

/// `POST /login/verify/key/start`: options for `navigator.credentials.get`.
pub async fn key_start(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Result<Response, ApiError> {
    if !anon_csrf_header_ok(&headers, &jar) {
        return Err(ApiError::csrf());
    }
    let ceremony = state.app.begin_key_sign_in(&challenge_of(&jar)).await?;
    let jar = challenge_cookie(jar, ceremony.challenge, &state);
    Ok((jar, Json(ceremony.options)).into_response())
}

/// `POST /login/verify/key/finish`: the authenticator's assertion.
pub async fn key_finish(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    Meta(meta): Meta,
    crate::extract::ApiJson(credential): crate::extract::ApiJson<serde_json::Value>,
) -> Result<Response, ApiError> {
    if !anon_csrf_header_ok(&headers, &jar) {
        return Err(ApiError::csrf());
    }
    let signed_in = state
        .app
        .finish_key_sign_in(&challenge_of(&jar), credential, &meta)
        .await?;
    let jar = session_cookie(
        jar.add(cookies::removal(cookies::SIGNIN)),
        &signed_in,
        &state,
        state.app.clock().now(),
    );
    Ok((jar, Json(serde_json::json!({ "redirect": "/" }))).into_response())
}

/// `GET /login/enroll`: the org requires a second factor; add an authenticator app now.
pub async fn enroll_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let setup = match state.app.enroll_begin_totp(&challenge_of(&jar)).await {
        Ok(setup) => setup,
        Err(AppError::InvalidToken) => return restart(&state, jar, "signin_expired"),
        Err(err) => return pages::internal_error(&state, &headers, &err),
    };
    let (jar, page) = anonymous_form_page(&state, &headers, jar);
    let secret = rapport_app::vault::reveal(&setup.secret).to_owned();
    (
        jar,
        EnrollPage {
            page,
            qr_svg: setup.qr_svg,
            secret,
            errors: Vec::new(),
        },
    )
        .into_response()
}

/// `POST /login/enroll`: confirms the app with a code; signs in and shows recovery codes.
pub async fn enroll_submit(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    Meta(meta): Meta,
    UiForm(form): UiForm<CodeForm>,
) -> Response {
    let (jar, _, csrf_valid) = check_anon_csrf(jar, &form.csrf, state.secure_cookies);
    if !csrf_valid {
        return restart(&state, jar, "signin_expired");
    }
    let challenge = challenge_of(&jar);
    match state
        .app
        .enroll_finish_totp(&challenge, &form.code, &meta)
        .await
    {
        Ok((signed_in, codes)) => {
            let jar = session_cookie(
                jar.add(cookies::removal(cookies::SIGNIN)),
                &signed_in,
                &state,
                state.app.clock().now(),
            );
            let (jar, page) = anonymous_form_page(&state, &headers, jar);
            (
                jar,
                RecoveryCodesPage {
                    page,
                    codes,
                    next: "/",
                },
            )
                .into_response()
        }
        Err(AppError::InvalidToken) => {
            // The seed stays pending: show the same QR again with the error.
            let setup = match state.app.enroll_begin_totp(&challenge).await {
                Ok(setup) => setup,
                Err(_) => return restart(&state, jar, "signin_expired"),
            };
            let (jar, page) = anonymous_form_page(&state, &headers, jar);
            let errors = vec![page.tr.t("mfa.code_wrong")];
            let secret = rapport_app::vault::reveal(&setup.secret).to_owned();
            (
                StatusCode::UNAUTHORIZED,
                jar,
                EnrollPage {
                    page,
                    qr_svg: setup.qr_svg,
                    secret,
                    errors,
                },
            )
                .into_response()
        }
        Err(err) => pages::internal_error(&state, &headers, &err),
    }
}

/// `GET /auth/oidc/{provider}`: off to the identity provider.
pub async fn oidc_start(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(provider): Path<String>,
) -> Response {
    match state.app.begin_oidc(&provider).await {
        Ok((url, challenge)) => {
            (challenge_cookie(jar, challenge, &state), Redirect::to(&url)).into_response()
        }
        Err(AppError::NotFound) => pages::not_found(&state, &headers),
        Err(AppError::NotConfigured(_)) => restart(&state, jar, "oidc_unreachable"),
        Err(err) => pages::internal_error(&state, &headers, &err),
    }
}

/// The provider's redirect back.
#[derive(Debug, Deserialize)]
pub struct OidcCallback {
    #[serde(default)]
    state: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    error: Option<String>,
}

/// `GET /auth/oidc/{provider}/callback`.
pub async fn oidc_callback(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    Meta(meta): Meta,
    Path(provider): Path<String>,
    Query(cb): Query<OidcCallback>,
) -> Response {
    if cb.error.is_some() {
        return restart(&state, jar, "oidc_denied");
    }
    let challenge = challenge_of(&jar);
    match state
        .app
        .finish_oidc(&provider, &challenge, &cb.state, &cb.code, &meta)
        .await
    {
        Ok(step) => continue_sign_in(&state, jar.add(cookies::removal(cookies::SIGNIN)), step),
        Err(AppError::InvalidToken) => restart(&state, jar, "oidc_failed"),
        Err(AppError::Conflict(reason)) => {
            let (jar, page) =
                anonymous_form_page(&state, &headers, jar.add(cookies::removal(cookies::SIGNIN)));
            let errors = vec![reason];
            (
                StatusCode::FORBIDDEN,
                jar,
                super::auth::LoginPage::new(page, String::new(), errors, &state),
            )
                .into_response()
        }
        Err(AppError::NotConfigured(_)) => restart(&state, jar, "oidc_unreachable"),
        Err(AppError::NotFound) => pages::not_found(&state, &headers),
        Err(err) => pages::internal_error(&state, &headers, &err),
    }
}
