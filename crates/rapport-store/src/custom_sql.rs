//! The one place that spells a custom field's SQL expression. Filters compare it and the per-field
//! expression index is built on it; both must use the same text, character for character, or the
//! database ignores the index (measured in docs/design/crm-notes.md). The key is inlined, never
//! bound, for the same reason, so it must be a validated [`FieldKey`].

use crate::connect::Backend;
use rapport_domain::crm::FieldKey;

/// How a custom field's value is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomValueKind {
    /// Strings, dates (`YYYY-MM-DD` sorts as text), select values, booleans as text on PG.
    Text,
    /// Numbers and currency minor units.
    Numeric,
}

/// The SQL expression for `custom.<key>` on `table_alias` (or the bare column when `None`).
pub fn custom_expr(
    backend: Backend,
    table_alias: Option<&str>,
    key: &FieldKey,
    kind: CustomValueKind,
) -> String {
    let col = match table_alias {
        Some(t) => format!("\"{t}\".\"custom\""),
        None => "\"custom\"".to_owned(),
    };
    let key = key.as_str();
    match (backend, kind) {
        // SQLite's json_extract returns INTEGER/REAL for JSON numbers, so one expression
        // serves text and numeric comparisons.
        (Backend::Sqlite, _) => format!("json_extract({col}, '$.{key}')"),
        (Backend::Postgres, CustomValueKind::Text) => format!("({col} ->> '{key}')"),
        (Backend::Postgres, CustomValueKind::Numeric) => format!("(({col} ->> '{key}')::numeric)"),
    }
}

/// The name of a custom field's expression index. On PostgreSQL a text and a numeric field with
/// the same key (in two orgs) need two indexes, since their expressions differ; SQLite's one
/// expression serves both kinds, so one index does.
pub fn custom_index_name(
    backend: Backend,
    table: &str,
    key: &FieldKey,
    kind: CustomValueKind,
) -> String {
    let suffix = match (backend, kind) {
        (Backend::Postgres, CustomValueKind::Numeric) => "_num",
        _ => "",
    };
    format!("ix_{table}_cf_{}{suffix}", key.as_str())
}

/// `CREATE INDEX` for a filterable custom field of `table` (`contacts`, `companies`, `deals`):
/// keyed like the list queries (org, value, created_at, id) so a filtered page stops early.
pub fn custom_index_ddl(
    backend: Backend,
    table: &str,
    key: &FieldKey,
    kind: CustomValueKind,
) -> (String, String) {
    let name = custom_index_name(backend, table, key, kind);
    let expr = custom_expr(backend, None, key, kind);
    let create = format!(
        "CREATE INDEX IF NOT EXISTS \"{name}\" ON \"{table}\" (\"org_id\", {expr}, \"created_at\", \"id\")"
    );
    let drop = format!("DROP INDEX IF EXISTS \"{name}\"");
    (create, drop)
}

/// `UPDATE` removing `custom.<key>` from the records of one org in `table` (a deleted field
/// leaves no values behind). The org id is the one bound parameter. Only rows that hold the key
/// are rewritten, so deleting a rarely used field does not touch a million rows.
pub fn custom_remove_sql(backend: Backend, table: &str, key: &FieldKey) -> String {
    let key = key.as_str();
    match backend {
        Backend::Sqlite => format!(
            "UPDATE \"{table}\" SET \"custom\" = json_remove(\"custom\", '$.{key}') \
             WHERE \"org_id\" = ? AND json_type(\"custom\", '$.{key}') IS NOT NULL"
        ),
        Backend::Postgres => format!(
            "UPDATE \"{table}\" SET \"custom\" = \"custom\" - '{key}' \
             WHERE \"org_id\" = $1 AND jsonb_exists(\"custom\", '{key}')"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_and_the_filter_spell_the_same_expression() {
        let key = FieldKey::parse("industry").expect("valid key");
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let (create, _) = custom_index_ddl(backend, "contacts", &key, CustomValueKind::Text);
            assert!(create.contains(&custom_expr(backend, None, &key, CustomValueKind::Text)));
        }
        assert_eq!(
            custom_expr(Backend::Postgres, Some("c"), &key, CustomValueKind::Numeric),
            "((\"c\".\"custom\" ->> 'industry')::numeric)"
        );
    }
}
