//! Rapport's durable job queue and periodic scheduler.
//!
//! Jobs live in the database (`jobs` table, SQL in `rapport_store::jobs`), so nothing is lost
//! when a process dies: a claimed job carries a lease, and a job whose lease expires is claimed
//! again. A handler's effects and the job's completion commit in one transaction, which makes a
//! job's effect happen exactly once even across crashes. Failures retry with exponential
//! backoff; a job that fails every attempt moves to the dead-letter state for an admin.
//!
//! The [`Scheduler`] turns periodic definitions into jobs. Advancing a schedule is a
//! compare-and-swap in the database, so with several processes on one PostgreSQL each period
//! runs once.

pub mod backoff;
pub mod handler;
pub mod queue;
pub mod scheduler;
pub mod worker;

pub use backoff::Backoff;
pub use handler::{HandlerRegistry, JobContext, JobError, JobHandler, Prepared};
pub use queue::{EnqueueOptions, Queue};
pub use rapport_store::jobs::JobState;
pub use scheduler::{Periodic, Scheduler};
pub use worker::{WorkerConfig, WorkerPool};
