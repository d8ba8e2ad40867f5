//! CSAT surveys: one row per survey sent when a conversation of an inbox with surveys on is
//! resolved. The link's token is stored only as its SHA-256 digest (unique: the public page
//! finds a survey by it); the rating and comment are filled in when the customer answers.

use super::helpers::{a, cascade, index, table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates `csat_surveys`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000012_csat"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let name = "csat_surveys";
        let mut t = table(name, true);
        t.col(uuid(a("conversation_id")))
            .col(string_len(a("token_digest"), 64))
            .col(timestamp_with_time_zone(a("created_at")))
            .col(timestamp_with_time_zone(a("expires_at")))
            .col(small_integer_null(a("rating")))
            .col(text_null(a("comment")))
            .col(timestamp_with_time_zone_null(a("answered_at")));
        cascade(&mut t, name, "conversation_id", "conversations");
        m.create_table(t).await?;
        index(m, "ux_csat_surveys_token", name, &["token_digest"], true).await?;
        index(
            m,
            "ix_csat_surveys_org_conversation",
            name,
            &["org_id", "conversation_id", "id"],
            false,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("csat_surveys")).to_owned())
            .await
    }
}
