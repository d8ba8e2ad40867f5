//! One task's page (`/tasks/{id}`): edit the title, details, due time (in the member's time
//! zone), assignee, reminder and linked records; mark done or open; delete.

use super::activity::{bad_due, finish, form_tz, remind_choice};
use super::tasks::LinkChip;
use super::timeline::Choice;
use super::{local_input, parse_local};
use crate::state::WebState;
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
use rapport_app::crm::tasks::{Remind, TaskInput};
use rapport_domain::crm::RecordType;
use rapport_domain::{TaskId, UserId};

/// A linked record kept by the form.
pub struct LinkField {
    /// `contact:<uuid>`.
    pub value: String,
    /// Chip.
    pub chip: LinkChip,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "crm_task.html")]
pub struct TaskPage {
    page: PageCtx,
    id: String,
    title: String,
    body: String,
    due: String,
    remind: &'static str,
    remind_custom: String,
    reminded: String,
    people: Vec<Choice>,
    links: Vec<LinkField>,
    done: bool,
    done_text: String,
    can_write: bool,
}

const PRESETS: [(&str, i64); 3] = [("15", 15), ("60", 60), ("1440", 1440)];

/// `GET /tasks/{id}`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse() else {
        return pages::not_found(&state, &headers);
    };
    let actor = &info.actor;
    let loaded = async {
        let view = state.app.task(actor, TaskId::from_uuid(id)).await?;
        let people = state.app.assignable_members(actor).await?;
        let (jar, page) = app_page(&state, &info, "tasks", jar).await?;
        Ok::<_, AppError>((jar, page, view, people))
    }
    .await;
    let (jar, page, view, people) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let tz = page.tr.tz();
    let t = &view.task;
    let remind = match (t.remind_at, t.due_at) {
        (None, _) => "none",
        (Some(r), Some(d)) if r == d => "due",
        (Some(r), Some(d)) => PRESETS
            .iter()
            .find(|(_, m)| d - r == chrono::Duration::minutes(*m))
            .map_or("custom", |(k, _)| *k),
        (Some(_), None) => "custom",
    };
    let people = people
        .into_iter()
        .map(|(uid, name)| Choice {
            selected: Some(uid) == t.assignee,
            value: uid.to_string(),
            label: name,
        })
        .collect();
    let links = view
        .links
        .iter()
        .map(|l| LinkField {
            value: format!("{}:{}", l.record_type.as_str(), l.id),
            chip: LinkChip {
                label: if l.name.is_empty() {
                    page.tr
                        .t(&format!("crm_work.record.{}", l.record_type.as_str()))
                } else {
                    l.name.clone()
                },
                href: format!("/records/{}/{}/activity", l.record_type.as_str(), l.id),
            },
        })
        .collect();
    let done_text = t
        .done_at
        .map(|d| {
            page.tr
                .tf("crm_work.task.done_at", &[("date", &page.tr.datetime(&d))])
        })
        .unwrap_or_default();
    let reminded = t
        .reminded_at
        .map(|d| {
            page.tr.tf(
                "crm_work.task.reminded_at",
                &[("date", &page.tr.datetime(&d))],
            )
        })
        .unwrap_or_default();
    (
        jar,
        TaskPage {
            id: t.id.to_string(),
            title: t.title.clone(),
            body: t.body.clone(),
            due: local_input(t.due_at, tz),
            remind,
            remind_custom: if remind == "custom" {
                local_input(t.remind_at, tz)
            } else {
                String::new()
            },
            reminded,
            people,
            links,
            done: t.done_at.is_some(),
            done_text,
            can_write: page.can("contacts.write"),
            page,
        },
    )
        .into_response()
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// `POST /tasks/{id}`: the whole form.
pub async fn save(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<Vec<(String, String)>>,
) -> Response {
    if !csrf_ok(field(&form, "_csrf"), &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Ok(id) = id.parse() else {
        return pages::not_found(&state, &headers);
    };
    let id = TaskId::from_uuid(id);
    let to = format!("/tasks/{id}");
    let tz = form_tz(&info.actor.time_zone);
    let Ok(due_at) = parse_local(field(&form, "due"), tz) else {
        return finish(&state, &headers, jar, Err(bad_due()), &to);
    };
    let remind = match field(&form, "remind") {
        "custom" => match parse_local(field(&form, "remind_custom"), tz) {
            Ok(Some(at)) => Remind::At(at),
            Ok(None) => Remind::Never,
            Err(_) => return finish(&state, &headers, jar, Err(bad_due()), &to),
        },
        other if due_at.is_some() => remind_choice(other),
        _ => Remind::Never,
    };
    let links = form
        .iter()
        .filter(|(k, _)| k == "link")
        .filter_map(|(_, v)| {
            let (t, id) = v.split_once(':')?;
            Some((RecordType::parse(t)?, id.parse().ok()?))
        })
        .collect();
    let input = TaskInput {
        title: field(&form, "title").to_owned(),
        body: field(&form, "body").to_owned(),
        due_at,
        assignee: field(&form, "assignee").parse().ok().map(UserId::from_uuid),
        remind,
        links,
    };
    let result = state
        .app
        .update_task(&info.actor, id, &input)
        .await
        .map(|_| "crm_work_task_saved");
    finish(&state, &headers, jar, result, &to)
}

/// `POST /tasks/{id}/delete`.
pub async fn delete(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<Vec<(String, String)>>,
) -> Response {
    if !csrf_ok(field(&form, "_csrf"), &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Ok(id) = id.parse() else {
        return pages::not_found(&state, &headers);
    };
    let result = state
        .app
        .delete_task(&info.actor, TaskId::from_uuid(id))
        .await
        .map(|_| "crm_work_task_deleted");
    finish(&state, &headers, jar, result, "/tasks")
}
