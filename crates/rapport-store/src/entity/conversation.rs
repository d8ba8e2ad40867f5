//! `conversations`: a conversation with one contact in one inbox.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "conversations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub number: i64,
    pub inbox_id: Uuid,
    pub contact_id: Uuid,
    pub subject: Option<String>,
    pub status: String,
    pub priority: String,
    pub assignee_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub snoozed_until: Option<DateTimeUtc>,
    pub last_activity_at: DateTimeUtc,
    pub last_message_preview: Option<String>,
    pub last_incoming_at: Option<DateTimeUtc>,
    pub first_reply_at: Option<DateTimeUtc>,
    pub waiting_since: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    pub message_count: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
