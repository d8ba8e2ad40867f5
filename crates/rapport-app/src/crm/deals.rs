//! Deals: create, read, change and delete. Every reference (pipeline, stage, owner, company,
//! contacts) is checked against the actor's org before anything is written, custom fields
//! against the org's definitions for deals; a refused input changes nothing.

use super::deal_fields::{DealDraft, Validated};
use crate::authz::Actor;
use crate::context::App;
use crate::error::AppResult;
use rapport_domain::{DealId, EventKind, Permission, UserId};
use rapport_store::outbox;
use rapport_store::repo::activities;
use rapport_store::repo::deals::{self, DealRecord, HistoryRecord};
use rapport_store::repo::deals_board::{self, Linked};
use rapport_store::repo::pipelines::{self, PipelineRecord};

pub use super::deal_fields::DealPatch;

/// A deal with what its pages show next to it.
#[derive(Debug, Clone)]
pub struct DealDetail {
    /// The deal.
    pub deal: DealRecord,
    /// Its pipeline (with all stages, for the progress bar).
    pub pipeline: PipelineRecord,
    /// (id, name) of its contacts.
    pub contacts: Vec<(uuid::Uuid, String)>,
    /// Its company's name.
    pub company_name: Option<String>,
    /// Stage history, oldest first.
    pub history: Vec<HistoryRecord>,
}

impl App {
    /// Creates a deal (`deals.write`). Without a pipeline it goes to the first one; without a
    /// stage, to the pipeline's first stage; without a currency, the pipeline's.
    pub async fn create_deal(&self, actor: &Actor, input: &DealPatch) -> AppResult<DealDetail> {
        actor.require(Permission::DealsWrite)?;
        self.ensure_pipeline(actor).await?;
        let scope = actor.scope();
        let now = self.clock().now();
        let Validated { deal: d, contacts } =
            self.validate_deal(actor, DealDraft::New, input).await?;
        let txn = self.db().begin().await?;
        let mut deal = d;
        // Written first (SQLite's write lock before any read), then placed last in its column.
        deals::insert(&txn, scope, &deal).await?;
        deal.position = deals::positions(&txn, scope, deal.stage_id)
            .await?
            .iter()
            .filter(|(id, _)| *id != deal.id.as_uuid())
            .map(|(_, p)| *p)
            .fold(0.0, f64::max)
            + 1.0;
        deals::update(&txn, scope, &deal).await?;
        deals::set_contacts(&txn, scope, deal.id, &contacts).await?;
        deals::add_history(
            &txn,
            scope,
            deal.id,
            &HistoryRecord {
                from_stage: None,
                to_stage: deal.stage_id,
                moved_by: Some(actor.user_id),
                moved_at: now,
            },
        )
        .await?;
        let data = serde_json::json!({
            "deal_id": deal.id, "title": deal.title, "stage_id": deal.stage_id,
            "amount_minor": deal.amount_minor, "currency": deal.currency,
        });
        self.deal_activity(&txn, actor, &deal, "deal.created", data.clone(), now)
            .await?;
        outbox::record(&txn, scope, EventKind::DealCreated, data, now).await?;
        txn.commit().await?;
        self.deal(actor, deal.id).await
    }

    /// A deal with its contacts, company name, pipeline and history (`deals.read`).
    pub async fn deal(&self, actor: &Actor, id: DealId) -> AppResult<DealDetail> {
        actor.require(Permission::DealsRead)?;
        let db = self.db().conn();
        let scope = actor.scope();
        let deal = deals::get(db, scope, id).await?;
        let pipeline = pipelines::get(db, scope, deal.pipeline_id).await?;
        let contact_ids = deals::contacts(db, scope, id).await?;
        let mut contacts =
            deals_board::names_in_org(db, scope, Linked::Contacts, &contact_ids).await?;
        contacts.sort_by_key(|a| a.1.to_lowercase());
        let company_name = match deal.company_id {
            Some(c) => deals_board::names_in_org(db, scope, Linked::Companies, &[c])
                .await?
                .pop()
                .map(|(_, n)| n),
            None => None,
        };
        let history = deals::history(db, scope, id).await?;
        Ok(DealDetail {
            deal,
            pipeline,
            contacts,
            company_name,
            history,
        })
    }

    /// Changes a deal's fields (`deals.write`); each changed field is a `field.changed`
    /// entry on its timeline. Stage changes go through [`App::move_deal`].
    pub async fn update_deal(
        &self,
        actor: &Actor,
        id: DealId,
        patch: &DealPatch,
    ) -> AppResult<DealDetail> {
        actor.require(Permission::DealsWrite)?;
        let scope = actor.scope();
        let now = self.clock().now();
        let before = deals::get(self.db().conn(), scope, id).await?;
        let old_contacts = deals::contacts(self.db().conn(), scope, id).await?;
        let Validated { deal, contacts } = self
            .validate_deal(actor, DealDraft::Existing(&before, &old_contacts), patch)
            .await?;
        let txn = self.db().begin().await?;
        // Lock first (see deals::lock), then write what changed.
        let current = deals::lock(&txn, scope, id, now).await?;
        let mut deal = deal;
        deal.stage_id = current.stage_id;
        deal.pipeline_id = current.pipeline_id;
        deal.status = current.status;
        deal.closed_at = current.closed_at;
        deal.lost_reason = current.lost_reason.clone();
        deal.position = current.position;
        deal.updated_at = now;
        deals::update(&txn, scope, &deal).await?;
        let mut contacts_sorted = contacts.clone();
        contacts_sorted.sort();
        let mut old_sorted = old_contacts.clone();
        old_sorted.sort();
        if contacts_sorted != old_sorted {
            deals::set_contacts(&txn, scope, id, &contacts).await?;
        }
        let changes = changed_fields(&current, &deal, &old_sorted, &contacts_sorted);
        if !changes.is_empty() {
            let entries: Vec<activities::NewActivity> = changes
                .iter()
                .map(|(field, from, to)| activities::NewActivity {
                    record: (rapport_domain::crm::RecordType::Deal, id.as_uuid()),
                    kind: "field.changed",
                    actor: Some(actor.user_id),
                    subject: None,
                    data: serde_json::json!({ "field": field, "from": from, "to": to }),
                    at: now,
                })
                .collect();
            activities::append(&txn, scope, &entries).await?;
            let fields: Vec<&str> = changes.iter().map(|c| c.0).collect();
            outbox::record(
                &txn,
                scope,
                EventKind::DealUpdated,
                serde_json::json!({ "deal_id": id, "fields": fields }),
                now,
            )
            .await?;
        }
        txn.commit().await?;
        self.deal(actor, id).await
    }

    /// Deletes a deal with its history and timeline (`deals.write`).
    pub async fn delete_deal(&self, actor: &Actor, id: DealId) -> AppResult<()> {
        actor.require(Permission::DealsWrite)?;
        let scope = actor.scope();
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let deal = deals::lock(&txn, scope, id, now).await?;
        activities::delete_for_subject(&txn, scope, id.as_uuid()).await?;
        activities::delete_for_record(
            &txn,
            scope,
            (rapport_domain::crm::RecordType::Deal, id.as_uuid()),
        )
        .await?;
        super::notes::delete_record_work(
            &txn,
            scope,
            (rapport_domain::crm::RecordType::Deal, id.as_uuid()),
        )
        .await?;
        deals::delete(&txn, scope, id).await?;
        outbox::record(
            &txn,
            scope,
            EventKind::DealDeleted,
            serde_json::json!({ "deal_id": id, "title": deal.title }),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Whether `user` is a member of the actor's org (deal owners must be).
    pub(crate) async fn is_member(&self, actor: &Actor, user: UserId) -> AppResult<bool> {
        let members =
            rapport_store::repo::memberships::list(self.db().conn(), actor.scope()).await?;
        Ok(members.iter().any(|m| m.user.id == user))
    }
}

/// The fields that differ, as (name, old, new) JSON values for the timeline.
fn changed_fields(
    a: &DealRecord,
    b: &DealRecord,
    old_contacts: &[uuid::Uuid],
    new_contacts: &[uuid::Uuid],
) -> Vec<(&'static str, serde_json::Value, serde_json::Value)> {
    use serde_json::json;
    let mut out = Vec::new();
    let mut diff = |name: &'static str, x: serde_json::Value, y: serde_json::Value| {
        if x != y {
            out.push((name, x, y));
        }
    };
    diff("title", json!(a.title), json!(b.title));
    diff("amount_minor", json!(a.amount_minor), json!(b.amount_minor));
    diff("currency", json!(a.currency), json!(b.currency));
    diff(
        "expected_close_on",
        json!(a.expected_close_on),
        json!(b.expected_close_on),
    );
    diff("owner_id", json!(a.owner_id), json!(b.owner_id));
    diff("company_id", json!(a.company_id), json!(b.company_id));
    diff("contacts", json!(old_contacts), json!(new_contacts));
    diff("custom", a.custom.clone(), b.custom.clone());
    out
}
