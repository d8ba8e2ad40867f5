//! Organization administration pages: members and invitations, teams, roles, org settings,
//! the access review and the audit log. Each page checks its permission in the app layer;
//! templates only hide what the member may not do.
//!
//! Conventions shared by the submodules: every POST form carries `_csrf`, a success answers
//! `303` with a one-shot flash, and a refused input (`Invalid`, `Conflict`) re-renders the
//! page with the messages in place (`422` / `409`). Ids in paths that do not parse are a 404,
//! exactly like ids of another org.

pub mod access_review;
pub mod audit;
pub mod members;
pub mod roles;
pub mod settings;
pub mod teams;

use super::page::set_flash;
use crate::i18n::Tr;
use crate::state::WebState;
use crate::ui::routes::RouteTable;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use rapport_app::AppError;
use rapport_domain::{DomainError, Role, RoleId};
use serde::Deserialize;
use std::str::FromStr;

/// The administration routes (`/admin/...`).
pub fn table() -> RouteTable {
    RouteTable::new()
        .get("/admin/members", members::show)
        .post("/admin/members/invite", members::invite)
        .post("/admin/members/{id}/role", members::change_role)
        .post("/admin/members/{id}/remove", members::remove)
        .post("/admin/invitations/{id}/revoke", members::revoke)
        .get("/admin/teams", teams::show)
        .post("/admin/teams", teams::create)
        .post("/admin/teams/{id}", teams::update)
        .post("/admin/teams/{id}/delete", teams::delete)
        .post("/admin/teams/{id}/members", teams::set_member)
        .get("/admin/roles", roles::show)
        .post("/admin/roles", roles::create)
        .get("/admin/roles/new", roles::new_form)
        .get("/admin/roles/{id}/edit", roles::edit_form)
        .post("/admin/roles/{id}", roles::update)
        .post("/admin/roles/{id}/delete", roles::delete)
        .get("/admin/settings", settings::show)
        .post("/admin/settings", settings::save)
        .get("/admin/access-review", access_review::show)
        .get("/admin/access-review.csv", access_review::csv)
        .post("/admin/access-review/sign-off", access_review::sign_off)
        .get("/admin/audit", audit::show)
        .get("/admin/audit.csv", audit::csv)
}

/// The built-in roles, most powerful first.
pub(crate) const BUILT_IN: [Role; 4] = [Role::Owner, Role::Admin, Role::Agent, Role::Viewer];

/// A refused form submission, shown in the page above the form.
#[derive(Debug, Default)]
pub(crate) struct FormProblem {
    /// `422` for invalid input, `409` for a conflict.
    pub status: Option<StatusCode>,
    /// Translated messages.
    pub messages: Vec<String>,
    /// Fields to mark.
    pub fields: Vec<&'static str>,
}

impl FormProblem {
    /// One message for one field, as `422`.
    pub fn field(tr: &Tr, err: &DomainError) -> Self {
        Self {
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            messages: vec![field_message(tr, err)],
            fields: vec![err.field()],
        }
    }

    /// The status to answer with.
    pub fn status(&self) -> StatusCode {
        self.status.unwrap_or(StatusCode::OK)
    }
}

/// Splits an error into what a form shows (`Ok`) and what becomes an error page (`Err`).
pub(crate) fn form_problem(tr: &Tr, err: AppError) -> Result<FormProblem, AppError> {
    match err {
        AppError::Invalid(errors) => Ok(FormProblem {
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            messages: errors.iter().map(|e| field_message(tr, e)).collect(),
            fields: errors.iter().map(DomainError::field).collect(),
        }),
        AppError::Conflict(message) => Ok(FormProblem {
            status: Some(StatusCode::CONFLICT),
            messages: vec![message],
            fields: Vec::new(),
        }),
        other => Err(other),
    }
}

/// A validation error in the reader's language ("Name: this field is required.").
pub(crate) fn field_message(tr: &Tr, err: &DomainError) -> String {
    let key = format!("admin_fields.{}", err.field());
    let label = tr.t(&key);
    let field = if label == key {
        err.field().to_owned()
    } else {
        label
    };
    match err {
        DomainError::Empty { .. } => tr.tf("admin_errors.empty", &[("field", &field)]),
        DomainError::TooLong { max, .. } => tr.tf(
            "admin_errors.too_long",
            &[("field", &field), ("max", &max.to_string())],
        ),
        DomainError::TooShort { min, .. } => tr.tf(
            "admin_errors.too_short",
            &[("field", &field), ("min", &min.to_string())],
        ),
        DomainError::Invalid { reason, .. } => tr.tf(
            "admin_errors.invalid",
            &[("field", &field), ("reason", reason)],
        ),
    }
}

/// The translator for a signed-in member (for messages built before the page is).
pub(crate) fn tr_of(state: &WebState, info: &rapport_app::auth::SessionInfo) -> Tr {
    Tr::new(
        state.i18n.clone(),
        &info.actor.locale,
        &info.actor.time_zone,
    )
}

/// `303` to `to` with a success flash (`key` must be listed in `FLASH_KEYS`).
pub(crate) fn done(state: &WebState, jar: CookieJar, key: &'static str, to: &str) -> Response {
    (
        set_flash(jar, "success", key, state.secure_cookies),
        Redirect::to(to),
    )
        .into_response()
}

/// An id from a path or form; `None` when it does not parse.
pub(crate) fn parse_id<T: FromStr>(raw: &str) -> Option<T> {
    T::from_str(raw.trim()).ok()
}

/// The translated name of a built-in role.
pub(crate) fn role_label(tr: &Tr, role: Role) -> String {
    tr.t(&format!("role.{}", role.as_str()))
}

/// One `<option>`.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The submitted value.
    pub value: String,
    /// What the reader sees.
    pub label: String,
}

/// The built-in roles the actor may hand out (only owners make owners).
pub(crate) fn role_choices(tr: &Tr, actor_role: Role) -> Vec<Choice> {
    BUILT_IN
        .iter()
        .filter(|r| **r != Role::Owner || actor_role == Role::Owner)
        .map(|r| Choice {
            value: r.as_str().to_owned(),
            label: role_label(tr, *r),
        })
        .collect()
}

/// A form with only the CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    #[serde(default, rename = "_csrf")]
    pub(crate) csrf: String,
}

/// A built-in role and an optional custom role from a form.
pub(crate) fn parse_grant(
    role: &str,
    custom_role: &str,
) -> Result<(Role, Option<RoleId>), DomainError> {
    let role = Role::parse(role).ok_or(DomainError::Invalid {
        field: "role",
        reason: "choose one of the listed roles",
    })?;
    if custom_role.trim().is_empty() {
        return Ok((role, None));
    }
    let custom = parse_id::<RoleId>(custom_role).ok_or(DomainError::Invalid {
        field: "custom_role",
        reason: "choose one of the listed roles",
    })?;
    Ok((role, Some(custom)))
}

/// A URL-encoded body kept as pairs, for forms with repeated fields (checkbox lists).
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Catalog;
    use std::sync::Arc;

    /// Every action the app layer records has a human label in the audit viewer, so a new
    /// `AuditEvent::new("…")` without a translation fails here.
    #[test]
    fn every_recorded_audit_action_has_a_label() {
        fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(std::fs::read_to_string(path).unwrap());
                }
            }
        }
        let app = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rapport-app/src");
        let mut files = Vec::new();
        sources(&app, &mut files);
        // Action names are string literals passed to `AuditEvent::new(`, or chosen from a
        // tuple `("team.member_added", …)` when one call site records one of two actions.
        let is_action = |w: &str| {
            w.split_once('.')
                .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
        };
        let mut actions = Vec::new();
        for text in &files {
            for marker in ["AuditEvent::new(", "(\""] {
                for (i, _) in text.match_indices(marker) {
                    let rest = text[i + marker.len()..]
                        .trim_start()
                        .trim_start_matches('"');
                    let word = rest.split('"').next().unwrap_or_default();
                    let quoted = marker.ends_with('"')
                        || text[i + marker.len()..].trim_start().starts_with('"');
                    if quoted && is_action(word) {
                        actions.push(word.to_owned());
                    }
                }
            }
        }
        actions.sort();
        actions.dedup();
        assert!(actions.len() >= 30, "found only {actions:?}");
        let catalog = Catalog::load().unwrap();
        let keys = catalog.keys("en");
        for action in actions {
            let key = format!("audit.actions.{action}");
            assert!(
                keys.contains(&key),
                "no label for audit action `{action}` ({key})"
            );
        }
    }

    #[test]
    fn validation_errors_read_as_sentences() {
        let tr = Tr::new(Arc::new(Catalog::load().unwrap()), "en", "UTC");
        let msg = field_message(&tr, &DomainError::Empty { field: "name" });
        assert_eq!(msg, "Name: this field is required.");
        let msg = field_message(
            &tr,
            &DomainError::TooLong {
                field: "zzz",
                max: 3,
            },
        );
        assert_eq!(msg, "zzz: at most 3 characters.");
    }

    #[test]
    fn only_owners_may_hand_out_ownership() {
        let tr = Tr::new(Arc::new(Catalog::load().unwrap()), "en", "UTC");
        assert_eq!(role_choices(&tr, Role::Owner).len(), 4);
        let admin: Vec<_> = role_choices(&tr, Role::Admin)
            .into_iter()
            .map(|c| c.value)
            .collect();
        assert_eq!(admin, ["admin", "agent", "viewer"]);
    }

    /// The administration templates and handlers: every literal catalog key they use.
    const SOURCES: &[&str] = &[
        include_str!("../../../templates/admin_members.html"),
        include_str!("../../../templates/admin_teams.html"),
        include_str!("../../../templates/admin_roles.html"),
        include_str!("../../../templates/admin_role_form.html"),
        include_str!("../../../templates/admin_settings.html"),
        include_str!("../../../templates/admin_access_review.html"),
        include_str!("../../../templates/admin_audit.html"),
        include_str!("members.rs"),
        include_str!("teams.rs"),
        include_str!("roles.rs"),
        include_str!("settings.rs"),
        include_str!("access_review.rs"),
        include_str!("audit.rs"),
    ];

    #[test]
    fn every_key_the_pages_use_is_in_the_catalog() {
        let catalog = Catalog::load().unwrap();
        let known = catalog.keys("en");
        let mut missing = Vec::new();
        for src in SOURCES {
            for marker in [".t(\"", ".tf(\""] {
                for (at, _) in src.match_indices(marker) {
                    let rest = &src[at + marker.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    if !known.iter().any(|k| k == key) {
                        missing.push(key.to_owned());
                    }
                }
            }
        }
        let tr = Tr::new(Arc::new(catalog), "en", "UTC");
        for p in rapport_domain::Permission::ALL {
            let key = format!("permissions.{}", p.as_str().replace('.', "_"));
            let area = format!("permission_areas.{}", p.area());
            for key in [key, area] {
                if tr.t(&key) == key {
                    missing.push(key);
                }
            }
        }
        // Flash messages (FLASH_KEYS in ui/page.rs) and the audit filter's families.
        let flashes = [
            "invitations.sent",
            "invitations.revoked",
            "members.role_changed",
            "members.removed",
            "teams.created_flash",
            "teams.updated_flash",
            "teams.deleted_flash",
            "teams.member_added_flash",
            "teams.member_removed_flash",
            "roles_admin.created_flash",
            "roles_admin.updated_flash",
            "roles_admin.deleted_flash",
            "org_settings.saved",
            "access_review.signed",
        ];
        let families = audit::FAMILIES
            .iter()
            .map(|f| format!("audit.families.{}", f.trim_end_matches('.')));
        for key in flashes.into_iter().map(String::from).chain(families) {
            if tr.t(&key) == key {
                missing.push(key);
            }
        }
        assert!(missing.is_empty(), "missing catalog keys: {missing:?}");
    }

    #[test]
    fn repeated_fields_are_all_kept() {
        let f = Fields(serde_urlencoded::from_str("a=1&p=x&p=y").unwrap());
        assert_eq!(f.get("a"), "1");
        assert_eq!(f.get("missing"), "");
        assert_eq!(f.all("p"), ["x", "y"]);
    }
}
