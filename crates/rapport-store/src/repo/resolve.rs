//! Resolving a presented credential (session cookie, bearer token) to everything a request
//! needs — the credential, the membership with its custom role, the user — in ONE query:
//! this runs on every authenticated request.

use crate::entity::{api_token, membership, role, session, user};
use crate::error::{StoreError, StoreResult};
use crate::repo::memberships::Access;
use crate::repo::users::UserRecord;
use chrono::{DateTime, Utc};
use rapport_domain::{OrgId, PermissionSet, SessionId, TokenId, UserId};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{ConnectionTrait, FromQueryResult, StatementBuilder};

#[derive(Debug, FromQueryResult)]
struct Row {
    cred_id: uuid::Uuid,
    org_id: uuid::Uuid,
    user_id: uuid::Uuid,
    expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    scopes: Option<String>,
    csrf_token: Option<String>,
    role: String,
    custom_role_id: Option<uuid::Uuid>,
    custom_role_name: Option<String>,
    custom_permissions: Option<String>,
    created_at: DateTime<Utc>,
    email: String,
    name: String,
    time_zone: String,
    locale: String,
}

/// A credential with its member's access and profile.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The credential's row id.
    pub credential: uuid::Uuid,
    /// The org it acts in.
    pub org_id: OrgId,
    /// The member.
    pub user: UserRecord,
    /// Role, custom role, permissions (not yet narrowed by token scopes).
    pub access: Access,
    /// Absolute expiry (sessions always have one; tokens may not).
    pub expires_at: Option<DateTime<Utc>>,
    /// Last use (sessions: last request).
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revocation time (tokens).
    pub revoked_at: Option<DateTime<Utc>>,
    /// Token scopes.
    pub scopes: Option<PermissionSet>,
    /// Session CSRF token.
    pub csrf_token: Option<String>,
}

impl Resolved {
    /// The session id, for a resolved session.
    pub fn session_id(&self) -> SessionId {
        SessionId::from_uuid(self.credential)
    }

    /// The token id, for a resolved token.
    pub fn token_id(&self) -> TokenId {
        TokenId::from_uuid(self.credential)
    }
}

fn base(
    q: &mut SelectStatement,
    cred_org: (Alias, Alias),
    cred_user: (Alias, Alias),
) -> &mut SelectStatement {
    q.expr_as(
        Expr::col((membership::Entity, membership::Column::Role)),
        Alias::new("role"),
    )
    .expr_as(
        Expr::col((role::Entity, role::Column::Id)),
        Alias::new("custom_role_id"),
    )
    .expr_as(
        Expr::col((role::Entity, role::Column::Name)),
        Alias::new("custom_role_name"),
    )
    .expr_as(
        Expr::col((role::Entity, role::Column::Permissions)),
        Alias::new("custom_permissions"),
    )
    .expr_as(
        Expr::col((user::Entity, user::Column::Email)),
        Alias::new("email"),
    )
    .expr_as(
        Expr::col((user::Entity, user::Column::Name)),
        Alias::new("name"),
    )
    .expr_as(
        Expr::col((user::Entity, user::Column::TimeZone)),
        Alias::new("time_zone"),
    )
    .expr_as(
        Expr::col((user::Entity, user::Column::Locale)),
        Alias::new("locale"),
    )
    .join(
        JoinType::InnerJoin,
        membership::Entity,
        Expr::col((membership::Entity, membership::Column::OrgId))
            .equals(cred_org.clone())
            .and(
                Expr::col((membership::Entity, membership::Column::UserId))
                    .equals(cred_user.clone()),
            ),
    )
    .join(
        JoinType::InnerJoin,
        user::Entity,
        Expr::col((user::Entity, user::Column::Id)).equals(cred_user),
    )
    .join(
        JoinType::LeftJoin,
        role::Entity,
        Expr::col((role::Entity, role::Column::Id))
            .equals((membership::Entity, membership::Column::CustomRoleId))
            .and(Expr::col((role::Entity, role::Column::OrgId)).equals(cred_org)),
    )
}

async fn run(db: &impl ConnectionTrait, q: &SelectStatement) -> StoreResult<Option<Resolved>> {
    let stmt = StatementBuilder::build(q, &db.get_database_backend());
    let Some(row) = Row::find_by_statement(stmt).one(db).await? else {
        return Ok(None);
    };
    let custom = match (
        row.custom_role_id,
        &row.custom_role_name,
        &row.custom_permissions,
    ) {
        (Some(id), Some(name), Some(perms)) => Some(role::Model {
            id,
            org_id: row.org_id,
            name: name.clone(),
            description: String::new(),
            permissions: perms.clone(),
            created_at: row.created_at,
            updated_at: row.created_at,
        }),
        _ => None,
    };
    let access = Access::resolve(&row.role, custom.as_ref())?;
    let scopes = row
        .scopes
        .as_deref()
        .map(PermissionSet::parse_list)
        .transpose()
        .map_err(|p| StoreError::Corrupt(format!("unknown scope {p}")))?;
    Ok(Some(Resolved {
        credential: row.cred_id,
        org_id: OrgId::from_uuid(row.org_id),
        user: UserRecord {
            id: UserId::from_uuid(row.user_id),
            email: row.email,
            name: row.name,
            time_zone: row.time_zone,
            locale: row.locale,
        },
        access,
        expires_at: row.expires_at,
        last_used_at: row.last_used_at,
        revoked_at: row.revoked_at,
        scopes,
        csrf_token: row.csrf_token,
    }))
}

/// The session with this token hash, its member and their access. A session whose membership
/// is gone does not resolve. Global: the cookie is the credential.
pub async fn session(db: &impl ConnectionTrait, token_hash: &str) -> StoreResult<Option<Resolved>> {
    let s = |c: session::Column| Expr::col((session::Entity, c));
    let mut q = Query::select();
    q.from(session::Entity)
        .expr_as(s(session::Column::Id), Alias::new("cred_id"))
        .expr_as(s(session::Column::OrgId), Alias::new("org_id"))
        .expr_as(s(session::Column::UserId), Alias::new("user_id"))
        .expr_as(s(session::Column::ExpiresAt), Alias::new("expires_at"))
        .expr_as(s(session::Column::LastSeenAt), Alias::new("last_used_at"))
        .expr_as(
            Expr::val(Option::<DateTime<Utc>>::None),
            Alias::new("revoked_at"),
        )
        .expr_as(Expr::val(Option::<String>::None), Alias::new("scopes"))
        .expr_as(s(session::Column::CsrfToken), Alias::new("csrf_token"))
        .expr_as(s(session::Column::CreatedAt), Alias::new("created_at"))
        .and_where(s(session::Column::TokenHash).eq(token_hash));
    base(
        &mut q,
        (Alias::new("sessions"), Alias::new("org_id")),
        (Alias::new("sessions"), Alias::new("user_id")),
    );
    run(db, &q).await
}

/// The API token with this hash, its member and their access. Global: the bearer is the
/// credential.
pub async fn token(db: &impl ConnectionTrait, token_hash: &str) -> StoreResult<Option<Resolved>> {
    let t = |c: api_token::Column| Expr::col((api_token::Entity, c));
    let mut q = Query::select();
    q.from(api_token::Entity)
        .expr_as(t(api_token::Column::Id), Alias::new("cred_id"))
        .expr_as(t(api_token::Column::OrgId), Alias::new("org_id"))
        .expr_as(t(api_token::Column::UserId), Alias::new("user_id"))
        .expr_as(t(api_token::Column::ExpiresAt), Alias::new("expires_at"))
        .expr_as(t(api_token::Column::LastUsedAt), Alias::new("last_used_at"))
        .expr_as(t(api_token::Column::RevokedAt), Alias::new("revoked_at"))
        .expr_as(t(api_token::Column::Scopes), Alias::new("scopes"))
        .expr_as(Expr::val(Option::<String>::None), Alias::new("csrf_token"))
        .expr_as(t(api_token::Column::CreatedAt), Alias::new("created_at"))
        .and_where(t(api_token::Column::TokenHash).eq(token_hash));
    base(
        &mut q,
        (Alias::new("api_tokens"), Alias::new("org_id")),
        (Alias::new("api_tokens"), Alias::new("user_id")),
    );
    run(db, &q).await
}
