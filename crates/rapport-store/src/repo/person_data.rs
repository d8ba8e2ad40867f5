//! Every row that belongs to one person, found through the data map (`rapport-privacy`): for
//! each table linked to the person's kind, one statement whose condition follows the table's
//! links (a column naming them, a tagged record reference, a row of another table that is
//! theirs, or one that points here). Values come back as JSON, typed by the map's kinds, so
//! the same code reads every table on both databases.
//!
//! Scoped to one org: a table with an `org_id` column is read for the scope's org only, and a
//! table without one (accounts are global) only for the person's own account row.

use super::raw::stmt;
use crate::error::StoreResult;
use crate::scope::OrgScope;
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use rapport_privacy::{Column, Kind, Link, Subject, Table};
use sea_orm::{ConnectionTrait, QueryResult, Value};
use serde_json::{Map, Value as Json};

/// The rows of one table that are the person's.
#[derive(Debug, Clone)]
pub struct TableRows {
    /// The table, as the map describes it.
    pub table: &'static Table,
    /// The rows, each an object of the exported columns.
    pub rows: Vec<Map<String, Json>>,
}

/// Who: a contact or a user, by id, with their email addresses (for rows that name them by
/// address, such as an invitation).
#[derive(Debug, Clone)]
pub struct Person {
    /// Their kind.
    pub subject: Subject,
    /// Their id.
    pub id: uuid::Uuid,
    /// Their email addresses, lowercased.
    pub emails: Vec<String>,
}

/// Every table's rows of `person` in the scoped org, in map order; tables with no row of
/// theirs are left out.
pub async fn collect(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    person: &Person,
) -> StoreResult<Vec<TableRows>> {
    let mut out = Vec::new();
    for table in rapport_privacy::tables() {
        let mut values: Vec<Value> = vec![scope.uuid().into(), person.id.into()];
        let Some(condition) = condition(table, person, &mut values, 0) else {
            continue;
        };
        let columns: Vec<&Column> = table.columns.iter().filter(|c| c.is_exported()).collect();
        let list = columns
            .iter()
            .map(|c| format!("\"{}\"", c.name))
            .collect::<Vec<_>>()
            .join(", ");
        let order = if table.column("id").is_some() {
            " ORDER BY id"
        } else {
            ""
        };
        let sql = format!("SELECT {list} FROM {} WHERE {condition}{order}", table.name);
        let rows = db.query_all_raw(stmt(db, &sql, values)).await?;
        if rows.is_empty() {
            continue;
        }
        let rows = rows
            .iter()
            .map(|r| row_json(r, &columns))
            .collect::<StoreResult<Vec<_>>>()?;
        out.push(TableRows { table, rows });
    }
    Ok(out)
}

/// The `WHERE` condition that picks `person`'s rows of `table` (`$1` is the org, `$2` the
/// person's id; further values are appended), or `None` when the table holds none of theirs.
fn condition(
    table: &Table,
    person: &Person,
    values: &mut Vec<Value>,
    depth: usize,
) -> Option<String> {
    // The map's own test proves every chain ends; the bound keeps a mistake from recursing.
    if depth > 6 {
        return None;
    }
    let scoped = table.column("org_id").is_some();
    let mut ors = Vec::new();
    for link in table.links_to(person.subject) {
        let clause = match link.link {
            Link::Itself => Some("id = $2".to_owned()),
            Link::Column(c) => Some(format!("{c} = {}", id_param(table, c, person, values))),
            Link::EmailIn(c) if !person.emails.is_empty() => {
                let mut marks = Vec::new();
                for e in &person.emails {
                    values.push(e.clone().into());
                    marks.push(format!("${}", values.len()));
                }
                Some(format!("{c} IN ({})", marks.join(", ")))
            }
            Link::EmailIn(_) => None,
            Link::Tagged {
                column,
                tag_column,
                tag,
            } => {
                values.push(tag.into());
                let tag_at = values.len();
                let id = id_param(table, column, person, values);
                Some(format!("({tag_column} = ${tag_at} AND {column} = {id})"))
            }
            Link::TaggedVia {
                column,
                tag_column,
                tag,
                table: to,
            } => rapport_privacy::table(to).and_then(|to| {
                values.push(tag.into());
                let tag_at = values.len();
                let inner = condition(to, person, values, depth + 1)?;
                Some(format!(
                    "({tag_column} = ${tag_at} AND {column} IN (SELECT id FROM {} WHERE {inner}))",
                    to.name
                ))
            }),
            Link::Via { column, table: to } => rapport_privacy::table(to)
                .and_then(|to| Some((to.name, condition(to, person, values, depth + 1)?)))
                .map(|(to, inner)| format!("{column} IN (SELECT id FROM {to} WHERE {inner})")),
            Link::ReferencedBy { table: by, column } => rapport_privacy::table(by)
                .and_then(|by| Some((by.name, condition(by, person, values, depth + 1)?)))
                .map(|(by, inner)| format!("id IN (SELECT {column} FROM {by} WHERE {inner})")),
        };
        // A global table (no org) is read only for the person's own row.
        if scoped || link.link == Link::Itself {
            ors.extend(clause);
        }
    }
    if ors.is_empty() {
        return None;
    }
    let any = format!("({})", ors.join(" OR "));
    Some(if scoped {
        format!("org_id = $1 AND {any}")
    } else {
        any
    })
}

/// The placeholder for the person's id compared with `column`: `$2` (a UUID), or the id as
/// text for a column that keeps ids as text (the audit log's targets).
fn id_param(table: &Table, column: &str, person: &Person, values: &mut Vec<Value>) -> String {
    if table.column(column).map(Column::kind) == Some(Kind::Text) {
        values.push(person.id.to_string().into());
        format!("${}", values.len())
    } else {
        "$2".to_owned()
    }
}

fn row_json(row: &QueryResult, columns: &[&Column]) -> StoreResult<Map<String, Json>> {
    let mut out = Map::new();
    for c in columns {
        out.insert(c.name.to_owned(), value(row, c.name, c.kind())?);
    }
    Ok(out)
}

/// One value as JSON, read as its kind (PostgreSQL's integers come in three widths).
fn value(row: &QueryResult, name: &str, kind: Kind) -> StoreResult<Json> {
    Ok(match kind {
        Kind::Uuid => json(
            row.try_get::<Option<uuid::Uuid>>("", name)?
                .map(|u| u.to_string()),
        ),
        Kind::Time => json(
            row.try_get::<Option<DateTime<Utc>>>("", name)?
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
        ),
        Kind::Date => json(
            row.try_get::<Option<NaiveDate>>("", name)?
                .map(|d| d.to_string()),
        ),
        Kind::Bool => json(row.try_get::<Option<bool>>("", name)?),
        Kind::Int => {
            if let Ok(v) = row.try_get::<Option<i64>>("", name) {
                json(v)
            } else if let Ok(v) = row.try_get::<Option<i32>>("", name) {
                json(v)
            } else {
                json(row.try_get::<Option<i16>>("", name)?)
            }
        }
        Kind::Float => json(row.try_get::<Option<f64>>("", name)?),
        Kind::Json => row.try_get::<Option<Json>>("", name)?.unwrap_or(Json::Null),
        Kind::Bytes => json(
            row.try_get::<Option<Vec<u8>>>("", name)?
                .map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
        ),
        Kind::Text => json(row.try_get::<Option<String>>("", name)?),
    })
}

fn json<T: Into<Json>>(v: Option<T>) -> Json {
    v.map_or(Json::Null, Into::into)
}
