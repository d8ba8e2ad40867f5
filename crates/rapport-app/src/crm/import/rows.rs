//! One row at a time: a row's cells, through the mapping, into a validated [`Draft`] with the
//! same normalization a contact form applies (lowercase email, E.164 phone, lifecycle stage,
//! custom values checked against the org's field definitions), or the list of what is wrong
//! with it, naming the column. No database access here: it runs before anything is written.

use super::mapping::Target;
use rapport_domain::crm::custom_field::FieldRules;
use rapport_domain::crm::{Currency, FieldType, LifecycleStage, Phone, SelectOption};
use rapport_domain::{Email, UserId};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Most tags one contact may get from one row.
const MAX_TAGS: usize = 50;

/// A problem with one cell (or the whole row when `column` is empty).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RowError {
    /// Row number as a spreadsheet shows it (the header is row 1), or the card number.
    pub row: usize,
    /// The column's header.
    pub column: String,
    /// What is wrong.
    pub message: String,
}

/// A custom field definition, parsed.
#[derive(Debug, Clone)]
pub struct CustomDef {
    /// Key.
    pub key: String,
    /// Label.
    pub label: String,
    /// Type.
    pub field_type: FieldType,
    /// Options of select fields.
    pub options: Vec<SelectOption>,
    /// Currency of currency fields.
    pub currency: Option<Currency>,
    /// Required when a contact is created.
    pub required: bool,
}

/// What validation needs from the org.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Contact custom fields.
    pub custom: Vec<CustomDef>,
    /// Members by lowercase email.
    pub members: HashMap<String, UserId>,
    /// Region for phone numbers without a country code (`US`).
    pub default_country: Option<String>,
}

/// A valid row: only what the row says (empty cells are `None`/empty).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    /// Row number.
    pub row: usize,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Company name.
    pub company: Option<String>,
    /// Company domain (normalized).
    pub company_domain: Option<String>,
    /// Stage.
    pub lifecycle: Option<LifecycleStage>,
    /// Source.
    pub source: Option<String>,
    /// Owner.
    pub owner: Option<UserId>,
    /// Lowercase emails, first is primary.
    pub emails: Vec<String>,
    /// (E.164, raw).
    pub phones: Vec<(String, String)>,
    /// Tags.
    pub tags: Vec<String>,
    /// Custom values that are set.
    pub custom: Map<String, Value>,
}

impl Draft {
    /// "First Last", or the primary email.
    pub fn display_name(&self) -> String {
        let name = format!(
            "{} {}",
            self.first_name.as_deref().unwrap_or(""),
            self.last_name.as_deref().unwrap_or("")
        );
        let name = name.trim();
        if name.is_empty() {
            self.emails.first().cloned().unwrap_or_default()
        } else {
            name.chars().take(254).collect()
        }
    }
}

fn text(value: &str, max: usize) -> Result<String, String> {
    if value.chars().count() > max {
        return Err(format!("at most {max} characters"));
    }
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err("control characters (line breaks) are not allowed here".into());
    }
    Ok(value.to_owned())
}

/// "Ada Lovelace" → (Ada, Lovelace); "Lovelace, Ada" → (Ada, Lovelace); "Ada" → (Ada, "").
pub fn split_name(full: &str) -> (String, String) {
    if let Some((last, first)) = full.split_once(',') {
        return (first.trim().to_owned(), last.trim().to_owned());
    }
    match full.trim().rsplit_once(char::is_whitespace) {
        Some((first, last)) => (first.trim().to_owned(), last.trim().to_owned()),
        None => (full.trim().to_owned(), String::new()),
    }
}

fn parts(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|p| !p.is_empty())
}

/// Validates one row. `cells` may be shorter than `headers` (missing trailing cells are empty).
pub fn validate(
    row: usize,
    cells: &[String],
    headers: &[String],
    mapping: &[Target],
    rules: &Rules,
) -> Result<Draft, Vec<RowError>> {
    let mut d = Draft {
        row,
        ..Draft::default()
    };
    let mut errors = Vec::new();
    for (i, target) in mapping.iter().enumerate() {
        let value = cells.get(i).map_or("", |c| c.trim());
        if value.is_empty() || *target == Target::Ignore {
            continue;
        }
        let column = headers.get(i).cloned().unwrap_or_default();
        let result = apply(&mut d, target, value, rules);
        if let Err(message) = result {
            errors.push(RowError {
                row,
                column,
                message,
            });
        }
    }
    if errors.is_empty() && d.display_name().is_empty() {
        errors.push(RowError {
            row,
            column: String::new(),
            message: "a contact needs a name or an email".into(),
        });
    }
    if errors.is_empty() {
        Ok(d)
    } else {
        Err(errors)
    }
}

fn apply(d: &mut Draft, target: &Target, value: &str, rules: &Rules) -> Result<(), String> {
    match target {
        Target::Ignore => {}
        Target::FirstName => d.first_name = Some(text(value, 100)?),
        Target::LastName => d.last_name = Some(text(value, 100)?),
        Target::Name => {
            let (first, last) = split_name(&text(value, 200)?);
            d.first_name = Some(text(&first, 100)?);
            d.last_name = Some(text(&last, 100)?);
        }
        Target::Email => {
            for p in parts(value) {
                let e = Email::parse(p).map_err(|e| format!("\"{p}\": {e}"))?;
                if !d.emails.iter().any(|x| x == e.as_str()) {
                    d.emails.push(e.as_str().to_owned());
                }
            }
        }
        Target::Phone => {
            for p in parts(value) {
                let phone = Phone::parse(p, rules.default_country.as_deref())
                    .map_err(|e| format!("\"{p}\": {e}"))?;
                if !d.phones.iter().any(|x| x.0 == phone.e164()) {
                    d.phones
                        .push((phone.e164().to_owned(), phone.raw().to_owned()));
                }
            }
        }
        Target::Title => d.title = Some(text(value, 200)?),
        Target::Company => d.company = Some(text(value, 200)?),
        Target::CompanyDomain => {
            let domain =
                rapport_domain::crm::CompanyDomain::parse(value).map_err(|e| e.to_string())?;
            d.company_domain = Some(domain.as_str().to_owned());
        }
        Target::LifecycleStage => {
            d.lifecycle = Some(LifecycleStage::parse(value).map_err(|e| e.to_string())?)
        }
        Target::Source => d.source = Some(text(value, 64)?),
        Target::Owner => {
            let key = value.to_lowercase();
            let owner = rules.members.get(&key).ok_or_else(|| {
                format!("\"{value}\" is not the email of a member of this organization")
            })?;
            d.owner = Some(*owner);
        }
        Target::Tags => {
            for p in parts(value) {
                let tag = text(p, 64)?;
                if !d.tags.contains(&tag) {
                    d.tags.push(tag);
                }
            }
            if d.tags.len() > MAX_TAGS {
                return Err(format!("at most {MAX_TAGS} tags"));
            }
        }
        Target::Custom(key) => {
            let def = rules
                .custom
                .iter()
                .find(|c| &c.key == key)
                .ok_or_else(|| format!("there is no custom field \"{key}\""))?;
            let field_rules = FieldRules {
                field_type: def.field_type,
                options: &def.options,
                currency: def.currency,
                phone_region: rules.default_country.as_deref(),
            };
            let v = field_rules
                .validate_text(value)
                .map_err(|e| e.to_string())?;
            if !v.is_null() {
                d.custom.insert(key.clone(), v);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn a_row_becomes_a_normalized_draft() {
        let headers = s(&["Name", "Email", "Phone", "Stage", "Tags"]);
        let mapping = [
            Target::Name,
            Target::Email,
            Target::Phone,
            Target::LifecycleStage,
            Target::Tags,
        ];
        let rules = Rules {
            default_country: Some("US".into()),
            ..Rules::default()
        };
        let cells = s(&[
            "Lovelace, Ada",
            " Ada@Example.COM ",
            "(415) 555-0132",
            "MQL",
            "vip; vip;b",
        ]);
        let d = validate(2, &cells, &headers, &mapping, &rules).unwrap();
        assert_eq!(d.display_name(), "Ada Lovelace");
        assert_eq!(d.emails, vec!["ada@example.com"]);
        assert_eq!(d.phones[0].0, "+14155550132");
        assert_eq!(d.lifecycle, Some(LifecycleStage::MarketingQualified));
        assert_eq!(d.tags, vec!["vip", "b"]);

        let bad = s(&["", "nope", "123", "vip", ""]);
        let errs = validate(3, &bad, &headers, &mapping, &rules).unwrap_err();
        let cols: Vec<&str> = errs.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(cols, vec!["Email", "Phone", "Stage"]);
        assert!(errs.iter().all(|e| e.row == 3));
    }

    #[test]
    fn names_split_both_ways() {
        assert_eq!(
            split_name("Ada King Lovelace"),
            ("Ada King".into(), "Lovelace".into())
        );
        assert_eq!(
            split_name("Lovelace, Ada"),
            ("Ada".into(), "Lovelace".into())
        );
        assert_eq!(split_name("Cher"), ("Cher".into(), String::new()));
    }
}
