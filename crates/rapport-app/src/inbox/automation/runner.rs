//! Running automation rules. The outbox dispatcher hands each batch of events to [`enqueue`],
//! which queues one `automation.run` job per event that some enabled rule of its org listens
//! to (deduplicated by event id, in the dispatcher's transaction, so each event is evaluated
//! once). The job loads the rules for the event's trigger in order and a snapshot of the
//! conversation's facts, and applies each matching rule's actions in a savepoint: a rule whose
//! action fails leaves nothing behind, is logged `failed`, and the other rules still run.
//!
//! Loop protection: the changes a rule makes are recorded at the event's depth + 1 (see
//! `outbox::with_depth`); for an event at [`MAX_DEPTH`] matching rules are not run but logged
//! `loop_stopped`, so two rules that trigger each other stop after three rounds.

use crate::authz::{Actor, system_scope};
use crate::context::App;
use crate::error::AppResult;
use crate::inbox::sla::track::work_clock;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::inbox::automation::{
    Facts, Field, MAX_DEPTH, RunOutcome, Trigger, any_condition_on, conditions_hold,
};
use rapport_domain::{AutomationRunId, ConversationId, DomainEvent, EventId, MessageId, OrgId};
use rapport_jobs::{EnqueueOptions, JobContext, JobError, JobHandler, Queue};
use rapport_store::repo::automation::{self, RuleRecord, RunRecord};
use rapport_store::repo::conversations::{self, ConversationRecord};
use rapport_store::repo::{contacts, conversation_links, inboxes, messages, sla};
use rapport_store::{DatabaseTransaction, OrgScope, StoreError, TransactionTrait, outbox};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Job kind: evaluate the rules for one event.
pub const RUN_JOB: &str = "automation.run";
/// Job kind: delete log entries past their retention.
pub const PRUNE_RUNS_JOB: &str = "automation.prune_runs";
/// How long the execution log is kept.
pub const KEEP_RUNS_DAYS: i64 = 30;

/// Queues a run for each event some enabled rule listens to (call in the dispatcher's
/// transaction).
pub(crate) async fn enqueue(
    queue: &Queue,
    txn: &DatabaseTransaction,
    events: &[DomainEvent],
) -> Result<(), StoreError> {
    let fired: Vec<(&DomainEvent, Trigger)> = events
        .iter()
        .filter_map(|e| Some((e, Trigger::for_event(e.kind, &e.payload)?)))
        .collect();
    if fired.is_empty() {
        return Ok(());
    }
    let mut orgs: Vec<OrgId> = fired.iter().map(|(e, _)| e.org_id).collect();
    orgs.sort();
    orgs.dedup();
    let listened = automation::triggers_in_use(txn, &orgs).await?;
    for (event, trigger) in fired {
        if !listened.contains(&(event.org_id, trigger)) {
            continue;
        }
        let payload = json!({
            "event_id": event.id, "trigger": trigger, "depth": event.depth,
            "payload": event.payload,
        });
        let opts = EnqueueOptions {
            org_id: Some(event.org_id),
            max_attempts: 3,
            dedupe_key: Some(format!("automation:{}", event.id)),
            ..Default::default()
        };
        queue.enqueue_in(txn, RUN_JOB, payload, opts).await?;
    }
    Ok(())
}

/// One queued evaluation (the time sweep makes one per due conversation, with a fresh id).
#[derive(serde::Deserialize)]
pub(super) struct Queued {
    pub(super) event_id: EventId,
    pub(super) trigger: Trigger,
    pub(super) depth: u8,
    pub(super) payload: Value,
}

/// Runs the rules for one event.
pub(crate) struct RunAutomation(pub(crate) App);

#[async_trait]
impl JobHandler for RunAutomation {
    async fn run(&self, job: &JobContext, txn: &DatabaseTransaction) -> Result<(), JobError> {
        let org = job
            .org_id
            .ok_or_else(|| JobError::Permanent("an automation job names its org".into()))?;
        let queued: Queued = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::Permanent(format!("malformed automation job: {e}")))?;
        self.0
            .run_rules(txn, org, &queued, job.started_at)
            .await
            .map_err(|e| JobError::Retryable(e.to_string()))
    }
}

/// Deletes execution log entries past their retention.
pub(crate) struct PruneRuns;

#[async_trait]
impl JobHandler for PruneRuns {
    async fn run(&self, job: &JobContext, txn: &DatabaseTransaction) -> Result<(), JobError> {
        let before = job.started_at - chrono::Duration::days(KEEP_RUNS_DAYS);
        automation::prune_runs(txn, before).await?;
        Ok(())
    }
}

fn id_in<T: std::str::FromStr>(payload: &Value, key: &str) -> Option<T> {
    payload[key].as_str().and_then(|s| s.parse().ok())
}

impl App {
    async fn run_rules(
        &self,
        txn: &DatabaseTransaction,
        org: OrgId,
        queued: &Queued,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let scope = system_scope(org);
        let rules = automation::enabled_for(txn, scope, queued.trigger).await?;
        let Some(conversation) = id_in::<ConversationId>(&queued.payload, "conversation_id") else {
            return Ok(());
        };
        if rules.is_empty() {
            return Ok(());
        }
        let conv = match conversations::get(txn, scope, conversation).await {
            Ok(c) => c,
            // Deleted since (with its inbox): nothing to act on.
            Err(StoreError::NotFound) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let message = id_in::<MessageId>(&queued.payload, "message_id");
        let hours = any_condition_on(
            rules.iter().flat_map(|r| &r.conditions),
            Field::BusinessHours,
        );
        let facts = load_facts(txn, scope, &conv, message, hours, now).await?;
        for rule in rules
            .iter()
            .filter(|r| conditions_hold(r.match_all, &r.conditions, &facts))
        {
            self.run_rule(txn, org, rule, conversation, queued, now)
                .await?;
        }
        Ok(())
    }

    /// Runs one matching rule for a conversation (or logs why not) and records the run.
    pub(super) async fn run_rule(
        &self,
        txn: &DatabaseTransaction,
        org: OrgId,
        rule: &RuleRecord,
        conversation: ConversationId,
        queued: &Queued,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let scope = system_scope(org);
        {
            let (outcome, detail) = if queued.depth >= MAX_DEPTH {
                (
                    RunOutcome::LoopStopped,
                    format!(
                        "not run: this event came from {} automations in a row",
                        queued.depth
                    ),
                )
            } else {
                self.apply_rule(txn, org, rule, conversation, queued, now)
                    .await?
            };
            let entry = RunRecord {
                id: AutomationRunId::new(),
                rule_id: rule.id,
                conversation_id: Some(conversation),
                event_id: queued.event_id,
                depth: queued.depth,
                outcome,
                detail,
                created_at: now,
            };
            automation::log_run(txn, scope, &entry).await?;
            if outcome == RunOutcome::LoopStopped {
                tracing::warn!(rule = %rule.id, conversation = %conversation, "automation loop stopped");
            }
        }
        Ok(())
    }

    /// Applies one rule's actions in a savepoint; what to log.
    async fn apply_rule(
        &self,
        txn: &DatabaseTransaction,
        org: OrgId,
        rule: &RuleRecord,
        conversation: ConversationId,
        queued: &Queued,
        now: DateTime<Utc>,
    ) -> AppResult<(RunOutcome, String)> {
        let actor = Actor::automation(org, rule.id, &rule.name);
        let savepoint = txn.begin().await?;
        let applied = outbox::with_depth(
            queued.depth + 1,
            self.apply_actions(&savepoint, &actor, conversation, &rule.actions, queued, now),
        )
        .await;
        match applied {
            Ok(done) => {
                savepoint.commit().await?;
                automation::count_run(txn, actor.scope(), rule.id, now).await?;
                Ok((RunOutcome::Applied, done.join(", ")))
            }
            Err(why) => {
                savepoint.rollback().await?;
                Ok((RunOutcome::Failed, why))
            }
        }
    }
}

/// Whole hours from `since` to `now` (none before it).
fn hours(since: DateTime<Utc>, now: DateTime<Utc>) -> u64 {
    u64::try_from((now - since).num_hours()).unwrap_or_default()
}

/// What the rules see of the conversation (once per event).
pub(super) async fn load_facts(
    txn: &DatabaseTransaction,
    scope: OrgScope,
    conv: &ConversationRecord,
    message: Option<MessageId>,
    business_hours: bool,
    now: DateTime<Utc>,
) -> AppResult<Facts> {
    let inbox = inboxes::get(txn, scope, conv.inbox_id).await?;
    let labels = conversation_links::labels(txn, scope, conv.id).await?;
    let content = match message {
        Some(id) => match messages::get(txn, scope, id).await {
            Ok(m) => Some(m.body),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let contact = contacts::get(txn, scope, conv.contact_id).await?;
    let contact_attributes: BTreeMap<String, String> = contact
        .data
        .custom
        .iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            (k.clone(), text)
        })
        .collect();
    Ok(Facts {
        status: conv.status,
        priority: conv.priority,
        inbox_id: conv.inbox_id,
        channel: inbox.channel,
        assignee_id: conv.assignee_id,
        team_id: conv.team_id,
        labels,
        content,
        subject: conv.subject.clone(),
        contact_email: contact.data.primary_email().map(str::to_owned),
        contact_name: Some(contact.display_name.clone()),
        contact_attributes,
        business_hours_open: !business_hours || business_hours_open(txn, scope, conv, now).await?,
        hours_since_activity: hours(conv.last_activity_at, now),
        hours_waiting: conv.waiting_since.map(|w| hours(w, now)),
    })
}

/// Whether `now` is within the hours of the SLA policy covering the conversation's inbox
/// (always, without a policy or with a round-the-clock one).
async fn business_hours_open(
    txn: &DatabaseTransaction,
    scope: OrgScope,
    conv: &ConversationRecord,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    Ok(match sla::for_inbox(txn, scope, conv.inbox_id).await? {
        Some(policy) => work_clock(&policy)?.is_open(now),
        None => true,
    })
}
