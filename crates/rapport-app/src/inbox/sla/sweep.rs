//! The `sla.sweep` job (every minute): for each conversation whose next SLA check has come
//! (one indexed range read), records a warning or a breach once per target as an outbox event
//! (`sla.warning`, `sla.breached`: automation rules and webhooks take them from there) and
//! tells the assignee (in the app and by email) when a target is breached.

use crate::authz::system_scope;
use crate::context::App;
use crate::error::AppResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::event::EventKind;
use rapport_domain::inbox::sla::{Signal, Target, due_signal, note_signal, reschedule};
use rapport_jobs::{JobContext, JobError, JobHandler};
use rapport_store::repo::notifications::NewNotification;
use rapport_store::repo::{conversations, sla};
use rapport_store::{DatabaseTransaction, outbox};
use serde_json::json;
use std::time::Duration;

/// Job kind.
pub const SWEEP_JOB: &str = "sla.sweep";
/// How often it runs.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);
/// Clocks handled per run; the next run takes the rest.
const BATCH: u64 = 500;

/// Records SLA warnings and breaches.
pub(crate) struct SweepSla(pub(crate) App);

#[async_trait]
impl JobHandler for SweepSla {
    async fn run(&self, job: &JobContext, txn: &DatabaseTransaction) -> Result<(), JobError> {
        sweep(&self.0, txn, job.started_at)
            .await
            .map_err(|e| JobError::Retryable(e.to_string()))?;
        Ok(())
    }
}

/// The words for a target in a notification.
fn what(target: Target) -> &'static str {
    match target {
        Target::FirstResponse => "first reply",
        Target::Resolution => "resolution",
    }
}

/// One sweep at `now`; how many signals it recorded.
pub(crate) async fn sweep(
    app: &App,
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let mut recorded = 0;
    for mut due in sla::due(txn, now, BATCH).await? {
        let scope = system_scope(due.org_id);
        let mut signals = Vec::new();
        for target in [Target::FirstResponse, Target::Resolution] {
            let deadline = match target {
                Target::FirstResponse => &due.clocks.first_response,
                Target::Resolution => &due.clocks.resolution,
            };
            if let Some(signal) = due_signal(deadline, now) {
                signals.push((target, signal, deadline.due_at));
            }
        }
        for (target, signal, due_at) in &signals {
            note_signal(&mut due.clocks, *target, *signal, now);
            let kind = match signal {
                Signal::Warning => EventKind::SlaWarning,
                Signal::Breached => EventKind::SlaBreached,
            };
            let payload = json!({
                "conversation_id": due.conversation_id, "target": target, "due_at": due_at,
            });
            outbox::record(txn, scope, kind, payload, now).await?;
            if *signal == Signal::Breached {
                notify_assignee(app, txn, &due, *target, now).await?;
            }
            recorded += 1;
        }
        // A check that came with nothing to record (met meanwhile) moves on.
        reschedule(&mut due.clocks);
        sla::save_clocks(txn, scope, due.conversation_id, due.policy_id, &due.clocks).await?;
    }
    Ok(recorded)
}

async fn notify_assignee(
    app: &App,
    txn: &DatabaseTransaction,
    due: &sla::DueClock,
    target: Target,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let scope = system_scope(due.org_id);
    let conv = conversations::get(txn, scope, due.conversation_id).await?;
    let Some(user) = conv.assignee_id else {
        return Ok(());
    };
    let title = format!("SLA breached on conversation #{}", conv.number);
    let body = format!("The {} target has passed.", what(target));
    let link = format!("/inbox/conversations/{}", conv.id);
    app.tell_member(
        txn,
        scope,
        &NewNotification {
            user,
            kind: "sla.breached",
            title: &title,
            body: &body,
            link: Some(&link),
        },
        now,
    )
    .await?;
    Ok(())
}
