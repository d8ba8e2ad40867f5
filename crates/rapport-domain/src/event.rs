//! Domain events: the one way work fans out (realtime, automation, webhooks, audit, analytics).
//! They are written to the outbox in the same transaction as the change they describe.

use crate::id::{EventId, OrgId};
use chrono::{DateTime, Utc};

/// The kinds of domain event. The string form (`org.created`) is stable: webhooks and
/// automation rules match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum EventKind {
    /// An organization was created.
    #[serde(rename = "org.created")]
    OrgCreated,
    /// A user account was created.
    #[serde(rename = "user.created")]
    UserCreated,
    /// A user joined an organization with a role.
    #[serde(rename = "member.added")]
    MemberAdded,
    /// A user signed in.
    #[serde(rename = "session.created")]
    SessionCreated,
    /// A contact was created.
    #[serde(rename = "contact.created")]
    ContactCreated,
    /// A contact's fields changed.
    #[serde(rename = "contact.updated")]
    ContactUpdated,
    /// A contact was deleted.
    #[serde(rename = "contact.deleted")]
    ContactDeleted,
    /// Two contacts were merged into one.
    #[serde(rename = "contact.merged")]
    ContactsMerged,
    /// A contact import wrote its rows (one event per import, not one per contact).
    #[serde(rename = "contact.import_completed")]
    ImportCompleted,
    /// A company was created.
    #[serde(rename = "company.created")]
    CompanyCreated,
    /// A company's fields changed.
    #[serde(rename = "company.updated")]
    CompanyUpdated,
    /// A company was deleted.
    #[serde(rename = "company.deleted")]
    CompanyDeleted,
    /// A deal was created.
    #[serde(rename = "deal.created")]
    DealCreated,
    /// A deal's fields changed.
    #[serde(rename = "deal.updated")]
    DealUpdated,
    /// A deal moved to another stage (won and lost included).
    #[serde(rename = "deal.stage_changed")]
    DealStageChanged,
    /// A deal was deleted.
    #[serde(rename = "deal.deleted")]
    DealDeleted,
    /// A note was added to a record.
    #[serde(rename = "note.created")]
    NoteCreated,
    /// A task was created.
    #[serde(rename = "task.created")]
    TaskCreated,
    /// A task was marked done.
    #[serde(rename = "task.completed")]
    TaskCompleted,
    /// A task's reminder time arrived.
    #[serde(rename = "task.due")]
    TaskDue,
    /// An inbox was created.
    #[serde(rename = "inbox.created")]
    InboxCreated,
    /// An inbox's settings changed.
    #[serde(rename = "inbox.updated")]
    InboxUpdated,
    /// An inbox was deleted with its conversations.
    #[serde(rename = "inbox.deleted")]
    InboxDeleted,
    /// A conversation was opened (by an inbound message or an agent).
    #[serde(rename = "conversation.created")]
    ConversationCreated,
    /// A conversation's status, priority or labels changed.
    #[serde(rename = "conversation.updated")]
    ConversationUpdated,
    /// A conversation's assignee or team changed.
    #[serde(rename = "conversation.assigned")]
    ConversationAssigned,
    /// A message, note or activity line was added to a conversation.
    #[serde(rename = "message.created")]
    MessageCreated,
    /// A message's delivery status changed.
    #[serde(rename = "message.updated")]
    MessageUpdated,
    /// The customer rated a conversation (a satisfaction survey).
    #[serde(rename = "conversation.rated")]
    ConversationRated,
    /// An SLA deadline of a conversation passed its warning threshold.
    #[serde(rename = "sla.warning")]
    SlaWarning,
    /// An SLA deadline of a conversation passed.
    #[serde(rename = "sla.breached")]
    SlaBreached,
}

impl EventKind {
    /// Every kind.
    pub const ALL: &'static [EventKind] = &[
        Self::OrgCreated,
        Self::UserCreated,
        Self::MemberAdded,
        Self::SessionCreated,
        Self::ContactCreated,
        Self::ContactUpdated,
        Self::ContactDeleted,
        Self::ContactsMerged,
        Self::ImportCompleted,
        Self::CompanyCreated,
        Self::CompanyUpdated,
        Self::CompanyDeleted,
        Self::DealCreated,
        Self::DealUpdated,
        Self::DealStageChanged,
        Self::DealDeleted,
        Self::NoteCreated,
        Self::TaskCreated,
        Self::TaskCompleted,
        Self::TaskDue,
        Self::InboxCreated,
        Self::InboxUpdated,
        Self::InboxDeleted,
        Self::ConversationCreated,
        Self::ConversationUpdated,
        Self::ConversationAssigned,
        Self::MessageCreated,
        Self::MessageUpdated,
        Self::SlaWarning,
        Self::SlaBreached,
        Self::ConversationRated,
    ];

    /// The stable dotted name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrgCreated => "org.created",
            Self::UserCreated => "user.created",
            Self::MemberAdded => "member.added",
            Self::SessionCreated => "session.created",
            Self::ContactCreated => "contact.created",
            Self::ContactUpdated => "contact.updated",
            Self::ContactDeleted => "contact.deleted",
            Self::ContactsMerged => "contact.merged",
            Self::ImportCompleted => "contact.import_completed",
            Self::CompanyCreated => "company.created",
            Self::CompanyUpdated => "company.updated",
            Self::CompanyDeleted => "company.deleted",
            Self::DealCreated => "deal.created",
            Self::DealUpdated => "deal.updated",
            Self::DealStageChanged => "deal.stage_changed",
            Self::DealDeleted => "deal.deleted",
            Self::NoteCreated => "note.created",
            Self::TaskCreated => "task.created",
            Self::TaskCompleted => "task.completed",
            Self::TaskDue => "task.due",
            Self::InboxCreated => "inbox.created",
            Self::InboxUpdated => "inbox.updated",
            Self::InboxDeleted => "inbox.deleted",
            Self::ConversationCreated => "conversation.created",
            Self::ConversationUpdated => "conversation.updated",
            Self::ConversationAssigned => "conversation.assigned",
            Self::MessageCreated => "message.created",
            Self::MessageUpdated => "message.updated",
            Self::SlaWarning => "sla.warning",
            Self::ConversationRated => "conversation.rated",
            Self::SlaBreached => "sla.breached",
        }
    }

    /// Parses the dotted name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

/// One event as stored in the outbox and handed to subscribers.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DomainEvent {
    /// Unique id; subscribers use it to deduplicate.
    pub id: EventId,
    /// The tenant the event belongs to.
    pub org_id: OrgId,
    /// What happened.
    pub kind: EventKind,
    /// Event-specific data (ids, never secrets).
    pub payload: serde_json::Value,
    /// When the change was committed.
    pub occurred_at: DateTime<Utc>,
    /// How many automations in a row led to it: 0 for a person's or a channel's action, n + 1
    /// for a change an automation made while handling an event of depth n (loop protection).
    pub depth: u8,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for &k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
        }
    }
}
