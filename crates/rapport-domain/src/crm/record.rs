//! The kinds of CRM record that notes, tasks, activities, custom fields and segments attach to.

use std::fmt;

/// A kind of CRM record. The string form is stable: it is stored and sent over the API.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RecordType {
    /// A person.
    Contact,
    /// An organization.
    Company,
    /// An opportunity in a pipeline.
    Deal,
}

impl RecordType {
    /// Every record type.
    pub const ALL: [RecordType; 3] = [Self::Contact, Self::Company, Self::Deal];

    /// The stable name (`contact`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Company => "company",
            Self::Deal => "deal",
        }
    }

    /// Parses the stable name; also accepts the plural used in URLs (`contacts`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "contact" | "contacts" => Some(Self::Contact),
            "company" | "companies" => Some(Self::Company),
            "deal" | "deals" => Some(Self::Deal),
            _ => None,
        }
    }

    /// The plural used in URLs (`contacts`).
    pub fn plural(self) -> &'static str {
        match self {
            Self::Contact => "contacts",
            Self::Company => "companies",
            Self::Deal => "deals",
        }
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_plurals_round_trip() {
        for t in RecordType::ALL {
            assert_eq!(RecordType::parse(t.as_str()), Some(t));
            assert_eq!(RecordType::parse(t.plural()), Some(t));
        }
        assert_eq!(RecordType::parse("ticket"), None);
    }
}
