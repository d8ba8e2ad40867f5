//! Automatic assignment over the API: an inbox with a team hands new conversations round-robin
//! among its online members, skips members away or at capacity (leaving the conversation
//! unassigned when nobody can take it), and least-loaded picks whoever has the fewest open
//! conversations; the assignee is told and the thread says who assigned it.

use super::canned::call;
use super::{Browser, api_inbox, post_inbound, token};
use rapport_domain::Role;
use rapport_testkit::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

async fn customer(t: &TestApp, tok: &str, inbox: &str, who: &str) -> String {
    let body = json!({ "contact": { "identifier": who }, "content": format!("Hello from {who}") });
    let (status, r) = post_inbound(t, &t.client(), tok, inbox, who, body).await;
    assert_eq!(status, 201, "{r}");
    r["conversation_id"].as_str().unwrap().to_owned()
}

async fn assignee(t: &TestApp, b: &Browser, conv: &str) -> Value {
    b.api_ok(t, Method::GET, &format!("/conversations/{conv}"), None)
        .await["assignee"]["id"]
        .clone()
}

#[tokio::test]
async fn new_conversations_go_round_robin_or_least_loaded_to_online_members_with_room() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Routing Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let ben = t.add_member(owner.org_id, Role::Agent).await;
    let cy = t.add_member(owner.org_id, Role::Agent).await;
    let cb = Browser::sign_in(&t, &cy).await;
    let bb = Browser::sign_in(&t, &ben).await;
    let team = b
        .api_ok(
            &t,
            Method::POST,
            "/teams",
            Some(json!({ "name": "Tier 1", "members": [ben.id, cy.id] })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let inbox = api_inbox(&t, &b, "Support").await;
    let set = b
        .api_ok(
            &t,
            Method::PATCH,
            &format!("/inboxes/{inbox}"),
            Some(json!({ "team_id": team, "auto_assign": "round_robin" })),
        )
        .await;
    assert_eq!(set["auto_assign"], "round_robin");
    let tok = token(&t, &b).await;
    let (first, second) = if ben.id < cy.id {
        (&ben, &cy)
    } else {
        (&cy, &ben)
    };

    let c1 = customer(&t, &tok, &inbox, "c1").await;
    let c2 = customer(&t, &tok, &inbox, "c2").await;
    let c3 = customer(&t, &tok, &inbox, "c3").await;
    assert_eq!(assignee(&t, &b, &c1).await, first.id.to_string());
    assert_eq!(
        assignee(&t, &b, &c2).await,
        second.id.to_string(),
        "in turn"
    );
    assert_eq!(assignee(&t, &b, &c3).await, first.id.to_string());
    let thread = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/conversations/{c1}/messages"),
            None,
        )
        .await;
    let line = thread["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "activity")
        .unwrap();
    assert!(
        line["content"]
            .as_str()
            .unwrap()
            .starts_with("Auto-assignment assigned this to")
    );
    assert_eq!(line["sender"]["type"], "system");

    // Cy steps away: Ben gets the next one. Ben at capacity too: nobody does.
    let away = cb
        .api_ok(
            &t,
            Method::PUT,
            "/me/availability",
            Some(json!({ "availability": "away" })),
        )
        .await;
    assert_eq!(away["availability"], "away");
    let c4 = customer(&t, &tok, &inbox, "c4").await;
    assert_eq!(assignee(&t, &b, &c4).await, ben.id.to_string());
    let w = b
        .api_ok(
            &t,
            Method::PUT,
            &format!("/users/{}/capacity", ben.id),
            Some(json!({ "capacity": 2 })),
        )
        .await;
    assert_eq!(w["capacity"], 2);
    let c5 = customer(&t, &tok, &inbox, "c5").await;
    assert_eq!(
        assignee(&t, &b, &c5).await,
        Value::Null,
        "nobody can take it"
    );

    // Least-loaded: Cy back online with fewer open conversations gets it.
    cb.api_ok(
        &t,
        Method::PUT,
        "/me/availability",
        Some(json!({ "availability": "online" })),
    )
    .await;
    b.api_ok(
        &t,
        Method::PUT,
        &format!("/users/{}/capacity", ben.id),
        Some(json!({ "capacity": null })),
    )
    .await;
    b.api_ok(
        &t,
        Method::PATCH,
        &format!("/inboxes/{inbox}"),
        Some(json!({ "auto_assign": "least_loaded" })),
    )
    .await;
    let c6 = customer(&t, &tok, &inbox, "c6").await;
    assert_eq!(assignee(&t, &b, &c6).await, cy.id.to_string());
    let mine = bb.api_ok(&t, Method::GET, "/me/workload", None).await;
    assert_eq!(mine["availability"], "online");
    assert_eq!(mine["capacity"], Value::Null);
    let notes = cb.api_ok(&t, Method::GET, "/notifications", None).await;
    assert!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["link"] == format!("/inbox/conversations/{c6}"))
    );

    // Bad input is refused.
    for (path, body) in [
        (
            "/me/availability".to_owned(),
            json!({ "availability": "busy" }),
        ),
        (
            format!("/users/{}/capacity", ben.id),
            json!({ "capacity": 5000 }),
        ),
        (
            format!("/inboxes/{inbox}"),
            json!({ "auto_assign": "random" }),
        ),
    ] {
        let method = if path.starts_with("/inboxes") {
            Method::PATCH
        } else {
            Method::PUT
        };
        let (status, _) = call(&t, &b, method, &path, Some(body)).await;
        assert_eq!(status, 422, "{path}");
    }
    let (status, _) = call(
        &t,
        &cb,
        Method::PUT,
        &format!("/users/{}/capacity", ben.id),
        Some(json!({ "capacity": 1 })),
    )
    .await;
    assert_eq!(status, 403, "agents do not set capacities");
}
