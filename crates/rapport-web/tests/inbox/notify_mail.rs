//! Inbox notifications by email: with outgoing mail configured, an assignment and a mention
//! reach the member's mailbox as well as the bell, with a link to the conversation.

use super::{Browser, api_inbox, post_inbound, token};
use crate::crm_work::run_jobs;
use rapport_app::AppConfig;
use rapport_app::context::{SmtpConfig, SmtpSecurity};
use rapport_domain::Role;
use rapport_testkit::smtp::SmtpSink;
use rapport_testkit::spawn_app_with;
use reqwest::Method;
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn assignments_and_mentions_are_emailed_with_a_link() {
    let sink = SmtpSink::start().await;
    let config = AppConfig {
        smtp: Some(SmtpConfig {
            host: sink.host().into(),
            port: sink.port(),
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Rapport <rapport@example.test>".into(),
        }),
        ..AppConfig::default()
    };
    let t = spawn_app_with(config, Arc::new(rapport_domain::SystemClock)).await;
    let owner = t.create_org_with("Mail Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let tok = token(&t, &b).await;
    let body = json!({ "contact": { "identifier": "ada" }, "content": "Help!" });
    let (_, posted) = post_inbound(&t, &t.client(), &tok, &inbox, "m1", body).await;
    let conv = posted["conversation_id"].as_str().unwrap().to_owned();

    b.api_ok(
        &t,
        Method::POST,
        &format!("/conversations/{conv}/assign"),
        Some(json!({ "assignee_id": agent.id })),
    )
    .await;
    run_jobs(&t).await;
    let mail = sink
        .wait_for_message_to(&agent.email, std::time::Duration::from_secs(10))
        .await;
    assert_eq!(mail.subject, "Conversation #1 was assigned to you");
    let link = t.app.link(&format!("/inbox/conversations/{conv}"));
    assert!(mail.text_body.contains(&link), "{}", mail.text_body);

    b.api_ok(
        &t,
        Method::POST,
        &format!("/conversations/{conv}/messages"),
        Some(
            json!({ "content": "Can you check the invoice?", "private": true,
            "mentions": [agent.id] }),
        ),
    )
    .await;
    run_jobs(&t).await;
    let mails = sink.messages();
    let mention = mails
        .iter()
        .find(|m| m.subject.contains("mentioned you"))
        .expect("the mention mail");
    assert!(mention.text_body.contains("Can you check the invoice?"));
    assert_eq!(mails.len(), 2, "one mail each");
}
