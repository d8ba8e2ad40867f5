//! Canned responses (saved replies): the short code an agent types after `/` in the composer,
//! and the limits on a response's title and body. The body is a template whose syntax the app
//! checks (it knows the template engine); the domain only bounds its size.

use crate::error::DomainError;

/// The longest short code.
pub const MAX_SHORT_CODE: usize = 40;
/// The longest title.
pub const MAX_TITLE_CHARS: usize = 120;
/// The longest body, in characters.
pub const MAX_BODY_CHARS: usize = 20_000;

/// What agents type to pick a response (`refund`, `vat-number`): 1–40 characters of lowercase
/// ASCII letters, digits, `_` and `-`. Input is trimmed, lowercased and may start with the `/`
/// the composer uses to call it up.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct ShortCode(String);

impl ShortCode {
    /// Normalizes and validates a short code.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let field = "short_code";
        let code = raw.trim();
        let code = code.strip_prefix('/').unwrap_or(code).to_ascii_lowercase();
        if code.is_empty() {
            return Err(DomainError::Empty { field });
        }
        if code.chars().count() > MAX_SHORT_CODE {
            return Err(DomainError::TooLong {
                field,
                max: MAX_SHORT_CODE,
            });
        }
        if !code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'))
        {
            return Err(DomainError::Invalid {
                field,
                reason: "use lowercase letters a-z, digits, '_' and '-' only",
            });
        }
        Ok(Self(code))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Validates a body: not blank, at most [`MAX_BODY_CHARS`], no control characters other than
/// line breaks and tabs (a reply is multi-line Markdown). Line endings become `\n`.
pub fn canned_body(raw: &str) -> Result<String, DomainError> {
    let field = "body";
    let body = raw.replace("\r\n", "\n");
    if body.trim().is_empty() {
        return Err(DomainError::Empty { field });
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(DomainError::TooLong {
            field,
            max: MAX_BODY_CHARS,
        });
    }
    if body
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Err(DomainError::Invalid {
            field,
            reason: "control characters other than line breaks and tabs are not allowed",
        });
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_codes_are_normalized_and_bounded() {
        assert_eq!(ShortCode::parse(" /Refund ").unwrap().as_str(), "refund");
        assert_eq!(ShortCode::parse("vat_no-2").unwrap().as_str(), "vat_no-2");
        assert!(ShortCode::parse("").is_err());
        assert!(ShortCode::parse("/").is_err());
        assert!(ShortCode::parse("two words").is_err());
        assert!(ShortCode::parse("café").is_err());
        assert!(ShortCode::parse(&"a".repeat(40)).is_ok());
        assert!(ShortCode::parse(&"a".repeat(41)).is_err());
    }

    #[test]
    fn bodies_keep_lines_and_refuse_other_controls() {
        assert_eq!(canned_body("Hi,\r\n\tthanks").unwrap(), "Hi,\n\tthanks");
        assert!(canned_body(" \n ").is_err());
        assert!(canned_body("a\u{0}b").is_err());
        assert!(canned_body(&"x".repeat(MAX_BODY_CHARS)).is_ok());
        assert!(canned_body(&"x".repeat(MAX_BODY_CHARS + 1)).is_err());
    }
}
