//! Authentication: passwords (Argon2id, bcrypt accepted for imported accounts), browser
//! sessions, sign-in steps with second factors (TOTP, recovery codes, WebAuthn), OIDC, API
//! tokens, password change and reset, and sign-in throttling.

pub mod account;
pub mod api_tokens;
pub mod mfa;
pub mod oidc;
pub mod password;
pub mod session;
pub mod signin;
pub mod throttle;
pub mod token;
pub mod webauthn;

pub use session::{SessionInfo, SessionView, SignedIn};
pub use signin::SignInStep;
