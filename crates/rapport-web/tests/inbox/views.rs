//! Saved views and team folders: a member keeps named filters (their own or, as a settings
//! manager, shared with everyone), opens them in the folder pane and the list shows just what
//! they say; a view names only its org's inboxes and teams and stays in its org.

use super::{Browser, api_inbox, post_inbound, token};
use rapport_domain::Role;
use rapport_testkit::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

async fn conversation(t: &TestApp, tok: &str, inbox: &str, who: &str) -> String {
    let body = json!({ "contact": { "identifier": who, "name": who }, "content": format!("Hi, {who} here") });
    let (status, r) = post_inbound(t, &t.client(), tok, inbox, who, body).await;
    assert_eq!(status, 201, "{r}");
    r["conversation_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn saved_views_filter_the_list_and_are_private_unless_shared() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Views Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let web = api_inbox(&t, &b, "Website").await;
    let mail = api_inbox(&t, &b, "Mail").await;
    let tok = token(&t, &b).await;
    let urgent = conversation(&t, &tok, &web, "urgent-ursula").await;
    conversation(&t, &tok, &web, "calm-carl").await;
    let elsewhere = conversation(&t, &tok, &mail, "mail-mia").await;
    for id in [&urgent, &elsewhere] {
        b.api_ok(
            &t,
            Method::POST,
            &format!("/conversations/{id}/priority"),
            Some(json!({ "priority": "urgent" })),
        )
        .await;
    }

    // Refused: no filter, another org's inbox, a bad label, a nameless view.
    let other = t.create_org_with("Other Org", Role::Owner).await;
    let ob = Browser::sign_in(&t, &other).await;
    let theirs = api_inbox(&t, &ob, "Theirs").await;
    for body in [
        json!({ "name": "Everything", "filter": {} }),
        json!({ "name": "Theirs", "filter": { "inbox_id": theirs } }),
        json!({ "name": "Bad", "filter": { "label": "no <tags>" } }),
        json!({ "name": "", "filter": { "label": "x" } }),
    ] {
        let res = b
            .api(&t, Method::POST, "/conversation-views", Some(body.clone()))
            .await;
        assert_eq!(res.status(), 422, "{body}");
    }

    // The form in the UI saves a view and opens it.
    let res = b
        .form(
            &t,
            "/inbox/views",
            &[
                ("name", "Urgent on the website"),
                ("inbox", &web),
                ("priority", "urgent"),
                ("shared", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/inbox?folder=view:"), "{to}");
    let (status, page) = b.get(&t, &to).await;
    assert_eq!(status, 200);
    assert!(page.contains("urgent-ursula"));
    assert!(!page.contains("calm-carl"), "not urgent");
    assert!(!page.contains("mail-mia"), "another inbox");
    assert!(
        page.contains("Urgent on the website"),
        "the view is in the folder pane"
    );
    let view_id = to
        .trim_start_matches("/inbox?folder=view:")
        .split('&')
        .next()
        .unwrap()
        .to_owned();

    // An agent sees the shared view, keeps a private one, and cannot share or delete others'.
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let ab = Browser::sign_in(&t, &agent).await;
    let mine = ab
        .api_ok(
            &t,
            Method::POST,
            "/conversation-views",
            Some(json!({
            "name": "Mine, unanswered", "filter": { "assignee": { "type": "me" } } })),
        )
        .await;
    let res = ab
        .api(
            &t,
            Method::POST,
            "/conversation-views",
            Some(json!({
            "name": "For all", "shared": true, "filter": { "label": "x" } })),
        )
        .await;
    assert_eq!(res.status(), 403);
    let seen: Vec<String> = ab
        .api_ok(&t, Method::GET, "/conversation-views", None)
        .await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        seen,
        vec!["Urgent on the website", "Mine, unanswered"],
        "shared first"
    );
    let owners: Vec<Value> = b.api_ok(&t, Method::GET, "/conversation-views", None).await["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(owners.len(), 1, "the agent's private view is theirs alone");
    let res = ab
        .api(
            &t,
            Method::DELETE,
            &format!("/conversation-views/{view_id}"),
            None,
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = ab
        .api(
            &t,
            Method::DELETE,
            &format!("/conversation-views/{}", mine["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(res.status(), 204);

    // Another org cannot open the view, not even by its id in the folder parameter.
    let (status, _) = ob.get(&t, &format!("/inbox?folder=view:{view_id}")).await;
    assert_eq!(status, 404);
    let res = ob
        .api(
            &t,
            Method::GET,
            &format!("/conversation-views/{view_id}"),
            None,
        )
        .await;
    assert_eq!(res.status(), 404);

    // The owner deletes it from its list.
    let res = b
        .form(&t, &format!("/inbox/views/{view_id}/delete"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        b.api_ok(&t, Method::GET, "/conversation-views", None).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn each_team_has_a_folder() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Team Folders", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let team = b
        .api_ok(
            &t,
            Method::POST,
            "/teams",
            Some(json!({ "name": "Billing crew" })),
        )
        .await;
    let team_id = team["id"].as_str().unwrap();
    let inbox = api_inbox(&t, &b, "Website").await;
    let tok = token(&t, &b).await;
    let theirs = conversation(&t, &tok, &inbox, "team-tara").await;
    conversation(&t, &tok, &inbox, "nobody-ned").await;
    b.api_ok(
        &t,
        Method::POST,
        &format!("/conversations/{theirs}/assign"),
        Some(json!({ "team_id": team_id })),
    )
    .await;
    let (_, all) = b.get(&t, "/inbox?folder=all&status=open").await;
    assert!(
        all.contains("Billing crew"),
        "the team is in the folder pane"
    );
    let (status, page) = b
        .get(&t, &format!("/inbox?folder=team:{team_id}&status=open"))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("team-tara"));
    assert!(!page.contains("nobody-ned"));
}
