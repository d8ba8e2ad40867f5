//! Inboxes and the API channel: creating inboxes, a customer's messages filed under one
//! contact and conversation, repeats stored once, reopening after resolve (or not), and bad
//! posts refused field by field with nothing stored.

use super::{Browser, api_inbox, count, from, post_inbound, token};
use rapport_domain::Role;
use rapport_testkit::spawn_app;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn admins_manage_inboxes_and_agents_only_read_them() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Inbox Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let support = b
        .api_ok(
            &t,
            Method::POST,
            "/inboxes",
            Some(json!({ "name": "  Support  " })),
        )
        .await;
    assert_eq!(support["name"], "Support");
    assert_eq!(support["channel"], "api");
    assert_eq!(support["reopen_resolved"], true);

    let taken = b
        .api(
            &t,
            Method::POST,
            "/inboxes",
            Some(json!({ "name": "Support" })),
        )
        .await;
    assert_eq!(taken.status(), 409);
    let email = b
        .api(
            &t,
            Method::POST,
            "/inboxes",
            Some(json!({ "name": "Mail", "channel": "email" })),
        )
        .await;
    assert_eq!(email.status(), 422);
    assert!(
        email
            .text()
            .await
            .unwrap()
            .contains("needs its mailbox and SMTP settings")
    );
    let chat = b
        .api(
            &t,
            Method::POST,
            "/inboxes",
            Some(json!({ "name": "Chat", "channel": "widget" })),
        )
        .await;
    assert_eq!(chat.status(), 422);
    assert!(chat.text().await.unwrap().contains("channel"));

    let id = support["id"].as_str().unwrap();
    let changed = b
        .api_ok(
            &t,
            Method::PATCH,
            &format!("/inboxes/{id}"),
            Some(json!({ "name": "Customer care", "reopen_resolved": false })),
        )
        .await;
    assert_eq!(changed["name"], "Customer care");
    assert_eq!(changed["reopen_resolved"], false);

    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let a = Browser::sign_in(&t, &agent).await;
    let list = a.api_ok(&t, Method::GET, "/inboxes", None).await;
    assert_eq!(list["items"][0]["name"], "Customer care");
    let refused = a
        .api(
            &t,
            Method::POST,
            "/inboxes",
            Some(json!({ "name": "Mine" })),
        )
        .await;
    assert_eq!(refused.status(), 403);

    b.api_ok(&t, Method::DELETE, &format!("/inboxes/{id}"), None)
        .await;
    let list = a.api_ok(&t, Method::GET, "/inboxes", None).await;
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn a_customers_messages_land_in_one_conversation_and_a_repeat_is_stored_once() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Ingest Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let tok = token(&t, &b).await;
    let c = t.client();

    let mut with_phone = from("cust-7", "Ana Lima", "My order is late");
    with_phone["contact"]["phone"] = json!("+1 415-555-0132");
    let (status, first) = post_inbound(&t, &c, &tok, &inbox, "m-1", with_phone).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["duplicate"], false);
    assert_eq!(first["opened_conversation"], true);
    assert_eq!(first["conversation_number"], 1);
    assert_eq!(first["message"]["content"], "My order is late");
    assert_eq!(first["message"]["direction"], "incoming");
    let conversation = first["conversation_id"].as_str().unwrap().to_owned();
    let contact = first["contact_id"].as_str().unwrap().to_owned();
    let person = b
        .api_ok(&t, Method::GET, &format!("/contacts/{contact}"), None)
        .await;
    assert_eq!(person["first_name"], "Ana");
    assert_eq!(person["last_name"], "Lima");
    assert_eq!(
        person["phones"][0]["e164"], "+14155550132",
        "the phone the channel sent is the new contact's number: {person}"
    );

    let (status, second) = post_inbound(
        &t,
        &c,
        &tok,
        &inbox,
        "m-2",
        from("cust-7", "Ana Lima", "Any news?"),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(second["conversation_id"], conversation.as_str());
    assert_eq!(second["opened_conversation"], false);

    let (status, again) = post_inbound(
        &t,
        &c,
        &tok,
        &inbox,
        "m-1",
        from("cust-7", "Ana Lima", "My order is late"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["message"]["id"], first["message"]["id"]);
    assert_eq!(count(&t, "messages", owner.org_id).await, 2);

    let conv = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/conversations/{conversation}"),
            None,
        )
        .await;
    assert_eq!(conv["status"], "open");
    assert_eq!(conv["message_count"], 2);
    assert_eq!(conv["last_message_preview"], "Any news?");
    assert_eq!(conv["contact"]["name"], "Ana Lima");
    assert_eq!(conv["inbox"]["name"], "Support");
    assert_eq!(conv["unread"], true);
    assert!(conv["waiting_since"].is_string());
    let thread = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/conversations/{conversation}/messages"),
            None,
        )
        .await;
    let texts: Vec<&str> = thread["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(texts, vec!["My order is late", "Any news?"]);

    // The same person through their email: an existing contact gets the identity.
    let known = b
        .api_ok(
            &t,
            Method::POST,
            "/contacts",
            Some(json!({ "first_name": "Ben", "emails": ["ben@example.com"] })),
        )
        .await;
    let mut body = from("ben-1", "Benjamin", "Hello from Ben");
    body["contact"]["email"] = json!("Ben@Example.com");
    let (_, ben) = post_inbound(&t, &c, &tok, &inbox, "b-1", body).await;
    assert_eq!(ben["contact_id"], known["id"]);
    assert_eq!(ben["opened_conversation"], true);
    assert_eq!(ben["conversation_number"], 2);
}

#[tokio::test]
async fn resolved_conversations_reopen_on_reply_unless_the_inbox_starts_new_ones() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Reopen Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let reopening = api_inbox(&t, &b, "Reopening").await;
    let fresh = b
        .api_ok(
            &t,
            Method::POST,
            "/inboxes",
            Some(json!({ "name": "Fresh", "reopen_resolved": false })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tok = token(&t, &b).await;
    let c = t.client();

    for (inbox, reopens) in [(&reopening, true), (&fresh, false)] {
        let (_, first) = post_inbound(&t, &c, &tok, inbox, "k1", from("p-1", "Pat", "Help")).await;
        let conv = first["conversation_id"].as_str().unwrap();
        b.api_ok(
            &t,
            Method::POST,
            &format!("/conversations/{conv}/status"),
            Some(json!({ "status": "resolved" })),
        )
        .await;
        let (_, next) = post_inbound(
            &t,
            &c,
            &tok,
            inbox,
            "k2",
            from("p-1", "Pat", "Still broken"),
        )
        .await;
        assert_eq!(
            next["conversation_id"] == first["conversation_id"],
            reopens,
            "{next}"
        );
        let status = b
            .api_ok(&t, Method::GET, &format!("/conversations/{conv}"), None)
            .await["status"]
            .clone();
        assert_eq!(status, if reopens { "open" } else { "resolved" });
        // A closed conversation is never continued.
        let current = next["conversation_id"].as_str().unwrap();
        b.api_ok(
            &t,
            Method::POST,
            &format!("/conversations/{current}/status"),
            Some(json!({ "status": "closed" })),
        )
        .await;
        let (_, after) =
            post_inbound(&t, &c, &tok, inbox, "k3", from("p-1", "Pat", "Hello?")).await;
        assert_ne!(after["conversation_id"], next["conversation_id"]);
    }
    // The same identifier in two API inboxes is two people.
    let (_, a) = post_inbound(&t, &c, &tok, &reopening, "x", from("same", "One", "a")).await;
    let (_, z) = post_inbound(&t, &c, &tok, &fresh, "x", from("same", "Two", "b")).await;
    assert_ne!(a["contact_id"], z["contact_id"]);
}

#[tokio::test]
async fn bad_posts_are_refused_field_by_field_and_store_nothing() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Bad Input Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let tok = token(&t, &b).await;
    let c = t.client();

    let res = c
        .post(t.url(&format!("/api/v1/inboxes/{inbox}/messages")))
        .bearer_auth(&tok)
        .json(&from("c-1", "Cy", "hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("idempotency_key"));

    let (status, body) = post_inbound(
        &t,
        &c,
        &tok,
        &inbox,
        "k-1",
        json!({ "contact": { "identifier": "has space", "email": "not-mail" }, "content": "  " }),
    )
    .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["contact.identifier", "contact.email", "content"]
    );

    let (status, _) = post_inbound(
        &t,
        &c,
        &tok,
        &inbox,
        "k-2",
        json!({ "contact": { "identifier": "a" }, "content": "x", "colour": "red" }),
    )
    .await;
    assert_eq!(status, 422, "unknown fields are refused");
    let huge = "x".repeat(256 * 1024 + 1);
    let (status, body) = post_inbound(&t, &c, &tok, &inbox, "k-3", from("a", "A", &huge)).await;
    assert_eq!(status, 422, "{body}");

    // A conversation id that is not this contact's in this inbox.
    let (_, other) = post_inbound(&t, &c, &tok, &inbox, "k-4", from("someone", "S", "mine")).await;
    let mut body = from("intruder", "I", "let me in");
    body["conversation_id"] = other["conversation_id"].clone();
    let (status, _) = post_inbound(&t, &c, &tok, &inbox, "k-5", body).await;
    assert_eq!(status, 422);

    assert_eq!(count(&t, "messages", owner.org_id).await, 1);
    assert_eq!(count(&t, "conversations", owner.org_id).await, 1);
    assert_eq!(count(&t, "inbound_receipts", owner.org_id).await, 1);
}
