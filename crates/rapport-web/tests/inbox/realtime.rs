//! Realtime: an agent's open event stream learns of new messages and assignments, from this
//! process and from a second one sharing the database, sees colleagues' presence but never
//! another org's events, and a screen without `conversations.read` cannot open a stream.

use super::{Browser, api_inbox, from, post_inbound, token};
use rapport_domain::Role;
use rapport_testkit::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Fails a test that would otherwise hang on a stream that never speaks.
const PATIENCE: Duration = Duration::from_secs(20);

/// A server-sent event stream read event by event.
struct Stream {
    res: reqwest::Response,
    buf: String,
}

impl Stream {
    async fn open(t: &TestApp, b: &Browser) -> Self {
        let res = b
            .client
            .get(t.url("/api/v1/realtime"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        let mut s = Self {
            res,
            buf: String::new(),
        };
        assert_eq!(
            s.next().await.0,
            "ready",
            "a stream first says it is attached"
        );
        s
    }

    /// The next event: its name and data.
    async fn next(&mut self) -> (String, Value) {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut name = String::from("message");
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if data.is_empty() {
                    continue; // a keep-alive comment or the retry hint
                }
                return (name, serde_json::from_str(&data).unwrap());
            }
            let chunk = tokio::time::timeout(PATIENCE, self.res.chunk())
                .await
                .expect("the stream spoke in time")
                .unwrap()
                .expect("the stream is open");
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Skips events until one named `name` arrives.
    async fn until(&mut self, name: &str) -> Value {
        loop {
            let (n, data) = self.next().await;
            if n == name {
                return data;
            }
        }
    }
}

/// Feeds `t`'s realtime hub until the returned token is cancelled.
fn feed(app: &rapport_app::App) -> CancellationToken {
    let stop = CancellationToken::new();
    tokio::spawn(rapport_app::realtime::feed::run(app.clone(), stop.clone()));
    stop
}

#[tokio::test]
async fn an_agents_stream_sees_new_messages_assignments_and_presence_of_its_org_only() {
    let t = spawn_app().await;
    let _feed = feed(&t.app).drop_guard();
    let owner = t.create_org_with("Live Org", Role::Owner).await;
    let ob = Browser::sign_in(&t, &owner).await;
    let agent = t.add_member(owner.org_id, Role::Agent).await;
    let ab = Browser::sign_in(&t, &agent).await;
    let inbox = api_inbox(&t, &ob, "Support").await;
    let tok = token(&t, &ob).await;
    let other = t.create_org_with("Other Org", Role::Owner).await;
    let xb = Browser::sign_in(&t, &other).await;
    let x_inbox = api_inbox(&t, &xb, "Theirs").await;
    let x_tok = token(&t, &xb).await;

    let mut live = Stream::open(&t, &ab).await;
    let c = t.client();
    // Another org's message first: the agent's next event must still be their own org's.
    let (s, _) = post_inbound(
        &t,
        &c,
        &x_tok,
        &x_inbox,
        "x-1",
        from("x", "Xi", "Not yours"),
    )
    .await;
    assert_eq!(s, 201);
    let (s, posted) = post_inbound(&t, &c, &tok, &inbox, "k-1", from("c1", "Cy", "Hello?")).await;
    assert_eq!(s, 201);
    let conv = posted["conversation_id"].as_str().unwrap().to_owned();

    let (name, data) = live.next().await;
    assert_eq!(name, "conversation.created", "{data}");
    assert_eq!(data["payload"]["conversation_id"], conv.as_str());
    let data = live.until("message.created").await;
    assert_eq!(data["payload"]["conversation_id"], conv.as_str());
    assert_eq!(data["payload"]["message_id"], posted["message"]["id"]);
    assert_eq!(data["payload"]["direction"], "incoming");

    // The owner assigns it to the agent: the agent's screen learns at once.
    let me = ab.api_ok(&t, Method::GET, "/me", None).await;
    ob.api_ok(
        &t,
        Method::POST,
        &format!("/conversations/{conv}/assign"),
        Some(json!({ "assignee_id": me["id"] })),
    )
    .await;
    let data = live.until("conversation.assigned").await;
    assert_eq!(data["payload"]["conversation_id"], conv.as_str());

    // The owner opens and types in it: the agent sees who; the owner's own stream does not
    // echo the owner.
    let mut owners = Stream::open(&t, &ob).await;
    for state in ["viewing", "typing"] {
        let res = ob
            .api(
                &t,
                Method::POST,
                &format!("/conversations/{conv}/presence"),
                Some(json!({ "state": state })),
            )
            .await;
        assert_eq!(res.status(), 204);
        let data = live.until("presence").await;
        assert_eq!(data["conversation_id"], conv.as_str());
        assert_eq!(data["state"], state);
        assert_eq!(data["user_id"], owner.id.to_string());
    }
    ab.api(
        &t,
        Method::POST,
        &format!("/conversations/{conv}/presence"),
        Some(json!({ "state": "viewing" })),
    )
    .await;
    let data = owners.until("presence").await;
    assert_eq!(
        data["user_id"],
        agent.id.to_string(),
        "the owner sees the agent, not themself"
    );

    // Presence in another org's conversation is refused like any other access to it.
    let res = xb
        .api(
            &t,
            Method::POST,
            &format!("/conversations/{conv}/presence"),
            Some(json!({ "state": "viewing" })),
        )
        .await;
    assert_eq!(res.status(), 404);
    let res = ob
        .api(
            &t,
            Method::POST,
            &format!("/conversations/{conv}/presence"),
            Some(json!({ "state": "dancing" })),
        )
        .await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn a_message_posted_to_another_process_reaches_this_processs_streams() {
    let t = spawn_app().await;
    // A second process on the same database: its own app, hub and feed, serving the stream.
    let second = t.second_process().await;
    let _feeds = (feed(&t.app).drop_guard(), feed(&second.app).drop_guard());
    let owner = t.create_org_with("Two Proc Org", Role::Owner).await;
    let b = Browser::sign_in(&second, &owner).await;
    let inbox = api_inbox(&t, &Browser::sign_in(&t, &owner).await, "Support").await;
    let tok = token(&t, &b).await;
    let mut live = Stream::open(&second, &b).await;

    let (s, posted) = post_inbound(
        &t,
        &t.client(),
        &tok,
        &inbox,
        "p-1",
        from("p", "Pam", "Via one"),
    )
    .await;
    assert_eq!(s, 201);
    let data = live.until("message.created").await;
    assert_eq!(data["payload"]["message_id"], posted["message"]["id"]);
}

#[tokio::test]
async fn a_viewer_without_conversation_access_cannot_open_a_stream() {
    let t = spawn_app().await;
    let owner = t.create_org_with("Closed Org", Role::Owner).await;
    let ob = Browser::sign_in(&t, &owner).await;
    let mb = super::crm_only_member(&t, &owner, &ob).await;
    let res = mb.api(&t, Method::GET, "/realtime", None).await;
    assert_eq!(res.status(), 403);
    let res = t
        .client()
        .get(t.url("/api/v1/realtime"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}
