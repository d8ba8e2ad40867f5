//! Contact use cases: read, create, change (PATCH semantics) and delete, with normalization,
//! auto-linking to a company by work-email domain, timeline entries (`contact.created`, one
//! `field.changed` per changed field, `company.linked`) and outbox events.

pub use super::contact_patch::{ContactPatch, IdentityInput, LinkInput, PhoneInput};
use super::contact_patch::{apply, blank, changes};
use super::input::Issues;
use super::linking::{domains_of, link_by_domain, record_link_changes};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use rapport_domain::crm::RecordType;
use rapport_domain::{ContactId, Email, EventKind, Permission};
use rapport_store::repo::activities::{self, NewActivity};
use rapport_store::repo::companies::{self, CompanyRecord};
use rapport_store::repo::contacts::{self, ContactData, ContactRecord};
use rapport_store::repo::{custom_fields, orgs};
use rapport_store::{ConnectionTrait, OrgScope, outbox};
use serde_json::json;

/// Checks what needs the database: the owner is a member, linked companies exist, and no
/// other contact has one of the emails or identities (`Conflict`, naming the value).
async fn check_references(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    issues: &mut Issues,
    me: Option<ContactId>,
    data: &ContactData,
) -> AppResult<()> {
    if let Some(owner) = data.owner_id
        && !contacts::is_member(db, scope, owner).await?
    {
        issues.push(
            "owner_id",
            "the owner must be a member of this organization",
        );
    }
    let ids: Vec<_> = data.companies.iter().map(|l| l.company_id).collect();
    let found = companies::existing(db, scope, &ids).await?;
    if ids.iter().any(|id| !found.contains(id)) {
        issues.push("companies", "no such company in this organization");
    }
    let emails: Vec<String> = data.emails.iter().map(|e| e.email.clone()).collect();
    if let Some((email, _)) = contacts::email_owners(db, scope, &emails)
        .await?
        .into_iter()
        .find(|(_, owner)| Some(*owner) != me)
    {
        return Err(AppError::Conflict(format!(
            "another contact already has the email address {email}"
        )));
    }
    if let Some((i, _)) = contacts::identity_owners(db, scope, &data.identities)
        .await?
        .into_iter()
        .find(|(_, owner)| Some(*owner) != me)
    {
        return Err(AppError::Conflict(format!(
            "another contact already has the {} identity {}",
            i.channel, i.identifier
        )));
    }
    Ok(())
}

fn email_taken(e: rapport_store::StoreError) -> AppError {
    match e {
        // A concurrent write took an email or identity between the check and the insert.
        rapport_store::StoreError::Conflict(_) => AppError::Conflict(
            "another contact already has one of these email addresses or identities".into(),
        ),
        other => other.into(),
    }
}

fn activity(
    id: ContactId,
    actor: &Actor,
    kind: &'static str,
    data: serde_json::Value,
    at: DateTime<Utc>,
) -> NewActivity {
    NewActivity {
        record: (RecordType::Contact, id.as_uuid()),
        kind,
        actor: Some(actor.user_id),
        subject: None,
        data,
        at,
    }
}

impl App {
    /// The org's default phone region (`US`), if set.
    pub(crate) async fn phone_region(&self, scope: OrgScope) -> AppResult<Option<String>> {
        Ok(orgs::get(self.db().conn(), scope).await?.default_country)
    }

    /// One contact with everything its detail page shows.
    pub async fn contact(&self, actor: &Actor, id: ContactId) -> AppResult<ContactRecord> {
        actor.require(Permission::ContactsRead)?;
        Ok(contacts::get(self.db().conn(), actor.scope(), id).await?)
    }

    /// The companies a contact is linked to, the primary first.
    pub async fn contact_companies(
        &self,
        actor: &Actor,
        contact: &ContactRecord,
    ) -> AppResult<Vec<CompanyRecord>> {
        actor.require(Permission::ContactsRead)?;
        let ids: Vec<_> = contact
            .data
            .companies
            .iter()
            .map(|l| l.company_id)
            .collect();
        Ok(companies::get_many(self.db().conn(), actor.scope(), &ids).await?)
    }

    /// The contact with this email address, if any.
    pub async fn find_contact_by_email(
        &self,
        actor: &Actor,
        email: &str,
    ) -> AppResult<Option<ContactRecord>> {
        actor.require(Permission::ContactsRead)?;
        let email = Email::parse(email)?;
        let scope = actor.scope();
        match contacts::find_by_email(self.db().conn(), scope, email.as_str()).await? {
            Some(id) => Ok(Some(contacts::get(self.db().conn(), scope, id).await?)),
            None => Ok(None),
        }
    }

    /// Creates a contact (needs `contacts.write`). Without an explicit company it is linked
    /// to the company owning its work email's domain (created first when
    /// `create_company_from_domain` is set).
    pub async fn create_contact(
        &self,
        actor: &Actor,
        input: &ContactPatch,
    ) -> AppResult<ContactRecord> {
        actor.require(Permission::ContactsWrite)?;
        let scope = actor.scope();
        let conn = self.db().conn();
        let region = self.phone_region(scope).await?;
        let defs = custom_fields::list(conn, scope, Some(RecordType::Contact)).await?;
        let mut issues = Issues::default();
        let mut data = blank();
        apply(
            &mut issues,
            &mut data,
            input,
            &defs,
            region.as_deref(),
            true,
        );
        check_references(conn, scope, &mut issues, None, &data).await?;
        issues.finish()?;

        let id = ContactId::new();
        let now = self.clock().now();
        let explicit_company = input.company_id.is_some() || input.companies.is_some();
        let found = if explicit_company {
            Vec::new()
        } else {
            let emails: Vec<String> = data.emails.iter().map(|e| e.email.clone()).collect();
            domains_of(conn, scope, &emails).await?
        };
        let txn = self.db().begin().await?;
        let created_companies = link_by_domain(
            &txn,
            scope,
            actor,
            &mut data,
            &found,
            input.create_company_from_domain,
            now,
        )
        .await?;
        contacts::insert(&txn, scope, id, &data, Some(actor.user_id), now)
            .await
            .map_err(email_taken)?;
        activities::append(
            &txn,
            scope,
            &[activity(
                id,
                actor,
                "contact.created",
                json!({ "name": data.display_name() }),
                now,
            )],
        )
        .await?;
        record_link_changes(
            &txn,
            scope,
            actor,
            (id, &data.display_name()),
            &[],
            &data.companies,
            now,
        )
        .await?;
        outbox::record(
            &txn,
            scope,
            EventKind::ContactCreated,
            json!({ "contact_id": id, "companies_created": created_companies }),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(contacts::get(conn, scope, id).await?)
    }

    /// Changes a contact (needs `contacts.write`): only the members present in `patch`
    /// change. A new work email links the contact to its domain's company.
    pub async fn update_contact(
        &self,
        actor: &Actor,
        id: ContactId,
        patch: &ContactPatch,
    ) -> AppResult<ContactRecord> {
        actor.require(Permission::ContactsWrite)?;
        let scope = actor.scope();
        let conn = self.db().conn();
        let before = contacts::get(conn, scope, id).await?;
        let region = self.phone_region(scope).await?;
        let defs = custom_fields::list(conn, scope, Some(RecordType::Contact)).await?;
        let mut issues = Issues::default();
        let mut data = before.data.clone();
        apply(
            &mut issues,
            &mut data,
            patch,
            &defs,
            region.as_deref(),
            false,
        );
        check_references(conn, scope, &mut issues, Some(id), &data).await?;
        issues.finish()?;

        let now = self.clock().now();
        let new_emails: Vec<String> = data
            .emails
            .iter()
            .filter(|e| !before.data.emails.iter().any(|b| b.email == e.email))
            .map(|e| e.email.clone())
            .collect();
        let explicit_company = patch.company_id.is_some() || patch.companies.is_some();
        let found = if explicit_company {
            Vec::new()
        } else {
            domains_of(conn, scope, &new_emails).await?
        };
        let txn = self.db().begin().await?;
        link_by_domain(
            &txn,
            scope,
            actor,
            &mut data,
            &found,
            patch.create_company_from_domain,
            now,
        )
        .await?;
        let changed = changes(&before.data, &data);
        let links_changed = before.data.companies != data.companies;
        if changed.is_empty() && !links_changed {
            return Ok(before);
        }
        contacts::update(&txn, scope, id, &data, now)
            .await
            .map_err(email_taken)?;
        let entries: Vec<NewActivity> = changed
            .iter()
            .map(|(field, old, new)| {
                activity(
                    id,
                    actor,
                    "field.changed",
                    json!({ "field": field, "old": old, "new": new }),
                    now,
                )
            })
            .collect();
        activities::append(&txn, scope, &entries).await?;
        record_link_changes(
            &txn,
            scope,
            actor,
            (id, &data.display_name()),
            &before.data.companies,
            &data.companies,
            now,
        )
        .await?;
        let fields: Vec<&String> = changed.iter().map(|(f, _, _)| f).collect();
        outbox::record(
            &txn,
            scope,
            EventKind::ContactUpdated,
            json!({ "contact_id": id, "fields": fields }),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(contacts::get(conn, scope, id).await?)
    }

    /// Deletes a contact with its emails, phones, identities, tags, company links and its
    /// whole timeline (needs `contacts.write`).
    pub async fn delete_contact(&self, actor: &Actor, id: ContactId) -> AppResult<()> {
        actor.require(Permission::ContactsWrite)?;
        let scope = actor.scope();
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        // A legal hold (promise D4) keeps the contact and everything of theirs.
        if rapport_store::repo::retention::contact_held(&txn, scope, id.as_uuid()).await? {
            contacts::get(&txn, scope, id).await?;
            return Err(AppError::Conflict(
                "this contact is under a legal hold; release the hold to delete them".into(),
            ));
        }
        contacts::delete(&txn, scope, id).await?;
        activities::delete_for_record(&txn, scope, (RecordType::Contact, id.as_uuid())).await?;
        super::notes::delete_record_work(&txn, scope, (RecordType::Contact, id.as_uuid())).await?;
        // Entries about the contact on its companies' timelines name a person who is gone.
        activities::delete_for_subject(&txn, scope, id.as_uuid()).await?;
        outbox::record(
            &txn,
            scope,
            EventKind::ContactDeleted,
            json!({ "contact_id": id }),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
