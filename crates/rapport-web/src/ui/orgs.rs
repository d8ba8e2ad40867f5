//! The organization switcher: one person may belong to several orgs and work in one at a
//! time; switching moves the current session to the chosen org.

use super::form::{UiForm, csrf_ok};
use super::page::{PageCtx, UiSession, app_page};
use super::pages;
use crate::state::WebState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_domain::OrgId;
use serde::Deserialize;

/// One org the member belongs to.
pub struct OrgRow {
    id: String,
    name: String,
    initials: String,
    role_label: String,
    current: bool,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "orgs.html")]
pub struct OrgsPage {
    page: PageCtx,
    orgs: Vec<OrgRow>,
}

/// Switch form.
#[derive(Debug, Deserialize)]
pub struct SwitchForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// `GET /orgs`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    let result = async {
        let orgs = state.app.my_orgs(&info.actor).await?;
        let (jar, page) = app_page(&state, &info, "orgs", jar).await?;
        Ok::<_, rapport_app::AppError>((jar, page, orgs))
    }
    .await;
    let (jar, page, orgs) = match result {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let orgs = orgs
        .into_iter()
        .map(|(id, name, role)| OrgRow {
            current: id == info.actor.org_id,
            id: id.to_string(),
            initials: super::page::initials(&name),
            role_label: page.tr.t(&format!("role.{}", role.as_str())),
            name,
        })
        .collect();
    (jar, OrgsPage { page, orgs }).into_response()
}

/// `POST /orgs/{id}/switch`.
pub async fn switch(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<SwitchForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Ok(org) = id.parse::<OrgId>() else {
        return pages::not_found(&state, &headers);
    };
    match state.app.switch_org(&info.actor, org).await {
        Ok(()) => (jar, Redirect::to("/")).into_response(),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
