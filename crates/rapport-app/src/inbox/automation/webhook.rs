//! The "call a webhook" action. Applying it only queues an `automation.webhook` job in the
//! rule's transaction (no network call while the conversation is locked, and nothing is sent
//! for a rule whose other actions failed). The job builds the JSON when it runs, from the
//! store (so the job table holds ids, not a copy of the conversation), signs it with the org's
//! secret (Standard Webhooks headers, see [`crate::webhooks`]) and POSTs it through the egress
//! guard in its prepare step, before its transaction opens (a slow receiver never holds
//! SQLite's one writer); the transaction then only writes the outcome. A receiver that fails (5xx, 408, 429, no answer) is retried with backoff for about an
//! hour under the same `webhook-id`; the end (delivered, or refused/given up with the reason)
//! is written to the rule's execution log.

use super::runner::Queued;
use crate::authz::{Actor, system_scope};
use crate::context::App;
use crate::error::AppResult;
use crate::webhooks::signed_headers;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rapport_domain::inbox::automation::{RunOutcome, Trigger};
use rapport_domain::{AutomationRuleId, AutomationRunId, ConversationId, EventId, MessageId};
use rapport_jobs::{EnqueueOptions, JobContext, JobError, JobHandler, Prepared};
use rapport_store::repo::automation::{self, RunRecord};
use rapport_store::repo::conversations::ConversationRecord;
use rapport_store::repo::messages::Sender;
use rapport_store::repo::{contacts, conversation_links, conversations, inboxes, messages};
use rapport_store::{ConnectionTrait, DatabaseTransaction, OrgScope, StoreError};
use rapport_vault::ExposeSecret;
use serde_json::{Value, json};

/// Job kind: deliver one webhook.
pub const WEBHOOK_JOB: &str = "automation.webhook";
/// Attempts before giving up (backoff from 2 s doubling to the hour cap: about 68 minutes).
const MAX_ATTEMPTS: i32 = 12;
/// How much of a refusing receiver's answer goes into the log.
const MAX_LOGGED_ANSWER: usize = 300;

/// What a queued delivery names.
#[derive(serde::Serialize, serde::Deserialize)]
struct Delivery {
    /// `webhook-id`: the same on every attempt.
    id: String,
    url: String,
    rule_id: AutomationRuleId,
    trigger: Trigger,
    event_id: EventId,
    depth: u8,
    conversation_id: ConversationId,
    message_id: Option<MessageId>,
}

impl App {
    /// Queues a delivery of the conversation to `url` (in the rule's transaction).
    pub(super) async fn queue_webhook(
        &self,
        txn: &DatabaseTransaction,
        actor: &Actor,
        conv: &ConversationRecord,
        url: &str,
        cause: &Queued,
    ) -> AppResult<()> {
        // Refuse now what the delivery would refuse (the policy may have changed since the
        // rule was saved), so the run log says so at once.
        super::check_target(&self.config().egress, url)?;
        let delivery = Delivery {
            id: format!("msg_{}", uuid::Uuid::now_v7().simple()),
            url: url.to_owned(),
            rule_id: actor.automation_rule().ok_or_else(|| {
                crate::error::AppError::Internal("a webhook action outside a rule".into())
            })?,
            trigger: cause.trigger,
            event_id: cause.event_id,
            depth: cause.depth,
            conversation_id: conv.id,
            message_id: cause.payload["message_id"]
                .as_str()
                .and_then(|s| s.parse().ok()),
        };
        let payload = serde_json::to_value(&delivery)
            .map_err(|e| crate::error::AppError::Internal(format!("webhook job: {e}")))?;
        let opts = EnqueueOptions {
            org_id: Some(actor.org_id),
            max_attempts: MAX_ATTEMPTS,
            ..Default::default()
        };
        self.queue()
            .enqueue_in(txn, WEBHOOK_JOB, payload, opts)
            .await?;
        Ok(())
    }
}

/// Delivers queued webhooks.
pub(crate) struct DeliverWebhook(pub(crate) App);

/// How one attempt ended.
enum Attempt {
    Delivered(String),
    Refused(String),
    Temporary(String),
}

/// What a delivery's prepare step found and did (before the job's transaction opened).
enum Prepped {
    /// The rule or the conversation was deleted since: nothing to send or log.
    Gone,
    /// The receiver was called.
    Tried(Attempt),
}

fn delivery_of(job: &JobContext) -> Result<(rapport_domain::OrgId, Delivery), JobError> {
    let org = job
        .org_id
        .ok_or_else(|| JobError::Permanent("a webhook job names its org".into()))?;
    let delivery: Delivery = serde_json::from_value(job.payload.clone())
        .map_err(|e| JobError::Permanent(format!("malformed webhook job: {e}")))?;
    Ok((org, delivery))
}

impl DeliverWebhook {
    /// Builds the body and calls the receiver, outside any transaction: a slow receiver never
    /// holds the database's writer (SQLite has one).
    async fn call(&self, job: &JobContext) -> Result<Prepped, JobError> {
        let (org, delivery) = delivery_of(job)?;
        let scope = system_scope(org);
        let conn = self.0.db().conn();
        // A rule deleted since takes its pending deliveries with it (and its log), and a
        // deleted conversation leaves nothing to describe.
        let rule = match automation::get(conn, scope, delivery.rule_id).await {
            Ok(r) => r,
            Err(StoreError::NotFound) => return Ok(Prepped::Gone),
            Err(e) => return Err(e.into()),
        };
        let conv = match conversations::get(conn, scope, delivery.conversation_id).await {
            Ok(c) => c,
            Err(StoreError::NotFound) => return Ok(Prepped::Gone),
            Err(e) => return Err(e.into()),
        };
        let now = job.started_at;
        let body = self
            .0
            .webhook_body(conn, scope, &delivery, &rule.name, &conv, now)
            .await
            .map_err(|e| JobError::Retryable(e.to_string()))?;
        let attempt = self
            .0
            .attempt(conn, scope, &delivery, &body, now)
            .await
            .map_err(|e| JobError::Retryable(e.to_string()))?;
        Ok(Prepped::Tried(attempt))
    }

    /// Writes how the attempt ended to the rule's log (or asks for another attempt).
    async fn record(
        &self,
        job: &JobContext,
        txn: &DatabaseTransaction,
        prepped: Prepped,
    ) -> Result<(), JobError> {
        let Prepped::Tried(attempt) = prepped else {
            return Ok(());
        };
        let (org, delivery) = delivery_of(job)?;
        let (outcome, detail) = match attempt {
            Attempt::Delivered(detail) => (RunOutcome::Delivered, detail),
            Attempt::Refused(detail) => (RunOutcome::Undelivered, detail),
            Attempt::Temporary(reason) if job.attempt < MAX_ATTEMPTS => {
                tracing::warn!(delivery = %delivery.id, attempt = job.attempt, %reason, "webhook delivery failed; will retry");
                return Err(JobError::Retryable(reason));
            }
            Attempt::Temporary(reason) => (
                RunOutcome::Undelivered,
                format!("gave up after {MAX_ATTEMPTS} attempts: {reason}"),
            ),
        };
        let entry = RunRecord {
            id: AutomationRunId::new(),
            rule_id: delivery.rule_id,
            conversation_id: Some(delivery.conversation_id),
            event_id: delivery.event_id,
            depth: delivery.depth,
            outcome,
            detail: format!("call_webhook: {detail}"),
            created_at: job.started_at,
        };
        automation::log_run(txn, system_scope(org), &entry).await?;
        Ok(())
    }
}

#[async_trait]
impl JobHandler for DeliverWebhook {
    async fn prepare(&self, job: &JobContext) -> Result<Prepared, JobError> {
        Ok(Prepared::new(self.call(job).await?))
    }

    async fn run_prepared(
        &self,
        job: &JobContext,
        txn: &DatabaseTransaction,
        prepared: Prepared,
    ) -> Result<(), JobError> {
        match prepared.take::<Prepped>() {
            Some(prepped) => self.record(job, txn, prepped).await,
            None => self.run(job, txn).await,
        }
    }

    async fn run(&self, job: &JobContext, txn: &DatabaseTransaction) -> Result<(), JobError> {
        // Called without a prepare step: the same work, the call made now.
        let prepped = self.call(job).await?;
        self.record(job, txn, prepped).await
    }
}

impl App {
    async fn attempt(
        &self,
        db: &impl ConnectionTrait,
        scope: OrgScope,
        delivery: &Delivery,
        body: &Value,
        now: DateTime<Utc>,
    ) -> AppResult<Attempt> {
        let body = serde_json::to_vec(body)
            .map_err(|e| crate::error::AppError::Internal(format!("webhook body: {e}")))?;
        let secret = self.vault().webhook_secret(db, scope.org_id()).await?;
        let headers = signed_headers(secret.expose_secret(), &delivery.id, now.timestamp(), &body)?;
        let egress = self.egress()?;
        Ok(match egress.post(&delivery.url, &headers, body).await {
            Ok(answer) if answer.is_success() => {
                Attempt::Delivered(format!("delivered (HTTP {})", answer.status))
            }
            Ok(answer) if matches!(answer.status, 408 | 429 | 500..=599) => {
                Attempt::Temporary(format!("HTTP {}", answer.status))
            }
            Ok(answer) => {
                let excerpt: String = answer.excerpt.chars().take(MAX_LOGGED_ANSWER).collect();
                let why = if (300..400).contains(&answer.status) {
                    "redirects are not followed".to_owned()
                } else {
                    excerpt.trim().to_owned()
                };
                Attempt::Refused(format!("refused with HTTP {}: {why}", answer.status))
            }
            Err(e) if e.is_temporary() => Attempt::Temporary(e.to_string()),
            Err(e) => Attempt::Refused(e.to_string()),
        })
    }

    /// The JSON a receiver gets: the rule, the conversation, its contact and the message that
    /// triggered the rule (when one did).
    async fn webhook_body(
        &self,
        txn: &impl ConnectionTrait,
        scope: OrgScope,
        delivery: &Delivery,
        rule_name: &str,
        conv: &ConversationRecord,
        now: DateTime<Utc>,
    ) -> AppResult<Value> {
        let inbox = inboxes::get(txn, scope, conv.inbox_id).await?;
        let labels = conversation_links::labels(txn, scope, conv.id).await?;
        let contact = contacts::get(txn, scope, conv.contact_id).await?;
        let message = match delivery.message_id {
            Some(id) => match messages::get(txn, scope, id).await {
                Ok(m) => Some(m),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let message = message.map(|m| {
            let (sender_type, sender_id) = match m.sender {
                Sender::Contact(id) => ("contact", Some(id.to_string())),
                Sender::User(id) => ("user", Some(id.to_string())),
                Sender::System => ("system", None),
            };
            json!({
                "id": m.id, "kind": m.kind, "direction": m.direction, "text": m.body,
                "sender": { "type": sender_type, "id": sender_id },
                "created_at": m.created_at,
            })
        });
        let public = self.config().public_url.trim_end_matches('/');
        Ok(json!({
            "type": "automation.rule_matched",
            "timestamp": now,
            "data": {
                "rule": { "id": delivery.rule_id, "name": rule_name, "trigger": delivery.trigger },
                "event_id": delivery.event_id,
                "conversation": {
                    "id": conv.id, "number": conv.number, "subject": conv.subject,
                    "status": conv.status, "priority": conv.priority,
                    "inbox": { "id": inbox.id, "name": inbox.name, "channel": inbox.channel },
                    "assignee_id": conv.assignee_id, "team_id": conv.team_id, "labels": labels,
                    "created_at": conv.created_at, "last_activity_at": conv.last_activity_at,
                    "url": format!("{public}/inbox/conversations/{}", conv.id),
                },
                "contact": {
                    "id": contact.id, "name": contact.display_name,
                    "email": contact.data.primary_email(), "phone": contact.data.primary_phone(),
                },
                "message": message,
            }
        }))
    }
}
