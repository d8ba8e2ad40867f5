//! A local stand-in for Google's and Microsoft's OAuth 2.0 endpoints and for the user-info
//! endpoints their mail servers check access tokens against, speaking the documented wire
//! format, so the production code runs unchanged with its base URLs pointed here:
//!
//! - Google: `GET /o/oauth2/v2/auth` (consent, redirect with `code` and `state`), `POST /token`
//!   (`authorization_code` with PKCE S256, `refresh_token`), `GET /oauth2/v2/userinfo`
//!   (`Authorization: Bearer`; what Dovecot's `oauth2` passdb asks in Google's example).
//! - Microsoft identity platform: `GET /{tenant}/oauth2/v2.0/authorize`,
//!   `POST /{tenant}/oauth2/v2.0/token` (the refresh token rotates), Graph `GET /v1.0/me`.
//!
//! Clients authenticate with `client_id` and `client_secret` in the form body (both providers
//! document it). Errors are the RFC 6749 JSON (`invalid_grant`, `invalid_client`). ID tokens
//! are JWTs whose claims follow each provider (`email`, `email_verified` for Google;
//! `preferred_username`, `tid` for Microsoft); they are signed with a throwaway HMAC key, as
//! nothing here may depend on checking their signature (they come straight from the token
//! endpoint, OIDC Core 3.1.3.7).
//!
//! Consent is given at once for the account set with [`MailOAuthFake::set_account`] (a test
//! may make the next consent a refusal). Tests can revoke every access token (as if they ran
//! out) or every refresh token (as if the user withdrew the grant), and count refreshes.

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// The client id the fake knows.
pub const CLIENT_ID: &str = "rapport-test-client";
/// Its secret.
pub const CLIENT_SECRET: &str = "rapport-test-secret";

#[derive(Debug, Clone)]
struct Grant {
    account: String,
    redirect_uri: String,
    challenge: String,
    scope: String,
    microsoft: bool,
}

#[derive(Default)]
struct Inner {
    account: String,
    deny_next: bool,
    codes: HashMap<String, Grant>,
    access: HashMap<String, String>,
    refresh: HashMap<String, Grant>,
    revoked_refresh: HashSet<String>,
    refreshes: u64,
    expires_in: u64,
}

type Shared = Arc<Mutex<Inner>>;

/// The running fake; dropping it stops the server.
pub struct MailOAuthFake {
    base_url: String,
    inner: Shared,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for MailOAuthFake {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn random() -> String {
    URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes())
}

impl MailOAuthFake {
    /// Starts the fake on a free port of 127.0.0.1, consenting as `account`.
    pub async fn start(account: &str) -> MailOAuthFake {
        let inner: Shared = Arc::new(Mutex::new(Inner {
            account: account.to_owned(),
            expires_in: 3599,
            ..Inner::default()
        }));
        let app = Router::new()
            .route("/o/oauth2/v2/auth", get(authorize_google))
            .route("/token", post(token_google))
            .route("/oauth2/v2/userinfo", get(userinfo))
            .route("/{tenant}/oauth2/v2.0/authorize", get(authorize_microsoft))
            .route("/{tenant}/oauth2/v2.0/token", post(token_microsoft))
            .route("/v1.0/me", get(graph_me))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the OAuth fake");
        let addr = listener.local_addr().expect("the fake's address");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        MailOAuthFake {
            base_url: format!("http://{addr}"),
            inner,
            server,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Google's user-info endpoint here (for Dovecot's and the SMTP sink's token check).
    pub fn userinfo_url(&self) -> String {
        format!("{}/oauth2/v2/userinfo", self.base_url)
    }

    /// The account the next consent is given for.
    pub fn set_account(&self, account: &str) {
        self.inner.lock().unwrap().account = account.to_owned();
    }

    /// The next consent screen is refused (`error=access_denied`).
    pub fn deny_next(&self) {
        self.inner.lock().unwrap().deny_next = true;
    }

    /// Every access token issued so far stops working (as when they run out early).
    pub fn revoke_access_tokens(&self) {
        self.inner.lock().unwrap().access.clear();
    }

    /// Every refresh token issued so far stops working (the user withdrew the grant).
    pub fn revoke_refresh_tokens(&self) {
        let mut inner = self.inner.lock().unwrap();
        let all: Vec<String> = inner.refresh.keys().cloned().collect();
        inner.revoked_refresh.extend(all);
        inner.access.clear();
    }

    /// An access token for `account` without the consent round trip (for protocol tests).
    pub fn issue_access_token(&self, account: &str) -> String {
        let token = format!("ya29.{}", random());
        let mut inner = self.inner.lock().unwrap();
        inner.access.insert(token.clone(), account.to_owned());
        token
    }

    /// How many `refresh_token` grants were answered with a new access token.
    pub fn refreshes(&self) -> u64 {
        self.inner.lock().unwrap().refreshes
    }

    /// Lifetime of access tokens issued from now on, in seconds.
    pub fn set_expires_in(&self, seconds: u64) {
        self.inner.lock().unwrap().expires_in = seconds;
    }
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

fn authorize(q: &HashMap<String, String>, inner: &Shared, microsoft: bool) -> Response {
    let field = |k: &str| q.get(k).cloned().unwrap_or_default();
    if field("client_id") != CLIENT_ID {
        return (StatusCode::BAD_REQUEST, "Error 401: invalid_client").into_response();
    }
    let redirect_uri = field("redirect_uri");
    let Ok(mut back) = url::Url::parse(&redirect_uri) else {
        return (StatusCode::BAD_REQUEST, "Error 400: redirect_uri_mismatch").into_response();
    };
    let state = field("state");
    let mut inner = inner.lock().unwrap();
    if std::mem::take(&mut inner.deny_next) {
        back.query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair("state", &state);
        return Redirect::to(back.as_str()).into_response();
    }
    if field("response_type") != "code" || field("code_challenge_method") != "S256" {
        return (StatusCode::BAD_REQUEST, "Error 400: invalid_request").into_response();
    }
    let scope = field("scope");
    let offline = if microsoft {
        scope.split(' ').any(|s| s == "offline_access")
    } else {
        field("access_type") == "offline"
    };
    if !offline {
        return (StatusCode::BAD_REQUEST, "offline access was not asked for").into_response();
    }
    let code = random();
    let grant = Grant {
        account: inner.account.clone(),
        redirect_uri,
        challenge: field("code_challenge"),
        scope: scope.clone(),
        microsoft,
    };
    inner.codes.insert(code.clone(), grant);
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &state);
    if !microsoft {
        back.query_pairs_mut().append_pair("scope", &scope);
    }
    Redirect::to(back.as_str()).into_response()
}

async fn authorize_google(
    State(inner): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    authorize(&q, &inner, false)
}

async fn authorize_microsoft(
    State(inner): State<Shared>,
    Path(_tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    authorize(&q, &inner, true)
}

fn id_token(grant: &Grant, issued: u64, lifetime: u64) -> String {
    let claims = if grant.microsoft {
        json!({
            "iss": "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
            "aud": CLIENT_ID, "sub": format!("sub-{}", grant.account),
            "preferred_username": grant.account, "email": grant.account,
            "tid": "9188040d-6c67-4c5b-b112-36a304b66dad",
            "iat": issued, "exp": issued + lifetime,
        })
    } else {
        json!({
            "iss": "https://accounts.google.com", "aud": CLIENT_ID,
            "sub": format!("sub-{}", grant.account), "email": grant.account,
            "email_verified": true, "iat": issued, "exp": issued + lifetime,
        })
    };
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signature = URL_SAFE_NO_PAD.encode(Sha256::digest(format!("{header}.{body}.fake")));
    format!("{header}.{body}.{signature}")
}

fn token(form: &HashMap<String, String>, inner: &Shared) -> Response {
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    if field("client_id") != CLIENT_ID || field("client_secret") != CLIENT_SECRET {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The OAuth client was not found.",
        );
    }
    let mut inner = inner.lock().unwrap();
    let (grant, refresh) = match field("grant_type").as_str() {
        "authorization_code" => {
            let Some(grant) = inner.codes.remove(&field("code")) else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Bad code.");
            };
            let verifier = URL_SAFE_NO_PAD.encode(Sha256::digest(field("code_verifier")));
            if grant.redirect_uri != field("redirect_uri") || verifier != grant.challenge {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Bad request.");
            }
            let refresh = random();
            inner.refresh.insert(refresh.clone(), grant.clone());
            (grant, Some(refresh))
        }
        "refresh_token" => {
            let old = field("refresh_token");
            let grant = match inner.refresh.get(&old) {
                Some(g) if !inner.revoked_refresh.contains(&old) => g.clone(),
                _ => {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "Token has been expired or revoked.",
                    );
                }
            };
            inner.refreshes += 1;
            // Microsoft hands out a new refresh token with each refresh; Google keeps the old.
            // The fake retires the old one at once (stricter than Microsoft, which lets it run
            // out), so a client that kept the old token is caught.
            let rotated = grant.microsoft.then(|| {
                let new = random();
                inner.refresh.remove(&old);
                inner.refresh.insert(new.clone(), grant.clone());
                new
            });
            (grant, rotated)
        }
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Invalid grant_type.",
            );
        }
    };
    let access = format!("ya29.{}", random());
    inner.access.insert(access.clone(), grant.account.clone());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut body = json!({
        "access_token": access,
        "expires_in": inner.expires_in,
        "token_type": "Bearer",
        "scope": grant.scope,
        "id_token": id_token(&grant, now, 3600),
    });
    if let Some(refresh) = refresh {
        body["refresh_token"] = Value::String(refresh);
    }
    Json(body).into_response()
}

async fn token_google(
    State(inner): State<Shared>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    token(&form, &inner)
}

async fn token_microsoft(
    State(inner): State<Shared>,
    Path(_tenant): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    token(&form, &inner)
}

/// The account a `Bearer` header's token was issued for.
fn bearer(headers: &HeaderMap, inner: &Shared) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?;
    inner.lock().unwrap().access.get(token).cloned()
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({ "error": { "code": 401, "message": "Invalid Credentials" } })),
    )
        .into_response()
}

async fn userinfo(State(inner): State<Shared>, headers: HeaderMap) -> Response {
    match bearer(&headers, &inner) {
        Some(email) => Json(json!({
            "id": format!("sub-{email}"), "email": email, "verified_email": true,
        }))
        .into_response(),
        None => unauthorized(),
    }
}

async fn graph_me(State(inner): State<Shared>, headers: HeaderMap) -> Response {
    match bearer(&headers, &inner) {
        Some(email) => Json(json!({
            "id": format!("sub-{email}"), "mail": email, "userPrincipalName": email,
        }))
        .into_response(),
        None => unauthorized(),
    }
}
