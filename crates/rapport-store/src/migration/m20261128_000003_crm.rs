//! The CRM schema: contacts (with their emails, phones, channel identities and tags), companies
//! (with domains) and the contact–company links, pipelines, stages and deals with stage history,
//! notes, tasks with their linked records, the activity timeline, custom-field definitions,
//! saved segments, in-app notifications and CSV/vCard import uploads.
//!
//! Index choice follows docs/design/crm-notes.md: list queries are keyset-paged on
//! `(created_at, id)` behind an equality prefix that covers the common filters, because only an
//! index whose prefix covers the filter lets `LIMIT 50` stop early at a million rows. Every index
//! also costs bulk-import speed (about 0.5 s per 100k rows each), so contacts carry only the ones
//! lists need. Custom-field expression indexes are created per field when it is marked
//! filterable (by the app, not here).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates the CRM tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000003_crm"
    }
}

use super::helpers::{a, cascade, index, stamps, table};

async fn companies(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = table("companies", true);
    t.col(string_len(a("name"), 200))
        .col(string_len_null(a("domain"), 253))
        .col(string_len_null(a("industry"), 100))
        .col(string_len_null(a("size"), 32))
        .col(string_len_null(a("phone"), 32))
        .col(string_len_null(a("street"), 200))
        .col(string_len_null(a("city"), 100))
        .col(string_len_null(a("region"), 100))
        .col(string_len_null(a("postal_code"), 32))
        .col(string_len_null(a("country"), 2))
        .col(uuid_null(a("owner_id")))
        .col(json_binary(a("custom")))
        .col(uuid_null(a("created_by")));
    stamps(&mut t);
    m.create_table(t).await?;
    index(
        m,
        "ix_companies_org_created",
        "companies",
        &["org_id", "created_at", "id"],
        false,
    )
    .await?;
    index(
        m,
        "ix_companies_org_name",
        "companies",
        &["org_id", "name"],
        false,
    )
    .await?;
    index(
        m,
        "ix_companies_org_industry",
        "companies",
        &["org_id", "industry"],
        false,
    )
    .await?;
    index(
        m,
        "ix_companies_org_owner",
        "companies",
        &["org_id", "owner_id", "created_at", "id"],
        false,
    )
    .await?;

    let mut t = table("company_domains", false);
    t.col(uuid(a("company_id")))
        .col(string_len(a("domain"), 253))
        .primary_key(Index::create().col(a("org_id")).col(a("domain")));
    cascade(&mut t, "company_domains", "company_id", "companies");
    m.create_table(t).await?;
    index(
        m,
        "ix_company_domains_company",
        "company_domains",
        &["company_id"],
        false,
    )
    .await
}

async fn contacts(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = table("contacts", true);
    t.col(string_len(a("first_name"), 100))
        .col(string_len(a("last_name"), 100))
        .col(string_len(a("display_name"), 254))
        .col(string_len_null(a("title"), 200))
        .col(uuid_null(a("company_id")))
        .col(uuid_null(a("owner_id")))
        .col(string_len(a("lifecycle_stage"), 32))
        .col(string_len_null(a("source"), 64))
        .col(string_len_null(a("avatar_url"), 2000))
        .col(string_len_null(a("primary_email"), 254))
        .col(string_len_null(a("primary_phone"), 32))
        .col(json_binary(a("social")))
        .col(json_binary(a("custom")))
        .col(boolean(a("consent_marketing")).default(false))
        .col(boolean(a("consent_ai")).default(true))
        .col(uuid_null(a("created_by")));
    stamps(&mut t);
    t.foreign_key(
        ForeignKey::create()
            .from(a("contacts"), a("company_id"))
            .to(a("companies"), a("id"))
            .on_delete(ForeignKeyAction::SetNull),
    );
    m.create_table(t).await?;
    index(
        m,
        "ix_contacts_org_created",
        "contacts",
        &["org_id", "created_at", "id"],
        false,
    )
    .await?;
    index(
        m,
        "ix_contacts_org_stage_owner",
        "contacts",
        &["org_id", "lifecycle_stage", "owner_id", "created_at", "id"],
        false,
    )
    .await?;
    index(
        m,
        "ix_contacts_org_owner",
        "contacts",
        &["org_id", "owner_id", "created_at", "id"],
        false,
    )
    .await?;
    index(
        m,
        "ix_contacts_org_company",
        "contacts",
        &["org_id", "company_id"],
        false,
    )
    .await?;
    index(
        m,
        "ix_contacts_org_name",
        "contacts",
        &["org_id", "display_name"],
        false,
    )
    .await?;

    // One contact per email address in an org: the key imports dedupe on and inbound mail
    // resolves by.
    let mut t = table("contact_emails", false);
    t.col(uuid(a("contact_id")))
        .col(string_len(a("email"), 254))
        .col(boolean(a("is_primary")).default(false))
        .primary_key(Index::create().col(a("org_id")).col(a("email")));
    cascade(&mut t, "contact_emails", "contact_id", "contacts");
    m.create_table(t).await?;
    index(
        m,
        "ix_contact_emails_contact",
        "contact_emails",
        &["contact_id"],
        false,
    )
    .await?;

    let mut t = table("contact_phones", false);
    t.col(uuid(a("contact_id")))
        .col(string_len(a("e164"), 20))
        .col(string_len(a("raw"), 64))
        .col(string_len_null(a("label"), 32))
        .col(boolean(a("is_primary")).default(false))
        .primary_key(Index::create().col(a("contact_id")).col(a("e164")));
    cascade(&mut t, "contact_phones", "contact_id", "contacts");
    m.create_table(t).await?;
    index(
        m,
        "ix_contact_phones_org_e164",
        "contact_phones",
        &["org_id", "e164"],
        false,
    )
    .await?;

    // Channel identities (WhatsApp number, Telegram id, chat visitor …): how inbound messages
    // find their contact. Unique per org and channel.
    let mut t = table("contact_identities", false);
    t.col(uuid(a("contact_id")))
        .col(string_len(a("channel"), 32))
        .col(string_len(a("identifier"), 254))
        .col(timestamp_with_time_zone(a("created_at")))
        .primary_key(
            Index::create()
                .col(a("org_id"))
                .col(a("channel"))
                .col(a("identifier")),
        );
    cascade(&mut t, "contact_identities", "contact_id", "contacts");
    m.create_table(t).await?;
    index(
        m,
        "ix_contact_identities_contact",
        "contact_identities",
        &["contact_id"],
        false,
    )
    .await?;

    let mut t = table("contact_tags", false);
    t.col(uuid(a("contact_id")))
        .col(string_len(a("tag"), 64))
        .primary_key(Index::create().col(a("contact_id")).col(a("tag")));
    cascade(&mut t, "contact_tags", "contact_id", "contacts");
    m.create_table(t).await?;
    index(
        m,
        "ix_contact_tags_org_tag",
        "contact_tags",
        &["org_id", "tag", "contact_id"],
        false,
    )
    .await?;

    // Many-to-many with one primary (mirrored in contacts.company_id for fast lists).
    let mut t = table("contact_companies", false);
    t.col(uuid(a("contact_id")))
        .col(uuid(a("company_id")))
        .col(boolean(a("is_primary")).default(false))
        .col(string_len_null(a("role"), 200))
        .col(timestamp_with_time_zone(a("created_at")))
        .primary_key(Index::create().col(a("contact_id")).col(a("company_id")));
    cascade(&mut t, "contact_companies", "contact_id", "contacts");
    cascade(&mut t, "contact_companies", "company_id", "companies");
    m.create_table(t).await?;
    index(
        m,
        "ix_contact_companies_company",
        "contact_companies",
        &["org_id", "company_id"],
        false,
    )
    .await
}

async fn deals(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = table("pipelines", true);
    t.col(string_len(a("name"), 100))
        .col(integer(a("position")))
        .col(string_len(a("currency"), 3));
    stamps(&mut t);
    m.create_table(t).await?;
    index(
        m,
        "ux_pipelines_org_name",
        "pipelines",
        &["org_id", "name"],
        true,
    )
    .await?;

    let mut t = table("pipeline_stages", true);
    t.col(uuid(a("pipeline_id")))
        .col(string_len(a("name"), 100))
        .col(integer(a("position")))
        .col(integer(a("probability")))
        .col(string_len(a("kind"), 8));
    stamps(&mut t);
    cascade(&mut t, "pipeline_stages", "pipeline_id", "pipelines");
    m.create_table(t).await?;
    index(
        m,
        "ix_stages_pipeline",
        "pipeline_stages",
        &["org_id", "pipeline_id", "position"],
        false,
    )
    .await?;

    let mut t = table("deals", true);
    t.col(uuid(a("pipeline_id")))
        .col(uuid(a("stage_id")))
        .col(string_len(a("title"), 200))
        .col(big_integer_null(a("amount_minor")))
        .col(string_len(a("currency"), 3))
        .col(date_null(a("expected_close_on")))
        .col(uuid_null(a("owner_id")))
        .col(uuid_null(a("company_id")))
        .col(string_len(a("status"), 8))
        .col(string_len_null(a("lost_reason"), 500))
        .col(timestamp_with_time_zone_null(a("closed_at")))
        .col(double(a("position")))
        .col(json_binary(a("custom")))
        .col(uuid_null(a("created_by")));
    stamps(&mut t);
    cascade(&mut t, "deals", "pipeline_id", "pipelines");
    t.foreign_key(
        ForeignKey::create()
            .from(a("deals"), a("stage_id"))
            .to(a("pipeline_stages"), a("id"))
            .on_delete(ForeignKeyAction::Restrict),
    );
    t.foreign_key(
        ForeignKey::create()
            .from(a("deals"), a("company_id"))
            .to(a("companies"), a("id"))
            .on_delete(ForeignKeyAction::SetNull),
    );
    m.create_table(t).await?;
    index(
        m,
        "ix_deals_board",
        "deals",
        &["org_id", "pipeline_id", "stage_id", "position"],
        false,
    )
    .await?;
    index(
        m,
        "ix_deals_org_created",
        "deals",
        &["org_id", "created_at", "id"],
        false,
    )
    .await?;
    index(
        m,
        "ix_deals_org_status",
        "deals",
        &["org_id", "status", "owner_id", "created_at", "id"],
        false,
    )
    .await?;
    index(
        m,
        "ix_deals_org_company",
        "deals",
        &["org_id", "company_id"],
        false,
    )
    .await?;

    let mut t = table("deal_contacts", false);
    t.col(uuid(a("deal_id")))
        .col(uuid(a("contact_id")))
        .primary_key(Index::create().col(a("deal_id")).col(a("contact_id")));
    cascade(&mut t, "deal_contacts", "deal_id", "deals");
    cascade(&mut t, "deal_contacts", "contact_id", "contacts");
    m.create_table(t).await?;
    index(
        m,
        "ix_deal_contacts_contact",
        "deal_contacts",
        &["org_id", "contact_id"],
        false,
    )
    .await?;

    let mut t = table("deal_stage_history", true);
    t.col(uuid(a("deal_id")))
        .col(uuid_null(a("from_stage_id")))
        .col(uuid(a("to_stage_id")))
        .col(uuid_null(a("moved_by")))
        .col(timestamp_with_time_zone(a("moved_at")));
    cascade(&mut t, "deal_stage_history", "deal_id", "deals");
    m.create_table(t).await?;
    index(
        m,
        "ix_deal_history_deal",
        "deal_stage_history",
        &["org_id", "deal_id", "moved_at"],
        false,
    )
    .await
}

async fn work(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    // A note belongs to one record; it shows on that record's timeline.
    let mut t = table("notes", true);
    t.col(string_len(a("record_type"), 16))
        .col(uuid(a("record_id")))
        .col(text(a("body")))
        .col(uuid_null(a("author_id")))
        .col(boolean(a("pinned")).default(false));
    stamps(&mut t);
    m.create_table(t).await?;
    index(
        m,
        "ix_notes_record",
        "notes",
        &["org_id", "record_type", "record_id", "created_at"],
        false,
    )
    .await?;

    let mut t = table("tasks", true);
    t.col(string_len(a("title"), 200))
        .col(text(a("body")))
        .col(timestamp_with_time_zone_null(a("due_at")))
        .col(uuid_null(a("assignee_id")))
        .col(timestamp_with_time_zone_null(a("done_at")))
        .col(uuid_null(a("done_by")))
        .col(timestamp_with_time_zone_null(a("remind_at")))
        .col(timestamp_with_time_zone_null(a("reminded_at")))
        .col(uuid_null(a("created_by")));
    stamps(&mut t);
    m.create_table(t).await?;
    index(
        m,
        "ix_tasks_assignee",
        "tasks",
        &["org_id", "assignee_id", "done_at", "due_at"],
        false,
    )
    .await?;
    // The reminder sweep runs across orgs: due reminders not yet sent.
    index(
        m,
        "ix_tasks_reminders",
        "tasks",
        &["reminded_at", "remind_at"],
        false,
    )
    .await?;

    let mut t = table("task_links", false);
    t.col(uuid(a("task_id")))
        .col(string_len(a("record_type"), 16))
        .col(uuid(a("record_id")))
        .primary_key(
            Index::create()
                .col(a("task_id"))
                .col(a("record_type"))
                .col(a("record_id")),
        );
    cascade(&mut t, "task_links", "task_id", "tasks");
    m.create_table(t).await?;
    index(
        m,
        "ix_task_links_record",
        "task_links",
        &["org_id", "record_type", "record_id"],
        false,
    )
    .await?;

    // The timeline: one row per (record, event). An event that concerns several records (a
    // note on a contact shows on its company too) is written once per record, so reading a
    // timeline is one index range.
    let mut t = table("activities", true);
    t.col(string_len(a("record_type"), 16))
        .col(uuid(a("record_id")))
        .col(string_len(a("kind"), 48))
        .col(uuid_null(a("actor_id")))
        .col(string_len_null(a("subject_type"), 16))
        .col(uuid_null(a("subject_id")))
        .col(json_binary(a("data")))
        .col(timestamp_with_time_zone(a("occurred_at")));
    m.create_table(t).await?;
    index(
        m,
        "ix_activities_record",
        "activities",
        &["org_id", "record_type", "record_id", "occurred_at", "id"],
        false,
    )
    .await?;
    index(
        m,
        "ix_activities_subject",
        "activities",
        &["org_id", "subject_id"],
        false,
    )
    .await
}

async fn settings(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = table("custom_fields", true);
    t.col(string_len(a("object_type"), 16))
        .col(string_len(a("key"), 40))
        .col(string_len(a("label"), 100))
        .col(string_len(a("field_type"), 16))
        .col(json_binary(a("options")))
        .col(string_len_null(a("currency"), 3))
        .col(boolean(a("required")).default(false))
        .col(boolean(a("filterable")).default(false))
        .col(integer(a("position")));
    stamps(&mut t);
    m.create_table(t).await?;
    index(
        m,
        "ux_custom_fields_key",
        "custom_fields",
        &["org_id", "object_type", "key"],
        true,
    )
    .await?;

    let mut t = table("segments", true);
    t.col(string_len(a("object_type"), 16))
        .col(string_len(a("name"), 100))
        .col(text(a("filter")))
        .col(json_binary(a("columns")))
        .col(string_len_null(a("sort"), 64))
        .col(uuid(a("owner_id")))
        .col(boolean(a("shared")).default(false));
    stamps(&mut t);
    m.create_table(t).await?;
    index(
        m,
        "ix_segments_org_type",
        "segments",
        &["org_id", "object_type", "name"],
        false,
    )
    .await?;

    let mut t = table("notifications", true);
    t.col(uuid(a("user_id")))
        .col(string_len(a("kind"), 48))
        .col(string_len(a("title"), 200))
        .col(text(a("body")))
        .col(string_len_null(a("link"), 500))
        .col(timestamp_with_time_zone(a("created_at")))
        .col(timestamp_with_time_zone_null(a("read_at")));
    cascade(&mut t, "notifications", "user_id", "users");
    m.create_table(t).await?;
    index(
        m,
        "ix_notifications_user",
        "notifications",
        &["org_id", "user_id", "read_at", "created_at"],
        false,
    )
    .await?;

    // An uploaded file waiting for its column mapping to be confirmed. Deleted once imported
    // (or after a day): it holds personal data and is not a record of its own.
    let mut t = table("crm_imports", true);
    t.col(string_len(a("object_type"), 16))
        .col(string_len(a("format"), 8))
        .col(string_len(a("filename"), 255))
        .col(blob(a("content")))
        .col(integer(a("row_count")))
        .col(string_len(a("status"), 16))
        .col(json_binary(a("report")))
        .col(uuid(a("created_by")))
        .col(timestamp_with_time_zone(a("created_at")))
        .col(timestamp_with_time_zone_null(a("finished_at")));
    m.create_table(t).await?;
    index(
        m,
        "ix_crm_imports_org",
        "crm_imports",
        &["org_id", "created_at"],
        false,
    )
    .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        companies(m).await?;
        contacts(m).await?;
        deals(m).await?;
        work(m).await?;
        settings(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "crm_imports",
            "notifications",
            "segments",
            "custom_fields",
            "activities",
            "task_links",
            "tasks",
            "notes",
            "deal_stage_history",
            "deal_contacts",
            "deals",
            "pipeline_stages",
            "pipelines",
            "contact_companies",
            "contact_tags",
            "contact_identities",
            "contact_phones",
            "contact_emails",
            "contacts",
            "company_domains",
            "companies",
        ] {
            m.drop_table(Table::drop().table(a(name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
