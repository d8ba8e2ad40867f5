//! Cross-process wake-ups on PostgreSQL: `LISTEN`/`NOTIFY`.
//!
//! Every outbox insert notifies [`OUTBOX_CHANNEL`] with the event's id (a trigger, see the
//! `outbox_notify` migration). PostgreSQL delivers a notification only when its transaction
//! commits, in commit order, to every listening session, so each `serve` process learns of
//! every committed event at once and none of an aborted one. Presence (who views or types in
//! a conversation) is never stored: it travels on [`PRESENCE_CHANNEL`] alone.
//!
//! SQLite has no such mechanism; there is only one process, which tails the outbox instead
//! (`outbox::after`).

use crate::connect::{Backend, Db};
use crate::error::{StoreError, StoreResult};
use rapport_domain::EventId;
use sea_orm::{ConnectionTrait, Statement};
use sqlx::postgres::PgListener;

/// Channel carrying the ids of committed outbox events.
pub const OUTBOX_CHANNEL: &str = "rapport_outbox";
/// Channel carrying presence signals (JSON).
pub const PRESENCE_CHANNEL: &str = "rapport_presence";
/// PostgreSQL refuses payloads of 8,000 bytes or more.
pub const MAX_PAYLOAD: usize = 7_900;

/// What arrived on a listening connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// An outbox event committed.
    Event(EventId),
    /// A presence signal (the JSON a process sent with [`send_presence`]).
    Presence(String),
    /// The connection was lost and re-established: notifications in between are gone, so
    /// whoever relies on them should resynchronize.
    Reconnected,
}

/// A session listening on both channels (PostgreSQL only).
pub struct Listener {
    inner: PgListener,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener").finish_non_exhaustive()
    }
}

impl Listener {
    /// Starts listening; `None` on SQLite, which has no notifications.
    pub async fn connect(db: &Db) -> StoreResult<Option<Self>> {
        if db.backend() != Backend::Postgres {
            return Ok(None);
        }
        let pool = db.conn().get_postgres_connection_pool();
        let mut inner = PgListener::connect_with(pool).await.map_err(listen_error)?;
        inner
            .listen_all([OUTBOX_CHANNEL, PRESENCE_CHANNEL])
            .await
            .map_err(listen_error)?;
        Ok(Some(Self { inner }))
    }

    /// Waits for the next notice. Notifications on unknown channels or with a malformed event
    /// id are skipped (another version of Rapport may share the database during an upgrade).
    pub async fn recv(&mut self) -> StoreResult<Notice> {
        loop {
            let Some(n) = self.inner.try_recv().await.map_err(listen_error)? else {
                return Ok(Notice::Reconnected);
            };
            if let Some(notice) = parse(n.channel(), n.payload()) {
                return Ok(notice);
            }
        }
    }

    /// A notice already received and buffered, without waiting (to drain a burst at once).
    pub fn buffered(&mut self) -> Option<Notice> {
        while let Some(n) = self.inner.next_buffered() {
            if let Some(notice) = parse(n.channel(), n.payload()) {
                return Some(notice);
            }
        }
        None
    }
}

fn parse(channel: &str, payload: &str) -> Option<Notice> {
    match channel {
        OUTBOX_CHANNEL => uuid::Uuid::parse_str(payload)
            .ok()
            .map(|id| Notice::Event(EventId::from_uuid(id))),
        PRESENCE_CHANNEL => Some(Notice::Presence(payload.to_owned())),
        _ => None,
    }
}

/// Sends a presence signal to every listening process (PostgreSQL only; SQLite callers hand
/// it to their own process directly).
pub async fn send_presence(db: &Db, payload: &str) -> StoreResult<()> {
    if payload.len() > MAX_PAYLOAD {
        return Err(StoreError::Corrupt(format!(
            "presence payload of {} bytes exceeds {MAX_PAYLOAD}",
            payload.len()
        )));
    }
    db.conn()
        .execute_raw(Statement::from_sql_and_values(
            db.db_backend(),
            "SELECT pg_notify($1, $2)",
            [PRESENCE_CHANNEL.into(), payload.into()],
        ))
        .await?;
    Ok(())
}

fn listen_error(err: sqlx::Error) -> StoreError {
    StoreError::Db(sea_orm::DbErr::Custom(format!("LISTEN failed: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_are_read_from_known_channels_only() {
        let id = EventId::new();
        assert_eq!(
            parse(OUTBOX_CHANNEL, &id.as_uuid().to_string()),
            Some(Notice::Event(id))
        );
        assert_eq!(parse(OUTBOX_CHANNEL, "not an id"), None);
        assert_eq!(
            parse(PRESENCE_CHANNEL, "{}"),
            Some(Notice::Presence("{}".into()))
        );
        assert_eq!(parse("other", "x"), None);
    }
}
