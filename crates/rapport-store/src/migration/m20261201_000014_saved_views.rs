//! Saved views: a member's named conversation filters, private or shared with the org. The
//! filter is JSON (the domain's `ViewFilter`); a view goes with its owner's account.

use super::helpers::{a, cascade, index, table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates `saved_views`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000014_saved_views"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let name = "saved_views";
        let mut t = table(name, true);
        t.col(uuid(a("user_id")))
            .col(string_len(a("name"), 100))
            .col(boolean(a("shared")).default(false))
            .col(json_binary(a("filter")))
            .col(timestamp_with_time_zone(a("created_at")));
        cascade(&mut t, name, "user_id", "users");
        m.create_table(t).await?;
        index(
            m,
            "ix_saved_views_org_user",
            name,
            &["org_id", "user_id", "id"],
            false,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("saved_views")).to_owned())
            .await
    }
}
