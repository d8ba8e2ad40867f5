//! Profile, password change, the authenticator app through the pages, and active sessions.

use super::{all_between, between, current_code, location, page, password_step, post};
use rapport_domain::Role;
use rapport_testkit::{TestUser, hidden_value, spawn_app};
use serde_json::Value;

#[tokio::test]
async fn account_profile_update_changes_name_and_time_zone() {
    let t = spawn_app().await;
    let user = t.create_org_with("Acme", Role::Agent).await;
    let (c, csrf) = t.sign_in(&user).await;
    let (status, html) = page(&c, &t, "/settings/security").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("aria-current=\"page\"") && html.contains("value=\"UTC\" selected"),
        "{html}"
    );

    let res = post(
        &c,
        &t,
        "/settings/profile",
        &[
            ("_csrf", &csrf),
            ("name", "  "),
            ("time_zone", "Mars/Olympus"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Name is required.") && html.contains("Choose a time zone from the list."),
        "{html}"
    );

    let res = post(
        &c,
        &t,
        "/settings/profile",
        &[("name", "Grace Hopper"), ("time_zone", "Asia/Tokyo")],
    )
    .await;
    assert_eq!(res.status(), 403, "no CSRF token, no change");

    let res = post(
        &c,
        &t,
        "/settings/profile",
        &[
            ("_csrf", &csrf),
            ("name", "Grace Hopper"),
            ("time_zone", "Asia/Tokyo"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/security");
    let (_, html) = page(&c, &t, "/settings/security").await;
    assert!(html.contains("Your profile was saved."), "flash shown once");
    assert!(html.contains("value=\"Asia/Tokyo\" selected"));
    let me: Value = c
        .get(t.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (me["name"].as_str(), me["time_zone"].as_str()),
        (Some("Grace Hopper"), Some("Asia/Tokyo"))
    );
}

#[tokio::test]
async fn account_password_change_ends_other_sessions() {
    let t = spawn_app().await;
    let user = t.create_org_with("Acme", Role::Owner).await;
    let (here, csrf) = t.sign_in(&user).await;
    let (elsewhere, _) = t.sign_in(&user).await;
    let new = "a much better passphrase";

    let res = post(
        &here,
        &t,
        "/settings/security/password",
        &[
            ("_csrf", &csrf),
            ("current_password", "wrong password!"),
            ("password", new),
            ("password_confirm", new),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Your current password is not correct.")
    );
    let res = post(
        &here,
        &t,
        "/settings/security/password",
        &[
            ("_csrf", &csrf),
            ("current_password", &user.password),
            ("password", new),
            ("password_confirm", "something else"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("do not match"));
    let res = post(
        &here,
        &t,
        "/settings/security/password",
        &[
            ("_csrf", &csrf),
            ("current_password", &user.password),
            ("password", "short"),
            ("password_confirm", "short"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("New password must be at least 10 characters.")
    );

    let res = post(
        &here,
        &t,
        "/settings/security/password",
        &[
            ("_csrf", &csrf),
            ("current_password", &user.password),
            ("password", new),
            ("password_confirm", new),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (status, html) = page(&here, &t, "/settings/security").await;
    assert_eq!(status, 200, "this session stays signed in");
    assert!(html.contains("Your other sessions were signed out."));
    let res = elsewhere
        .get(t.url("/settings/security"))
        .send()
        .await
        .unwrap();
    assert_eq!((res.status().as_u16(), location(&res)), (303, "/login"));

    let changed = TestUser {
        password: new.to_owned(),
        ..user
    };
    t.sign_in(&changed).await;
}

#[tokio::test]
async fn account_totp_set_up_through_the_pages_then_sign_in_asks_for_a_code() {
    let t = spawn_app().await;
    let user = t.create_org_with("Acme", Role::Agent).await;
    let (c, csrf) = t.sign_in(&user).await;
    let (_, html) = page(&c, &t, "/settings/security").await;
    assert!(
        html.contains("href=\"/settings/security/totp\""),
        "offers set-up while off"
    );

    let (status, html) = page(&c, &t, "/settings/security/totp").await;
    assert_eq!(status, 200);
    assert!(html.contains("<svg"), "QR code inline");
    let secret = between(&html, "data-testid=\"totp-secret\">", "<");
    let res = post(
        &c,
        &t,
        "/settings/security/totp",
        &[("_csrf", &csrf), ("code", "000000")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("That code did not work."));
    assert_eq!(
        between(&html, "data-testid=\"totp-secret\">", "<"),
        secret,
        "the same seed again"
    );

    let res = post(
        &c,
        &t,
        "/settings/security/totp",
        &[("_csrf", &csrf), ("code", &current_code(&secret))],
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let codes = all_between(
        &between(&html, "data-testid=\"recovery-codes\">", "</ul>"),
        "<code>",
        "</code>",
    );
    assert_eq!(codes.len(), 10, "{html}");
    let (_, html) = page(&c, &t, "/settings/security").await;
    assert!(html.contains("10 recovery codes left"));
    let (_, html) = page(&c, &t, "/settings/security/totp").await;
    assert!(!html.contains("totp-secret"), "no new seed while it is on");

    // Signing in now asks for the second factor; a recovery code gets through.
    let (b, to) = password_step(&t, &user).await;
    assert_eq!(to, "/login/verify");
    let (_, verify) = page(&b, &t, "/login/verify").await;
    let anon = hidden_value(&verify, "_csrf").unwrap();
    let res = post(
        &b,
        &t,
        "/login/verify",
        &[("_csrf", &anon), ("code", &codes[0])],
    )
    .await;
    assert_eq!((res.status().as_u16(), location(&res)), (303, "/"));

    // New codes, then turning it off (password required).
    let res = post(
        &c,
        &t,
        "/settings/security/recovery-codes",
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        all_between(&res.text().await.unwrap(), "<li><code>", "</code>").len(),
        10
    );
    let res = post(
        &c,
        &t,
        "/settings/security/totp/disable",
        &[("_csrf", &csrf), ("password", "wrong password!")],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Your current password is not correct.")
    );
    let res = post(
        &c,
        &t,
        "/settings/security/totp/disable",
        &[("_csrf", &csrf), ("password", &user.password)],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (_, to) = password_step(&t, &user).await;
    assert_eq!(to, "/");
}

#[tokio::test]
async fn account_sessions_are_listed_and_signed_out() {
    let t = spawn_app().await;
    let user = t.create_org_with("Acme", Role::Agent).await;
    let (here, csrf) = t.sign_in(&user).await;
    let (second, _) = t.sign_in(&user).await;
    let (_, html) = page(&here, &t, "/settings/security").await;
    let ids = all_between(&html, "data-session=\"", "\"");
    assert_eq!(ids.len(), 2, "{html}");
    assert!(
        html.contains("This device") && html.contains("127.0.0.1 · Password<"),
        "{html}"
    );

    // The first entry is this device; sign out the other one by id.
    let res = post(
        &here,
        &t,
        &format!("/settings/security/sessions/{}/revoke", ids[1]),
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        second
            .get(t.url("/settings/security"))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );

    let (third, _) = t.sign_in(&user).await;
    let (fourth, _) = t.sign_in(&user).await;
    let (_, html) = page(&here, &t, "/settings/security").await;
    assert_eq!(all_between(&html, "data-session=\"", "\"").len(), 3);
    let res = post(
        &here,
        &t,
        "/settings/security/sessions/revoke-others",
        &[("_csrf", &csrf)],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (_, html) = page(&here, &t, "/settings/security").await;
    assert_eq!(all_between(&html, "data-session=\"", "\"").len(), 1);
    assert!(
        html.contains("You were signed out everywhere else.")
            && html.contains("This is your only session.")
    );
    for other in [third, fourth] {
        assert_eq!(
            other
                .get(t.url("/settings/security"))
                .send()
                .await
                .unwrap()
                .status(),
            303
        );
    }
}
