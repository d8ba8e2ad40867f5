//! A member's in-app notifications: list (unread first), unread count, mark read. Every member
//! sees only their own, in the org they are signed in to; no permission beyond membership is
//! needed.

use crate::authz::Actor;
use crate::context::App;
use crate::error::AppResult;
use rapport_domain::NotificationId;
use rapport_store::repo::notifications::{self, NotificationCursor, NotificationRecord};

/// A page of notifications.
#[derive(Debug, Clone)]
pub struct NotificationPage {
    /// Unread first, then newest first.
    pub items: Vec<NotificationRecord>,
    /// Where the next page starts.
    pub next: Option<NotificationCursor>,
    /// How many are unread in all.
    pub unread: u64,
}

impl App {
    /// A page of the actor's notifications.
    pub async fn notifications(
        &self,
        actor: &Actor,
        after: Option<NotificationCursor>,
        limit: u64,
    ) -> AppResult<NotificationPage> {
        let db = self.db().conn();
        let limit = limit.clamp(1, 200);
        let mut items =
            notifications::list(db, actor.scope(), actor.user_id, after, limit + 1).await?;
        let next = if items.len() as u64 > limit {
            items.truncate(limit as usize);
            items.last().map(|n| NotificationCursor {
                unread: n.read_at.is_none(),
                created_at: n.created_at,
                id: n.id,
            })
        } else {
            None
        };
        let unread = notifications::unread_count(db, actor.scope(), actor.user_id).await?;
        Ok(NotificationPage {
            items,
            next,
            unread,
        })
    }

    /// Marks one of the actor's notifications read; returns it (for its link).
    pub async fn mark_notification_read(
        &self,
        actor: &Actor,
        id: NotificationId,
    ) -> AppResult<NotificationRecord> {
        Ok(notifications::mark_read(
            self.db().conn(),
            actor.scope(),
            actor.user_id,
            id,
            self.clock().now(),
        )
        .await?)
    }

    /// Marks all of the actor's notifications read; returns how many changed.
    pub async fn mark_all_notifications_read(&self, actor: &Actor) -> AppResult<u64> {
        Ok(notifications::mark_all_read(
            self.db().conn(),
            actor.scope(),
            actor.user_id,
            self.clock().now(),
        )
        .await?)
    }
}
