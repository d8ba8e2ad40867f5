//! Sign in with OpenID Connect (a generic issuer, with presets for Google and Microsoft):
//! authorization code flow with PKCE (S256), `state` and `nonce` checked, the ID token's
//! signature, issuer, audience and expiry validated (openidconnect). An external identity
//! links to an existing account only when the provider says the email is verified; accounts
//! are never created here (invitations do that).

use super::signin::{ChallengeState, SignInStep};
use super::token;
use crate::authz::RequestMeta;
use crate::context::App;
use crate::error::{AppError, AppResult};
use crate::vault::reveal;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use rapport_domain::Email;
use rapport_store::repo::{challenges, memberships, oidc_identities, users};
use rapport_vault::SecretString;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;

const PURPOSE_OIDC: &str = "oidc";

/// One configured sign-in provider.
#[derive(Clone)]
pub struct OidcProviderConfig {
    /// URL-safe id (`google`, `microsoft`, `corp`), used in the callback path.
    pub id: String,
    /// Button label ("Google").
    pub name: String,
    /// Issuer URL (discovery at `<issuer>/.well-known/openid-configuration`).
    pub issuer: String,
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret (never logged).
    pub client_secret: SecretString,
}

impl std::fmt::Debug for OidcProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcProviderConfig")
            .field("id", &self.id)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl OidcProviderConfig {
    /// The issuer of a preset (`google`, `microsoft` with a tenant id), if `id` names one.
    pub fn preset_issuer(id: &str, tenant: Option<&str>) -> Option<String> {
        match id {
            "google" => Some("https://accounts.google.com".into()),
            "microsoft" => Some(format!(
                "https://login.microsoftonline.com/{}/v2.0",
                tenant.unwrap_or("organizations")
            )),
            _ => None,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Flow {
    provider: String,
    state: String,
    nonce: String,
    pkce_verifier: String,
}

/// An HTTP error from the provider exchange.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

/// The HTTP client openidconnect uses: reqwest without redirects (following them would open
/// the server to SSRF through a hostile discovery document).
struct Http(reqwest::Client);

impl<'c> openidconnect::AsyncHttpClient<'c> for Http {
    type Error = HttpError;
    type Future =
        Pin<Box<dyn Future<Output = Result<openidconnect::HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: openidconnect::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let request =
                reqwest::Request::try_from(request).map_err(|e| HttpError(e.to_string()))?;
            let response = self
                .0
                .execute(request)
                .await
                .map_err(|e| HttpError(e.to_string()))?;
            let mut builder = http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let body = response
                .bytes()
                .await
                .map_err(|e| HttpError(e.to_string()))?;
            builder
                .body(body.to_vec())
                .map_err(|e| HttpError(e.to_string()))
        })
    }
}

fn http() -> AppResult<Http> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .map(Http)
        .map_err(|e| AppError::Internal(format!("http client: {e}")))
}

fn provider_error(what: &str, e: impl std::fmt::Display) -> AppError {
    tracing::warn!(error = %e, "OIDC {what} failed");
    AppError::NotConfigured(format!(
        "the identity provider could not be reached or answered badly ({what})"
    ))
}

impl App {
    fn oidc_provider(&self, id: &str) -> AppResult<&OidcProviderConfig> {
        self.config()
            .oidc
            .iter()
            .find(|p| p.id == id)
            .ok_or(AppError::NotFound)
    }

    async fn oidc_client(
        &self,
        provider: &OidcProviderConfig,
        http: &Http,
    ) -> AppResult<(CoreProviderMetadata, RedirectUrl)> {
        let issuer =
            IssuerUrl::new(provider.issuer.clone()).map_err(|e| provider_error("issuer", e))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, http)
            .await
            .map_err(|e| provider_error("discovery", e))?;
        let redirect = RedirectUrl::new(self.link(&format!("/auth/oidc/{}/callback", provider.id)))
            .map_err(|e| provider_error("redirect URL", e))?;
        Ok((metadata, redirect))
    }

    /// Starts a sign-in with `provider`: returns the provider URL to send the browser to and
    /// the challenge token to keep in a short-lived cookie.
    pub async fn begin_oidc(&self, provider: &str) -> AppResult<(String, String)> {
        let provider = self.oidc_provider(provider)?.clone();
        let http = http()?;
        let (metadata, redirect) = self.oidc_client(&provider, &http).await?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(provider.client_id.clone()),
            Some(ClientSecret::new(
                reveal(&provider.client_secret).to_owned(),
            )),
        )
        .set_redirect_uri(redirect);
        let (pkce_challenge, pkce_verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(pkce_challenge)
            .url();
        let flow = Flow {
            provider: provider.id.clone(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: pkce_verifier.secret().clone(),
        };
        let state = ChallengeState {
            first_factor: "oidc".into(),
            webauthn: None,
            oidc: Some(serde_json::to_value(flow).map_err(|e| AppError::Internal(e.to_string()))?),
        };
        let challenge = self.new_challenge(PURPOSE_OIDC, None, None, &state).await?;
        Ok((url.to_string(), challenge))
    }

    /// Completes a sign-in from the provider's redirect. A wrong `state`, a bad or tampered ID
    /// token or a wrong nonce is refused; so is an identity with no verified link to an account.
    pub async fn finish_oidc(
        &self,
        provider: &str,
        challenge: &str,
        state: &str,
        code: &str,
        meta: &RequestMeta,
    ) -> AppResult<SignInStep> {
        let (record, saved) = self.load_challenge(challenge, PURPOSE_OIDC).await?;
        // Single use, whatever happens next.
        challenges::delete(self.db().conn(), record.id).await?;
        let flow: Flow = serde_json::from_value(saved.oidc.unwrap_or_default())
            .map_err(|_| AppError::InvalidToken)?;
        if flow.provider != provider || !token::equal(&flow.state, state) || code.is_empty() {
            return Err(AppError::InvalidToken);
        }
        let provider = self.oidc_provider(provider)?.clone();
        let http = http()?;
        let (metadata, redirect) = self.oidc_client(&provider, &http).await?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(provider.client_id.clone()),
            Some(ClientSecret::new(
                reveal(&provider.client_secret).to_owned(),
            )),
        )
        .set_redirect_uri(redirect);
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| provider_error("token endpoint", e))?
            .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier))
            .request_async(&http)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "OIDC code exchange refused");
                AppError::InvalidToken
            })?;
        let id_token = response.id_token().ok_or(AppError::InvalidToken)?;
        let claims = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(flow.nonce))
            .map_err(|e| {
                tracing::warn!(error = %e, "OIDC ID token refused");
                AppError::InvalidToken
            })?;
        let issuer = claims.issuer().as_str().to_owned();
        let subject = claims.subject().as_str().to_owned();
        let email = claims.email().map(|e| e.as_str().to_owned());
        let verified = claims.email_verified().unwrap_or(false);
        let conn = self.db().conn();
        let now = self.clock().now();
        let user = match oidc_identities::find_user(conn, &issuer, &subject, now).await? {
            Some(user) => user,
            None => {
                let Some(email) = email.and_then(|e| Email::parse(&e).ok()) else {
                    return Err(AppError::Conflict(
                        "your identity provider did not share an email address".into(),
                    ));
                };
                if !verified {
                    return Err(AppError::Conflict(
                        "your identity provider has not verified this email address, so it \
                         cannot be linked to a Rapport account"
                            .into(),
                    ));
                }
                let Some(login) = users::find_for_login(conn, &email).await? else {
                    return Err(AppError::Conflict(
                        "there is no Rapport account for this email address; ask an \
                         administrator for an invitation"
                            .into(),
                    ));
                };
                oidc_identities::link(conn, login.user.id, &issuer, &subject, email.as_str(), now)
                    .await?;
                login.user.id
            }
        };
        let orgs = memberships::orgs_of(conn, user).await?;
        let Some((org, _, _)) = orgs.first() else {
            return Err(AppError::Conflict(
                "your account does not belong to any organization".into(),
            ));
        };
        self.after_first_factor(user, *org, "oidc", meta).await
    }

    /// The configured providers (id, button label) for the sign-in page.
    pub fn oidc_providers(&self) -> Vec<(String, String)> {
        self.config()
            .oidc
            .iter()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect()
    }
}
