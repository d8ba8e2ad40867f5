//! Two-step verification with an authenticator app: setting it up (QR code, confirm with a
//! code, recovery codes shown once), turning it off, and making new recovery codes.

use super::security::{Sections, render};
use super::{CsrfOnly, FormErrors, PasswordConfirm};
use crate::state::WebState;
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page, set_flash};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SessionInfo;
use rapport_app::auth::mfa::TotpSetup;
use serde::Deserialize;

/// The set-up page: QR code, the key for typing in, and the code form.
#[derive(Template, WebTemplate)]
#[template(path = "account_totp.html")]
pub struct TotpPage {
    page: PageCtx,
    qr_svg: String,
    secret: String,
    errors: Vec<String>,
}

/// Recovery codes, shown once.
#[derive(Template, WebTemplate)]
#[template(path = "account_recovery_codes.html")]
pub struct CodesPage {
    page: PageCtx,
    codes: Vec<String>,
    all_codes: String,
}

/// The confirmation form.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    code: String,
}

fn back_to_security() -> Response {
    Redirect::to("/settings/security").into_response()
}

async fn totp_page(
    state: &WebState,
    headers: &HeaderMap,
    jar: CookieJar,
    info: &SessionInfo,
    setup: TotpSetup,
    wrong_code: bool,
) -> Response {
    let (jar, page) = match app_page(state, info, "security", jar).await {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let (status, errors) = if wrong_code {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![page.tr.t("account.errors.code_wrong")],
        )
    } else {
        (StatusCode::OK, Vec::new())
    };
    let secret = rapport_app::vault::reveal(&setup.secret).to_owned();
    (
        status,
        jar,
        TotpPage {
            page,
            qr_svg: setup.qr_svg,
            secret,
            errors,
        },
    )
        .into_response()
}

async fn codes_page(
    state: &WebState,
    headers: &HeaderMap,
    jar: CookieJar,
    info: &SessionInfo,
    codes: Vec<String>,
) -> Response {
    match app_page(state, info, "security", jar).await {
        Ok((jar, page)) => {
            let all_codes = codes.join("\n");
            (
                jar,
                CodesPage {
                    page,
                    codes,
                    all_codes,
                },
            )
                .into_response()
        }
        Err(err) => pages::from_app_error(state, headers, err),
    }
}

/// `GET /settings/security/totp`: starts (or restarts) adding an authenticator app.
pub async fn setup_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    match state.app.begin_totp(&info.actor).await {
        Ok(setup) => totp_page(&state, &headers, jar, &info, setup, false).await,
        // Already on: nothing to set up.
        Err(AppError::Conflict(_)) => back_to_security(),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// `POST /settings/security/totp`: confirms with a code and shows the recovery codes.
pub async fn setup_submit(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(form): UiForm<CodeForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    match state.app.confirm_totp(&info.actor, &form.code).await {
        Ok(codes) => codes_page(&state, &headers, jar, &info, codes).await,
        Err(AppError::InvalidToken) => {
            // The app already holds the pending seed: show the same one again.
            let setup = match state.app.pending_totp(&info.actor).await {
                Ok(Some(setup)) => setup,
                Ok(None) => return back_to_security(),
                Err(err) => return pages::from_app_error(&state, &headers, err),
            };
            totp_page(&state, &headers, jar, &info, setup, true).await
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// `POST /settings/security/totp/disable` (current password required).
pub async fn disable(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(form): UiForm<PasswordConfirm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    match state.app.disable_totp(&info.actor, &form.password).await {
        Ok(()) => (
            set_flash(
                jar,
                "success",
                "account_totp_disabled",
                state.secure_cookies,
            ),
            Redirect::to("/settings/security#two-step"),
        )
            .into_response(),
        Err(AppError::Invalid(errors)) => {
            render(&state, &headers, jar, &info, status, |tr| Sections {
                totp: FormErrors::from_domain(tr, &errors),
                ..Sections::default()
            })
            .await
        }
        Err(AppError::Conflict(reason)) => {
            render(&state, &headers, jar, &info, StatusCode::CONFLICT, |_| {
                Sections {
                    totp: FormErrors::text(reason),
                    ..Sections::default()
                }
            })
            .await
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// `POST /settings/security/recovery-codes`: new codes; the old ones stop working.
pub async fn regenerate(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(form): UiForm<CsrfOnly>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    match state.app.regenerate_recovery_codes(&info.actor).await {
        Ok(codes) => codes_page(&state, &headers, jar, &info, codes).await,
        Err(AppError::Conflict(reason)) => {
            render(&state, &headers, jar, &info, StatusCode::CONFLICT, |_| {
                Sections {
                    totp: FormErrors::text(reason),
                    ..Sections::default()
                }
            })
            .await
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
