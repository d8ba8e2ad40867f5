//! Sending an agent's reply: [`build`] turns an [`Outgoing`] reply into the bytes of a MIME
//! message (mail-builder), [`send`] hands those bytes to the mailbox's SMTP server (lettre),
//! and [`check`] tries the settings without sending anything.
//!
//! The connection is plain, TLS from the first byte or STARTTLS ([`Security`], shared with
//! IMAP), goes to the addresses the caller vetted through the egress guard when it gives them
//! (else to the host's), and checks the server's certificate for the host name against the
//! Mozilla roots plus the operator's own; there is no way to turn checking off. Failures are
//! [`SmtpError`]s worded for the admin who typed the settings, with
//! [`SmtpError::is_temporary`] for the send job's retry decision.

mod build;
mod send;

pub use crate::transport::{Secret, Security};
pub use build::build;
pub use send::{SESSION_TIMEOUT, check, send};

use std::net::SocketAddr;

/// The SMTP server a mailbox sends through, and as whom.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpAccount {
    /// Host name or address, as the admin typed it: the TLS certificate is checked for it.
    pub host: String,
    /// Port (usually 587 with STARTTLS, 465 with TLS).
    pub port: u16,
    /// How the connection is secured.
    pub security: Security,
    /// User name; without one, nothing is authenticated (a relay that trusts the network).
    pub username: Option<String>,
    /// The password or OAuth 2.0 access token for `username` (a token logs in with
    /// `XOAUTH2`).
    pub secret: Option<Secret>,
    /// Where to connect (address and port), when the caller resolved `host` itself (through
    /// the egress guard, `rapport_egress::socket_addrs`), tried in order while they refuse the
    /// connection; empty: resolve `host` and use `port` when connecting.
    pub addresses: Vec<SocketAddr>,
    /// Certificates (PEM) trusted besides the public roots, for a mail host with a private CA.
    pub extra_roots: Vec<String>,
}

impl std::fmt::Debug for SmtpAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpAccount")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("addresses", &self.addresses)
            .finish_non_exhaustive()
    }
}

/// A reply to send, as the inbox composed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The display name in `From` (the mailbox's or the agent's).
    pub from_name: Option<String>,
    /// The `From` address (the mailbox's).
    pub from: String,
    /// `To` addresses.
    pub to: Vec<String>,
    /// `Cc` addresses.
    pub cc: Vec<String>,
    /// Where the customer's answer should go, when not to `from` (a reply address with a
    /// thread token).
    pub reply_to: Option<String>,
    /// The subject.
    pub subject: String,
    /// The plain text body.
    pub text: String,
    /// The HTML body, sent as the alternative to `text`.
    pub html: Option<String>,
    /// Our `Message-ID`, without angle brackets.
    pub message_id: String,
    /// The `Message-ID` of the message answered, without angle brackets.
    pub in_reply_to: Option<String>,
    /// The thread's message ids, oldest first, without angle brackets.
    pub references: Vec<String>,
    /// Files to attach.
    pub attachments: Vec<OutgoingFile>,
    /// The `Date` header.
    pub date: chrono::DateTime<chrono::Utc>,
}

/// A file attached to an [`Outgoing`] reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingFile {
    /// The file name (any characters; encoded as RFC 2231 asks).
    pub name: String,
    /// `type/subtype` (`application/octet-stream` is used when it is not a valid one).
    pub content_type: String,
    /// The contents.
    pub bytes: Vec<u8>,
}

/// Why a message could not be built, sent or the settings checked, in words for the person
/// who set the mailbox up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmtpError {
    /// No connection (refused, unreachable, no address, no answer to the connection attempt).
    #[error("cannot reach {host}:{port}: {reason}")]
    Unreachable {
        /// Host.
        host: String,
        /// Port.
        port: u16,
        /// What failed.
        reason: String,
    },
    /// TLS could not be set up (an untrusted certificate, a wrong host name, no STARTTLS).
    #[error("TLS error: {0}")]
    Tls(String),
    /// The server refused the credentials.
    #[error("authentication failed: the server refused the user name or password")]
    AuthenticationFailed,
    /// The server lacks something sending needs (a password login the client knows,
    /// international addresses).
    #[error("the mail server does not support {0}")]
    Unsupported(String),
    /// A permanent refusal (5xx): sending the same message again will fail again.
    #[error("the mail server refused the message: {0}")]
    Rejected(String),
    /// A failure that may pass (4xx, no answer in time, a dropped connection).
    #[error("temporary failure, trying again later may succeed: {0}")]
    Temporary(String),
    /// The message or its envelope is not valid (an address, a Message-ID).
    #[error("the message cannot be sent as it is: {0}")]
    Build(String),
}

impl SmtpError {
    /// Whether sending again later could succeed (a network problem or a 4xx answer, not a
    /// refusal or wrong settings).
    pub fn is_temporary(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::Temporary(_))
    }
}
