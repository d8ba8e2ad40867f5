//! The `inbox.deliver` job: hands a queued reply to its inbox's channel adapter and records
//! what the channel said (`sent` with the channel's id, or `failed` with the reason). The send
//! happens in the job's `prepare`, before its transaction opens (a slow channel never holds the
//! database's writer); the status is then written in the job's transaction, exactly once. The
//! send itself happens at least once, and adapters pass the message id to channels that
//! deduplicate (email: the same Message-ID on every attempt).

use crate::authz::system_scope;
use crate::context::App;
use async_trait::async_trait;
use rapport_domain::MessageId;
use rapport_domain::event::EventKind;
use rapport_domain::inbox::channel::{
    ChannelAccount, ChannelError, ChannelSecret, OutboundMessage,
};
use rapport_domain::inbox::{ChannelKind, DeliveryStatus};
use rapport_jobs::{JobContext, JobError, JobHandler, Prepared};
use rapport_store::repo::{contacts, conversations, inboxes, messages};
use rapport_store::{ConnectionTrait, DatabaseTransaction, OrgScope, StoreError, outbox};
use serde_json::json;

/// Job kind: deliver one reply.
pub const DELIVER_JOB: &str = "inbox.deliver";
/// Attempts before a temporary failure counts as final.
const MAX_ATTEMPTS: i32 = 8;
/// The most earlier channel ids a reply references.
const MAX_REFERENCES: u64 = 50;

/// Delivers replies.
pub(crate) struct DeliverReply(pub(crate) App);

/// What the channel said about one reply, for the job's transaction to record.
struct Delivered {
    message: MessageId,
    conversation: rapport_domain::ConversationId,
    status: DeliveryStatus,
    error: Option<String>,
    external: Option<String>,
}

fn target(job: &JobContext) -> Result<(rapport_domain::OrgId, MessageId), JobError> {
    let org = job
        .org_id
        .ok_or_else(|| JobError::Permanent("a delivery job names its org".into()))?;
    let id: MessageId = job
        .payload
        .get("message_id")
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| JobError::Permanent("the payload names no message".into()))?;
    Ok((org, id))
}

/// The reply, if it still waits to be sent.
async fn queued(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: MessageId,
) -> Result<Option<rapport_store::repo::messages::MessageRecord>, JobError> {
    match messages::get(db, scope, id).await {
        Ok(m) if m.status == DeliveryStatus::Queued => Ok(Some(m)),
        // Sent meanwhile, or deleted before it left (its conversation was deleted).
        Ok(_) | Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[async_trait]
impl JobHandler for DeliverReply {
    async fn run(&self, job: &JobContext, txn: &DatabaseTransaction) -> Result<(), JobError> {
        let prepared = self.prepare(job).await?;
        self.run_prepared(job, txn, prepared).await
    }

    /// Reads the reply and hands it to the channel before the job's transaction opens: a slow
    /// mail server must not hold SQLite's one writer.
    async fn prepare(&self, job: &JobContext) -> Result<Prepared, JobError> {
        let (org, id) = target(job)?;
        let scope = system_scope(org);
        let db = self.0.db().conn();
        let Some(m) = queued(db, scope, id).await? else {
            return Ok(Prepared::none());
        };
        let conv = conversations::get(db, scope, m.conversation_id).await?;
        let inbox = inboxes::get(db, scope, conv.inbox_id).await?;
        let secret = match &inbox.sealed_secret {
            Some(sealed) => Some(ChannelSecret::new(
                self.0
                    .open_inbox_secret(db, org, inbox.id, sealed)
                    .await
                    .map_err(|e| JobError::Retryable(e.to_string()))?,
            )),
            None => None,
        };
        let outcome = match (
            self.0.adapter_for(inbox.channel),
            recipient(db, scope, &inbox, conv.contact_id).await?,
        ) {
            (None, _) => Err(ChannelError::Rejected(
                "this inbox's channel cannot send from this server".into(),
            )),
            (_, None) => Err(ChannelError::Rejected(
                "the contact has no address on this inbox's channel".into(),
            )),
            (Some(adapter), Some(to)) => {
                let outbound = OutboundMessage {
                    message_id: m.id,
                    conversation_id: conv.id,
                    to,
                    text: m.body.clone(),
                    subject: conv.subject.clone(),
                    references: messages::external_ids(db, scope, conv.id, MAX_REFERENCES).await?,
                    attachments: m
                        .metadata
                        .get("attachments")
                        .and_then(|v| v.as_array())
                        .map(|files| {
                            files
                                .iter()
                                .filter_map(|f| f.get("id")?.as_str()?.parse().ok())
                                .collect()
                        })
                        .unwrap_or_default(),
                };
                let account = ChannelAccount {
                    org_id: org,
                    inbox_id: inbox.id,
                    settings: &inbox.settings,
                    secret: secret.as_ref(),
                };
                adapter.send(account, &outbound).await
            }
        };
        let (status, error, external) = match outcome {
            Ok(receipt) => (DeliveryStatus::Sent, None, receipt.external_id),
            Err(ChannelError::Rejected(reason)) => (DeliveryStatus::Failed, Some(reason), None),
            Err(ChannelError::Temporary(reason)) if job.attempt < MAX_ATTEMPTS => {
                return Err(JobError::Retryable(reason));
            }
            Err(ChannelError::Temporary(reason)) => (DeliveryStatus::Failed, Some(reason), None),
        };
        Ok(Prepared::new(Delivered {
            message: m.id,
            conversation: conv.id,
            status,
            error,
            external,
        }))
    }

    /// Records what the channel said, exactly once.
    async fn run_prepared(
        &self,
        job: &JobContext,
        txn: &DatabaseTransaction,
        prepared: Prepared,
    ) -> Result<(), JobError> {
        let Some(d) = prepared.take::<Delivered>() else {
            return Ok(());
        };
        let (org, _) = target(job)?;
        let scope = system_scope(org);
        if queued(txn, scope, d.message).await?.is_none() {
            return Ok(());
        }
        messages::set_delivery(
            txn,
            scope,
            d.message,
            d.status,
            d.error.as_deref(),
            d.external.as_deref(),
        )
        .await?;
        outbox::record(
            txn,
            scope,
            EventKind::MessageUpdated,
            json!({ "message_id": d.message, "conversation_id": d.conversation, "status": d.status, "error": d.error }),
            self.0.clock().now(),
        )
        .await?;
        Ok(())
    }
}

/// The contact's identifier on the inbox's channel (an API inbox's identifiers are stored
/// qualified by the inbox id; the integration knows them unqualified).
async fn recipient(
    txn: &impl ConnectionTrait,
    scope: OrgScope,
    inbox: &rapport_store::repo::inboxes::InboxRecord,
    contact: rapport_domain::ContactId,
) -> Result<Option<String>, JobError> {
    let record = contacts::get(txn, scope, contact).await?;
    let channel = inbox.channel.as_str();
    let prefix = format!("{}:", inbox.id);
    Ok(record
        .data
        .identities
        .iter()
        .filter(|i| i.channel == channel)
        .find_map(|i| match inbox.channel {
            ChannelKind::Api => i.identifier.strip_prefix(&prefix).map(str::to_owned),
            _ => Some(i.identifier.clone()),
        }))
}
