//! The audit log: who did what to which object, from where. Entries are appended in the same
//! transaction as the change they record, chained per org (each carries the previous entry's
//! hash) and keyed with a MAC whose key lives under the vault's KEK, so neither editing,
//! deleting nor re-hashing rows with database access alone goes unnoticed by
//! [`App::verify_audit`].

mod chain;
mod view;

pub use chain::{AuditProblem, VerifyReport};
pub use view::{AuditPage, AuditQuery};

use crate::authz::{Actor, RequestMeta};
use crate::context::App;
use crate::error::AppResult;
use rapport_domain::{AuditId, UserId};
use rapport_store::repo::audit::{self, AuditRow};
use rapport_store::{ConnectionTrait, OrgScope};

/// Who an entry is attributed to.
#[derive(Debug, Clone)]
pub struct Who {
    /// The user, when known.
    pub user_id: Option<UserId>,
    /// How they are shown (email at the time, or "system").
    pub label: String,
    /// Where from.
    pub meta: RequestMeta,
}

impl Who {
    /// The instance itself (jobs, retention).
    pub fn system() -> Self {
        Self {
            user_id: None,
            label: "system".into(),
            meta: RequestMeta::default(),
        }
    }
}

impl From<&Actor> for Who {
    fn from(a: &Actor) -> Self {
        Self {
            // An automation is nobody: its entries name the rule instead.
            user_id: (!a.is_system()).then_some(a.user_id),
            label: if a.is_system() {
                a.name.clone()
            } else {
                a.email.clone()
            },
            meta: a.meta.clone(),
        }
    }
}

/// One thing to record.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    /// Dotted action (`auth.login`, `role.updated`).
    pub action: &'static str,
    /// The kind of object (`user`, `role`, `token`, `org`…).
    pub target_type: &'static str,
    /// The object's id.
    pub target_id: String,
    /// Further facts (never secrets).
    pub details: serde_json::Value,
}

impl AuditEvent {
    /// An event with no details.
    pub fn new(action: &'static str, target_type: &'static str, target_id: impl ToString) -> Self {
        Self {
            action,
            target_type,
            target_id: target_id.to_string(),
            details: serde_json::Value::Object(Default::default()),
        }
    }

    /// Adds details.
    pub fn with(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

impl App {
    /// Appends an entry to the org's chain inside `txn` (commit it with the change it records).
    pub async fn audit(
        &self,
        txn: &impl ConnectionTrait,
        scope: OrgScope,
        who: &Who,
        event: AuditEvent,
    ) -> AppResult<()> {
        let key = self.vault().mac_key(txn, "audit").await?;
        let (seq, prev_hash) = audit::lock_head(txn, scope).await?;
        let mut row = AuditRow {
            id: AuditId::new(),
            org_id: scope.org_id(),
            seq: seq + 1,
            at: chain::truncate_to_micros(self.clock().now()),
            actor_id: who.user_id,
            actor_label: who.label.chars().take(254).collect(),
            action: event.action.to_owned(),
            target_type: event.target_type.to_owned(),
            target_id: event.target_id.chars().take(64).collect(),
            ip: who.meta.ip.clone(),
            user_agent: who
                .meta
                .user_agent
                .as_ref()
                .map(|ua| ua.chars().take(256).collect()),
            // serde_json's map is ordered, so this text is canonical and hashes reproducibly.
            details: event.details.to_string(),
            prev_hash,
            hash: String::new(),
        };
        row.hash = chain::entry_hash(&key, &row);
        audit::append(txn, scope, row).await?;
        Ok(())
    }
}
