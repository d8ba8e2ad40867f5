//! Importing contacts from CSV and vCard files: upload (stored, then previewed with a suggested
//! column mapping and the errors of the whole file), and run (all-or-nothing, or skipping the
//! invalid rows when the user says so), with dedupe on email.
//!
//! Every row is validated and every lookup (existing emails, companies, members) is done before
//! the write transaction opens, so the transaction only inserts: 100,000 rows stay well under
//! the lock time a concurrent request would notice on SQLite, and a refused import has touched
//! nothing.

pub mod decode;
pub mod mapping;
pub mod plan;
pub mod rows;
mod run;
mod sweep;
pub mod table;
pub mod vcard;
mod view;

pub use decode::Encoding;
pub use plan::{OnDuplicate, RowAction};
pub use rows::RowError;
pub use sweep::{ABANDONED_AFTER, SWEEP_IMPORTS, SWEEP_INTERVAL, SweepImports};
pub use view::{ColumnView, ImportResult, ImportView, PreviewRow};

use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use mapping::Target;
use plan::{Existing, Plan};
use rapport_domain::crm::{Currency, FieldType, SelectOption};
use rapport_domain::{ImportId, Permission};
use rapport_store::repo::crm_import::{self as store, NewImport};
use rows::{CustomDef, Rules};
use run::parse_mapping;
use std::collections::HashMap;
use table::Table;

/// Most errors kept in a report (the count is always exact).
const MAX_REPORTED_ERRORS: usize = 10_000;

/// An upload.
#[derive(Debug, Clone)]
pub struct UploadInput {
    /// File name as uploaded (for display; its extension picks the format when `format` is none).
    pub filename: String,
    /// `csv` or `vcf`.
    pub format: Option<String>,
    /// The encoding the user chose (UTF-8 when none).
    pub encoding: Option<String>,
    /// Region for phones without a country code (`US`).
    pub default_country: Option<String>,
    /// The file.
    pub bytes: Vec<u8>,
}

/// Options of a run.
#[derive(Debug, Clone, Default)]
pub struct RunInput {
    /// Target name per column (`first_name`, `custom.industry`, `ignore` …); none keeps the
    /// suggestion.
    pub mapping: Option<Vec<String>>,
    /// Validate and count, write nothing.
    pub dry_run: bool,
    /// Import the valid rows and report the others (otherwise any error imports nothing).
    pub skip_invalid: bool,
    /// Rows whose email belongs to an existing contact: update it or skip the row.
    pub on_duplicate: OnDuplicate,
    /// Overrides the upload's default country.
    pub default_country: Option<String>,
}

fn bad_file(message: impl Into<String>) -> AppError {
    AppError::InvalidInput(vec![("file".into(), message.into())])
}

fn format_of(input: &UploadInput) -> AppResult<&'static str> {
    let chosen = input.format.as_deref().map(str::to_ascii_lowercase);
    let by_name = input.filename.to_ascii_lowercase();
    match chosen.as_deref() {
        Some("csv") => Ok("csv"),
        Some("vcf" | "vcard") => Ok("vcf"),
        Some(other) => Err(AppError::InvalidInput(vec![(
            "format".into(),
            format!("\"{other}\" is not a format; use csv or vcf"),
        )])),
        None if by_name.ends_with(".vcf") || by_name.ends_with(".vcard") => Ok("vcf"),
        None => Ok("csv"),
    }
}

fn read_table(format: &str, text: &str) -> AppResult<Table> {
    let table = if format == "vcf" {
        table::from_vcards(text)
    } else {
        table::from_csv(text)
    }
    .map_err(bad_file)?;
    if table.rows.is_empty() {
        return Err(bad_file("the file has no data rows"));
    }
    Ok(table)
}

fn country(raw: Option<&str>) -> AppResult<Option<String>> {
    match raw.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => {
            Ok(Some(c.to_ascii_uppercase()))
        }
        Some(_) => Err(AppError::InvalidInput(vec![(
            "default_country".into(),
            "use a two-letter country code such as US or DE".into(),
        )])),
    }
}

impl App {
    async fn import_rules(
        &self,
        actor: &Actor,
        default_country: Option<String>,
    ) -> AppResult<Rules> {
        let db = self.db().conn();
        let scope = actor.scope();
        let custom = store::custom_fields(db, scope, "contact")
            .await?
            .into_iter()
            .filter_map(|f| {
                Some(CustomDef {
                    field_type: FieldType::parse(&f.field_type)?,
                    options: serde_json::from_value::<Vec<SelectOption>>(f.options)
                        .unwrap_or_default(),
                    currency: f.currency.as_deref().and_then(|c| Currency::parse(c).ok()),
                    key: f.key,
                    label: f.label,
                    required: f.required,
                })
            })
            .collect();
        let members = store::member_emails(db, scope).await?.into_iter().collect();
        Ok(Rules {
            custom,
            members,
            default_country,
        })
    }

    /// Validates the file and decides every row, reading what it needs; writes nothing.
    async fn plan_import(
        &self,
        actor: &Actor,
        table: &Table,
        mapping: &[Target],
        rules: &Rules,
        on_duplicate: OnDuplicate,
    ) -> AppResult<Plan> {
        let (drafts, errors, invalid) = plan::validate_all(table, mapping, rules);
        let db = self.db().conn();
        let scope = actor.scope();
        let emails: Vec<String> = drafts
            .iter()
            .flat_map(|d| d.emails.iter().cloned())
            .collect();
        let mut existing = Existing {
            contacts: store::contacts_by_email(db, scope, &emails)
                .await?
                .into_iter()
                .collect(),
            ..Existing::default()
        };
        if mapping
            .iter()
            .any(|t| matches!(t, Target::Company | Target::CompanyDomain | Target::Email))
        {
            let (names, domains) = store::companies(db, scope).await?;
            existing.company_names = names
                .into_iter()
                .map(|(id, n)| (n.to_lowercase(), id))
                .collect();
            existing.company_domains = domains.into_iter().collect();
        }
        Ok(plan::decide(
            table,
            mapping,
            rules,
            drafts,
            errors,
            invalid,
            &existing,
            on_duplicate,
        ))
    }

    /// Stores an uploaded file and previews it with the suggested mapping (needs `contacts.write`).
    pub async fn upload_import(&self, actor: &Actor, input: UploadInput) -> AppResult<ImportView> {
        actor.require(Permission::ContactsWrite)?;
        let format = format_of(&input)?;
        let encoding = match input.encoding.as_deref() {
            None => Encoding::Utf8,
            Some(raw) => Encoding::parse(raw).ok_or_else(|| {
                AppError::InvalidInput(vec![(
                    "encoding".into(),
                    "choose utf-8, windows-1252 or iso-8859-1".into(),
                )])
            })?,
        };
        let filename = rapport_domain::bounded_text("filename", &input.filename, 255)
            .unwrap_or_else(|_| format!("import.{format}"));
        let default_country = country(input.default_country.as_deref())?;
        let text = decode::decode(&input.bytes, encoding).map_err(bad_file)?;
        let table = read_table(format, &text)?;
        let rules = self.import_rules(actor, default_country.clone()).await?;
        let custom: Vec<(String, String)> = rules
            .custom
            .iter()
            .map(|c| (c.key.clone(), c.label.clone()))
            .collect();
        let mapping = table
            .fixed_mapping
            .clone()
            .unwrap_or_else(|| mapping::suggest(&table.headers, &custom));
        let plan = self
            .plan_import(actor, &table, &mapping, &rules, OnDuplicate::Update)
            .await?;
        let id = ImportId::new();
        let names: Vec<String> = mapping.iter().map(Target::name).collect();
        let report = serde_json::json!({
            "columns": table.headers,
            "mapping": names,
            "default_country": default_country,
        });
        let row_count = i32::try_from(table.rows.len()).unwrap_or(i32::MAX);
        store::insert(
            self.db().conn(),
            actor.scope(),
            NewImport {
                id,
                object_type: "contact",
                format,
                filename: &filename,
                content: text.as_bytes(),
                row_count,
                report,
                created_by: actor.user_id,
                now: self.clock().now(),
            },
        )
        .await?;
        let record = store::get(self.db().conn(), actor.scope(), id).await?;
        Ok(view::import_view(
            record,
            &table,
            &mapping,
            &rules,
            Some(&plan),
        ))
    }

    /// An import with its columns, mapping and last result; while it waits to run, also the
    /// preview and the errors of the whole file under its current mapping (needs `contacts.write`).
    pub async fn get_import(&self, actor: &Actor, id: ImportId) -> AppResult<ImportView> {
        self.preview_import(actor, id, None, None).await
    }

    /// Previews an upload under `mapping` (and `default_country`), and keeps both as the
    /// upload's current choice; `None` keeps the stored ones (needs `contacts.write`).
    pub async fn preview_import(
        &self,
        actor: &Actor,
        id: ImportId,
        mapping: Option<Vec<String>>,
        default_country: Option<String>,
    ) -> AppResult<ImportView> {
        actor.require(Permission::ContactsWrite)?;
        let db = self.db().conn();
        let mut record = store::get(db, actor.scope(), id).await?;
        if record.status != "uploaded" {
            let rules = self.import_rules(actor, None).await?;
            return Ok(view::import_view(
                record,
                &Table::default(),
                &[],
                &rules,
                None,
            ));
        }
        let content = store::content(db, actor.scope(), id).await?;
        let text = String::from_utf8(content).map_err(|e| AppError::Internal(e.to_string()))?;
        let table = read_table(&record.format, &text)?;
        let country = match default_country.as_deref() {
            Some(c) => country(Some(c))?,
            None => record.report["default_country"].as_str().map(str::to_owned),
        };
        let rules = self.import_rules(actor, country.clone()).await?;
        let changed = mapping.is_some() || default_country.is_some();
        let mapping = match (&table.fixed_mapping, mapping) {
            (Some(fixed), _) => fixed.clone(),
            (None, Some(names)) => parse_mapping(&names, &rules)?,
            (None, None) => view::stored_mapping(&record.report, &rules, table.headers.len()),
        };
        // A mapping that cannot import (no name or email column) is shown, not refused: the
        // wizard's next step is to fix it.
        let problem = mapping::check(&mapping, table.headers.len()).err();
        let plan = match problem {
            None => Some(
                self.plan_import(actor, &table, &mapping, &rules, OnDuplicate::Update)
                    .await?,
            ),
            Some(_) => None,
        };
        if changed {
            record.report["mapping"] =
                serde_json::json!(mapping.iter().map(Target::name).collect::<Vec<_>>());
            record.report["default_country"] = serde_json::json!(country);
            store::save_report(
                db,
                actor.scope(),
                id,
                "uploaded",
                record.report.clone(),
                self.clock().now(),
            )
            .await?;
        }
        let mut view = view::import_view(record, &table, &mapping, &rules, plan.as_ref());
        view.mapping_problem = problem;
        Ok(view)
    }

    /// The last run's errors as CSV: row, column, message (needs `contacts.write`).
    pub async fn import_errors_csv(&self, actor: &Actor, id: ImportId) -> AppResult<String> {
        actor.require(Permission::ContactsWrite)?;
        let record = store::get(self.db().conn(), actor.scope(), id).await?;
        let errors: Vec<RowError> =
            serde_json::from_value(record.report["result"]["errors"].clone()).unwrap_or_default();
        let mut out = crate::csv::row(&["row".into(), "column".into(), "message".into()]);
        for e in errors {
            out.push_str(&crate::csv::row(&[e.row.to_string(), e.column, e.message]));
        }
        Ok(out)
    }
}

/// The custom-field keys and labels offered in the mapping (for the UI).
pub fn target_choices(rules_custom: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        Target::FIXED.iter().map(|t| (t.name(), t.name())).collect();
    out.extend(
        rules_custom
            .iter()
            .map(|(k, l)| (format!("custom.{k}"), l.clone())),
    );
    out
}

/// Counts per row number, used by the preview.
pub(crate) fn errors_by_row(errors: &[RowError]) -> HashMap<usize, Vec<String>> {
    let mut map: HashMap<usize, Vec<String>> = HashMap::new();
    for e in errors {
        let msg = if e.column.is_empty() {
            e.message.clone()
        } else {
            format!("{}: {}", e.column, e.message)
        };
        map.entry(e.row).or_default().push(msg);
    }
    map
}
