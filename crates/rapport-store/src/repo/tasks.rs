//! Tasks: to-dos with a due time, an assignee, linked CRM records and an optional reminder.
//! The reminder sweep ([`claim_due_reminders`]) is global (see its docs).

use crate::entity::{task, task_link};
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::crm::RecordType;
use rapport_domain::{OrgId, TaskId, UserId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::HashMap;

/// A stored task with its links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRecord {
    /// Id.
    pub id: TaskId,
    /// Title.
    pub title: String,
    /// Details (plain text).
    pub body: String,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
    /// Who should do it.
    pub assignee: Option<UserId>,
    /// When it was done.
    pub done_at: Option<DateTime<Utc>>,
    /// Who marked it done.
    pub done_by: Option<UserId>,
    /// When to remind the assignee.
    pub remind_at: Option<DateTime<Utc>>,
    /// When the reminder went out.
    pub reminded_at: Option<DateTime<Utc>>,
    /// Who created it.
    pub created_by: Option<UserId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// The records it is about.
    pub links: Vec<(RecordType, uuid::Uuid)>,
}

fn record(m: task::Model, links: Vec<(RecordType, uuid::Uuid)>) -> TaskRecord {
    TaskRecord {
        id: TaskId::from_uuid(m.id),
        title: m.title,
        body: m.body,
        due_at: m.due_at,
        assignee: m.assignee_id.map(UserId::from_uuid),
        done_at: m.done_at,
        done_by: m.done_by.map(UserId::from_uuid),
        remind_at: m.remind_at,
        reminded_at: m.reminded_at,
        created_by: m.created_by.map(UserId::from_uuid),
        created_at: m.created_at,
        updated_at: m.updated_at,
        links,
    }
}

/// The editable fields of a task.
#[derive(Debug, Clone)]
pub struct TaskFields {
    /// Title.
    pub title: String,
    /// Details.
    pub body: String,
    /// Due time.
    pub due_at: Option<DateTime<Utc>>,
    /// Assignee.
    pub assignee: Option<UserId>,
    /// Reminder time.
    pub remind_at: Option<DateTime<Utc>>,
}

/// Stores a new task and its links.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    fields: &TaskFields,
    links: &[(RecordType, uuid::Uuid)],
    created_by: UserId,
    now: DateTime<Utc>,
) -> StoreResult<TaskId> {
    let id = TaskId::new();
    let model = task::ActiveModel {
        id: Set(id.as_uuid()),
        org_id: Set(scope.uuid()),
        title: Set(fields.title.clone()),
        body: Set(fields.body.clone()),
        due_at: Set(fields.due_at),
        assignee_id: Set(fields.assignee.map(|u| u.as_uuid())),
        done_at: Set(None),
        done_by: Set(None),
        remind_at: Set(fields.remind_at),
        reminded_at: Set(None),
        created_by: Set(Some(created_by.as_uuid())),
        created_at: Set(now),
        updated_at: Set(now),
    };
    task::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    set_links(db, scope, id, links).await?;
    Ok(id)
}

/// Replaces a task's links.
pub async fn set_links(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: TaskId,
    links: &[(RecordType, uuid::Uuid)],
) -> StoreResult<()> {
    task_link::Entity::delete_many()
        .filter(task_link::Column::OrgId.eq(scope.uuid()))
        .filter(task_link::Column::TaskId.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if links.is_empty() {
        return Ok(());
    }
    let models = links.iter().map(|(t, r)| task_link::ActiveModel {
        task_id: Set(id.as_uuid()),
        record_type: Set(t.as_str().to_owned()),
        record_id: Set(*r),
        org_id: Set(scope.uuid()),
    });
    task_link::Entity::insert_many(models)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

async fn links_of(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    ids: &[uuid::Uuid],
) -> StoreResult<HashMap<uuid::Uuid, Vec<(RecordType, uuid::Uuid)>>> {
    let mut out: HashMap<uuid::Uuid, Vec<(RecordType, uuid::Uuid)>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    for l in task_link::Entity::find()
        .filter(task_link::Column::OrgId.eq(scope.uuid()))
        .filter(task_link::Column::TaskId.is_in(ids.iter().copied()))
        .all(db)
        .await?
    {
        if let Some(t) = RecordType::parse(&l.record_type) {
            out.entry(l.task_id).or_default().push((t, l.record_id));
        }
    }
    Ok(out)
}

async fn with_links(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    rows: Vec<task::Model>,
) -> StoreResult<Vec<TaskRecord>> {
    let ids: Vec<uuid::Uuid> = rows.iter().map(|m| m.id).collect();
    let mut links = links_of(db, scope, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|m| {
            let l = links.remove(&m.id).unwrap_or_default();
            record(m, l)
        })
        .collect())
}

/// One task of the org.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: TaskId,
) -> StoreResult<TaskRecord> {
    let row = task::Entity::find()
        .filter(task::Column::OrgId.eq(scope.uuid()))
        .filter(task::Column::Id.eq(id.as_uuid()))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    with_links(db, scope, vec![row])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// The tasks with these ids, with links (one query each; the timeline renders them).
pub async fn by_ids(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    ids: &[uuid::Uuid],
) -> StoreResult<Vec<TaskRecord>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = task::Entity::find()
        .filter(task::Column::OrgId.eq(scope.uuid()))
        .filter(task::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    with_links(db, scope, rows).await
}

/// Which tasks a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    /// Not done.
    Open,
    /// Done.
    Done,
    /// Either.
    Any,
}

/// A task list query: newest first, keyset-paged on (created_at, id).
#[derive(Debug, Clone)]
pub struct TaskQuery {
    /// Only tasks assigned to this member.
    pub assignee: Option<UserId>,
    /// Open, done or both.
    pub status: TaskStatus,
    /// Only tasks due before this time.
    pub due_before: Option<DateTime<Utc>>,
    /// The last task of the previous page.
    pub before: Option<(DateTime<Utc>, TaskId)>,
    /// Page size.
    pub limit: u64,
}

/// A page of the org's tasks.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    q: &TaskQuery,
) -> StoreResult<Vec<TaskRecord>> {
    let mut find = task::Entity::find().filter(task::Column::OrgId.eq(scope.uuid()));
    if let Some(a) = q.assignee {
        find = find.filter(task::Column::AssigneeId.eq(a.as_uuid()));
    }
    match q.status {
        TaskStatus::Open => find = find.filter(task::Column::DoneAt.is_null()),
        TaskStatus::Done => find = find.filter(task::Column::DoneAt.is_not_null()),
        TaskStatus::Any => {}
    }
    if let Some(due) = q.due_before {
        find = find.filter(task::Column::DueAt.lt(due));
    }
    if let Some((at, id)) = q.before {
        find = find.filter(
            Expr::tuple([
                Expr::col(task::Column::CreatedAt),
                Expr::col(task::Column::Id),
            ])
            .lt(Expr::tuple([Expr::val(at), Expr::val(id.as_uuid())])),
        );
    }
    let rows = find
        .order_by_desc(task::Column::CreatedAt)
        .order_by_desc(task::Column::Id)
        .limit(q.limit)
        .all(db)
        .await?;
    with_links(db, scope, rows).await
}

/// Changes a task's fields. A changed reminder time is sent again (`reminded_at` cleared).
pub async fn update(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: TaskId,
    fields: &TaskFields,
    reset_reminder: bool,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut q = task::Entity::update_many()
        .col_expr(task::Column::Title, Expr::value(fields.title.clone()))
        .col_expr(task::Column::Body, Expr::value(fields.body.clone()))
        .col_expr(task::Column::DueAt, Expr::value(fields.due_at))
        .col_expr(
            task::Column::AssigneeId,
            Expr::value(fields.assignee.map(|u| u.as_uuid())),
        )
        .col_expr(task::Column::RemindAt, Expr::value(fields.remind_at))
        .col_expr(task::Column::UpdatedAt, Expr::value(now));
    if reset_reminder {
        q = q.col_expr(task::Column::RemindedAt, Expr::value(None::<DateTime<Utc>>));
    }
    let res = q
        .filter(task::Column::OrgId.eq(scope.uuid()))
        .filter(task::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Marks a task done (`Some(by)`) or open again (`None`). Returns whether it changed.
pub async fn set_done(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: TaskId,
    done: Option<UserId>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let current = get(db, scope, id).await?;
    if current.done_at.is_some() == done.is_some() {
        return Ok(false);
    }
    task::Entity::update_many()
        .col_expr(task::Column::DoneAt, Expr::value(done.map(|_| now)))
        .col_expr(task::Column::DoneBy, Expr::value(done.map(|u| u.as_uuid())))
        .col_expr(task::Column::UpdatedAt, Expr::value(now))
        .filter(task::Column::OrgId.eq(scope.uuid()))
        .filter(task::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    Ok(true)
}

/// Deletes a task (its links go with it).
pub async fn delete(db: &impl ConnectionTrait, scope: OrgScope, id: TaskId) -> StoreResult<()> {
    task_link::Entity::delete_many()
        .filter(task_link::Column::OrgId.eq(scope.uuid()))
        .filter(task_link::Column::TaskId.eq(id.as_uuid()))
        .exec(db)
        .await?;
    let res = task::Entity::delete_many()
        .filter(task::Column::OrgId.eq(scope.uuid()))
        .filter(task::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A reminder claimed by the sweep.
#[derive(Debug, Clone)]
pub struct DueReminder {
    /// The org the task belongs to.
    pub org_id: OrgId,
    /// The task.
    pub task: TaskId,
    /// Its title.
    pub title: String,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
    /// Who to remind.
    pub assignee: UserId,
}

/// Claims up to `limit` due reminders of open, assigned tasks, across every org, by setting
/// `reminded_at = now` on each. Global because one periodic job serves the whole instance:
/// walking org by org would cost a query per org every minute for the few orgs with anything
/// due, and the `ix_tasks_reminders (reminded_at, remind_at)` index answers the cross-org
/// question directly. Each claim is a guarded update (`reminded_at IS NULL`), so two sweeps
/// racing on PostgreSQL never both claim a task; run it in the transaction that also writes
/// the notifications, so a crash before commit leaves the reminder unclaimed.
pub async fn claim_due_reminders(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<DueReminder>> {
    let rows = task::Entity::find()
        .filter(task::Column::RemindedAt.is_null())
        .filter(task::Column::RemindAt.lte(now))
        .filter(task::Column::DoneAt.is_null())
        .filter(task::Column::AssigneeId.is_not_null())
        .order_by_asc(task::Column::RemindAt)
        .limit(limit)
        .all(db)
        .await?;
    let mut claimed = Vec::with_capacity(rows.len());
    for m in rows {
        let res = task::Entity::update_many()
            .col_expr(task::Column::RemindedAt, Expr::value(now))
            .filter(
                Condition::all()
                    .add(task::Column::Id.eq(m.id))
                    .add(task::Column::RemindedAt.is_null()),
            )
            .exec(db)
            .await?;
        if res.rows_affected == 1
            && let Some(assignee) = m.assignee_id
        {
            claimed.push(DueReminder {
                org_id: OrgId::from_uuid(m.org_id),
                task: TaskId::from_uuid(m.id),
                title: m.title,
                due_at: m.due_at,
                assignee: UserId::from_uuid(assignee),
            });
        }
    }
    Ok(claimed)
}

/// Unlinks every task from one record that is being deleted (the tasks stay: they may link
/// other records, and an assignee's to-do does not vanish with a contact).
pub async fn unlink_record(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    record: (RecordType, uuid::Uuid),
) -> StoreResult<u64> {
    let res = task_link::Entity::delete_many()
        .filter(task_link::Column::OrgId.eq(scope.uuid()))
        .filter(task_link::Column::RecordType.eq(record.0.as_str()))
        .filter(task_link::Column::RecordId.eq(record.1))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
