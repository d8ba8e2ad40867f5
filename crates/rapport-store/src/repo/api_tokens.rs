//! Personal API tokens: per user and org, with scopes and optional expiry. Only the token's
//! SHA-256 is stored; the secret is shown once.

use crate::entity::api_token;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{OrgId, PermissionSet, TokenId, UserId};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

/// A token as listed (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// Id.
    pub id: TokenId,
    /// The org it acts in.
    pub org_id: OrgId,
    /// Whose it is.
    pub user_id: UserId,
    /// The owner's label.
    pub name: String,
    /// The first characters of the secret, to recognize it.
    pub prefix: String,
    /// What it may do (intersected with the owner's permissions at use).
    pub scopes: PermissionSet,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// Last request made with it.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl TryFrom<api_token::Model> for TokenRecord {
    type Error = StoreError;
    fn try_from(m: api_token::Model) -> StoreResult<Self> {
        Ok(Self {
            id: TokenId::from_uuid(m.id),
            org_id: OrgId::from_uuid(m.org_id),
            user_id: UserId::from_uuid(m.user_id),
            scopes: PermissionSet::parse_list(&m.scopes)
                .map_err(|p| StoreError::Corrupt(format!("unknown scope {p}")))?,
            name: m.name,
            prefix: m.prefix,
            created_at: m.created_at,
            expires_at: m.expires_at,
            last_used_at: m.last_used_at,
            revoked_at: m.revoked_at,
        })
    }
}

/// Fields of a new token.
pub struct NewToken {
    /// Owner.
    pub user_id: UserId,
    /// Label.
    pub name: String,
    /// SHA-256 hex of the secret.
    pub token_hash: String,
    /// Recognizable start of the secret.
    pub prefix: String,
    /// Scopes.
    pub scopes: PermissionSet,
    /// Expiry.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Stores a token.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    new: NewToken,
    now: DateTime<Utc>,
) -> StoreResult<TokenRecord> {
    let model = api_token::ActiveModel {
        id: Set(TokenId::new().as_uuid()),
        org_id: Set(scope.uuid()),
        user_id: Set(new.user_id.as_uuid()),
        name: Set(new.name),
        token_hash: Set(new.token_hash),
        prefix: Set(new.prefix),
        scopes: Set(new.scopes.to_storage()),
        created_at: Set(now),
        expires_at: Set(new.expires_at),
        last_used_at: Set(None),
        revoked_at: Set(None),
    };
    api_token::Entity::insert(model)
        .exec_with_returning(db)
        .await?
        .try_into()
}

/// A user's tokens in the org, newest first (revoked ones included, marked).
pub async fn list_for_user(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    user: UserId,
) -> StoreResult<Vec<TokenRecord>> {
    api_token::Entity::find()
        .filter(api_token::Column::OrgId.eq(scope.uuid()))
        .filter(api_token::Column::UserId.eq(user.as_uuid()))
        .order_by_desc(api_token::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Revokes one of the user's tokens in the org. Unknown or another's token is `NotFound`.
pub async fn revoke(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    user: UserId,
    id: TokenId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let res = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Some(now).into())
        .filter(api_token::Column::OrgId.eq(scope.uuid()))
        .filter(api_token::Column::UserId.eq(user.as_uuid()))
        .filter(api_token::Column::Id.eq(id.as_uuid()))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Revokes every token a user holds in every org (password reset, removal).
pub async fn revoke_all_for_user(
    db: &impl ConnectionTrait,
    user: UserId,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let res = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Some(now).into())
        .filter(api_token::Column::UserId.eq(user.as_uuid()))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Records use of a token.
pub async fn touch(db: &impl ConnectionTrait, id: TokenId, now: DateTime<Utc>) -> StoreResult<()> {
    api_token::Entity::update_many()
        .col_expr(api_token::Column::LastUsedAt, Some(now).into())
        .filter(api_token::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    Ok(())
}
