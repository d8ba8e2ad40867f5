//! Fan-out of dispatched domain events to in-process subscribers (realtime views today;
//! webhooks and audit subscribe as they are built), and the outbox dispatcher job, which also
//! queues the automation runs for the events rules listen to.

use async_trait::async_trait;
use rapport_domain::DomainEvent;
use rapport_jobs::{JobContext, JobError, JobHandler, Queue};
use rapport_store::{DatabaseTransaction, outbox};
use std::sync::Arc;
use tokio::sync::broadcast;

/// Job kind of the outbox dispatcher.
pub const DISPATCH_JOB: &str = "outbox.dispatch";

/// Events dispatched per job run; the next run picks up the rest.
const BATCH: u64 = 500;

/// In-process broadcast of dispatched events. Slow subscribers miss events rather than block
/// the dispatcher; they resynchronize from the database.
#[derive(Debug, Clone)]
pub struct EventBus {
    tx: broadcast::Sender<Arc<DomainEvent>>,
}

impl EventBus {
    /// A bus with room for a burst of events per subscriber.
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(1024);
        Self { tx }
    }

    /// Subscribes to events dispatched from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<DomainEvent>> {
        self.tx.subscribe()
    }

    fn publish(&self, event: DomainEvent) {
        // No subscriber is not an error: the event is still recorded as dispatched.
        let _ = self.tx.send(Arc::new(event));
    }
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

/// The outbox dispatcher: hands pending events to subscribers in id order and marks them
/// dispatched in the job's transaction.
pub struct OutboxDispatcher {
    bus: EventBus,
    queue: Queue,
}

impl OutboxDispatcher {
    /// A dispatcher publishing on `bus` and queueing automation runs on `queue`.
    pub fn new(bus: EventBus, queue: Queue) -> Self {
        Self { bus, queue }
    }
}

#[async_trait]
impl JobHandler for OutboxDispatcher {
    async fn run(&self, job: &JobContext, txn: &DatabaseTransaction) -> Result<(), JobError> {
        let events = outbox::pending(txn, BATCH).await?;
        if events.is_empty() {
            return Ok(());
        }
        let ids: Vec<_> = events.iter().map(|e| e.id).collect();
        outbox::mark_dispatched(txn, &ids, job.started_at).await?;
        crate::inbox::automation::runner::enqueue(&self.queue, txn, &events).await?;
        metrics::counter!("rapport_events_dispatched_total").increment(events.len() as u64);
        for event in events {
            tracing::debug!(event = %event.id, kind = event.kind.as_str(), org = %event.org_id, "event dispatched");
            self.bus.publish(event);
        }
        Ok(())
    }
}
