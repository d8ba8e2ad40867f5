//! Second factors: TOTP (RFC 6238, seeds sealed by the vault, each code accepted once) and
//! one-time recovery codes (stored hashed). WebAuthn lives in [`super::webauthn`].

use super::token;
use crate::audit::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use crate::vault::{KeyOwner, reveal};
use rand::Rng;
use rapport_domain::{OrgId, UserId};
use rapport_store::ConnectionTrait;
use rapport_store::repo::{memberships, mfa, orgs, users};
use rapport_vault::SecretString;
use totp_rs::{Builder, Secret, Totp};

/// What a user needs to add an authenticator app: the secret (for manual entry), the
/// `otpauth://` URL and a QR code of it as SVG markup.
#[derive(Clone)]
pub struct TotpSetup {
    /// Base32 secret, for typing in.
    pub secret: SecretString,
    /// `otpauth://totp/...`.
    pub url: SecretString,
    /// QR code of the URL (inline SVG, no XML declaration).
    pub qr_svg: String,
}

impl std::fmt::Debug for TotpSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSetup(**redacted**)")
    }
}

/// Recovery codes, shown once.
pub type RecoveryCodes = Vec<String>;

const RECOVERY_CODES: usize = 10;
const ISSUER: &str = "Rapport";

fn totp(secret_b32: &str, account: &str) -> AppResult<Totp> {
    let secret = Secret::try_from_base32(secret_b32)
        .map_err(|e| AppError::Internal(format!("totp secret: {e:?}")))?;
    Builder::new()
        .with_secret(secret)
        .with_issuer(Some(ISSUER.to_owned()))
        .with_account_name(account.replace(':', ""))
        .build()
        .map_err(|e| AppError::Internal(format!("totp: {e:?}")))
}

fn aad(user: UserId) -> String {
    format!("user_totp:{user}")
}

fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let s: String = (0..10)
                .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
                .collect();
            format!("{}-{}", &s[..5], &s[5..])
        })
        .collect()
}

/// The setup view of a seed: the `otpauth://` URL and its QR code.
fn totp_setup(secret: SecretString, email: &str) -> AppResult<TotpSetup> {
    let url = totp(reveal(&secret), email)?
        .to_url()
        .map_err(|e| AppError::Internal(format!("totp url: {e:?}")))?;
    let qr = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| AppError::Internal(format!("qr: {e}")))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    let qr_svg = match qr.find("<svg") {
        Some(i) => qr[i..].to_owned(),
        None => qr,
    };
    Ok(TotpSetup {
        secret,
        url: SecretString::from(url),
        qr_svg,
    })
}

/// Whether the org requires every member to use a second factor.
pub(crate) async fn org_demands_mfa(app: &App, org: OrgId) -> AppResult<bool> {
    Ok(orgs::requires_mfa(app.db().conn(), org).await?)
}

impl App {
    /// Whether the user has any second factor.
    pub async fn has_second_factor(&self, user: UserId) -> AppResult<bool> {
        let conn = self.db().conn();
        let (_, enabled) = users::totp_state(conn, user).await?;
        Ok(enabled.is_some() || !mfa::credentials_of(conn, user).await?.is_empty())
    }

    /// Starts (or restarts) TOTP enrolment: a new seed is stored sealed, not yet enabled.
    pub(crate) async fn begin_totp_for(&self, user: UserId, email: &str) -> AppResult<TotpSetup> {
        // An enrolment already under way keeps its seed: the user's app may hold it already
        // (a mistyped code, a reload, a second tab).
        if let Some(pending) = self.pending_totp_for(user, email).await? {
            return Ok(pending);
        }
        let conn = self.db().conn();
        let (_, enabled) = users::totp_state(conn, user).await?;
        if enabled.is_some() {
            return Err(AppError::Conflict(
                "two-factor authentication is already on".into(),
            ));
        }
        let secret = SecretString::from(Secret::generate().to_base32());
        let setup = totp_setup(secret, email)?;
        let sealed = self
            .vault()
            .seal(conn, KeyOwner::System, &aad(user), &setup.secret)
            .await?;
        users::set_totp(conn, user, Some(sealed), None, self.clock().now()).await?;
        Ok(setup)
    }

    /// The seed being enrolled, shown again (after a mistyped code, the authenticator app
    /// already holds it); `None` when no enrolment is pending.
    pub(crate) async fn pending_totp_for(
        &self,
        user: UserId,
        email: &str,
    ) -> AppResult<Option<TotpSetup>> {
        let conn = self.db().conn();
        let (sealed, enabled) = users::totp_state(conn, user).await?;
        let (Some(sealed), None) = (sealed, enabled) else {
            return Ok(None);
        };
        let secret = self
            .vault()
            .open(conn, KeyOwner::System, &aad(user), &sealed)
            .await?;
        totp_setup(secret, email).map(Some)
    }

    /// Checks a TOTP code against the user's seed (`pending`: the seed being enrolled). Each
    /// time step is accepted once, so a code seen over a shoulder cannot be replayed.
    pub(crate) async fn check_totp(
        &self,
        conn: &impl ConnectionTrait,
        user: UserId,
        email: &str,
        code: &str,
        pending: bool,
    ) -> AppResult<bool> {
        let (sealed, enabled) = users::totp_state(conn, user).await?;
        let Some(sealed) = sealed else {
            return Ok(false);
        };
        if enabled.is_some() == pending {
            return Ok(false);
        }
        let secret = self
            .vault()
            .open(conn, KeyOwner::System, &aad(user), &sealed)
            .await?;
        let t = totp(reveal(&secret), email)?;
        let code = normalize_code(code);
        let now = self.clock().now().timestamp().max(0) as u64;
        // One step of skew either way, as authenticator clocks drift.
        for step in [now / 30, (now / 30).saturating_sub(1), now / 30 + 1] {
            if token::equal(&t.generate(step * 30).to_string(), &code) {
                return Ok(users::accept_totp_step(conn, user, step as i64).await?);
            }
        }
        Ok(false)
    }

    /// Enables the pending seed once a code from it checks out; returns recovery codes.
    pub(crate) async fn confirm_totp_for(
        &self,
        user: UserId,
        email: &str,
        code: &str,
        who: &Who,
        orgs_to_audit: &[OrgId],
    ) -> AppResult<RecoveryCodes> {
        let txn = self.db().begin().await?;
        if !self.check_totp(&txn, user, email, code, true).await? {
            return Err(AppError::InvalidToken);
        }
        let (sealed, _) = users::totp_state(&txn, user).await?;
        let now = self.clock().now();
        users::set_totp(&txn, user, sealed, Some(now), now).await?;
        let codes = new_recovery_codes();
        let hashes = codes
            .iter()
            .map(|c| token::digest(&normalize_code(c)))
            .collect();
        mfa::replace_recovery_codes(&txn, user, hashes, now).await?;
        for org in orgs_to_audit {
            self.audit(
                &txn,
                crate::authz::system_scope(*org),
                who,
                AuditEvent::new("mfa.totp_enabled", "user", user),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(codes)
    }

    /// Uses a recovery code in place of a second factor.
    pub(crate) async fn use_recovery_code(
        &self,
        conn: &impl ConnectionTrait,
        user: UserId,
        code: &str,
    ) -> AppResult<bool> {
        let hash = token::digest(&normalize_code(code));
        Ok(mfa::use_recovery_code(conn, user, &hash, self.clock().now()).await?)
    }

    /// Starts TOTP enrolment for the signed-in actor.
    pub async fn begin_totp(&self, actor: &Actor) -> AppResult<TotpSetup> {
        actor.require_session()?;
        self.begin_totp_for(actor.user_id, &actor.email).await
    }

    /// The actor's pending TOTP enrolment, to show the same QR code again after a wrong code
    /// (`None` when nothing is pending).
    pub async fn pending_totp(&self, actor: &Actor) -> AppResult<Option<TotpSetup>> {
        actor.require_session()?;
        self.pending_totp_for(actor.user_id, &actor.email).await
    }

    /// Confirms the actor's TOTP enrolment with a code; returns recovery codes (shown once).
    pub async fn confirm_totp(&self, actor: &Actor, code: &str) -> AppResult<RecoveryCodes> {
        actor.require_session()?;
        self.confirm_totp_for(
            actor.user_id,
            &actor.email,
            code,
            &Who::from(actor),
            &[actor.org_id],
        )
        .await
    }

    /// Turns TOTP off (password required). Refused when an org of the user requires MFA and
    /// TOTP is their only factor.
    pub async fn disable_totp(&self, actor: &Actor, password: &str) -> AppResult<()> {
        actor.require_session()?;
        self.require_password(actor, password).await?;
        let conn = self.db().conn();
        if mfa::credentials_of(conn, actor.user_id).await?.is_empty() {
            for (org, _, _) in memberships::orgs_of(conn, actor.user_id).await? {
                if org_demands_mfa(self, org).await? {
                    return Err(AppError::Conflict(
                        "your organization requires two-factor authentication".into(),
                    ));
                }
            }
        }
        let keys_remain = !mfa::credentials_of(conn, actor.user_id).await?.is_empty();
        let txn = self.db().begin().await?;
        users::set_totp(&txn, actor.user_id, None, None, self.clock().now()).await?;
        if !keys_remain {
            // Recovery codes stand in for a second factor; with none left they mean nothing.
            mfa::delete_recovery_codes(&txn, actor.user_id).await?;
        }
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("mfa.totp_disabled", "user", actor.user_id),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// New recovery codes (the old ones stop working).
    pub async fn regenerate_recovery_codes(&self, actor: &Actor) -> AppResult<RecoveryCodes> {
        actor.require_session()?;
        if !self.has_second_factor(actor.user_id).await? {
            return Err(AppError::Conflict(
                "turn on two-factor authentication first".into(),
            ));
        }
        let codes = new_recovery_codes();
        let hashes = codes
            .iter()
            .map(|c| token::digest(&normalize_code(c)))
            .collect();
        let txn = self.db().begin().await?;
        mfa::replace_recovery_codes(&txn, actor.user_id, hashes, self.clock().now()).await?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("mfa.recovery_codes_regenerated", "user", actor.user_id),
        )
        .await?;
        txn.commit().await?;
        Ok(codes)
    }

    /// The actor's second-factor status: TOTP on, recovery codes left.
    pub async fn mfa_status(&self, actor: &Actor) -> AppResult<(bool, u64)> {
        let conn = self.db().conn();
        let (_, enabled) = users::totp_state(conn, actor.user_id).await?;
        Ok((
            enabled.is_some(),
            mfa::recovery_codes_left(conn, actor.user_id).await?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_distinct_and_normalize() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        assert_eq!(normalize_code(" ABCDE-fghjk "), "abcdefghjk");
    }
}
