//! The composer's @mentions: a note sent from the inbox page names colleagues (the page's
//! script fills the hidden `mentions` field); they are notified and follow the conversation.
//! A mention of someone outside the org is refused with nothing stored.

use super::{Browser, api_inbox, post_inbound, token};
use rapport_domain::Role;
use rapport_testkit::spawn_app;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_note_from_the_composer_notifies_the_colleagues_it_mentions() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Mention Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let tok = token(&t, &b).await;
    let body = json!({ "contact": { "identifier": "cleo" }, "content": "My parcel never came" });
    let (_, r) = post_inbound(&t, &t.client(), &tok, &inbox, "m1", body).await;
    let conv = r["conversation_id"].as_str().unwrap().to_owned();
    let ben = t.add_member(owner.org_id, Role::Agent).await;
    let ben_id = ben.id.to_string();

    let page = b.get(&t, &format!("/inbox/conversations/{conv}")).await.1;
    assert!(
        page.contains(&format!("data-id=\"{ben_id}\"")),
        "the page lists who can be mentioned"
    );
    let res = b
        .form(
            &t,
            &format!("/inbox/conversations/{conv}/messages"),
            &[
                ("mode", "note"),
                ("body", "@Ben can you check the courier?"),
                ("mentions", &ben_id),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let bb = Browser::sign_in(&t, &ben).await;
    let notes = bb.api_ok(&t, Method::GET, "/notifications", None).await;
    assert!(notes.to_string().contains("mentioned you"), "{notes}");
    let detail = bb
        .api_ok(&t, Method::GET, &format!("/conversations/{conv}"), None)
        .await;
    assert!(
        detail["followers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f.as_str() == Some(ben_id.as_str())),
        "a mentioned colleague follows: {detail}"
    );

    let stranger = t.create_org_with("Elsewhere", Role::Owner).await;
    let before = super::count(&t, "messages", owner.org_id).await;
    let res = b
        .form(
            &t,
            &format!("/inbox/conversations/{conv}/messages"),
            &[
                ("mode", "note"),
                ("body", "psst"),
                ("mentions", &stranger.id.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        super::count(&t, "messages", owner.org_id).await,
        before,
        "nothing stored"
    );
}
