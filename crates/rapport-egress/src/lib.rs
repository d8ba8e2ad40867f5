//! Rapport's one door to the outside world (DESIGN.md invariant 5).
//!
//! Every outbound call that goes to an address a user typed (automation webhooks and mail
//! servers now; channel webhooks and integrations later) goes through this crate, HTTP through
//! [`EgressClient`] and IMAP or SMTP through [`socket_addrs`], so that a typed address can
//! never make the server reach into the network it runs in (SSRF):
//!
//! - [`policy`] classifies addresses: loopback, private, link-local, CGNAT, multicast,
//!   documentation and other non-public ranges are refused unless the operator allows them
//!   (tests do, to reach receivers on 127.0.0.1), and names a URL may use;
//! - [`client`] resolves names itself and connects only to the addresses it vetted (the
//!   connection is pinned to them: a name that resolves to a public address for the check and
//!   to 127.0.0.1 for the connection cannot slip through), follows no redirects, ignores proxy
//!   variables, bounds the time and reads at most a few KiB of any answer;
//! - [`resolve`] does the same for connections that are not HTTP (IMAP, SMTP): it checks a
//!   typed host and returns only the permitted addresses, for the caller to connect to exactly
//!   those.

pub mod client;
pub mod policy;
pub mod resolve;

pub use client::{Answer, EgressClient};
pub use policy::{EgressPolicy, Target};
pub use resolve::socket_addrs;

/// Why an outbound call was refused or failed. The messages are written for the person who
/// configured the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EgressError {
    /// Not a URL.
    #[error("not a valid web address")]
    Url,
    /// A host (for IMAP, SMTP) that is empty, too long or no host name at all.
    #[error(
        "not a valid host name: give a name such as mail.example.com or an IP address, without a port or spaces"
    )]
    Host,
    /// Neither http nor https.
    #[error("only http:// and https:// addresses can be called")]
    Scheme,
    /// A user name or password in the URL (it would be sent in clear to anyone who reads logs).
    #[error("the address must not carry a user name or password")]
    Credentials,
    /// The target is not on the public internet and the operator did not allow it.
    #[error(
        "{host} is a private, loopback or link-local address, which this server does not call (an operator can allow it with egress_allow_private or egress_allowed_hosts)"
    )]
    Private {
        /// The host as written.
        host: String,
    },
    /// The name does not resolve.
    #[error("{host} could not be resolved")]
    Resolve {
        /// The host.
        host: String,
    },
    /// No connection could be made.
    #[error("cannot reach {host}: {reason}")]
    Connect {
        /// The host.
        host: String,
        /// What failed.
        reason: String,
    },
    /// No answer in time.
    #[error("{host} did not answer within {seconds} s")]
    Timeout {
        /// The host.
        host: String,
        /// The limit.
        seconds: u64,
    },
    /// Anything else on the way (TLS, a broken answer).
    #[error("the call to {host} failed: {reason}")]
    Failed {
        /// The host.
        host: String,
        /// What failed.
        reason: String,
    },
}

impl EgressError {
    /// Whether trying again later could succeed (a network problem, not a refused address).
    pub fn is_temporary(&self) -> bool {
        matches!(
            self,
            Self::Resolve { .. }
                | Self::Connect { .. }
                | Self::Timeout { .. }
                | Self::Failed { .. }
        )
    }
}
