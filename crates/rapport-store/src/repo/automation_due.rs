//! What time-based automation rules act on: every org's enabled `time_based` rules (the sweep
//! is a system job), and for one rule the conversations it is due for: not closed, quiet or
//! waiting for longer than the rule's thresholds, and not yet handled by this rule since their
//! last activity (the run log says so), oldest activity first.

use super::automation::RuleRecord;
use crate::entity::{automation_rule as rule, automation_run as run, conversation as conv};
use crate::error::StoreResult;
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::inbox::ConversationStatus;
use rapport_domain::inbox::automation::Trigger;
use rapport_domain::{AutomationRuleId, ConversationId, OrgId};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Every enabled time-based rule with its org, in each org's evaluation order.
pub async fn time_rules(db: &impl ConnectionTrait) -> StoreResult<Vec<(OrgId, RuleRecord)>> {
    rule::Entity::find()
        .filter(rule::Column::Trigger.eq(Trigger::TimeBased.as_str()))
        .filter(rule::Column::Enabled.eq(true))
        .order_by_asc(rule::Column::OrgId)
        .order_by_asc(rule::Column::Position)
        .order_by_asc(rule::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            let org = OrgId::from_uuid(m.org_id);
            Ok((org, RuleRecord::try_from(m)?))
        })
        .collect()
}

/// How long a conversation must have been quiet or waiting for a rule to look at it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Thresholds {
    /// Last activity at or before this.
    pub activity_before: Option<DateTime<Utc>>,
    /// The customer waiting since this or earlier.
    pub waiting_before: Option<DateTime<Utc>>,
}

/// Up to `limit` conversations of the org the rule is due for.
pub async fn due_conversations(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    rule_id: AutomationRuleId,
    due: Thresholds,
    limit: u64,
) -> StoreResult<Vec<ConversationId>> {
    let handled = Query::select()
        .expr(Expr::val(1))
        .from(run::Entity)
        .and_where(Expr::col((run::Entity, run::Column::OrgId)).eq(scope.uuid()))
        .and_where(Expr::col((run::Entity, run::Column::RuleId)).eq(rule_id.as_uuid()))
        .and_where(
            Expr::col((run::Entity, run::Column::ConversationId))
                .equals((conv::Entity, conv::Column::Id)),
        )
        .and_where(
            Expr::col((run::Entity, run::Column::CreatedAt))
                .gte(Expr::col((conv::Entity, conv::Column::LastActivityAt))),
        )
        .to_owned();
    let mut q = conv::Entity::find()
        .select_only()
        .column(conv::Column::Id)
        .filter(conv::Column::OrgId.eq(scope.uuid()))
        .filter(conv::Column::Status.ne(ConversationStatus::Closed.as_str()))
        .filter(Expr::not_exists(handled));
    if let Some(before) = due.activity_before {
        q = q.filter(conv::Column::LastActivityAt.lte(before));
    }
    if let Some(before) = due.waiting_before {
        q = q.filter(conv::Column::WaitingSince.lte(before));
    }
    let ids: Vec<uuid::Uuid> = q
        .order_by_asc(conv::Column::LastActivityAt)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().map(ConversationId::from_uuid).collect())
}
