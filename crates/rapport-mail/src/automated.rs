//! Mail no one should answer automatically: auto-replies (RFC 3834 `Auto-Submitted`, the
//! `X-Autoreply`/`X-Autorespond` headers of common responders, `Precedence: auto_reply`),
//! bounces (RFC 3464 delivery-status reports, and the classic `MAILER-DAEMON` sender) and
//! bulk or list mail (`List-Id`, `List-Unsubscribe`, `Precedence: bulk|list|junk`).

use mail_parser::{HeaderValue, Message, MimeHeaders};

/// What kind of automated mail a message is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Automated {
    /// An out-of-office or other automatic answer.
    AutoReply,
    /// A delivery failure report, with the recipients it names as failed.
    Bounce {
        /// `Final-Recipient` addresses whose `Action` is `failed`.
        failed: Vec<String>,
    },
    /// Mailing-list or bulk mail.
    List,
}

fn text<'a>(m: &'a Message<'a>, name: &'a str) -> Option<&'a str> {
    match m.header(name)? {
        HeaderValue::Text(t) => Some(t.as_ref()),
        HeaderValue::TextList(list) => list.first().map(|t| t.as_ref()),
        _ => m.header_raw(name).map(str::trim),
    }
}

/// Classifies `m` (`None`: a person wrote it).
pub fn classify(m: &Message<'_>) -> Option<Automated> {
    let is_report = m.root_part().content_type().is_some_and(|ct| {
        ct.c_type.eq_ignore_ascii_case("multipart")
            && ct
                .c_subtype
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && ct
                .attribute("report-type")
                .is_some_and(|r| r.eq_ignore_ascii_case("delivery-status"))
    });
    let from_daemon = m
        .from()
        .and_then(|f| f.first())
        .and_then(|a| a.address())
        .is_some_and(|a| {
            let local = a.split('@').next().unwrap_or_default();
            local.eq_ignore_ascii_case("mailer-daemon") || local.eq_ignore_ascii_case("postmaster")
        });
    if is_report || from_daemon {
        return Some(Automated::Bounce {
            failed: failed_recipients(m),
        });
    }
    let auto_submitted = text(m, "Auto-Submitted").is_some_and(|v| {
        !v.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .eq_ignore_ascii_case("no")
    });
    let precedence = text(m, "Precedence").map(|p| p.trim().to_ascii_lowercase());
    if auto_submitted
        || m.header_raw("X-Autoreply").is_some()
        || m.header_raw("X-Autorespond").is_some()
        || precedence.as_deref() == Some("auto_reply")
    {
        return Some(Automated::AutoReply);
    }
    if m.header_raw("List-Id").is_some()
        || m.header_raw("List-Unsubscribe").is_some()
        || matches!(precedence.as_deref(), Some("bulk" | "list" | "junk"))
    {
        return Some(Automated::List);
    }
    None
}

/// The failed recipients a delivery-status part names.
fn failed_recipients(m: &Message<'_>) -> Vec<String> {
    let mut failed = Vec::new();
    for part in m.parts.iter() {
        let is_status = part.content_type().is_some_and(|ct| {
            ct.c_subtype
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("delivery-status"))
        });
        if !is_status {
            continue;
        }
        let body = String::from_utf8_lossy(part.contents());
        // Per-recipient groups are separated by blank lines.
        for group in body.replace("\r\n", "\n").split("\n\n") {
            let field = |name: &str| {
                group.lines().find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.trim()
                        .eq_ignore_ascii_case(name)
                        .then(|| v.trim().to_owned())
                })
            };
            if field("Action").is_some_and(|a| a.eq_ignore_ascii_case("failed"))
                && let Some(rcpt) = field("Final-Recipient")
            {
                let address = rcpt
                    .split_once(';')
                    .map_or(rcpt.as_str(), |(_, a)| a)
                    .trim();
                failed.push(address.to_owned());
            }
        }
    }
    failed
}
