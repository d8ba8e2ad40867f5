//! CRM record pages: contact and company detail pages and forms, and the custom-fields admin
//! page. Shared here: refused-input rendering (each message beside its field, the typed values
//! kept) and custom fields as form inputs and as shown values.

pub mod companies;
pub mod company_form;
pub mod contact_form;
pub mod contact_values;
pub mod contacts;
pub mod custom_fields;
pub mod personal_data;
mod record_context;

use crate::i18n::Tr;
use crate::ui::admin::field_message;
use crate::ui::routes::RouteTable;
use axum::http::StatusCode;
use rapport_app::AppError;
use rapport_app::crm::input::CustomValue;
use rapport_app::records::CustomFieldRecord;
use rapport_domain::crm::{FieldType, Money};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The record routes (`/contacts/…`, `/companies/…`, `/admin/custom-fields`).
pub fn table() -> RouteTable {
    RouteTable::new()
        .get("/contacts/new", contact_form::new_form)
        .post("/contacts/new", contact_form::create)
        .get("/contacts/{id}", contacts::show)
        .get("/contacts/{id}/personal-data", personal_data::download)
        .get("/contacts/{id}/edit", contact_form::edit_form)
        .post("/contacts/{id}/edit", contact_form::update)
        .post("/contacts/{id}/delete", contacts::delete)
        .get("/companies/new", company_form::new_form)
        .post("/companies/new", company_form::create)
        .get("/companies/{id}", companies::show)
        .get("/companies/{id}/edit", company_form::edit_form)
        .post("/companies/{id}/edit", company_form::update)
        .post("/companies/{id}/delete", companies::delete)
        .get("/admin/custom-fields", custom_fields::show)
        .post("/admin/custom-fields", custom_fields::create)
        .post("/admin/custom-fields/{id}", custom_fields::update)
        .post("/admin/custom-fields/{id}/delete", custom_fields::delete)
}

/// A refused form: messages beside their fields, and the ones that belong to no field.
#[derive(Debug, Default)]
pub struct Problems {
    /// `422` for invalid input, `409` for a conflict.
    pub status: Option<StatusCode>,
    /// Messages for the top of the form.
    pub general: Vec<String>,
    /// (field, message) pairs.
    pub fields: Vec<(String, String)>,
}

impl Problems {
    /// Every problem as one line for the top of a form: general ones as they are, field ones
    /// prefixed with the field's label from `{section}.fields.{field}` when the catalog has it.
    pub fn summary_in(&self, tr: &Tr, section: &str) -> Vec<String> {
        let mut out = self.general.clone();
        out.extend(self.fields.iter().map(|(field, message)| {
            let key = format!("{section}.fields.{field}");
            match tr.t(&key) {
                label if label == key => message.clone(),
                // A domain message that names its field by its raw name ("url: …") gets the
                // label instead, not both.
                label => {
                    let reason = message
                        .strip_prefix(field.as_str())
                        .and_then(|rest| rest.strip_prefix(": "))
                        .unwrap_or(message);
                    format!("{label}: {reason}")
                }
            }
        }));
        out
    }

    /// The status to answer with.
    pub fn status(&self) -> StatusCode {
        self.status.unwrap_or(StatusCode::OK)
    }

    /// The messages for `field`, joined.
    pub fn of(&self, field: &str) -> String {
        self.fields
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Whether anything was refused.
    pub fn any(&self) -> bool {
        !self.general.is_empty() || !self.fields.is_empty()
    }

    /// Every message, for the summary above the form.
    pub fn summary(&self, tr: &Tr) -> Vec<String> {
        let mut out = self.general.clone();
        out.extend(self.fields.iter().map(|(f, m)| {
            let key = format!("crm_records.fields.{f}");
            let label = tr.t(&key);
            let label = if label == key {
                f.strip_prefix("custom.").unwrap_or(f).to_owned()
            } else {
                label
            };
            format!("{label}: {m}")
        }));
        out
    }
}

/// Splits an error into what the form shows (`Ok`) and what becomes an error page (`Err`).
pub fn problems(tr: &Tr, err: AppError) -> Result<Problems, AppError> {
    match err {
        AppError::InvalidFields(issues) => Ok(Problems {
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            general: Vec::new(),
            fields: issues.into_iter().map(|i| (i.field, i.message)).collect(),
        }),
        AppError::Invalid(errors) => Ok(Problems {
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            general: Vec::new(),
            fields: errors
                .iter()
                .map(|e| (e.field().to_owned(), field_message(tr, e)))
                .collect(),
        }),
        AppError::InvalidInput(pairs) => Ok(Problems {
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            general: Vec::new(),
            fields: pairs,
        }),
        AppError::InvalidField { field, message } => Ok(Problems {
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            general: Vec::new(),
            fields: vec![(field, message)],
        }),
        AppError::Conflict(message) => Ok(Problems {
            status: Some(StatusCode::CONFLICT),
            general: vec![message],
            fields: Vec::new(),
        }),
        other => Err(other),
    }
}

/// One `<option>` or checkbox.
#[derive(Debug, Clone)]
pub struct Pick {
    /// Submitted value.
    pub value: String,
    /// Shown label.
    pub label: String,
    /// Whether it is chosen.
    pub chosen: bool,
}

/// A custom field as a form input.
#[derive(Debug, Clone)]
pub struct CustomInputView {
    /// Input name (`custom.industry`).
    pub name: String,
    /// Element id.
    pub id: String,
    /// Label.
    pub label: String,
    /// `text`, `number`, `currency`, `date`, `select`, `multi_select`, `boolean`, `url`,
    /// `email` or `phone`.
    pub kind: &'static str,
    /// The value as text (what the user typed after a refusal).
    pub value: String,
    /// Options (select, multi-select, boolean).
    pub picks: Vec<Pick>,
    /// Currency code (currency fields).
    pub currency: String,
    /// Required.
    pub required: bool,
    /// The refusal message, if any.
    pub error: String,
}

/// A stored value as text for a form.
fn value_text(def: &CustomFieldRecord, v: Option<&Value>) -> String {
    match (def.field_type, v) {
        (_, None | Some(Value::Null)) => String::new(),
        (FieldType::Currency, Some(Value::Number(n))) => match (def.currency, n.as_i64()) {
            (Some(c), Some(minor)) => Money { minor, currency: c }.to_decimal_string(),
            _ => n.to_string(),
        },
        (FieldType::Boolean, Some(Value::Bool(b))) => if *b { "yes" } else { "no" }.to_owned(),
        (_, Some(Value::String(s))) => s.clone(),
        (_, Some(other)) => other.to_string(),
    }
}

/// The custom fields as inputs: stored values, or what was typed (`typed`) after a refusal.
pub fn custom_inputs(
    tr: &Tr,
    defs: &[CustomFieldRecord],
    stored: &Map<String, Value>,
    typed: Option<&[(String, String)]>,
    problems: &Problems,
) -> Vec<CustomInputView> {
    defs.iter()
        .map(|d| {
            let name = format!("custom.{}", d.key.as_str());
            let typed_all: Option<Vec<String>> = typed.map(|t| {
                t.iter()
                    .filter(|(k, _)| *k == name)
                    .map(|(_, v)| v.clone())
                    .collect()
            });
            let stored_v = stored.get(d.key.as_str());
            let value = match &typed_all {
                Some(vals) => vals.first().cloned().unwrap_or_default(),
                None => value_text(d, stored_v),
            };
            let chosen_multi: Vec<String> = match (&typed_all, stored_v) {
                (Some(vals), _) => vals.clone(),
                (None, Some(Value::Array(items))) => items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            };
            let picks = match d.field_type {
                FieldType::Select => d
                    .options
                    .iter()
                    .map(|o| Pick {
                        chosen: o.value == value,
                        value: o.value.clone(),
                        label: o.label.clone(),
                    })
                    .collect(),
                FieldType::MultiSelect => d
                    .options
                    .iter()
                    .map(|o| Pick {
                        chosen: chosen_multi.contains(&o.value),
                        value: o.value.clone(),
                        label: o.label.clone(),
                    })
                    .collect(),
                FieldType::Boolean => ["yes", "no"]
                    .iter()
                    .map(|v| Pick {
                        chosen: value == *v,
                        value: (*v).to_owned(),
                        label: tr.t(&format!("crm_records.common.{v}")),
                    })
                    .collect(),
                _ => Vec::new(),
            };
            CustomInputView {
                id: format!("cf-{}", d.key.as_str()),
                error: problems.of(&name),
                name,
                label: d.label.clone(),
                kind: d.field_type.as_str(),
                value,
                picks,
                currency: d.currency.map(String::from).unwrap_or_default(),
                required: d.required,
            }
        })
        .collect()
}

/// The submitted custom values: text per field, a list for multi-selects (so clearing every
/// box clears the field).
pub fn custom_from_form(
    defs: &[CustomFieldRecord],
    pairs: &[(String, String)],
) -> BTreeMap<String, CustomValue> {
    defs.iter()
        .map(|d| {
            let name = format!("custom.{}", d.key.as_str());
            let vals: Vec<String> = pairs
                .iter()
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
                .collect();
            let value = if d.field_type == FieldType::MultiSelect {
                CustomValue::Json(Value::Array(vals.into_iter().map(Value::String).collect()))
            } else {
                CustomValue::Text(vals.into_iter().next().unwrap_or_default())
            };
            (d.key.as_str().to_owned(), value)
        })
        .collect()
}

/// A custom value as shown on a detail page.
#[derive(Debug, Clone)]
pub struct CustomShow {
    /// Label.
    pub label: String,
    /// Formatted value ("" when empty).
    pub value: String,
    /// A link target (URL, mailto:, tel:), or "".
    pub href: String,
}

/// The custom fields with their values, formatted for reading.
pub fn custom_shown(
    tr: &Tr,
    defs: &[CustomFieldRecord],
    stored: &Map<String, Value>,
) -> Vec<CustomShow> {
    defs.iter()
        .map(|d| {
            let v = stored.get(d.key.as_str());
            let label_of = |raw: &str| {
                d.options
                    .iter()
                    .find(|o| o.value == raw)
                    .map_or(raw.to_owned(), |o| o.label.clone())
            };
            let value = match (d.field_type, v) {
                (_, None | Some(Value::Null)) => String::new(),
                (FieldType::Currency, _) => {
                    let t = value_text(d, v);
                    format!("{t} {}", d.currency.map(String::from).unwrap_or_default())
                }
                (FieldType::Boolean, Some(Value::Bool(b))) => tr.t(if *b {
                    "crm_records.common.yes"
                } else {
                    "crm_records.common.no"
                }),
                (FieldType::Select, Some(Value::String(s))) => label_of(s),
                (FieldType::MultiSelect, Some(Value::Array(items))) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(label_of)
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => value_text(d, v),
            };
            let href = match d.field_type {
                FieldType::Url if !value.is_empty() => value.clone(),
                FieldType::Email if !value.is_empty() => format!("mailto:{value}"),
                FieldType::Phone if !value.is_empty() => format!("tel:{value}"),
                _ => String::new(),
            };
            CustomShow {
                label: d.label.clone(),
                value,
                href,
            }
        })
        .collect()
}

/// The lifecycle stages as picks.
pub fn stage_picks(tr: &Tr, chosen: &str) -> Vec<Pick> {
    rapport_domain::crm::LifecycleStage::ALL
        .iter()
        .map(|s| Pick {
            value: s.as_str().to_owned(),
            label: tr.t(&format!("crm_records.stages.{}", s.as_str())),
            chosen: s.as_str() == chosen,
        })
        .collect()
}

/// Members as owner picks ("" = nobody).
pub fn owner_picks(members: &[(String, String)], chosen: &str) -> Vec<Pick> {
    members
        .iter()
        .map(|(id, name)| Pick {
            value: id.clone(),
            label: name.clone(),
            chosen: id == chosen,
        })
        .collect()
}

/// One deal in the Deals panel of a contact or company page.
pub struct DealLine {
    /// Deal id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Amount in the member's locale (empty when the deal has none).
    pub amount: String,
    /// Stage name.
    pub stage: String,
    /// Open, won or lost, translated.
    pub status: String,
}

/// The Deals panel's lines, formatted for the member.
pub fn deal_lines(tr: &Tr, deals: Vec<rapport_app::records::RecordDeal>) -> Vec<DealLine> {
    deals
        .into_iter()
        .map(|d| DealLine {
            amount: d
                .amount_minor
                .map(|m| crate::ui::deals::money::format(tr, m, &d.currency, false))
                .unwrap_or_default(),
            status: tr.t(&format!("crm_deals.status.{}", d.status)),
            id: d.id.to_string(),
            title: d.title,
            stage: d.stage,
        })
        .collect()
}
