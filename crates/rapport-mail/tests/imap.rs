//! Reading folders of a real Dovecot (started per test on loopback): a backlog comes in UID
//! order in bounded batches, a checkpoint resumes after the last message taken, messages stay
//! unread for other readers, a rebuilt folder (new UIDVALIDITY) is read again from the start,
//! bad credentials or an unknown host say so, TLS (IMAPS and STARTTLS) checks the server's
//! certificate, and addresses the caller vetted are connected to instead of the host's.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rapport_mail::imap::{Account, Folder, ImapError, Secret, Security};
use rapport_mail::{Limits, parse};
use rapport_testkit::imap::Dovecot;

fn mail(n: usize) -> Vec<u8> {
    format!(
        "From: Customer {n} <c{n}@example.com>\r\nTo: support@acme.test\r\n\
         Subject: Question {n}\r\nMessage-ID: <q{n}@example.com>\r\n\r\nBody {n}\r\n"
    )
    .into_bytes()
}

fn account(d: &Dovecot, user: &str, password: &str) -> Account {
    Account {
        host: d.host().into(),
        port: d.port(),
        addresses: Vec::new(),
        username: user.into(),
        secret: Secret::Password(password.into()),
        security: Security::Plain,
        extra_roots: Vec::new(),
    }
}

#[tokio::test]
async fn a_backlog_is_read_in_uid_order_in_batches_and_resumes_from_its_checkpoint() {
    let d = Dovecot::start().await;
    d.add_user("support", "s3cret");
    for n in 1..=7 {
        d.deliver("support", "s3cret", "INBOX", &mail(n)).await;
    }
    let acct = account(&d, "support", "s3cret");
    let mut folder = Folder::open(&acct, "INBOX").await.unwrap();
    let mut subjects = Vec::new();
    let mut checkpoint = None;
    let mut batches = 0;
    loop {
        let batch = folder.next_batch(checkpoint, 3).await.unwrap();
        assert!(batch.messages.len() <= 3);
        assert!(!batch.rescan);
        for m in &batch.messages {
            let parsed = parse(&m.raw, &Limits::default()).unwrap();
            subjects.push(parsed.subject.unwrap());
        }
        checkpoint = Some(batch.checkpoint);
        batches += 1;
        if !batch.more {
            break;
        }
    }
    assert_eq!(batches, 3);
    let want: Vec<String> = (1..=7).map(|n| format!("Question {n}")).collect();
    assert_eq!(subjects, want);
    folder.close().await;

    // Nothing new: an empty batch that keeps the checkpoint. Then one more arrives.
    let mut folder = Folder::open(&acct, "INBOX").await.unwrap();
    let empty = folder.next_batch(checkpoint, 3).await.unwrap();
    assert!(empty.messages.is_empty());
    assert_eq!(Some(empty.checkpoint), checkpoint);
    d.deliver("support", "s3cret", "INBOX", &mail(8)).await;
    let next = folder.next_batch(checkpoint, 3).await.unwrap();
    assert_eq!(next.messages.len(), 1);
    let parsed = parse(&next.messages[0].raw, &Limits::default()).unwrap();
    assert_eq!(parsed.message_id.as_deref(), Some("q8@example.com"));
    folder.close().await;

    // Reading peeked: the messages are still unread for the mailbox's people.
    let mut s = d.session("support", "s3cret").await;
    s.select("INBOX").await.unwrap();
    let unseen = s.search("UNSEEN").await.unwrap();
    assert_eq!(unseen.len(), 8);

    // A checkpoint from another UIDVALIDITY (the folder was rebuilt) reads from the start.
    let mut folder = Folder::open(&acct, "INBOX").await.unwrap();
    let mut stale = checkpoint.unwrap();
    stale.uid_validity = stale.uid_validity.wrapping_add(1);
    let again = folder.next_batch(Some(stale), 100).await.unwrap();
    assert!(again.rescan);
    assert_eq!(again.messages.len(), 8);
    folder.close().await;
}

#[tokio::test]
async fn bad_credentials_and_unreachable_hosts_are_told_apart() {
    let d = Dovecot::start().await;
    d.add_user("support", "s3cret");
    let wrong = Folder::open(&account(&d, "support", "nope"), "INBOX").await;
    assert_eq!(wrong.err(), Some(ImapError::AuthenticationFailed));
    let missing = Folder::open(&account(&d, "support", "s3cret"), "Nope").await;
    assert_eq!(missing.err(), Some(ImapError::NoFolder("Nope".into())));
    let (_held, port) = closed_port();
    let unreachable = Folder::open(
        &Account {
            port,
            ..account(&d, "support", "s3cret")
        },
        "INBOX",
    )
    .await;
    assert!(
        matches!(unreachable, Err(ImapError::Unreachable { .. })),
        "{unreachable:?}"
    );
    let text = format!("{:?}", account(&d, "support", "s3cret"));
    assert!(
        !text.contains("s3cret"),
        "the password is not in Debug output"
    );
}

#[tokio::test]
async fn tls_and_starttls_connect_only_to_a_trusted_certificate() {
    let d = Dovecot::start().await;
    d.add_user("support", "s3cret");
    d.deliver("support", "s3cret", "INBOX", &mail(1)).await;
    let trusted = |security, port, host: &str| Account {
        host: host.into(),
        port,
        security,
        extra_roots: vec![d.ca_pem()],
        ..account(&d, "support", "s3cret")
    };
    for acct in [
        trusted(Security::Tls, d.tls_port(), "localhost"),
        trusted(Security::Tls, d.tls_port(), "127.0.0.1"),
        trusted(Security::StartTls, d.port(), "localhost"),
    ] {
        let mut folder = Folder::open(&acct, "INBOX").await.unwrap();
        let batch = folder.next_batch(None, 10).await.unwrap();
        assert_eq!(batch.messages.len(), 1, "{acct:?}");
        folder.close().await;
    }
    // Without the test CA the certificate is not trusted: a TLS error, never a silent connect.
    for (security, port) in [
        (Security::Tls, d.tls_port()),
        (Security::StartTls, d.port()),
    ] {
        let untrusted = Account {
            host: "localhost".into(),
            port,
            security,
            ..account(&d, "support", "s3cret")
        };
        let err = Folder::open(&untrusted, "INBOX").await.unwrap_err();
        assert!(matches!(err, ImapError::Tls(_)), "{err:?}");
        assert!(err.to_string().starts_with("TLS error"), "{err}");
    }
}

/// A port that refuses connections, held (bound, not listening) as long as the socket lives
/// so that no server another test starts can take it.
fn closed_port() -> (tokio::net::TcpSocket, u16) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = socket.local_addr().unwrap().port();
    (socket, port)
}

#[tokio::test]
async fn given_addresses_are_used_instead_of_the_host_and_tls_still_checks_the_host() {
    let d = Dovecot::start().await;
    d.add_user("support", "s3cret");
    d.deliver("support", "s3cret", "INBOX", &mail(1)).await;
    let (_held, dead_port) = closed_port();
    let dead: std::net::SocketAddr = format!("127.0.0.1:{dead_port}").parse().unwrap();
    let tls_addr: std::net::SocketAddr = format!("127.0.0.1:{}", d.tls_port()).parse().unwrap();
    // The host is never resolved (`.invalid` would not be); the first address that answers
    // is used.
    let plain = Account {
        host: "imap.invalid".into(),
        addresses: vec![dead, format!("127.0.0.1:{}", d.port()).parse().unwrap()],
        ..account(&d, "support", "s3cret")
    };
    let mut folder = Folder::open(&plain, "INBOX").await.unwrap();
    assert_eq!(folder.next_batch(None, 10).await.unwrap().messages.len(), 1);
    folder.close().await;
    // TLS checks the certificate against the host (localhost), not the address.
    let tls = Account {
        host: "localhost".into(),
        port: d.tls_port(),
        addresses: vec![dead, tls_addr],
        security: Security::Tls,
        extra_roots: vec![d.ca_pem()],
        ..account(&d, "support", "s3cret")
    };
    let mut folder = Folder::open(&tls, "INBOX").await.unwrap();
    assert_eq!(folder.next_batch(None, 10).await.unwrap().messages.len(), 1);
    folder.close().await;
    let wrong_name = Account {
        host: "mail.example.com".into(),
        ..tls.clone()
    };
    let err = Folder::open(&wrong_name, "INBOX").await.unwrap_err();
    assert!(matches!(err, ImapError::Tls(_)), "{err:?}");
    // Only dead addresses: unreachable, naming the host as typed.
    let unreachable = Account {
        addresses: vec![dead],
        ..plain
    };
    let err = Folder::open(&unreachable, "INBOX").await.unwrap_err();
    assert!(
        matches!(&err, ImapError::Unreachable { host, .. } if host == "imap.invalid"),
        "{err:?}"
    );
}

#[tokio::test]
async fn idle_wakes_when_mail_arrives_and_the_next_batch_has_it() {
    let d = Dovecot::start().await;
    d.add_user("support", "s3cret");
    d.deliver("support", "s3cret", "INBOX", &mail(1)).await;
    let mut folder = Folder::open(&account(&d, "support", "s3cret"), "INBOX")
        .await
        .unwrap();
    let first = folder.next_batch(None, 10).await.unwrap();
    assert_eq!(first.messages.len(), 1);
    let waiting = tokio::spawn(folder.wait_for_change(std::time::Duration::from_secs(60)));
    d.deliver("support", "s3cret", "INBOX", &mail(2)).await;
    let (mut folder, changed) = waiting.await.unwrap().unwrap();
    assert!(changed, "IDLE reported the new message");
    let next = folder.next_batch(Some(first.checkpoint), 10).await.unwrap();
    assert_eq!(next.messages.len(), 1);
    let parsed = parse(&next.messages[0].raw, &Limits::default()).unwrap();
    assert_eq!(parsed.subject.as_deref(), Some("Question 2"));
    folder.close().await;
}

#[tokio::test]
async fn an_oauth_token_logs_in_with_xoauth2_and_a_refused_one_is_an_authentication_failure() {
    let oauth = rapport_testkit::mail_oauth::MailOAuthFake::start("support@acme.test").await;
    let d = Dovecot::start_with_oauth2(&oauth.userinfo_url()).await;
    d.add_user("support@acme.test", "s3cret");
    d.deliver("support@acme.test", "s3cret", "INBOX", &mail(1))
        .await;
    let token = oauth.issue_access_token("support@acme.test");
    let acct = Account {
        secret: Secret::OAuth2Token(token.clone()),
        ..account(&d, "support@acme.test", "unused")
    };
    let mut folder = Folder::open(&acct, "INBOX").await.unwrap();
    let batch = folder.next_batch(None, 10).await.unwrap();
    assert_eq!(batch.messages.len(), 1);
    folder.close().await;
    assert!(!format!("{acct:?}").contains(&token), "no token in Debug");

    // Another account's token does not open this mailbox; a revoked one opens nothing.
    let theirs = Account {
        secret: Secret::OAuth2Token(oauth.issue_access_token("other@acme.test")),
        ..acct.clone()
    };
    assert_eq!(
        Folder::open(&theirs, "INBOX").await.err(),
        Some(ImapError::AuthenticationFailed)
    );
    oauth.revoke_access_tokens();
    assert_eq!(
        Folder::open(&acct, "INBOX").await.err(),
        Some(ImapError::AuthenticationFailed)
    );
}

#[tokio::test]
async fn a_backfill_window_skips_older_mail_and_condstore_finds_new_mail_after_a_reconnect() {
    let d = Dovecot::start().await;
    d.add_user("support", "s3cret");
    for n in 1..=3 {
        d.deliver_dated(
            "support",
            "s3cret",
            "INBOX",
            &mail(n),
            "01-Jan-2020 10:00:00 +0000",
        )
        .await;
    }
    for n in 4..=5 {
        d.deliver("support", "s3cret", "INBOX", &mail(n)).await;
    }
    let acct = account(&d, "support", "s3cret");
    let window = chrono::Utc::now().date_naive() - chrono::Days::new(30);
    let mut folder = Folder::open(&acct, "INBOX")
        .await
        .unwrap()
        .with_window(Some(window));
    let batch = folder.next_batch(None, 100).await.unwrap();
    let subjects: Vec<String> = batch
        .messages
        .iter()
        .map(|m| parse(&m.raw, &Limits::default()).unwrap().subject.unwrap())
        .collect();
    assert_eq!(
        subjects,
        ["Question 4", "Question 5"],
        "only mail inside the window"
    );
    let checkpoint = batch.checkpoint;
    assert!(checkpoint.modseq.is_some(), "Dovecot offers CONDSTORE");
    folder.close().await;

    // A window with nothing in it starts after the newest message.
    let mut empty = Folder::open(&acct, "INBOX")
        .await
        .unwrap()
        .with_window(Some(chrono::Utc::now().date_naive() + chrono::Days::new(1)));
    let none = empty.next_batch(None, 100).await.unwrap();
    assert!(none.messages.is_empty());
    assert_eq!(none.checkpoint.last_uid, checkpoint.last_uid);
    empty.close().await;

    // Mail that arrives while no one is connected is found on the next connection, although
    // an unchanged folder is not searched.
    d.deliver("support", "s3cret", "INBOX", &mail(6)).await;
    let mut folder = Folder::open(&acct, "INBOX").await.unwrap();
    let batch = folder.next_batch(Some(checkpoint), 100).await.unwrap();
    assert_eq!(batch.messages.len(), 1);
    let after = batch.checkpoint;
    assert_ne!(after.modseq, checkpoint.modseq);
    folder.close().await;
    let mut folder = Folder::open(&acct, "INBOX").await.unwrap();
    let unchanged = folder.next_batch(Some(after), 100).await.unwrap();
    assert!(unchanged.messages.is_empty());
    assert_eq!(unchanged.checkpoint, after);
    folder.close().await;
}
