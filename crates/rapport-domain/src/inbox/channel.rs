//! The one interface every channel speaks. An adapter turns what its channel delivers into an
//! [`InboundMessage`] (verify, then normalize) and sends an [`OutboundMessage`] back out. It
//! never touches the database: the ingest pipeline in `rapport-app` stores what adapters
//! normalize, and the delivery job hands them what to send.
//!
//! The trait returns boxed futures so adapters can be held as `dyn ChannelAdapter` without an
//! async runtime in the domain.

use super::{ChannelKind, IdempotencyKey};
use crate::error::DomainError;
use crate::id::{AttachmentId, ConversationId, InboxId, MessageId, OrgId, UserId};
use chrono::{DateTime, Utc};
use std::future::Future;
use std::pin::Pin;

/// The longest message text (256 KiB): larger inbound content is refused with a clear error.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;
/// The longest subject.
pub const MAX_SUBJECT_CHARS: usize = 500;
/// The longest channel identifier (an email address, a phone number, a chat user id).
pub const MAX_IDENTIFIER_CHARS: usize = 254;

/// Who sent an inbound message, as the channel knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderIdentity {
    /// The channel's stable id for the person (their address, number or user id).
    pub identifier: String,
    /// The name the channel shows, if any.
    pub name: Option<String>,
    /// An email address the channel knows for them (links the sender to an existing contact).
    pub email: Option<crate::Email>,
    /// A phone number the channel knows for them, as sent.
    pub phone: Option<String>,
}

impl SenderIdentity {
    /// Validates the identifier: 1–254 visible characters.
    pub fn identifier(raw: &str) -> Result<String, DomainError> {
        let v = crate::bounded_text("contact.identifier", raw, MAX_IDENTIFIER_CHARS)?;
        if v.chars().any(char::is_whitespace) {
            return Err(DomainError::Invalid {
                field: "contact.identifier",
                reason: "must not contain spaces",
            });
        }
        Ok(v)
    }
}

/// A message as every channel delivers it after normalization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    /// The key that makes a repeat of this delivery a no-op.
    pub idempotency_key: IdempotencyKey,
    /// The sender.
    pub sender: SenderIdentity,
    /// Plain text (already bounded by [`MAX_MESSAGE_BYTES`]).
    pub text: String,
    /// A subject line (email), if any.
    pub subject: Option<String>,
    /// The channel's own id for the message (a Message-ID, a provider message id).
    pub external_id: Option<String>,
    /// When the sender sent it, as the channel says (defaults to when it was received).
    pub sent_at: Option<DateTime<Utc>>,
    /// The conversation the channel says this continues (a reply token, a thread id); the
    /// pipeline checks it belongs to the same inbox and contact before using it.
    pub thread: Option<ConversationId>,
    /// Files already staged in the blob store as unsent attachments of `uploader`; the
    /// pipeline puts them on the message in its transaction (text may then be empty).
    pub attachments: Vec<AttachmentId>,
    /// Who staged the files: the integration's member, or `None` for the channel's own.
    pub uploader: Option<UserId>,
    /// How the pipeline finds the conversation when `thread` names none.
    pub continuation: Continuation,
    /// What the channel knows about the message beyond its text (an email's sanitized HTML,
    /// addresses, automated-mail marks), stored with it as JSON (an object, or null).
    pub metadata: serde_json::Value,
}

/// How an inbound message that names no conversation finds the one it continues.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Continuation {
    /// The contact's latest conversation in the inbox that is still going (chat channels and
    /// the API, where a person has one running conversation).
    #[default]
    Latest,
    /// Email: only what the message itself shows, strongest first; nothing shown starts a
    /// new conversation (a new subject from the same person is a new matter).
    Mail(MailThread),
}

/// An email's threading evidence, as `rapport-mail` read it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MailThread {
    /// The conversation named by one of our signed Message-IDs or reply addresses (proof: the
    /// sender received our mail), whoever the sender is.
    pub proven: Option<ConversationId>,
    /// Other Message-IDs it answers or references, nearest parent first: the conversation
    /// holding one of them in the same inbox continues.
    pub parents: Vec<String>,
    /// The base subject, when the subject marks a reply ("Re:") and no Message-ID is given:
    /// matched against the same contact's recent conversations only.
    pub reply_subject: Option<String>,
}

/// Validates inbound message text: not blank, no NUL, at most [`MAX_MESSAGE_BYTES`].
pub fn message_text(field: &'static str, raw: &str) -> Result<String, DomainError> {
    if raw.trim().is_empty() {
        return Err(DomainError::Empty { field });
    }
    if raw.len() > MAX_MESSAGE_BYTES {
        return Err(DomainError::TooLong {
            field,
            max: MAX_MESSAGE_BYTES,
        });
    }
    if raw.contains('\0') {
        return Err(DomainError::Invalid {
            field,
            reason: "NUL characters are not allowed",
        });
    }
    Ok(raw.trim_end().to_owned())
}

/// What an agent's reply looks like to the adapter that sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMessage {
    /// The stored message (its id is the idempotency key for the channel).
    pub message_id: MessageId,
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// The recipient's identifier on this channel.
    pub to: String,
    /// Plain text.
    pub text: String,
    /// The conversation's subject, if any.
    pub subject: Option<String>,
    /// The channel ids of earlier messages in the thread, oldest first (email references).
    pub references: Vec<String>,
    /// Files sent with it.
    pub attachments: Vec<AttachmentId>,
}

/// What the channel said when it accepted a message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SendReceipt {
    /// The channel's id for the sent message, if it gives one.
    pub external_id: Option<String>,
}

/// Why a channel did not take a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// Worth trying again later (timeout, rate limit, the peer is down).
    #[error("{0}")]
    Temporary(String),
    /// Trying again cannot help (bad recipient, revoked credentials); shown on the message.
    #[error("{0}")]
    Rejected(String),
}

/// The inbox a message is sent from, as its adapter needs it.
#[derive(Debug, Clone, Copy)]
pub struct ChannelAccount<'a> {
    /// The inbox's org.
    pub org_id: OrgId,
    /// The inbox.
    pub inbox_id: InboxId,
    /// Its channel settings (host names, addresses: nothing secret).
    pub settings: &'a serde_json::Value,
    /// Its channel secret, opened from the vault for this send.
    pub secret: Option<&'a ChannelSecret>,
}

/// A channel's credentials (JSON the adapter reads), opened from the vault for one send. It
/// implements neither `Display` nor `Serialize`, and its `Debug` is redacted, so it cannot
/// reach a log.
pub struct ChannelSecret(String);

impl ChannelSecret {
    /// Wraps opened credentials.
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The credentials.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ChannelSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChannelSecret(…)")
    }
}

/// The future a send returns.
pub type SendFuture<'a> =
    Pin<Box<dyn Future<Output = Result<SendReceipt, ChannelError>> + Send + 'a>>;

/// A channel adapter: sends what agents write (inbound normalization is each adapter's own
/// entry point, since what channels deliver differs: a JSON body, an IMAP fetch, a webhook).
pub trait ChannelAdapter: Send + Sync + std::fmt::Debug {
    /// The channel it speaks.
    fn kind(&self) -> ChannelKind;

    /// Sends one message. Called at least once per message: adapters pass
    /// `message.message_id` to the channel as its idempotency key where the channel has one.
    fn send<'a>(
        &'a self,
        account: ChannelAccount<'a>,
        message: &'a OutboundMessage,
    ) -> SendFuture<'a>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_identifiers_are_bounded() {
        assert!(message_text("content", "  ").is_err());
        assert!(message_text("content", "a\0b").is_err());
        assert!(message_text("content", &"x".repeat(MAX_MESSAGE_BYTES + 1)).is_err());
        assert_eq!(message_text("content", "hi \n").unwrap(), "hi");
        assert!(SenderIdentity::identifier("user 1").is_err());
        assert_eq!(SenderIdentity::identifier(" u-1 ").unwrap(), "u-1");
    }
}
