//! The SQLite writer lane: a thread of its own that runs write-heavy use cases (ingest) one at
//! a time. SQLite has one writer connection, and each statement on it is a round trip to that
//! connection's thread; on the shared runtime, the task holding the writer waits behind every
//! other ready task (request parsing, reads, serialization) after each statement, so under load
//! the critical section stretched from ~0.8 ms to ~1.6 ms (docs/BENCHMARKS.md). On its own
//! thread the holder is woken at once. PostgreSQL does not use the lane: its writers run in
//! parallel.

use crate::error::{AppError, AppResult};
use std::future::Future;
use std::pin::Pin;
use tokio::sync::{mpsc, oneshot};

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A handle on the lane (cheap to clone).
#[derive(Debug, Clone)]
pub struct WriterLane {
    jobs: mpsc::UnboundedSender<Job>,
}

impl WriterLane {
    /// Starts the lane's thread; `None` if the thread or its runtime cannot start (callers then
    /// run on their own task, as before).
    pub fn start() -> Option<Self> {
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        std::thread::Builder::new()
            .name("rapport-writer".into())
            .spawn(move || {
                runtime.block_on(async move {
                    while let Some(job) = queue.recv().await {
                        job.await;
                    }
                });
            })
            .ok()?;
        Some(Self { jobs })
    }

    /// Runs `work` on the lane and returns its result. A panic in `work` is reported as an
    /// internal error and leaves the lane running.
    pub async fn run<T, F>(&self, work: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: Future<Output = AppResult<T>> + Send + 'static,
    {
        use futures::FutureExt;
        let (done, result) = oneshot::channel();
        let job: Job = Box::pin(async move {
            let outcome = std::panic::AssertUnwindSafe(work).catch_unwind().await;
            let _ = done.send(outcome);
        });
        self.jobs
            .send(job)
            .map_err(|_| AppError::Internal("the writer lane stopped".into()))?;
        match result.await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_)) => Err(AppError::Internal(
                "a write on the writer lane panicked".into(),
            )),
            Err(_) => Err(AppError::Internal("the writer lane stopped".into())),
        }
    }
}
