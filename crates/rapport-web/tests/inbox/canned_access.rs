//! Canned responses and who may do what: agents read and render but do not write, a role
//! without `conversations.read` reads nothing; the settings page manages them (a refused form
//! keeps what was typed and names the failing line) and the composer offers the picker.

use super::canned::{call, codes, conversation};
use super::{Browser, api_inbox};
use rapport_domain::Role;
use rapport_testkit::spawn_app;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn roles_without_the_permission_are_refused() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Roles Canned Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Website").await;
    let (conv, _) = conversation(&t, &b, &inbox, "ada").await;
    let canned = b
        .api_ok(
            &t,
            Method::POST,
            "/canned-responses",
            Some(
                json!({ "short_code": "hi", "title": "Hi", "body": "Hi {{ contact.first_name }}" }),
            ),
        )
        .await;
    let id = canned["id"].as_str().unwrap().to_owned();
    let one = format!("/canned-responses/{id}");
    let render = format!("/conversations/{conv}/canned-responses/{id}/render");

    // Agents read and render, but do not write.
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let ab = Browser::sign_in(&t, &agent).await;
    assert_eq!(
        codes(&ab.api_ok(&t, Method::GET, "/canned-responses", None).await),
        ["hi"]
    );
    let out = ab.api_ok(&t, Method::POST, &render, None).await;
    assert_eq!(out["body"], "Hi Ada King");
    let write = json!({ "short_code": "x", "title": "X", "body": "X" });
    for (method, path, body) in [
        (
            Method::POST,
            "/canned-responses".to_owned(),
            Some(write.clone()),
        ),
        (Method::PATCH, one.clone(), Some(json!({ "title": "X" }))),
        (Method::DELETE, one.clone(), None),
    ] {
        let (status, p) = call(&t, &ab, method.clone(), &path, body).await;
        assert_eq!(status, 403, "agent {method} {path}: {p}");
        assert_eq!(p["code"], "forbidden");
    }
    let (status, _) = ab.get(&t, "/admin/canned-responses").await;
    assert_eq!(status, 403, "the settings page is for settings managers");

    // A custom role without conversations.read reads nothing.
    let cb = super::crm_only_member(&t, &owner, &b).await;
    for (method, path) in [
        (Method::GET, "/canned-responses".to_owned()),
        (Method::GET, one.clone()),
        (Method::POST, render.clone()),
    ] {
        let (status, p) = call(&t, &cb, method.clone(), &path, None).await;
        assert_eq!(status, 403, "{method} {path}: {p}");
    }
}

#[tokio::test]
async fn the_settings_page_manages_canned_responses_and_the_composer_offers_them() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Page Canned Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Website").await;
    let (conv, _) = conversation(&t, &b, &inbox, "ada").await;

    let (status, html) = b.get(&t, "/admin/canned-responses").await;
    assert_eq!(status, 200);
    assert!(html.contains("No canned responses yet"), "the empty state");
    assert!(
        html.contains("href=\"/admin/canned-responses\""),
        "linked from the menu"
    );
    let res = b
        .form(
            &t,
            "/admin/canned-responses",
            &[
                ("short_code", "thanks"),
                ("title", "Sign-off"),
                ("inbox_id", &inbox),
                ("body", "Thanks!\r\n{{ agent.first_name }}"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = b.get(&t, "/admin/canned-responses").await;
    assert!(html.contains("Canned response added."), "the flash");
    assert!(html.contains("/thanks") && html.contains("Sign-off"));
    let list = b.api_ok(&t, Method::GET, "/canned-responses", None).await;
    let item = &list["items"][0];
    assert_eq!(item["body"], "Thanks!\n{{ agent.first_name }}");
    assert_eq!(item["inbox_id"], inbox.as_str());
    let id = item["id"].as_str().unwrap().to_owned();

    // A refused form comes back with what was typed and the line that failed.
    let res = b
        .form(
            &t,
            &format!("/admin/canned-responses/{id}"),
            &[
                ("short_code", "thanks"),
                ("title", "Sign-off"),
                ("inbox_id", ""),
                ("body", "Thanks!\n{{ agent.first_name"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("line 2: syntax error"), "names the line");
    assert!(
        html.contains("{{ agent.first_name</textarea>"),
        "keeps the text"
    );
    let res = b
        .form(
            &t,
            "/admin/canned-responses",
            &[("short_code", "thanks"), ("title", "Again"), ("body", "x")],
        )
        .await;
    assert_eq!(res.status(), 409, "the code is taken");

    // The composer offers the picker for this conversation's inbox.
    let (_, html) = b.get(&t, &format!("/inbox/conversations/{conv}")).await;
    assert!(html.contains("data-canned "), "the picker");
    assert!(html.contains(&format!("/api/v1/canned-responses?inbox_id={inbox}")));
    assert!(html.contains("/static/canned.js"));
    let res = t
        .client()
        .get(t.url("/static/canned.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let res = b
        .form(&t, &format!("/admin/canned-responses/{id}/delete"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        b.api_ok(&t, Method::GET, "/canned-responses", None).await["items"],
        json!([])
    );
}
