//! Organization value types: the display name and the URL slug derived from it.

use crate::error::{DomainError, bounded_text};

/// An organization's display name (1–100 characters, trimmed).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct OrgName(String);

impl OrgName {
    /// Validates a display name.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        bounded_text("org_name", raw, 100).map(Self)
    }

    /// The name as entered (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A URL-safe, lowercase identifier for an organization, e.g. `acme-support`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct OrgSlug(String);

impl OrgSlug {
    /// Validates a slug: 2–48 characters of `a-z`, `0-9` and single hyphens.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        const FIELD: &str = "org_slug";
        let s = raw.trim();
        if s.len() < 2 {
            return Err(DomainError::TooShort {
                field: FIELD,
                min: 2,
            });
        }
        if s.len() > 48 {
            return Err(DomainError::TooLong {
                field: FIELD,
                max: 48,
            });
        }
        let shape_ok = s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if !shape_ok {
            return Err(DomainError::Invalid {
                field: FIELD,
                reason: "use lowercase letters, digits and single hyphens",
            });
        }
        Ok(Self(s.to_owned()))
    }

    /// Derives a slug from a display name ("Acme Support, Inc." → `acme-support-inc`).
    /// Falls back to `org` when nothing usable remains (a name of only emoji, say).
    pub fn from_name(name: &OrgName) -> Self {
        let mut slug = String::new();
        for c in name.as_str().chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
            if slug.len() >= 40 {
                break;
            }
        }
        let slug = slug.trim_end_matches('-').to_owned();
        if slug.len() < 2 {
            Self("org".to_owned())
        } else {
            Self(slug)
        }
    }

    /// The slug text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_from_name_is_url_safe() {
        let name = OrgName::parse("  Acme Support, Inc. ").unwrap();
        assert_eq!(OrgSlug::from_name(&name).as_str(), "acme-support-inc");
        let emoji = OrgName::parse("🚀").unwrap();
        assert_eq!(OrgSlug::from_name(&emoji).as_str(), "org");
    }

    #[test]
    fn name_limits() {
        assert!(OrgName::parse("   ").is_err());
        assert!(OrgName::parse(&"x".repeat(101)).is_err());
        assert!(OrgName::parse("a\u{0}b").is_err());
    }

    #[test]
    fn slug_shape() {
        assert!(OrgSlug::parse("acme").is_ok());
        for bad in ["A", "Acme", "-acme", "acme-", "ac--me", "ac me"] {
            assert!(OrgSlug::parse(bad).is_err(), "{bad}");
        }
    }
}
