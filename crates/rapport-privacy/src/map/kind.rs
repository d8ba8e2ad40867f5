//! What a column's values are, so an export can read any mapped table on either database and
//! write each value as the JSON type the published schema promises. Most kinds follow from the
//! name (`id` and `*_id` are UUIDs, `*_at` are times); the map says so where a name does not
//! tell. `tests/schema.rs` checks every column's kind against PostgreSQL's own types.

use serde::Serialize;

/// The type of a column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Kind {
    /// A UUID (exported as its string form).
    Uuid,
    /// A point in time (RFC 3339, UTC).
    Time,
    /// A calendar date (`YYYY-MM-DD`).
    Date,
    /// True or false.
    Bool,
    /// A whole number.
    Int,
    /// A fractional number.
    Float,
    /// A JSON document.
    Json,
    /// Raw bytes (exported as base64).
    Bytes,
    /// Text.
    Text,
}

impl Kind {
    /// The kind a column's name implies.
    pub fn from_name(name: &str) -> Kind {
        const INTS: &[&str] = &[
            "size",
            "seq",
            "number",
            "value",
            "position",
            "attempts",
            "max_attempts",
            "depth",
            "failures",
            "capacity",
            "probability",
            "rating",
            "warn_percent",
            "imported",
            "uid",
            "last_uid",
            "uid_validity",
            "highest_modseq",
            "runs",
            "amount_minor",
            "totp_last_step",
        ];
        const BOOLS: &[&str] = &[
            "enabled",
            "match_all",
            "consent_ai",
            "consent_marketing",
            "filterable",
            "required",
            "csat_enabled",
            "reopen_resolved",
            "pinned",
            "require_mfa",
            "shared",
        ];
        if name == "id" || name.ends_with("_id") || name.ends_with("_by") {
            Kind::Uuid
        } else if name == "at" || name.ends_with("_at") || name.ends_with("_until") {
            Kind::Time
        } else if name.ends_with("_on") {
            Kind::Date
        } else if name.starts_with("is_") || BOOLS.contains(&name) {
            Kind::Bool
        } else if name.ends_with("_ms") || name.ends_with("_count") || INTS.contains(&name) {
            Kind::Int
        } else {
            Kind::Text
        }
    }

    /// The stable name (the JSON Schema of an export is written from it).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Uuid => "uuid",
            Kind::Time => "time",
            Kind::Date => "date",
            Kind::Bool => "bool",
            Kind::Int => "int",
            Kind::Float => "float",
            Kind::Json => "json",
            Kind::Bytes => "bytes",
            Kind::Text => "text",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn names_imply_kinds() {
        assert_eq!(Kind::from_name("contact_id"), Kind::Uuid);
        assert_eq!(Kind::from_name("created_by"), Kind::Uuid);
        assert_eq!(Kind::from_name("last_seen_at"), Kind::Time);
        assert_eq!(Kind::from_name("expected_close_on"), Kind::Date);
        assert_eq!(Kind::from_name("is_primary"), Kind::Bool);
        assert_eq!(Kind::from_name("run_at_ms"), Kind::Int);
        assert_eq!(Kind::from_name("body"), Kind::Text);
    }
}
