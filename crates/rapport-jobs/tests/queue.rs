//! The job queue against a real database (SQLite, or PostgreSQL when
//! `RAPPORT_TEST_DATABASE_URL` is set): retries, dead letters, leases, the scheduler, and a
//! worker process killed with SIGKILL mid-run.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use async_trait::async_trait;
use chrono::{Duration as ChronoDuration, Utc};
use rapport_domain::{Clock, JobId, ManualClock, SystemClock};
use rapport_jobs::worker::Outcome;
use rapport_jobs::{
    Backoff, EnqueueOptions, HandlerRegistry, JobContext, JobError, JobHandler, JobState, Periodic,
    Prepared, Queue, Scheduler, WorkerConfig, WorkerPool,
};
use rapport_store::testing::TestDb;
use rapport_store::{ConnectionTrait, DatabaseTarget, DatabaseTransaction, Db};
use sea_orm::{Statement, Value};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const EFFECTS_TABLE: &str =
    "CREATE TABLE job_effects (job_id VARCHAR(64) NOT NULL, worker VARCHAR(128) NOT NULL)";

/// Records its effect (a row naming the job) in the job's own transaction.
struct Counter {
    work: Duration,
}

#[async_trait]
impl JobHandler for Counter {
    async fn run(&self, job: &JobContext, txn: &DatabaseTransaction) -> Result<(), JobError> {
        let backend = txn.get_database_backend();
        let sql = if backend == sea_orm::DbBackend::Postgres {
            "INSERT INTO job_effects (job_id, worker) VALUES ($1, $2)"
        } else {
            "INSERT INTO job_effects (job_id, worker) VALUES (?, ?)"
        };
        let pid = std::process::id().to_string();
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [Value::from(job.id.to_string()), pid.into()],
        ))
        .await?;
        if !self.work.is_zero() {
            tokio::time::sleep(self.work).await;
        }
        Ok(())
    }
}

/// Fails a set number of times, then succeeds.
struct Flaky {
    failures_left: AtomicUsize,
    permanent: bool,
}

#[async_trait]
impl JobHandler for Flaky {
    async fn run(&self, _job: &JobContext, _txn: &DatabaseTransaction) -> Result<(), JobError> {
        if self.permanent {
            return Err(JobError::Permanent("payload refers to nothing".into()));
        }
        let left = self.failures_left.load(Ordering::SeqCst);
        if left > 0 {
            self.failures_left.store(left - 1, Ordering::SeqCst);
            return Err(JobError::Retryable("peer busy".into()));
        }
        Ok(())
    }
}

/// Calls "another server" in `prepare` (here: writes in a transaction of its own, which would
/// wait forever on SQLite's one writer if the job's transaction were already open), then
/// records what it got in the job's transaction. The first call fails temporarily.
struct Caller {
    db: Db,
    calls: AtomicUsize,
}

fn insert_effect(backend: sea_orm::DbBackend, job: &str, worker: &str) -> Statement {
    let sql = if backend == sea_orm::DbBackend::Postgres {
        "INSERT INTO job_effects (job_id, worker) VALUES ($1, $2)"
    } else {
        "INSERT INTO job_effects (job_id, worker) VALUES (?, ?)"
    };
    Statement::from_sql_and_values(backend, sql, [Value::from(job), Value::from(worker)])
}

#[async_trait]
impl JobHandler for Caller {
    async fn run(&self, job: &JobContext, txn: &DatabaseTransaction) -> Result<(), JobError> {
        let prepared = self.prepare(job).await?;
        self.run_prepared(job, txn, prepared).await
    }

    async fn prepare(&self, job: &JobContext) -> Result<Prepared, JobError> {
        if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
            return Err(JobError::Retryable("the other server is down".into()));
        }
        let own = self.db.begin().await?;
        own.execute_raw(insert_effect(
            own.get_database_backend(),
            &job.id.to_string(),
            "call",
        ))
        .await?;
        own.commit().await?;
        Ok(Prepared::new(String::from("answer")))
    }

    async fn run_prepared(
        &self,
        job: &JobContext,
        txn: &DatabaseTransaction,
        prepared: Prepared,
    ) -> Result<(), JobError> {
        let answer = prepared.take::<String>().unwrap_or_default();
        txn.execute_raw(insert_effect(
            txn.get_database_backend(),
            &job.id.to_string(),
            &answer,
        ))
        .await?;
        Ok(())
    }
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(db.db_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

fn pool(queue: &Queue, registry: HandlerRegistry, lease: Duration, name: &str) -> WorkerPool {
    let config = WorkerConfig {
        concurrency: 4,
        lease,
        poll_interval: Duration::from_millis(20),
        backoff: Backoff {
            base: Duration::from_secs(10),
            max: Duration::from_secs(600),
        },
    };
    WorkerPool::new(queue.clone(), registry, config, name)
}

#[tokio::test]
async fn failing_job_retries_with_backoff_then_succeeds() {
    let t = TestDb::new().await;
    let clock = ManualClock::new(Utc::now());
    let queue = Queue::new(t.db.clone(), Arc::new(clock.clone()));
    let mut reg = HandlerRegistry::new();
    reg.register(
        "flaky",
        Arc::new(Flaky {
            failures_left: AtomicUsize::new(2),
            permanent: false,
        }),
    );
    let workers = pool(&queue, reg, Duration::from_secs(30), "p");
    let id = queue
        .enqueue("flaky", serde_json::json!({}), EnqueueOptions::default())
        .await
        .unwrap()
        .unwrap();

    assert_eq!(
        workers.run_once("w").await.unwrap(),
        Some(Outcome::Retrying)
    );
    // Not due yet: backoff of ~10 s (±20 %) after the first failure.
    clock.advance(ChronoDuration::seconds(7));
    assert_eq!(workers.run_once("w").await.unwrap(), None);
    clock.advance(ChronoDuration::seconds(6));
    assert_eq!(
        workers.run_once("w").await.unwrap(),
        Some(Outcome::Retrying)
    );
    // The second delay doubles (~20 s).
    clock.advance(ChronoDuration::seconds(15));
    assert_eq!(workers.run_once("w").await.unwrap(), None);
    clock.advance(ChronoDuration::seconds(10));
    assert_eq!(
        workers.run_once("w").await.unwrap(),
        Some(Outcome::Completed)
    );

    let job = rapport_store::jobs::get(t.db.conn(), id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.state, "done");
    assert_eq!(job.attempts, 3);
    assert_eq!(job.last_error.as_deref(), Some("peer busy"));
}

#[tokio::test]
async fn prepare_runs_before_the_transaction_and_hands_its_result_over() {
    let t = TestDb::new().await;
    t.db.conn().execute_unprepared(EFFECTS_TABLE).await.unwrap();
    let clock = ManualClock::new(Utc::now());
    let queue = Queue::new(t.db.clone(), Arc::new(clock.clone()));
    let mut reg = HandlerRegistry::new();
    reg.register(
        "call",
        Arc::new(Caller {
            db: t.db.clone(),
            calls: AtomicUsize::new(0),
        }),
    );
    let workers = pool(&queue, reg, Duration::from_secs(30), "p");
    queue
        .enqueue("call", serde_json::json!({}), EnqueueOptions::default())
        .await
        .unwrap();
    // A failed call is retried like a failed run, with nothing written.
    assert_eq!(
        workers.run_once("w").await.unwrap(),
        Some(Outcome::Retrying)
    );
    assert_eq!(scalar(&t.db, "SELECT COUNT(*) FROM job_effects").await, 0);
    clock.advance(ChronoDuration::seconds(15));
    assert_eq!(
        workers.run_once("w").await.unwrap(),
        Some(Outcome::Completed)
    );
    assert_eq!(
        scalar(
            &t.db,
            "SELECT COUNT(*) FROM job_effects WHERE worker = 'answer'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn exhausted_job_is_dead_lettered_and_an_admin_can_retry_it() {
    let t = TestDb::new().await;
    let clock = ManualClock::new(Utc::now());
    let queue = Queue::new(t.db.clone(), Arc::new(clock.clone()));
    let mut reg = HandlerRegistry::new();
    reg.register(
        "flaky",
        Arc::new(Flaky {
            failures_left: AtomicUsize::new(3),
            permanent: false,
        }),
    );
    let workers = pool(&queue, reg, Duration::from_secs(30), "p");
    let opts = EnqueueOptions {
        max_attempts: 2,
        ..EnqueueOptions::default()
    };
    let id = queue
        .enqueue("flaky", serde_json::json!({"n": 1}), opts)
        .await
        .unwrap()
        .unwrap();

    assert_eq!(
        workers.run_once("w").await.unwrap(),
        Some(Outcome::Retrying)
    );
    clock.advance(ChronoDuration::hours(1));
    assert_eq!(workers.run_once("w").await.unwrap(), Some(Outcome::Dead));
    let dead = queue.list(None, JobState::Dead, 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].last_error.as_deref(), Some("peer busy"));
    assert!(
        queue
            .depth(None)
            .await
            .unwrap()
            .contains(&(JobState::Dead, 1))
    );

    // Nothing runs a dead job until an admin retries it.
    clock.advance(ChronoDuration::hours(1));
    assert_eq!(workers.run_once("w").await.unwrap(), None);
    assert!(queue.retry_dead(None, id).await.unwrap());
    assert!(
        !queue.retry_dead(None, id).await.unwrap(),
        "only dead jobs can be retried"
    );
    // One failure left in the handler, and a fresh budget of two attempts.
    assert_eq!(
        workers.run_once("w").await.unwrap(),
        Some(Outcome::Retrying)
    );
    clock.advance(ChronoDuration::hours(1));
    assert_eq!(
        workers.run_once("w").await.unwrap(),
        Some(Outcome::Completed)
    );
}

#[tokio::test]
async fn permanent_errors_and_unknown_kinds_go_straight_to_dead_letters() {
    let t = TestDb::new().await;
    let queue = Queue::new(t.db.clone(), Arc::new(SystemClock));
    let mut reg = HandlerRegistry::new();
    reg.register(
        "broken",
        Arc::new(Flaky {
            failures_left: AtomicUsize::new(0),
            permanent: true,
        }),
    );
    let workers = pool(&queue, reg, Duration::from_secs(30), "p");
    queue
        .enqueue("broken", serde_json::json!({}), EnqueueOptions::default())
        .await
        .unwrap();
    queue
        .enqueue(
            "nobody.handles.this",
            serde_json::json!({}),
            EnqueueOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(workers.run_once("w").await.unwrap(), Some(Outcome::Dead));
    assert_eq!(workers.run_once("w").await.unwrap(), Some(Outcome::Dead));
    let dead = queue.list(None, JobState::Dead, 10).await.unwrap();
    assert!(dead.iter().any(|j| {
        j.last_error
            .as_deref()
            .is_some_and(|e| e.contains("no handler"))
    }));
}

#[tokio::test]
async fn dedupe_key_enqueues_once() {
    let t = TestDb::new().await;
    let queue = Queue::new(t.db.clone(), Arc::new(SystemClock));
    let opts = EnqueueOptions {
        dedupe_key: Some("k1".into()),
        ..EnqueueOptions::default()
    };
    assert!(
        queue
            .enqueue("x", serde_json::json!({}), opts.clone())
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        queue
            .enqueue("x", serde_json::json!({}), opts)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn expired_lease_is_reclaimed_and_the_stale_worker_cannot_complete() {
    let t = TestDb::new().await;
    t.db.conn().execute_unprepared(EFFECTS_TABLE).await.unwrap();
    let clock = ManualClock::new(Utc::now());
    let queue = Queue::new(t.db.clone(), Arc::new(clock.clone()));
    let id = queue
        .enqueue("count", serde_json::json!({}), EnqueueOptions::default())
        .await
        .unwrap()
        .unwrap();

    // Worker A claims the job, then stalls past its lease.
    let now = clock.now();
    let claimed = rapport_store::jobs::claim(&t.db, "A", now.timestamp_millis(), 5_000, now)
        .await
        .unwrap();
    assert!(claimed.is_some());
    clock.advance(ChronoDuration::seconds(6));

    // Worker B takes it over and completes it.
    let mut reg = HandlerRegistry::new();
    reg.register(
        "count",
        Arc::new(Counter {
            work: Duration::ZERO,
        }),
    );
    let workers = pool(&queue, reg, Duration::from_secs(5), "p");
    assert_eq!(
        workers.run_once("B").await.unwrap(),
        Some(Outcome::Completed)
    );

    // A wakes up and tries to complete: refused, so A's transaction would roll back.
    let txn = sea_orm::TransactionTrait::begin(t.db.conn()).await.unwrap();
    assert!(
        !rapport_store::jobs::complete(&txn, id, "A", clock.now())
            .await
            .unwrap()
    );
    txn.rollback().await.unwrap();
    assert_eq!(scalar(&t.db, "SELECT COUNT(*) FROM job_effects").await, 1);
}

#[tokio::test]
async fn two_schedulers_run_each_period_once() {
    let t = TestDb::new().await;
    let clock = ManualClock::new(Utc::now());
    // A second connection pool on the same database, as a second process would have.
    let other_db = Db::connect(&t.target).await.unwrap();
    let every = Duration::from_secs(60);
    let def = vec![Periodic {
        name: "tick".into(),
        kind: "tick".into(),
        payload: serde_json::json!({}),
        every,
    }];
    let a = Scheduler::new(
        Queue::new(t.db.clone(), Arc::new(clock.clone())),
        def.clone(),
    );
    let b = Scheduler::new(Queue::new(other_db.clone(), Arc::new(clock.clone())), def);
    a.register().await.unwrap();
    b.register().await.unwrap();

    let mut won = 0;
    for _ in 0..5 {
        let (x, y) = tokio::join!(a.tick(), b.tick());
        won += x.unwrap() + y.unwrap();
        let (x, y) = tokio::join!(a.tick(), b.tick());
        won += x.unwrap() + y.unwrap();
        clock.advance(ChronoDuration::seconds(60));
    }
    assert_eq!(won, 5, "one run per period across both schedulers");
    assert_eq!(
        scalar(&t.db, "SELECT COUNT(*) FROM jobs WHERE kind = 'tick'").await,
        5
    );

    // A long outage runs the schedule once on return, not once per missed period.
    clock.advance(ChronoDuration::hours(2));
    let (x, y) = tokio::join!(a.tick(), b.tick());
    assert_eq!(x.unwrap() + y.unwrap(), 1);
    other_db.close().await;
}

const CHILD_DB_VAR: &str = "RAPPORT_CRASH_CHILD_DB";
const CRASH_JOBS: usize = 200;

/// Not a test on its own: the worker process that `sigkill_mid_run_loses_nothing_and_counts_once`
/// starts and kills. It runs workers on the database named by the environment until killed.
#[tokio::test]
#[ignore = "child process of sigkill_mid_run_loses_nothing_and_counts_once"]
async fn crash_child_worker() {
    let Ok(url) = std::env::var(CHILD_DB_VAR) else {
        return;
    };
    let target = DatabaseTarget::resolve(Some(&url), std::path::Path::new(".")).unwrap();
    let db = Db::connect(&target).await.unwrap();
    let queue = Queue::new(db, Arc::new(SystemClock));
    let mut reg = HandlerRegistry::new();
    reg.register(
        "count",
        Arc::new(Counter {
            work: Duration::from_millis(15),
        }),
    );
    let workers = pool(
        &queue,
        reg,
        Duration::from_secs(1),
        &format!("child-{}", std::process::id()),
    );
    workers
        .run(tokio_util::sync::CancellationToken::new())
        .await;
}

#[tokio::test]
async fn sigkill_mid_run_loses_nothing_and_counts_once() {
    let t = TestDb::new().await;
    t.db.conn().execute_unprepared(EFFECTS_TABLE).await.unwrap();
    let queue = Queue::new(t.db.clone(), Arc::new(SystemClock));
    let mut ids: Vec<JobId> = Vec::new();
    for n in 0..CRASH_JOBS {
        ids.push(
            queue
                .enqueue(
                    "count",
                    serde_json::json!({ "n": n }),
                    EnqueueOptions::default(),
                )
                .await
                .unwrap()
                .unwrap(),
        );
    }

    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash_child_worker",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DB_VAR, &t.url)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();

    // Wait until the child is well into the backlog, then kill it without warning.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while scalar(&t.db, "SELECT COUNT(*) FROM job_effects").await < 40 {
        assert!(
            std::time::Instant::now() < deadline,
            "child worker made no progress"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "child worker exited early"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    child.wait().unwrap();
    let done_at_kill = scalar(&t.db, "SELECT COUNT(*) FROM job_effects").await;
    assert!(
        (done_at_kill as usize) < CRASH_JOBS,
        "the kill must land mid-run"
    );

    // "Restart": a new worker pool finishes the backlog, reclaiming the dead child's leases.
    let mut reg = HandlerRegistry::new();
    reg.register(
        "count",
        Arc::new(Counter {
            work: Duration::ZERO,
        }),
    );
    let restarted = pool(&queue, reg, Duration::from_secs(1), "restarted");
    let shutdown = tokio_util::sync::CancellationToken::new();
    let running = tokio::spawn(restarted.run(shutdown.clone()));
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let done = scalar(&t.db, "SELECT COUNT(*) FROM jobs WHERE state = 'done'").await;
        if done as usize == CRASH_JOBS {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "backlog not finished after restart ({done} done)"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    shutdown.cancel();
    running.await.unwrap();

    assert_eq!(
        scalar(&t.db, "SELECT COUNT(*) FROM jobs").await as usize,
        CRASH_JOBS,
        "no job lost"
    );
    assert_eq!(
        scalar(&t.db, "SELECT COUNT(*) FROM job_effects").await as usize,
        CRASH_JOBS,
        "each effect exactly once"
    );
    assert_eq!(
        scalar(&t.db, "SELECT COUNT(DISTINCT job_id) FROM job_effects").await as usize,
        CRASH_JOBS
    );
    for id in ids.iter().take(3) {
        let job = rapport_store::jobs::get(t.db.conn(), *id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(job.state, "done");
    }
}
