//! Email addresses, normalized on construction (trimmed, lowercased) so lookups and uniqueness
//! never depend on how a person typed their address.

use crate::error::DomainError;

/// Longest address SMTP allows (RFC 5321: 254 octets in a path).
const MAX_LEN: usize = 254;

/// A syntactically plausible, lowercased email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parses and normalizes `raw`. Deliberately permissive about the local part (real
    /// addresses are stranger than any regex), strict about structure: one `@`, a non-empty
    /// local part, a dotted domain of letters, digits and hyphens, no whitespace.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        const FIELD: &str = "email";
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err(DomainError::Empty { field: FIELD });
        }
        if value.len() > MAX_LEN {
            return Err(DomainError::TooLong {
                field: FIELD,
                max: MAX_LEN,
            });
        }
        let invalid = |reason| DomainError::Invalid {
            field: FIELD,
            reason,
        };
        let (local, domain) = value
            .split_once('@')
            .ok_or(invalid("an address needs an @"))?;
        if local.is_empty() || local.len() > 64 {
            return Err(invalid("the part before @ must be 1 to 64 characters"));
        }
        if value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        {
            return Err(invalid(
                "an address cannot contain spaces or angle brackets",
            ));
        }
        let labels: Vec<&str> = domain.split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        };
        if labels.len() < 2 || !labels.iter().all(label_ok) {
            return Err(invalid("the domain must look like example.com"));
        }
        Ok(Self(value))
    }

    /// The normalized address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain part, e.g. `example.com`.
    pub fn domain(&self) -> &str {
        self.0.split_once('@').map_or("", |(_, d)| d)
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_case_and_whitespace() {
        let e = Email::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "ada.lovelace@example.com");
        assert_eq!(e.domain(), "example.com");
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@-x.com",
            "<a@b.com>",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn accepts_plus_and_unicode_domains() {
        assert!(Email::parse("team+support@sub.example.co.uk").is_ok());
        assert!(Email::parse("jose@bücher.de").is_ok());
    }
}
