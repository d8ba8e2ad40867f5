//! SLA policies as values and the clocks they put on a conversation: per priority a
//! first-response and a resolution target (minutes of the policy's working time), a warning
//! threshold, and [`track`], the pure function that moves a conversation's SLA record along
//! when the conversation changes (priority, status, first reply, a reopening). The sweep that
//! records warnings and breaches and the badges read what it computes.

use super::business_hours::WorkClock;
use super::{ConversationStatus, Priority};
use crate::error::DomainError;
use chrono::{DateTime, Duration, Utc};

/// The longest target (a year of minutes).
pub const MAX_TARGET_MINUTES: u32 = 525_600;
/// The default warning threshold: at 80 % of the target.
pub const DEFAULT_WARN_PERCENT: u8 = 80;
/// The longest policy name.
pub const MAX_NAME_CHARS: usize = 120;

/// The targets for one priority (either may be absent).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct PriorityTarget {
    /// Which priority.
    pub priority: Priority,
    /// The first reply is due this many working minutes after the conversation opens.
    #[serde(default)]
    pub first_response_minutes: Option<u32>,
    /// It is resolved within this many working minutes (time waiting on the customer does
    /// not count).
    #[serde(default)]
    pub resolution_minutes: Option<u32>,
}

/// Checks a policy's targets: each priority at most once, minutes from 1 to a year, at least
/// one target. Sorted by priority.
pub fn validate_targets(
    mut targets: Vec<PriorityTarget>,
) -> Result<Vec<PriorityTarget>, DomainError> {
    let field = "targets";
    targets.sort_by_key(|t| t.priority);
    if targets.windows(2).any(|w| w[0].priority == w[1].priority) {
        return Err(DomainError::Invalid {
            field,
            reason: "give each priority's targets once",
        });
    }
    let minutes = targets
        .iter()
        .flat_map(|t| [t.first_response_minutes, t.resolution_minutes])
        .flatten();
    let mut any = false;
    for m in minutes {
        any = true;
        if m == 0 || m > MAX_TARGET_MINUTES {
            return Err(DomainError::Invalid {
                field,
                reason: "targets are 1 minute to 1 year",
            });
        }
    }
    if !any {
        return Err(DomainError::Empty { field });
    }
    Ok(targets)
}

/// Checks the warning threshold (1–99 % of a target).
pub fn validate_warn_percent(p: u8) -> Result<u8, DomainError> {
    if (1..=99).contains(&p) {
        Ok(p)
    } else {
        Err(DomainError::Invalid {
            field: "warn_percent",
            reason: "warn at 1 to 99 percent of a target",
        })
    }
}

/// Which target.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The first reply to the customer.
    FirstResponse,
    /// Resolving the conversation.
    Resolution,
}

impl Target {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstResponse => "first_response",
            Self::Resolution => "resolution",
        }
    }
}

/// One running deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Deadline {
    /// When it is due (`None`: no target for this priority).
    pub due_at: Option<DateTime<Utc>>,
    /// When it warns.
    pub warn_at: Option<DateTime<Utc>>,
    /// When it was met.
    pub met_at: Option<DateTime<Utc>>,
    /// When the warning was recorded (once).
    pub warned_at: Option<DateTime<Utc>>,
    /// When the breach was recorded (once).
    pub breached_at: Option<DateTime<Utc>>,
}

impl Deadline {
    fn new(
        clock: &WorkClock,
        start: DateTime<Utc>,
        minutes: Option<u32>,
        warn_percent: u8,
    ) -> Self {
        match minutes {
            Some(m) => Self {
                due_at: Some(clock.add_minutes(start, m)),
                warn_at: Some(clock.add_minutes(start, m * u32::from(warn_percent) / 100)),
                ..Self::default()
            },
            None => Self::default(),
        }
    }

    /// The next moment the sweep must look at it.
    fn next_check(&self) -> Option<DateTime<Utc>> {
        if self.met_at.is_some() {
            return None;
        }
        match (self.warned_at, self.breached_at) {
            (None, _) => self.warn_at,
            (Some(_), None) => self.due_at,
            _ => None,
        }
    }

    /// Moves the deadline on by the working time between `paused` and `now` (the time spent
    /// waiting on the customer does not count).
    fn resume(&mut self, clock: &WorkClock, paused: DateTime<Utc>, now: DateTime<Utc>) {
        let shift = |at: Option<DateTime<Utc>>| {
            at.map(|t| {
                if t <= paused {
                    return t;
                }
                let left = clock.between(paused, t).num_minutes().max(0);
                clock.add_minutes(now, u32::try_from(left).unwrap_or(u32::MAX))
            })
        };
        self.due_at = shift(self.due_at);
        self.warn_at = shift(self.warn_at);
    }
}

/// A policy as the tracker needs it.
#[derive(Debug, Clone)]
pub struct Policy<'a> {
    /// The working time targets count in.
    pub clock: &'a WorkClock,
    /// Per-priority targets.
    pub targets: &'a [PriorityTarget],
    /// When a deadline warns.
    pub warn_percent: u8,
}

impl Policy<'_> {
    fn target(&self, p: Priority) -> PriorityTarget {
        self.targets
            .iter()
            .find(|t| t.priority == p)
            .copied()
            .unwrap_or(PriorityTarget {
                priority: p,
                first_response_minutes: None,
                resolution_minutes: None,
            })
    }
}

/// A conversation's SLA clocks and what they last saw of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clocks {
    /// When the clocks started (the conversation opened, or reopened).
    pub started_at: DateTime<Utc>,
    /// The priority the deadlines were computed for.
    pub priority: Priority,
    /// The status last seen.
    pub status: ConversationStatus,
    /// The first reply.
    pub first_response: Deadline,
    /// Resolution.
    pub resolution: Deadline,
    /// Since when the clocks are paused (waiting on the customer).
    pub paused_at: Option<DateTime<Utc>>,
    /// When the sweep must look next (`None`: nothing pending).
    pub next_check_at: Option<DateTime<Utc>>,
}

/// What the tracker reads of a conversation.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    /// Status now.
    pub status: ConversationStatus,
    /// Priority now.
    pub priority: Priority,
    /// When it opened.
    pub created_at: DateTime<Utc>,
    /// The first reply, if any.
    pub first_reply_at: Option<DateTime<Utc>>,
}

fn waiting(s: ConversationStatus) -> bool {
    matches!(s, ConversationStatus::Pending | ConversationStatus::Snoozed)
}

fn done(s: ConversationStatus) -> bool {
    matches!(s, ConversationStatus::Resolved | ConversationStatus::Closed)
}

/// Moves a conversation's clocks to what `seen` says at `now`: new clocks for a new
/// conversation or a new priority (counted from the start), a pause while waiting on the
/// customer and the paused time added back on return, resolution met on resolve and a new
/// resolution clock when a resolved conversation reopens, first response met on the first
/// reply.
pub fn track(prev: Option<Clocks>, seen: Seen, policy: &Policy<'_>, now: DateTime<Utc>) -> Clocks {
    let target = policy.target(seen.priority);
    let fresh = |start: DateTime<Utc>| Clocks {
        started_at: start,
        priority: seen.priority,
        status: seen.status,
        first_response: Deadline::new(
            policy.clock,
            start,
            target.first_response_minutes,
            policy.warn_percent,
        ),
        resolution: Deadline::new(
            policy.clock,
            start,
            target.resolution_minutes,
            policy.warn_percent,
        ),
        paused_at: None,
        next_check_at: None,
    };
    let mut c = match prev {
        None => fresh(seen.created_at),
        Some(p) if p.priority != seen.priority => {
            // The new priority's targets, counted from the same start; what was met stays.
            let mut c = fresh(p.started_at);
            c.status = p.status;
            c.paused_at = p.paused_at;
            c.first_response.met_at = p.first_response.met_at;
            c.resolution.met_at = p.resolution.met_at;
            c
        }
        Some(p) => p,
    };
    if c.first_response.met_at.is_none() {
        c.first_response.met_at = seen.first_reply_at;
    }
    let before = c.status;
    if before != seen.status {
        if done(before) && !done(seen.status) {
            // Reopened: a new resolution clock from now.
            let m = target.resolution_minutes;
            c.resolution = Deadline::new(policy.clock, now, m, policy.warn_percent);
            c.paused_at = None;
        }
        if let Some(paused) = c.paused_at.filter(|_| !waiting(seen.status)) {
            c.first_response.resume(policy.clock, paused, now);
            c.resolution.resume(policy.clock, paused, now);
            c.paused_at = None;
        }
        if waiting(seen.status) && c.paused_at.is_none() {
            c.paused_at = Some(now);
        }
        if done(seen.status) && c.resolution.met_at.is_none() {
            c.resolution.met_at = Some(now);
        }
        c.status = seen.status;
    }
    reschedule(&mut c);
    c
}

/// Recomputes when the sweep must look next: the earliest pending warning or deadline, none
/// while paused or done.
pub fn reschedule(c: &mut Clocks) {
    c.next_check_at = if c.paused_at.is_some() || done(c.status) {
        None
    } else {
        [c.first_response.next_check(), c.resolution.next_check()]
            .into_iter()
            .flatten()
            .min()
    };
}

/// What the sweep records for a deadline at `now`: a warning, a breach, or nothing.
pub fn due_signal(d: &Deadline, now: DateTime<Utc>) -> Option<Signal> {
    if d.met_at.is_some() {
        return None;
    }
    if d.breached_at.is_none() && d.due_at.is_some_and(|t| t <= now) {
        return Some(Signal::Breached);
    }
    if d.warned_at.is_none() && d.warn_at.is_some_and(|t| t <= now) {
        return Some(Signal::Warning);
    }
    None
}

/// A signal the sweep records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The warning threshold passed.
    Warning,
    /// The deadline passed.
    Breached,
}

/// Records a signal on the deadline (a breach implies the warning) and recomputes the next
/// check.
pub fn note_signal(c: &mut Clocks, target: Target, signal: Signal, now: DateTime<Utc>) {
    let d = match target {
        Target::FirstResponse => &mut c.first_response,
        Target::Resolution => &mut c.resolution,
    };
    d.warned_at.get_or_insert(now);
    if signal == Signal::Breached {
        d.breached_at.get_or_insert(now);
    }
    reschedule(c);
}

/// How a deadline stands for a badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Due at this time; not yet near.
    Due(DateTime<Utc>),
    /// Past the warning threshold; due at this time.
    Soon(DateTime<Utc>),
    /// Overdue for this long.
    Overdue(Duration),
}

/// The standing of an unmet deadline at `now` (`None`: met, or no target).
pub fn standing(d: &Deadline, now: DateTime<Utc>) -> Option<Standing> {
    if d.met_at.is_some() {
        return None;
    }
    let due = d.due_at?;
    Some(if due <= now {
        Standing::Overdue(now - due)
    } else if d.warn_at.is_some_and(|w| w <= now) {
        Standing::Soon(due)
    } else {
        Standing::Due(due)
    })
}

/// What the conversation list and page show of a conversation's clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaView {
    /// The first reply.
    pub first_response: Deadline,
    /// Resolution.
    pub resolution: Deadline,
    /// Waiting on the customer: the clocks stand still.
    pub paused: bool,
}

/// Where a conversation's clocks stand, from what the sweep recorded.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    /// Deadlines running, none near.
    Running,
    /// An unmet deadline passed its warning threshold.
    Warning,
    /// An unmet deadline passed.
    Breached,
    /// Waiting on the customer.
    Paused,
    /// Every deadline met (or none set).
    Met,
}

impl SlaView {
    /// The state the sweep last recorded (no clock needed: a badge that must be exact to the
    /// minute uses [`SlaView::headline`]).
    pub fn state(&self) -> SlaState {
        let open = [&self.first_response, &self.resolution]
            .into_iter()
            .filter(|d| d.due_at.is_some() && d.met_at.is_none());
        let mut state = SlaState::Met;
        for d in open {
            state = match (d.breached_at, d.warned_at, state) {
                (Some(_), _, _) | (_, _, SlaState::Breached) => SlaState::Breached,
                (None, Some(_), _) | (_, _, SlaState::Warning) => SlaState::Warning,
                _ => SlaState::Running,
            };
        }
        if self.paused && state != SlaState::Met {
            return SlaState::Paused;
        }
        state
    }

    /// The deadline to show: the earliest one not yet met (`None`: all met, or no targets).
    pub fn headline(&self, now: DateTime<Utc>) -> Option<(Target, Standing)> {
        [
            (Target::FirstResponse, &self.first_response),
            (Target::Resolution, &self.resolution),
        ]
        .into_iter()
        .filter_map(|(t, d)| Some((d.due_at?, t, standing(d, now)?)))
        .min_by_key(|(due, _, _)| *due)
        .map(|(_, t, s)| (t, s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn targets() -> Vec<PriorityTarget> {
        vec![
            PriorityTarget {
                priority: Priority::None,
                first_response_minutes: Some(60),
                resolution_minutes: Some(480),
            },
            PriorityTarget {
                priority: Priority::Urgent,
                first_response_minutes: Some(10),
                resolution_minutes: Some(60),
            },
        ]
    }

    fn seen(status: ConversationStatus, priority: Priority) -> Seen {
        Seen {
            status,
            priority,
            created_at: t("2026-11-30T09:00:00Z"),
            first_reply_at: None,
        }
    }

    #[test]
    fn a_new_conversation_gets_its_priority_deadlines_and_a_priority_change_recounts() {
        let targets = targets();
        let policy = Policy {
            clock: &WorkClock::AlwaysOpen,
            targets: &targets,
            warn_percent: 80,
        };
        let now = t("2026-11-30T09:00:00Z");
        let c = track(
            None,
            seen(ConversationStatus::Open, Priority::None),
            &policy,
            now,
        );
        assert_eq!(c.first_response.due_at, Some(t("2026-11-30T10:00:00Z")));
        assert_eq!(c.first_response.warn_at, Some(t("2026-11-30T09:48:00Z")));
        assert_eq!(c.resolution.due_at, Some(t("2026-11-30T17:00:00Z")));
        assert_eq!(c.next_check_at, Some(t("2026-11-30T09:48:00Z")));

        let later = t("2026-11-30T09:05:00Z");
        let c = track(
            Some(c),
            seen(ConversationStatus::Open, Priority::Urgent),
            &policy,
            later,
        );
        assert_eq!(
            c.first_response.due_at,
            Some(t("2026-11-30T09:10:00Z")),
            "from the start"
        );
        // A priority without targets has no deadlines.
        let c = track(
            Some(c),
            seen(ConversationStatus::Open, Priority::Low),
            &policy,
            later,
        );
        assert_eq!(c.first_response.due_at, None);
        assert_eq!(c.next_check_at, None);
    }

    #[test]
    fn waiting_on_the_customer_pauses_and_the_first_reply_and_resolving_meet_targets() {
        let targets = targets();
        let policy = Policy {
            clock: &WorkClock::AlwaysOpen,
            targets: &targets,
            warn_percent: 80,
        };
        let open = seen(ConversationStatus::Open, Priority::None);
        let c = track(None, open, &policy, t("2026-11-30T09:00:00Z"));
        let mut replied = open;
        replied.first_reply_at = Some(t("2026-11-30T09:20:00Z"));
        let mut pending = replied;
        pending.status = ConversationStatus::Pending;
        let c = track(Some(c), pending, &policy, t("2026-11-30T10:00:00Z"));
        assert_eq!(c.first_response.met_at, Some(t("2026-11-30T09:20:00Z")));
        assert_eq!(c.paused_at, Some(t("2026-11-30T10:00:00Z")));
        assert_eq!(c.next_check_at, None, "nothing runs while paused");
        // Back after two hours: resolution moves two hours later.
        let c = track(Some(c), replied, &policy, t("2026-11-30T12:00:00Z"));
        assert_eq!(c.resolution.due_at, Some(t("2026-11-30T19:00:00Z")));
        assert_eq!(c.paused_at, None);
        let mut resolved = replied;
        resolved.status = ConversationStatus::Resolved;
        let c = track(Some(c), resolved, &policy, t("2026-11-30T13:00:00Z"));
        assert_eq!(c.resolution.met_at, Some(t("2026-11-30T13:00:00Z")));
        assert_eq!(c.next_check_at, None);
        // Reopened the next day: a new resolution clock from then.
        let c = track(Some(c), replied, &policy, t("2026-12-01T09:00:00Z"));
        assert_eq!(c.resolution.met_at, None);
        assert_eq!(c.resolution.due_at, Some(t("2026-12-01T17:00:00Z")));
    }

    #[test]
    fn the_sweep_warns_then_breaches_once() {
        let targets = targets();
        let policy = Policy {
            clock: &WorkClock::AlwaysOpen,
            targets: &targets,
            warn_percent: 80,
        };
        let open = seen(ConversationStatus::Open, Priority::Urgent);
        let mut c = track(None, open, &policy, t("2026-11-30T09:00:00Z"));
        let at = t("2026-11-30T09:09:00Z");
        assert_eq!(due_signal(&c.first_response, at), Some(Signal::Warning));
        note_signal(&mut c, Target::FirstResponse, Signal::Warning, at);
        assert_eq!(due_signal(&c.first_response, at), None, "once");
        assert_eq!(c.next_check_at, Some(t("2026-11-30T09:10:00Z")));
        assert_eq!(
            standing(&c.first_response, at),
            Some(Standing::Soon(t("2026-11-30T09:10:00Z")))
        );
        let late = t("2026-11-30T09:25:00Z");
        assert_eq!(due_signal(&c.first_response, late), Some(Signal::Breached));
        note_signal(&mut c, Target::FirstResponse, Signal::Breached, late);
        assert_eq!(
            standing(&c.first_response, late),
            Some(Standing::Overdue(Duration::minutes(15)))
        );
        // Resolution's warning comes next (at 80 % of an hour).
        assert_eq!(c.next_check_at, Some(t("2026-11-30T09:48:00Z")));
    }

    #[test]
    fn targets_are_validated() {
        let one = |p, m| PriorityTarget {
            priority: p,
            first_response_minutes: m,
            resolution_minutes: None,
        };
        assert!(validate_targets(vec![]).is_err());
        assert!(validate_targets(vec![one(Priority::High, None)]).is_err());
        assert!(validate_targets(vec![one(Priority::High, Some(0))]).is_err());
        assert!(
            validate_targets(vec![
                one(Priority::High, Some(5)),
                one(Priority::High, Some(6))
            ])
            .is_err()
        );
        let ok = validate_targets(vec![
            one(Priority::Urgent, Some(5)),
            one(Priority::Low, Some(60)),
        ])
        .unwrap();
        assert_eq!(ok[0].priority, Priority::Low, "sorted");
        assert!(validate_warn_percent(0).is_err());
        assert!(validate_warn_percent(100).is_err());
        assert_eq!(validate_warn_percent(75), Ok(75));
    }
}
