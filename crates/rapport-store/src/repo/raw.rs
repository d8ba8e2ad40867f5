//! Raw statements the repositories share: written once with `$n` placeholders and rewritten to
//! `?n` for SQLite, so every hand-written statement runs on both databases unchanged.

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

/// `$n` on PostgreSQL, `?` on SQLite.
pub(crate) fn sql_for(backend: DbBackend, sql: &str) -> String {
    if backend == DbBackend::Postgres {
        sql.to_owned()
    } else {
        sql.replace('$', "?")
    }
}

/// A statement for `db`'s backend from `$n`-placeholder text.
pub(crate) fn stmt(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Statement {
    let backend = db.get_database_backend();
    Statement::from_sql_and_values(backend, sql_for(backend, sql), values)
}
