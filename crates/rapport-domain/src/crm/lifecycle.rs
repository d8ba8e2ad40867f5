//! Lifecycle stages: where a contact stands in the funnel (the HubSpot/Twenty vocabulary sales
//! teams already know).

use crate::error::DomainError;
use std::fmt;

/// A contact's lifecycle stage. Stored and sent as the snake_case name.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleStage {
    /// Signed up for updates.
    Subscriber,
    /// Showed interest.
    #[default]
    Lead,
    /// Marketing-qualified lead.
    MarketingQualified,
    /// Sales-qualified lead.
    SalesQualified,
    /// Has an open deal.
    Opportunity,
    /// Bought.
    Customer,
    /// Recommends us.
    Evangelist,
    /// None of the above.
    Other,
}

impl LifecycleStage {
    /// Every stage in funnel order.
    pub const ALL: [LifecycleStage; 8] = [
        Self::Subscriber,
        Self::Lead,
        Self::MarketingQualified,
        Self::SalesQualified,
        Self::Opportunity,
        Self::Customer,
        Self::Evangelist,
        Self::Other,
    ];

    /// The stable name (`sales_qualified`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Subscriber => "subscriber",
            Self::Lead => "lead",
            Self::MarketingQualified => "marketing_qualified",
            Self::SalesQualified => "sales_qualified",
            Self::Opportunity => "opportunity",
            Self::Customer => "customer",
            Self::Evangelist => "evangelist",
            Self::Other => "other",
        }
    }

    /// Parses the stable name (case-insensitive; spaces and hyphens count as underscores, and
    /// the common abbreviations `mql`/`sql` are understood, as CSV files from other CRMs use them).
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let norm = raw.trim().to_lowercase().replace([' ', '-'], "_");
        let norm = match norm.as_str() {
            "mql" | "marketing_qualified_lead" => "marketing_qualified",
            "sql" | "sales_qualified_lead" => "sales_qualified",
            other => other,
        };
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == norm)
            .ok_or(DomainError::Invalid {
                field: "lifecycle_stage",
                reason: "use subscriber, lead, marketing_qualified, sales_qualified, opportunity, customer, evangelist or other",
            })
    }
}

impl fmt::Display for LifecycleStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_abbreviations() {
        for s in LifecycleStage::ALL {
            assert_eq!(LifecycleStage::parse(s.as_str()), Ok(s));
        }
        assert_eq!(
            LifecycleStage::parse("MQL"),
            Ok(LifecycleStage::MarketingQualified)
        );
        assert_eq!(
            LifecycleStage::parse("Sales Qualified"),
            Ok(LifecycleStage::SalesQualified)
        );
        assert!(LifecycleStage::parse("vip").is_err());
    }
}
