//! Personal API tokens: `Authorization: Bearer rpt_…` on `/api/v1`. Shown once, stored as a
//! SHA-256 digest, scoped to a subset of the owner's permissions, optionally expiring, and
//! revocable. Their use is audited (at most hourly per token, to keep the log readable).

use super::token;
use crate::audit::{AuditEvent, Who};
use crate::authz::{Actor, RequestMeta, Via, system_scope};
use crate::context::App;
use crate::error::{AppError, AppResult};
use chrono::Duration;
use rapport_domain::{DomainError, Email, OrgId, PermissionSet, TokenId, bounded_text};
use rapport_store::repo::api_tokens::{self, NewToken, TokenRecord};
use rapport_store::repo::{memberships, resolve, users};

/// The visible start of every token, so leaked tokens are recognizable by secret scanners.
pub const TOKEN_PREFIX: &str = "rpt_";

/// What a new token should be.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    /// Label.
    pub name: String,
    /// Scopes; `None` means all of the owner's permissions.
    pub scopes: Option<PermissionSet>,
    /// Lifetime in days (1–3650); `None` never expires.
    pub expires_in_days: Option<u32>,
}

/// A token just made: its record and the secret (shown once).
#[derive(Debug, Clone)]
pub struct NewTokenSecret {
    /// The stored record.
    pub record: TokenRecord,
    /// The secret to hand to the user.
    pub secret: String,
}

impl App {
    async fn issue_token(
        &self,
        scope: rapport_store::OrgScope,
        user: rapport_domain::UserId,
        granted: PermissionSet,
        req: TokenRequest,
        who: &Who,
    ) -> AppResult<NewTokenSecret> {
        let name = bounded_text("name", &req.name, 100)?;
        let scopes = req.scopes.unwrap_or(granted);
        if scopes.is_empty() {
            return Err(DomainError::Empty { field: "scopes" }.into());
        }
        if !granted.is_superset(scopes) {
            return Err(DomainError::Invalid {
                field: "scopes",
                reason: "a token cannot have permissions its owner lacks",
            }
            .into());
        }
        let now = self.clock().now();
        let expires_at = match req.expires_in_days {
            None => None,
            Some(d @ 1..=3650) => Some(now + Duration::days(i64::from(d))),
            Some(_) => {
                return Err(DomainError::Invalid {
                    field: "expires_in_days",
                    reason: "must be between 1 and 3650",
                }
                .into());
            }
        };
        let secret = format!("{TOKEN_PREFIX}{}", token::generate());
        let txn = self.db().begin().await?;
        let record = api_tokens::insert(
            &txn,
            scope,
            NewToken {
                user_id: user,
                name,
                token_hash: token::digest(&secret),
                prefix: secret.chars().take(10).collect(),
                scopes,
                expires_at,
            },
            now,
        )
        .await?;
        self.audit(
            &txn,
            scope,
            who,
            AuditEvent::new("token.created", "token", record.id).with(serde_json::json!({
                "name": record.name, "scopes": scopes.to_storage(), "expires_at": expires_at,
            })),
        )
        .await?;
        txn.commit().await?;
        Ok(NewTokenSecret { record, secret })
    }

    /// Makes a token for the signed-in actor (from a browser session only).
    pub async fn create_token(
        &self,
        actor: &Actor,
        req: TokenRequest,
    ) -> AppResult<NewTokenSecret> {
        actor.require_session()?;
        self.issue_token(
            actor.scope(),
            actor.user_id,
            actor.access.permissions,
            req,
            &Who::from(actor),
        )
        .await
    }

    /// Makes a token for a member, as the operator (`rapport admin create-token`).
    pub async fn create_token_as_operator(
        &self,
        email: &str,
        org: OrgId,
        req: TokenRequest,
    ) -> AppResult<NewTokenSecret> {
        let email = Email::parse(email)?;
        let conn = self.db().conn();
        let login = users::find_for_login(conn, &email)
            .await?
            .ok_or(AppError::NotFound)?;
        let access = memberships::access_of(conn, org, login.user.id)
            .await?
            .ok_or(AppError::NotFound)?;
        let who = Who {
            label: "operator (command line)".into(),
            ..Who::system()
        };
        self.issue_token(
            system_scope(org),
            login.user.id,
            access.permissions,
            req,
            &who,
        )
        .await
    }

    /// The actor's tokens in this org.
    pub async fn my_tokens(&self, actor: &Actor) -> AppResult<Vec<TokenRecord>> {
        Ok(api_tokens::list_for_user(self.db().conn(), actor.scope(), actor.user_id).await?)
    }

    /// Revokes one of the actor's tokens.
    pub async fn revoke_token(&self, actor: &Actor, id: TokenId) -> AppResult<()> {
        let txn = self.db().begin().await?;
        api_tokens::revoke(&txn, actor.scope(), actor.user_id, id, self.clock().now()).await?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("token.revoked", "token", id),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Resolves a bearer token to an actor whose permissions are the token's scopes narrowed
    /// to what the owner still holds.
    pub async fn authenticate_token(&self, secret: &str, meta: RequestMeta) -> AppResult<Actor> {
        if !secret.starts_with(TOKEN_PREFIX) || secret.len() > 128 {
            return Err(AppError::Unauthenticated);
        }
        let conn = self.db().conn();
        // One query: token, membership (with custom role) and user.
        let Some(found) = resolve::token(conn, &token::digest(secret)).await? else {
            return Err(AppError::Unauthenticated);
        };
        let now = self.clock().now();
        if found.revoked_at.is_some() || found.expires_at.is_some_and(|e| e <= now) {
            return Err(AppError::Unauthenticated);
        }
        let token_id = found.token_id();
        let mut access = found.access;
        let scopes = found.scopes.unwrap_or_default();
        access.permissions = scopes
            .iter()
            .filter(|p| access.permissions.contains(*p))
            .collect();
        let user = found.user;
        let actor = Actor {
            user_id: user.id,
            org_id: found.org_id,
            role: access.role,
            access,
            via: Via::Token(token_id),
            time_zone: user.time_zone,
            locale: user.locale,
            name: user.name,
            email: user.email,
            meta,
        };
        let last_used_at = found.last_used_at;
        let stale = |minutes| last_used_at.is_none_or(|t| now - t > Duration::minutes(minutes));
        if stale(60) {
            let txn = self.db().begin().await?;
            api_tokens::touch(&txn, token_id, now).await?;
            self.audit(
                &txn,
                actor.scope(),
                &Who::from(&actor),
                AuditEvent::new("token.used", "token", token_id),
            )
            .await?;
            txn.commit().await?;
        } else if stale(1) {
            api_tokens::touch(conn, token_id, now).await?;
        }
        Ok(actor)
    }
}
