//! Workers: claim a job, run its handler inside a transaction, commit the completion with the
//! effects, or record the failure and schedule a retry (or the dead-letter state).

use crate::backoff::Backoff;
use crate::handler::{HandlerRegistry, JobContext, JobError};
use crate::queue::Queue;
use rapport_domain::{JobId, OrgId};
use rapport_store::jobs;
use rapport_store::{StoreError, entity::job};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// How workers behave.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Concurrent workers in this process.
    pub concurrency: usize,
    /// How long a claim lasts before another worker may take the job over.
    pub lease: Duration,
    /// How often an idle worker looks for work when nothing wakes it.
    pub poll_interval: Duration,
    /// Retry policy.
    pub backoff: Backoff,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: 2,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(500),
            backoff: Backoff::default(),
        }
    }
}

/// A set of workers sharing one queue and one handler registry.
#[derive(Debug, Clone)]
pub struct WorkerPool {
    queue: Queue,
    handlers: Arc<HandlerRegistry>,
    config: WorkerConfig,
    process_id: String,
}

/// What happened to one claimed job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Handler succeeded and the completion committed.
    Completed,
    /// Handler failed; the job will run again later.
    Retrying,
    /// Handler failed for the last time (or permanently): dead-lettered.
    Dead,
    /// The lease was lost to another worker before completion; nothing was committed.
    LeaseLost,
}

impl WorkerPool {
    /// A pool; `process_id` distinguishes this process's workers from others on the same
    /// database (host + pid + random suffix is a good choice).
    pub fn new(
        queue: Queue,
        handlers: HandlerRegistry,
        config: WorkerConfig,
        process_id: impl Into<String>,
    ) -> Self {
        Self {
            queue,
            handlers: Arc::new(handlers),
            config,
            process_id: process_id.into(),
        }
    }

    /// Runs `concurrency` workers until `shutdown` is cancelled; each finishes its current job
    /// first.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut set = JoinSet::new();
        for n in 0..self.config.concurrency.max(1) {
            let pool = self.clone();
            let shutdown = shutdown.clone();
            let worker = format!("{}/w{n}", self.process_id);
            set.spawn(async move { pool.worker_loop(worker, shutdown).await });
        }
        while set.join_next().await.is_some() {}
    }

    async fn worker_loop(&self, worker: String, shutdown: CancellationToken) {
        let wake = self.queue.waker();
        while !shutdown.is_cancelled() {
            match self.run_once(&worker).await {
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(err) => {
                    tracing::warn!(worker = %worker, error = %err, "job queue unavailable; will retry")
                }
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = wake.notified() => {}
                () = tokio::time::sleep(self.config.poll_interval) => {}
            }
        }
    }

    /// Claims and runs at most one job as `worker`. `Ok(None)` means nothing was due.
    pub async fn run_once(&self, worker: &str) -> Result<Option<Outcome>, StoreError> {
        let clock = self.queue.clock();
        let now = clock.now();
        let lease_ms = i64::try_from(self.config.lease.as_millis()).unwrap_or(60_000);
        let Some(model) = jobs::claim(
            self.queue.db(),
            worker,
            now.timestamp_millis(),
            lease_ms,
            now,
        )
        .await?
        else {
            return Ok(None);
        };
        let id = JobId::from_uuid(model.id);
        let kind = model.kind.clone();
        if model.attempts > model.max_attempts {
            // Only reachable when workers kept dying mid-run: a poison job must not loop forever.
            jobs::bury(
                self.queue.db().conn(),
                id,
                worker,
                "lease expired on every attempt (worker crashed?)",
                now,
            )
            .await?;
            metrics::counter!("rapport_jobs_dead_total", "kind" => kind).increment(1);
            return Ok(Some(Outcome::Dead));
        }
        let started = Instant::now();
        let outcome = self.execute(worker, model).await?;
        let label = match outcome {
            Outcome::Completed => "completed",
            Outcome::Retrying => "retrying",
            Outcome::Dead => "dead",
            Outcome::LeaseLost => "lease_lost",
        };
        metrics::counter!("rapport_jobs_finished_total", "kind" => kind.clone(), "outcome" => label).increment(1);
        metrics::histogram!("rapport_job_duration_seconds", "kind" => kind)
            .record(started.elapsed().as_secs_f64());
        Ok(Some(outcome))
    }

    async fn execute(&self, worker: &str, model: job::Model) -> Result<Outcome, StoreError> {
        let db = self.queue.db();
        let clock = self.queue.clock();
        let ctx = JobContext {
            id: JobId::from_uuid(model.id),
            kind: model.kind.clone(),
            org_id: model.org_id.map(OrgId::from_uuid),
            payload: model.payload.clone(),
            attempt: model.attempts,
            started_at: clock.now(),
        };
        let result = match self.handlers.get(&ctx.kind) {
            None => Err(JobError::Permanent(format!(
                "no handler is registered for job kind `{}`",
                ctx.kind
            ))),
            Some(handler) => {
                let heartbeat = self.spawn_heartbeat(ctx.id, worker.to_owned());
                let prepared = match handler.prepare(&ctx).await {
                    Ok(p) => p,
                    Err(err) => {
                        heartbeat.cancel();
                        return self.settle(&ctx, &model, worker, Err(err)).await;
                    }
                };
                let txn = db.begin().await?;
                let result = match handler.run_prepared(&ctx, &txn, prepared).await {
                    Ok(()) => {
                        let now = clock.now();
                        if jobs::complete(&txn, ctx.id, worker, now).await? {
                            txn.commit().await?;
                            Ok(true)
                        } else {
                            txn.rollback().await?;
                            Ok(false)
                        }
                    }
                    Err(err) => {
                        txn.rollback().await?;
                        Err(err)
                    }
                };
                heartbeat.cancel();
                result
            }
        };
        self.settle(&ctx, &model, worker, result).await
    }

    /// Completes, retries or buries the job as its run ended.
    async fn settle(
        &self,
        ctx: &JobContext,
        model: &job::Model,
        worker: &str,
        result: Result<bool, JobError>,
    ) -> Result<Outcome, StoreError> {
        let db = self.queue.db();
        let now = self.queue.clock().now();
        match result {
            Ok(true) => Ok(Outcome::Completed),
            Ok(false) => {
                tracing::warn!(job = %ctx.id, kind = %ctx.kind, "lease lost before completion; rolled back");
                Ok(Outcome::LeaseLost)
            }
            Err(JobError::Retryable(msg)) if model.attempts < model.max_attempts => {
                let attempt = u32::try_from(model.attempts).unwrap_or(1);
                let delay = self.config.backoff.delay(attempt);
                let run_at = now.timestamp_millis()
                    + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 4);
                tracing::info!(job = %ctx.id, kind = %ctx.kind, attempt, retry_in_ms = delay.as_millis() as u64, error = %msg, "job failed; will retry");
                jobs::retry_later(db.conn(), ctx.id, worker, run_at, &msg, now).await?;
                Ok(Outcome::Retrying)
            }
            Err(err) => {
                tracing::warn!(job = %ctx.id, kind = %ctx.kind, attempt = model.attempts, error = %err, "job dead-lettered");
                jobs::bury(db.conn(), ctx.id, worker, &err.to_string(), now).await?;
                metrics::counter!("rapport_jobs_dead_total", "kind" => ctx.kind.clone())
                    .increment(1);
                Ok(Outcome::Dead)
            }
        }
    }

    /// Keeps the lease alive while a long handler runs.
    fn spawn_heartbeat(&self, id: JobId, worker: String) -> CancellationToken {
        let stop = CancellationToken::new();
        let guard = stop.clone();
        let queue = self.queue.clone();
        let lease = self.config.lease;
        tokio::spawn(async move {
            let every = lease / 3;
            loop {
                tokio::select! {
                    () = guard.cancelled() => break,
                    () = tokio::time::sleep(every) => {
                        let until = queue.clock().now().timestamp_millis() + i64::try_from(lease.as_millis()).unwrap_or(60_000);
                        if let Err(err) = jobs::extend_lease(queue.db().conn(), id, &worker, until).await {
                            tracing::warn!(job = %id, error = %err, "could not extend job lease");
                        }
                    }
                }
            }
        });
        stop
    }
}
