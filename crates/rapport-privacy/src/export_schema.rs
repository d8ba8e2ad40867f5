//! The published JSON Schema (2020-12) of a person's access export (`export.json` in the ZIP),
//! written from the data map: one object type per table, one property per exported column,
//! typed by the column's kind. `docs/privacy/export-schema.json` is this schema; a test keeps
//! the file equal to what the map writes, so the published format follows the schema.

use crate::map::{Kind, tables};
use serde_json::{Map, Value, json};

/// The export format's name and version (`format` and `version` in every export).
pub const FORMAT: &str = "rapport.person-export";
/// Bumped when a change would make an older reader misread an export.
pub const VERSION: u32 = 1;

fn kind_schema(kind: Kind) -> Value {
    match kind {
        Kind::Uuid => json!({ "type": ["string", "null"], "format": "uuid" }),
        Kind::Time => json!({ "type": ["string", "null"], "format": "date-time" }),
        Kind::Date => json!({ "type": ["string", "null"], "format": "date" }),
        Kind::Bool => json!({ "type": ["boolean", "null"] }),
        Kind::Int => json!({ "type": ["integer", "null"] }),
        Kind::Float => json!({ "type": ["number", "null"] }),
        Kind::Json => json!({}),
        Kind::Bytes => json!({ "type": ["string", "null"], "contentEncoding": "base64" }),
        Kind::Text => json!({ "type": ["string", "null"] }),
    }
}

/// The schema, as JSON.
pub fn schema() -> Value {
    let mut defs = Map::new();
    let mut one_of = Vec::new();
    for t in tables().filter(|t| !t.subjects.is_empty()) {
        let mut props = Map::new();
        for c in t.columns.iter().filter(|c| c.is_exported()) {
            props.insert(c.name.to_owned(), kind_schema(c.kind()));
        }
        let required: Vec<&str> = t
            .columns
            .iter()
            .filter(|c| c.is_exported())
            .map(|c| c.name)
            .collect();
        let row = format!("row_{}", t.name);
        defs.insert(
            row.clone(),
            json!({
                "type": "object",
                "properties": props,
                "required": required,
                "additionalProperties": false,
            }),
        );
        one_of.push(json!({
            "properties": {
                "name": { "const": t.name },
                "rows": { "type": "array", "items": { "$ref": format!("#/$defs/{row}") } },
            },
        }));
    }
    defs.insert(
        "table".into(),
        json!({
            "type": "object",
            "required": ["name", "purpose", "legal_basis", "retention", "categories", "rows"],
            "properties": {
                "name": { "type": "string" },
                "purpose": { "type": "string" },
                "legal_basis": { "type": "string" },
                "retention": { "type": "string" },
                "retention_days": { "type": ["integer", "null"] },
                "categories": { "type": "array", "items": { "type": "string" } },
                "rows": { "type": "array" },
            },
            "additionalProperties": false,
            "oneOf": one_of,
        }),
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://rapport.invalid/schemas/person-export-v1.json",
        "title": "Rapport personal-data export",
        "description": "export.json of the ZIP a data-subject access request produces: every \
            record of the organisation that belongs to the person, table by table, with why it \
            is kept and for how long. Files are in the ZIP under files/; one CSV per data \
            category under csv/.",
        "type": "object",
        "required": ["format", "version", "generated_at", "org", "subject", "tables", "files"],
        "additionalProperties": false,
        "properties": {
            "format": { "const": FORMAT },
            "version": { "const": VERSION },
            "generated_at": { "type": "string", "format": "date-time" },
            "org": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" },
                    "name": { "type": "string" },
                },
                "additionalProperties": false,
            },
            "subject": {
                "type": "object",
                "required": ["kind", "id"],
                "properties": {
                    "kind": { "enum": ["contact", "user"] },
                    "id": { "type": "string", "format": "uuid" },
                },
                "additionalProperties": false,
            },
            "tables": { "type": "array", "items": { "$ref": "#/$defs/table" } },
            "files": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["attachment_id", "path", "size"],
                    "properties": {
                        "attachment_id": { "type": "string", "format": "uuid" },
                        "path": { "type": "string" },
                        "size": { "type": "integer" },
                        "content_type": { "type": ["string", "null"] },
                    },
                    "additionalProperties": false,
                },
            },
        },
        "$defs": defs,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_published_schema_is_the_one_the_map_writes() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/privacy/export-schema.json"
        );
        let schema = super::schema();
        if std::env::var_os("RAPPORT_WRITE_SCHEMA").is_some() {
            let written = serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n";
            let _ = std::fs::write(path, written);
        }
        // Compared as JSON: key order depends on serde_json's features in the build.
        let published: serde_json::Value = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        assert!(
            published == schema,
            "docs/privacy/export-schema.json is stale: rerun with RAPPORT_WRITE_SCHEMA=1"
        );
    }
}
