//! The deals of one contact (through `deal_contacts`) or one company, newest first, with their
//! stage names: the "Deals" panel of a contact or company page.

use crate::entity::{deal, deal_contact, pipeline_stage};
use crate::error::StoreResult;
use crate::scope::OrgScope;
use rapport_domain::crm::RecordType;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// One deal as the panel shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordDeal {
    /// Deal id.
    pub id: uuid::Uuid,
    /// Title.
    pub title: String,
    /// Amount in minor units.
    pub amount_minor: Option<i64>,
    /// ISO currency.
    pub currency: String,
    /// `open`, `won` or `lost`.
    pub status: String,
    /// Its stage's name.
    pub stage: String,
}

/// Up to `limit` deals of a contact or a company (a deal record has none).
pub async fn for_record(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    record: (RecordType, uuid::Uuid),
    limit: u64,
) -> StoreResult<Vec<RecordDeal>> {
    let mut q = deal::Entity::find().filter(deal::Column::OrgId.eq(scope.uuid()));
    q = match record.0 {
        RecordType::Company => q.filter(deal::Column::CompanyId.eq(record.1)),
        RecordType::Contact => {
            let ids: Vec<uuid::Uuid> = deal_contact::Entity::find()
                .filter(deal_contact::Column::OrgId.eq(scope.uuid()))
                .filter(deal_contact::Column::ContactId.eq(record.1))
                .all(db)
                .await?
                .into_iter()
                .map(|l| l.deal_id)
                .collect();
            q.filter(deal::Column::Id.is_in(ids))
        }
        RecordType::Deal => return Ok(Vec::new()),
    };
    let deals = q
        .order_by_desc(deal::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?;
    let stage_ids: Vec<uuid::Uuid> = deals.iter().map(|d| d.stage_id).collect();
    let stages = pipeline_stage::Entity::find()
        .filter(pipeline_stage::Column::OrgId.eq(scope.uuid()))
        .filter(pipeline_stage::Column::Id.is_in(stage_ids))
        .all(db)
        .await?;
    Ok(deals
        .into_iter()
        .map(|d| RecordDeal {
            stage: stages
                .iter()
                .find(|s| s.id == d.stage_id)
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            id: d.id,
            title: d.title,
            amount_minor: d.amount_minor,
            currency: d.currency,
            status: d.status,
        })
        .collect())
}
