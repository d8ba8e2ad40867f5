//! The member's own account pages: security (profile, password, two-step verification,
//! security keys, active sessions) and personal API tokens. Each handler calls one use case;
//! form errors come back inside the page, successes redirect with a flash.

mod keys;
mod mfa;
pub mod permissions;
mod security;
mod sessions;
mod tokens;
mod zones;

use crate::i18n::Tr;
use crate::ui::routes::RouteTable;
use rapport_domain::DomainError;
use serde::Deserialize;

/// The account routes (`/settings/...`).
pub fn table() -> RouteTable {
    RouteTable::new()
        .get("/settings/security", security::show)
        .post("/settings/profile", security::update_profile)
        .post("/settings/security/password", security::change_password)
        .get("/settings/security/totp", mfa::setup_form)
        .post("/settings/security/totp", mfa::setup_submit)
        .post("/settings/security/totp/disable", mfa::disable)
        .post("/settings/security/recovery-codes", mfa::regenerate)
        .post("/settings/security/keys/start", keys::start)
        .post("/settings/security/keys/finish", keys::finish)
        .post("/settings/security/keys/{id}/delete", keys::remove)
        .post("/settings/security/sessions/{id}/revoke", sessions::revoke)
        .post(
            "/settings/security/sessions/revoke-others",
            sessions::revoke_others,
        )
        .get("/settings/personal-data", security::my_data)
        .get("/settings/tokens", tokens::show)
        .post("/settings/tokens", tokens::create)
        .post("/settings/tokens/{id}/revoke", tokens::revoke)
}

/// A form body carrying only the CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// A form body carrying the CSRF token and the current password.
#[derive(Debug, Deserialize)]
pub struct PasswordConfirm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    password: String,
}

/// Errors for one form on a page: translated messages, and the fields to highlight.
#[derive(Debug, Default)]
pub struct FormErrors {
    /// What to tell the member.
    pub messages: Vec<String>,
    /// Which inputs to mark.
    pub fields: Vec<&'static str>,
}

impl FormErrors {
    /// Errors from a use case's validation.
    fn from_domain(tr: &Tr, errors: &[DomainError]) -> Self {
        Self {
            messages: errors.iter().map(|e| domain_message(tr, e)).collect(),
            fields: errors.iter().map(DomainError::field).collect(),
        }
    }

    /// One message, not tied to a field.
    fn text(message: String) -> Self {
        Self {
            messages: vec![message],
            fields: Vec::new(),
        }
    }

    /// Whether `field` is in error.
    pub fn has(&self, field: &str) -> bool {
        self.fields.contains(&field)
    }

    /// Whether there is anything to show.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }
}

/// The catalog text for `key`, if the catalog has it.
fn t_opt(tr: &Tr, key: &str) -> Option<String> {
    let text = tr.t(key);
    (text != key).then_some(text)
}

/// A validation error in words: a field-specific text when the catalog has one, otherwise
/// the generic text for its kind with the field's label.
fn domain_message(tr: &Tr, err: &DomainError) -> String {
    let field = err.field();
    let kind = match err {
        DomainError::Empty { .. } => "empty",
        DomainError::TooLong { .. } => "too_long",
        DomainError::TooShort { .. } => "too_short",
        DomainError::Invalid { .. } => "invalid",
    };
    if let Some(text) = t_opt(tr, &format!("account.errors.{kind}_{field}")) {
        return text;
    }
    let label = t_opt(tr, &format!("account.fields.{field}")).unwrap_or_else(|| field.to_owned());
    let (min, max) = match err {
        DomainError::TooShort { min, .. } => (min.to_string(), String::new()),
        DomainError::TooLong { max, .. } => (String::new(), max.to_string()),
        _ => (String::new(), String::new()),
    };
    tr.tf(
        &format!("account.errors.{kind}"),
        &[("field", &label), ("min", &min), ("max", &max)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Catalog;
    use std::sync::Arc;

    #[test]
    fn validation_errors_read_like_sentences() {
        let tr = Tr::new(Arc::new(Catalog::load().unwrap()), "en", "UTC");
        let short = DomainError::TooShort {
            field: "password",
            min: 10,
        };
        assert_eq!(
            domain_message(&tr, &short),
            "New password must be at least 10 characters."
        );
        let wrong = DomainError::Invalid {
            field: "current_password",
            reason: "x",
        };
        assert_eq!(
            domain_message(&tr, &wrong),
            "Your current password is not correct."
        );
        let odd = DomainError::Empty { field: "nickname" };
        assert_eq!(domain_message(&tr, &odd), "nickname is required.");
    }

    /// Templates and handlers of these pages, and the flash table.
    const SOURCES: &[&str] = &[
        include_str!("../../../templates/account_security.html"),
        include_str!("../../../templates/account_totp.html"),
        include_str!("../../../templates/account_recovery_codes.html"),
        include_str!("../../../templates/account_tokens.html"),
        include_str!("mod.rs"),
        include_str!("security.rs"),
        include_str!("mfa.rs"),
        include_str!("keys.rs"),
        include_str!("sessions.rs"),
        include_str!("tokens.rs"),
        include_str!("permissions.rs"),
        include_str!("zones.rs"),
        include_str!("../page.rs"),
    ];

    #[test]
    fn every_key_the_pages_use_is_in_the_catalog() {
        let known = Catalog::load().unwrap().keys("en");
        let mut missing = Vec::new();
        for src in SOURCES {
            for (at, _) in src.match_indices("\"account.") {
                let rest = &src[at + 1..];
                let key = &rest[..rest.find('"').unwrap()];
                // Keys assembled with format! are checked by the tests of their helpers.
                if !key.contains('{')
                    && !key.ends_with('.')
                    && !key.ends_with('_')
                    && !known.iter().any(|k| k == key)
                {
                    missing.push(key.to_owned());
                }
            }
        }
        assert!(
            missing.is_empty(),
            "missing from locales/en/account.toml: {missing:?}"
        );
    }
}
