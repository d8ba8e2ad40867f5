//! The SLA policy form: a policy as text fields people can type (durations like `1h 30m`, a
//! day's hours like `09:00-12:00, 13:00-17:00`, holidays one per line) and back. A refused form
//! is shown again as typed.

use crate::ui::admin::Fields;
use rapport_app::inbox::sla::{PolicyInput, PolicyRecord};
use rapport_domain::inbox::Priority;
use rapport_domain::inbox::business_hours::{BusinessHours, Holiday, Interval};
use rapport_domain::inbox::sla::PriorityTarget;
use rapport_domain::{DomainError, InboxId};

/// One priority's targets as typed.
#[derive(Debug, Clone, Default)]
pub struct TargetRow {
    pub priority: String,
    pub first_response: String,
    pub resolution: String,
}

/// The whole form.
#[derive(Debug, Clone)]
pub struct PolicyForm {
    /// "" for a new policy.
    pub id: String,
    pub name: String,
    pub inboxes: Vec<String>,
    /// Business hours (`false`: around the clock).
    pub hours: bool,
    pub time_zone: String,
    /// Monday first.
    pub days: Vec<String>,
    pub holidays: String,
    pub targets: Vec<TargetRow>,
    pub warn_percent: String,
    /// Refused: show it open.
    pub open: bool,
}

impl PolicyForm {
    /// An empty form: office hours Monday to Friday in `time_zone`.
    pub fn blank(time_zone: &str) -> Self {
        let mut days = vec!["09:00-17:00".to_owned(); 5];
        days.extend([String::new(), String::new()]);
        Self {
            id: String::new(),
            name: String::new(),
            inboxes: Vec::new(),
            hours: true,
            time_zone: time_zone.to_owned(),
            days,
            holidays: String::new(),
            targets: Priority::ALL
                .iter()
                .rev()
                .map(|p| TargetRow {
                    priority: p.as_str().to_owned(),
                    ..Default::default()
                })
                .collect(),
            warn_percent: "80".into(),
            open: false,
        }
    }

    /// The form of a stored policy.
    pub fn of(r: &PolicyRecord, fallback_tz: &str) -> Self {
        let mut f = Self::blank(fallback_tz);
        f.id = r.id.to_string();
        f.name = r.name.clone();
        f.inboxes = r.inbox_ids.iter().map(ToString::to_string).collect();
        f.warn_percent = r.warn_percent.to_string();
        match &r.business_hours {
            None => f.hours = false,
            Some(h) => {
                f.time_zone = h.time_zone.clone();
                f.days = h
                    .weekly
                    .iter()
                    .map(|day| {
                        day.iter()
                            .map(|i| format!("{}-{}", i.start, i.end))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .collect();
                f.holidays = h
                    .holidays
                    .iter()
                    .map(|d| {
                        let yearly = if d.yearly { " yearly" } else { "" };
                        format!("{}{yearly} {}", d.date, d.name)
                            .trim_end()
                            .to_owned()
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
            }
        }
        for row in &mut f.targets {
            if let Some(t) = r
                .targets
                .iter()
                .find(|t| t.priority.as_str() == row.priority)
            {
                row.first_response = t
                    .first_response_minutes
                    .map(duration_text)
                    .unwrap_or_default();
                row.resolution = t.resolution_minutes.map(duration_text).unwrap_or_default();
            }
        }
        f
    }

    /// Reads a posted form.
    pub fn read(f: &Fields, id: &str) -> Self {
        let days = (0..7)
            .map(|d| f.get(&format!("day_{d}")).trim().to_owned())
            .collect();
        let targets = Priority::ALL
            .iter()
            .rev()
            .map(|p| TargetRow {
                priority: p.as_str().to_owned(),
                first_response: f.get(&format!("fr_{p}")).trim().to_owned(),
                resolution: f.get(&format!("res_{p}")).trim().to_owned(),
            })
            .collect();
        Self {
            id: id.to_owned(),
            name: f.get("name").to_owned(),
            inboxes: f.all("inbox_ids"),
            hours: f.get("hours") != "always",
            time_zone: f.get("time_zone").trim().to_owned(),
            days,
            holidays: f.get("holidays").to_owned(),
            targets,
            warn_percent: f.get("warn_percent").trim().to_owned(),
            open: true,
        }
    }

    /// What to save.
    pub fn input(&self) -> Result<PolicyInput, DomainError> {
        let inbox_ids = self
            .inboxes
            .iter()
            .map(|i| {
                i.parse::<InboxId>().map_err(|_| DomainError::Invalid {
                    field: "inbox_ids",
                    reason: "choose inboxes from the list",
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let business_hours = if self.hours {
            Some(BusinessHours {
                time_zone: self.time_zone.clone(),
                weekly: self
                    .days
                    .iter()
                    .map(|d| intervals(d))
                    .collect::<Result<_, _>>()?,
                holidays: holidays(&self.holidays)?,
            })
        } else {
            None
        };
        let mut targets = Vec::new();
        for row in &self.targets {
            let fr = minutes(&row.first_response)?;
            let res = minutes(&row.resolution)?;
            if fr.is_some() || res.is_some() {
                targets.push(PriorityTarget {
                    priority: Priority::parse(&row.priority)?,
                    first_response_minutes: fr,
                    resolution_minutes: res,
                });
            }
        }
        let warn_percent = self
            .warn_percent
            .parse()
            .map_err(|_| DomainError::Invalid {
                field: "warn_percent",
                reason: "warn at 1 to 99 percent of a target",
            })?;
        Ok(PolicyInput {
            name: Some(self.name.clone()),
            business_hours: Some(business_hours),
            targets: Some(targets),
            warn_percent: Some(warn_percent),
            inbox_ids: Some(inbox_ids),
        })
    }

    /// Whether the inbox is ticked.
    pub fn covers(&self, inbox: &str) -> bool {
        self.inboxes.iter().any(|i| i == inbox)
    }
}

/// `09:00-12:00, 13:00-17:00` (empty: closed).
fn intervals(raw: &str) -> Result<Vec<Interval>, DomainError> {
    raw.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (start, end) = p.split_once(['-', '–']).ok_or(DomainError::Invalid {
                field: "weekly",
                reason: "write a day's hours as 09:00-17:00, several separated by commas",
            })?;
            Ok(Interval {
                start: start.trim().to_owned(),
                end: end.trim().to_owned(),
            })
        })
        .collect()
}

/// One holiday per line: `2026-12-25 [yearly] [name]`.
fn holidays(raw: &str) -> Result<Vec<Holiday>, DomainError> {
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (date, rest) = line.split_once(' ').unwrap_or((line, ""));
            let date = date.parse().map_err(|_| DomainError::Invalid {
                field: "holidays",
                reason: "start each holiday line with a date, 2026-12-25",
            })?;
            let rest = rest.trim();
            let (yearly, name) = match rest.strip_prefix("yearly") {
                Some(name) => (true, name.trim()),
                None => (false, rest),
            };
            Ok(Holiday {
                date,
                yearly,
                name: name.chars().take(80).collect(),
            })
        })
        .collect()
}

/// `90`, `1h 30m`, `2d`, `45m` as minutes (empty: no target).
pub fn minutes(raw: &str) -> Result<Option<u32>, DomainError> {
    let bad = DomainError::Invalid {
        field: "targets",
        reason: "write targets as minutes or like 1h 30m, 2d",
    };
    let raw = raw.trim().to_ascii_lowercase();
    if raw.is_empty() {
        return Ok(None);
    }
    if let Ok(m) = raw.parse::<u32>() {
        return Ok(Some(m));
    }
    let mut total: u32 = 0;
    let mut number = String::new();
    for c in raw.chars() {
        match c {
            '0'..='9' => number.push(c),
            'd' | 'h' | 'm' => {
                let n: u32 = number.parse().map_err(|_| bad.clone())?;
                let unit = match c {
                    'd' => 24 * 60,
                    'h' => 60,
                    _ => 1,
                };
                total = n
                    .checked_mul(unit)
                    .and_then(|v| total.checked_add(v))
                    .ok_or(bad.clone())?;
                number.clear();
            }
            ' ' => {}
            _ => return Err(bad),
        }
    }
    if !number.is_empty() {
        return Err(bad);
    }
    Ok(Some(total))
}

/// Minutes as `1d 2h 30m`.
pub fn duration_text(minutes: u32) -> String {
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d}d"));
    }
    if h > 0 {
        parts.push(format!("{h}h"));
    }
    if m > 0 || parts.is_empty() {
        parts.push(format!("{m}m"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_and_write_both_ways() {
        assert_eq!(minutes("90").unwrap(), Some(90));
        assert_eq!(minutes("1h 30m").unwrap(), Some(90));
        assert_eq!(minutes("2D").unwrap(), Some(2880));
        assert_eq!(minutes("").unwrap(), None);
        assert!(minutes("soon").is_err());
        assert!(minutes("5").is_ok());
        assert!(minutes("1h 5").is_err());
        assert_eq!(duration_text(90), "1h 30m");
        assert_eq!(duration_text(2880), "2d");
        assert_eq!(duration_text(0), "0m");
    }

    #[test]
    fn hours_and_holidays_read_from_text() {
        let i = intervals("09:00-12:00, 13:00–17:00").unwrap();
        assert_eq!(i.len(), 2);
        assert_eq!(i[1].start, "13:00");
        assert!(intervals("").unwrap().is_empty());
        assert!(intervals("nine to five").is_err());
        let h = holidays("2026-12-25 yearly Christmas Day\n\n2027-01-02").unwrap();
        assert!(h[0].yearly);
        assert_eq!(h[0].name, "Christmas Day");
        assert!(!h[1].yearly);
        assert!(holidays("Christmas").is_err());
    }
}
