//! A Gmail mailbox connected with OAuth, end to end on loopback: the settings page sends the
//! admin to the provider (the Google fake of rapport-testkit), the callback stores the
//! connection and the inbox after both servers took the token, Dovecot (oauth2 passdb) and an
//! XOAUTH2-only SMTP server check every token against the fake's user-info endpoint, mail is
//! read and replies leave, a token the server refuses is refreshed, a withdrawn grant is shown
//! with a way to connect again, a refused consent says so, and another org's session cannot
//! complete someone else's connection.

use super::Browser;
use crate::privacy::drain_jobs;
use rapport_app::AppConfig;
use rapport_domain::Role;
use rapport_integrations::oauth::{MailServers, OAuthProvider, ProviderKind};
use rapport_testkit::imap::Dovecot;
use rapport_testkit::mail_oauth::{CLIENT_ID, CLIENT_SECRET, MailOAuthFake};
use rapport_testkit::smtp::SmtpSink;
use rapport_testkit::{TestApp, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ACCOUNT: &str = "support@gmail.test";
const PASSWORD: &str = "delivery-only-1";
const WAIT: Duration = Duration::from_secs(30);

struct Servers {
    fake: MailOAuthFake,
    imap: Dovecot,
    sink: SmtpSink,
}

async fn servers() -> Servers {
    let fake = MailOAuthFake::start(ACCOUNT).await;
    let imap = Dovecot::start_with_oauth2(&fake.userinfo_url()).await;
    // The password is only for putting mail in; Rapport signs in with tokens.
    imap.add_user(ACCOUNT, PASSWORD);
    let sink = SmtpSink::start_with_xoauth2(&fake.userinfo_url()).await;
    Servers { fake, imap, sink }
}

async fn app(s: &Servers, kind: ProviderKind) -> TestApp {
    let mut config = AppConfig::default();
    config.egress.allow_private = true;
    let mut provider = OAuthProvider::preset(
        kind,
        CLIENT_ID.into(),
        CLIENT_SECRET.to_owned().into(),
        Some("common"),
    );
    let base = s.fake.base_url();
    (provider.auth_url, provider.token_url) = match kind {
        ProviderKind::Google => (format!("{base}/o/oauth2/v2/auth"), format!("{base}/token")),
        ProviderKind::Microsoft => (
            format!("{base}/common/oauth2/v2.0/authorize"),
            format!("{base}/common/oauth2/v2.0/token"),
        ),
    };
    provider.mail = MailServers {
        imap_host: s.imap.host().into(),
        imap_port: s.imap.port(),
        imap_tls: false,
        smtp_host: s.sink.host().into(),
        smtp_port: s.sink.port(),
        smtp_security: "none".into(),
    };
    config.mail_oauth = vec![provider];
    spawn_app_with(config, Arc::new(rapport_domain::SystemClock)).await
}

fn mail(subject: &str, id: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Ana Lima <ana@customer.test>\r\nTo: {ACCOUNT}\r\nSubject: {subject}\r\n\
         Message-ID: <{id}>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

/// Starts a connection as `b` and lets the provider answer: the callback path and query.
async fn consent(t: &TestApp, b: &Browser) -> String {
    consent_at(t, b, "google").await
}

async fn consent_at(t: &TestApp, b: &Browser, provider: &str) -> String {
    let res = b
        .client
        .get(t.url(&format!("/admin/inboxes/email/oauth/{provider}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let provider = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(provider.contains("code_challenge="), "{provider}");
    let answer = t.client().get(&provider).send().await.unwrap();
    assert_eq!(answer.status(), 303);
    let back = url::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(back.path(), "/oauth/mail/callback");
    format!("{}?{}", back.path(), back.query().unwrap_or_default())
}

async fn inbox_of(t: &TestApp, b: &Browser) -> Option<String> {
    let list = b.api_ok(t, Method::GET, "/inboxes", None).await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == ACCOUNT)
        .map(|i| i["id"].as_str().unwrap().to_owned())
}

async fn first_conversation(t: &TestApp, b: &Browser, inbox: &str) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let page = b
            .api_ok(
                t,
                Method::GET,
                &format!("/conversations?inbox_id={inbox}"),
                None,
            )
            .await;
        if let Some(c) = page["items"].as_array().unwrap().first() {
            return c.clone();
        }
        assert!(Instant::now() < deadline, "no conversation arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The servers with one customer message waiting, the app with `kind` configured, and its
/// owner signed in on the inbox settings page (its HTML).
async fn signed_in(
    kind: ProviderKind,
    subject: &str,
    body: &str,
) -> (Servers, TestApp, Browser, String) {
    let s = servers().await;
    let raw = mail(subject, &format!("{}@customer.test", kind.id()), body);
    s.imap.deliver(ACCOUNT, PASSWORD, "INBOX", &raw).await;
    let t = app(&s, kind).await;
    let owner = t
        .create_org_with(&format!("{} Org", kind.name()), Role::Owner)
        .await;
    let b = Browser::sign_in(&t, &owner).await;
    let (_, page) = b.get(&t, "/admin/inboxes").await;
    (s, t, b, page)
}

async fn reply(t: &TestApp, b: &Browser, conv: &str, text: &str) {
    b.api_ok(
        t,
        Method::POST,
        &format!("/conversations/{conv}/messages"),
        Some(json!({ "content": text })),
    )
    .await;
    drain_jobs(t).await;
}

#[tokio::test]
async fn a_gmail_mailbox_connects_with_oauth_reads_replies_and_renews_its_token() {
    let (s, t, b, page) = signed_in(ProviderKind::Google, "Order 42", "Where is it?").await;
    assert!(
        page.contains("/admin/inboxes/email/oauth/google"),
        "the page offers Google"
    );

    // Another org's session cannot complete this connection (and burns the state).
    let stranger = t.create_org_with("Other Org", Role::Owner).await;
    let sb = Browser::sign_in(&t, &stranger).await;
    let stolen = consent(&t, &b).await;
    let (status, _) = sb.get(&t, &stolen).await;
    assert_ne!(status, 303, "a foreign session is refused");
    assert_eq!(inbox_of(&t, &sb).await, None);
    let (status, _) = b.get(&t, &stolen).await;
    assert_ne!(status, 303, "the state is single use");

    // A refused consent says so; nothing is connected.
    s.fake.deny_next();
    let (status, body) = b.get(&t, &consent(&t, &b).await).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("access was not granted"), "{body}");
    assert_eq!(inbox_of(&t, &b).await, None);

    let (status, _) = b.get(&t, &consent(&t, &b).await).await;
    assert_eq!(status, 303);
    let inbox = inbox_of(&t, &b).await.expect("the inbox was made");
    let status = b
        .api_ok(&t, Method::GET, &format!("/inboxes/{inbox}/email"), None)
        .await;
    assert_eq!(status["address"], ACCOUNT);
    assert_eq!(status["oauth"]["provider"], "google");
    assert_eq!(status["oauth"]["status"], "active");
    assert!(
        !status.to_string().contains("ya29."),
        "tokens are never returned"
    );

    let sync = t.app.start_mail_sync("oauth-test");
    let conv = first_conversation(&t, &b, &inbox).await;
    let conv = conv["id"].as_str().unwrap().to_owned();
    reply(&t, &b, &conv, "It ships tomorrow.").await;
    let sent = s.sink.wait_for_message_to("ana@customer.test", WAIT).await;
    assert_eq!(sent.subject, "Re: Order 42");

    // The servers stop taking the token: the next send refreshes it and goes through.
    s.fake.revoke_access_tokens();
    let before = s.fake.refreshes();
    reply(&t, &b, &conv, "Tracking number follows.").await;
    let sent = s.sink.wait_for_message_to("ana@customer.test", WAIT).await;
    assert!(sent.text_body.contains("Tracking number"));
    assert!(s.fake.refreshes() > before, "the token was refreshed");

    // The grant is withdrawn: the page says so and offers to connect again.
    s.fake.revoke_refresh_tokens();
    reply(&t, &b, &conv, "One more thing.").await;
    let (_, page) = b.get(&t, "/admin/inboxes").await;
    assert!(page.contains("no longer accepts this connection"), "{page}");
    assert!(page.contains("Connect again"));
    // Connecting the same account again renews the grant of the same inbox.
    let (status, _) = b.get(&t, &consent(&t, &b).await).await;
    assert_eq!(status, 303);
    assert_eq!(inbox_of(&t, &b).await.as_deref(), Some(inbox.as_str()));
    let (_, page) = b.get(&t, "/admin/inboxes").await;
    assert!(!page.contains("no longer accepts this connection"));
    sync.stop().await;
}

#[tokio::test]
async fn a_microsoft_mailbox_connects_and_keeps_working_on_its_rotated_refresh_token() {
    let (s, t, b, page) = signed_in(ProviderKind::Microsoft, "Licence", "Renewal?").await;
    assert!(page.contains("/admin/inboxes/email/oauth/microsoft"));
    assert!(
        !page.contains("/admin/inboxes/email/oauth/google"),
        "only what is configured"
    );
    let (status, _) = b.get(&t, &consent_at(&t, &b, "microsoft").await).await;
    assert_eq!(status, 303);
    let inbox = inbox_of(&t, &b).await.expect("the inbox was made");
    let status = b
        .api_ok(&t, Method::GET, &format!("/inboxes/{inbox}/email"), None)
        .await;
    assert_eq!(status["oauth"]["provider"], "microsoft");
    let sync = t.app.start_mail_sync("microsoft-test");
    let conv = first_conversation(&t, &b, &inbox).await;
    let conv = conv["id"].as_str().unwrap().to_owned();
    // Twice refused, twice refreshed: the second refresh uses the token the first returned.
    for round in 1..=2 {
        s.fake.revoke_access_tokens();
        reply(&t, &b, &conv, &format!("Answer {round}")).await;
        let sent = s.sink.wait_for_message_to("ana@customer.test", WAIT).await;
        assert!(sent.text_body.contains(&format!("Answer {round}")));
    }
    assert!(s.fake.refreshes() >= 2);
    sync.stop().await;
}
