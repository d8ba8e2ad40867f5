//! Periodic jobs. Each definition has a row in `schedules`; every process ticks, and whichever
//! process wins the compare-and-swap on `next_run_ms` enqueues that period's job (with a dedupe
//! key naming the period, a second line of defence). A period missed while every process was
//! down runs once on return, not once per missed period.

use crate::queue::{EnqueueOptions, Queue};
use rapport_store::StoreError;
use rapport_store::jobs;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A periodic job definition.
#[derive(Debug, Clone)]
pub struct Periodic {
    /// Schedule name (unique), e.g. `outbox.dispatch`.
    pub name: String,
    /// Job kind to enqueue.
    pub kind: String,
    /// Payload of each run.
    pub payload: serde_json::Value,
    /// Period.
    pub every: Duration,
}

/// Runs periodic definitions against the queue.
#[derive(Debug, Clone)]
pub struct Scheduler {
    queue: Queue,
    periodic: Vec<Periodic>,
}

impl Scheduler {
    /// A scheduler for `periodic` definitions.
    pub fn new(queue: Queue, periodic: Vec<Periodic>) -> Self {
        Self { queue, periodic }
    }

    /// Registers (or updates) every definition's schedule row.
    pub async fn register(&self) -> Result<(), StoreError> {
        let now_ms = self.queue.clock().now().timestamp_millis();
        for p in &self.periodic {
            jobs::upsert_schedule(self.queue.db().conn(), &p.name, millis(p.every), now_ms).await?;
        }
        Ok(())
    }

    /// Enqueues the runs that are due now. Returns how many this process won.
    pub async fn tick(&self) -> Result<usize, StoreError> {
        let now_ms = self.queue.clock().now().timestamp_millis();
        let due = jobs::due_schedules(self.queue.db().conn(), now_ms).await?;
        let mut won = 0;
        for schedule in due {
            let Some(def) = self.periodic.iter().find(|p| p.name == schedule.name) else {
                continue;
            };
            let interval = schedule.interval_ms.max(1);
            // The next boundary after now, on the schedule's own grid.
            let periods_passed = (now_ms - schedule.next_run_ms) / interval + 1;
            let next = schedule.next_run_ms + periods_passed * interval;
            let txn = self.queue.db().begin().await?;
            if !jobs::advance_schedule(&txn, &schedule.name, schedule.next_run_ms, next, now_ms)
                .await?
            {
                txn.rollback().await?;
                continue;
            }
            let opts = EnqueueOptions {
                max_attempts: 3,
                dedupe_key: Some(format!("sched:{}:{}", schedule.name, schedule.next_run_ms)),
                ..EnqueueOptions::default()
            };
            self.queue
                .enqueue_in(&txn, &def.kind, def.payload.clone(), opts)
                .await?;
            txn.commit().await?;
            won += 1;
        }
        if won > 0 {
            self.queue.wake();
        }
        Ok(won)
    }

    /// Registers the schedules, then ticks every `resolution` until `shutdown`.
    pub async fn run(self, resolution: Duration, shutdown: CancellationToken) {
        if let Err(err) = self.register().await {
            tracing::error!(error = %err, "could not register periodic jobs");
        }
        loop {
            if let Err(err) = self.tick().await {
                tracing::warn!(error = %err, "scheduler tick failed; will retry");
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(resolution) => {}
            }
        }
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4).max(1)
}
