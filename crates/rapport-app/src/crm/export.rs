//! vCard 4.0 export of contacts (one card, or many in one file) for address books and phones.

use super::import::vcard::{self, Card};
use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::{ContactId, Permission};
use rapport_store::repo::crm_dupes::{self, ContactSummary};

/// Most contacts in one export file.
pub const MAX_EXPORT: u64 = 50_000;

fn card_of(c: ContactSummary) -> Card {
    Card {
        uid: format!("urn:uuid:{}", c.id),
        formatted: c.display_name,
        given: c.first_name,
        family: c.last_name,
        emails: c.emails,
        phones: c.phones,
        org: c.company_name.unwrap_or_default(),
        title: c.title.unwrap_or_default(),
        note: String::new(),
    }
}

impl App {
    /// One contact as a vCard: (file name, text) (needs `data.export`).
    pub async fn contact_vcard(&self, actor: &Actor, id: ContactId) -> AppResult<(String, String)> {
        actor.require(Permission::DataExport)?;
        let contact = crm_dupes::summaries(self.db().conn(), actor.scope(), &[id.as_uuid()], 0)
            .await?
            .pop()
            .ok_or(AppError::NotFound)?;
        let name: String = contact
            .display_name
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '-' })
            .collect();
        let mut out = String::new();
        vcard::write(&card_of(contact), &mut out);
        Ok((format!("{}.vcf", name.trim_matches('-')), out))
    }

    /// Several contacts (all, newest first, when `ids` is empty) as one vCard file (needs
    /// `data.export`). Ids of other orgs are left out.
    pub async fn contacts_vcards(&self, actor: &Actor, ids: &[ContactId]) -> AppResult<String> {
        actor.require(Permission::DataExport)?;
        if ids.len() as u64 > MAX_EXPORT {
            return Err(AppError::InvalidInput(vec![(
                "ids".into(),
                format!("at most {MAX_EXPORT} contacts"),
            )]));
        }
        let ids: Vec<uuid::Uuid> = ids.iter().map(|i| i.as_uuid()).collect();
        let mut out = String::new();
        for c in crm_dupes::summaries(self.db().conn(), actor.scope(), &ids, MAX_EXPORT).await? {
            vcard::write(&card_of(c), &mut out);
        }
        Ok(out)
    }
}
