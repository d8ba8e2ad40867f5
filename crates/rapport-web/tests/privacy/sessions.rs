//! C8 — every state-changing request is protected against cross-site forgery (a foreign
//! `Origin`, a missing or wrong token: refused, nothing changes), and sessions end: after the
//! idle limit, at the absolute limit, and when the member signs out everywhere.

use super::{Browser, PASSWORD};
use chrono::Utc;
use rapport_app::AppConfig;
use rapport_domain::{ManualClock, Role};
use rapport_testkit::{TestApp, spawn_app_with};
use reqwest::Method;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

async fn team_names(t: &TestApp, b: &Browser) -> Vec<String> {
    let teams = b.api_ok(t, Method::GET, "/teams", None).await;
    teams["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn me_status(t: &TestApp, b: &Browser) -> u16 {
    b.client
        .get(t.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn pp_c8_cross_site_post_is_refused_and_sessions_expire_and_revoke() {
    let clock = ManualClock::new(Utc::now());
    let config = AppConfig {
        session_idle: Duration::from_secs(30 * 60),
        session_absolute: Duration::from_secs(8 * 3600),
        ..AppConfig::default()
    };
    let t = spawn_app_with(config, Arc::new(clock.clone())).await;
    let owner = t.create_org_with("Guarded Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;

    // Forms: a foreign Origin (even with the right token), no token, a wrong token.
    let evil = b
        .client
        .post(t.url("/admin/teams"))
        .header("origin", "https://evil.example")
        .form(&[("_csrf", b.csrf.as_str()), ("name", "From evil")])
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), 403);
    let tokenless = b
        .client
        .post(t.url("/admin/teams"))
        .form(&[("name", "Without token")])
        .send()
        .await
        .unwrap();
    assert_eq!(tokenless.status(), 403);
    let wrong = b
        .client
        .post(t.url("/admin/teams"))
        .form(&[("_csrf", "not-the-token"), ("name", "Wrong token")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    // Anonymous forms too (the sign-in form without its token).
    let res = t
        .browser()
        .post(t.url("/login"))
        .form(&[("email", owner.email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // The API with the session cookie: a foreign Origin, no header, a wrong header.
    let body = json!({ "name": "Via API" });
    let res = b
        .client
        .post(t.url("/api/v1/teams"))
        .header("x-csrf-token", &b.csrf)
        .header("origin", "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    for header in [None, Some("not-the-token")] {
        let mut req = b.client.post(t.url("/api/v1/teams")).json(&body);
        if let Some(h) = header {
            req = req.header("x-csrf-token", h);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 403);
        let problem: serde_json::Value = res.json().await.unwrap();
        assert_eq!(problem["code"], "csrf_failed");
    }
    // A cross-site sign-out is refused as well.
    let res = b
        .client
        .post(t.url("/logout"))
        .header("origin", "https://evil.example")
        .form(&[("_csrf", b.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(
        team_names(&t, &b).await.is_empty(),
        "none of the forged writes happened"
    );
    // The same form from the page itself works.
    let res = b
        .client
        .post(t.url("/admin/teams"))
        .header("origin", t.base_url.as_str())
        .form(&[("_csrf", b.csrf.as_str()), ("name", "Same site")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(team_names(&t, &b).await, ["Same site"]);

    // Idle expiry: activity keeps the session; 30 minutes of silence end it.
    clock.advance(chrono::Duration::minutes(29));
    assert_eq!(me_status(&t, &b).await, 200, "active within the idle limit");
    clock.advance(chrono::Duration::minutes(29));
    assert_eq!(
        me_status(&t, &b).await,
        200,
        "the last request reset the timer"
    );
    clock.advance(chrono::Duration::minutes(31));
    assert_eq!(me_status(&t, &b).await, 401, "idle too long");
    let res = b
        .client
        .get(t.url("/settings/security"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        303,
        "pages send the expired session to sign-in"
    );
    assert_eq!(res.headers()["location"], "/login");

    // Absolute expiry: however active, the session ends 8 hours after sign-in.
    let b = Browser::sign_in(&t, &owner).await;
    for _ in 0..16 {
        clock.advance(chrono::Duration::minutes(29));
        assert_eq!(me_status(&t, &b).await, 200);
    }
    clock.advance(chrono::Duration::minutes(29));
    assert_eq!(me_status(&t, &b).await, 401, "past the absolute limit");

    // Sign out everywhere: every other session ends, this one stays.
    let laptop = Browser::sign_in(&t, &owner).await;
    let phone = Browser::sign_in(&t, &owner).await;
    let tablet = Browser::sign_in(&t, &owner).await;
    let res = laptop
        .form(&t, "/settings/security/sessions/revoke-others", &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(me_status(&t, &laptop).await, 200);
    assert_eq!(me_status(&t, &phone).await, 401);
    assert_eq!(me_status(&t, &tablet).await, 401);
    let res = phone.client.get(t.url("/")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/login");
    // And signing out ends this one.
    let res = laptop.form(&t, "/logout", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(me_status(&t, &laptop).await, 401);
}
