//! Sign-in security end to end, against real peers on loopback (one per test): OIDC against a
//! real provider (and through a proxy that tampers with the ID token), required second factors
//! (TOTP, recovery codes, a software passkey, the API's `code`), password reset and invitations
//! over real SMTP, and sign-in throttling with a manual clock.
//!
//! Mail is sent by the `mail.send` job. The test app starts no workers, so [`run_jobs`] runs
//! the queue to empty with the app's own handlers: once it returns, every mail the request
//! queued has been accepted by the SMTP sink (which stores a message before answering 250).

mod invite;
mod mfa;
mod oidc;
mod reset;
mod throttle;

use chrono::{DateTime, Utc};
use rapport_app::AppConfig;
use rapport_app::context::{SmtpConfig, SmtpSecurity};
use rapport_jobs::worker::Outcome;
use rapport_jobs::{WorkerConfig, WorkerPool};
use rapport_testkit::smtp::{ReceivedMail, SmtpSink};
use rapport_testkit::{TestApp, TestUser, hidden_value, meta_content};
use std::time::Duration;

/// How long a test waits for a mail that [`run_jobs`] already handed to the sink.
const MAIL_WAIT: Duration = Duration::from_secs(10);

/// App settings that send mail to `sink`.
fn mail_config(sink: &SmtpSink) -> AppConfig {
    AppConfig {
        smtp: Some(SmtpConfig {
            host: sink.host().into(),
            port: sink.port(),
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Rapport <no-reply@example.test>".into(),
        }),
        ..AppConfig::default()
    }
}

/// Runs every due job with the app's handlers until the queue is empty; each must succeed.
async fn run_jobs(t: &TestApp) -> usize {
    let pool = WorkerPool::new(
        t.app.queue().clone(),
        t.app.job_handlers(),
        WorkerConfig::default(),
        "signin-test",
    );
    let mut ran = 0;
    while let Some(outcome) = pool.run_once("signin-test/w0").await.unwrap() {
        assert_eq!(
            outcome,
            Outcome::Completed,
            "a background job (mail delivery) did not complete"
        );
        ran += 1;
    }
    ran
}

/// The next mail to `to`, and the link in it to `path_prefix` on the app's public URL.
async fn mail_with_link(
    sink: &SmtpSink,
    t: &TestApp,
    to: &str,
    path_prefix: &str,
) -> (ReceivedMail, String) {
    let mail = sink.wait_for_message_to(to, MAIL_WAIT).await;
    let prefix = t.app.link(path_prefix);
    let link = mail
        .link_starting_with(&prefix)
        .unwrap_or_else(|| panic!("no link to {prefix} in the mail:\n{}", mail.text_body));
    (mail, link)
}

/// The last path segment of a link (the token of `/reset/<token>`, `/invite/<token>`).
fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_owned()
}

/// The same token with one character changed.
fn altered(token: &str) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    let i = chars.len() / 2;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

async fn get(c: &reqwest::Client, url: &str) -> (u16, String) {
    let res = c.get(url).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn post(c: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
    c.post(url).form(form).send().await.unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .unwrap_or_else(|| panic!("a redirect, got {}", res.status()))
        .to_str()
        .unwrap()
        .to_owned()
}

/// The anonymous CSRF token of the form at `url` (and sets its cookie on `c`).
async fn form_csrf(c: &reqwest::Client, url: &str) -> String {
    let (status, html) = get(c, url).await;
    assert_eq!(status, 200, "GET {url}");
    hidden_value(&html, "_csrf").unwrap_or_else(|| panic!("no CSRF field at {url}"))
}

/// Submits the password form as `c`; returns the raw response.
async fn password_attempt(
    c: &reqwest::Client,
    t: &TestApp,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let csrf = form_csrf(c, &t.url("/login")).await;
    post(
        c,
        &t.url("/login"),
        &[("_csrf", &csrf), ("email", email), ("password", password)],
    )
    .await
}

/// A fresh browser past the password step; returns it and where it was sent.
async fn password_step(t: &TestApp, email: &str, password: &str) -> (reqwest::Client, String) {
    let b = t.browser();
    let res = password_attempt(&b, t, email, password).await;
    assert_eq!(res.status(), 303, "the password step redirects");
    let to = location(&res);
    (b, to)
}

/// Asserts `c` is signed in at `base` (the home page shows `email`); returns the session's
/// CSRF token.
async fn assert_signed_in(c: &reqwest::Client, base: &str, email: &str) -> String {
    let res = c.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(
        res.status(),
        200,
        "expected the signed-in home page at {base}/, got a redirect to {:?}",
        res.headers().get("location")
    );
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!("<dd>{email}</dd>")),
        "the home page is {email}'s:\n{html}"
    );
    meta_content(&html, "csrf-token").expect("signed-in pages carry a CSRF meta tag")
}

/// Asserts `c` has no session at `base`: the home page sends it to the sign-in page.
async fn assert_signed_out(c: &reqwest::Client, base: &str, why: &str) {
    let res = c.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(res.status(), 303, "{why}: no session, so / redirects");
    assert_eq!(location(&res), "/login", "{why}");
}

/// The flash messages the sign-in page shows to `c` (consumes them).
async fn login_flash(c: &reqwest::Client, base: &str) -> String {
    let (status, html) = get(c, &format!("{base}/login")).await;
    assert_eq!(status, 200);
    html.split("role=\"status\">")
        .skip(1)
        .filter_map(|rest| rest.split('<').next())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The authenticator-app code for `secret` at `at`.
fn totp_code(secret: &str, at: DateTime<Utc>) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .unwrap()
        .generate(at.timestamp() as u64)
        .to_string()
}

/// The text between `start` and the next `end`, for every occurrence.
fn all_between(html: &str, start: &str, end: &str) -> Vec<String> {
    html.split(start)
        .skip(1)
        .filter_map(|rest| rest.split(end).next().map(str::to_owned))
        .collect()
}

/// The value of the input with `id`.
fn input_value(html: &str, id: &str) -> Option<String> {
    let start = html.find(&format!("id=\"{id}\""))?;
    let rest = &html[start..];
    let v = rest.find("value=\"")? + "value=\"".len();
    Some(rest[v..v + rest[v..].find('"')?].to_owned())
}

/// The recovery codes a page shows.
fn recovery_codes(html: &str) -> Vec<String> {
    let list = html
        .split("data-testid=\"recovery-codes\">")
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .unwrap_or_else(|| panic!("no recovery codes on the page:\n{html}"));
    all_between(list, "<code>", "</code>")
}

/// Turns on the authenticator app for the signed-in `c` through the account pages, at the
/// app's time `now`; returns the seed and the recovery codes.
async fn enable_totp(
    t: &TestApp,
    c: &reqwest::Client,
    csrf: &str,
    now: DateTime<Utc>,
) -> (String, Vec<String>) {
    let (status, html) = get(c, &t.url("/settings/security/totp")).await;
    assert_eq!(status, 200);
    let secret = all_between(&html, "data-testid=\"totp-secret\">", "<")
        .pop()
        .expect("the set-up page shows the key");
    let res = post(
        c,
        &t.url("/settings/security/totp"),
        &[("_csrf", csrf), ("code", &totp_code(&secret, now))],
    )
    .await;
    assert_eq!(res.status(), 200, "the code from the seed turns TOTP on");
    let codes = recovery_codes(&res.text().await.unwrap());
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// The owner of the org "Northwind" turns on "require two-factor" through the settings form
/// (after adding an authenticator app at the app's time `now`, which the form insists on).
/// Returns the owner's client (still signed in) and its CSRF token.
async fn require_mfa(
    t: &TestApp,
    owner: &TestUser,
    now: DateTime<Utc>,
) -> (reqwest::Client, String) {
    let (c, csrf) = t.sign_in(owner).await;
    let form = [
        ("_csrf", csrf.as_str()),
        ("name", "Northwind"),
        ("require_mfa", "on"),
    ];
    let res = post(&c, &t.url("/admin/settings"), &form).await;
    assert_eq!(
        res.status(),
        409,
        "refused while the owner has no second factor"
    );
    enable_totp(t, &c, &csrf, now).await;
    let res = post(&c, &t.url("/admin/settings"), &form).await;
    assert_eq!(res.status(), 303, "require-MFA saved");
    let (_, html) = get(&c, &t.url("/admin/settings")).await;
    assert!(
        html.contains("name=\"require_mfa\" value=\"on\" checked"),
        "the setting shows as on"
    );
    (c, csrf)
}
