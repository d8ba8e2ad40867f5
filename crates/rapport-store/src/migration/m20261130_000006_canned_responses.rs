//! Canned responses (saved replies): a short code unique per org, a title and a template body,
//! for every inbox (`inbox_id` null) or one. A response kept for one inbox goes with it; one
//! written by a member who leaves stays (its `created_by` is cleared).

use super::helpers::{a, cascade, index, set_null, stamps, table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates `canned_responses`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000006_canned_responses"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let name = "canned_responses";
        let mut t = table(name, true);
        t.col(string_len(a("short_code"), 40))
            .col(string_len(a("title"), 120))
            .col(text(a("body")))
            .col(uuid_null(a("inbox_id")))
            .col(uuid_null(a("created_by")));
        stamps(&mut t);
        cascade(&mut t, name, "inbox_id", "inboxes");
        set_null(&mut t, name, "created_by", "users");
        m.create_table(t).await?;
        // Lists are ordered by short code and the composer looks codes up by prefix: the
        // unique index serves both.
        index(
            m,
            "ux_canned_responses_org_code",
            name,
            &["org_id", "short_code"],
            true,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("canned_responses")).to_owned())
            .await
    }
}
