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
}

impl EventKind {
    /// The stable dotted name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrgCreated => "org.created",
            Self::UserCreated => "user.created",
            Self::MemberAdded => "member.added",
            Self::SessionCreated => "session.created",
        }
    }

    /// Parses the dotted name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::OrgCreated,
            Self::UserCreated,
            Self::MemberAdded,
            Self::SessionCreated,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in [
            EventKind::OrgCreated,
            EventKind::UserCreated,
            EventKind::MemberAdded,
        ] {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
        }
    }
}
