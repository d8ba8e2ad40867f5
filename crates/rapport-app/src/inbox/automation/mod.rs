//! Automation rules (Chatwoot's "automations", Zammad's "triggers"): writing them, reading them
//! and their execution log needs `settings.manage`, and every write is audited. A rule is
//! validated whole when saved (conditions, actions, and that the members, teams and canned
//! responses it names exist in the org) so it does not fail on the first event; what still
//! fails at run time (a member who left) is logged as a failed run. [`runner`] runs them.

mod apply;
pub mod runner;
pub mod timed;
pub mod webhook;

use crate::audit::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::inbox::automation::{
    Action, Condition, MAX_NAME_CHARS, Trigger, time_rule_is_bounded, validate_rule,
};
use rapport_domain::{AutomationRuleId, AutomationRunId, DomainError, Permission, bounded_text};
use rapport_store::repo::automation;
pub use rapport_store::repo::automation::{RuleRecord, RunRecord};
use rapport_store::repo::{canned_responses, contacts, teams};
use rapport_store::{ConnectionTrait, OrgScope, StoreError};
use serde_json::json;

/// The audit target type.
const TARGET: &str = "automation_rule";
const CREATED: &str = "automation_rule.created";
const UPDATED: &str = "automation_rule.updated";
const DELETED: &str = "automation_rule.deleted";

/// The most rules an org keeps (each event is checked against its trigger's rules).
pub const MAX_RULES: u64 = 200;
/// The default and largest page of the run log.
const DEFAULT_RUNS: u64 = 50;
const MAX_RUNS: u64 = 200;

/// A rule as a form or API call writes it (absent fields of a patch stay as they are).
#[derive(Debug, Clone, Default)]
pub struct RuleInput {
    /// Name.
    pub name: Option<String>,
    /// On or off (new rules default to on).
    pub enabled: Option<bool>,
    /// What starts it.
    pub trigger: Option<Trigger>,
    /// All conditions (default) or any.
    pub match_all: Option<bool>,
    /// The tests.
    pub conditions: Option<Vec<Condition>>,
    /// What it does.
    pub actions: Option<Vec<Action>>,
    /// Evaluation order (new rules go last).
    pub position: Option<i32>,
}

/// A page of a rule's log, newest first.
#[derive(Debug, Clone)]
pub struct RunPage {
    /// Entries.
    pub items: Vec<RunRecord>,
    /// Where the next (older) page starts.
    pub next_cursor: Option<String>,
}

fn details(r: &RuleRecord) -> serde_json::Value {
    json!({
        "name": r.name, "enabled": r.enabled, "trigger": r.trigger,
        "conditions": r.conditions.len(), "actions": r.actions.iter().map(Action::name).collect::<Vec<_>>(),
    })
}

fn refused(field: &'static str, reason: &'static str) -> AppError {
    DomainError::Invalid { field, reason }.into()
}

/// Checks that what the actions name exists in the org now.
async fn check_references(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    actions: &[Action],
) -> AppResult<()> {
    for action in actions {
        match action {
            Action::AssignMember { user_id } | Action::Notify { user_id, .. }
                if !contacts::is_member(db, scope, *user_id).await? =>
            {
                return Err(refused("user_id", "not a member of this organization"));
            }
            Action::AssignTeam { team_id } => match teams::get(db, scope, *team_id).await {
                Err(StoreError::NotFound) => {
                    return Err(refused("team_id", "no such team in this organization"));
                }
                other => {
                    other?;
                }
            },
            Action::SendCannedResponse { canned_response_id } => {
                match canned_responses::get(db, scope, *canned_response_id).await {
                    Err(StoreError::NotFound) => {
                        return Err(refused(
                            "canned_response_id",
                            "no such canned response in this organization",
                        ));
                    }
                    other => {
                        other?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Checks webhook URLs against the egress policy, so a rule that could never deliver is
/// refused when saved (names are resolved, and checked again, at delivery).
fn check_targets(policy: &rapport_egress::EgressPolicy, actions: &[Action]) -> AppResult<()> {
    for action in actions {
        if let Action::CallWebhook { url } = action {
            check_target(policy, url)?;
        }
    }
    Ok(())
}

/// One webhook URL against the egress policy: a refusal names the `url` field (when a rule is
/// saved, and again when its action runs).
pub(super) fn check_target(policy: &rapport_egress::EgressPolicy, url: &str) -> AppResult<()> {
    policy.target(url).map(|_| ()).map_err(|e| {
        AppError::InvalidFields(vec![crate::error::FieldIssue {
            field: "url".into(),
            message: e.to_string(),
        }])
    })
}

/// Applies `input` to `rule` and validates the result.
fn merge(rule: &mut RuleRecord, input: RuleInput) -> AppResult<()> {
    if let Some(name) = input.name {
        rule.name = bounded_text("name", &name, MAX_NAME_CHARS)?;
    }
    if let Some(enabled) = input.enabled {
        rule.enabled = enabled;
    }
    if let Some(trigger) = input.trigger {
        rule.trigger = trigger;
    }
    if let Some(match_all) = input.match_all {
        rule.match_all = match_all;
    }
    if let Some(position) = input.position {
        rule.position = position.clamp(0, 1_000_000);
    }
    let conditions = input
        .conditions
        .unwrap_or_else(|| std::mem::take(&mut rule.conditions));
    let actions = input
        .actions
        .unwrap_or_else(|| std::mem::take(&mut rule.actions));
    let (conditions, actions) = validate_rule(conditions, actions)?;
    if rule.trigger == Trigger::TimeBased && !time_rule_is_bounded(rule.match_all, &conditions) {
        return Err(DomainError::Invalid {
            field: "conditions",
            reason: "a time-based rule needs all conditions to match and one that waits: \
                     hours_since_activity or hours_waiting greater_than a number of hours",
        }
        .into());
    }
    rule.conditions = conditions;
    rule.actions = actions;
    Ok(())
}

impl App {
    /// The org's rules in evaluation order (needs `settings.manage`).
    pub async fn automation_rules(&self, actor: &Actor) -> AppResult<Vec<RuleRecord>> {
        actor.require(Permission::SettingsManage)?;
        Ok(automation::list(self.db().conn(), actor.scope(), MAX_RULES).await?)
    }

    /// One rule (needs `settings.manage`).
    pub async fn automation_rule(
        &self,
        actor: &Actor,
        id: AutomationRuleId,
    ) -> AppResult<RuleRecord> {
        actor.require(Permission::SettingsManage)?;
        Ok(automation::get(self.db().conn(), actor.scope(), id).await?)
    }

    /// Creates a rule (needs `settings.manage`); it goes last unless a position is given.
    pub async fn create_automation_rule(
        &self,
        actor: &Actor,
        input: RuleInput,
    ) -> AppResult<RuleRecord> {
        actor.require(Permission::SettingsManage)?;
        let scope = actor.scope();
        let now = self.clock().now();
        let Some(trigger) = input.trigger else {
            return Err(DomainError::Empty { field: "trigger" }.into());
        };
        if input.name.is_none() {
            return Err(DomainError::Empty { field: "name" }.into());
        }
        let mut rule = RuleRecord {
            id: AutomationRuleId::new(),
            name: String::new(),
            enabled: true,
            trigger,
            match_all: true,
            conditions: Vec::new(),
            actions: Vec::new(),
            position: 0,
            run_count: 0,
            last_run_at: None,
            created_by: Some(actor.user_id),
            created_at: now,
            updated_at: now,
        };
        let positioned = input.position.is_some();
        merge(&mut rule, input)?;
        check_targets(&self.config().egress, &rule.actions)?;
        let txn = self.db().begin().await?;
        if automation::count(&txn, scope).await? >= MAX_RULES {
            return Err(AppError::Conflict(format!(
                "an organization keeps at most {MAX_RULES} automation rules"
            )));
        }
        check_references(&txn, scope, &rule.actions).await?;
        if !positioned {
            rule.position = automation::last_position(&txn, scope).await? + 1;
        }
        automation::insert(&txn, scope, &rule).await?;
        let event = AuditEvent::new(CREATED, TARGET, rule.id).with(details(&rule));
        self.audit(&txn, scope, &Who::from(actor), event).await?;
        txn.commit().await?;
        Ok(rule)
    }

    /// Changes a rule (needs `settings.manage`).
    pub async fn update_automation_rule(
        &self,
        actor: &Actor,
        id: AutomationRuleId,
        input: RuleInput,
    ) -> AppResult<RuleRecord> {
        actor.require(Permission::SettingsManage)?;
        let scope = actor.scope();
        let txn = self.db().begin().await?;
        let mut rule = automation::get(&txn, scope, id).await?;
        merge(&mut rule, input)?;
        check_targets(&self.config().egress, &rule.actions)?;
        check_references(&txn, scope, &rule.actions).await?;
        rule.updated_at = self.clock().now();
        automation::update(&txn, scope, &rule).await?;
        let event = AuditEvent::new(UPDATED, TARGET, rule.id).with(details(&rule));
        self.audit(&txn, scope, &Who::from(actor), event).await?;
        txn.commit().await?;
        Ok(rule)
    }

    /// Deletes a rule and its log (needs `settings.manage`).
    pub async fn delete_automation_rule(
        &self,
        actor: &Actor,
        id: AutomationRuleId,
    ) -> AppResult<()> {
        actor.require(Permission::SettingsManage)?;
        let scope = actor.scope();
        let txn = self.db().begin().await?;
        let rule = automation::get(&txn, scope, id).await?;
        automation::delete(&txn, scope, id).await?;
        let event = AuditEvent::new(DELETED, TARGET, id).with(json!({ "name": rule.name }));
        self.audit(&txn, scope, &Who::from(actor), event).await?;
        txn.commit().await?;
        Ok(())
    }

    /// A rule's execution log, newest first (needs `settings.manage`).
    pub async fn automation_runs(
        &self,
        actor: &Actor,
        id: AutomationRuleId,
        cursor: Option<&str>,
        limit: Option<u64>,
    ) -> AppResult<RunPage> {
        actor.require(Permission::SettingsManage)?;
        let scope = actor.scope();
        let db = self.db().conn();
        // Another org's rule is a 404, not an empty log.
        automation::get(db, scope, id).await?;
        let limit = limit.unwrap_or(DEFAULT_RUNS).clamp(1, MAX_RUNS);
        let before = match cursor.filter(|c| !c.is_empty()) {
            Some(c) => Some(
                c.parse::<AutomationRunId>()
                    .map_err(|_| refused("cursor", "not a cursor from this API"))?,
            ),
            None => None,
        };
        let mut items = automation::runs(db, scope, id, before, limit + 1).await?;
        let next_cursor = if items.len() as u64 > limit {
            items.truncate(limit as usize);
            items.last().map(|r| r.id.to_string())
        } else {
            None
        };
        Ok(RunPage { items, next_cursor })
    }
}
