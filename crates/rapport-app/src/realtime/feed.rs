//! Feeds the realtime hub from the database.
//!
//! - **PostgreSQL**: a `LISTEN` session receives every committed outbox event (inserted by
//!   any process) and every presence signal; an event too large for a notification comes as
//!   its id, and ids that arrive together are read in one query. A lost connection is re-established and subscribers are told to resync.
//! - **SQLite**: one process owns the file, so the outbox is tailed by id every
//!   [`TAIL_INTERVAL`]. Ids are UUIDv7, monotonic within the process, and every writing
//!   transaction takes the write lock before it creates an event id (`Db::begin` is
//!   `IMMEDIATE`), so events commit in id order and a cursor misses none.

use super::{Presence, Signal};
use crate::context::App;
use crate::error::AppResult;
use rapport_domain::EventId;
use rapport_store::notify::{Listener, Notice};
use rapport_store::outbox;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often SQLite's outbox is looked at: the realtime delay an agent can notice at most.
pub const TAIL_INTERVAL: Duration = Duration::from_millis(20);
/// Events read per query.
const BATCH: u64 = 500;
/// Pause before retrying after the database failed.
const RETRY: Duration = Duration::from_secs(1);

/// Runs until `shutdown`, feeding `app.realtime()`.
pub async fn run(app: App, shutdown: CancellationToken) {
    loop {
        let result = match Listener::connect(app.db()).await {
            Ok(Some(listener)) => listen(&app, listener, &shutdown).await,
            Ok(None) => tail(&app, &shutdown).await,
            Err(err) => Err(err.into()),
        };
        if shutdown.is_cancelled() {
            return;
        }
        if let Err(err) = result {
            tracing::warn!(error = %err, "realtime feed failed; retrying");
        }
        app.realtime().publish(Signal::Resync);
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(RETRY) => {}
        }
    }
}

async fn listen(app: &App, mut listener: Listener, shutdown: &CancellationToken) -> AppResult<()> {
    loop {
        let first = tokio::select! {
            _ = shutdown.cancelled() => return Ok(()),
            notice = listener.recv() => notice?,
        };
        let mut ids = Vec::new();
        let mut next = Some(first);
        while let Some(notice) = next {
            match notice {
                Notice::Event(event) => app.realtime().publish(Signal::Event(Arc::new(*event))),
                Notice::EventId(id) => ids.push(id),
                Notice::Presence(json) => publish_presence(app, &json),
                Notice::Reconnected => app.realtime().publish(Signal::Resync),
            }
            next = listener.buffered();
        }
        for chunk in ids.chunks(BATCH as usize) {
            publish_events(app, outbox::by_ids(app.db().conn(), chunk).await?);
        }
    }
}

async fn tail(app: &App, shutdown: &CancellationToken) -> AppResult<()> {
    let mut cursor: Option<EventId> = outbox::newest_id(app.db().conn()).await?;
    let mut tick = tokio::time::interval(TAIL_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return Ok(()),
            _ = tick.tick() => {}
        }
        loop {
            let events = outbox::after(app.db().conn(), cursor, BATCH).await?;
            let full = events.len() as u64 == BATCH;
            if let Some(last) = events.last() {
                cursor = Some(last.id);
            }
            publish_events(app, events);
            if !full {
                break;
            }
        }
    }
}

fn publish_events(app: &App, events: Vec<rapport_domain::DomainEvent>) {
    for event in events {
        app.realtime().publish(Signal::Event(Arc::new(event)));
    }
}

fn publish_presence(app: &App, json: &str) {
    match serde_json::from_str::<Presence>(json) {
        Ok(p) => app.realtime().publish(Signal::Presence(Arc::new(p))),
        Err(err) => tracing::debug!(error = %err, "ignored a malformed presence signal"),
    }
}
