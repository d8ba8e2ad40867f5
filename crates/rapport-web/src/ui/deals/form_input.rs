//! Reading the deal form's fields into a patch for the app, and what the form shows back.

use crate::ui::admin::{Fields, parse_id};
use rapport_app::crm::deals::DealPatch;
use rapport_domain::{StageId, UserId};

/// What the form shows (also echoed back after a refusal).
#[derive(Debug, Default, Clone)]
pub struct DealEcho {
    pub(crate) title: String,
    pub(crate) stage_id: String,
    pub(crate) amount: String,
    pub(crate) currency: String,
    pub(crate) expected_close_on: String,
    pub(crate) owner_id: String,
    pub(crate) company_id: String,
    pub(crate) contact_ids: Vec<String>,
    pub(crate) custom: Vec<(String, String)>,
}

/// Reads the submitted form into a patch (and what to echo back).
pub(crate) fn read(form: &Fields, creating: bool) -> (DealPatch, DealEcho) {
    let text = |name: &str| form.get(name).to_owned();
    let opt = |name: &str| {
        let v = form.get(name).trim();
        (!v.is_empty()).then(|| v.to_owned())
    };
    let contact_ids = form.all("contact_ids");
    let custom: Vec<(String, String)> = form
        .0
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("custom.").map(|k| (k.to_owned(), v.clone())))
        .collect();
    let patch = DealPatch {
        title: Some(text("title")),
        stage_id: if creating {
            Some(parse_id::<StageId>(form.get("stage_id")).unwrap_or_default())
        } else {
            None
        },
        amount: Some(opt("amount")),
        currency: opt("currency"),
        expected_close_on: Some(opt("expected_close_on")),
        // An id that does not parse cannot be a member: pass a fresh one so the app refuses it.
        owner_id: Some(opt("owner_id").map(|o| o.parse::<UserId>().unwrap_or_default())),
        company_id: Some(opt("company_id").map(|c| {
            c.parse::<uuid::Uuid>()
                .unwrap_or_else(|_| uuid::Uuid::now_v7())
        })),
        contact_ids: Some(
            contact_ids
                .iter()
                .map(|c| {
                    c.parse::<uuid::Uuid>()
                        .unwrap_or_else(|_| uuid::Uuid::now_v7())
                })
                .collect(),
        ),
        custom: Some(
            custom
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect(),
        ),
        custom_is_text: true,
        ..DealPatch::default()
    };
    let echo = DealEcho {
        title: text("title"),
        stage_id: text("stage_id"),
        amount: text("amount"),
        currency: text("currency"),
        expected_close_on: text("expected_close_on"),
        owner_id: text("owner_id"),
        company_id: text("company_id"),
        contact_ids,
        custom,
    };
    (patch, echo)
}
