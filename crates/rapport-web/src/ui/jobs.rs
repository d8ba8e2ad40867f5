//! The background-jobs admin page: queue tabs, dead letters with a retry button, and the
//! periodic schedules.

use super::form::{UiForm, csrf_ok};
use super::page::{PageCtx, UiSession, app_page, set_flash};
use super::pages;
use crate::state::WebState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::system::JobState;
use rapport_domain::JobId;
use serde::Deserialize;

/// One tab.
pub struct Tab {
    state: &'static str,
    label: String,
    count: i64,
    active: bool,
}

/// One job row, preformatted.
pub struct JobRow {
    id: uuid::Uuid,
    kind: String,
    state: String,
    state_label: String,
    attempts: i32,
    max_attempts: i32,
    last_error: String,
    updated: String,
}

/// One schedule row.
pub struct ScheduleRow {
    name: String,
    label: String,
    every: String,
    last: String,
    next: String,
    runs: i64,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "jobs.html")]
pub struct JobsPage {
    page: PageCtx,
    state: &'static str,
    tabs: Vec<Tab>,
    jobs: Vec<JobRow>,
    schedules: Vec<ScheduleRow>,
}

/// `?state=`.
#[derive(Debug, Deserialize)]
pub struct Filter {
    state: Option<String>,
}

/// Retry form body.
#[derive(Debug, Deserialize)]
pub struct RetryForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

const TABS: [(JobState, &str); 4] = [
    (JobState::Dead, "jobs.tab_dead"),
    (JobState::Queued, "jobs.tab_queued"),
    (JobState::Running, "jobs.tab_running"),
    (JobState::Done, "jobs.tab_done"),
];

/// `GET /admin/jobs`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Query(filter): Query<Filter>,
) -> Response {
    let actor = &info.actor;
    let selected = filter
        .state
        .as_deref()
        .and_then(JobState::parse)
        .unwrap_or(JobState::Dead);
    let result = async {
        let depth = state.app.job_overview(actor).await?;
        let jobs = state.app.list_jobs(actor, selected, 100).await?;
        let schedules = state.app.schedules(actor).await?;
        let (jar, page) = app_page(&state, &info, "jobs", jar).await?;
        Ok::<_, rapport_app::AppError>((jar, page, depth, jobs, schedules))
    }
    .await;
    let (jar, page, depth, jobs, schedules) = match result {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let tr = &page.tr;
    let tabs = TABS
        .iter()
        .map(|(st, key)| Tab {
            state: st.as_str(),
            label: tr.t(key),
            count: match st {
                JobState::Queued => depth.queued,
                JobState::Running => depth.running,
                JobState::Done => depth.done,
                JobState::Dead => depth.dead,
            },
            active: *st == selected,
        })
        .collect();
    let label_of = |s: &str| {
        TABS.iter()
            .find(|(st, _)| st.as_str() == s)
            .map_or_else(|| s.to_owned(), |(_, k)| tr.t(k))
    };
    let jobs = jobs
        .into_iter()
        .map(|j| JobRow {
            id: j.id,
            state_label: label_of(&j.state),
            kind: j.kind,
            state: j.state,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            last_error: j.last_error.unwrap_or_default(),
            updated: tr.datetime(&j.updated_at),
        })
        .collect();
    let schedules = schedules
        .into_iter()
        .map(|s| ScheduleRow {
            label: tr.t(&format!("schedule.{}", s.name.replace('.', "_"))),
            every: every(tr, s.every_seconds),
            last: tr.datetime_or(&s.last_run_at, "jobs.never"),
            next: tr.datetime_or(&s.next_run_at, "jobs.never"),
            name: s.name,
            runs: s.runs,
        })
        .collect();
    (
        jar,
        JobsPage {
            page,
            state: selected.as_str(),
            tabs,
            jobs,
            schedules,
        },
    )
        .into_response()
}

/// A period in the largest whole unit ("1 h", "15 min", "1 s").
fn every(tr: &crate::i18n::Tr, seconds: f64) -> String {
    let secs = seconds.round() as u64;
    let (key, n) = if secs >= 3600 && secs.is_multiple_of(3600) {
        ("jobs.hours", secs / 3600)
    } else if secs >= 60 && secs.is_multiple_of(60) {
        ("jobs.minutes", secs / 60)
    } else {
        return tr.tf("jobs.seconds", &[("n", &format!("{seconds}"))]);
    };
    tr.tf(key, &[("n", &n.to_string())])
}

/// `POST /admin/jobs/{id}/retry`.
pub async fn retry(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<uuid::Uuid>,
    UiForm(form): UiForm<RetryForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    match state.app.retry_job(&info.actor, JobId::from_uuid(id)).await {
        Ok(()) => (
            set_flash(jar, "success", "job_retried", state.secure_cookies),
            Redirect::to("/admin/jobs?state=queued"),
        )
            .into_response(),
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

#[cfg(test)]
mod tests {
    use super::every;
    use crate::i18n::{Catalog, Tr};
    use std::sync::Arc;

    #[test]
    fn periods_render_in_the_largest_whole_unit() {
        let tr = Tr::new(Arc::new(Catalog::load().unwrap()), "en", "UTC");
        assert_eq!(every(&tr, 3600.0), "1 h");
        assert_eq!(every(&tr, 900.0), "15 min");
        assert_eq!(every(&tr, 1.0), "1 s");
        assert_eq!(every(&tr, 0.2), "0.2 s");
        assert_eq!(every(&tr, 90.0), "90 s");
    }
}
