//! `contacts`: people the org deals with (names, stage, owner, custom values, consent).
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub title: Option<String>,
    pub company_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub lifecycle_stage: String,
    pub source: Option<String>,
    pub avatar_url: Option<String>,
    pub primary_email: Option<String>,
    pub primary_phone: Option<String>,
    pub social: Json,
    pub custom: Json,
    pub consent_marketing: bool,
    pub consent_ai: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
