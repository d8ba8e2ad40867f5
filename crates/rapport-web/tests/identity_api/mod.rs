//! The identity API end to end (`/api/v1/auth`, `/tokens`, `/users`, `/teams`, `/roles`,
//! `/audit`) and the org switcher: what a script or an integrator sees.

mod concurrency;

use rapport_domain::Role;
use rapport_testkit::{TestApp, TestUser, spawn_app};
use serde_json::{Value, json};

async fn api_login(t: &TestApp, user: &TestUser) -> (reqwest::Client, String) {
    let c = t.browser();
    let res = c
        .post(t.url("/api/v1/auth/login"))
        .json(&json!({ "email": user.email, "password": user.password }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "API login");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user_id"], json!(user.id.to_string()));
    (c, body["csrf_token"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn api_login_sets_a_session_and_logout_ends_it() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Acme", Role::Owner).await;
    let (c, csrf) = api_login(&t, &owner).await;
    let me: Value = c
        .get(t.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["authenticated_by"], "session");
    assert!(me["permissions"].as_array().unwrap().len() >= 16);
    let res = c.post(t.url("/api/v1/auth/logout")).send().await.unwrap();
    assert_eq!(
        res.status(),
        403,
        "a cookie-authenticated write needs the CSRF header"
    );
    let res = c
        .post(t.url("/api/v1/auth/logout"))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        c.get(t.url("/api/v1/me")).send().await.unwrap().status(),
        401
    );
    let bad = t
        .client()
        .post(t.url("/api/v1/auth/login"))
        .json(&json!({ "email": owner.email, "password": "wrong password here" }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    let problem: Value = bad.json().await.unwrap();
    assert_eq!(problem["code"], "bad_credentials");
}

#[tokio::test]
async fn tokens_are_shown_once_scoped_and_revocable() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Acme", Role::Owner).await;
    let (c, csrf) = api_login(&t, &owner).await;
    let res = c
        .post(t.url("/api/v1/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&json!({ "name": "read only", "scopes": ["contacts.read"], "expires_in_days": 30 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("rpt_"));
    let list = c
        .get(t.url("/api/v1/tokens"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!list.contains(&secret), "the secret is never listed");
    assert!(list.contains("read only"));

    let bearer = t.client();
    let me: Value = bearer
        .get(t.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["authenticated_by"], "token");
    assert_eq!(
        me["permissions"],
        json!(["contacts.read"]),
        "scopes narrow the owner's rights"
    );
    let res = bearer
        .get(t.url("/api/v1/audit"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        403,
        "audit.read is outside the token's scopes"
    );
    let res = bearer
        .post(t.url("/api/v1/tokens"))
        .bearer_auth(&secret)
        .json(&json!({ "name": "minted by a token" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "a token cannot mint tokens");
    let res = c
        .post(t.url("/api/v1/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&json!({ "name": "bad", "scopes": ["root.everything"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);

    let id = created["id"].as_str().unwrap();
    let res = c
        .delete(t.url(&format!("/api/v1/tokens/{id}")))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = bearer
        .get(t.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "a revoked token stops working at once");
    for junk in ["", "rpt_", "rpt_not-a-real-token", "Bearer"] {
        let res = bearer
            .get(t.url("/api/v1/me"))
            .bearer_auth(junk)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "junk token {junk:?}");
    }
}

#[tokio::test]
async fn users_teams_and_roles_are_managed_through_the_api() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Acme", Role::Owner).await;
    let (c, csrf) = api_login(&t, &owner).await;
    let post = |path: &'static str, body: Value| {
        let (c, csrf, url) = (c.clone(), csrf.clone(), t.url(path));
        async move {
            c.post(url)
                .header("x-csrf-token", csrf)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };

    let res = post(
        "/api/v1/roles",
        json!({ "name": "Support lead", "permissions": ["conversations.read", "conversations.assign"] }),
    )
    .await;
    assert_eq!(res.status(), 201);
    let role: Value = res.json().await.unwrap();
    let roles: Value = c
        .get(t.url("/api/v1/roles"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = roles["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["owner", "admin", "agent", "viewer", "Support lead"]);

    let res = post(
        "/api/v1/users",
        json!({ "email": "Lena@Example.test", "name": "Lena", "password": "a long enough password", "role": "agent", "custom_role_id": role["id"] }),
    )
    .await;
    assert_eq!(res.status(), 201);
    let lena: Value = res.json().await.unwrap();
    assert_eq!(lena["email"], "lena@example.test", "emails are normalized");
    assert_eq!(lena["custom_role"], "Support lead");
    assert_eq!(
        lena["permissions"],
        json!(["conversations.read", "conversations.assign"])
    );
    let again = post(
        "/api/v1/users",
        json!({ "email": "lena@example.test", "password": "a long enough password", "role": "viewer" }),
    )
    .await;
    assert_eq!(
        again.status(),
        409,
        "existing accounts are invited, not added"
    );

    let res = post(
        "/api/v1/teams",
        json!({ "name": "Tier 1", "description": "First line", "members": [lena["id"]] }),
    )
    .await;
    assert_eq!(res.status(), 201);
    let team: Value = res.json().await.unwrap();
    assert_eq!(team["members"], json!([lena["id"]]));

    let lena_id = lena["id"].as_str().unwrap();
    let res = c
        .patch(t.url(&format!("/api/v1/users/{lena_id}")))
        .header("x-csrf-token", &csrf)
        .json(&json!({ "role": "viewer" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["role"], "viewer");
    assert_eq!(updated["custom_role"], Value::Null);

    let role_id = role["id"].as_str().unwrap();
    let res = c
        .delete(t.url(&format!("/api/v1/roles/{role_id}")))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204, "nobody holds the role any more");
    let owner_id = owner.id.to_string();
    let res = c
        .patch(t.url(&format!("/api/v1/users/{owner_id}")))
        .header("x-csrf-token", &csrf)
        .json(&json!({ "role": "admin" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409, "the last owner cannot step down");
    let res = c
        .delete(t.url(&format!("/api/v1/users/{lena_id}")))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let users: Value = c
        .get(t.url("/api/v1/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(users["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_audit_api_pages_and_filters_and_needs_audit_read() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Acme", Role::Owner).await;
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let (c, _) = api_login(&t, &owner).await;
    for _ in 0..3 {
        api_login(&t, &owner).await;
    }
    let page: Value = c
        .get(t.url("/api/v1/audit?action=auth.&limit=2"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|e| e["action"] == "auth.login"));
    assert!(
        items[0]["seq"].as_i64() > items[1]["seq"].as_i64(),
        "newest first"
    );
    let cursor = page["next_cursor"].as_str().unwrap();
    let next: Value = c
        .get(t.url(&format!(
            "/api/v1/audit?action=auth.&limit=2&cursor={cursor}"
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(next["items"].as_array().unwrap().len(), 2);
    let res = c.get(t.url("/api/v1/audit?bogus=1")).send().await.unwrap();
    assert_eq!(res.status(), 422, "unknown filters are refused");
    let (agent_client, _) = api_login(&t, &agent).await;
    let res = agent_client
        .get(t.url("/api/v1/audit"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn a_member_of_two_orgs_switches_between_them() {
    let t = spawn_app().await;
    let first = t.create_org_with("First Org", Role::Owner).await;
    let second = t.create_org_with("Second Org", Role::Agent).await;
    let (c, csrf) = t.sign_in(&first).await;
    // An owner of the second org invites the first org's owner; they join with their account.
    let owner_b = t.add_member(second.org_id, Role::Owner).await;
    let (cb, csrf_b) = t.sign_in(&owner_b).await;
    let sent = cb
        .post(t.url("/admin/members/invite"))
        .form(&[
            ("_csrf", csrf_b.as_str()),
            ("email", first.email.as_str()),
            ("role", "viewer"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = sent
        .split("/invite/")
        .nth(1)
        .and_then(|rest| rest.split(['"', '<', ' ']).next())
        .expect("the invitation link is shown")
        .to_owned();
    let res = c
        .post(t.url(&format!("/invite/{token}/join")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let me: Value = c
        .get(t.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        me["org_id"],
        json!(second.org_id.to_string()),
        "joining switches to the new org"
    );
    let page = c
        .get(t.url("/orgs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("First Org") && page.contains("Second Org"));
    let res = c
        .post(t.url(&format!("/orgs/{}/switch", first.org_id)))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let me: Value = c
        .get(t.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["org_id"], json!(first.org_id.to_string()));
    assert_eq!(me["role"], "owner");
    let stranger = t.create_org_with("Stranger Org", Role::Owner).await;
    let res = c
        .post(t.url(&format!("/orgs/{}/switch", stranger.org_id)))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        404,
        "no switching into an org you do not belong to"
    );
}
