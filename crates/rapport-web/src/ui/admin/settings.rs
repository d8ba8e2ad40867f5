//! The organization settings page: the org's name, whether every member must sign in with
//! a second factor, and the default country phone numbers are read in.

use super::{FormProblem, done, form_problem, tr_of};
use crate::state::WebState;
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SessionInfo;
use serde::Deserialize;

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "admin_settings.html")]
pub struct SettingsPage {
    page: PageCtx,
    name: String,
    slug: String,
    created: String,
    require_mfa: bool,
    /// Region for phone numbers without a country code (`US`), or "".
    default_country: String,
    /// What is saved now (the form may show a refused change).
    mfa_saved: bool,
    errors: Vec<String>,
    field_errors: Vec<&'static str>,
    /// The refusal was about the admin's own missing second factor.
    needs_own_mfa: bool,
}

impl SettingsPage {
    /// Whether `field` is in error.
    pub fn has_error(&self, field: &str) -> bool {
        self.field_errors.contains(&field)
    }
}

/// Form body (an unticked checkbox is absent).
#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    require_mfa: Option<String>,
    #[serde(default)]
    default_country: String,
}

/// What the form shows back after a refusal.
struct Echo {
    name: String,
    require_mfa: bool,
    default_country: String,
}

async fn render(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    problem: FormProblem,
    echo: Option<Echo>,
) -> Response {
    let loaded = async {
        let org = state.app.org_settings(&info.actor).await?;
        let (jar, page) = app_page(state, info, "org_settings", jar).await?;
        Ok::<_, AppError>((jar, page, org))
    }
    .await;
    let (jar, page, org) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let mfa_saved = org.require_mfa;
    let (name, require_mfa, default_country) = match echo {
        Some(e) => (e.name, e.require_mfa, e.default_country),
        None => (
            org.name,
            org.require_mfa,
            org.default_country.unwrap_or_default(),
        ),
    };
    let needs_own_mfa = problem.status == Some(axum::http::StatusCode::CONFLICT);
    let status = problem.status();
    let body = SettingsPage {
        created: page.tr.date(&org.created_at),
        page,
        name,
        slug: org.slug,
        require_mfa,
        default_country,
        mfa_saved,
        errors: problem.messages,
        field_errors: problem.fields,
        needs_own_mfa,
    };
    (status, jar, body).into_response()
}

/// `GET /admin/settings`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    render(&state, &headers, &info, jar, FormProblem::default(), None).await
}

/// `POST /admin/settings`.
pub async fn save(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(form): UiForm<SettingsForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let require_mfa = form.require_mfa.is_some();
    match state
        .app
        .update_org_settings(&info.actor, &form.name, require_mfa, &form.default_country)
        .await
    {
        Ok(_) => done(&state, jar, "org_settings_saved", "/admin/settings"),
        Err(err) => match form_problem(&tr_of(&state, &info), err) {
            Ok(problem) => {
                let echo = Echo {
                    name: form.name,
                    require_mfa,
                    default_country: form.default_country,
                };
                render(&state, &headers, &info, jar, problem, Some(echo)).await
            }
            Err(err) => pages::from_app_error(&state, &headers, err),
        },
    }
}
