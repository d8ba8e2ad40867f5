//! `--demo` shows the helpdesk working: the demo org has inboxes, conversations in every
//! status, an SLA policy covering an inbox, and automation rules of every kind of trigger the
//! demo explains (message, update, time, with a webhook among the actions).

use super::Browser;
use rapport_testkit::{TestUser, spawn_app};
use reqwest::Method;
use serde_json::Value;
use std::collections::BTreeSet;

#[tokio::test]
async fn the_demo_has_inboxes_conversations_in_every_state_slas_and_rules() {
    let t = spawn_app().await;
    let login = t.app.seed_demo().await.unwrap();
    let me = TestUser {
        id: rapport_domain::UserId::new(),
        org_id: rapport_domain::OrgId::new(),
        email: login.email.clone(),
        password: login.password.clone(),
    };
    let b = Browser::sign_in(&t, &me).await;
    let inboxes = b.api_ok(&t, Method::GET, "/inboxes", None).await;
    assert!(inboxes["items"].as_array().unwrap().len() >= 2, "{inboxes}");

    let all = "open,pending,snoozed,resolved,closed";
    let page = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/conversations?status={all}&limit=200"),
            None,
        )
        .await;
    let seen: BTreeSet<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["status"].as_str())
        .collect();
    assert_eq!(seen, all.split(',').collect(), "{page}");

    let policies = b.api_ok(&t, Method::GET, "/sla-policies", None).await;
    let policy = &policies["items"][0];
    assert!(
        !policy["inbox_ids"].as_array().unwrap().is_empty(),
        "{policies}"
    );

    let rules = b.api_ok(&t, Method::GET, "/automation-rules", None).await;
    let rules = rules["items"].as_array().unwrap();
    let triggers: BTreeSet<&str> = rules.iter().filter_map(|r| r["trigger"].as_str()).collect();
    for want in ["message_received", "conversation_updated", "time_based"] {
        assert!(triggers.contains(want), "no {want} rule: {triggers:?}");
    }
    let actions: Vec<&Value> = rules
        .iter()
        .flat_map(|r| r["actions"].as_array().unwrap())
        .collect();
    assert!(actions.iter().any(|a| a["type"] == "call_webhook"));
}
