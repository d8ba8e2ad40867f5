//! Permission labels for the token form: each permission in words (`ui::labels`, shared with
//! the administration pages) and grouped by area.

use crate::i18n::Tr;
pub use crate::ui::labels::{area_label, permission_label};
use rapport_domain::PermissionSet;

/// One checkbox.
pub struct ScopeItem {
    /// The dotted name, the checkbox's value.
    pub name: &'static str,
    /// In words.
    pub label: String,
    /// Whether it is ticked.
    pub checked: bool,
}

/// The checkboxes of one area.
pub struct ScopeGroup {
    /// The area in words.
    pub label: String,
    /// Its permissions.
    pub items: Vec<ScopeItem>,
}

/// The permissions the member holds, grouped by area in display order.
pub fn scope_groups(tr: &Tr, held: PermissionSet, chosen: &[&str]) -> Vec<ScopeGroup> {
    let mut groups: Vec<(&'static str, ScopeGroup)> = Vec::new();
    for p in held.iter() {
        let item = ScopeItem {
            name: p.as_str(),
            label: permission_label(tr, p),
            checked: chosen.contains(&p.as_str()),
        };
        match groups.iter_mut().find(|(area, _)| *area == p.area()) {
            Some((_, group)) => group.items.push(item),
            None => groups.push((
                p.area(),
                ScopeGroup {
                    label: area_label(tr, p.area()),
                    items: vec![item],
                },
            )),
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Catalog;
    use std::sync::Arc;

    #[test]
    fn every_permission_and_area_has_a_label() {
        let tr = Tr::new(Arc::new(Catalog::load().unwrap()), "en", "UTC");
        for p in rapport_domain::Permission::ALL {
            assert!(
                !permission_label(&tr, *p).starts_with("permissions."),
                "{p}"
            );
            let area = format!("permission_areas.{}", p.area());
            assert_ne!(tr.t(&area), area);
        }
        let groups = scope_groups(
            &tr,
            rapport_domain::Role::Viewer.permissions(),
            &["deals.read"],
        );
        assert_eq!(groups.len(), 3, "crm, inbox and insights");
        assert!(
            groups[0]
                .items
                .iter()
                .any(|i| i.name == "deals.read" && i.checked)
        );
    }
}
