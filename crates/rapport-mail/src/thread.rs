//! Threading evidence in a message, strongest first. Rapport's own Message-IDs and reply
//! addresses carry the conversation id with an HMAC tag, so a reply that names one is proven to
//! belong to that conversation, and a forged id (a guessed conversation, a changed digit) is
//! worth nothing. Other ids (a customer's earlier mail) are only candidates: the caller looks
//! them up and checks the sender, and the subject is a last resort within a time window
//! (RFC 5256's base subject).

use crate::parse::ParsedMail;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// Hex digits of the tag (64 bits: forging one takes 2^64 tries, each a sent mail).
const TAG_HEX: usize = 16;

/// One piece of evidence for which conversation a message continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadRef {
    /// One of our Message-IDs or reply addresses, tag verified: this conversation.
    Ours(Uuid),
    /// Another Message-ID the message answers or references (nearest parent first).
    External(String),
}

fn tag(key: &[u8], conversation: Uuid) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(b"rapport-thread-v1:");
    mac.update(conversation.as_bytes());
    let digest = mac.finalize().into_bytes();
    digest
        .iter()
        .take(TAG_HEX / 2)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn verify(key: &[u8], conversation: &str, given: &str) -> Option<Uuid> {
    let id = Uuid::parse_str(conversation).ok()?;
    let expected = tag(key, id);
    // Constant time: the comparison must not tell a forger how many digits were right.
    let same = expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b.to_ascii_lowercase()))
            == 0;
    same.then_some(id)
}

/// The Message-ID (without brackets) of an outgoing message of `conversation`:
/// `rapport.<conversation>.<tag>.<message>@<domain>`.
pub fn message_id(key: &[u8], conversation: Uuid, message: Uuid, domain: &str) -> String {
    format!(
        "rapport.{}.{}.{}@{domain}",
        conversation.simple(),
        tag(key, conversation),
        message.simple()
    )
}

/// The conversation one of our Message-IDs names, if its tag verifies.
pub fn ours(key: &[u8], id: &str) -> Option<Uuid> {
    let id = id.trim().trim_matches(['<', '>']);
    let (local, _) = id.split_once('@')?;
    let mut parts = local.split('.');
    if parts.next()? != "rapport" {
        return None;
    }
    let (conversation, given) = (parts.next()?, parts.next()?);
    verify(key, conversation, given)
}

/// The conversation and message one of our Message-IDs names, if its tag verifies.
pub fn ours_message(key: &[u8], id: &str) -> Option<(Uuid, Uuid)> {
    let conversation = ours(key, id)?;
    let id = id.trim().trim_matches(['<', '>']);
    let (local, _) = id.split_once('@')?;
    let message = Uuid::parse_str(local.split('.').nth(3)?).ok()?;
    Some((conversation, message))
}

/// Our Message-IDs quoted anywhere in a message (a delivery report carries the headers of the
/// mail that bounced), verified, as (conversation, message) pairs; at most 10.
pub fn ours_in(key: &[u8], raw: &[u8]) -> Vec<(Uuid, Uuid)> {
    let text = String::from_utf8_lossy(raw);
    let mut found = Vec::new();
    for (at, _) in text.match_indices("<rapport.") {
        let Some(end) = text[at..].find('>') else {
            continue;
        };
        if let Some(pair) = ours_message(key, &text[at + 1..at + end])
            && !found.contains(&pair)
        {
            found.push(pair);
            if found.len() == 10 {
                break;
            }
        }
    }
    found
}

/// The Reply-To address for `conversation` on a mailbox `local@domain`:
/// `local+c.<conversation>.<tag>@domain` (plus-addressing, which the mailbox receives).
pub fn reply_address(key: &[u8], conversation: Uuid, mailbox: &str) -> String {
    match mailbox.rsplit_once('@') {
        Some((local, domain)) => format!(
            "{local}+c.{}.{}@{domain}",
            conversation.simple(),
            tag(key, conversation)
        ),
        None => mailbox.to_owned(),
    }
}

/// The conversation a reply address names, if its tag verifies.
pub fn in_address(key: &[u8], address: &str) -> Option<Uuid> {
    let (local, _) = address.rsplit_once('@')?;
    let (_, detail) = local.split_once('+')?;
    let mut parts = detail.strip_prefix("c.")?.split('.');
    let (conversation, given) = (parts.next()?, parts.next()?);
    verify(key, conversation, given)
}

/// Every threading reference in `mail`, strongest first: verified ids of ours (In-Reply-To,
/// then References newest first, then reply addresses among the recipients), then other ids
/// (In-Reply-To, then References newest first), without repeats.
pub fn references(key: &[u8], mail: &ParsedMail) -> Vec<ThreadRef> {
    let ids: Vec<&str> = mail
        .in_reply_to
        .iter()
        .chain(mail.references.iter().rev())
        .map(String::as_str)
        .collect();
    let mut out: Vec<ThreadRef> = Vec::new();
    let mut push = |r: ThreadRef| {
        if !out.contains(&r) {
            out.push(r);
        }
    };
    for id in &ids {
        if let Some(c) = ours(key, id) {
            push(ThreadRef::Ours(c));
        }
    }
    for addr in mail
        .to
        .iter()
        .chain(&mail.cc)
        .filter_map(|m| m.address.as_deref())
    {
        if let Some(c) = in_address(key, addr) {
            push(ThreadRef::Ours(c));
        }
    }
    for id in ids {
        let looks_ours = id.trim_matches(['<', '>']).starts_with("rapport.");
        if !looks_ours {
            push(ThreadRef::External(id.trim_matches(['<', '>']).to_owned()));
        }
    }
    out
}

/// The subject without reply and forward prefixes (`Re:`, `Fwd:`, `AW:`, `SV:`, `Antw:`…),
/// list tags in brackets and `(fwd)` trailers, with runs of space folded and case kept: what
/// two messages of one thread share.
pub fn base_subject(subject: &str) -> String {
    const PREFIXES: [&str; 12] = [
        "re", "fw", "fwd", "aw", "wg", "sv", "vs", "antw", "tr", "rv", "ref", "odp",
    ];
    let mut s = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    loop {
        let before = s.clone();
        let t = s.trim_start();
        // A `[list]` tag.
        if let Some(rest) = t.strip_prefix('[')
            && let Some((_, after)) = rest.split_once(']')
        {
            s = after.trim_start().to_owned();
            continue;
        }
        // `Re:`, `RE[2]:`, `Fwd :`.
        if let Some((head, rest)) = t.split_once(':') {
            let word = head.trim_end();
            let word = word
                .split_once('[')
                .map_or(word, |(w, n)| if n.ends_with(']') { w } else { word });
            if PREFIXES.iter().any(|p| p.eq_ignore_ascii_case(word)) {
                s = rest.trim_start().to_owned();
                continue;
            }
        }
        if let Some(rest) = s.trim_end().strip_suffix("(fwd)") {
            s = rest.trim_end().to_owned();
        }
        if s == before {
            break;
        }
    }
    s.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{Limits, parse};

    const KEY: &[u8] = b"an org's threading key, 32 bytes";

    #[test]
    fn our_ids_and_addresses_name_their_conversation_and_forgeries_name_none() {
        let conv = Uuid::now_v7();
        let id = message_id(KEY, conv, Uuid::now_v7(), "mail.acme.test");
        assert_eq!(ours(KEY, &format!("<{id}>")), Some(conv));
        // Another key (another org, or a forger) or another conversation does not verify.
        assert_eq!(ours(b"someone else's key", &id), None);
        let other = Uuid::now_v7();
        let forged = id.replace(&conv.simple().to_string(), &other.simple().to_string());
        assert_eq!(ours(KEY, &forged), None);
        let reply = reply_address(KEY, conv, "support@acme.test");
        assert!(reply.starts_with("support+c."), "{reply}");
        assert_eq!(in_address(KEY, &reply), Some(conv));
        assert_eq!(in_address(KEY, "support@acme.test"), None);
        assert_eq!(in_address(KEY, &reply.replace("+c.", "+c.0")), None);
    }

    #[test]
    fn a_delivery_report_names_the_message_that_bounced() {
        let key = b"k";
        let (conv, msg) = (Uuid::now_v7(), Uuid::now_v7());
        let id = message_id(key, conv, msg, "example.com");
        let report = format!(
            "Content-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{id}>\r\nIn-Reply-To: <rapport.{}.0000000000000000.{}@example.com>\r\n",
            conv.simple(),
            msg.simple()
        );
        assert_eq!(ours_in(key, report.as_bytes()), vec![(conv, msg)]);
        assert_eq!(ours_message(key, &id), Some((conv, msg)));
        assert!(ours_in(b"other", report.as_bytes()).is_empty());
    }

    #[test]
    fn references_come_strongest_first() {
        let conv = Uuid::now_v7();
        let mine = message_id(KEY, conv, Uuid::now_v7(), "acme.test");
        let raw = format!(
            "From: ana@example.com\r\nTo: support@acme.test\r\nSubject: Re: x\r\n\
             Message-ID: <c3@example.com>\r\nIn-Reply-To: <c2@example.com>\r\n\
             References: <c1@example.com> <{mine}> <c2@example.com>\r\n\r\nThanks\r\n"
        );
        let mail = parse(raw.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(
            references(KEY, &mail),
            vec![
                ThreadRef::Ours(conv),
                ThreadRef::External("c2@example.com".into()),
                ThreadRef::External("c1@example.com".into()),
            ]
        );
    }

    #[test]
    fn base_subjects_drop_prefixes_and_tags() {
        for (raw, base) in [
            ("Re: Order 42", "Order 42"),
            ("RE: Fwd: [Support] Order 42", "Order 42"),
            ("AW: SV:  Order   42 (fwd)", "Order 42"),
            ("Re[2]: Order 42", "Order 42"),
            ("Order 42", "Order 42"),
            ("Reply needed: invoice", "Reply needed: invoice"),
        ] {
            assert_eq!(base_subject(raw), base, "{raw}");
        }
    }
}
