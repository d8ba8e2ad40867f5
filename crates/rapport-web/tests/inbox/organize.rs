//! Labels, merge, split, move and bulk actions.

use super::{Browser, api_inbox, count, from, post_inbound, token};
use rapport_domain::Role;
use rapport_testkit::spawn_app;
use reqwest::Method;
use serde_json::{Value, json};

fn contents(thread: &Value) -> Vec<String> {
    thread["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "message")
        .map(|m| m["content"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn labels_are_normalized_counted_and_filterable() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Labels Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let tok = token(&t, &b).await;
    let c = t.client();
    let (_, one) = post_inbound(&t, &c, &tok, &inbox, "1", from("a", "A", "x")).await;
    let (_, two) = post_inbound(&t, &c, &tok, &inbox, "2", from("b", "B", "y")).await;
    let (one, two) = (
        one["conversation_id"].as_str().unwrap(),
        two["conversation_id"].as_str().unwrap(),
    );

    let labelled = b
        .api_ok(
            &t,
            Method::POST,
            &format!("/conversations/{one}/labels"),
            Some(json!({ "labels": ["Billing Issue", "vip", "VIP"] })),
        )
        .await;
    assert_eq!(labelled["labels"], json!(["billing-issue", "vip"]));
    let adjusted = b
        .api_ok(
            &t,
            Method::POST,
            &format!("/conversations/{one}/labels"),
            Some(json!({ "add": ["refund"], "remove": ["vip"] })),
        )
        .await;
    assert_eq!(adjusted["labels"], json!(["billing-issue", "refund"]));
    b.api_ok(
        &t,
        Method::POST,
        &format!("/conversations/{two}/labels"),
        Some(json!({ "add": ["refund"] })),
    )
    .await;
    let bad = b
        .api(
            &t,
            Method::POST,
            &format!("/conversations/{two}/labels"),
            Some(json!({ "add": ["a,b"] })),
        )
        .await;
    assert_eq!(bad.status(), 422);

    let labels = b.api_ok(&t, Method::GET, "/labels", None).await;
    assert_eq!(
        labels["items"][0],
        json!({ "label": "refund", "conversations": 2 })
    );
    let billing = b
        .api_ok(&t, Method::GET, "/conversations?label=billing-issue", None)
        .await;
    assert_eq!(billing["items"].as_array().unwrap().len(), 1);
    assert_eq!(billing["items"][0]["id"], one);

    // A label folder is in activity order like every folder, and follows new activity: the
    // customer writes again in the first one, which moves to the top, page by page.
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let refund = b
        .api_ok(&t, Method::GET, "/conversations?label=refund", None)
        .await;
    assert_eq!(ids(&refund), vec![two, one]);
    post_inbound(&t, &c, &tok, &inbox, "3", from("a", "A", "any news?")).await;
    let first = b
        .api_ok(&t, Method::GET, "/conversations?label=refund&limit=1", None)
        .await;
    assert_eq!(ids(&first), vec![one]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/conversations?label=refund&limit=1&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(ids(&second), vec![two]);
}

#[tokio::test]
async fn merge_split_and_move_keep_every_message() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Merge Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let support = api_inbox(&t, &b, "Support").await;
    let billing = api_inbox(&t, &b, "Billing").await;
    let tok = token(&t, &b).await;
    let c = t.client();
    let (_, a1) = post_inbound(&t, &c, &tok, &support, "1", from("ann", "Ann", "first")).await;
    post_inbound(&t, &c, &tok, &support, "2", from("ann", "Ann", "second")).await;
    let (_, b1) = post_inbound(&t, &c, &tok, &billing, "3", from("ann2", "Ann", "invoice?")).await;
    let (keep, gone) = (
        a1["conversation_id"].as_str().unwrap(),
        b1["conversation_id"].as_str().unwrap(),
    );
    b.api_ok(
        &t,
        Method::POST,
        &format!("/conversations/{gone}/labels"),
        Some(json!({ "add": ["billing"] })),
    )
    .await;

    let merged = b
        .api_ok(
            &t,
            Method::POST,
            &format!("/conversations/{keep}/merge"),
            Some(json!({ "source_id": gone })),
        )
        .await;
    assert_eq!(merged["message_count"], 3);
    assert_eq!(merged["labels"], json!(["billing"]));
    assert_eq!(
        b.api(&t, Method::GET, &format!("/conversations/{gone}"), None)
            .await
            .status(),
        404
    );
    let thread = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/conversations/{keep}/messages"),
            None,
        )
        .await;
    assert_eq!(contents(&thread), vec!["first", "second", "invoice?"]);
    let itself = b
        .api(
            &t,
            Method::POST,
            &format!("/conversations/{keep}/merge"),
            Some(json!({ "source_id": keep })),
        )
        .await;
    assert_eq!(itself.status(), 422);

    let invoice = thread["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["content"] == "invoice?")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let split = b
        .api(
            &t,
            Method::POST,
            &format!("/messages/{invoice}/split"),
            None,
        )
        .await;
    assert_eq!(split.status(), 201);
    let split: Value = split.json().await.unwrap();
    assert_eq!(split["number"], 3);
    let new_thread = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/conversations/{}/messages", split["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(contents(&new_thread), vec!["invoice?"]);
    let old_thread = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/conversations/{keep}/messages"),
            None,
        )
        .await;
    assert_eq!(contents(&old_thread), vec!["first", "second"]);
    let activity_id = old_thread["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "activity")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = b
        .api(
            &t,
            Method::POST,
            &format!("/messages/{activity_id}/split"),
            None,
        )
        .await;
    assert_eq!(refused.status(), 422);

    let moved = b
        .api_ok(
            &t,
            Method::POST,
            &format!("/conversations/{keep}/move"),
            Some(json!({ "inbox_id": billing })),
        )
        .await;
    assert_eq!(moved["inbox"]["name"], "Billing");
    // Three messages and five activity lines (label, merge, split on both sides, move).
    assert_eq!(count(&t, "messages", owner.org_id).await, 3 + 5);
}

#[tokio::test]
async fn bulk_actions_change_all_or_nothing_and_skip_other_orgs_ids() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Bulk Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let tok = token(&t, &b).await;
    let c = t.client();
    let mut ids = Vec::new();
    for i in 0..3 {
        let (_, r) = post_inbound(
            &t,
            &c,
            &tok,
            &inbox,
            &format!("{i}"),
            from(&format!("p{i}"), "P", "x"),
        )
        .await;
        ids.push(r["conversation_id"].clone());
    }
    let foreign = uuid::Uuid::now_v7().to_string();
    let mut selection = ids.clone();
    selection.push(json!(foreign));

    let bad = b
        .api(&t, Method::POST, "/conversations/bulk",
            Some(json!({ "ids": selection, "status": "snoozed", "snooze_until": "2001-01-01T00:00:00Z" })))
        .await;
    assert_eq!(bad.status(), 422);
    let nothing = b
        .api(
            &t,
            Method::POST,
            "/conversations/bulk",
            Some(json!({ "ids": ids })),
        )
        .await;
    assert_eq!(nothing.status(), 422);

    let done = b
        .api_ok(&t, Method::POST, "/conversations/bulk",
            Some(json!({ "ids": selection, "status": "resolved", "assignee_id": owner.id, "add_labels": ["batch"] })))
        .await;
    assert_eq!(done["updated"].as_array().unwrap().len(), 3);
    assert_eq!(done["not_found"], json!([foreign]));
    let resolved = b
        .api_ok(
            &t,
            Method::GET,
            "/conversations?status=resolved&label=batch&assignee=me",
            None,
        )
        .await;
    assert_eq!(resolved["items"].as_array().unwrap().len(), 3);
    let open = b
        .api_ok(&t, Method::GET, "/conversations?status=open", None)
        .await;
    assert_eq!(open["items"], json!([]));

    let too_many: Vec<String> = (0..101).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let res = b
        .api(
            &t,
            Method::POST,
            "/conversations/bulk",
            Some(json!({ "ids": too_many, "status": "open" })),
        )
        .await;
    assert_eq!(res.status(), 422);
}
