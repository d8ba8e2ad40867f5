//! The list engine's core: sort orders, opaque keyset cursors, and the one page query
//! (`org_id = ? AND <filter> AND (sort_key, id) after the cursor ORDER BY sort_key, id LIMIT n+1`).
//! Keyset paging never skips or repeats a row, even when many rows share a sort value,
//! because the id breaks every tie.

use super::QueryError;
use super::compile::col;
use crate::connect::Backend;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, Utc};
use rapport_domain::crm::RecordType;
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, Order, Query};
use sea_orm::{Condition, ConnectionTrait, QueryResult, Value};
use serde::{Deserialize, Serialize};

/// Most rows per page.
pub const MAX_LIMIT: u64 = 200;
/// Rows per page when none is asked for.
pub const DEFAULT_LIMIT: u64 = 50;

/// The type of a sort key, for reading it from a row and binding it from a cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortType {
    Time,
    Text,
    Int,
    Date,
}

/// (API name, column, type, nullable) of every sortable column.
type Sortable = (&'static str, &'static str, SortType, bool);

fn sortables(object: RecordType) -> &'static [Sortable] {
    use SortType::*;
    match object {
        RecordType::Contact => &[
            ("created_at", "created_at", Time, false),
            ("updated_at", "updated_at", Time, false),
            ("name", "display_name", Text, false),
            ("first_name", "first_name", Text, false),
            ("last_name", "last_name", Text, false),
            ("email", "primary_email", Text, true),
            ("title", "title", Text, true),
            ("lifecycle_stage", "lifecycle_stage", Text, false),
            ("source", "source", Text, true),
        ],
        RecordType::Company => &[
            ("created_at", "created_at", Time, false),
            ("updated_at", "updated_at", Time, false),
            ("name", "name", Text, false),
            ("domain", "domain", Text, true),
            ("industry", "industry", Text, true),
            ("size", "size", Text, true),
            ("country", "country", Text, true),
            ("city", "city", Text, true),
        ],
        RecordType::Deal => &[
            ("created_at", "created_at", Time, false),
            ("updated_at", "updated_at", Time, false),
            ("title", "title", Text, false),
            ("amount", "amount_minor", Int, true),
            ("currency", "currency", Text, false),
            ("status", "status", Text, false),
            ("expected_close_on", "expected_close_on", Date, true),
        ],
    }
}

/// A sort order: one column, ascending or descending, ties broken by id in the same direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    object: RecordType,
    field: &'static str,
    column: &'static str,
    ty: SortType,
    nullable: bool,
    /// Descending.
    pub desc: bool,
}

impl Sort {
    /// Parses `field`, `-field`, `field:asc` or `field:desc`; none means newest first.
    pub fn parse(object: RecordType, raw: Option<&str>) -> Result<Self, QueryError> {
        let raw = raw
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .unwrap_or("created_at:desc");
        let (name, desc) = if let Some(n) = raw.strip_prefix('-') {
            (n, true)
        } else if let Some((n, dir)) = raw.split_once(':') {
            match dir {
                "asc" => (n, false),
                "desc" => (n, true),
                _ => {
                    return Err(QueryError::Sort(format!(
                        "unknown sort direction `{dir}` (asc or desc)"
                    )));
                }
            }
        } else {
            (raw, false)
        };
        let Some(&(field, column, ty, nullable)) = sortables(object).iter().find(|s| s.0 == name)
        else {
            let names: Vec<&str> = sortables(object).iter().map(|s| s.0).collect();
            return Err(QueryError::Sort(format!(
                "cannot sort {} by `{name}` (sortable: {})",
                object.plural(),
                names.join(", ")
            )));
        };
        Ok(Self {
            object,
            field,
            column,
            ty,
            nullable,
            desc,
        })
    }

    /// The canonical spelling (`name:asc`).
    pub fn spec(&self) -> String {
        format!("{}:{}", self.field, if self.desc { "desc" } else { "asc" })
    }

    /// The field name.
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// The sortable field names of `object`.
    pub fn fields(object: RecordType) -> Vec<&'static str> {
        sortables(object).iter().map(|s| s.0).collect()
    }

    /// The sort expression; NULLs become the type's smallest value so keyset comparisons work.
    fn expr(&self, backend: Backend) -> Expr {
        let c = col(self.object.plural(), self.column);
        if !self.nullable {
            return c;
        }
        let fallback = match (self.ty, backend) {
            (SortType::Int, _) => Expr::val(0i64),
            (SortType::Date, Backend::Postgres) => Expr::cust("DATE '0001-01-01'"),
            _ => Expr::val(if self.ty == SortType::Date {
                "0001-01-01"
            } else {
                ""
            }),
        };
        Func::coalesce([c, fallback]).into()
    }

    fn key_of(&self, row: &QueryResult) -> Result<serde_json::Value, sea_orm::DbErr> {
        Ok(match self.ty {
            SortType::Time => {
                let t: DateTime<Utc> = row.try_get("", "sort_key")?;
                serde_json::Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true))
            }
            SortType::Text => serde_json::Value::String(row.try_get::<String>("", "sort_key")?),
            SortType::Int => serde_json::Value::from(row.try_get::<i64>("", "sort_key")?),
            SortType::Date => {
                serde_json::Value::String(row.try_get::<NaiveDate>("", "sort_key")?.to_string())
            }
        })
    }

    fn bind(&self, key: &serde_json::Value) -> Option<Value> {
        Some(match self.ty {
            SortType::Time => Value::from(
                DateTime::parse_from_rfc3339(key.as_str()?)
                    .ok()?
                    .with_timezone(&Utc),
            ),
            SortType::Text => Value::from(key.as_str()?.to_owned()),
            SortType::Int => Value::from(key.as_i64()?),
            SortType::Date => {
                Value::from(NaiveDate::parse_from_str(key.as_str()?, "%Y-%m-%d").ok()?)
            }
        })
    }
}

#[derive(Serialize, Deserialize)]
struct CursorData {
    s: String,
    k: serde_json::Value,
    id: uuid::Uuid,
}

/// Where the next page starts: after this sort key and id.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    key: Value,
    id: uuid::Uuid,
}

impl Cursor {
    /// Decodes a cursor made for `sort` (one made for another order is refused).
    pub fn decode(raw: &str, sort: &Sort) -> Result<Self, QueryError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(raw.trim())
            .map_err(|_| QueryError::Cursor)?;
        let data: CursorData = serde_json::from_slice(&bytes).map_err(|_| QueryError::Cursor)?;
        if data.s != sort.spec() {
            return Err(QueryError::Cursor);
        }
        let key = sort.bind(&data.k).ok_or(QueryError::Cursor)?;
        Ok(Self { key, id: data.id })
    }

    fn encode(sort: &Sort, key: serde_json::Value, id: uuid::Uuid) -> String {
        let data = CursorData {
            s: sort.spec(),
            k: key,
            id,
        };
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&data).unwrap_or_default())
    }
}

/// One page request.
#[derive(Debug, Clone)]
pub struct PageSpec {
    /// Order.
    pub sort: Sort,
    /// Rows (1..=200).
    pub limit: u64,
    /// Start after this.
    pub after: Option<Cursor>,
}

/// What one page query selects: the table's `columns` and the `related` values of each row.
pub(crate) struct Selection<'a> {
    pub columns: &'a [&'a str],
    pub related: Vec<super::related::Related>,
}

/// Runs the page query over `object`'s table, filtered by `cond`. Returns the rows (at most
/// `limit`) and the cursor of the next page, if there is one.
pub(crate) async fn page_rows(
    db: &impl ConnectionTrait,
    backend: Backend,
    org: uuid::Uuid,
    object: RecordType,
    cond: Option<Condition>,
    spec: &PageSpec,
    selection: Selection<'_>,
) -> Result<(Vec<QueryResult>, Option<String>), QueryError> {
    let table = object.plural();
    let sort = &spec.sort;
    let limit = spec.limit.clamp(1, MAX_LIMIT);
    let mut q = Query::select();
    for c in selection.columns {
        q.column((Alias::new(table), Alias::new(*c)));
    }
    q.column((Alias::new(table), Alias::new("org_id")))
        .expr_as(sort.expr(backend), Alias::new("sort_key"))
        .from(Alias::new(table))
        .and_where(col(table, "org_id").eq(org));
    if let Some(cond) = cond {
        q.cond_where(cond);
    }
    if let Some(after) = &spec.after {
        let left = Expr::tuple([sort.expr(backend), col(table, "id")]);
        let right = Expr::tuple([Expr::val(after.key.clone()), Expr::val(after.id)]);
        q.and_where(if sort.desc {
            left.lt(right)
        } else {
            left.gt(right)
        });
    }
    let order = if sort.desc { Order::Desc } else { Order::Asc };
    q.order_by_expr(sort.expr(backend), order.clone())
        .order_by((Alias::new(table), Alias::new("id")), order.clone())
        .limit(limit + 1);
    // The related values are computed over the page only (see `related`).
    let page = Alias::new(super::related::PAGE);
    let q = if selection.related.is_empty() {
        q
    } else {
        let mut outer = Query::select();
        outer.column((page.clone(), Asterisk));
        for (expr, alias) in selection.related {
            outer.expr_as(expr, Alias::new(alias));
        }
        outer
            .from_subquery(q, page.clone())
            .order_by((page.clone(), Alias::new("sort_key")), order.clone())
            .order_by((page, Alias::new("id")), order);
        outer
    };
    let mut rows = db.query_all(&q).await?;
    let next = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        match rows.last() {
            Some(last) => {
                let id: uuid::Uuid = last.try_get("", "id")?;
                Some(Cursor::encode(sort, sort.key_of(last)?, id))
            }
            None => None,
        }
    } else {
        None
    };
    Ok((rows, next))
}
