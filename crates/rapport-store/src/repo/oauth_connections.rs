//! OAuth connections (`oauth_connections`): an org's grant from a third-party account. The
//! tokens arrive sealed (the vault seals them in `app`); this module never sees them in clear.
//! A connection is `active` until the provider refuses its refresh token, then `revoked` with
//! the provider's words until the account is connected again.

use crate::error::{StoreError, StoreResult};
use crate::repo::raw::stmt;
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};

/// The grant stands.
pub const ACTIVE: &str = "active";
/// The provider refused the refresh token: the account must be connected again.
pub const REVOKED: &str = "revoked";

/// One connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthConnection {
    /// Row id.
    pub id: uuid::Uuid,
    /// `google` or `microsoft`.
    pub provider: String,
    /// The account's email address.
    pub account: String,
    /// The tokens, sealed.
    pub sealed_tokens: String,
    /// When the access token runs out, if known.
    pub access_expires_at: Option<DateTime<Utc>>,
    /// [`ACTIVE`] or [`REVOKED`].
    pub status: String,
    /// Why it was revoked.
    pub last_error: Option<String>,
    /// When it was first connected.
    pub created_at: DateTime<Utc>,
    /// When its tokens last changed.
    pub updated_at: DateTime<Utc>,
}

impl OAuthConnection {
    /// Whether the grant stands (else the account must be connected again).
    pub fn is_active(&self) -> bool {
        self.status == ACTIVE
    }
}

const COLUMNS: &str = "id, provider, account, sealed_tokens, access_expires_at, status, \
                       last_error, created_at, updated_at";

fn row(r: &QueryResult) -> StoreResult<OAuthConnection> {
    Ok(OAuthConnection {
        id: r.try_get("", "id")?,
        provider: r.try_get("", "provider")?,
        account: r.try_get("", "account")?,
        sealed_tokens: r.try_get("", "sealed_tokens")?,
        access_expires_at: r.try_get("", "access_expires_at")?,
        status: r.try_get("", "status")?,
        last_error: r.try_get("", "last_error")?,
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
    })
}

/// One connection of the org.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: uuid::Uuid,
) -> StoreResult<OAuthConnection> {
    let sql = format!("SELECT {COLUMNS} FROM oauth_connections WHERE org_id = $1 AND id = $2");
    let found = db
        .query_one_raw(stmt(db, &sql, vec![scope.uuid().into(), id.into()]))
        .await?;
    found
        .as_ref()
        .map(row)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

/// The org's connection to `account` at `provider`, if any.
pub async fn find(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    provider: &str,
    account: &str,
) -> StoreResult<Option<OAuthConnection>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM oauth_connections \
         WHERE org_id = $1 AND provider = $2 AND account = $3"
    );
    let found = db
        .query_one_raw(stmt(
            db,
            &sql,
            vec![scope.uuid().into(), provider.into(), account.into()],
        ))
        .await?;
    found.as_ref().map(row).transpose()
}

/// Stores a new connection (`id` chosen by the caller, who sealed the tokens for it).
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    c: &OAuthConnection,
) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO oauth_connections (org_id, {COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    );
    db.execute_raw(stmt(
        db,
        &sql,
        vec![
            scope.uuid().into(),
            c.id.into(),
            c.provider.clone().into(),
            c.account.clone().into(),
            c.sealed_tokens.clone().into(),
            c.access_expires_at.into(),
            c.status.clone().into(),
            c.last_error.clone().into(),
            c.created_at.into(),
            c.updated_at.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Replaces the tokens (a refresh, or the account connected again): the grant is active.
pub async fn store_tokens(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: uuid::Uuid,
    sealed_tokens: &str,
    access_expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let sql = "UPDATE oauth_connections SET sealed_tokens = $3, access_expires_at = $4, \
               status = $5, last_error = NULL, updated_at = $6 WHERE org_id = $1 AND id = $2";
    let res = db
        .execute_raw(stmt(
            db,
            sql,
            vec![
                scope.uuid().into(),
                id.into(),
                sealed_tokens.into(),
                access_expires_at.into(),
                ACTIVE.into(),
                now.into(),
            ],
        ))
        .await?;
    if res.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Marks the grant revoked, with the provider's words.
pub async fn mark_revoked(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: uuid::Uuid,
    error: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let error: String = error.chars().take(1000).collect();
    let sql = "UPDATE oauth_connections SET status = $3, last_error = $4, updated_at = $5 \
               WHERE org_id = $1 AND id = $2";
    db.execute_raw(stmt(
        db,
        sql,
        vec![
            scope.uuid().into(),
            id.into(),
            REVOKED.into(),
            error.into(),
            now.into(),
        ],
    ))
    .await?;
    Ok(())
}
