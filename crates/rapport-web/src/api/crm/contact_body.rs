//! The JSON a client sends to create or change a contact, and its translation into the use
//! case's [`ContactPatch`].

use super::contacts::Identity;
use super::nullable;
use rapport_app::crm::contacts::{ContactPatch, IdentityInput, LinkInput, PhoneInput};
use rapport_app::crm::input::CustomValue;
use rapport_domain::{CompanyId, UserId};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A phone number to store.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneBody {
    /// As typed; numbers without `+` are read in the org's default country.
    pub number: String,
    /// `mobile`, `work` …
    #[serde(default)]
    pub label: Option<String>,
}

/// A company link to store.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    /// The company.
    pub company_id: uuid::Uuid,
    /// The contact's role there.
    #[serde(default)]
    pub role: Option<String>,
    /// Make it the primary company (the first link is primary otherwise).
    #[serde(default)]
    pub primary: bool,
}

/// A contact to create, or the changes to one. On PATCH, absent members keep their value and
/// `null` clears; lists (`emails`, `phones`, `identities`, `tags`, `companies`) replace the
/// stored list; `social` and `custom` merge by key (`null` removes a key).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    /// Given name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Job title.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    /// Owner (a member's user id).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub owner_id: Option<Option<uuid::Uuid>>,
    /// `subscriber`, `lead` (default), `marketing_qualified`, `sales_qualified`,
    /// `opportunity`, `customer`, `evangelist` or `other`.
    #[serde(default)]
    pub lifecycle_stage: Option<String>,
    /// Where the contact came from.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub source: Option<Option<String>>,
    /// Picture address (https).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub avatar_url: Option<Option<String>>,
    /// Email addresses, the primary first (stored lowercase; unique in the org).
    #[serde(default)]
    pub emails: Option<Vec<String>>,
    /// Phone numbers, the primary first (stored in E.164).
    #[serde(default)]
    pub phones: Option<Vec<PhoneBody>>,
    /// Channel identities.
    #[serde(default)]
    pub identities: Option<Vec<Identity>>,
    /// Tags.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// The primary company (`null` unlinks every company).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub company_id: Option<Option<uuid::Uuid>>,
    /// Company links.
    #[serde(default)]
    pub companies: Option<Vec<LinkBody>>,
    /// Social handles by network (`linkedin`, `twitter` …).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub social: Option<BTreeMap<String, Option<String>>>,
    /// Custom-field values by key, typed per the field (see `/custom-fields`).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Map<String, Value>>,
    /// May receive marketing (default false).
    #[serde(default)]
    pub consent_marketing: Option<bool>,
    /// May be processed by AI features (default true).
    #[serde(default)]
    pub consent_ai: Option<bool>,
    /// Without a company given, a work email links the contact to the company owning its
    /// domain; with this set, such a company is created when none exists.
    #[serde(default)]
    pub create_company_from_domain: bool,
}

impl From<ContactBody> for ContactPatch {
    fn from(b: ContactBody) -> Self {
        Self {
            first_name: b.first_name,
            last_name: b.last_name,
            title: b.title,
            owner_id: b.owner_id.map(|o| o.map(UserId::from_uuid)),
            lifecycle_stage: b.lifecycle_stage,
            source: b.source,
            avatar_url: b.avatar_url,
            emails: b.emails,
            phones: b.phones.map(|ps| {
                ps.into_iter()
                    .map(|p| PhoneInput {
                        number: p.number,
                        label: p.label,
                    })
                    .collect()
            }),
            identities: b.identities.map(|is| {
                is.into_iter()
                    .map(|i| IdentityInput {
                        channel: i.channel,
                        identifier: i.identifier,
                    })
                    .collect()
            }),
            tags: b.tags,
            company_id: b.company_id.map(|c| c.map(CompanyId::from_uuid)),
            companies: b.companies.map(|ls| {
                ls.into_iter()
                    .map(|l| LinkInput {
                        company_id: CompanyId::from_uuid(l.company_id),
                        role: l.role,
                        primary: l.primary,
                    })
                    .collect()
            }),
            social: b.social,
            custom: b.custom.map(|m| {
                m.into_iter()
                    .map(|(k, v)| (k, CustomValue::Json(v)))
                    .collect()
            }),
            consent_marketing: b.consent_marketing,
            consent_ai: b.consent_ai,
            create_company_from_domain: b.create_company_from_domain,
        }
    }
}
