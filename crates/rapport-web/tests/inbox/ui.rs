//! The agent inbox pages over HTTP: folders and the open conversation render what is stored,
//! forms change it and go back, a bad form value is a readable refusal (never a 500) that
//! changes nothing, another org's conversation is a 404, and a viewer gets no composer.

use super::{Browser, api_inbox, from, post_inbound, token};
use rapport_domain::Role;
use rapport_testkit::spawn_app;
use reqwest::Method;

#[tokio::test]
async fn the_inbox_page_shows_works_and_refuses_conversations() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Page Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Website").await;
    let tok = token(&t, &b).await;
    let (_, r) = post_inbound(
        &t,
        &t.client(),
        &tok,
        &inbox,
        "k",
        from("p", "Rosalind Franklin", "The <b>export</b> fails"),
    )
    .await;
    let conv = r["conversation_id"].as_str().unwrap().to_owned();

    let (status, html) = b.get(&t, "/inbox?folder=all&status=open").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Rosalind Franklin") && html.contains("ib-item unread"),
        "the unread conversation is listed"
    );
    let (status, html) = b.get(&t, &format!("/inbox/conversations/{conv}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("export") && !html.contains("<b>export</b>"),
        "customer text is escaped, never markup"
    );
    assert!(html.contains("data-composer"));
    let row = b
        .api_ok(&t, Method::GET, &format!("/conversations/{conv}"), None)
        .await;
    assert_eq!(row["unread"], false, "opening it marked it read");

    let back = format!("/inbox?folder=all&status=all&c={conv}");
    let res = b
        .form(
            &t,
            &format!("/inbox/conversations/{conv}/messages"),
            &[("body", "On it!"), ("mode", "reply"), ("return_to", &back)],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], back.as_str());
    let res = b
        .form(
            &t,
            &format!("/inbox/conversations/{conv}/status"),
            &[("status", "bogus"), ("return_to", &back)],
        )
        .await;
    assert_eq!(res.status(), 303, "a bad value goes back with a message");
    let res = b
        .form(
            &t,
            &format!("/inbox/conversations/{conv}/status"),
            &[("status", "snoozed"), ("snooze", "4"), ("return_to", &back)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let row = b
        .api_ok(&t, Method::GET, &format!("/conversations/{conv}"), None)
        .await;
    assert_eq!(row["status"], "snoozed");
    assert!(row["snoozed_until"].is_string());
    assert_eq!(row["message_count"], 2);

    // Another org's conversation: 404 on the page and on every form, nothing changes.
    let other = t.create_org_with("Other Page Org", Role::Owner).await;
    let o = Browser::sign_in(&t, &other).await;
    assert_eq!(
        o.get(&t, &format!("/inbox/conversations/{conv}")).await.0,
        404
    );
    let res = o
        .form(
            &t,
            &format!("/inbox/conversations/{conv}/status"),
            &[("status", "bogus")],
        )
        .await;
    assert_eq!(res.status(), 404);
    let res = o
        .form(
            &t,
            &format!("/inbox/conversations/{conv}/messages"),
            &[("body", "hi")],
        )
        .await;
    assert_eq!(res.status(), 404);

    // A viewer reads but has no composer, and the form is refused.
    let viewer = t.add_member(owner.org_id, Role::Viewer).await;
    let v = Browser::sign_in(&t, &viewer).await;
    let (status, html) = v.get(&t, &format!("/inbox/conversations/{conv}")).await;
    assert_eq!(status, 200);
    assert!(!html.contains("data-composer"));
    let res = v
        .form(
            &t,
            &format!("/inbox/conversations/{conv}/messages"),
            &[("body", "hi")],
        )
        .await;
    assert_eq!(res.status(), 403);
    let row = b
        .api_ok(&t, Method::GET, &format!("/conversations/{conv}"), None)
        .await;
    assert_eq!(row["message_count"], 2);
}
