//! `schedules`: periodic jobs and when each is next due. Advancing `next_run_ms` with a
//! compare-and-swap elects exactly one runner per period across processes.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "schedules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub interval_ms: i64,
    pub next_run_ms: i64,
    pub last_run_ms: Option<i64>,
    pub runs: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
