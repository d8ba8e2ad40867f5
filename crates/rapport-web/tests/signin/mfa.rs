//! Second factors (promise C6: MFA is available and an org can require it). With "require
//! two-factor" on, a password alone opens no session; an authenticator code, a recovery code
//! or a passkey (a software authenticator here) completes the sign-in. Codes are single use.
//!
//! TOTP tests run on a manual clock: a code is accepted once per 30-second step, so the tests
//! move time forward between uses instead of waiting.

use super::{
    assert_signed_in, assert_signed_out, enable_totp, form_csrf, get, location, password_step,
    post, recovery_codes, totp_code,
};
use crate::problem;
use chrono::Utc;
use rapport_app::AppConfig;
use rapport_domain::{Clock, ManualClock, Role};
use rapport_testkit::{TestApp, hidden_value, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use std::sync::Arc;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::prelude::{
    CreationChallengeResponse, RequestChallengeResponse, Url,
};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

const STEP: chrono::Duration = chrono::Duration::seconds(30);

async fn manual_app() -> (TestApp, ManualClock) {
    let clock = ManualClock::new(Utc::now());
    let t = spawn_app_with(AppConfig::default(), Arc::new(clock.clone())).await;
    (t, clock)
}

async fn api_login(c: &reqwest::Client, t: &TestApp, body: Value) -> reqwest::Response {
    c.post(t.url("/api/v1/auth/login"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn pp_c6_with_mfa_required_a_password_alone_does_not_sign_in() {
    let (t, clock) = manual_app().await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let member = t.add_member(owner.org_id, Role::Agent).await;
    let (earlier, _) = t.sign_in(&member).await;

    let (owner_client, _) = super::require_mfa(&t, &owner, clock.now()).await;
    assert_signed_out(
        &earlier,
        &t.base_url,
        "a password-only session ends when the org starts requiring MFA",
    )
    .await;
    assert_signed_in(&owner_client, &t.base_url, &owner.email).await;

    // The right password opens no session: the member must add a second factor first.
    let (b, to) = password_step(&t, &member.email, &member.password).await;
    assert_eq!(to, "/login/enroll");
    assert_signed_out(&b, &t.base_url, "password alone, MFA required").await;
    let res = api_login(
        &t.browser(),
        &t,
        json!({ "email": member.email, "password": member.password }),
    )
    .await;
    assert!(
        res.headers().get("set-cookie").is_none(),
        "no session cookie"
    );
    problem(res, 403, "second_factor_enrollment_required").await;

    // Enrolment: a wrong code keeps the member out, the right one signs in and shows the
    // recovery codes once.
    let (status, html) = get(&b, &t.url("/login/enroll")).await;
    assert_eq!(status, 200);
    let csrf = hidden_value(&html, "_csrf").unwrap();
    let res = post(
        &b,
        &t.url("/login/enroll"),
        &[("_csrf", &csrf), ("code", "000000")],
    )
    .await;
    assert_eq!(res.status(), 401);
    let html = res.text().await.unwrap();
    assert!(html.contains("That code did not work."), "{html}");
    assert_signed_out(&b, &t.base_url, "a wrong enrolment code").await;
    let secret = super::all_between(&html, "data-testid=\"totp-secret\">", "<")
        .pop()
        .expect("the key is shown again");
    let res = post(
        &b,
        &t.url("/login/enroll"),
        &[("_csrf", &csrf), ("code", &totp_code(&secret, clock.now()))],
    )
    .await;
    assert_eq!(res.status(), 200);
    let codes = recovery_codes(&res.text().await.unwrap());
    assert_eq!(codes.len(), 10, "recovery codes shown once");
    assert_signed_in(&b, &t.base_url, &member.email).await;

    // From now on the member is asked for the code.
    clock.advance(STEP);
    let (b, to) = password_step(&t, &member.email, &member.password).await;
    assert_eq!(to, "/login/verify");
    let csrf = form_csrf(&b, &t.url("/login/verify")).await;
    let res = post(
        &b,
        &t.url("/login/verify"),
        &[("_csrf", &csrf), ("code", &totp_code(&secret, clock.now()))],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/");
    assert_signed_in(&b, &t.base_url, &member.email).await;
}

#[tokio::test]
async fn pp_c6_totp_code_signs_in_once_and_recovery_codes_once() {
    let (t, clock) = manual_app().await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let member = t.add_member(owner.org_id, Role::Agent).await;
    let (c, csrf) = t.sign_in(&member).await;
    let (secret, codes) = enable_totp(&t, &c, &csrf, clock.now()).await;
    super::require_mfa(&t, &owner, clock.now()).await;
    clock.advance(STEP);

    let (b, to) = password_step(&t, &member.email, &member.password).await;
    assert_eq!(to, "/login/verify");
    assert_signed_out(&b, &t.base_url, "password alone").await;
    let (status, html) = get(&b, &t.url("/login/verify")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Code from your authenticator app"), "{html}");
    let csrf = hidden_value(&html, "_csrf").unwrap();
    let res = post(
        &b,
        &t.url("/login/verify"),
        &[("_csrf", &csrf), ("code", "000000")],
    )
    .await;
    assert_eq!(res.status(), 401);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("That code did not work.")
    );
    assert_signed_out(&b, &t.base_url, "a wrong code").await;
    let code = totp_code(&secret, clock.now());
    let res = post(
        &b,
        &t.url("/login/verify"),
        &[("_csrf", &csrf), ("code", &code)],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/");
    assert_signed_in(&b, &t.base_url, &member.email).await;

    // The same code again, within its 30 seconds, on another sign-in: a replay, refused.
    let (b, _) = password_step(&t, &member.email, &member.password).await;
    let csrf = form_csrf(&b, &t.url("/login/verify")).await;
    let res = post(
        &b,
        &t.url("/login/verify"),
        &[("_csrf", &csrf), ("code", &code)],
    )
    .await;
    assert_eq!(res.status(), 401, "a used code is refused");
    assert_signed_out(&b, &t.base_url, "a replayed code").await;

    // A recovery code stands in for the app, once (typed loosely: case and spaces).
    let loose = format!(" {} ", codes[0].to_uppercase());
    let res = post(
        &b,
        &t.url("/login/verify"),
        &[("_csrf", &csrf), ("code", &loose)],
    )
    .await;
    assert_eq!(res.status(), 303, "a recovery code signs in");
    assert_signed_in(&b, &t.base_url, &member.email).await;
    let (b, _) = password_step(&t, &member.email, &member.password).await;
    let csrf = form_csrf(&b, &t.url("/login/verify")).await;
    let res = post(
        &b,
        &t.url("/login/verify"),
        &[("_csrf", &csrf), ("code", &codes[0])],
    )
    .await;
    assert_eq!(res.status(), 401, "a recovery code works once");
    assert_signed_out(&b, &t.base_url, "a used recovery code").await;
}

#[tokio::test]
async fn pp_c6_second_factor_guesses_are_limited_per_sign_in() {
    let (t, clock) = manual_app().await;
    let member = t.create_org_with("Northwind", Role::Agent).await;
    let (c, csrf) = t.sign_in(&member).await;
    let (secret, _) = enable_totp(&t, &c, &csrf, clock.now()).await;
    clock.advance(STEP);

    let (b, _) = password_step(&t, &member.email, &member.password).await;
    let csrf = form_csrf(&b, &t.url("/login/verify")).await;
    for n in 1..=5 {
        let res = post(
            &b,
            &t.url("/login/verify"),
            &[("_csrf", &csrf), ("code", "000000")],
        )
        .await;
        assert_eq!(res.status(), 401, "wrong code {n}");
    }
    // Five wrong codes spend the attempt: even the right code now starts over.
    let res = post(
        &b,
        &t.url("/login/verify"),
        &[("_csrf", &csrf), ("code", &totp_code(&secret, clock.now()))],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login");
    assert_signed_out(&b, &t.base_url, "after five wrong codes").await;
}

#[tokio::test]
async fn pp_c6_second_factor_guessing_across_sign_ins_locks_the_account() {
    let (t, clock) = manual_app().await;
    let member = t.create_org_with("Northwind", Role::Agent).await;
    let (c, csrf) = t.sign_in(&member).await;
    let (secret, _) = enable_totp(&t, &c, &csrf, clock.now()).await;
    clock.advance(STEP);

    // Someone who knows the password guesses codes, starting a new sign-in for every guess
    // (each has its own five tries): the account's failure count still adds up.
    let api = t.browser();
    let wrong = json!({ "email": member.email, "password": member.password, "code": "000000" });
    for n in 1..=5 {
        let res = api_login(&api, &t, wrong.clone()).await;
        assert_eq!(res.status(), 401, "wrong code {n}");
    }
    let right = |now| {
        json!({
            "email": member.email,
            "password": member.password,
            "code": totp_code(&secret, now),
        })
    };
    let res = api_login(&api, &t, right(clock.now())).await;
    assert!(res.headers().contains_key("retry-after"));
    problem(res, 429, "too_many_attempts").await;
    // The browser form says the same.
    let b = t.browser();
    let res = super::password_attempt(&b, &t, &member.email, &member.password).await;
    assert_eq!(res.status(), 429);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Too many failed sign-in attempts. Try again in 15 minutes.")
    );

    // After the lock-out the owner of the device gets in.
    clock.advance(chrono::Duration::minutes(15) + chrono::Duration::seconds(1));
    let res = api_login(&api, &t, right(clock.now())).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn pp_c6_a_lock_during_the_code_step_is_explained_on_the_code_page() {
    let (t, clock) = manual_app().await;
    let member = t.create_org_with("Northwind", Role::Agent).await;
    let (c, csrf) = t.sign_in(&member).await;
    let (secret, _) = enable_totp(&t, &c, &csrf, clock.now()).await;
    clock.advance(STEP);

    // Past the password, then four wrong passwords elsewhere and one wrong code here: locked.
    let (b, to) = password_step(&t, &member.email, &member.password).await;
    assert_eq!(to, "/login/verify");
    let csrf = form_csrf(&b, &t.url("/login/verify")).await;
    for _ in 0..4 {
        let res = super::password_attempt(&t.browser(), &t, &member.email, "wrong password!").await;
        assert_eq!(res.status(), 401);
    }
    let res = post(
        &b,
        &t.url("/login/verify"),
        &[("_csrf", &csrf), ("code", "000000")],
    )
    .await;
    assert_eq!(res.status(), 401);

    // Even the right code now waits out the lock, and the page says so.
    let res = post(
        &b,
        &t.url("/login/verify"),
        &[("_csrf", &csrf), ("code", &totp_code(&secret, clock.now()))],
    )
    .await;
    assert_eq!(res.status(), 429);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Too many failed sign-in attempts. Try again in 15 minutes."),
        "{html}"
    );
    assert_signed_out(&b, &t.base_url, "locked during the code step").await;
}

#[tokio::test]
async fn pp_c6_api_login_needs_the_second_factor_code() {
    let (t, clock) = manual_app().await;
    let member = t.create_org_with("Northwind", Role::Agent).await;
    let (c, csrf) = t.sign_in(&member).await;
    let (secret, _) = enable_totp(&t, &c, &csrf, clock.now()).await;
    clock.advance(STEP);

    let api = t.browser();
    let res = api_login(
        &api,
        &t,
        json!({ "email": member.email, "password": member.password }),
    )
    .await;
    assert!(
        res.headers().get("set-cookie").is_none(),
        "no session cookie"
    );
    problem(res, 401, "second_factor_required").await;
    let me = api.get(t.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(me.status(), 401, "no session");
    let res = api_login(
        &api,
        &t,
        json!({ "email": member.email, "password": member.password, "code": "000000" }),
    )
    .await;
    problem(res, 401, "invalid_token").await;

    let code = totp_code(&secret, clock.now());
    let body = json!({ "email": member.email, "password": member.password, "code": code });
    let res = api_login(&api, &t, body.clone()).await;
    assert_eq!(res.status(), 200);
    let login: Value = res.json().await.unwrap();
    assert_eq!(login["user_id"], member.id.to_string());
    let me: Value = api
        .get(t.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], member.email.as_str(), "the cookie works: {me}");

    let res = api_login(&t.browser(), &t, body).await;
    problem(res, 401, "invalid_token").await;
}

/// Registers a passkey for the signed-in `c` through the account's JSON steps.
async fn register_passkey(
    t: &TestApp,
    c: &reqwest::Client,
    csrf: &str,
    key: &mut SoftPasskey,
    origin: &Url,
) {
    let res = c
        .post(t.url("/settings/security/keys/start"))
        .header("x-csrf-token", csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let start: Value = res.json().await.unwrap();
    let options: CreationChallengeResponse =
        serde_json::from_value(start["options"].clone()).unwrap();
    let credential = key.do_registration(origin.clone(), options).unwrap();
    let res = c
        .post(t.url("/settings/security/keys/finish"))
        .header("x-csrf-token", csrf)
        .json(&json!({
            "challenge": start["challenge"],
            "name": "Soft passkey",
            "credential": credential,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
}

/// From `/login/verify`, asks for a key assertion; returns the options.
async fn key_start(t: &TestApp, b: &reqwest::Client, csrf: &str) -> RequestChallengeResponse {
    let res = b
        .post(t.url("/login/verify/key/start"))
        .header("x-csrf-token", csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn key_finish(
    t: &TestApp,
    b: &reqwest::Client,
    csrf: &str,
    credential: &impl serde::Serialize,
) -> reqwest::Response {
    b.post(t.url("/login/verify/key/finish"))
        .header("x-csrf-token", csrf)
        .json(credential)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn pp_c6_with_mfa_required_a_passkey_signs_in() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Northwind", Role::Owner).await;
    let member = t.add_member(owner.org_id, Role::Agent).await;
    let origin = Url::parse(&t.app.config().public_url).unwrap();
    let mut key = SoftPasskey::new(true);
    let (c, csrf) = t.sign_in(&member).await;
    register_passkey(&t, &c, &csrf, &mut key, &origin).await;
    super::require_mfa(&t, &owner, Utc::now()).await;

    // The passkey counts as the member's second factor: asked for, not enrolment.
    let (b, to) = password_step(&t, &member.email, &member.password).await;
    assert_eq!(to, "/login/verify");
    assert_signed_out(&b, &t.base_url, "password alone").await;
    let (_, html) = get(&b, &t.url("/login/verify")).await;
    assert!(html.contains("data-webauthn-signin"), "offers the key");
    let csrf = hidden_value(&html, "_csrf").unwrap();

    let res = b
        .post(t.url("/login/verify/key/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "the CSRF header is required");

    let options = key_start(&t, &b, &csrf).await;
    let assertion = key.do_authentication(origin.clone(), options).unwrap();
    let res = key_finish(&t, &b, &csrf, &assertion).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["redirect"], "/");
    assert_signed_in(&b, &t.base_url, &member.email).await;

    // The assertion answered one challenge; replayed on a new sign-in it is refused.
    let (b, _) = password_step(&t, &member.email, &member.password).await;
    let csrf = form_csrf(&b, &t.url("/login/verify")).await;
    key_start(&t, &b, &csrf).await;
    let res = key_finish(&t, &b, &csrf, &assertion).await;
    problem(res, 400, "invalid_token").await;
    assert_signed_out(&b, &t.base_url, "a replayed assertion").await;

    // An assertion made for another origin (a look-alike site) is refused.
    let (b, _) = password_step(&t, &member.email, &member.password).await;
    let csrf = form_csrf(&b, &t.url("/login/verify")).await;
    let options = key_start(&t, &b, &csrf).await;
    let phished = key
        .do_authentication(Url::parse("http://localhost:1").unwrap(), options)
        .unwrap();
    let res = key_finish(&t, &b, &csrf, &phished).await;
    problem(res, 400, "invalid_token").await;
    assert_signed_out(&b, &t.base_url, "an assertion for another origin").await;
}
