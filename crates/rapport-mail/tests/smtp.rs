//! Sending replies to a real SMTP server (aiosmtpd, started per test on loopback) and reading
//! them back with our own parser: threading headers, a non-ASCII subject and file name, the
//! HTML alternative and the attachment's bytes survive the trip, the envelope reaches Cc too,
//! given addresses are used instead of the host (TLS still checks the host name), and each kind
//! of failure (closed port, no STARTTLS, no TLS, untrusted certificate, refused login, 5xx and
//! 4xx answers) is told apart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::TimeZone;
use rapport_mail::smtp::{self, Outgoing, OutgoingFile, Secret, Security, SmtpAccount, SmtpError};
use rapport_mail::{Limits, parse};
use rapport_testkit::smtp::SmtpSink;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const WAIT: Duration = Duration::from_secs(10);

fn account(port: u16) -> SmtpAccount {
    SmtpAccount {
        host: "127.0.0.1".into(),
        port,
        security: Security::Plain,
        username: None,
        secret: None,
        addresses: Vec::new(),
        extra_roots: Vec::new(),
    }
}

fn reply() -> Outgoing {
    Outgoing {
        from_name: Some("Jörg from Acme".into()),
        from: "support@acme.test".into(),
        to: vec!["kunde@example.com".into()],
        cc: vec!["kollege@example.com".into()],
        reply_to: Some("support+c123@acme.test".into()),
        subject: "Re: Ihre Bestellung – Größe".into(),
        text: "Guten Tag,\n\ndie Größe M ist wieder da.\n\nGrüße\nJörg\n".into(),
        html: Some("<p>Guten Tag,</p><p>die <b>Größe M</b> ist wieder da.</p>".into()),
        message_id: "r.42.abc@acme.test".into(),
        in_reply_to: Some("q2@example.com".into()),
        references: vec!["q1@example.com".into(), "q2@example.com".into()],
        attachments: vec![OutgoingFile {
            name: "Größentabelle (März).pdf".into(),
            content_type: "application/pdf".into(),
            bytes: (0..=255u8).cycle().take(5000).collect(),
        }],
        date: chrono::Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap(),
    }
}

fn recipients(o: &Outgoing) -> Vec<String> {
    o.to.iter().chain(&o.cc).cloned().collect()
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
async fn a_reply_round_trips_through_a_real_server_with_its_threading_headers_and_files() {
    let sink = SmtpSink::start().await;
    let o = reply();
    let raw = smtp::build(&o).unwrap();
    assert!(raw.is_ascii(), "7-bit only, for servers without 8BITMIME");
    smtp::send(&account(sink.port()), &o.from, &recipients(&o), &raw)
        .await
        .unwrap();

    let got = sink.wait_for_message_to("kunde@example.com", WAIT).await;
    assert_eq!(got.from, "support@acme.test");
    assert!(got.is_to("kollege@example.com"), "Cc is in the envelope");
    assert_eq!(got.subject, "Re: Ihre Bestellung – Größe");

    let parsed = parse(got.raw.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(parsed.message_id.as_deref(), Some("r.42.abc@acme.test"));
    assert_eq!(parsed.in_reply_to, vec!["q2@example.com"]);
    assert_eq!(parsed.references, vec!["q1@example.com", "q2@example.com"]);
    assert_eq!(
        parsed.subject.as_deref(),
        Some("Re: Ihre Bestellung – Größe")
    );
    assert_eq!(
        parsed.text.replace("\r\n", "\n"),
        "Guten Tag,\n\ndie Größe M ist wieder da.\n\nGrüße\nJörg\n"
    );
    assert!(parsed.html.unwrap().contains("<b>Größe M</b>"));
    let from = parsed.from.unwrap();
    assert_eq!(from.name.as_deref(), Some("Jörg from Acme"));
    assert_eq!(from.address.as_deref(), Some("support@acme.test"));
    assert_eq!(
        parsed.reply_to.unwrap().address.as_deref(),
        Some("support+c123@acme.test")
    );
    let cc: Vec<_> = parsed.cc.iter().filter_map(|m| m.address.clone()).collect();
    assert_eq!(cc, vec!["kollege@example.com"]);
    assert_eq!(parsed.date, Some(o.date));
    assert_eq!(
        parsed.automated, None,
        "a person's reply is not automated mail"
    );
    assert_eq!(parsed.attachments.len(), 1);
    let file = &parsed.attachments[0];
    assert_eq!(file.name, "Größentabelle (März).pdf");
    assert_eq!(file.content_type, "application/pdf");
    assert_eq!(file.bytes, o.attachments[0].bytes);
    assert!(!got.raw.to_ascii_lowercase().contains("auto-submitted"));
}

#[tokio::test]
async fn a_reply_without_html_is_a_single_text_part() {
    let sink = SmtpSink::start().await;
    let o = Outgoing {
        html: None,
        attachments: Vec::new(),
        cc: Vec::new(),
        ..reply()
    };
    let raw = smtp::build(&o).unwrap();
    let text = String::from_utf8(raw.clone()).unwrap();
    assert!(!text.contains("multipart/"), "{text}");
    assert!(
        text.contains("Content-Type: text/plain; charset=\"utf-8\""),
        "{text}"
    );
    smtp::send(&account(sink.port()), &o.from, &o.to, &raw)
        .await
        .unwrap();
    let got = sink.wait_for_message_to("kunde@example.com", WAIT).await;
    assert_eq!(got.html_body, None);
    assert!(got.text_body.contains("die Größe M ist wieder da."));
}

#[tokio::test]
async fn given_addresses_are_used_instead_of_the_host_first_that_answers() {
    let sink = SmtpSink::start().await;
    let (_held, dead_port) = closed_port();
    let dead: SocketAddr = format!("127.0.0.1:{dead_port}").parse().unwrap();
    let live: SocketAddr = format!("127.0.0.1:{}", sink.port()).parse().unwrap();
    // `.invalid` never resolves: the host is only a name here.
    let acct = SmtpAccount {
        host: "smtp.invalid".into(),
        addresses: vec![dead, live],
        ..account(sink.port())
    };
    smtp::check(&acct).await.unwrap();
    let o = reply();
    smtp::send(&acct, &o.from, &o.to, &smtp::build(&o).unwrap())
        .await
        .unwrap();
    sink.wait_for_message_to("kunde@example.com", WAIT).await;

    let only_dead = SmtpAccount {
        addresses: vec![dead],
        ..acct
    };
    let err = smtp::check(&only_dead).await.unwrap_err();
    assert!(
        matches!(&err, SmtpError::Unreachable { host, .. } if host == "smtp.invalid"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_closed_port_is_a_temporary_unreachable_error() {
    let (_held, port) = closed_port();
    let acct = account(port);
    let o = reply();
    let err = smtp::send(&acct, &o.from, &o.to, &smtp::build(&o).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, SmtpError::Unreachable { .. }), "{err:?}");
    assert!(err.is_temporary());
    assert!(
        err.to_string().starts_with("cannot reach 127.0.0.1:"),
        "{err}"
    );
    assert!(matches!(
        smtp::check(&acct).await,
        Err(SmtpError::Unreachable { .. })
    ));
}

#[tokio::test]
async fn check_connects_and_logs_in_when_credentials_are_given() {
    let sink = SmtpSink::start().await;
    smtp::check(&account(sink.port())).await.unwrap();
    // The sink offers no AUTH: a check with credentials must fail, which shows it logs in.
    let with_login = SmtpAccount {
        username: Some("support".into()),
        secret: Some(Secret::Password("s3cret".into())),
        ..account(sink.port())
    };
    let err = smtp::check(&with_login).await.unwrap_err();
    assert!(matches!(err, SmtpError::Unsupported(_)), "{err:?}");
    assert!(!err.is_temporary());
    let text = format!("{with_login:?}");
    assert!(
        !text.contains("s3cret"),
        "the password is not in Debug output"
    );
}

#[tokio::test]
async fn tls_settings_that_do_not_match_the_server_are_tls_errors() {
    let sink = SmtpSink::start().await;
    for security in [Security::Tls, Security::StartTls] {
        let acct = SmtpAccount {
            security,
            ..account(sink.port())
        };
        let err = smtp::check(&acct).await.unwrap_err();
        assert!(matches!(err, SmtpError::Tls(_)), "{security:?}: {err:?}");
        assert!(err.to_string().starts_with("TLS error"), "{err}");
        assert!(!err.is_temporary());
    }
    let bad_root = SmtpAccount {
        security: Security::Tls,
        extra_roots: vec!["not a certificate".into()],
        ..account(sink.port())
    };
    assert!(matches!(
        smtp::check(&bad_root).await,
        Err(SmtpError::Tls(m)) if m.contains("not valid PEM")
    ));
}

#[tokio::test]
async fn tls_trusts_the_operators_roots_and_checks_the_host_name_not_the_address() {
    // The testkit has no SMTP server with TLS, but the test Dovecot's IMAPS port has a
    // certificate for localhost from a throwaway CA: a handshake that succeeds ends at the
    // IMAP greeting, which is no SMTP answer (not a TLS error); one that fails is a TLS error.
    let d = rapport_testkit::imap::Dovecot::start().await;
    let addr: SocketAddr = format!("127.0.0.1:{}", d.tls_port()).parse().unwrap();
    let trusted = SmtpAccount {
        host: "localhost".into(),
        port: d.tls_port(),
        security: Security::Tls,
        addresses: vec![addr],
        extra_roots: vec![d.ca_pem()],
        ..account(d.tls_port())
    };
    let err = smtp::check(&trusted).await.unwrap_err();
    assert!(
        matches!(&err, SmtpError::Unsupported(m) if m.contains("is this the right port")),
        "the handshake succeeded and the IMAP greeting was read: {err:?}"
    );
    for (what, acct) in [
        (
            "no trusted root",
            SmtpAccount {
                extra_roots: Vec::new(),
                ..trusted.clone()
            },
        ),
        (
            "a name the certificate does not have",
            SmtpAccount {
                host: "mail.example.com".into(),
                ..trusted.clone()
            },
        ),
    ] {
        let err = smtp::check(&acct).await.unwrap_err();
        assert!(matches!(err, SmtpError::Tls(_)), "{what}: {err:?}");
    }
}

#[tokio::test]
async fn invalid_envelopes_are_refused_before_connecting() {
    let (_held, port) = closed_port();
    let acct = account(port);
    for (from, to) in [
        ("not an address", vec!["a@example.com".to_owned()]),
        ("a@example.com", Vec::new()),
        (
            "a@example.com",
            vec!["b@example.com>\r\nRCPT TO:<c@x>".to_owned()],
        ),
    ] {
        let err = smtp::send(&acct, from, &to, b"Subject: x\r\n\r\nx\r\n")
            .await
            .unwrap_err();
        assert!(matches!(err, SmtpError::Build(_)), "{from} {to:?}: {err:?}");
    }
}

/// Answers the SMTP commands of one session from a script: `auth` for AUTH, `rcpt` for RCPT
/// (empty: close the connection instead).
async fn scripted_server(auth: &'static str, rcpt: &'static str) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 scripted ESMTP\r\n").await.unwrap();
        let mut in_data = false;
        while let Ok(Some(line)) = lines.next_line().await {
            if in_data {
                if line == "." {
                    in_data = false;
                    write.write_all(b"250 queued\r\n").await.unwrap();
                }
                continue;
            }
            let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
            let answer = match verb.as_str() {
                // An empty script line: hang up without answering.
                "RCPT" if rcpt.is_empty() => break,
                "EHLO" => "250-scripted\r\n250 AUTH PLAIN LOGIN\r\n".to_owned(),
                "AUTH" => format!("{auth}\r\n"),
                "MAIL" => "250 ok\r\n".to_owned(),
                "RCPT" => format!("{rcpt}\r\n"),
                "DATA" => {
                    in_data = true;
                    "354 go on\r\n".to_owned()
                }
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                }
                _ => "250 ok\r\n".to_owned(),
            };
            write.write_all(answer.as_bytes()).await.unwrap();
        }
    });
    port
}

#[tokio::test]
async fn server_answers_are_sorted_into_login_refusal_rejection_and_temporary_failures() {
    let with_login = |port| SmtpAccount {
        username: Some("support".into()),
        secret: Some(Secret::Password("wrong".into())),
        ..account(port)
    };
    let o = reply();
    let raw = smtp::build(&o).unwrap();

    let port = scripted_server("535 5.7.8 Authentication credentials invalid", "250 ok").await;
    let err = smtp::check(&with_login(port)).await.unwrap_err();
    assert_eq!(err, SmtpError::AuthenticationFailed);
    assert!(!err.is_temporary());

    let port = scripted_server("235 ok", "550 5.1.1 <kunde@example.com>: no such user").await;
    let err = smtp::send(&with_login(port), &o.from, &o.to, &raw)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SmtpError::Rejected(m) if m.starts_with("550") && m.contains("no such user")),
        "{err:?}"
    );
    assert!(!err.is_temporary());

    let port = scripted_server("235 ok", "451 4.3.0 try again later").await;
    let err = smtp::send(&with_login(port), &o.from, &o.to, &raw)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SmtpError::Temporary(m) if m.starts_with("451")),
        "{err:?}"
    );
    assert!(err.is_temporary());

    let port = scripted_server("235 ok", "").await;
    let err = smtp::send(&with_login(port), &o.from, &o.to, &raw)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SmtpError::Temporary(m) if m.contains("closed the connection")),
        "{err:?}"
    );

    let port = scripted_server("235 ok", "250 ok").await;
    smtp::send(&with_login(port), &o.from, &o.to, &raw)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_oauth_token_logs_in_with_xoauth2_and_a_refused_one_is_an_authentication_failure() {
    let oauth = rapport_testkit::mail_oauth::MailOAuthFake::start("support@acme.test").await;
    let sink = SmtpSink::start_with_xoauth2(&oauth.userinfo_url()).await;
    let token = oauth.issue_access_token("support@acme.test");
    let acct = SmtpAccount {
        username: Some("support@acme.test".into()),
        secret: Some(Secret::OAuth2Token(token.clone())),
        ..account(sink.port())
    };
    smtp::check(&acct).await.unwrap();
    let o = reply();
    let raw = smtp::build(&o).unwrap();
    smtp::send(&acct, &o.from, &recipients(&o), &raw)
        .await
        .unwrap();
    let got = sink.wait_for_message_to(&o.to[0], WAIT).await;
    assert_eq!(got.subject, o.subject);
    assert!(!format!("{acct:?}").contains(&token), "no token in Debug");

    oauth.revoke_access_tokens();
    let err = smtp::check(&acct).await.unwrap_err();
    assert_eq!(err, SmtpError::AuthenticationFailed);
    // A password is not offered instead of the token.
    let with_password = SmtpAccount {
        secret: Some(Secret::Password("s3cret".into())),
        ..acct
    };
    assert!(matches!(
        smtp::check(&with_password).await.unwrap_err(),
        SmtpError::Unsupported(_)
    ));
}
