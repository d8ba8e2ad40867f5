//! Signing in, step by step: the first factor (password here, OIDC in [`super::oidc`]), then a
//! second factor when the user has one or their org requires one. Between steps the state
//! lives in a sealed, single-use, short-lived challenge keyed by a cookie token.

use super::password::{self, Verified};
use super::throttle::Keys;
use super::{SignedIn, token};
use crate::audit::{AuditEvent, Who};
use crate::authz::{RequestMeta, system_scope};
use crate::context::App;
use crate::error::{AppError, AppResult};
use crate::vault::{KeyOwner, reveal};
use rapport_domain::{Email, OrgId, Password, UserId};
use rapport_store::repo::challenges::{self, ChallengeRecord, NewChallenge};
use rapport_store::repo::{memberships, mfa, users};
use rapport_vault::SecretString;
use serde::{Deserialize, Serialize};

/// Where a sign-in stands after a step.
#[derive(Debug, Clone)]
pub enum SignInStep {
    /// Signed in.
    Done(SignedIn),
    /// A second factor is needed; the token goes in a short-lived cookie.
    SecondFactor {
        /// Challenge token.
        challenge: String,
        /// Whether the user can answer with an authenticator app code.
        totp: bool,
        /// Whether the user has security keys or passkeys.
        webauthn: bool,
    },
    /// The org requires a second factor and the user has none: they must add one now.
    Enroll {
        /// Challenge token.
        challenge: String,
    },
}

/// Sealed state carried between sign-in steps.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct ChallengeState {
    /// The first factor used (`password`, `oidc`).
    pub first_factor: String,
    /// WebAuthn ceremony state, while one is running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webauthn: Option<serde_json::Value>,
    /// OIDC flow state (before the user is known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc: Option<serde_json::Value>,
}

const CHALLENGE_MINUTES: i64 = 10;
const MAX_SECOND_FACTOR_TRIES: i32 = 5;
pub(crate) const PURPOSE_MFA: &str = "mfa";
pub(crate) const PURPOSE_ENROLL: &str = "mfa_enroll";

fn aad(purpose: &str) -> String {
    format!("challenge:{purpose}")
}

impl App {
    /// Stores a challenge and returns its token.
    pub(crate) async fn new_challenge(
        &self,
        purpose: &'static str,
        user: Option<UserId>,
        org: Option<OrgId>,
        state: &ChallengeState,
    ) -> AppResult<String> {
        let conn = self.db().conn();
        let secret = token::generate();
        let json = serde_json::to_string(state).map_err(|e| AppError::Internal(e.to_string()))?;
        let sealed = self
            .vault()
            .seal(
                conn,
                KeyOwner::System,
                &aad(purpose),
                &SecretString::from(json),
            )
            .await?;
        let now = self.clock().now();
        challenges::insert(
            conn,
            NewChallenge {
                token_hash: token::digest(&secret),
                purpose,
                user_id: user,
                org_id: org,
                state: sealed,
                expires_at: now + chrono::Duration::minutes(CHALLENGE_MINUTES),
            },
            now,
        )
        .await?;
        Ok(secret)
    }

    /// Loads a live challenge and its state; unknown or expired is `InvalidToken`.
    pub(crate) async fn load_challenge(
        &self,
        secret: &str,
        purpose: &str,
    ) -> AppResult<(ChallengeRecord, ChallengeState)> {
        if secret.is_empty() || secret.len() > 128 {
            return Err(AppError::InvalidToken);
        }
        let conn = self.db().conn();
        let now = self.clock().now();
        let Some(record) = challenges::find(conn, &token::digest(secret), purpose, now).await?
        else {
            return Err(AppError::InvalidToken);
        };
        let json = self
            .vault()
            .open(conn, KeyOwner::System, &aad(purpose), &record.state)
            .await?;
        let state = serde_json::from_str(reveal(&json))
            .map_err(|e| AppError::Internal(format!("challenge state: {e}")))?;
        Ok((record, state))
    }

    /// Replaces a challenge's state (a WebAuthn ceremony started).
    pub(crate) async fn replace_challenge(
        &self,
        old: &ChallengeRecord,
        purpose: &'static str,
        state: &ChallengeState,
    ) -> AppResult<String> {
        challenges::delete(self.db().conn(), old.id).await?;
        self.new_challenge(purpose, old.user_id, old.org_id, state)
            .await
    }

    /// Signs in with email and password. Unknown emails and wrong passwords get the same
    /// answer after the same work; repeated failures lock the account and the IP for a while.
    pub async fn sign_in(
        &self,
        email: &str,
        candidate: &str,
        meta: &RequestMeta,
    ) -> AppResult<SignInStep> {
        let keys = Keys::new(email, meta.ip.as_deref());
        self.check_throttle(&keys).await?;
        let conn = self.db().conn();
        let found = match Email::parse(email) {
            Ok(email) => users::find_for_login(conn, &email).await?,
            Err(_) => None,
        };
        let Some(login) = found else {
            password::dummy_verify(candidate.to_owned()).await;
            self.record_failed_attempt(&keys).await?;
            return Err(AppError::BadCredentials);
        };
        let verdict = match login.password_hash.clone() {
            Some(hash) => password::check(candidate.to_owned(), hash).await,
            None => {
                password::dummy_verify(candidate.to_owned()).await;
                Verified::No
            }
        };
        let orgs = memberships::orgs_of(conn, login.user.id).await?;
        if !verdict.ok() {
            let locked = self.record_failed_attempt(&keys).await?;
            let txn = self.db().begin().await?;
            let who = Who {
                user_id: Some(login.user.id),
                label: login.user.email.clone(),
                meta: meta.clone(),
            };
            for (org, _, _) in &orgs {
                let event = AuditEvent::new("auth.login_failed", "user", login.user.id)
                    .with(serde_json::json!({ "locked": locked }));
                self.audit(&txn, system_scope(*org), &who, event).await?;
            }
            txn.commit().await?;
            return Err(AppError::BadCredentials);
        }
        if verdict == Verified::YesRehash
            && let Ok(pw) = Password::parse(candidate)
            && let Ok(hash) = password::hash(pw).await
        {
            users::set_password_hash(conn, login.user.id, hash, self.clock().now()).await?;
        }
        let Some((org, _, _)) = orgs.first() else {
            // An account without an org cannot do anything; same answer as a bad password.
            return Err(AppError::BadCredentials);
        };
        // Failures are forgiven only when a session starts (see `start_session`): a right
        // password followed by wrong second-factor codes keeps counting towards the lock.
        self.after_first_factor(login.user.id, *org, "password", meta)
            .await
    }

    /// Decides what follows a verified first factor: a session, a second-factor prompt, or
    /// enrolment when the org requires a second factor the user lacks.
    pub(crate) async fn after_first_factor(
        &self,
        user: UserId,
        org: OrgId,
        first_factor: &'static str,
        meta: &RequestMeta,
    ) -> AppResult<SignInStep> {
        let conn = self.db().conn();
        let (_, totp_on) = users::totp_state(conn, user).await?;
        let keys = !mfa::credentials_of(conn, user).await?.is_empty();
        let state = ChallengeState {
            first_factor: first_factor.to_owned(),
            ..Default::default()
        };
        if totp_on.is_some() || keys {
            let challenge = self
                .new_challenge(PURPOSE_MFA, Some(user), Some(org), &state)
                .await?;
            return Ok(SignInStep::SecondFactor {
                challenge,
                totp: totp_on.is_some(),
                webauthn: keys,
            });
        }
        if super::mfa::org_demands_mfa(self, org).await? {
            let challenge = self
                .new_challenge(PURPOSE_ENROLL, Some(user), Some(org), &state)
                .await?;
            return Ok(SignInStep::Enroll { challenge });
        }
        let method = if first_factor == "oidc" {
            "oidc"
        } else {
            "password"
        };
        Ok(SignInStep::Done(
            self.start_session(user, org, method, meta).await?,
        ))
    }

    /// Completes a sign-in with an authenticator code or a recovery code.
    pub async fn sign_in_second_factor(
        &self,
        challenge: &str,
        code: &str,
        meta: &RequestMeta,
    ) -> AppResult<SignedIn> {
        let (record, state) = self.load_challenge(challenge, PURPOSE_MFA).await?;
        let (Some(user), Some(org)) = (record.user_id, record.org_id) else {
            return Err(AppError::InvalidToken);
        };
        if record.attempts >= MAX_SECOND_FACTOR_TRIES {
            challenges::delete(self.db().conn(), record.id).await?;
            return Err(AppError::InvalidToken);
        }
        let u = users::get(self.db().conn(), user).await?;
        let keys = Keys::new(&u.email, meta.ip.as_deref());
        self.check_throttle(&keys).await?;
        let conn = self.db().conn();
        let method = if self.check_totp(conn, user, &u.email, code, false).await? {
            Some("totp")
        } else if self.use_recovery_code(conn, user, code).await? {
            Some("recovery")
        } else {
            None
        };
        let Some(method) = method else {
            challenges::bump_attempts(conn, record.id).await?;
            // Wrong codes count against the account like wrong passwords, across sign-ins.
            self.record_failed_attempt(&keys).await?;
            let txn = self.db().begin().await?;
            let who = Who {
                user_id: Some(user),
                label: u.email.clone(),
                meta: meta.clone(),
            };
            self.audit(
                &txn,
                system_scope(org),
                &who,
                AuditEvent::new("auth.mfa_failed", "user", user),
            )
            .await?;
            txn.commit().await?;
            return Err(AppError::InvalidToken);
        };
        if !challenges::delete(conn, record.id).await? {
            return Err(AppError::InvalidToken);
        }
        self.start_session(user, org, combined(&state.first_factor, method), meta)
            .await
    }

    /// During a required enrolment: starts adding an authenticator app.
    pub async fn enroll_begin_totp(&self, challenge: &str) -> AppResult<super::mfa::TotpSetup> {
        let (record, _) = self.load_challenge(challenge, PURPOSE_ENROLL).await?;
        let user = record.user_id.ok_or(AppError::InvalidToken)?;
        let u = users::get(self.db().conn(), user).await?;
        self.begin_totp_for(user, &u.email).await
    }

    /// During a required enrolment: confirms the app with a code and signs in. Returns the
    /// session and the recovery codes to show once.
    pub async fn enroll_finish_totp(
        &self,
        challenge: &str,
        code: &str,
        meta: &RequestMeta,
    ) -> AppResult<(SignedIn, super::mfa::RecoveryCodes)> {
        let (record, state) = self.load_challenge(challenge, PURPOSE_ENROLL).await?;
        let (Some(user), Some(org)) = (record.user_id, record.org_id) else {
            return Err(AppError::InvalidToken);
        };
        let u = users::get(self.db().conn(), user).await?;
        let who = Who {
            user_id: Some(user),
            label: u.email.clone(),
            meta: meta.clone(),
        };
        let codes = self
            .confirm_totp_for(user, &u.email, code, &who, &[org])
            .await?;
        challenges::delete(self.db().conn(), record.id).await?;
        let session = self
            .start_session(user, org, combined(&state.first_factor, "totp"), meta)
            .await?;
        Ok((session, codes))
    }
}

/// The stored name of a two-step sign-in (`password+totp`).
pub(crate) fn combined(first: &str, second: &str) -> &'static str {
    match (first, second) {
        ("oidc", "totp") => "oidc+totp",
        ("oidc", "recovery") => "oidc+recovery",
        ("oidc", _) => "oidc+webauthn",
        (_, "totp") => "password+totp",
        (_, "recovery") => "password+recovery",
        _ => "password+webauthn",
    }
}

impl App {
    /// Which second factors a pending sign-in can use: (authenticator code, security key).
    pub async fn pending_second_factor(&self, challenge: &str) -> AppResult<(bool, bool)> {
        let (record, _) = self.load_challenge(challenge, PURPOSE_MFA).await?;
        let user = record.user_id.ok_or(AppError::InvalidToken)?;
        let conn = self.db().conn();
        let (_, totp_on) = users::totp_state(conn, user).await?;
        let keys = !mfa::credentials_of(conn, user).await?.is_empty();
        Ok((totp_on.is_some(), keys && self.webauthn().is_some()))
    }
}
