//! Browser sessions: sign in with email and password, resolve a cookie to an [`Actor`], sign
//! out. Sessions expire after an idle period and at an absolute limit.

use super::{password, token};
use crate::authz::{Actor, system_scope};
use crate::context::App;
use crate::error::{AppError, AppResult};
use chrono::Duration as ChronoDuration;
use rapport_domain::{Email, EventKind, OrgId, UserId};
use rapport_store::repo::{memberships, sessions, users};
use rapport_store::{TransactionTrait, outbox};

/// The result of a successful sign-in: the secret for the cookie, shown once.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The cookie value. Only its digest is stored.
    pub token: String,
    /// Absolute expiry (for the cookie's Max-Age).
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// A resolved session: who is acting, and the CSRF token their forms must carry.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// The actor.
    pub actor: Actor,
    /// The synchronizer token for state-changing requests.
    pub csrf_token: String,
}

impl App {
    /// Signs in with email and password. Unknown emails and wrong passwords get the same error
    /// after the same amount of work.
    pub async fn sign_in(
        &self,
        email: &str,
        candidate: &str,
        user_agent: Option<&str>,
    ) -> AppResult<SignedIn> {
        let Ok(email) = Email::parse(email) else {
            password::dummy_verify(candidate.to_owned()).await;
            return Err(AppError::BadCredentials);
        };
        let found = users::find_for_login(self.db().conn(), &email).await?;
        let Some((user, Some(hash))) = found else {
            password::dummy_verify(candidate.to_owned()).await;
            return Err(AppError::BadCredentials);
        };
        if !password::verify(candidate.to_owned(), hash).await {
            return Err(AppError::BadCredentials);
        }
        let orgs = memberships::orgs_of(self.db().conn(), user.id).await?;
        let Some((org_id, _, _)) = orgs.first() else {
            // An account without an org cannot do anything yet; same answer as a bad password.
            return Err(AppError::BadCredentials);
        };
        self.start_session(user.id, *org_id, user_agent).await
    }

    /// Creates a session for a user already authenticated (sign-in, first-run setup).
    pub(crate) async fn start_session(
        &self,
        user: UserId,
        org: OrgId,
        user_agent: Option<&str>,
    ) -> AppResult<SignedIn> {
        let now = self.clock().now();
        let secret = token::generate();
        let expires_at = now
            + ChronoDuration::from_std(self.config().session_absolute)
                .unwrap_or(ChronoDuration::days(14));
        let txn = self.db().conn().begin().await?;
        let new = sessions::NewSession {
            token_hash: token::digest(&secret),
            user_id: user,
            org_id: org,
            csrf_token: token::generate(),
            user_agent: user_agent.map(str::to_owned),
            expires_at,
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
        txn.commit().await?;
        Ok(SignedIn {
            token: secret,
            expires_at,
        })
    }

    /// Resolves a cookie token to the acting user, or `Unauthenticated` when the session is
    /// unknown, expired, or its membership was removed. Refreshes the idle timer.
    pub async fn authenticate(&self, secret: &str) -> AppResult<SessionInfo> {
        if secret.is_empty() || secret.len() > 128 {
            return Err(AppError::Unauthenticated);
        }
        let conn = self.db().conn();
        let Some(session) = sessions::find_by_token_hash(conn, &token::digest(secret)).await?
        else {
            return Err(AppError::Unauthenticated);
        };
        let now = self.clock().now();
        let idle = ChronoDuration::from_std(self.config().session_idle)
            .unwrap_or(ChronoDuration::hours(8));
        if session.expires_at <= now || session.last_seen_at + idle <= now {
            sessions::delete(conn, session.id).await?;
            return Err(AppError::Unauthenticated);
        }
        let Some(role) = memberships::role_of(conn, session.org_id, session.user_id).await? else {
            sessions::delete(conn, session.id).await?;
            return Err(AppError::Unauthenticated);
        };
        let user = users::get(conn, session.user_id).await?;
        // Writing on every request would serialize readers on SQLite; a minute's precision is
        // plenty for an idle timeout measured in hours.
        if now - session.last_seen_at > ChronoDuration::minutes(1) {
            sessions::touch(conn, session.id, now).await?;
        }
        let actor = Actor {
            user_id: user.id,
            org_id: session.org_id,
            role,
            session_id: session.id,
            time_zone: user.time_zone,
            locale: user.locale,
            name: user.name,
            email: user.email,
        };
        Ok(SessionInfo {
            actor,
            csrf_token: session.csrf_token,
        })
    }

    /// Ends the actor's current session.
    pub async fn sign_out(&self, actor: &Actor) -> AppResult<()> {
        sessions::delete(self.db().conn(), actor.session_id).await?;
        Ok(())
    }

    /// Removes sessions past their idle or absolute expiry (a periodic job).
    pub async fn sweep_sessions(&self) -> AppResult<u64> {
        let now = self.clock().now();
        let idle = ChronoDuration::from_std(self.config().session_idle)
            .unwrap_or(ChronoDuration::hours(8));
        Ok(sessions::delete_expired(self.db().conn(), now, now - idle).await?)
    }
}
