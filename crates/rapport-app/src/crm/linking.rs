//! Contact–company links: auto-linking a contact to the company whose domain matches its work
//! email (never for free-mail domains), optionally creating that company, and the
//! `company.linked` / `company.unlinked` timeline entries on both records.

use crate::authz::Actor;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use rapport_domain::crm::{CompanyDomain, RecordType};
use rapport_domain::{CompanyId, ContactId, Email, EventKind};
use rapport_store::repo::activities::{self, NewActivity};
use rapport_store::repo::companies::{self, CompanyData};
use rapport_store::repo::contacts::{CompanyLink, ContactData};
use rapport_store::{ConnectionTrait, OrgScope, outbox};
use serde_json::json;

/// Timeline kind of a new contact–company link (not an audit action).
const LINKED: &str = "company.linked";
/// Timeline kind of a removed link.
const UNLINKED: &str = "company.unlinked";

/// A company name from its domain: `acme-labs.com` → `Acme-labs`.
fn name_from_domain(domain: &str) -> String {
    let label = domain.split('.').next().unwrap_or(domain);
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => domain.to_owned(),
    }
}

/// The work domains of `emails` and the company owning each, if any. Read before the write
/// transaction opens: on SQLite a transaction that reads first and writes later fails when a
/// background job wrote in between (WAL snapshot), so use cases write first.
pub(super) async fn domains_of(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    emails: &[String],
) -> AppResult<Vec<(CompanyDomain, Option<CompanyId>)>> {
    let mut out: Vec<(CompanyDomain, Option<CompanyId>)> = Vec::new();
    for raw in emails {
        let Some(domain) = Email::parse(raw)
            .ok()
            .and_then(|e| CompanyDomain::of_work_email(&e))
        else {
            continue;
        };
        if out.iter().any(|(d, _)| *d == domain) {
            continue;
        }
        let found = companies::find_company_by_domain(db, scope, domain.as_str()).await?;
        out.push((domain, found));
    }
    Ok(out)
}

/// Links `data` to the companies found by [`domains_of`]. With `create`, a domain no company
/// has yet becomes a new company (written in `db`, the caller's transaction). Returns the
/// companies it created, for the caller's events.
pub(super) async fn link_by_domain(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    actor: &Actor,
    data: &mut ContactData,
    found: &[(CompanyDomain, Option<CompanyId>)],
    create: bool,
    now: DateTime<Utc>,
) -> AppResult<Vec<CompanyId>> {
    let mut created = Vec::new();
    for (domain, owner) in found {
        let company = match owner {
            Some(id) => *id,
            None if create => {
                let id = CompanyId::new();
                let company = CompanyData {
                    name: name_from_domain(domain.as_str()),
                    domains: vec![domain.as_str().to_owned()],
                    ..Default::default()
                };
                companies::insert(db, scope, id, &company, Some(actor.user_id), now).await?;
                activities::append(
                    db,
                    scope,
                    &[NewActivity {
                        record: (RecordType::Company, id.as_uuid()),
                        kind: "company.created",
                        actor: Some(actor.user_id),
                        subject: None,
                        data: json!({ "name": company.name, "from_domain": domain.as_str() }),
                        at: now,
                    }],
                )
                .await?;
                outbox::record(
                    db,
                    scope,
                    EventKind::CompanyCreated,
                    json!({ "company_id": id }),
                    now,
                )
                .await?;
                created.push(id);
                id
            }
            None => continue,
        };
        if !data.companies.iter().any(|l| l.company_id == company) {
            let is_primary = data.companies.is_empty();
            data.companies.push(CompanyLink {
                company_id: company,
                is_primary,
                role: None,
            });
        }
    }
    Ok(created)
}

/// Timeline entries for links added and removed, on the contact's and each company's
/// timeline.
pub(super) async fn record_link_changes(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    actor: &Actor,
    contact: (ContactId, &str),
    before: &[CompanyLink],
    after: &[CompanyLink],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let added: Vec<CompanyId> = after
        .iter()
        .filter(|a| !before.iter().any(|b| b.company_id == a.company_id))
        .map(|a| a.company_id)
        .collect();
    let removed: Vec<CompanyId> = before
        .iter()
        .filter(|b| !after.iter().any(|a| a.company_id == b.company_id))
        .map(|b| b.company_id)
        .collect();
    if added.is_empty() && removed.is_empty() {
        return Ok(());
    }
    let ids: Vec<CompanyId> = added.iter().chain(removed.iter()).copied().collect();
    let names = companies::get_many(db, scope, &ids).await?;
    let name_of = |id: CompanyId| {
        names
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.data.name.clone())
            .unwrap_or_default()
    };
    let mut entries = Vec::new();
    for (kind, list) in [(LINKED, &added), (UNLINKED, &removed)] {
        for id in list {
            entries.push(NewActivity {
                record: (RecordType::Contact, contact.0.as_uuid()),
                kind,
                actor: Some(actor.user_id),
                subject: Some(("company", id.as_uuid())),
                data: json!({ "company_id": id, "company": name_of(*id) }),
                at: now,
            });
            entries.push(NewActivity {
                record: (RecordType::Company, id.as_uuid()),
                kind,
                actor: Some(actor.user_id),
                subject: Some(("contact", contact.0.as_uuid())),
                data: json!({ "contact_id": contact.0, "contact": contact.1 }),
                at: now,
            });
        }
    }
    activities::append(db, scope, &entries).await?;
    Ok(())
}
