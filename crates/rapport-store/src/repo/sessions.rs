//! Browser sessions, stored by token hash.

use crate::entity::session;
use crate::error::StoreResult;
use chrono::{DateTime, Utc};
use rapport_domain::{OrgId, SessionId, UserId};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

/// A live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Id (not the token).
    pub id: SessionId,
    /// Who is signed in.
    pub user_id: UserId,
    /// The org the session is working in.
    pub org_id: OrgId,
    /// The synchronizer token every state-changing request must echo.
    pub csrf_token: String,
    /// When the session was created.
    pub created_at: DateTime<Utc>,
    /// Last request seen (idle expiry counts from here).
    pub last_seen_at: DateTime<Utc>,
    /// Absolute expiry.
    pub expires_at: DateTime<Utc>,
    /// Browser user agent.
    pub user_agent: Option<String>,
    /// Client IP when signed in.
    pub ip: Option<String>,
    /// How the user proved who they are.
    pub auth_method: String,
}

impl From<session::Model> for SessionRecord {
    fn from(m: session::Model) -> Self {
        Self {
            id: SessionId::from_uuid(m.id),
            user_id: UserId::from_uuid(m.user_id),
            org_id: OrgId::from_uuid(m.org_id),
            csrf_token: m.csrf_token,
            created_at: m.created_at,
            last_seen_at: m.last_seen_at,
            expires_at: m.expires_at,
            user_agent: m.user_agent,
            ip: m.ip,
            auth_method: m.auth_method,
        }
    }
}

/// Fields of a new session.
pub struct NewSession {
    /// SHA-256 hex of the cookie token.
    pub token_hash: String,
    /// The user.
    pub user_id: UserId,
    /// The org.
    pub org_id: OrgId,
    /// CSRF synchronizer token.
    pub csrf_token: String,
    /// Browser user agent (truncated), for the "active sessions" list.
    pub user_agent: Option<String>,
    /// Absolute expiry.
    pub expires_at: DateTime<Utc>,
    /// Client IP address, for the sessions list and the audit log.
    pub ip: Option<String>,
    /// How the user proved who they are (`password`, `password+totp`, `oidc`, …).
    pub auth_method: &'static str,
}

/// Stores a new session.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewSession,
    now: DateTime<Utc>,
) -> StoreResult<SessionRecord> {
    let model = session::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        token_hash: Set(new.token_hash),
        user_id: Set(new.user_id.as_uuid()),
        org_id: Set(new.org_id.as_uuid()),
        csrf_token: Set(new.csrf_token),
        user_agent: Set(new.user_agent.map(|ua| ua.chars().take(256).collect())),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(new.expires_at),
        ip: Set(new.ip),
        auth_method: Set(new.auth_method.to_owned()),
    };
    Ok(session::Entity::insert(model)
        .exec_with_returning(db)
        .await?
        .into())
}

/// Records activity on a session.
pub async fn touch(
    db: &impl ConnectionTrait,
    id: SessionId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let model = session::ActiveModel {
        id: Set(id.as_uuid()),
        last_seen_at: Set(now),
        ..Default::default()
    };
    session::Entity::update(model).exec(db).await?;
    Ok(())
}

/// Deletes one session (sign out).
pub async fn delete(db: &impl ConnectionTrait, id: SessionId) -> StoreResult<()> {
    session::Entity::delete_by_id(id.as_uuid()).exec(db).await?;
    Ok(())
}

/// Deletes sessions whose absolute expiry, or idle expiry (`last_seen_at` before
/// `idle_cutoff`), has passed. Returns how many were removed.
pub async fn delete_expired(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    idle_cutoff: DateTime<Utc>,
) -> StoreResult<u64> {
    let res = session::Entity::delete_many()
        .filter(
            session::Column::ExpiresAt
                .lt(now)
                .or(session::Column::LastSeenAt.lt(idle_cutoff)),
        )
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// A user's live sessions in every org, most recently used first.
pub async fn list_for_user(
    db: &impl ConnectionTrait,
    user: UserId,
) -> StoreResult<Vec<SessionRecord>> {
    Ok(session::Entity::find()
        .filter(session::Column::UserId.eq(user.as_uuid()))
        .order_by_desc(session::Column::LastSeenAt)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Ends one of the user's sessions. Another user's session is `NotFound`.
pub async fn delete_owned(
    db: &impl ConnectionTrait,
    user: UserId,
    id: SessionId,
) -> StoreResult<()> {
    let res = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user.as_uuid()))
        .filter(session::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(crate::error::StoreError::NotFound);
    }
    Ok(())
}

/// Ends every session of a user except `keep` ("sign out everywhere", password change).
pub async fn delete_all_for_user(
    db: &impl ConnectionTrait,
    user: UserId,
    keep: Option<SessionId>,
) -> StoreResult<u64> {
    let mut q = session::Entity::delete_many().filter(session::Column::UserId.eq(user.as_uuid()));
    if let Some(keep) = keep {
        q = q.filter(session::Column::Id.ne(keep.as_uuid()));
    }
    Ok(q.exec(db).await?.rows_affected)
}

/// Moves a session to another org (the caller checked membership).
pub async fn switch_org(db: &impl ConnectionTrait, id: SessionId, org: OrgId) -> StoreResult<()> {
    let model = session::ActiveModel {
        id: Set(id.as_uuid()),
        org_id: Set(org.as_uuid()),
        ..Default::default()
    };
    session::Entity::update(model).exec(db).await?;
    Ok(())
}

/// Ends the org's sessions that were opened without a second factor (the org just started
/// requiring one), except `keep`.
pub async fn delete_single_factor_in_org(
    db: &impl ConnectionTrait,
    scope: crate::scope::OrgScope,
    keep: Option<SessionId>,
) -> StoreResult<u64> {
    let mut q = session::Entity::delete_many()
        .filter(session::Column::OrgId.eq(scope.uuid()))
        .filter(session::Column::AuthMethod.not_like("%+%"));
    if let Some(keep) = keep {
        q = q.filter(session::Column::Id.ne(keep.as_uuid()));
    }
    Ok(q.exec(db).await?.rows_affected)
}
