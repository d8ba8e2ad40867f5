//! `GET /deals`: the kanban board of one pipeline, with filters (owner, status, title search),
//! per-stage counts, totals and probability-weighted totals. Cards move by drag and drop, by
//! keyboard (static/deals.js), or without script through each card's "Move to" form.

use super::money::{format, format_totals};
use super::{fmt_date, member_names};
use crate::state::WebState;
use crate::ui::admin::Choice;
use crate::ui::page::{PageCtx, UiSession, app_page};
use crate::ui::pages;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_app::crm::board::Totals;
use rapport_app::records::BoardFilter;
use rapport_domain::crm::{DealStatus, StageKind};
use rapport_domain::{Permission, PipelineId, UserId};
use serde::Deserialize;

/// Board query: `pipeline`, `owner` (`me`, `anyone` or a member id), `status`, `q`.
#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    #[serde(default)]
    pipeline: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    q: String,
}

/// One card.
pub struct Card {
    id: String,
    title: String,
    company: String,
    amount: String,
    amount_minor: String,
    currency: String,
    owner_name: String,
    owner_initials: String,
    close: String,
    overdue: bool,
    status: &'static str,
}

/// One column.
pub struct Column {
    id: String,
    name: String,
    probability: i32,
    kind: &'static str,
    total: String,
    weighted: String,
    cards: Vec<Card>,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "deals_board.html")]
pub struct BoardPage {
    page: PageCtx,
    pipelines: Vec<Choice>,
    pipeline_id: String,
    pipeline_name: String,
    columns: Vec<Column>,
    /// Every stage (for the "Move to" selects).
    stages: Vec<Choice>,
    owners: Vec<Choice>,
    owner: String,
    status: String,
    q: String,
    can_write: bool,
    can_settings: bool,
    truncated: bool,
    deal_count: usize,
    total: String,
    weighted: String,
    filtered: bool,
}

/// `GET /deals`.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    jar: CookieJar,
    UiSession(info): UiSession,
    Query(query): Query<BoardQuery>,
) -> Response {
    let actor = &info.actor;
    let owner = match query.owner.as_str() {
        "" | "anyone" => None,
        "me" => Some(actor.user_id),
        raw => Some(raw.parse::<UserId>().unwrap_or_default()),
    };
    let filter = BoardFilter {
        owner,
        status: DealStatus::parse(&query.status),
        search: Some(query.q.trim().chars().take(100).collect::<String>())
            .filter(|q| !q.is_empty()),
    };
    let pipeline = query.pipeline.parse::<PipelineId>().ok();
    let loaded = async {
        let board = state.app.deal_board(actor, pipeline, &filter).await?;
        let members = member_names(&state, actor).await?;
        let (jar, page) = app_page(&state, &info, "deals", jar).await?;
        Ok::<_, AppError>((jar, page, board, members))
    }
    .await;
    let (jar, page, board, members) = match loaded {
        Ok(parts) => parts,
        Err(err) => return pages::from_app_error(&state, &headers, err),
    };
    let tr = &page.tr;
    let today = state.app.clock().now().date_naive();
    let default_currency = board.pipeline.currency.clone();
    let mut all_total = Totals::new();
    let mut all_weighted = Totals::new();
    let mut deal_count = 0;
    let columns: Vec<Column> = board
        .columns
        .into_iter()
        .map(|c| {
            for (cur, m) in &c.total {
                *all_total.entry(cur.clone()).or_insert(0) += m;
            }
            for (cur, m) in &c.weighted {
                *all_weighted.entry(cur.clone()).or_insert(0) += m;
            }
            deal_count += c.deals.len();
            Column {
                id: c.stage.id.to_string(),
                name: c.stage.name.clone(),
                probability: c.stage.probability,
                kind: c.stage.kind.as_str(),
                total: format_totals(tr, &c.total, &default_currency),
                weighted: format_totals(tr, &c.weighted, &default_currency),
                cards: c
                    .deals
                    .into_iter()
                    .map(|d| {
                        let (owner_name, owner_initials) = d
                            .owner_id
                            .and_then(|o| members.get(&o).cloned())
                            .unwrap_or_default();
                        Card {
                            id: d.id.to_string(),
                            company: d
                                .company_id
                                .and_then(|c| board.companies.get(&c).cloned())
                                .unwrap_or_default(),
                            amount: d
                                .amount_minor
                                .map(|m| format(tr, m, &d.currency, true))
                                .unwrap_or_default(),
                            amount_minor: d.amount_minor.map(|m| m.to_string()).unwrap_or_default(),
                            currency: d.currency.clone(),
                            owner_name,
                            owner_initials,
                            close: d
                                .expected_close_on
                                .map(|c| fmt_date(tr, &c))
                                .unwrap_or_default(),
                            overdue: d.status == DealStatus::Open
                                && d.expected_close_on.is_some_and(|c| c < today),
                            status: d.status.as_str(),
                            title: d.title,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let stages = board
        .pipeline
        .stages
        .iter()
        .map(|s| Choice {
            value: s.id.to_string(),
            label: match s.kind {
                StageKind::Open => s.name.clone(),
                _ => format!(
                    "{} ({})",
                    s.name,
                    tr.t(&format!("crm_deals.kind.{}", s.kind))
                ),
            },
        })
        .collect();
    let mut owners: Vec<Choice> = members
        .iter()
        .map(|(id, (name, _))| Choice {
            value: id.to_string(),
            label: name.clone(),
        })
        .collect();
    owners.sort_by_key(|a| a.label.to_lowercase());
    let filtered = filter.owner.is_some() || filter.status.is_some() || filter.search.is_some();
    let body = BoardPage {
        pipelines: board
            .pipelines
            .iter()
            .map(|p| Choice {
                value: p.id.to_string(),
                label: p.name.clone(),
            })
            .collect(),
        pipeline_id: board.pipeline.id.to_string(),
        pipeline_name: board.pipeline.name.clone(),
        total: format_totals(tr, &all_total, &default_currency),
        weighted: format_totals(tr, &all_weighted, &default_currency),
        columns,
        stages,
        owners,
        owner: if query.owner.is_empty() {
            "anyone".into()
        } else {
            query.owner
        },
        status: query.status,
        q: query.q,
        can_write: actor.can(Permission::DealsWrite),
        can_settings: actor.can(Permission::SettingsManage),
        truncated: board.truncated,
        deal_count,
        filtered,
        page,
    };
    (jar, body).into_response()
}
