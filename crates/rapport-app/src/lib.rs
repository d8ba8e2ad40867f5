//! Rapport's application layer: every use case, and the only place that combines the store,
//! the job queue and the vault (and later the integrations).
//!
//! It owns authorization: an [`authz::Actor`] is resolved from a session, and only this crate
//! turns an actor into the `OrgScope` that tenant repositories require. It knows nothing about
//! HTTP shapes; `rapport-web` maps its results and errors to responses.

pub mod audit;
pub mod auth;
pub mod authz;
pub mod blobs;
pub mod context;
pub mod crm;
pub mod csv;
pub mod demo;
mod demo_automation;
pub mod demo_crm;
mod demo_inbox;
pub mod error;
pub mod events;
pub mod identity;
pub mod inbox;
pub mod lists;
pub mod lists_export;
pub mod mail;
pub mod oauth_connections;
pub mod privacy;
pub mod realtime;
pub mod records;
pub mod runtime;
pub mod segments;
pub mod setup;
pub mod system;
pub mod vault;
pub mod webhooks;
pub mod writer_lane;

pub use authz::Actor;
pub use context::{App, AppConfig};
pub use error::{AppError, AppResult, FieldIssue};
pub use rapport_store::{DatabaseTarget, Db, OpenError, TargetError};
