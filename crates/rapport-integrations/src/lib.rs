//! Rapport's connections to third-party accounts (DESIGN.md: `rapport-integrations`).
//!
//! - [`oauth`]: OAuth 2.0 with Google and the Microsoft identity platform: the consent URL
//!   (authorization code with PKCE S256 and `state`), the code exchange, token refresh, and
//!   what each provider's mail servers and scopes are. Every call goes through the egress
//!   guard's client; every endpoint is configuration, so tests point them at a local fake.
//!
//! Nothing here stores anything: the app seals the tokens with the vault and keeps them on an
//! OAuth connection (a token is never held in plaintext at rest, DESIGN.md).

pub mod oauth;
