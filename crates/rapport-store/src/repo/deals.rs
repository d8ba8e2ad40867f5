//! Deals: rows, their contacts, their stage history, and the board order within a stage
//! (a fractional `position`, so moving one card writes one row).

use crate::entity::{deal, deal_contact, deal_stage_history};
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, NaiveDate, Utc};
use rapport_domain::crm::DealStatus;
use rapport_domain::{DealId, PipelineId, StageId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// A deal as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct DealRecord {
    /// Id.
    pub id: DealId,
    /// Its pipeline.
    pub pipeline_id: PipelineId,
    /// Its stage.
    pub stage_id: StageId,
    /// Title.
    pub title: String,
    /// Amount in minor units, if known.
    pub amount_minor: Option<i64>,
    /// ISO 4217 currency of the amount.
    pub currency: String,
    /// Expected close date.
    pub expected_close_on: Option<NaiveDate>,
    /// Owner (an org member).
    pub owner_id: Option<UserId>,
    /// Company.
    pub company_id: Option<uuid::Uuid>,
    /// Open, won or lost.
    pub status: DealStatus,
    /// Why it was lost.
    pub lost_reason: Option<String>,
    /// When it was won or lost.
    pub closed_at: Option<DateTime<Utc>>,
    /// Order within its stage on the board (ascending).
    pub position: f64,
    /// Custom field values by key.
    pub custom: serde_json::Value,
    /// Who created it.
    pub created_by: Option<UserId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Converts a stored row.
pub(crate) fn record_of(m: deal::Model) -> StoreResult<DealRecord> {
    Ok(DealRecord {
        id: DealId::from_uuid(m.id),
        pipeline_id: PipelineId::from_uuid(m.pipeline_id),
        stage_id: StageId::from_uuid(m.stage_id),
        status: DealStatus::parse(&m.status)
            .ok_or_else(|| StoreError::Corrupt(format!("deal status {}", m.status)))?,
        title: m.title,
        amount_minor: m.amount_minor,
        currency: m.currency,
        expected_close_on: m.expected_close_on,
        owner_id: m.owner_id.map(UserId::from_uuid),
        company_id: m.company_id,
        lost_reason: m.lost_reason,
        closed_at: m.closed_at,
        position: m.position,
        custom: m.custom,
        created_by: m.created_by.map(UserId::from_uuid),
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// Writes a new deal (the caller has checked every reference belongs to the org).
pub async fn insert(db: &impl ConnectionTrait, scope: OrgScope, d: &DealRecord) -> StoreResult<()> {
    deal::Entity::insert(deal::ActiveModel {
        id: Set(d.id.as_uuid()),
        org_id: Set(scope.uuid()),
        pipeline_id: Set(d.pipeline_id.as_uuid()),
        stage_id: Set(d.stage_id.as_uuid()),
        title: Set(d.title.clone()),
        amount_minor: Set(d.amount_minor),
        currency: Set(d.currency.clone()),
        expected_close_on: Set(d.expected_close_on),
        owner_id: Set(d.owner_id.map(|u| u.as_uuid())),
        company_id: Set(d.company_id),
        status: Set(d.status.as_str().to_owned()),
        lost_reason: Set(d.lost_reason.clone()),
        closed_at: Set(d.closed_at),
        position: Set(d.position),
        custom: Set(d.custom.clone()),
        created_by: Set(d.created_by.map(|u| u.as_uuid())),
        created_at: Set(d.created_at),
        updated_at: Set(d.updated_at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// One deal of the org.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: DealId,
) -> StoreResult<DealRecord> {
    let m = deal::Entity::find()
        .filter(deal::Column::OrgId.eq(scope.uuid()))
        .filter(deal::Column::Id.eq(id.as_uuid()))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    record_of(m)
}

/// Takes the deal's row for this transaction before reading it: on PostgreSQL the update
/// locks the row, so a concurrent change of the same deal waits for this one to commit; on
/// SQLite a write first takes the database's write lock. Either way the read that follows sees
/// the latest committed state, so two moves cannot both start from the same stage.
pub async fn lock(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: DealId,
    now: DateTime<Utc>,
) -> StoreResult<DealRecord> {
    let res = deal::Entity::update_many()
        .col_expr(deal::Column::UpdatedAt, Expr::value(now))
        .filter(deal::Column::OrgId.eq(scope.uuid()))
        .filter(deal::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    get(db, scope, id).await
}

/// Writes every editable column of `d` (title, amount, dates, owner, company, custom, stage
/// and status fields, position).
pub async fn update(db: &impl ConnectionTrait, scope: OrgScope, d: &DealRecord) -> StoreResult<()> {
    let res = deal::Entity::update_many()
        .col_expr(
            deal::Column::PipelineId,
            Expr::value(d.pipeline_id.as_uuid()),
        )
        .col_expr(deal::Column::StageId, Expr::value(d.stage_id.as_uuid()))
        .col_expr(deal::Column::Title, Expr::value(d.title.as_str()))
        .col_expr(deal::Column::AmountMinor, Expr::value(d.amount_minor))
        .col_expr(deal::Column::Currency, Expr::value(d.currency.as_str()))
        .col_expr(
            deal::Column::ExpectedCloseOn,
            Expr::value(d.expected_close_on),
        )
        .col_expr(
            deal::Column::OwnerId,
            Expr::value(d.owner_id.map(|u| u.as_uuid())),
        )
        .col_expr(deal::Column::CompanyId, Expr::value(d.company_id))
        .col_expr(deal::Column::Status, Expr::value(d.status.as_str()))
        .col_expr(deal::Column::LostReason, Expr::value(d.lost_reason.clone()))
        .col_expr(deal::Column::ClosedAt, Expr::value(d.closed_at))
        .col_expr(deal::Column::Position, Expr::value(d.position))
        .col_expr(deal::Column::Custom, Expr::value(d.custom.clone()))
        .col_expr(deal::Column::UpdatedAt, Expr::value(d.updated_at))
        .filter(deal::Column::OrgId.eq(scope.uuid()))
        .filter(deal::Column::Id.eq(d.id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Deletes a deal (its contacts links and history go with it).
pub async fn delete(db: &impl ConnectionTrait, scope: OrgScope, id: DealId) -> StoreResult<()> {
    let res = deal::Entity::delete_many()
        .filter(deal::Column::OrgId.eq(scope.uuid()))
        .filter(deal::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The deal's contact ids.
pub async fn contacts(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: DealId,
) -> StoreResult<Vec<uuid::Uuid>> {
    Ok(deal_contact::Entity::find()
        .select_only()
        .column(deal_contact::Column::ContactId)
        .filter(deal_contact::Column::OrgId.eq(scope.uuid()))
        .filter(deal_contact::Column::DealId.eq(id.as_uuid()))
        .into_tuple::<uuid::Uuid>()
        .all(db)
        .await?)
}

/// Replaces the deal's contacts.
pub async fn set_contacts(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: DealId,
    contacts: &[uuid::Uuid],
) -> StoreResult<()> {
    deal_contact::Entity::delete_many()
        .filter(deal_contact::Column::OrgId.eq(scope.uuid()))
        .filter(deal_contact::Column::DealId.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if contacts.is_empty() {
        return Ok(());
    }
    let rows = contacts.iter().map(|c| deal_contact::ActiveModel {
        deal_id: Set(id.as_uuid()),
        contact_id: Set(*c),
        org_id: Set(scope.uuid()),
    });
    deal_contact::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// One stage change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRecord {
    /// The stage it left (none when created).
    pub from_stage: Option<StageId>,
    /// The stage it entered.
    pub to_stage: StageId,
    /// Who moved it.
    pub moved_by: Option<UserId>,
    /// When.
    pub moved_at: DateTime<Utc>,
}

/// Records a stage change.
pub async fn add_history(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    deal_id: DealId,
    h: &HistoryRecord,
) -> StoreResult<()> {
    deal_stage_history::Entity::insert(deal_stage_history::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        org_id: Set(scope.uuid()),
        deal_id: Set(deal_id.as_uuid()),
        from_stage_id: Set(h.from_stage.map(|s| s.as_uuid())),
        to_stage_id: Set(h.to_stage.as_uuid()),
        moved_by: Set(h.moved_by.map(|u| u.as_uuid())),
        moved_at: Set(h.moved_at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// A deal's stage history, oldest first.
pub async fn history(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    deal_id: DealId,
) -> StoreResult<Vec<HistoryRecord>> {
    Ok(deal_stage_history::Entity::find()
        .filter(deal_stage_history::Column::OrgId.eq(scope.uuid()))
        .filter(deal_stage_history::Column::DealId.eq(deal_id.as_uuid()))
        .order_by_asc(deal_stage_history::Column::MovedAt)
        .order_by_asc(deal_stage_history::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| HistoryRecord {
            from_stage: m.from_stage_id.map(StageId::from_uuid),
            to_stage: StageId::from_uuid(m.to_stage_id),
            moved_by: m.moved_by.map(UserId::from_uuid),
            moved_at: m.moved_at,
        })
        .collect())
}

/// The board positions of a stage's deals in order (id, position), for placing a card.
pub async fn positions(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    stage: StageId,
) -> StoreResult<Vec<(uuid::Uuid, f64)>> {
    Ok(deal::Entity::find()
        .select_only()
        .column(deal::Column::Id)
        .column(deal::Column::Position)
        .filter(deal::Column::OrgId.eq(scope.uuid()))
        .filter(deal::Column::StageId.eq(stage.as_uuid()))
        .order_by_asc(deal::Column::Position)
        .order_by_asc(deal::Column::Id)
        .into_tuple::<(uuid::Uuid, f64)>()
        .all(db)
        .await?)
}
