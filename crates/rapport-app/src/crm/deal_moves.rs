//! Moving a deal: to another stage (history, won/lost status, timeline entries on the deal,
//! its company and its contacts, an outbox event) and within a stage (board order).
//!
//! Every move first locks the deal's row (`deals::lock`), so two concurrent moves of one deal
//! run one after the other and the second records the stage the first left it in: the
//! history stays one unbroken chain.

use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use rapport_domain::crm::{DealStatus, RecordType, StageKind};
use rapport_domain::{DealId, DomainError, EventKind, Permission, StageId, bounded_text};
use rapport_store::repo::activities::{self, NewActivity};
use rapport_store::repo::deals::{self, DealRecord, HistoryRecord};
use rapport_store::repo::pipelines::{self, StageRecord};
use rapport_store::{DatabaseTransaction, outbox};

/// Where a moved card goes within its (new) stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Just before this deal.
    Before(DealId),
    /// Just after this deal.
    After(DealId),
}

/// A move as a member asks for it.
#[derive(Debug, Clone)]
pub struct MoveInput {
    /// The stage to move to (any stage of the org's pipelines).
    pub stage: StageId,
    /// Where in the stage; none puts it last (or leaves it where it is in its own stage).
    pub place: Option<Place>,
    /// Why it was lost (only kept when the stage is a lost stage).
    pub lost_reason: Option<String>,
}

/// What one move needs besides the deal.
pub(crate) struct MoveCtx<'a> {
    pub actor: &'a Actor,
    pub now: DateTime<Utc>,
    /// Stages of the pipeline being moved within (names for history and activities).
    pub stages: &'a [StageRecord],
}

/// A position between `lo` and `hi` (either open-ended).
fn between(lo: Option<f64>, hi: Option<f64>) -> f64 {
    match (lo, hi) {
        (Some(l), Some(h)) => l + (h - l) / 2.0,
        (Some(l), None) => l + 1.0,
        (None, Some(h)) => h - 1.0,
        (None, None) => 1.0,
    }
}

impl App {
    /// Moves a deal to a stage and/or a place within it (`deals.write`).
    pub async fn move_deal(
        &self,
        actor: &Actor,
        id: DealId,
        input: &MoveInput,
    ) -> AppResult<DealRecord> {
        actor.require(Permission::DealsWrite)?;
        let lost_reason = match input.lost_reason.as_deref().map(str::trim) {
            Some(r) if !r.is_empty() => Some(bounded_text("lost_reason", r, 500)?),
            _ => None,
        };
        let scope = actor.scope();
        // Another org's deal is a 404 whatever the body says.
        deals::get(self.db().conn(), scope, id).await?;
        let target = pipelines::stage(self.db().conn(), scope, input.stage)
            .await
            .map_err(|e| match e {
                rapport_store::StoreError::NotFound => AppError::from(DomainError::Invalid {
                    field: "stage_id",
                    reason: "choose a stage of one of your pipelines",
                }),
                other => other.into(),
            })?;
        let pipeline = pipelines::get(self.db().conn(), scope, target.pipeline_id).await?;
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        let ctx = MoveCtx {
            actor,
            now,
            stages: &pipeline.stages,
        };
        let moved = self
            .move_in_txn(&txn, &ctx, id, &target, input.place, lost_reason)
            .await?;
        txn.commit().await?;
        Ok(moved)
    }

    /// One move inside the caller's transaction (stage deletion moves many).
    pub(crate) async fn move_in_txn(
        &self,
        txn: &DatabaseTransaction,
        ctx: &MoveCtx<'_>,
        id: DealId,
        target: &StageRecord,
        place: Option<Place>,
        lost_reason: Option<String>,
    ) -> AppResult<DealRecord> {
        let scope = ctx.actor.scope();
        let mut deal = deals::lock(txn, scope, id, ctx.now).await?;
        // The time is read once the row is ours, so history ordered by time is the order in
        // which concurrent moves really happened.
        let now = self.clock().now().max(ctx.now);
        let from = deal.stage_id;
        let changes_stage = from != target.id;

        // Board order: between the neighbours the member dropped it next to.
        let others: Vec<(uuid::Uuid, f64)> = deals::positions(txn, scope, target.id)
            .await?
            .into_iter()
            .filter(|(d, _)| *d != id.as_uuid())
            .collect();
        let find = |field: &'static str, d: DealId| {
            others
                .iter()
                .position(|(o, _)| *o == d.as_uuid())
                .ok_or(DomainError::Invalid {
                    field,
                    reason: "that deal is not in the target stage",
                })
        };
        let position = match place {
            Some(Place::After(a)) => {
                let i = find("after_id", a)?;
                between(Some(others[i].1), others.get(i + 1).map(|o| o.1))
            }
            Some(Place::Before(b)) => {
                let i = find("before_id", b)?;
                between(i.checked_sub(1).map(|j| others[j].1), Some(others[i].1))
            }
            None if !changes_stage => deal.position,
            None => between(others.last().map(|o| o.1), None),
        };
        let crowded = others.iter().any(|(_, p)| *p == position);
        deal.position = position;
        if crowded {
            // Halving ran out of precision: spread the column out again (rare).
            for (i, (other, _)) in others.iter().enumerate() {
                let mut d = deals::get(txn, scope, DealId::from_uuid(*other)).await?;
                d.position = (i as f64 + 1.0) * 2.0;
                deals::update(txn, scope, &d).await?;
            }
            deal.position = match place {
                Some(Place::After(a)) => (find("after_id", a)? as f64 + 1.0) * 2.0 + 1.0,
                Some(Place::Before(b)) => (find("before_id", b)? as f64 + 1.0) * 2.0 - 1.0,
                None => (others.len() as f64 + 1.0) * 2.0,
            };
        }

        if changes_stage {
            let status = target.kind.status();
            let reopened = deal.status != DealStatus::Open && status == DealStatus::Open;
            deal.pipeline_id = target.pipeline_id;
            deal.stage_id = target.id;
            deal.status = status;
            deal.closed_at = (status != DealStatus::Open).then_some(now);
            deal.lost_reason = if target.kind == StageKind::Lost {
                lost_reason
            } else {
                None
            };
            deals::add_history(
                txn,
                scope,
                id,
                &HistoryRecord {
                    from_stage: Some(from),
                    to_stage: target.id,
                    moved_by: Some(ctx.actor.user_id),
                    moved_at: now,
                },
            )
            .await?;
            let from_name = match ctx.stages.iter().find(|s| s.id == from) {
                Some(s) => s.name.clone(),
                None => pipelines::stage(txn, scope, from).await?.name,
            };
            let data = serde_json::json!({
                "deal_id": id, "title": deal.title,
                "from_stage_id": from, "from": from_name,
                "to_stage_id": target.id, "to": target.name,
                "status": status.as_str(), "reopened": reopened,
                "lost_reason": deal.lost_reason,
            });
            self.deal_activity(
                txn,
                ctx.actor,
                &deal,
                "deal.stage_changed",
                data.clone(),
                now,
            )
            .await?;
            outbox::record(txn, scope, EventKind::DealStageChanged, data, now).await?;
        } else if deal.status == DealStatus::Lost && lost_reason.is_some() {
            deal.lost_reason = lost_reason;
        }
        deal.updated_at = now;
        deals::update(txn, scope, &deal).await?;
        Ok(deal)
    }

    /// Appends one entry to the deal's timeline and, about the deal, to its company's and
    /// contacts' timelines.
    pub(crate) async fn deal_activity(
        &self,
        txn: &DatabaseTransaction,
        actor: &Actor,
        deal: &DealRecord,
        kind: &'static str,
        data: serde_json::Value,
        at: DateTime<Utc>,
    ) -> AppResult<()> {
        let scope = actor.scope();
        let mut records = vec![(RecordType::Deal, deal.id.as_uuid())];
        if let Some(c) = deal.company_id {
            records.push((RecordType::Company, c));
        }
        for c in deals::contacts(txn, scope, deal.id).await? {
            records.push((RecordType::Contact, c));
        }
        let entries: Vec<NewActivity> = records
            .into_iter()
            .map(|record| NewActivity {
                subject: (record.0 != RecordType::Deal).then_some(("deal", deal.id.as_uuid())),
                record,
                kind,
                actor: Some(actor.user_id),
                data: data.clone(),
                at,
            })
            .collect();
        activities::append(txn, scope, &entries).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::between;

    #[test]
    fn positions_fall_between_neighbours() {
        assert_eq!(between(None, None), 1.0);
        assert_eq!(between(Some(1.0), Some(2.0)), 1.5);
        assert_eq!(between(Some(3.0), None), 4.0);
        assert_eq!(between(None, Some(1.0)), 0.0);
    }
}
