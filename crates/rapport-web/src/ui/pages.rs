//! Error pages: readable HTML for the browser, in the browser's language.

use super::page::{PageCtx, accept_language, anonymous_page};
use crate::i18n::Catalog;
use crate::state::WebState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rapport_app::AppError;
use std::sync::{Arc, OnceLock};

/// The error page.
#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Shared context.
    pub page: PageCtx,
    /// Status code shown large.
    pub code: u16,
    /// Heading.
    pub title: String,
    /// Explanation.
    pub text: String,
}

/// What an error page says: a catalog key, or the app's own words.
enum Said<'a> {
    Key(&'a str),
    Words(String),
}

fn render(
    state: &WebState,
    headers: &HeaderMap,
    status: StatusCode,
    title_key: &str,
    said: Said<'_>,
) -> Response {
    let page = anonymous_page(
        state,
        accept_language(headers).as_deref(),
        String::new(),
        Vec::new(),
    );
    let title = page.tr.t(title_key);
    let text = match said {
        Said::Key(key) => page.tr.t(key),
        Said::Words(words) => words,
    };
    (
        status,
        ErrorPage {
            page,
            code: status.as_u16(),
            title,
            text,
        },
    )
        .into_response()
}

fn page_for(
    state: &WebState,
    headers: &HeaderMap,
    status: StatusCode,
    title_key: &str,
    text_key: &str,
) -> Response {
    render(state, headers, status, title_key, Said::Key(text_key))
}

/// A page that says why something was refused in the app's own words (`text`), under a
/// translated title.
pub fn refused_with(
    state: &WebState,
    headers: &HeaderMap,
    status: StatusCode,
    title_key: &str,
    text: String,
) -> Response {
    render(state, headers, status, title_key, Said::Words(text))
}

/// 404 page.
pub fn not_found(state: &WebState, headers: &HeaderMap) -> Response {
    page_for(
        state,
        headers,
        StatusCode::NOT_FOUND,
        "errors.not_found_title",
        "errors.not_found_text",
    )
}

/// A form body that was too large or not URL-encoded (status 413 or 400).
pub fn bad_form(state: &WebState, headers: &HeaderMap, status: StatusCode) -> Response {
    page_for(
        state,
        headers,
        status,
        "errors.bad_form_title",
        "errors.bad_form_text",
    )
}

/// 403 page.
pub fn forbidden(state: &WebState, headers: &HeaderMap) -> Response {
    page_for(
        state,
        headers,
        StatusCode::FORBIDDEN,
        "errors.forbidden_title",
        "errors.forbidden_text",
    )
}

/// 500 page; the cause goes to the log only.
pub fn internal_error(state: &WebState, headers: &HeaderMap, err: &AppError) -> Response {
    tracing::error!(error = %err, "internal error while rendering a page");
    page_for(
        state,
        headers,
        StatusCode::INTERNAL_SERVER_ERROR,
        "errors.internal",
        "errors.internal",
    )
}

/// Maps a use-case error to a page.
pub fn from_app_error(state: &WebState, headers: &HeaderMap, err: AppError) -> Response {
    match err {
        AppError::NotFound => not_found(state, headers),
        AppError::Forbidden => forbidden(state, headers),
        // A form a page did not expect to be refused (its own handler shows field errors):
        // a readable page that says nothing was saved, never a 500.
        AppError::Invalid(_)
        | AppError::InvalidField { .. }
        | AppError::InvalidFields(_)
        | AppError::InvalidInput(_)
        | AppError::InvalidFilter(_) => page_for(
            state,
            headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            "errors.invalid_title",
            "errors.invalid_text",
        ),
        AppError::Conflict(_) => page_for(
            state,
            headers,
            StatusCode::CONFLICT,
            "errors.conflict_title",
            "errors.conflict_text",
        ),
        other => internal_error(state, headers, &other),
    }
}

/// 403 page for a failed CSRF or origin check. Used by middleware that has no state, so it
/// loads the catalog once on its own.
pub fn csrf_failed_page(req: &Request) -> Response {
    static CATALOG: OnceLock<Arc<Catalog>> = OnceLock::new();
    let catalog = CATALOG
        .get_or_init(|| Arc::new(Catalog::load().unwrap_or_default()))
        .clone();
    let page = super::page::anonymous_page_in(
        catalog,
        accept_language(req.headers()).as_deref(),
        String::new(),
        Vec::new(),
    );
    let title = page.tr.t("errors.forbidden_title");
    let text = page.tr.t("errors.csrf");
    (
        StatusCode::FORBIDDEN,
        ErrorPage {
            page,
            code: 403,
            title,
            text,
        },
    )
        .into_response()
}
