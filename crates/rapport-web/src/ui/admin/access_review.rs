//! The access review: every member's role, effective permissions, second-factor status and
//! teams on one page; a CSV download; and the sign-off that records the review in the audit
//! log.

use super::{FormProblem, role_label, tr_of};
use crate::state::WebState;
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SessionInfo;
use serde::Deserialize;

/// One member's grants, preformatted.
pub struct ReviewRow {
    name: String,
    email: String,
    role: &'static str,
    role_label: String,
    custom_role: Option<String>,
    /// (name, label) of each effective permission.
    permissions: Vec<(&'static str, String)>,
    /// Whether any administration permission is among them.
    privileged: bool,
    mfa: bool,
    teams: Vec<String>,
    joined: String,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "admin_access_review.html")]
pub struct ReviewPage {
    page: PageCtx,
    generated: String,
    /// (when, who) of the last sign-off.
    last_review: Option<(String, String)>,
    rows: Vec<ReviewRow>,
    with_mfa: usize,
    privileged: usize,
    errors: Vec<String>,
}

/// Sign-off form body.
#[derive(Debug, Deserialize)]
pub struct SignOffForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    confirm: Option<String>,
}

async fn render(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    problem: FormProblem,
) -> Response {
    let loaded = async {
        let review = state.app.access_review(&info.actor).await?;
        let (jar, page) = app_page(state, info, "access_review", jar).await?;
        Ok::<_, AppError>((jar, page, review))
    }
    .await;
    let (jar, page, review) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let tr = &page.tr;
    let rows: Vec<ReviewRow> = review
        .rows
        .into_iter()
        .map(|r| ReviewRow {
            role: r.role.as_str(),
            role_label: role_label(tr, r.role),
            privileged: r.permissions.iter().any(|p| p.area() == "admin"),
            permissions: r
                .permissions
                .iter()
                .map(|p| (p.as_str(), crate::ui::labels::permission_label(tr, *p)))
                .collect(),
            joined: tr.date(&r.joined_at),
            name: r.name,
            email: r.email,
            custom_role: r.custom_role,
            mfa: r.mfa,
            teams: r.teams,
        })
        .collect();
    let status = problem.status();
    let body = ReviewPage {
        generated: tr.datetime(&review.generated_at),
        last_review: review
            .last_review
            .map(|(at, name)| (tr.datetime(&at), name)),
        with_mfa: rows.iter().filter(|r| r.mfa).count(),
        privileged: rows.iter().filter(|r| r.privileged).count(),
        rows,
        errors: problem.messages,
        page,
    };
    (status, jar, body).into_response()
}

/// `GET /admin/access-review`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    render(&state, &headers, &info, jar, FormProblem::default()).await
}

/// `GET /admin/access-review.csv`: a download named after today's date.
pub async fn csv(
    State(state): State<WebState>,
    headers: HeaderMap,
    UiSession(info): UiSession,
) -> Response {
    match state.app.access_review_csv(&info.actor).await {
        Ok(body) => {
            let day = state.app.clock().now().format("%Y-%m-%d");
            csv_download(body, &format!("access-review-{day}.csv"))
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// A CSV body served as an attachment.
pub(crate) fn csv_download(body: String, filename: &str) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

/// `POST /admin/access-review/sign-off`: needs the "I reviewed every grant" box ticked.
pub async fn sign_off(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(form): UiForm<SignOffForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    if form.confirm.is_none() {
        let problem = FormProblem {
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            messages: vec![tr_of(&state, &info).t("access_review.confirm_required")],
            fields: vec!["confirm"],
        };
        return render(&state, &headers, &info, jar, problem).await;
    }
    match state.app.sign_off_access_review(&info.actor).await {
        Ok(()) => super::done(&state, jar, "access_review_signed", "/admin/access-review"),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
