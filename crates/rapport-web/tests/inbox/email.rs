//! The email channel end to end against real servers on loopback: Dovecot (IMAP, IDLE) and
//! aiosmtpd (SMTP). An admin connects a mailbox through the API (tested on save, with clear
//! errors), the backlog arrives threaded, an agent's reply leaves by SMTP with In-Reply-To,
//! References and a signed reply address, the customer's answer (even from a colleague, even
//! without References) comes back into the same conversation while the reader waits in IDLE,
//! a forged token opens a conversation of its own, and a message that cannot be stored waits
//! in quarantine without blocking the rest.

use super::Browser;
use crate::privacy::drain_jobs;
use rapport_app::AppConfig;
use rapport_domain::Role;
use rapport_testkit::imap::Dovecot;
use rapport_testkit::smtp::SmtpSink;
use rapport_testkit::{TestApp, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The mailbox user of `mail_fixture`.
pub const USER: &str = "support";
/// Its password.
pub const PASSWORD: &str = "mailbox-pass-1";
pub const WAIT: Duration = Duration::from_secs(30);

pub async fn app() -> TestApp {
    let mut config = AppConfig::default();
    config.egress.allow_private = true;
    spawn_app_with(config, Arc::new(rapport_domain::SystemClock)).await
}

fn settings(imap: &Dovecot, sink: &SmtpSink) -> Value {
    json!({
        "address": "support@example.com",
        "display_name": "Example Support",
        "imap_host": imap.host(),
        "imap_port": imap.port(),
        "imap_security": "none",
        "imap_username": USER,
        "imap_password": PASSWORD,
        "smtp_host": sink.host(),
        "smtp_port": sink.port(),
        "smtp_security": "none",
        "sent_folder": "Sent",
    })
}

fn mail(from: &str, subject: &str, id: &str, in_reply_to: Option<&str>, body: &str) -> Vec<u8> {
    let mut m = format!(
        "From: {from}\r\nTo: support@example.com\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
    );
    if let Some(parent) = in_reply_to {
        m.push_str(&format!("In-Reply-To: {parent}\r\n"));
    }
    m.push_str(&format!(
        "Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ));
    m.into_bytes()
}

/// The inbox's conversations, oldest first, once `n` exist (the reader works in the
/// background; this waits for it with a deadline).
async fn conversations(t: &TestApp, b: &Browser, inbox: &str, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + WAIT;
    loop {
        let page = b
            .api_ok(
                t,
                Method::GET,
                &format!("/conversations?inbox_id={inbox}&limit=100"),
                None,
            )
            .await;
        let mut items = page["items"].as_array().unwrap().clone();
        if items.len() >= n || Instant::now() > deadline {
            assert_eq!(items.len(), n, "conversations: {items:#?}");
            items.reverse();
            return items;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn messages(t: &TestApp, b: &Browser, conv: &Value, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + WAIT;
    let id = conv["id"].as_str().unwrap();
    loop {
        let page = b
            .api_ok(
                t,
                Method::GET,
                &format!("/conversations/{id}/messages?limit=100"),
                None,
            )
            .await;
        let items: Vec<Value> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == "message")
            .cloned()
            .collect();
        if items.len() >= n || Instant::now() > deadline {
            assert_eq!(items.len(), n, "messages: {items:#?}");
            return items;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The agent's (first) reply in a conversation, as the API lists it.
async fn outgoing_reply(t: &TestApp, b: &Browser, conv: &str) -> Value {
    let page = b
        .api_ok(
            t,
            Method::GET,
            &format!("/conversations/{conv}/messages?limit=100"),
            None,
        )
        .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["direction"] == "outgoing")
        .unwrap()
        .clone()
}

pub async fn put(imap: &Dovecot, raw: Vec<u8>) {
    imap.deliver(USER, PASSWORD, "INBOX", &raw).await;
}

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    raw.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[tokio::test]
async fn a_mailbox_connects_threads_replies_and_keeps_listening() {
    let t = app().await;
    let imap = Dovecot::start().await;
    imap.add_user(USER, PASSWORD);
    let sink = SmtpSink::start().await;
    // The backlog, there before the inbox is connected.
    put(
        &imap,
        mail(
            "Ana Lima <ana@customer.test>",
            "Order 42",
            "a1@customer.test",
            None,
            "Where is my order?",
        ),
    )
    .await;
    put(
        &imap,
        mail(
            "Bo <bo@other.test>",
            "Invoice",
            "b1@other.test",
            None,
            "Please resend the invoice.",
        ),
    )
    .await;
    put(
        &imap,
        mail(
            "Ana Lima <ana@customer.test>",
            "Re: Order 42",
            "a2@customer.test",
            Some("<a1@customer.test>"),
            "Any news?",
        ),
    )
    .await;
    put(
        &imap,
        b"Subject: no sender at all\r\n\r\nwho am I\r\n".to_vec(),
    )
    .await;

    let owner = t.create_org_with("Mail Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let inbox = b
        .api_ok(
            &t,
            Method::POST,
            "/inboxes",
            Some(json!({ "name": "Support mail", "channel": "email", "email": settings(&imap, &sink) })),
        )
        .await;
    assert_eq!(inbox["channel"], "email");
    let id = inbox["id"].as_str().unwrap().to_owned();
    let sync = t.app.start_mail_sync("mail-test");

    let convs = conversations(&t, &b, &id, 2).await;
    let ana = convs
        .iter()
        .find(|c| c["contact"]["email"] == "ana@customer.test")
        .unwrap();
    let bo = convs
        .iter()
        .find(|c| c["contact"]["email"] == "bo@other.test")
        .unwrap();
    assert_eq!(ana["subject"], "Order 42");
    assert_eq!(ana["contact"]["name"], "Ana Lima");
    let thread = messages(&t, &b, ana, 2).await;
    assert_eq!(thread[0]["content"], "Where is my order?");
    assert_eq!(thread[1]["content"], "Any news?");
    assert_eq!(thread[1]["external_id"], "a2@customer.test");
    messages(&t, &b, bo, 1).await;

    // The sender-less message waits in quarantine with its reason; a retry keeps it there.
    // (Runs of a batch are stored side by side: wait for the quarantined one too.)
    let deadline = Instant::now() + WAIT;
    let quarantine = loop {
        let q = b.api_ok(&t, Method::GET, "/mail-quarantine", None).await;
        if !q["items"].as_array().unwrap().is_empty() || Instant::now() > deadline {
            break q;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let held = quarantine["items"].as_array().unwrap();
    assert_eq!(held.len(), 1, "{quarantine:#}");
    assert!(
        held[0]["error"]
            .as_str()
            .unwrap()
            .contains("no valid sender"),
        "{held:?}"
    );
    let qid = held[0]["id"].as_str().unwrap();
    let again = b
        .api_ok(
            &t,
            Method::POST,
            &format!("/mail-quarantine/{qid}/retry"),
            None,
        )
        .await;
    assert_eq!(again["outcome"], "quarantined");
    // The checkpoint moves once the whole batch is stored.
    let deadline = Instant::now() + WAIT;
    let status = loop {
        let status = b
            .api_ok(&t, Method::GET, &format!("/inboxes/{id}/email"), None)
            .await;
        if status["folders"][0]["imported"] == 3 || Instant::now() > deadline {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(status["quarantined"], 1);
    assert_eq!(status["folders"][0]["imported"], 3);
    assert!(
        status.to_string().find(PASSWORD).is_none(),
        "passwords are never returned"
    );
    b.api_ok(&t, Method::DELETE, &format!("/mail-quarantine/{qid}"), None)
        .await;

    // The agent answers; the mail leaves threaded.
    let conv_id = ana["id"].as_str().unwrap();
    b.api_ok(
        &t,
        Method::POST,
        &format!("/conversations/{conv_id}/messages"),
        Some(json!({ "content": "It ships tomorrow." })),
    )
    .await;
    drain_jobs(&t).await;
    let sent = sink.wait_for_message_to("ana@customer.test", WAIT).await;
    assert_eq!(sent.subject, "Re: Order 42");
    assert!(sent.text_body.contains("It ships tomorrow."));
    assert_eq!(header(&sent.raw, "In-Reply-To"), Some("<a2@customer.test>"));
    let references = header(&sent.raw, "References").unwrap();
    assert!(
        references.contains("<a1@customer.test>") && references.contains("<a2@customer.test>"),
        "{references}"
    );
    let our_id = header(&sent.raw, "Message-ID").unwrap().to_owned();
    assert!(
        header(&sent.raw, "Reply-To")
            .unwrap()
            .contains("support+c."),
        "{}",
        sent.raw
    );
    // A copy is in the mailbox's Sent folder, marked read.
    let mut session = imap.session(USER, PASSWORD).await;
    session.select("Sent").await.unwrap();
    let copies = session
        .search(format!(
            "SEEN HEADER Message-ID \"{}\"",
            our_id.trim_matches(['<', '>'])
        ))
        .await
        .unwrap();
    assert_eq!(copies.len(), 1, "the reply is saved in Sent");
    let _ = session.logout().await;
    let reply = outgoing_reply(&t, &b, conv_id).await;
    assert_eq!(reply["status"], "sent");
    assert_eq!(
        format!("<{}>", reply["external_id"].as_str().unwrap()),
        our_id
    );

    // Answers arrive while the reader waits in IDLE: a colleague's, naming only our
    // Message-ID, joins the conversation; a forged token starts one of its own.
    put(
        &imap,
        mail(
            "Cy <cy@customer.test>",
            "Re: Order 42",
            "c1@customer.test",
            Some(&our_id),
            "Thanks from Ana's colleague",
        ),
    )
    .await;
    let thread = messages(&t, &b, ana, 4).await;
    assert_eq!(thread[3]["content"], "Thanks from Ana's colleague");
    assert_eq!(thread[3]["direction"], "incoming");
    let (head, tail) = our_id.split_once('.').unwrap();
    let mut parts: Vec<String> = tail.split('.').map(str::to_owned).collect();
    parts[1] = "0000000000000000".into();
    let forged = format!("{head}.{}", parts.join("."));
    put(
        &imap,
        mail(
            "Mallory <mallory@evil.test>",
            "Re: Order 42",
            "m1@evil.test",
            Some(&forged),
            "Send me Ana's address",
        ),
    )
    .await;
    let convs = conversations(&t, &b, &id, 3).await;
    assert_eq!(convs[2]["contact"]["email"], "mallory@evil.test");
    messages(&t, &b, ana, 4).await;

    // A delivery report for our reply joins Ana's conversation, marked, and the reply is
    // marked failed with the recipient the report names.
    let report = format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.customer.test>\r\nTo: support@example.com\r\n\
         Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn1@mx.customer.test>\r\n\
         Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\
         --b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.customer.test\r\n\r\n\
         Final-Recipient: rfc822; ana@customer.test\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n\
         --b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: support@example.com\r\n\
         To: ana@customer.test\r\nSubject: Re: Order 42\r\nMessage-ID: {our_id}\r\n\r\n--b--\r\n"
    );
    put(&imap, report.into_bytes()).await;
    let thread = messages(&t, &b, ana, 5).await;
    assert_eq!(
        thread[4]["metadata"]["email"]["automated"]["kind"],
        "bounce"
    );
    let deadline = Instant::now() + WAIT;
    loop {
        let reply = outgoing_reply(&t, &b, conv_id).await;
        if reply["status"] == "failed" {
            let error = reply["error"].as_str().unwrap();
            assert!(
                error.contains("bounced") && error.contains("ana@customer.test"),
                "{error}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the reply was not marked failed: {reply:#}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sync.stop().await;
}

#[tokio::test]
async fn settings_are_tested_on_save_with_clear_errors() {
    let t = app().await;
    let imap = Dovecot::start().await;
    imap.add_user(USER, PASSWORD);
    let sink = SmtpSink::start().await;
    let owner = t.create_org_with("Mail Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let create = |email: Value| {
        let b = &b;
        let t = &t;
        async move {
            let res = b
                .api(
                    t,
                    Method::POST,
                    "/inboxes",
                    Some(json!({ "name": "Mail", "channel": "email", "email": email })),
                )
                .await;
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let mut wrong = settings(&imap, &sink);
    wrong["imap_password"] = json!("not-the-password");
    let (status, body) = create(wrong).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("authentication failed"), "{body}");

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut unreachable = settings(&imap, &sink);
    unreachable["smtp_port"] = json!(closed);
    let (status, body) = create(unreachable).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("cannot reach"), "{body}");

    let (status, body) = create(
        json!({ "address": "nope" , "imap_host": "", "imap_username": "", "smtp_host": "" }),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    for field in [
        "address",
        "imap_host",
        "imap_username",
        "imap_password",
        "smtp_host",
    ] {
        assert!(body.contains(field), "{field} in {body}");
    }
    // Nothing was stored by the refusals.
    let inboxes = b.api_ok(&t, Method::GET, "/inboxes", None).await;
    assert_eq!(inboxes["items"].as_array().unwrap().len(), 0);

    // Loopback is refused unless the operator allowed private targets.
    let strict = rapport_testkit::spawn_app().await;
    let owner = strict.create_org_with("Strict", Role::Owner).await;
    let sb = Browser::sign_in(&strict, &owner).await;
    let res = sb
        .api(
            &strict,
            Method::POST,
            "/inboxes",
            Some(json!({ "name": "Mail", "channel": "email", "email": settings(&imap, &sink) })),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("private, loopback or link-local"), "{body}");

    // A change keeps the stored password when none is given, and is tested too.
    let ok = b
        .api_ok(
            &t,
            Method::POST,
            "/inboxes",
            Some(json!({ "name": "Mail", "channel": "email", "email": settings(&imap, &sink) })),
        )
        .await;
    let id = ok["id"].as_str().unwrap();
    let mut change = settings(&imap, &sink);
    change["imap_password"] = json!("");
    change["display_name"] = json!("Help desk");
    let saved = b
        .api_ok(
            &t,
            Method::PUT,
            &format!("/inboxes/{id}/email"),
            Some(change),
        )
        .await;
    assert_eq!(saved["display_name"], "Help desk");
    // Another org sees none of it.
    let other = t.create_org_with("Other", Role::Owner).await;
    let ob = Browser::sign_in(&t, &other).await;
    let res = ob
        .api(&t, Method::GET, &format!("/inboxes/{id}/email"), None)
        .await;
    assert_eq!(res.status().as_u16(), 404);
}

/// A mailbox and an SMTP server on loopback, and an email inbox of `owner`'s org reading it
/// (the app must allow private egress).
pub struct MailFixture {
    pub imap: Dovecot,
    pub sink: SmtpSink,
    pub inbox: String,
}

/// Starts the servers and connects an email inbox to them as `owner`.
pub async fn mail_fixture(t: &TestApp, owner: &Browser) -> MailFixture {
    let imap = Dovecot::start().await;
    imap.add_user(USER, PASSWORD);
    let sink = SmtpSink::start().await;
    let name = format!("Mail {}", uuid::Uuid::now_v7().simple());
    let inbox = owner
        .api_ok(
            t,
            Method::POST,
            "/inboxes",
            Some(json!({ "name": name, "channel": "email", "email": settings(&imap, &sink) })),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    MailFixture { imap, sink, inbox }
}

/// The settings `fixture`'s inbox was connected with (for a change).
pub fn fixture_settings(fixture: &MailFixture) -> Value {
    settings(&fixture.imap, &fixture.sink)
}

#[tokio::test]
async fn the_settings_page_connects_a_mailbox_and_manages_its_quarantine() {
    let t = app().await;
    let owner = t.create_org_with("Mail Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let imap = Dovecot::start().await;
    imap.add_user(USER, PASSWORD);
    let sink = SmtpSink::start().await;
    put(
        &imap,
        mail(
            "Ana <ana@customer.test>",
            "Hello",
            "h1@customer.test",
            None,
            "Hi there",
        ),
    )
    .await;
    put(&imap, b"Subject: broken\r\n\r\nno sender\r\n".to_vec()).await;
    let (port, smtp_port) = (imap.port().to_string(), sink.port().to_string());
    let res = b
        .form(
            &t,
            "/admin/inboxes/email",
            &[
                ("name", "Support mail"),
                ("address", "support@example.com"),
                ("imap_host", imap.host()),
                ("imap_port", &port),
                ("imap_security", "none"),
                ("imap_username", USER),
                ("imap_password", PASSWORD),
                ("folder", "INBOX"),
                ("smtp_host", sink.host()),
                ("smtp_port", &smtp_port),
                ("smtp_security", "none"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let sync = t.app.start_mail_sync("ui-test");
    let inboxes = b.api_ok(&t, Method::GET, "/inboxes", None).await;
    let id = inboxes["items"][0]["id"].as_str().unwrap().to_owned();
    conversations(&t, &b, &id, 1).await;
    let deadline = Instant::now() + WAIT;
    let page = loop {
        let (status, page) = b.get(&t, "/admin/inboxes").await;
        assert_eq!(status, 200);
        if page.contains("/admin/mail-quarantine/") || Instant::now() > deadline {
            break page;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    sync.stop().await;
    assert!(page.contains("support@example.com"), "{page}");
    assert!(page.contains("Mail that could not be stored"), "{page}");
    assert!(page.contains("no valid sender address"), "{page}");
    assert!(!page.contains(PASSWORD), "passwords are never shown");
    let at = page.find("/admin/mail-quarantine/").unwrap() + "/admin/mail-quarantine/".len();
    let qid = &page[at..at + 36];
    let res = b
        .form(&t, &format!("/admin/mail-quarantine/{qid}/discard"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, page) = b.get(&t, "/admin/inboxes").await;
    assert!(!page.contains("/admin/mail-quarantine/"), "discarded");
    assert!(page.contains("Messages taken in"), "{page}");
}

/// An HTML mail with a remote tracking pixel and an inline `cid:` logo.
fn html_mail() -> Vec<u8> {
    b"From: Ana <ana@customer.test>\r\nTo: support@example.com\r\nSubject: Newsletter question\r\n\
Message-ID: <html1@customer.test>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/related; boundary=\"rel\"\r\n\r\n\
--rel\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n\
--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the logo.\r\n\r\n\
On Mon, 23 Nov 2026, Support <support@example.com> wrote:\r\n> Please send a screenshot.\r\n\
--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
<p>See the <b>logo</b>.</p><img src=\"cid:logo@customer.test\"><img src=\"https://tracker.example/p.gif\">\
<script>alert(1)</script>\r\n--alt--\r\n\
--rel\r\nContent-Type: image/png\r\nContent-ID: <logo@customer.test>\r\nContent-Disposition: inline; filename=\"logo.png\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n\
iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\r\n--rel--\r\n"
        .to_vec()
}

#[tokio::test]
async fn mail_shows_folded_history_automated_marks_and_its_original_safely() {
    let t = app().await;
    let owner = t.create_org_with("Mail Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let fixture = mail_fixture(&t, &b).await;
    put(&fixture.imap, html_mail()).await;
    put(
        &fixture.imap,
        b"From: Bo <bo@other.test>\r\nTo: support@example.com\r\nSubject: Out of office\r\n\
Message-ID: <ooo1@other.test>\r\nAuto-Submitted: auto-replied\r\n\r\nI am away until Monday.\r\n"
            .to_vec(),
    )
    .await;
    // A rule that answers every new message with a canned reply must not answer the
    // auto-reply.
    let canned = b
        .api_ok(
            &t,
            Method::POST,
            "/canned-responses",
            Some(json!({ "short_code": "thanks", "title": "Thanks", "body": "Thanks, we are on it." })),
        )
        .await;
    let rule = b
        .api_ok(
            &t,
            Method::POST,
            "/automation-rules",
            Some(json!({
                "name": "Acknowledge", "trigger": "conversation_created",
                "actions": [{ "type": "send_canned_response", "canned_response_id": canned["id"] }],
            })),
        )
        .await;
    let sync = t.app.start_mail_sync("view-test");
    let convs = conversations(&t, &b, &fixture.inbox, 2).await;
    sync.stop().await;
    super::automation::settle(&t).await;
    let ana = convs
        .iter()
        .find(|c| c["contact"]["email"] == "ana@customer.test")
        .unwrap();
    let bo = convs
        .iter()
        .find(|c| c["contact"]["email"] == "bo@other.test")
        .unwrap();

    // The thread: the history is folded, the auto-reply is marked, the HTML is one click away.
    let (status, page) = b
        .get(&t, &format!("/inbox?c={}", ana["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("See the logo."), "{page}");
    assert!(page.contains("Show trimmed content"), "{page}");
    assert!(page.contains("/original\""), "{page}");
    let (_, page) = b
        .get(&t, &format!("/inbox?c={}", bo["id"].as_str().unwrap()))
        .await;
    assert!(page.contains("data-automated>Auto-reply<"), "{page}");

    // The original: sanitized, remote images blocked by the page's policy until asked for,
    // the inline logo served from its attachment.
    let message = messages(&t, &b, ana, 2)
        .await
        .into_iter()
        .find(|m| m["direction"] == "incoming")
        .unwrap();
    let id = message["id"].as_str().unwrap();
    let res = b
        .client
        .get(t.url(&format!("/inbox/messages/{id}/original")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = res.text().await.unwrap();
    assert!(
        csp.contains("img-src 'self' data:;") && csp.contains("sandbox"),
        "{csp}"
    );
    assert!(!body.contains("<script"), "{body}");
    assert!(
        body.contains("/api/v1/attachments/") && !body.contains("cid:logo"),
        "{body}"
    );
    assert!(body.contains("Remote images are blocked"), "{body}");
    let res = b
        .client
        .get(t.url(&format!("/inbox/messages/{id}/original?images=1")))
        .send()
        .await
        .unwrap();
    assert!(
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("https:")
    );
    // Another org cannot open it.
    let other = t.create_org_with("Other", Role::Owner).await;
    let ob = Browser::sign_in(&t, &other).await;
    let (status, _) = ob.get(&t, &format!("/inbox/messages/{id}/original")).await;
    assert_eq!(status, 404);

    // Ana got the acknowledgement; the auto-reply got none, and the run log says why.
    let runs = super::automation::runs(&t, &b, rule["id"].as_str().unwrap()).await;
    assert!(
        runs.iter().any(|r| r["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("never answered automatically")),
        "{runs:#?}"
    );
    let bo_thread = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/conversations/{}/messages", bo["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert!(
        !bo_thread["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["direction"] == "outgoing")
    );
    let ana_thread = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/conversations/{}/messages", ana["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert!(
        ana_thread["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["direction"] == "outgoing")
    );
}

#[tokio::test]
async fn a_backfill_window_takes_in_only_recent_mail() {
    let t = app().await;
    let imap = Dovecot::start().await;
    imap.add_user(USER, PASSWORD);
    let sink = SmtpSink::start().await;
    let old = mail(
        "Old Ann <old@customer.test>",
        "Last year",
        "old1@customer.test",
        None,
        "Old.",
    );
    imap.deliver_dated(USER, PASSWORD, "INBOX", &old, "02-Feb-2021 09:00:00 +0000")
        .await;
    put(
        &imap,
        mail(
            "New Nia <new@customer.test>",
            "This week",
            "new1@customer.test",
            None,
            "New.",
        ),
    )
    .await;
    let owner = t.create_org_with("Window Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let mut recent = settings(&imap, &sink);
    recent["backfill_days"] = json!(7);
    let inbox = b
        .api_ok(
            &t,
            Method::POST,
            "/inboxes",
            Some(json!({ "name": "Window mail", "channel": "email", "email": recent })),
        )
        .await;
    let id = inbox["id"].as_str().unwrap().to_owned();
    let status = b
        .api_ok(&t, Method::GET, &format!("/inboxes/{id}/email"), None)
        .await;
    let since = chrono::Utc::now().date_naive() - chrono::Days::new(7);
    assert_eq!(status["backfill_since"], since.to_string());
    let sync = t.app.start_mail_sync("window-test");
    let convs = conversations(&t, &b, &id, 1).await;
    assert_eq!(convs[0]["subject"], "This week");
    sync.stop().await;

    let mut too_long = settings(&imap, &sink);
    too_long["backfill_days"] = json!(100_000);
    let res = b
        .api(
            &t,
            Method::POST,
            "/inboxes",
            Some(json!({ "name": "Too long", "channel": "email", "email": too_long })),
        )
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("backfill_days"), "{body}");
}
