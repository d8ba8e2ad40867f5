//! The loopback peers (SMTP sink, OIDC provider) start, answer, and show what tests rely on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rapport_testkit::oidc::{OidcProvider, OidcUser};
use rapport_testkit::smtp::SmtpSink;
use reqwest::Url;
use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn smtp_sink_keeps_mail_sent_with_lettre() {
    let sink = SmtpSink::start().await;
    let mailer = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(sink.host())
        .port(sink.port())
        .build();
    let from: Mailbox = "Rapport <noreply@rapport.test>".parse().unwrap();
    // A long line with `=` makes lettre pick quoted-printable, which the sink must decode.
    let link = format!("http://127.0.0.1:1/reset-password?token={}", "x".repeat(90));
    for (to, subject) in [
        ("Ann@Example.test", "Réinitialiser votre mot de passe"),
        ("bob@example.test", "Invitation"),
        ("ann@example.test", "Second"),
    ] {
        let message = Message::builder()
            .from(from.clone())
            .to(to.parse().unwrap())
            .subject(subject)
            .multipart(MultiPart::alternative_plain_html(
                format!("Hello,\n\nOpen {link} to continue.\n"),
                format!("<p>Open <a href=\"{link}\">this link</a></p>"),
            ))
            .unwrap();
        mailer.send(message).await.unwrap();
    }

    let first = sink.wait_for_message_to("ann@example.test", WAIT).await;
    assert_eq!(first.subject, "Réinitialiser votre mot de passe");
    assert_eq!(first.from, "noreply@rapport.test");
    assert_eq!(first.to, ["Ann@Example.test"]);
    assert_eq!(
        first.link_starting_with("http://127.0.0.1:1/reset-password"),
        Some(link.clone())
    );
    assert!(first.html_body.unwrap().contains("this link"));
    assert!(first.raw.contains("X-RcptTo: Ann@Example.test"));

    // Each message is handed out once, oldest first.
    let second = sink.wait_for_message_to("ann@example.test", WAIT).await;
    assert_eq!(second.subject, "Second");
    let bob = sink.wait_for_message_to("bob@example.test", WAIT).await;
    assert_eq!(bob.subject, "Invitation");
    assert_eq!(sink.messages().len(), 3);
}

#[tokio::test]
#[should_panic(expected = "no mail to nobody@example.test reached the SMTP sink")]
async fn smtp_sink_wait_panics_after_the_timeout() {
    let sink = SmtpSink::start().await;
    sink.wait_for_message_to("nobody@example.test", Duration::from_millis(50))
        .await;
}

/// Decodes one base64url segment of a JWT into JSON.
fn jwt_part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn oidc_provider_discovery_and_code_flow() {
    let idp = OidcProvider::start().await;
    let issuer = idp.issuer_url();
    rapport_testkit::install_tls();
    let http = reqwest::Client::new();
    let discovery: Value = http
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], issuer.as_str());
    assert_eq!(discovery["jwks_uri"], format!("{issuer}/jwks"));
    assert_eq!(
        discovery["id_token_signing_alg_values_supported"][0],
        "RS256"
    );
    let jwks: Value = http
        .get(format!("{issuer}/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"][0]["kty"], "RSA");

    // What the app would redirect the browser to.
    let callback = "http://127.0.0.1:1/auth/oidc/callback";
    let mut authorize = Url::parse(discovery["authorization_endpoint"].as_str().unwrap()).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", "rapport")
        .append_pair("redirect_uri", callback)
        .append_pair("scope", "openid email profile")
        .append_pair("state", "st-1")
        .append_pair("nonce", "n-1")
        .append_pair(
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        )
        .append_pair("code_challenge_method", "S256");
    let user = OidcUser::new("alice-sub")
        .with_email("alice@example.test", false)
        .with_claim("name", "Alice");
    let location = Url::parse(&idp.authorize(authorize.as_str(), &user).await).unwrap();
    assert!(location.as_str().starts_with(callback), "{location}");
    let query: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(query["state"], "st-1");

    let tokens: Value = http
        .post(discovery["token_endpoint"].as_str().unwrap())
        .basic_auth("rapport", Some("any-secret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", query["code"].as_str()),
            ("redirect_uri", callback),
            (
                "code_verifier",
                "dBjftJeZ4CVP-1mB-0ygXAPFLEkwTzfbbrd3TaAzdg",
            ),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id_token = tokens["id_token"].as_str().expect("an id_token");
    assert_eq!(jwt_part(id_token, 0)["alg"], "RS256");
    let claims = jwt_part(id_token, 1);
    assert_eq!(claims["iss"], issuer.as_str());
    assert_eq!(claims["aud"][0], "rapport");
    assert_eq!(claims["sub"], "alice-sub");
    assert_eq!(claims["nonce"], "n-1");
    assert_eq!(claims["email"], "alice@example.test");
    assert_eq!(claims["email_verified"], false);
    assert_eq!(claims["name"], "Alice");

    // Deny: back to the callback with an error and no state.
    let denied = idp.deny(authorize.as_str()).await;
    assert!(denied.starts_with(callback), "{denied}");
    assert!(denied.contains("error=access_denied"), "{denied}");
}
