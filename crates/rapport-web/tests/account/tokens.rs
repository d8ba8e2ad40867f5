//! Personal API tokens, the security-key JSON steps, and that nobody reaches another
//! member's sessions, tokens or keys by id.

use super::{between, location, page, post};
use crate::problem;
use rapport_domain::Role;
use rapport_testkit::spawn_app;
use serde_json::{Value, json};

#[tokio::test]
async fn account_token_secret_is_shown_once_and_works_until_revoked() {
    let t = spawn_app().await;
    let user = t.create_org_with("Acme", Role::Viewer).await;
    let (c, csrf) = t.sign_in(&user).await;
    let (status, html) = page(&c, &t, "/settings/tokens").await;
    assert_eq!(status, 200);
    assert!(html.contains("No tokens yet"));
    assert!(
        html.contains("value=\"contacts.read\"") && !html.contains("value=\"system.manage\""),
        "only held permissions are offered"
    );

    let res = post(
        &c,
        &t,
        "/settings/tokens",
        &[
            ("_csrf", &csrf),
            ("name", ""),
            ("expiry", "30"),
            ("scope_mode", "all"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Name is required."));
    let res = post(
        &c,
        &t,
        "/settings/tokens",
        &[
            ("_csrf", &csrf),
            ("name", "ci"),
            ("expiry", "30"),
            ("scope_mode", "custom"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Choose at least one permission")
    );
    let res = post(
        &c,
        &t,
        "/settings/tokens",
        &[
            ("_csrf", &csrf),
            ("name", "ci"),
            ("expiry", "30"),
            ("scope_mode", "custom"),
            ("scopes", "system.manage"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422, "no escalation through a token");

    let form = [
        ("_csrf", csrf.as_str()),
        ("name", "Reporting"),
        ("expiry", "30"),
        ("scope_mode", "custom"),
        ("scopes", "contacts.read"),
        ("scopes", "deals.read"),
    ];
    let res = post(&c, &t, "/settings/tokens", &form).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let secret = between(&html, "data-testid=\"token-secret\">", "<");
    assert!(secret.starts_with("rpt_"), "{secret}");
    assert!(html.contains("shown only once") && html.contains("2 permissions"));
    let id = between(&html, "data-token=\"", "\"");

    let (_, again) = page(&c, &t, "/settings/tokens").await;
    assert!(!again.contains(&secret), "the secret is never shown again");
    assert!(again.contains(&secret[..10]), "its prefix identifies it");

    let api = t.client();
    let me = api
        .get(t.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);

    let res = post(
        &c,
        &t,
        &format!("/settings/tokens/{id}/revoke"),
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(
        (res.status().as_u16(), location(&res)),
        (303, "/settings/tokens")
    );
    let (_, html) = page(&c, &t, "/settings/tokens").await;
    assert!(html.contains("Revoked") && html.contains("The token was revoked."));
    let me = api
        .get(t.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    problem(me, 401, "unauthenticated").await;
}

#[tokio::test]
async fn account_another_orgs_member_cannot_touch_my_sessions_tokens_or_keys() {
    let t = spawn_app().await;
    let mine = t.create_org_with("Org A", Role::Owner).await;
    let theirs = t.create_org_with("Org B", Role::Owner).await;
    let (a, a_csrf) = t.sign_in(&mine).await;
    let (b, b_csrf) = t.sign_in(&theirs).await;
    let (_, html) = page(&a, &t, "/settings/security").await;
    let session = between(&html, "data-session=\"", "\"");
    let form = [
        ("_csrf", a_csrf.as_str()),
        ("name", "mine"),
        ("expiry", "never"),
        ("scope_mode", "all"),
    ];
    let html = post(&a, &t, "/settings/tokens", &form)
        .await
        .text()
        .await
        .unwrap();
    let token = between(&html, "data-token=\"", "\"");

    let res = post(
        &b,
        &t,
        &format!("/settings/security/sessions/{session}/revoke"),
        &[("_csrf", &b_csrf)],
    )
    .await;
    assert_eq!(res.status(), 404);
    let res = post(
        &b,
        &t,
        &format!("/settings/tokens/{token}/revoke"),
        &[("_csrf", &b_csrf)],
    )
    .await;
    assert_eq!(res.status(), 404);
    let key = uuid::Uuid::now_v7();
    let res = post(
        &b,
        &t,
        &format!("/settings/security/keys/{key}/delete"),
        &[("_csrf", &b_csrf), ("password", &theirs.password)],
    )
    .await;
    assert_eq!(res.status(), 404);

    assert_eq!(
        a.get(t.url("/settings/security"))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "still signed in"
    );
    let (_, html) = page(&a, &t, "/settings/tokens").await;
    assert!(html.contains("Active") && !html.contains("Revoked"));
    let (_, html) = page(&b, &t, "/settings/tokens").await;
    assert!(
        html.contains("No tokens yet"),
        "tokens are per member and org"
    );
}

#[tokio::test]
async fn account_security_key_steps_check_csrf_and_refuse_bad_answers() {
    let t = spawn_app().await;
    let user = t.create_org_with("Acme", Role::Agent).await;
    let (c, csrf) = t.sign_in(&user).await;
    let (_, html) = page(&c, &t, "/settings/security").await;
    assert!(
        html.contains("data-add-security-key"),
        "WebAuthn works on localhost"
    );

    let res = c
        .post(t.url("/settings/security/keys/start"))
        .send()
        .await
        .unwrap();
    problem(res, 403, "csrf_failed").await;
    let res = c
        .post(t.url("/settings/security/keys/start"))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let started: Value = res.json().await.unwrap();
    let challenge = started["challenge"].as_str().unwrap().to_owned();
    assert_eq!(started["options"]["publicKey"]["rp"]["id"], "localhost");
    assert!(started["options"]["publicKey"]["challenge"].is_string());

    let bogus = json!({"challenge": challenge, "name": "YubiKey", "credential": {"id": "x"}});
    let res = c
        .post(t.url("/settings/security/keys/finish"))
        .header("x-csrf-token", &csrf)
        .json(&bogus)
        .send()
        .await
        .unwrap();
    problem(res, 400, "invalid_token").await;
    let extra = json!({"challenge": "c", "name": "n", "credential": {}, "user_id": "someone else"});
    let res = c
        .post(t.url("/settings/security/keys/finish"))
        .header("x-csrf-token", &csrf)
        .json(&extra)
        .send()
        .await
        .unwrap();
    problem(res, 422, "validation_failed").await;
    let (_, html) = page(&c, &t, "/settings/security").await;
    assert!(html.contains("No security key yet."));
}
