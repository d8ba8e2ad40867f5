//! A conversation's thread (paged back in time), agents' replies and private notes.
//!
//! A reply is stored as `queued` with a `inbox.deliver` job in the same transaction, so it
//! leaves on its channel exactly when it was stored (the job records `sent` or `failed`). An
//! `Idempotency-Key` makes a retried reply a no-op. Replies and notes may carry files uploaded
//! before (see `attachments`). A note may mention colleagues: each is
//! notified and follows the conversation.

use super::conversations::{invalid, member_name};
use super::deliver::DELIVER_JOB;
use super::{activity, attachments};
use crate::authz::Actor;
use crate::context::App;
use crate::crm::markdown::{self, MAX_NOTE_BYTES};
use crate::crm::timeline::{decode_cursor, encode_cursor};
use crate::error::AppResult;
use rapport_domain::inbox::channel::message_text;
use rapport_domain::inbox::{Direction, IdempotencyKey, MessageKind};
use rapport_domain::{AttachmentId, ConversationId, MessageId, Permission, UserId};
use rapport_jobs::EnqueueOptions;
use rapport_store::DatabaseTransaction;
use rapport_store::repo::conversation_links;
use rapport_store::repo::conversations;
use rapport_store::repo::messages::{self, MessageRecord, Sender};
use rapport_store::repo::notifications::NewNotification;
use serde_json::json;

/// The default number of entries per thread page.
pub const DEFAULT_THREAD_PAGE: u64 = 50;
/// The most entries per thread page.
pub const MAX_THREAD_PAGE: u64 = 200;
/// The most colleagues one note mentions.
pub const MAX_MENTIONS: usize = 20;

/// A page of a thread, oldest first.
#[derive(Debug, Clone)]
pub struct ThreadPage {
    /// Entries in time order.
    pub items: Vec<MessageRecord>,
    /// Where the page of older entries ends (`None`: this page starts the thread).
    pub older_cursor: Option<String>,
}

/// What a reply did.
#[derive(Debug, Clone)]
pub struct ReplyOutcome {
    /// The stored reply.
    pub message: MessageRecord,
    /// The key was used before: this is the first reply, and nothing new was stored.
    pub duplicate: bool,
}

/// The HTML of a note (sanitized Markdown); messages are plain text, escaped by the page.
pub fn note_html(m: &MessageRecord) -> Option<String> {
    (m.kind == MessageKind::Note).then(|| markdown::render(&m.body))
}

impl App {
    /// A page of the thread (needs `conversations.read`): the latest entries, or those before
    /// `older` (a cursor from the previous page).
    pub async fn conversation_messages(
        &self,
        actor: &Actor,
        id: ConversationId,
        older: Option<&str>,
        limit: Option<u64>,
    ) -> AppResult<ThreadPage> {
        actor.require(Permission::ConversationsRead)?;
        let scope = actor.scope();
        let conn = self.db().conn();
        conversations::get(conn, scope, id).await?;
        let limit = limit
            .unwrap_or(DEFAULT_THREAD_PAGE)
            .clamp(1, MAX_THREAD_PAGE);
        let before = older
            .map(decode_cursor)
            .transpose()?
            .map(|(at, id)| (at, MessageId::from_uuid(id)));
        let mut items = messages::page(conn, scope, id, before, limit + 1).await?;
        let older_cursor = if items.len() as u64 > limit {
            items.remove(0);
            items
                .first()
                .map(|m| encode_cursor(m.created_at, m.id.as_uuid()))
        } else {
            None
        };
        Ok(ThreadPage {
            items,
            older_cursor,
        })
    }

    /// One entry of a conversation (needs `conversations.read`).
    pub async fn message(&self, actor: &Actor, id: MessageId) -> AppResult<MessageRecord> {
        actor.require(Permission::ConversationsRead)?;
        Ok(messages::get(self.db().conn(), actor.scope(), id).await?)
    }

    /// Sends a reply to the customer (needs `conversations.reply`).
    pub async fn reply(
        &self,
        actor: &Actor,
        id: ConversationId,
        text: &str,
        key: Option<&str>,
    ) -> AppResult<ReplyOutcome> {
        self.reply_with_files(actor, id, text, &[], key).await
    }

    /// Sends a reply with files the agent uploaded (needs `conversations.reply`); with files,
    /// the text may be empty.
    pub async fn reply_with_files(
        &self,
        actor: &Actor,
        id: ConversationId,
        text: &str,
        files: &[AttachmentId],
        key: Option<&str>,
    ) -> AppResult<ReplyOutcome> {
        actor.require(Permission::ConversationsReply)?;
        let text = text_or_files(text, files)?;
        let key = key.map(IdempotencyKey::parse).transpose()?;
        let scope = actor.scope();
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let mut conv = conversations::lock(&txn, scope, id).await?;
        let mut m = activity::entry(
            &conv,
            MessageKind::Message,
            Direction::Outgoing,
            Sender::User(actor.user_id),
            text,
            now,
        );
        if let Some(key) = &key {
            let reply_key = IdempotencyKey::parse(&format!("reply:{}", key.as_str()))
                .map_err(|_| invalid("idempotency_key", "at most 194 characters"))?;
            if !messages::claim_receipt(&txn, scope, conv.inbox_id, &reply_key, m.id, now).await? {
                txn.rollback().await?;
                let conn = self.db().conn();
                let first = messages::receipt(conn, scope, conv.inbox_id, &reply_key)
                    .await?
                    .ok_or(crate::error::AppError::NotFound)?;
                return Ok(ReplyOutcome {
                    message: messages::get(conn, scope, first).await?,
                    duplicate: true,
                });
            }
        }
        let uploader = Some(actor.user_id);
        let staged = attachments::staged(&txn, scope, files, uploader).await?;
        m.metadata = json!({});
        if !staged.is_empty() {
            m.metadata["attachments"] = attachments::listing(&staged);
        }
        activity::apply(&mut conv, &m);
        activity::save(&txn, scope, &conv).await?;
        activity::store(&txn, scope, &conv, &m).await?;
        attachments::attach(&txn, scope, &staged, uploader, m.id).await?;
        conversation_links::follow(&txn, scope, id, actor.user_id, now).await?;
        self.enqueue_delivery(&txn, actor.org_id, m.id).await?;
        txn.commit().await?;
        self.queue().wake();
        Ok(ReplyOutcome {
            message: m,
            duplicate: false,
        })
    }

    /// Queues the delivery of a reply stored in `txn` (once per message).
    pub(crate) async fn enqueue_delivery(
        &self,
        txn: &DatabaseTransaction,
        org: rapport_domain::OrgId,
        message: MessageId,
    ) -> AppResult<()> {
        let opts = EnqueueOptions {
            org_id: Some(org),
            max_attempts: 8,
            dedupe_key: Some(format!("deliver:{message}")),
            ..Default::default()
        };
        self.queue()
            .enqueue_in(txn, DELIVER_JOB, json!({ "message_id": message }), opts)
            .await?;
        Ok(())
    }

    /// Adds a private note (needs `conversations.reply`); `mentions` are notified and follow.
    pub async fn add_conversation_note(
        &self,
        actor: &Actor,
        id: ConversationId,
        body: &str,
        mentions: &[UserId],
    ) -> AppResult<MessageRecord> {
        self.add_note_with_files(actor, id, body, mentions, &[])
            .await
    }

    /// Adds a private note with files the agent uploaded; with files, the text may be empty.
    pub async fn add_note_with_files(
        &self,
        actor: &Actor,
        id: ConversationId,
        body: &str,
        mentions: &[UserId],
        files: &[AttachmentId],
    ) -> AppResult<MessageRecord> {
        actor.require(Permission::ConversationsReply)?;
        if body.len() > MAX_NOTE_BYTES {
            return Err(rapport_domain::DomainError::TooLong {
                field: "content",
                max: MAX_NOTE_BYTES,
            }
            .into());
        }
        let body = text_or_files(body, files)?;
        let mut mentioned: Vec<UserId> = mentions.to_vec();
        mentioned.sort();
        mentioned.dedup();
        if mentioned.len() > MAX_MENTIONS {
            return Err(invalid("mentions", "a note mentions at most 20 colleagues"));
        }
        let scope = actor.scope();
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let mut conv = conversations::lock(&txn, scope, id).await?;
        for u in &mentioned {
            member_name(&txn, scope, *u).await.map_err(|_| {
                invalid("mentions", "mentions must be members of this organization")
            })?;
        }
        let mut m = activity::entry(
            &conv,
            MessageKind::Note,
            Direction::Outgoing,
            Sender::User(actor.user_id),
            body,
            now,
        );
        let uploader = Some(actor.user_id);
        let staged = attachments::staged(&txn, scope, files, uploader).await?;
        m.metadata = json!({ "mentions": mentioned });
        if !staged.is_empty() {
            m.metadata["attachments"] = attachments::listing(&staged);
        }
        activity::apply(&mut conv, &m);
        activity::save(&txn, scope, &conv).await?;
        activity::store(&txn, scope, &conv, &m).await?;
        attachments::attach(&txn, scope, &staged, uploader, m.id).await?;
        conversation_links::follow(&txn, scope, id, actor.user_id, now).await?;
        let title = format!(
            "{} mentioned you in conversation #{}",
            actor.name, conv.number
        );
        let excerpt = markdown::excerpt(&m.body, 200);
        let link = format!("/inbox/conversations/{id}");
        for u in mentioned.iter().filter(|u| **u != actor.user_id) {
            conversation_links::follow(&txn, scope, id, *u, now).await?;
            self.tell_member(
                &txn,
                scope,
                &NewNotification {
                    user: *u,
                    kind: "conversation.mention",
                    title: &title,
                    body: &excerpt,
                    link: Some(&link),
                },
                now,
            )
            .await?;
        }
        txn.commit().await?;
        Ok(m)
    }
}

/// A message's text: required, unless the message carries files (then it may be empty).
fn text_or_files(text: &str, files: &[AttachmentId]) -> AppResult<String> {
    if text.trim().is_empty() && !files.is_empty() {
        return Ok(String::new());
    }
    Ok(message_text("content", text)?)
}
