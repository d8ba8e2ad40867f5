//! Cross-process wake-ups on PostgreSQL: `LISTEN`/`NOTIFY`.
//!
//! Every outbox insert notifies [`OUTBOX_CHANNEL`] with the event as JSON, or only its id when
//! the event is too large for a notification (a trigger, see the `outbox_notify` migration). PostgreSQL delivers a notification only when its transaction
//! commits, in commit order, to every listening session, so each `serve` process learns of
//! every committed event at once and none of an aborted one. Presence (who views or types in
//! a conversation) is never stored: it travels on [`PRESENCE_CHANNEL`] alone.
//!
//! SQLite has no such mechanism; there is only one process, which tails the outbox instead
//! (`outbox::after`).

use crate::connect::{Backend, Db};
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use rapport_domain::{DomainEvent, EventId, EventKind, OrgId};
use sea_orm::{ConnectionTrait, Statement};
use sqlx::postgres::PgListener;

/// Channel carrying the ids of committed outbox events.
pub const OUTBOX_CHANNEL: &str = "rapport_outbox";
/// Channel carrying presence signals (JSON).
pub const PRESENCE_CHANNEL: &str = "rapport_presence";
/// PostgreSQL refuses payloads of 8,000 bytes or more.
pub const MAX_PAYLOAD: usize = 7_900;

/// What arrived on a listening connection.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// An outbox event committed.
    Event(Box<DomainEvent>),
    /// An outbox event committed that was too large to travel along: read it by id.
    EventId(EventId),
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

/// An event as the trigger spells it.
#[derive(serde::Deserialize)]
struct Notified {
    id: uuid::Uuid,
    org_id: uuid::Uuid,
    kind: String,
    payload: serde_json::Value,
    created_at: DateTime<Utc>,
    /// Absent in notifications sent before the depth column existed.
    #[serde(default)]
    depth: i16,
}

fn parse(channel: &str, payload: &str) -> Option<Notice> {
    match channel {
        OUTBOX_CHANNEL if payload.starts_with('{') => {
            let n: Notified = serde_json::from_str(payload).ok()?;
            Some(Notice::Event(Box::new(DomainEvent {
                id: EventId::from_uuid(n.id),
                org_id: OrgId::from_uuid(n.org_id),
                kind: EventKind::parse(&n.kind)?,
                payload: n.payload,
                occurred_at: n.created_at,
                depth: crate::outbox::depth_of(n.depth),
            })))
        }
        OUTBOX_CHANNEL => uuid::Uuid::parse_str(payload)
            .ok()
            .map(|id| Notice::EventId(EventId::from_uuid(id))),
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
            Some(Notice::EventId(id))
        );
        assert_eq!(parse(OUTBOX_CHANNEL, "not an id"), None);
        assert_eq!(
            parse(PRESENCE_CHANNEL, "{}"),
            Some(Notice::Presence("{}".into()))
        );
        assert_eq!(parse("other", "x"), None);
    }

    #[test]
    fn an_event_carried_whole_is_read_as_postgresql_spells_it() {
        let id = EventId::new();
        let org = OrgId::new();
        let text = format!(
            r#"{{"id" : "{}", "org_id" : "{}", "kind" : "message.created", "payload" : {{"message_id": "m"}}, "created_at" : "2026-11-28T02:00:01.123456+00:00"}}"#,
            id.as_uuid(),
            org.as_uuid()
        );
        let Some(Notice::Event(e)) = parse(OUTBOX_CHANNEL, &text) else {
            panic!("not read as an event");
        };
        assert_eq!((e.id, e.org_id), (id, org));
        assert_eq!(e.kind, EventKind::MessageCreated);
        assert_eq!(e.payload["message_id"], "m");
        assert_eq!(parse(OUTBOX_CHANNEL, r#"{"id": "x"}"#), None);
    }
}
