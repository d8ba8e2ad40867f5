//! The transactional outbox. A use case writes its change and the event describing it in one
//! transaction ([`record`]); the dispatcher job later hands pending events to subscribers and
//! marks them dispatched. Delivery is at-least-once: subscribers deduplicate by event id.
//!
//! Every event carries its causal depth (how many automations in a row led to it). The
//! automation runner wraps the changes it makes in [`with_depth`]; [`record`] reads the depth
//! from there, so no use case has to pass it along.

use crate::entity::outbox_event;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{DomainEvent, EventId, EventKind, OrgId};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

tokio::task_local! {
    static DEPTH: u8;
}

/// Runs `work` so that every event it records carries `depth`.
pub async fn with_depth<F: std::future::Future>(depth: u8, work: F) -> F::Output {
    DEPTH.scope(depth, work).await
}

/// The depth of events recorded now: set by [`with_depth`], else 0.
pub fn current_depth() -> u8 {
    DEPTH.try_with(|d| *d).unwrap_or(0)
}

/// A stored depth as the domain counts it (a negative or huge value, which nothing writes,
/// reads as the largest depth so it can never start a chain of automations).
pub(crate) fn depth_of(stored: i16) -> u8 {
    u8::try_from(stored).unwrap_or(u8::MAX)
}

/// Writes an event for the scoped org. Call it with the same transaction as the change.
pub async fn record(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    kind: EventKind,
    payload: serde_json::Value,
    now: DateTime<Utc>,
) -> StoreResult<EventId> {
    let id = EventId::new();
    let model = outbox_event::ActiveModel {
        id: Set(id.as_uuid()),
        org_id: Set(scope.uuid()),
        kind: Set(kind.as_str().to_owned()),
        payload: Set(payload),
        created_at: Set(now),
        dispatched_at: Set(None),
        depth: Set(i16::from(current_depth())),
    };
    outbox_event::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    Ok(id)
}

/// The oldest `limit` undispatched events, across all orgs (the dispatcher is a system job).
pub async fn pending(db: &impl ConnectionTrait, limit: u64) -> StoreResult<Vec<DomainEvent>> {
    let rows = outbox_event::Entity::find()
        .filter(outbox_event::Column::DispatchedAt.is_null())
        .order_by_asc(outbox_event::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    rows.into_iter().map(to_event).collect()
}

/// Up to `limit` events recorded after `cursor` (by id, so in recording order), across all
/// orgs: how a process tails the outbox for realtime fan-out when the database cannot notify.
pub async fn after(
    db: &impl ConnectionTrait,
    cursor: Option<EventId>,
    limit: u64,
) -> StoreResult<Vec<DomainEvent>> {
    let mut query = outbox_event::Entity::find();
    if let Some(cursor) = cursor {
        query = query.filter(outbox_event::Column::Id.gt(cursor.as_uuid()));
    }
    let rows = query
        .order_by_asc(outbox_event::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    rows.into_iter().map(to_event).collect()
}

/// The events with these ids, in id order (what a notification named).
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[EventId]) -> StoreResult<Vec<DomainEvent>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = outbox_event::Entity::find()
        .filter(outbox_event::Column::Id.is_in(ids.iter().map(EventId::as_uuid)))
        .order_by_asc(outbox_event::Column::Id)
        .all(db)
        .await?;
    rows.into_iter().map(to_event).collect()
}

/// The newest event's id: where a tail starts so it hands on only what happens from now.
pub async fn newest_id(db: &impl ConnectionTrait) -> StoreResult<Option<EventId>> {
    Ok(outbox_event::Entity::find()
        .order_by_desc(outbox_event::Column::Id)
        .one(db)
        .await?
        .map(|m| EventId::from_uuid(m.id)))
}

fn to_event(m: outbox_event::Model) -> StoreResult<DomainEvent> {
    let kind = EventKind::parse(&m.kind)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown event kind {}", m.kind)))?;
    Ok(DomainEvent {
        id: EventId::from_uuid(m.id),
        org_id: OrgId::from_uuid(m.org_id),
        kind,
        payload: m.payload,
        occurred_at: m.created_at,
        depth: depth_of(m.depth),
    })
}

/// Marks events as dispatched.
pub async fn mark_dispatched(
    db: &impl ConnectionTrait,
    ids: &[EventId],
    now: DateTime<Utc>,
) -> StoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    outbox_event::Entity::update_many()
        .col_expr(
            outbox_event::Column::DispatchedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(outbox_event::Column::Id.is_in(ids.iter().map(EventId::as_uuid)))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes events dispatched before `before` (they can carry message text; once every
/// subscriber has them they are kept only for a short look back). How many went.
pub async fn prune_dispatched(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> StoreResult<u64> {
    let res = outbox_event::Entity::delete_many()
        .filter(outbox_event::Column::DispatchedAt.lt(before))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Number of events waiting for dispatch (a metric and a readiness signal).
pub async fn pending_count(db: &impl ConnectionTrait) -> StoreResult<u64> {
    Ok(outbox_event::Entity::find()
        .filter(outbox_event::Column::DispatchedAt.is_null())
        .count(db)
        .await?)
}

/// Events of the scoped org, newest first (for the admin event log and tests).
pub async fn list_for_org(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    limit: u64,
) -> StoreResult<Vec<DomainEvent>> {
    let rows = outbox_event::Entity::find()
        .filter(outbox_event::Column::OrgId.eq(scope.uuid()))
        .order_by_desc(outbox_event::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    // An event of a kind this build no longer knows is skipped in the log, not an error.
    Ok(rows.into_iter().filter_map(|m| to_event(m).ok()).collect())
}
