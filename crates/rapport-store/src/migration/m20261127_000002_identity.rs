//! The identity schema: custom roles, teams, invitations, API tokens, password resets, login
//! throttling, MFA (TOTP seeds, recovery codes, WebAuthn credentials, pending sign-in
//! challenges), OIDC identities and flows, the vault's wrapped data keys, and the hash-chained
//! audit log. Tenant tables lead their indexes with `org_id`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates the identity tables and the columns identity adds to the foundation tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000002_identity"
    }
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
    RequireMfa,
    AccessReviewedAt,
    AccessReviewedBy,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    TotpSecret,
    TotpEnabledAt,
    TotpLastStep,
    PasswordChangedAt,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    CustomRoleId,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Ip,
    AuthMethod,
}

#[derive(DeriveIden)]
enum Roles {
    Table,
    Id,
    OrgId,
    Name,
    Description,
    Permissions,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
    OrgId,
    Name,
    Description,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TeamMembers {
    Table,
    OrgId,
    TeamId,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    OrgId,
    Email,
    Role,
    CustomRoleId,
    TokenHash,
    InvitedBy,
    CreatedAt,
    ExpiresAt,
    AcceptedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    OrgId,
    UserId,
    Name,
    TokenHash,
    Prefix,
    Scopes,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum PasswordResets {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum LoginThrottle {
    Table,
    Key,
    Failures,
    WindowStartedAt,
    LockedUntil,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum WebauthnCredentials {
    Table,
    Id,
    UserId,
    Name,
    CredentialId,
    Passkey,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum LoginChallenges {
    Table,
    Id,
    TokenHash,
    Purpose,
    UserId,
    OrgId,
    State,
    Attempts,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum OidcIdentities {
    Table,
    Id,
    UserId,
    Issuer,
    Subject,
    Email,
    CreatedAt,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum DataKeys {
    Table,
    Id,
    OrgId,
    Subject,
    KekId,
    Wrapped,
    CreatedAt,
    RotatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    OrgId,
    Seq,
    At,
    ActorId,
    ActorLabel,
    Action,
    TargetType,
    TargetId,
    Ip,
    UserAgent,
    Details,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHeads {
    Table,
    OrgId,
    Seq,
    Hash,
}

fn fk_cascade<T: IntoIden, C: IntoIden>(
    from: (T, C),
    to_table: impl IntoIden,
    to_col: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to_table, to_col)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

async fn add_column(
    m: &SchemaManager<'_>,
    table: impl IntoIden,
    col: ColumnDef,
) -> Result<(), DbErr> {
    // One column per statement: SQLite's ALTER TABLE takes one change at a time.
    m.alter_table(Table::alter().table(table).add_column(col).to_owned())
        .await
}

async fn index(
    m: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: &[&'static str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(Alias::new(*c));
    }
    if unique {
        idx.unique();
    }
    m.create_index(idx.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_column(
            m,
            Orgs::Table,
            boolean(Orgs::RequireMfa).default(false).to_owned(),
        )
        .await?;
        add_column(
            m,
            Orgs::Table,
            timestamp_with_time_zone_null(Orgs::AccessReviewedAt),
        )
        .await?;
        add_column(m, Orgs::Table, uuid_null(Orgs::AccessReviewedBy)).await?;
        add_column(m, Users::Table, text_null(Users::TotpSecret)).await?;
        add_column(
            m,
            Users::Table,
            timestamp_with_time_zone_null(Users::TotpEnabledAt),
        )
        .await?;
        add_column(m, Users::Table, big_integer_null(Users::TotpLastStep)).await?;
        add_column(
            m,
            Users::Table,
            timestamp_with_time_zone_null(Users::PasswordChangedAt),
        )
        .await?;
        add_column(m, Memberships::Table, uuid_null(Memberships::CustomRoleId)).await?;
        add_column(m, Sessions::Table, string_len_null(Sessions::Ip, 64)).await?;
        add_column(
            m,
            Sessions::Table,
            string_len(Sessions::AuthMethod, 32)
                .default("password")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Roles::Table)
                .col(pk_uuid(Roles::Id))
                .col(uuid(Roles::OrgId))
                .col(string_len(Roles::Name, 64))
                .col(string_len(Roles::Description, 280))
                .col(text(Roles::Permissions))
                .col(timestamp_with_time_zone(Roles::CreatedAt))
                .col(timestamp_with_time_zone(Roles::UpdatedAt))
                .foreign_key(&mut fk_cascade(
                    (Roles::Table, Roles::OrgId),
                    Orgs::Table,
                    Orgs::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_roles_org_name",
            Roles::Table,
            &["org_id", "name"],
            true,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Teams::Table)
                .col(pk_uuid(Teams::Id))
                .col(uuid(Teams::OrgId))
                .col(string_len(Teams::Name, 64))
                .col(string_len(Teams::Description, 280))
                .col(timestamp_with_time_zone(Teams::CreatedAt))
                .col(timestamp_with_time_zone(Teams::UpdatedAt))
                .foreign_key(&mut fk_cascade(
                    (Teams::Table, Teams::OrgId),
                    Orgs::Table,
                    Orgs::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_teams_org_name",
            Teams::Table,
            &["org_id", "name"],
            true,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(TeamMembers::Table)
                .col(uuid(TeamMembers::OrgId))
                .col(uuid(TeamMembers::TeamId))
                .col(uuid(TeamMembers::UserId))
                .col(timestamp_with_time_zone(TeamMembers::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(TeamMembers::TeamId)
                        .col(TeamMembers::UserId),
                )
                .foreign_key(&mut fk_cascade(
                    (TeamMembers::Table, TeamMembers::TeamId),
                    Teams::Table,
                    Teams::Id,
                ))
                .foreign_key(&mut fk_cascade(
                    (TeamMembers::Table, TeamMembers::UserId),
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_team_members_org_user",
            TeamMembers::Table,
            &["org_id", "user_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Invitations::Table)
                .col(pk_uuid(Invitations::Id))
                .col(uuid(Invitations::OrgId))
                .col(string_len(Invitations::Email, 254))
                .col(string_len(Invitations::Role, 32))
                .col(uuid_null(Invitations::CustomRoleId))
                .col(string_len_uniq(Invitations::TokenHash, 64))
                .col(uuid(Invitations::InvitedBy))
                .col(timestamp_with_time_zone(Invitations::CreatedAt))
                .col(timestamp_with_time_zone(Invitations::ExpiresAt))
                .col(timestamp_with_time_zone_null(Invitations::AcceptedAt))
                .col(timestamp_with_time_zone_null(Invitations::RevokedAt))
                .foreign_key(&mut fk_cascade(
                    (Invitations::Table, Invitations::OrgId),
                    Orgs::Table,
                    Orgs::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_invitations_org_email",
            Invitations::Table,
            &["org_id", "email"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApiTokens::Table)
                .col(pk_uuid(ApiTokens::Id))
                .col(uuid(ApiTokens::OrgId))
                .col(uuid(ApiTokens::UserId))
                .col(string_len(ApiTokens::Name, 100))
                .col(string_len_uniq(ApiTokens::TokenHash, 64))
                .col(string_len(ApiTokens::Prefix, 16))
                .col(text(ApiTokens::Scopes))
                .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                .col(timestamp_with_time_zone_null(ApiTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
                .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                .foreign_key(&mut fk_cascade(
                    (ApiTokens::Table, ApiTokens::OrgId),
                    Orgs::Table,
                    Orgs::Id,
                ))
                .foreign_key(&mut fk_cascade(
                    (ApiTokens::Table, ApiTokens::UserId),
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_api_tokens_org_user",
            ApiTokens::Table,
            &["org_id", "user_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PasswordResets::Table)
                .col(pk_uuid(PasswordResets::Id))
                .col(uuid(PasswordResets::UserId))
                .col(string_len_uniq(PasswordResets::TokenHash, 64))
                .col(timestamp_with_time_zone(PasswordResets::CreatedAt))
                .col(timestamp_with_time_zone(PasswordResets::ExpiresAt))
                .col(timestamp_with_time_zone_null(PasswordResets::UsedAt))
                .foreign_key(&mut fk_cascade(
                    (PasswordResets::Table, PasswordResets::UserId),
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_password_resets_user",
            PasswordResets::Table,
            &["user_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LoginThrottle::Table)
                .col(string_len(LoginThrottle::Key, 128).primary_key())
                .col(integer(LoginThrottle::Failures))
                .col(timestamp_with_time_zone(LoginThrottle::WindowStartedAt))
                .col(timestamp_with_time_zone_null(LoginThrottle::LockedUntil))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RecoveryCodes::Table)
                .col(pk_uuid(RecoveryCodes::Id))
                .col(uuid(RecoveryCodes::UserId))
                .col(string_len(RecoveryCodes::CodeHash, 64))
                .col(timestamp_with_time_zone(RecoveryCodes::CreatedAt))
                .col(timestamp_with_time_zone_null(RecoveryCodes::UsedAt))
                .foreign_key(&mut fk_cascade(
                    (RecoveryCodes::Table, RecoveryCodes::UserId),
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_recovery_codes_user",
            RecoveryCodes::Table,
            &["user_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(WebauthnCredentials::Table)
                .col(pk_uuid(WebauthnCredentials::Id))
                .col(uuid(WebauthnCredentials::UserId))
                .col(string_len(WebauthnCredentials::Name, 100))
                .col(string_len_uniq(WebauthnCredentials::CredentialId, 1400))
                .col(text(WebauthnCredentials::Passkey))
                .col(timestamp_with_time_zone(WebauthnCredentials::CreatedAt))
                .col(timestamp_with_time_zone_null(
                    WebauthnCredentials::LastUsedAt,
                ))
                .foreign_key(&mut fk_cascade(
                    (WebauthnCredentials::Table, WebauthnCredentials::UserId),
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_webauthn_user",
            WebauthnCredentials::Table,
            &["user_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LoginChallenges::Table)
                .col(pk_uuid(LoginChallenges::Id))
                .col(string_len_uniq(LoginChallenges::TokenHash, 64))
                .col(string_len(LoginChallenges::Purpose, 32))
                .col(uuid_null(LoginChallenges::UserId))
                .col(uuid_null(LoginChallenges::OrgId))
                .col(text(LoginChallenges::State))
                .col(integer(LoginChallenges::Attempts))
                .col(timestamp_with_time_zone(LoginChallenges::CreatedAt))
                .col(timestamp_with_time_zone(LoginChallenges::ExpiresAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(OidcIdentities::Table)
                .col(pk_uuid(OidcIdentities::Id))
                .col(uuid(OidcIdentities::UserId))
                .col(string_len(OidcIdentities::Issuer, 512))
                .col(string_len(OidcIdentities::Subject, 255))
                .col(string_len(OidcIdentities::Email, 254))
                .col(timestamp_with_time_zone(OidcIdentities::CreatedAt))
                .col(timestamp_with_time_zone(OidcIdentities::LastLoginAt))
                .foreign_key(&mut fk_cascade(
                    (OidcIdentities::Table, OidcIdentities::UserId),
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_oidc_issuer_subject",
            OidcIdentities::Table,
            &["issuer", "subject"],
            true,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DataKeys::Table)
                .col(pk_uuid(DataKeys::Id))
                .col(uuid_null(DataKeys::OrgId))
                .col(string_len(DataKeys::Subject, 128))
                .col(string_len(DataKeys::KekId, 64))
                .col(text(DataKeys::Wrapped))
                .col(timestamp_with_time_zone(DataKeys::CreatedAt))
                .col(timestamp_with_time_zone_null(DataKeys::RotatedAt))
                .to_owned(),
        )
        .await?;
        // System keys have no org; the subject names them uniquely ("system:audit").
        index(
            m,
            "ux_data_keys_org_subject",
            DataKeys::Table,
            &["org_id", "subject"],
            true,
        )
        .await?;
        index(
            m,
            "ix_data_keys_subject",
            DataKeys::Table,
            &["subject"],
            false,
        )
        .await?;
        // NULLs never collide in the index above, so system keys (no org) get their own
        // partial unique index: two processes creating one at once end up with one key.
        // The same statement works on SQLite and PostgreSQL.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_data_keys_system_subject ON data_keys (subject) \
                 WHERE org_id IS NULL",
            )
            .await?;

        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(pk_uuid(AuditLog::Id))
                .col(uuid(AuditLog::OrgId))
                .col(big_integer(AuditLog::Seq))
                .col(timestamp_with_time_zone(AuditLog::At))
                .col(uuid_null(AuditLog::ActorId))
                .col(string_len(AuditLog::ActorLabel, 254))
                .col(string_len(AuditLog::Action, 64))
                .col(string_len(AuditLog::TargetType, 32))
                .col(string_len(AuditLog::TargetId, 64))
                .col(string_len_null(AuditLog::Ip, 64))
                .col(string_len_null(AuditLog::UserAgent, 256))
                .col(text(AuditLog::Details))
                .col(string_len(AuditLog::PrevHash, 64))
                .col(string_len(AuditLog::Hash, 64))
                .foreign_key(&mut fk_cascade(
                    (AuditLog::Table, AuditLog::OrgId),
                    Orgs::Table,
                    Orgs::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_audit_org_seq",
            AuditLog::Table,
            &["org_id", "seq"],
            true,
        )
        .await?;
        index(
            m,
            "ix_audit_org_action",
            AuditLog::Table,
            &["org_id", "action"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditHeads::Table)
                .col(uuid(AuditHeads::OrgId).primary_key())
                .col(big_integer(AuditHeads::Seq))
                .col(string_len(AuditHeads::Hash, 64))
                .foreign_key(&mut fk_cascade(
                    (AuditHeads::Table, AuditHeads::OrgId),
                    Orgs::Table,
                    Orgs::Id,
                ))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditHeads::Table.into_iden(),
            AuditLog::Table.into_iden(),
            DataKeys::Table.into_iden(),
            OidcIdentities::Table.into_iden(),
            LoginChallenges::Table.into_iden(),
            WebauthnCredentials::Table.into_iden(),
            RecoveryCodes::Table.into_iden(),
            LoginThrottle::Table.into_iden(),
            PasswordResets::Table.into_iden(),
            ApiTokens::Table.into_iden(),
            Invitations::Table.into_iden(),
            TeamMembers::Table.into_iden(),
            Teams::Table.into_iden(),
            Roles::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
