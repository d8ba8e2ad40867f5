//! A real SMTP server on loopback that keeps what it receives, one per test.
//!
//! [`SmtpSink::start`] runs `python3 -m aiosmtpd -n -d -l 127.0.0.1:PORT -c
//! aiosmtpd.handlers.Mailbox DIR/maildir` (aiosmtpd 1.4.6). Contract the tests rely on:
//!
//! - Plain SMTP, no TLS, no AUTH: point lettre at it with
//!   `AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(sink.host()).port(sink.port())`.
//! - The `Mailbox` handler stores each message in the Maildir *before* answering `250 OK` to
//!   DATA, so once the sender's `send` returned the message is on disk. It is written to `tmp/`
//!   and renamed into `new/`, so a reader never sees half a message.
//! - aiosmtpd adds `X-Peer`, `X-MailFrom` and `X-RcptTo` (envelope recipients joined by `", "`)
//!   after the message's own headers. [`ReceivedMail::to`] is that envelope list, so Bcc
//!   recipients count too.
//! - Startup takes about 0.1 s on an idle machine (`python3` start included).

use crate::peer::{POLL_INTERVAL, PythonPeer};
use mail_parser::MessageParser;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The XOAUTH2 sink: aiosmtpd's `Mailbox` handler behind an `SMTP` that requires login and
/// offers only `XOAUTH2` (no TLS needed on loopback).
const XOAUTH2_SINK: &str = r#"import asyncio, base64, json, sys, urllib.request
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP, AuthResult

port, maildir, userinfo = int(sys.argv[1]), sys.argv[2], sys.argv[3]

def account_of(token):
    request = urllib.request.Request(userinfo, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer).get("email")
    except Exception:
        return None

class Handler(Mailbox):
    async def auth_XOAUTH2(self, server, args):
        blob = args[1] if len(args) > 1 else await server.challenge_auth("", encode_to_b64=False)
        try:
            fields = dict(p.split("=", 1) for p in base64.b64decode(blob).decode().split("\x01") if "=" in p)
        except Exception:
            return AuthResult(success=False, handled=False)
        user, auth = fields.get("user", ""), fields.get("auth", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        email = await asyncio.get_running_loop().run_in_executor(None, account_of, token)
        if email and email == user:
            return AuthResult(success=True, handled=False, auth_data=user)
        error = json.dumps({"status": "401", "schemes": "bearer", "scope": "https://mail.google.com/"})
        try:
            await server.challenge_auth(base64.b64encode(error.encode()).decode(), encode_to_b64=False)
        except Exception:
            pass
        return AuthResult(success=False, handled=False)

async def main():
    handler = Handler(maildir)
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(handler, auth_required=True, auth_require_tls=False,
                     auth_exclude_mechanism=["LOGIN", "PLAIN"]),
        "127.0.0.1", port)
    print(f"Server is listening on 127.0.0.1:{port}", flush=True)
    await server.serve_forever()

asyncio.run(main())
"#;

/// An SMTP server on `127.0.0.1` that stores every message it accepts. Dropping it kills the
/// server and deletes the stored mail.
pub struct SmtpSink {
    peer: PythonPeer,
    /// Maildir files already returned by [`SmtpSink::wait_for_message_to`].
    taken: Mutex<HashSet<PathBuf>>,
}

/// One message as the sink received it.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// Envelope sender (`MAIL FROM`).
    pub from: String,
    /// Envelope recipients (`RCPT TO`), as sent.
    pub to: Vec<String>,
    /// The decoded `Subject` header (empty when missing).
    pub subject: String,
    /// The first text/plain part, decoded (quoted-printable, base64, charsets); derived from
    /// the HTML part when the message has no text part.
    pub text_body: String,
    /// The first text/html part, decoded, if the message has one.
    pub html_body: Option<String>,
    /// The whole message as stored, including the `X-*` envelope headers aiosmtpd adds.
    pub raw: String,
}

impl SmtpSink {
    /// Starts a sink on a free port and waits until it accepts connections.
    pub async fn start() -> SmtpSink {
        let peer = PythonPeer::start(
            "aiosmtpd",
            |port, dir| {
                vec![
                    "-n".into(),
                    "-d".into(), // logs "Server is listening on HOST:PORT", the ready line
                    "-l".into(),
                    format!("127.0.0.1:{port}"),
                    "-c".into(),
                    "aiosmtpd.handlers.Mailbox".into(),
                    dir.join("maildir").display().to_string(),
                ]
            },
            |port| format!("Server is listening on 127.0.0.1:{port}"),
        )
        .await;
        SmtpSink {
            peer,
            taken: Mutex::new(HashSet::new()),
        }
    }

    /// Starts a sink that demands SASL `XOAUTH2` before it takes mail, as Gmail and Microsoft
    /// 365 do for OAuth clients: each token is checked against `userinfo_url` (`Authorization:
    /// Bearer`, the answer's `email` must be the `user=` of the login); a refused token gets
    /// the documented `334` JSON error challenge, then `535`. PLAIN and LOGIN are not offered.
    pub async fn start_with_xoauth2(userinfo_url: &str) -> SmtpSink {
        let url = userinfo_url.to_owned();
        let peer = PythonPeer::start(
            "rapport_xoauth2_sink",
            move |port, dir| {
                std::fs::write(dir.join("rapport_xoauth2_sink.py"), XOAUTH2_SINK)
                    .expect("write the XOAUTH2 sink");
                vec![
                    port.to_string(),
                    dir.join("maildir").display().to_string(),
                    url.clone(),
                ]
            },
            |port| format!("Server is listening on 127.0.0.1:{port}"),
        )
        .await;
        SmtpSink {
            peer,
            taken: Mutex::new(HashSet::new()),
        }
    }

    /// Host to send to: always `127.0.0.1`.
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// Port to send to.
    pub fn port(&self) -> u16 {
        self.peer.port()
    }

    /// Every message received so far, oldest first (does not mark them as taken).
    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.delivered()
            .iter()
            .map(|path| read_mail(path))
            .collect()
    }

    /// Waits for the oldest message to `rcpt` (an envelope recipient, compared
    /// case-insensitively) that no earlier call returned, and returns it. Panics after
    /// `timeout`, listing what did arrive.
    pub async fn wait_for_message_to(&self, rcpt: &str, timeout: Duration) -> ReceivedMail {
        let started = Instant::now();
        loop {
            for path in self.delivered() {
                if self.taken.lock().unwrap().contains(&path) {
                    continue;
                }
                let mail = read_mail(&path);
                if mail.is_to(rcpt) {
                    self.taken.lock().unwrap().insert(path);
                    return mail;
                }
            }
            if started.elapsed() >= timeout {
                let seen: Vec<String> = self
                    .messages()
                    .iter()
                    .map(|m| format!("  to {:?}: {:?}", m.to, m.subject))
                    .collect();
                panic!(
                    "no mail to {rcpt} reached the SMTP sink on 127.0.0.1:{} within {timeout:?}; \
                     it holds {} message(s){}{}\n--- sink log ---\n{}",
                    self.port(),
                    seen.len(),
                    if seen.is_empty() { "" } else { ":\n" },
                    seen.join("\n"),
                    self.peer.log()
                );
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Maildir files in delivery order (aiosmtpd's Maildir names carry a per-process counter
    /// `Q<n>`, which orders them exactly).
    fn delivered(&self) -> Vec<PathBuf> {
        let new = self.peer.dir().join("maildir").join("new");
        let Ok(entries) = std::fs::read_dir(&new) else {
            return Vec::new();
        };
        let mut files: Vec<(u64, PathBuf)> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .map(|path| (delivery_counter(&path), path))
            .collect();
        files.sort();
        files.into_iter().map(|(_, path)| path).collect()
    }
}

/// The `n` of a Maildir name `SECS.MUSECSPpidQn.host`.
fn delivery_counter(path: &std::path::Path) -> u64 {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.split_once('Q')
        .map(|(_, rest)| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|digits| digits.parse().ok())
        .unwrap_or(u64::MAX)
}

fn read_mail(path: &std::path::Path) -> ReceivedMail {
    let raw = std::fs::read(path)
        .unwrap_or_else(|e| panic!("read delivered mail {}: {e}", path.display()));
    ReceivedMail::parse(&raw)
}

impl ReceivedMail {
    /// Parses a message as stored by the sink (with aiosmtpd's `X-MailFrom`/`X-RcptTo`).
    pub fn parse(raw: &[u8]) -> ReceivedMail {
        let message = MessageParser::default()
            .parse(raw)
            .unwrap_or_else(|| panic!("unparsable mail:\n{}", String::from_utf8_lossy(raw)));
        let header = |name: &str| message.header_raw(name).unwrap_or("").trim().to_owned();
        let html_body = message
            .html_part(0)
            .filter(|part| part.is_text_html())
            .and_then(|_| message.body_html(0))
            .map(|html| html.into_owned());
        ReceivedMail {
            from: header("X-MailFrom"),
            to: header("X-RcptTo")
                .split(',')
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty())
                .collect(),
            subject: message.subject().unwrap_or("").to_owned(),
            text_body: message
                .body_text(0)
                .map(|t| t.into_owned())
                .unwrap_or_default(),
            html_body,
            raw: String::from_utf8_lossy(raw).into_owned(),
        }
    }

    /// Whether `rcpt` is one of the envelope recipients (case-insensitive).
    pub fn is_to(&self, rcpt: &str) -> bool {
        self.to.iter().any(|t| t.eq_ignore_ascii_case(rcpt))
    }

    /// The first URL in the text body that starts with `prefix` (e.g. the app's base URL plus
    /// `/reset-password`), up to the next whitespace, quote or angle bracket.
    pub fn link_starting_with(&self, prefix: &str) -> Option<String> {
        let start = self.text_body.find(prefix)?;
        let rest = &self.text_body[start..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>'))
            .unwrap_or(rest.len());
        Some(rest[..end].to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_envelope_and_decodes_quoted_printable() {
        let raw = b"From: app@example.test\r\nTo: Ann <ann@example.test>\r\n\
            Subject: =?utf-8?q?R=C3=A9initialiser?=\r\nContent-Type: text/plain; charset=utf-8\r\n\
            Content-Transfer-Encoding: quoted-printable\r\n\
            X-Peer: ('127.0.0.1', 5000)\r\nX-MailFrom: app@example.test\r\n\
            X-RcptTo: ann@example.test, bcc@example.test\r\n\r\n\
            Open http://127.0.0.1:1/reset?token=3Dabc&x=3D1 now\r\n";
        let mail = ReceivedMail::parse(raw);
        assert_eq!(mail.from, "app@example.test");
        assert_eq!(mail.to, ["ann@example.test", "bcc@example.test"]);
        assert!(mail.is_to("BCC@example.test"));
        assert_eq!(mail.subject, "Réinitialiser");
        assert_eq!(mail.html_body, None);
        assert_eq!(
            mail.link_starting_with("http://127.0.0.1:1/reset")
                .as_deref(),
            Some("http://127.0.0.1:1/reset?token=abc&x=1")
        );
    }

    #[test]
    fn maildir_names_sort_by_counter() {
        let a = std::path::Path::new("1700000000.M5P42Q9.host");
        let b = std::path::Path::new("1700000000.M7P42Q10.host");
        assert!(delivery_counter(a) < delivery_counter(b));
    }
}
