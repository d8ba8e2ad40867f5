//! Enqueueing jobs, and the admin view of the queue (depth, dead letters, retry).

use chrono::{DateTime, Utc};
use rapport_domain::{Clock, JobId, OrgId};
use rapport_store::jobs::{self, JobState, NewJob};
use rapport_store::{ConnectionTrait, Db, OrgScope, StoreError, entity::job};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Options for one enqueue.
#[derive(Debug, Clone)]
pub struct EnqueueOptions {
    /// The org the job works for.
    pub org_id: Option<OrgId>,
    /// Delay before the first run.
    pub delay: Duration,
    /// Attempts before dead-lettering.
    pub max_attempts: i32,
    /// Deduplication key (a second enqueue with the same key is dropped).
    pub dedupe_key: Option<String>,
}

impl Default for EnqueueOptions {
    fn default() -> Self {
        Self {
            org_id: None,
            delay: Duration::ZERO,
            max_attempts: 8,
            dedupe_key: None,
        }
    }
}

/// The queue handle: enqueue, inspect, retry. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Queue {
    db: Db,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
}

impl Queue {
    /// A queue over `db`.
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self {
            db,
            clock,
            wake: Arc::new(Notify::new()),
        }
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Wakes idle local workers (after committing a transaction that enqueued work).
    pub fn wake(&self) {
        self.wake.notify_waiters();
    }

    pub(crate) fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Enqueues a job now, in its own statement, and wakes local workers.
    pub async fn enqueue(
        &self,
        kind: &str,
        payload: serde_json::Value,
        opts: EnqueueOptions,
    ) -> Result<Option<JobId>, StoreError> {
        let id = self.enqueue_in(self.db.conn(), kind, payload, opts).await?;
        self.wake();
        Ok(id)
    }

    /// Enqueues a job inside the caller's transaction (so it exists only if the caller's change
    /// commits). Call [`Queue::wake`] after commit.
    pub async fn enqueue_in(
        &self,
        db: &impl ConnectionTrait,
        kind: &str,
        payload: serde_json::Value,
        opts: EnqueueOptions,
    ) -> Result<Option<JobId>, StoreError> {
        let now = self.clock.now();
        let new = NewJob {
            kind: kind.to_owned(),
            payload,
            org_id: opts.org_id,
            run_at_ms: now.timestamp_millis()
                + i64::try_from(opts.delay.as_millis()).unwrap_or(i64::MAX / 2),
            max_attempts: opts.max_attempts,
            dedupe_key: opts.dedupe_key,
        };
        jobs::enqueue(db, new, now).await
    }

    /// Jobs per state; with a scope, only jobs visible to that org.
    pub async fn depth(&self, scope: Option<OrgScope>) -> Result<Vec<(JobState, i64)>, StoreError> {
        jobs::counts_by_state(self.db.conn(), scope).await
    }

    /// Jobs in `state`, newest first; with a scope, only jobs visible to that org.
    pub async fn list(
        &self,
        scope: Option<OrgScope>,
        state: JobState,
        limit: u64,
    ) -> Result<Vec<job::Model>, StoreError> {
        jobs::list(self.db.conn(), scope, state, limit).await
    }

    /// Sends a dead job back to the queue. Returns false when the job is not dead (or not
    /// visible to the scope).
    pub async fn retry_dead(&self, scope: Option<OrgScope>, id: JobId) -> Result<bool, StoreError> {
        let now = self.clock.now();
        let ok = jobs::requeue_dead(self.db.conn(), scope, id, now.timestamp_millis(), now).await?;
        if ok {
            self.wake();
        }
        Ok(ok)
    }

    /// Removes done jobs that finished before `before`.
    pub async fn prune_done(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        jobs::prune_done(self.db.conn(), before).await
    }
}
