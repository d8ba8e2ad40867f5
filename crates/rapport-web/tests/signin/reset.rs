//! Password reset by mail, over a real SMTP server: the answer never tells whether an account
//! exists, the link is single use, ends every session, and dies when a newer reset completes or
//! the password changes; at most three mails an hour go to one account.

use super::{
    altered, assert_signed_in, assert_signed_out, form_csrf, get, location, login_flash,
    mail_config, mail_with_link, post, run_jobs, token_of,
};
use chrono::Utc;
use rapport_domain::{ManualClock, Role, SystemClock};
use rapport_testkit::smtp::SmtpSink;
use rapport_testkit::{TestApp, TestUser, spawn_app_with};
use std::sync::Arc;

const NEW_PASSWORD: &str = "a brand new passphrase";
const SENT: &str = "If that address has an account, a reset link is on its way.";
const DEAD: &str = "This reset link is no longer valid";

/// Asks for a reset link for `email` as an anonymous browser would; returns the answer's
/// status, redirect target and the flash it leads to.
async fn request_reset(t: &TestApp, email: &str) -> (u16, String, String) {
    let b = t.browser();
    let csrf = form_csrf(&b, &t.url("/forgot")).await;
    let res = post(&b, &t.url("/forgot"), &[("_csrf", &csrf), ("email", email)]).await;
    let status = res.status().as_u16();
    let to = location(&res);
    let flash = login_flash(&b, &t.base_url).await;
    (status, to, flash)
}

/// Submits the reset form of `token` with `password` (confirmed as `confirm`).
async fn set_password(
    t: &TestApp,
    token: &str,
    password: &str,
    confirm: &str,
) -> reqwest::Response {
    let b = t.browser();
    let path = t.url(&format!("/reset/{token}"));
    let csrf = form_csrf(&b, &t.url("/forgot")).await;
    post(
        &b,
        &path,
        &[
            ("_csrf", &csrf),
            ("password", password),
            ("confirm", confirm),
        ],
    )
    .await
}

async fn assert_dead(t: &TestApp, token: &str, why: &str) {
    let (status, html) = get(&t.browser(), &t.url(&format!("/reset/{token}"))).await;
    assert_eq!(status, 410, "{why}: the link page says it is dead");
    assert!(html.contains(DEAD), "{why}");
    let res = set_password(t, token, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(res.status(), 410, "{why}: the link sets no password");
    assert!(res.text().await.unwrap().contains(DEAD), "{why}");
}

/// Whether `password` signs `user` in.
async fn password_works(t: &TestApp, user: &TestUser, password: &str) -> bool {
    let res = super::password_attempt(&t.browser(), t, &user.email, password).await;
    match res.status().as_u16() {
        303 => true,
        401 => false,
        other => panic!("unexpected sign-in answer {other}"),
    }
}

/// Requests a link for `user`, delivers the mail and returns the link's token.
async fn reset_link(t: &TestApp, sink: &SmtpSink, user: &TestUser) -> String {
    let (status, _, flash) = request_reset(t, &user.email).await;
    assert_eq!(status, 303);
    assert!(flash.contains(SENT), "{flash:?}");
    assert_eq!(run_jobs(t).await, 1, "one mail job");
    let (mail, link) = mail_with_link(sink, t, &user.email, "/reset/").await;
    assert_eq!(mail.subject, "Reset your Rapport password");
    token_of(&link)
}

#[tokio::test]
async fn reset_link_by_mail_sets_the_password_once_and_ends_every_session() {
    let sink = SmtpSink::start().await;
    let t = spawn_app_with(mail_config(&sink), Arc::new(SystemClock)).await;
    let user = t.create_org_with("Northwind", Role::Agent).await;
    let (laptop, _) = t.sign_in(&user).await;
    let (phone, _) = t.sign_in(&user).await;

    // Known and unknown addresses get the same answer; only the known one gets mail.
    let known = request_reset(&t, &user.email).await;
    let unknown = request_reset(&t, "nobody@example.test").await;
    assert_eq!(known, unknown, "the answer reveals nothing");
    assert_eq!(known.0, 303);
    assert!(known.2.contains(SENT), "{:?}", known.2);
    assert_eq!(run_jobs(&t).await, 1, "exactly one mail was queued");
    let (mail, link) = mail_with_link(&sink, &t, &user.email, "/reset/").await;
    assert_eq!(mail.from, "no-reply@example.test");
    assert!(
        mail.text_body.contains("reset the password"),
        "{}",
        mail.text_body
    );
    assert_eq!(
        sink.messages().len(),
        1,
        "nothing went to the unknown address"
    );
    let token = token_of(&link);
    assert!(token.len() >= 43, "a 256-bit token: {token}");

    // The link opens the form; a changed character or no token opens nothing.
    let (status, html) = get(&t.browser(), &t.url(&format!("/reset/{token}"))).await;
    assert_eq!(status, 200);
    assert!(html.contains("Choose a new password"), "{html}");
    assert_dead(&t, &altered(&token), "an altered token").await;
    let (status, _) = get(&t.browser(), &t.url("/reset/")).await;
    assert_eq!(status, 404, "an empty token opens no form");
    let res = set_password(&t, "", NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(res.status(), 404, "an empty token sets no password");

    // Mistakes in the form keep the link alive.
    let res = set_password(&t, &token, NEW_PASSWORD, "something else entirely").await;
    assert_eq!(res.status(), 422);
    let res = set_password(&t, &token, "short", "short").await;
    assert_eq!(res.status(), 422);
    assert!(
        password_works(&t, &user, &user.password).await,
        "nothing changed yet"
    );

    let res = set_password(&t, &token, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login");
    assert_signed_out(&laptop, &t.base_url, "a reset ends every session").await;
    assert_signed_out(&phone, &t.base_url, "a reset ends every session").await;
    assert!(
        !password_works(&t, &user, &user.password).await,
        "old password"
    );
    let changed = TestUser {
        password: NEW_PASSWORD.into(),
        ..user.clone()
    };
    let (c, _) = t.sign_in(&changed).await;
    assert_signed_in(&c, &t.base_url, &user.email).await;

    assert_dead(&t, &token, "a used link").await;
}

#[tokio::test]
async fn reset_links_die_when_a_newer_reset_completes_or_the_password_changes() {
    let sink = SmtpSink::start().await;
    let t = spawn_app_with(mail_config(&sink), Arc::new(SystemClock)).await;
    let user = t.create_org_with("Northwind", Role::Agent).await;

    let older = reset_link(&t, &sink, &user).await;
    let newer = reset_link(&t, &sink, &user).await;
    assert_ne!(older, newer);
    let res = set_password(&t, &newer, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert_dead(&t, &older, "an older link after a newer reset").await;

    // A link outstanding while the signed-in user changes the password dies with the change.
    let outstanding = reset_link(&t, &sink, &user).await;
    let user = TestUser {
        password: NEW_PASSWORD.into(),
        ..user
    };
    let (c, csrf) = t.sign_in(&user).await;
    let res = post(
        &c,
        &t.url("/settings/security/password"),
        &[
            ("_csrf", &csrf),
            ("current_password", NEW_PASSWORD),
            ("password", "yet another passphrase"),
            ("password_confirm", "yet another passphrase"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303, "password changed");
    assert_dead(&t, &outstanding, "a link from before a password change").await;
    assert!(password_works(&t, &user, "yet another passphrase").await);
}

#[tokio::test]
async fn reset_mail_is_capped_at_three_an_hour_per_account() {
    let sink = SmtpSink::start().await;
    let clock = ManualClock::new(Utc::now());
    let t = spawn_app_with(mail_config(&sink), Arc::new(clock.clone())).await;
    let user = t.create_org_with("Northwind", Role::Agent).await;

    let first = request_reset(&t, &user.email).await;
    for n in 2..=5 {
        assert_eq!(
            request_reset(&t, &user.email).await,
            first,
            "request {n} gets the same answer"
        );
    }
    assert_eq!(run_jobs(&t).await, 3, "three mails, not five");
    assert_eq!(sink.messages().len(), 3);

    clock.advance(chrono::Duration::minutes(61));
    request_reset(&t, &user.email).await;
    assert_eq!(run_jobs(&t).await, 1, "an hour later, mail again");
    assert_eq!(sink.messages().len(), 4);
}
