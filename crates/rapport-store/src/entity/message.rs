//! `messages`: a message, private note or activity line of a conversation.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub conversation_id: Uuid,
    pub kind: String,
    pub direction: String,
    pub sender_type: String,
    pub sender_id: Option<Uuid>,
    pub body: String,
    pub status: String,
    pub error: Option<String>,
    pub external_id: Option<String>,
    pub metadata: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
