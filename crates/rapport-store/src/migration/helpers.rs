//! Helpers the migrations share to spell tenant tables the same way: an `id` key, an `org_id`
//! that cascades from `orgs`, created/updated stamps and named indexes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(super) fn a(name: &str) -> Alias {
    Alias::new(name)
}

/// A tenant table: `id` primary key (unless `keyed` is false), `org_id` cascading from orgs.
pub(super) fn table(name: &str, keyed: bool) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(a(name));
    if keyed {
        t.col(pk_uuid(a("id")));
    }
    t.col(uuid(a("org_id"))).foreign_key(
        ForeignKey::create()
            .from(a(name), a("org_id"))
            .to(a("orgs"), a("id"))
            .on_delete(ForeignKeyAction::Cascade),
    );
    t.to_owned()
}

/// A foreign key that deletes the row with its parent.
pub(super) fn cascade(t: &mut TableCreateStatement, name: &str, col: &str, parent: &str) {
    t.foreign_key(
        ForeignKey::create()
            .from(a(name), a(col))
            .to(a(parent), a("id"))
            .on_delete(ForeignKeyAction::Cascade),
    );
}

pub(super) fn stamps(t: &mut TableCreateStatement) {
    t.col(timestamp_with_time_zone(a("created_at")))
        .col(timestamp_with_time_zone(a("updated_at")));
}

pub(super) async fn index(
    m: &SchemaManager<'_>,
    name: &str,
    table: &str,
    cols: &[&str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut idx = Index::create();
    idx.name(name).table(a(table));
    for c in cols {
        idx.col(a(c));
    }
    if unique {
        idx.unique();
    }
    m.create_index(idx.to_owned()).await
}

/// A foreign key that clears the column when its parent goes.
pub(super) fn set_null(t: &mut TableCreateStatement, name: &str, col: &str, parent: &str) {
    t.foreign_key(
        ForeignKey::create()
            .from(a(name), a(col))
            .to(a(parent), a("id"))
            .on_delete(ForeignKeyAction::SetNull),
    );
}
