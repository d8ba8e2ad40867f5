//! The CRM records API: `/api/v1/contacts/{id}`, `/api/v1/companies/{id}` (create, read with
//! `?include=`, PATCH, delete) and `/api/v1/custom-fields`. List endpoints live beside them
//! in the lists module.

pub mod companies;
pub mod contact_body;
pub mod contacts;
pub mod custom_fields;

use crate::error::{ApiError, FieldError};
use serde::{Deserialize, Deserializer};

/// Deserializes a member that may be absent (`None`), `null` (`Some(None)`) or a value, so a
/// PATCH can clear a field by sending `null`.
pub(crate) fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// `?include=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct IncludeQuery {
    /// Related records to expand, comma-separated.
    pub include: Option<String>,
}

impl IncludeQuery {
    /// The requested names, each checked against `allowed`.
    pub(crate) fn names(&self, allowed: &[&str]) -> Result<Vec<String>, ApiError> {
        let mut out = Vec::new();
        for name in self
            .include
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            if !allowed.contains(&name) {
                return Err(ApiError::validation(vec![FieldError {
                    field: "include".into(),
                    message: format!(
                        "cannot include `{}`; use {}",
                        name.chars().take(40).collect::<String>(),
                        allowed.join(", ")
                    ),
                }]));
            }
            out.push(name.to_owned());
        }
        Ok(out)
    }
}
