//! One message's bytes → [`ParsedMail`]. mail-parser reads every real-world shape; this module
//! decides what Rapport keeps: the thread headers, the people, a plain text and a sanitized HTML
//! body, the attachments (inline `cid:` parts marked as such), and whether it is automated
//! mail. Limits are applied part by part: an oversize attachment or body is left out and a
//! note says so, so the message itself is never lost to one big part.

use crate::MailError;
use crate::automated::{self, Automated};
use crate::sanitize::sanitize_html;
use chrono::{DateTime, TimeZone, Utc};
use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders};

/// Size limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The whole message, in bytes.
    pub message_bytes: usize,
    /// One attachment, in bytes.
    pub attachment_bytes: usize,
    /// The text or HTML body, in bytes.
    pub body_bytes: usize,
    /// Attachments kept per message.
    pub attachments: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            message_bytes: 50 * 1024 * 1024,
            attachment_bytes: 25 * 1024 * 1024,
            body_bytes: 2 * 1024 * 1024,
            attachments: 50,
        }
    }
}

/// A name and an address as a header gives them (either may be missing in broken mail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// The display name.
    pub name: Option<String>,
    /// The address.
    pub address: Option<String>,
}

/// A file the message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name (`attachment-N` when the message gives none).
    pub name: String,
    /// `type/subtype`.
    pub content_type: String,
    /// Its `Content-ID` without angle brackets, for `cid:` references.
    pub content_id: Option<String>,
    /// Shown in the body (`Content-Disposition: inline` with a Content-ID) rather than listed.
    pub inline: bool,
    /// The decoded bytes.
    pub bytes: Vec<u8>,
}

/// What Rapport keeps of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMail {
    /// `Message-ID` without angle brackets.
    pub message_id: Option<String>,
    /// `In-Reply-To` ids.
    pub in_reply_to: Vec<String>,
    /// `References` ids, oldest first.
    pub references: Vec<String>,
    /// The subject.
    pub subject: Option<String>,
    /// The author.
    pub from: Option<Mailbox>,
    /// Where replies go, when not to the author.
    pub reply_to: Option<Mailbox>,
    /// Recipients.
    pub to: Vec<Mailbox>,
    /// Copied recipients.
    pub cc: Vec<Mailbox>,
    /// When it was written, by its `Date` header.
    pub date: Option<DateTime<Utc>>,
    /// The plain text (from the HTML part when there is no text part).
    pub text: String,
    /// The HTML body, sanitized.
    pub html: Option<String>,
    /// Files, in message order.
    pub attachments: Vec<Attachment>,
    /// Auto-reply, bounce or list mail.
    pub automated: Option<Automated>,
    /// What was left out and why (limits), for the UI.
    pub notes: Vec<String>,
}

fn mailboxes(a: Option<&Address<'_>>) -> Vec<Mailbox> {
    a.map(|a| {
        a.iter()
            .map(|m| Mailbox {
                name: m.name().map(str::to_owned),
                address: m.address().map(str::to_owned),
            })
            .collect()
    })
    .unwrap_or_default()
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(list) => list.iter().map(ToString::to_string).collect(),
        _ => Vec::new(),
    }
}

/// Cuts `s` to at most `max` bytes on a character boundary.
fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Parses `raw` within `limits`.
pub fn parse(raw: &[u8], limits: &Limits) -> Result<ParsedMail, MailError> {
    if raw.len() > limits.message_bytes {
        return Err(MailError::TooLarge {
            size: raw.len(),
            max: limits.message_bytes,
        });
    }
    let m = MessageParser::default()
        .parse(raw)
        .ok_or(MailError::NotAMessage)?;
    let mut notes = Vec::new();
    let mut body = |s: Option<std::borrow::Cow<'_, str>>, what: &str| {
        s.map(|t| {
            if t.len() > limits.body_bytes {
                notes.push(format!(
                    "the {what} body was longer than {} bytes and was shortened",
                    limits.body_bytes
                ));
            }
            clip(&t, limits.body_bytes).to_owned()
        })
    };
    let text = body(m.body_text(0), "text").unwrap_or_default();
    // mail-parser offers an HTML rendering of a text-only message too; keep only HTML the
    // sender wrote.
    let has_html = m.html_part(0).is_some_and(|p| p.is_text_html());
    let html = body(has_html.then(|| m.body_html(0)).flatten(), "HTML").map(|h| sanitize_html(&h));
    let mut attachments = Vec::new();
    for (n, part) in m.attachments().enumerate() {
        let name = part
            .attachment_name()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("attachment-{}", n + 1));
        if attachments.len() >= limits.attachments {
            notes.push(format!(
                "more than {} attachments: {name} and later ones were not kept",
                limits.attachments
            ));
            break;
        }
        let bytes = part.contents();
        if bytes.len() > limits.attachment_bytes {
            notes.push(format!(
                "{name} ({} bytes) is larger than {} bytes and was not kept",
                bytes.len(),
                limits.attachment_bytes
            ));
            continue;
        }
        let content_type = part
            .content_type()
            .map(|ct| match &ct.c_subtype {
                Some(sub) => format!("{}/{}", ct.c_type, sub),
                None => ct.c_type.to_string(),
            })
            .unwrap_or_else(|| "application/octet-stream".into())
            .to_ascii_lowercase();
        let content_id = part
            .content_id()
            .map(|id| id.trim_matches(['<', '>']).to_owned());
        let inline = content_id.is_some()
            && part
                .content_disposition()
                .is_none_or(|d| d.c_type.eq_ignore_ascii_case("inline"));
        attachments.push(Attachment {
            name,
            content_type,
            content_id,
            inline,
            bytes: bytes.to_vec(),
        });
    }
    Ok(ParsedMail {
        message_id: m.message_id().map(str::to_owned),
        in_reply_to: ids(m.in_reply_to()),
        references: ids(m.references()),
        subject: m.subject().map(str::to_owned),
        from: mailboxes(m.from()).into_iter().next(),
        reply_to: mailboxes(m.reply_to()).into_iter().next(),
        to: mailboxes(m.to()),
        cc: mailboxes(m.cc()),
        date: m
            .date()
            .and_then(|d| Utc.timestamp_opt(d.to_timestamp(), 0).single()),
        text,
        html,
        attachments,
        automated: automated::classify(&m),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_only_mail_has_no_html() {
        let m = parse(
            b"From: a@x.test\r\nSubject: plain\r\n\r\nJust text.\r\n",
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(m.text.trim(), "Just text.");
        assert_eq!(m.html, None);
    }

    const REPLY: &str = "From: =?ISO-8859-1?Q?Andr=E9?= Pirard <pirard@example.be>\r\n\
To: support@acme.test\r\n\
Subject: =?UTF-8?B?UmU6IENvbW1hbmRlIG7CsDQy?=\r\n\
Message-ID: <r2@example.be>\r\n\
In-Reply-To: <q1@acme.test>\r\n\
References: <q0@acme.test> <q1@acme.test>\r\n\
Date: Tue, 1 Dec 2026 10:00:00 +0100\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\
\r\n\
--b\r\n\
Content-Type: text/plain; charset=iso-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Merci, d=E9j=E0 re=E7u.\r\n\
--b\r\n\
Content-Type: application/pdf\r\n\
Content-Disposition: attachment; filename*=UTF-8''facture%20n%C2%B042.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjQK\r\n\
--b--\r\n";

    #[test]
    fn a_reply_keeps_its_thread_people_text_and_files() {
        let p = parse(REPLY.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(p.message_id.as_deref(), Some("r2@example.be"));
        assert_eq!(p.in_reply_to, vec!["q1@acme.test"]);
        assert_eq!(p.references, vec!["q0@acme.test", "q1@acme.test"]);
        assert_eq!(p.subject.as_deref(), Some("Re: Commande n°42"));
        let from = p.from.unwrap();
        assert_eq!(from.name.as_deref(), Some("André Pirard"));
        assert_eq!(from.address.as_deref(), Some("pirard@example.be"));
        assert_eq!(p.text.trim(), "Merci, déjà reçu.");
        assert_eq!(p.attachments.len(), 1);
        assert_eq!(p.attachments[0].name, "facture n°42.pdf");
        assert_eq!(p.attachments[0].content_type, "application/pdf");
        assert_eq!(p.attachments[0].bytes, b"%PDF-1.4\n");
        assert_eq!(p.date.unwrap().to_rfc3339(), "2026-12-01T09:00:00+00:00");
        assert_eq!(p.automated, None);
    }

    #[test]
    fn an_oversize_attachment_is_left_out_with_a_note_and_the_message_kept() {
        let limits = Limits {
            attachment_bytes: 4,
            ..Limits::default()
        };
        let p = parse(REPLY.as_bytes(), &limits).unwrap();
        assert!(p.attachments.is_empty());
        assert_eq!(p.text.trim(), "Merci, déjà reçu.");
        assert!(p.notes[0].contains("facture n°42.pdf"), "{:?}", p.notes);
        let tiny = Limits {
            message_bytes: 10,
            ..Limits::default()
        };
        assert!(matches!(
            parse(REPLY.as_bytes(), &tiny),
            Err(MailError::TooLarge { .. })
        ));
    }

    #[test]
    fn automated_mail_is_recognised() {
        let with = |header: &str| {
            let raw = format!("From: a@b.test\r\n{header}\r\nSubject: x\r\n\r\nbody\r\n");
            parse(raw.as_bytes(), &Limits::default()).unwrap().automated
        };
        assert_eq!(
            with("Auto-Submitted: auto-replied"),
            Some(Automated::AutoReply)
        );
        assert_eq!(with("Auto-Submitted: no"), None);
        assert_eq!(with("X-Autoreply: yes"), Some(Automated::AutoReply));
        assert_eq!(
            with("List-Id: <users.lists.example>"),
            Some(Automated::List)
        );
        assert_eq!(with("Precedence: bulk"), Some(Automated::List));
    }
}
