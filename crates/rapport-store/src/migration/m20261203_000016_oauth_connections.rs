//! OAuth connections: an org's grant from a Google or Microsoft account (the account, the
//! tokens sealed by the vault, when the access token runs out, whether the grant still
//! stands). Mail inboxes, and later calendars, log in through one. One row per org, provider
//! and account, so connecting the same account again renews its grant.

use super::helpers::{a, index, table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates `oauth_connections`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000016_oauth_connections"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let name = "oauth_connections";
        let mut t = table(name, true);
        t.col(string_len(a("provider"), 20))
            .col(string_len(a("account"), 320))
            .col(text(a("sealed_tokens")))
            .col(timestamp_with_time_zone_null(a("access_expires_at")))
            .col(string_len(a("status"), 20))
            .col(string_len_null(a("last_error"), 1000))
            .col(timestamp_with_time_zone(a("created_at")))
            .col(timestamp_with_time_zone(a("updated_at")));
        m.create_table(t).await?;
        index(
            m,
            "ux_oauth_connections_account",
            name,
            &["org_id", "provider", "account"],
            true,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("oauth_connections")).to_owned())
            .await
    }
}
