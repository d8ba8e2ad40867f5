//! Second factors: one-time recovery codes (stored hashed) and WebAuthn credentials (the
//! serialized passkey arrives sealed by the vault).

use crate::entity::{recovery_code, webauthn_credential};
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use rapport_domain::{CredentialId, UserId};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

/// Replaces a user's recovery codes with new ones (hashes).
pub async fn replace_recovery_codes(
    db: &impl ConnectionTrait,
    user: UserId,
    hashes: Vec<String>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    delete_recovery_codes(db, user).await?;
    let models = hashes.into_iter().map(|h| recovery_code::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        user_id: Set(user.as_uuid()),
        code_hash: Set(h),
        created_at: Set(now),
        used_at: Set(None),
    });
    recovery_code::Entity::insert_many(models)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Removes all of a user's recovery codes (MFA turned off).
pub async fn delete_recovery_codes(db: &impl ConnectionTrait, user: UserId) -> StoreResult<()> {
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user.as_uuid()))
        .exec(db)
        .await?;
    Ok(())
}

/// Uses a recovery code: true when an unused code with this hash existed (now spent).
pub async fn use_recovery_code(
    db: &impl ConnectionTrait,
    user: UserId,
    hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let res = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Some(now).into())
        .filter(recovery_code::Column::UserId.eq(user.as_uuid()))
        .filter(recovery_code::Column::CodeHash.eq(hash))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected >= 1)
}

/// How many unused recovery codes a user has left.
pub async fn recovery_codes_left(db: &impl ConnectionTrait, user: UserId) -> StoreResult<u64> {
    Ok(recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(user.as_uuid()))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(db)
        .await?)
}

/// A registered security key or passkey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRecord {
    /// Id.
    pub id: CredentialId,
    /// Owner.
    pub user_id: UserId,
    /// The user's label ("YubiKey", "Laptop").
    pub name: String,
    /// The sealed, serialized passkey.
    pub sealed_passkey: String,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// Last sign-in with it.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<webauthn_credential::Model> for CredentialRecord {
    fn from(m: webauthn_credential::Model) -> Self {
        Self {
            id: CredentialId::from_uuid(m.id),
            user_id: UserId::from_uuid(m.user_id),
            name: m.name,
            sealed_passkey: m.passkey,
            created_at: m.created_at,
            last_used_at: m.last_used_at,
        }
    }
}

/// Stores a new credential. `credential_id` is the authenticator's id (base64url), unique.
pub async fn insert_credential(
    db: &impl ConnectionTrait,
    id: CredentialId,
    user: UserId,
    name: &str,
    credential_id: &str,
    sealed_passkey: String,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let model = webauthn_credential::ActiveModel {
        id: Set(id.as_uuid()),
        user_id: Set(user.as_uuid()),
        name: Set(name.to_owned()),
        credential_id: Set(credential_id.to_owned()),
        passkey: Set(sealed_passkey),
        created_at: Set(now),
        last_used_at: Set(None),
    };
    webauthn_credential::Entity::insert(model)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// A user's credentials, oldest first.
pub async fn credentials_of(
    db: &impl ConnectionTrait,
    user: UserId,
) -> StoreResult<Vec<CredentialRecord>> {
    Ok(webauthn_credential::Entity::find()
        .filter(webauthn_credential::Column::UserId.eq(user.as_uuid()))
        .order_by_asc(webauthn_credential::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Updates a credential after a sign-in (new counter state, last use).
pub async fn update_credential(
    db: &impl ConnectionTrait,
    user: UserId,
    id: CredentialId,
    sealed_passkey: String,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    webauthn_credential::Entity::update_many()
        .col_expr(webauthn_credential::Column::Passkey, sealed_passkey.into())
        .col_expr(webauthn_credential::Column::LastUsedAt, Some(now).into())
        .filter(webauthn_credential::Column::UserId.eq(user.as_uuid()))
        .filter(webauthn_credential::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    Ok(())
}

/// Removes one of a user's credentials.
pub async fn delete_credential(
    db: &impl ConnectionTrait,
    user: UserId,
    id: CredentialId,
) -> StoreResult<()> {
    let res = webauthn_credential::Entity::delete_many()
        .filter(webauthn_credential::Column::UserId.eq(user.as_uuid()))
        .filter(webauthn_credential::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
