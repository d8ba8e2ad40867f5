//! Short-lived sign-in challenges: the state between the steps of a sign-in (second factor
//! after the password, WebAuthn ceremonies, OIDC redirects). Looked up by the SHA-256 of a
//! cookie token; the state is sealed by the vault before it gets here.

use crate::entity::login_challenge;
use crate::error::StoreResult;
use chrono::{DateTime, Utc};
use rapport_domain::{OrgId, UserId};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// A live challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeRecord {
    /// Row id.
    pub id: uuid::Uuid,
    /// What it is for (`mfa`, `oidc`, `webauthn_register`).
    pub purpose: String,
    /// The user, once known.
    pub user_id: Option<UserId>,
    /// The org the sign-in lands in, once known.
    pub org_id: Option<OrgId>,
    /// Sealed state.
    pub state: String,
    /// Wrong answers so far.
    pub attempts: i32,
}

/// Fields of a new challenge.
pub struct NewChallenge {
    /// SHA-256 hex of the cookie token.
    pub token_hash: String,
    /// Purpose.
    pub purpose: &'static str,
    /// User, if known.
    pub user_id: Option<UserId>,
    /// Org, if known.
    pub org_id: Option<OrgId>,
    /// Sealed state.
    pub state: String,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
}

/// Stores a challenge.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewChallenge,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let model = login_challenge::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        token_hash: Set(new.token_hash),
        purpose: Set(new.purpose.to_owned()),
        user_id: Set(new.user_id.map(|u| u.as_uuid())),
        org_id: Set(new.org_id.map(|o| o.as_uuid())),
        state: Set(new.state),
        attempts: Set(0),
        created_at: Set(now),
        expires_at: Set(new.expires_at),
    };
    login_challenge::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Finds a live challenge for `purpose`.
pub async fn find(
    db: &impl ConnectionTrait,
    token_hash: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<ChallengeRecord>> {
    let found = login_challenge::Entity::find()
        .filter(login_challenge::Column::TokenHash.eq(token_hash))
        .filter(login_challenge::Column::Purpose.eq(purpose))
        .filter(login_challenge::Column::ExpiresAt.gt(now))
        .one(db)
        .await?;
    Ok(found.map(|m| ChallengeRecord {
        id: m.id,
        purpose: m.purpose,
        user_id: m.user_id.map(UserId::from_uuid),
        org_id: m.org_id.map(OrgId::from_uuid),
        state: m.state,
        attempts: m.attempts,
    }))
}

/// Counts a wrong answer.
pub async fn bump_attempts(db: &impl ConnectionTrait, id: uuid::Uuid) -> StoreResult<()> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    login_challenge::Entity::update_many()
        .col_expr(
            login_challenge::Column::Attempts,
            Expr::col(login_challenge::Column::Attempts).add(1),
        )
        .filter(login_challenge::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Consumes a challenge. Returns false when it was already consumed (single use).
pub async fn delete(db: &impl ConnectionTrait, id: uuid::Uuid) -> StoreResult<bool> {
    let res = login_challenge::Entity::delete_by_id(id).exec(db).await?;
    Ok(res.rows_affected == 1)
}

/// Removes expired challenges (periodic sweep).
pub async fn sweep(db: &impl ConnectionTrait, now: DateTime<Utc>) -> StoreResult<u64> {
    let res = login_challenge::Entity::delete_many()
        .filter(login_challenge::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
