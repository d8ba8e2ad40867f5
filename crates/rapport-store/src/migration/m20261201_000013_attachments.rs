//! Attachments: one row per file on a message, or uploaded and not yet sent (`message_id`
//! null). The bytes live in the blob store under `blob`, an address keyed per org, so equal
//! files of one org are stored once; a row only names them. Deleting a message detaches its
//! files (`message_id` cleared) and the sweep removes them with the unclaimed uploads.

use super::helpers::{a, index, set_null, table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates `attachments`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000013_attachments"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let name = "attachments";
        let mut t = table(name, true);
        t.col(uuid_null(a("message_id")))
            .col(uuid_null(a("uploaded_by")))
            .col(string_len(a("blob"), 64))
            .col(string_len(a("filename"), 255))
            .col(string_len(a("content_type"), 130))
            .col(big_integer(a("size")))
            .col(timestamp_with_time_zone(a("created_at")));
        set_null(&mut t, name, "message_id", "messages");
        m.create_table(t).await?;
        index(
            m,
            "ix_attachments_org_message",
            name,
            &["org_id", "message_id"],
            false,
        )
        .await?;
        index(
            m,
            "ix_attachments_org_blob",
            name,
            &["org_id", "blob"],
            false,
        )
        .await?;
        index(
            m,
            "ix_attachments_pending",
            name,
            &["message_id", "created_at"],
            false,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("attachments")).to_owned())
            .await
    }
}
