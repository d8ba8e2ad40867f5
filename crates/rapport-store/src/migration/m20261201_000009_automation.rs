//! Automation rules and their execution log, and the causal depth of every outbox event.
//!
//! `outbox_events.depth` counts the automations in a row that led to an event (0 for a
//! person's or a channel's action): the runner refuses to run rules for an event at the depth
//! limit, which is what stops two rules that trigger each other. On PostgreSQL the notification
//! trigger is replaced so the notified event carries its depth too.
//!
//! `automation_runs` is the execution log, read newest first per rule; a run outlives neither
//! its rule nor its org (cascade) and keeps its entry when the conversation goes (set null).

use super::helpers::{a, cascade, index, set_null, stamps, table};
use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates `automation_rules`, `automation_runs` and `outbox_events.depth`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000009_automation"
    }
}

const NOTIFY_WITH_DEPTH: &str = r#"
CREATE OR REPLACE FUNCTION rapport_outbox_notify() RETURNS trigger AS $$
DECLARE
    message text;
BEGIN
    message := json_build_object(
        'id', NEW.id, 'org_id', NEW.org_id, 'kind', NEW.kind,
        'payload', NEW.payload, 'created_at', NEW.created_at, 'depth', NEW.depth
    )::text;
    IF octet_length(message) > 7900 THEN
        message := NEW.id::text;
    END IF;
    PERFORM pg_notify('rapport_outbox', message);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("outbox_events"))
                .add_column(small_integer(a("depth")).default(0))
                .to_owned(),
        )
        .await?;
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared(NOTIFY_WITH_DEPTH)
                .await?;
        }

        let rules = "automation_rules";
        let mut t = table(rules, true);
        t.col(string_len(a("name"), 120))
            .col(boolean(a("enabled")))
            .col(string_len(a("trigger"), 40))
            .col(boolean(a("match_all")))
            .col(json_binary(a("conditions")))
            .col(json_binary(a("actions")))
            .col(integer(a("position")))
            .col(big_integer(a("run_count")).default(0))
            .col(timestamp_with_time_zone_null(a("last_run_at")))
            .col(uuid_null(a("created_by")));
        stamps(&mut t);
        set_null(&mut t, rules, "created_by", "users");
        m.create_table(t).await?;
        // The runner loads an org's enabled rules for one trigger in evaluation order.
        index(
            m,
            "ix_automation_rules_org_trigger",
            rules,
            &["org_id", "trigger", "position"],
            false,
        )
        .await?;

        let runs = "automation_runs";
        let mut t = table(runs, true);
        t.col(uuid(a("rule_id")))
            .col(uuid_null(a("conversation_id")))
            .col(uuid(a("event_id")))
            .col(small_integer(a("depth")))
            .col(string_len(a("outcome"), 20))
            .col(text(a("detail")))
            .col(timestamp_with_time_zone(a("created_at")));
        cascade(&mut t, runs, "rule_id", "automation_rules");
        set_null(&mut t, runs, "conversation_id", "conversations");
        m.create_table(t).await?;
        // One rule's log, newest first (ids are time-ordered).
        index(
            m,
            "ix_automation_runs_org_rule",
            runs,
            &["org_id", "rule_id", "id"],
            false,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("automation_runs")).to_owned())
            .await?;
        m.drop_table(Table::drop().table(a("automation_rules")).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(a("outbox_events"))
                .drop_column(a("depth"))
                .to_owned(),
        )
        .await
    }
}
