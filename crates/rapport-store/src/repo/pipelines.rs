//! Pipelines and their ordered stages. A new org gets the default "Sales" pipeline the first
//! time anyone looks at deals ([`ensure_default`]), so there is always a board to show.

use crate::entity::{deal, pipeline, pipeline_stage};
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::crm::StageKind;
use rapport_domain::{PipelineId, StageId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TryInsertResult,
};

/// The default pipeline's name and stages (name, probability %, kind).
pub const DEFAULT_NAME: &str = "Sales";
/// The default pipeline's stages.
pub const DEFAULT_STAGES: [(&str, i32, StageKind); 6] = [
    ("Qualification", 10, StageKind::Open),
    ("Needs analysis", 25, StageKind::Open),
    ("Proposal", 50, StageKind::Open),
    ("Negotiation", 75, StageKind::Open),
    ("Won", 100, StageKind::Won),
    ("Lost", 0, StageKind::Lost),
];

/// One stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageRecord {
    /// Id.
    pub id: StageId,
    /// Its pipeline.
    pub pipeline_id: PipelineId,
    /// Name.
    pub name: String,
    /// Order within the pipeline (0 first).
    pub position: i32,
    /// Win probability in percent (0–100).
    pub probability: i32,
    /// What entering it means.
    pub kind: StageKind,
}

/// A pipeline with its stages in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineRecord {
    /// Id.
    pub id: PipelineId,
    /// Name, unique in the org.
    pub name: String,
    /// Order among the org's pipelines.
    pub position: i32,
    /// Currency new deals default to (ISO 4217).
    pub currency: String,
    /// Stages in order.
    pub stages: Vec<StageRecord>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

fn stage_of(m: pipeline_stage::Model) -> StoreResult<StageRecord> {
    Ok(StageRecord {
        id: StageId::from_uuid(m.id),
        pipeline_id: PipelineId::from_uuid(m.pipeline_id),
        kind: StageKind::parse(&m.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("stage kind {}", m.kind)))?,
        name: m.name,
        position: m.position,
        probability: m.probability,
    })
}

/// The org's pipelines in order, each with its stages.
pub async fn list(db: &impl ConnectionTrait, scope: OrgScope) -> StoreResult<Vec<PipelineRecord>> {
    let pipelines = pipeline::Entity::find()
        .filter(pipeline::Column::OrgId.eq(scope.uuid()))
        .order_by_asc(pipeline::Column::Position)
        .order_by_asc(pipeline::Column::CreatedAt)
        .all(db)
        .await?;
    let stages = pipeline_stage::Entity::find()
        .filter(pipeline_stage::Column::OrgId.eq(scope.uuid()))
        .order_by_asc(pipeline_stage::Column::Position)
        .order_by_asc(pipeline_stage::Column::CreatedAt)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(pipelines.len());
    for p in pipelines {
        let mut own = Vec::new();
        for s in stages.iter().filter(|s| s.pipeline_id == p.id) {
            own.push(stage_of(s.clone())?);
        }
        out.push(PipelineRecord {
            id: PipelineId::from_uuid(p.id),
            name: p.name,
            position: p.position,
            currency: p.currency,
            stages: own,
            created_at: p.created_at,
        });
    }
    Ok(out)
}

/// One pipeline of the org.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: PipelineId,
) -> StoreResult<PipelineRecord> {
    list(db, scope)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(StoreError::NotFound)
}

/// The pipeline holding a stage, with the stage.
pub async fn stage(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: StageId,
) -> StoreResult<StageRecord> {
    let m = pipeline_stage::Entity::find()
        .filter(pipeline_stage::Column::OrgId.eq(scope.uuid()))
        .filter(pipeline_stage::Column::Id.eq(id.as_uuid()))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    stage_of(m)
}

/// Creates the default pipeline when the org has none. Safe under concurrency: the unique
/// (org, name) index lets exactly one of two racing callers insert it; the other sees a
/// conflict and leaves it alone. Returns whether it created it.
pub async fn ensure_default(
    db: &crate::connect::Db,
    scope: OrgScope,
    currency: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let existing = pipeline::Entity::find()
        .filter(pipeline::Column::OrgId.eq(scope.uuid()))
        .count(db.conn())
        .await?;
    if existing > 0 {
        return Ok(false);
    }
    let txn = db.begin().await?;
    let id = PipelineId::new();
    // The insert comes first so the transaction takes SQLite's write lock before it reads.
    let res = pipeline::Entity::insert(pipeline::ActiveModel {
        id: Set(id.as_uuid()),
        org_id: Set(scope.uuid()),
        name: Set(DEFAULT_NAME.to_owned()),
        position: Set(0),
        currency: Set(currency.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict_do_nothing_on([pipeline::Column::OrgId, pipeline::Column::Name])
    .exec_without_returning(&txn)
    .await?;
    if !matches!(res, TryInsertResult::Inserted(n) if n > 0) {
        return Ok(false);
    }
    for (i, (name, probability, kind)) in DEFAULT_STAGES.iter().enumerate() {
        insert_stage(&txn, scope, id, name, i as i32, *probability, *kind, now).await?;
    }
    txn.commit().await?;
    Ok(true)
}

/// Creates a pipeline (without stages). A taken name is a `Conflict`.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    name: &str,
    currency: &str,
    now: DateTime<Utc>,
) -> StoreResult<PipelineId> {
    let position = pipeline::Entity::find()
        .filter(pipeline::Column::OrgId.eq(scope.uuid()))
        .count(db)
        .await? as i32;
    let id = PipelineId::new();
    pipeline::Entity::insert(pipeline::ActiveModel {
        id: Set(id.as_uuid()),
        org_id: Set(scope.uuid()),
        name: Set(name.to_owned()),
        position: Set(position),
        currency: Set(currency.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// Renames a pipeline or changes its default currency.
pub async fn update(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: PipelineId,
    name: &str,
    currency: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let res = pipeline::Entity::update_many()
        .col_expr(pipeline::Column::Name, Expr::value(name))
        .col_expr(pipeline::Column::Currency, Expr::value(currency))
        .col_expr(pipeline::Column::UpdatedAt, Expr::value(now))
        .filter(pipeline::Column::OrgId.eq(scope.uuid()))
        .filter(pipeline::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Marks a pipeline changed as a transaction's first statement: on SQLite the write takes the
/// database's write lock before anything is read (a read first could not be upgraded once
/// another writer committed), on PostgreSQL it locks the row so concurrent changes to the
/// same pipeline's stages run one after the other. `NotFound` for another org's pipeline.
pub async fn touch(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: PipelineId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let res = pipeline::Entity::update_many()
        .col_expr(pipeline::Column::UpdatedAt, Expr::value(now))
        .filter(pipeline::Column::OrgId.eq(scope.uuid()))
        .filter(pipeline::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Deletes a pipeline with its stages and deals (the caller refuses when deals remain).
pub async fn delete(db: &impl ConnectionTrait, scope: OrgScope, id: PipelineId) -> StoreResult<()> {
    let res = pipeline::Entity::delete_many()
        .filter(pipeline::Column::OrgId.eq(scope.uuid()))
        .filter(pipeline::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Adds a stage at `position`.
#[allow(clippy::too_many_arguments)]
pub async fn insert_stage(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    pipeline_id: PipelineId,
    name: &str,
    position: i32,
    probability: i32,
    kind: StageKind,
    now: DateTime<Utc>,
) -> StoreResult<StageId> {
    let id = StageId::new();
    pipeline_stage::Entity::insert(pipeline_stage::ActiveModel {
        id: Set(id.as_uuid()),
        org_id: Set(scope.uuid()),
        pipeline_id: Set(pipeline_id.as_uuid()),
        name: Set(name.to_owned()),
        position: Set(position),
        probability: Set(probability),
        kind: Set(kind.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// Writes a stage's name, probability, kind and position.
pub async fn update_stage(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    stage: &StageRecord,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let res = pipeline_stage::Entity::update_many()
        .col_expr(
            pipeline_stage::Column::Name,
            Expr::value(stage.name.as_str()),
        )
        .col_expr(
            pipeline_stage::Column::Probability,
            Expr::value(stage.probability),
        )
        .col_expr(
            pipeline_stage::Column::Kind,
            Expr::value(stage.kind.as_str()),
        )
        .col_expr(
            pipeline_stage::Column::Position,
            Expr::value(stage.position),
        )
        .col_expr(pipeline_stage::Column::UpdatedAt, Expr::value(now))
        .filter(pipeline_stage::Column::OrgId.eq(scope.uuid()))
        .filter(pipeline_stage::Column::Id.eq(stage.id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Deletes a stage (which must hold no deals any more).
pub async fn delete_stage(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: StageId,
) -> StoreResult<()> {
    let res = pipeline_stage::Entity::delete_many()
        .filter(pipeline_stage::Column::OrgId.eq(scope.uuid()))
        .filter(pipeline_stage::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// How many deals sit in a stage.
pub async fn deals_in_stage(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: StageId,
) -> StoreResult<u64> {
    Ok(deal::Entity::find()
        .filter(deal::Column::OrgId.eq(scope.uuid()))
        .filter(deal::Column::StageId.eq(id.as_uuid()))
        .count(db)
        .await?)
}

/// How many deals a pipeline holds.
pub async fn deals_in_pipeline(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: PipelineId,
) -> StoreResult<u64> {
    Ok(deal::Entity::find()
        .filter(deal::Column::OrgId.eq(scope.uuid()))
        .filter(deal::Column::PipelineId.eq(id.as_uuid()))
        .count(db)
        .await?)
}

/// The ids of the deals in a stage (to move them one by one with history).
pub async fn deal_ids_in_stage(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: StageId,
) -> StoreResult<Vec<uuid::Uuid>> {
    Ok(deal::Entity::find()
        .select_only()
        .column(deal::Column::Id)
        .filter(deal::Column::OrgId.eq(scope.uuid()))
        .filter(deal::Column::StageId.eq(id.as_uuid()))
        .order_by_asc(deal::Column::Position)
        .into_tuple::<uuid::Uuid>()
        .all(db)
        .await?)
}
