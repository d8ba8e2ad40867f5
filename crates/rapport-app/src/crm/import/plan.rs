//! The whole file, decided before anything is written: every row validated, duplicate emails
//! inside the file reported, rows matched to existing contacts by email (update or skip),
//! companies found by name or domain or planned for creation, required custom fields checked
//! for new contacts. The result is either a list of errors or exactly the rows to write.

use super::mapping::Target;
use super::rows::{Draft, RowError, Rules, validate};
use super::table::Table;
use rapport_domain::crm::is_free_mail_domain;
use rapport_domain::{ContactId, UserId};
use rapport_store::repo::crm_import::{ContactUpdate, NewCompany, NewContact};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// What to do with a row whose email belongs to an existing contact.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OnDuplicate {
    /// Update the existing contact with the row's non-empty values.
    #[default]
    Update,
    /// Leave the existing contact alone.
    Skip,
}

/// What happens to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    /// A new contact.
    Create,
    /// Updates an existing contact.
    Update,
    /// An existing contact, left alone.
    Skip,
    /// Has errors.
    Invalid,
}

/// The decided import.
#[derive(Debug, Default)]
pub struct Plan {
    /// Contacts to create.
    pub creates: Vec<NewContact>,
    /// Contacts to update.
    pub updates: Vec<ContactUpdate>,
    /// Companies to create first.
    pub companies: Vec<NewCompany>,
    /// Rows skipped because their contact exists and `on_duplicate` is skip.
    pub duplicates_skipped: usize,
    /// Every error of every row, in row order.
    pub errors: Vec<RowError>,
    /// Rows with at least one error.
    pub invalid_rows: usize,
    /// Action per row number (for the preview).
    pub actions: HashMap<usize, RowAction>,
    /// Valid drafts of the first rows (for the preview).
    pub drafts: Vec<Draft>,
}

/// Existing data the plan matches against.
#[derive(Debug, Default)]
pub struct Existing {
    /// email → contact.
    pub contacts: HashMap<String, Uuid>,
    /// lowercase name → company.
    pub company_names: HashMap<String, Uuid>,
    /// domain → company.
    pub company_domains: HashMap<String, Uuid>,
}

/// Validates every row (no database access).
pub fn validate_all(
    table: &Table,
    mapping: &[Target],
    rules: &Rules,
) -> (Vec<Draft>, Vec<RowError>, usize) {
    let mut drafts = Vec::with_capacity(table.rows.len());
    let mut errors = Vec::new();
    let mut invalid = 0;
    for (row, cells) in &table.rows {
        match validate(*row, cells, &table.headers, mapping, rules) {
            Ok(d) => drafts.push(d),
            Err(e) => {
                invalid += 1;
                errors.extend(e);
            }
        }
    }
    (drafts, errors, invalid)
}

fn email_column(table: &Table, mapping: &[Target]) -> String {
    mapping
        .iter()
        .position(|t| *t == Target::Email)
        .and_then(|i| table.headers.get(i).cloned())
        .unwrap_or_default()
}

/// Decides every valid draft: create, update or skip; reports conflicts as row errors.
#[allow(clippy::too_many_arguments)]
pub fn decide(
    table: &Table,
    mapping: &[Target],
    rules: &Rules,
    drafts: Vec<Draft>,
    mut errors: Vec<RowError>,
    mut invalid_rows: usize,
    existing: &Existing,
    on_duplicate: OnDuplicate,
) -> Plan {
    let email_col = email_column(table, mapping);
    let mut plan = Plan::default();
    let mut first_seen: HashMap<&str, usize> = HashMap::new();
    let mut matched: HashMap<Uuid, usize> = HashMap::new();
    let mut new_companies: HashMap<String, Uuid> = HashMap::new();
    let mut new_domains: HashMap<String, Uuid> = HashMap::new();
    for (row, _) in &table.rows {
        plan.actions.insert(*row, RowAction::Invalid);
    }
    let required: Vec<&str> = rules
        .custom
        .iter()
        .filter(|c| c.required)
        .map(|c| c.key.as_str())
        .collect();
    for d in &drafts {
        let fail = |message: String, column: &str| RowError {
            row: d.row,
            column: column.to_owned(),
            message,
        };
        let mut row_errors = Vec::new();
        for e in &d.emails {
            if let Some(first) = first_seen.get(e.as_str()) {
                row_errors.push(fail(format!("{e} also appears in row {first}"), &email_col));
            }
        }
        let mut owners: Vec<Uuid> = d
            .emails
            .iter()
            .filter_map(|e| existing.contacts.get(e).copied())
            .collect();
        owners.dedup();
        if owners.len() > 1 {
            row_errors.push(fail(
                "these emails belong to different existing contacts".into(),
                &email_col,
            ));
        }
        let existing_id = owners.first().copied();
        if let Some(id) = existing_id {
            if let Some(first) = matched.get(&id) {
                row_errors.push(fail(
                    format!("row {first} already matches the same existing contact"),
                    &email_col,
                ));
            }
        } else {
            for key in &required {
                if !d.custom.contains_key(*key) {
                    row_errors.push(fail(format!("the custom field {key} is required"), ""));
                }
            }
        }
        if !row_errors.is_empty() {
            invalid_rows += 1;
            errors.extend(row_errors);
            continue;
        }
        for e in &d.emails {
            first_seen.insert(e.as_str(), d.row);
        }
        if let Some(id) = existing_id {
            matched.insert(id, d.row);
        }
        let company = company_for(
            d,
            existing,
            &mut plan.companies,
            &mut new_companies,
            &mut new_domains,
        );
        let action = match (existing_id, on_duplicate) {
            (Some(_), OnDuplicate::Skip) => {
                plan.duplicates_skipped += 1;
                RowAction::Skip
            }
            (Some(id), OnDuplicate::Update) => {
                plan.updates.push(update_of(d, id, company, existing));
                RowAction::Update
            }
            (None, _) => {
                plan.creates.push(create_of(d, company));
                RowAction::Create
            }
        };
        plan.actions.insert(d.row, action);
    }
    errors.sort_by_key(|e| e.row);
    plan.errors = errors;
    plan.invalid_rows = invalid_rows;
    plan.drafts = drafts.into_iter().take(20).collect();
    plan
}

/// The company a row names (by name, else domain), a new one planned for it, or the company
/// whose domain the primary email has (never a free-mail domain).
fn company_for(
    d: &Draft,
    existing: &Existing,
    created: &mut Vec<NewCompany>,
    new_names: &mut HashMap<String, Uuid>,
    new_domains: &mut HashMap<String, Uuid>,
) -> Option<Uuid> {
    let by_domain = |domain: &str, new_domains: &HashMap<String, Uuid>| {
        existing
            .company_domains
            .get(domain)
            .or_else(|| new_domains.get(domain))
            .copied()
    };
    if let Some(name) = d.company.as_deref() {
        let key = name.to_lowercase();
        if let Some(id) = existing
            .company_names
            .get(&key)
            .or_else(|| new_names.get(&key))
        {
            return Some(*id);
        }
        if let Some(id) = d
            .company_domain
            .as_deref()
            .and_then(|dm| by_domain(dm, new_domains))
        {
            return Some(id);
        }
        let id = Uuid::now_v7();
        new_names.insert(key, id);
        if let Some(dm) = &d.company_domain {
            new_domains.insert(dm.clone(), id);
        }
        created.push(NewCompany {
            id,
            name: name.to_owned(),
            domain: d.company_domain.clone(),
        });
        return Some(id);
    }
    if let Some(dm) = d.company_domain.as_deref() {
        if let Some(id) = by_domain(dm, new_domains) {
            return Some(id);
        }
        let id = Uuid::now_v7();
        new_domains.insert(dm.to_owned(), id);
        created.push(NewCompany {
            id,
            name: dm.to_owned(),
            domain: Some(dm.to_owned()),
        });
        return Some(id);
    }
    let domain = d.emails.first()?.split_once('@')?.1;
    if is_free_mail_domain(domain) {
        return None;
    }
    by_domain(domain, new_domains)
}

fn create_of(d: &Draft, company: Option<Uuid>) -> NewContact {
    NewContact {
        id: ContactId::new().as_uuid(),
        first_name: d.first_name.clone().unwrap_or_default(),
        last_name: d.last_name.clone().unwrap_or_default(),
        display_name: d.display_name(),
        title: d.title.clone(),
        company_id: company,
        owner_id: d.owner,
        lifecycle_stage: d.lifecycle.unwrap_or_default().as_str().to_owned(),
        source: d.source.clone(),
        emails: d.emails.clone(),
        phones: d.phones.clone(),
        tags: d.tags.clone(),
        custom: Value::Object(d.custom.clone()),
    }
}

fn update_of(d: &Draft, id: Uuid, company: Option<Uuid>, existing: &Existing) -> ContactUpdate {
    ContactUpdate {
        id,
        first_name: d.first_name.clone(),
        last_name: d.last_name.clone(),
        title: d.title.clone(),
        // Only a company the row names: an email-domain guess never moves an existing contact.
        company_id: if d.company.is_some() || d.company_domain.is_some() {
            company
        } else {
            None
        },
        owner_id: d.owner,
        lifecycle_stage: d.lifecycle.map(|l| l.as_str().to_owned()),
        source: d.source.clone(),
        emails: d
            .emails
            .iter()
            .filter(|e| !existing.contacts.contains_key(*e))
            .cloned()
            .collect(),
        phones: d.phones.clone(),
        tags: d.tags.clone(),
        custom: d.custom.clone(),
    }
}

/// The owner's id, for previews.
pub fn owner_email(rules: &Rules, owner: Option<UserId>) -> Option<String> {
    let owner = owner?;
    rules
        .members
        .iter()
        .find(|(_, id)| **id == owner)
        .map(|(e, _)| e.clone())
}
