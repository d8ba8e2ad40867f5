//! The field catalog the list pages' filter builder offers (static/crm_lists.js): the built-in
//! fields of each object type with their value kinds, then the org's custom fields.

use rapport_app::lists::{CustomDef, DEAL_STATUSES, LIFECYCLE_STAGES};
use rapport_domain::crm::{FieldType, RecordType};
use serde_json::json;

/// The fields the filter builder offers, as JSON for static/crm_lists.js.
pub fn builder_fields(object: RecordType, customs: &[CustomDef]) -> String {
    let stages = json!(LIFECYCLE_STAGES);
    let statuses = json!(DEAL_STATUSES);
    let mut fields = match object {
        RecordType::Contact => vec![
            json!({"name": "name", "type": "text"}),
            json!({"name": "email", "type": "text"}),
            json!({"name": "phone", "type": "text"}),
            json!({"name": "title", "type": "text"}),
            json!({"name": "lifecycle_stage", "type": "choice", "options": stages}),
            json!({"name": "source", "type": "text"}),
            json!({"name": "owner", "type": "user"}),
            json!({"name": "tag", "type": "tag"}),
            json!({"name": "company.name", "type": "text"}),
            json!({"name": "company.industry", "type": "text"}),
            json!({"name": "deals.open_amount", "type": "number"}),
            json!({"name": "deals.count", "type": "number"}),
            json!({"name": "deals.status", "type": "choice", "options": statuses}),
            json!({"name": "created_at", "type": "date"}),
        ],
        RecordType::Company => vec![
            json!({"name": "name", "type": "text"}),
            json!({"name": "domain", "type": "text"}),
            json!({"name": "industry", "type": "text"}),
            json!({"name": "size", "type": "text"}),
            json!({"name": "country", "type": "text"}),
            json!({"name": "city", "type": "text"}),
            json!({"name": "owner", "type": "user"}),
            json!({"name": "contacts.count", "type": "number"}),
            json!({"name": "deals.open_amount", "type": "number"}),
            json!({"name": "created_at", "type": "date"}),
        ],
        RecordType::Deal => vec![
            json!({"name": "title", "type": "text"}),
            json!({"name": "status", "type": "choice", "options": statuses}),
            json!({"name": "stage", "type": "text"}),
            json!({"name": "pipeline", "type": "text"}),
            json!({"name": "amount", "type": "number"}),
            json!({"name": "currency", "type": "text"}),
            json!({"name": "expected_close_on", "type": "date"}),
            json!({"name": "owner", "type": "user"}),
            json!({"name": "company.name", "type": "text"}),
            json!({"name": "company.industry", "type": "text"}),
            json!({"name": "created_at", "type": "date"}),
        ],
    };
    for d in customs {
        let (ty, options) = match d.field_type {
            FieldType::Number | FieldType::Currency => ("number", json!([])),
            FieldType::Date => ("date", json!([])),
            FieldType::Boolean => ("choice", json!(["true", "false"])),
            FieldType::Select => (
                "choice",
                json!(d.options.iter().map(|o| &o.value).collect::<Vec<_>>()),
            ),
            FieldType::MultiSelect => (
                "tag",
                json!(d.options.iter().map(|o| &o.value).collect::<Vec<_>>()),
            ),
            _ => ("text", json!([])),
        };
        fields.push(json!({"name": format!("custom.{}", d.key.as_str()), "label": d.label, "type": ty, "options": options}));
    }
    // `<` is escaped so the JSON cannot close the script element it sits in.
    serde_json::to_string(&fields)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}
