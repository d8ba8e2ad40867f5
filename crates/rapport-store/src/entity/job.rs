//! `jobs`: the durable queue. Scheduling columns are epoch milliseconds so comparisons behave
//! identically on SQLite (text timestamps) and PostgreSQL.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Option<Uuid>,
    pub kind: String,
    pub payload: Json,
    pub state: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at_ms: i64,
    pub lease_until_ms: Option<i64>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub dedupe_key: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
