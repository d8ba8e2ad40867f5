//! Custom-field conditions: each type compared with its own semantics on the exact
//! expression its per-field index covers (`custom_sql::custom_expr`, the key inlined after it
//! was checked against the org's definitions, the value always bound).

use super::compare::{fail, one, ordered, text, unsupported, values};
use super::compile::Ctx;
use super::fields::CustomDef;
use super::values::{money_minor, number, parse_bool, parse_date};
use crate::connect::Backend;
use crate::custom_sql::{CustomValueKind, custom_expr};
use rapport_domain::crm::filter::{Condition as FCond, FilterError, Op};
use rapport_domain::crm::{Currency, FieldType};
use sea_orm::Condition;
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};

/// A custom field, compared with its type's semantics on the expression its index covers.
pub(super) fn custom(
    ctx: &Ctx<'_>,
    customs: &[CustomDef],
    c: &FCond,
    key: &str,
) -> Result<Condition, FilterError> {
    let Some(def) = customs.iter().find(|d| d.key.as_str() == key) else {
        return Err(FilterError::new(format!(
            "unknown field `{}` at column {}: there is no custom field `{key}`",
            c.field, c.column
        )));
    };
    let pg = ctx.backend == Backend::Postgres;
    let text_expr = || {
        Expr::cust(custom_expr(
            ctx.backend,
            None,
            &def.key,
            CustomValueKind::Text,
        ))
    };
    match def.field_type {
        FieldType::Number | FieldType::Currency => {
            let e = Expr::cust(custom_expr(
                ctx.backend,
                None,
                &def.key,
                CustomValueKind::Numeric,
            ));
            let digits = def
                .currency
                .as_deref()
                .and_then(|cur| Currency::parse(cur).ok())
                .map_or(2, |cur| cur.minor_digits());
            let mut vals = Vec::new();
            for v in values(c) {
                let n = if def.field_type == FieldType::Currency {
                    money_minor(v, digits).map(|m| m as f64)
                } else {
                    number(v)
                }
                .ok_or_else(|| fail(c, format!("expects a number, got `{v}`")))?;
                // PostgreSQL: compare numeric with numeric, or the expression index is unusable.
                vals.push(if pg {
                    Expr::cust_with_values("CAST($1 AS NUMERIC)", [n.to_string()])
                } else {
                    SimpleExpr::from(n)
                });
            }
            ordered(e, c, vals, true)
        }
        FieldType::Boolean => {
            let b = match c.op {
                Op::IsEmpty | Op::IsNotEmpty => None,
                Op::Eq | Op::Ne => {
                    Some(parse_bool(one(c)?).ok_or_else(|| fail(c, "expects true or false"))?)
                }
                _ => return Err(unsupported(c)),
            };
            // SQLite's json_extract yields 1/0 for JSON booleans, PostgreSQL's ->> 'true'/'false'.
            let v: Vec<SimpleExpr> = match b {
                Some(b) if pg => vec![SimpleExpr::from(b.to_string())],
                Some(b) => vec![SimpleExpr::from(i32::from(b))],
                None => Vec::new(),
            };
            ordered(text_expr(), c, v, true)
        }
        FieldType::MultiSelect => multi(ctx, def, c),
        FieldType::Date => {
            for v in values(c) {
                parse_date(v)
                    .ok_or_else(|| fail(c, format!("expects a date (2026-01-31), got `{v}`")))?;
            }
            text(text_expr(), c, false, true)
        }
        FieldType::Select => {
            if matches!(c.op, Op::Eq | Op::Ne | Op::In) && !def.options.is_empty() {
                for v in values(c) {
                    if !def.options.iter().any(|o| o.value == v) {
                        return Err(fail(c, format!("`{v}` is not an option of this field")));
                    }
                }
            }
            text(text_expr(), c, false, true)
        }
        FieldType::Email => text(text_expr(), c, true, true),
        FieldType::Text | FieldType::Url | FieldType::Phone => text(text_expr(), c, false, true),
    }
}

/// Multi-select: `=` has the option, `!=` lacks it, `in` has any of them.
fn multi(ctx: &Ctx<'_>, def: &CustomDef, c: &FCond) -> Result<Condition, FilterError> {
    let key = def.key.as_str();
    let has = |v: &str| -> Expr {
        if ctx.backend == Backend::Postgres {
            Expr::cust_with_values(
                format!(
                    "COALESCE((\"custom\" -> '{key}') @> jsonb_build_array(CAST($1 AS TEXT)), FALSE)"
                ),
                [v.to_owned()],
            )
        } else {
            Expr::cust_with_values(
                format!("EXISTS (SELECT 1 FROM json_each(\"custom\", '$.{key}') WHERE value = ?)"),
                [v.to_owned()],
            )
        }
    };
    let len = if ctx.backend == Backend::Postgres {
        format!("COALESCE(jsonb_array_length(\"custom\" -> '{key}'), 0)")
    } else {
        format!("COALESCE(json_array_length(\"custom\", '$.{key}'), 0)")
    };
    Ok(match c.op {
        Op::Eq => Condition::all().add(has(one(c)?)),
        Op::Ne => Condition::all().add(has(one(c)?).not()),
        Op::In => values(c)
            .into_iter()
            .fold(Condition::any(), |acc, v| acc.add(has(v))),
        Op::IsEmpty => Condition::all().add(Expr::cust(format!("{len} = 0"))),
        Op::IsNotEmpty => Condition::all().add(Expr::cust(format!("{len} > 0"))),
        _ => return Err(unsupported(c)),
    })
}
