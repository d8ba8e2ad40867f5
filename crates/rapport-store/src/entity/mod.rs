//! SeaORM entities, one file per table. They are storage shapes; repositories turn them into
//! domain values.

pub mod job;
pub mod membership;
pub mod org;
pub mod outbox_event;
pub mod schedule;
pub mod session;
pub mod user;
