//! Retention and legal holds: each org's retention policy per kind of data (`days` null keeps
//! it for good; no row means the default), legal holds on the whole org, a contact or a
//! conversation (open while `released_at` is null), and the log of retention runs (what each
//! removed, and up to when). A run's conversation scan walks the existing
//! `ix_conversations_org_activity` `(org_id, last_activity_at, id)`; receipts get an index by
//! message, which purges and exports look them up by; and the foreign keys to conversations
//! and contacts that lacked one get an index led by them, so deleting a parent does not scan
//! the child table.

use super::helpers::{a, index, set_null, table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates `retention_policies`, `legal_holds`, `retention_runs`.
pub struct Migration;

/// Foreign keys to conversations and contacts that had no index led by them.
const FK_INDEXES: [(&str, &str, &str); 5] = [
    ("ix_messages_conversation_fk", "messages", "conversation_id"),
    (
        "ix_automation_runs_conversation_fk",
        "automation_runs",
        "conversation_id",
    ),
    (
        "ix_csat_surveys_conversation_fk",
        "csat_surveys",
        "conversation_id",
    ),
    ("ix_conversations_contact_fk", "conversations", "contact_id"),
    ("ix_deal_contacts_contact_fk", "deal_contacts", "contact_id"),
];

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
        .await?;

        // Receipts of a person's or an expired conversation's messages (exports, purges).
        index(
            m,
            "ix_inbound_receipts_message",
            "inbound_receipts",
            &["org_id", "message_id"],
            false,
        )
        .await?;
        // Deleting a conversation or a contact makes both databases find the rows that point to
        // it by the foreign key alone; without an index led by that column each deleted parent
        // is a scan of the whole child table (a purge of 10,000 conversations: 10,000 scans of
        // every message).
        for (name, table, column) in FK_INDEXES {
            index(m, name, table, &[column], false).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in FK_INDEXES {
            m.drop_index(Index::drop().name(name).table(a(table)).to_owned())
                .await?;
        }
        m.drop_index(
            Index::drop()
                .name("ix_inbound_receipts_message")
                .table(a("inbound_receipts"))
                .to_owned(),
        )
        .await?;
        for t in ["retention_runs", "legal_holds", "retention_policies"] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
