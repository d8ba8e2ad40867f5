//! What an upload and a run return: the columns with sample values and their mapping, the
//! preview of the first rows, the error list, and a run's counts.

use super::mapping::Target;
use super::plan::{Plan, RowAction, owner_email};
use super::rows::{RowError, Rules};
use super::table::Table;
use super::{MAX_REPORTED_ERRORS, errors_by_row};
use chrono::{DateTime, Utc};
use rapport_store::repo::crm_import::ImportRecord;

/// Rows shown in a preview.
const PREVIEW_ROWS: usize = 20;

/// One column of the file.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ColumnView {
    /// Header.
    pub name: String,
    /// Up to three non-empty values from the first rows.
    pub samples: Vec<String>,
    /// The mapped (or suggested) target, e.g. `email`, `custom.industry`, `ignore`.
    pub target: String,
}

/// A target a column can be mapped to.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TargetChoice {
    /// Stable name.
    pub value: String,
    /// Custom field label (empty for built-in targets; the UI translates those).
    pub label: String,
}

/// One previewed row, as it would be imported.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PreviewRow {
    /// Row number (header = 1).
    pub row: usize,
    /// What happens to it.
    pub action: RowAction,
    /// Display name.
    pub display_name: String,
    /// Emails.
    pub emails: Vec<String>,
    /// Phones (E.164).
    pub phones: Vec<String>,
    /// Company name.
    pub company: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Stage.
    pub lifecycle_stage: Option<String>,
    /// Owner's email.
    pub owner: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Custom values.
    pub custom: serde_json::Value,
    /// Errors of this row ("Column: message").
    pub errors: Vec<String>,
}

/// A run's outcome.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ImportResult {
    /// Import id.
    pub id: uuid::Uuid,
    /// `completed` when rows were written, else `uploaded` (nothing written; fix and re-run).
    pub status: String,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// Contacts created.
    pub imported: usize,
    /// Existing contacts updated.
    pub updated: usize,
    /// Rows not imported (invalid rows with skip_invalid, and duplicates with on_duplicate=skip).
    pub skipped: usize,
    /// Rows with errors.
    pub invalid_rows: usize,
    /// Number of errors (the list holds at most 10,000).
    pub error_count: usize,
    /// Errors by row.
    pub errors: Vec<RowError>,
}

/// An import as the API and the wizard show it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ImportView {
    /// Id.
    pub id: uuid::Uuid,
    /// `uploaded`, `completed` or `failed`.
    pub status: String,
    /// File name.
    pub filename: String,
    /// `csv` or `vcf`.
    pub format: String,
    /// Data rows.
    pub row_count: i32,
    /// Uploaded at.
    pub created_at: DateTime<Utc>,
    /// Finished at.
    pub finished_at: Option<DateTime<Utc>>,
    /// Columns with samples and mapping (empty once finished: the file is deleted).
    pub columns: Vec<ColumnView>,
    /// Targets a column may map to.
    pub targets: Vec<TargetChoice>,
    /// The first rows as they would be imported (upload only).
    pub preview: Vec<PreviewRow>,
    /// Errors of the whole file under the suggested mapping (upload only).
    pub errors: Vec<RowError>,
    /// Number of errors.
    pub error_count: usize,
    /// The last run's result.
    pub result: Option<ImportResult>,
    /// Why the current mapping cannot import (e.g. no name or email column).
    pub mapping_problem: Option<String>,
}

/// The mapping stored with the upload (or ignore-all when it no longer fits).
pub fn stored_mapping(report: &serde_json::Value, rules: &Rules, columns: usize) -> Vec<Target> {
    let keys: Vec<String> = rules.custom.iter().map(|c| c.key.clone()).collect();
    let names = report["mapping"].as_array().cloned().unwrap_or_default();
    let mapping: Vec<Target> = names
        .iter()
        .map(|n| {
            n.as_str()
                .and_then(|s| Target::parse(s, &keys))
                .unwrap_or(Target::Ignore)
        })
        .collect();
    if mapping.len() == columns {
        mapping
    } else {
        vec![Target::Ignore; columns]
    }
}

fn preview(plan: &Plan, table: &Table, rules: &Rules) -> Vec<PreviewRow> {
    let by_row = errors_by_row(&plan.errors);
    table
        .rows
        .iter()
        .take(PREVIEW_ROWS)
        .map(|(row, _)| {
            let draft = plan.drafts.iter().find(|d| d.row == *row);
            let action = plan.actions.get(row).copied().unwrap_or(RowAction::Invalid);
            PreviewRow {
                row: *row,
                action,
                display_name: draft.map(|d| d.display_name()).unwrap_or_default(),
                emails: draft.map(|d| d.emails.clone()).unwrap_or_default(),
                phones: draft
                    .map(|d| d.phones.iter().map(|p| p.0.clone()).collect())
                    .unwrap_or_default(),
                company: draft.and_then(|d| d.company.clone().or_else(|| d.company_domain.clone())),
                title: draft.and_then(|d| d.title.clone()),
                lifecycle_stage: draft.and_then(|d| d.lifecycle.map(|l| l.as_str().to_owned())),
                owner: draft.and_then(|d| owner_email(rules, d.owner)),
                tags: draft.map(|d| d.tags.clone()).unwrap_or_default(),
                custom: draft
                    .map(|d| serde_json::Value::Object(d.custom.clone()))
                    .unwrap_or_default(),
                errors: by_row.get(row).cloned().unwrap_or_default(),
            }
        })
        .collect()
}

/// Builds the view; `plan` is present right after an upload.
pub fn import_view(
    record: ImportRecord,
    table: &Table,
    mapping: &[Target],
    rules: &Rules,
    plan: Option<&Plan>,
) -> ImportView {
    let columns = table
        .headers
        .iter()
        .enumerate()
        .map(|(i, name)| ColumnView {
            name: name.clone(),
            samples: table
                .rows
                .iter()
                .filter_map(|(_, cells)| cells.get(i).map(|c| c.trim()).filter(|c| !c.is_empty()))
                .take(3)
                .map(|c| c.chars().take(80).collect())
                .collect(),
            target: mapping.get(i).map_or_else(|| "ignore".into(), Target::name),
        })
        .collect();
    let mut targets: Vec<TargetChoice> = Target::FIXED
        .iter()
        .map(|t| TargetChoice {
            value: t.name(),
            label: String::new(),
        })
        .collect();
    targets.extend(rules.custom.iter().map(|c| TargetChoice {
        value: format!("custom.{}", c.key),
        label: c.label.clone(),
    }));
    let result: Option<ImportResult> = serde_json::from_value(record.report["result"].clone()).ok();
    ImportView {
        id: record.id.as_uuid(),
        status: record.status,
        filename: record.filename,
        format: record.format,
        row_count: record.row_count,
        created_at: record.created_at,
        finished_at: record.finished_at,
        columns,
        targets,
        preview: plan.map(|p| preview(p, table, rules)).unwrap_or_default(),
        errors: plan
            .map(|p| p.errors.iter().take(MAX_REPORTED_ERRORS).cloned().collect())
            .unwrap_or_default(),
        error_count: plan.map_or(0, |p| p.errors.len()),
        result,
        mapping_problem: None,
    }
}
