//! Automation rules and their execution log, org-scoped. Rules are listed in evaluation order
//! (`position`, then creation); the runner reads an org's enabled rules for one trigger, and the
//! dispatcher asks which (org, trigger) pairs any enabled rule listens to, once per batch.

use crate::entity::{automation_rule as rule, automation_run as run};
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::inbox::automation::{Action, Condition, RunOutcome, Trigger};
use rapport_domain::{AutomationRuleId, AutomationRunId, ConversationId, EventId, OrgId, UserId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::HashSet;

/// A stored rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRecord {
    /// Id.
    pub id: AutomationRuleId,
    /// Shown in lists, the run log and the activity lines it writes.
    pub name: String,
    /// Off rules are kept but never run.
    pub enabled: bool,
    /// What starts it.
    pub trigger: Trigger,
    /// All conditions must hold (`true`) or any one.
    pub match_all: bool,
    /// The tests (validated).
    pub conditions: Vec<Condition>,
    /// What it does, in order (validated).
    pub actions: Vec<Action>,
    /// Evaluation order (smaller first).
    pub position: i32,
    /// How many times it was applied.
    pub run_count: i64,
    /// When it was last applied.
    pub last_run_at: Option<DateTime<Utc>>,
    /// Who wrote it.
    pub created_by: Option<UserId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("automation rule {what}: {e}"))
}

impl TryFrom<rule::Model> for RuleRecord {
    type Error = StoreError;
    fn try_from(m: rule::Model) -> StoreResult<Self> {
        Ok(Self {
            id: AutomationRuleId::from_uuid(m.id),
            name: m.name,
            enabled: m.enabled,
            trigger: Trigger::parse(&m.trigger).map_err(|e| corrupt("trigger", e))?,
            match_all: m.match_all,
            conditions: serde_json::from_value(m.conditions)
                .map_err(|e| corrupt("conditions", e))?,
            actions: serde_json::from_value(m.actions).map_err(|e| corrupt("actions", e))?,
            position: m.position,
            run_count: m.run_count,
            last_run_at: m.last_run_at,
            created_by: m.created_by.map(UserId::from_uuid),
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn model(scope: OrgScope, r: &RuleRecord) -> StoreResult<rule::ActiveModel> {
    Ok(rule::ActiveModel {
        id: Set(r.id.as_uuid()),
        org_id: Set(scope.uuid()),
        name: Set(r.name.clone()),
        enabled: Set(r.enabled),
        trigger: Set(r.trigger.as_str().to_owned()),
        match_all: Set(r.match_all),
        conditions: Set(serde_json::to_value(&r.conditions).map_err(|e| corrupt("conditions", e))?),
        actions: Set(serde_json::to_value(&r.actions).map_err(|e| corrupt("actions", e))?),
        position: Set(r.position),
        run_count: Set(r.run_count),
        last_run_at: Set(r.last_run_at),
        created_by: Set(r.created_by.map(|u| u.as_uuid())),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
    })
}

/// Stores a new rule.
pub async fn insert(db: &impl ConnectionTrait, scope: OrgScope, r: &RuleRecord) -> StoreResult<()> {
    rule::Entity::insert(model(scope, r)?)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Writes every column of `r`.
pub async fn update(db: &impl ConnectionTrait, scope: OrgScope, r: &RuleRecord) -> StoreResult<()> {
    let res = rule::Entity::update_many()
        .set(model(scope, r)?)
        .filter(rule::Column::OrgId.eq(scope.uuid()))
        .filter(rule::Column::Id.eq(r.id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// One rule of the org.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: AutomationRuleId,
) -> StoreResult<RuleRecord> {
    rule::Entity::find()
        .filter(rule::Column::OrgId.eq(scope.uuid()))
        .filter(rule::Column::Id.eq(id.as_uuid()))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_into()
}

/// The org's rules in evaluation order (at most `limit`: orgs keep few rules).
pub async fn list(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    limit: u64,
) -> StoreResult<Vec<RuleRecord>> {
    rule::Entity::find()
        .filter(rule::Column::OrgId.eq(scope.uuid()))
        .order_by_asc(rule::Column::Position)
        .order_by_asc(rule::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// The org's enabled rules for `trigger`, in evaluation order.
pub async fn enabled_for(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    trigger: Trigger,
) -> StoreResult<Vec<RuleRecord>> {
    rule::Entity::find()
        .filter(rule::Column::OrgId.eq(scope.uuid()))
        .filter(rule::Column::Trigger.eq(trigger.as_str()))
        .filter(rule::Column::Enabled.eq(true))
        .order_by_asc(rule::Column::Position)
        .order_by_asc(rule::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Which of these orgs have an enabled rule for which trigger (the dispatcher's filter: events
/// nobody listens to cost no job). A system query: the orgs come from the outbox.
pub async fn triggers_in_use(
    db: &impl ConnectionTrait,
    orgs: &[OrgId],
) -> StoreResult<HashSet<(OrgId, Trigger)>> {
    if orgs.is_empty() {
        return Ok(HashSet::new());
    }
    let rows: Vec<(uuid::Uuid, String)> = rule::Entity::find()
        .select_only()
        .column(rule::Column::OrgId)
        .column(rule::Column::Trigger)
        .distinct()
        .filter(rule::Column::OrgId.is_in(orgs.iter().map(OrgId::as_uuid)))
        .filter(rule::Column::Enabled.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(org, t)| Some((OrgId::from_uuid(org), Trigger::parse(&t).ok()?)))
        .collect())
}

/// How many rules the org keeps.
pub async fn count(db: &impl ConnectionTrait, scope: OrgScope) -> StoreResult<u64> {
    Ok(rule::Entity::find()
        .filter(rule::Column::OrgId.eq(scope.uuid()))
        .count(db)
        .await?)
}

/// The largest position in use (new rules go last).
pub async fn last_position(db: &impl ConnectionTrait, scope: OrgScope) -> StoreResult<i32> {
    let max: Option<Option<i32>> = rule::Entity::find()
        .select_only()
        .column_as(rule::Column::Position.max(), "max")
        .filter(rule::Column::OrgId.eq(scope.uuid()))
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().unwrap_or(0))
}

/// Counts an application of the rule.
pub async fn count_run(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: AutomationRuleId,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    rule::Entity::update_many()
        .col_expr(
            rule::Column::RunCount,
            Expr::col(rule::Column::RunCount).add(1),
        )
        .col_expr(rule::Column::LastRunAt, Expr::value(at))
        .filter(rule::Column::OrgId.eq(scope.uuid()))
        .filter(rule::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes a rule with its log.
pub async fn delete(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: AutomationRuleId,
) -> StoreResult<()> {
    let res = rule::Entity::delete_many()
        .filter(rule::Column::OrgId.eq(scope.uuid()))
        .filter(rule::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// One entry of the execution log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    /// Id (time-ordered).
    pub id: AutomationRunId,
    /// The rule.
    pub rule_id: AutomationRuleId,
    /// The conversation it ran on (cleared when that is deleted).
    pub conversation_id: Option<ConversationId>,
    /// The event that triggered it.
    pub event_id: EventId,
    /// The event's causal depth.
    pub depth: u8,
    /// How it ended.
    pub outcome: RunOutcome,
    /// What was done, or why not.
    pub detail: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Writes a log entry.
pub async fn log_run(db: &impl ConnectionTrait, scope: OrgScope, r: &RunRecord) -> StoreResult<()> {
    let m = run::ActiveModel {
        id: Set(r.id.as_uuid()),
        org_id: Set(scope.uuid()),
        rule_id: Set(r.rule_id.as_uuid()),
        conversation_id: Set(r.conversation_id.map(|c| c.as_uuid())),
        event_id: Set(r.event_id.as_uuid()),
        depth: Set(i16::from(r.depth)),
        outcome: Set(r.outcome.as_str().to_owned()),
        detail: Set(r.detail.clone()),
        created_at: Set(r.created_at),
    };
    run::Entity::insert(m).exec_without_returning(db).await?;
    Ok(())
}

/// A rule's log, newest first, before `before` (a previous page's last id), at most `limit`.
pub async fn runs(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    rule_id: AutomationRuleId,
    before: Option<AutomationRunId>,
    limit: u64,
) -> StoreResult<Vec<RunRecord>> {
    let mut q = run::Entity::find()
        .filter(run::Column::OrgId.eq(scope.uuid()))
        .filter(run::Column::RuleId.eq(rule_id.as_uuid()));
    if let Some(b) = before {
        q = q.filter(run::Column::Id.lt(b.as_uuid()));
    }
    q.order_by_desc(run::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            Ok(RunRecord {
                id: AutomationRunId::from_uuid(m.id),
                rule_id: AutomationRuleId::from_uuid(m.rule_id),
                conversation_id: m.conversation_id.map(ConversationId::from_uuid),
                event_id: EventId::from_uuid(m.event_id),
                depth: crate::outbox::depth_of(m.depth),
                outcome: RunOutcome::parse(&m.outcome).map_err(|e| corrupt("outcome", e))?,
                detail: m.detail,
                created_at: m.created_at,
            })
        })
        .collect()
}

/// Deletes log entries older than `before` (the retention job), across orgs.
pub async fn prune_runs(db: &impl ConnectionTrait, before: DateTime<Utc>) -> StoreResult<u64> {
    Ok(run::Entity::delete_many()
        .filter(run::Column::CreatedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}
