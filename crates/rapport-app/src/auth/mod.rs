//! Authentication: password hashing and browser sessions. (MFA, OIDC, API tokens and
//! throttling build on this in the identity work.)

pub mod password;
pub mod session;
pub mod token;

pub use session::{SessionInfo, SignedIn};
