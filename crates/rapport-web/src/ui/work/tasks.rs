//! The tasks page (`/tasks`): the member's open tasks grouped into overdue, today, upcoming
//! and undated (by the member's time zone), recently done ones, a quick-add form, and
//! check-off buttons. Members who manage members can look at someone else's list.

use super::activity::{bad_due, finish, form_tz, remind_choice};
use super::timeline::Choice;
use super::{parse_local, safe_return};
use crate::state::WebState;
use crate::ui::form::{UiForm, csrf_ok};
use crate::ui::page::{PageCtx, UiSession, app_page};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::crm::tasks::{AssigneeFilter, Remind, TaskInput, TaskListQuery, TaskView};
use rapport_app::records::TaskStatus;
use rapport_domain::{Permission, TaskId, UserId};
use serde::Deserialize;

/// A linked record, as a chip.
pub struct LinkChip {
    /// Name.
    pub label: String,
    /// Its activity page.
    pub href: String,
}

/// One task row.
pub struct TaskRow {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Due, in the member's time zone (empty when undated).
    pub due: String,
    /// Whether it is past due.
    pub overdue: bool,
    /// Assignee, when it is not the member.
    pub assignee: String,
    /// Linked records.
    pub links: Vec<LinkChip>,
    /// Done.
    pub done: bool,
}

/// A group of tasks.
pub struct TaskGroup {
    /// `overdue`, `today`, `upcoming`, `undated`, `done`.
    pub key: &'static str,
    /// Heading.
    pub label: String,
    /// Rows.
    pub rows: Vec<TaskRow>,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "crm_tasks.html")]
pub struct TasksPage {
    page: PageCtx,
    groups: Vec<TaskGroup>,
    open_count: usize,
    /// Assignee filter choices (empty when the member sees only their own).
    people: Vec<Choice>,
    /// The filter as sent back in forms (`me`, `any` or an id).
    assignee: String,
    return_to: String,
    can_write: bool,
}

/// Query.
#[derive(Debug, Default, Deserialize)]
pub struct TasksQuery {
    #[serde(default)]
    assignee: String,
}

pub(crate) fn row(
    page: &PageCtx,
    me: UserId,
    v: TaskView,
    now: chrono::DateTime<chrono::Utc>,
) -> TaskRow {
    let t = v.task;
    TaskRow {
        id: t.id.to_string(),
        due: t.due_at.map(|d| page.tr.datetime(&d)).unwrap_or_default(),
        overdue: t.done_at.is_none() && t.due_at.is_some_and(|d| d < now),
        assignee: if t.assignee == Some(me) {
            String::new()
        } else {
            v.assignee_name.unwrap_or_default()
        },
        links: v
            .links
            .into_iter()
            .map(|l| LinkChip {
                label: if l.name.is_empty() {
                    page.tr
                        .t(&format!("crm_work.record.{}", l.record_type.as_str()))
                } else {
                    l.name
                },
                href: format!("/records/{}/{}/activity", l.record_type.as_str(), l.id),
            })
            .collect(),
        done: t.done_at.is_some(),
        title: t.title,
    }
}

/// `GET /tasks`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Query(q): Query<TasksQuery>,
) -> Response {
    let actor = &info.actor;
    let filter = match q.assignee.as_str() {
        "" | "me" => AssigneeFilter::Me,
        "any" => AssigneeFilter::Anyone,
        raw => match raw.parse() {
            Ok(id) => AssigneeFilter::User(UserId::from_uuid(id)),
            Err(_) => return pages::not_found(&state, &headers),
        },
    };
    let query = |status| TaskListQuery {
        assignee: filter,
        status,
        due_before: None,
        after: None,
        limit: if status == TaskStatus::Open { 200 } else { 20 },
    };
    let loaded = async {
        let open = state.app.tasks(actor, &query(TaskStatus::Open)).await?;
        let done = state.app.tasks(actor, &query(TaskStatus::Done)).await?;
        let people = if actor.can(Permission::MembersManage) {
            state.app.assignable_members(actor).await?
        } else {
            Vec::new()
        };
        let (jar, page) = app_page(&state, &info, "tasks", jar).await?;
        Ok::<_, AppError>((jar, page, open, done, people))
    }
    .await;
    let (jar, page, open, done, people) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let now = state.app.clock().now();
    let today = page.tr.local_date(&now);
    let mut open = open.items;
    // Soonest first; undated ones keep newest-first order at the end.
    open.sort_by_key(|v| (v.task.due_at.is_none(), v.task.due_at));
    let mut groups: Vec<TaskGroup> = ["overdue", "today", "upcoming", "undated", "done"]
        .into_iter()
        .map(|key| TaskGroup {
            key,
            label: page.tr.t(&format!("crm_work.tasks.group_{key}")),
            rows: Vec::new(),
        })
        .collect();
    let open_count = open.len();
    for v in open {
        let index = match v.task.due_at {
            Some(d) if d < now => 0,
            Some(d) if page.tr.local_date(&d) == today => 1,
            Some(_) => 2,
            None => 3,
        };
        let r = row(&page, actor.user_id, v, now);
        groups[index].rows.push(r);
    }
    let mut done = done.items;
    done.sort_by_key(|v| std::cmp::Reverse(v.task.done_at));
    for v in done {
        let r = row(&page, actor.user_id, v, now);
        groups[4].rows.push(r);
    }
    let assignee = match filter {
        AssigneeFilter::Me => "me".to_owned(),
        AssigneeFilter::Anyone => "any".to_owned(),
        AssigneeFilter::User(u) => u.to_string(),
    };
    let people = people
        .into_iter()
        .map(|(id, name)| Choice {
            selected: id.to_string() == assignee,
            value: id.to_string(),
            label: name,
        })
        .collect();
    let return_to = if assignee == "me" {
        "/tasks".to_owned()
    } else {
        format!("/tasks?assignee={assignee}")
    };
    (
        jar,
        TasksPage {
            can_write: page.can("contacts.write"),
            page,
            groups,
            open_count,
            people,
            assignee,
            return_to,
        },
    )
        .into_response()
}

/// Quick-add body.
#[derive(Debug, Deserialize)]
pub struct NewTaskForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    remind: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    return_to: String,
}

/// `POST /tasks`: a task of the member's own.
pub async fn create(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    UiForm(form): UiForm<NewTaskForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let to = safe_return(&form.return_to, "/tasks");
    let Ok(due_at) = parse_local(&form.due, form_tz(&info.actor.time_zone)) else {
        return finish(&state, &headers, jar, Err(bad_due()), &to);
    };
    let input = TaskInput {
        title: form.title,
        body: form.body,
        due_at,
        assignee: None,
        remind: if due_at.is_some() {
            remind_choice(&form.remind)
        } else {
            Remind::Never
        },
        links: Vec::new(),
    };
    let result = state
        .app
        .create_task(&info.actor, &input)
        .await
        .map(|_| "crm_work_task_added");
    finish(&state, &headers, jar, result, &to)
}

/// Check-off body: `done=1` marks done, anything else reopens.
#[derive(Debug, Deserialize)]
pub struct ToggleForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    done: String,
    #[serde(default)]
    return_to: String,
}

/// `POST /tasks/{id}/done`.
pub async fn toggle(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Path(id): Path<String>,
    UiForm(form): UiForm<ToggleForm>,
) -> Response {
    if !csrf_ok(&form.csrf, &info.csrf_token) {
        return pages::forbidden(&state, &headers);
    }
    let Ok(id) = id.parse() else {
        return pages::not_found(&state, &headers);
    };
    let to = safe_return(&form.return_to, "/tasks");
    let done = form.done == "1";
    let result = state
        .app
        .set_task_done(&info.actor, TaskId::from_uuid(id), done)
        .await
        .map(|_| {
            if done {
                "crm_work_task_done"
            } else {
                "crm_work_task_reopened"
            }
        });
    finish(&state, &headers, jar, result, &to)
}
