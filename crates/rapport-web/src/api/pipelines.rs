//! `/api/v1/pipelines`: sales pipelines and their ordered stages. Reading needs `deals.read`;
//! shaping pipelines and stages needs `settings.manage`.

use crate::error::{ApiError, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rapport_app::crm::pipelines::StageInput;
use rapport_app::records::{PipelineRecord, StageRecord};
use rapport_domain::crm::StageKind;
use rapport_domain::{PipelineId, StageId};
use serde::{Deserialize, Serialize};

/// A stage.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Stage {
    /// Id.
    pub id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// Order in the pipeline (0 first).
    pub position: i32,
    /// Win probability in percent.
    pub probability: i32,
    /// `open`, `won` or `lost`.
    pub kind: StageKind,
}

impl From<StageRecord> for Stage {
    fn from(s: StageRecord) -> Self {
        Self {
            id: s.id.as_uuid(),
            name: s.name,
            position: s.position,
            probability: s.probability,
            kind: s.kind,
        }
    }
}

/// A pipeline with its stages in order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Pipeline {
    /// Id.
    pub id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// Currency new deals default to.
    pub currency: String,
    /// Stages in order.
    pub stages: Vec<Stage>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<PipelineRecord> for Pipeline {
    fn from(p: PipelineRecord) -> Self {
        Self {
            id: p.id.as_uuid(),
            name: p.name,
            currency: p.currency,
            stages: p.stages.into_iter().map(Into::into).collect(),
            created_at: p.created_at,
        }
    }
}

/// Pipelines in order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PipelineList {
    /// Pipelines.
    pub items: Vec<Pipeline>,
    /// Always null (an org has at most 50 pipelines).
    pub next_cursor: Option<String>,
}

/// A stage to add or change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageBody {
    /// Name (required when adding).
    #[serde(default)]
    pub name: Option<String>,
    /// Win probability in percent (0–100).
    #[serde(default)]
    pub probability: Option<i32>,
    /// `open`, `won` or `lost`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Position (0 first); adding without one puts it last.
    #[serde(default)]
    pub position: Option<usize>,
}

impl From<StageBody> for StageInput {
    fn from(b: StageBody) -> Self {
        Self {
            name: b.name,
            probability: b.probability,
            kind: b.kind,
            position: b.position,
        }
    }
}

/// A pipeline to create.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePipeline {
    /// Name (unique in the org).
    pub name: String,
    /// Default currency of its deals (ISO 4217; USD when absent).
    #[serde(default)]
    pub currency: Option<String>,
    /// Stages in order; without any, the default stages.
    #[serde(default)]
    pub stages: Vec<StageBody>,
}

/// Changes to a pipeline.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePipeline {
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// New default currency.
    #[serde(default)]
    pub currency: Option<String>,
}

/// Where the deals of a deleted stage go.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeleteStageParams {
    /// Another stage of the same pipeline; required when the stage holds deals.
    pub move_deals_to: Option<uuid::Uuid>,
}

/// Lists the org's pipelines with their stages (a new org gets the default "Sales" pipeline).
#[utoipa::path(get, path = "/pipelines", tag = "deals", responses(
    (status = 200, description = "Pipelines", body = PipelineList),
    (status = 403, description = "Needs deals.read", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_pipelines(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<PipelineList>, ApiError> {
    let items = state.app.pipelines(&actor).await?;
    Ok(Json(PipelineList {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: None,
    }))
}

/// Creates a pipeline (needs `settings.manage`).
#[utoipa::path(post, path = "/pipelines", tag = "deals", request_body = CreatePipeline, responses(
    (status = 201, description = "Created", body = Pipeline),
    (status = 403, description = "Needs settings.manage", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Name taken", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_pipeline(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<CreatePipeline>,
) -> Result<(StatusCode, Json<Pipeline>), ApiError> {
    let stages: Vec<StageInput> = req.stages.into_iter().map(Into::into).collect();
    let p = state
        .app
        .create_pipeline(
            &actor,
            &req.name,
            req.currency.as_deref().unwrap_or(""),
            &stages,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

/// One pipeline with its stages.
#[utoipa::path(get, path = "/pipelines/{id}", tag = "deals",
    params(("id" = uuid::Uuid, Path, description = "Pipeline id")),
    responses(
        (status = 200, description = "The pipeline", body = Pipeline),
        (status = 404, description = "No such pipeline in your org", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_pipeline(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<Json<Pipeline>, ApiError> {
    let p = state
        .app
        .pipeline(&actor, PipelineId::from_uuid(id))
        .await?;
    Ok(Json(p.into()))
}

/// Renames a pipeline or changes its default currency (needs `settings.manage`).
#[utoipa::path(patch, path = "/pipelines/{id}", tag = "deals", request_body = UpdatePipeline,
    params(("id" = uuid::Uuid, Path, description = "Pipeline id")),
    responses(
        (status = 200, description = "Changed", body = Pipeline),
        (status = 404, description = "No such pipeline in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_pipeline(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<UpdatePipeline>,
) -> Result<Json<Pipeline>, ApiError> {
    let p = state
        .app
        .update_pipeline(
            &actor,
            PipelineId::from_uuid(id),
            req.name.as_deref(),
            req.currency.as_deref(),
        )
        .await?;
    Ok(Json(p.into()))
}

/// Deletes a pipeline without deals (not the last one; needs `settings.manage`).
#[utoipa::path(delete, path = "/pipelines/{id}", tag = "deals",
    params(("id" = uuid::Uuid, Path, description = "Pipeline id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such pipeline in your org", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It holds deals, or it is the last one", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_pipeline(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_pipeline(&actor, PipelineId::from_uuid(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a stage (needs `settings.manage`).
#[utoipa::path(post, path = "/pipelines/{id}/stages", tag = "deals", request_body = StageBody,
    params(("id" = uuid::Uuid, Path, description = "Pipeline id")),
    responses(
        (status = 201, description = "Added; the pipeline as it is now", body = Pipeline),
        (status = 404, description = "No such pipeline in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_stage(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<uuid::Uuid>,
    ApiJson(req): ApiJson<StageBody>,
) -> Result<(StatusCode, Json<Pipeline>), ApiError> {
    let p = state
        .app
        .add_stage(&actor, PipelineId::from_uuid(id), &req.into())
        .await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

/// Renames, re-weighs, re-kinds or moves a stage (needs `settings.manage`).
#[utoipa::path(patch, path = "/pipelines/{id}/stages/{stage_id}", tag = "deals", request_body = StageBody,
    params(
        ("id" = uuid::Uuid, Path, description = "Pipeline id"),
        ("stage_id" = uuid::Uuid, Path, description = "Stage id"),
    ),
    responses(
        (status = 200, description = "Changed; the pipeline as it is now", body = Pipeline),
        (status = 404, description = "No such stage in your org", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_stage(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path((id, stage_id)): Path<(uuid::Uuid, uuid::Uuid)>,
    ApiJson(req): ApiJson<StageBody>,
) -> Result<Json<Pipeline>, ApiError> {
    let p = state
        .app
        .update_stage(
            &actor,
            PipelineId::from_uuid(id),
            StageId::from_uuid(stage_id),
            &req.into(),
        )
        .await?;
    Ok(Json(p.into()))
}

/// Deletes a stage; a stage holding deals needs `move_deals_to` (needs `settings.manage`).
#[utoipa::path(delete, path = "/pipelines/{id}/stages/{stage_id}", tag = "deals",
    params(
        ("id" = uuid::Uuid, Path, description = "Pipeline id"),
        ("stage_id" = uuid::Uuid, Path, description = "Stage id"),
        DeleteStageParams,
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such stage in your org", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It is the pipeline's last stage", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The stage holds deals and `move_deals_to` is missing or wrong", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_stage(
    State(state): State<WebState>,
    ApiActor(actor): ApiActor,
    Path((id, stage_id)): Path<(uuid::Uuid, uuid::Uuid)>,
    ApiQuery(params): ApiQuery<DeleteStageParams>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_stage(
            &actor,
            PipelineId::from_uuid(id),
            StageId::from_uuid(stage_id),
            params.move_deals_to.map(StageId::from_uuid),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
