//! OAuth connections: an org's grant from a Google or Microsoft account, and the access
//! tokens its mailboxes log in with. The tokens are sealed by the vault (bound to the
//! connection's id) the moment they arrive and opened only to be used; an access token close
//! to its end is refreshed first, and one a server refused is refreshed on request. A refresh
//! the provider refuses (`invalid_grant`) marks the connection revoked with the provider's
//! words, which the settings page shows until the account is connected again.

use crate::authz::system_scope;
use crate::context::App;
use crate::error::{AppError, AppResult};
use crate::vault::KeyOwner;
use chrono::{DateTime, Utc};
use rapport_domain::OrgId;
use rapport_integrations::oauth::{self, OAuthError, OAuthProvider, ProviderKind, Tokens};
use rapport_store::ConnectionTrait;
use rapport_store::repo::oauth_connections::{self, ACTIVE, OAuthConnection};
use rapport_vault::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// An access token this close to its end is refreshed before use.
const REFRESH_MARGIN_SECONDS: i64 = 120;

/// The sealed part of a connection.
#[derive(Serialize, Deserialize)]
struct SealedTokens {
    access_token: String,
    refresh_token: String,
}

fn aad(id: uuid::Uuid) -> String {
    format!("oauth_connection:{id}")
}

/// Why no access token could be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The grant is gone: someone must connect the account again.
    #[error("{0}")]
    Revoked(String),
    /// The provider or the database did not answer: later may work.
    #[error("{0}")]
    Unavailable(String),
}

impl From<AppError> for TokenError {
    fn from(e: AppError) -> Self {
        Self::Unavailable(e.to_string())
    }
}

/// The name people know provider `id` by ("Google"), for messages and the settings page.
pub fn provider_name(id: &str) -> &'static str {
    ProviderKind::parse(id).map_or("the provider", ProviderKind::name)
}

impl App {
    /// The configured provider `id` (`google`, `microsoft`).
    pub(crate) fn oauth_provider(&self, id: &str) -> AppResult<&OAuthProvider> {
        let kind = ProviderKind::parse(id).ok_or(AppError::NotFound)?;
        self.config()
            .mail_oauth
            .iter()
            .find(|p| p.kind == kind)
            .ok_or_else(|| {
                AppError::NotConfigured(format!(
                    "connecting {} accounts is not set up on this server",
                    kind.name()
                ))
            })
    }

    /// The providers whose accounts can be connected (id, name), for the settings page.
    pub fn oauth_providers(&self) -> Vec<(&'static str, &'static str)> {
        self.config()
            .mail_oauth
            .iter()
            .map(|p| (p.kind.id(), p.kind.name()))
            .collect()
    }

    async fn seal_tokens(
        &self,
        db: &impl ConnectionTrait,
        org: OrgId,
        id: uuid::Uuid,
        access: &SecretString,
        refresh: &SecretString,
    ) -> AppResult<String> {
        let json = serde_json::to_string(&SealedTokens {
            access_token: access.expose_secret().to_owned(),
            refresh_token: refresh.expose_secret().to_owned(),
        })
        .map_err(|e| AppError::Internal(format!("oauth tokens: {e}")))?;
        self.vault()
            .seal(db, KeyOwner::Org(org), &aad(id), &SecretString::from(json))
            .await
    }

    async fn open_tokens(
        &self,
        org: OrgId,
        id: uuid::Uuid,
        sealed: String,
    ) -> AppResult<SealedTokens> {
        let json = self
            .vault()
            .open(self.db().conn(), KeyOwner::Org(org), &aad(id), &sealed)
            .await?;
        serde_json::from_str(json.expose_secret())
            .map_err(|e| AppError::Internal(format!("oauth tokens: {e}")))
    }

    /// Keeps a fresh grant: a new connection for a new account, new tokens on the existing
    /// connection when the account was connected before. Returns the connection's id.
    pub(crate) async fn save_oauth_grant(
        &self,
        db: &impl ConnectionTrait,
        org: OrgId,
        kind: ProviderKind,
        account: &str,
        tokens: &Tokens,
    ) -> AppResult<uuid::Uuid> {
        let scope = system_scope(org);
        let refresh = tokens
            .refresh_token
            .as_ref()
            .ok_or_else(|| AppError::Internal("a grant without a refresh token".into()))?;
        let now = self.clock().now();
        match oauth_connections::find(db, scope, kind.id(), account).await? {
            Some(existing) => {
                let sealed = self
                    .seal_tokens(db, org, existing.id, &tokens.access_token, refresh)
                    .await?;
                oauth_connections::store_tokens(
                    db,
                    scope,
                    existing.id,
                    &sealed,
                    tokens.expires_at,
                    now,
                )
                .await?;
                Ok(existing.id)
            }
            None => {
                let id = uuid::Uuid::now_v7();
                let sealed = self
                    .seal_tokens(db, org, id, &tokens.access_token, refresh)
                    .await?;
                let record = OAuthConnection {
                    id,
                    provider: kind.id().to_owned(),
                    account: account.to_owned(),
                    sealed_tokens: sealed,
                    access_expires_at: tokens.expires_at,
                    status: ACTIVE.to_owned(),
                    last_error: None,
                    created_at: now,
                    updated_at: now,
                };
                oauth_connections::insert(db, scope, &record).await?;
                Ok(id)
            }
        }
    }

    /// A connection of the org (for its status on the settings page).
    pub async fn oauth_connection(&self, org: OrgId, id: uuid::Uuid) -> AppResult<OAuthConnection> {
        Ok(oauth_connections::get(self.db().conn(), system_scope(org), id).await?)
    }

    /// An access token of connection `id`: the stored one while it has time left (unless
    /// `refused`, when a server just turned it down), else a refreshed one.
    pub(crate) async fn oauth_access_token(
        &self,
        org: OrgId,
        id: uuid::Uuid,
        refused: bool,
    ) -> Result<SecretString, TokenError> {
        let conn = self.db().conn();
        let scope = system_scope(org);
        let record = oauth_connections::get(conn, scope, id)
            .await
            .map_err(AppError::from)?;
        if !record.is_active() {
            return Err(TokenError::Revoked(record.last_error.unwrap_or_else(
                || "the account's grant was withdrawn; connect it again".into(),
            )));
        }
        let tokens = self.open_tokens(org, id, record.sealed_tokens).await?;
        let now = self.clock().now();
        if !refused && fresh(record.access_expires_at, now) {
            return Ok(SecretString::from(tokens.access_token));
        }
        let provider = self
            .oauth_provider(&record.provider)
            .map_err(|e| TokenError::Unavailable(e.to_string()))?;
        let egress = self.egress()?;
        let old_refresh = SecretString::from(tokens.refresh_token);
        match oauth::refresh(egress, provider, &old_refresh, now).await {
            Ok(new) => {
                let refresh = new.refresh_token.as_ref().unwrap_or(&old_refresh);
                let sealed = self
                    .seal_tokens(conn, org, id, &new.access_token, refresh)
                    .await?;
                oauth_connections::store_tokens(conn, scope, id, &sealed, new.expires_at, now)
                    .await
                    .map_err(AppError::from)?;
                Ok(new.access_token)
            }
            Err(e @ OAuthError::Revoked { .. }) => {
                let words = e.to_string();
                tracing::warn!(connection = %id, error = %words, "an OAuth grant was revoked");
                oauth_connections::mark_revoked(conn, scope, id, &words, now)
                    .await
                    .map_err(AppError::from)?;
                Err(TokenError::Revoked(words))
            }
            Err(e) => Err(TokenError::Unavailable(e.to_string())),
        }
    }
}

/// Whether an access token running out at `expires` is still good to use at `now`.
fn fresh(expires: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    expires.is_some_and(|at| at - now > chrono::Duration::seconds(REFRESH_MARGIN_SECONDS))
}
