//! An [`Outgoing`] reply → the bytes of a MIME message (mail-builder): `multipart/alternative`
//! when there is HTML, `multipart/mixed` around it when there are files, RFC 2047 words for
//! non-ASCII subjects and names, RFC 2231 parameters for non-ASCII file names, and only 7-bit
//! output (quoted-printable or base64 bodies), so any server takes it without 8BITMIME.
//!
//! Every header value is made safe here rather than trusted: addresses must parse, our
//! Message-ID must be a valid id, line breaks in a subject or name become spaces. No
//! `Auto-Submitted` header: these are replies a person wrote, which the customer's
//! auto-responder may answer.

use super::{Outgoing, SmtpError};
use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::date::Date;
use mail_builder::headers::message_id::MessageId;

/// The bytes of `o` as a MIME message, ready for [`super::send`].
pub fn build(o: &Outgoing) -> Result<Vec<u8>, SmtpError> {
    let from = address(&o.from)?;
    let to = addresses(&o.to)?;
    let cc = addresses(&o.cc)?;
    if to.is_empty() && cc.is_empty() {
        return Err(SmtpError::Build("the message has no recipient".into()));
    }
    let message_id = msg_id(&o.message_id)
        .ok_or_else(|| SmtpError::Build(format!("{:?} is not a valid Message-ID", o.message_id)))?;
    let mut message = MessageBuilder::new().from(Address::new_address(
        o.from_name.as_deref().map(one_line),
        from,
    ));
    if !to.is_empty() {
        message = message.to(list(to));
    }
    if !cc.is_empty() {
        message = message.cc(list(cc));
    }
    if let Some(reply_to) = &o.reply_to {
        message = message.reply_to(address(reply_to)?);
    }
    message = message
        .subject(one_line(&o.subject))
        .date(Date::new(o.date.timestamp()))
        .message_id(message_id);
    // The ids come from the customer's mail client; a malformed one (spaces, brackets) is
    // left out rather than blocking the reply: threading has other evidence, and writing it
    // as given could break the header.
    if let Some(parent) = o.in_reply_to.as_deref().and_then(msg_id) {
        message = message.in_reply_to(parent);
    }
    let references: Vec<&str> = o.references.iter().filter_map(|r| msg_id(r)).collect();
    if !references.is_empty() {
        message = message.references(MessageId::new_list(references.into_iter()));
    }
    message = message.text_body(o.text.as_str());
    if let Some(html) = &o.html {
        message = message.html_body(html.as_str());
    }
    for file in &o.attachments {
        let name = one_line(&file.name);
        let name = if name.trim().is_empty() {
            "attachment".to_owned()
        } else {
            name
        };
        message = message.attachment(
            content_type(&file.content_type),
            name,
            file.bytes.as_slice(),
        );
    }
    let mut raw = Vec::new();
    message.serialize(&mut raw);
    Ok(raw)
}

/// `raw` if it is an email address lettre would also accept for the envelope.
fn address(raw: &str) -> Result<&str, SmtpError> {
    let trimmed = raw.trim();
    trimmed
        .parse::<lettre::Address>()
        .map(|_| trimmed)
        .map_err(|_| SmtpError::Build(format!("{raw:?} is not a valid email address")))
}

fn addresses(raw: &[String]) -> Result<Vec<&str>, SmtpError> {
    raw.iter().map(|a| address(a)).collect()
}

fn list(addresses: Vec<&str>) -> Address<'_> {
    Address::new_list(
        addresses
            .into_iter()
            .map(|a| Address::new_address(None::<&str>, a))
            .collect(),
    )
}

/// The id inside `raw` (angle brackets optional) when it is a valid `id-left@id-right`: printable
/// ASCII without spaces or brackets.
fn msg_id(raw: &str) -> Option<&str> {
    let raw = raw.trim();
    let id = raw
        .strip_prefix('<')
        .and_then(|r| r.strip_suffix('>'))
        .unwrap_or(raw);
    let valid = id.len() <= 250
        && id
            .split_once('@')
            .is_some_and(|(left, right)| !left.is_empty() && !right.is_empty())
        && id
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'<' | b'>' | b'"' | b'\\'));
    valid.then_some(id)
}

/// `s` with line breaks and other control characters as spaces: a header value is one line.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `raw` lowercased when it is a valid `type/subtype` (RFC 2045 tokens), else
/// `application/octet-stream`: the type a browser reported is a hint, the bytes are the same.
fn content_type(raw: &str) -> String {
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    match raw.trim().split_once('/') {
        Some((kind, sub)) if token(kind) && token(sub) => raw.trim().to_ascii_lowercase(),
        _ => "application/octet-stream".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smtp::OutgoingFile;
    use crate::{Limits, parse};
    use chrono::TimeZone;

    fn reply() -> Outgoing {
        Outgoing {
            from_name: Some("Acme Support".into()),
            from: "support@acme.test".into(),
            to: vec!["customer@example.com".into()],
            cc: Vec::new(),
            reply_to: None,
            subject: "Re: Question".into(),
            text: "Hello\n".into(),
            html: None,
            message_id: "r1@acme.test".into(),
            in_reply_to: None,
            references: Vec::new(),
            attachments: Vec::new(),
            date: chrono::Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(),
        }
    }

    fn headers(raw: &[u8]) -> String {
        let text = String::from_utf8(raw.to_vec()).unwrap();
        text.split("\r\n\r\n").next().unwrap().to_owned()
    }

    #[test]
    fn a_text_only_reply_is_one_plain_part_with_our_headers() {
        let raw = build(&reply()).unwrap();
        assert!(raw.is_ascii());
        let head = headers(&raw);
        assert!(
            head.contains("Content-Type: text/plain; charset=\"utf-8\""),
            "{head}"
        );
        assert!(!head.contains("multipart"), "{head}");
        assert!(head.contains("Message-ID: <r1@acme.test>"), "{head}");
        assert!(
            head.contains("Date: Sun, 1 Mar 2026 12:00:00 +0000"),
            "{head}"
        );
        assert!(
            !head.to_ascii_lowercase().contains("auto-submitted"),
            "{head}"
        );
        assert!(!head.contains("In-Reply-To") && !head.contains("References"));
        let parsed = parse(&raw, &Limits::default()).unwrap();
        // Lines in mail end in CRLF.
        assert_eq!(parsed.text, "Hello\r\n");
        assert_eq!(parsed.from.unwrap().name.as_deref(), Some("Acme Support"));
    }

    #[test]
    fn header_values_cannot_break_out_of_their_line() {
        let o = Outgoing {
            subject: "Hi\r\nBcc: victim@example.com".into(),
            from_name: Some("Eve\r\nX-Evil: 1".into()),
            attachments: vec![OutgoingFile {
                name: "a\r\nX-Evil: 2.txt".into(),
                content_type: "text/plain\r\nX-Evil: 3".into(),
                bytes: b"x".to_vec(),
            }],
            ..reply()
        };
        let raw = String::from_utf8(build(&o).unwrap()).unwrap();
        for line in raw.lines() {
            assert!(
                !line.starts_with("Bcc:") && !line.starts_with("X-Evil"),
                "injected header line {line:?} in\n{raw}"
            );
        }
        assert!(raw.contains("application/octet-stream"));
    }

    #[test]
    fn bad_addresses_and_ids_are_refused_and_bad_references_dropped() {
        for bad in ["", "not an address", "a@b>\r\nBcc: x@y"] {
            let o = Outgoing {
                to: vec![bad.into()],
                ..reply()
            };
            assert!(matches!(build(&o), Err(SmtpError::Build(_))), "{bad:?}");
        }
        let none = Outgoing {
            to: Vec::new(),
            ..reply()
        };
        assert!(matches!(build(&none), Err(SmtpError::Build(_))));
        for bad in ["", "no-at-sign", "a b@c", "x@y>\r\nBcc: z@w"] {
            let o = Outgoing {
                message_id: bad.into(),
                ..reply()
            };
            assert!(matches!(build(&o), Err(SmtpError::Build(_))), "{bad:?}");
        }
        let o = Outgoing {
            in_reply_to: Some("<p2@example.com>".into()),
            references: vec![
                "p1@example.com".into(),
                "broken id".into(),
                "p2@example.com".into(),
            ],
            ..reply()
        };
        let parsed = parse(&build(&o).unwrap(), &Limits::default()).unwrap();
        assert_eq!(parsed.in_reply_to, vec!["p2@example.com"]);
        assert_eq!(parsed.references, vec!["p1@example.com", "p2@example.com"]);
    }

    #[test]
    fn content_types_are_kept_when_valid() {
        assert_eq!(content_type("Application/PDF"), "application/pdf");
        assert_eq!(content_type("image/svg+xml"), "image/svg+xml");
        for bad in [
            "",
            "pdf",
            "text/",
            "/plain",
            "text/plain; charset=x",
            "a/b/c",
        ] {
            assert_eq!(content_type(bad), "application/octet-stream", "{bad:?}");
        }
    }
}
