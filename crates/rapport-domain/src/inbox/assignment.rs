//! Automatic assignment: how an inbox hands out new conversations ([`AutoAssign`]), whether a
//! member takes work now ([`Availability`]), and [`pick`], the pure choice among the inbox's
//! eligible members: round-robin gives the next conversation to whoever got one from this inbox
//! least recently; least-loaded to whoever has the fewest open conversations. Members at their
//! capacity, away or offline are skipped; when nobody can take it, it stays unassigned.

use crate::error::DomainError;
use crate::id::UserId;
use chrono::{DateTime, Utc};

named_enum!(
    /// How an inbox assigns new conversations.
    AutoAssign, "auto_assign" {
        /// Agents pick conversations themselves.
        None = "none",
        /// In turn: whoever got one from this inbox least recently.
        RoundRobin = "round_robin",
        /// Whoever has the fewest open conversations.
        LeastLoaded = "least_loaded",
    }
);

named_enum!(
    /// Whether a member takes new conversations now.
    Availability, "availability" {
        /// Working: gets new conversations.
        Online = "online",
        /// Away from the desk: keeps their conversations, gets no new ones.
        Away = "away",
        /// Not working.
        Offline = "offline",
    }
);

/// The most open conversations a member can be given a capacity of.
pub const MAX_CAPACITY: u32 = 1_000;

/// A member who could get the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Who.
    pub user: UserId,
    /// Whether they take work now.
    pub availability: Availability,
    /// Their open conversations (all inboxes).
    pub open: u32,
    /// The most open conversations they take (`None`: no limit).
    pub capacity: Option<u32>,
    /// When this inbox last gave them one.
    pub last_assigned_at: Option<DateTime<Utc>>,
}

impl Candidate {
    fn can_take(&self) -> bool {
        self.availability == Availability::Online && self.capacity.is_none_or(|c| self.open < c)
    }
}

/// Who gets the next conversation (`None`: nobody can take it, or the inbox does not assign).
/// Ties go to whoever waited longest, then by id, so the choice is stable.
pub fn pick(mode: AutoAssign, candidates: &[Candidate]) -> Option<UserId> {
    let able = candidates.iter().filter(|c| c.can_take());
    let chosen = match mode {
        AutoAssign::None => None,
        AutoAssign::RoundRobin => able.min_by_key(|c| (c.last_assigned_at, c.user)),
        AutoAssign::LeastLoaded => able.min_by_key(|c| (c.open, c.last_assigned_at, c.user)),
    };
    chosen.map(|c| c.user)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn team() -> Vec<Candidate> {
        let mut ids: Vec<UserId> = (0..3).map(|_| UserId::new()).collect();
        ids.sort();
        let c = |i: usize, open, last: Option<&str>| Candidate {
            user: ids[i],
            availability: Availability::Online,
            open,
            capacity: Some(5),
            last_assigned_at: last.map(t),
        };
        vec![
            c(0, 4, Some("2026-11-30T09:05:00Z")),
            c(1, 1, Some("2026-11-30T09:10:00Z")),
            c(2, 3, None),
        ]
    }

    #[test]
    fn round_robin_goes_to_whoever_waited_longest() {
        let team = team();
        assert_eq!(
            pick(AutoAssign::RoundRobin, &team),
            Some(team[2].user),
            "never assigned"
        );
        let mut all_had_one = team.clone();
        all_had_one[2].last_assigned_at = Some(t("2026-11-30T09:20:00Z"));
        assert_eq!(
            pick(AutoAssign::RoundRobin, &all_had_one),
            Some(team[0].user)
        );
    }

    #[test]
    fn least_loaded_goes_to_the_fewest_open_conversations() {
        let team = team();
        assert_eq!(pick(AutoAssign::LeastLoaded, &team), Some(team[1].user));
        assert_eq!(pick(AutoAssign::None, &team), None);
    }

    #[test]
    fn full_away_and_offline_members_are_skipped() {
        let mut team = team();
        team[1].availability = Availability::Away;
        team[2].open = 5;
        assert_eq!(pick(AutoAssign::LeastLoaded, &team), Some(team[0].user));
        team[0].availability = Availability::Offline;
        assert_eq!(
            pick(AutoAssign::RoundRobin, &team),
            None,
            "nobody can take it"
        );
        team[2].capacity = None;
        assert_eq!(
            pick(AutoAssign::RoundRobin, &team),
            Some(team[2].user),
            "no limit"
        );
    }
}
