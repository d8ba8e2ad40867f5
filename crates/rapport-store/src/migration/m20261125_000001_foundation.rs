//! The foundation schema: organizations, users and memberships, sessions, the outbox, the job
//! queue and the periodic schedules. Every tenant table carries `org_id`, and every composite
//! index on a tenant table leads with it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates the foundation tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000001_foundation"
    }
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
    Name,
    Slug,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    TimeZone,
    Locale,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    Id,
    OrgId,
    UserId,
    Role,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    TokenHash,
    UserId,
    OrgId,
    CsrfToken,
    UserAgent,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum OutboxEvents {
    Table,
    Id,
    OrgId,
    Kind,
    Payload,
    CreatedAt,
    DispatchedAt,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    OrgId,
    Kind,
    Payload,
    State,
    Attempts,
    MaxAttempts,
    RunAtMs,
    LeaseUntilMs,
    LockedBy,
    LastError,
    DedupeKey,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum Schedules {
    Table,
    Name,
    IntervalMs,
    NextRunMs,
    LastRunMs,
    Runs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Orgs::Table)
                .col(pk_uuid(Orgs::Id))
                .col(string_len(Orgs::Name, 100))
                .col(string_len_uniq(Orgs::Slug, 48))
                .col(timestamp_with_time_zone(Orgs::CreatedAt))
                .col(timestamp_with_time_zone(Orgs::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(pk_uuid(Users::Id))
                .col(string_len_uniq(Users::Email, 254))
                .col(string_len(Users::Name, 100))
                .col(text_null(Users::PasswordHash))
                .col(string_len(Users::TimeZone, 64))
                .col(string_len(Users::Locale, 16))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .col(timestamp_with_time_zone(Users::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Memberships::Table)
                .col(pk_uuid(Memberships::Id))
                .col(uuid(Memberships::OrgId))
                .col(uuid(Memberships::UserId))
                .col(string_len(Memberships::Role, 32))
                .col(timestamp_with_time_zone(Memberships::CreatedAt))
                .col(timestamp_with_time_zone(Memberships::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Memberships::Table, Memberships::OrgId)
                        .to(Orgs::Table, Orgs::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Memberships::Table, Memberships::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_memberships_org_user")
                .table(Memberships::Table)
                .col(Memberships::OrgId)
                .col(Memberships::UserId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_memberships_user")
                .table(Memberships::Table)
                .col(Memberships::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(pk_uuid(Sessions::Id))
                .col(string_len_uniq(Sessions::TokenHash, 64))
                .col(uuid(Sessions::UserId))
                .col(uuid(Sessions::OrgId))
                .col(string_len(Sessions::CsrfToken, 64))
                .col(string_len_null(Sessions::UserAgent, 256))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Sessions::Table, Sessions::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Sessions::Table, Sessions::OrgId)
                        .to(Orgs::Table, Orgs::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_sessions_org_user")
                .table(Sessions::Table)
                .col(Sessions::OrgId)
                .col(Sessions::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(OutboxEvents::Table)
                .col(pk_uuid(OutboxEvents::Id))
                .col(uuid(OutboxEvents::OrgId))
                .col(string_len(OutboxEvents::Kind, 64))
                .col(json_binary(OutboxEvents::Payload))
                .col(timestamp_with_time_zone(OutboxEvents::CreatedAt))
                .col(timestamp_with_time_zone_null(OutboxEvents::DispatchedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(OutboxEvents::Table, OutboxEvents::OrgId)
                        .to(Orgs::Table, Orgs::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The dispatcher scans pending events across all orgs in id (= time) order.
        m.create_index(
            Index::create()
                .name("ix_outbox_pending")
                .table(OutboxEvents::Table)
                .col(OutboxEvents::DispatchedAt)
                .col(OutboxEvents::Id)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Jobs::Table)
                .col(pk_uuid(Jobs::Id))
                .col(uuid_null(Jobs::OrgId))
                .col(string_len(Jobs::Kind, 64))
                .col(json_binary(Jobs::Payload))
                .col(string_len(Jobs::State, 16))
                .col(integer(Jobs::Attempts))
                .col(integer(Jobs::MaxAttempts))
                .col(big_integer(Jobs::RunAtMs))
                .col(big_integer_null(Jobs::LeaseUntilMs))
                .col(string_len_null(Jobs::LockedBy, 64))
                .col(text_null(Jobs::LastError))
                .col(string_len_null(Jobs::DedupeKey, 128))
                .col(timestamp_with_time_zone(Jobs::CreatedAt))
                .col(timestamp_with_time_zone(Jobs::UpdatedAt))
                .col(timestamp_with_time_zone_null(Jobs::FinishedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_jobs_claim")
                .table(Jobs::Table)
                .col(Jobs::State)
                .col(Jobs::RunAtMs)
                .to_owned(),
        )
        .await?;
        // NULLs never collide, so only jobs that carry a key (scheduled runs) are deduplicated.
        m.create_index(
            Index::create()
                .name("ux_jobs_dedupe_key")
                .table(Jobs::Table)
                .col(Jobs::DedupeKey)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Schedules::Table)
                .col(string_len(Schedules::Name, 64).primary_key())
                .col(big_integer(Schedules::IntervalMs))
                .col(big_integer(Schedules::NextRunMs))
                .col(big_integer_null(Schedules::LastRunMs))
                .col(big_integer(Schedules::Runs))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Schedules::Table.into_iden(),
            Jobs::Table.into_iden(),
            OutboxEvents::Table.into_iden(),
            Sessions::Table.into_iden(),
            Memberships::Table.into_iden(),
            Users::Table.into_iden(),
            Orgs::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
