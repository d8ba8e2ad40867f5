//! A pipeline's stages: add, rename, re-weigh, re-kind, reorder and delete (`settings.manage`).
//! A stage that holds deals is deleted only after its deals move to a stage the member chose,
//! each move recorded in the deal's history. Every change starts by touching the pipeline row
//! (`pipelines::touch`), so concurrent edits of one pipeline's order run one after the other.

use super::deal_moves::MoveCtx;
use super::pipelines::StageInput;
use crate::audit::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult, FieldErrors};
use rapport_domain::crm::StageKind;
use rapport_domain::{DomainError, Permission, PipelineId, StageId, bounded_text};
use rapport_store::repo::pipelines::{self, PipelineRecord, StageRecord};

/// Most stages one pipeline may have.
pub const MAX_STAGES: usize = 30;

fn probability(raw: i32) -> Result<i32, DomainError> {
    if (0..=100).contains(&raw) {
        Ok(raw)
    } else {
        Err(DomainError::Invalid {
            field: "probability",
            reason: "use a whole percentage from 0 to 100",
        })
    }
}

fn kind(raw: &str) -> Result<StageKind, DomainError> {
    StageKind::parse(raw.trim()).ok_or(DomainError::Invalid {
        field: "kind",
        reason: "choose open, won or lost",
    })
}

/// Validates a new stage (name required; probability and kind default to 0 % and open).
pub(crate) fn new_stage(input: &StageInput) -> AppResult<(String, i32, StageKind)> {
    let mut errors = FieldErrors::default();
    let name = errors.check(bounded_text(
        "name",
        input.name.as_deref().unwrap_or(""),
        100,
    ));
    let p = errors.check(probability(input.probability.unwrap_or(0)));
    let k = errors.check(kind(input.kind.as_deref().unwrap_or("open")));
    errors.finish()?;
    match (name, p, k) {
        (Some(n), Some(p), Some(k)) => Ok((n, p, k)),
        _ => Err(AppError::Internal("stage validation".into())),
    }
}

impl App {
    /// Adds a stage to a pipeline (at `position`, or last).
    pub async fn add_stage(
        &self,
        actor: &Actor,
        pipeline: PipelineId,
        input: &StageInput,
    ) -> AppResult<PipelineRecord> {
        actor.require(Permission::SettingsManage)?;
        let (name, p, k) = new_stage(input)?;
        let scope = actor.scope();
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        pipelines::touch(&txn, scope, pipeline, now).await?;
        let current = pipelines::get(&txn, scope, pipeline).await?;
        if current.stages.len() >= MAX_STAGES {
            return Err(DomainError::Invalid {
                field: "stages",
                reason: "a pipeline has at most 30 stages",
            }
            .into());
        }
        let at = input
            .position
            .unwrap_or(current.stages.len())
            .min(current.stages.len());
        let id =
            pipelines::insert_stage(&txn, scope, pipeline, &name, at as i32, p, k, now).await?;
        let mut order: Vec<StageRecord> = current.stages;
        order.insert(
            at,
            StageRecord {
                id,
                pipeline_id: pipeline,
                name: name.clone(),
                position: at as i32,
                probability: p,
                kind: k,
            },
        );
        renumber(&txn, actor, &mut order, now).await?;
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("pipeline.stage_added", "pipeline", pipeline)
                .with(serde_json::json!({ "stage": id, "name": name })),
        )
        .await?;
        txn.commit().await?;
        self.pipeline(actor, pipeline).await
    }

    /// Renames, re-weighs, re-kinds or reorders a stage.
    pub async fn update_stage(
        &self,
        actor: &Actor,
        pipeline: PipelineId,
        stage: StageId,
        input: &StageInput,
    ) -> AppResult<PipelineRecord> {
        actor.require(Permission::SettingsManage)?;
        let scope = actor.scope();
        let now = self.clock().now();
        let mut errors = FieldErrors::default();
        let name = input
            .name
            .as_deref()
            .and_then(|n| errors.check(bounded_text("name", n, 100)));
        let prob = input.probability.and_then(|p| errors.check(probability(p)));
        let k = input.kind.as_deref().and_then(|k| errors.check(kind(k)));
        errors.finish()?;
        let txn = self.db().begin().await?;
        pipelines::touch(&txn, scope, pipeline, now).await?;
        let current = pipelines::get(&txn, scope, pipeline).await?;
        let mut order = current.stages;
        let Some(idx) = order.iter().position(|s| s.id == stage) else {
            return Err(AppError::NotFound);
        };
        let mut s = order.remove(idx);
        if let Some(n) = name {
            s.name = n;
        }
        if let Some(p) = prob {
            s.probability = p;
        }
        if let Some(k) = k {
            s.kind = k;
        }
        let at = input.position.unwrap_or(idx).min(order.len());
        order.insert(at, s.clone());
        pipelines::update_stage(&txn, scope, &s, now).await?;
        renumber(&txn, actor, &mut order, now).await?;
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("pipeline.stage_updated", "pipeline", pipeline).with(
                serde_json::json!({
                    "stage": stage, "name": s.name, "probability": s.probability,
                    "kind": s.kind.as_str(), "position": at,
                }),
            ),
        )
        .await?;
        txn.commit().await?;
        self.pipeline(actor, pipeline).await
    }

    /// Deletes a stage. When it holds deals, `move_deals_to` (another stage of the same
    /// pipeline) must say where they go; each move is recorded in the deal's history.
    pub async fn delete_stage(
        &self,
        actor: &Actor,
        pipeline: PipelineId,
        stage: StageId,
        move_deals_to: Option<StageId>,
    ) -> AppResult<PipelineRecord> {
        actor.require(Permission::SettingsManage)?;
        let scope = actor.scope();
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        pipelines::touch(&txn, scope, pipeline, now).await?;
        let current = pipelines::get(&txn, scope, pipeline).await?;
        let Some(doomed) = current.stages.iter().find(|s| s.id == stage).cloned() else {
            return Err(AppError::NotFound);
        };
        if current.stages.len() == 1 {
            return Err(AppError::Conflict(
                "a pipeline needs at least one stage".into(),
            ));
        }
        let deals = pipelines::deal_ids_in_stage(&txn, scope, stage).await?;
        let target = match move_deals_to {
            Some(t) => current
                .stages
                .iter()
                .find(|s| s.id == t && s.id != stage)
                .cloned()
                .map(Some)
                .ok_or(DomainError::Invalid {
                    field: "move_deals_to",
                    reason: "choose another stage of the same pipeline",
                })?,
            None => None,
        };
        if !deals.is_empty() {
            let Some(target) = target.clone() else {
                return Err(DomainError::Invalid {
                    field: "move_deals_to",
                    reason: "this stage holds deals: choose the stage they move to",
                }
                .into());
            };
            let ctx = MoveCtx {
                actor,
                now,
                stages: &current.stages,
            };
            for id in &deals {
                self.move_in_txn(
                    &txn,
                    &ctx,
                    rapport_domain::DealId::from_uuid(*id),
                    &target,
                    None,
                    None,
                )
                .await?;
            }
        }
        pipelines::delete_stage(&txn, scope, stage).await?;
        let mut order: Vec<StageRecord> = current
            .stages
            .into_iter()
            .filter(|s| s.id != stage)
            .collect();
        renumber(&txn, actor, &mut order, now).await?;
        self.audit(
            &txn,
            scope,
            &Who::from(actor),
            AuditEvent::new("pipeline.stage_deleted", "pipeline", pipeline).with(
                serde_json::json!({
                    "stage": stage, "name": doomed.name, "deals_moved": deals.len(),
                    "moved_to": target.map(|t| t.id),
                }),
            ),
        )
        .await?;
        txn.commit().await?;
        self.pipeline(actor, pipeline).await
    }
}

/// Writes positions 0..n in the given order (only rows whose position changed).
async fn renumber(
    txn: &rapport_store::DatabaseTransaction,
    actor: &Actor,
    order: &mut [StageRecord],
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    for (i, s) in order.iter_mut().enumerate() {
        if s.position != i as i32 {
            s.position = i as i32;
            pipelines::update_stage(txn, actor.scope(), s, now).await?;
        }
    }
    Ok(())
}
