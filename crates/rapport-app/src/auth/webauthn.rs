//! WebAuthn security keys and passkeys (webauthn-rs) as a second factor: registration by a
//! signed-in user, and the assertion step of a sign-in. Ceremony state is kept server-side in
//! a sealed, single-use challenge; credentials are stored sealed, with their counters.

use super::SignedIn;
use super::signin::{ChallengeState, PURPOSE_MFA, combined};
use crate::audit::{AuditEvent, Who};
use crate::authz::{Actor, RequestMeta};
use crate::context::App;
use crate::error::{AppError, AppResult};
use crate::vault::{KeyOwner, reveal};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rapport_domain::{CredentialId, UserId, bounded_text};
use rapport_store::ConnectionTrait;
use rapport_store::repo::challenges;
use rapport_store::repo::mfa::{self, CredentialRecord};
use rapport_vault::SecretString;
use webauthn_rs::prelude::{
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Webauthn, WebauthnBuilder,
};

const PURPOSE_REGISTER: &str = "webauthn_register";

/// The relying party for `public_url`, or `None` when its host is an IP address (WebAuthn
/// needs a domain name; `localhost` works for local use).
pub(crate) fn build(public_url: &str) -> Option<Webauthn> {
    let url = Url::parse(public_url).ok()?;
    let host = url.host_str()?.to_owned();
    if host.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    WebauthnBuilder::new(&host, &url)
        .ok()?
        .rp_name("Rapport")
        .build()
        .ok()
}

fn aad(user: UserId, id: CredentialId) -> String {
    format!("webauthn:{user}:{id}")
}

fn json<T: serde::Serialize>(v: &T) -> AppResult<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| AppError::Internal(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> AppResult<T> {
    serde_json::from_value(v).map_err(|_| AppError::InvalidToken)
}

/// A ceremony the browser must complete: the challenge token to send back and the options
/// for `navigator.credentials.create/get`.
#[derive(Debug, Clone)]
pub struct Ceremony {
    /// Token identifying the server-side state.
    pub challenge: String,
    /// `publicKey` options, JSON.
    pub options: serde_json::Value,
}

impl App {
    fn relying_party(&self) -> AppResult<&Webauthn> {
        self.webauthn().ok_or_else(|| {
            AppError::NotConfigured(
                "security keys need Rapport to be reached by a domain name (set public_url)".into(),
            )
        })
    }

    async fn passkeys_of(
        &self,
        conn: &impl ConnectionTrait,
        user: UserId,
    ) -> AppResult<Vec<(CredentialRecord, Passkey)>> {
        let mut out = Vec::new();
        for record in mfa::credentials_of(conn, user).await? {
            let raw = self
                .vault()
                .open(
                    conn,
                    KeyOwner::System,
                    &aad(user, record.id),
                    &record.sealed_passkey,
                )
                .await?;
            let passkey: Passkey = serde_json::from_str(reveal(&raw))
                .map_err(|e| AppError::Internal(format!("stored passkey: {e}")))?;
            out.push((record, passkey));
        }
        Ok(out)
    }

    /// The actor's registered security keys.
    pub async fn my_security_keys(&self, actor: &Actor) -> AppResult<Vec<CredentialRecord>> {
        Ok(mfa::credentials_of(self.db().conn(), actor.user_id).await?)
    }

    /// Starts registering a security key or passkey for the actor.
    pub async fn begin_key_registration(&self, actor: &Actor) -> AppResult<Ceremony> {
        actor.require_session()?;
        let rp = self.relying_party()?;
        let existing = self.passkeys_of(self.db().conn(), actor.user_id).await?;
        let exclude = existing.iter().map(|(_, p)| p.cred_id().clone()).collect();
        let (options, state) = rp
            .start_passkey_registration(
                actor.user_id.as_uuid(),
                &actor.email,
                &actor.name,
                Some(exclude),
            )
            .map_err(|e| AppError::Internal(format!("webauthn: {e}")))?;
        let state = ChallengeState {
            first_factor: "session".into(),
            webauthn: Some(json(&state)?),
            oidc: None,
        };
        let challenge = self
            .new_challenge(
                PURPOSE_REGISTER,
                Some(actor.user_id),
                Some(actor.org_id),
                &state,
            )
            .await?;
        Ok(Ceremony {
            challenge,
            options: json(&options)?,
        })
    }

    /// Completes a registration with the browser's response.
    pub async fn finish_key_registration(
        &self,
        actor: &Actor,
        challenge: &str,
        name: &str,
        response: serde_json::Value,
    ) -> AppResult<CredentialRecord> {
        actor.require_session()?;
        let name = bounded_text("name", name, 100)?;
        let rp = self.relying_party()?;
        let (record, state) = self.load_challenge(challenge, PURPOSE_REGISTER).await?;
        if record.user_id != Some(actor.user_id) {
            return Err(AppError::InvalidToken);
        }
        challenges::delete(self.db().conn(), record.id).await?;
        let reg: PasskeyRegistration = from_json(state.webauthn.unwrap_or_default())?;
        let credential: RegisterPublicKeyCredential = from_json(response)?;
        let passkey = rp
            .finish_passkey_registration(&credential, &reg)
            .map_err(|_| AppError::InvalidToken)?;
        let id = CredentialId::new();
        let txn = self.db().begin().await?;
        let sealed = self
            .vault()
            .seal(
                &txn,
                KeyOwner::System,
                &aad(actor.user_id, id),
                &SecretString::from(
                    serde_json::to_string(&passkey)
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                ),
            )
            .await?;
        let now = self.clock().now();
        let cred_id = URL_SAFE_NO_PAD.encode(passkey.cred_id().as_slice());
        mfa::insert_credential(&txn, id, actor.user_id, &name, &cred_id, sealed, now).await?;
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("mfa.key_added", "credential", id)
                .with(serde_json::json!({ "name": name })),
        )
        .await?;
        txn.commit().await?;
        mfa::credentials_of(self.db().conn(), actor.user_id)
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or(AppError::NotFound)
    }

    /// Removes one of the actor's keys (password required).
    pub async fn remove_security_key(
        &self,
        actor: &Actor,
        id: CredentialId,
        password: &str,
    ) -> AppResult<()> {
        actor.require_session()?;
        self.require_password(actor, password).await?;
        let conn = self.db().conn();
        let keys = mfa::credentials_of(conn, actor.user_id).await?;
        if !keys.iter().any(|k| k.id == id) {
            return Err(AppError::NotFound);
        }
        let (_, totp_on) = rapport_store::repo::users::totp_state(conn, actor.user_id).await?;
        let last_factor = keys.len() == 1 && totp_on.is_none();
        if last_factor {
            for (org, _, _) in
                rapport_store::repo::memberships::orgs_of(conn, actor.user_id).await?
            {
                if super::mfa::org_demands_mfa(self, org).await? {
                    return Err(AppError::Conflict(
                        "your organization requires two-factor authentication; add another \
                         factor before removing this one"
                            .into(),
                    ));
                }
            }
        }
        let txn = self.db().begin().await?;
        mfa::delete_credential(&txn, actor.user_id, id).await?;
        if last_factor {
            mfa::delete_recovery_codes(&txn, actor.user_id).await?;
        }
        self.audit(
            &txn,
            actor.scope(),
            &Who::from(actor),
            AuditEvent::new("mfa.key_removed", "credential", id),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Second sign-in step: starts a security-key assertion. Returns a new challenge token
    /// (the old one is consumed) and the options for `navigator.credentials.get`.
    pub async fn begin_key_sign_in(&self, challenge: &str) -> AppResult<Ceremony> {
        let rp = self.relying_party()?;
        let (record, mut state) = self.load_challenge(challenge, PURPOSE_MFA).await?;
        let user = record.user_id.ok_or(AppError::InvalidToken)?;
        let keys: Vec<Passkey> = self
            .passkeys_of(self.db().conn(), user)
            .await?
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        if keys.is_empty() {
            return Err(AppError::InvalidToken);
        }
        let (options, auth) = rp
            .start_passkey_authentication(&keys)
            .map_err(|e| AppError::Internal(format!("webauthn: {e}")))?;
        state.webauthn = Some(json(&auth)?);
        let challenge = self.replace_challenge(&record, PURPOSE_MFA, &state).await?;
        Ok(Ceremony {
            challenge,
            options: json(&options)?,
        })
    }

    /// Second sign-in step: verifies the assertion and signs in.
    pub async fn finish_key_sign_in(
        &self,
        challenge: &str,
        response: serde_json::Value,
        meta: &RequestMeta,
    ) -> AppResult<SignedIn> {
        let rp = self.relying_party()?;
        let (record, state) = self.load_challenge(challenge, PURPOSE_MFA).await?;
        let (Some(user), Some(org)) = (record.user_id, record.org_id) else {
            return Err(AppError::InvalidToken);
        };
        let conn = self.db().conn();
        if !challenges::delete(conn, record.id).await? {
            return Err(AppError::InvalidToken);
        }
        let auth: PasskeyAuthentication = from_json(state.webauthn.clone().unwrap_or_default())?;
        let credential: PublicKeyCredential = from_json(response)?;
        let result = rp
            .finish_passkey_authentication(&credential, &auth)
            .map_err(|_| AppError::InvalidToken)?;
        for (rec, mut passkey) in self.passkeys_of(conn, user).await? {
            if passkey.cred_id() == result.cred_id() {
                passkey.update_credential(&result);
                let sealed = self
                    .vault()
                    .seal(
                        conn,
                        KeyOwner::System,
                        &aad(user, rec.id),
                        &SecretString::from(
                            serde_json::to_string(&passkey)
                                .map_err(|e| AppError::Internal(e.to_string()))?,
                        ),
                    )
                    .await?;
                mfa::update_credential(conn, user, rec.id, sealed, self.clock().now()).await?;
            }
        }
        self.start_session(user, org, combined(&state.first_factor, "webauthn"), meta)
            .await
    }
}
