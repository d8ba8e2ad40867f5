//! C6 — an org can require a second factor, and then a password alone does not sign anyone in.
//! (The sign-in flows in detail are in `tests/signin/`.)

use super::{Browser, Codes, PASSWORD, anon_csrf, between, enrol_totp};
use rapport_domain::Role;
use rapport_testkit::spawn_app;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn pp_c6_required_mfa_blocks_password_only_sign_in() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Strict Org", Role::Owner).await;
    let member = t.add_member(owner.org_id, Role::Agent).await;
    let ob = Browser::sign_in(&t, &owner).await;
    let earlier = Browser::sign_in(&t, &member).await;

    // Requiring it needs a second factor of one's own; then the org requires it.
    let res = ob
        .form(
            &t,
            "/admin/settings",
            &[("name", "Strict Org"), ("require_mfa", "on")],
        )
        .await;
    assert_eq!(res.status(), 409, "the owner has no second factor yet");
    enrol_totp(&t, &ob).await;
    let res = ob
        .form(
            &t,
            "/admin/settings",
            &[("name", "Strict Org"), ("require_mfa", "on")],
        )
        .await;
    assert_eq!(res.status(), 303);

    // The member's password-only session ended.
    let res = earlier.api(&t, Method::GET, "/me", None).await;
    assert_eq!(res.status(), 401, "a session without a second factor ends");

    // A password alone: sent to enrolment, with no usable session.
    let b = t.browser();
    let csrf = anon_csrf(&t, &b).await;
    let res = b
        .post(t.url("/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", member.email.as_str()),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login/enroll");
    assert!(
        !res.headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("rapport_session=")),
        "no session cookie"
    );
    assert_eq!(
        b.get(t.url("/api/v1/me")).send().await.unwrap().status(),
        401
    );
    let res = b.get(t.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    let res = t
        .client()
        .post(t.url("/api/v1/auth/login"))
        .json(&json!({ "email": member.email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "second_factor_enrollment_required");

    // After adding an authenticator app, they are in.
    let page = b
        .get(t.url("/login/enroll"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let secret = between(&page, "data-testid=\"totp-secret\">", "<").unwrap();
    let csrf = rapport_testkit::hidden_value(&page, "_csrf").unwrap();
    let mut codes = Codes::new(&secret);
    let res = b
        .post(t.url("/login/enroll"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("code", codes.next().await.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "recovery codes are shown");
    let me: serde_json::Value = b
        .get(t.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], member.email);

    // And from now on a password alone still is not enough.
    let res = t
        .client()
        .post(t.url("/api/v1/auth/login"))
        .json(&json!({ "email": member.email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "second_factor_required");
    let res = t
        .client()
        .post(t.url("/api/v1/auth/login"))
        .json(&json!({ "email": member.email, "password": PASSWORD, "code": codes.next().await }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}
