//! The writes of one import, all inside the caller's transaction: new companies, new contacts
//! with their emails, phones, tags and company links (multi-row inserts), and updates of existing
//! contacts matched by email (one statement set per contact: updates are the exception).

use super::{CHILD_BATCH, CONTACT_BATCH, bulk_insert, stmt};
use crate::error::StoreResult;
use crate::scope::OrgScope;
use chrono::{DateTime, Utc};
use rapport_domain::UserId;
use sea_orm::{ConnectionTrait, DbBackend, Value};
use uuid::Uuid;

const NOTHING: &str = "ON CONFLICT DO NOTHING";

/// A company an import creates (named in a row, not found in the org).
#[derive(Debug, Clone)]
pub struct NewCompany {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Normalized web domain.
    pub domain: Option<String>,
}

/// A contact an import creates, already validated and normalized.
#[derive(Debug, Clone, Default)]
pub struct NewContact {
    /// Id (UUIDv7: sequential keys keep the primary-key index cheap).
    pub id: Uuid,
    /// First name (may be empty).
    pub first_name: String,
    /// Last name (may be empty).
    pub last_name: String,
    /// "First Last", or the primary email.
    pub display_name: String,
    /// Job title.
    pub title: Option<String>,
    /// Primary company.
    pub company_id: Option<Uuid>,
    /// Owner.
    pub owner_id: Option<UserId>,
    /// Lifecycle stage name.
    pub lifecycle_stage: String,
    /// Source.
    pub source: Option<String>,
    /// Lowercase emails, the primary first.
    pub emails: Vec<String>,
    /// (E.164, as typed), the primary first.
    pub phones: Vec<(String, String)>,
    /// Tags.
    pub tags: Vec<String>,
    /// Validated custom values (a JSON object).
    pub custom: serde_json::Value,
}

/// Changes to an existing contact matched by email: `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct ContactUpdate {
    /// The contact.
    pub id: Uuid,
    /// New first name.
    pub first_name: Option<String>,
    /// New last name.
    pub last_name: Option<String>,
    /// New title.
    pub title: Option<String>,
    /// New primary company.
    pub company_id: Option<Uuid>,
    /// New owner.
    pub owner_id: Option<UserId>,
    /// New stage.
    pub lifecycle_stage: Option<String>,
    /// New source.
    pub source: Option<String>,
    /// Emails to add (not yet anyone's).
    pub emails: Vec<String>,
    /// Phones to add.
    pub phones: Vec<(String, String)>,
    /// Tags to add.
    pub tags: Vec<String>,
    /// Custom values to set (others are kept).
    pub custom: serde_json::Map<String, serde_json::Value>,
}

/// Creates companies (and their domains, unless another company already has the domain).
pub async fn insert_companies(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    companies: &[NewCompany],
    by: UserId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let org = scope.uuid();
    let rows = companies
        .iter()
        .map(|c| {
            vec![
                c.id.into(),
                org.into(),
                c.name.clone().into(),
                c.domain.clone().into(),
                serde_json::json!({}).into(),
                by.as_uuid().into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
    let cols = [
        "id",
        "org_id",
        "name",
        "domain",
        "custom",
        "created_by",
        "created_at",
        "updated_at",
    ];
    bulk_insert(db, "companies", &cols, rows, CHILD_BATCH, "").await?;
    let domains = companies
        .iter()
        .filter_map(|c| {
            c.domain
                .as_ref()
                .map(|d| vec![org.into(), c.id.into(), d.clone().into()])
        })
        .collect();
    bulk_insert(
        db,
        "company_domains",
        &["org_id", "company_id", "domain"],
        domains,
        CHILD_BATCH,
        NOTHING,
    )
    .await
}

fn child_rows(org: Uuid, contacts: &[NewContact], now: DateTime<Utc>) -> [Vec<Vec<Value>>; 4] {
    let (mut emails, mut phones, mut tags, mut links) = (vec![], vec![], vec![], vec![]);
    for c in contacts {
        for (i, e) in c.emails.iter().enumerate() {
            emails.push(vec![
                org.into(),
                c.id.into(),
                e.clone().into(),
                (i == 0).into(),
            ]);
        }
        for (i, (e164, raw)) in c.phones.iter().enumerate() {
            phones.push(vec![
                org.into(),
                c.id.into(),
                e164.clone().into(),
                raw.clone().into(),
                (i == 0).into(),
            ]);
        }
        for t in &c.tags {
            tags.push(vec![org.into(), c.id.into(), t.clone().into()]);
        }
        if let Some(company) = c.company_id {
            links.push(vec![
                org.into(),
                c.id.into(),
                company.into(),
                true.into(),
                now.into(),
            ]);
        }
    }
    [emails, phones, tags, links]
}

/// Creates contacts with their emails, phones, tags and primary company links.
pub async fn insert_contacts(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    contacts: &[NewContact],
    by: UserId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let org = scope.uuid();
    let social = serde_json::json!({});
    let rows = contacts
        .iter()
        .map(|c| {
            vec![
                c.id.into(),
                org.into(),
                c.first_name.clone().into(),
                c.last_name.clone().into(),
                c.display_name.clone().into(),
                c.title.clone().into(),
                c.company_id.into(),
                c.owner_id.map(|u| u.as_uuid()).into(),
                c.lifecycle_stage.clone().into(),
                c.source.clone().into(),
                c.emails.first().cloned().into(),
                c.phones.first().map(|p| p.0.clone()).into(),
                social.clone().into(),
                c.custom.clone().into(),
                false.into(),
                true.into(),
                by.as_uuid().into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
    let cols = [
        "id",
        "org_id",
        "first_name",
        "last_name",
        "display_name",
        "title",
        "company_id",
        "owner_id",
        "lifecycle_stage",
        "source",
        "primary_email",
        "primary_phone",
        "social",
        "custom",
        "consent_marketing",
        "consent_ai",
        "created_by",
        "created_at",
        "updated_at",
    ];
    bulk_insert(db, "contacts", &cols, rows, CONTACT_BATCH, "").await?;
    let [emails, phones, tags, links] = child_rows(org, contacts, now);
    let email_cols = ["org_id", "contact_id", "email", "is_primary"];
    bulk_insert(db, "contact_emails", &email_cols, emails, CHILD_BATCH, "").await?;
    let phone_cols = ["org_id", "contact_id", "e164", "raw", "is_primary"];
    bulk_insert(
        db,
        "contact_phones",
        &phone_cols,
        phones,
        CHILD_BATCH,
        NOTHING,
    )
    .await?;
    let tag_cols = ["org_id", "contact_id", "tag"];
    bulk_insert(db, "contact_tags", &tag_cols, tags, CHILD_BATCH, NOTHING).await?;
    let link_cols = [
        "org_id",
        "contact_id",
        "company_id",
        "is_primary",
        "created_at",
    ];
    bulk_insert(
        db,
        "contact_companies",
        &link_cols,
        links,
        CHILD_BATCH,
        NOTHING,
    )
    .await
}

/// Applies one update (the contact was matched by email and the user chose "update").
pub async fn update_contact(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    u: &ContactUpdate,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let org = scope.uuid();
    let merge = if db.get_database_backend() == DbBackend::Postgres {
        "custom || $9"
    } else {
        "json_patch(custom, $9)"
    };
    // The display name follows the (possibly new) names; it keeps the stored one when both
    // names end up empty (it is then the contact's email).
    let sql = format!(
        "UPDATE contacts SET first_name = COALESCE($1, first_name), \
         last_name = COALESCE($2, last_name), \
         display_name = CASE WHEN TRIM(COALESCE($1, first_name) || ' ' || COALESCE($2, last_name)) = '' \
           THEN display_name ELSE TRIM(COALESCE($1, first_name) || ' ' || COALESCE($2, last_name)) END, \
         title = COALESCE($3, title), company_id = COALESCE($4, company_id), \
         owner_id = COALESCE($5, owner_id), lifecycle_stage = COALESCE($6, lifecycle_stage), \
         source = COALESCE($7, source), primary_email = COALESCE(primary_email, $8), \
         custom = {merge}, primary_phone = COALESCE(primary_phone, $10), updated_at = $11 \
         WHERE org_id = $12 AND id = $13"
    );
    let values: Vec<Value> = vec![
        u.first_name.clone().into(),
        u.last_name.clone().into(),
        u.title.clone().into(),
        u.company_id.into(),
        u.owner_id.map(|o| o.as_uuid()).into(),
        u.lifecycle_stage.clone().into(),
        u.source.clone().into(),
        u.emails.first().cloned().into(),
        serde_json::Value::Object(u.custom.clone()).into(),
        u.phones.first().map(|p| p.0.clone()).into(),
        now.into(),
        org.into(),
        u.id.into(),
    ];
    db.execute_raw(stmt(db, &sql, values)).await?;
    if let Some(company) = u.company_id {
        db.execute_raw(stmt(
            db,
            "UPDATE contact_companies SET is_primary = $1 WHERE org_id = $2 AND contact_id = $3",
            vec![false.into(), org.into(), u.id.into()],
        ))
        .await?;
        db.execute_raw(stmt(
            db,
            "INSERT INTO contact_companies (org_id, contact_id, company_id, is_primary, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (contact_id, company_id) DO UPDATE SET is_primary = $4",
            vec![org.into(), u.id.into(), company.into(), true.into(), now.into()],
        ))
        .await?;
    }
    let new = NewContact {
        id: u.id,
        emails: u.emails.clone(),
        phones: u.phones.clone(),
        tags: u.tags.clone(),
        ..NewContact::default()
    };
    let [emails, phones, tags, _] = child_rows(org, std::slice::from_ref(&new), now);
    // Added addresses are secondary: the contact keeps its primary.
    let emails = emails
        .into_iter()
        .map(|mut r| {
            r[3] = false.into();
            r
        })
        .collect();
    let phones = phones
        .into_iter()
        .map(|mut r| {
            r[4] = false.into();
            r
        })
        .collect();
    bulk_insert(
        db,
        "contact_emails",
        &["org_id", "contact_id", "email", "is_primary"],
        emails,
        CHILD_BATCH,
        "",
    )
    .await?;
    bulk_insert(
        db,
        "contact_phones",
        &["org_id", "contact_id", "e164", "raw", "is_primary"],
        phones,
        CHILD_BATCH,
        NOTHING,
    )
    .await?;
    bulk_insert(
        db,
        "contact_tags",
        &["org_id", "contact_id", "tag"],
        tags,
        CHILD_BATCH,
        NOTHING,
    )
    .await
}
