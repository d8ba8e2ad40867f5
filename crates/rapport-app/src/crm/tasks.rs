//! Tasks: a title, details, a due time (stored in UTC; the edge converts from and to the
//! member's time zone), an assignee who is a member of the org (the creator by default), any
//! number of linked contacts, companies and deals, a done state and an optional reminder.
//! Creating and completing a task goes on each linked record's timeline.
//!
//! Permissions: seeing tasks needs `contacts.read`, changing them `contacts.write`; linking a
//! record also needs read access to it (`deals.read` for a deal). Listing someone else's
//! tasks (or everyone's) needs `members.manage`: the "my tasks" list is one's own.

use super::work_access::read_permission;
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult, FieldErrors};
use chrono::{DateTime, Duration, Utc};
use rapport_domain::crm::RecordType;
use rapport_domain::event::EventKind;
use rapport_domain::{DomainError, Permission, TaskId, UserId, bounded_text};
use rapport_store::repo::activities::{self, NewActivity};
use rapport_store::repo::crm_records;
use rapport_store::repo::tasks::{self, TaskFields, TaskQuery, TaskRecord, TaskStatus};
use rapport_store::{ConnectionTrait, outbox};

/// The most records one task links to.
pub const MAX_LINKS: usize = 20;
/// The longest task details, in characters.
pub const MAX_TASK_BODY: usize = 10_000;
/// The furthest a reminder may be set before the due time (30 days), in minutes.
pub const MAX_REMIND_BEFORE_MINUTES: u32 = 30 * 24 * 60;

/// When to remind the assignee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remind {
    /// No reminder.
    Never,
    /// At the due time.
    AtDue,
    /// This many minutes before the due time.
    MinutesBefore(u32),
    /// At this time.
    At(DateTime<Utc>),
}

/// What a task is made of, as entered.
#[derive(Debug, Clone)]
pub struct TaskInput {
    /// Title (required, up to 200 characters).
    pub title: String,
    /// Details (plain text).
    pub body: String,
    /// Due time.
    pub due_at: Option<DateTime<Utc>>,
    /// Assignee; `None` means the actor.
    pub assignee: Option<UserId>,
    /// Reminder.
    pub remind: Remind,
    /// Linked records.
    pub links: Vec<(RecordType, uuid::Uuid)>,
}

/// A linked record with its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedRecord {
    /// Type.
    pub record_type: RecordType,
    /// Id.
    pub id: uuid::Uuid,
    /// Display name (empty when the record is gone).
    pub name: String,
}

/// A task as shown: the stored task plus names.
#[derive(Debug, Clone)]
pub struct TaskView {
    /// The task.
    pub task: TaskRecord,
    /// The assignee's name.
    pub assignee_name: Option<String>,
    /// Linked records with names.
    pub links: Vec<LinkedRecord>,
}

/// Whose tasks to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// The actor's own.
    Me,
    /// One member's (needs `members.manage` unless it is the actor).
    User(UserId),
    /// Everyone's (needs `members.manage`).
    Anyone,
}

/// A task list request.
#[derive(Debug, Clone)]
pub struct TaskListQuery {
    /// Whose.
    pub assignee: AssigneeFilter,
    /// Open, done or both.
    pub status: TaskStatus,
    /// Only due before.
    pub due_before: Option<DateTime<Utc>>,
    /// Continue after this task (created_at, id).
    pub after: Option<(DateTime<Utc>, TaskId)>,
    /// Page size (1–200).
    pub limit: u64,
}

/// A page of tasks, newest first.
#[derive(Debug, Clone)]
pub struct TaskPage {
    /// Tasks.
    pub items: Vec<TaskView>,
    /// Where the next page starts, if there is one.
    pub next: Option<(DateTime<Utc>, TaskId)>,
}

fn remind_at(
    remind: Remind,
    due_at: Option<DateTime<Utc>>,
    errors: &mut FieldErrors,
) -> Option<DateTime<Utc>> {
    let needs_due = || DomainError::Invalid {
        field: "remind_at",
        reason: "a reminder relative to the due time needs a due time",
    };
    match remind {
        Remind::Never => None,
        Remind::At(at) => Some(at),
        Remind::AtDue => {
            if due_at.is_none() {
                errors.push(needs_due());
            }
            due_at
        }
        Remind::MinutesBefore(m) => {
            if m > MAX_REMIND_BEFORE_MINUTES {
                errors.push(DomainError::Invalid {
                    field: "remind_at",
                    reason: "a reminder can be at most 30 days before the due time",
                });
                return None;
            }
            match due_at {
                Some(due) => Some(due - Duration::minutes(i64::from(m))),
                None => {
                    errors.push(needs_due());
                    None
                }
            }
        }
    }
}

impl App {
    /// Validates input into stored fields and checks the assignee and links.
    async fn task_fields(
        &self,
        db: &impl ConnectionTrait,
        actor: &Actor,
        input: &TaskInput,
    ) -> AppResult<(TaskFields, Vec<(RecordType, uuid::Uuid)>)> {
        let mut errors = FieldErrors::default();
        let title = errors.check(bounded_text("title", &input.title, 200));
        let body = input.body.trim().to_owned();
        if body.chars().count() > MAX_TASK_BODY {
            errors.push(DomainError::TooLong {
                field: "body",
                max: MAX_TASK_BODY,
            });
        }
        let remind_at = remind_at(input.remind, input.due_at, &mut errors);
        let mut links = input.links.clone();
        links.sort_by_key(|(t, id)| (t.as_str(), *id));
        links.dedup();
        if links.len() > MAX_LINKS {
            errors.push(DomainError::Invalid {
                field: "links",
                reason: "a task links to at most 20 records",
            });
        }
        // Another org's record or member is a 404 before any field error is reported.
        for (t, _) in links.iter().take(MAX_LINKS) {
            actor.require(read_permission(*t))?;
        }
        for link in links.iter().take(MAX_LINKS) {
            self.require_record(db, actor, *link).await?;
        }
        let assignee = input.assignee.unwrap_or(actor.user_id);
        self.require_member(db, actor, assignee).await?;
        errors.finish()?;
        Ok((
            TaskFields {
                title: title.unwrap_or_default(),
                body,
                due_at: input.due_at,
                assignee: Some(assignee),
                remind_at,
            },
            links,
        ))
    }

    /// Adds names to tasks (two queries for any number of tasks).
    async fn task_views(&self, actor: &Actor, items: Vec<TaskRecord>) -> AppResult<Vec<TaskView>> {
        let db = self.db().conn();
        let records: Vec<(RecordType, uuid::Uuid)> =
            items.iter().flat_map(|t| t.links.iter().copied()).collect();
        let names = crm_records::names(db, actor.scope(), &records).await?;
        let people: Vec<UserId> = items.iter().filter_map(|t| t.assignee).collect();
        let people = crm_records::member_names(db, actor.scope(), &people).await?;
        Ok(items
            .into_iter()
            .map(|task| TaskView {
                assignee_name: task.assignee.and_then(|a| people.get(&a).cloned()),
                links: task
                    .links
                    .iter()
                    .map(|(t, id)| LinkedRecord {
                        record_type: *t,
                        id: *id,
                        name: names.get(&(*t, *id)).cloned().unwrap_or_default(),
                    })
                    .collect(),
                task,
            })
            .collect())
    }

    /// Creates a task.
    pub async fn create_task(&self, actor: &Actor, input: &TaskInput) -> AppResult<TaskView> {
        actor.require(Permission::ContactsWrite)?;
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let (fields, links) = self.task_fields(&txn, actor, input).await?;
        let id = tasks::insert(&txn, actor.scope(), &fields, &links, actor.user_id, now).await?;
        let entries: Vec<NewActivity> = links
            .iter()
            .map(|record| NewActivity {
                record: *record,
                kind: "task.created",
                actor: Some(actor.user_id),
                subject: Some(("task", id.as_uuid())),
                data: serde_json::json!({ "title": fields.title }),
                at: now,
            })
            .collect();
        activities::append(&txn, actor.scope(), &entries).await?;
        outbox::record(
            &txn,
            actor.scope(),
            EventKind::TaskCreated,
            serde_json::json!({ "task_id": id, "assignee_id": fields.assignee }),
            now,
        )
        .await?;
        txn.commit().await?;
        self.task(actor, id).await
    }

    /// One task.
    pub async fn task(&self, actor: &Actor, id: TaskId) -> AppResult<TaskView> {
        actor.require(Permission::ContactsRead)?;
        let task = tasks::get(self.db().conn(), actor.scope(), id).await?;
        self.task_views(actor, vec![task])
            .await?
            .pop()
            .ok_or(AppError::NotFound)
    }

    /// Changes a task. A changed reminder time will be sent (again).
    pub async fn update_task(
        &self,
        actor: &Actor,
        id: TaskId,
        input: &TaskInput,
    ) -> AppResult<TaskView> {
        actor.require(Permission::ContactsWrite)?;
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let current = tasks::get(&txn, actor.scope(), id).await?;
        let (fields, links) = self.task_fields(&txn, actor, input).await?;
        let reset = fields.remind_at != current.remind_at;
        tasks::update(&txn, actor.scope(), id, &fields, reset, now).await?;
        tasks::set_links(&txn, actor.scope(), id, &links).await?;
        txn.commit().await?;
        self.task(actor, id).await
    }

    /// Marks a task done (`done`) or open again.
    pub async fn set_task_done(
        &self,
        actor: &Actor,
        id: TaskId,
        done: bool,
    ) -> AppResult<TaskView> {
        actor.require(Permission::ContactsWrite)?;
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let by = done.then_some(actor.user_id);
        let changed = tasks::set_done(&txn, actor.scope(), id, by, now).await?;
        if changed && done {
            let task = tasks::get(&txn, actor.scope(), id).await?;
            let entries: Vec<NewActivity> = task
                .links
                .iter()
                .map(|record| NewActivity {
                    record: *record,
                    kind: "task.completed",
                    actor: Some(actor.user_id),
                    subject: Some(("task", id.as_uuid())),
                    data: serde_json::json!({ "title": task.title }),
                    at: now,
                })
                .collect();
            activities::append(&txn, actor.scope(), &entries).await?;
            outbox::record(
                &txn,
                actor.scope(),
                EventKind::TaskCompleted,
                serde_json::json!({ "task_id": id, "done_by": actor.user_id }),
                now,
            )
            .await?;
        }
        txn.commit().await?;
        self.task(actor, id).await
    }

    /// Deletes a task and its timeline entries.
    pub async fn delete_task(&self, actor: &Actor, id: TaskId) -> AppResult<()> {
        actor.require(Permission::ContactsWrite)?;
        let txn = self.db().begin().await?;
        tasks::delete(&txn, actor.scope(), id).await?;
        activities::delete_for_subject(&txn, actor.scope(), id.as_uuid()).await?;
        txn.commit().await?;
        Ok(())
    }

    /// A page of tasks.
    pub async fn tasks(&self, actor: &Actor, q: &TaskListQuery) -> AppResult<TaskPage> {
        actor.require(Permission::ContactsRead)?;
        let assignee = match q.assignee {
            AssigneeFilter::Me => Some(actor.user_id),
            AssigneeFilter::User(u) if u == actor.user_id => Some(u),
            AssigneeFilter::User(u) => {
                actor.require(Permission::MembersManage)?;
                // Someone outside the org is a 404, like any other org's object.
                self.require_member(self.db().conn(), actor, u).await?;
                Some(u)
            }
            AssigneeFilter::Anyone => {
                actor.require(Permission::MembersManage)?;
                None
            }
        };
        let limit = q.limit.clamp(1, 200);
        let mut items = tasks::list(
            self.db().conn(),
            actor.scope(),
            &TaskQuery {
                assignee,
                status: q.status,
                due_before: q.due_before,
                before: q.after,
                limit: limit + 1,
            },
        )
        .await?;
        let next = if items.len() as u64 > limit {
            items.truncate(limit as usize);
            items.last().map(|t| (t.created_at, t.id))
        } else {
            None
        };
        Ok(TaskPage {
            items: self.task_views(actor, items).await?,
            next,
        })
    }

    /// The org's members (id, name), for choosing an assignee.
    pub async fn assignable_members(&self, actor: &Actor) -> AppResult<Vec<(UserId, String)>> {
        actor.require(Permission::ContactsRead)?;
        Ok(crm_records::members(self.db().conn(), actor.scope()).await?)
    }
}
