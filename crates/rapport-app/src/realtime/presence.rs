//! Presence: who is viewing or typing in a conversation right now, so two agents do not
//! answer the same customer at once (collision detection). Presence is never stored: a
//! screen announces itself every few seconds while open, and a signal older than
//! [`PRESENCE_TTL_SECS`] is stale. On PostgreSQL it travels through `NOTIFY` to every process.

use super::Signal;
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use rapport_domain::{ConversationId, OrgId, Permission, UserId};
use rapport_store::Backend;
use rapport_store::repo::conversations;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Seconds after which a screen that stopped announcing itself is gone.
pub const PRESENCE_TTL_SECS: i64 = 30;
/// Longest display name sent along (NOTIFY payloads are bounded).
const NAME_CHARS: usize = 80;

/// What someone is doing in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PresenceState {
    /// The conversation is open on their screen.
    Viewing,
    /// They are writing a reply or note.
    Typing,
    /// They closed it.
    Left,
}

/// One presence signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    /// The org (signals never cross it).
    pub org_id: OrgId,
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Who.
    pub user_id: UserId,
    /// Their display name.
    pub name: String,
    /// What they do.
    pub state: PresenceState,
    /// When they said so.
    pub at: DateTime<Utc>,
}

impl App {
    /// Tells the colleagues' screens what the actor does in a conversation (needs
    /// `conversations.read` and a conversation of the actor's org).
    pub async fn announce_presence(
        &self,
        actor: &Actor,
        conversation: ConversationId,
        state: PresenceState,
    ) -> AppResult<()> {
        actor.require(Permission::ConversationsRead)?;
        conversations::get(self.db().conn(), actor.scope(), conversation).await?;
        let presence = Presence {
            org_id: actor.org_id,
            conversation_id: conversation,
            user_id: actor.user_id,
            name: actor.name.chars().take(NAME_CHARS).collect(),
            state,
            at: self.clock().now(),
        };
        match self.db().backend() {
            Backend::Postgres => {
                let json = serde_json::to_string(&presence)
                    .map_err(|e| AppError::Internal(format!("presence: {e}")))?;
                rapport_store::notify::send_presence(self.db(), &json).await?;
            }
            Backend::Sqlite => self
                .realtime()
                .publish(Signal::Presence(Arc::new(presence))),
        }
        Ok(())
    }
}
