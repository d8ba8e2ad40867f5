//! The contact form's values: read from a stored contact or from a submitted form, and turned
//! into the use case's [`ContactPatch`].

use super::custom_from_form;
use crate::ui::admin::{Fields, parse_id};
use rapport_app::crm::contacts::{ContactPatch, IdentityInput, PhoneInput};
use rapport_app::records::ContactRecord;
use rapport_domain::{CompanyId, UserId};
use std::collections::BTreeMap;

/// Social networks the form offers (the API takes any).
pub const NETWORKS: [&str; 5] = ["linkedin", "twitter", "facebook", "instagram", "github"];

/// What the form shows: a stored contact, or what was typed.
#[derive(Debug, Default)]
pub struct ContactFormValues {
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    pub(crate) title: String,
    pub(crate) avatar_url: String,
    pub(crate) source: String,
    pub(crate) stage: String,
    pub(crate) owner: String,
    pub(crate) company: String,
    pub(crate) emails: Vec<String>,
    pub(crate) phones: Vec<(String, String)>,
    pub(crate) identities: Vec<(String, String)>,
    pub(crate) tags: String,
    pub(crate) social: BTreeMap<String, String>,
    pub(crate) consent_marketing: bool,
    pub(crate) consent_ai: bool,
    pub(crate) create_company: bool,
}

impl ContactFormValues {
    /// The stored contact.
    pub(crate) fn of(c: &ContactRecord) -> Self {
        let d = &c.data;
        Self {
            first_name: d.first_name.clone(),
            last_name: d.last_name.clone(),
            title: d.title.clone().unwrap_or_default(),
            avatar_url: d.avatar_url.clone().unwrap_or_default(),
            source: d.source.clone().unwrap_or_default(),
            stage: d.lifecycle_stage.as_str().to_owned(),
            owner: d.owner_id.map(|u| u.to_string()).unwrap_or_default(),
            company: d
                .primary_company()
                .map(|c| c.to_string())
                .unwrap_or_default(),
            emails: d.emails.iter().map(|e| e.email.clone()).collect(),
            phones: d
                .phones
                .iter()
                .map(|p| (p.raw.clone(), p.label.clone().unwrap_or_default()))
                .collect(),
            identities: d
                .identities
                .iter()
                .map(|i| (i.channel.clone(), i.identifier.clone()))
                .collect(),
            tags: d.tags.join(", "),
            social: d
                .social
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect(),
            consent_marketing: d.consent_marketing,
            consent_ai: d.consent_ai,
            create_company: false,
        }
    }

    /// What was typed into the form.
    pub(crate) fn typed(f: &Fields) -> Self {
        let pairs = |a: &str, b: &str| -> Vec<(String, String)> {
            let (xs, ys) = (f.all(a), f.all(b));
            xs.into_iter()
                .enumerate()
                .map(|(i, x)| (x, ys.get(i).cloned().unwrap_or_default()))
                .collect()
        };
        Self {
            first_name: f.get("first_name").to_owned(),
            last_name: f.get("last_name").to_owned(),
            title: f.get("title").to_owned(),
            avatar_url: f.get("avatar_url").to_owned(),
            source: f.get("source").to_owned(),
            stage: f.get("lifecycle_stage").to_owned(),
            owner: f.get("owner_id").to_owned(),
            company: f.get("company_id").to_owned(),
            emails: f
                .all("emails")
                .into_iter()
                .filter(|e| !e.trim().is_empty())
                .collect(),
            phones: pairs("phone_number", "phone_label")
                .into_iter()
                .filter(|(n, _)| !n.trim().is_empty())
                .collect(),
            identities: pairs("identity_channel", "identity_identifier")
                .into_iter()
                .filter(|(c, i)| !c.trim().is_empty() || !i.trim().is_empty())
                .collect(),
            tags: f.get("tags").to_owned(),
            social: NETWORKS
                .iter()
                .map(|n| ((*n).to_owned(), f.get(&format!("social.{n}")).to_owned()))
                .collect(),
            consent_marketing: !f.get("consent_marketing").is_empty(),
            consent_ai: !f.get("consent_ai").is_empty(),
            create_company: !f.get("create_company_from_domain").is_empty(),
        }
    }

    /// The use case's input: the form is the whole contact, so every member is sent.
    pub(crate) fn patch(
        &self,
        f: &Fields,
        custom: &[rapport_app::records::CustomFieldRecord],
        had_company: bool,
    ) -> ContactPatch {
        let opt = |s: &str| Some(Some(s.to_owned()).filter(|s| !s.trim().is_empty()));
        let company_id = match self.company.trim() {
            "" if had_company => Some(None),
            "" => None,
            raw => Some(Some(parse_id::<CompanyId>(raw).unwrap_or_default())),
        };
        let owner_id = match self.owner.trim() {
            "" => Some(None),
            raw => Some(Some(parse_id::<UserId>(raw).unwrap_or_default())),
        };
        ContactPatch {
            first_name: Some(self.first_name.clone()),
            last_name: Some(self.last_name.clone()),
            title: opt(&self.title),
            owner_id,
            lifecycle_stage: Some(self.stage.clone()).filter(|s| !s.is_empty()),
            source: opt(&self.source),
            avatar_url: opt(&self.avatar_url),
            emails: Some(self.emails.clone()),
            phones: Some(
                self.phones
                    .iter()
                    .map(|(n, l)| PhoneInput {
                        number: n.clone(),
                        label: Some(l.clone()).filter(|l| !l.trim().is_empty()),
                    })
                    .collect(),
            ),
            identities: Some(
                self.identities
                    .iter()
                    .map(|(c, i)| IdentityInput {
                        channel: c.clone(),
                        identifier: i.clone(),
                    })
                    .collect(),
            ),
            tags: Some(
                self.tags
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
            company_id,
            companies: None,
            social: Some(
                self.social
                    .iter()
                    .map(|(k, v)| (k.clone(), Some(v.clone())))
                    .collect(),
            ),
            custom: Some(custom_from_form(custom, &f.0)),
            consent_marketing: Some(self.consent_marketing),
            consent_ai: Some(self.consent_ai),
            create_company_from_domain: self.create_company,
        }
    }
}
