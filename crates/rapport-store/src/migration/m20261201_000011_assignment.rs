//! Automatic assignment: a member's availability (`online`, `away`, `offline`) and capacity
//! (the most open conversations they take; null: no limit) on their membership, and
//! `assignment_cursors`, when each inbox last gave each member a conversation (round-robin
//! reads it; the primary key serves the lookup).

use super::helpers::{a, cascade, table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Adds `memberships.availability`, `memberships.capacity` and `assignment_cursors`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000011_assignment"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("memberships"))
                .add_column(string_len(a("availability"), 10).default("online"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(a("memberships"))
                .add_column(integer_null(a("capacity")))
                .to_owned(),
        )
        .await?;
        let name = "assignment_cursors";
        let mut t = table(name, false);
        t.col(uuid(a("inbox_id")))
            .col(uuid(a("user_id")))
            .col(timestamp_with_time_zone(a("last_assigned_at")))
            .primary_key(Index::create().col(a("inbox_id")).col(a("user_id")));
        cascade(&mut t, name, "inbox_id", "inboxes");
        cascade(&mut t, name, "user_id", "users");
        m.create_table(t).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("assignment_cursors")).to_owned())
            .await?;
        for col in ["capacity", "availability"] {
            m.alter_table(
                Table::alter()
                    .table(a("memberships"))
                    .drop_column(a(col))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
