//! Automation rules over the API: a rule's actions applied through the conversation (labels,
//! priority, assignment, note, canned reply) and logged; a rule whose action fails leaves
//! nothing behind; two rules that trigger each other stop at the depth limit and log it; rules
//! that could not run are refused on save.

use super::canned::{call, conversation};
use super::{Browser, api_inbox, post_inbound, token};
use crate::crm_work::run_job_now;
use rapport_domain::Role;
use rapport_testkit::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

/// Dispatches events and runs the jobs they cause until nothing new happens.
pub(super) async fn settle(t: &TestApp) {
    for _ in 0..20 {
        if run_job_now(t, "outbox.dispatch").await <= 1 {
            return;
        }
    }
    panic!("automation did not settle after 20 rounds");
}

pub(super) async fn runs(t: &TestApp, b: &Browser, rule: &str) -> Vec<Value> {
    let page = b
        .api_ok(
            t,
            Method::GET,
            &format!("/automation-rules/{rule}/runs"),
            None,
        )
        .await;
    page["items"].as_array().unwrap().clone()
}

fn outcomes(runs: &[Value]) -> Vec<&str> {
    runs.iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect()
}

async fn rule(t: &TestApp, b: &Browser, body: Value) -> String {
    b.api_ok(t, Method::POST, "/automation-rules", Some(body))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn thread(t: &TestApp, b: &Browser, conv: &str) -> Vec<Value> {
    b.api_ok(
        t,
        Method::GET,
        &format!("/conversations/{conv}/messages"),
        None,
    )
    .await["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_matching_rule_labels_prioritizes_assigns_notes_and_replies_and_is_logged() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Auto Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let ben = t.add_member(owner.org_id, Role::Agent).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let canned = b
        .api_ok(
            &t,
            Method::POST,
            "/canned-responses",
            Some(
                json!({ "short_code": "refund-ack", "title": "Refund received",
                "body": "Hi {{ contact.first_name }}, {{ agent.name }} got your refund request." }),
            ),
        )
        .await["id"]
        .clone();
    let refunds = rule(
        &t,
        &b,
        json!({
            "name": "Refund routing", "trigger": "message_received",
            "conditions": [{ "field": "content", "operator": "contains", "value": "REFUND" }],
            "actions": [
                { "type": "add_label", "label": "Billing" },
                { "type": "set_priority", "priority": "high" },
                { "type": "assign_member", "user_id": ben.id },
                { "type": "add_note", "text": "Refund request: check the order." },
                { "type": "send_canned_response", "canned_response_id": canned },
            ],
        }),
    )
    .await;

    let tok = token(&t, &b).await;
    let refund = json!({ "contact": { "identifier": "ada", "name": "Ada Lovelace" },
        "content": "I would like a refund for order 42" });
    let (status, posted) = post_inbound(&t, &t.client(), &tok, &inbox, "m1", refund).await;
    assert_eq!(status, 201, "{posted}");
    let other = json!({ "contact": { "identifier": "bob" }, "content": "Where is my parcel?" });
    let (_, untouched) = post_inbound(&t, &t.client(), &tok, &inbox, "m2", other).await;
    settle(&t).await;

    let conv = posted["conversation_id"].as_str().unwrap();
    let c = b
        .api_ok(&t, Method::GET, &format!("/conversations/{conv}"), None)
        .await;
    assert_eq!(c["labels"], json!(["billing"]));
    assert_eq!(c["priority"], "high");
    assert_eq!(c["assignee"]["id"], ben.id.to_string());
    let entries = thread(&t, &b, conv).await;
    let note = entries.iter().find(|m| m["kind"] == "note").unwrap();
    assert_eq!(note["content"], "Refund request: check the order.");
    assert_eq!(note["sender"]["type"], "system");
    assert_eq!(
        note["metadata"]["automation"]["name"],
        "Automation “Refund routing”"
    );
    let reply = entries
        .iter()
        .find(|m| m["kind"] == "message" && m["direction"] == "outgoing")
        .unwrap();
    assert_eq!(
        reply["content"], "Hi Ada, Auto Org got your refund request.",
        "filled in, the org standing in for the agent"
    );
    let activity: Vec<&str> = entries
        .iter()
        .filter(|m| m["kind"] == "activity")
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert!(
        activity.contains(&"Automation “Refund routing” set the priority to high"),
        "{activity:?}"
    );
    let bb = Browser::sign_in(&t, &ben).await;
    let notes = bb.api_ok(&t, Method::GET, "/notifications", None).await;
    assert_eq!(
        notes["items"][0]["title"],
        "Conversation #1 was assigned to you"
    );

    let log = runs(&t, &b, &refunds).await;
    assert_eq!(outcomes(&log), ["applied"]);
    assert_eq!(log[0]["conversation_id"], conv);
    assert_eq!(
        log[0]["detail"],
        "add_label, set_priority, assign_member, add_note, send_canned_response"
    );
    let r = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/automation-rules/{refunds}"),
            None,
        )
        .await;
    assert_eq!(r["run_count"], 1);
    assert!(r["last_run_at"].is_string());

    let c2 = untouched["conversation_id"].as_str().unwrap();
    let c2 = b
        .api_ok(&t, Method::GET, &format!("/conversations/{c2}"), None)
        .await;
    assert_eq!(c2["labels"], json!([]), "the conditions did not hold");
    assert_eq!(c2["priority"], "none");

    // Switched off, it no longer runs.
    b.api_ok(
        &t,
        Method::PATCH,
        &format!("/automation-rules/{refunds}"),
        Some(json!({ "enabled": false })),
    )
    .await;
    let again = json!({ "contact": { "identifier": "cy" }, "content": "refund please" });
    post_inbound(&t, &t.client(), &tok, &inbox, "m3", again).await;
    settle(&t).await;
    assert_eq!(runs(&t, &b, &refunds).await.len(), 1);
}

#[tokio::test]
async fn a_rule_whose_action_fails_leaves_nothing_behind_and_logs_why() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Failing Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let canned = b
        .api_ok(
            &t,
            Method::POST,
            "/canned-responses",
            Some(json!({ "short_code": "gone", "title": "Gone", "body": "Hello" })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let failing = rule(
        &t,
        &b,
        json!({
            "name": "Greets", "trigger": "conversation_created",
            "actions": [
                { "type": "add_label", "label": "greeted" },
                { "type": "send_canned_response", "canned_response_id": canned },
            ],
        }),
    )
    .await;
    let labels = rule(
        &t,
        &b,
        json!({ "name": "Tags new", "trigger": "conversation_created",
            "actions": [{ "type": "add_label", "label": "new" }] }),
    )
    .await;
    b.api_ok(
        &t,
        Method::DELETE,
        &format!("/canned-responses/{canned}"),
        None,
    )
    .await;
    let (conv, _) = conversation(&t, &b, &inbox, "ada").await;
    settle(&t).await;

    let c = b
        .api_ok(&t, Method::GET, &format!("/conversations/{conv}"), None)
        .await;
    assert_eq!(
        c["labels"],
        json!(["new"]),
        "the failed rule's label rolled back"
    );
    let log = runs(&t, &b, &failing).await;
    assert_eq!(outcomes(&log), ["failed"]);
    let detail = log[0]["detail"].as_str().unwrap();
    assert!(detail.contains("send_canned_response"), "{detail}");
    assert_eq!(outcomes(&runs(&t, &b, &labels).await), ["applied"]);
}

#[tokio::test]
async fn two_rules_that_trigger_each_other_stop_at_the_depth_limit_and_log_it() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Loop Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = api_inbox(&t, &b, "Support").await;
    let (conv, _) = conversation(&t, &b, &inbox, "ada").await;
    let flip = |name: &str, from: &str, to: &str| {
        json!({
            "name": name, "trigger": "conversation_updated",
            "conditions": [{ "field": "priority", "operator": "equals", "value": from }],
            "actions": [{ "type": "set_priority", "priority": to }],
        })
    };
    let down = rule(&t, &b, flip("Calm down", "high", "low")).await;
    let up = rule(&t, &b, flip("Escalate", "low", "high")).await;
    settle(&t).await;

    b.api_ok(
        &t,
        Method::POST,
        &format!("/conversations/{conv}/priority"),
        Some(json!({ "priority": "high" })),
    )
    .await;
    settle(&t).await;

    // The agent's change (depth 0) → down (1) → up (2) → down (3) → up is stopped.
    let down_log = runs(&t, &b, &down).await;
    let up_log = runs(&t, &b, &up).await;
    assert_eq!(outcomes(&down_log), ["applied", "applied"]);
    assert_eq!(outcomes(&up_log), ["loop_stopped", "applied"]);
    assert_eq!(up_log[0]["depth"], 3);
    assert!(
        up_log[0]["detail"]
            .as_str()
            .unwrap()
            .contains("3 automations in a row")
    );
    let c = b
        .api_ok(&t, Method::GET, &format!("/conversations/{conv}"), None)
        .await;
    assert_eq!(c["priority"], "low", "the last applied change stands");
}

#[tokio::test]
async fn rules_that_could_not_run_are_refused_and_rules_are_managed() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Rules Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let other = t.create_org_with("Other Org", Role::Owner).await;
    let ob = Browser::sign_in(&t, &other).await;
    let their_team = ob
        .api_ok(
            &t,
            Method::POST,
            "/teams",
            Some(json!({ "name": "Theirs" })),
        )
        .await["id"]
        .clone();
    let base = |conditions: Value, actions: Value| {
        json!({ "name": "R", "trigger": "message_received",
            "conditions": conditions, "actions": actions })
    };
    let label = json!([{ "type": "add_label", "label": "x" }]);
    let refused = [
        base(
            json!([{ "field": "status", "operator": "contains", "value": "open" }]),
            label.clone(),
        ),
        base(
            json!([{ "field": "priority", "operator": "equals", "value": "asap" }]),
            label.clone(),
        ),
        base(
            json!([{ "field": "content", "operator": "contains" }]),
            label.clone(),
        ),
        base(json!([]), json!([])),
        base(
            json!([]),
            json!([{ "type": "set_status", "status": "snoozed" }]),
        ),
        base(
            json!([]),
            json!([{ "type": "assign_team", "team_id": their_team }]),
        ),
        base(
            json!([]),
            json!([{ "type": "assign_member", "user_id": other.id }]),
        ),
        json!({ "trigger": "message_received", "actions": label }),
        json!({ "name": "R", "actions": label }),
        json!({ "name": " ", "trigger": "message_received", "actions": label }),
    ];
    for body in refused {
        let (status, problem) = call(
            &t,
            &b,
            Method::POST,
            "/automation-rules",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 422, "{body} → {problem}");
        assert_eq!(problem["code"], "validation_failed", "{problem}");
    }
    for body in [
        base(json!([]), json!([{ "type": "delete_everything" }])),
        json!({ "name": "R", "trigger": "every_second", "actions": label }),
    ] {
        let (status, _) = call(&t, &b, Method::POST, "/automation-rules", Some(body)).await;
        assert_eq!(status, 422);
    }

    let first = rule(&t, &b, base(json!([]), label.clone())).await;
    let second = rule(&t, &b, base(json!([]), label.clone())).await;
    let list = b.api_ok(&t, Method::GET, "/automation-rules", None).await;
    let order: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [first.as_str(), second.as_str()],
        "new rules go last"
    );
    let moved = b
        .api_ok(
            &t,
            Method::PATCH,
            &format!("/automation-rules/{second}"),
            Some(json!({ "position": 0, "name": "First now", "match_all": false })),
        )
        .await;
    assert_eq!(moved["name"], "First now");
    assert_eq!(moved["actions"], label, "unchanged fields stay");
    let list = b.api_ok(&t, Method::GET, "/automation-rules", None).await;
    assert_eq!(list["items"][0]["id"], second.as_str());
    let (status, _) = call(
        &t,
        &b,
        Method::PATCH,
        &format!("/automation-rules/{second}"),
        Some(json!({ "actions": [] })),
    )
    .await;
    assert_eq!(status, 422, "a patch is validated whole");
    b.api_ok(
        &t,
        Method::DELETE,
        &format!("/automation-rules/{first}"),
        None,
    )
    .await;
    let (status, _) = call(
        &t,
        &b,
        Method::GET,
        &format!("/automation-rules/{first}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let audit = b.api_ok(&t, Method::GET, "/audit?limit=20", None).await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "automation_rule.created",
        "automation_rule.updated",
        "automation_rule.deleted",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}
