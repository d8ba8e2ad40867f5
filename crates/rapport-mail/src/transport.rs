//! The connection under an IMAP session: plain TCP, TLS from the first byte (port 993), or
//! STARTTLS (port 143, upgraded before login). The TCP connection goes to addresses the caller
//! vetted, when it gives them, else to the host's. Certificates are checked against the
//! Mozilla roots (webpki-roots) plus any the operator adds for a private mail host, always for
//! the host name (never the address); there is no way to turn checking off. [`Secret`] is what
//! proves the user name: a password, or an OAuth 2.0 access token sent with SASL `XOAUTH2`.

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// The longest wait for one address to accept a connection (a firewall that drops packets
/// would otherwise hold the attempt, and the addresses after it, for minutes).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// A TCP connection to the first of `addresses` that accepts one, or, without addresses, to
/// the first address `host` resolves to that does. The error is the last attempt's.
pub(crate) async fn connect(
    host: &str,
    port: u16,
    addresses: &[SocketAddr],
) -> std::io::Result<TcpStream> {
    let targets = if addresses.is_empty() {
        tokio::net::lookup_host((host, port)).await?.collect()
    } else {
        addresses.to_vec()
    };
    let mut last = std::io::Error::new(std::io::ErrorKind::NotFound, "the host has no address");
    for target in targets {
        match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(target)).await {
            Ok(Ok(tcp)) => return Ok(tcp),
            Ok(Err(e)) => last = e,
            Err(_) => {
                last = std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "{target} did not answer within {} s",
                        CONNECT_TIMEOUT.as_secs()
                    ),
                )
            }
        }
    }
    Err(last)
}

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// No TLS (loopback and trusted networks only).
    Plain,
    /// TLS from the first byte (IMAPS, usually port 993).
    Tls,
    /// Plain, upgraded with STARTTLS before anything else is said (usually port 143).
    StartTls,
}

/// What proves the user name to a mail server.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// A password (IMAP `LOGIN`; SMTP `AUTH PLAIN` or `LOGIN`).
    Password(String),
    /// An OAuth 2.0 access token, sent with SASL `XOAUTH2` as Gmail and Microsoft 365 ask
    /// (<https://developers.google.com/gmail/imap/xoauth2-protocol>).
    OAuth2Token(String),
}

impl Secret {
    /// The password or token.
    pub fn reveal(&self) -> &str {
        match self {
            Self::Password(s) | Self::OAuth2Token(s) => s,
        }
    }

    /// Whether this is an OAuth 2.0 token (a refused token may only have run out).
    pub fn is_token(&self) -> bool {
        matches!(self, Self::OAuth2Token(_))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Password(_) => "Secret::Password(…)",
            Self::OAuth2Token(_) => "Secret::OAuth2Token(…)",
        })
    }
}

/// The SASL `XOAUTH2` initial response for `user` and an access `token` (before base64).
pub fn xoauth2_response(user: &str, token: &str) -> String {
    format!("user={user}\x01auth=Bearer {token}\x01\x01")
}

/// A byte stream an IMAP session runs over.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Stream for T {}

/// The boxed stream sessions hold, whatever the security.
pub type Conn = Box<dyn Stream>;

/// Why TLS could not be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsError {
    /// A trusted certificate the operator gave does not parse.
    #[error("a trusted certificate is not valid PEM: {0}")]
    BadRoot(String),
    /// The host is not a valid TLS server name.
    #[error("{0} is not a valid TLS server name")]
    BadName(String),
    /// The handshake failed (certificate not trusted, wrong name, protocol).
    #[error("TLS error: {0}")]
    Handshake(String),
}

/// The TLS settings for `extra_roots` (PEM) on top of the Mozilla roots.
fn client_config(extra_roots: &[String]) -> Result<Arc<rustls::ClientConfig>, TlsError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for pem in extra_roots {
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let cert = cert.map_err(|e| TlsError::BadRoot(e.to_string()))?;
            roots
                .add(cert)
                .map_err(|e| TlsError::BadRoot(e.to_string()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Handshake(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Wraps `tcp` in TLS for `host`.
pub async fn tls(tcp: TcpStream, host: &str, extra_roots: &[String]) -> Result<Conn, TlsError> {
    let config = client_config(extra_roots)?;
    let name =
        ServerName::try_from(host.to_owned()).map_err(|_| TlsError::BadName(host.to_owned()))?;
    let stream = tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| TlsError::Handshake(e.to_string()))?;
    Ok(Box::new(stream))
}
