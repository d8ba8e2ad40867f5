//! Validating a deal's fields: one function for create and edit, for API JSON and form text,
//! so both paths refuse the same things with the same field names.

use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult, FieldErrors};
use chrono::NaiveDate;
use rapport_domain::crm::custom_field::FieldRules;
use rapport_domain::crm::{Currency, DealStatus, FieldType, Money};
use rapport_domain::{DealId, DomainError, PipelineId, StageId, UserId, bounded_text};
use rapport_store::repo::deals::DealRecord;
use rapport_store::repo::deals_board::{self, Linked};
use rapport_store::repo::pipelines;
use serde_json::{Map, Value};

/// Most contacts on one deal.
pub const MAX_CONTACTS: usize = 50;
/// Largest amount in minor units (10^15, as `Money` allows).
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000_000;

/// Fields of a deal to set. On create, absent fields take defaults; on edit, absent fields
/// stay as they are and `Some(None)` clears a field.
#[derive(Debug, Clone, Default)]
pub struct DealPatch {
    /// Title (required on create).
    pub title: Option<String>,
    /// Pipeline (create only).
    pub pipeline_id: Option<PipelineId>,
    /// First stage (create only; must belong to the pipeline).
    pub stage_id: Option<StageId>,
    /// Amount in minor units (API).
    pub amount_minor: Option<Option<i64>>,
    /// Amount as decimal text (forms), read in the deal's currency.
    pub amount: Option<Option<String>>,
    /// ISO 4217 currency.
    pub currency: Option<String>,
    /// Expected close date, `YYYY-MM-DD`.
    pub expected_close_on: Option<Option<String>>,
    /// Owner (an org member; on create, absent means the actor).
    pub owner_id: Option<Option<UserId>>,
    /// Company.
    pub company_id: Option<Option<uuid::Uuid>>,
    /// Contacts (replaces the list).
    pub contact_ids: Option<Vec<uuid::Uuid>>,
    /// Custom field values by key; `null` (or empty text) clears one.
    pub custom: Option<Map<String, Value>>,
    /// Whether `custom` values are form text (else typed JSON).
    pub custom_is_text: bool,
}

/// What is being validated.
pub(crate) enum DealDraft<'a> {
    /// A new deal.
    New,
    /// An existing deal and its contact ids.
    Existing(&'a DealRecord, &'a [uuid::Uuid]),
}

/// A deal ready to write.
pub(crate) struct Validated {
    pub deal: DealRecord,
    pub contacts: Vec<uuid::Uuid>,
}

fn invalid(field: &'static str, reason: &'static str) -> DomainError {
    DomainError::Invalid { field, reason }
}

/// Checks an edit's patch shape (no pipeline/stage: those move through `/move`).
pub fn validate_patch(patch: &DealPatch) -> AppResult<()> {
    if patch.pipeline_id.is_some() || patch.stage_id.is_some() {
        return Err(invalid(
            "stage_id",
            "move a deal to another stage with its move action",
        )
        .into());
    }
    Ok(())
}

impl App {
    /// Validates `patch` against `draft` and the actor's org; nothing is written.
    pub(crate) async fn validate_deal(
        &self,
        actor: &Actor,
        draft: DealDraft<'_>,
        patch: &DealPatch,
    ) -> AppResult<Validated> {
        let db = self.db().conn();
        let scope = actor.scope();
        let now = self.clock().now();
        let mut errors = FieldErrors::default();

        let mut deal = match draft {
            DealDraft::Existing(d, _) => {
                validate_patch(patch)?;
                d.clone()
            }
            DealDraft::New => {
                let all = pipelines::list(db, scope).await?;
                let stage = match patch.stage_id {
                    Some(s) => all
                        .iter()
                        .flat_map(|p| p.stages.iter())
                        .find(|st| st.id == s)
                        .cloned(),
                    None => None,
                };
                let pipeline = match (patch.pipeline_id, &stage) {
                    (Some(p), _) => all.iter().find(|x| x.id == p),
                    (None, Some(st)) => all.iter().find(|x| x.id == st.pipeline_id),
                    (None, None) => all.first(),
                };
                let Some(pipeline) = pipeline else {
                    return Err(invalid("pipeline_id", "choose one of your pipelines").into());
                };
                let stage = match (patch.stage_id, stage) {
                    (Some(_), Some(st)) if st.pipeline_id == pipeline.id => st,
                    (Some(_), _) => {
                        return Err(
                            invalid("stage_id", "choose a stage of the deal's pipeline").into()
                        );
                    }
                    (None, _) => match pipeline.stages.first() {
                        Some(st) => st.clone(),
                        None => {
                            return Err(invalid("stage_id", "the pipeline has no stages").into());
                        }
                    },
                };
                let status = stage.kind.status();
                DealRecord {
                    id: DealId::new(),
                    pipeline_id: pipeline.id,
                    stage_id: stage.id,
                    title: String::new(),
                    amount_minor: None,
                    currency: pipeline.currency.clone(),
                    expected_close_on: None,
                    owner_id: Some(actor.user_id),
                    company_id: None,
                    status,
                    lost_reason: None,
                    closed_at: (status != DealStatus::Open).then_some(now),
                    position: 0.0,
                    custom: Value::Object(Map::new()),
                    created_by: Some(actor.user_id),
                    created_at: now,
                    updated_at: now,
                }
            }
        };
        let is_new = matches!(draft, DealDraft::New);
        let mut contacts = match draft {
            DealDraft::Existing(_, c) => c.to_vec(),
            DealDraft::New => Vec::new(),
        };

        match (&patch.title, is_new) {
            (Some(t), _) => {
                if let Some(t) = errors.check(bounded_text("title", t, 200)) {
                    deal.title = t;
                }
            }
            (None, true) => errors.push(DomainError::Empty { field: "title" }),
            (None, false) => {}
        }
        let mut currency = Currency::parse(&deal.currency).ok();
        if let Some(c) = &patch.currency {
            currency = errors.check(Currency::parse(c));
            if let Some(c) = currency {
                deal.currency = c.as_str().to_owned();
            }
        }
        if let Some(amount) = &patch.amount_minor {
            match amount {
                Some(v) if !(0..=MAX_AMOUNT_MINOR).contains(v) => errors.push(invalid(
                    "amount_minor",
                    "use a whole number of minor units from 0 to 10^15",
                )),
                v => deal.amount_minor = *v,
            }
        }
        if let Some(text) = &patch.amount {
            match (
                text.as_deref().map(str::trim).filter(|t| !t.is_empty()),
                currency,
            ) {
                (None, _) => deal.amount_minor = None,
                (Some(t), Some(c)) => match Money::parse_decimal(t, c) {
                    Ok(m) if m.minor < 0 => errors.push(invalid("amount", "must not be negative")),
                    Ok(m) => deal.amount_minor = Some(m.minor),
                    Err(e) => errors.push(e),
                },
                (Some(_), None) => {}
            }
        }
        if let Some(date) = &patch.expected_close_on {
            deal.expected_close_on = match date.as_deref().map(str::trim).filter(|d| !d.is_empty())
            {
                None => None,
                Some(d) => errors.check(
                    NaiveDate::parse_from_str(d, "%Y-%m-%d")
                        .map_err(|_| invalid("expected_close_on", "use a date as YYYY-MM-DD")),
                ),
            };
        }
        if let Some(owner) = patch.owner_id {
            match owner {
                Some(u) if !self.is_member(actor, u).await? => {
                    errors.push(invalid("owner_id", "choose a member of this organization"))
                }
                o => deal.owner_id = o,
            }
        }
        if let Some(company) = patch.company_id {
            match company {
                Some(c)
                    if !deals_board::exists_in_org(db, scope, Linked::Companies, &[c]).await? =>
                {
                    errors.push(invalid(
                        "company_id",
                        "no such company in this organization",
                    ))
                }
                c => deal.company_id = c,
            }
        }
        if let Some(ids) = &patch.contact_ids {
            let mut ids = ids.clone();
            ids.sort();
            ids.dedup();
            if ids.len() > MAX_CONTACTS {
                errors.push(invalid("contact_ids", "a deal has at most 50 contacts"));
            } else if !deals_board::exists_in_org(db, scope, Linked::Contacts, &ids).await? {
                errors.push(invalid(
                    "contact_ids",
                    "no such contact in this organization",
                ));
            } else {
                contacts = ids;
            }
        }
        errors.finish()?;
        if patch.custom.is_some() || is_new {
            deal.custom = self.custom_values(actor, &deal.custom, patch).await?;
        }
        Ok(Validated { deal, contacts })
    }

    /// Merges the patch's custom values onto `current`, checking each against its definition.
    async fn custom_values(
        &self,
        actor: &Actor,
        current: &Value,
        patch: &DealPatch,
    ) -> AppResult<Value> {
        let defs = deals_board::deal_fields(self.db().conn(), actor.scope()).await?;
        let mut merged = current.as_object().cloned().unwrap_or_default();
        let empty = Map::new();
        let input = patch.custom.as_ref().unwrap_or(&empty);
        if input.len() > 200 {
            return Err(invalid("custom", "too many custom values").into());
        }
        for (key, raw) in input {
            let field = format!("custom.{}", key.chars().take(40).collect::<String>());
            let Some(def) = defs.iter().find(|d| d.key == *key) else {
                return Err(AppError::InvalidField {
                    field,
                    message: "there is no custom field with this key for deals".into(),
                });
            };
            let Some(field_type) = FieldType::parse(&def.field_type) else {
                return Err(AppError::Internal(format!("field type {}", def.field_type)));
            };
            let rules = FieldRules {
                field_type,
                options: &def.options,
                currency: def
                    .currency
                    .as_deref()
                    .and_then(|c| Currency::parse(c).ok()),
                phone_region: None,
            };
            let value = match (patch.custom_is_text, raw) {
                (true, Value::String(s)) => rules.validate_text(s),
                _ => rules.validate_json(raw),
            }
            .map_err(|e| AppError::InvalidField {
                field: field.clone(),
                message: e.to_string(),
            })?;
            if value.is_null() {
                merged.remove(key);
            } else {
                merged.insert(key.clone(), value);
            }
        }
        if let Some(def) = defs
            .iter()
            .find(|d| d.required && merged.get(&d.key).is_none_or(Value::is_null))
        {
            return Err(AppError::InvalidField {
                field: format!("custom.{}", def.key),
                message: format!("{} is required", def.label),
            });
        }
        Ok(Value::Object(merged))
    }
}
