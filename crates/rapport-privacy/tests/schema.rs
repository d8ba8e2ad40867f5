//! The data map covers the schema: a freshly migrated database (SQLite, or PostgreSQL when
//! `RAPPORT_TEST_DATABASE_URL` is set) has exactly the tables and columns the map classifies.
//! A migration that adds a table or column fails here until the map says what it holds.

use rapport_privacy::Kind;
use rapport_store::testing::TestDb;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::collections::BTreeSet;

async fn schema(db: &TestDb) -> BTreeSet<(String, String)> {
    let conn = db.db.conn();
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
        }
        _ => {
            "SELECT table_name::text AS t, column_name::text AS c \
             FROM information_schema.columns WHERE table_schema = current_schema()"
        }
    };
    let rows = conn
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap_or_else(|e| panic!("reading the schema: {e}"));
    rows.iter()
        .map(|r| {
            let t: String = r.try_get("", "t").unwrap_or_default();
            let c: String = r.try_get("", "c").unwrap_or_default();
            (t, c)
        })
        .collect()
}

#[tokio::test]
async fn the_data_map_classifies_every_table_and_column_of_the_schema() {
    let db = TestDb::new().await;
    let live = schema(&db).await;
    assert!(live.len() > 100, "only {} columns read", live.len());
    let mapped: BTreeSet<(String, String)> = rapport_privacy::tables()
        .flat_map(|t| {
            t.columns
                .iter()
                .map(|c| (t.name.to_owned(), c.name.to_owned()))
        })
        .collect();
    let unclassified: Vec<String> = live
        .difference(&mapped)
        .map(|(t, c)| format!("{t}.{c}"))
        .collect();
    assert!(
        unclassified.is_empty(),
        "the data map (crates/rapport-privacy/src/map) does not classify: {unclassified:?}"
    );
    let gone: Vec<String> = mapped
        .difference(&live)
        .map(|(t, c)| format!("{t}.{c}"))
        .collect();
    assert!(
        gone.is_empty(),
        "the data map names columns the schema lacks: {gone:?}"
    );
}

/// PostgreSQL's type for each kind (SQLite's declared types say less, so it is checked here).
fn pg_kind(data_type: &str) -> Option<Kind> {
    Some(match data_type {
        "uuid" => Kind::Uuid,
        "timestamp with time zone" => Kind::Time,
        "date" => Kind::Date,
        "boolean" => Kind::Bool,
        "smallint" | "integer" | "bigint" => Kind::Int,
        "double precision" | "real" => Kind::Float,
        "jsonb" | "json" => Kind::Json,
        "bytea" => Kind::Bytes,
        "text" | "character varying" => Kind::Text,
        _ => return None,
    })
}

#[tokio::test]
async fn every_column_is_of_the_kind_the_map_reads_it_as() {
    let db = TestDb::new().await;
    let conn = db.db.conn();
    let backend = conn.get_database_backend();
    if backend != DbBackend::Postgres {
        return;
    }
    let rows = conn
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS k \
             FROM information_schema.columns WHERE table_schema = current_schema()",
        ))
        .await
        .unwrap_or_else(|e| panic!("reading the schema: {e}"));
    let mut wrong = Vec::new();
    for r in &rows {
        let t: String = r.try_get("", "t").unwrap_or_default();
        let c: String = r.try_get("", "c").unwrap_or_default();
        let k: String = r.try_get("", "k").unwrap_or_default();
        let Some(column) = rapport_privacy::table(&t).and_then(|t| t.column(&c)) else {
            continue; // the other test names it
        };
        if pg_kind(&k) != Some(column.kind()) {
            wrong.push(format!("{t}.{c} is {k}, read as {:?}", column.kind()));
        }
    }
    assert!(
        wrong.is_empty(),
        "declare the kind in the data map: {wrong:?}"
    );
}
