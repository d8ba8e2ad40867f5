//! Connecting a Gmail or Microsoft 365 mailbox with OAuth from the inbox settings page:
//! `GET /admin/inboxes/email/oauth/{provider}` sends the browser to the provider's consent
//! page; the provider sends it back to `GET /oauth/mail/callback`, where the app stores the
//! connection and the inbox (or says why not: access not granted, a server that refused the
//! token, an old or foreign `state`).

use super::inboxes::PAGE;
use crate::i18n::Tr;
use crate::state::WebState;
use crate::ui::admin::done;
use crate::ui::page::UiSession;
use crate::ui::pages;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use serde::Deserialize;

/// `GET /admin/inboxes/email/oauth/{provider}`: off to the consent page. A link, as for
/// sign-in providers: the page's CSP allows forms to post only to Rapport, and a redirect
/// after a form post counts as one. Starting a flow changes nothing; only the consent the
/// signed-in admin gives at the provider connects a mailbox, to their own org.
pub async fn begin(
    State(state): State<WebState>,
    headers: HeaderMap,
    UiSession(info): UiSession,
    Path(provider): Path<String>,
) -> Response {
    match state.app.begin_mail_oauth(&info.actor, &provider).await {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// What the provider sends back.
#[derive(Debug, Deserialize)]
pub struct Callback {
    #[serde(default)]
    state: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// `GET /oauth/mail/callback`: the connection made, back on the settings page.
pub async fn callback(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Query(q): Query<Callback>,
) -> Response {
    match state
        .app
        .finish_mail_oauth(&info.actor, &q.state, q.code.as_deref(), q.error.as_deref())
        .await
    {
        Ok(_) => done(&state, jar, "mailbox_connected", PAGE),
        Err(err) => {
            let tr = Tr::new(
                state.i18n.clone(),
                &info.actor.locale,
                &info.actor.time_zone,
            );
            not_connected(&state, &headers, &tr, err)
        }
    }
}

/// Why the mailbox was not connected, in words the admin can act on.
fn not_connected(state: &WebState, headers: &HeaderMap, tr: &Tr, err: AppError) -> Response {
    let title = "inboxes.email.oauth_failed";
    let (status, text) = match err {
        AppError::InvalidToken => (StatusCode::BAD_REQUEST, tr.t("inboxes.email.oauth_stale")),
        AppError::Conflict(why) | AppError::NotConfigured(why) => (StatusCode::CONFLICT, why),
        AppError::InvalidInput(fields) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            fields
                .into_iter()
                .map(|(_, why)| why)
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => return pages::from_app_error(state, headers, other),
    };
    pages::refused_with(state, headers, status, title, text)
}
