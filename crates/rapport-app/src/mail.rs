//! Outgoing system mail (password resets, invitations): written to the job queue in the
//! caller's transaction with the body sealed by the vault (reset links are credentials), then
//! sent over SMTP by a worker with retries.

use crate::context::App;
use crate::error::{AppError, AppResult};
use crate::vault::{KeyOwner, reveal};
use async_trait::async_trait;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rapport_jobs::{EnqueueOptions, JobContext, JobError, JobHandler};
use rapport_store::{ConnectionTrait, DatabaseTransaction};
use rapport_vault::SecretString;
use serde::{Deserialize, Serialize};

/// Job kind: send one system mail.
pub const SEND_MAIL: &str = "mail.send";

/// How to reach the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain SMTP (loopback relays, tests).
    None,
    /// Upgrade with STARTTLS (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// Outgoing mail settings.
#[derive(Clone)]
pub struct SmtpConfig {
    /// Host name.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Transport security.
    pub security: SmtpSecurity,
    /// User name, when the server requires authentication.
    pub username: Option<String>,
    /// Password (never logged).
    pub password: Option<SecretString>,
    /// Sender, e.g. `Rapport <no-reply@example.com>`.
    pub from: String,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct MailJob {
    to: String,
    subject: String,
    sealed_body: String,
}

const AAD: &str = "mail.body";

impl App {
    /// Whether system mail can be sent.
    pub fn can_send_mail(&self) -> bool {
        self.config().smtp.is_some()
    }

    /// Queues a plain-text mail about `org` inside `txn` (sent only if the caller commits).
    pub(crate) async fn queue_mail(
        &self,
        txn: &impl ConnectionTrait,
        org: Option<rapport_domain::OrgId>,
        to: &str,
        subject: &str,
        body: String,
    ) -> AppResult<()> {
        let sealed_body = self
            .vault()
            .seal(txn, KeyOwner::System, AAD, &SecretString::from(body))
            .await?;
        let job = MailJob {
            to: to.to_owned(),
            subject: subject.to_owned(),
            sealed_body,
        };
        let payload = serde_json::to_value(job).map_err(|e| AppError::Internal(e.to_string()))?;
        // The job belongs to the org the mail is about, so only its admins see it in the queue.
        let opts = EnqueueOptions {
            org_id: org,
            max_attempts: 8,
            ..Default::default()
        };
        self.queue()
            .enqueue_in(txn, SEND_MAIL, payload, opts)
            .await?;
        Ok(())
    }
}

fn transport(cfg: &SmtpConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let mut builder = match cfg.security {
        SmtpSecurity::None => {
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(cfg.host.as_str())
        }
        SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&cfg.host)
            .map_err(|e| e.to_string())?,
        SmtpSecurity::Tls => {
            AsyncSmtpTransport::<Tokio1Executor>::relay(&cfg.host).map_err(|e| e.to_string())?
        }
    }
    .port(cfg.port)
    .timeout(Some(std::time::Duration::from_secs(30)));
    if let (Some(user), Some(pass)) = (&cfg.username, &cfg.password) {
        builder = builder.credentials(Credentials::new(user.clone(), reveal(pass).to_owned()));
    }
    Ok(builder.build())
}

/// Sends queued system mail.
pub(crate) struct SendMail(pub(crate) App);

#[async_trait]
impl JobHandler for SendMail {
    async fn run(&self, job: &JobContext, txn: &DatabaseTransaction) -> Result<(), JobError> {
        let Some(cfg) = self.0.config().smtp.clone() else {
            return Err(JobError::Permanent(
                "outgoing mail is not configured".into(),
            ));
        };
        let mail: MailJob = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::Permanent(format!("bad mail job: {e}")))?;
        let body = self
            .0
            .vault()
            .open(txn, KeyOwner::System, AAD, &mail.sealed_body)
            .await
            .map_err(|e| JobError::Permanent(e.to_string()))?;
        let from: Mailbox = cfg
            .from
            .parse()
            .map_err(|e| JobError::Permanent(format!("sender address: {e}")))?;
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| JobError::Permanent(format!("recipient address: {e}")))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(reveal(&body).to_owned())
            .map_err(|e| JobError::Permanent(format!("building the mail: {e}")))?;
        let transport = transport(&cfg).map_err(JobError::Permanent)?;
        transport
            .send(message)
            .await
            .map_err(|e| JobError::Retryable(format!("SMTP: {e}")))?;
        Ok(())
    }
}
