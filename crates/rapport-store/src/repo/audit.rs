//! The audit log's storage: an append-only chain per org. Appending locks the org's chain head
//! row so concurrent appends serialize and every entry links to exactly one predecessor. The
//! hashing itself (a keyed MAC) lives in the app layer, which holds the key.

use crate::entity::{audit_entry, audit_head};
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{AuditId, OrgId, UserId};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::OnConflict,
};

/// The hash that precedes an org's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// Id.
    pub id: AuditId,
    /// Org.
    pub org_id: OrgId,
    /// Position in the org's chain, from 1.
    pub seq: i64,
    /// When it happened (microsecond precision, UTC).
    pub at: DateTime<Utc>,
    /// Who did it (none for the system or an unknown party).
    pub actor_id: Option<UserId>,
    /// The actor as shown (their email at the time, or "system").
    pub actor_label: String,
    /// What was done (`auth.login`, `role.updated`…).
    pub action: String,
    /// The kind of object acted on.
    pub target_type: String,
    /// The object's id.
    pub target_id: String,
    /// Client IP.
    pub ip: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// Canonical JSON of further details.
    pub details: String,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

impl From<audit_entry::Model> for AuditRow {
    fn from(m: audit_entry::Model) -> Self {
        Self {
            id: AuditId::from_uuid(m.id),
            org_id: OrgId::from_uuid(m.org_id),
            seq: m.seq,
            at: m.at,
            actor_id: m.actor_id.map(UserId::from_uuid),
            actor_label: m.actor_label,
            action: m.action,
            target_type: m.target_type,
            target_id: m.target_id,
            ip: m.ip,
            user_agent: m.user_agent,
            details: m.details,
            prev_hash: m.prev_hash,
            hash: m.hash,
        }
    }
}

/// Locks the org's chain head for this transaction and returns (last seq, last hash).
pub async fn lock_head(txn: &impl ConnectionTrait, scope: OrgScope) -> StoreResult<(i64, String)> {
    let head = audit_head::ActiveModel {
        org_id: Set(scope.uuid()),
        seq: Set(0),
        hash: Set(GENESIS.to_owned()),
    };
    audit_head::Entity::insert(head)
        .on_conflict(
            OnConflict::column(audit_head::Column::OrgId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    let mut q = audit_head::Entity::find_by_id(scope.uuid());
    if txn.get_database_backend() == DbBackend::Postgres {
        q = q.lock_exclusive();
    }
    let head = q.one(txn).await?.ok_or(StoreError::NotFound)?;
    Ok((head.seq, head.hash))
}

/// Appends an entry and moves the head. Call after [`lock_head`] in the same transaction.
pub async fn append(txn: &impl ConnectionTrait, scope: OrgScope, row: AuditRow) -> StoreResult<()> {
    let (seq, hash) = (row.seq, row.hash.clone());
    let model = audit_entry::ActiveModel {
        id: Set(row.id.as_uuid()),
        org_id: Set(scope.uuid()),
        seq: Set(row.seq),
        at: Set(row.at),
        actor_id: Set(row.actor_id.map(|u| u.as_uuid())),
        actor_label: Set(row.actor_label),
        action: Set(row.action),
        target_type: Set(row.target_type),
        target_id: Set(row.target_id),
        ip: Set(row.ip),
        user_agent: Set(row.user_agent),
        details: Set(row.details),
        prev_hash: Set(row.prev_hash),
        hash: Set(row.hash),
    };
    audit_entry::Entity::insert(model)
        .exec_without_returning(txn)
        .await?;
    audit_head::Entity::update(audit_head::ActiveModel {
        org_id: Set(scope.uuid()),
        seq: Set(seq),
        hash: Set(hash),
    })
    .exec(txn)
    .await?;
    Ok(())
}

/// Filters for listing the log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Exact action, or a prefix ending in `.` (`auth.`).
    pub action: Option<String>,
    /// Only this actor.
    pub actor_id: Option<UserId>,
    /// Only this target id.
    pub target_id: Option<String>,
    /// At or after.
    pub since: Option<DateTime<Utc>>,
    /// Before.
    pub until: Option<DateTime<Utc>>,
    /// Entries with a sequence number below this (cursor).
    pub before_seq: Option<i64>,
}

/// The org's entries matching `filter`, newest first, at most `limit`.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    filter: &AuditFilter,
    limit: u64,
) -> StoreResult<Vec<AuditRow>> {
    let mut q = audit_entry::Entity::find().filter(audit_entry::Column::OrgId.eq(scope.uuid()));
    if let Some(action) = &filter.action {
        q = if action.ends_with('.') {
            q.filter(audit_entry::Column::Action.starts_with(action.as_str()))
        } else {
            q.filter(audit_entry::Column::Action.eq(action.as_str()))
        };
    }
    if let Some(actor) = filter.actor_id {
        q = q.filter(audit_entry::Column::ActorId.eq(actor.as_uuid()));
    }
    if let Some(target) = &filter.target_id {
        q = q.filter(audit_entry::Column::TargetId.eq(target.as_str()));
    }
    if let Some(since) = filter.since {
        q = q.filter(audit_entry::Column::At.gte(since));
    }
    if let Some(until) = filter.until {
        q = q.filter(audit_entry::Column::At.lt(until));
    }
    if let Some(before) = filter.before_seq {
        q = q.filter(audit_entry::Column::Seq.lt(before));
    }
    Ok(q.order_by_desc(audit_entry::Column::Seq)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// A page of an org's chain in order, after `after_seq` (verification walks it). System-level:
/// the verifier checks every org.
pub async fn chain_page(
    db: &impl ConnectionTrait,
    org: OrgId,
    after_seq: i64,
    limit: u64,
) -> StoreResult<Vec<AuditRow>> {
    Ok(audit_entry::Entity::find()
        .filter(audit_entry::Column::OrgId.eq(org.as_uuid()))
        .filter(audit_entry::Column::Seq.gt(after_seq))
        .order_by_asc(audit_entry::Column::Seq)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Every org's chain head: (org, last seq, last hash).
pub async fn heads(db: &impl ConnectionTrait) -> StoreResult<Vec<(OrgId, i64, String)>> {
    Ok(audit_head::Entity::find()
        .order_by_asc(audit_head::Column::OrgId)
        .all(db)
        .await?
        .into_iter()
        .map(|h| (OrgId::from_uuid(h.org_id), h.seq, h.hash))
        .collect())
}

/// Every org id (the verifier checks each has a chain: every org records its creation).
pub async fn all_orgs(db: &impl ConnectionTrait) -> StoreResult<Vec<OrgId>> {
    use crate::entity::org;
    Ok(org::Entity::find()
        .order_by_asc(org::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|o| OrgId::from_uuid(o.id))
        .collect())
}
