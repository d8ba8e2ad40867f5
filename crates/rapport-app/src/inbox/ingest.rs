//! The ingest pipeline, the hot path: an inbound message from any channel is stored exactly
//! once, with its contact and conversation, in one transaction.
//!
//! 1. **Claim the idempotency key** first (`inbound_receipts`, insert-or-nothing). A repeat
//!    finds the key taken and returns the first result, storing nothing. Two concurrent
//!    deliveries of one key cannot both pass: on PostgreSQL the second insert waits on the
//!    unique key until the first commits; SQLite's `BEGIN IMMEDIATE` runs them one at a time.
//! 2. **Resolve the contact** from the channel identity, else from the email address the
//!    channel knows (adding the identity), else create one.
//! 3. **Lock the contact's row**, then find the conversation the message continues (the thread
//!    the channel names, if it is this contact's in this inbox; else the latest one not closed,
//!    unless it is resolved and the inbox starts new conversations after resolve), or open one.
//! 4. **Store** the message, the conversation and the outbox events, and commit.
//!
//! A uniqueness conflict from a concurrent first message of the same new person (both tried to
//! create the contact) rolls back and runs again: the second run finds the contact.

use super::channels::{ApiInbound, normalize_api};
use super::{activity, attachments, continuation};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use rapport_domain::crm::{LifecycleStage, Phone};
use rapport_domain::event::EventKind;
use rapport_domain::inbox::channel::{Continuation, InboundMessage};
use rapport_domain::inbox::{ChannelKind, ConversationStatus, Direction, MessageKind, Priority};
use rapport_domain::{ContactId, ConversationId, InboxId, Permission};
use rapport_store::repo::contacts::{self, ContactData, EmailRow, IdentityRow, PhoneRow};
use rapport_store::repo::conversations::{self, ConversationRecord};
use rapport_store::repo::inboxes::{self, InboxRecord};
use rapport_store::repo::messages::{self, MessageRecord, Sender};
use rapport_store::{DatabaseTransaction, OrgScope, outbox};
use serde_json::json;

/// How many times a run that lost a uniqueness race is repeated.
const ATTEMPTS: usize = 3;
/// The counter conversation numbers come from.
pub(crate) const CONVERSATION_COUNTER: &str = "conversation";

/// What ingesting one message did.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestOutcome {
    /// The key was seen before: nothing was stored and these are the first delivery's results.
    pub duplicate: bool,
    /// The stored message (`None` for a repeat whose message was deleted since).
    pub message: Option<MessageRecord>,
    /// Its conversation.
    pub conversation: Option<ConversationRecord>,
    /// Whether this delivery opened the conversation.
    pub opened_conversation: bool,
}

/// How a channel identity is stored on the contact. API identifiers are the integration's own,
/// so they are qualified by the inbox: two API inboxes' "user-1" are different people.
fn identity(inbox: &InboxRecord, identifier: &str) -> IdentityRow {
    let identifier = match inbox.channel {
        ChannelKind::Api => format!("{}:{identifier}", inbox.id),
        _ => identifier.to_owned(),
    };
    IdentityRow {
        channel: inbox.channel.as_str().to_owned(),
        identifier,
    }
}

/// Splits "Ana Lima" into first and last name (the last word is the family name).
fn split_name(name: Option<&str>) -> (String, String) {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => (String::new(), String::new()),
        Some(n) => match n.rsplit_once(' ') {
            Some((first, last)) => (first.trim().to_owned(), last.to_owned()),
            None => (n.to_owned(), String::new()),
        },
    }
}

impl App {
    /// Ingests a message posted to an API inbox (needs `conversations.reply`: the caller is
    /// the org's integration, acting with a member's token). Another org's inbox is a 404
    /// whatever the post says; then the post is validated field by field.
    pub async fn ingest_api_message(
        &self,
        actor: &Actor,
        inbox: InboxId,
        key: &str,
        input: ApiInbound,
    ) -> AppResult<IngestOutcome> {
        actor.require(Permission::ConversationsReply)?;
        let scope = actor.scope();
        let record = inboxes::get(self.db().conn(), scope, inbox).await?;
        if record.channel != ChannelKind::Api {
            return Err(AppError::Conflict(
                "messages can be posted only to api inboxes; this inbox receives from its channel"
                    .into(),
            ));
        }
        let mut message = normalize_api(key, input)?;
        message.uploader = Some(actor.user_id);
        self.ingest(scope, &record, &message).await
    }

    /// Ingests one normalized message into `inbox` (channel adapters and the API call this).
    pub(crate) async fn ingest(
        &self,
        scope: OrgScope,
        inbox: &InboxRecord,
        message: &InboundMessage,
    ) -> AppResult<IngestOutcome> {
        // A repeat is answered from a read connection, without queueing for the writer (the
        // claim inside the transaction still settles a race with a concurrent first delivery).
        let claimed =
            messages::receipt(self.db().conn(), scope, inbox.id, &message.idempotency_key).await?;
        if claimed.is_some() {
            return self.repeat(scope, inbox, message).await;
        }
        match self.writer_lane() {
            Some(lane) => {
                let (app, inbox, message) = (self.clone(), inbox.clone(), message.clone());
                lane.run(async move { app.ingest_here(scope, &inbox, &message).await })
                    .await
            }
            None => self.ingest_here(scope, inbox, message).await,
        }
    }

    /// [`App::ingest`] on the caller's task, retrying a lost uniqueness race.
    async fn ingest_here(
        &self,
        scope: OrgScope,
        inbox: &InboxRecord,
        message: &InboundMessage,
    ) -> AppResult<IngestOutcome> {
        let mut attempt = 1;
        loop {
            match self.try_ingest(scope, inbox, message).await {
                Err(AppError::Conflict(_)) if attempt < ATTEMPTS => attempt += 1,
                other => return other,
            }
        }
    }

    async fn try_ingest(
        &self,
        scope: OrgScope,
        inbox: &InboxRecord,
        message: &InboundMessage,
    ) -> AppResult<IngestOutcome> {
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let entry_id = rapport_domain::MessageId::new();
        if !messages::claim_receipt(
            &txn,
            scope,
            inbox.id,
            &message.idempotency_key,
            entry_id,
            now,
        )
        .await?
        {
            txn.rollback().await?;
            return self.repeat(scope, inbox, message).await;
        }
        let contact = resolve_contact(&txn, scope, inbox, message, now).await?;
        contacts::lock(&txn, scope, contact).await?;
        let (mut conv, opened) = self
            .continue_or_open(&txn, scope, inbox, contact, message, now)
            .await?;
        let mut m = activity::entry(
            &conv,
            MessageKind::Message,
            Direction::Incoming,
            Sender::Contact(contact),
            message.text.clone(),
            now,
        );
        // The id the receipt names.
        m.id = entry_id;
        m.external_id = message.external_id.clone();
        if message.metadata.is_object() {
            m.metadata = message.metadata.clone();
        }
        if let Some(sent) = message.sent_at {
            m.metadata["sent_at"] = json!(sent);
        }
        let files =
            attachments::staged(&txn, scope, &message.attachments, message.uploader).await?;
        if !files.is_empty() {
            m.metadata["attachments"] = attachments::listing(&files);
        }
        let status_before = conv.status;
        activity::apply(&mut conv, &m);
        if opened {
            activity::insert(&txn, scope, &conv).await?;
            outbox::record(
                &txn,
                scope,
                EventKind::ConversationCreated,
                json!({ "conversation_id": conv.id, "inbox_id": inbox.id, "contact_id": contact }),
                now,
            )
            .await?;
        } else {
            activity::save(&txn, scope, &conv).await?;
            if status_before != conv.status {
                outbox::record(
                    &txn,
                    scope,
                    EventKind::ConversationUpdated,
                    json!({
                        "conversation_id": conv.id,
                        "changes": { "status": [status_before, conv.status] },
                    }),
                    now,
                )
                .await?;
            }
        }
        activity::store(&txn, scope, &conv, &m).await?;
        attachments::attach(&txn, scope, &files, message.uploader, m.id).await?;
        if opened {
            self.auto_assign(&txn, scope, inbox, &mut conv, now).await?;
        }
        txn.commit().await?;
        Ok(IngestOutcome {
            duplicate: false,
            message: Some(m),
            conversation: Some(conv),
            opened_conversation: opened,
        })
    }

    /// The first delivery's results for a repeated key.
    async fn repeat(
        &self,
        scope: OrgScope,
        inbox: &InboxRecord,
        message: &InboundMessage,
    ) -> AppResult<IngestOutcome> {
        let conn = self.db().conn();
        let id = messages::receipt(conn, scope, inbox.id, &message.idempotency_key)
            .await?
            .ok_or_else(|| AppError::Internal("a claimed receipt is not readable".into()))?;
        let stored = match messages::get(conn, scope, id).await {
            Ok(m) => Some(m),
            Err(rapport_store::StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        let conversation = match &stored {
            Some(m) => Some(conversations::get(conn, scope, m.conversation_id).await?),
            None => None,
        };
        Ok(IngestOutcome {
            duplicate: true,
            message: stored,
            conversation,
            opened_conversation: false,
        })
    }

    async fn continue_or_open(
        &self,
        txn: &DatabaseTransaction,
        scope: OrgScope,
        inbox: &InboxRecord,
        contact: ContactId,
        message: &InboundMessage,
        now: DateTime<Utc>,
    ) -> AppResult<(ConversationRecord, bool)> {
        if let Some(thread) = message.thread {
            let named = named_thread(txn, scope, thread).await?;
            match named {
                Some(c) if c.inbox_id == inbox.id && c.contact_id == contact => {
                    if c.status != ConversationStatus::Closed {
                        return Ok((c, false));
                    }
                }
                _ => {
                    return Err(rapport_domain::DomainError::Invalid {
                        field: "conversation_id",
                        reason: "no conversation of this contact in this inbox has this id",
                    }
                    .into());
                }
            }
        } else {
            let found = match &message.continuation {
                // Read and locked in one statement.
                Continuation::Latest => {
                    conversations::latest_not_closed(txn, scope, inbox.id, contact)
                        .await?
                        .filter(|c| continuation::continues(inbox, c))
                }
                Continuation::Mail(thread) => {
                    continuation::mail_thread(txn, scope, inbox, contact, thread, now).await?
                }
            };
            if let Some(c) = found {
                return Ok((c, false));
            }
        }
        let number = conversations::next_counter(txn, scope, CONVERSATION_COUNTER).await?;
        Ok((
            ConversationRecord {
                id: ConversationId::new(),
                number,
                inbox_id: inbox.id,
                contact_id: contact,
                subject: message.subject.clone(),
                status: ConversationStatus::Open,
                priority: Priority::None,
                assignee_id: None,
                team_id: inbox.team_id,
                snoozed_until: None,
                last_activity_at: now,
                last_message_preview: None,
                last_incoming_at: None,
                first_reply_at: None,
                waiting_since: None,
                resolved_at: None,
                message_count: 0,
                created_at: now,
                updated_at: now,
            },
            true,
        ))
    }
}

async fn named_thread(
    txn: &DatabaseTransaction,
    scope: OrgScope,
    id: ConversationId,
) -> AppResult<Option<ConversationRecord>> {
    // Read and locked in one statement.
    match conversations::lock(txn, scope, id).await {
        Ok(c) => Ok(Some(c)),
        Err(rapport_store::StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The contact the message is from: by channel identity, else by email (adding the identity),
/// else a new contact.
async fn resolve_contact(
    txn: &DatabaseTransaction,
    scope: OrgScope,
    inbox: &InboxRecord,
    message: &InboundMessage,
    now: DateTime<Utc>,
) -> AppResult<ContactId> {
    let ident = identity(inbox, &message.sender.identifier);
    if let Some((_, id)) = contacts::identity_owners(txn, scope, std::slice::from_ref(&ident))
        .await?
        .into_iter()
        .next()
    {
        return Ok(id);
    }
    let email = message.sender.email.as_ref().map(|e| e.as_str().to_owned());
    if let Some(email) = &email
        && let Some(id) = contacts::find_by_email(txn, scope, email).await?
    {
        contacts::add_identity(txn, scope, id, &ident, now).await?;
        return Ok(id);
    }
    let (first_name, last_name) = split_name(message.sender.name.as_deref());
    let data = ContactData {
        first_name,
        last_name,
        lifecycle_stage: LifecycleStage::Lead,
        source: Some(format!("{} inbox", inbox.channel)),
        emails: email
            .map(|e| {
                vec![EmailRow {
                    email: e,
                    is_primary: true,
                }]
            })
            .unwrap_or_default(),
        phones: new_contact_phone(message.sender.phone.as_deref()),
        identities: vec![ident],
        consent_ai: true,
        ..Default::default()
    };
    let id = ContactId::new();
    contacts::insert(txn, scope, id, &data, None, now).await?;
    outbox::record(
        txn,
        scope,
        EventKind::ContactCreated,
        json!({ "contact_id": id, "source": "inbox", "inbox_id": inbox.id }),
        now,
    )
    .await?;
    Ok(id)
}

/// The phone a channel sent for a new contact, as their primary number. Channels send E.164
/// (`+` and the country code); a number that does not parse is left out rather than refusing
/// the customer's message over it.
fn new_contact_phone(raw: Option<&str>) -> Vec<PhoneRow> {
    raw.and_then(|r| Phone::parse(r, None).ok())
        .map(|p| {
            vec![PhoneRow {
                e164: p.e164().to_owned(),
                raw: p.raw().to_owned(),
                label: None,
                is_primary: true,
            }]
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{new_contact_phone, split_name};

    #[test]
    fn a_new_contacts_phone_is_kept_when_it_parses() {
        let kept = new_contact_phone(Some("+1 415-555-0132"));
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].e164, "+14155550132");
        assert!(kept[0].is_primary);
        assert!(new_contact_phone(Some("call me maybe")).is_empty());
        assert!(new_contact_phone(None).is_empty());
    }

    #[test]
    fn names_split_on_the_last_space() {
        assert_eq!(
            split_name(Some("Ana Maria Lima")),
            ("Ana Maria".into(), "Lima".into())
        );
        assert_eq!(split_name(Some("Cher")), ("Cher".into(), String::new()));
        assert_eq!(split_name(None), (String::new(), String::new()));
    }
}
