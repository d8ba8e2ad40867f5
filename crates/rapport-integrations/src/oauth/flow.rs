//! The authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636) and token refresh (§6),
//! on the oauth2 crate, as Google and Microsoft document them: the consent URL asks for
//! offline access (Google: `access_type=offline` and `prompt=consent`, so a refresh token is
//! always returned; Microsoft: the `offline_access` scope); clients authenticate with the
//! secret in the form body; `invalid_grant` means the grant is gone ([`OAuthError::Revoked`]).

use super::provider::{OAuthProvider, ProviderKind};
use super::{OAuthError, http, id_token};
use chrono::{DateTime, Utc};
use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EndpointNotSet, EndpointSet, ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RefreshToken, RequestTokenError, Scope, StandardRevocableToken,
    StandardTokenResponse, TokenResponse, TokenUrl,
};
use rapport_egress::EgressClient;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// The ID token that comes with the access token (OpenID Connect scopes).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}

impl ExtraTokenFields for IdTokenField {}

type Answer = StandardTokenResponse<IdTokenField, BasicTokenType>;

type OAuthClient = Client<
    BasicErrorResponse,
    Answer,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Where to send the person who grants access.
pub struct Consent {
    /// The provider's consent page, with our `state` and PKCE challenge.
    pub url: String,
}

/// A fresh PKCE verifier (RFC 7636: 32 random bytes, base64url), kept by the caller until
/// the provider sends the person back.
pub fn new_pkce_verifier() -> SecretString {
    let (_, verifier) = PkceCodeChallenge::new_random_sha256();
    SecretString::from(verifier.secret().clone())
}

/// What the token endpoint granted.
pub struct Tokens {
    /// The access token for the provider's APIs and mail servers.
    pub access_token: SecretString,
    /// The refresh token (absent on a refresh that keeps the old one).
    pub refresh_token: Option<SecretString>,
    /// When the access token stops working, if the provider said.
    pub expires_at: Option<DateTime<Utc>>,
    /// The account the ID token names (the code exchange always has one; a refresh may not).
    pub account: Option<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("expires_at", &self.expires_at)
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

fn config_error(provider: &OAuthProvider, what: &str, e: impl std::fmt::Display) -> OAuthError {
    OAuthError::Refused {
        provider: provider.kind.name(),
        reason: format!("the configured {what} is not valid: {e}"),
    }
}

fn client(provider: &OAuthProvider, redirect_uri: &str) -> Result<OAuthClient, OAuthError> {
    Ok(Client::new(ClientId::new(provider.client_id.clone()))
        .set_client_secret(ClientSecret::new(
            provider.client_secret.expose_secret().to_owned(),
        ))
        .set_auth_uri(
            AuthUrl::new(provider.auth_url.clone())
                .map_err(|e| config_error(provider, "authorization URL", e))?,
        )
        .set_token_uri(
            TokenUrl::new(provider.token_url.clone())
                .map_err(|e| config_error(provider, "token URL", e))?,
        )
        .set_auth_type(AuthType::RequestBody)
        .set_redirect_uri(
            RedirectUrl::new(redirect_uri.to_owned())
                .map_err(|e| config_error(provider, "redirect URL", e))?,
        ))
}

/// The consent URL for the mail scopes, carrying `state` (the caller's single-use token) and
/// the PKCE challenge of `pkce_verifier`; `login_hint` pre-fills the account when known.
pub fn authorize(
    provider: &OAuthProvider,
    redirect_uri: &str,
    state: &str,
    pkce_verifier: &SecretString,
    login_hint: Option<&str>,
) -> Result<Consent, OAuthError> {
    let client = client(provider, redirect_uri)?;
    let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(
        pkce_verifier.expose_secret().to_owned(),
    ));
    let state = state.to_owned();
    let mut request = client
        .authorize_url(move || CsrfToken::new(state))
        .add_scopes(
            provider
                .kind
                .mail_scopes()
                .iter()
                .map(|s| Scope::new((*s).to_owned())),
        )
        .set_pkce_challenge(challenge);
    if provider.kind == ProviderKind::Google {
        request = request
            .add_extra_param("access_type", "offline")
            .add_extra_param("prompt", "consent");
    }
    if let Some(hint) = login_hint {
        request = request.add_extra_param("login_hint", hint.to_owned());
    }
    let (url, _) = request.url();
    Ok(Consent {
        url: url.to_string(),
    })
}

/// Trades the code the provider sent back for tokens; the answer must hold a refresh token
/// and an ID token naming the account.
pub async fn exchange_code(
    egress: &EgressClient,
    provider: &OAuthProvider,
    redirect_uri: &str,
    code: &str,
    pkce_verifier: &SecretString,
    now: DateTime<Utc>,
) -> Result<Tokens, OAuthError> {
    let client = client(provider, redirect_uri)?;
    let call = http::Egress(egress);
    let answer = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(
            pkce_verifier.expose_secret().to_owned(),
        ))
        .request_async(&call)
        .await
        .map_err(|e| failure(provider, e))?;
    let tokens = tokens(provider, &answer, now)?;
    if tokens.refresh_token.is_none() {
        return Err(bad_answer(provider, "no refresh token was granted"));
    }
    if tokens.account.is_none() {
        return Err(bad_answer(provider, "no ID token names the account"));
    }
    Ok(tokens)
}

/// A new access token for a refresh token (and, with Microsoft, a new refresh token).
pub async fn refresh(
    egress: &EgressClient,
    provider: &OAuthProvider,
    refresh_token: &SecretString,
    now: DateTime<Utc>,
) -> Result<Tokens, OAuthError> {
    // The redirect URI is not part of a refresh; the client type wants one set.
    let client = client(provider, "http://localhost/")?;
    let call = http::Egress(egress);
    let answer = client
        .exchange_refresh_token(&RefreshToken::new(refresh_token.expose_secret().to_owned()))
        .request_async(&call)
        .await
        .map_err(|e| failure(provider, e))?;
    tokens(provider, &answer, now)
}

fn bad_answer(provider: &OAuthProvider, reason: &str) -> OAuthError {
    OAuthError::BadAnswer {
        provider: provider.kind.name(),
        reason: reason.to_owned(),
    }
}

fn tokens(
    provider: &OAuthProvider,
    answer: &Answer,
    now: DateTime<Utc>,
) -> Result<Tokens, OAuthError> {
    let account = match &answer.extra_fields().id_token {
        Some(token) => Some(
            id_token::account(token, &provider.client_id, now)
                .map_err(|reason| bad_answer(provider, &reason))?,
        ),
        None => None,
    };
    let expires_at = answer
        .expires_in()
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .map(|d| now + d);
    Ok(Tokens {
        access_token: SecretString::from(answer.access_token().secret().clone()),
        refresh_token: answer
            .refresh_token()
            .map(|t| SecretString::from(t.secret().clone())),
        expires_at,
        account,
    })
}

fn failure<E: std::error::Error>(
    provider: &OAuthProvider,
    e: RequestTokenError<E, BasicErrorResponse>,
) -> OAuthError {
    let name = provider.kind.name();
    match e {
        RequestTokenError::ServerResponse(answer) => {
            let reason = answer
                .error_description()
                .cloned()
                .unwrap_or_else(|| answer.error().to_string());
            if *answer.error() == BasicErrorResponseType::InvalidGrant {
                OAuthError::Revoked {
                    provider: name,
                    reason,
                }
            } else {
                OAuthError::Refused {
                    provider: name,
                    reason: format!("{}: {reason}", answer.error()),
                }
            }
        }
        RequestTokenError::Request(e) => OAuthError::Unreachable {
            provider: name,
            reason: e.to_string(),
        },
        RequestTokenError::Parse(e, _) => bad_answer(provider, &e.to_string()),
        RequestTokenError::Other(e) => bad_answer(provider, &e),
    }
}
