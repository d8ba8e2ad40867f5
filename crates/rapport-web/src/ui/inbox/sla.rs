//! The SLA settings page (`/admin/sla`, `settings.manage`): policies said in words (hours,
//! targets, covered inboxes), added and edited in place (`sla_form.rs` reads the form), and
//! deleted.

use super::sla_form::{PolicyForm, duration_text};
use crate::state::WebState;
use crate::ui::admin::{CsrfOnly, Fields, done, parse_id, tr_of};
use crate::ui::crm::{Problems, problems};
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::auth::SessionInfo;
use rapport_app::inbox::sla::PolicyRecord;
use rapport_domain::{Permission, SlaPolicyId};

const PAGE: &str = "/admin/sla";

/// A policy as the page shows it, with its form.
pub struct PolicyCard {
    pub name: String,
    pub hours: String,
    pub inboxes: String,
    /// (priority label, first reply, resolution).
    pub targets: Vec<(String, String, String)>,
    pub form: PolicyForm,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "admin_sla.html")]
pub struct SlaPage {
    page: PageCtx,
    policies: Vec<PolicyCard>,
    add: PolicyForm,
    /// (id, name) of the org's inboxes.
    inboxes: Vec<(String, String)>,
    weekdays: Vec<String>,
    summary: Vec<String>,
}

fn card(page: &PageCtx, r: &PolicyRecord, inboxes: &[(String, String)]) -> PolicyCard {
    let tr = &page.tr;
    let hours = match &r.business_hours {
        None => tr.t("sla.always_open"),
        Some(h) => {
            let open = h.weekly.iter().filter(|d| !d.is_empty()).count();
            tr.tf(
                "sla.hours_summary",
                &[("days", &open.to_string()), ("zone", &h.time_zone)],
            )
        }
    };
    let names: Vec<String> = r
        .inbox_ids
        .iter()
        .filter_map(|id| {
            let id = id.to_string();
            inboxes
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, n)| n.clone())
        })
        .collect();
    let dash = || "—".to_owned();
    PolicyCard {
        name: r.name.clone(),
        hours,
        inboxes: if names.is_empty() {
            tr.t("sla.no_inboxes")
        } else {
            names.join(", ")
        },
        targets: r
            .targets
            .iter()
            .map(|t| {
                (
                    tr.t(&format!("inbox.priority.{}", t.priority)),
                    t.first_response_minutes.map_or_else(dash, duration_text),
                    t.resolution_minutes.map_or_else(dash, duration_text),
                )
            })
            .collect(),
        form: PolicyForm::of(r, &page_tz(page)),
    }
}

fn page_tz(page: &PageCtx) -> String {
    page.tr.tz().name().to_owned()
}

async fn render(
    state: &WebState,
    headers: &HeaderMap,
    info: &SessionInfo,
    jar: CookieJar,
    echo: Option<PolicyForm>,
    problems: Problems,
) -> Response {
    if !info.actor.can(Permission::SettingsManage) {
        return pages::forbidden(state, headers);
    }
    let actor = &info.actor;
    let loaded = async {
        let policies = state.app.sla_policies(actor).await?;
        let inboxes = state.app.inboxes(actor).await?;
        let (jar, page) = app_page(state, info, "sla", jar).await?;
        Ok::<_, AppError>((jar, page, policies, inboxes))
    }
    .await;
    let (jar, page, policies, inboxes) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(state, headers, err),
    };
    let inboxes: Vec<(String, String)> = inboxes
        .into_iter()
        .map(|i| (i.id.to_string(), i.name))
        .collect();
    let mut cards: Vec<PolicyCard> = policies.iter().map(|p| card(&page, p, &inboxes)).collect();
    let mut add = PolicyForm::blank(&page_tz(&page));
    if let Some(echo) = echo {
        match cards
            .iter_mut()
            .find(|c| !echo.id.is_empty() && c.form.id == echo.id)
        {
            Some(c) => c.form = echo,
            None => add = echo,
        }
    }
    let tr = &page.tr;
    let summary = problems.summary_in(tr, "sla");
    let weekdays = (0..7).map(|d| tr.t(&format!("sla.weekday.{d}"))).collect();
    let body = SlaPage {
        policies: cards,
        add,
        inboxes,
        weekdays,
        summary,
        page,
    };
    (problems.status(), jar, body).into_response()
}

/// `GET /admin/sla`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
) -> Response {
    render(&state, &headers, &info, jar, None, Problems::default()).await
}

async fn save(
    state: WebState,
    headers: HeaderMap,
    jar: CookieJar,
    info: SessionInfo,
    id: Option<SlaPolicyId>,
    pairs: Vec<(String, String)>,
) -> Response {
    let f = Fields(pairs);
    if !csrf_ok(f.get("_csrf"), &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    if let Some(id) = id {
        // Another org's policy is a 404 whatever the form holds.
        if let Err(err) = state.app.sla_policy(&info.actor, id).await {
            return pages::from_app_error(&state, &headers, err);
        }
    }
    let form = PolicyForm::read(&f, &id.map(|i| i.to_string()).unwrap_or_default());
    let saved = match form.input() {
        Ok(input) => match id {
            Some(id) => state
                .app
                .update_sla_policy(&info.actor, id, input)
                .await
                .map(|_| "sla_saved"),
            None => state
                .app
                .create_sla_policy(&info.actor, input)
                .await
                .map(|_| "sla_created"),
        },
        Err(e) => Err(AppError::from(e)),
    };
    match saved {
        Ok(flash) => done(&state, jar, flash, PAGE),
        Err(err) => match problems(&tr_of(&state, &info), err) {
            Ok(p) => render(&state, &headers, &info, jar, Some(form), p).await,
            Err(err) => pages::from_app_error(&state, &headers, err),
        },
    }
}

/// `POST /admin/sla`: add a policy.
pub async fn create(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Response {
    save(state, headers, jar, info, None, pairs).await
}

/// `POST /admin/sla/{id}`: change a policy.
pub async fn update(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> Response {
    let Some(id) = parse_id::<SlaPolicyId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    save(state, headers, jar, info, Some(id), pairs).await
}

/// `POST /admin/sla/{id}/delete`.
pub async fn delete(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<CsrfOnly>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = parse_id::<SlaPolicyId>(&id) else {
        return pages::not_found(&state, &headers);
    };
    match state.app.delete_sla_policy(&info.actor, id).await {
        Ok(()) => done(&state, jar, "sla_deleted", PAGE),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}
