//! A real OpenID Connect provider on loopback, one per test.
//!
//! [`OidcProvider::start`] runs `python3 -m oidc_provider_mock -H 127.0.0.1 -p PORT`
//! (oidc-provider-mock 0.3.4 on Authlib 1.9.10, served by uvicorn). Its state (users, codes,
//! tokens, signing key) lives in that process only. Contract, checked against its source and by
//! hand; tests rely on it:
//!
//! - **Issuer** `http://127.0.0.1:PORT`, no trailing slash ([`OidcProvider::issuer_url`]). The
//!   provider takes it from the request's `Host`, so the app and the "browser" must both use
//!   `127.0.0.1` (via `localhost` the discovery doc and `iss` say `http://localhost:PORT`).
//!   Endpoints: `/.well-known/openid-configuration`, `/oauth2/authorize`, `/oauth2/token`,
//!   `/userinfo`, `/jwks`, `/oauth2/end_session`.
//! - **Clients** need no registration: any `client_id`, any `redirect_uri`, any secret, sent by
//!   `client_secret_basic` or `client_secret_post`. A secret must be sent: a public client
//!   (`none`) gets `invalid_client`. The token request's `redirect_uri` must equal the one in
//!   the authorization request.
//! - **Authorization page**: `GET` shows a form; `POST` to the same URL (query string kept) with
//!   the one form field `sub` answers `302` to `redirect_uri?code=…&state=…`
//!   ([`OidcProvider::authorize`]). `action=deny` answers `302` with `error=access_denied` and
//!   **no** `state` ([`OidcProvider::deny`]). A bad request (no `client_id`, …) is a `400` page.
//! - **Claims**: the form only names the subject. A subject not known yet gets the claims
//!   `{"email": SUB}`. `PUT /users/{sub}` with a JSON object replaces that user's claims, any
//!   JSON kept as is (`"email_verified": false` stays a boolean). Standard claims are filtered by
//!   scope (`email`, `email_verified` need scope `email`; `name`, … need `profile`); other claims
//!   and `sub` are always included, in the ID token and in `/userinfo`.
//! - **ID token**: a JWS signed **RS256**, header `{"typ":"JWT","alg":"RS256"}` with **no
//!   `kid`**. `jwks_uri` (`/jwks`) serves the one RSA public key (it has a `kid`), which is made
//!   fresh per process. Claims: `iss`, `aud` (an array: `[client_id]`), `exp` (1 h; `-e SECS`
//!   changes it), `iat`, `auth_time`, `at_hash`, `nonce` when the request had one, and the
//!   user's claims. A refresh token is issued too.
//! - **nonce**: copied into the ID token; not required (`-n` would require it); a reused nonce
//!   is not rejected.
//! - **PKCE: not implemented.** `code_challenge`/`code_challenge_method=S256` are accepted and
//!   ignored, the token endpoint ignores `code_verifier` (a wrong one still gets tokens), and the
//!   discovery doc has no `code_challenge_methods_supported`. The app may send PKCE; no test can
//!   show this provider checking it.
//! - Startup takes about 0.3–0.4 s on an idle machine (`python3` start included).

use crate::peer::PythonPeer;
use reqwest::{StatusCode, Url, header::LOCATION};
use serde_json::{Map, Value};

/// An OpenID Connect provider on `127.0.0.1`. Dropping it kills the provider.
pub struct OidcProvider {
    peer: PythonPeer,
    http: reqwest::Client,
}

/// A user to sign in as: the subject and the claims the provider will assert for them.
#[derive(Debug, Clone)]
pub struct OidcUser {
    /// The `sub` claim.
    pub sub: String,
    /// Every other claim (standard ones are filtered by scope, see the module docs).
    pub claims: Map<String, Value>,
}

impl OidcUser {
    /// A user with subject `sub` and no claims yet.
    pub fn new(sub: &str) -> OidcUser {
        OidcUser {
            sub: sub.to_owned(),
            claims: Map::new(),
        }
    }

    /// Adds `email` and `email_verified` (both need scope `email`).
    pub fn with_email(self, email: &str, verified: bool) -> OidcUser {
        self.with_claim("email", email)
            .with_claim("email_verified", verified)
    }

    /// Adds (or replaces) any claim, e.g. `name` (needs scope `profile`).
    pub fn with_claim(mut self, name: &str, value: impl Into<Value>) -> OidcUser {
        self.claims.insert(name.to_owned(), value.into());
        self
    }
}

impl OidcProvider {
    /// Starts a provider on a free port and waits until it accepts connections.
    pub async fn start() -> OidcProvider {
        let peer = PythonPeer::start(
            "oidc_provider_mock",
            |port, _dir| {
                vec![
                    "-H".into(),
                    "127.0.0.1".into(),
                    "-p".into(),
                    port.to_string(),
                ]
            },
            |port| format!("Uvicorn running on http://127.0.0.1:{port}"),
        )
        .await;
        crate::install_tls();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        OidcProvider { peer, http }
    }

    /// `http://127.0.0.1:PORT`: the issuer, and the base of every endpoint.
    pub fn issuer_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.peer.port())
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.peer.port()
    }

    /// Everything the provider logged so far (requests, warnings about rejected requests).
    pub fn log(&self) -> String {
        self.peer.log()
    }

    /// Registers `user`'s claims (`PUT /users/{sub}`), replacing earlier ones.
    pub async fn set_user(&self, user: &OidcUser) {
        let mut url = Url::parse(&self.issuer_url()).unwrap();
        url.path_segments_mut()
            .unwrap()
            .extend(["users", &user.sub]);
        let res = self
            .http
            .put(url)
            .json(&user.claims)
            .send()
            .await
            .expect("PUT /users/{sub} to the OIDC provider");
        let status = res.status();
        let body = res.text().await.unwrap_or_default();
        assert_eq!(status, StatusCode::NO_CONTENT, "PUT /users: {body}");
    }

    /// Signs `user` in the way a person would on the provider's page: sets their claims, then
    /// submits the authorization form at `authorization_url` (the URL the app redirected the
    /// browser to). Returns the `Location` the provider redirects to: the app's callback with
    /// `code` and `state` (or `error`, when the request itself was refused).
    pub async fn authorize(&self, authorization_url: &str, user: &OidcUser) -> String {
        self.set_user(user).await;
        self.submit(authorization_url, &[("sub", user.sub.as_str())])
            .await
    }

    /// Presses "Deny" on the authorization page. Returns the `Location`: the app's callback
    /// with `error=access_denied` and no `state`.
    pub async fn deny(&self, authorization_url: &str) -> String {
        self.submit(authorization_url, &[("action", "deny")]).await
    }

    async fn submit(&self, authorization_url: &str, form: &[(&str, &str)]) -> String {
        let endpoint = format!("{}/oauth2/authorize?", self.issuer_url());
        assert!(
            authorization_url.starts_with(&endpoint),
            "expected an authorization URL starting with {endpoint}, got {authorization_url}"
        );
        let res = self
            .http
            .post(authorization_url)
            .form(form)
            .send()
            .await
            .expect("POST the authorization form to the OIDC provider");
        let status = res.status();
        let location = res
            .headers()
            .get(LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(str::to_owned);
        match location {
            Some(location) if status == StatusCode::FOUND => location,
            _ => panic!(
                "the OIDC provider answered {status} instead of a redirect to {authorization_url}\n\
                 --- body ---\n{}\n--- provider log ---\n{}",
                res.text().await.unwrap_or_default(),
                self.log()
            ),
        }
    }
}
