//! Adding an entry to a conversation: the conversation's aggregates (preview, last activity,
//! waiting time, first reply, counts) follow from the entry ([`apply`]), and the entry is
//! stored with its `message.created` outbox event ([`store`]) in the caller's transaction.
//! Activity lines ("Ana assigned this to Ben") carry their facts in `metadata.event` so the UI
//! can say them in the reader's language; `body` is the English fallback for API clients.

use super::preview;
use crate::authz::Actor;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use rapport_domain::MessageId;
use rapport_domain::event::EventKind;
use rapport_domain::inbox::{ConversationStatus, DeliveryStatus, Direction, MessageKind};
use rapport_store::outbox;
use rapport_store::repo::conversations::{self, ConversationRecord};
use rapport_store::repo::messages::{self, MessageRecord, Sender};
use rapport_store::{ConnectionTrait, OrgScope};
use serde_json::json;

/// Updates the conversation for a new entry. A customer's message reopens a pending, snoozed
/// or resolved conversation (the caller decided it continues this one).
pub(crate) fn apply(conv: &mut ConversationRecord, m: &MessageRecord) {
    conv.last_activity_at = m.created_at;
    conv.updated_at = m.created_at;
    match (m.kind, m.direction) {
        (MessageKind::Message, Direction::Incoming) => {
            conv.message_count += 1;
            conv.last_message_preview = Some(message_preview(m));
            conv.last_incoming_at = Some(m.created_at);
            conv.waiting_since.get_or_insert(m.created_at);
            if conv.status != ConversationStatus::Open {
                conv.status = ConversationStatus::Open;
                conv.snoozed_until = None;
            }
        }
        (MessageKind::Message, Direction::Outgoing) => {
            conv.message_count += 1;
            conv.last_message_preview = Some(message_preview(m));
            conv.first_reply_at.get_or_insert(m.created_at);
            conv.waiting_since = None;
        }
        (MessageKind::Note, _) => conv.message_count += 1,
        (MessageKind::Activity, _) => {}
    }
}

/// The list's one-line preview of a message: its text, or the names of its files when it is
/// only files.
fn message_preview(m: &MessageRecord) -> String {
    if !m.body.trim().is_empty() {
        return preview(&m.body);
    }
    let names: Vec<String> = super::attachments::listed(&m.metadata)
        .into_iter()
        .map(|f| f.filename)
        .collect();
    preview(&format!("📎 {}", names.join(", ")))
}

/// Stores the entry and its `message.created` event.
pub(crate) async fn store(
    txn: &impl ConnectionTrait,
    scope: OrgScope,
    conv: &ConversationRecord,
    m: &MessageRecord,
) -> AppResult<()> {
    messages::insert(txn, scope, m).await?;
    outbox::record(
        txn,
        scope,
        EventKind::MessageCreated,
        json!({
            "message_id": m.id,
            "conversation_id": conv.id,
            "inbox_id": conv.inbox_id,
            "kind": m.kind,
            "direction": m.direction,
        }),
        m.created_at,
    )
    .await?;
    Ok(())
}

/// Saves the conversation and moves its SLA clocks along (every conversation write goes
/// through here, so no caller can forget the clocks).
pub(crate) async fn save(
    txn: &impl ConnectionTrait,
    scope: OrgScope,
    conv: &ConversationRecord,
) -> AppResult<()> {
    conversations::save(txn, scope, conv).await?;
    crate::inbox::sla::track::track_sla(txn, scope, conv).await
}

/// Stores a new conversation and starts its SLA clocks.
pub(crate) async fn insert(
    txn: &impl ConnectionTrait,
    scope: OrgScope,
    conv: &ConversationRecord,
) -> AppResult<()> {
    conversations::insert(txn, scope, conv).await?;
    crate::inbox::sla::track::track_sla(txn, scope, conv).await
}

/// Writes a change to the conversation: applies and stores its activity line, saves the
/// conversation and records the change's event, all in the caller's transaction.
pub(crate) async fn record(
    txn: &impl ConnectionTrait,
    scope: OrgScope,
    conv: &mut ConversationRecord,
    line: MessageRecord,
    kind: EventKind,
    payload: serde_json::Value,
) -> AppResult<()> {
    apply(conv, &line);
    save(txn, scope, conv).await?;
    store(txn, scope, conv, &line).await?;
    outbox::record(txn, scope, kind, payload, line.created_at).await?;
    Ok(())
}

/// A new entry of `kind` from `sender`.
pub(crate) fn entry(
    conv: &ConversationRecord,
    kind: MessageKind,
    direction: Direction,
    sender: Sender,
    body: String,
    now: DateTime<Utc>,
) -> MessageRecord {
    MessageRecord {
        id: MessageId::new(),
        conversation_id: conv.id,
        kind,
        direction,
        sender,
        body,
        status: match (kind, direction) {
            (MessageKind::Message, Direction::Incoming) => DeliveryStatus::Received,
            (MessageKind::Message, Direction::Outgoing) => DeliveryStatus::Queued,
            _ => DeliveryStatus::Sent,
        },
        error: None,
        external_id: None,
        metadata: json!({}),
        created_at: now,
    }
}

/// An activity line: `event` names what happened (`status_changed`, `assigned` …), `facts`
/// the details the UI renders, `text` the English sentence.
pub(crate) fn line(
    conv: &ConversationRecord,
    sender: Sender,
    event: &str,
    facts: serde_json::Value,
    text: String,
    now: DateTime<Utc>,
) -> MessageRecord {
    let mut m = entry(
        conv,
        MessageKind::Activity,
        Direction::Outgoing,
        sender,
        text,
        now,
    );
    m.metadata = json!({ "event": event, "facts": facts });
    m
}

/// An activity line for a change `actor` made: a person's carries their id; an automation's
/// is the system's and names the rule, so the thread can say which rule did it.
pub(crate) fn line_by(
    actor: &Actor,
    conv: &ConversationRecord,
    event: &str,
    facts: serde_json::Value,
    text: String,
    now: DateTime<Utc>,
) -> MessageRecord {
    let mut m = line(conv, sender_of(actor), event, facts, text, now);
    if actor.is_system() {
        let rule = actor.automation_rule();
        m.metadata["automation"] = json!({ "rule_id": rule, "name": actor.name });
    }
    m
}

/// Who a thread entry is from when `actor` writes it.
pub(crate) fn sender_of(actor: &Actor) -> Sender {
    if actor.is_system() {
        Sender::System
    } else {
        Sender::User(actor.user_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_domain::inbox::Priority;
    use rapport_domain::{ContactId, ConversationId, InboxId, UserId};

    fn conv(status: ConversationStatus) -> ConversationRecord {
        let t = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        ConversationRecord {
            id: ConversationId::new(),
            number: 1,
            inbox_id: InboxId::new(),
            contact_id: ContactId::new(),
            subject: None,
            status,
            priority: Priority::None,
            assignee_id: None,
            team_id: None,
            snoozed_until: Some(t),
            last_activity_at: t,
            last_message_preview: None,
            last_incoming_at: None,
            first_reply_at: None,
            waiting_since: None,
            resolved_at: None,
            message_count: 0,
            created_at: t,
            updated_at: t,
        }
    }

    #[test]
    fn a_customer_message_reopens_and_starts_the_wait_a_reply_ends_it() {
        let mut c = conv(ConversationStatus::Snoozed);
        let t1 = c.created_at + chrono::Duration::minutes(5);
        let m = entry(
            &c,
            MessageKind::Message,
            Direction::Incoming,
            Sender::System,
            "Hi".into(),
            t1,
        );
        apply(&mut c, &m);
        assert_eq!(c.status, ConversationStatus::Open);
        assert_eq!(c.snoozed_until, None);
        assert_eq!(c.waiting_since, Some(t1));
        let t2 = t1 + chrono::Duration::minutes(3);
        let r = entry(
            &c,
            MessageKind::Message,
            Direction::Outgoing,
            Sender::User(UserId::new()),
            "Hello".into(),
            t2,
        );
        apply(&mut c, &r);
        assert_eq!(c.first_reply_at, Some(t2));
        assert_eq!(c.waiting_since, None);
        assert_eq!(c.message_count, 2);
        assert_eq!(c.last_message_preview.as_deref(), Some("Hello"));
        // A note counts but changes neither the wait nor the preview.
        let n = entry(
            &c,
            MessageKind::Note,
            Direction::Outgoing,
            Sender::System,
            "fyi".into(),
            t2,
        );
        apply(&mut c, &n);
        assert_eq!(c.last_message_preview.as_deref(), Some("Hello"));
        assert_eq!(c.message_count, 3);
    }
}
