//! Exactly once: the same inbound message posted 100 times at once is stored once, and a new
//! person's first messages arriving together open one contact and one conversation.

use super::{Browser, api_inbox, count, from, post_inbound, token};
use rapport_domain::Role;
use rapport_testkit::spawn_app;
use std::collections::HashSet;

#[tokio::test]
async fn the_same_message_posted_100_times_at_once_is_stored_once() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Once Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let tok = token(&t, &b).await;
    let c = t.client();

    let posts = (0..100).map(|_| {
        post_inbound(
            &t,
            &c,
            &tok,
            &inbox,
            "same-key",
            from("dup-1", "Dee", "Once only"),
        )
    });
    let results = futures::future::join_all(posts).await;
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let repeats = results.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!((created, repeats), (1, 99), "{results:?}");
    let ids: HashSet<String> = results
        .iter()
        .map(|(_, r)| r["message"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 1, "every answer names the one stored message");
    assert_eq!(count(&t, "messages", owner.org_id).await, 1);
    assert_eq!(count(&t, "conversations", owner.org_id).await, 1);
    assert_eq!(count(&t, "contacts", owner.org_id).await, 1);
}

#[tokio::test]
async fn a_new_persons_first_messages_arriving_together_open_one_conversation() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Burst Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let tok = token(&t, &b).await;
    let c = t.client();

    let posts = (0..20).map(|i| {
        let key = format!("burst-{i}");
        let (t, c, tok, inbox) = (&t, &c, &tok, &inbox);
        async move {
            post_inbound(
                t,
                c,
                tok,
                inbox,
                &key,
                from("new-9", "Nia", &format!("part {i}")),
            )
            .await
        }
    });
    let results = futures::future::join_all(posts).await;
    assert!(results.iter().all(|(s, _)| *s == 201), "{results:?}");
    let conversations: HashSet<String> = results
        .iter()
        .map(|(_, r)| r["conversation_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(conversations.len(), 1);
    assert_eq!(count(&t, "contacts", owner.org_id).await, 1);
    assert_eq!(count(&t, "messages", owner.org_id).await, 20);
    let opened = results
        .iter()
        .filter(|(_, r)| r["opened_conversation"] == true)
        .count();
    assert_eq!(opened, 1);
}
