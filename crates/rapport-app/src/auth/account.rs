//! A user's own credentials: changing the password, and resetting a forgotten one by emailed
//! link. Either revokes every other session and every outstanding reset link.

use super::password;
use super::token;
use crate::audit::{AuditEvent, Who};
use crate::authz::{Actor, RequestMeta, system_scope};
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::{DomainError, Email, Password, UserId};
use rapport_store::ConnectionTrait;
use rapport_store::repo::{memberships, password_resets, sessions, users};

const RESET_MINUTES: i64 = 60;
const RESETS_PER_HOUR: u64 = 3;

impl App {
    /// Checks the actor's current password (before sensitive changes).
    pub(crate) async fn require_password(&self, actor: &Actor, candidate: &str) -> AppResult<()> {
        let login = users::get_for_login(self.db().conn(), actor.user_id).await?;
        let ok = match login.password_hash {
            Some(hash) => password::verify(candidate.to_owned(), hash).await,
            None => false,
        };
        if ok {
            Ok(())
        } else {
            Err(AppError::Invalid(vec![DomainError::Invalid {
                field: "current_password",
                reason: "the current password is not correct",
            }]))
        }
    }

    async fn set_new_password(
        &self,
        txn: &impl ConnectionTrait,
        user: UserId,
        new: Password,
        keep_session: Option<rapport_domain::SessionId>,
    ) -> AppResult<u64> {
        let hash = password::hash(new).await.map_err(AppError::Internal)?;
        let now = self.clock().now();
        users::change_password(txn, user, hash, now).await?;
        password_resets::invalidate_all(txn, user, now).await?;
        Ok(sessions::delete_all_for_user(txn, user, keep_session).await?)
    }

    /// Changes the actor's password; every other session and reset link stops working.
    pub async fn change_password(&self, actor: &Actor, current: &str, new: &str) -> AppResult<u64> {
        let session = actor.require_session()?;
        let new = Password::parse(new)?;
        self.require_password(actor, current).await?;
        let txn = self.db().begin().await?;
        let revoked = self
            .set_new_password(&txn, actor.user_id, new, Some(session))
            .await?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("auth.password_changed", "user", actor.user_id)
                .with(serde_json::json!({ "sessions_revoked": revoked })),
        )
        .await?;
        txn.commit().await?;
        Ok(revoked)
    }

    /// Sends a reset link when the email belongs to an account. The answer is the same either
    /// way (it never reveals whether an account exists); at most three links per hour.
    pub async fn request_password_reset(&self, email: &str, meta: &RequestMeta) -> AppResult<()> {
        if !self.can_send_mail() {
            return Err(AppError::NotConfigured(
                "this server cannot send email yet; ask an administrator to reset your password"
                    .into(),
            ));
        }
        let Ok(email) = Email::parse(email) else {
            return Ok(());
        };
        let conn = self.db().conn();
        let Some(login) = users::find_for_login(conn, &email).await? else {
            return Ok(());
        };
        let now = self.clock().now();
        let user = login.user.id;
        if password_resets::count_since(conn, user, now - chrono::Duration::hours(1)).await?
            >= RESETS_PER_HOUR
        {
            return Ok(());
        }
        let secret = token::generate();
        let link = self.link(&format!("/reset/{secret}"));
        let body = format!(
            "Hello {name},\n\nSomeone (hopefully you) asked to reset the password of your \
             Rapport account.\nOpen this link within {RESET_MINUTES} minutes to choose a new \
             password:\n\n{link}\n\nIf you did not ask for this, ignore this mail: your \
             password stays as it is.\n",
            name = login.user.name
        );
        let txn = self.db().begin().await?;
        password_resets::insert(
            &txn,
            user,
            token::digest(&secret),
            now + chrono::Duration::minutes(RESET_MINUTES),
            now,
        )
        .await?;
        let first_org = memberships::orgs_of(&txn, user)
            .await?
            .first()
            .map(|(org, _, _)| *org);
        self.queue_mail(
            &txn,
            first_org,
            login.user.email.as_str(),
            "Reset your Rapport password",
            body,
        )
        .await?;
        let who = Who {
            user_id: Some(user),
            label: login.user.email.clone(),
            meta: meta.clone(),
        };
        for (org, _, _) in memberships::orgs_of(&txn, user).await? {
            self.audit(
                &txn,
                system_scope(org),
                &who,
                AuditEvent::new("auth.reset_requested", "user", user),
            )
            .await?;
        }
        txn.commit().await?;
        self.queue().wake();
        Ok(())
    }

    /// Whether a reset link is still usable (to show the form or an explanation).
    pub async fn reset_link_is_live(&self, secret: &str) -> AppResult<bool> {
        if secret.is_empty() || secret.len() > 128 {
            return Ok(false);
        }
        Ok(
            password_resets::is_live(self.db().conn(), &token::digest(secret), self.clock().now())
                .await?,
        )
    }

    /// Sets a new password through a reset link: single use; every session and every other
    /// link of the account stops working; failed sign-in counters are cleared.
    pub async fn complete_password_reset(
        &self,
        secret: &str,
        new: &str,
        meta: &RequestMeta,
    ) -> AppResult<()> {
        let new = Password::parse(new)?;
        if secret.is_empty() || secret.len() > 128 {
            return Err(AppError::InvalidToken);
        }
        let txn = self.db().begin().await?;
        let now = self.clock().now();
        let Some(user) = password_resets::consume(&txn, &token::digest(secret), now).await? else {
            return Err(AppError::InvalidToken);
        };
        let revoked = self.set_new_password(&txn, user, new, None).await?;
        let record = users::get(&txn, user).await?;
        let who = Who {
            user_id: Some(user),
            label: record.email.clone(),
            meta: meta.clone(),
        };
        for (org, _, _) in memberships::orgs_of(&txn, user).await? {
            self.audit(
                &txn,
                system_scope(org),
                &who,
                AuditEvent::new("auth.password_reset", "user", user)
                    .with(serde_json::json!({ "sessions_revoked": revoked })),
            )
            .await?;
        }
        txn.commit().await?;
        self.clear_failed_attempts(&record.email).await?;
        Ok(())
    }
}
