//! CSV and vCard imports: the uploaded file's row (`crm_imports`), the lookups validation needs
//! before any write (custom-field definitions, members by email, contacts by email, companies by
//! name and domain), and the bulk writes of one import.
//!
//! Writes are multi-row `INSERT … VALUES` statements of a fixed batch size (crm-notes.md §3:
//! row-by-row inserts cap at ~20k rows/s on SQLite because of the per-statement round-trip, 500
//! rows per statement reach ~350k). sqlx caches the prepared statement per SQL text, so every
//! full batch reuses one prepared statement; only the last, shorter batch is prepared again.
//! The raw SQL is needed because the contact entities belong to another slice and because
//! SeaORM's `insert_many` builds a fresh, uncached statement per call.

use super::raw::stmt;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::{ImportId, UserId};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use uuid::Uuid;

/// Rows per contacts statement (20 columns → 10,000 parameters, under SQLite's 32,766).
const CONTACT_BATCH: usize = 500;
/// Rows per statement for the narrow child tables.
const CHILD_BATCH: usize = 1000;
/// Addresses per lookup statement.
const LOOKUP_BATCH: usize = 500;

/// An import's stored state (the uploaded content is read separately: it can be 50 MB).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRecord {
    /// Id.
    pub id: ImportId,
    /// `contact`.
    pub object_type: String,
    /// `csv` or `vcf`.
    pub format: String,
    /// The uploaded file's name.
    pub filename: String,
    /// Data rows (CSV) or cards (vCard) in the file.
    pub row_count: i32,
    /// `uploaded`, `completed` or `failed`.
    pub status: String,
    /// Columns, mapping and the last run's result and errors.
    pub report: serde_json::Value,
    /// Who uploaded it.
    pub created_by: UserId,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When the import finished.
    pub finished_at: Option<DateTime<Utc>>,
}

/// Inserts `rows` (each `cols.len()` values) into `table`, `batch` rows per statement.
/// `conflict` is appended verbatim (`ON CONFLICT DO NOTHING` or empty).
pub(crate) async fn bulk_insert(
    db: &impl ConnectionTrait,
    table: &str,
    cols: &[&str],
    rows: Vec<Vec<Value>>,
    batch: usize,
    conflict: &str,
) -> StoreResult<()> {
    let backend = db.get_database_backend();
    let width = cols.len();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(batch).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut n = 0;
        for i in 0..chunk.len() {
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for j in 0..width {
                if j > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                if backend == DbBackend::Postgres {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                } else {
                    sql.push('?');
                }
            }
            sql.push(')');
        }
        sql.push(' ');
        sql.push_str(conflict);
        let values: Vec<Value> = chunk.into_iter().flatten().collect();
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

fn record(row: &sea_orm::QueryResult) -> StoreResult<ImportRecord> {
    Ok(ImportRecord {
        id: ImportId::from_uuid(row.try_get("", "id")?),
        object_type: row.try_get("", "object_type")?,
        format: row.try_get("", "format")?,
        filename: row.try_get("", "filename")?,
        row_count: row.try_get("", "row_count")?,
        status: row.try_get("", "status")?,
        report: row.try_get("", "report")?,
        created_by: UserId::from_uuid(row.try_get("", "created_by")?),
        created_at: row.try_get("", "created_at")?,
        finished_at: row.try_get("", "finished_at")?,
    })
}

/// An upload to store.
#[derive(Debug, Clone)]
pub struct NewImport<'a> {
    /// Id.
    pub id: ImportId,
    /// `contact`.
    pub object_type: &'a str,
    /// `csv` or `vcf`.
    pub format: &'a str,
    /// File name as uploaded.
    pub filename: &'a str,
    /// The file as UTF-8 text.
    pub content: &'a [u8],
    /// Rows or cards.
    pub row_count: i32,
    /// Columns and suggested mapping.
    pub report: serde_json::Value,
    /// Uploader.
    pub created_by: UserId,
    /// Now.
    pub now: DateTime<Utc>,
}

/// Stores an upload with status `uploaded`.
pub async fn insert(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    new: NewImport<'_>,
) -> StoreResult<()> {
    let values = vec![
        new.id.as_uuid().into(),
        scope.uuid().into(),
        new.object_type.into(),
        new.format.into(),
        new.filename.into(),
        new.content.to_vec().into(),
        new.row_count.into(),
        "uploaded".into(),
        new.report.into(),
        new.created_by.as_uuid().into(),
        new.now.into(),
    ];
    db.execute_raw(stmt(
        db,
        "INSERT INTO crm_imports (id, org_id, object_type, format, filename, content, row_count, \
         status, report, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        values,
    ))
    .await?;
    Ok(())
}

/// One import of the org.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: ImportId,
) -> StoreResult<ImportRecord> {
    let row = db
        .query_one_raw(stmt(
            db,
            "SELECT id, object_type, format, filename, row_count, status, report, created_by, \
             created_at, finished_at FROM crm_imports WHERE org_id = $1 AND id = $2",
            vec![scope.uuid().into(), id.as_uuid().into()],
        ))
        .await?
        .ok_or(StoreError::NotFound)?;
    record(&row)
}

/// The uploaded text (empty once the import finished and its content was deleted).
pub async fn content(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: ImportId,
) -> StoreResult<Vec<u8>> {
    let row = db
        .query_one_raw(stmt(
            db,
            "SELECT content FROM crm_imports WHERE org_id = $1 AND id = $2",
            vec![scope.uuid().into(), id.as_uuid().into()],
        ))
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(row.try_get("", "content")?)
}

/// Saves a run's report. A final `status` (`completed`, `failed`) also deletes the uploaded
/// content (it holds personal data and is no record of its own) and stamps `finished_at`.
pub async fn save_report(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    id: ImportId,
    status: &str,
    report: serde_json::Value,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let sql = if status == "uploaded" {
        "UPDATE crm_imports SET status = $1, report = $2 WHERE org_id = $3 AND id = $4"
    } else {
        "UPDATE crm_imports SET status = $1, report = $2, content = $5, finished_at = $6 \
         WHERE org_id = $3 AND id = $4"
    };
    let mut values: Vec<Value> = vec![
        status.into(),
        report.into(),
        scope.uuid().into(),
        id.as_uuid().into(),
    ];
    if status != "uploaded" {
        values.push(Vec::<u8>::new().into());
        values.push(now.into());
    }
    let res = db.execute_raw(stmt(db, sql, values)).await?;
    if res.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Deletes uploads that were never run and were made before `cutoff`, in every org (the
/// retention job). An upload holds personal data and is no record of its own; one the user
/// walked away from must not stay. Returns how many went.
pub async fn delete_abandoned(
    db: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
) -> StoreResult<u64> {
    let res = db
        .execute_raw(stmt(
            db,
            "DELETE FROM crm_imports WHERE status = $1 AND created_at < $2",
            vec!["uploaded".into(), cutoff.into()],
        ))
        .await?;
    Ok(res.rows_affected())
}

/// A custom-field definition as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomFieldRow {
    /// Key.
    pub key: String,
    /// Label.
    pub label: String,
    /// Type name.
    pub field_type: String,
    /// Options (JSON array of `{value, label}`).
    pub options: serde_json::Value,
    /// Currency code of a currency field.
    pub currency: Option<String>,
    /// Required on create.
    pub required: bool,
}

/// The org's custom fields of one object type (`contact`), in display order.
pub async fn custom_fields(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    object_type: &str,
) -> StoreResult<Vec<CustomFieldRow>> {
    let rows = db
        .query_all_raw(stmt(
            db,
            "SELECT key, label, field_type, options, currency, required FROM custom_fields \
             WHERE org_id = $1 AND object_type = $2 ORDER BY position, key",
            vec![scope.uuid().into(), object_type.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(CustomFieldRow {
                key: r.try_get("", "key")?,
                label: r.try_get("", "label")?,
                field_type: r.try_get("", "field_type")?,
                options: r.try_get("", "options")?,
                currency: r.try_get("", "currency")?,
                required: r.try_get("", "required")?,
            })
        })
        .collect()
}

/// The org's members as (lowercase email, user id): owners named in a file by email.
pub async fn member_emails(
    db: &impl ConnectionTrait,
    scope: OrgScope,
) -> StoreResult<Vec<(String, UserId)>> {
    let rows = db
        .query_all_raw(stmt(
            db,
            "SELECT u.email, u.id FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.org_id = $1",
            vec![scope.uuid().into()],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            let email: String = r.try_get("", "email")?;
            Ok((
                email.to_lowercase(),
                UserId::from_uuid(r.try_get("", "id")?),
            ))
        })
        .collect()
}

/// Which of `emails` (normalized) already belong to a contact of the org: (email, contact id).
pub async fn contacts_by_email(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    emails: &[String],
) -> StoreResult<Vec<(String, Uuid)>> {
    let mut out = Vec::new();
    for chunk in emails.chunks(LOOKUP_BATCH) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT email, contact_id FROM contact_emails WHERE org_id = $1 AND email IN ({})",
            marks.join(", ")
        );
        let mut values: Vec<Value> = vec![scope.uuid().into()];
        values.extend(chunk.iter().map(|e| Value::from(e.as_str())));
        for r in db.query_all_raw(stmt(db, &sql, values)).await? {
            out.push((r.try_get("", "email")?, r.try_get("", "contact_id")?));
        }
    }
    Ok(out)
}

/// The org's companies as (id, name) and its company domains as (domain, company id).
pub async fn companies(
    db: &impl ConnectionTrait,
    scope: OrgScope,
) -> StoreResult<(Vec<(Uuid, String)>, Vec<(String, Uuid)>)> {
    let names = db
        .query_all_raw(stmt(
            db,
            "SELECT id, name FROM companies WHERE org_id = $1",
            vec![scope.uuid().into()],
        ))
        .await?
        .iter()
        .map(|r| Ok((r.try_get("", "id")?, r.try_get("", "name")?)))
        .collect::<StoreResult<Vec<_>>>()?;
    let domains = db
        .query_all_raw(stmt(
            db,
            "SELECT domain, company_id FROM company_domains WHERE org_id = $1",
            vec![scope.uuid().into()],
        ))
        .await?
        .iter()
        .map(|r| Ok((r.try_get("", "domain")?, r.try_get("", "company_id")?)))
        .collect::<StoreResult<Vec<_>>>()?;
    Ok((names, domains))
}

#[path = "crm_import_write.rs"]
mod write;
pub use write::{
    ContactUpdate, NewCompany, NewContact, insert_companies, insert_contacts, update_contact,
};
