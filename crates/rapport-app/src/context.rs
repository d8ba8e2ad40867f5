//! `App`: the handle every use case hangs off (database, clock, queue, event bus, settings).

use crate::events::EventBus;
use rapport_domain::Clock;
use rapport_jobs::Queue;
use rapport_store::Db;
use std::sync::Arc;
use std::time::Duration;

/// Settings the use cases need (the binary builds them from its configuration).
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however active.
    pub session_absolute: Duration,
    /// How often pending outbox events are dispatched.
    pub outbox_interval: Duration,
    /// How long finished jobs are kept for inspection.
    pub keep_done_jobs: Duration,
    /// Concurrent job workers in this process.
    pub workers: usize,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            session_idle: Duration::from_secs(8 * 3600),
            session_absolute: Duration::from_secs(14 * 24 * 3600),
            outbox_interval: Duration::from_secs(1),
            keep_done_jobs: Duration::from_secs(24 * 3600),
            workers: 2,
        }
    }
}

/// The application: cheap to clone, shared by every request and job.
#[derive(Debug, Clone)]
pub struct App {
    db: Db,
    clock: Arc<dyn Clock>,
    queue: Queue,
    events: EventBus,
    config: Arc<AppConfig>,
}

impl App {
    /// Assembles the application over an open, migrated database.
    pub fn new(db: Db, clock: Arc<dyn Clock>, config: AppConfig) -> Self {
        let queue = Queue::new(db.clone(), clock.clone());
        Self {
            db,
            clock,
            queue,
            events: EventBus::new(),
            config: Arc::new(config),
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

    /// The job queue.
    pub fn queue(&self) -> &Queue {
        &self.queue
    }

    /// In-process subscribers to dispatched domain events (realtime fan-out).
    pub fn events(&self) -> &EventBus {
        &self.events
    }

    /// Settings.
    pub fn config(&self) -> &AppConfig {
        &self.config
    }
}
