//! Input shared by the record use cases: field-error collection, text normalization, custom
//! values as the API (JSON) and forms (text) send them, and their validation against the org's
//! custom-field definitions.

use crate::error::{AppError, AppResult, FieldIssue};
use rapport_domain::DomainError;
use rapport_store::repo::custom_fields::CustomFieldRecord;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Collects every refused field of one request, so the answer lists all of them at once.
#[derive(Debug, Default)]
pub struct Issues(Vec<FieldIssue>);

impl Issues {
    /// Records that `field` is wrong.
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldIssue {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Keeps the value, or records the domain error under `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, DomainError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(field, reason(&e));
                None
            }
        }
    }

    /// Whether `field` was refused already.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|i| i.field == field)
    }

    /// Whether nothing was refused so far.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Err(InvalidFields)` when anything was refused.
    pub fn finish(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::InvalidFields(self.0))
        }
    }
}

/// A domain error's explanation without its field name (the issue names the field).
pub fn reason(e: &DomainError) -> String {
    match e {
        DomainError::Empty { .. } => "must not be empty".into(),
        DomainError::TooLong { max, .. } => format!("must be at most {max} characters"),
        DomainError::TooShort { min, .. } => format!("must be at least {min} characters"),
        DomainError::Invalid { reason, .. } => (*reason).into(),
    }
}

/// Optional text: trimmed, empty means none; refused when longer than `max` characters or
/// holding control characters.
pub fn opt_text(issues: &mut Issues, field: &str, raw: Option<&str>, max: usize) -> Option<String> {
    let s = raw.map(str::trim).filter(|s| !s.is_empty())?;
    if s.chars().count() > max {
        issues.push(field, format!("must be at most {max} characters"));
        return None;
    }
    if s.chars().any(char::is_control) {
        issues.push(field, "control characters are not allowed");
        return None;
    }
    Some(s.to_owned())
}

/// Text that may be empty ("" stays ""): names.
pub fn text(issues: &mut Issues, field: &str, raw: &str, max: usize) -> String {
    opt_text(issues, field, Some(raw), max).unwrap_or_default()
}

/// An http(s) address (avatars, websites).
pub fn opt_url(issues: &mut Issues, field: &str, raw: Option<&str>) -> Option<String> {
    let s = opt_text(issues, field, raw, 2000)?;
    let lower = s.to_ascii_lowercase();
    if (lower.starts_with("https://") || lower.starts_with("http://"))
        && !s.contains(char::is_whitespace)
    {
        Some(s)
    } else {
        issues.push(field, "expected a web address starting with https://");
        None
    }
}

/// A short machine name: lowercase letters, digits and `_` (channels, social networks).
pub fn slug_ok(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A custom-field value as sent: JSON from the API, text from a form or a CSV cell.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomValue {
    /// A JSON value (`null` clears).
    Json(Value),
    /// Text as typed (empty clears).
    Text(String),
}

/// Custom values to apply, by key. Keys not sent keep their value.
pub type CustomInput = BTreeMap<String, CustomValue>;

/// Most custom values one request may send.
const MAX_CUSTOM: usize = 200;

/// Applies `input` to `current` custom values: unknown keys, values of the wrong type and
/// (when `creating`, or when cleared) missing required fields are recorded in `issues`.
pub fn apply_custom(
    issues: &mut Issues,
    defs: &[CustomFieldRecord],
    current: &Map<String, Value>,
    input: &CustomInput,
    phone_region: Option<&str>,
    creating: bool,
) -> Map<String, Value> {
    let mut out = current.clone();
    if input.len() > MAX_CUSTOM {
        issues.push("custom", format!("at most {MAX_CUSTOM} values per request"));
        return out;
    }
    for (key, value) in input {
        let field = format!("custom.{key}");
        let Some(def) = defs.iter().find(|d| d.key.as_str() == key) else {
            let shown: String = key.chars().take(60).collect();
            issues.push(field, format!("unknown custom field `{shown}`"));
            continue;
        };
        let rules = rapport_domain::crm::custom_field::FieldRules {
            field_type: def.field_type,
            options: &def.options,
            currency: def.currency,
            phone_region,
        };
        let checked = match value {
            CustomValue::Json(v) => rules.validate_json(v),
            CustomValue::Text(t) => rules.validate_text(t),
        };
        match checked {
            Ok(Value::Null) => {
                out.remove(key);
            }
            Ok(Value::Array(items)) if items.is_empty() => {
                out.remove(key);
            }
            Ok(v) => {
                out.insert(key.clone(), v);
            }
            Err(e) => issues.push(field, e.to_string()),
        }
    }
    for def in defs.iter().filter(|d| d.required) {
        let key = def.key.as_str();
        let touched = input.contains_key(key);
        let field = format!("custom.{key}");
        if (creating || touched) && !out.contains_key(key) && !issues.has(&field) {
            issues.push(field, format!("{} is required", def.label));
        }
    }
    out
}
