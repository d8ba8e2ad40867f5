//! Browser sessions: resolve a cookie to an [`Actor`], list and revoke sessions, switch org,
//! sign out. Sessions expire after an idle period and at an absolute limit.

use super::token;
use crate::audit::{AuditEvent, Who};
use crate::authz::{Actor, RequestMeta, Via, system_scope};
use crate::context::App;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use rapport_domain::{EventKind, OrgId, SessionId, UserId};
use rapport_store::outbox;
use rapport_store::repo::{memberships, resolve, sessions, users};

/// The result of a successful sign-in: the secret for the cookie, shown once.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The cookie value. Only its digest is stored.
    pub token: String,
    /// Absolute expiry (for the cookie's Max-Age).
    pub expires_at: DateTime<Utc>,
    /// The user.
    pub user_id: UserId,
    /// The org the session works in.
    pub org_id: OrgId,
}

/// A resolved session: who is acting, and the CSRF token their forms must carry.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// The actor.
    pub actor: Actor,
    /// The synchronizer token for state-changing requests.
    pub csrf_token: String,
}

/// A session as the user sees it in their security settings.
#[derive(Debug, Clone)]
pub struct SessionView {
    /// Id.
    pub id: SessionId,
    /// Browser.
    pub user_agent: Option<String>,
    /// IP address at sign-in.
    pub ip: Option<String>,
    /// How they signed in.
    pub auth_method: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Last request.
    pub last_seen_at: DateTime<Utc>,
    /// Whether this is the session making the request.
    pub current: bool,
}

impl App {
    fn idle_limit(&self) -> ChronoDuration {
        ChronoDuration::from_std(self.config().session_idle).unwrap_or(ChronoDuration::hours(8))
    }

    /// Creates a session for a user whose sign-in is complete, and records it.
    pub(crate) async fn start_session(
        &self,
        user: UserId,
        org: OrgId,
        auth_method: &'static str,
        meta: &RequestMeta,
    ) -> AppResult<SignedIn> {
        let now = self.clock().now();
        let secret = token::generate();
        let expires_at = now
            + ChronoDuration::from_std(self.config().session_absolute)
                .unwrap_or(ChronoDuration::days(14));
        let record = users::get(self.db().conn(), user).await?;
        let txn = self.db().begin().await?;
        let new = sessions::NewSession {
            token_hash: token::digest(&secret),
            user_id: user,
            org_id: org,
            csrf_token: token::generate(),
            user_agent: meta.user_agent.clone(),
            expires_at,
            ip: meta.ip.clone(),
            auth_method,
        };
        let session = sessions::insert(&txn, new, now).await?;
        let payload = serde_json::json!({ "user_id": user, "session_id": session.id });
        outbox::record(
            &txn,
            system_scope(org),
            EventKind::SessionCreated,
            payload,
            now,
        )
        .await?;
        let who = Who {
            user_id: Some(user),
            label: record.email,
            meta: meta.clone(),
        };
        self.audit(
            &txn,
            system_scope(org),
            &who,
            AuditEvent::new("auth.login", "session", session.id)
                .with(serde_json::json!({ "method": auth_method })),
        )
        .await?;
        txn.commit().await?;
        // The sign-in is complete: forget the account's failed attempts.
        self.clear_failed_attempts(&who.label).await?;
        Ok(SignedIn {
            token: secret,
            expires_at,
            user_id: user,
            org_id: org,
        })
    }

    /// Resolves a cookie token to the acting user, or `Unauthenticated` when the session is
    /// unknown, expired, or its membership was removed. Refreshes the idle timer.
    pub async fn authenticate(&self, secret: &str, meta: RequestMeta) -> AppResult<SessionInfo> {
        if secret.is_empty() || secret.len() > 128 {
            return Err(AppError::Unauthenticated);
        }
        let conn = self.db().conn();
        // One query: session, membership (with custom role) and user.
        let Some(found) = resolve::session(conn, &token::digest(secret)).await? else {
            return Err(AppError::Unauthenticated);
        };
        let now = self.clock().now();
        let last_seen = found.last_used_at.unwrap_or(now);
        if found.expires_at.is_none_or(|e| e <= now) || last_seen + self.idle_limit() <= now {
            sessions::delete(conn, found.session_id()).await?;
            return Err(AppError::Unauthenticated);
        }
        // Writing on every request would serialize readers on SQLite; a minute's precision is
        // plenty for an idle timeout measured in hours.
        if now - last_seen > ChronoDuration::minutes(1) {
            sessions::touch(conn, found.session_id(), now).await?;
        }
        let session_id = found.session_id();
        let user = found.user;
        let actor = Actor {
            user_id: user.id,
            org_id: found.org_id,
            role: found.access.role,
            access: found.access,
            via: Via::Session(session_id),
            time_zone: user.time_zone,
            locale: user.locale,
            name: user.name,
            email: user.email,
            meta,
        };
        let csrf_token = found.csrf_token.unwrap_or_default();
        Ok(SessionInfo { actor, csrf_token })
    }

    /// Ends the actor's current session.
    pub async fn sign_out(&self, actor: &Actor) -> AppResult<()> {
        let Some(id) = actor.session_id() else {
            return Ok(());
        };
        let txn = self.db().begin().await?;
        sessions::delete(&txn, id).await?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("auth.logout", "session", id),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The actor's live sessions (all orgs), most recent first.
    pub async fn my_sessions(&self, actor: &Actor) -> AppResult<Vec<SessionView>> {
        let now = self.clock().now();
        let idle = self.idle_limit();
        Ok(sessions::list_for_user(self.db().conn(), actor.user_id)
            .await?
            .into_iter()
            .filter(|s| s.expires_at > now && s.last_seen_at + idle > now)
            .map(|s| SessionView {
                current: actor.session_id() == Some(s.id),
                id: s.id,
                user_agent: s.user_agent,
                ip: s.ip,
                auth_method: s.auth_method,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
            })
            .collect())
    }

    /// Ends one of the actor's own sessions.
    pub async fn revoke_session(&self, actor: &Actor, id: SessionId) -> AppResult<()> {
        let txn = self.db().begin().await?;
        sessions::delete_owned(&txn, actor.user_id, id).await?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("session.revoked", "session", id),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Ends every other session of the actor ("sign out everywhere else").
    pub async fn sign_out_everywhere(&self, actor: &Actor) -> AppResult<u64> {
        let txn = self.db().begin().await?;
        let n = sessions::delete_all_for_user(&txn, actor.user_id, actor.session_id()).await?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("session.revoked_all", "user", actor.user_id)
                .with(serde_json::json!({ "sessions": n })),
        )
        .await?;
        txn.commit().await?;
        Ok(n)
    }

    /// Moves the actor's session to another org they belong to.
    pub async fn switch_org(&self, actor: &Actor, org: OrgId) -> AppResult<()> {
        let session = actor.require_session()?;
        let conn = self.db().conn();
        if memberships::access_of(conn, org, actor.user_id)
            .await?
            .is_none()
        {
            return Err(AppError::NotFound);
        }
        if crate::auth::mfa::org_demands_mfa(self, org).await?
            && !self.has_second_factor(actor.user_id).await?
        {
            return Err(AppError::Conflict(
                "that organization requires two-factor authentication: set it up first".into(),
            ));
        }
        sessions::switch_org(conn, session, org).await?;
        Ok(())
    }

    /// Removes sessions past their idle or absolute expiry (a periodic job).
    pub async fn sweep_sessions(&self) -> AppResult<u64> {
        let now = self.clock().now();
        let conn = self.db().conn();
        rapport_store::repo::challenges::sweep(conn, now).await?;
        Ok(sessions::delete_expired(conn, now, now - self.idle_limit()).await?)
    }
}
