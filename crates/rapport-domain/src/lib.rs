//! Rapport's domain layer: the vocabulary every other crate speaks.
//!
//! It owns identifiers (UUIDv7 newtypes), value types that validate on construction
//! (`Email::parse`, `OrgName::parse`), the role model, domain events and the clock. It performs
//! no IO: storage, HTTP and jobs live in the crates above it.

pub mod clock;
pub mod email;
pub mod error;
pub mod event;
pub mod id;
pub mod org;
pub mod person;
pub mod role;

pub use clock::{Clock, ManualClock, SystemClock};
pub use email::Email;
pub use error::DomainError;
pub use event::{DomainEvent, EventKind};
pub use id::{EventId, JobId, OrgId, SessionId, UserId};
pub use org::{OrgName, OrgSlug};
pub use person::{DisplayName, Password, TimeZoneName};
pub use role::Role;
