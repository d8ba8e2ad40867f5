//! SLA policies and the clocks they put on conversations.
//!
//! `sla_policies` holds a policy's targets per priority and its business hours (null: around
//! the clock), both as validated JSON; `sla_policy_inboxes` says which inboxes a policy covers
//! (an inbox is covered by one policy at most: the primary key). `conversation_slas` is one
//! row per conversation under a policy: its deadlines, what was met, warned and breached (each
//! once), a pause while waiting on the customer, and `next_check_at`, the one indexed column
//! the minute sweep reads (`ix_conversation_slas_next_check`), so the sweep never scans
//! conversations.

use super::helpers::{a, cascade, index, stamps, table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates `sla_policies`, `sla_policy_inboxes` and `conversation_slas`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000010_sla"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let policies = "sla_policies";
        let mut t = table(policies, true);
        t.col(string_len(a("name"), 120))
            .col(json_binary_null(a("business_hours")))
            .col(json_binary(a("targets")))
            .col(small_integer(a("warn_percent")));
        stamps(&mut t);
        m.create_table(t).await?;
        index(
            m,
            "ix_sla_policies_org_name",
            policies,
            &["org_id", "name"],
            false,
        )
        .await?;

        let covered = "sla_policy_inboxes";
        let mut t = table(covered, false);
        t.col(uuid(a("inbox_id")))
            .col(uuid(a("policy_id")))
            .primary_key(Index::create().col(a("inbox_id")));
        cascade(&mut t, covered, "inbox_id", "inboxes");
        cascade(&mut t, covered, "policy_id", policies);
        m.create_table(t).await?;
        index(
            m,
            "ix_sla_policy_inboxes_policy",
            covered,
            &["org_id", "policy_id"],
            false,
        )
        .await?;

        let clocks = "conversation_slas";
        let mut t = table(clocks, false);
        t.col(uuid(a("conversation_id")))
            .col(uuid(a("policy_id")))
            .col(timestamp_with_time_zone(a("started_at")))
            .col(string_len(a("priority"), 20))
            .col(string_len(a("status"), 20));
        for target in ["first_response", "resolution"] {
            for stamp in ["due_at", "warn_at", "met_at", "warned_at", "breached_at"] {
                t.col(timestamp_with_time_zone_null(a(&format!(
                    "{target}_{stamp}"
                ))));
            }
        }
        t.col(timestamp_with_time_zone_null(a("paused_at")))
            .col(timestamp_with_time_zone_null(a("next_check_at")))
            .primary_key(Index::create().col(a("conversation_id")));
        cascade(&mut t, clocks, "conversation_id", "conversations");
        cascade(&mut t, clocks, "policy_id", policies);
        m.create_table(t).await?;
        index(
            m,
            "ix_conversation_slas_next_check",
            clocks,
            &["next_check_at"],
            false,
        )
        .await?;
        index(
            m,
            "ix_conversation_slas_org_policy",
            clocks,
            &["org_id", "policy_id"],
            false,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["conversation_slas", "sla_policy_inboxes", "sla_policies"] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
