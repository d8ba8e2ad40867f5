//! Reads for duplicate detection, the merge screen and vCard export: contacts with their emails,
//! phones, tags and company name, pairs of contacts sharing a phone number, and the name rows
//! the app compares (name similarity is decided in Rust: accent folding is not portable SQL).

use super::raw::stmt;
use crate::error::StoreResult;
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// Most contacts compared by name in one scan.
const MAX_SCAN: u64 = 200_000;

/// A contact with everything the merge screen and a vCard show.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContactSummary {
    /// Id.
    pub id: Uuid,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Display name.
    pub display_name: String,
    /// Title.
    pub title: Option<String>,
    /// Primary company.
    pub company_id: Option<Uuid>,
    /// Its name.
    pub company_name: Option<String>,
    /// Owner.
    pub owner_id: Option<Uuid>,
    /// Stage.
    pub lifecycle_stage: String,
    /// Source.
    pub source: Option<String>,
    /// Avatar.
    pub avatar_url: Option<String>,
    /// Primary email.
    pub primary_email: Option<String>,
    /// Primary phone.
    pub primary_phone: Option<String>,
    /// Custom values.
    pub custom: serde_json::Value,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Emails, primary first.
    pub emails: Vec<String>,
    /// Phones (E.164), primary first.
    pub phones: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
}

fn summary(r: &sea_orm::QueryResult) -> StoreResult<ContactSummary> {
    Ok(ContactSummary {
        id: r.try_get("", "id")?,
        first_name: r.try_get("", "first_name")?,
        last_name: r.try_get("", "last_name")?,
        display_name: r.try_get("", "display_name")?,
        title: r.try_get("", "title")?,
        company_id: r.try_get("", "company_id")?,
        company_name: r.try_get("", "company_name")?,
        owner_id: r.try_get("", "owner_id")?,
        lifecycle_stage: r.try_get("", "lifecycle_stage")?,
        source: r.try_get("", "source")?,
        avatar_url: r.try_get("", "avatar_url")?,
        primary_email: r.try_get("", "primary_email")?,
        primary_phone: r.try_get("", "primary_phone")?,
        custom: r.try_get("", "custom")?,
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
        ..ContactSummary::default()
    })
}

fn marks(from: usize, n: usize) -> String {
    (0..n)
        .map(|i| format!("${}", from + i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Contacts by id (missing or foreign ids are left out), in the order of `ids`; with no ids,
/// the org's contacts (at most `limit`), newest first.
pub async fn summaries(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    ids: &[Uuid],
    limit: u64,
) -> StoreResult<Vec<ContactSummary>> {
    let base = "SELECT c.id, c.first_name, c.last_name, c.display_name, c.title, c.company_id, \
        co.name AS company_name, c.owner_id, c.lifecycle_stage, c.source, c.avatar_url, \
        c.primary_email, c.primary_phone, c.custom, c.created_at, c.updated_at \
        FROM contacts c LEFT JOIN companies co ON co.id = c.company_id WHERE c.org_id = $1";
    let mut out = Vec::new();
    let mut batches: Vec<(String, Vec<Value>)> = Vec::new();
    if ids.is_empty() {
        let values = vec![scope.uuid().into(), (limit as i64).into()];
        batches.push((
            format!("{base} ORDER BY c.created_at DESC, c.id DESC LIMIT $2"),
            values,
        ));
    }
    for chunk in ids.chunks(500) {
        let mut values: Vec<Value> = vec![scope.uuid().into()];
        values.extend(chunk.iter().map(|i| Value::from(*i)));
        batches.push((
            format!("{base} AND c.id IN ({})", marks(2, chunk.len())),
            values,
        ));
    }
    for (sql, values) in batches {
        for r in db.query_all_raw(stmt(db, &sql, values)).await? {
            out.push(summary(&r)?);
        }
    }
    if !ids.is_empty() {
        out.sort_by_key(|c| ids.iter().position(|i| *i == c.id));
    }
    let index: HashMap<Uuid, usize> = out.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    for chunk in out.iter().map(|c| c.id).collect::<Vec<_>>().chunks(500) {
        let mut values: Vec<Value> = vec![scope.uuid().into()];
        values.extend(chunk.iter().map(|i| Value::from(*i)));
        let m = marks(2, chunk.len());
        let queries = [
            format!(
                "SELECT contact_id, email AS v, is_primary FROM contact_emails WHERE org_id = $1 AND contact_id IN ({m}) ORDER BY email"
            ),
            format!(
                "SELECT contact_id, e164 AS v, is_primary FROM contact_phones WHERE org_id = $1 AND contact_id IN ({m}) ORDER BY e164"
            ),
            format!(
                "SELECT contact_id, tag AS v, false AS is_primary FROM contact_tags WHERE org_id = $1 AND contact_id IN ({m}) ORDER BY tag"
            ),
        ];
        for (kind, sql) in queries.iter().enumerate() {
            for r in db.query_all_raw(stmt(db, sql, values.clone())).await? {
                let id: Uuid = r.try_get("", "contact_id")?;
                let v: String = r.try_get("", "v")?;
                let primary: bool = r.try_get("", "is_primary")?;
                let Some(c) = index.get(&id).and_then(|i| out.get_mut(*i)) else {
                    continue;
                };
                let list = match kind {
                    0 => &mut c.emails,
                    1 => &mut c.phones,
                    _ => &mut c.tags,
                };
                if primary {
                    list.insert(0, v)
                } else {
                    list.push(v)
                }
            }
        }
    }
    Ok(out)
}

/// Pairs of contacts sharing a phone number: (a, b, E.164) with a < b.
pub async fn phone_pairs(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    limit: u64,
) -> StoreResult<Vec<(Uuid, Uuid, String)>> {
    let rows = db
        .query_all_raw(stmt(
            db,
            "SELECT p1.contact_id AS a, p2.contact_id AS b, p1.e164 FROM contact_phones p1 \
             JOIN contact_phones p2 ON p2.org_id = p1.org_id AND p2.e164 = p1.e164 \
               AND p2.contact_id > p1.contact_id \
             WHERE p1.org_id = $1 ORDER BY p1.e164 LIMIT $2",
            vec![scope.uuid().into(), (limit as i64).into()],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("", "a")?,
                r.try_get("", "b")?,
                r.try_get("", "e164")?,
            ))
        })
        .collect()
}

/// What name comparison needs of each contact.
#[derive(Debug, Clone, PartialEq)]
pub struct NameRow {
    /// Id.
    pub id: Uuid,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Primary company.
    pub company_id: Option<Uuid>,
    /// Primary email.
    pub primary_email: Option<String>,
}

/// The org's contacts' names (the most recent 200,000).
pub async fn name_rows(db: &impl ConnectionTrait, scope: OrgScope) -> StoreResult<Vec<NameRow>> {
    let rows = db
        .query_all_raw(stmt(
            db,
            "SELECT id, first_name, last_name, company_id, primary_email FROM contacts \
             WHERE org_id = $1 ORDER BY created_at DESC LIMIT $2",
            vec![scope.uuid().into(), (MAX_SCAN as i64).into()],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(NameRow {
                id: r.try_get("", "id")?,
                first_name: r.try_get("", "first_name")?,
                last_name: r.try_get("", "last_name")?,
                company_id: r.try_get("", "company_id")?,
                primary_email: r.try_get("", "primary_email")?,
            })
        })
        .collect()
}
