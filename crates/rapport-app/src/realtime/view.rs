//! What one agent's live stream may see: signals of their org, of the kinds the inbox screens
//! react to, and never their own presence. Event payloads carry ids only (conversation,
//! message, inbox), so a live update tells a screen *what* to reload, and the reload goes
//! through the ordinary, permission-checked reads.

use super::Signal;
use crate::authz::Actor;
use crate::context::App;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use rapport_domain::{OrgId, Permission, UserId};
use serde_json::{Value, json};

/// Event kinds (by prefix) that reach the inbox screens.
const LIVE_PREFIXES: [&str; 3] = ["conversation.", "message.", "inbox."];

/// A signal as one agent's screen receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveUpdate {
    /// The SSE event name: an event kind (`message.created`), `presence` or `resync`.
    pub name: String,
    /// The event id (for `Last-Event-ID`), when there is one.
    pub id: Option<String>,
    /// The data (JSON).
    pub data: Value,
}

/// The filter of one agent's stream.
#[derive(Debug, Clone)]
pub struct Viewer {
    org_id: OrgId,
    user_id: UserId,
}

impl App {
    /// Opens a live view for the actor (needs `conversations.read`).
    pub fn realtime_viewer(&self, actor: &Actor) -> AppResult<Viewer> {
        actor.require(Permission::ConversationsRead)?;
        Ok(Viewer {
            org_id: actor.org_id,
            user_id: actor.user_id,
        })
    }
}

impl Viewer {
    /// What the agent sees of a signal, if anything.
    pub fn view(&self, signal: &Signal) -> Option<LiveUpdate> {
        match signal {
            Signal::Event(e) => {
                let kind = e.kind.as_str();
                if e.org_id != self.org_id || !LIVE_PREFIXES.iter().any(|p| kind.starts_with(p)) {
                    return None;
                }
                Some(LiveUpdate {
                    name: kind.to_owned(),
                    id: Some(e.id.to_string()),
                    data: json!({ "at": e.occurred_at, "payload": e.payload }),
                })
            }
            Signal::Presence(p) => {
                if p.org_id != self.org_id || p.user_id == self.user_id {
                    return None;
                }
                Some(LiveUpdate {
                    name: "presence".to_owned(),
                    id: None,
                    data: json!({
                        "conversation_id": p.conversation_id,
                        "user_id": p.user_id,
                        "name": p.name,
                        "state": p.state,
                        "at": p.at,
                    }),
                })
            }
            Signal::Resync => Some(Self::resync()),
        }
    }

    /// Tells the screen it may have missed signals.
    pub fn resync() -> LiveUpdate {
        LiveUpdate {
            name: "resync".to_owned(),
            id: None,
            data: json!({}),
        }
    }

    /// The first message of a stream: it is attached from now on.
    pub fn ready(now: DateTime<Utc>) -> LiveUpdate {
        LiveUpdate {
            name: "ready".to_owned(),
            id: None,
            data: json!({ "at": now, "presence_ttl_secs": super::presence::PRESENCE_TTL_SECS }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::realtime::{Presence, PresenceState};
    use rapport_domain::{ConversationId, DomainEvent, EventId, EventKind};
    use std::sync::Arc;

    fn viewer() -> Viewer {
        Viewer {
            org_id: OrgId::new(),
            user_id: UserId::new(),
        }
    }

    fn event(org: OrgId, kind: EventKind) -> Signal {
        Signal::Event(Arc::new(DomainEvent {
            id: EventId::new(),
            org_id: org,
            kind,
            payload: json!({"conversation_id": "c"}),
            occurred_at: Utc::now(),
            depth: 0,
        }))
    }

    #[test]
    fn inbox_events_of_the_own_org_pass_and_nothing_else() {
        let v = viewer();
        let seen = v.view(&event(v.org_id, EventKind::MessageCreated));
        assert_eq!(
            seen.map(|u| u.name),
            Some(EventKind::MessageCreated.as_str().to_owned())
        );
        assert!(
            v.view(&event(OrgId::new(), EventKind::MessageCreated))
                .is_none()
        );
        assert!(
            v.view(&event(v.org_id, EventKind::ContactCreated))
                .is_none()
        );
    }

    #[test]
    fn presence_of_others_passes_but_not_ones_own() {
        let v = viewer();
        let mut p = Presence {
            org_id: v.org_id,
            conversation_id: ConversationId::new(),
            user_id: UserId::new(),
            name: "Ana".into(),
            state: PresenceState::Typing,
            at: Utc::now(),
        };
        assert!(v.view(&Signal::Presence(Arc::new(p.clone()))).is_some());
        p.user_id = v.user_id;
        assert!(v.view(&Signal::Presence(Arc::new(p.clone()))).is_none());
        p.user_id = UserId::new();
        p.org_id = OrgId::new();
        assert!(v.view(&Signal::Presence(Arc::new(p))).is_none());
    }
}
