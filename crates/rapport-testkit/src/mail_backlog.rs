//! A generated mailbox backlog with a known answer: `threads` conversations of real-world
//! shapes, and for each the Message-IDs that must end up together in one conversation.
//!
//! Every thread opens with a customer's message (some names and subjects RFC 2047-encoded,
//! every tenth answering a message the mailbox never saw, which must not matter) and continues
//! with one to three follow-ups that cycle through the shapes mail clients produce:
//!
//! - a reply (`In-Reply-To` the previous message, `References` the thread so far);
//! - `References` only, no `In-Reply-To` (some mobile and web clients);
//! - a reply-all by a colleague of the customer (another sender, same thread headers);
//! - a reply whose `In-Reply-To` names a message the mailbox never saw (the customer answered
//!   a copy sent elsewhere) while `References` still holds the thread;
//! - an ISO-8859-1, quoted-printable body with a base64 attachment.
//!
//! Subjects are unique per thread and follow-ups carry thread headers, so the expected
//! grouping is exactly one conversation per thread.

/// The backlog: raw messages in delivery order, and the expected conversations.
pub struct Backlog {
    /// Raw RFC 5322 messages, parents before replies.
    pub messages: Vec<Vec<u8>>,
    /// For each thread, the Message-IDs (without brackets) of its messages.
    pub threads: Vec<Vec<String>>,
}

/// RFC 2047 "Q" encoding of a UTF-8 phrase.
fn q(text: &str) -> String {
    let mut out = String::from("=?UTF-8?Q?");
    for b in text.bytes() {
        match b {
            b' ' => out.push('_'),
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => out.push(char::from(b)),
            _ => out.push_str(&format!("={b:02X}")),
        }
    }
    out.push_str("?=");
    out
}

struct Mail<'a> {
    from: String,
    subject: String,
    id: &'a str,
    in_reply_to: Option<String>,
    references: &'a [String],
    minute: usize,
}

impl Mail<'_> {
    fn head(&self) -> String {
        let mut h = format!(
            "From: {}\r\nTo: support@example.com\r\nSubject: {}\r\nMessage-ID: <{}>\r\n\
             Date: Mon, 02 Nov 2026 {:02}:{:02}:00 +0000\r\nMIME-Version: 1.0\r\n",
            self.from,
            self.subject,
            self.id,
            (self.minute / 60) % 24,
            self.minute % 60,
        );
        if let Some(parent) = &self.in_reply_to {
            h.push_str(&format!("In-Reply-To: <{parent}>\r\n"));
        }
        if !self.references.is_empty() {
            let refs: Vec<String> = self.references.iter().map(|r| format!("<{r}>")).collect();
            h.push_str(&format!("References: {}\r\n", refs.join("\r\n ")));
        }
        h
    }

    fn plain(&self, body: &str) -> Vec<u8> {
        format!(
            "{}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
            self.head()
        )
        .into_bytes()
    }

    fn latin1_with_file(&self, t: usize) -> Vec<u8> {
        format!(
            "{}Content-Type: multipart/mixed; boundary=\"b{t}\"\r\n\r\n\
             --b{t}\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\n\
             Anbei die Rechnung f=FCr Auftrag {t}. Gr=FC=DFe\r\n\
             --b{t}\r\nContent-Type: application/pdf; name=\"rechnung-{t}.pdf\"\r\n\
             Content-Disposition: attachment; filename=\"rechnung-{t}.pdf\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcOkw7zDtsOfCg==\r\n--b{t}--\r\n",
            self.head()
        )
        .into_bytes()
    }
}

/// A backlog of `threads` threads (about three messages each).
pub fn generate(threads: usize) -> Backlog {
    let mut messages = Vec::new();
    let mut expected = Vec::with_capacity(threads);
    let mut minute = 0;
    for t in 0..threads {
        let c = t % 400;
        let domain = format!("customer{}.test", c % 7);
        let customer = if c % 3 == 0 {
            format!("{} <cust{c}@{domain}>", q(&format!("Zoë Ångström {c}")))
        } else {
            format!("Customer {c} <cust{c}@{domain}>")
        };
        let colleague = format!("Colleague {c} <colleague{c}@{domain}>");
        let base = if t % 4 == 0 {
            q(&format!("Bestellung {t} – Größe falsch"))
        } else {
            format!("Order {t} has not arrived")
        };
        let mut ids = vec![format!("t{t}.root@{domain}")];
        minute += 1;
        let root = Mail {
            from: customer.clone(),
            subject: base.clone(),
            id: &ids[0],
            // Answering a message this mailbox never saw starts nothing but this thread.
            in_reply_to: (t % 10 == 0).then(|| format!("unknown.{t}@elsewhere.test")),
            references: &[],
            minute,
        };
        messages.push(root.plain(&format!("Hello, where is order {t}?")));
        for j in 0..=(t % 3) {
            let id = format!("t{t}.r{j}@{domain}");
            let prev = ids.last().cloned().unwrap_or_default();
            let refs = ids.clone();
            minute += 1;
            let reply = |from: String, in_reply_to: Option<String>| Mail {
                from,
                subject: format!("Re: {base}"),
                id: &id,
                in_reply_to,
                references: &refs,
                minute,
            };
            let raw = match (t + j) % 5 {
                0 => reply(customer.clone(), Some(prev)).plain(&format!("Any news on {t}?")),
                1 => reply(customer.clone(), None).plain("Following up (References only)."),
                2 => reply(colleague.clone(), Some(prev)).plain("Adding my colleague's view."),
                3 => reply(
                    customer.clone(),
                    Some(format!("copy.{t}.{j}@elsewhere.test")),
                )
                .plain("Answering the copy I sent our accountant."),
                _ => reply(customer.clone(), Some(prev)).latin1_with_file(t),
            };
            messages.push(raw);
            ids.push(id);
        }
        expected.push(ids);
    }
    Backlog {
        messages,
        threads: expected,
    }
}

#[cfg(test)]
mod tests {
    use super::generate;

    #[test]
    fn a_thousand_threads_hold_about_three_thousand_messages() {
        let b = generate(1_000);
        assert_eq!(b.threads.len(), 1_000);
        assert!(b.messages.len() >= 2_000, "{}", b.messages.len());
        assert_eq!(
            b.messages.len(),
            b.threads.iter().map(Vec::len).sum::<usize>()
        );
    }
}
