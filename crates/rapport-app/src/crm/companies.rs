//! Company use cases: read (with linked contacts), create, change (PATCH semantics) and
//! delete, with normalized domains (`https://www.Acme.com/` → `acme.com`, unique per org) and
//! phones, timeline entries and outbox events.

use super::input::{CustomInput, Issues, apply_custom, opt_text, text};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::crm::phone::is_region;
use rapport_domain::crm::{CompanyDomain, Phone, RecordType};
use rapport_domain::{CompanyId, EventKind, Permission, UserId};
use rapport_store::outbox;
use rapport_store::repo::activities::{self, NewActivity};
use rapport_store::repo::companies::{self, CompanyData, CompanyRecord, LinkedContact};
use rapport_store::repo::{contacts, custom_fields};
use serde_json::{Value, json};

/// Most contacts a company page or `?include=contacts` lists.
pub const LINKED_CONTACTS_SHOWN: u64 = 200;

/// A company to create, or the changes to one (absent members keep their value; for
/// `Option<Option<_>>` members, `Some(None)` clears).
#[derive(Debug, Clone, Default)]
pub struct CompanyPatch {
    /// Name.
    pub name: Option<String>,
    /// Domains or website addresses, the primary first (replaces the list).
    pub domains: Option<Vec<String>>,
    /// Industry.
    pub industry: Option<Option<String>>,
    /// Size band.
    pub size: Option<Option<String>>,
    /// Main phone.
    pub phone: Option<Option<String>>,
    /// Street address.
    pub street: Option<Option<String>>,
    /// City.
    pub city: Option<Option<String>>,
    /// State or region.
    pub region: Option<Option<String>>,
    /// Postal code.
    pub postal_code: Option<Option<String>>,
    /// ISO 3166 alpha-2 country.
    pub country: Option<Option<String>>,
    /// Owner (an org member).
    pub owner_id: Option<Option<UserId>>,
    /// Custom values by key (merged).
    pub custom: Option<CustomInput>,
}

fn apply(
    issues: &mut Issues,
    d: &mut CompanyData,
    p: &CompanyPatch,
    defs: &[rapport_store::repo::custom_fields::CustomFieldRecord],
    phone_region: Option<&str>,
    creating: bool,
) {
    if let Some(v) = &p.name {
        d.name = text(issues, "name", v, 200);
    }
    if d.name.is_empty() && !issues.has("name") {
        issues.push("name", "must not be empty");
    }
    if let Some(list) = &p.domains {
        let mut out: Vec<String> = Vec::new();
        if list.len() > 20 {
            issues.push("domains", "at most 20 domains");
        }
        for raw in list.iter().take(20).filter(|r| !r.trim().is_empty()) {
            match CompanyDomain::parse(raw) {
                Ok(dom) if out.iter().any(|x| x == dom.as_str()) => {}
                Ok(dom) => out.push(dom.as_str().to_owned()),
                Err(e) => {
                    let shown: String = raw.trim().chars().take(80).collect();
                    issues.push(
                        "domains",
                        format!("\"{shown}\": {}", super::input::reason(&e)),
                    );
                }
            }
        }
        d.domains = out;
    }
    // (field, stored value, sent value, most characters)
    type Slot<'a> = (
        &'a str,
        &'a mut Option<String>,
        &'a Option<Option<String>>,
        usize,
    );
    let fields: [Slot<'_>; 6] = [
        ("industry", &mut d.industry, &p.industry, 100),
        ("size", &mut d.size, &p.size, 32),
        ("street", &mut d.street, &p.street, 200),
        ("city", &mut d.city, &p.city, 100),
        ("region", &mut d.region, &p.region, 100),
        ("postal_code", &mut d.postal_code, &p.postal_code, 32),
    ];
    for (field, slot, value, max) in fields {
        if let Some(v) = value {
            *slot = opt_text(issues, field, v.as_deref(), max);
        }
    }
    if let Some(v) = &p.phone {
        d.phone = match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(raw) => issues
                .check("phone", Phone::parse(raw, phone_region))
                .map(|n| n.e164().to_owned()),
            None => None,
        };
    }
    if let Some(v) = &p.country {
        d.country = match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(c) if is_region(&c.to_ascii_uppercase()) => Some(c.to_ascii_uppercase()),
            Some(_) => {
                issues.push("country", "use a two-letter country code such as US or DE");
                None
            }
            None => None,
        };
    }
    if let Some(v) = p.owner_id {
        d.owner_id = v;
    }
    if let Some(custom) = &p.custom {
        d.custom = apply_custom(issues, defs, &d.custom, custom, phone_region, creating);
    } else if creating {
        d.custom = apply_custom(
            issues,
            defs,
            &d.custom,
            &CustomInput::new(),
            phone_region,
            true,
        );
    }
}

fn opt(v: &Option<String>) -> Value {
    v.as_ref().map_or(Value::Null, |s| json!(s))
}

fn changes(old: &CompanyData, new: &CompanyData) -> Vec<(String, Value, Value)> {
    let mut out = Vec::new();
    let mut diff = |field: &str, a: Value, b: Value| {
        if a != b {
            out.push((field.to_owned(), a, b));
        }
    };
    diff("name", json!(old.name), json!(new.name));
    diff("domains", json!(old.domains), json!(new.domains));
    for (f, a, b) in [
        ("industry", &old.industry, &new.industry),
        ("size", &old.size, &new.size),
        ("phone", &old.phone, &new.phone),
        ("street", &old.street, &new.street),
        ("city", &old.city, &new.city),
        ("region", &old.region, &new.region),
        ("postal_code", &old.postal_code, &new.postal_code),
        ("country", &old.country, &new.country),
    ] {
        diff(f, opt(a), opt(b));
    }
    diff("owner_id", json!(old.owner_id), json!(new.owner_id));
    let keys: std::collections::BTreeSet<&String> =
        old.custom.keys().chain(new.custom.keys()).collect();
    for k in keys {
        diff(
            &format!("custom.{k}"),
            old.custom.get(k).cloned().unwrap_or(Value::Null),
            new.custom.get(k).cloned().unwrap_or(Value::Null),
        );
    }
    out
}

impl App {
    /// One company.
    pub async fn company(&self, actor: &Actor, id: CompanyId) -> AppResult<CompanyRecord> {
        actor.require(Permission::ContactsRead)?;
        Ok(companies::get(self.db().conn(), actor.scope(), id).await?)
    }

    /// The contacts linked to a company (at most [`LINKED_CONTACTS_SHOWN`]).
    pub async fn company_contacts(
        &self,
        actor: &Actor,
        id: CompanyId,
    ) -> AppResult<Vec<LinkedContact>> {
        actor.require(Permission::ContactsRead)?;
        Ok(
            companies::linked_contacts(self.db().conn(), actor.scope(), id, LINKED_CONTACTS_SHOWN)
                .await?,
        )
    }

    /// Company names for a picker (the first `limit` alphabetically).
    pub async fn company_choices(
        &self,
        actor: &Actor,
        limit: u64,
    ) -> AppResult<Vec<(CompanyId, String)>> {
        actor.require(Permission::ContactsRead)?;
        Ok(companies::choices(self.db().conn(), actor.scope(), limit).await?)
    }

    async fn validate_company(
        &self,
        actor: &Actor,
        me: Option<CompanyId>,
        data: &mut CompanyData,
        patch: &CompanyPatch,
        creating: bool,
    ) -> AppResult<()> {
        let scope = actor.scope();
        let conn = self.db().conn();
        let region = self.phone_region(scope).await?;
        let defs = custom_fields::list(conn, scope, Some(RecordType::Company)).await?;
        let mut issues = Issues::default();
        apply(&mut issues, data, patch, &defs, region.as_deref(), creating);
        if let Some(owner) = data.owner_id
            && !contacts::is_member(conn, scope, owner).await?
        {
            issues.push(
                "owner_id",
                "the owner must be a member of this organization",
            );
        }
        if let Some((domain, _)) = companies::domain_owners(conn, scope, &data.domains)
            .await?
            .into_iter()
            .find(|(_, owner)| Some(*owner) != me)
        {
            return Err(AppError::Conflict(format!(
                "another company already has the domain {domain}"
            )));
        }
        issues.finish()
    }

    /// Creates a company (needs `contacts.write`).
    pub async fn create_company(
        &self,
        actor: &Actor,
        input: &CompanyPatch,
    ) -> AppResult<CompanyRecord> {
        actor.require(Permission::ContactsWrite)?;
        let mut data = CompanyData::default();
        self.validate_company(actor, None, &mut data, input, true)
            .await?;
        let (scope, now, id) = (actor.scope(), self.clock().now(), CompanyId::new());
        let txn = self.db().begin().await?;
        companies::insert(&txn, scope, id, &data, Some(actor.user_id), now)
            .await
            .map_err(domain_taken)?;
        activities::append(
            &txn,
            scope,
            &[NewActivity {
                record: (RecordType::Company, id.as_uuid()),
                kind: "company.created",
                actor: Some(actor.user_id),
                subject: None,
                data: json!({ "name": data.name }),
                at: now,
            }],
        )
        .await?;
        outbox::record(
            &txn,
            scope,
            EventKind::CompanyCreated,
            json!({ "company_id": id }),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(companies::get(self.db().conn(), scope, id).await?)
    }

    /// Changes a company (needs `contacts.write`): only the members present change.
    pub async fn update_company(
        &self,
        actor: &Actor,
        id: CompanyId,
        patch: &CompanyPatch,
    ) -> AppResult<CompanyRecord> {
        actor.require(Permission::ContactsWrite)?;
        let scope = actor.scope();
        let before = companies::get(self.db().conn(), scope, id).await?;
        let mut data = before.data.clone();
        self.validate_company(actor, Some(id), &mut data, patch, false)
            .await?;
        let changed = changes(&before.data, &data);
        if changed.is_empty() {
            return Ok(before);
        }
        let now = self.clock().now();
        let txn = self.db().begin().await?;
        companies::update(&txn, scope, id, &data, now)
            .await
            .map_err(domain_taken)?;
        let entries: Vec<NewActivity> = changed
            .iter()
            .map(|(field, old, new)| NewActivity {
                record: (RecordType::Company, id.as_uuid()),
                kind: "field.changed",
                actor: Some(actor.user_id),
                subject: None,
                data: json!({ "field": field, "old": old, "new": new }),
                at: now,
            })
            .collect();
        activities::append(&txn, scope, &entries).await?;
        let fields: Vec<&String> = changed.iter().map(|(f, _, _)| f).collect();
        outbox::record(
            &txn,
            scope,
            EventKind::CompanyUpdated,
            json!({ "company_id": id, "fields": fields }),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(companies::get(self.db().conn(), scope, id).await?)
    }

    /// Deletes a company, its domains, its contact links and its timeline (needs
    /// `contacts.write`). Its contacts stay.
    pub async fn delete_company(&self, actor: &Actor, id: CompanyId) -> AppResult<()> {
        actor.require(Permission::ContactsWrite)?;
        let (scope, now) = (actor.scope(), self.clock().now());
        let txn = self.db().begin().await?;
        companies::delete(&txn, scope, id).await?;
        activities::delete_for_record(&txn, scope, (RecordType::Company, id.as_uuid())).await?;
        super::notes::delete_record_work(&txn, scope, (RecordType::Company, id.as_uuid())).await?;
        activities::delete_for_subject(&txn, scope, id.as_uuid()).await?;
        outbox::record(
            &txn,
            scope,
            EventKind::CompanyDeleted,
            json!({ "company_id": id }),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}

fn domain_taken(e: rapport_store::StoreError) -> AppError {
    match e {
        rapport_store::StoreError::Conflict(_) => {
            AppError::Conflict("another company already has one of these domains".into())
        }
        other => other.into(),
    }
}
