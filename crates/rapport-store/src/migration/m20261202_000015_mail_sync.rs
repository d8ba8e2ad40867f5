//! The email channel's sync state: a checkpoint per mailbox folder (`UIDVALIDITY` and the last
//! UID read, so a restart continues where the last committed batch ended), the lease that lets
//! one process of many read a mailbox, and what the last attempt said (for the settings page).
//! `mail_quarantine` keeps messages that could not be stored, raw bytes sealed in the blob
//! store, until an admin retries or discards them. `ix_messages_org_external` finds the stored
//! message a reply's `In-Reply-To`/`References` name.

use super::helpers::{a, cascade, index, table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates `mail_folders`, `mail_quarantine` and the external-id index.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000015_mail_sync"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let name = "mail_folders";
        let mut t = table(name, false);
        t.col(uuid(a("inbox_id")))
            .col(string_len(a("folder"), 255))
            .col(big_integer_null(a("uid_validity")))
            .col(big_integer(a("last_uid")))
            .col(big_integer(a("imported")))
            .col(string_len_null(a("lease_holder"), 100))
            .col(big_integer(a("lease_until")))
            .col(string_len_null(a("last_error"), 1000))
            .col(timestamp_with_time_zone_null(a("last_synced_at")))
            .col(timestamp_with_time_zone(a("updated_at")))
            .primary_key(Index::create().col(a("inbox_id")).col(a("folder")));
        cascade(&mut t, name, "inbox_id", "inboxes");
        m.create_table(t).await?;
        index(
            m,
            "ix_mail_folders_org",
            name,
            &["org_id", "inbox_id"],
            false,
        )
        .await?;

        let name = "mail_quarantine";
        let mut t = table(name, true);
        t.col(uuid(a("inbox_id")))
            .col(string_len(a("folder"), 255))
            .col(big_integer(a("uid")))
            .col(string_len(a("blob"), 64))
            .col(big_integer(a("size")))
            .col(string_len(a("error"), 1000))
            .col(integer(a("attempts")))
            .col(timestamp_with_time_zone(a("created_at")))
            .col(timestamp_with_time_zone(a("updated_at")));
        cascade(&mut t, name, "inbox_id", "inboxes");
        m.create_table(t).await?;
        index(
            m,
            "ix_mail_quarantine_org_inbox",
            name,
            &["org_id", "inbox_id", "created_at"],
            false,
        )
        .await?;
        index(
            m,
            "ix_messages_org_external",
            "messages",
            &["org_id", "external_id"],
            false,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_messages_org_external")
                .table(a("messages"))
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(a("mail_quarantine")).to_owned())
            .await?;
        m.drop_table(Table::drop().table(a("mail_folders")).to_owned())
            .await
    }
}
