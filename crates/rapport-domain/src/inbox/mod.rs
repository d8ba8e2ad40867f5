//! The shared-inbox vocabulary: channel kinds, conversation statuses and priorities, message
//! directions and kinds, delivery states, labels and idempotency keys. Every value validates on
//! construction and has one stable snake_case name, which the database stores, the API sends
//! and automation rules match on.

pub mod attachment;
pub mod canned;
pub mod channel;

use crate::error::DomainError;

/// Declares a closed set of named values: `ALL`, `as_str`, `parse` and serde as the name.
macro_rules! named_enum {
    (
        $(#[$meta:meta])* $name:ident, $field:literal {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$(Self::$variant),+];

            /// The stable name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// Parses the stable name (case-insensitive, surrounding spaces ignored).
            pub fn parse(raw: &str) -> Result<Self, DomainError> {
                let raw = raw.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(raw))
                    .ok_or(DomainError::Invalid {
                        field: $field,
                        reason: concat!("must be one of: ", $($text, " "),+),
                    })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod assignment;
pub mod automation;
pub mod business_hours;
pub mod csat;
pub mod sla;
pub mod view;

named_enum!(
    /// The kind of channel an inbox is connected to.
    ChannelKind, "channel" {
        /// Messages posted to the inbox's API endpoint by an integration.
        Api = "api",
        /// A mailbox over IMAP and SMTP.
        Email = "email",
        /// The website chat widget.
        Widget = "widget",
        /// WhatsApp Business.
        WhatsApp = "whatsapp",
        /// A Telegram bot.
        Telegram = "telegram",
        /// A Slack workspace.
        Slack = "slack",
    }
);

named_enum!(
    /// Where a conversation stands.
    ConversationStatus, "status" {
        /// Waiting for the team.
        Open = "open",
        /// Waiting for the customer (or a third party); comes back to open on their reply.
        Pending = "pending",
        /// Put aside until a time or until the customer replies.
        Snoozed = "snoozed",
        /// Answered; a new customer message reopens it.
        Resolved = "resolved",
        /// Finished for good; a new customer message starts a new conversation.
        Closed = "closed",
    }
);

impl ConversationStatus {
    /// Whether the team still owes the customer something (counts in "open work" views).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Open | Self::Pending | Self::Snoozed)
    }
}

named_enum!(
    /// How urgent a conversation is (SLA targets are set per priority).
    Priority, "priority" {
        /// Not set.
        None = "none",
        /// Low.
        Low = "low",
        /// Medium.
        Medium = "medium",
        /// High.
        High = "high",
        /// Urgent.
        Urgent = "urgent",
    }
);

named_enum!(
    /// Who a message travels from.
    Direction, "direction" {
        /// From the customer to the team.
        Incoming = "incoming",
        /// From the team to the customer.
        Outgoing = "outgoing",
    }
);

named_enum!(
    /// What a conversation entry is.
    MessageKind, "kind" {
        /// A message the customer sees (or sent).
        Message = "message",
        /// A private note between colleagues; never sent to the customer.
        Note = "note",
        /// A line the system writes about the conversation ("Ana assigned it to Ben").
        Activity = "activity",
    }
);

named_enum!(
    /// What happened to a message on its channel.
    DeliveryStatus, "delivery_status" {
        /// An incoming message, stored.
        Received = "received",
        /// Waiting to leave on its channel.
        Queued = "queued",
        /// Handed to the channel.
        Sent = "sent",
        /// The channel reports it delivered.
        Delivered = "delivered",
        /// The channel refused it; the message says why.
        Failed = "failed",
    }
);

/// The longest label.
pub const MAX_LABEL_CHARS: usize = 50;
/// The most labels on one conversation.
pub const MAX_LABELS: usize = 30;

/// A conversation label: lowercase, 1–50 characters of letters, digits, `-`, `_`, `.`, `/` and
/// spaces (inner runs of spaces become one `-`, as in Chatwoot and Help Scout tags).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Label(String);

impl Label {
    /// Normalizes and validates a label.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let words: Vec<&str> = raw.split_whitespace().collect();
        let joined = words.join("-").to_lowercase();
        if joined.is_empty() {
            return Err(DomainError::Empty { field: "labels" });
        }
        if joined.chars().count() > MAX_LABEL_CHARS {
            return Err(DomainError::TooLong {
                field: "labels",
                max: MAX_LABEL_CHARS,
            });
        }
        if !joined
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        {
            return Err(DomainError::Invalid {
                field: "labels",
                reason: "use letters, digits, '-', '_', '.' and '/' only",
            });
        }
        Ok(Self(joined))
    }

    /// The label text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Parses, de-duplicates and sorts a set of labels.
pub fn label_set<S: AsRef<str>>(raw: &[S]) -> Result<Vec<Label>, DomainError> {
    let mut out: Vec<Label> = raw
        .iter()
        .map(|l| Label::parse(l.as_ref()))
        .collect::<Result<_, _>>()?;
    out.sort();
    out.dedup();
    if out.len() > MAX_LABELS {
        return Err(DomainError::Invalid {
            field: "labels",
            reason: "a conversation holds at most 30 labels",
        });
    }
    Ok(out)
}

/// The longest idempotency key.
pub const MAX_IDEMPOTENCY_KEY: usize = 200;

/// A client's idempotency key (the `Idempotency-Key` header, an IMAP `UIDVALIDITY:UID`, a
/// webhook's event id): 1–200 visible ASCII characters. A repeat of the same key in the same
/// inbox returns the first result and stores nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Validates a key.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let field = "idempotency_key";
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(DomainError::Empty { field });
        }
        if raw.len() > MAX_IDEMPOTENCY_KEY {
            return Err(DomainError::TooLong {
                field,
                max: MAX_IDEMPOTENCY_KEY,
            });
        }
        if !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(DomainError::Invalid {
                field,
                reason: "use visible ASCII characters only",
            });
        }
        Ok(Self(raw.to_owned()))
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_say_what_is_allowed() {
        for s in ConversationStatus::ALL {
            assert_eq!(ConversationStatus::parse(s.as_str()), Ok(*s));
        }
        assert_eq!(Priority::parse(" URGENT "), Ok(Priority::Urgent));
        let err = ConversationStatus::parse("done").unwrap_err();
        assert_eq!(err.field(), "status");
        assert!(err.to_string().contains("open pending snoozed"), "{err}");
        assert!(Priority::Urgent > Priority::High);
    }

    #[test]
    fn labels_are_normalized_and_bounded() {
        assert_eq!(
            Label::parse("  Billing  Issue ").unwrap().as_str(),
            "billing-issue"
        );
        assert_eq!(Label::parse("vip/é").unwrap().as_str(), "vip/é");
        assert!(Label::parse("   ").is_err());
        assert!(Label::parse("a,b").is_err());
        assert!(Label::parse(&"x".repeat(51)).is_err());
        let set = label_set(&["b", "A", "a"]).unwrap();
        assert_eq!(
            set.iter().map(Label::as_str).collect::<Vec<_>>(),
            vec!["a", "b"]
        );
        let many: Vec<String> = (0..31).map(|i| format!("l{i}")).collect();
        assert!(label_set(&many).is_err());
    }

    #[test]
    fn idempotency_keys_are_visible_ascii_and_bounded() {
        assert!(IdempotencyKey::parse("msg-1:42").is_ok());
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("a b").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(201)).is_err());
    }
}
