//! The email channel through a crash (DESIGN.md invariant 3), against a real Dovecot: a
//! generated backlog of about 3,000 messages in 1,000 threads (replies, References only,
//! reply-all by colleagues, unknown external parents, attachments, RFC 2047 headers,
//! ISO-8859-1 bodies; `rapport_testkit::mail_backlog`) waits in the mailbox before the inbox
//! is connected. The server reading it is killed with SIGKILL part-way and restarted. Then
//! every message is stored exactly once and every thread is exactly one conversation.

use super::{Server, http, org_with_token};
use rapport_store::testing::TestDb;
use rapport_testkit::imap::Dovecot;
use rapport_testkit::mail_backlog;
use rapport_testkit::smtp::SmtpSink;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

const THREADS: usize = 1_000;
/// Stored messages before the kill.
const KILL_AFTER: i64 = 600;
const USER: &str = "support";
const PASSWORD: &str = "crash-mailbox-pass";

async fn stored(db: &TestDb) -> i64 {
    let sql = "SELECT COUNT(*) FROM messages WHERE kind = 'message' AND direction = 'incoming'";
    let row = db
        .db
        .conn()
        .query_one_raw(Statement::from_string(db.db.db_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// Waits until `n` messages are stored (or the deadline passes); the count.
async fn until_stored(db: &TestDb, n: i64, within: Duration) -> i64 {
    let deadline = Instant::now() + within;
    loop {
        let now = stored(db).await;
        if now >= n || Instant::now() > deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The stored grouping: for each conversation, its messages' Message-IDs.
async fn grouping(db: &TestDb) -> (usize, BTreeSet<BTreeSet<String>>) {
    let conversation = match db.db.db_backend() {
        DbBackend::Postgres => "CAST(conversation_id AS TEXT)",
        _ => "hex(conversation_id)",
    };
    let sql = format!(
        "SELECT external_id, {conversation} AS conv FROM messages \
         WHERE kind = 'message' AND direction = 'incoming'"
    );
    let rows = db
        .db
        .conn()
        .query_all_raw(Statement::from_string(db.db.db_backend(), sql))
        .await
        .unwrap();
    let mut by_conv: HashMap<String, BTreeSet<String>> = HashMap::new();
    for r in &rows {
        let id: String = r.try_get("", "external_id").unwrap();
        let conv: String = r.try_get("", "conv").unwrap();
        by_conv.entry(conv).or_default().insert(id);
    }
    (rows.len(), by_conv.into_values().collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sigkill_while_reading_a_backlog_of_3000_mails_loses_none_and_duplicates_none() {
    let backlog = mail_backlog::generate(THREADS);
    let total = backlog.messages.len();
    let imap = Dovecot::start().await;
    imap.add_user(USER, PASSWORD);
    imap.deliver_many(USER, PASSWORD, "INBOX", &backlog.messages)
        .await;
    let sink = SmtpSink::start().await;

    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let data = [
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--database-url",
        db.url.as_str(),
    ];
    let token = org_with_token("Mail Crash Org", &data);
    // The mail servers run on loopback.
    let env = [
        ("RAPPORT_EGRESS_ALLOW_PRIVATE", "true"),
        ("RAPPORT_MAIL_LEASE_SECONDS", "3"),
    ];

    let first = Server::start(&data, &env);
    let res = http()
        .post(format!("{}/api/v1/inboxes", first.base))
        .bearer_auth(&token)
        .json(&json!({
            "name": "Support mail", "channel": "email",
            "email": {
                "address": "support@example.com",
                "imap_host": imap.host(), "imap_port": imap.port(), "imap_security": "none",
                "imap_username": USER, "imap_password": PASSWORD,
                "smtp_host": sink.host(), "smtp_port": sink.port(), "smtp_security": "none",
            },
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201, "{}", res.text().await.unwrap());

    let before_kill = until_stored(&db, KILL_AFTER, Duration::from_secs(120)).await;
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(first.child.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    drop(first);
    assert!(
        before_kill >= KILL_AFTER,
        "the reader stored {before_kill} before the kill"
    );
    let at_kill = stored(&db).await;
    assert!(
        at_kill < total as i64,
        "the kill came after the whole backlog ({at_kill} of {total}); raise THREADS"
    );

    // Restarted, the reader continues from its checkpoint (after the lease of the killed
    // process runs out).
    let second = Server::start(&data, &env);
    let done = until_stored(&db, total as i64, Duration::from_secs(300)).await;
    assert!(second.stop().success());
    assert_eq!(
        done, total as i64,
        "stored {done} of {total} (killed at {at_kill})"
    );

    let (rows, got) = grouping(&db).await;
    assert_eq!(rows, total, "no message is stored twice");
    let want: BTreeSet<BTreeSet<String>> = backlog
        .threads
        .iter()
        .map(|t| t.iter().cloned().collect())
        .collect();
    let misplaced: Vec<_> = got.symmetric_difference(&want).take(5).collect();
    assert!(
        misplaced.is_empty(),
        "conversations differ from the threads ({} stored, {} expected); e.g. {misplaced:?}",
        got.len(),
        want.len()
    );
}
