//! Money: an amount in minor units (cents) and an ISO 4217 currency. Integers, never floats, so
//! pipeline totals add up to the cent on both databases.

use crate::error::DomainError;
use std::fmt;

/// Active ISO 4217 codes (2026). Kept in code: the list changes about once a year.
const CODES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN",
    "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF",
    "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP",
    "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD",
    "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY",
    "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD",
    "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK",
    "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK",
    "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG",
    "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS",
    "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES",
    "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];
const ZERO_DECIMALS: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
];
const THREE_DECIMALS: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

/// An ISO 4217 currency code (`EUR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// Parses a code, case-insensitively; unknown codes are refused.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let up = raw.trim().to_ascii_uppercase();
        match CODES.iter().find(|c| **c == up) {
            Some(code) => {
                let b = code.as_bytes();
                Ok(Self([b[0], b[1], b[2]]))
            }
            None => Err(DomainError::Invalid {
                field: "currency",
                reason: "use an ISO 4217 code such as EUR or USD",
            }),
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Digits after the decimal point (2 for EUR, 0 for JPY, 3 for KWD).
    pub fn minor_digits(&self) -> u32 {
        let code = self.as_str();
        if ZERO_DECIMALS.contains(&code) {
            0
        } else if THREE_DECIMALS.contains(&code) {
            3
        } else {
            2
        }
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> Self {
        c.as_str().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of money in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Money {
    /// Minor units (cents).
    pub minor: i64,
    /// Currency.
    pub currency: Currency,
}

impl Money {
    /// Parses a decimal amount as people type it (`12,500.50`, `12500.5`, `12500`) into minor
    /// units. Commas are thousands separators; more decimals than the currency has are refused.
    pub fn parse_decimal(raw: &str, currency: Currency) -> Result<Self, DomainError> {
        let invalid = |reason| DomainError::Invalid {
            field: "amount",
            reason,
        };
        let s: String = raw
            .trim()
            .chars()
            .filter(|c| *c != ',' && *c != '_' && *c != ' ')
            .collect();
        if s.is_empty() {
            return Err(DomainError::Empty { field: "amount" });
        }
        let (neg, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.as_str()),
        };
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = currency.minor_digits() as usize;
        if whole.is_empty() && frac.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
        {
            return Err(invalid("write the amount as a number, like 12500.50"));
        }
        if frac.len() > digits {
            return Err(invalid("too many decimal places for this currency"));
        }
        let scale = 10i64.pow(digits as u32);
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole
                .parse()
                .map_err(|_| invalid("the amount is too large"))?
        };
        let frac_val: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse::<i64>()
                .map_err(|_| invalid("the amount is too large"))?
                * 10i64.pow((digits - frac.len()) as u32)
        };
        let minor = whole
            .checked_mul(scale)
            .and_then(|w| w.checked_add(frac_val))
            .filter(|m| *m <= 1_000_000_000_000_000)
            .ok_or(invalid("the amount is too large"))?;
        Ok(Self {
            minor: if neg { -minor } else { minor },
            currency,
        })
    }

    /// The amount as a plain decimal string (`12500.50`), for CSV export and forms.
    pub fn to_decimal_string(&self) -> String {
        let digits = self.currency.minor_digits();
        if digits == 0 {
            return self.minor.to_string();
        }
        let scale = 10i64.pow(digits);
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        format!(
            "{sign}{}.{:0width$}",
            abs / scale as u64,
            abs % scale as u64,
            width = digits as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(c: &str) -> Currency {
        Currency::parse(c).expect("known currency")
    }

    #[test]
    fn parses_amounts_in_minor_units() {
        assert_eq!(
            Money::parse_decimal("12,500.50", cur("usd")).map(|m| m.minor),
            Ok(1_250_050)
        );
        assert_eq!(
            Money::parse_decimal("12500", cur("EUR")).map(|m| m.minor),
            Ok(1_250_000)
        );
        assert_eq!(
            Money::parse_decimal("1500", cur("JPY")).map(|m| m.minor),
            Ok(1500)
        );
        assert!(Money::parse_decimal("15.5", cur("JPY")).is_err());
        assert_eq!(
            Money::parse_decimal("1.234", cur("KWD")).map(|m| m.minor),
            Ok(1234)
        );
        assert!(Money::parse_decimal("ten", cur("EUR")).is_err());
        assert!(Money::parse_decimal("99999999999999999999", cur("EUR")).is_err());
    }

    #[test]
    fn formats_back_to_decimal() {
        let m = Money::parse_decimal("-3.05", cur("EUR")).expect("valid");
        assert_eq!(m.to_decimal_string(), "-3.05");
        assert!(Currency::parse("ABC").is_err());
    }
}
