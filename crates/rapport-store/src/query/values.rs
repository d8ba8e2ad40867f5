//! Parsing filter values typed by people: numbers, amounts in major units, dates, times, yes/no.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// A finite number (`50`, `-3.5`).
pub fn number(raw: &str) -> Option<f64> {
    raw.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// An amount in major units (`10000`, `99.50`) as minor units with `digits` decimals. Refuses
/// more decimals than the currency has and amounts beyond ±10^15.
pub fn money_minor(raw: &str, digits: u32) -> Option<i64> {
    let raw = raw.trim();
    let (neg, body) = match raw.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty()
        || int.len() > 15
        || !int.chars().all(|c| c.is_ascii_digit())
        || frac.len() > digits as usize
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let scale = 10i64.checked_pow(digits)?;
    let mut frac_val: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    frac_val *= 10i64.checked_pow(digits - frac.len() as u32)?;
    let v = int
        .parse::<i64>()
        .ok()?
        .checked_mul(scale)?
        .checked_add(frac_val)?;
    Some(if neg { -v } else { v })
}

/// `true`/`false` (also yes/no, 1/0).
pub fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// A calendar date `YYYY-MM-DD`.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

/// The span a value names: a whole day (UTC) for a date, one microsecond for a time. `=`
/// means "within", `>` "after the span", `<` "before it".
pub fn parse_time_range(raw: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    if let Some(d) = parse_date(raw) {
        let from = d.and_hms_opt(0, 0, 0)?.and_utc();
        return Some((from, from + Duration::days(1)));
    }
    let t = DateTime::parse_from_rfc3339(raw.trim())
        .ok()?
        .with_timezone(&Utc);
    Some((t, t + Duration::microseconds(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_major_units() {
        assert_eq!(money_minor("10000", 2), Some(1_000_000));
        assert_eq!(money_minor("99.5", 2), Some(9_950));
        assert_eq!(money_minor("-0.01", 2), Some(-1));
        assert_eq!(money_minor("5", 0), Some(5));
        assert_eq!(money_minor("1.234", 2), None);
        assert_eq!(money_minor("abc", 2), None);
        assert_eq!(money_minor("", 2), None);
    }

    #[test]
    fn dates_times_and_flags() {
        let (a, b) = parse_time_range("2026-01-31").unwrap();
        assert_eq!(b - a, Duration::days(1));
        assert!(parse_time_range("2026-01-31T09:00:00+01:00").is_some());
        assert!(parse_time_range("yesterday").is_none());
        assert_eq!(parse_bool("Yes"), Some(true));
        assert_eq!(number("1e3"), Some(1000.0));
        assert_eq!(number("NaN"), None);
    }
}
