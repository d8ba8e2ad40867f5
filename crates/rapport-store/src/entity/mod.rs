//! SeaORM entities, one file per table. They are storage shapes; repositories turn them into
//! domain values.

pub mod activity;
pub mod api_token;
pub mod audit_entry;
pub mod audit_head;
pub mod data_key;
pub mod invitation;
pub mod job;
pub mod login_challenge;
pub mod login_throttle;
pub mod membership;
pub mod oidc_identity;
pub mod org;
pub mod outbox_event;
pub mod password_reset;
pub mod recovery_code;
pub mod role;
pub mod schedule;
pub mod session;
pub mod team;
pub mod team_member;
pub mod user;
pub mod webauthn_credential;
