//! Shared wording for the permission model: each permission and each area in the reader's
//! language (`[permissions]` and `[permission_areas]` in the catalog). The token form, the
//! roles matrix and the access review all use these, so a permission reads the same
//! everywhere.

use crate::i18n::Tr;
use rapport_domain::Permission;

/// "See contacts and companies" for `contacts.read`.
pub fn permission_label(tr: &Tr, p: Permission) -> String {
    tr.t(&format!("permissions.{}", p.as_str().replace('.', "_")))
}

/// "Inbox" for the `inbox` area.
pub fn area_label(tr: &Tr, area: &str) -> String {
    tr.t(&format!("permission_areas.{area}"))
}
