//! What a job handler is, and the registry that maps job kinds to handlers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::{JobId, OrgId};
use rapport_store::DatabaseTransaction;
use std::collections::HashMap;
use std::sync::Arc;

/// Everything a handler knows about the job it runs.
#[derive(Debug, Clone)]
pub struct JobContext {
    /// The job.
    pub id: JobId,
    /// Its kind (handler name).
    pub kind: String,
    /// The org it works for, if any.
    pub org_id: Option<OrgId>,
    /// Its input.
    pub payload: serde_json::Value,
    /// 1 on the first run, 2 on the first retry…
    pub attempt: i32,
    /// When the worker started this run.
    pub started_at: DateTime<Utc>,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth retrying later (a timeout, a busy peer).
    #[error("{0}")]
    Retryable(String),
    /// Retrying cannot help (malformed payload, a record that no longer exists): dead-letter now.
    #[error("{0}")]
    Permanent(String),
}

impl From<rapport_store::StoreError> for JobError {
    fn from(err: rapport_store::StoreError) -> Self {
        Self::Retryable(err.to_string())
    }
}

impl From<sea_orm::DbErr> for JobError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Retryable(err.to_string())
    }
}

/// What a handler's [`JobHandler::prepare`] hands to [`JobHandler::run_prepared`].
pub struct Prepared(Option<Box<dyn std::any::Any + Send>>);

impl Prepared {
    /// Nothing prepared.
    pub fn none() -> Self {
        Self(None)
    }

    /// `value` for the run.
    pub fn new<T: std::any::Any + Send>(value: T) -> Self {
        Self(Some(Box::new(value)))
    }

    /// The prepared value, if it is a `T`.
    pub fn take<T: std::any::Any>(self) -> Option<T> {
        self.0.and_then(|b| b.downcast::<T>().ok()).map(|b| *b)
    }
}

/// A job handler. `txn` is the transaction the job's completion will commit in: write the job's
/// effects through it and they happen exactly once. Effects outside the database (an HTTP call)
/// happen at least once; make them idempotent (e.g. with the job id as idempotency key).
///
/// A handler whose outside effect is slow (a call to another server) does it in
/// [`JobHandler::prepare`], before the transaction opens, so a database with one writer
/// (SQLite) is not held for the call; `run_prepared` then records what happened.
#[async_trait]
pub trait JobHandler: Send + Sync {
    /// Runs the job.
    async fn run(&self, job: &JobContext, txn: &DatabaseTransaction) -> Result<(), JobError>;

    /// Work done before the job's transaction opens (no transaction is held meanwhile).
    async fn prepare(&self, _job: &JobContext) -> Result<Prepared, JobError> {
        Ok(Prepared::none())
    }

    /// Runs the job with what [`JobHandler::prepare`] produced (by default: [`JobHandler::run`]).
    async fn run_prepared(
        &self,
        job: &JobContext,
        txn: &DatabaseTransaction,
        _prepared: Prepared,
    ) -> Result<(), JobError> {
        self.run(job, txn).await
    }
}

/// Maps job kinds to handlers.
#[derive(Clone, Default)]
pub struct HandlerRegistry {
    handlers: HashMap<String, Arc<dyn JobHandler>>,
}

impl HandlerRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `handler` for `kind` (a later registration replaces an earlier one).
    pub fn register(&mut self, kind: impl Into<String>, handler: Arc<dyn JobHandler>) -> &mut Self {
        self.handlers.insert(kind.into(), handler);
        self
    }

    /// The handler for `kind`.
    pub fn get(&self, kind: &str) -> Option<Arc<dyn JobHandler>> {
        self.handlers.get(kind).cloned()
    }

    /// Registered kinds, sorted (for diagnostics).
    pub fn kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self.handlers.keys().cloned().collect();
        kinds.sort();
        kinds
    }
}

impl std::fmt::Debug for HandlerRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandlerRegistry")
            .field("kinds", &self.kinds())
            .finish()
    }
}
