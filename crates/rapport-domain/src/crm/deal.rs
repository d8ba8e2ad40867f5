//! Pipelines and deals: what a stage means for a deal's outcome, and a deal's status.

use std::fmt;

/// What entering a stage means. Stored as the snake_case name.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// A stage of work in progress: its deals are open.
    Open,
    /// Deals here are won.
    Won,
    /// Deals here are lost (with a reason).
    Lost,
}

impl StageKind {
    /// Every kind.
    pub const ALL: [StageKind; 3] = [Self::Open, Self::Won, Self::Lost];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Won => "won",
            Self::Lost => "lost",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The status a deal takes on entering a stage of this kind.
    pub fn status(self) -> DealStatus {
        match self {
            Self::Open => DealStatus::Open,
            Self::Won => DealStatus::Won,
            Self::Lost => DealStatus::Lost,
        }
    }
}

impl fmt::Display for StageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a deal is still being worked on, or how it ended.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DealStatus {
    /// In progress.
    Open,
    /// Closed, won.
    Won,
    /// Closed, lost.
    Lost,
}

impl DealStatus {
    /// Every status.
    pub const ALL: [DealStatus; 3] = [Self::Open, Self::Won, Self::Lost];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Won => "won",
            Self::Lost => "lost",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for DealStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_statuses_round_trip() {
        for k in StageKind::ALL {
            assert_eq!(StageKind::parse(k.as_str()), Some(k));
            assert_eq!(k.status().as_str(), k.as_str());
        }
        assert_eq!(DealStatus::parse("won"), Some(DealStatus::Won));
        assert_eq!(DealStatus::parse("closed"), None);
    }
}
