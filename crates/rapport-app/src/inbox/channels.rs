//! The channel adapters this build carries, and the API channel's own normalization.
//!
//! The API channel is the one an integration drives: it posts customer messages to
//! `POST /api/v1/inboxes/{id}/messages` (normalized by [`normalize_api`]) and reads agents'
//! replies back through the conversation's messages. Its `send` therefore accepts a reply at
//! once: the reply is stored and readable by the integration the moment it is sent. Email
//! (`rapport-mail`) and the chat channels plug in here with their own adapters.

use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use rapport_domain::inbox::channel::{
    ChannelAccount, ChannelAdapter, InboundMessage, MAX_SUBJECT_CHARS, OutboundMessage, SendFuture,
    SendReceipt, SenderIdentity, message_text,
};
use rapport_domain::inbox::{ChannelKind, IdempotencyKey};
use rapport_domain::{AttachmentId, ConversationId, DomainError, Email, bounded_text};
use std::sync::Arc;

/// The API channel.
#[derive(Debug, Default)]
pub struct ApiChannel;

impl ChannelAdapter for ApiChannel {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Api
    }

    fn send<'a>(
        &'a self,
        _account: ChannelAccount<'a>,
        _message: &'a OutboundMessage,
    ) -> SendFuture<'a> {
        Box::pin(async { Ok(SendReceipt::default()) })
    }
}

/// Whether inboxes of this channel can be created in this build (each has an adapter).
pub fn creatable(kind: ChannelKind) -> bool {
    matches!(kind, ChannelKind::Api | ChannelKind::Email)
}

impl crate::context::App {
    /// The adapter that sends for a channel kind, when this build has one.
    pub(crate) fn adapter_for(&self, kind: ChannelKind) -> Option<Arc<dyn ChannelAdapter>> {
        match kind {
            ChannelKind::Api => Some(Arc::new(ApiChannel)),
            ChannelKind::Email => Some(Arc::new(super::email::EmailChannel::new(self.clone()))),
            ChannelKind::Widget
            | ChannelKind::WhatsApp
            | ChannelKind::Telegram
            | ChannelKind::Slack => None,
        }
    }
}

/// The longest API sender identifier (it is stored prefixed with the inbox id, so identifiers
/// of two API inboxes never collide).
pub const MAX_API_IDENTIFIER: usize = 200;
/// The longest name a channel gives a sender.
const MAX_SENDER_NAME: usize = 200;
/// Field names of the sender's name and phone in errors.
const NAME_FIELD: &str = "contact.name";
const PHONE_FIELD: &str = "contact.phone";
/// The longest external id.
const MAX_EXTERNAL_ID: usize = 500;

/// A customer message as an integration posts it.
#[derive(Debug, Clone, Default)]
pub struct ApiInbound {
    /// The integration's stable id for the person.
    pub identifier: String,
    /// Their name.
    pub name: Option<String>,
    /// Their email address (links them to an existing contact with it).
    pub email: Option<String>,
    /// Their phone number.
    pub phone: Option<String>,
    /// The message text.
    pub content: String,
    /// A subject line.
    pub subject: Option<String>,
    /// The conversation it continues (must be this contact's, in this inbox).
    pub conversation_id: Option<ConversationId>,
    /// The integration's id for the message.
    pub external_id: Option<String>,
    /// When the customer sent it.
    pub sent_at: Option<DateTime<Utc>>,
    /// Files the integration uploaded for it (`POST /api/v1/uploads`).
    pub attachments: Vec<AttachmentId>,
}

fn push<T>(errors: &mut Vec<DomainError>, r: Result<T, DomainError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

/// Validates an API post into the normalized message, listing every refused field at once.
pub fn normalize_api(key: &str, input: ApiInbound) -> AppResult<InboundMessage> {
    let mut errors = Vec::new();
    let key = push(&mut errors, IdempotencyKey::parse(key));
    let identifier = push(&mut errors, SenderIdentity::identifier(&input.identifier));
    if identifier
        .as_ref()
        .is_some_and(|i| i.chars().count() > MAX_API_IDENTIFIER)
    {
        errors.push(DomainError::TooLong {
            field: "contact.identifier",
            max: MAX_API_IDENTIFIER,
        });
    }
    let optional = |field, v: Option<String>, max, errors: &mut Vec<DomainError>| {
        v.filter(|s| !s.trim().is_empty())
            .and_then(|s| push(errors, bounded_text(field, &s, max)))
    };
    let name = optional(NAME_FIELD, input.name, MAX_SENDER_NAME, &mut errors);
    let email = input.email.filter(|s| !s.trim().is_empty()).and_then(|e| {
        push(
            &mut errors,
            Email::parse(&e).map_err(|_| DomainError::Invalid {
                field: "contact.email",
                reason: "not an email address",
            }),
        )
    });
    let phone = optional(PHONE_FIELD, input.phone, 64, &mut errors);
    let subject = optional("subject", input.subject, MAX_SUBJECT_CHARS, &mut errors);
    let external_id = optional(
        "external_id",
        input.external_id,
        MAX_EXTERNAL_ID,
        &mut errors,
    );
    // A message may be files alone: then its text is empty.
    let text = if input.content.trim().is_empty() && !input.attachments.is_empty() {
        Some(String::new())
    } else {
        push(&mut errors, message_text("content", &input.content))
    };
    match (key, identifier, text) {
        (Some(idempotency_key), Some(identifier), Some(text)) if errors.is_empty() => {
            Ok(InboundMessage {
                idempotency_key,
                sender: SenderIdentity {
                    identifier,
                    name,
                    email,
                    phone,
                },
                text,
                subject,
                external_id,
                sent_at: input.sent_at,
                thread: input.conversation_id,
                attachments: input.attachments,
                uploader: None,
                continuation: Default::default(),
                metadata: serde_json::Value::Null,
            })
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_named_at_once() {
        let err = normalize_api(
            "k 1",
            ApiInbound {
                identifier: "".into(),
                email: Some("nope".into()),
                content: " ".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
        let AppError::Invalid(list) = err else {
            panic!("{err:?}")
        };
        let fields: Vec<_> = list.iter().map(DomainError::field).collect();
        assert_eq!(
            fields,
            vec![
                "idempotency_key",
                "contact.identifier",
                "contact.email",
                "content"
            ]
        );
    }

    #[test]
    fn a_good_post_is_normalized() {
        let m = normalize_api(
            "msg-1",
            ApiInbound {
                identifier: "cust-42".into(),
                name: Some(" Ana Lima ".into()),
                email: Some("Ana@Example.com".into()),
                content: "Hello\n".into(),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(m.sender.name.as_deref(), Some("Ana Lima"));
        assert_eq!(m.sender.email.unwrap().as_str(), "ana@example.com");
        assert_eq!(m.text, "Hello");
    }
}
