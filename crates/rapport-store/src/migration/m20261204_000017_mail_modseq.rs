//! A mailbox folder's checkpoint gains the CONDSTORE `HIGHESTMODSEQ` every change was read up
//! to (`mail_folders.highest_modseq`, null while a backlog is being read or when the server
//! lacks CONDSTORE): a reader that reconnects to a folder with the same value skips the search.

use super::helpers::a;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Adds `mail_folders.highest_modseq`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000017_mail_modseq"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("mail_folders"))
                .add_column(big_integer_null(a("highest_modseq")))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("mail_folders"))
                .drop_column(a("highest_modseq"))
                .to_owned(),
        )
        .await
    }
}
