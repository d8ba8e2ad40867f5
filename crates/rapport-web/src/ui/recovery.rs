//! Forgotten passwords: ask for a reset link (the answer never reveals whether the account
//! exists), then choose a new password through the emailed single-use link.

use super::auth::{anonymous_form_page, check_anon_csrf};
use super::form::UiForm;
use super::page::{PageCtx, set_flash};
use super::pages;
use crate::extract::Meta;
use crate::state::WebState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use serde::Deserialize;

/// The "forgot password" page.
#[derive(Template, WebTemplate)]
#[template(path = "forgot.html")]
pub struct ForgotPage {
    page: PageCtx,
    errors: Vec<String>,
    can_send: bool,
}

/// The "choose a new password" page.
#[derive(Template, WebTemplate)]
#[template(path = "reset.html")]
pub struct ResetPage {
    page: PageCtx,
    token: String,
    live: bool,
    errors: Vec<String>,
}

/// Forgot form.
#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// Reset form.
#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// `GET /forgot`.
pub async fn forgot_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let (jar, page) = anonymous_form_page(&state, &headers, jar);
    let errors = if state.app.can_send_mail() {
        Vec::new()
    } else {
        vec![page.tr.t("reset.no_mail")]
    };
    let can_send = state.app.can_send_mail();
    (
        jar,
        ForgotPage {
            page,
            errors,
            can_send,
        },
    )
        .into_response()
}

/// `POST /forgot`.
pub async fn forgot_submit(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    Meta(meta): Meta,
    UiForm(form): UiForm<ForgotForm>,
) -> Response {
    let (jar, _, valid) = check_anon_csrf(jar, &form.csrf, state.secure_cookies);
    if !valid {
        let (jar, page) = anonymous_form_page(&state, &headers, jar);
        let errors = vec![page.tr.t("errors.csrf")];
        return (
            StatusCode::FORBIDDEN,
            jar,
            ForgotPage {
                page,
                errors,
                can_send: true,
            },
        )
            .into_response();
    }
    match state.app.request_password_reset(&form.email, &meta).await {
        Ok(()) => {
            let jar = set_flash(jar, "success", "reset_sent", state.secure_cookies);
            (jar, Redirect::to("/login")).into_response()
        }
        Err(AppError::NotConfigured(_)) => {
            let (jar, page) = anonymous_form_page(&state, &headers, jar);
            let errors = vec![page.tr.t("reset.no_mail")];
            (
                StatusCode::SERVICE_UNAVAILABLE,
                jar,
                ForgotPage {
                    page,
                    errors,
                    can_send: false,
                },
            )
                .into_response()
        }
        Err(err) => pages::internal_error(&state, &headers, &err),
    }
}

/// `GET /reset/{token}`.
pub async fn reset_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Response {
    let live = match state.app.reset_link_is_live(&token).await {
        Ok(live) => live,
        Err(err) => return pages::internal_error(&state, &headers, &err),
    };
    let (jar, page) = anonymous_form_page(&state, &headers, jar);
    let status = if live {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    (
        status,
        jar,
        ResetPage {
            page,
            token,
            live,
            errors: Vec::new(),
        },
    )
        .into_response()
}

/// `POST /reset/{token}`.
pub async fn reset_submit(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    Meta(meta): Meta,
    Path(token): Path<String>,
    UiForm(form): UiForm<ResetForm>,
) -> Response {
    let (jar, _, valid) = check_anon_csrf(jar, &form.csrf, state.secure_cookies);
    let (jar, page) = anonymous_form_page(&state, &headers, jar);
    let fail = |page: PageCtx, jar, status, key: &str, live| {
        let errors = vec![page.tr.t(key)];
        (
            status,
            jar,
            ResetPage {
                page,
                token: token.clone(),
                live,
                errors,
            },
        )
            .into_response()
    };
    if !valid {
        return fail(page, jar, StatusCode::FORBIDDEN, "errors.csrf", true);
    }
    if form.password != form.confirm {
        return fail(
            page,
            jar,
            StatusCode::UNPROCESSABLE_ENTITY,
            "reset.mismatch",
            true,
        );
    }
    match state
        .app
        .complete_password_reset(&token, &form.password, &meta)
        .await
    {
        Ok(()) => {
            let jar = set_flash(jar, "success", "reset_done", state.secure_cookies);
            (jar, Redirect::to("/login")).into_response()
        }
        Err(AppError::Invalid(errors)) => {
            let errors = errors
                .iter()
                .map(|e| page.tr.tf("reset.weak", &[("reason", &e.to_string())]))
                .collect();
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                jar,
                ResetPage {
                    page,
                    token,
                    live: true,
                    errors,
                },
            )
                .into_response()
        }
        Err(AppError::InvalidToken) => fail(page, jar, StatusCode::GONE, "reset.dead", false),
        Err(err) => pages::internal_error(&state, &headers, &err),
    }
}
