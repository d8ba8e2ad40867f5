//! The email channel's adapter: an agent's reply as a real email, sent over the inbox's SMTP
//! server. The Message-ID and the plus-addressed Reply-To carry the conversation id with the
//! org's HMAC tag (`rapport_mail::thread`), so the customer's answer finds its conversation
//! whatever their mail client keeps; In-Reply-To and References name the thread's earlier
//! mail. The Message-ID is the same on every attempt of one reply, so a receiving server that
//! deduplicates sees a retry as the same mail. The sent Message-ID becomes the reply's
//! external id, which is how an answer quoting it is matched.

use super::connect::MailLogin;
use super::settings::{EmailSecrets, EmailSettings};
use crate::authz::system_scope;
use crate::context::App;
use crate::oauth_connections::TokenError;
use rapport_domain::inbox::ChannelKind;
use rapport_domain::inbox::channel::{
    ChannelAccount, ChannelAdapter, ChannelError, OutboundMessage, SendFuture, SendReceipt,
};
use rapport_mail::smtp::{Outgoing, OutgoingFile, SmtpError};
use rapport_store::repo::attachments;
use rapport_vault::ExposeSecret;

/// Sends replies of email inboxes.
#[derive(Debug)]
pub struct EmailChannel {
    app: App,
}

impl EmailChannel {
    /// The adapter, reading keys and files through `app`.
    pub(crate) fn new(app: App) -> Self {
        Self { app }
    }
}

impl ChannelAdapter for EmailChannel {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Email
    }

    fn send<'a>(
        &'a self,
        account: ChannelAccount<'a>,
        message: &'a OutboundMessage,
    ) -> SendFuture<'a> {
        Box::pin(self.deliver(account, message))
    }
}

fn rejected(e: impl std::fmt::Display) -> ChannelError {
    ChannelError::Rejected(e.to_string())
}

fn temporary(e: impl std::fmt::Display) -> ChannelError {
    ChannelError::Temporary(e.to_string())
}

/// "Re: " before a subject that does not already answer one.
pub(crate) fn reply_subject(subject: Option<&str>) -> String {
    match subject.map(str::trim).filter(|s| !s.is_empty()) {
        None => String::new(),
        Some(s) if rapport_mail::thread::base_subject(s) != s => s.to_owned(),
        Some(s) => format!("Re: {s}"),
    }
}

impl EmailChannel {
    async fn deliver(
        &self,
        account: ChannelAccount<'_>,
        message: &OutboundMessage,
    ) -> Result<SendReceipt, ChannelError> {
        let app = &self.app;
        let settings = EmailSettings::from_json(account.settings).map_err(rejected)?;
        let sealed = match (&settings.oauth, account.secret) {
            (Some(_), _) => None,
            (None, Some(s)) => Some(EmailSecrets::from_json(s.expose()).map_err(rejected)?),
            (None, None) => return Err(rejected("the inbox has no stored SMTP credentials")),
        };
        let conn = app.db().conn();
        let key = app
            .vault()
            .mail_thread_key(conn, account.org_id)
            .await
            .map_err(temporary)?;
        let key = key.expose_secret();
        let conversation = message.conversation_id.as_uuid();
        let domain = settings
            .address
            .rsplit_once('@')
            .map_or("localhost", |(_, d)| d);
        let message_id = rapport_mail::thread::message_id(
            key,
            conversation,
            message.message_id.as_uuid(),
            domain,
        );
        let mut files = Vec::with_capacity(message.attachments.len());
        let scope = system_scope(account.org_id);
        for id in &message.attachments {
            let record = attachments::get(conn, scope, *id)
                .await
                .map_err(temporary)?;
            let stored = app
                .blobs()
                .read(account.org_id, &record.blob)
                .await
                .map_err(temporary)?;
            let bytes = app
                .vault()
                .open_blob(conn, account.org_id, &record.blob, stored)
                .await
                .map_err(temporary)?;
            files.push(OutgoingFile {
                name: record.filename,
                content_type: record.content_type,
                bytes,
            });
        }
        let outgoing = Outgoing {
            from_name: settings.display_name.clone(),
            from: settings.address.clone(),
            to: vec![message.to.clone()],
            cc: Vec::new(),
            reply_to: Some(rapport_mail::thread::reply_address(
                key,
                conversation,
                &settings.address,
            )),
            subject: reply_subject(message.subject.as_deref()),
            text: message.text.clone(),
            html: None,
            message_id: message_id.clone(),
            in_reply_to: message.references.last().cloned(),
            references: message.references.clone(),
            attachments: files,
            date: app.clock().now(),
        };
        let raw = rapport_mail::smtp::build(&outgoing).map_err(rejected)?;
        // A token the server refuses is refreshed and tried once more.
        let mut refused = false;
        let login = loop {
            let login = match (&settings.oauth, &sealed) {
                (Some(oauth), _) => MailLogin::Token(
                    app.oauth_access_token(account.org_id, oauth.connection, refused)
                        .await
                        .map_err(|e| match e {
                            TokenError::Revoked(why) => rejected(why),
                            TokenError::Unavailable(why) => temporary(why),
                        })?,
                ),
                (None, passwords) => MailLogin::Passwords(passwords.clone().unwrap_or_default()),
            };
            let smtp = app.smtp_account(&settings, &login).await.map_err(|e| {
                if e.is_temporary() {
                    temporary(e)
                } else {
                    rejected(e)
                }
            })?;
            match rapport_mail::smtp::send(&smtp, &settings.address, &outgoing.to, &raw).await {
                Ok(()) => break login,
                Err(SmtpError::AuthenticationFailed)
                    if matches!(login, MailLogin::Token(_)) && !refused =>
                {
                    refused = true;
                }
                Err(e) if e.is_temporary() => return Err(temporary(e)),
                Err(e) => return Err(rejected(e)),
            }
        };
        // The copy in the Sent folder is a courtesy to people reading the mailbox elsewhere:
        // failing to save it does not undo or repeat a sent reply.
        if let Some(folder) = &settings.sent_folder {
            let saved = match app.imap_account(&settings, &login).await {
                Ok(account) => rapport_mail::imap::append(&account, folder, &raw)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            if let Err(error) = saved {
                tracing::warn!(inbox = %account.inbox_id, folder, %error, "the sent reply could not be saved in the Sent folder");
            }
        }
        Ok(SendReceipt {
            external_id: Some(message_id),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::reply_subject;

    #[test]
    fn replies_answer_the_subject_once() {
        assert_eq!(reply_subject(Some("Order 42")), "Re: Order 42");
        assert_eq!(reply_subject(Some("Re: Order 42")), "Re: Order 42");
        assert_eq!(reply_subject(Some("AW: Bestellung")), "AW: Bestellung");
        assert_eq!(reply_subject(None), "");
    }
}
