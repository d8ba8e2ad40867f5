//! Realtime: what agents' open screens learn without reloading. Committed domain events
//! (new messages, assignments, status changes) and presence (who is viewing or typing in a
//! conversation) are handed to every subscriber of this process's [`Realtime`] hub; the web
//! layer turns them into server-sent events, filtered by org and permission.
//!
//! The hub is fed by [`feed::run`]: on PostgreSQL from `LISTEN` (so an event committed by any
//! process sharing the database reaches every process), on SQLite by tailing the outbox.
//! Delivery is best effort: a subscriber that falls behind gets [`Signal::Resync`] and reloads
//! what it shows from the database, which stays the source of truth.

pub mod feed;
pub mod presence;
pub mod view;

use rapport_domain::DomainEvent;
use std::sync::Arc;
use tokio::sync::broadcast;

pub use presence::{Presence, PresenceState};
pub use view::{LiveUpdate, Viewer};

/// Signals a subscriber may miss before it is told to resynchronize.
const BUFFER: usize = 4096;

/// One thing that happened, for live screens.
#[derive(Debug, Clone)]
pub enum Signal {
    /// A committed domain event.
    Event(Arc<DomainEvent>),
    /// Someone is viewing, typing in or left a conversation.
    Presence(Arc<Presence>),
    /// Signals may have been lost (a listener reconnected): reload what is shown.
    Resync,
}

/// The process's realtime hub (cheap to clone).
#[derive(Debug, Clone)]
pub struct Realtime {
    tx: broadcast::Sender<Signal>,
}

impl Realtime {
    /// A hub with room for a burst per subscriber.
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(BUFFER);
        Self { tx }
    }

    /// Subscribes to signals from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.tx.subscribe()
    }

    pub(crate) fn publish(&self, signal: Signal) {
        // Nobody listening is fine: the signal only matters to screens that are open.
        let _ = self.tx.send(signal);
    }
}

impl Default for Realtime {
    fn default() -> Self {
        Self::new()
    }
}
