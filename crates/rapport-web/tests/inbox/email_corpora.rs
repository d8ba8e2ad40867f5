//! Real-world mail written by others (../shared/corpora; sources and licenses in its
//! MANIFEST.md) through an email inbox's whole receive path, on SQLite and PostgreSQL: every
//! message file of stalwart-mail-parser (RFC, third-party and malformed mail, its Maildir),
//! CPython's email test data, nodemailer's mailparser fixtures and the talon client replies,
//! plus the plain-text and HTML reply bodies of email-reply-quote-fixtures wrapped in a minimal
//! message (the files and what each contains: `email_corpus_files`). Each goes through
//! [`App::receive_fetched_mail`], the step the IMAP reader runs per fetched message (parse,
//! thread, stage files, ingest, or quarantine).
//!
//! Proved: nothing panics; every file is stored (one new message, or a repeat of a Message-ID
//! already stored) or quarantined with a reason, never lost; and what the corpus says a
//! message contains (stalwart's expected trees: subject, author, plain text, attachment names;
//! talon's reply texts; the wrapped bodies) is what the stored message holds.
//! (`rapport-mail/tests/corpora.rs` proves the same files at the parser alone.)

use super::Browser;
use super::email::{PASSWORD, USER, mail_fixture};
use super::email_corpus_files::{Sample, first_difference, samples, squash};
use rapport_app::inbox::email::Receive;
use rapport_app::{App, AppConfig};
use rapport_domain::inbox::channel::MAX_MESSAGE_BYTES;
use rapport_domain::{InboxId, OrgId, Role};
use rapport_testkit::{TestApp, spawn_app_with};
use reqwest::Method;
use sea_orm::ConnectionTrait;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// An app that may reach the mail servers on loopback.
async fn app() -> TestApp {
    let mut config = AppConfig::default();
    config.egress.allow_private = true;
    spawn_app_with(config, Arc::new(rapport_domain::SystemClock)).await
}

/// The incoming messages of the org not in `seen` (which learns them): (message, conversation).
async fn new_messages(
    t: &TestApp,
    org: OrgId,
    seen: &mut HashSet<uuid::Uuid>,
) -> Vec<(uuid::Uuid, uuid::Uuid)> {
    let stmt = crate::privacy::sql(
        t,
        "SELECT id, conversation_id FROM messages WHERE org_id = $1 AND kind = 'message'",
        vec![org.as_uuid().into()],
    );
    let rows = t.db.db.conn().query_all_raw(stmt).await.unwrap();
    rows.iter()
        .map(|r| {
            let id: uuid::Uuid = r.try_get("", "id").unwrap();
            (id, r.try_get("", "conversation_id").unwrap())
        })
        .filter(|(id, _)| seen.insert(*id))
        .collect()
}

/// The Message-ID a file names (unfolded header, brackets dropped), to recognize a repeat.
fn message_id(raw: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(raw).replace('\r', "");
    let head = text.split("\n\n").next().unwrap_or_default();
    let unfolded = head.replace("\n ", " ").replace("\n\t", " ");
    unfolded.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.trim().eq_ignore_ascii_case("message-id").then(|| {
            value
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned()
        })
    })
}

/// Where a stored message's conversation and contact are new to the run.
struct Firsts {
    conversation: bool,
    contact: bool,
}

/// Checks a stored message against what its file is known to contain.
async fn check(
    t: &TestApp,
    b: &Browser,
    s: &Sample,
    message: uuid::Uuid,
    conv: uuid::Uuid,
    firsts: Firsts,
) {
    let what = &s.name;
    let thread = b
        .api_ok(
            t,
            Method::GET,
            &format!("/conversations/{conv}/messages?limit=100"),
            None,
        )
        .await;
    let m = thread["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == message.to_string())
        .unwrap_or_else(|| panic!("{what}: message {message} not in its thread"))
        .clone();
    assert_eq!(m["direction"], "incoming", "{what}");
    let content = m["content"].as_str().unwrap();
    let email = &m["metadata"]["email"];
    let c = b
        .api_ok(t, Method::GET, &format!("/conversations/{conv}"), None)
        .await;
    let e = &s.expect;
    if let Some(subject) = &e.subject {
        assert_eq!(
            email["subject"].as_str(),
            Some(subject.as_str()),
            "{what}: subject"
        );
        if firsts.conversation && !subject.trim().is_empty() {
            let shown = c["subject"].as_str().unwrap_or_default();
            assert!(
                !shown.is_empty() && subject.trim().starts_with(shown),
                "{what}: conversation subject {shown:?}"
            );
        }
    }
    if let Some((address, name)) = &e.from {
        let got = email["from"].as_str().unwrap_or_default();
        assert!(
            got.eq_ignore_ascii_case(address),
            "{what}: from {got:?}, expected {address:?}"
        );
        let name = name.as_deref().map(str::trim).filter(|n| !n.is_empty());
        if let (true, Some(name)) = (firsts.contact, name) {
            assert_eq!(
                c["contact"]["name"].as_str(),
                Some(name),
                "{what}: author's name"
            );
        }
    }
    if let Some(text) = &e.text {
        let (got, want) = (squash(content), squash(text));
        if text.len() > MAX_MESSAGE_BYTES {
            // Longer than a message holds: the start is kept, and the thread says so.
            let notes = email["notes"].to_string();
            assert!(
                notes.contains("shortened"),
                "{what}: no note of the cut: {notes}"
            );
            assert!(
                want.starts_with(&got),
                "{what}: {}",
                first_difference(&got, &want)
            );
        } else {
            assert!(
                got == want,
                "{what}: text: {}",
                first_difference(&got, &want)
            );
        }
    }
    if let Some(part) = &e.contains {
        let shown: String = content.chars().take(300).collect();
        assert!(
            squash(content).contains(&squash(part)),
            "{what}: {part:?} not in {shown:?}…"
        );
    }
    if let Some(kind) = e.automated {
        assert_eq!(email["automated"]["kind"], kind, "{what}: automated mail");
    }
    if let Some(expected) = &e.attachments {
        let got: Vec<&str> = m["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["filename"].as_str().unwrap())
            .collect();
        assert_eq!(
            got.len(),
            expected.len(),
            "{what}: attachments {got:?}, expected {expected:?}"
        );
        for (got, want) in got.iter().zip(expected) {
            if let Some(want) = want {
                assert_eq!(got, want, "{what}: attachment name");
            }
        }
    }
}

/// One file through the reader's per-message step, in a task of its own so a panic names it.
async fn receive(app: &App, org: OrgId, inbox: InboxId, uid: u32, s: &Sample) -> Receive {
    let (app, raw) = (app.clone(), s.raw.clone());
    tokio::spawn(async move {
        app.receive_fetched_mail(org, inbox, "INBOX", uid, &raw)
            .await
    })
    .await
    .unwrap_or_else(|e| panic!("{}: the receive path panicked: {e}", s.name))
    .unwrap_or_else(|e| panic!("{}: the inbox refused the call: {e}", s.name))
}

#[tokio::test]
async fn every_corpus_message_is_stored_with_its_contents_or_quarantined_with_a_reason() {
    let samples = samples();
    assert!(
        samples.len() >= 250,
        "only {} corpus files found",
        samples.len()
    );
    let t = app().await;
    let owner = t.create_org_with("Corpus Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let fixture = mail_fixture(&t, &b).await;
    let inbox = InboxId::from_uuid(fixture.inbox.parse().unwrap());
    let org = owner.org_id;

    let (mut seen, mut convs, mut contacts) = (HashSet::new(), HashSet::new(), HashSet::new());
    let mut stored_ids: HashSet<String> = HashSet::new();
    let (mut stored, mut repeats, mut checked, mut quarantined) = (0, 0, 0, Vec::new());
    for (i, s) in samples.iter().enumerate() {
        let uid = u32::try_from(i + 1).unwrap();
        match receive(&t.app, org, inbox, uid, s).await {
            Receive::Stored => match new_messages(&t, org, &mut seen).await.as_slice() {
                [] => {
                    let id = message_id(&s.raw);
                    assert!(
                        id.as_ref().is_some_and(|id| stored_ids.contains(id)),
                        "{}: stored, yet no message and no repeat of a stored Message-ID ({id:?})",
                        s.name
                    );
                    repeats += 1;
                }
                [(message, conv)] => {
                    let from = s.expect.from.as_ref().map(|(a, _)| a.to_lowercase());
                    let firsts = Firsts {
                        conversation: convs.insert(*conv),
                        contact: from.is_some_and(|a| contacts.insert(a)),
                    };
                    check(&t, &b, s, *message, *conv, firsts).await;
                    checked += usize::from(s.expect.says_something());
                    stored_ids.extend(message_id(&s.raw));
                    stored += 1;
                }
                more => panic!("{}: one file stored {} messages", s.name, more.len()),
            },
            Receive::Quarantined(reason) => {
                assert!(
                    !reason.trim().is_empty(),
                    "{}: quarantined without a reason",
                    s.name
                );
                quarantined.push((uid, s.name.clone(), reason));
            }
            other => panic!(
                "{}: {other:?} (no corpus message is ours or meets an outage)",
                s.name
            ),
        }
    }

    // Never lost: each file is a message, a repeat or a quarantined copy with its reason.
    assert_eq!(stored + repeats + quarantined.len(), samples.len());
    assert_eq!(seen.len(), stored, "messages in the org");
    let held = b
        .api_ok(
            &t,
            Method::GET,
            &format!("/mail-quarantine?inbox_id={}", fixture.inbox),
            None,
        )
        .await;
    let mut held: Vec<(u64, String)> = held["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["uid"].as_u64().unwrap(),
                q["error"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    held.sort();
    let expected: Vec<(u64, String)> = quarantined
        .iter()
        .map(|(uid, _, why)| (u64::from(*uid), why.clone()))
        .collect();
    assert_eq!(
        held, expected,
        "the quarantine holds exactly the refused files"
    );
    // Most real mail is stored: quarantine is for mail that names no sender and the like.
    assert!(
        stored >= samples.len() * 3 / 4,
        "only {stored} of {} stored: {quarantined:#?}",
        samples.len()
    );
    assert!(
        checked >= 150,
        "only {checked} stored messages had expectations"
    );
    eprintln!(
        "corpora: {} files: {stored} stored ({checked} against expectations), {repeats} repeats, {} quarantined",
        samples.len(),
        quarantined.len()
    );
    for (_, name, why) in &quarantined {
        eprintln!("  quarantined {name}: {why}");
    }
}

/// The same files through the real reader: appended to a Dovecot mailbox as delivered mail,
/// every one is taken in (stored or quarantined) and the reader ends without an error, so no
/// corpus message stops a mailbox.
#[tokio::test]
async fn the_mailbox_reader_reads_past_every_corpus_message() {
    let samples = samples();
    let t = app().await;
    let owner = t.create_org_with("Corpus Org", Role::Owner).await;
    let b = Browser::sign_in(&t, &owner).await;
    let fixture = mail_fixture(&t, &b).await;
    let raws: Vec<Vec<u8>> = samples.iter().map(|s| s.raw.clone()).collect();
    fixture
        .imap
        .deliver_many(USER, PASSWORD, "INBOX", &raws)
        .await;
    let sync = t.app.start_mail_sync("corpora");
    let path = format!("/inboxes/{}/email", fixture.inbox);
    let deadline = Instant::now() + Duration::from_secs(120);
    let (status, taken) = loop {
        let status = b.api_ok(&t, Method::GET, &path, None).await;
        let imported = status["folders"][0]["imported"].as_u64().unwrap_or(0);
        let taken = usize::try_from(imported).unwrap()
            + status["quarantined"].as_u64().map_or(0, |q| q as usize);
        if taken >= samples.len() || Instant::now() > deadline {
            break (status, taken);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    sync.stop().await;
    assert_eq!(taken, samples.len(), "every file taken in: {status:#}");
    assert!(status["folders"][0]["last_error"].is_null(), "{status:#}");
    eprintln!(
        "corpora through IMAP: {} taken in, {} quarantined",
        status["folders"][0]["imported"], status["quarantined"]
    );
}
