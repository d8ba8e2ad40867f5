//! `mail-servers`: the testkit's real mail servers for checks that run outside Rust (the
//! browser suite, tests/browser/run.mjs), with a small backlog already in the mailbox.
//!
//! Starts the Google/Microsoft OAuth fake ([`MailOAuthFake`]), Dovecot taking passwords and
//! the fake's tokens ([`Dovecot::start_with_oauth2`]), the SMTP sink ([`SmtpSink::start`]) and
//! an XOAUTH2-only sink on loopback, delivers [`BACKLOG`] (three customers' threads, one with a
//! reply that names the first message) and one message to the OAuth account's mailbox, then
//! prints **one JSON line** on stdout (with an `oauth` object: the fake's base URL, client
//! id and secret, the account, its IMAP and SMTP ports and its message):
//!
//! ```json
//! {"address":"support@example.com",
//!  "imap":{"host":"127.0.0.1","port":1234,"security":"none","username":"support","password":"…"},
//!  "smtp":{"host":"127.0.0.1","port":2345,"security":"none"},
//!  "backlog":[{"from":"ana@customer.test","subject":"…","message_id":"<…>"}, …]}
//! ```
//!
//! Then it answers commands on stdin, one per line, one JSON line each:
//!
//! - `wait-smtp ADDRESS`: waits (up to 30 s) for the next message the sink received for
//!   envelope recipient ADDRESS and prints its `subject`, `to`, `from`, `message_id`,
//!   `in_reply_to` and `references` (raw header values, whitespace unfolded; `null` when
//!   absent), or `{"error": …}`;
//! - `wait-oauth-smtp ADDRESS`: the same for the XOAUTH2 sink.
//!
//! At stdin EOF (the caller ended or died) it exits, and the servers stop with it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test support: failing loudly is the point

use rapport_testkit::imap::Dovecot;
use rapport_testkit::mail_oauth::{CLIENT_ID, CLIENT_SECRET, MailOAuthFake};
use rapport_testkit::smtp::SmtpSink;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// The mailbox's address, IMAP user and password.
const ADDRESS: &str = "support@example.com";
const USER: &str = "support";
const PASSWORD: &str = "mailbox-pass-1";

/// The Google account the fake provider consents as; its mailbox is on the same Dovecot.
const OAUTH_ACCOUNT: &str = "team@example.com";

/// What waits in that mailbox.
const OAUTH_MESSAGE: (&str, &str, &str, Option<&str>, &str) = (
    "Dara Okafor <dara@customer.test>",
    "Partnership question",
    "<partner-1@customer.test>",
    None,
    "Hi team, who should I talk to about a reseller partnership?\n\nDara",
);

/// How long `wait-smtp` waits.
const WAIT: Duration = Duration::from_secs(30);

/// The backlog: (From, Subject, Message-ID, In-Reply-To, body). Ana's second message answers
/// her first, so the two must land in one conversation.
const BACKLOG: &[(&str, &str, &str, Option<&str>, &str)] = &[
    (
        "Ana Lima <ana@customer.test>",
        "Order 4711 has not arrived",
        "<order-4711-1@customer.test>",
        None,
        "Hello,\n\nI ordered a desk lamp two weeks ago (order 4711) and it has not arrived yet.\n\
         Could you check where it is?\n\nThanks,\nAna",
    ),
    (
        "Bo Berg <bo@other.test>",
        "Invoice for March",
        "<invoice-march@other.test>",
        None,
        "Hi, could you send me the invoice for March again? The link in the first mail expired.\n\nBo",
    ),
    (
        "Chen Wei <chen@third.test>",
        "Can I change my plan?",
        "<plan-change@third.test>",
        None,
        "Hello! We are growing: can we move from the Starter plan to Team in the middle of the month?",
    ),
    (
        "Ana Lima <ana@customer.test>",
        "Re: Order 4711 has not arrived",
        "<order-4711-2@customer.test>",
        Some("<order-4711-1@customer.test>"),
        "Any news? The tracking page still says \"label created\".\n\nAna",
    ),
];

fn message(from: &str, subject: &str, id: &str, parent: Option<&str>, body: &str) -> Vec<u8> {
    let mut m = format!(
        "From: {from}\r\nTo: Support <{ADDRESS}>\r\nSubject: {subject}\r\nMessage-ID: {id}\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
    );
    if let Some(parent) = parent {
        m.push_str(&format!(
            "In-Reply-To: {parent}\r\nReferences: {parent}\r\n"
        ));
    }
    m.push_str("\r\n");
    m.push_str(&body.replace('\n', "\r\n"));
    m.push_str("\r\n");
    m.into_bytes()
}

/// The address part of `Name <address>`.
fn address(from: &str) -> &str {
    from.rsplit_once('<')
        .map_or(from, |(_, rest)| rest.trim_end_matches('>'))
}

/// What `wait-smtp` reports of a received message.
fn headers(mail: &rapport_testkit::smtp::ReceivedMail) -> Value {
    let parsed = mail_parser::MessageParser::default().parse(mail.raw.as_bytes());
    let header = |name: &str| {
        parsed
            .as_ref()
            .and_then(|m| m.header_raw(name))
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    json!({
        "subject": mail.subject,
        "to": mail.to,
        "from": mail.from,
        "message_id": header("Message-ID"),
        "in_reply_to": header("In-Reply-To"),
        "references": header("References"),
    })
}

async fn wait_smtp(sink: &Arc<SmtpSink>, rcpt: &str) -> Value {
    let (sink, rcpt) = (Arc::clone(sink), rcpt.to_owned());
    // The sink panics with what it did receive when nothing comes: report that, keep serving.
    match tokio::spawn(async move { sink.wait_for_message_to(&rcpt, WAIT).await }).await {
        Ok(mail) => headers(&mail),
        Err(e) => json!({ "error": e.to_string() }),
    }
}

#[tokio::main]
async fn main() {
    // One Dovecot takes both passwords and the fake provider's tokens.
    let oauth = MailOAuthFake::start(OAUTH_ACCOUNT).await;
    let imap = Dovecot::start_with_oauth2(&oauth.userinfo_url()).await;
    imap.add_user(USER, PASSWORD);
    imap.add_user(OAUTH_ACCOUNT, PASSWORD);
    let sink = Arc::new(SmtpSink::start().await);
    let oauth_sink = Arc::new(SmtpSink::start_with_xoauth2(&oauth.userinfo_url()).await);
    let (from, subject, id, parent, body) = OAUTH_MESSAGE;
    imap.deliver(
        OAUTH_ACCOUNT,
        PASSWORD,
        "INBOX",
        &message(from, subject, id, parent, body),
    )
    .await;
    let raws: Vec<Vec<u8>> = BACKLOG
        .iter()
        .map(|(from, subject, id, parent, body)| message(from, subject, id, *parent, body))
        .collect();
    imap.deliver_many(USER, PASSWORD, "INBOX", &raws).await;
    let backlog: Vec<Value> = BACKLOG
        .iter()
        .map(|(from, subject, id, _, _)| {
            json!({ "from": address(from), "subject": subject, "message_id": id })
        })
        .collect();
    println!(
        "{}",
        json!({
            "address": ADDRESS,
            "imap": { "host": imap.host(), "port": imap.port(), "security": "none",
                      "username": USER, "password": PASSWORD },
            "smtp": { "host": sink.host(), "port": sink.port(), "security": "none" },
            "backlog": backlog,
            "oauth": { "base_url": oauth.base_url(), "client_id": CLIENT_ID,
                       "client_secret": CLIENT_SECRET, "account": OAUTH_ACCOUNT,
                       "imap_port": imap.port(), "smtp_port": oauth_sink.port(),
                       "subject": subject, "from": address(from) },
        })
    );

    // Stdin is read on a thread of its own (blocking reads); its end ends the program.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    while let Some(line) = rx.recv().await {
        let mut words = line.split_whitespace();
        let answer = match (words.next(), words.next()) {
            (None, _) => continue,
            (Some("wait-smtp"), Some(rcpt)) => wait_smtp(&sink, rcpt).await,
            (Some("wait-oauth-smtp"), Some(rcpt)) => wait_smtp(&oauth_sink, rcpt).await,
            _ => json!({ "error": format!("unknown command: {line}") }),
        };
        println!("{answer}");
    }
    // Dropping the servers stops them (and deletes their mail).
    drop(imap);
}
