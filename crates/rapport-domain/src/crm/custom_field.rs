//! Custom fields: the types an org can add to contacts, companies and deals, their keys, and the
//! validation that turns user input (JSON from the API, text from forms and CSV cells) into the
//! one stored JSON shape per type. Stored values are what filters compare and indexes cover.

use super::money::{Currency, Money};
use super::phone::Phone;
use crate::email::Email;
use serde_json::Value;
use std::fmt;

/// Longest text value.
pub const MAX_TEXT: usize = 2000;
/// Most options a select field may have.
pub const MAX_OPTIONS: usize = 200;

/// The type of a custom field. Stored and sent as the snake_case name.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Free text (one line or a paragraph), stored as a JSON string.
    Text,
    /// A number, stored as a JSON number.
    Number,
    /// Money in the field's currency, stored as an integer of minor units.
    Currency,
    /// A calendar date, stored as `YYYY-MM-DD`.
    Date,
    /// One of the field's options, stored as the option value.
    Select,
    /// Any of the field's options, stored as an array of option values.
    MultiSelect,
    /// Yes or no, stored as a JSON boolean.
    Boolean,
    /// A web address (http or https).
    Url,
    /// An email address, stored lowercase.
    Email,
    /// A phone number, stored in E.164.
    Phone,
}

impl FieldType {
    /// Every type, in the order the UI offers them.
    pub const ALL: [FieldType; 10] = [
        Self::Text,
        Self::Number,
        Self::Currency,
        Self::Date,
        Self::Select,
        Self::MultiSelect,
        Self::Boolean,
        Self::Url,
        Self::Email,
        Self::Phone,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Currency => "currency",
            Self::Date => "date",
            Self::Select => "select",
            Self::MultiSelect => "multi_select",
            Self::Boolean => "boolean",
            Self::Url => "url",
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether filters compare it as a number (`>`, `<`).
    pub fn is_numeric(self) -> bool {
        matches!(self, Self::Number | Self::Currency)
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A custom field's key: `[a-z][a-z0-9_]{0,39}`. Strict on purpose: filters inline it into a
/// JSON path in SQL so the per-field expression index matches (bound paths defeat indexes).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct FieldKey(String);

impl FieldKey {
    /// Parses a key.
    pub fn parse(raw: &str) -> Result<Self, FieldValueError> {
        let ok = raw.len() <= 40
            && raw.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldValueError::BadKey)
        }
    }

    /// Derives a key from a label (`Annual revenue` → `annual_revenue`).
    pub fn from_label(label: &str) -> Result<Self, FieldValueError> {
        let mut key = String::new();
        for c in label.trim().chars() {
            if c.is_ascii_alphanumeric() {
                key.push(c.to_ascii_lowercase());
            } else if !key.ends_with('_') && !key.is_empty() {
                key.push('_');
            }
        }
        let key = key.trim_end_matches('_');
        let key = if key.starts_with(|c: char| c.is_ascii_digit()) {
            format!("f_{key}")
        } else {
            key.to_owned()
        };
        Self::parse(&key.chars().take(40).collect::<String>())
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One choice of a select or multi-select field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SelectOption {
    /// Stored value (stable).
    pub value: String,
    /// Shown label.
    pub label: String,
}

/// Why a custom-field value or definition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldValueError {
    /// The key has the wrong shape.
    #[error(
        "a field key uses lowercase letters, digits and underscores and starts with a letter (at most 40)"
    )]
    BadKey,
    /// The value does not fit the type.
    #[error("{0}")]
    Invalid(String),
}

fn invalid(msg: impl Into<String>) -> FieldValueError {
    FieldValueError::Invalid(msg.into())
}

/// What validation needs to know about a field besides its type.
#[derive(Debug, Clone, Copy)]
pub struct FieldRules<'a> {
    /// The type.
    pub field_type: FieldType,
    /// Options of a select field.
    pub options: &'a [SelectOption],
    /// Currency of a currency field.
    pub currency: Option<Currency>,
    /// Region for phone numbers without a country code.
    pub phone_region: Option<&'a str>,
}

impl FieldRules<'_> {
    /// Validates a JSON value from the API. `null` clears the field (returns `Null`).
    pub fn validate_json(&self, value: &Value) -> Result<Value, FieldValueError> {
        match (self.field_type, value) {
            (_, Value::Null) => Ok(Value::Null),
            (FieldType::Number, Value::Number(n)) => match n.as_f64() {
                Some(f) if f.is_finite() => Ok(Value::Number(n.clone())),
                _ => Err(invalid("expected a number")),
            },
            (FieldType::Currency, Value::Number(n)) => self.validate_text(&n.to_string()),
            (FieldType::Boolean, Value::Bool(b)) => Ok(Value::Bool(*b)),
            (FieldType::MultiSelect, Value::Array(items)) => {
                let mut out = Vec::new();
                for item in items {
                    let s = item
                        .as_str()
                        .ok_or_else(|| invalid("expected a list of option values"))?;
                    let v = self.option(s)?;
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
                Ok(Value::Array(out.into_iter().map(Value::String).collect()))
            }
            (_, Value::String(s)) => self.validate_text(s),
            _ => Err(invalid(format!("expected a {} value", self.field_type))),
        }
    }

    /// Validates text as typed in a form or a CSV cell. Empty text clears the field.
    pub fn validate_text(&self, raw: &str) -> Result<Value, FieldValueError> {
        let s = raw.trim();
        if s.is_empty() {
            return Ok(Value::Null);
        }
        match self.field_type {
            FieldType::Text => {
                if s.chars().count() > MAX_TEXT {
                    return Err(invalid(format!("at most {MAX_TEXT} characters")));
                }
                Ok(Value::String(s.to_owned()))
            }
            FieldType::Number => {
                let cleaned: String = s.chars().filter(|c| *c != ',' && *c != '_').collect();
                let f: f64 = cleaned.parse().map_err(|_| invalid("expected a number"))?;
                if !f.is_finite() {
                    return Err(invalid("expected a number"));
                }
                serde_json::Number::from_f64(f)
                    .map(|n| {
                        // Whole numbers stay integers so exports read "5", not "5.0".
                        if f.fract() == 0.0 && f.abs() < 9.0e15 {
                            Value::from(f as i64)
                        } else {
                            Value::Number(n)
                        }
                    })
                    .ok_or_else(|| invalid("expected a number"))
            }
            FieldType::Currency => {
                let currency = self
                    .currency
                    .ok_or_else(|| invalid("this field has no currency"))?;
                let m = Money::parse_decimal(s, currency).map_err(|e| invalid(e.to_string()))?;
                Ok(Value::from(m.minor))
            }
            FieldType::Date => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
                .map_err(|_| invalid("expected a date as YYYY-MM-DD")),
            FieldType::Select => self.option(s).map(Value::String),
            FieldType::MultiSelect => {
                let mut out: Vec<String> = Vec::new();
                for part in s.split([';', ',']).map(str::trim).filter(|p| !p.is_empty()) {
                    let v = self.option(part)?;
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
                Ok(Value::Array(out.into_iter().map(Value::String).collect()))
            }
            FieldType::Boolean => match s.to_lowercase().as_str() {
                "true" | "yes" | "y" | "1" | "on" => Ok(Value::Bool(true)),
                "false" | "no" | "n" | "0" | "off" => Ok(Value::Bool(false)),
                _ => Err(invalid("expected yes or no")),
            },
            FieldType::Url => {
                let lower = s.to_ascii_lowercase();
                let ok = (lower.starts_with("https://") || lower.starts_with("http://"))
                    && s.len() <= MAX_TEXT
                    && s.len() > "https://".len()
                    && !s.chars().any(|c| c.is_whitespace() || c.is_control());
                if ok {
                    Ok(Value::String(s.to_owned()))
                } else {
                    Err(invalid("expected a web address starting with https://"))
                }
            }
            FieldType::Email => Email::parse(s)
                .map(|e| Value::String(e.as_str().to_owned()))
                .map_err(|e| invalid(e.to_string())),
            FieldType::Phone => Phone::parse(s, self.phone_region)
                .map(|p| Value::String(p.e164().to_owned()))
                .map_err(|e| invalid(e.to_string())),
        }
    }

    /// The option value matching `raw` by value or label (case-insensitive).
    fn option(&self, raw: &str) -> Result<String, FieldValueError> {
        self.options
            .iter()
            .find(|o| o.value.eq_ignore_ascii_case(raw) || o.label.eq_ignore_ascii_case(raw))
            .map(|o| o.value.clone())
            .ok_or_else(|| invalid(format!("\"{raw}\" is not one of the options")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(t: FieldType) -> FieldRules<'static> {
        static OPTIONS: std::sync::OnceLock<Vec<SelectOption>> = std::sync::OnceLock::new();
        let options = OPTIONS.get_or_init(|| {
            vec![
                SelectOption {
                    value: "saas".into(),
                    label: "SaaS".into(),
                },
                SelectOption {
                    value: "retail".into(),
                    label: "Retail".into(),
                },
            ]
        });
        FieldRules {
            field_type: t,
            options,
            currency: Currency::parse("EUR").ok(),
            phone_region: Some("US"),
        }
    }

    #[test]
    fn keys_are_strict_and_derivable() {
        assert!(FieldKey::parse("annual_revenue").is_ok());
        for bad in ["Annual", "1x", "a-b", "", "a'b", "x$.y"] {
            assert!(FieldKey::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            FieldKey::from_label("Annual revenue (€)").map(|k| k.0),
            Ok("annual_revenue".into())
        );
        assert_eq!(
            FieldKey::from_label("2nd email").map(|k| k.0),
            Ok("f_2nd_email".into())
        );
    }

    #[test]
    fn text_input_becomes_the_stored_shape() {
        assert_eq!(
            rules(FieldType::Number).validate_text("1,200"),
            Ok(json!(1200))
        );
        assert_eq!(
            rules(FieldType::Number).validate_text("2.5"),
            Ok(json!(2.5))
        );
        assert_eq!(
            rules(FieldType::Currency).validate_text("10,000.50"),
            Ok(json!(1_000_050))
        );
        assert_eq!(
            rules(FieldType::Date).validate_text("2026-02-28"),
            Ok(json!("2026-02-28"))
        );
        assert!(rules(FieldType::Date).validate_text("2026-02-30").is_err());
        assert_eq!(
            rules(FieldType::Select).validate_text("saas"),
            Ok(json!("saas"))
        );
        assert_eq!(
            rules(FieldType::Select).validate_text("Retail"),
            Ok(json!("retail"))
        );
        assert!(rules(FieldType::Select).validate_text("other").is_err());
        assert_eq!(
            rules(FieldType::MultiSelect).validate_text("SaaS; retail"),
            Ok(json!(["saas", "retail"]))
        );
        assert_eq!(
            rules(FieldType::Boolean).validate_text("Yes"),
            Ok(json!(true))
        );
        assert!(
            rules(FieldType::Url)
                .validate_text("javascript:alert(1)")
                .is_err()
        );
        assert_eq!(
            rules(FieldType::Email).validate_text("A@B.com"),
            Ok(json!("a@b.com"))
        );
        assert_eq!(
            rules(FieldType::Phone).validate_text("(415) 555-0132"),
            Ok(json!("+14155550132"))
        );
        assert_eq!(rules(FieldType::Text).validate_text("  "), Ok(Value::Null));
    }

    #[test]
    fn json_input_is_type_checked() {
        assert_eq!(
            rules(FieldType::Number).validate_json(&json!(3)),
            Ok(json!(3))
        );
        assert!(rules(FieldType::Number).validate_json(&json!("x")).is_err());
        assert!(rules(FieldType::Boolean).validate_json(&json!(1)).is_err());
        assert_eq!(
            rules(FieldType::MultiSelect).validate_json(&json!(["saas", "saas"])),
            Ok(json!(["saas"]))
        );
        assert_eq!(
            rules(FieldType::Text).validate_json(&Value::Null),
            Ok(Value::Null)
        );
    }
}
