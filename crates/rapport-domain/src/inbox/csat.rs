//! Customer satisfaction (CSAT) surveys: the 1–5 rating a customer gives a resolved
//! conversation through the link they are sent, an optional comment, and how long a link
//! stays valid.

use crate::error::DomainError;

/// How long a survey link can be answered.
pub const SURVEY_DAYS: i64 = 14;
/// The longest comment.
pub const MAX_COMMENT_CHARS: usize = 2_000;

/// A rating from 1 (very unhappy) to 5 (very happy).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Rating(u8);

impl Rating {
    /// Checks a rating.
    pub fn new(value: u8) -> Result<Self, DomainError> {
        if (1..=5).contains(&value) {
            Ok(Self(value))
        } else {
            Err(DomainError::Invalid {
                field: "rating",
                reason: "rate from 1 to 5",
            })
        }
    }

    /// Reads a rating from form text.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = raw.trim().parse::<u8>().map_err(|_| DomainError::Invalid {
            field: "rating",
            reason: "rate from 1 to 5",
        })?;
        Self::new(value)
    }

    /// The value.
    pub fn value(self) -> u8 {
        self.0
    }
}

/// Validates a comment: trimmed, at most [`MAX_COMMENT_CHARS`], no control characters other
/// than line breaks; empty is none.
pub fn comment(raw: &str) -> Result<Option<String>, DomainError> {
    let text = raw.replace("\r\n", "\n");
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_COMMENT_CHARS {
        return Err(DomainError::TooLong {
            field: "comment",
            max: MAX_COMMENT_CHARS,
        });
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(DomainError::Invalid {
            field: "comment",
            reason: "control characters other than line breaks are not allowed",
        });
    }
    Ok(Some(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_one_to_five_and_comments_are_bounded() {
        assert_eq!(Rating::parse(" 4 ").unwrap().value(), 4);
        assert!(Rating::parse("0").is_err());
        assert!(Rating::parse("6").is_err());
        assert!(Rating::parse("great").is_err());
        assert_eq!(comment("  ").unwrap(), None);
        assert_eq!(
            comment(" Quick!\r\nThanks ").unwrap().as_deref(),
            Some("Quick!\nThanks")
        );
        assert!(comment(&"x".repeat(2_001)).is_err());
        assert!(comment("a\u{7}b").is_err());
    }
}
