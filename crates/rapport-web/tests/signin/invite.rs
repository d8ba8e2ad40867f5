//! Invitations end to end: the mailed link creates the account and signs in, once; a revoked
//! or expired invitation is refused; someone who already has an account joins with it, and
//! their session moves to the new org.

use super::{
    assert_signed_in, assert_signed_out, form_csrf, get, location, mail_config, mail_with_link,
    password_step, post, run_jobs, token_of,
};
use chrono::Utc;
use rapport_app::AppConfig;
use rapport_domain::{Clock, ManualClock, Role, SystemClock};
use rapport_testkit::smtp::SmtpSink;
use rapport_testkit::{TestApp, spawn_app_with};
use serde_json::Value;
use std::sync::Arc;

const DEAD: &str = "This invitation is no longer valid";

/// Invites `email` as an agent through the members page; returns the page shown after.
async fn invite(
    t: &TestApp,
    admin: &reqwest::Client,
    csrf: &str,
    email: &str,
) -> reqwest::Response {
    post(
        admin,
        &t.url("/admin/members/invite"),
        &[("_csrf", csrf), ("email", email), ("role", "agent")],
    )
    .await
}

/// Invites `email` with no mail configured; returns the token of the link shown to copy.
async fn invite_link(t: &TestApp, admin: &reqwest::Client, csrf: &str, email: &str) -> String {
    let res = invite(t, admin, csrf, email).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    token_of(&super::input_value(&html, "invite-link").expect("the link is shown"))
}

/// Accepts the invitation `token` as a new person, in a fresh browser.
async fn accept(t: &TestApp, token: &str) -> (reqwest::Client, reqwest::Response) {
    let b = t.browser();
    let path = t.url(&format!("/invite/{token}"));
    let csrf = form_csrf(&b, &t.url("/login")).await;
    let res = post(
        &b,
        &path,
        &[
            ("_csrf", &csrf),
            ("name", "Grace Hopper"),
            ("password", "compilers all the way"),
            ("time_zone", "Europe/Berlin"),
        ],
    )
    .await;
    (b, res)
}

async fn assert_dead(t: &TestApp, token: &str, email: &str, why: &str) {
    let (status, html) = get(&t.browser(), &t.url(&format!("/invite/{token}"))).await;
    assert_eq!(status, 410, "{why}: the page says it is dead");
    assert!(html.contains(DEAD), "{why}");
    let (b, res) = accept(t, token).await;
    assert_eq!(res.status(), 410, "{why}: no account is created");
    assert_signed_out(&b, &t.base_url, why).await;
    let res = super::password_attempt(&t.browser(), t, email, "compilers all the way").await;
    assert_eq!(res.status(), 401, "{why}: no account for {email}");
}

#[tokio::test]
async fn invitation_mail_link_creates_the_account_and_signs_in_once() {
    let sink = SmtpSink::start().await;
    let t = spawn_app_with(mail_config(&sink), Arc::new(SystemClock)).await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let (admin, csrf) = t.sign_in(&owner).await;
    let res = invite(&t, &admin, &csrf, "grace@example.test").await;
    assert_eq!(res.status(), 303);
    let (_, html) = get(&admin, &t.url(&location(&res))).await;
    assert!(html.contains("Invitation sent by email."));

    assert_eq!(run_jobs(&t).await, 1, "one mail job");
    let (mail, link) = mail_with_link(&sink, &t, "grace@example.test", "/invite/").await;
    assert_eq!(mail.subject, "Join Northwind on Rapport");
    let token = token_of(&link);
    assert!(token.len() >= 43, "a 256-bit token: {token}");

    let (status, html) = get(&t.browser(), &t.url(&format!("/invite/{token}"))).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Join Northwind") && html.contains("grace@example.test"),
        "{html}"
    );
    let (b, res) = accept(&t, &token).await;
    assert_eq!(res.status(), 303, "account created");
    assert_eq!(location(&res), "/");
    assert_signed_in(&b, &t.base_url, "grace@example.test").await;

    // Single use: the link is dead now, for anyone.
    let (status, html) = get(&t.browser(), &t.url(&format!("/invite/{token}"))).await;
    assert_eq!(status, 410);
    assert!(html.contains(DEAD));
    let (other, res) = accept(&t, &token).await;
    assert_eq!(res.status(), 410, "a used link creates nothing");
    assert_signed_out(&other, &t.base_url, "a used invitation").await;

    // The new account signs in with the password it chose.
    let (c, to) = password_step(&t, "grace@example.test", "compilers all the way").await;
    assert_eq!(to, "/");
    assert_signed_in(&c, &t.base_url, "grace@example.test").await;
}

#[tokio::test]
async fn revoked_or_expired_invitations_are_refused() {
    let clock = ManualClock::new(Utc::now());
    let t = spawn_app_with(AppConfig::default(), Arc::new(clock.clone())).await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let (admin, csrf) = t.sign_in(&owner).await;
    let revoked = invite_link(&t, &admin, &csrf, "revoked@example.test").await;
    let expiring = invite_link(&t, &admin, &csrf, "late@example.test").await;

    let (_, html) = get(&admin, &t.url("/admin/members")).await;
    let id = html
        .split("id=\"invitation-")
        .skip(1)
        .map(|rest| rest.chars().take(36).collect::<String>())
        .find(|id| {
            let row = html
                .split(&format!("id=\"invitation-{id}"))
                .nth(1)
                .unwrap_or("");
            row.split("</tr>")
                .next()
                .unwrap_or("")
                .contains("revoked@example.test")
        })
        .expect("the invitation is listed");
    let res = post(
        &admin,
        &t.url(&format!("/admin/invitations/{id}/revoke")),
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_dead(&t, &revoked, "revoked@example.test", "a revoked invitation").await;

    // Seven days later it still works; eight days after sending, it is dead.
    clock.advance(chrono::Duration::days(7) - chrono::Duration::minutes(1));
    let (status, _) = get(&t.browser(), &t.url(&format!("/invite/{expiring}"))).await;
    assert_eq!(status, 200, "live for seven days");
    clock.advance(chrono::Duration::days(1));
    assert_dead(&t, &expiring, "late@example.test", "an expired invitation").await;
}

#[tokio::test]
async fn an_existing_account_joins_with_the_link_and_its_session_switches_org() {
    let t = spawn_app_with(AppConfig::default(), Arc::new(SystemClock)).await;
    let person = t.create_org_with("Acme", Role::Agent).await;
    let bystander = t.add_member(person.org_id, Role::Agent).await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let (admin, csrf) = t.sign_in(&owner).await;
    let token = invite_link(&t, &admin, &csrf, &person.email).await;
    let page = t.url(&format!("/invite/{token}"));

    // Anonymous: the page says to sign in; creating a second account for the address is refused.
    let (status, html) = get(&t.browser(), &page).await;
    assert_eq!(status, 200);
    assert!(html.contains("An account with this email already exists."));
    let (_, res) = accept(&t, &token).await;
    assert_eq!(res.status(), 409);

    // Someone else's account cannot take the invitation.
    let (other, other_csrf) = t.sign_in(&bystander).await;
    let res = post(
        &other,
        &t.url(&format!("/invite/{token}/join")),
        &[("_csrf", &other_csrf)],
    )
    .await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("this invitation is for"));

    let (c, csrf) = t.sign_in(&person).await;
    let (status, html) = get(&c, &page).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("You are signed in as {}.", person.email)));
    // A cross-site form without the session's token does nothing.
    let res = post(
        &c,
        &t.url(&format!("/invite/{token}/join")),
        &[("_csrf", "forged")],
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = post(
        &c,
        &t.url(&format!("/invite/{token}/join")),
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/");
    let (status, home) = get(&c, &t.url("/")).await;
    assert_eq!(status, 200);
    assert!(
        home.contains("Here is how Northwind is set up."),
        "the session moved to the new org"
    );
    let me: Value = c
        .get(t.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["org_id"], owner.org_id.to_string(), "{me}");

    let res = post(
        &c,
        &t.url(&format!("/invite/{token}/join")),
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(res.status(), 410, "single use");
}

#[tokio::test]
async fn pp_c6_accepting_an_invitation_where_mfa_is_required_leads_to_enrolment() {
    let clock = ManualClock::new(Utc::now());
    let t = spawn_app_with(AppConfig::default(), Arc::new(clock.clone())).await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let (admin, csrf) = super::require_mfa(&t, &owner, clock.now()).await;
    let token = invite_link(&t, &admin, &csrf, "grace@example.test").await;

    let (b, res) = accept(&t, &token).await;
    assert_eq!(res.status(), 303, "account created");
    assert_eq!(
        location(&res),
        "/login/enroll",
        "but no session before a second factor"
    );
    assert_signed_out(&b, &t.base_url, "a new account in an org requiring MFA").await;
}
