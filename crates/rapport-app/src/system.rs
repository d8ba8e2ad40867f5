//! System administration use cases: readiness, the job queue and its dead letters, and the
//! organization overview shown on the home page.

use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use rapport_domain::JobId;
pub use rapport_jobs::JobState;
use rapport_store::repo::{memberships, orgs};
use rapport_store::{jobs, outbox};

/// A job as an admin sees it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct JobView {
    /// Id.
    pub id: uuid::Uuid,
    /// Handler name.
    pub kind: String,
    /// `queued`, `running`, `done` or `dead`.
    pub state: String,
    /// Runs so far.
    pub attempts: i32,
    /// Runs allowed.
    pub max_attempts: i32,
    /// The last failure, if any.
    pub last_error: Option<String>,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
    /// Last state change.
    pub updated_at: DateTime<Utc>,
}

/// Queue depth per state.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct QueueDepth {
    /// Waiting to run.
    pub queued: i64,
    /// Claimed by a worker.
    pub running: i64,
    /// Finished (kept for a day).
    pub done: i64,
    /// Failed every attempt.
    pub dead: i64,
}

/// A periodic job's schedule.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ScheduleView {
    /// Schedule name.
    pub name: String,
    /// Period in seconds.
    pub every_seconds: f64,
    /// Next due time.
    pub next_run_at: Option<DateTime<Utc>>,
    /// Last time a process enqueued it.
    pub last_run_at: Option<DateTime<Utc>>,
    /// Runs so far.
    pub runs: i64,
}

/// What the home page shows about the org.
#[derive(Debug, Clone)]
pub struct OrgOverview {
    /// Org name.
    pub name: String,
    /// Org slug.
    pub slug: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Members.
    pub members: u64,
    /// The signed-in member's unread notifications (the bell in the header).
    pub unread_notifications: u64,
    /// Whether the signed-in member takes new conversations (the switch in the header).
    pub availability: rapport_domain::inbox::assignment::Availability,
}

impl App {
    /// True when the database answers and no migration is pending.
    pub async fn is_ready(&self) -> bool {
        self.db().is_ready().await
    }

    /// Queue depth over the whole instance (for metrics: counts only, no tenant data).
    pub async fn queue_depth(&self) -> AppResult<QueueDepth> {
        self.depth_for(None).await
    }

    async fn depth_for(&self, scope: Option<rapport_store::OrgScope>) -> AppResult<QueueDepth> {
        let mut depth = QueueDepth::default();
        for (state, n) in self.queue().depth(scope).await? {
            match state {
                JobState::Queued => depth.queued = n,
                JobState::Running => depth.running = n,
                JobState::Done => depth.done = n,
                JobState::Dead => depth.dead = n,
            }
        }
        Ok(depth)
    }

    /// Events waiting for dispatch (for metrics).
    pub async fn outbox_backlog(&self) -> AppResult<u64> {
        Ok(outbox::pending_count(self.db().conn()).await?)
    }

    /// Jobs in one state, for owners and admins: their org's jobs and the instance's system
    /// jobs, never another org's.
    pub async fn list_jobs(
        &self,
        actor: &Actor,
        state: JobState,
        limit: u64,
    ) -> AppResult<Vec<JobView>> {
        actor.require_admin()?;
        let rows = self
            .queue()
            .list(Some(actor.scope()), state, limit.clamp(1, 200))
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| JobView {
                id: m.id,
                kind: m.kind,
                state: m.state,
                attempts: m.attempts,
                max_attempts: m.max_attempts,
                last_error: m.last_error,
                created_at: m.created_at,
                updated_at: m.updated_at,
            })
            .collect())
    }

    /// Queue depth as the actor's org sees it, for admins.
    pub async fn job_overview(&self, actor: &Actor) -> AppResult<QueueDepth> {
        actor.require_admin()?;
        self.depth_for(Some(actor.scope())).await
    }

    /// Periodic schedules, for admins.
    pub async fn schedules(&self, actor: &Actor) -> AppResult<Vec<ScheduleView>> {
        actor.require_admin()?;
        let rows = jobs::all_schedules(self.db().conn()).await?;
        Ok(rows
            .into_iter()
            .map(|s| ScheduleView {
                name: s.name,
                every_seconds: s.interval_ms as f64 / 1000.0,
                next_run_at: DateTime::from_timestamp_millis(s.next_run_ms),
                last_run_at: s.last_run_ms.and_then(DateTime::from_timestamp_millis),
                runs: s.runs,
            })
            .collect())
    }

    /// Sends a dead job back to the queue.
    pub async fn retry_job(&self, actor: &Actor, id: JobId) -> AppResult<()> {
        actor.require_admin()?;
        if self.queue().retry_dead(Some(actor.scope()), id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The actor's org at a glance.
    pub async fn org_overview(&self, actor: &Actor) -> AppResult<OrgOverview> {
        let scope = actor.scope();
        let org = orgs::get(self.db().conn(), scope).await?;
        let members = memberships::count(self.db().conn(), scope).await?;
        let unread_notifications = rapport_store::repo::notifications::unread_count(
            self.db().conn(),
            scope,
            actor.user_id,
        )
        .await?;
        let availability =
            rapport_store::repo::assignment::workload_of(self.db().conn(), scope, actor.user_id)
                .await
                .map(|w| w.availability)
                .unwrap_or(rapport_domain::inbox::assignment::Availability::Online);
        Ok(OrgOverview {
            availability,
            unread_notifications,
            name: org.name,
            slug: org.slug,
            created_at: org.created_at,
            members,
        })
    }
}
