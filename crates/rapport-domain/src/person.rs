//! Values describing a person who uses Rapport: display name, password policy, time zone.

use crate::error::{DomainError, bounded_text};

/// A person's display name (1–100 characters).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    /// Validates a display name.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        bounded_text("name", raw, 100).map(Self)
    }

    /// The name as entered (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A candidate password that meets the policy (NIST SP 800-63B: length over composition
/// rules; at least 10 characters, at most 1,024 so hashing cost stays bounded).
/// Deliberately not `Debug`/`Display`/`Serialize`: it must never reach a log line.
pub struct Password(String);

impl Password {
    /// Minimum length in characters.
    pub const MIN: usize = 10;
    /// Maximum length in characters.
    pub const MAX: usize = 1024;

    /// Checks the policy. Whitespace is kept: it is part of the secret.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        const FIELD: &str = "password";
        let len = raw.chars().count();
        if len < Self::MIN {
            return Err(DomainError::TooShort {
                field: FIELD,
                min: Self::MIN,
            });
        }
        if len > Self::MAX {
            return Err(DomainError::TooLong {
                field: FIELD,
                max: Self::MAX,
            });
        }
        if raw.trim().is_empty() {
            return Err(DomainError::Invalid {
                field: FIELD,
                reason: "cannot be only spaces",
            });
        }
        Ok(Self(raw.to_owned()))
    }

    /// The secret, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// An IANA time zone name such as `Europe/Berlin`, checked for shape here and against the
/// tz database in the app layer (which owns chrono-tz).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    /// Validates the shape of a tz name; `UTC` is always valid.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let s = bounded_text("time_zone", raw, 64)?;
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c))
        {
            return Err(DomainError::Invalid {
                field: "time_zone",
                reason: "unknown time zone",
            });
        }
        Ok(Self(s))
    }

    /// Coordinated Universal Time.
    pub fn utc() -> Self {
        Self("UTC".to_owned())
    }

    /// The tz name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("          ").is_err());
        assert!(Password::parse("correct horse battery").is_ok());
        assert!(Password::parse(&"x".repeat(1025)).is_err());
    }

    #[test]
    fn time_zone_shape() {
        assert!(TimeZoneName::parse("Europe/Berlin").is_ok());
        assert!(TimeZoneName::parse("Etc/GMT+5").is_ok());
        assert!(TimeZoneName::parse("<script>").is_err());
    }
}
