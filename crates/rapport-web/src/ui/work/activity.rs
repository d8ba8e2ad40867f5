//! A record's activity page (`/records/{type}/{id}/activity`: its name and its timeline; a
//! deep link that works whatever page shows the record) and the timeline's forms: add a note
//! or a task, edit, pin and delete a note. Each form returns to its validated `return_to`.

use super::timeline::{TimelineView, timeline_for};
use super::{parse_local, safe_return};
use crate::state::WebState;
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page, set_flash};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::crm::tasks::{Remind, TaskInput};
use rapport_domain::crm::RecordType;
use rapport_domain::{NoteId, UserId};
use serde::Deserialize;

/// The activity page.
#[derive(Template, WebTemplate)]
#[template(path = "crm_activity.html")]
pub struct ActivityPage {
    page: PageCtx,
    record_name: String,
    record_label: String,
    timeline: TimelineView,
}

/// Filter and paging of the timeline.
#[derive(Debug, Default, Deserialize)]
pub struct TimelineQuery {
    /// The chosen filter chip (`notes`, `tasks` …; empty: everything).
    #[serde(default)]
    pub kinds: String,
    /// Where the previous page ended.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// The record named by a path, or `None` (a 404).
fn record_of(kind: &str, id: &str) -> Option<(RecordType, uuid::Uuid)> {
    Some((RecordType::parse(kind)?, id.parse().ok()?))
}

fn activity_path(record: (RecordType, uuid::Uuid)) -> String {
    format!("/records/{}/{}/activity", record.0.as_str(), record.1)
}

/// `GET /records/{type}/{id}/activity`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path((kind, id)): Path<(String, String)>,
    Query(q): Query<TimelineQuery>,
) -> Response {
    let Some(record) = record_of(&kind, &id) else {
        return pages::not_found(&state, &headers);
    };
    let actor = &info.actor;
    let loaded = async {
        let record_name = state.app.record_name(actor, record).await?;
        let here = activity_path(record);
        let timeline =
            timeline_for(&state, actor, record, &q.kinds, q.cursor.as_deref(), &here).await?;
        let (jar, page) = app_page(&state, &info, "activity", jar).await?;
        Ok::<_, AppError>((jar, page, record_name, timeline))
    }
    .await;
    match loaded {
        Ok((jar, page, record_name, timeline)) => {
            let record_label = page.tr.t(&format!("crm_work.record.{}", record.0.as_str()));
            (
                jar,
                ActivityPage {
                    page,
                    record_name,
                    record_label,
                    timeline,
                },
            )
                .into_response()
        }
        Err(err) => pages::from_app_error(&state, &headers, err),
    }
}

/// Note form body.
#[derive(Debug, Deserialize)]
pub struct NoteForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    pinned: String,
    #[serde(default)]
    return_to: String,
}

/// Task composer body.
#[derive(Debug, Deserialize)]
pub struct QuickTaskForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    remind: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    return_to: String,
}

/// What a finished form does: back to `to` with a flash, or an error page.
pub(crate) fn finish(
    state: &WebState,
    headers: &HeaderMap,
    jar: CookieJar,
    result: Result<&'static str, AppError>,
    to: &str,
) -> Response {
    match result {
        Ok(flash) => (
            set_flash(jar, "success", flash, state.secure_cookies),
            Redirect::to(to),
        )
            .into_response(),
        Err(AppError::Invalid(_)) => (
            set_flash(jar, "error", "crm_work_invalid", state.secure_cookies),
            Redirect::to(to),
        )
            .into_response(),
        Err(err) => pages::from_app_error(state, headers, err),
    }
}

/// A reminder choice from a select (`none`, `due`, or minutes before the due time).
pub(crate) fn remind_choice(raw: &str) -> Remind {
    match raw {
        "due" => Remind::AtDue,
        m => m
            .parse::<u32>()
            .map(Remind::MinutesBefore)
            .unwrap_or(Remind::Never),
    }
}

/// `POST /records/{type}/{id}/notes`.
pub async fn add_note(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path((kind, id)): Path<(String, String)>,
    UiForm(form): UiForm<NoteForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(record) = record_of(&kind, &id) else {
        return pages::not_found(&state, &headers);
    };
    let to = safe_return(&form.return_to, &activity_path(record));
    let result = state
        .app
        .create_note(&info.actor, record, &form.body)
        .await
        .map(|_| "crm_work_note_added");
    finish(&state, &headers, jar, result, &to)
}

/// `POST /records/{type}/{id}/tasks`: a task linked to the record.
pub async fn add_task(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path((kind, id)): Path<(String, String)>,
    UiForm(form): UiForm<QuickTaskForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(record) = record_of(&kind, &id) else {
        return pages::not_found(&state, &headers);
    };
    let to = safe_return(&form.return_to, &activity_path(record));
    let tz = form_tz(&info.actor.time_zone);
    let Ok(due_at) = parse_local(&form.due, tz) else {
        return finish(&state, &headers, jar, Err(bad_due()), &to);
    };
    let input = TaskInput {
        title: form.title,
        body: String::new(),
        due_at,
        assignee: form.assignee.parse().ok().map(UserId::from_uuid),
        remind: if due_at.is_some() {
            remind_choice(&form.remind)
        } else {
            Remind::Never
        },
        links: vec![record],
    };
    let result = state
        .app
        .create_task(&info.actor, &input)
        .await
        .map(|_| "crm_work_task_added");
    finish(&state, &headers, jar, result, &to)
}

/// The member's time zone (UTC when unknown).
pub(crate) fn form_tz(name: &str) -> chrono_tz::Tz {
    name.parse().unwrap_or(chrono_tz::UTC)
}

/// The error for a due time that does not parse.
pub(crate) fn bad_due() -> AppError {
    AppError::Invalid(vec![rapport_domain::DomainError::Invalid {
        field: "due_at",
        reason: "not a date and time",
    }])
}

fn note_id(raw: &str) -> Option<NoteId> {
    raw.parse().ok().map(NoteId::from_uuid)
}

/// Where a note form goes back to: its `return_to`, else the note's record page.
async fn note_return(
    state: &WebState,
    info: &rapport_app::auth::SessionInfo,
    id: NoteId,
    raw: &str,
) -> String {
    let fallback = match state.app.note(&info.actor, id).await {
        Ok(n) => activity_path(n.record),
        Err(_) => "/tasks".to_owned(),
    };
    safe_return(raw, &fallback)
}

/// `POST /notes/{id}`: new text.
pub async fn edit_note(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<NoteForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = note_id(&id) else {
        return pages::not_found(&state, &headers);
    };
    let to = note_return(&state, &info, id, &form.return_to).await;
    let result = state
        .app
        .update_note(&info.actor, id, Some(&form.body), None)
        .await
        .map(|_| "crm_work_note_saved");
    finish(&state, &headers, jar, result, &to)
}

/// `POST /notes/{id}/pin`: `pinned=1` pins, anything else unpins.
pub async fn pin_note(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<NoteForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = note_id(&id) else {
        return pages::not_found(&state, &headers);
    };
    let to = note_return(&state, &info, id, &form.return_to).await;
    let pinned = form.pinned == "1";
    let result = state
        .app
        .update_note(&info.actor, id, None, Some(pinned))
        .await
        .map(|_| {
            if pinned {
                "crm_work_note_pinned"
            } else {
                "crm_work_note_unpinned"
            }
        });
    finish(&state, &headers, jar, result, &to)
}

/// `POST /notes/{id}/delete`.
pub async fn delete_note(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<NoteForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Some(id) = note_id(&id) else {
        return pages::not_found(&state, &headers);
    };
    let to = note_return(&state, &info, id, &form.return_to).await;
    let result = state
        .app
        .delete_note(&info.actor, id)
        .await
        .map(|_| "crm_work_note_deleted");
    finish(&state, &headers, jar, result, &to)
}
