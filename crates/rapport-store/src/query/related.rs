//! The related values a list row shows (tags, company, owner, pipeline and stage names,
//! contact counts), as correlated subqueries over the page. The page query is wrapped
//! (`SELECT page.*, <related> FROM (<page query> LIMIT n) AS page`) so they run only for the
//! page's rows, each through an index, even when the order needs a sort (SQLite computes
//! result columns before sorting). One statement per page: per-statement overhead, not the
//! look-ups themselves, dominated the list's latency (docs/BENCHMARKS.md, "CRM: contact list").
//!
//! The SQL is fixed text over the migration's table and column names (no input reaches it),
//! valid on SQLite and PostgreSQL alike except the tag aggregate.

use crate::connect::Backend;
use sea_orm::sea_query::Expr;

/// Separates tags in the aggregated column. Tags never contain control characters (input
/// validation refuses them), so the separator cannot occur inside one.
const TAG_SEPARATOR: char = '\u{1f}';

/// A related value: its SQL expression and the column alias the row reads.
pub(crate) type Related = (Expr, &'static str);

/// The alias of the wrapped page query the subqueries refer to.
pub(crate) const PAGE: &str = "page";

fn name_of(table: &str, fk: &str) -> Expr {
    Expr::cust(format!(
        "(SELECT r.name FROM {table} r WHERE r.id = {PAGE}.{fk} AND r.org_id = {PAGE}.org_id)"
    ))
}

/// The owner's name, for owners who are members of the row's org (a stale owner id shows no
/// name).
fn owner_name() -> Expr {
    Expr::cust(format!(
        "(SELECT u.name FROM users u JOIN memberships m ON m.user_id = u.id \
         WHERE u.id = {PAGE}.owner_id AND m.org_id = {PAGE}.org_id LIMIT 1)"
    ))
}

/// The aggregate joining `column`'s values with [`TAG_SEPARATOR`] (split again by
/// [`split_tags`]): the one backend-specific spelling of a list column.
pub(crate) fn joined(backend: Backend, column: &str) -> String {
    match backend {
        Backend::Sqlite => format!("group_concat({column}, char(31))"),
        Backend::Postgres => format!("string_agg({column}, chr(31))"),
    }
}

/// A contact's tags, joined by [`TAG_SEPARATOR`].
fn tags(backend: Backend) -> Expr {
    let aggregate = joined(backend, "t.tag");
    Expr::cust(format!(
        "(SELECT {aggregate} FROM contact_tags t \
         WHERE t.contact_id = {PAGE}.id AND t.org_id = {PAGE}.org_id)"
    ))
}

/// Tags, company name and owner name of a contact.
pub(crate) fn contact(backend: Backend) -> Vec<Related> {
    vec![
        (tags(backend), "tags"),
        (name_of("companies", "company_id"), "company_name"),
        (owner_name(), "owner_name"),
    ]
}

/// Contacts whose primary company this is, and the owner's name.
pub(crate) fn company() -> Vec<Related> {
    vec![
        (
            Expr::cust(format!(
                "(SELECT COUNT(*) FROM contacts c \
                 WHERE c.org_id = {PAGE}.org_id AND c.company_id = {PAGE}.id)"
            )),
            "contact_count",
        ),
        (owner_name(), "owner_name"),
    ]
}

/// Pipeline, stage, company and owner names of a deal.
pub(crate) fn deal() -> Vec<Related> {
    vec![
        (name_of("pipelines", "pipeline_id"), "pipeline_name"),
        (name_of("pipeline_stages", "stage_id"), "stage_name"),
        (name_of("companies", "company_id"), "company_name"),
        (owner_name(), "owner_name"),
    ]
}

/// The aggregated tags column as a list, sorted case-insensitively (as record pages show it).
pub(crate) fn split_tags(joined: Option<String>) -> Vec<String> {
    let mut tags: Vec<String> = joined
        .as_deref()
        .unwrap_or_default()
        .split(TAG_SEPARATOR)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    tags.sort_by_key(|t| t.to_lowercase());
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregated_tags_split_back_sorted_and_an_untagged_contact_has_none() {
        assert_eq!(
            split_tags(Some("vip\u{1f}Alpha\u{1f}beta".into())),
            ["Alpha", "beta", "vip"]
        );
        assert!(split_tags(None).is_empty());
    }
}
