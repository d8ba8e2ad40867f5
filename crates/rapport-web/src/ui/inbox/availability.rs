//! `POST /settings/availability`: the header's availability switch (online, away, offline);
//! back to the page it was used on.

use crate::state::WebState;
use crate::ui::admin::{Fields, done};
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::UiSession;
use crate::ui::pages;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::REFERER;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use rapport_domain::inbox::assignment::Availability;

/// The local path of the page the form was on (never another site).
fn back(headers: &HeaderMap) -> String {
    headers
        .get(REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://"))
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()))
        .filter(|p| !p.starts_with("//") && !p.contains('\\') && p.len() <= 2000)
        .unwrap_or_else(|| "/".to_owned())
}

/// Sets the signed-in member's availability.
pub async fn set(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if !csrf_ok(f.get("_csrf"), &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Ok(availability) = Availability::parse(f.get("availability")) else {
        return pages::not_found(&state, &headers);
    };
    match state.app.set_availability(&info.actor, availability).await {
        Ok(_) => done(&state, jar, "availability_saved", &back(&headers)),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
