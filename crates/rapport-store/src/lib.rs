//! Rapport's storage layer.
//!
//! It owns the database: connecting (SQLite embedded by default, PostgreSQL for scale, chosen by
//! URL scheme), migrations, SeaORM entities, org-scoped repositories, the transactional outbox
//! and the job-queue tables. Backend-specific SQL (row locking, upserts) lives here and nowhere
//! else. It knows nothing about HTTP.
//!
//! **Invariant:** every repository function over tenant data takes an [`OrgScope`]; only the
//! app layer's authorization builds one (enforced by `clippy::disallowed_methods`).

pub mod connect;
pub mod custom_sql;
pub mod entity;
pub mod error;
pub mod jobs;
pub mod migration;
pub mod notify;
pub mod outbox;
pub mod query;
pub mod repo;
pub mod scope;
pub mod target;
#[cfg(feature = "testing")]
pub mod testing;

pub use connect::{Backend, ConnectError, Db, OpenError};
pub use error::StoreError;
pub use scope::OrgScope;
pub use target::{DatabaseTarget, TargetError};

/// Re-exported so upper layers can run transactions without naming SeaORM versions themselves.
pub use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait};
