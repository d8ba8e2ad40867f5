//! The `inbox.deliver` job: hands a queued reply to its inbox's channel adapter and records
//! what the channel said (`sent` with the channel's id, or `failed` with the reason). It runs
//! in the job's transaction, so the status is written exactly once; the send itself happens at
//! least once, and adapters pass the message id to channels that deduplicate.

use crate::authz::system_scope;
use crate::context::App;
use async_trait::async_trait;
use rapport_domain::MessageId;
use rapport_domain::event::EventKind;
use rapport_domain::inbox::channel::{
    ChannelAccount, ChannelError, ChannelSecret, OutboundMessage,
};
use rapport_domain::inbox::{ChannelKind, DeliveryStatus};
use rapport_jobs::{JobContext, JobError, JobHandler};
use rapport_store::repo::{contacts, conversations, inboxes, messages};
use rapport_store::{DatabaseTransaction, OrgScope, StoreError, outbox};
use serde_json::json;

/// Job kind: deliver one reply.
pub const DELIVER_JOB: &str = "inbox.deliver";
/// Attempts before a temporary failure counts as final.
const MAX_ATTEMPTS: i32 = 8;
/// The most earlier channel ids a reply references.
const MAX_REFERENCES: u64 = 50;

/// Delivers replies.
pub(crate) struct DeliverReply(pub(crate) App);

#[async_trait]
impl JobHandler for DeliverReply {
    async fn run(&self, job: &JobContext, txn: &DatabaseTransaction) -> Result<(), JobError> {
        let org = job
            .org_id
            .ok_or_else(|| JobError::Permanent("a delivery job names its org".into()))?;
        let id: MessageId = job
            .payload
            .get("message_id")
            .and_then(|v| v.as_str())
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| JobError::Permanent("the payload names no message".into()))?;
        let scope = system_scope(org);
        let m = match messages::get(txn, scope, id).await {
            Ok(m) => m,
            // Deleted before it left (its conversation was deleted): nothing to send.
            Err(StoreError::NotFound) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        if m.status != DeliveryStatus::Queued {
            return Ok(());
        }
        let conv = conversations::get(txn, scope, m.conversation_id).await?;
        let inbox = inboxes::get(txn, scope, conv.inbox_id).await?;
        let secret = match &inbox.sealed_secret {
            Some(sealed) => Some(ChannelSecret::new(
                self.0
                    .open_inbox_secret(txn, org, inbox.id, sealed)
                    .await
                    .map_err(|e| JobError::Retryable(e.to_string()))?,
            )),
            None => None,
        };
        let outcome = match (
            self.0.adapter_for(inbox.channel),
            recipient(txn, scope, &inbox, conv.contact_id).await?,
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
                    references: messages::external_ids(txn, scope, conv.id, MAX_REFERENCES).await?,
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
        messages::set_delivery(
            txn,
            scope,
            m.id,
            status,
            error.as_deref(),
            external.as_deref(),
        )
        .await?;
        outbox::record(
            txn,
            scope,
            EventKind::MessageUpdated,
            json!({ "message_id": m.id, "conversation_id": conv.id, "status": status, "error": error }),
            self.0.clock().now(),
        )
        .await?;
        Ok(())
    }
}

/// The contact's identifier on the inbox's channel (an API inbox's identifiers are stored
/// qualified by the inbox id; the integration knows them unqualified).
async fn recipient(
    txn: &DatabaseTransaction,
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
