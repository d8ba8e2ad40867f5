//! The server-rendered UI: askama templates, htmx for partial updates, text from the i18n
//! catalog, dates in the user's time zone. One file per page group.

pub mod auth;
pub mod form;
pub mod home;
pub mod jobs;
pub mod page;
pub mod pages;

use crate::state::WebState;
use axum::Router;
use axum::routing::{get, post};

/// The UI routes.
pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/", get(home::show))
        .route("/setup", get(auth::setup_form).post(auth::setup_submit))
        .route("/login", get(auth::login_form).post(auth::login_submit))
        .route("/logout", post(auth::logout))
        .route("/admin/jobs", get(jobs::show))
        .route("/admin/jobs/{id}/retry", post(jobs::retry))
}
