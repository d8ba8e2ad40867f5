//! The shared inbox: inboxes (one per channel account), conversations, their messages, notes
//! and activity lines, labels, followers and per-member read marks, the inbound receipts that
//! make ingest exactly-once, and per-org counters (conversation numbers).
//!
//! Conversation lists are keyset-paged on `(last_activity_at, id)` newest first behind an
//! equality prefix per folder (status; assignee; inbox; team), so `LIMIT 50` stops early at a
//! million conversations. Receipts deliberately have no foreign key to `messages`: a message
//! deleted in Rapport keeps its receipt, so the channel re-sending it is still a repeat.

use super::helpers::{a, cascade, index, set_null, stamps, table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates the inbox tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000005_inbox"
    }
}

async fn inboxes(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = table("inboxes", true);
    t.col(string_len(a("name"), 100))
        .col(string_len(a("channel"), 16))
        .col(json_binary(a("settings")))
        .col(text_null(a("secret")))
        .col(uuid_null(a("team_id")))
        .col(string_len(a("auto_assign"), 16).default("none"))
        .col(boolean(a("reopen_resolved")).default(true))
        .col(boolean(a("csat_enabled")).default(false));
    stamps(&mut t);
    set_null(&mut t, "inboxes", "team_id", "teams");
    m.create_table(t).await?;
    index(
        m,
        "ux_inboxes_org_name",
        "inboxes",
        &["org_id", "name"],
        true,
    )
    .await?;

    let mut t = table("org_counters", false);
    t.col(string_len(a("name"), 32))
        .col(big_integer(a("value")))
        .primary_key(Index::create().col(a("org_id")).col(a("name")));
    m.create_table(t).await
}

async fn conversations(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = table("conversations", true);
    t.col(big_integer(a("number")))
        .col(uuid(a("inbox_id")))
        .col(uuid(a("contact_id")))
        .col(string_len_null(a("subject"), 500))
        .col(string_len(a("status"), 16))
        .col(string_len(a("priority"), 16))
        .col(uuid_null(a("assignee_id")))
        .col(uuid_null(a("team_id")))
        .col(timestamp_with_time_zone_null(a("snoozed_until")))
        .col(timestamp_with_time_zone(a("last_activity_at")))
        .col(string_len_null(a("last_message_preview"), 300))
        .col(timestamp_with_time_zone_null(a("last_incoming_at")))
        .col(timestamp_with_time_zone_null(a("first_reply_at")))
        .col(timestamp_with_time_zone_null(a("waiting_since")))
        .col(timestamp_with_time_zone_null(a("resolved_at")))
        .col(integer(a("message_count")).default(0));
    stamps(&mut t);
    cascade(&mut t, "conversations", "inbox_id", "inboxes");
    cascade(&mut t, "conversations", "contact_id", "contacts");
    set_null(&mut t, "conversations", "assignee_id", "users");
    set_null(&mut t, "conversations", "team_id", "teams");
    m.create_table(t).await?;
    let c = "conversations";
    index(
        m,
        "ux_conversations_org_number",
        c,
        &["org_id", "number"],
        true,
    )
    .await?;
    for (name, prefix) in [
        ("ix_conversations_org_activity", &[][..]),
        ("ix_conversations_org_status", &["status"][..]),
        (
            "ix_conversations_org_assignee",
            &["assignee_id", "status"][..],
        ),
        ("ix_conversations_org_inbox", &["inbox_id", "status"][..]),
        ("ix_conversations_org_team", &["team_id", "status"][..]),
    ] {
        let mut cols = vec!["org_id"];
        cols.extend_from_slice(prefix);
        cols.extend_from_slice(&["last_activity_at", "id"]);
        index(m, name, c, &cols, false).await?;
    }
    index(
        m,
        "ix_conversations_contact",
        c,
        &["org_id", "contact_id", "inbox_id", "last_activity_at"],
        false,
    )
    .await?;
    // The instance-wide sweep that wakes snoozed conversations whose time came.
    index(
        m,
        "ix_conversations_snoozed",
        c,
        &["status", "snoozed_until"],
        false,
    )
    .await
}

async fn messages(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = table("messages", true);
    t.col(uuid(a("conversation_id")))
        .col(string_len(a("kind"), 16))
        .col(string_len(a("direction"), 16))
        .col(string_len(a("sender_type"), 16))
        .col(uuid_null(a("sender_id")))
        .col(text(a("body")))
        .col(string_len(a("status"), 16))
        .col(string_len_null(a("error"), 500))
        .col(string_len_null(a("external_id"), 500))
        .col(json_binary(a("metadata")))
        .col(timestamp_with_time_zone(a("created_at")));
    cascade(&mut t, "messages", "conversation_id", "conversations");
    m.create_table(t).await?;
    index(
        m,
        "ix_messages_conversation",
        "messages",
        &["org_id", "conversation_id", "created_at", "id"],
        false,
    )
    .await?;

    let mut t = table("inbound_receipts", false);
    t.col(uuid(a("inbox_id")))
        .col(string_len(a("key"), 255))
        .col(uuid(a("message_id")))
        .col(timestamp_with_time_zone(a("created_at")))
        .primary_key(
            Index::create()
                .col(a("org_id"))
                .col(a("inbox_id"))
                .col(a("key")),
        );
    cascade(&mut t, "inbound_receipts", "inbox_id", "inboxes");
    m.create_table(t).await
}

async fn conversation_links(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = table("conversation_labels", false);
    t.col(uuid(a("conversation_id")))
        .col(string_len(a("label"), 50))
        .primary_key(Index::create().col(a("conversation_id")).col(a("label")));
    cascade(
        &mut t,
        "conversation_labels",
        "conversation_id",
        "conversations",
    );
    m.create_table(t).await?;
    index(
        m,
        "ix_conversation_labels_org_label",
        "conversation_labels",
        &["org_id", "label", "conversation_id"],
        false,
    )
    .await?;

    let mut t = table("conversation_followers", false);
    t.col(uuid(a("conversation_id")))
        .col(uuid(a("user_id")))
        .col(timestamp_with_time_zone(a("created_at")))
        .primary_key(Index::create().col(a("conversation_id")).col(a("user_id")));
    cascade(
        &mut t,
        "conversation_followers",
        "conversation_id",
        "conversations",
    );
    cascade(&mut t, "conversation_followers", "user_id", "users");
    m.create_table(t).await?;
    index(
        m,
        "ix_conversation_followers_user",
        "conversation_followers",
        &["org_id", "user_id"],
        false,
    )
    .await?;

    let mut t = table("conversation_reads", false);
    t.col(uuid(a("conversation_id")))
        .col(uuid(a("user_id")))
        .col(timestamp_with_time_zone(a("last_read_at")))
        .primary_key(Index::create().col(a("conversation_id")).col(a("user_id")));
    cascade(
        &mut t,
        "conversation_reads",
        "conversation_id",
        "conversations",
    );
    cascade(&mut t, "conversation_reads", "user_id", "users");
    m.create_table(t).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        inboxes(m).await?;
        conversations(m).await?;
        messages(m).await?;
        conversation_links(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "conversation_reads",
            "conversation_followers",
            "conversation_labels",
            "inbound_receipts",
            "messages",
            "conversations",
            "org_counters",
            "inboxes",
        ] {
            m.drop_table(Table::drop().table(a(name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
