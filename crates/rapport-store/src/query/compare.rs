//! The comparisons a filter condition compiles to: its operand(s), text matching (`contains`,
//! `starts_with` with LIKE escaping), equality and ordering with bound values, and the errors
//! that name the condition's field and column.

use rapport_domain::crm::filter::{Condition as FCond, FilterError, Op, Operand};
use sea_orm::Condition;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, SimpleExpr};

pub(super) fn fail(c: &FCond, msg: impl std::fmt::Display) -> FilterError {
    FilterError::new(format!("`{}` at column {}: {msg}", c.field, c.column))
}

pub(super) fn unsupported(c: &FCond) -> FilterError {
    fail(
        c,
        format!("the operator `{}` does not apply to this field", c.op),
    )
}

pub(super) fn one(c: &FCond) -> Result<&str, FilterError> {
    match &c.value {
        Operand::One(v) => Ok(v),
        _ => Err(unsupported(c)),
    }
}

/// The values to compare with: one for most operators, several for `in`.
pub(super) fn values(c: &FCond) -> Vec<&str> {
    match &c.value {
        Operand::One(v) => vec![v.as_str()],
        Operand::List(vs) => vs.iter().map(String::as_str).collect(),
        Operand::None => Vec::new(),
    }
}

pub(super) fn norm_text(v: &str, lower: bool) -> String {
    if lower {
        v.to_lowercase()
    } else {
        v.to_owned()
    }
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `\` as the escape character.
fn like_escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Text comparisons. `contains`/`starts_with` ignore case; `=` is exact (emails and domains
/// are stored lowercase, so their values are lowercased first).
pub(super) fn text(
    e: Expr,
    c: &FCond,
    lower: bool,
    nullable: bool,
) -> Result<Condition, FilterError> {
    let like = |pattern: String| Func::lower(e.clone()).like(LikeExpr::new(pattern).escape('\\'));
    let expr = match c.op {
        Op::Contains => like(format!("%{}%", like_escape(&one(c)?.to_lowercase()))),
        Op::StartsWith => like(format!("{}%", like_escape(&one(c)?.to_lowercase()))),
        Op::IsEmpty if nullable => e.clone().is_null().or(e.eq("")),
        Op::IsNotEmpty if nullable => e.clone().is_not_null().and(e.ne("")),
        Op::IsEmpty | Op::IsNotEmpty => return Err(unsupported(c)),
        _ => {
            let vals = values(c)
                .into_iter()
                .map(|v| SimpleExpr::from(norm_text(v, lower)))
                .collect();
            return ordered(e, c, vals, nullable);
        }
    };
    Ok(Condition::all().add(expr))
}

/// `=`, `!=`, `in`, and (when `nullable`) `is empty`; nothing else.
pub(super) fn equality(
    e: Expr,
    c: &FCond,
    vals: Vec<SimpleExpr>,
    nullable: bool,
) -> Result<Condition, FilterError> {
    if c.op.is_ordering() {
        return Err(unsupported(c));
    }
    ordered(e, c, vals, nullable)
}

/// Comparisons with bound values. `!=` keeps rows where the column is NULL (a contact without a
/// title is "not CEO").
pub(super) fn ordered(
    e: Expr,
    c: &FCond,
    vals: Vec<SimpleExpr>,
    nullable: bool,
) -> Result<Condition, FilterError> {
    let first = || vals.first().cloned().ok_or_else(|| unsupported(c));
    let expr = match c.op {
        Op::Eq => e.eq(first()?),
        Op::Ne if nullable => e.clone().is_null().or(e.ne(first()?)),
        Op::Ne => e.ne(first()?),
        Op::Gt => e.gt(first()?),
        Op::Ge => e.gte(first()?),
        Op::Lt => e.lt(first()?),
        Op::Le => e.lte(first()?),
        Op::In => e.is_in(vals),
        Op::IsEmpty if nullable => e.is_null(),
        Op::IsNotEmpty if nullable => e.is_not_null(),
        _ => return Err(unsupported(c)),
    };
    Ok(Condition::all().add(expr))
}
