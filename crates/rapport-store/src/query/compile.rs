//! Compiles a parsed [`Filter`] into a sea-query condition over a main table (`contacts`,
//! `companies` or `deals`, unaliased), the same on SQLite and PostgreSQL. Every value is a bound
//! parameter; the only inlined text is a custom field's key, validated against the org's
//! definitions, because the expression index matches only a literal path (see custom_sql).
//! An unknown field, an operator a field does not support, or a value of the wrong type is an
//! error that names the field and its column in the filter text.

use super::compare::{equality, fail, norm_text, one, ordered, text, unsupported, values};
use super::fields::{self, Aggregate, CustomDef, DealProp, Kind, Named};
use super::values::{money_minor, parse_date, parse_time_range};
use crate::connect::Backend;
use rapport_domain::crm::filter::{Condition as FCond, Filter, FilterError, Op};
use rapport_domain::crm::{Currency, LifecycleStage, RecordType};
use sea_orm::Condition;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, SelectStatement, SimpleExpr};

/// What the compiler needs besides the filter.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The database engine (custom-field expressions differ).
    pub backend: Backend,
    /// The org (every subquery is scoped to it).
    pub org: uuid::Uuid,
    /// The signed-in user (`owner = me`).
    pub me: uuid::Uuid,
    /// Custom fields of the listed object.
    pub customs: &'a [CustomDef],
    /// Custom fields of companies (for `company.custom.<key>`).
    pub company_customs: &'a [CustomDef],
}

/// A column of a table.
pub(crate) fn col(table: &str, c: &str) -> Expr {
    Expr::col((Alias::new(table), Alias::new(c)))
}

/// Compiles `filter` for a list of `object`.
pub fn compile(
    ctx: &Ctx<'_>,
    object: RecordType,
    filter: &Filter,
) -> Result<Condition, FilterError> {
    node(ctx, object, ctx.customs, filter, false)
}

fn node(
    ctx: &Ctx<'_>,
    object: RecordType,
    customs: &[CustomDef],
    f: &Filter,
    related: bool,
) -> Result<Condition, FilterError> {
    Ok(match f {
        Filter::And(parts) => parts.iter().try_fold(Condition::all(), |acc, p| {
            Ok::<_, FilterError>(acc.add(node(ctx, object, customs, p, related)?))
        })?,
        Filter::Or(parts) => parts.iter().try_fold(Condition::any(), |acc, p| {
            Ok::<_, FilterError>(acc.add(node(ctx, object, customs, p, related)?))
        })?,
        Filter::Not(inner) => node(ctx, object, customs, inner, related)?.not(),
        Filter::Cond(c) => condition(ctx, object, customs, c, related)?,
    })
}

fn condition(
    ctx: &Ctx<'_>,
    object: RecordType,
    customs: &[CustomDef],
    c: &FCond,
    related: bool,
) -> Result<Condition, FilterError> {
    let table = fields::table_of(object);
    if let Some(key) = c.field.strip_prefix("custom.") {
        return super::custom_filter::custom(ctx, customs, c, key);
    }
    if let Some(rest) = c.field.strip_prefix("company.")
        && fields::has_company(object)
        && !related
    {
        {
            let inner = FCond {
                field: rest.to_owned(),
                ..c.clone()
            };
            let cond = condition(ctx, RecordType::Company, ctx.company_customs, &inner, true)
                .map_err(|e| {
                    FilterError::new(e.message.replacen(
                        &format!("`{rest}`"),
                        &format!("`{}`", c.field),
                        1,
                    ))
                })?;
            let sub = Query::select()
                .column((Alias::new("companies"), Alias::new("id")))
                .from(Alias::new("companies"))
                .and_where(col("companies", "org_id").eq(ctx.org))
                .cond_where(cond)
                .to_owned();
            return Ok(Condition::all().add(col(table, "company_id").in_subquery(sub)));
        }
    }
    let Some((_, kind)) = fields::builtins(object).iter().find(|(n, _)| *n == c.field) else {
        let known: Vec<&str> = fields::builtins(object).iter().map(|(n, _)| *n).collect();
        return Err(FilterError::new(format!(
            "unknown field `{}` at column {} (fields of {}: {}, custom.<key>{})",
            c.field,
            c.column,
            object.plural(),
            known.join(", "),
            if fields::has_company(object) {
                ", company.<field>"
            } else {
                ""
            }
        )));
    };
    if related && matches!(kind, Kind::Aggregate(_) | Kind::LinkedDeal(_)) {
        return Err(fail(
            c,
            "related records' related fields cannot be filtered",
        ));
    }
    builtin(ctx, object, table, *kind, c)
}

fn builtin(
    ctx: &Ctx<'_>,
    object: RecordType,
    table: &str,
    kind: Kind,
    c: &FCond,
) -> Result<Condition, FilterError> {
    match kind {
        Kind::Text(name) => text(col(table, name), c, false, true),
        Kind::LowerText(name) => text(col(table, name), c, true, true),
        Kind::Choice(name, allowed) => {
            let mut vals = Vec::new();
            for v in values(c) {
                let norm = if name == "lifecycle_stage" {
                    LifecycleStage::parse(v).map(|s| s.as_str().to_owned()).ok()
                } else {
                    Some(v.to_lowercase()).filter(|v| allowed.contains(&v.as_str()))
                };
                vals.push(norm.ok_or_else(|| {
                    fail(c, format!("`{v}` is not one of {}", allowed.join(", ")))
                })?);
            }
            equality(
                col(table, name),
                c,
                vals.into_iter().map(SimpleExpr::from).collect(),
                false,
            )
        }
        Kind::Currency(name) => {
            let mut vals = Vec::new();
            for v in values(c) {
                let cur = Currency::parse(v)
                    .map_err(|_| fail(c, format!("`{v}` is not a currency code")))?;
                vals.push(SimpleExpr::from(cur.as_str().to_owned()));
            }
            equality(col(table, name), c, vals, false)
        }
        Kind::User(name) | Kind::Ref(name) => {
            let mut vals = Vec::new();
            for v in values(c) {
                let id = if matches!(kind, Kind::User(_)) && v.eq_ignore_ascii_case("me") {
                    ctx.me
                } else {
                    uuid::Uuid::parse_str(v).map_err(|_| {
                        let what = if matches!(kind, Kind::User(_)) {
                            "a user id or `me`"
                        } else {
                            "a record id"
                        };
                        fail(c, format!("expects {what}, got `{v}`"))
                    })?
                };
                vals.push(SimpleExpr::from(id));
            }
            equality(col(table, name), c, vals, true)
        }
        Kind::Time(name) => {
            let e = col(table, name);
            let (from, to) = parse_time_range(one(c)?).ok_or_else(|| {
                fail(
                    c,
                    format!(
                        "expects a date (2026-01-31) or a time (2026-01-31T09:00:00Z), got `{}`",
                        one(c).unwrap_or("")
                    ),
                )
            })?;
            Ok(Condition::all().add(match c.op {
                Op::Eq => e.clone().gte(from).and(e.lt(to)),
                Op::Ne => e.clone().lt(from).or(e.gte(to)),
                Op::Gt => e.gte(to),
                Op::Ge => e.gte(from),
                Op::Lt => e.lt(from),
                Op::Le => e.lt(to),
                _ => return Err(unsupported(c)),
            }))
        }
        Kind::Date(name) => {
            let mut vals = Vec::new();
            for v in values(c) {
                let d = parse_date(v)
                    .ok_or_else(|| fail(c, format!("expects a date (2026-01-31), got `{v}`")))?;
                vals.push(SimpleExpr::from(d));
            }
            ordered(col(table, name), c, vals, true)
        }
        Kind::Money(name) => {
            let v = money_minor(one(c).unwrap_or("x"), 2)
                .ok_or_else(|| fail(c, "expects an amount (10000 or 99.50)"))?;
            ordered(col(table, name), c, vec![SimpleExpr::from(v)], true)
        }
        Kind::Child {
            table: child,
            fk,
            col: name,
            lower,
        } => {
            let link = |extra: Option<Expr>| {
                let mut q = Query::select();
                q.expr(Expr::val(1))
                    .from(Alias::new(child))
                    .and_where(col(child, "org_id").eq(ctx.org))
                    .and_where(col(child, fk).equals((Alias::new(table), Alias::new("id"))));
                if let Some(e) = extra {
                    q.and_where(e);
                }
                q.to_owned()
            };
            if c.op.is_ordering() {
                return Err(unsupported(c));
            }
            Ok(Condition::all().add(match c.op {
                Op::IsEmpty => Expr::not_exists(link(None)),
                Op::IsNotEmpty => Expr::exists(link(None)),
                Op::Ne => {
                    let v = norm_text(one(c)?, lower);
                    Expr::not_exists(link(Some(col(child, name).eq(v))))
                }
                _ => {
                    let inner = text(col(child, name), c, lower, false)?;
                    let mut q = link(None);
                    q.cond_where(inner);
                    Expr::exists(q)
                }
            }))
        }
        Kind::Aggregate(agg) => {
            let raw = one(c)?;
            let v: SimpleExpr = match agg {
                Aggregate::OpenDealAmount => money_minor(raw, 2).map(SimpleExpr::from),
                _ => raw.parse::<i64>().ok().map(SimpleExpr::from),
            }
            .ok_or_else(|| fail(c, format!("expects a number, got `{raw}`")))?;
            let e = Expr::SubQuery(None, Box::new(aggregate(ctx, object, agg).into()));
            ordered(e, c, vec![v], false)
        }
        Kind::Named(named) => {
            let (fk, parent) = match named {
                Named::Pipeline => ("pipeline_id", "pipelines"),
                Named::Stage => ("stage_id", "pipeline_stages"),
            };
            let ids = named_ids(ctx, parent, c)?;
            Ok(Condition::all().add(match c.op {
                Op::Eq | Op::In => col(table, fk).in_subquery(ids),
                Op::Ne => col(table, fk).not_in_subquery(ids),
                _ => return Err(unsupported(c)),
            }))
        }
        Kind::LinkedDeal(prop) => {
            let deal_cond: Condition = match prop {
                DealProp::Status => builtin(
                    ctx,
                    RecordType::Deal,
                    "deals",
                    Kind::Choice("status", fields::DEAL_STATUSES),
                    &positive(c)?,
                )?,
                DealProp::Stage => builtin(
                    ctx,
                    RecordType::Deal,
                    "deals",
                    Kind::Named(Named::Stage),
                    &positive(c)?,
                )?,
                DealProp::Amount => builtin(
                    ctx,
                    RecordType::Deal,
                    "deals",
                    Kind::Money("amount_minor"),
                    c,
                )?,
            };
            let q = Query::select()
                .expr(Expr::val(1))
                .from(Alias::new("deal_contacts"))
                .inner_join(
                    Alias::new("deals"),
                    col("deals", "id").equals((Alias::new("deal_contacts"), Alias::new("deal_id"))),
                )
                .and_where(col("deal_contacts", "org_id").eq(ctx.org))
                .and_where(
                    col("deal_contacts", "contact_id")
                        .equals((Alias::new(table), Alias::new("id"))),
                )
                .cond_where(deal_cond)
                .to_owned();
            Ok(
                Condition::all().add(if c.op == Op::Ne && prop != DealProp::Amount {
                    Expr::not_exists(q)
                } else {
                    Expr::exists(q)
                }),
            )
        }
    }
}

/// `!=` on a linked deal's property means "no linked deal has it": compile the `=` and negate
/// the EXISTS.
fn positive(c: &FCond) -> Result<FCond, FilterError> {
    match c.op {
        Op::Eq | Op::In => Ok(c.clone()),
        Op::Ne => Ok(FCond {
            op: Op::Eq,
            ..c.clone()
        }),
        _ => Err(unsupported(c)),
    }
}

/// The ids of pipelines or stages named by the values (ids or case-insensitive names).
fn named_ids(ctx: &Ctx<'_>, parent: &str, c: &FCond) -> Result<SelectStatement, FilterError> {
    let vals = values(c);
    if vals.is_empty() {
        return Err(unsupported(c));
    }
    let mut any = Condition::any();
    for v in vals {
        any = match uuid::Uuid::parse_str(v) {
            Ok(id) => any.add(col(parent, "id").eq(id)),
            Err(_) => any.add(Func::lower(col(parent, "name")).eq(v.to_lowercase())),
        };
    }
    Ok(Query::select()
        .column((Alias::new(parent), Alias::new("id")))
        .from(Alias::new(parent))
        .and_where(col(parent, "org_id").eq(ctx.org))
        .cond_where(any)
        .to_owned())
}

/// The scalar subquery of an aggregate field, correlated with the main table.
fn aggregate(ctx: &Ctx<'_>, object: RecordType, agg: Aggregate) -> SelectStatement {
    let parent = (Alias::new(fields::table_of(object)), Alias::new("id"));
    let mut q = Query::select();
    match (object, agg) {
        (RecordType::Contact, Aggregate::OpenDealAmount | Aggregate::DealCount) => {
            q.from(Alias::new("deal_contacts"))
                .and_where(col("deal_contacts", "org_id").eq(ctx.org))
                .and_where(col("deal_contacts", "contact_id").equals(parent));
            if agg == Aggregate::OpenDealAmount {
                q.inner_join(
                    Alias::new("deals"),
                    col("deals", "id").equals((Alias::new("deal_contacts"), Alias::new("deal_id"))),
                )
                .and_where(col("deals", "status").eq("open"))
                .expr(Func::coalesce([
                    Func::sum(col("deals", "amount_minor")).into(),
                    Expr::val(0),
                ]));
            } else {
                q.expr(Func::count(Expr::val(1)));
            }
        }
        (_, Aggregate::ContactCount) => {
            q.expr(Func::count(Expr::val(1)))
                .from(Alias::new("contacts"))
                .and_where(col("contacts", "org_id").eq(ctx.org))
                .and_where(col("contacts", "company_id").equals(parent));
        }
        (_, _) => {
            q.from(Alias::new("deals"))
                .and_where(col("deals", "org_id").eq(ctx.org))
                .and_where(col("deals", "company_id").equals(parent));
            if agg == Aggregate::OpenDealAmount {
                q.and_where(col("deals", "status").eq("open"))
                    .expr(Func::coalesce([
                        Func::sum(col("deals", "amount_minor")).into(),
                        Expr::val(0),
                    ]));
            } else {
                q.expr(Func::count(Expr::val(1)));
            }
        }
    }
    q.to_owned()
}
