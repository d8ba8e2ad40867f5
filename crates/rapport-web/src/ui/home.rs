//! The home page: a greeting and the org, account and (for admins) system overview.

use super::page::{PageCtx, UiSession, app_page_with};
use super::pages;
use crate::state::WebState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use rapport_app::system::{OrgOverview, QueueDepth};

/// The home page.
#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    page: PageCtx,
    greeting: String,
    overview: OrgOverview,
    email: String,
    time_zone: String,
    depth: Option<QueueDepth>,
}

/// `GET /`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    let actor = &info.actor;
    let result = async {
        let overview = state.app.org_overview(actor).await?;
        let (jar, page) = app_page_with(&state, &info, "home", jar, &overview);
        let depth = if actor.role.can_administer() {
            Some(state.app.job_overview(actor).await?)
        } else {
            None
        };
        Ok::<_, rapport_app::AppError>((jar, page, overview, depth))
    }
    .await;
    let (jar, page, overview, depth) = match result {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let hour = page.tr.local_hour(&state.app.clock().now());
    let key = match hour {
        5..=11 => "home.greeting_morning",
        12..=17 => "home.greeting_afternoon",
        _ => "home.greeting_evening",
    };
    let first_name = actor
        .name
        .split_whitespace()
        .next()
        .unwrap_or(&actor.name)
        .to_owned();
    let greeting = page.tr.tf(key, &[("name", &first_name)]);
    let email = actor.email.clone();
    let time_zone = actor.time_zone.clone();
    (
        jar,
        HomePage {
            page,
            greeting,
            overview,
            email,
            time_zone,
            depth,
        },
    )
        .into_response()
}
