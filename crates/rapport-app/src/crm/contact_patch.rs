//! A contact as sent (create, or a PATCH where absent members keep their value), its
//! validation into normalized [`ContactData`] (lowercase emails, E.164 phones in the org's
//! default region, sorted tags, custom values per their definitions), and the per-field
//! differences the timeline records.

use super::input::{CustomInput, Issues, apply_custom, opt_text, opt_url, slug_ok, text};
use rapport_domain::crm::{LifecycleStage, Phone};
use rapport_domain::{CompanyId, Email, UserId};
use rapport_store::repo::contacts::{CompanyLink, ContactData, EmailRow, IdentityRow, PhoneRow};
use rapport_store::repo::custom_fields::CustomFieldRecord;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Most emails, phones, identities, company links or social handles per contact.
pub const MAX_ITEMS: usize = 20;
/// Most tags per contact.
pub const MAX_TAGS: usize = 50;

/// A phone number as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhoneInput {
    /// The number (`(415) 555-0132`, `+49 30 1234567`).
    pub number: String,
    /// `mobile`, `work` …
    pub label: Option<String>,
}

/// A channel identity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IdentityInput {
    /// `whatsapp`, `telegram` …
    pub channel: String,
    /// The channel's id for the person.
    pub identifier: String,
}

/// A company link.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkInput {
    /// The company.
    pub company_id: CompanyId,
    /// The contact's role there.
    pub role: Option<String>,
    /// Whether it is the primary company.
    pub primary: bool,
}

/// A contact to create, or the changes to one (absent members keep their value; for
/// `Option<Option<_>>` members, `Some(None)` clears).
#[derive(Debug, Clone, Default)]
pub struct ContactPatch {
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Job title.
    pub title: Option<Option<String>>,
    /// Owner (an org member).
    pub owner_id: Option<Option<UserId>>,
    /// Lifecycle stage name.
    pub lifecycle_stage: Option<String>,
    /// Source.
    pub source: Option<Option<String>>,
    /// Picture address.
    pub avatar_url: Option<Option<String>>,
    /// Emails, the primary first (replaces the list).
    pub emails: Option<Vec<String>>,
    /// Phones, the primary first (replaces the list).
    pub phones: Option<Vec<PhoneInput>>,
    /// Channel identities (replaces the list).
    pub identities: Option<Vec<IdentityInput>>,
    /// Tags (replaces the list).
    pub tags: Option<Vec<String>>,
    /// The primary company (`Some(None)` unlinks every company).
    pub company_id: Option<Option<CompanyId>>,
    /// Company links (replaces the list).
    pub companies: Option<Vec<LinkInput>>,
    /// Social handles by network; `None` or "" removes one.
    pub social: Option<BTreeMap<String, Option<String>>>,
    /// Custom values by key (merged).
    pub custom: Option<CustomInput>,
    /// Marketing consent.
    pub consent_marketing: Option<bool>,
    /// AI-processing consent.
    pub consent_ai: Option<bool>,
    /// Create the company of a work email's domain when none has it yet.
    pub create_company_from_domain: bool,
}

/// A new contact before any input (the schema's defaults).
pub fn blank() -> ContactData {
    ContactData {
        consent_ai: true,
        ..Default::default()
    }
}

fn set_opt(
    issues: &mut Issues,
    field: &str,
    slot: &mut Option<String>,
    v: &Option<Option<String>>,
    max: usize,
) {
    if let Some(v) = v {
        *slot = opt_text(issues, field, v.as_deref(), max);
    }
}

/// Applies `p` to `d`, recording every refused field. Company existence and owner membership
/// need the database and are checked by the caller.
pub fn apply(
    issues: &mut Issues,
    d: &mut ContactData,
    p: &ContactPatch,
    defs: &[CustomFieldRecord],
    region: Option<&str>,
    creating: bool,
) {
    if let Some(v) = &p.first_name {
        d.first_name = text(issues, "first_name", v, 100);
    }
    if let Some(v) = &p.last_name {
        d.last_name = text(issues, "last_name", v, 100);
    }
    set_opt(issues, "title", &mut d.title, &p.title, 200);
    set_opt(issues, "source", &mut d.source, &p.source, 64);
    if let Some(v) = &p.avatar_url {
        d.avatar_url = opt_url(issues, "avatar_url", v.as_deref());
    }
    if let Some(v) = p.owner_id {
        d.owner_id = v;
    }
    if let Some(v) = &p.lifecycle_stage
        && let Some(s) = issues.check("lifecycle_stage", LifecycleStage::parse(v))
    {
        d.lifecycle_stage = s;
    }
    if let Some(list) = &p.emails {
        d.emails = emails(issues, list);
    }
    if let Some(list) = &p.phones {
        d.phones = phones(issues, list, region);
    }
    if let Some(list) = &p.identities {
        d.identities = identities(issues, list);
    }
    if let Some(list) = &p.tags {
        d.tags = tags(issues, list);
    }
    if let Some(list) = &p.companies {
        if list.len() > MAX_ITEMS {
            issues.push("companies", format!("at most {MAX_ITEMS} companies"));
        }
        let primary = list.iter().find(|l| l.primary).map(|l| l.company_id);
        let mut links: Vec<CompanyLink> = Vec::new();
        for l in list.iter().take(MAX_ITEMS) {
            if links.iter().any(|x| x.company_id == l.company_id) {
                continue;
            }
            links.push(CompanyLink {
                company_id: l.company_id,
                is_primary: false,
                role: opt_text(issues, "companies", l.role.as_deref(), 200),
            });
        }
        set_primary(&mut links, primary);
        d.companies = links;
    }
    if let Some(primary) = p.company_id {
        match primary {
            None => d.companies.clear(),
            Some(id) => {
                if !d.companies.iter().any(|l| l.company_id == id) {
                    d.companies.insert(
                        0,
                        CompanyLink {
                            company_id: id,
                            is_primary: true,
                            role: None,
                        },
                    );
                }
                set_primary(&mut d.companies, Some(id));
            }
        }
    }
    if let Some(social) = &p.social {
        for (network, handle) in social {
            if !slug_ok(network, 32) {
                issues.push(
                    "social",
                    format!(
                        "`{}` is not a network name (use lowercase letters such as linkedin)",
                        network.chars().take(40).collect::<String>()
                    ),
                );
                continue;
            }
            match opt_text(issues, "social", handle.as_deref(), 300) {
                Some(h) => {
                    d.social.insert(network.clone(), Value::String(h));
                }
                None => {
                    d.social.remove(network);
                }
            }
        }
        if d.social.len() > MAX_ITEMS {
            issues.push("social", format!("at most {MAX_ITEMS} social handles"));
        }
    }
    if let Some(custom) = &p.custom {
        d.custom = apply_custom(issues, defs, &d.custom, custom, region, creating);
    } else if creating {
        d.custom = apply_custom(issues, defs, &d.custom, &CustomInput::new(), region, true);
    }
    if let Some(v) = p.consent_marketing {
        d.consent_marketing = v;
    }
    if let Some(v) = p.consent_ai {
        d.consent_ai = v;
    }
    if d.display_name().is_empty() && issues.is_empty() {
        issues.push(
            "first_name",
            "give the contact a name, an email address or a phone number",
        );
    }
}

/// Puts the primary link first and marks it (the first link when none is named).
fn set_primary(links: &mut [CompanyLink], primary: Option<CompanyId>) {
    let primary = primary
        .filter(|p| links.iter().any(|l| l.company_id == *p))
        .or(links.first().map(|l| l.company_id));
    for l in links.iter_mut() {
        l.is_primary = Some(l.company_id) == primary;
    }
    links.sort_by_key(|l| !l.is_primary);
}

fn emails(issues: &mut Issues, list: &[String]) -> Vec<EmailRow> {
    if list.len() > MAX_ITEMS {
        issues.push("emails", format!("at most {MAX_ITEMS} email addresses"));
        return Vec::new();
    }
    let mut out: Vec<EmailRow> = Vec::new();
    for raw in list.iter().filter(|r| !r.trim().is_empty()) {
        match Email::parse(raw) {
            Ok(e) if out.iter().any(|x| x.email == e.as_str()) => {}
            Ok(e) => out.push(EmailRow {
                email: e.as_str().to_owned(),
                is_primary: out.is_empty(),
            }),
            Err(err) => {
                let shown: String = raw.trim().chars().take(80).collect();
                issues.push(
                    "emails",
                    format!("\"{shown}\": {}", super::input::reason(&err)),
                );
            }
        }
    }
    out
}

fn phones(issues: &mut Issues, list: &[PhoneInput], region: Option<&str>) -> Vec<PhoneRow> {
    if list.len() > MAX_ITEMS {
        issues.push("phones", format!("at most {MAX_ITEMS} phone numbers"));
        return Vec::new();
    }
    let mut out: Vec<PhoneRow> = Vec::new();
    for p in list.iter().filter(|p| !p.number.trim().is_empty()) {
        match Phone::parse(&p.number, region) {
            Ok(n) if out.iter().any(|x| x.e164 == n.e164()) => {}
            Ok(n) => out.push(PhoneRow {
                e164: n.e164().to_owned(),
                raw: n.raw().to_owned(),
                label: opt_text(issues, "phones", p.label.as_deref(), 32),
                is_primary: out.is_empty(),
            }),
            Err(err) => {
                let shown: String = p.number.trim().chars().take(64).collect();
                issues.push(
                    "phones",
                    format!("\"{shown}\": {}", super::input::reason(&err)),
                );
            }
        }
    }
    out
}

fn identities(issues: &mut Issues, list: &[IdentityInput]) -> Vec<IdentityRow> {
    if list.len() > MAX_ITEMS {
        issues.push("identities", format!("at most {MAX_ITEMS} identities"));
        return Vec::new();
    }
    let mut out: Vec<IdentityRow> = Vec::new();
    for i in list {
        let channel = i.channel.trim().to_lowercase();
        if !slug_ok(&channel, 32) {
            issues.push(
                "identities",
                "a channel is a lowercase name such as whatsapp or telegram",
            );
            continue;
        }
        let Some(identifier) = opt_text(issues, "identities", Some(&i.identifier), 254) else {
            if !issues.has("identities") {
                issues.push(
                    "identities",
                    format!("the {channel} identity needs an identifier"),
                );
            }
            continue;
        };
        let row = IdentityRow {
            channel,
            identifier,
        };
        if !out.contains(&row) {
            out.push(row);
        }
    }
    out
}

fn tags(issues: &mut Issues, list: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in list {
        if let Some(t) = opt_text(issues, "tags", Some(raw), 64)
            && !out.iter().any(|x| x.eq_ignore_ascii_case(&t))
        {
            out.push(t);
        }
    }
    if out.len() > MAX_TAGS {
        issues.push("tags", format!("at most {MAX_TAGS} tags"));
    }
    out.sort_by_key(|t| t.to_lowercase());
    out
}

fn opt(v: &Option<String>) -> Value {
    v.as_ref().map_or(Value::Null, |s| json!(s))
}

/// The fields that differ, as `(field, old, new)`, in a stable order (company links are
/// recorded as `company.linked`/`company.unlinked` instead).
pub fn changes(old: &ContactData, new: &ContactData) -> Vec<(String, Value, Value)> {
    let mut out = Vec::new();
    let mut diff = |field: &str, a: Value, b: Value| {
        if a != b {
            out.push((field.to_owned(), a, b));
        }
    };
    diff("first_name", json!(old.first_name), json!(new.first_name));
    diff("last_name", json!(old.last_name), json!(new.last_name));
    diff("title", opt(&old.title), opt(&new.title));
    diff("owner_id", json!(old.owner_id), json!(new.owner_id));
    diff(
        "lifecycle_stage",
        json!(old.lifecycle_stage),
        json!(new.lifecycle_stage),
    );
    diff("source", opt(&old.source), opt(&new.source));
    diff("avatar_url", opt(&old.avatar_url), opt(&new.avatar_url));
    let emails = |d: &ContactData| json!(d.emails.iter().map(|e| &e.email).collect::<Vec<_>>());
    diff("emails", emails(old), emails(new));
    let phones = |d: &ContactData| json!(d.phones.iter().map(|p| &p.e164).collect::<Vec<_>>());
    diff("phones", phones(old), phones(new));
    let ids = |d: &ContactData| {
        json!(
            d.identities
                .iter()
                .map(|i| format!("{}:{}", i.channel, i.identifier))
                .collect::<Vec<_>>()
        )
    };
    diff("identities", ids(old), ids(new));
    diff("tags", json!(old.tags), json!(new.tags));
    diff(
        "social",
        Value::Object(old.social.clone()),
        Value::Object(new.social.clone()),
    );
    diff(
        "consent_marketing",
        json!(old.consent_marketing),
        json!(new.consent_marketing),
    );
    diff("consent_ai", json!(old.consent_ai), json!(new.consent_ai));
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
