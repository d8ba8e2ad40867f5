//! `conversation_slas`: one conversation's SLA clocks under its inbox's policy.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conversation_slas")]
pub struct Model {
    pub org_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub conversation_id: Uuid,
    pub policy_id: Uuid,
    pub started_at: DateTimeUtc,
    pub priority: String,
    pub status: String,
    pub first_response_due_at: Option<DateTimeUtc>,
    pub first_response_warn_at: Option<DateTimeUtc>,
    pub first_response_met_at: Option<DateTimeUtc>,
    pub first_response_warned_at: Option<DateTimeUtc>,
    pub first_response_breached_at: Option<DateTimeUtc>,
    pub resolution_due_at: Option<DateTimeUtc>,
    pub resolution_warn_at: Option<DateTimeUtc>,
    pub resolution_met_at: Option<DateTimeUtc>,
    pub resolution_warned_at: Option<DateTimeUtc>,
    pub resolution_breached_at: Option<DateTimeUtc>,
    pub paused_at: Option<DateTimeUtc>,
    pub next_check_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
