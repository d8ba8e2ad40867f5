//! The notifications page (`/notifications`): the member's own, unread first, with "mark all
//! read"; opening one marks it read and follows its link.

use crate::state::WebState;
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page_with};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_domain::NotificationId;
use serde::Deserialize;

/// One notification, preformatted.
pub struct NotificationRow {
    /// Id.
    pub id: String,
    /// Headline.
    pub title: String,
    /// Details.
    pub body: String,
    /// When, in the member's time zone.
    pub when: String,
    /// Unread.
    pub unread: bool,
    /// Has a link to open.
    pub has_link: bool,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "crm_notifications.html")]
pub struct NotificationsPage {
    page: PageCtx,
    rows: Vec<NotificationRow>,
    unread: u64,
}

/// `GET /notifications`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    let actor = &info.actor;
    let loaded = async {
        let list = state.app.notifications(actor, None, 100).await?;
        let overview = state.app.org_overview(actor).await?;
        let (jar, page) = app_page_with(&state, &info, "notifications", jar, &overview);
        Ok::<_, AppError>((jar, page, list))
    }
    .await;
    let (jar, page, list) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let rows = list
        .items
        .into_iter()
        .map(|n| NotificationRow {
            id: n.id.to_string(),
            when: page.tr.datetime(&n.created_at),
            unread: n.read_at.is_none(),
            has_link: n.link.is_some(),
            title: n.title,
            body: n.body,
        })
        .collect();
    (
        jar,
        NotificationsPage {
            unread: list.unread,
            page,
            rows,
        },
    )
        .into_response()
}

/// A form with only the CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// `POST /notifications/read-all`.
pub async fn read_all(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(form): UiForm<CsrfForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let result = state
        .app
        .mark_all_notifications_read(&info.actor)
        .await
        .map(|_| "crm_work_all_read");
    super::activity::finish(&state, &headers, jar, result, "/notifications")
}

/// `POST /notifications/{id}/open`: marks it read and goes to its link.
pub async fn open(
    State(state): State<WebState>,
    headers: HeaderMap,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<CsrfForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Ok(id) = id.parse() else {
        return pages::not_found(&state, &headers);
    };
    let id = NotificationId::from_uuid(id);
    let link = match state.app.mark_notification_read(&info.actor, id).await {
        Ok(n) => n.link.unwrap_or_default(),
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    // The link is one the app wrote (a local path); checked again so it can only stay here.
    Redirect::to(&super::safe_return(&link, "/notifications")).into_response()
}
