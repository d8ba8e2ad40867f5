//! The time zones the profile form offers: common IANA zones, labelled with their current UTC
//! offset and ordered by it, plus the member's own zone when it is not among them.

use chrono::{DateTime, Offset, Utc};

/// Time zones offered in the profile form (the member's own is added when missing).
const COMMON_ZONES: &[&str] = &[
    "UTC",
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Phoenix",
    "America/Chicago",
    "America/Mexico_City",
    "America/New_York",
    "America/Toronto",
    "America/Bogota",
    "America/Lima",
    "America/Halifax",
    "America/Caracas",
    "America/Santiago",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "America/St_Johns",
    "Atlantic/Azores",
    "Atlantic/Reykjavik",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Africa/Lagos",
    "Africa/Casablanca",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/Vienna",
    "Europe/Stockholm",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Warsaw",
    "Europe/Prague",
    "Europe/Budapest",
    "Europe/Athens",
    "Europe/Helsinki",
    "Europe/Kyiv",
    "Europe/Bucharest",
    "Europe/Istanbul",
    "Africa/Cairo",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "Asia/Jerusalem",
    "Europe/Moscow",
    "Asia/Riyadh",
    "Asia/Dubai",
    "Asia/Tehran",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Ho_Chi_Minh",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Manila",
    "Asia/Taipei",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Adelaide",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Australia/Melbourne",
    "Pacific/Auckland",
];

/// One `<option>` of the time-zone select.
pub struct ZoneOption {
    /// The IANA name.
    pub value: String,
    /// `(UTC+01:00) Europe/Berlin`.
    pub label: String,
    /// Whether it is the member's.
    pub selected: bool,
}

/// The zone options, ordered by their current UTC offset; `selected` is always present.
pub fn zone_options(selected: &str, now: DateTime<Utc>) -> Vec<ZoneOption> {
    let mut names: Vec<&str> = COMMON_ZONES.to_vec();
    if !names.contains(&selected) && selected.parse::<chrono_tz::Tz>().is_ok() {
        names.push(selected);
    }
    let mut zones: Vec<(i32, ZoneOption)> = names
        .into_iter()
        .filter_map(|name| {
            let tz: chrono_tz::Tz = name.parse().ok()?;
            let secs = now.with_timezone(&tz).offset().fix().local_minus_utc();
            let sign = if secs < 0 { '-' } else { '+' };
            let mins = secs.abs() / 60;
            let label = if name == "UTC" {
                "UTC".to_owned()
            } else {
                format!(
                    "(UTC{sign}{:02}:{:02}) {}",
                    mins / 60,
                    mins % 60,
                    name.replace('_', " ")
                )
            };
            Some((
                secs,
                ZoneOption {
                    value: name.to_owned(),
                    label,
                    selected: name == selected,
                },
            ))
        })
        .collect();
    zones.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.value.cmp(&b.1.value)));
    zones.into_iter().map(|(_, z)| z).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_offered_zone_exists_and_the_members_own_is_kept() {
        let now = Utc::now();
        let zones = zone_options("Europe/Berlin", now);
        assert_eq!(zones.len(), COMMON_ZONES.len(), "all common zones parse");
        assert_eq!(zones.iter().filter(|z| z.selected).count(), 1);
        let odd = zone_options("America/Boise", now);
        assert!(odd.iter().any(|z| z.value == "America/Boise" && z.selected));
        let winter = DateTime::parse_from_rfc3339("2026-01-15T12:00:00Z")
            .unwrap()
            .to_utc();
        let labels: Vec<_> = zone_options("UTC", winter)
            .into_iter()
            .map(|z| z.label)
            .collect();
        assert!(
            labels.contains(&"(UTC+05:30) Asia/Kolkata".to_owned()),
            "{labels:?}"
        );
        assert!(labels.contains(&"(UTC-05:00) America/New York".to_owned()));
    }
}
