//! Browser sessions, stored by token hash.

use crate::entity::session;
use crate::error::StoreResult;
use chrono::{DateTime, Utc};
use rapport_domain::{OrgId, SessionId, UserId};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

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
    };
    Ok(session::Entity::insert(model)
        .exec_with_returning(db)
        .await?
        .into())
}

/// Looks up a session by token hash (global: the cookie is the only credential we have yet).
pub async fn find_by_token_hash(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> StoreResult<Option<SessionRecord>> {
    Ok(session::Entity::find()
        .filter(session::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?
        .map(Into::into))
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
