//! The background runtime of a `serve` process: job workers, the periodic scheduler (with
//! every job kind the app defines registered) and the realtime feed.

use crate::context::App;
use crate::events::{DISPATCH_JOB, OutboxDispatcher};
use async_trait::async_trait;
use rapport_jobs::{
    HandlerRegistry, JobContext, JobError, JobHandler, Periodic, Scheduler, WorkerConfig,
    WorkerPool,
};
use rapport_store::DatabaseTransaction;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Job kind: delete finished jobs past their retention.
pub const PRUNE_JOBS: &str = "jobs.prune";
/// Job kind: delete expired sessions.
pub const SWEEP_SESSIONS: &str = "sessions.sweep";

/// Running background tasks; `stop` waits for in-flight jobs to finish.
#[derive(Debug)]
pub struct Background {
    shutdown: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
    mail: crate::inbox::email::MailSync,
}

impl Background {
    /// Signals shutdown and waits for workers to finish their current jobs.
    pub async fn stop(self) {
        self.shutdown.cancel();
        self.mail.stop().await;
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

struct PruneJobs(App);

#[async_trait]
impl JobHandler for PruneJobs {
    async fn run(&self, job: &JobContext, txn: &DatabaseTransaction) -> Result<(), JobError> {
        let keep = chrono::Duration::from_std(self.0.config().keep_done_jobs)
            .unwrap_or(chrono::Duration::days(1));
        let removed = rapport_store::jobs::prune_done(txn, job.started_at - keep).await?;
        let events = rapport_store::outbox::prune_dispatched(txn, job.started_at - keep).await?;
        if removed > 0 || events > 0 {
            tracing::info!(
                removed,
                events,
                "pruned finished jobs and dispatched events"
            );
        }
        Ok(())
    }
}

struct SweepSessions(App);

#[async_trait]
impl JobHandler for SweepSessions {
    async fn run(&self, job: &JobContext, txn: &DatabaseTransaction) -> Result<(), JobError> {
        let idle = chrono::Duration::from_std(self.0.config().session_idle)
            .unwrap_or(chrono::Duration::hours(8));
        let now = job.started_at;
        rapport_store::repo::sessions::delete_expired(txn, now, now - idle).await?;
        rapport_store::repo::challenges::sweep(txn, now).await?;
        let window = chrono::Duration::from_std(self.0.config().throttle_window)
            .unwrap_or(chrono::Duration::minutes(15));
        rapport_store::repo::throttle::sweep(txn, now - window, now).await?;
        Ok(())
    }
}

impl App {
    /// Every job kind this app runs.
    pub fn job_handlers(&self) -> HandlerRegistry {
        let mut registry = HandlerRegistry::new();
        registry.register(
            DISPATCH_JOB,
            Arc::new(OutboxDispatcher::new(
                self.events().clone(),
                self.queue().clone(),
            )),
        );
        registry.register(PRUNE_JOBS, Arc::new(PruneJobs(self.clone())));
        registry.register(SWEEP_SESSIONS, Arc::new(SweepSessions(self.clone())));
        registry.register(
            crate::mail::SEND_MAIL,
            Arc::new(crate::mail::SendMail(self.clone())),
        );
        registry.register(
            crate::crm::reminders::SEND_REMINDERS,
            Arc::new(crate::crm::reminders::SendReminders(self.clone())),
        );
        registry.register(
            crate::inbox::deliver::DELIVER_JOB,
            Arc::new(crate::inbox::deliver::DeliverReply(self.clone())),
        );
        registry.register(
            crate::inbox::snooze::SNOOZE_JOB,
            Arc::new(crate::inbox::snooze::WakeSnoozed(self.clone())),
        );
        registry.register(
            crate::inbox::automation::runner::RUN_JOB,
            Arc::new(crate::inbox::automation::runner::RunAutomation(
                self.clone(),
            )),
        );
        registry.register(
            crate::inbox::automation::webhook::WEBHOOK_JOB,
            Arc::new(crate::inbox::automation::webhook::DeliverWebhook(
                self.clone(),
            )),
        );
        registry.register(
            crate::inbox::automation::timed::SWEEP_JOB,
            Arc::new(crate::inbox::automation::timed::SweepTimeRules(
                self.clone(),
            )),
        );
        registry.register(
            crate::inbox::automation::runner::PRUNE_RUNS_JOB,
            Arc::new(crate::inbox::automation::runner::PruneRuns),
        );
        registry.register(
            crate::inbox::sla::sweep::SWEEP_JOB,
            Arc::new(crate::inbox::sla::sweep::SweepSla(self.clone())),
        );
        registry.register(
            crate::inbox::attachments::SWEEP_ATTACHMENTS,
            Arc::new(crate::inbox::attachments::SweepAttachments(self.clone())),
        );
        registry.register(
            crate::privacy::retention::RETENTION_JOB,
            Arc::new(crate::privacy::retention::RunRetention(self.clone())),
        );
        registry.register(
            crate::crm::import::SWEEP_IMPORTS,
            Arc::new(crate::crm::import::SweepImports(self.clone())),
        );
        registry
    }

    /// Every periodic job.
    pub fn periodic_jobs(&self) -> Vec<Periodic> {
        let def = |name: &str, every: Duration| Periodic {
            name: name.to_owned(),
            kind: name.to_owned(),
            payload: serde_json::json!({}),
            every,
        };
        vec![
            def(DISPATCH_JOB, self.config().outbox_interval),
            def(PRUNE_JOBS, Duration::from_secs(3600)),
            def(SWEEP_SESSIONS, Duration::from_secs(900)),
            def(
                crate::crm::reminders::SEND_REMINDERS,
                crate::crm::reminders::REMINDER_INTERVAL,
            ),
            def(
                crate::crm::import::SWEEP_IMPORTS,
                crate::crm::import::SWEEP_INTERVAL,
            ),
            def(
                crate::inbox::attachments::SWEEP_ATTACHMENTS,
                Duration::from_secs(3600),
            ),
            def(
                crate::privacy::retention::RETENTION_JOB,
                crate::privacy::retention::RETENTION_INTERVAL,
            ),
            def(
                crate::inbox::snooze::SNOOZE_JOB,
                crate::inbox::snooze::SNOOZE_INTERVAL,
            ),
            def(
                crate::inbox::sla::sweep::SWEEP_JOB,
                crate::inbox::sla::sweep::SWEEP_INTERVAL,
            ),
            def(
                crate::inbox::automation::timed::SWEEP_JOB,
                crate::inbox::automation::timed::SWEEP_INTERVAL,
            ),
            def(
                crate::inbox::automation::runner::PRUNE_RUNS_JOB,
                Duration::from_secs(6 * 3600),
            ),
        ]
    }

    /// Starts workers and the scheduler. `process_id` must be unique among processes sharing
    /// the database.
    pub fn start_background(&self, process_id: &str) -> Background {
        let shutdown = CancellationToken::new();
        let config = WorkerConfig {
            concurrency: self.config().workers.max(1),
            ..WorkerConfig::default()
        };
        let pool = WorkerPool::new(
            self.queue().clone(),
            self.job_handlers(),
            config,
            process_id,
        );
        let scheduler = Scheduler::new(self.queue().clone(), self.periodic_jobs());
        let resolution = self
            .config()
            .outbox_interval
            .clamp(Duration::from_millis(100), Duration::from_secs(1));
        let tasks = vec![
            tokio::spawn(pool.run(shutdown.clone())),
            tokio::spawn(scheduler.run(resolution, shutdown.clone())),
            tokio::spawn(crate::realtime::feed::run(self.clone(), shutdown.clone())),
        ];
        let mail = self.start_mail_sync(process_id);
        Background {
            shutdown,
            tasks,
            mail,
        }
    }
}
