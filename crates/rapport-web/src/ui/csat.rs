//! The public satisfaction survey (`/csat/{token}`): a customer opens the link they were sent
//! when their conversation was resolved, picks 1–5 and may add a comment. No account: the link
//! is the credential; the form carries the anonymous double-submit CSRF token.

use crate::state::WebState;
use crate::ui::auth::{anonymous_form_page, check_anon_csrf};
use crate::ui::form::UiForm;
use crate::ui::page::PageCtx;
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::inbox::csat::SurveyView;
use serde::Deserialize;

/// The survey page.
#[derive(Template, WebTemplate)]
#[template(path = "csat.html")]
pub struct CsatPage {
    page: PageCtx,
    token: String,
    survey: SurveyView,
    /// Just answered: say thanks.
    thanked: bool,
    errors: Vec<String>,
    /// What was typed into a refused form.
    comment: String,
    choices: Vec<Choice>,
}

/// One point of the scale.
pub struct Choice {
    /// 1–5.
    pub value: u8,
    /// The face shown.
    pub face: &'static str,
    /// Its words ("Happy").
    pub label: String,
    /// The current answer.
    pub chosen: bool,
}

const FACES: [&str; 5] = ["😞", "😟", "😐", "😊", "😄"];

/// The form.
#[derive(Debug, Deserialize)]
pub struct CsatForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

fn page_of(
    page: PageCtx,
    token: String,
    survey: SurveyView,
    thanked: bool,
    errors: Vec<String>,
) -> CsatPage {
    let comment = survey.comment.clone().unwrap_or_default();
    let choices = (1..=5u8)
        .zip(FACES)
        .map(|(value, face)| Choice {
            value,
            face,
            label: page.tr.t(&format!("csat.rating.{value}")),
            chosen: survey.rating == Some(value),
        })
        .collect();
    CsatPage {
        page,
        token,
        survey,
        thanked,
        errors,
        comment,
        choices,
    }
}

/// `GET /csat/{token}`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Response {
    match state.app.csat_survey(&token).await {
        Ok(survey) => {
            let (jar, page) = anonymous_form_page(&state, &headers, jar);
            (jar, page_of(page, token, survey, false, Vec::new())).into_response()
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// `POST /csat/{token}`.
pub async fn answer(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(token): Path<String>,
    UiForm(form): UiForm<CsatForm>,
) -> Response {
    let survey = match state.app.csat_survey(&token).await {
        Ok(s) => s,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let (jar, _, valid) = check_anon_csrf(jar, &form.csrf, state.secure_cookies);
    let (jar, page) = anonymous_form_page(&state, &headers, jar);
    if !valid {
        let errors = vec![page.tr.t("errors.csrf")];
        let body = page_of(page, token, survey, false, errors);
        return (StatusCode::FORBIDDEN, jar, body).into_response();
    }
    match state
        .app
        .answer_csat(&token, &form.rating, &form.comment)
        .await
    {
        Ok(answered) => (jar, page_of(page, token, answered, true, Vec::new())).into_response(),
        Err(err @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let message = match &err {
                AppError::Conflict(_) => page.tr.t("csat.expired"),
                _ => page.tr.t("csat.pick"),
            };
            let mut body = page_of(page, token, survey, false, vec![message]);
            body.comment = form.comment.chars().take(2_000).collect();
            (StatusCode::UNPROCESSABLE_ENTITY, jar, body).into_response()
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
