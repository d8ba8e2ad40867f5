//! Retention and legal holds: each org's retention policy per kind of data (`days` null keeps
//! it for good; no row means the default), legal holds on the whole org, a contact or a
//! conversation (open while `released_at` is null), and the log of retention runs (what each
//! removed, and up to when). A run's conversation scan walks the existing
//! `ix_conversations_org_activity` `(org_id, last_activity_at, id)`.

use super::helpers::{a, index, set_null, table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates `retention_policies`, `legal_holds`, `retention_runs`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000018_retention"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("retention_policies", false);
        t.col(string_len(a("target"), 32))
            .col(integer_null(a("days")))
            .col(uuid_null(a("updated_by")))
            .col(timestamp_with_time_zone(a("updated_at")))
            .primary_key(Index::create().col(a("org_id")).col(a("target")));
        set_null(&mut t, "retention_policies", "updated_by", "users");
        m.create_table(t).await?;

        let name = "legal_holds";
        let mut t = table(name, true);
        t.col(string_len(a("target_type"), 16))
            .col(uuid_null(a("target_id")))
            .col(string_len(a("reason"), 500))
            .col(uuid_null(a("created_by")))
            .col(timestamp_with_time_zone(a("created_at")))
            .col(timestamp_with_time_zone_null(a("released_at")))
            .col(uuid_null(a("released_by")));
        set_null(&mut t, name, "created_by", "users");
        set_null(&mut t, name, "released_by", "users");
        m.create_table(t).await?;
        index(
            m,
            "ix_legal_holds_org_target",
            name,
            &["org_id", "target_type", "target_id"],
            false,
        )
        .await?;

        let name = "retention_runs";
        let mut t = table(name, true);
        t.col(string_len(a("target"), 32))
            .col(timestamp_with_time_zone(a("cutoff")))
            .col(big_integer(a("deleted")))
            .col(timestamp_with_time_zone(a("started_at")))
            .col(timestamp_with_time_zone(a("finished_at")));
        m.create_table(t).await?;
        index(
            m,
            "ix_retention_runs_org_started",
            name,
            &["org_id", "started_at"],
            false,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["retention_runs", "legal_holds", "retention_policies"] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
