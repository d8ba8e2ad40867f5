//! Small helpers the notes, tasks, timeline and notifications endpoints share: record types and
//! cursors from requests, each refusal naming its field.

use crate::error::{ApiError, FieldError};
use chrono::{DateTime, Utc};
use rapport_domain::crm::RecordType;

/// A 422 naming one field.
pub(crate) fn bad_field(field: &str, message: &str) -> ApiError {
    ApiError::validation(vec![FieldError {
        field: field.to_owned(),
        message: message.to_owned(),
    }])
}

/// `contact`, `company` or `deal` (plurals accepted).
pub(crate) fn parse_record_type(raw: &str) -> Result<RecordType, ApiError> {
    RecordType::parse(raw).ok_or_else(|| bad_field("record_type", "use contact, company or deal"))
}

/// An optional cursor from `encode_cursor`.
pub(crate) fn parse_cursor(
    raw: Option<&str>,
) -> Result<Option<(DateTime<Utc>, uuid::Uuid)>, ApiError> {
    match raw {
        None | Some("") => Ok(None),
        Some(c) => rapport_app::crm::timeline::decode_cursor(c)
            .map(Some)
            .map_err(|e| ApiError::from(rapport_app::AppError::from(e))),
    }
}
