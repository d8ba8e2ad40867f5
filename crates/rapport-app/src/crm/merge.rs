//! Merging two contacts into one: per field the user picks whose value wins (by default the
//! most recently updated contact's value when it is not empty), the survivor takes every linked
//! row of the other, and the timeline shows the merge. One transaction.

use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::crm::RecordType;
use rapport_domain::{ContactId, EventKind, Permission};
use rapport_store::outbox;
use rapport_store::repo::activities::{self, NewActivity};
use rapport_store::repo::crm_dupes::{self, ContactSummary};
use rapport_store::repo::crm_merge::{self, MergedFields};
use std::collections::HashMap;

/// The fields a merge chooses between, in the order the merge screen shows them.
pub const MERGE_FIELDS: [&str; 10] = [
    "first_name",
    "last_name",
    "title",
    "company",
    "owner",
    "lifecycle_stage",
    "source",
    "avatar_url",
    "primary_email",
    "primary_phone",
];

/// Which contact a field's value comes from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The contact that stays.
    Survivor,
    /// The contact merged into it (deleted).
    Merged,
}

/// One field of the merge screen.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FieldChoice {
    /// Field name (`title`, `custom.industry`).
    pub field: String,
    /// The survivor's value, as text.
    pub survivor: String,
    /// The other's value, as text.
    pub merged: String,
    /// The default winner.
    pub default: Side,
}

/// Both contacts and the per-field choices.
#[derive(Debug, Clone)]
pub struct MergePreview {
    /// Stays.
    pub survivor: ContactSummary,
    /// Goes.
    pub merged: ContactSummary,
    /// Fields whose values differ.
    pub fields: Vec<FieldChoice>,
}

fn text_of(c: &ContactSummary, field: &str) -> String {
    match field {
        "first_name" => c.first_name.clone(),
        "last_name" => c.last_name.clone(),
        "title" => c.title.clone().unwrap_or_default(),
        "company" => c.company_name.clone().unwrap_or_default(),
        "owner" => c.owner_id.map(|o| o.to_string()).unwrap_or_default(),
        "lifecycle_stage" => c.lifecycle_stage.clone(),
        "source" => c.source.clone().unwrap_or_default(),
        "avatar_url" => c.avatar_url.clone().unwrap_or_default(),
        "primary_email" => c.primary_email.clone().unwrap_or_default(),
        "primary_phone" => c.primary_phone.clone().unwrap_or_default(),
        other => match other.strip_prefix("custom.").map(|k| &c.custom[k]) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(v) => v.to_string(),
        },
    }
}

fn custom_keys(s: &ContactSummary, m: &ContactSummary) -> Vec<String> {
    let mut keys: Vec<String> = [s, m]
        .iter()
        .filter_map(|c| c.custom.as_object())
        .flat_map(|o| o.keys().cloned())
        .collect();
    keys.sort();
    keys.dedup();
    keys.into_iter().map(|k| format!("custom.{k}")).collect()
}

/// The default side: the more recently updated contact's value, unless it is empty.
fn default_side(s: &ContactSummary, m: &ContactSummary, field: &str) -> Side {
    let newer = if m.updated_at > s.updated_at {
        Side::Merged
    } else {
        Side::Survivor
    };
    let (sv, mv) = (text_of(s, field), text_of(m, field));
    match newer {
        Side::Merged if !mv.is_empty() => Side::Merged,
        Side::Survivor if sv.is_empty() && !mv.is_empty() => Side::Merged,
        _ => Side::Survivor,
    }
}

fn choices(s: &ContactSummary, m: &ContactSummary) -> Vec<FieldChoice> {
    MERGE_FIELDS
        .iter()
        .map(|f| (*f).to_owned())
        .chain(custom_keys(s, m))
        .map(|field| FieldChoice {
            survivor: text_of(s, &field),
            merged: text_of(m, &field),
            default: default_side(s, m, &field),
            field,
        })
        .collect()
}

fn resolve(s: &ContactSummary, m: &ContactSummary, picks: &HashMap<String, Side>) -> MergedFields {
    let side = |f: &str| {
        picks
            .get(f)
            .copied()
            .unwrap_or_else(|| default_side(s, m, f))
    };
    let pick = |f: &str| if side(f) == Side::Merged { m } else { s };
    let mut custom = serde_json::Map::new();
    for key in custom_keys(s, m) {
        let value = &pick(&key).custom[&key["custom.".len()..]];
        if !value.is_null() {
            custom.insert(key["custom.".len()..].to_owned(), value.clone());
        }
    }
    let (first, last) = (
        pick("first_name").first_name.clone(),
        pick("last_name").last_name.clone(),
    );
    let primary_email = pick("primary_email")
        .primary_email
        .clone()
        .or_else(|| s.primary_email.clone())
        .or_else(|| m.primary_email.clone());
    let name = format!("{first} {last}").trim().to_owned();
    MergedFields {
        display_name: if name.is_empty() {
            primary_email.clone().unwrap_or_default()
        } else {
            name
        },
        first_name: first,
        last_name: last,
        title: pick("title").title.clone(),
        company_id: pick("company").company_id,
        owner_id: pick("owner").owner_id,
        lifecycle_stage: pick("lifecycle_stage").lifecycle_stage.clone(),
        source: pick("source").source.clone(),
        avatar_url: pick("avatar_url").avatar_url.clone(),
        primary_email,
        primary_phone: pick("primary_phone")
            .primary_phone
            .clone()
            .or_else(|| s.primary_phone.clone())
            .or_else(|| m.primary_phone.clone()),
        custom: serde_json::Value::Object(custom),
    }
}

impl App {
    async fn merge_pair(
        &self,
        actor: &Actor,
        survivor: ContactId,
        merged: ContactId,
    ) -> AppResult<(ContactSummary, ContactSummary)> {
        if survivor == merged {
            return Err(AppError::InvalidInput(vec![(
                "merged_id".into(),
                "a contact cannot be merged with itself".into(),
            )]));
        }
        let ids = [survivor.as_uuid(), merged.as_uuid()];
        let mut found = crm_dupes::summaries(self.db().conn(), actor.scope(), &ids, 0).await?;
        if found.len() != 2 {
            return Err(AppError::NotFound);
        }
        let m = found.remove(1);
        Ok((found.remove(0), m))
    }

    /// Both contacts side by side with the default choice per field (needs `contacts.write`).
    pub async fn merge_preview(
        &self,
        actor: &Actor,
        survivor: ContactId,
        merged: ContactId,
    ) -> AppResult<MergePreview> {
        actor.require(Permission::ContactsWrite)?;
        let (s, m) = self.merge_pair(actor, survivor, merged).await?;
        Ok(MergePreview {
            fields: choices(&s, &m),
            survivor: s,
            merged: m,
        })
    }

    /// Merges `merged` into `survivor`; `picks` overrides the default side per field
    /// (needs `contacts.write`). Returns the survivor as it is now.
    pub async fn merge_contacts(
        &self,
        actor: &Actor,
        survivor: ContactId,
        merged: ContactId,
        picks: &HashMap<String, Side>,
    ) -> AppResult<ContactSummary> {
        actor.require(Permission::ContactsWrite)?;
        let (s, m) = self.merge_pair(actor, survivor, merged).await?;
        let known = custom_keys(&s, &m);
        if let Some(bad) = picks
            .keys()
            .find(|k| !MERGE_FIELDS.contains(&k.as_str()) && !known.contains(k))
        {
            return Err(AppError::InvalidInput(vec![(
                format!("fields.{bad}"),
                "not a field of these contacts".into(),
            )]));
        }
        let fields = resolve(&s, &m, picks);
        let now = self.clock().now();
        let scope = actor.scope();
        let txn = self.db().begin().await?;
        let moved = crm_merge::merge(&txn, scope, s.id, m.id, &fields, now).await?;
        let data = serde_json::json!({
            "merged_id": m.id,
            "merged_name": m.display_name,
            "moved": moved,
        });
        activities::append(
            &txn,
            scope,
            &[NewActivity {
                record: (RecordType::Contact, s.id),
                kind: "contact.merged",
                actor: Some(actor.user_id),
                subject: None,
                data: data.clone(),
                at: now,
            }],
        )
        .await?;
        outbox::record(
            &txn,
            scope,
            EventKind::ContactsMerged,
            serde_json::json!({ "survivor_id": s.id, "merged_id": m.id }),
            now,
        )
        .await?;
        txn.commit().await?;
        crm_dupes::summaries(self.db().conn(), scope, &[s.id], 0)
            .await?
            .pop()
            .ok_or(AppError::NotFound)
    }
}
