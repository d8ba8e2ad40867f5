//! Storage for the job queue and the periodic schedules. The queue's policy (retries, backoff,
//! leases, who runs what) lives in `rapport-jobs`; this module owns the SQL, including the one
//! backend-specific statement: claiming a job (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite
//! serializes writers, so a plain `UPDATE … RETURNING` is already atomic there).

use crate::connect::Db;
use crate::entity::{job, schedule};
use crate::error::StoreResult;
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{JobId, OrgId};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement, Value,
};

/// The states a job moves through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobState {
    /// Waiting for `run_at`.
    Queued,
    /// Claimed by a worker whose lease has not expired (or has, and nobody reclaimed it yet).
    Running,
    /// Finished successfully.
    Done,
    /// Failed on every attempt; kept for an admin to inspect and retry.
    Dead,
}

impl JobState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Dead => "dead",
        }
    }

    /// Every state, in lifecycle order.
    pub const ALL: [Self; 4] = [Self::Queued, Self::Running, Self::Done, Self::Dead];

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Handler name, e.g. `outbox.dispatch`.
    pub kind: String,
    /// Handler input.
    pub payload: serde_json::Value,
    /// The org the job works for, if any (system jobs have none).
    pub org_id: Option<OrgId>,
    /// Earliest start, epoch ms.
    pub run_at_ms: i64,
    /// Attempts before the job is dead-lettered.
    pub max_attempts: i32,
    /// When set, a second job with the same key is silently not enqueued.
    pub dedupe_key: Option<String>,
}

/// Enqueues a job; returns `None` when the dedupe key already exists.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    new: NewJob,
    now: DateTime<Utc>,
) -> StoreResult<Option<JobId>> {
    let id = JobId::new();
    let model = job::ActiveModel {
        id: Set(id.as_uuid()),
        org_id: Set(new.org_id.map(|o| o.as_uuid())),
        kind: Set(new.kind),
        payload: Set(new.payload),
        state: Set(JobState::Queued.as_str().to_owned()),
        attempts: Set(0),
        max_attempts: Set(std::cmp::max(new.max_attempts, 1)),
        run_at_ms: Set(new.run_at_ms),
        lease_until_ms: Set(None),
        locked_by: Set(None),
        last_error: Set(None),
        dedupe_key: Set(new.dedupe_key),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
    };
    let inserted = job::Entity::insert(model)
        .on_conflict(
            OnConflict::column(job::Column::DedupeKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok((inserted > 0).then_some(id))
}

/// Claims the next runnable job for `worker`: a queued job that is due, or a running job whose
/// lease expired (its worker crashed). The claim increments `attempts` and sets the lease.
pub async fn claim(
    db: &Db,
    worker: &str,
    now_ms: i64,
    lease_ms: i64,
    now: DateTime<Utc>,
) -> StoreResult<Option<job::Model>> {
    let backend = db.db_backend();
    let lock = if backend == DbBackend::Postgres {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, \
         lease_until_ms = $2, updated_at = $3 \
         WHERE id = (SELECT id FROM jobs \
           WHERE (state = 'queued' AND run_at_ms <= $4) OR (state = 'running' AND lease_until_ms < $4) \
           ORDER BY run_at_ms, id LIMIT 1 {lock}) \
         RETURNING *"
    );
    let sql = placeholders(backend, &sql);
    let values: Vec<Value> = vec![
        worker.into(),
        (now_ms + lease_ms).into(),
        now.into(),
        now_ms.into(),
    ];
    let stmt = Statement::from_sql_and_values(backend, sql, values);
    Ok(job::Entity::find()
        .from_raw_sql(stmt)
        .one(db.conn())
        .await?)
}

/// Marks a job done — only if `worker` still holds it. Run this in the same transaction as the
/// job's effects: when it returns `false` (the lease was lost and someone else took the job),
/// roll the transaction back so the effect is not applied twice.
pub async fn complete(
    db: &impl ConnectionTrait,
    id: JobId,
    worker: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let res = job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(JobState::Done.as_str()))
        .col_expr(job::Column::LeaseUntilMs, Expr::value(Option::<i64>::None))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .col_expr(job::Column::FinishedAt, Expr::value(now))
        .filter(held_by(id, worker))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Puts a failed job back in the queue to run at `run_at_ms`, recording the error.
pub async fn retry_later(
    db: &impl ConnectionTrait,
    id: JobId,
    worker: &str,
    run_at_ms: i64,
    error: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let res = job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(JobState::Queued.as_str()))
        .col_expr(job::Column::RunAtMs, Expr::value(run_at_ms))
        .col_expr(job::Column::LeaseUntilMs, Expr::value(Option::<i64>::None))
        .col_expr(job::Column::LockedBy, Expr::value(Option::<String>::None))
        .col_expr(job::Column::LastError, Expr::value(truncate(error)))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(held_by(id, worker))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Moves a job to the dead-letter state, recording the final error.
pub async fn bury(
    db: &impl ConnectionTrait,
    id: JobId,
    worker: &str,
    error: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let res = job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(JobState::Dead.as_str()))
        .col_expr(job::Column::LeaseUntilMs, Expr::value(Option::<i64>::None))
        .col_expr(job::Column::LastError, Expr::value(truncate(error)))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .col_expr(job::Column::FinishedAt, Expr::value(now))
        .filter(held_by(id, worker))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Extends the lease of a job `worker` still holds (heartbeat for long jobs).
pub async fn extend_lease(
    db: &impl ConnectionTrait,
    id: JobId,
    worker: &str,
    until_ms: i64,
) -> StoreResult<bool> {
    let res = job::Entity::update_many()
        .col_expr(job::Column::LeaseUntilMs, Expr::value(until_ms))
        .filter(held_by(id, worker))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Jobs an org's admins may see: the org's own and instance-wide system jobs (which carry no
/// tenant data), never another org's.
fn visible_to(scope: Option<OrgScope>) -> sea_orm::Condition {
    match scope {
        None => sea_orm::Condition::all(),
        Some(scope) => sea_orm::Condition::any()
            .add(job::Column::OrgId.eq(scope.uuid()))
            .add(job::Column::OrgId.is_null()),
    }
}

/// Sends a dead job back to the queue with a fresh attempt budget (an admin's "retry").
/// With a scope, only a job visible to that org.
pub async fn requeue_dead(
    db: &impl ConnectionTrait,
    scope: Option<OrgScope>,
    id: JobId,
    now_ms: i64,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let res = job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(JobState::Queued.as_str()))
        .col_expr(job::Column::Attempts, Expr::value(0))
        .col_expr(job::Column::RunAtMs, Expr::value(now_ms))
        .col_expr(job::Column::LockedBy, Expr::value(Option::<String>::None))
        .col_expr(
            job::Column::FinishedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(id.as_uuid()))
        .filter(job::Column::State.eq(JobState::Dead.as_str()))
        .filter(visible_to(scope))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Jobs in `state`, newest first; with a scope, only those visible to that org.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: Option<OrgScope>,
    state: JobState,
    limit: u64,
) -> StoreResult<Vec<job::Model>> {
    Ok(job::Entity::find()
        .filter(job::Column::State.eq(state.as_str()))
        .filter(visible_to(scope))
        .order_by_desc(job::Column::UpdatedAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// One job by id.
pub async fn get(db: &impl ConnectionTrait, id: JobId) -> StoreResult<Option<job::Model>> {
    Ok(job::Entity::find_by_id(id.as_uuid()).one(db).await?)
}

/// Number of jobs per state (queue depth for metrics and, scoped, the admin page).
pub async fn counts_by_state(
    db: &impl ConnectionTrait,
    scope: Option<OrgScope>,
) -> StoreResult<Vec<(JobState, i64)>> {
    let rows: Vec<(String, i64)> = job::Entity::find()
        .filter(visible_to(scope))
        .select_only()
        .column(job::Column::State)
        .column_as(job::Column::Id.count(), "n")
        .group_by(job::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    Ok(JobState::ALL
        .into_iter()
        .map(|st| {
            (
                st,
                rows.iter()
                    .find(|(s, _)| s == st.as_str())
                    .map_or(0, |(_, n)| *n),
            )
        })
        .collect())
}

/// Deletes finished (done) jobs that finished before `before`. Dead jobs stay until an admin
/// acts on them.
pub async fn prune_done(db: &impl ConnectionTrait, before: DateTime<Utc>) -> StoreResult<u64> {
    let res = job::Entity::delete_many()
        .filter(job::Column::State.eq(JobState::Done.as_str()))
        .filter(job::Column::FinishedAt.lt(before))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Registers a periodic schedule, or updates its interval. A shortened interval pulls the next
/// run forward so a config change takes effect at once.
pub async fn upsert_schedule(
    db: &impl ConnectionTrait,
    name: &str,
    interval_ms: i64,
    now_ms: i64,
) -> StoreResult<()> {
    let model = schedule::ActiveModel {
        name: Set(name.to_owned()),
        interval_ms: Set(interval_ms),
        next_run_ms: Set(now_ms),
        last_run_ms: Set(None),
        runs: Set(0),
    };
    schedule::Entity::insert(model)
        .on_conflict(
            OnConflict::column(schedule::Column::Name)
                .update_column(schedule::Column::IntervalMs)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    schedule::Entity::update_many()
        .col_expr(
            schedule::Column::NextRunMs,
            Expr::value(now_ms + interval_ms),
        )
        .filter(schedule::Column::Name.eq(name))
        .filter(schedule::Column::NextRunMs.gt(now_ms + interval_ms))
        .exec(db)
        .await?;
    Ok(())
}

/// Schedules due at `now_ms`.
pub async fn due_schedules(
    db: &impl ConnectionTrait,
    now_ms: i64,
) -> StoreResult<Vec<schedule::Model>> {
    Ok(schedule::Entity::find()
        .filter(schedule::Column::NextRunMs.lte(now_ms))
        .all(db)
        .await?)
}

/// All schedules (admin page).
pub async fn all_schedules(db: &impl ConnectionTrait) -> StoreResult<Vec<schedule::Model>> {
    Ok(schedule::Entity::find()
        .order_by_asc(schedule::Column::Name)
        .all(db)
        .await?)
}

/// Compare-and-swap: moves a schedule from `expected_next` to `new_next`. Exactly one caller
/// wins per period, whatever the number of processes; only the winner enqueues the run.
pub async fn advance_schedule(
    db: &impl ConnectionTrait,
    name: &str,
    expected_next: i64,
    new_next: i64,
    now_ms: i64,
) -> StoreResult<bool> {
    let res = schedule::Entity::update_many()
        .col_expr(schedule::Column::NextRunMs, Expr::value(new_next))
        .col_expr(schedule::Column::LastRunMs, Expr::value(now_ms))
        .col_expr(
            schedule::Column::Runs,
            Expr::col(schedule::Column::Runs).add(1),
        )
        .filter(schedule::Column::Name.eq(name))
        .filter(schedule::Column::NextRunMs.eq(expected_next))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

fn held_by(id: JobId, worker: &str) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(job::Column::Id.eq(id.as_uuid()))
        .add(job::Column::State.eq(JobState::Running.as_str()))
        .add(job::Column::LockedBy.eq(worker))
}

fn truncate(error: &str) -> String {
    error.chars().take(2000).collect()
}

/// PostgreSQL numbers placeholders `$1`; SQLite takes `?1`.
fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend == DbBackend::Postgres {
        sql.to_owned()
    } else {
        sql.replace('$', "?")
    }
}
