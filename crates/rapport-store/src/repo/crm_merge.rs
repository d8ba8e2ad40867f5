//! Merging two contacts, inside the caller's transaction: the survivor takes the chosen field
//! values and every row that points at the other contact (emails, phones, channel identities,
//! tags, company links, deal links, notes, task links, timeline); rows the survivor already has
//! (same phone, tag, company, deal or task) are dropped instead of moved, so no unique key is
//! violated; then the other contact is deleted.

use super::activities;
use super::raw::stmt;
use crate::error::{StoreError, StoreResult};
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::crm::RecordType;
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

/// The survivor's fields after the merge.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MergedFields {
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
    /// Owner.
    pub owner_id: Option<Uuid>,
    /// Stage.
    pub lifecycle_stage: String,
    /// Source.
    pub source: Option<String>,
    /// Avatar.
    pub avatar_url: Option<String>,
    /// Primary email (one of the two contacts' emails).
    pub primary_email: Option<String>,
    /// Primary phone.
    pub primary_phone: Option<String>,
    /// Custom values.
    pub custom: serde_json::Value,
}

/// Rows moved, by table (for the timeline entry).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Moved {
    /// Emails.
    pub emails: u64,
    /// Phones.
    pub phones: u64,
    /// Deal links.
    pub deals: u64,
    /// Notes.
    pub notes: u64,
    /// Task links.
    pub tasks: u64,
    /// Timeline entries.
    pub activities: u64,
}

/// Merges `merged` into `survivor`.
pub async fn merge(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    survivor: Uuid,
    merged: Uuid,
    fields: &MergedFields,
    now: DateTime<Utc>,
) -> StoreResult<Moved> {
    let org = scope.uuid();
    let run = |sql: &str, values: Vec<Value>| {
        let s = stmt(db, sql, values);
        async move { db.execute_raw(s).await.map(|r| r.rows_affected()) }
    };
    let pair = || -> Vec<Value> { vec![survivor.into(), org.into(), merged.into()] };
    // Every email is unique in the org, so emails and identities move without conflict.
    let emails = run(
        "UPDATE contact_emails SET contact_id = $1, is_primary = CASE WHEN email = $4 THEN true ELSE false END WHERE org_id = $2 AND contact_id = $3",
        vec![survivor.into(), org.into(), merged.into(), fields.primary_email.clone().into()],
    )
    .await?;
    run(
        "UPDATE contact_emails SET is_primary = CASE WHEN email = $3 THEN true ELSE false END WHERE org_id = $1 AND contact_id = $2",
        vec![org.into(), survivor.into(), fields.primary_email.clone().into()],
    )
    .await?;
    run(
        "UPDATE contact_identities SET contact_id = $1 WHERE org_id = $2 AND contact_id = $3",
        pair(),
    )
    .await?;
    let phones = run(
        "UPDATE contact_phones SET contact_id = $1, is_primary = $4 WHERE org_id = $2 AND contact_id = $3 \
         AND e164 NOT IN (SELECT e164 FROM contact_phones WHERE contact_id = $1)",
        vec![survivor.into(), org.into(), merged.into(), false.into()],
    )
    .await?;
    run(
        "UPDATE contact_phones SET is_primary = CASE WHEN e164 = $3 THEN true ELSE false END WHERE org_id = $1 AND contact_id = $2",
        vec![org.into(), survivor.into(), fields.primary_phone.clone().into()],
    )
    .await?;
    run(
        "UPDATE contact_tags SET contact_id = $1 WHERE org_id = $2 AND contact_id = $3 \
         AND tag NOT IN (SELECT tag FROM contact_tags WHERE contact_id = $1)",
        pair(),
    )
    .await?;
    run(
        "UPDATE contact_companies SET contact_id = $1 WHERE org_id = $2 AND contact_id = $3 \
         AND company_id NOT IN (SELECT company_id FROM contact_companies WHERE contact_id = $1)",
        pair(),
    )
    .await?;
    run(
        "UPDATE contact_companies SET is_primary = CASE WHEN company_id = $3 THEN true ELSE false END WHERE org_id = $1 AND contact_id = $2",
        vec![org.into(), survivor.into(), fields.company_id.into()],
    )
    .await?;
    let deals = run(
        "UPDATE deal_contacts SET contact_id = $1 WHERE org_id = $2 AND contact_id = $3 \
         AND deal_id NOT IN (SELECT deal_id FROM deal_contacts WHERE contact_id = $1)",
        pair(),
    )
    .await?;
    let notes = run(
        "UPDATE notes SET record_id = $1 WHERE org_id = $2 AND record_type = 'contact' AND record_id = $3",
        pair(),
    )
    .await?;
    let tasks = run(
        "UPDATE task_links SET record_id = $1 WHERE org_id = $2 AND record_type = 'contact' AND record_id = $3 \
         AND task_id NOT IN (SELECT task_id FROM task_links WHERE record_type = 'contact' AND record_id = $1)",
        pair(),
    )
    .await?;
    // Task links are not foreign keys to contacts: the survivor's duplicates go by hand.
    run(
        "DELETE FROM task_links WHERE org_id = $1 AND record_type = 'contact' AND record_id = $2",
        vec![org.into(), merged.into()],
    )
    .await?;
    let activities = activities::reassign(db, scope, RecordType::Contact, merged, survivor).await?;
    let sql = "UPDATE contacts SET first_name = $1, last_name = $2, display_name = $3, title = $4, \
        company_id = $5, owner_id = $6, lifecycle_stage = $7, source = $8, avatar_url = $9, \
        primary_email = $10, primary_phone = $11, custom = $12, updated_at = $13 \
        WHERE org_id = $14 AND id = $15";
    let updated = run(
        sql,
        vec![
            fields.first_name.clone().into(),
            fields.last_name.clone().into(),
            fields.display_name.clone().into(),
            fields.title.clone().into(),
            fields.company_id.into(),
            fields.owner_id.into(),
            fields.lifecycle_stage.clone().into(),
            fields.source.clone().into(),
            fields.avatar_url.clone().into(),
            fields.primary_email.clone().into(),
            fields.primary_phone.clone().into(),
            fields.custom.clone().into(),
            now.into(),
            org.into(),
            survivor.into(),
        ],
    )
    .await?;
    // The merged contact's remaining rows (duplicates of the survivor's) cascade with it.
    let deleted = run(
        "DELETE FROM contacts WHERE org_id = $1 AND id = $2",
        vec![org.into(), merged.into()],
    )
    .await?;
    if updated == 0 || deleted == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(Moved {
        emails,
        phones,
        deals,
        notes,
        tasks,
        activities,
    })
}
