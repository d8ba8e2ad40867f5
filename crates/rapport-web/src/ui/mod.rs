//! The server-rendered UI: askama templates, htmx for partial updates, text from the i18n
//! catalog, dates in the user's time zone. One file per page group.

pub mod account;
pub mod admin;
pub mod auth;
pub mod form;
pub mod home;
pub mod invite;
pub mod jobs;
pub mod page;
pub mod pages;
pub mod recovery;
pub mod signin;

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
        .route(
            "/login/verify",
            get(signin::verify_form).post(signin::verify_submit),
        )
        .route("/login/verify/key/start", post(signin::key_start))
        .route("/login/verify/key/finish", post(signin::key_finish))
        .route(
            "/login/enroll",
            get(signin::enroll_form).post(signin::enroll_submit),
        )
        .route(
            "/forgot",
            get(recovery::forgot_form).post(recovery::forgot_submit),
        )
        .route(
            "/reset/{token}",
            get(recovery::reset_form).post(recovery::reset_submit),
        )
        .route("/invite/{token}", get(invite::show).post(invite::accept))
        .route("/invite/{token}/join", post(invite::join))
        .route("/auth/oidc/{provider}", get(signin::oidc_start))
        .route("/auth/oidc/{provider}/callback", get(signin::oidc_callback))
        .route("/admin/jobs", get(jobs::show))
        .route("/admin/jobs/{id}/retry", post(jobs::retry))
        .merge(account::routes())
        .merge(admin::routes())
}
