//! `/api/v1/tasks`: to-dos with a due time, an assignee, linked records and a reminder.

use super::work_common::{bad_field, parse_cursor, parse_record_type};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rapport_app::crm::tasks::{AssigneeFilter, Remind, TaskInput, TaskListQuery, TaskView};
use rapport_app::crm::timeline::encode_cursor;
use rapport_app::records::TaskStatus;
use rapport_domain::crm::RecordType;
use rapport_domain::{TaskId, UserId};
use serde::{Deserialize, Serialize};

/// A record a task is linked to.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskLink {
    /// `contact`, `company` or `deal`.
    pub record_type: String,
    /// The record's id.
    pub record_id: uuid::Uuid,
    /// Its name (ignored on input).
    #[serde(default, skip_deserializing)]
    pub name: String,
}

/// A task.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Task {
    /// Id.
    pub id: uuid::Uuid,
    /// Title.
    pub title: String,
    /// Details.
    pub body: String,
    /// Due time (UTC).
    pub due_at: Option<DateTime<Utc>>,
    /// Assignee's user id.
    pub assignee_id: Option<uuid::Uuid>,
    /// Assignee's name.
    pub assignee_name: Option<String>,
    /// Whether it is done.
    pub done: bool,
    /// When it was done.
    pub done_at: Option<DateTime<Utc>>,
    /// Who marked it done.
    pub done_by: Option<uuid::Uuid>,
    /// When the assignee is reminded.
    pub remind_at: Option<DateTime<Utc>>,
    /// When the reminder went out.
    pub reminded_at: Option<DateTime<Utc>>,
    /// Creator.
    pub created_by: Option<uuid::Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Linked records.
    pub links: Vec<TaskLink>,
}

impl From<TaskView> for Task {
    fn from(v: TaskView) -> Self {
        let t = v.task;
        Self {
            id: t.id.as_uuid(),
            title: t.title,
            body: t.body,
            due_at: t.due_at,
            assignee_id: t.assignee.map(|u| u.as_uuid()),
            assignee_name: v.assignee_name,
            done: t.done_at.is_some(),
            done_at: t.done_at,
            done_by: t.done_by.map(|u| u.as_uuid()),
            remind_at: t.remind_at,
            reminded_at: t.reminded_at,
            created_by: t.created_by.map(|u| u.as_uuid()),
            created_at: t.created_at,
            updated_at: t.updated_at,
            links: v
                .links
                .into_iter()
                .map(|l| TaskLink {
                    record_type: l.record_type.as_str().to_owned(),
                    record_id: l.id,
                    name: l.name,
                })
                .collect(),
        }
    }
}

/// A page of tasks.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskList {
    /// Newest first.
    pub items: Vec<Task>,
    /// Pass as `cursor` for the next page; null at the end.
    pub next_cursor: Option<String>,
}

/// Filters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TaskParams {
    /// `me` (default), a member's user id, or `any` (others need `members.manage`).
    pub assignee: Option<String>,
    /// `open` (default), `done` or `all`.
    pub status: Option<String>,
    /// Only tasks due before this time (RFC 3339).
    pub due_before: Option<DateTime<Utc>>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u64>,
}

/// A task to create, or the fields to change (PATCH: absent fields stay as they are).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskBody {
    /// Title (up to 200 characters; required on create).
    #[serde(default)]
    pub title: Option<String>,
    /// Details (plain text).
    #[serde(default)]
    pub body: Option<String>,
    /// Due time (RFC 3339).
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    /// Assignee (an org member; the caller by default).
    #[serde(default)]
    pub assignee_id: Option<uuid::Uuid>,
    /// Remind at this time…
    #[serde(default)]
    pub remind_at: Option<DateTime<Utc>>,
    /// …or this many minutes before the due time (0: at the due time).
    #[serde(default)]
    pub remind_before_minutes: Option<u32>,
    /// Linked records (replaces the links on PATCH).
    #[serde(default)]
    pub links: Option<Vec<TaskLink>>,
}

fn remind_of(body: &TaskBody) -> Result<Option<Remind>, ApiError> {
    match (body.remind_at, body.remind_before_minutes) {
        (Some(_), Some(_)) => Err(bad_field(
            "remind_at",
            "send remind_at or remind_before_minutes, not both",
        )),
        (Some(at), None) => Ok(Some(Remind::At(at))),
        (None, Some(0)) => Ok(Some(Remind::AtDue)),
        (None, Some(m)) => Ok(Some(Remind::MinutesBefore(m))),
        (None, None) => Ok(None),
    }
}

fn links_of(links: &[TaskLink]) -> Result<Vec<(RecordType, uuid::Uuid)>, ApiError> {
    links
        .iter()
        .map(|l| Ok((parse_record_type(&l.record_type)?, l.record_id)))
        .collect()
}

/// Lists tasks (yours by default), newest first.
#[utoipa::path(get, path = "/tasks", tag = "tasks", params(TaskParams), responses(
    (status = 200, description = "Tasks", body = TaskList),
    (status = 403, description = "Others' tasks need members.manage", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_tasks(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<TaskParams>,
) -> Result<Json<TaskList>, ApiError> {
    let assignee = match params.assignee.as_deref() {
        None | Some("") | Some("me") => AssigneeFilter::Me,
        Some("any") => AssigneeFilter::Anyone,
        Some(raw) => AssigneeFilter::User(UserId::from_uuid(
            raw.parse()
                .map_err(|_| bad_field("assignee", "use me, any or a user id"))?,
        )),
    };
    let status = match params.status.as_deref() {
        None | Some("") | Some("open") => TaskStatus::Open,
        Some("done") => TaskStatus::Done,
        Some("all") => TaskStatus::Any,
        Some(_) => return Err(bad_field("status", "use open, done or all")),
    };
    let after = parse_cursor(params.cursor.as_deref())?.map(|(at, id)| (at, TaskId::from_uuid(id)));
    let page = state
        .app
        .tasks(
            &actor,
            &TaskListQuery {
                assignee,
                status,
                due_before: params.due_before,
                after,
                limit: params.limit.unwrap_or(50),
            },
        )
        .await?;
    Ok(Json(TaskList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next.map(|(at, id)| encode_cursor(at, id.as_uuid())),
    }))
}

/// Creates a task.
#[utoipa::path(post, path = "/tasks", tag = "tasks", request_body = TaskBody, responses(
    (status = 201, description = "Created", body = Task),
    (status = 403, description = "Needs contacts.write", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "A linked record or the assignee is not in your org", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_task(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<TaskBody>,
) -> Result<(StatusCode, Json<Task>), ApiError> {
    let input = TaskInput {
        title: req.title.clone().unwrap_or_default(),
        body: req.body.clone().unwrap_or_default(),
        due_at: req.due_at,
        assignee: req.assignee_id.map(UserId::from_uuid),
        remind: remind_of(&req)?.unwrap_or(Remind::Never),
        links: links_of(req.links.as_deref().unwrap_or_default())?,
    };
    let task = state.app.create_task(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(task.into())))
}

/// One task.
#[utoipa::path(get, path = "/tasks/{id}", tag = "tasks",
    params(("id" = uuid::Uuid, Path, description = "Task id")),
    responses(
        (status = 200, description = "The task", body = Task),
        (status = 404, description = "No such task in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_task(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<Task>, ApiError> {
    Ok(Json(
        state.app.task(&actor, TaskId::from_uuid(id)).await?.into(),
    ))
}

/// Changes a task.
#[utoipa::path(patch, path = "/tasks/{id}", tag = "tasks", request_body = TaskBody,
    params(("id" = uuid::Uuid, Path, description = "Task id")),
    responses(
        (status = 200, description = "Updated", body = Task),
        (status = 404, description = "No such task in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_task(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<TaskBody>,
) -> Result<Json<Task>, ApiError> {
    let id = TaskId::from_uuid(id);
    let current = state.app.task(&actor, id).await?;
    let t = &current.task;
    let input = TaskInput {
        title: req.title.clone().unwrap_or_else(|| t.title.clone()),
        body: req.body.clone().unwrap_or_else(|| t.body.clone()),
        due_at: req.due_at.or(t.due_at),
        assignee: req.assignee_id.map(UserId::from_uuid).or(t.assignee),
        remind: remind_of(&req)?.unwrap_or(t.remind_at.map_or(Remind::Never, Remind::At)),
        links: match &req.links {
            Some(l) => links_of(l)?,
            None => t.links.clone(),
        },
    };
    Ok(Json(
        state.app.update_task(&actor, id, &input).await?.into(),
    ))
}

/// Deletes a task.
#[utoipa::path(delete, path = "/tasks/{id}", tag = "tasks",
    params(("id" = uuid::Uuid, Path, description = "Task id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such task in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_task(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state.app.delete_task(&actor, TaskId::from_uuid(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks a task done.
#[utoipa::path(post, path = "/tasks/{id}/complete", tag = "tasks",
    params(("id" = uuid::Uuid, Path, description = "Task id")),
    responses(
        (status = 200, description = "Done", body = Task),
        (status = 404, description = "No such task in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn complete_task(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<Task>, ApiError> {
    let task = state
        .app
        .set_task_done(&actor, TaskId::from_uuid(id), true)
        .await?;
    Ok(Json(task.into()))
}

/// Marks a task open again.
#[utoipa::path(post, path = "/tasks/{id}/reopen", tag = "tasks",
    params(("id" = uuid::Uuid, Path, description = "Task id")),
    responses(
        (status = 200, description = "Open again", body = Task),
        (status = 404, description = "No such task in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn reopen_task(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<Task>, ApiError> {
    let task = state
        .app
        .set_task_done(&actor, TaskId::from_uuid(id), false)
        .await?;
    Ok(Json(task.into()))
}
