//! The SMTP session (lettre): one connection per message, no pool (a reply is sent by a job,
//! one at a time per mailbox), and lettre's errors sorted into [`SmtpError`]s.
//!
//! lettre bounds only the TCP connection attempt; the whole session is bounded here, so a
//! server that accepts and then says nothing cannot hold a send job forever. A session cut
//! off after the message's last byte may still have been delivered; a retry then sends it
//! twice, and the same Message-ID lets the customer's client show it once.

use super::{SmtpAccount, SmtpError};
use crate::transport::{CONNECT_TIMEOUT, Secret, Security};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use std::time::Duration;

/// The longest a session may take (connection, TLS, login and every command together), plus
/// time for the message's bytes when sending.
pub const SESSION_TIMEOUT: Duration = Duration::from_secs(30);
/// Bytes per second a slow uplink is still granted on top of [`SESSION_TIMEOUT`], so a large
/// attachment is not cut off.
const MIN_BYTES_PER_SECOND: u64 = 50_000;

/// Sends `raw` (as [`super::build`] made it) from `envelope_from` to `recipients` (To, Cc and
/// Bcc alike: the envelope, not the headers, decides who gets it).
pub async fn send(
    account: &SmtpAccount,
    envelope_from: &str,
    recipients: &[String],
    raw: &[u8],
) -> Result<(), SmtpError> {
    let envelope = envelope(envelope_from, recipients)?;
    let allowance = Duration::from_secs(raw.len() as u64 / MIN_BYTES_PER_SECOND);
    run(account, SESSION_TIMEOUT + allowance, |transport| {
        let envelope = envelope.clone();
        async move {
            transport
                .send_raw(&envelope, raw)
                .await
                .map(|_| ())
                .map_err(Failure::Smtp)
        }
    })
    .await
}

/// Tries the settings without sending: connects, sets up TLS, says EHLO and, when the account
/// has a user name, logs in (so wrong credentials show here, not on the first reply).
pub async fn check(account: &SmtpAccount) -> Result<(), SmtpError> {
    run(account, SESSION_TIMEOUT, |transport| async move {
        match transport.test_connection().await {
            Ok(true) => Ok(()),
            // lettre reports a NOOP without answer as `false`, not as an error.
            Ok(false) => Err(Failure::Silent(
                "the server stopped answering after the session was set up",
            )),
            Err(e) => Err(Failure::Smtp(e)),
        }
    })
    .await
}

/// Why one session attempt failed.
enum Failure {
    /// lettre's error.
    Smtp(lettre::transport::smtp::Error),
    /// A failure lettre does not report as an error (the words say what happened).
    Silent(&'static str),
}

/// Runs `session` against each target in turn (the vetted addresses, else the host) until
/// one is reached: only a target that could not be connected to is skipped, since nothing was
/// said to it; any other failure ends the attempt.
async fn run<F, Fut>(account: &SmtpAccount, limit: Duration, session: F) -> Result<(), SmtpError>
where
    F: Fn(AsyncSmtpTransport<Tokio1Executor>) -> Fut,
    Fut: std::future::Future<Output = Result<(), Failure>>,
{
    let host = bare(&account.host);
    let tls = tls(account, host)?;
    let targets: Vec<(String, u16)> = if account.addresses.is_empty() {
        vec![(host.to_owned(), account.port)]
    } else {
        account
            .addresses
            .iter()
            .map(|a| (a.ip().to_string(), a.port()))
            .collect()
    };
    let mut last = None;
    for (server, port) in targets {
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server)
            .port(port)
            .tls(tls.clone())
            .timeout(Some(CONNECT_TIMEOUT));
        if let Some(user) = &account.username {
            let secret = account.secret.as_ref();
            builder = builder.credentials(Credentials::new(
                user.clone(),
                secret.map(|s| s.reveal().to_owned()).unwrap_or_default(),
            ));
            if secret.is_some_and(Secret::is_token) {
                builder = builder.authentication(vec![Mechanism::Xoauth2]);
            }
        }
        let outcome = match tokio::time::timeout(limit, session(builder.build())).await {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(Failure::Smtp(e))) => classify(account, &e),
            Ok(Err(Failure::Silent(what))) => SmtpError::Temporary(what.into()),
            Err(_) => SmtpError::Temporary(format!(
                "{}:{port} did not finish within {} s",
                account.host,
                limit.as_secs()
            )),
        };
        if !matches!(outcome, SmtpError::Unreachable { .. }) {
            return Err(outcome);
        }
        last = Some(outcome);
    }
    Err(last.unwrap_or_else(|| SmtpError::Unreachable {
        host: account.host.clone(),
        port: account.port,
        reason: "no address to connect to".into(),
    }))
}

/// `host` without the brackets of an IPv6 literal.
fn bare(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// lettre's TLS setting for `account`, verifying the certificate for `host`.
fn tls(account: &SmtpAccount, host: &str) -> Result<Tls, SmtpError> {
    if account.security == Security::Plain {
        return Ok(Tls::None);
    }
    // Checked here because lettre would report a bad name as a connection failure.
    ServerName::try_from(host)
        .map_err(|_| SmtpError::Tls(format!("{host} is not a valid TLS server name")))?;
    let mut params =
        TlsParameters::builder(host.to_owned()).certificate_store(CertificateStore::WebpkiRoots);
    for pem in &account.extra_roots {
        // lettre skips text that is no certificate; an admin who pasted the wrong thing
        // should hear so.
        let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| SmtpError::Tls(format!("a trusted certificate is not valid PEM: {e}")))?;
        if certs.is_empty() {
            return Err(SmtpError::Tls(
                "a trusted certificate is not valid PEM: no certificate found".into(),
            ));
        }
        let root = Certificate::from_pem(pem.as_bytes())
            .map_err(|e| SmtpError::Tls(format!("a trusted certificate is not valid: {e}")))?;
        params = params.add_root_certificate(root);
    }
    let params = params
        .build_rustls()
        .map_err(|e| SmtpError::Tls(innermost(&e)))?;
    Ok(match account.security {
        Security::StartTls => Tls::Required(params),
        _ => Tls::Wrapper(params),
    })
}

/// The envelope, with every address checked and repeated recipients sent once.
fn envelope(from: &str, recipients: &[String]) -> Result<lettre::address::Envelope, SmtpError> {
    let parse = |raw: &str| {
        raw.trim()
            .parse::<lettre::Address>()
            .map_err(|_| SmtpError::Build(format!("{raw:?} is not a valid email address")))
    };
    let from = parse(from)?;
    let mut to: Vec<lettre::Address> = Vec::with_capacity(recipients.len());
    for raw in recipients {
        let address = parse(raw)?;
        let text: &str = address.as_ref();
        if !to.iter().any(|a| {
            let known: &str = a.as_ref();
            known.eq_ignore_ascii_case(text)
        }) {
            to.push(address);
        }
    }
    lettre::address::Envelope::new(Some(from), to)
        .map_err(|_| SmtpError::Build("the message has no recipient".into()))
}

/// Sorts a lettre error into what the admin can act on.
fn classify(account: &SmtpAccount, e: &lettre::transport::smtp::Error) -> SmtpError {
    let detail = std::error::Error::source(e)
        .map(ToString::to_string)
        .unwrap_or_default();
    if let Some(code) = e.status() {
        let code = u16::from(code);
        let answer = format!("{code} {detail}").trim().to_owned();
        return match code {
            // 535: credentials invalid (RFC 4954).
            535 => SmtpError::AuthenticationFailed,
            _ if e.is_permanent() => SmtpError::Rejected(answer),
            _ => SmtpError::Temporary(answer),
        };
    }
    if let Some(tls) = rustls_error(e) {
        return SmtpError::Tls(tls.to_string());
    }
    if e.is_tls() {
        return SmtpError::Tls(innermost(e));
    }
    if e.is_client() {
        // lettre's own refusals, worded for the admin; anything else is internal, and may
        // pass.
        return if detail.contains("does not expect a challenge") {
            // XOAUTH2: the server answered the token with an error challenge (RFC 7628 style
            // JSON) instead of accepting it: the token was refused.
            SmtpError::AuthenticationFailed
        } else if detail.contains("authentication mechanism") {
            SmtpError::Unsupported(if account.secret.as_ref().is_some_and(Secret::is_token) {
                "logging in with an OAuth token (XOAUTH2) on this connection".into()
            } else {
                "logging in with a password (PLAIN or LOGIN) on this connection; many servers \
                 offer it only with TLS or STARTTLS"
                    .into()
            })
        } else if detail.contains("STARTTLS") {
            SmtpError::Tls(
                "the server does not offer STARTTLS (choose TLS, usually on port 465)".into(),
            )
        } else if detail.contains("SMTPUTF8") {
            SmtpError::Unsupported("international (non-ASCII) email addresses".into())
        } else if detail.contains("8BITMIME") {
            SmtpError::Unsupported("8-bit message content".into())
        } else {
            SmtpError::Temporary(detail)
        };
    }
    if e.is_response() {
        // lettre reads the end of the stream as an incomplete answer.
        return if detail.contains("incomplete") {
            SmtpError::Temporary(format!(
                "{}:{} closed the connection",
                account.host, account.port
            ))
        } else {
            SmtpError::Unsupported(format!(
                "SMTP on port {} (its answer is not SMTP: {}); is this the right port?",
                account.port,
                detail.chars().take(200).collect::<String>()
            ))
        };
    }
    // lettre has no predicate for its connection kind (the TCP connection and the TLS
    // handshake, which was caught above); its message names it.
    if e.to_string().starts_with("Connection error") {
        return SmtpError::Unreachable {
            host: account.host.clone(),
            port: account.port,
            reason: innermost(e),
        };
    }
    SmtpError::Temporary(format!(
        "the connection to {}:{} failed: {}",
        account.host,
        account.port,
        innermost(e)
    ))
}

/// The rustls error under a TLS failure (tokio-rustls wraps it in an I/O error, whose
/// `source` skips it, so the chain is searched through `get_ref`).
fn rustls_error<'e>(e: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && let Some(tls) = inner.downcast_ref::<rustls::Error>()
        {
            return Some(tls);
        }
        next = err.source();
    }
    None
}

/// The most specific message in an error chain ("Connection refused", not "Connection
/// error").
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}
