//! SLA policies (with the inboxes they cover) and conversations' SLA clocks, org-scoped; plus
//! the sweep's system query, which reads only `ix_conversation_slas_next_check`.

use crate::entity::{conversation_sla as clock, sla_policy as policy, sla_policy_inbox as covered};
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::inbox::business_hours::BusinessHours;
use rapport_domain::inbox::sla::{Clocks, Deadline, PriorityTarget};
use rapport_domain::inbox::{ConversationStatus, Priority};
use rapport_domain::{ConversationId, InboxId, OrgId, SlaPolicyId};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::HashMap;

/// A stored policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRecord {
    /// Id.
    pub id: SlaPolicyId,
    /// Name.
    pub name: String,
    /// Working hours (`None`: around the clock).
    pub business_hours: Option<BusinessHours>,
    /// Per-priority targets (validated, by priority).
    pub targets: Vec<PriorityTarget>,
    /// When a deadline warns, in percent of its target.
    pub warn_percent: u8,
    /// The inboxes it covers.
    pub inbox_ids: Vec<InboxId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("sla {what}: {e}"))
}

fn record(m: policy::Model, inbox_ids: Vec<InboxId>) -> StoreResult<PolicyRecord> {
    Ok(PolicyRecord {
        id: SlaPolicyId::from_uuid(m.id),
        name: m.name,
        business_hours: m
            .business_hours
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| corrupt("business hours", e))?,
        targets: serde_json::from_value(m.targets).map_err(|e| corrupt("targets", e))?,
        warn_percent: u8::try_from(m.warn_percent).map_err(|e| corrupt("warn percent", e))?,
        inbox_ids,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn model(scope: OrgScope, r: &PolicyRecord) -> StoreResult<policy::ActiveModel> {
    let hours = r
        .business_hours
        .as_ref()
        .map(serde_json::to_value)
        .transpose()
        .map_err(|e| corrupt("business hours", e))?;
    Ok(policy::ActiveModel {
        id: Set(r.id.as_uuid()),
        org_id: Set(scope.uuid()),
        name: Set(r.name.clone()),
        business_hours: Set(hours),
        targets: Set(serde_json::to_value(&r.targets).map_err(|e| corrupt("targets", e))?),
        warn_percent: Set(i16::from(r.warn_percent)),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
    })
}

/// Makes `r` cover exactly its `inbox_ids` (taking them from any other policy).
async fn cover(db: &impl ConnectionTrait, scope: OrgScope, r: &PolicyRecord) -> StoreResult<()> {
    covered::Entity::delete_many()
        .filter(covered::Column::OrgId.eq(scope.uuid()))
        .filter(covered::Column::PolicyId.eq(r.id.as_uuid()))
        .exec(db)
        .await?;
    if r.inbox_ids.is_empty() {
        return Ok(());
    }
    covered::Entity::delete_many()
        .filter(covered::Column::OrgId.eq(scope.uuid()))
        .filter(covered::Column::InboxId.is_in(r.inbox_ids.iter().map(InboxId::as_uuid)))
        .exec(db)
        .await?;
    covered::Entity::insert_many(r.inbox_ids.iter().map(|i| covered::ActiveModel {
        org_id: Set(scope.uuid()),
        inbox_id: Set(i.as_uuid()),
        policy_id: Set(r.id.as_uuid()),
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Stores a new policy and the inboxes it covers.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    r: &PolicyRecord,
) -> StoreResult<()> {
    policy::Entity::insert(model(scope, r)?)
        .exec_without_returning(db)
        .await?;
    cover(db, scope, r).await
}

/// Writes a policy and the inboxes it covers.
pub async fn update(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    r: &PolicyRecord,
) -> StoreResult<()> {
    let res = policy::Entity::update_many()
        .set(model(scope, r)?)
        .filter(policy::Column::OrgId.eq(scope.uuid()))
        .filter(policy::Column::Id.eq(r.id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    cover(db, scope, r).await
}

async fn inboxes_of(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    policy: Option<SlaPolicyId>,
) -> StoreResult<HashMap<uuid::Uuid, Vec<InboxId>>> {
    let mut q = covered::Entity::find().filter(covered::Column::OrgId.eq(scope.uuid()));
    if let Some(p) = policy {
        q = q.filter(covered::Column::PolicyId.eq(p.as_uuid()));
    }
    let mut out: HashMap<uuid::Uuid, Vec<InboxId>> = HashMap::new();
    for row in q.order_by_asc(covered::Column::InboxId).all(db).await? {
        out.entry(row.policy_id)
            .or_default()
            .push(InboxId::from_uuid(row.inbox_id));
    }
    Ok(out)
}

/// One policy of the org.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: SlaPolicyId,
) -> StoreResult<PolicyRecord> {
    let m = policy::Entity::find()
        .filter(policy::Column::OrgId.eq(scope.uuid()))
        .filter(policy::Column::Id.eq(id.as_uuid()))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut inboxes = inboxes_of(db, scope, Some(id)).await?;
    record(m, inboxes.remove(&id.as_uuid()).unwrap_or_default())
}

/// The org's policies by name (orgs keep a handful).
pub async fn list(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    limit: u64,
) -> StoreResult<Vec<PolicyRecord>> {
    let rows = policy::Entity::find()
        .filter(policy::Column::OrgId.eq(scope.uuid()))
        .order_by_asc(policy::Column::Name)
        .order_by_asc(policy::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let mut inboxes = inboxes_of(db, scope, None).await?;
    rows.into_iter()
        .map(|m| {
            let ids = inboxes.remove(&m.id).unwrap_or_default();
            record(m, ids)
        })
        .collect()
}

/// How many policies the org keeps.
pub async fn count(db: &impl ConnectionTrait, scope: OrgScope) -> StoreResult<u64> {
    Ok(policy::Entity::find()
        .filter(policy::Column::OrgId.eq(scope.uuid()))
        .count(db)
        .await?)
}

/// Deletes a policy; its conversations' clocks go with it.
pub async fn delete(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: SlaPolicyId,
) -> StoreResult<()> {
    let res = policy::Entity::delete_many()
        .filter(policy::Column::OrgId.eq(scope.uuid()))
        .filter(policy::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The policy covering an inbox, if any (its `inbox_ids` left empty).
pub async fn for_inbox(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    inbox: InboxId,
) -> StoreResult<Option<PolicyRecord>> {
    let Some(link) = covered::Entity::find()
        .filter(covered::Column::OrgId.eq(scope.uuid()))
        .filter(covered::Column::InboxId.eq(inbox.as_uuid()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    policy_only(db, scope, SlaPolicyId::from_uuid(link.policy_id)).await
}

fn deadline(
    due: Option<DateTime<Utc>>,
    warn: Option<DateTime<Utc>>,
    met: Option<DateTime<Utc>>,
    warned: Option<DateTime<Utc>>,
    breached: Option<DateTime<Utc>>,
) -> Deadline {
    Deadline {
        due_at: due,
        warn_at: warn,
        met_at: met,
        warned_at: warned,
        breached_at: breached,
    }
}

fn clocks_of(m: &clock::Model) -> StoreResult<Clocks> {
    Ok(Clocks {
        started_at: m.started_at,
        priority: Priority::parse(&m.priority).map_err(|e| corrupt("priority", e))?,
        status: ConversationStatus::parse(&m.status).map_err(|e| corrupt("status", e))?,
        first_response: deadline(
            m.first_response_due_at,
            m.first_response_warn_at,
            m.first_response_met_at,
            m.first_response_warned_at,
            m.first_response_breached_at,
        ),
        resolution: deadline(
            m.resolution_due_at,
            m.resolution_warn_at,
            m.resolution_met_at,
            m.resolution_warned_at,
            m.resolution_breached_at,
        ),
        paused_at: m.paused_at,
        next_check_at: m.next_check_at,
    })
}

/// A conversation's clocks and the policy they run under.
pub async fn clocks(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    conversation: ConversationId,
) -> StoreResult<Option<(SlaPolicyId, Clocks)>> {
    let m = clock::Entity::find()
        .filter(clock::Column::OrgId.eq(scope.uuid()))
        .filter(clock::Column::ConversationId.eq(conversation.as_uuid()))
        .one(db)
        .await?;
    m.map(|m| Ok((SlaPolicyId::from_uuid(m.policy_id), clocks_of(&m)?)))
        .transpose()
}

/// What SLA tracking a conversation needs, in one statement: the policy covering its inbox (if
/// any) and whether it has clocks. Most conversation writes (inboxes no policy covers) stop
/// here.
pub async fn coverage(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    inbox: InboxId,
    conversation: ConversationId,
) -> StoreResult<(Option<SlaPolicyId>, bool)> {
    let sql = "SELECT (SELECT policy_id FROM sla_policy_inboxes \
                 WHERE org_id = $1 AND inbox_id = $2 LIMIT 1) AS policy_id, \
               (SELECT COUNT(*) FROM conversation_slas \
                 WHERE org_id = $1 AND conversation_id = $3) AS clocked";
    let row = db
        .query_one_raw(crate::repo::raw::stmt(
            db,
            sql,
            vec![
                scope.uuid().into(),
                inbox.as_uuid().into(),
                conversation.as_uuid().into(),
            ],
        ))
        .await?;
    let Some(row) = row else {
        return Ok((None, false));
    };
    let policy = row.try_get::<Option<uuid::Uuid>>("", "policy_id")?;
    let clocked = row.try_get::<i64>("", "clocked")?;
    Ok((policy.map(SlaPolicyId::from_uuid), clocked > 0))
}

/// One policy of the org, with no inbox list (what tracking needs).
pub async fn policy_only(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: SlaPolicyId,
) -> StoreResult<Option<PolicyRecord>> {
    let m = policy::Entity::find()
        .filter(policy::Column::OrgId.eq(scope.uuid()))
        .filter(policy::Column::Id.eq(id.as_uuid()))
        .one(db)
        .await?;
    m.map(|m| record(m, Vec::new())).transpose()
}

/// Writes a conversation's clocks (insert or replace).
pub async fn save_clocks(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    conversation: ConversationId,
    policy: SlaPolicyId,
    c: &Clocks,
) -> StoreResult<()> {
    let (f, r) = (&c.first_response, &c.resolution);
    let m = clock::ActiveModel {
        org_id: Set(scope.uuid()),
        conversation_id: Set(conversation.as_uuid()),
        policy_id: Set(policy.as_uuid()),
        started_at: Set(c.started_at),
        priority: Set(c.priority.as_str().to_owned()),
        status: Set(c.status.as_str().to_owned()),
        first_response_due_at: Set(f.due_at),
        first_response_warn_at: Set(f.warn_at),
        first_response_met_at: Set(f.met_at),
        first_response_warned_at: Set(f.warned_at),
        first_response_breached_at: Set(f.breached_at),
        resolution_due_at: Set(r.due_at),
        resolution_warn_at: Set(r.warn_at),
        resolution_met_at: Set(r.met_at),
        resolution_warned_at: Set(r.warned_at),
        resolution_breached_at: Set(r.breached_at),
        paused_at: Set(c.paused_at),
        next_check_at: Set(c.next_check_at),
    };
    use clock::Column as C;
    clock::Entity::insert(m)
        .on_conflict(
            OnConflict::column(C::ConversationId)
                .update_columns([
                    C::PolicyId,
                    C::StartedAt,
                    C::Priority,
                    C::Status,
                    C::FirstResponseDueAt,
                    C::FirstResponseWarnAt,
                    C::FirstResponseMetAt,
                    C::FirstResponseWarnedAt,
                    C::FirstResponseBreachedAt,
                    C::ResolutionDueAt,
                    C::ResolutionWarnAt,
                    C::ResolutionMetAt,
                    C::ResolutionWarnedAt,
                    C::ResolutionBreachedAt,
                    C::PausedAt,
                    C::NextCheckAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Removes a conversation's clocks (its inbox is no longer covered).
pub async fn delete_clocks(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    conversation: ConversationId,
) -> StoreResult<()> {
    clock::Entity::delete_many()
        .filter(clock::Column::OrgId.eq(scope.uuid()))
        .filter(clock::Column::ConversationId.eq(conversation.as_uuid()))
        .exec(db)
        .await?;
    Ok(())
}

/// One clock the sweep must look at.
#[derive(Debug, Clone)]
pub struct DueClock {
    /// Its org.
    pub org_id: OrgId,
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The policy.
    pub policy_id: SlaPolicyId,
    /// The clocks.
    pub clocks: Clocks,
}

/// Clocks whose next check has come, across orgs, oldest first (the sweep is a system job).
pub async fn due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<DueClock>> {
    clock::Entity::find()
        .filter(clock::Column::NextCheckAt.lte(now))
        .order_by_asc(clock::Column::NextCheckAt)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            Ok(DueClock {
                org_id: OrgId::from_uuid(m.org_id),
                conversation_id: ConversationId::from_uuid(m.conversation_id),
                policy_id: SlaPolicyId::from_uuid(m.policy_id),
                clocks: clocks_of(&m)?,
            })
        })
        .collect()
}
