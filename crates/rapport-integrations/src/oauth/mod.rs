//! OAuth 2.0 connections to Google and Microsoft accounts.
//!
//! - [`provider`]: who a provider is (endpoints, client credentials; presets with every URL
//!   overridable) and what its mail needs (scopes, IMAP and SMTP servers);
//! - [`flow`]: the consent URL, the code exchange and token refresh ([`Tokens`]);
//! - `http`: the oauth2 crate's HTTP calls carried by the egress guard's client;
//! - `id_token`: the account an ID token names.

mod http;
mod id_token;

pub mod flow;
pub mod provider;

pub use flow::{Consent, Tokens, authorize, exchange_code, new_pkce_verifier, refresh};
pub use provider::{MailServers, OAuthProvider, ProviderKind};

/// Why an OAuth call failed, worded for the admin who connected the account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    /// The grant is gone (`invalid_grant`: the refresh token was revoked or ran out, the code
    /// was used or is wrong): the account must be connected again.
    #[error("{provider} no longer accepts this connection ({reason}); connect the account again")]
    Revoked {
        /// Provider name.
        provider: &'static str,
        /// The provider's words.
        reason: String,
    },
    /// The provider refused the request for another reason (a wrong client id or secret, a
    /// scope not allowed): the operator's configuration needs a look.
    #[error("{provider} refused the request: {reason}")]
    Refused {
        /// Provider name.
        provider: &'static str,
        /// The provider's words.
        reason: String,
    },
    /// The provider could not be reached or answered with a server error: trying later may
    /// work.
    #[error("{provider} could not be reached: {reason}")]
    Unreachable {
        /// Provider name.
        provider: &'static str,
        /// What failed.
        reason: String,
    },
    /// The answer was not what the protocol promises (no refresh token, no account).
    #[error("{provider} answered unexpectedly: {reason}")]
    BadAnswer {
        /// Provider name.
        provider: &'static str,
        /// What was wrong.
        reason: String,
    },
}

impl OAuthError {
    /// Whether trying again later could succeed.
    pub fn is_temporary(&self) -> bool {
        matches!(self, Self::Unreachable { .. })
    }
}
