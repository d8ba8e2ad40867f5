//! `/api/v1/sla-policies`: the org's SLA policies (targets per priority, business hours, the
//! inboxes they cover). Everything here needs `settings.manage`.

use crate::api::crm::nullable;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rapport_app::inbox::sla::{PolicyInput, PolicyRecord};
use rapport_domain::inbox::business_hours::BusinessHours;
use rapport_domain::inbox::sla::{PriorityTarget, SlaState, SlaView};
use rapport_domain::{InboxId, SlaPolicyId};
use serde::{Deserialize, Serialize};

/// A conversation's SLA deadlines (null when its inbox is under no policy).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConversationSla {
    /// `running`, `warning`, `breached`, `paused` (waiting on the customer) or `met`.
    pub state: SlaState,
    /// When the first reply is due (null: no target for this priority).
    pub first_response_due_at: Option<DateTime<Utc>>,
    /// When the first reply was sent.
    pub first_response_met_at: Option<DateTime<Utc>>,
    /// When the first-reply target was breached.
    pub first_response_breached_at: Option<DateTime<Utc>>,
    /// When it is due to be resolved.
    pub resolution_due_at: Option<DateTime<Utc>>,
    /// When it was resolved.
    pub resolution_met_at: Option<DateTime<Utc>>,
    /// When the resolution target was breached.
    pub resolution_breached_at: Option<DateTime<Utc>>,
}

impl From<SlaView> for ConversationSla {
    fn from(v: SlaView) -> Self {
        let (f, r) = (v.first_response, v.resolution);
        Self {
            state: v.state(),
            first_response_due_at: f.due_at,
            first_response_met_at: f.met_at,
            first_response_breached_at: f.breached_at,
            resolution_due_at: r.due_at,
            resolution_met_at: r.met_at,
            resolution_breached_at: r.breached_at,
        }
    }
}

/// An SLA policy.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SlaPolicy {
    /// Id.
    pub id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// The working hours targets count in; null: around the clock.
    pub business_hours: Option<BusinessHours>,
    /// Per-priority targets in working minutes.
    pub targets: Vec<PriorityTarget>,
    /// A deadline warns at this percentage of its target.
    pub warn_percent: u8,
    /// The inboxes it covers.
    pub inbox_ids: Vec<uuid::Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<PolicyRecord> for SlaPolicy {
    fn from(r: PolicyRecord) -> Self {
        Self {
            id: r.id.as_uuid(),
            name: r.name,
            business_hours: r.business_hours,
            targets: r.targets,
            warn_percent: r.warn_percent,
            inbox_ids: r.inbox_ids.iter().map(InboxId::as_uuid).collect(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The org's policies.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SlaPolicyList {
    /// By name.
    pub items: Vec<SlaPolicy>,
}

/// A policy to create (`name` and `targets` needed), or the fields of one to change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WriteSlaPolicy {
    /// Up to 120 characters.
    #[serde(default)]
    pub name: Option<String>,
    /// Working hours; null: around the clock (the default).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<BusinessHours>)]
    pub business_hours: Option<Option<BusinessHours>>,
    /// Per-priority targets (each priority once; minutes from 1 to a year).
    #[serde(default)]
    pub targets: Option<Vec<PriorityTarget>>,
    /// 1–99, default 80.
    #[serde(default)]
    pub warn_percent: Option<u8>,
    /// The inboxes it covers (taken from any other policy).
    #[serde(default)]
    pub inbox_ids: Option<Vec<uuid::Uuid>>,
}

impl From<WriteSlaPolicy> for PolicyInput {
    fn from(w: WriteSlaPolicy) -> Self {
        Self {
            name: w.name,
            business_hours: w.business_hours,
            targets: w.targets,
            warn_percent: w.warn_percent,
            inbox_ids: w
                .inbox_ids
                .map(|ids| ids.into_iter().map(InboxId::from_uuid).collect()),
        }
    }
}

/// Lists the org's SLA policies.
#[utoipa::path(get, path = "/sla-policies", tag = "inbox", responses(
    (status = 200, description = "The policies", body = SlaPolicyList),
    (status = 403, description = "Needs settings.manage", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_policies(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<SlaPolicyList>, ApiError> {
    let items = state.app.sla_policies(&actor).await?;
    Ok(Json(SlaPolicyList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Creates a policy; conversations opened in its inboxes from now on get its deadlines.
#[utoipa::path(post, path = "/sla-policies", tag = "inbox", request_body = WriteSlaPolicy, responses(
    (status = 201, description = "Created", body = SlaPolicy),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_policy(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<WriteSlaPolicy>,
) -> Result<(StatusCode, Json<SlaPolicy>), ApiError> {
    let created = state.app.create_sla_policy(&actor, req.into()).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// One policy.
#[utoipa::path(get, path = "/sla-policies/{id}", tag = "inbox",
    params(("id" = uuid::Uuid, Path, description = "Policy id")),
    responses(
        (status = 200, description = "The policy", body = SlaPolicy),
        (status = 404, description = "No such policy in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_policy(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<SlaPolicy>, ApiError> {
    let id = SlaPolicyId::from_uuid(id);
    Ok(Json(state.app.sla_policy(&actor, id).await?.into()))
}

/// Changes a policy.
#[utoipa::path(patch, path = "/sla-policies/{id}", tag = "inbox", request_body = WriteSlaPolicy,
    params(("id" = uuid::Uuid, Path, description = "Policy id")),
    responses(
        (status = 200, description = "Updated", body = SlaPolicy),
        (status = 404, description = "No such policy in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_policy(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<WriteSlaPolicy>,
) -> Result<Json<SlaPolicy>, ApiError> {
    let id = SlaPolicyId::from_uuid(id);
    let updated = state.app.update_sla_policy(&actor, id, req.into()).await?;
    Ok(Json(updated.into()))
}

/// Deletes a policy; its conversations lose their deadlines.
#[utoipa::path(delete, path = "/sla-policies/{id}", tag = "inbox",
    params(("id" = uuid::Uuid, Path, description = "Policy id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such policy in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_policy(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_sla_policy(&actor, SlaPolicyId::from_uuid(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
