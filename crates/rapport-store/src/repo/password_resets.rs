//! Password-reset links: single use, expiring, stored as the SHA-256 of the token. Global
//! (a user's password is not per org).

use crate::entity::password_reset;
use crate::error::StoreResult;
use chrono::{DateTime, Utc};
use rapport_domain::UserId;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// Stores a reset link for `user`.
pub async fn insert(
    db: &impl ConnectionTrait,
    user: UserId,
    token_hash: String,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let model = password_reset::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        user_id: Set(user.as_uuid()),
        token_hash: Set(token_hash),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    };
    password_reset::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Consumes a live link: marks it used and returns its user. Unknown, used or expired links
/// return `None` (a concurrent second use loses the conditional update).
pub async fn consume(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<UserId>> {
    let Some(found) = password_reset::Entity::find()
        .filter(password_reset::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if found.used_at.is_some() || found.expires_at <= now {
        return Ok(None);
    }
    let res = password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, Some(now).into())
        .filter(password_reset::Column::Id.eq(found.id))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok((res.rows_affected == 1).then(|| UserId::from_uuid(found.user_id)))
}

/// Whether a link is live (to show the form before consuming it).
pub async fn is_live(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    Ok(password_reset::Entity::find()
        .filter(password_reset::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?
        .is_some_and(|r| r.used_at.is_none() && r.expires_at > now))
}

/// Kills every outstanding link of a user (password changed or reset).
pub async fn invalidate_all(
    db: &impl ConnectionTrait,
    user: UserId,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let res = password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, Some(now).into())
        .filter(password_reset::Column::UserId.eq(user.as_uuid()))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// How many links a user was sent since `since` (to cap reset mail).
pub async fn count_since(
    db: &impl ConnectionTrait,
    user: UserId,
    since: DateTime<Utc>,
) -> StoreResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(password_reset::Entity::find()
        .filter(password_reset::Column::UserId.eq(user.as_uuid()))
        .filter(password_reset::Column::CreatedAt.gte(since))
        .count(db)
        .await?)
}
