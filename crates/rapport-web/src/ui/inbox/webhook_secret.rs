//! The webhook signing secret on the automation page: shown to settings managers when a rule
//! calls a webhook (receivers verify deliveries with it), and rotated from there.

use crate::state::WebState;
use crate::ui::admin::{Fields, done};
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::UiSession;
use crate::ui::pages;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum_extra::extract::CookieJar;

/// `POST /admin/automation/webhook-secret/rotate`.
pub async fn rotate(
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
    match state.app.rotate_webhook_secret(&info.actor).await {
        Ok(()) => done(
            &state,
            jar,
            "webhook_secret_rotated",
            "/admin/automation#webhook-secret",
        ),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
