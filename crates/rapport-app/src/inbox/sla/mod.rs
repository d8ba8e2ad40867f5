//! SLA policies (Zendesk's "SLA policies", Freshdesk's "SLA policies" with business hours):
//! targets per priority, the working hours they count in, and the inboxes they cover. Writing
//! and reading them needs `settings.manage`; writes are audited. A policy applies to
//! conversations opened in a covered inbox from then on, and to a conversation whose priority
//! changes ([`track`]); [`sweep`] records warnings and breaches.

pub mod sweep;
pub mod track;

use crate::audit::{AuditEvent, Who};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::inbox::business_hours::BusinessHours;
use rapport_domain::inbox::sla::{
    DEFAULT_WARN_PERCENT, MAX_NAME_CHARS, PriorityTarget, validate_targets, validate_warn_percent,
};
use rapport_domain::{DomainError, InboxId, Permission, SlaPolicyId, bounded_text};
pub use rapport_store::repo::sla::PolicyRecord;
use rapport_store::repo::{inboxes, sla};
use rapport_store::{ConnectionTrait, OrgScope, StoreError};
use serde_json::json;

const TARGET: &str = "sla_policy";
const CREATED: &str = "sla_policy.created";
const UPDATED: &str = "sla_policy.updated";
const DELETED: &str = "sla_policy.deleted";

/// The most policies an org keeps.
pub const MAX_POLICIES: u64 = 50;

/// A policy as a form or API call writes it (absent fields of a patch stay).
#[derive(Debug, Clone, Default)]
pub struct PolicyInput {
    /// Name.
    pub name: Option<String>,
    /// Working hours (`Some(None)`: around the clock).
    pub business_hours: Option<Option<BusinessHours>>,
    /// Per-priority targets.
    pub targets: Option<Vec<PriorityTarget>>,
    /// Warning threshold in percent (default 80).
    pub warn_percent: Option<u8>,
    /// Covered inboxes (taken from any other policy).
    pub inbox_ids: Option<Vec<InboxId>>,
}

fn details(p: &PolicyRecord) -> serde_json::Value {
    json!({
        "name": p.name, "business_hours": p.business_hours.is_some(),
        "targets": p.targets, "warn_percent": p.warn_percent, "inbox_ids": p.inbox_ids,
    })
}

fn merge(p: &mut PolicyInput, r: &mut PolicyRecord) -> AppResult<()> {
    if let Some(name) = p.name.take() {
        r.name = bounded_text("name", &name, MAX_NAME_CHARS)?;
    }
    if let Some(hours) = p.business_hours.take() {
        if let Some(h) = &hours {
            h.compile()?;
        }
        r.business_hours = hours;
    }
    if let Some(targets) = p.targets.take() {
        r.targets = validate_targets(targets)?;
    }
    if let Some(w) = p.warn_percent {
        r.warn_percent = validate_warn_percent(w)?;
    }
    if let Some(mut ids) = p.inbox_ids.take() {
        ids.sort();
        ids.dedup();
        r.inbox_ids = ids;
    }
    Ok(())
}

async fn check_inboxes(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    ids: &[InboxId],
) -> AppResult<()> {
    for id in ids {
        match inboxes::get(db, scope, *id).await {
            Err(StoreError::NotFound) => {
                return Err(DomainError::Invalid {
                    field: "inbox_ids",
                    reason: "no such inbox in this organization",
                }
                .into());
            }
            other => {
                other?;
            }
        }
    }
    Ok(())
}

impl App {
    /// The org's SLA policies by name (needs `settings.manage`).
    pub async fn sla_policies(&self, actor: &Actor) -> AppResult<Vec<PolicyRecord>> {
        actor.require(Permission::SettingsManage)?;
        Ok(sla::list(self.db().conn(), actor.scope(), MAX_POLICIES).await?)
    }

    /// One policy (needs `settings.manage`).
    pub async fn sla_policy(&self, actor: &Actor, id: SlaPolicyId) -> AppResult<PolicyRecord> {
        actor.require(Permission::SettingsManage)?;
        Ok(sla::get(self.db().conn(), actor.scope(), id).await?)
    }

    /// Creates a policy (needs `settings.manage`).
    pub async fn create_sla_policy(
        &self,
        actor: &Actor,
        mut input: PolicyInput,
    ) -> AppResult<PolicyRecord> {
        actor.require(Permission::SettingsManage)?;
        if input.name.is_none() {
            return Err(DomainError::Empty { field: "name" }.into());
        }
        if input.targets.is_none() {
            return Err(DomainError::Empty { field: "targets" }.into());
        }
        let now = self.clock().now();
        let mut r = PolicyRecord {
            id: SlaPolicyId::new(),
            name: String::new(),
            business_hours: None,
            targets: Vec::new(),
            warn_percent: DEFAULT_WARN_PERCENT,
            inbox_ids: Vec::new(),
            created_at: now,
            updated_at: now,
        };
        merge(&mut input, &mut r)?;
        let scope = actor.scope();
        let txn = self.db().begin().await?;
        if sla::count(&txn, scope).await? >= MAX_POLICIES {
            return Err(AppError::Conflict(format!(
                "an organization keeps at most {MAX_POLICIES} SLA policies"
            )));
        }
        check_inboxes(&txn, scope, &r.inbox_ids).await?;
        sla::insert(&txn, scope, &r).await?;
        let event = AuditEvent::new(CREATED, TARGET, r.id).with(details(&r));
        self.audit(&txn, scope, &Who::from(actor), event).await?;
        txn.commit().await?;
        Ok(r)
    }

    /// Changes a policy (needs `settings.manage`). Conversations already under it keep their
    /// deadlines until their priority changes.
    pub async fn update_sla_policy(
        &self,
        actor: &Actor,
        id: SlaPolicyId,
        mut input: PolicyInput,
    ) -> AppResult<PolicyRecord> {
        actor.require(Permission::SettingsManage)?;
        let scope = actor.scope();
        let txn = self.db().begin().await?;
        let mut r = sla::get(&txn, scope, id).await?;
        merge(&mut input, &mut r)?;
        check_inboxes(&txn, scope, &r.inbox_ids).await?;
        r.updated_at = self.clock().now();
        sla::update(&txn, scope, &r).await?;
        let event = AuditEvent::new(UPDATED, TARGET, r.id).with(details(&r));
        self.audit(&txn, scope, &Who::from(actor), event).await?;
        txn.commit().await?;
        Ok(r)
    }

    /// Deletes a policy; its conversations lose their deadlines (needs `settings.manage`).
    pub async fn delete_sla_policy(&self, actor: &Actor, id: SlaPolicyId) -> AppResult<()> {
        actor.require(Permission::SettingsManage)?;
        let scope = actor.scope();
        let txn = self.db().begin().await?;
        let r = sla::get(&txn, scope, id).await?;
        sla::delete(&txn, scope, id).await?;
        let event = AuditEvent::new(DELETED, TARGET, id).with(json!({ "name": r.name }));
        self.audit(&txn, scope, &Who::from(actor), event).await?;
        txn.commit().await?;
        Ok(())
    }
}
