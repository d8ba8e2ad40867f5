//! `deals`: an opportunity in one stage of a pipeline.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "deals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub pipeline_id: Uuid,
    pub stage_id: Uuid,
    pub title: String,
    pub amount_minor: Option<i64>,
    pub currency: String,
    pub expected_close_on: Option<Date>,
    pub owner_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub status: String,
    pub lost_reason: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub position: f64,
    pub custom: Json,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
