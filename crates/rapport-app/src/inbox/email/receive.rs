//! One fetched message → the ingest pipeline, or quarantine.
//!
//! The bytes are parsed (`rapport_mail::parse`, limits per part), the sender and the
//! threading evidence read (our signed ids prove a conversation; other ids are parents), the
//! attachments staged in the blob store, and the normalized message handed to
//! [`App::ingest`]. The idempotency key is the Message-ID (or, for mail without one, the
//! content's digest), so a folder re-read after a `UIDVALIDITY` change, the same mail in two
//! folders, or a message deleted in Rapport and still in the mailbox is never stored twice.
//!
//! A message that cannot be stored (it does not parse, names no sender, the pipeline refuses
//! it) is quarantined with the reason, raw bytes sealed in the blob store, and the folder
//! reads on: one poisoned message never blocks an inbox. Only a database that does not answer
//! stops the batch ([`Receive::Retry`]), so nothing is quarantined for an outage.

use super::settings::EmailSettings;
use crate::context::App;
use crate::error::AppError;
use crate::inbox::attachments::NewFile;
use rapport_domain::inbox::IdempotencyKey;
use rapport_domain::inbox::attachment::{MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_MESSAGE};
use rapport_domain::inbox::channel::{
    Continuation, InboundMessage, MAX_MESSAGE_BYTES, MAX_SUBJECT_CHARS, MailThread, SenderIdentity,
};
use rapport_domain::{AttachmentId, ConversationId, Email};
use rapport_mail::{Automated, Limits, ParsedMail, ThreadRef};
use rapport_store::OrgScope;
use rapport_store::repo::inboxes::InboxRecord;
use rapport_store::repo::mail_sync::{self, Quarantined};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The longest external id kept (the column's width).
const MAX_EXTERNAL_ID: usize = 500;

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receive {
    /// Stored (or recognized as already stored).
    Stored,
    /// Not stored on purpose: our own mail coming back.
    Skipped,
    /// Kept in quarantine with the reason.
    Quarantined(String),
    /// The database did not answer: read this message again later.
    Retry(String),
}

/// The limits mail is parsed with: the message's text within what a message holds, files
/// within what an attachment may be.
pub(crate) fn limits() -> Limits {
    Limits {
        message_bytes: 50 * 1024 * 1024,
        attachment_bytes: MAX_ATTACHMENT_BYTES,
        body_bytes: MAX_MESSAGE_BYTES,
        attachments: MAX_ATTACHMENTS_PER_MESSAGE,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The key that makes a repeat of this mail a no-op: its Message-ID, or its bytes.
pub(crate) fn idempotency_key(
    message_id: Option<&str>,
    raw: &[u8],
) -> Result<IdempotencyKey, AppError> {
    let digest = match message_id.map(str::trim).filter(|m| !m.is_empty()) {
        Some(id) => hex(&Sha256::digest(id.as_bytes())),
        None => format!("raw.{}", hex(&Sha256::digest(raw))),
    };
    Ok(IdempotencyKey::parse(&format!("mail.{digest}"))?)
}

/// Parses a fetched message; an `Err` says why it cannot be read.
pub(crate) fn read(raw: &[u8]) -> Result<ParsedMail, AppError> {
    rapport_mail::parse(raw, &limits())
        .map_err(|e| AppError::Conflict(format!("the message cannot be read: {e}")))
}

fn bounded(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// How the thread evidence reads for the ingest pipeline.
pub(crate) fn continuation(key: &[u8], mail: &ParsedMail) -> Continuation {
    let refs = rapport_mail::thread::references(key, mail);
    let proven = refs.iter().find_map(|r| match r {
        ThreadRef::Ours(id) => Some(ConversationId::from_uuid(*id)),
        ThreadRef::External(_) => None,
    });
    let parents: Vec<String> = refs
        .iter()
        .filter_map(|r| match r {
            ThreadRef::External(id) => Some(bounded(id, MAX_EXTERNAL_ID)),
            ThreadRef::Ours(_) => None,
        })
        .collect();
    let reply_subject = match (&proven, parents.is_empty(), mail.subject.as_deref()) {
        (None, true, Some(subject)) => {
            let base = rapport_mail::thread::base_subject(subject);
            let marked = !base.is_empty() && base.trim() != subject.trim();
            marked.then_some(base)
        }
        _ => None,
    };
    Continuation::Mail(MailThread {
        proven,
        parents,
        reply_subject,
    })
}

fn addresses(list: &[rapport_mail::Mailbox]) -> Vec<String> {
    list.iter().filter_map(|m| m.address.clone()).collect()
}

/// What the message keeps besides its text.
fn metadata(mail: &ParsedMail, inline: &[(String, AttachmentId)]) -> Value {
    let automated = mail.automated.as_ref().map(|a| match a {
        Automated::AutoReply => json!({ "kind": "auto_reply" }),
        Automated::Bounce { failed } => json!({ "kind": "bounce", "failed": failed }),
        Automated::List => json!({ "kind": "list" }),
    });
    json!({
        "email": {
            "from": mail.from.as_ref().and_then(|m| m.address.clone()),
            "reply_to": mail.reply_to.as_ref().and_then(|m| m.address.clone()),
            "to": addresses(&mail.to),
            "cc": addresses(&mail.cc),
            "subject": mail.subject,
            "html": mail.html,
            "inline": inline.iter().map(|(cid, id)| json!({ "cid": cid, "attachment_id": id })).collect::<Vec<_>>(),
            "automated": automated,
            "notes": mail.notes,
        }
    })
}

/// Why a message could not be stored, for the admin's quarantine view.
pub(super) fn reason(e: &AppError) -> String {
    match e {
        AppError::Internal(detail) => detail.clone(),
        AppError::Invalid(errors) => errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
        AppError::InvalidInput(errors) => errors
            .iter()
            .map(|(f, m)| format!("{f}: {m}"))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

impl App {
    /// Whether the database answers (an error while storing a message is then about the
    /// message, and it is quarantined; otherwise it is read again later).
    async fn database_answers(&self) -> bool {
        use rapport_store::ConnectionTrait;
        self.db()
            .conn()
            .execute_unprepared("SELECT 1")
            .await
            .is_ok()
    }
}

impl App {
    /// Stores one fetched message, or quarantines it. `thread_key` is the org's
    /// (`Vault::mail_thread_key`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn receive_mail(
        &self,
        scope: OrgScope,
        inbox: &InboxRecord,
        settings: &EmailSettings,
        thread_key: &[u8],
        folder: &str,
        uid: u32,
        raw: &[u8],
        mail: Result<ParsedMail, AppError>,
    ) -> Receive {
        let stored = match mail {
            Ok(mail) => {
                self.store_parsed(scope, inbox, settings, thread_key, raw, mail)
                    .await
            }
            Err(e) => Err(e),
        };
        match stored {
            Ok(r) => r,
            Err(e @ AppError::Internal(_)) if !self.database_answers().await => {
                Receive::Retry(e.to_string())
            }
            Err(e) => {
                let reason = reason(&e);
                match self
                    .quarantine_mail(scope, inbox, folder, uid, raw, &reason)
                    .await
                {
                    Ok(()) => Receive::Quarantined(reason),
                    Err(e) => Receive::Retry(e.to_string()),
                }
            }
        }
    }

    /// Parses and ingests; an `Err` is why this message cannot be stored.
    pub(crate) async fn store_mail(
        &self,
        scope: OrgScope,
        inbox: &InboxRecord,
        settings: &EmailSettings,
        thread_key: &[u8],
        raw: &[u8],
    ) -> Result<Receive, AppError> {
        let mail = read(raw)?;
        self.store_parsed(scope, inbox, settings, thread_key, raw, mail)
            .await
    }

    /// Ingests a parsed message; an `Err` is why it cannot be stored.
    async fn store_parsed(
        &self,
        scope: OrgScope,
        inbox: &InboxRecord,
        settings: &EmailSettings,
        thread_key: &[u8],
        raw: &[u8],
        mail: ParsedMail,
    ) -> Result<Receive, AppError> {
        let from = mail
            .from
            .as_ref()
            .and_then(|m| m.address.as_deref())
            .or_else(|| mail.reply_to.as_ref().and_then(|m| m.address.as_deref()))
            .and_then(|a| Email::parse(a).ok())
            .ok_or_else(|| {
                AppError::Conflict("the message names no valid sender address".into())
            })?;
        // Our own mail coming back (a copy to the mailbox, a loop): never a customer's message,
        // and never taken for an agent's reply either.
        if from.as_str() == settings.address {
            return Ok(Receive::Skipped);
        }
        let key = idempotency_key(mail.message_id.as_deref(), raw)?;
        let mut files = Vec::new();
        let mut inline = Vec::new();
        for a in mail.attachments.iter().take(MAX_ATTACHMENTS_PER_MESSAGE) {
            if a.bytes.is_empty() {
                continue;
            }
            let record = self
                .stage_file(
                    scope,
                    None,
                    NewFile {
                        filename: &a.name,
                        content_type: Some(&a.content_type),
                        bytes: &a.bytes,
                    },
                )
                .await?;
            if let Some(cid) = &a.content_id {
                inline.push((cid.clone(), record.id));
            }
            files.push(record.id);
        }
        let sender = SenderIdentity {
            identifier: from.as_str().to_owned(),
            name: mail
                .from
                .as_ref()
                .and_then(|m| m.name.clone())
                .map(|n| bounded(n.trim(), 200))
                .filter(|n| !n.is_empty()),
            email: Some(from),
            phone: None,
        };
        // A delivery report quotes the headers of the reply that bounced: it joins that
        // reply's conversation, and the reply is marked failed.
        let bounced = match &mail.automated {
            Some(Automated::Bounce { failed }) => Some((
                rapport_mail::thread::ours_in(thread_key, raw),
                failed.clone(),
            )),
            _ => None,
        };
        let mut thread_hint = continuation(thread_key, &mail);
        if let (Some((ids, _)), Continuation::Mail(thread)) = (&bounced, &mut thread_hint)
            && thread.proven.is_none()
        {
            thread.proven = ids.first().map(|(c, _)| ConversationId::from_uuid(*c));
        }
        let message = InboundMessage {
            idempotency_key: key,
            sender,
            text: mail.text.trim_end().to_owned(),
            subject: mail
                .subject
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| bounded(s, MAX_SUBJECT_CHARS)),
            external_id: mail
                .message_id
                .as_deref()
                .map(|m| bounded(m.trim_matches(['<', '>']), MAX_EXTERNAL_ID)),
            sent_at: mail.date,
            thread: None,
            attachments: files,
            uploader: None,
            continuation: thread_hint,
            metadata: metadata(&mail, &inline),
        };
        self.ingest(scope, inbox, &message).await?;
        if let Some((ids, failed)) = bounced {
            self.mark_bounced(scope, &ids, &failed).await?;
        }
        Ok(Receive::Stored)
    }

    /// Marks our replies a delivery report names as failed (only a reply of the conversation
    /// its signed Message-ID names; already failed ones are left as they are).
    async fn mark_bounced(
        &self,
        scope: OrgScope,
        ids: &[(uuid::Uuid, uuid::Uuid)],
        failed: &[String],
    ) -> Result<(), AppError> {
        use rapport_domain::event::EventKind;
        use rapport_domain::inbox::{DeliveryStatus, Direction};
        use rapport_store::repo::messages;
        let reason = if failed.is_empty() {
            "bounced: the receiving mail server returned it".to_owned()
        } else {
            format!(
                "bounced: the receiving mail server returned it (undeliverable to {})",
                failed.join(", ")
            )
        };
        for (conversation, message) in ids {
            let txn = self.db().begin().await?;
            let id = rapport_domain::MessageId::from_uuid(*message);
            let ours = match messages::get(&txn, scope, id).await {
                Ok(m) => {
                    m.conversation_id.as_uuid() == *conversation
                        && m.direction == Direction::Outgoing
                        && m.status != DeliveryStatus::Failed
                }
                Err(rapport_store::StoreError::NotFound) => false,
                Err(e) => return Err(e.into()),
            };
            if ours {
                messages::set_delivery(
                    &txn,
                    scope,
                    id,
                    DeliveryStatus::Failed,
                    Some(&reason),
                    None,
                )
                .await?;
                rapport_store::outbox::record(
                    &txn,
                    scope,
                    EventKind::MessageUpdated,
                    json!({ "message_id": id, "conversation_id": conversation, "status": DeliveryStatus::Failed, "error": reason }),
                    self.clock().now(),
                )
                .await?;
            }
            txn.commit().await?;
        }
        Ok(())
    }

    /// Keeps `raw` (sealed in the blob store) with the reason it could not be stored.
    async fn quarantine_mail(
        &self,
        scope: OrgScope,
        inbox: &InboxRecord,
        folder: &str,
        uid: u32,
        raw: &[u8],
        reason: &str,
    ) -> Result<(), AppError> {
        let conn = self.db().conn();
        let org = scope.org_id();
        let address = self.vault().blob_address(conn, org, raw).await?;
        let now = self.clock().now();
        let record = Quarantined {
            id: uuid::Uuid::now_v7(),
            inbox_id: inbox.id,
            folder: folder.to_owned(),
            uid,
            blob: address.clone(),
            size: i64::try_from(raw.len()).unwrap_or(i64::MAX),
            error: reason.to_owned(),
            attempts: 1,
            created_at: now,
            updated_at: now,
        };
        // The bytes first, then the row that names them: once the row is listed, a retry can
        // read them. A blob sweep that runs between the two leaves a just-written file alone
        // (`BlobStore::remove_if_older`'s grace).
        let sealed = self.vault().seal_blob(conn, org, &address, raw).await?;
        self.blobs().write(org, &address, sealed).await?;
        mail_sync::quarantine(conn, scope, &record).await?;
        tracing::warn!(inbox = %inbox.id, folder, uid, reason, "mail quarantined");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_message_id_else_the_bytes() {
        let a = idempotency_key(Some("abc@example.com"), b"one").unwrap();
        let b = idempotency_key(Some("abc@example.com"), b"two").unwrap();
        assert_eq!(a, b, "the same Message-ID is the same mail");
        let c = idempotency_key(None, b"one").unwrap();
        let d = idempotency_key(None, b"two").unwrap();
        assert_ne!(c, d);
        assert!(c.as_str().contains("raw"), "{c:?}");
    }
}
