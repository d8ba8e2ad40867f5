//! `/api/v1/automation-rules`: the org's automation rules (when an event arrives and the
//! conditions hold, the actions run) and each rule's execution log at `/{id}/runs`. Everything
//! here needs `settings.manage`.

use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rapport_app::inbox::automation::{RuleInput, RuleRecord, RunRecord};
use rapport_domain::AutomationRuleId;
use rapport_domain::inbox::automation::{Action, Condition, RunOutcome, Trigger};
use serde::{Deserialize, Serialize};

/// An automation rule.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AutomationRule {
    /// Id.
    pub id: uuid::Uuid,
    /// Name (shown in the thread when the rule acts).
    pub name: String,
    /// Off rules are kept but never run.
    pub enabled: bool,
    /// What starts it.
    pub trigger: Trigger,
    /// true: every condition must hold; false: any one.
    pub match_all: bool,
    /// The tests (none: always).
    pub conditions: Vec<Condition>,
    /// What it does, in order.
    pub actions: Vec<Action>,
    /// Evaluation order (smaller first).
    pub position: i32,
    /// How many times it was applied.
    pub run_count: i64,
    /// When it was last applied.
    pub last_run_at: Option<DateTime<Utc>>,
    /// Who wrote it.
    pub created_by: Option<uuid::Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<RuleRecord> for AutomationRule {
    fn from(r: RuleRecord) -> Self {
        Self {
            id: r.id.as_uuid(),
            name: r.name,
            enabled: r.enabled,
            trigger: r.trigger,
            match_all: r.match_all,
            conditions: r.conditions,
            actions: r.actions,
            position: r.position,
            run_count: r.run_count,
            last_run_at: r.last_run_at,
            created_by: r.created_by.map(|u| u.as_uuid()),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The org's rules.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AutomationRuleList {
    /// In evaluation order.
    pub items: Vec<AutomationRule>,
}

/// A rule to create, or the fields of one to change (omitted fields stay as they are; `name`,
/// `trigger` and at least one action are needed to create).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WriteAutomationRule {
    /// Up to 120 characters.
    #[serde(default)]
    pub name: Option<String>,
    /// Default true.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// What starts it.
    #[serde(default)]
    pub trigger: Option<Trigger>,
    /// Default true.
    #[serde(default)]
    pub match_all: Option<bool>,
    /// Up to 20.
    #[serde(default)]
    pub conditions: Option<Vec<Condition>>,
    /// 1 to 10.
    #[serde(default)]
    pub actions: Option<Vec<Action>>,
    /// Evaluation order (default: after the others).
    #[serde(default)]
    pub position: Option<i32>,
}

impl From<WriteAutomationRule> for RuleInput {
    fn from(w: WriteAutomationRule) -> Self {
        Self {
            name: w.name,
            enabled: w.enabled,
            trigger: w.trigger,
            match_all: w.match_all,
            conditions: w.conditions,
            actions: w.actions,
            position: w.position,
        }
    }
}

/// One entry of a rule's execution log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AutomationRun {
    /// Id.
    pub id: uuid::Uuid,
    /// The conversation it ran on (null once that is deleted).
    pub conversation_id: Option<uuid::Uuid>,
    /// The event that triggered it.
    pub event_id: uuid::Uuid,
    /// How many automations in a row led to that event.
    pub depth: u8,
    /// `applied`, `failed`, `loop_stopped` or `skipped` (a time-based rule whose conditions
    /// did not hold).
    pub outcome: RunOutcome,
    /// The actions applied, the error, or why it was not run.
    pub detail: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<RunRecord> for AutomationRun {
    fn from(r: RunRecord) -> Self {
        Self {
            id: r.id.as_uuid(),
            conversation_id: r.conversation_id.map(|c| c.as_uuid()),
            event_id: r.event_id.as_uuid(),
            depth: r.depth,
            outcome: r.outcome,
            detail: r.detail,
            created_at: r.created_at,
        }
    }
}

/// A page of the log, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AutomationRunList {
    /// Entries.
    pub items: Vec<AutomationRun>,
    /// Pass as `cursor` for older entries; null on the last page.
    pub next_cursor: Option<String>,
}

/// Which log entries.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RunParams {
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size (1–200, default 50).
    pub limit: Option<u64>,
}

/// Lists the org's rules in evaluation order.
#[utoipa::path(get, path = "/automation-rules", tag = "inbox", responses(
    (status = 200, description = "The rules", body = AutomationRuleList),
    (status = 403, description = "Needs settings.manage", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_rules(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<AutomationRuleList>, ApiError> {
    let rules = state.app.automation_rules(&actor).await?;
    Ok(Json(AutomationRuleList {
        items: rules.into_iter().map(Into::into).collect(),
    }))
}

/// Creates a rule. Conditions and actions are checked whole (operators that do not apply to
/// a field, members, teams or canned responses not in the org are refused).
#[utoipa::path(post, path = "/automation-rules", tag = "inbox", request_body = WriteAutomationRule, responses(
    (status = 201, description = "Created", body = AutomationRule),
    (status = 409, description = "The org has 200 rules", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_rule(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<WriteAutomationRule>,
) -> Result<(StatusCode, Json<AutomationRule>), ApiError> {
    let created = state.app.create_automation_rule(&actor, req.into()).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// One rule.
#[utoipa::path(get, path = "/automation-rules/{id}", tag = "inbox",
    params(("id" = uuid::Uuid, Path, description = "Rule id")),
    responses(
        (status = 200, description = "The rule", body = AutomationRule),
        (status = 404, description = "No such rule in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_rule(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<AutomationRule>, ApiError> {
    let id = AutomationRuleId::from_uuid(id);
    Ok(Json(state.app.automation_rule(&actor, id).await?.into()))
}

/// Changes a rule.
#[utoipa::path(patch, path = "/automation-rules/{id}", tag = "inbox", request_body = WriteAutomationRule,
    params(("id" = uuid::Uuid, Path, description = "Rule id")),
    responses(
        (status = 200, description = "Updated", body = AutomationRule),
        (status = 404, description = "No such rule in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_rule(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<WriteAutomationRule>,
) -> Result<Json<AutomationRule>, ApiError> {
    let id = AutomationRuleId::from_uuid(id);
    let updated = state
        .app
        .update_automation_rule(&actor, id, req.into())
        .await?;
    Ok(Json(updated.into()))
}

/// Deletes a rule and its log.
#[utoipa::path(delete, path = "/automation-rules/{id}", tag = "inbox",
    params(("id" = uuid::Uuid, Path, description = "Rule id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such rule in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_rule(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    let id = AutomationRuleId::from_uuid(id);
    state.app.delete_automation_rule(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A rule's execution log, newest first (kept 30 days).
#[utoipa::path(get, path = "/automation-rules/{id}/runs", tag = "inbox", params(
        ("id" = uuid::Uuid, Path, description = "Rule id"), RunParams),
    responses(
        (status = 200, description = "A page of the log", body = AutomationRunList),
        (status = 404, description = "No such rule in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_runs(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiQuery(p): ApiQuery<RunParams>,
) -> Result<Json<AutomationRunList>, ApiError> {
    let id = AutomationRuleId::from_uuid(id);
    let page = state
        .app
        .automation_runs(&actor, id, p.cursor.as_deref(), p.limit)
        .await?;
    Ok(Json(AutomationRunList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}
