//! Small read-only lookups over the CRM record tables (`contacts`, `companies`, `deals`) that
//! notes, tasks and the timeline need: does a record exist in this org, what is it called, and
//! which company is a contact's primary one. They spell the tables by name rather than through
//! the records' entities so the work features depend only on the schema.

use crate::error::StoreResult;
use crate::scope::OrgScope;
use rapport_domain::crm::RecordType;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use std::collections::HashMap;

/// The table and the column that names a record of `t`.
fn table_of(t: RecordType) -> (&'static str, &'static str) {
    match t {
        RecordType::Contact => ("contacts", "display_name"),
        RecordType::Company => ("companies", "name"),
        RecordType::Deal => ("deals", "title"),
    }
}

/// Whether the record exists in the org.
pub async fn record_exists(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    record_type: RecordType,
    id: uuid::Uuid,
) -> StoreResult<bool> {
    let (table, _) = table_of(record_type);
    let stmt = Query::select()
        .expr(Expr::val(1))
        .from(Alias::new(table))
        .and_where(Expr::col(Alias::new("org_id")).eq(scope.uuid()))
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .to_owned();
    Ok(db.query_one(&stmt).await?.is_some())
}

/// The display names of the given records (one query per record type present); records that
/// do not exist in the org are absent from the map.
pub async fn names(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    records: &[(RecordType, uuid::Uuid)],
) -> StoreResult<HashMap<(RecordType, uuid::Uuid), String>> {
    let mut out = HashMap::new();
    for t in RecordType::ALL {
        let ids: Vec<uuid::Uuid> = records
            .iter()
            .filter(|(rt, _)| *rt == t)
            .map(|(_, id)| *id)
            .collect();
        if ids.is_empty() {
            continue;
        }
        let (table, name_col) = table_of(t);
        let stmt = Query::select()
            .column(Alias::new("id"))
            .expr_as(Expr::col(Alias::new(name_col)), Alias::new("label"))
            .from(Alias::new(table))
            .and_where(Expr::col(Alias::new("org_id")).eq(scope.uuid()))
            .and_where(Expr::col(Alias::new("id")).is_in(ids))
            .to_owned();
        for row in db.query_all(&stmt).await? {
            let id: uuid::Uuid = row.try_get("", "id")?;
            let label: String = row.try_get("", "label")?;
            out.insert((t, id), label);
        }
    }
    Ok(out)
}

/// A contact's primary company, if it has one.
pub async fn contact_company(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    contact: uuid::Uuid,
) -> StoreResult<Option<uuid::Uuid>> {
    let stmt = Query::select()
        .column(Alias::new("company_id"))
        .from(Alias::new("contacts"))
        .and_where(Expr::col(Alias::new("org_id")).eq(scope.uuid()))
        .and_where(Expr::col(Alias::new("id")).eq(contact))
        .to_owned();
    match db.query_one(&stmt).await? {
        Some(row) => Ok(row.try_get::<Option<uuid::Uuid>>("", "company_id")?),
        None => Ok(None),
    }
}

/// Whether `user` is a member of the org (a task's assignee must be).
pub async fn is_member(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    user: rapport_domain::UserId,
) -> StoreResult<bool> {
    let stmt = Query::select()
        .expr(Expr::val(1))
        .from(Alias::new("memberships"))
        .and_where(Expr::col(Alias::new("org_id")).eq(scope.uuid()))
        .and_where(Expr::col(Alias::new("user_id")).eq(user.as_uuid()))
        .to_owned();
    Ok(db.query_one(&stmt).await?.is_some())
}

/// The names of the org's members among `users` (one query); people who left the org are
/// absent, so the caller shows them as former members.
pub async fn member_names(
    db: &impl ConnectionTrait,
    scope: OrgScope,
    users: &[rapport_domain::UserId],
) -> StoreResult<HashMap<rapport_domain::UserId, String>> {
    let mut out = HashMap::new();
    if users.is_empty() {
        return Ok(out);
    }
    let ids: Vec<uuid::Uuid> = users.iter().map(|u| u.as_uuid()).collect();
    let stmt = Query::select()
        .expr_as(
            Expr::col((Alias::new("u"), Alias::new("id"))),
            Alias::new("id"),
        )
        .expr_as(
            Expr::col((Alias::new("u"), Alias::new("name"))),
            Alias::new("name"),
        )
        .from_as(Alias::new("users"), Alias::new("u"))
        .inner_join(
            Alias::new("memberships"),
            Expr::col((Alias::new("memberships"), Alias::new("user_id")))
                .equals((Alias::new("u"), Alias::new("id"))),
        )
        .and_where(Expr::col((Alias::new("memberships"), Alias::new("org_id"))).eq(scope.uuid()))
        .and_where(Expr::col((Alias::new("u"), Alias::new("id"))).is_in(ids))
        .to_owned();
    for row in db.query_all(&stmt).await? {
        let id: uuid::Uuid = row.try_get("", "id")?;
        let name: String = row.try_get("", "name")?;
        out.insert(rapport_domain::UserId::from_uuid(id), name);
    }
    Ok(out)
}

/// The org's members (id, name) by name: assignee choices.
pub async fn members(
    db: &impl ConnectionTrait,
    scope: OrgScope,
) -> StoreResult<Vec<(rapport_domain::UserId, String)>> {
    let stmt = Query::select()
        .expr_as(
            Expr::col((Alias::new("u"), Alias::new("id"))),
            Alias::new("id"),
        )
        .expr_as(
            Expr::col((Alias::new("u"), Alias::new("name"))),
            Alias::new("name"),
        )
        .from_as(Alias::new("users"), Alias::new("u"))
        .inner_join(
            Alias::new("memberships"),
            Expr::col((Alias::new("memberships"), Alias::new("user_id")))
                .equals((Alias::new("u"), Alias::new("id"))),
        )
        .and_where(Expr::col((Alias::new("memberships"), Alias::new("org_id"))).eq(scope.uuid()))
        .order_by(
            (Alias::new("u"), Alias::new("name")),
            sea_orm::sea_query::Order::Asc,
        )
        .to_owned();
    let mut out = Vec::new();
    for row in db.query_all(&stmt).await? {
        let id: uuid::Uuid = row.try_get("", "id")?;
        let name: String = row.try_get("", "name")?;
        out.push((rapport_domain::UserId::from_uuid(id), name));
    }
    Ok(out)
}
