//! The kanban board: one pipeline's deals by stage, filtered, with per-stage counts, totals
//! and probability-weighted totals (per currency: amounts in different currencies are never
//! added together).

use crate::authz::Actor;
use crate::context::App;
use crate::error::AppResult;
use rapport_domain::{Permission, PipelineId, StageId};
use rapport_store::repo::deals::DealRecord;
use rapport_store::repo::deals_board::{self, BoardFilter, Linked};
use rapport_store::repo::pipelines::{PipelineRecord, StageRecord};
use std::collections::BTreeMap;

/// Sums by currency code, in minor units.
pub type Totals = BTreeMap<String, i64>;

/// One column.
#[derive(Debug, Clone)]
pub struct BoardColumn {
    /// The stage.
    pub stage: StageRecord,
    /// Its deals in board order.
    pub deals: Vec<DealRecord>,
    /// Sum of amounts.
    pub total: Totals,
    /// Sum of amounts × probability.
    pub weighted: Totals,
}

/// A board.
#[derive(Debug, Clone)]
pub struct Board {
    /// Every pipeline (for the switcher).
    pub pipelines: Vec<PipelineRecord>,
    /// The one shown.
    pub pipeline: PipelineRecord,
    /// Its columns, in stage order.
    pub columns: Vec<BoardColumn>,
    /// Company names of the deals shown.
    pub companies: BTreeMap<uuid::Uuid, String>,
    /// Whether more deals matched than one board shows.
    pub truncated: bool,
}

/// Adds `minor` (× `percent` / 100 when weighted) to a currency's sum.
fn add(totals: &mut Totals, currency: &str, minor: i64) {
    let sum = totals.entry(currency.to_owned()).or_insert(0);
    *sum = sum.saturating_add(minor);
}

/// Column totals of `deals` in `stage`.
pub fn column(stage: StageRecord, deals: Vec<DealRecord>) -> BoardColumn {
    let mut total = Totals::new();
    let mut weighted = Totals::new();
    for d in &deals {
        if let Some(minor) = d.amount_minor {
            add(&mut total, &d.currency, minor);
            let w = (i128::from(minor) * i128::from(stage.probability) / 100) as i64;
            add(&mut weighted, &d.currency, w);
        }
    }
    BoardColumn {
        stage,
        deals,
        total,
        weighted,
    }
}

impl App {
    /// The board of `pipeline` (the first one when none or an unknown one is asked for).
    pub async fn deal_board(
        &self,
        actor: &Actor,
        pipeline: Option<PipelineId>,
        filter: &BoardFilter,
    ) -> AppResult<Board> {
        let pipelines = self.pipelines(actor).await?;
        let db = self.db().conn();
        let scope = actor.scope();
        let Some(chosen) = pipeline
            .and_then(|id| pipelines.iter().find(|p| p.id == id))
            .or(pipelines.first())
            .cloned()
        else {
            return Err(crate::AppError::NotFound);
        };
        let deals = deals_board::board(db, scope, chosen.id, filter).await?;
        let truncated = deals.len() as u64 >= deals_board::BOARD_LIMIT;
        let company_ids: Vec<uuid::Uuid> = {
            let mut ids: Vec<uuid::Uuid> = deals.iter().filter_map(|d| d.company_id).collect();
            ids.sort();
            ids.dedup();
            ids
        };
        let companies = deals_board::names_in_org(db, scope, Linked::Companies, &company_ids)
            .await?
            .into_iter()
            .collect();
        let mut by_stage: BTreeMap<StageId, Vec<DealRecord>> = BTreeMap::new();
        for d in deals {
            by_stage.entry(d.stage_id).or_default().push(d);
        }
        let columns = chosen
            .stages
            .iter()
            .map(|s| column(s.clone(), by_stage.remove(&s.id).unwrap_or_default()))
            .collect();
        Ok(Board {
            pipelines,
            pipeline: chosen,
            columns,
            companies,
            truncated,
        })
    }

    /// The org's custom fields for deals (for forms and the deal page).
    pub async fn deal_custom_fields(
        &self,
        actor: &Actor,
    ) -> AppResult<Vec<rapport_store::repo::deals_board::DealFieldDef>> {
        actor.require(Permission::DealsRead)?;
        Ok(deals_board::deal_fields(self.db().conn(), actor.scope()).await?)
    }

    /// Contacts or companies to pick from on deal forms, (id, name) by name: the first 500
    /// of the org plus the `selected` ones (which may sort later).
    pub async fn deal_link_choices(
        &self,
        actor: &Actor,
        table: Linked,
        selected: &[uuid::Uuid],
    ) -> AppResult<Vec<(uuid::Uuid, String)>> {
        actor.require(Permission::DealsRead)?;
        let db = self.db().conn();
        let mut names = deals_board::first_by_name(db, actor.scope(), table, 500).await?;
        for pick in deals_board::names_in_org(db, actor.scope(), table, selected).await? {
            if !names.iter().any(|(id, _)| *id == pick.0) {
                names.push(pick);
            }
        }
        names.sort_by_key(|a| a.1.to_lowercase());
        Ok(names)
    }
}

impl App {
    /// The deals of a contact or company for its page; empty for members who may not read
    /// deals (the page shows the record, not its pipeline).
    pub async fn record_deals(
        &self,
        actor: &Actor,
        record: (rapport_domain::crm::RecordType, uuid::Uuid),
    ) -> AppResult<Vec<rapport_store::repo::record_deals::RecordDeal>> {
        if !actor.can(Permission::DealsRead) {
            return Ok(Vec::new());
        }
        Ok(rapport_store::repo::record_deals::for_record(
            self.db().conn(),
            actor.scope(),
            record,
            50,
        )
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_domain::crm::{DealStatus, StageKind};
    use rapport_domain::{DealId, PipelineId};

    fn deal(amount: Option<i64>, currency: &str) -> DealRecord {
        let now = chrono::Utc::now();
        DealRecord {
            id: DealId::new(),
            pipeline_id: PipelineId::new(),
            stage_id: StageId::new(),
            title: "x".into(),
            amount_minor: amount,
            currency: currency.into(),
            expected_close_on: None,
            owner_id: None,
            company_id: None,
            status: DealStatus::Open,
            lost_reason: None,
            closed_at: None,
            position: 1.0,
            custom: serde_json::json!({}),
            created_by: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn totals_are_per_currency_and_weighted() {
        let stage = StageRecord {
            id: StageId::new(),
            pipeline_id: PipelineId::new(),
            name: "Proposal".into(),
            position: 0,
            probability: 25,
            kind: StageKind::Open,
        };
        let c = column(
            stage,
            vec![
                deal(Some(10_000), "EUR"),
                deal(Some(5_001), "EUR"),
                deal(Some(700), "USD"),
                deal(None, "EUR"),
            ],
        );
        assert_eq!(c.total["EUR"], 15_001);
        assert_eq!(c.total["USD"], 700);
        assert_eq!(c.weighted["EUR"], 2_500 + 1_250);
        assert_eq!(c.weighted["USD"], 175);
    }
}
