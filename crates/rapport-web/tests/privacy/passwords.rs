//! C3 — passwords are hashed with Argon2id at the OWASP parameters, whichever way the account
//! came to be (first-run setup, an accepted invitation, the API, the operator command, a
//! password change), and an imported bcrypt hash (cost 12) is replaced at the next sign-in.

use super::{Browser, PASSWORD, execute, query};
use rapport_domain::UserId;
use rapport_testkit::{TestApp, TestUser, hidden_value, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

/// Argon2id, version 0x13, m = 19 MiB, t = 2, p = 1 (OWASP Password Storage Cheat Sheet).
const OWASP_ARGON2ID: &str = "$argon2id$v=19$m=19456,t=2,p=1$";

/// bcrypt, cost 12, of "imported horse battery" (as another system would have stored it).
const IMPORTED_BCRYPT: &str = "$2b$12$K8SxTymWdE92QFNntzQddecu4AFCSs65OkDKGTSjzKwT1uP6ccqKO";
const IMPORTED_PASSWORD: &str = "imported horse battery";

async fn stored_hash(t: &TestApp, email: &str) -> String {
    let rows = query(
        t,
        "SELECT password_hash FROM users WHERE email = $1",
        vec![email.into()],
    )
    .await;
    rows[0].try_get_by_index::<String>(0).unwrap()
}

#[tokio::test]
async fn pp_c3_passwords_hashed_with_argon2id_owasp_parameters() {
    let t = spawn_app().await;
    // First-run setup.
    let res = t
        .client()
        .post(t.url("/api/v1/setup"))
        .json(&json!({
            "org_name": "Hash Org", "name": "Setup Owner", "email": "setup@example.test",
            "password": PASSWORD,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let owner = TestUser {
        id: created["user_id"].as_str().unwrap().parse().unwrap(),
        org_id: created["org_id"].as_str().unwrap().parse().unwrap(),
        email: "setup@example.test".into(),
        password: PASSWORD.into(),
    };
    let ob = Browser::sign_in(&t, &owner).await;

    // An invitation accepted with a new account.
    let res = ob
        .form(
            &t,
            "/admin/members/invite",
            &[("email", "invited@example.test"), ("role", "agent")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let input = &html[html.find("id=\"invite-link\"").unwrap()..];
    let link = super::between(input, "value=\"", "\"").unwrap();
    let token = link.rsplit('/').next().unwrap().to_owned();
    let invitee = t.browser();
    let page = invitee
        .get(t.url(&format!("/invite/{token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden_value(&page, "_csrf").unwrap();
    let res = invitee
        .post(t.url(&format!("/invite/{token}")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "Invited Person"),
            ("password", PASSWORD),
            ("time_zone", "UTC"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);

    // The API, and the operator's command.
    let added = ob
        .api_ok(
            &t,
            Method::POST,
            "/users",
            Some(json!({
                "email": "api@example.test", "name": "Api Person", "password": PASSWORD,
                "role": "agent",
            })),
        )
        .await;
    t.app
        .create_org_as_operator("Operator Org", "operator@example.test", PASSWORD)
        .await
        .unwrap();

    // A password change.
    let api_user = TestUser {
        id: added["id"].as_str().unwrap().parse::<UserId>().unwrap(),
        org_id: owner.org_id,
        email: "api@example.test".into(),
        password: PASSWORD.into(),
    };
    let changer = Browser::sign_in(&t, &api_user).await;
    let res = changer
        .form(
            &t,
            "/settings/security/password",
            &[
                ("current_password", PASSWORD),
                ("password", "another fine passphrase"),
                ("password_confirm", "another fine passphrase"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);

    let rows = query(&t, "SELECT email, password_hash FROM users", vec![]).await;
    let hashes: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.try_get_by_index::<String>(0).unwrap(),
                r.try_get_by_index::<String>(1).unwrap(),
            )
        })
        .collect();
    assert_eq!(hashes.len(), 4, "{hashes:?}");
    for (email, hash) in &hashes {
        assert!(
            hash.starts_with(OWASP_ARGON2ID),
            "{email}: stored hash {hash} is not Argon2id at the OWASP parameters"
        );
        let salt_and_hash: Vec<&str> = hash[OWASP_ARGON2ID.len()..].split('$').collect();
        assert_eq!(salt_and_hash.len(), 2, "{hash}");
        assert!(salt_and_hash[0].len() >= 22, "a salt of at least 16 bytes");
        assert!(salt_and_hash[1].len() >= 43, "a 32-byte hash");
    }
    let distinct: std::collections::BTreeSet<&String> = hashes.iter().map(|(_, h)| h).collect();
    assert_eq!(
        distinct.len(),
        hashes.len(),
        "salted: equal passwords hash apart"
    );

    // An imported account with a bcrypt hash (cost 12) signs in, and is rehashed.
    assert!(IMPORTED_BCRYPT.starts_with("$2b$12$"));
    let updated = execute(
        &t,
        "UPDATE users SET password_hash = $1 WHERE email = $2",
        vec![IMPORTED_BCRYPT.into(), "invited@example.test".into()],
    )
    .await;
    assert_eq!(updated, 1);
    let imported = TestUser {
        id: UserId::new(),
        org_id: owner.org_id,
        email: "invited@example.test".into(),
        password: IMPORTED_PASSWORD.into(),
    };
    Browser::sign_in(&t, &imported).await;
    let rehashed = stored_hash(&t, "invited@example.test").await;
    assert!(
        rehashed.starts_with(OWASP_ARGON2ID),
        "replaced at sign-in: {rehashed}"
    );
    Browser::sign_in(&t, &imported).await;
    assert_eq!(
        stored_hash(&t, "invited@example.test").await,
        rehashed,
        "a current hash is kept"
    );
}
