//! UI translations and locale-aware formatting. Every user-visible string in the UI comes from
//! a catalog (`locales/<lang>.toml`, embedded at build time); dates render in the user's time
//! zone with the locale's format.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;

/// The catalogs compiled into the binary: (language tag, TOML source). A locale may span
/// several files (one per area of the UI); their keys merge, and a key defined twice is a
/// packaging bug reported at start-up.
const SOURCES: &[(&str, &str)] = &[
    ("en", include_str!("../locales/en.toml")),
    ("en", include_str!("../locales/en/account.toml")),
    ("en", include_str!("../locales/en/admin.toml")),
    ("en", include_str!("../locales/en/crm_records.toml")),
    ("en", include_str!("../locales/en/crm_deals.toml")),
    ("en", include_str!("../locales/en/crm_work.toml")),
    ("en", include_str!("../locales/en/crm_lists.toml")),
    ("en", include_str!("../locales/en/crm_import.toml")),
    ("en", include_str!("../locales/en/inbox.toml")),
    ("en", include_str!("../locales/en/inbox_canned.toml")),
    ("en", include_str!("../locales/en/inbox_automation.toml")),
    ("en", include_str!("../locales/en/inbox_sla.toml")),
    ("en", include_str!("../locales/en/inbox_settings.toml")),
    ("en", include_str!("../locales/en/inbox_csat.toml")),
];

/// The fallback language.
pub const DEFAULT_LOCALE: &str = "en";

/// All loaded catalogs.
#[derive(Debug, Default)]
pub struct Catalog {
    by_locale: HashMap<String, HashMap<String, String>>,
}

/// A catalog failed to parse (a build-time asset, so this is a packaging bug).
#[derive(Debug, thiserror::Error)]
#[error("locale {locale}: {message}")]
pub struct CatalogError {
    locale: String,
    message: String,
}

impl Catalog {
    /// Loads the embedded catalogs.
    pub fn load() -> Result<Self, CatalogError> {
        let mut by_locale: HashMap<String, HashMap<String, String>> = HashMap::new();
        for (locale, source) in SOURCES {
            let table: toml::Table = source.parse().map_err(|e: toml::de::Error| CatalogError {
                locale: (*locale).into(),
                message: e.to_string(),
            })?;
            let mut flat = HashMap::new();
            flatten("", &toml::Value::Table(table), &mut flat);
            let merged: &mut HashMap<String, String> =
                by_locale.entry((*locale).to_owned()).or_default();
            for (key, text) in flat {
                if merged.insert(key.clone(), text).is_some() {
                    return Err(CatalogError {
                        locale: (*locale).into(),
                        message: format!("key `{key}` is defined twice"),
                    });
                }
            }
        }
        Ok(Self { by_locale })
    }

    /// The best supported locale for a requested tag (`en-GB` → `en`).
    pub fn negotiate(&self, requested: &str) -> String {
        let lang = requested
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if self.by_locale.contains_key(&lang) {
            lang
        } else {
            DEFAULT_LOCALE.to_owned()
        }
    }

    fn lookup(&self, locale: &str, key: &str) -> Option<&str> {
        self.by_locale
            .get(locale)
            .and_then(|m| m.get(key))
            .or_else(|| self.by_locale.get(DEFAULT_LOCALE).and_then(|m| m.get(key)))
            .map(String::as_str)
    }

    /// Every key of a locale (for the completeness test).
    pub fn keys(&self, locale: &str) -> Vec<String> {
        let mut keys: Vec<String> = self
            .by_locale
            .get(locale)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        keys.sort();
        keys
    }
}

fn flatten(prefix: &str, value: &toml::Value, out: &mut HashMap<String, String>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        toml::Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        other => {
            out.insert(prefix.to_owned(), other.to_string());
        }
    }
}

/// A translator for one request: a locale and a time zone.
#[derive(Debug, Clone)]
pub struct Tr {
    catalog: Arc<Catalog>,
    locale: String,
    tz: chrono_tz::Tz,
}

impl Tr {
    /// A translator for `locale` rendering times in `time_zone` (UTC when unknown).
    pub fn new(catalog: Arc<Catalog>, locale: &str, time_zone: &str) -> Self {
        let locale = catalog.negotiate(locale);
        Self {
            catalog,
            locale,
            tz: time_zone.parse().unwrap_or(chrono_tz::UTC),
        }
    }

    /// The negotiated locale (for `<html lang>`).
    pub fn locale(&self) -> &str {
        &self.locale
    }

    /// The text for `key`; a missing key renders as the key itself, which the catalog test
    /// catches before release.
    pub fn t(&self, key: &str) -> String {
        self.catalog
            .lookup(&self.locale, key)
            .unwrap_or(key)
            .to_owned()
    }

    /// The text for `key` with `{name}` placeholders filled.
    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.t(key);
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// A timestamp in the user's time zone, in the locale's format.
    pub fn datetime(&self, at: &DateTime<Utc>) -> String {
        at.with_timezone(&self.tz)
            .format(&self.t("format.datetime"))
            .to_string()
    }

    /// An optional timestamp, or the given fallback key's text.
    pub fn datetime_or(&self, at: &Option<DateTime<Utc>>, fallback_key: &str) -> String {
        at.as_ref()
            .map_or_else(|| self.t(fallback_key), |at| self.datetime(at))
    }

    /// A date in the user's time zone.
    pub fn date(&self, at: &DateTime<Utc>) -> String {
        at.with_timezone(&self.tz)
            .format(&self.t("format.date"))
            .to_string()
    }

    /// The calendar date in the user's time zone (grouping by day).
    pub fn local_date(&self, at: &DateTime<Utc>) -> chrono::NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }

    /// A time of day in the user's time zone, in the locale's format.
    pub fn time(&self, at: &DateTime<Utc>) -> String {
        at.with_timezone(&self.tz)
            .format(&self.t("crm_work.format.time"))
            .to_string()
    }

    /// The user's time zone.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.tz
    }

    /// The hour of day in the user's time zone (for greetings).
    pub fn local_hour(&self, at: &DateTime<Utc>) -> u32 {
        use chrono::Timelike;
        at.with_timezone(&self.tz).hour()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_catalog_loads_and_formats_in_the_users_zone() {
        let catalog = Arc::new(Catalog::load().unwrap());
        assert!(catalog.keys("en").len() > 50);
        let tr = Tr::new(catalog.clone(), "en-GB", "America/New_York");
        assert_eq!(tr.locale(), "en");
        assert_eq!(tr.t("login.submit"), "Sign in");
        assert_eq!(
            tr.tf("home.greeting_morning", &[("name", "Ada")]),
            "Good morning, Ada"
        );
        let at = DateTime::parse_from_rfc3339("2026-11-25T15:04:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(tr.datetime(&at), "Nov 25, 2026, 10:04 AM");
        let berlin = Tr::new(catalog, "fr", "Europe/Berlin");
        assert_eq!(
            berlin.locale(),
            "en",
            "unsupported locales fall back to English"
        );
        assert_eq!(berlin.datetime(&at), "Nov 25, 2026, 4:04 PM");
    }

    #[test]
    fn unknown_time_zone_renders_utc() {
        let tr = Tr::new(Arc::new(Catalog::load().unwrap()), "en", "Mars/Olympus");
        let at = DateTime::parse_from_rfc3339("2026-11-25T15:04:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(tr.datetime(&at), "Nov 25, 2026, 3:04 PM");
    }
}
