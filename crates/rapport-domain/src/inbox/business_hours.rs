//! Business hours: a time zone, open intervals per weekday and holidays (one date, or a date
//! every year), and the arithmetic SLAs need on them: the moment `n` business minutes after a
//! start, and the business time between two moments. Each local interval is turned into UTC on
//! its own date, so a daylight-saving change moves the opening hour with the wall clock.

use crate::error::DomainError;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// The most intervals a day holds.
pub const MAX_INTERVALS: usize = 6;
/// The most holidays a calendar holds.
pub const MAX_HOLIDAYS: usize = 200;
/// How far ahead arithmetic looks for open time (a calendar open only on 29 February still
/// finds its next opening).
const HORIZON_DAYS: i64 = 3 * 366;

/// One open interval, local wall-clock times `HH:MM` (`24:00` ends at midnight).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Interval {
    /// Opens, `HH:MM`.
    pub start: String,
    /// Closes, `HH:MM` (after `start`; `24:00` for midnight).
    pub end: String,
}

/// A day off: one date, or the same day every year.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Holiday {
    /// `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// Every year on this month and day.
    #[serde(default)]
    pub yearly: bool,
    /// What it is ("Christmas Day").
    #[serde(default)]
    pub name: String,
}

/// Opening hours as stored and sent: Monday first, seven lists of intervals.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct BusinessHours {
    /// IANA time zone the hours are in (`Europe/Berlin`).
    pub time_zone: String,
    /// Seven days, Monday first; an empty day is closed.
    pub weekly: Vec<Vec<Interval>>,
    /// Days off.
    #[serde(default)]
    pub holidays: Vec<Holiday>,
}

/// Validated hours, ready for arithmetic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    tz: Tz,
    /// Per weekday (Monday = 0), sorted, non-overlapping `[start, end)` minutes of the day.
    days: [Vec<(u32, u32)>; 7],
    dates: Vec<NaiveDate>,
    yearly: Vec<(u32, u32)>,
}

fn invalid(field: &'static str, reason: &'static str) -> DomainError {
    DomainError::Invalid { field, reason }
}

fn minute_of_day(raw: &str) -> Result<u32, DomainError> {
    let raw = raw.trim();
    if raw == "24:00" {
        return Ok(24 * 60);
    }
    let t = NaiveTime::parse_from_str(raw, "%H:%M")
        .map_err(|_| invalid("weekly", "times are HH:MM, from 00:00 to 24:00"))?;
    Ok(t.hour() * 60 + t.minute())
}

impl BusinessHours {
    /// Checks the hours and compiles them: a known time zone, seven days, intervals that end
    /// after they start and do not overlap, at least one open interval in the week.
    pub fn compile(&self) -> Result<Schedule, DomainError> {
        let tz: Tz = self
            .time_zone
            .trim()
            .parse()
            .map_err(|_| invalid("time_zone", "unknown time zone"))?;
        if self.weekly.len() != 7 {
            return Err(invalid("weekly", "give seven days, Monday first"));
        }
        let mut days: [Vec<(u32, u32)>; 7] = Default::default();
        for (day, intervals) in self.weekly.iter().enumerate() {
            if intervals.len() > MAX_INTERVALS {
                return Err(invalid("weekly", "a day holds at most 6 intervals"));
            }
            let mut list = intervals
                .iter()
                .map(|i| Ok((minute_of_day(&i.start)?, minute_of_day(&i.end)?)))
                .collect::<Result<Vec<_>, DomainError>>()?;
            list.sort_unstable();
            for (i, (start, end)) in list.iter().enumerate() {
                if end <= start {
                    return Err(invalid("weekly", "an interval ends after it starts"));
                }
                if i > 0 && list[i - 1].1 > *start {
                    return Err(invalid("weekly", "intervals of a day must not overlap"));
                }
            }
            days[day] = list;
        }
        if days.iter().all(Vec::is_empty) {
            return Err(invalid("weekly", "open at least one interval in the week"));
        }
        if self.holidays.len() > MAX_HOLIDAYS {
            return Err(invalid("holidays", "a calendar holds at most 200 holidays"));
        }
        let dates = self
            .holidays
            .iter()
            .filter(|h| !h.yearly)
            .map(|h| h.date)
            .collect();
        let yearly = self
            .holidays
            .iter()
            .filter(|h| h.yearly)
            .map(|h| (h.date.month(), h.date.day()))
            .collect();
        Ok(Schedule {
            tz,
            days,
            dates,
            yearly,
        })
    }

    /// Monday to Friday, `start`–`end`, in `time_zone`, no holidays.
    pub fn weekdays(time_zone: &str, start: &str, end: &str) -> Self {
        let day = vec![Interval {
            start: start.into(),
            end: end.into(),
        }];
        let mut weekly = vec![day; 5];
        weekly.extend([Vec::new(), Vec::new()]);
        Self {
            time_zone: time_zone.into(),
            weekly,
            holidays: Vec::new(),
        }
    }
}

impl Schedule {
    fn is_holiday(&self, date: NaiveDate) -> bool {
        self.dates.contains(&date) || self.yearly.contains(&(date.month(), date.day()))
    }

    /// A local minute of `date` in UTC. A time that does not exist (the hour skipped when
    /// clocks go forward) is the first moment after the gap; an ambiguous one the earlier.
    fn at(&self, date: NaiveDate, minute: u32) -> DateTime<Utc> {
        let (date, minute) = if minute >= 24 * 60 {
            (date + Duration::days(1), minute - 24 * 60)
        } else {
            (date, minute)
        };
        let naive = date
            .and_hms_opt(minute / 60, minute % 60, 0)
            .unwrap_or_default();
        let mut probe = naive;
        for _ in 0..4 {
            if let Some(t) = self.tz.from_local_datetime(&probe).earliest() {
                return t.with_timezone(&Utc);
            }
            probe += Duration::minutes(30);
        }
        Utc.from_utc_datetime(&naive)
    }

    /// The open intervals of `date` in UTC (none on a holiday).
    fn open_on(
        &self,
        date: NaiveDate,
    ) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        let day = date.weekday().num_days_from_monday() as usize;
        let list: &[(u32, u32)] = if self.is_holiday(date) {
            &[]
        } else {
            &self.days[day]
        };
        list.iter()
            .map(move |(s, e)| (self.at(date, *s), self.at(date, *e)))
    }

    fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }

    /// The moment `minutes` of open time after `start` (a start in closed time counts from the
    /// next opening).
    pub fn add_minutes(&self, start: DateTime<Utc>, minutes: u32) -> DateTime<Utc> {
        let mut remaining = i64::from(minutes) * 60;
        // The day before too: its last interval may run past midnight in UTC terms.
        let first = self.local_date(start) - Duration::days(1);
        for offset in 0..HORIZON_DAYS {
            let date = first + Duration::days(offset);
            for (open, close) in self.open_on(date) {
                let from = open.max(start);
                if from >= close {
                    continue;
                }
                let available = (close - from).num_seconds();
                if remaining <= available {
                    return from + Duration::seconds(remaining);
                }
                remaining -= available;
            }
        }
        // Unreachable for a compiled schedule (it is open every week).
        start + Duration::minutes(i64::from(minutes))
    }

    /// The open time between `from` and `to` (zero when `to` is not after `from`).
    pub fn open_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        let mut total = 0;
        let first = self.local_date(from) - Duration::days(1);
        let last = self.local_date(to);
        let mut date = first;
        while date <= last {
            for (open, close) in self.open_on(date) {
                let (a, b) = (open.max(from), close.min(to));
                if b > a {
                    total += (b - a).num_seconds();
                }
            }
            date += Duration::days(1);
        }
        Duration::seconds(total)
    }

    /// Whether `at` falls in open time.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let date = self.local_date(at);
        [date - Duration::days(1), date].into_iter().any(|d| {
            self.open_on(d)
                .any(|(open, close)| open <= at && at < close)
        })
    }
}

/// The clock SLAs run on: business hours, or around the clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkClock {
    /// Every minute counts.
    AlwaysOpen,
    /// Only open time counts.
    Hours(Box<Schedule>),
}

impl WorkClock {
    /// `minutes` of counted time after `start`.
    pub fn add_minutes(&self, start: DateTime<Utc>, minutes: u32) -> DateTime<Utc> {
        match self {
            Self::AlwaysOpen => start + Duration::minutes(i64::from(minutes)),
            Self::Hours(s) => s.add_minutes(start, minutes),
        }
    }

    /// Counted time between two moments.
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        match self {
            Self::AlwaysOpen if to > from => to - from,
            Self::AlwaysOpen => Duration::zero(),
            Self::Hours(s) => s.open_between(from, to),
        }
    }

    /// Whether `at` is in counted time.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        match self {
            Self::AlwaysOpen => true,
            Self::Hours(s) => s.is_open(at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn berlin() -> Schedule {
        BusinessHours::weekdays("Europe/Berlin", "09:00", "17:00")
            .compile()
            .unwrap()
    }

    #[test]
    fn minutes_are_counted_in_open_time_only() {
        let s = berlin();
        // Friday 16:30 Berlin (15:30 UTC in winter) + 60 min: 30 on Friday, 30 on Monday.
        let due = s.add_minutes(utc("2026-11-27T15:30:00Z"), 60);
        assert_eq!(due, utc("2026-11-30T08:30:00Z"));
        // A start on Sunday counts from Monday's opening.
        assert_eq!(
            s.add_minutes(utc("2026-11-29T12:00:00Z"), 15),
            utc("2026-11-30T08:15:00Z")
        );
        // Exactly a day's hours ends at closing time.
        assert_eq!(
            s.add_minutes(utc("2026-11-30T08:00:00Z"), 480),
            utc("2026-11-30T16:00:00Z")
        );
        assert_eq!(
            s.open_between(utc("2026-11-27T15:30:00Z"), utc("2026-11-30T08:30:00Z")),
            Duration::minutes(60)
        );
        assert!(s.is_open(utc("2026-11-30T08:00:00Z")));
        assert!(!s.is_open(utc("2026-11-30T16:00:00Z")));
        assert!(!s.is_open(utc("2026-11-28T10:00:00Z")));
    }

    #[test]
    fn opening_hours_follow_the_wall_clock_across_daylight_saving() {
        let s = berlin();
        // Berlin leaves summer time on Sunday 25 October 2026: 09:00 is 07:00 UTC on Friday
        // the 23rd and 08:00 UTC on Monday the 26th.
        assert_eq!(
            s.add_minutes(utc("2026-10-23T14:30:00Z"), 60),
            utc("2026-10-26T08:30:00Z")
        );
    }

    #[test]
    fn holidays_are_closed_once_or_every_year() {
        let mut hours = BusinessHours::weekdays("UTC", "09:00", "17:00");
        hours.holidays = vec![
            Holiday {
                date: NaiveDate::from_ymd_opt(2020, 12, 25).unwrap(),
                yearly: true,
                name: "Christmas".into(),
            },
            Holiday {
                date: NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(),
                yearly: false,
                name: String::new(),
            },
        ];
        let s = hours.compile().unwrap();
        // Wednesday 23 Dec 16:00 + 2 h: 1 h that day, Thursday and Friday closed, Monday 10:00.
        assert_eq!(
            s.add_minutes(utc("2026-12-23T16:00:00Z"), 120),
            utc("2026-12-28T10:00:00Z")
        );
    }

    #[test]
    fn always_open_is_plain_addition_and_counting_is_monotonic() {
        let start = utc("2026-11-27T15:30:00Z");
        assert_eq!(
            WorkClock::AlwaysOpen.add_minutes(start, 90),
            start + Duration::minutes(90)
        );
        let s = berlin();
        let mut last = start;
        for m in (0..5_000).step_by(37) {
            let due = s.add_minutes(start, m);
            assert!(due >= last, "monotonic at {m}");
            assert_eq!(s.open_between(start, due), Duration::minutes(i64::from(m)));
            last = due;
        }
    }

    #[test]
    fn bad_hours_are_refused() {
        let bad = |h: BusinessHours| h.compile().is_err();
        assert!(bad(BusinessHours::weekdays(
            "Mars/Olympus",
            "09:00",
            "17:00"
        )));
        assert!(bad(BusinessHours::weekdays("UTC", "17:00", "09:00")));
        assert!(bad(BusinessHours::weekdays("UTC", "9am", "17:00")));
        let mut closed = BusinessHours::weekdays("UTC", "09:00", "17:00");
        closed.weekly = vec![Vec::new(); 7];
        assert!(bad(closed));
        let mut overlap = BusinessHours::weekdays("UTC", "09:00", "17:00");
        overlap.weekly[0].push(Interval {
            start: "12:00".into(),
            end: "18:00".into(),
        });
        assert!(bad(overlap));
        let mut late = BusinessHours::weekdays("UTC", "22:00", "24:00");
        late.weekly[6] = vec![Interval {
            start: "00:00".into(),
            end: "24:00".into(),
        }];
        assert!(late.compile().is_ok());
    }
}
