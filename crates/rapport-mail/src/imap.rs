//! Reading a mailbox folder over IMAP in UID order, from a checkpoint, in bounded batches.
//!
//! The checkpoint is the folder's `UIDVALIDITY` and the last UID taken (and, on a CONDSTORE
//! server, the `HIGHESTMODSEQ` everything was read up to, so a reconnect to an unchanged
//! folder asks nothing more). A folder read from the start may begin at a backfill window
//! ([`Folder::with_window`]). A batch holds the next
//! messages after it (at most `batch` of them, oldest first), so a backlog of thousands is read
//! in steps that each commit before the next; when the server's `UIDVALIDITY` differs from the
//! checkpoint's, the folder was rebuilt and is read again from the start (the ingest's dedupe
//! on Message-ID and content keeps that from duplicating anything). Messages are fetched with
//! `BODY.PEEK[]`, so reading never marks them seen for the mailbox's other readers.
//!
//! The connection is plain, TLS or STARTTLS ([`Security`]). Between batches a sync waits with
//! IDLE ([`Folder::wait_for_change`]), or polls a server without it. The login is a password
//! (`LOGIN`) or an OAuth 2.0 access token (`AUTHENTICATE XOAUTH2`, Gmail and Microsoft 365).

use crate::transport::{self, Conn};
pub use crate::transport::{Secret, Security};
use async_imap::Client;
use futures::TryStreamExt;
use std::net::SocketAddr;

/// Where and as whom to read.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// Host name or address, as the admin typed it: the TLS certificate is checked for it.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Where to connect (address and port), when the caller resolved `host` itself (through
    /// the egress guard, `rapport_egress::socket_addrs`), tried in order until one answers;
    /// empty: resolve `host` and use `port` here. Connecting to the vetted addresses keeps the
    /// check and the connection on the same addresses (no DNS rebinding in between).
    pub addresses: Vec<SocketAddr>,
    /// User name.
    pub username: String,
    /// The password or OAuth 2.0 access token.
    pub secret: Secret,
    /// How the connection is secured.
    pub security: Security,
    /// Certificates (PEM) trusted besides the public roots, for a mail host with a private CA.
    pub extra_roots: Vec<String>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("addresses", &self.addresses)
            .field("username", &self.username)
            .field("security", &self.security)
            .finish_non_exhaustive()
    }
}

/// Why reading failed, in words for the person who set the mailbox up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImapError {
    /// No connection.
    #[error("cannot reach {host}:{port}: {reason}")]
    Unreachable {
        /// Host.
        host: String,
        /// Port.
        port: u16,
        /// What failed.
        reason: String,
    },
    /// TLS could not be set up (an untrusted certificate, a wrong host name).
    #[error("{0}")]
    Tls(#[from] transport::TlsError),
    /// The server refused the credentials (for a token: it may have run out or been revoked).
    #[error("authentication failed: the server refused the user name or password")]
    AuthenticationFailed,
    /// The folder does not exist or cannot be opened.
    #[error("the folder {0} cannot be opened")]
    NoFolder(String),
    /// Anything else the server or the connection did.
    #[error("the mail server answered unexpectedly: {0}")]
    Protocol(String),
}

fn protocol(e: impl std::fmt::Display) -> ImapError {
    ImapError::Protocol(e.to_string())
}

/// `client` after reading the server's greeting.
async fn greeted<T>(mut client: Client<T>) -> Result<Client<T>, ImapError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + std::fmt::Debug,
{
    client
        .read_response()
        .await
        .map_err(protocol)?
        .ok_or_else(|| protocol("the server closed the connection before greeting"))?;
    Ok(client)
}

/// How far a folder was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    /// The folder's `UIDVALIDITY` when it was read.
    pub uid_validity: u32,
    /// The highest UID taken.
    pub last_uid: u32,
    /// With CONDSTORE: a `HIGHESTMODSEQ` up to which every change was read (none while a
    /// backlog is still being read, or when the server lacks CONDSTORE).
    pub modseq: Option<u64>,
}

/// One message as fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// Its UID in the folder.
    pub uid: u32,
    /// The whole message.
    pub raw: Vec<u8>,
}

/// The next messages after a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Oldest first.
    pub messages: Vec<Fetched>,
    /// Where the next batch starts (save it once these messages are stored).
    pub checkpoint: Checkpoint,
    /// The folder's `UIDVALIDITY` changed since the checkpoint: it is being read from the start.
    pub rescan: bool,
    /// More messages wait after this batch.
    pub more: bool,
}

/// A logged-in session with one folder selected.
pub struct Folder {
    session: async_imap::Session<Conn>,
    name: String,
    uid_validity: u32,
    /// The server offers IDLE (else [`Folder::wait_for_change`] polls).
    idle: bool,
    /// `HIGHESTMODSEQ` when the folder was selected (CONDSTORE servers only).
    opened_modseq: Option<u64>,
    /// No batch was read since the folder was selected.
    first: bool,
    /// Mail that arrived before this date is not read when a folder is read from the start.
    window: Option<chrono::NaiveDate>,
}

/// How often a server without IDLE is asked again.
pub const POLL_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

impl std::fmt::Debug for Folder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Folder")
            .field("name", &self.name)
            .field("uid_validity", &self.uid_validity)
            .finish_non_exhaustive()
    }
}

/// Connects (to `account.addresses` when given, else to `account.host`) and logs in.
async fn login(account: &Account) -> Result<async_imap::Session<Conn>, ImapError> {
    let tcp = transport::connect(&account.host, account.port, &account.addresses)
        .await
        .map_err(|e| ImapError::Unreachable {
            host: account.host.clone(),
            port: account.port,
            reason: e.to_string(),
        })?;
    let client = match account.security {
        Security::Plain => greeted(Client::new(Box::new(tcp) as Conn)).await?,
        Security::Tls => {
            let tls = transport::tls(tcp, &account.host, &account.extra_roots).await?;
            greeted(Client::new(tls)).await?
        }
        Security::StartTls => {
            let mut plain = greeted(Client::new(tcp)).await?;
            plain
                .run_command_and_check_ok("STARTTLS", None)
                .await
                .map_err(|e| protocol(format!("STARTTLS refused: {e}")))?;
            let tls =
                transport::tls(plain.into_inner(), &account.host, &account.extra_roots).await?;
            // No greeting follows STARTTLS.
            Client::new(tls)
        }
    };
    let refused = |(e, _)| match e {
        async_imap::error::Error::No(_) | async_imap::error::Error::Bad(_) => {
            ImapError::AuthenticationFailed
        }
        other => protocol(other),
    };
    match &account.secret {
        Secret::Password(password) => client
            .login(&account.username, password)
            .await
            .map_err(refused),
        Secret::OAuth2Token(token) => client
            .authenticate(
                "XOAUTH2",
                XOAuth2 {
                    response: Some(crate::transport::xoauth2_response(&account.username, token)),
                },
            )
            .await
            .map_err(refused),
    }
}

/// SASL `XOAUTH2`: the token goes in the first answer; a server that refuses it sends a JSON
/// error as a challenge, answered with an empty line so it can say `NO`.
struct XOAuth2 {
    response: Option<String>,
}

impl async_imap::Authenticator for XOAuth2 {
    type Response = String;

    fn process(&mut self, _challenge: &[u8]) -> String {
        self.response.take().unwrap_or_default()
    }
}

/// Saves `raw` in `folder` marked as read (a copy of sent mail in the Sent folder), creating
/// the folder when the server says it does not exist.
pub async fn append(account: &Account, folder: &str, raw: &[u8]) -> Result<(), ImapError> {
    let mut session = login(account).await?;
    let first = session.append(folder, Some("(\\Seen)"), None, raw).await;
    if first.is_err() {
        // `[TRYCREATE]`: make the folder, then try once more.
        session
            .create(folder)
            .await
            .map_err(|_| ImapError::NoFolder(folder.to_owned()))?;
        session
            .append(folder, Some("(\\Seen)"), None, raw)
            .await
            .map_err(protocol)?;
    }
    let _ = session.logout().await;
    Ok(())
}

impl Folder {
    /// Connects (to `account.addresses` when given, else to `account.host`), logs in and
    /// selects `folder` (read-only use: messages are fetched with PEEK).
    pub async fn open(account: &Account, folder: &str) -> Result<Folder, ImapError> {
        let mut session = login(account).await?;
        let capabilities = session.capabilities().await.map_err(protocol)?;
        let idle = capabilities.has_str("IDLE");
        let condstore = capabilities.has_str("CONDSTORE");
        let mailbox = if condstore {
            session.select_condstore(folder).await
        } else {
            session.select(folder).await
        }
        .map_err(|_| ImapError::NoFolder(folder.to_owned()))?;
        let uid_validity = mailbox
            .uid_validity
            .ok_or_else(|| protocol("the folder has no UIDVALIDITY"))?;
        Ok(Folder {
            session,
            name: folder.to_owned(),
            uid_validity,
            idle,
            opened_modseq: mailbox.highest_modseq.filter(|_| condstore),
            first: true,
            window: None,
        })
    }

    /// Reads a folder from the start (first connection, or a new `UIDVALIDITY`) only from
    /// mail that arrived on or after `since` (the backfill window); `None`: all of it.
    #[must_use]
    pub fn with_window(mut self, since: Option<chrono::NaiveDate>) -> Folder {
        self.window = since;
        self
    }

    /// The UID after which a read from the start begins: 0 without a window, else just before
    /// the first message that arrived in it (the last UID when none did).
    async fn window_start(&mut self) -> Result<u32, ImapError> {
        let Some(since) = self.window else {
            return Ok(0);
        };
        let inside = self
            .session
            .uid_search(format!("SINCE {}", since.format("%-d-%b-%Y")))
            .await
            .map_err(protocol)?;
        if let Some(first) = inside.iter().min() {
            return Ok(first.saturating_sub(1));
        }
        // Nothing arrived since: start after the newest message (`UID *` matches it).
        let last = self.session.uid_search("UID *").await.map_err(protocol)?;
        Ok(last.into_iter().max().unwrap_or(0))
    }

    /// The folder's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The next at most `batch` messages after `since` (all of the folder without one, or when
    /// its `UIDVALIDITY` changed).
    pub async fn next_batch(
        &mut self,
        since: Option<Checkpoint>,
        batch: usize,
    ) -> Result<Batch, ImapError> {
        // Let the server bring the selected folder's view up to date (mail that arrived since
        // the last command).
        self.session.noop().await.map_err(protocol)?;
        let rescan = since.is_some_and(|c| c.uid_validity != self.uid_validity);
        let first = std::mem::replace(&mut self.first, false);
        // CONDSTORE: a new message raises HIGHESTMODSEQ (RFC 7162), so a folder whose value
        // is the one everything was read up to holds nothing new: no search needed.
        if let Some(c) = since
            && first
            && !rescan
            && c.modseq.is_some()
            && c.modseq == self.opened_modseq
        {
            return Ok(Batch {
                messages: Vec::new(),
                checkpoint: c,
                rescan: false,
                more: false,
            });
        }
        let after = match since {
            Some(c) if !rescan => c.last_uid,
            _ => self.window_start().await?,
        };
        let mut uids: Vec<u32> = self
            .session
            .uid_search(format!("UID {}:*", after.saturating_add(1)))
            .await
            .map_err(protocol)?
            .into_iter()
            // `n:*` always matches the last message, even when its UID is below n.
            .filter(|u| *u > after)
            .collect();
        uids.sort_unstable();
        let more = uids.len() > batch;
        uids.truncate(batch.max(1));
        let mut messages = Vec::with_capacity(uids.len());
        if !uids.is_empty() {
            let set = uids
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let fetched: Vec<_> = self
                .session
                .uid_fetch(set, "(UID BODY.PEEK[])")
                .await
                .map_err(protocol)?
                .try_collect()
                .await
                .map_err(protocol)?;
            for f in fetched {
                if let (Some(uid), Some(body)) = (f.uid, f.body()) {
                    messages.push(Fetched {
                        uid,
                        raw: body.to_vec(),
                    });
                }
            }
            messages.sort_by_key(|m| m.uid);
        }
        let last_uid = messages.last().map_or(after, |m| m.uid);
        Ok(Batch {
            messages,
            checkpoint: Checkpoint {
                uid_validity: self.uid_validity,
                last_uid,
                // Everything up to the value seen when the folder was selected is read once
                // the batch reaches the end (what arrived since has a higher one).
                modseq: if more { None } else { self.opened_modseq },
            },
            rescan,
            more,
        })
    }

    /// Waits until the folder changes (IDLE) or `max` passes; whether something happened (a
    /// server without IDLE is polled: after `min(max, POLL_INTERVAL)`, "look again").
    pub async fn wait_for_change(
        self,
        max: std::time::Duration,
    ) -> Result<(Folder, bool), ImapError> {
        use async_imap::extensions::idle::IdleResponse;
        if !self.idle {
            tokio::time::sleep(max.min(POLL_INTERVAL)).await;
            return Ok((self, true));
        }
        let Folder {
            session,
            name,
            uid_validity,
            idle,
            opened_modseq,
            first,
            window,
        } = self;
        let mut handle = session.idle();
        handle.init().await.map_err(protocol)?;
        let (wait, _stop) = handle.wait_with_timeout(max);
        let changed = matches!(wait.await.map_err(protocol)?, IdleResponse::NewData(_));
        let session = handle.done().await.map_err(protocol)?;
        Ok((
            Folder {
                session,
                name,
                uid_validity,
                idle,
                opened_modseq,
                first,
                window,
            },
            changed,
        ))
    }

    /// Logs out.
    pub async fn close(mut self) {
        let _ = self.session.logout().await;
    }
}
