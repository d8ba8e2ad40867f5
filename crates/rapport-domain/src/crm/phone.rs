//! Phone numbers, normalized to E.164 with Google's libphonenumber metadata (the `phonenumber`
//! crate), so `(415) 555-0132` and `+1 415-555-0132` are the same number for dedupe and lookup.

use crate::error::DomainError;
use phonenumber::{Mode, country};

const FIELD: &str = "phone";
/// Longest raw input accepted (extensions and formatting included).
const MAX_RAW: usize = 64;

/// A valid phone number: the E.164 form for matching and the text as typed for display
/// (E.164 drops extensions, the raw form keeps them).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Phone {
    e164: String,
    raw: String,
}

impl Phone {
    /// Parses `raw`. Numbers without a `+` country prefix are read in `default_region` (an
    /// ISO 3166 alpha-2 code such as `US`, from the org's settings); without one they are refused.
    pub fn parse(raw: &str, default_region: Option<&str>) -> Result<Self, DomainError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(DomainError::Empty { field: FIELD });
        }
        if trimmed.chars().count() > MAX_RAW {
            return Err(DomainError::TooLong {
                field: FIELD,
                max: MAX_RAW,
            });
        }
        let region = default_region
            .map(|r| r.trim().to_ascii_uppercase())
            .and_then(|r| r.parse::<country::Id>().ok());
        let number = phonenumber::parse(region, trimmed).map_err(|_| DomainError::Invalid {
            field: FIELD,
            reason: if region.is_none() && !trimmed.starts_with('+') {
                "start the number with + and the country code"
            } else {
                "this is not a phone number"
            },
        })?;
        // parse() accepts any digits ("123"); only is_valid() checks the number plan.
        if !phonenumber::is_valid(&number) {
            return Err(DomainError::Invalid {
                field: FIELD,
                reason: "this number does not exist in its country's numbering plan",
            });
        }
        Ok(Self {
            e164: number.format().mode(Mode::E164).to_string(),
            raw: trimmed.to_owned(),
        })
    }

    /// Rebuilds a stored value without re-validating.
    pub fn from_stored(e164: String, raw: String) -> Self {
        Self { e164, raw }
    }

    /// `+14155550132`.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// As typed.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Loads the numbering metadata now (about 60 ms the first time) so the first request
    /// that parses a phone does not pay for it.
    pub fn warm_up() {
        let _ = phonenumber::parse(None, "+14155550132");
    }
}

/// Whether `code` is an ISO 3166 alpha-2 region the numbering plan knows (`US`, `DE`; uppercase).
pub fn is_region(code: &str) -> bool {
    code.len() == 2
        && code.chars().all(|c| c.is_ascii_uppercase())
        && code.parse::<country::Id>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_to_e164() {
        let p = Phone::parse("(415) 555-0132", Some("us")).expect("valid");
        assert_eq!(p.e164(), "+14155550132");
        assert_eq!(p.raw(), "(415) 555-0132");
        assert_eq!(
            Phone::parse("+49 30 1234567", None).expect("valid").e164(),
            "+49301234567"
        );
        assert_eq!(
            Phone::parse("030 1234567", Some("DE"))
                .expect("valid")
                .e164(),
            "+49301234567"
        );
    }

    #[test]
    fn regions_are_uppercase_iso_codes() {
        assert!(is_region("US") && is_region("DE"));
        assert!(!is_region("us") && !is_region("XX") && !is_region("USA") && !is_region(""));
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        assert!(Phone::parse("hello", Some("US")).is_err());
        assert!(Phone::parse("", Some("US")).is_err());
        assert!(Phone::parse("123", Some("US")).is_err());
        let no_region = Phone::parse("(415) 555-0132", None).expect_err("needs a country");
        assert!(no_region.to_string().contains("country code"));
    }
}
