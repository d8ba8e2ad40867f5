//! Money as the reader's locale writes it: the currency's symbol, grouped digits, and the
//! currency's own number of decimals (none when they are zero, for compact board totals).
//! Separators come from the catalog (`crm_deals.number.*`), so a locale can change them.

use crate::i18n::Tr;
use rapport_domain::crm::Currency;
use std::collections::BTreeMap;

/// Common currencies' symbols; others are written with their code.
fn symbol(code: &str) -> Option<&'static str> {
    Some(match code {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        "INR" => "₹",
        "KRW" => "₩",
        "CAD" => "CA$",
        "AUD" => "A$",
        "NZD" => "NZ$",
        "BRL" => "R$",
        "MXN" => "MX$",
        "CNY" => "CN¥",
        "ILS" => "₪",
        "NGN" => "₦",
        "UAH" => "₴",
        "PLN" => "zł ",
        _ => return None,
    })
}

/// Groups the digits of `n` with `sep` every three.
fn group(n: u128, sep: &str) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// `minor` units of `currency` for display (`$12,500.50`; `$12,500` when `compact` and whole).
pub fn format(tr: &Tr, minor: i64, currency: &str, compact: bool) -> String {
    let digits = Currency::parse(currency).map_or(2, |c| c.minor_digits());
    let scale = 10u128.pow(digits);
    let abs = i128::from(minor).unsigned_abs();
    let (whole, frac) = (abs / scale, abs % scale);
    let group_sep = tr.t("crm_deals.number.group");
    let decimal_sep = tr.t("crm_deals.number.decimal");
    let mut number = group(whole, &group_sep);
    if digits > 0 && !(compact && frac == 0) {
        number.push_str(&decimal_sep);
        number.push_str(&format!("{frac:0width$}", width = digits as usize));
    }
    let sign = if minor < 0 { "-" } else { "" };
    match symbol(currency) {
        Some(s) => format!("{sign}{s}{number}"),
        None => format!("{sign}{currency}\u{a0}{number}"),
    }
}

/// Sums in several currencies, joined (`$12,500 · €3,000`); zero in `default` when empty.
pub fn format_totals(tr: &Tr, totals: &BTreeMap<String, i64>, default: &str) -> String {
    if totals.is_empty() {
        return format(tr, 0, default, true);
    }
    totals
        .iter()
        .map(|(c, m)| format(tr, *m, c, true))
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Catalog;
    use std::sync::Arc;

    #[test]
    fn amounts_read_as_people_write_them() {
        let tr = Tr::new(Arc::new(Catalog::load().unwrap()), "en", "UTC");
        assert_eq!(format(&tr, 1_250_050, "USD", false), "$12,500.50");
        assert_eq!(format(&tr, 1_250_000, "EUR", true), "€12,500");
        assert_eq!(format(&tr, 1_500, "JPY", false), "¥1,500");
        assert_eq!(format(&tr, 1_234, "KWD", false), "KWD\u{a0}1.234");
        assert_eq!(format(&tr, -5, "USD", false), "-$0.05");
        let mut t = BTreeMap::new();
        t.insert("USD".to_owned(), 100);
        t.insert("EUR".to_owned(), 250);
        assert_eq!(format_totals(&tr, &t, "USD"), "€2.50 · $1");
        assert_eq!(format_totals(&tr, &BTreeMap::new(), "EUR"), "€0");
    }
}
