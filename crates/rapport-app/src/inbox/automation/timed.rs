//! Time-based rules: a sweep every few minutes finds, for each enabled `time_based` rule, the
//! conversations it is due for (quiet or waiting longer than its thresholds, not yet handled
//! since their last activity) and runs it on each whose conditions hold, as an event-triggered
//! rule would run, at depth 0. A run is logged even when the conditions do not hold, so the
//! same quiet conversation is not looked at again until something happens in it.

use super::runner::{Queued, load_facts};
use crate::authz::system_scope;
use crate::context::App;
use crate::error::AppResult;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use rapport_domain::inbox::automation::{
    Condition, Field, Operator, RunOutcome, Trigger, any_condition_on, conditions_hold,
};
use rapport_domain::{AutomationRunId, EventId, OrgId};
use rapport_jobs::{JobContext, JobError, JobHandler};
use rapport_store::DatabaseTransaction;
use rapport_store::repo::automation::{self, RuleRecord, RunRecord};
use rapport_store::repo::automation_due::{self, Thresholds};
use rapport_store::repo::conversations;
use serde_json::json;

/// Job kind: run the time-based rules.
pub const SWEEP_JOB: &str = "automation.time_sweep";
/// How often the sweep runs.
pub const SWEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5 * 60);
/// Conversations one rule handles per sweep (the rest wait for the next).
const BATCH: u64 = 200;

/// The longest wait a rule's `greater_than` conditions on `field` ask for, as a cut-off.
fn cut_off(conditions: &[Condition], field: Field, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    conditions
        .iter()
        .filter(|c| c.field == field && c.operator == Operator::GreaterThan)
        .filter_map(|c| c.value.as_deref()?.parse::<i64>().ok())
        .max()
        // "More than 48 hours" in whole hours means at least 49 started hours ago.
        .map(|h| now - Duration::hours(h + 1))
}

/// The sweep.
pub(crate) struct SweepTimeRules(pub(crate) App);

#[async_trait]
impl JobHandler for SweepTimeRules {
    async fn run(&self, job: &JobContext, txn: &DatabaseTransaction) -> Result<(), JobError> {
        let rules = automation_due::time_rules(txn).await?;
        for (org, rule) in &rules {
            self.0
                .sweep_rule(txn, *org, rule, job.started_at)
                .await
                .map_err(|e| JobError::Retryable(e.to_string()))?;
        }
        Ok(())
    }
}

impl App {
    async fn sweep_rule(
        &self,
        txn: &DatabaseTransaction,
        org: OrgId,
        rule: &RuleRecord,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let scope = system_scope(org);
        let due = Thresholds {
            activity_before: cut_off(&rule.conditions, Field::HoursSinceActivity, now),
            waiting_before: cut_off(&rule.conditions, Field::HoursWaiting, now),
        };
        if due.activity_before.is_none() && due.waiting_before.is_none() {
            // Saved before the bound was enforced, or edited by hand: never sweep everything.
            return Ok(());
        }
        let ids = automation_due::due_conversations(txn, scope, rule.id, due, BATCH).await?;
        let hours = any_condition_on(rule.conditions.iter(), Field::BusinessHours);
        for id in ids {
            let conv = conversations::get(txn, scope, id).await?;
            let facts = load_facts(txn, scope, &conv, None, hours, now).await?;
            let queued = Queued {
                event_id: EventId::new(),
                trigger: Trigger::TimeBased,
                depth: 0,
                payload: json!({ "conversation_id": id }),
            };
            if conditions_hold(rule.match_all, &rule.conditions, &facts) {
                self.run_rule(txn, org, rule, id, &queued, now).await?;
            } else {
                let entry = RunRecord {
                    id: AutomationRunId::new(),
                    rule_id: rule.id,
                    conversation_id: Some(id),
                    event_id: queued.event_id,
                    depth: 0,
                    outcome: RunOutcome::Skipped,
                    detail: "conditions did not match".into(),
                    created_at: now,
                };
                automation::log_run(txn, scope, &entry).await?;
            }
        }
        Ok(())
    }
}
