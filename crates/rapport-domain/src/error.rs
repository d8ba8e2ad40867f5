//! Validation errors raised by domain value constructors.

/// Why a value was refused. Each variant names the field so the edge can render a field error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The value is empty or whitespace only.
    #[error("{field} must not be empty")]
    Empty {
        /// The field that was empty.
        field: &'static str,
    },
    /// The value is longer than allowed.
    #[error("{field} must be at most {max} characters")]
    TooLong {
        /// The field that was too long.
        field: &'static str,
        /// The limit in characters.
        max: usize,
    },
    /// The value is shorter than allowed.
    #[error("{field} must be at least {min} characters")]
    TooShort {
        /// The field that was too short.
        field: &'static str,
        /// The minimum in characters.
        min: usize,
    },
    /// The value does not have the required shape.
    #[error("{field} is not valid: {reason}")]
    Invalid {
        /// The field that was malformed.
        field: &'static str,
        /// A human-readable explanation.
        reason: &'static str,
    },
}

impl DomainError {
    /// The name of the offending field, for field-level error reports.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Empty { field }
            | Self::TooLong { field, .. }
            | Self::TooShort { field, .. }
            | Self::Invalid { field, .. } => field,
        }
    }
}

/// Trims `raw`, refuses empty values and values longer than `max` characters.
pub fn bounded_text(field: &'static str, raw: &str, max: usize) -> Result<String, DomainError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(DomainError::Empty { field });
    }
    if trimmed.chars().count() > max {
        return Err(DomainError::TooLong { field, max });
    }
    if trimmed.chars().any(char::is_control) {
        return Err(DomainError::Invalid {
            field,
            reason: "control characters are not allowed",
        });
    }
    Ok(trimmed.to_owned())
}
