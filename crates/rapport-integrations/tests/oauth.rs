//! The OAuth flow against the local Google/Microsoft fake (rapport-testkit `mail_oauth`): the
//! consent URL carries PKCE and offline access, the code is exchanged for a refresh token and
//! the account, a refresh gives a new access token (Microsoft rotates the refresh token), a
//! withdrawn grant reads as `Revoked`, and the egress guard stands in front of every call.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use rapport_egress::{EgressClient, EgressPolicy};
use rapport_integrations::oauth::{self, OAuthError, OAuthProvider, ProviderKind};
use rapport_testkit::mail_oauth::{CLIENT_ID, CLIENT_SECRET, MailOAuthFake};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

const REDIRECT: &str = "http://127.0.0.1:9/oauth/mail/callback";

fn egress(allow_private: bool) -> EgressClient {
    rapport_testkit::install_tls();
    let policy = EgressPolicy {
        allow_private,
        allowed_hosts: Vec::new(),
    };
    EgressClient::new(policy, Duration::from_secs(10)).unwrap()
}

fn provider(fake: &MailOAuthFake, kind: ProviderKind, secret: &str) -> OAuthProvider {
    let mut p = OAuthProvider::preset(
        kind,
        CLIENT_ID.into(),
        SecretString::from(secret.to_owned()),
        Some("common"),
    );
    let base = fake.base_url();
    (p.auth_url, p.token_url) = match kind {
        ProviderKind::Google => (format!("{base}/o/oauth2/v2/auth"), format!("{base}/token")),
        ProviderKind::Microsoft => (
            format!("{base}/common/oauth2/v2.0/authorize"),
            format!("{base}/common/oauth2/v2.0/token"),
        ),
    };
    p
}

/// Follows the consent URL as a browser would and returns the redirect's query.
async fn consent(url: &str) -> Vec<(String, String)> {
    rapport_testkit::install_tls();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = client.get(url).send().await.unwrap();
    assert_eq!(answer.status(), 303, "{}", answer.text().await.unwrap());
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT), "{location}");
    url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn both_providers_grant_refresh_and_revoke_as_documented() {
    let fake = MailOAuthFake::start("ana@example.com").await;
    let egress = egress(true);
    for kind in [ProviderKind::Google, ProviderKind::Microsoft] {
        let p = provider(&fake, kind, CLIENT_SECRET);
        let verifier = oauth::new_pkce_verifier();
        let start =
            oauth::authorize(&p, REDIRECT, "state-1", &verifier, Some("ana@example.com")).unwrap();
        assert!(
            start.url.contains("code_challenge_method=S256"),
            "{}",
            start.url
        );
        let back = consent(&start.url).await;
        assert_eq!(param(&back, "state"), Some("state-1"));
        let code = param(&back, "code").unwrap();
        let now = Utc::now();
        let granted = oauth::exchange_code(&egress, &p, REDIRECT, code, &verifier, now)
            .await
            .unwrap();
        assert_eq!(granted.account.as_deref(), Some("ana@example.com"));
        assert!(granted.expires_at.unwrap() > now);
        let refresh_token = granted.refresh_token.unwrap();
        // The code is single use.
        let again = oauth::exchange_code(&egress, &p, REDIRECT, code, &verifier, now)
            .await
            .unwrap_err();
        assert!(matches!(again, OAuthError::Revoked { .. }), "{again:?}");

        let refreshed = oauth::refresh(&egress, &p, &refresh_token, now)
            .await
            .unwrap();
        assert_ne!(
            refreshed.access_token.expose_secret(),
            granted.access_token.expose_secret()
        );
        assert_eq!(
            refreshed.refresh_token.is_some(),
            kind == ProviderKind::Microsoft,
            "only Microsoft rotates the refresh token"
        );
        fake.revoke_refresh_tokens();
        let gone = oauth::refresh(&egress, &p, &refresh_token, now)
            .await
            .unwrap_err();
        assert!(matches!(gone, OAuthError::Revoked { .. }), "{gone:?}");
        assert!(!gone.is_temporary());
        assert!(
            gone.to_string().contains("connect the account again"),
            "{gone}"
        );
    }
}

#[tokio::test]
async fn a_wrong_secret_a_refused_consent_and_a_private_host_are_told_apart() {
    let fake = MailOAuthFake::start("ana@example.com").await;
    let p = provider(&fake, ProviderKind::Google, "wrong-secret");
    let verifier = oauth::new_pkce_verifier();
    let start = oauth::authorize(&p, REDIRECT, "s", &verifier, None).unwrap();
    let back = consent(&start.url).await;
    let code = param(&back, "code").unwrap();
    let err = oauth::exchange_code(&egress(true), &p, REDIRECT, code, &verifier, Utc::now())
        .await
        .unwrap_err();
    assert!(matches!(err, OAuthError::Refused { .. }), "{err:?}");

    fake.deny_next();
    let back = consent(
        &oauth::authorize(&p, REDIRECT, "s2", &verifier, None)
            .unwrap()
            .url,
    )
    .await;
    assert_eq!(param(&back, "error"), Some("access_denied"));
    assert_eq!(param(&back, "state"), Some("s2"));

    // Loopback is refused unless the operator allows private targets.
    let p = provider(&fake, ProviderKind::Google, CLIENT_SECRET);
    let err = oauth::refresh(&egress(false), &p, &SecretString::from("x"), Utc::now())
        .await
        .unwrap_err();
    assert!(matches!(err, OAuthError::Unreachable { .. }), "{err:?}");
}
