//! Rapport's email channel, starting with what every other part stands on: turning the bytes
//! of a real-world message into what the inbox stores, without ever panicking, hanging or
//! letting active content through.
//!
//! - [`parse`]: MIME via mail-parser (multipart/alternative and related, inline `cid:` parts,
//!   attachments, RFC 2047/2231 names, any charset, malformed headers), with size limits that
//!   keep the message and drop only an oversize part, saying so in [`ParsedMail::notes`];
//! - [`sanitize`]: inbound HTML reduced to inert markup (ammonia);
//! - [`automated`]: auto-replies, bounces (delivery-status reports) and list mail, which must
//!   never be answered automatically.
//!
//! - [`thread`]: signed reply tokens in our Message-IDs and reply addresses, the references a
//!   message gives, strongest first, and base subjects for the last-resort match.
//!
//! - [`imap`]: a folder read in UID order from a checkpoint, in bounded batches;
//! - [`smtp`]: a reply built as a MIME message (threading headers, HTML alternative, files)
//!   and sent through the mailbox's SMTP server, or the settings checked without sending.
//!
//! IMAP and SMTP connect to the addresses the caller vetted through the egress guard when it
//! gives them, and always check TLS certificates for the host name.
//!
//! The sync job, the send job and the email inbox build on these (issue 6). Nothing here
//! touches the database (DESIGN.md).

pub mod automated;
pub mod imap;
pub mod parse;
pub mod quote;
pub mod sanitize;
pub mod smtp;
pub mod thread;
pub mod transport;

pub use automated::Automated;
pub use parse::{Attachment, Limits, Mailbox, ParsedMail, parse};
pub use sanitize::sanitize_html;
pub use smtp::{Outgoing, OutgoingFile, SmtpAccount, SmtpError};
pub use thread::ThreadRef;

/// Why a message could not be read at all (anything less is a note on the parsed message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Larger than the whole-message limit.
    #[error("the message is {size} bytes, more than the {max} bytes accepted")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// Not a message (no header could be read).
    #[error("the data is not an email message")]
    NotAMessage,
}
