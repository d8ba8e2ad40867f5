//! Retention of uploads: a file uploaded for import and never run is deleted a day later
//! (a run deletes its file at once, see `run`). The job runs hourly in every org.

use crate::context::App;
use async_trait::async_trait;
use rapport_jobs::{JobContext, JobError, JobHandler};
use rapport_store::DatabaseTransaction;
use rapport_store::repo::crm_import;

/// Job kind: delete abandoned uploads.
pub const SWEEP_IMPORTS: &str = "crm.imports.sweep";
/// How long an upload waits to be run.
pub const ABANDONED_AFTER: chrono::Duration = chrono::Duration::hours(24);
/// How often the sweep runs.
pub const SWEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(3600);

/// Deletes uploads older than [`ABANDONED_AFTER`] that never ran.
pub struct SweepImports(pub App);

#[async_trait]
impl JobHandler for SweepImports {
    async fn run(&self, job: &JobContext, txn: &DatabaseTransaction) -> Result<(), JobError> {
        let removed = crm_import::delete_abandoned(txn, job.started_at - ABANDONED_AFTER).await?;
        if removed > 0 {
            tracing::info!(removed, "deleted import uploads that were never run");
        }
        Ok(())
    }
}
