//! The `inbox.snooze_wake` job: every minute, reopens snoozed conversations whose time has
//! come (at most [`BATCH`] per run, across orgs, in the job's transaction, so a conversation
//! wakes exactly once).

use super::activity;
use crate::authz::system_scope;
use crate::context::App;
use async_trait::async_trait;
use rapport_domain::event::EventKind;
use rapport_domain::inbox::ConversationStatus;
use rapport_jobs::{JobContext, JobError, JobHandler};
use rapport_store::DatabaseTransaction;
use rapport_store::repo::conversations;
use rapport_store::repo::messages::Sender;
use serde_json::json;

/// Job kind: wake snoozed conversations.
pub const SNOOZE_JOB: &str = "inbox.snooze_wake";
/// How often it runs.
pub const SNOOZE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);
/// The most conversations one run wakes.
pub const BATCH: u64 = 200;

/// Wakes snoozed conversations.
pub(crate) struct WakeSnoozed(pub(crate) App);

#[async_trait]
impl JobHandler for WakeSnoozed {
    async fn run(&self, _job: &JobContext, txn: &DatabaseTransaction) -> Result<(), JobError> {
        let now = self.0.clock().now();
        for (org, due) in conversations::due_snoozed(txn, now, BATCH).await? {
            let scope = system_scope(org);
            let mut conv = conversations::lock(txn, scope, due.id).await?;
            if conv.status != ConversationStatus::Snoozed {
                continue;
            }
            conv.status = ConversationStatus::Open;
            conv.snoozed_until = None;
            let line = activity::line(
                &conv,
                Sender::System,
                "snooze_ended",
                json!({}),
                "The snooze ended".to_owned(),
                now,
            );
            let conversation_id = conv.id;
            activity::record(
                txn,
                scope,
                &mut conv,
                line,
                EventKind::ConversationUpdated,
                json!({ "conversation_id": conversation_id, "changes": { "status": ["snoozed", "open"] } }),
            )
            .await
            .map_err(|e| JobError::Retryable(e.to_string()))?;
        }
        Ok(())
    }
}
