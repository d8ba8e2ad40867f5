//! Company web domains: normalized (`https://www.Acme.com/about` → `acme.com`) so a contact's
//! email domain can find their company, and the free-mail list that must never auto-link
//! (everyone at gmail.com is not one company).

use crate::email::Email;
use crate::error::DomainError;

const FIELD: &str = "domain";

/// Mail providers whose users are individuals, not one organization.
const FREE_MAIL: &[&str] = &[
    "aol.com",
    "gmail.com",
    "googlemail.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "hotmail.com",
    "hotmail.co.uk",
    "hotmail.fr",
    "icloud.com",
    "live.com",
    "mac.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "outlook.com",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "web.de",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.fr",
    "yandex.com",
    "yandex.ru",
    "zoho.com",
    "fastmail.com",
    "hey.com",
    "tutanota.com",
    "posteo.de",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "t-online.de",
    "libero.it",
    "163.com",
    "126.com",
    "naver.com",
    "comcast.net",
    "verizon.net",
    "att.net",
];

/// Whether `domain` (lowercase) belongs to a free-mail provider.
pub fn is_free_mail_domain(domain: &str) -> bool {
    FREE_MAIL.contains(&domain)
}

/// A bare, lowercase domain name (`acme.com`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct CompanyDomain(String);

impl CompanyDomain {
    /// Parses a domain or a website address: drops scheme, `www.`, path, port and case.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let mut s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(DomainError::Empty { field: FIELD });
        }
        if let Some((_, rest)) = s.split_once("://") {
            s = rest.to_owned();
        }
        let host = s
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default()
            .rsplit('@')
            .next()
            .unwrap_or_default();
        let host = host.split(':').next().unwrap_or_default();
        let host = host
            .strip_prefix("www.")
            .unwrap_or(host)
            .trim_end_matches('.');
        if host.len() > 253 {
            return Err(DomainError::TooLong {
                field: FIELD,
                max: 253,
            });
        }
        let labels: Vec<&str> = host.split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        };
        if labels.len() < 2 || !labels.iter().all(label_ok) {
            return Err(DomainError::Invalid {
                field: FIELD,
                reason: "a domain looks like example.com",
            });
        }
        Ok(Self(host.to_owned()))
    }

    /// The domain of an email address, unless it is a free-mail provider.
    pub fn of_work_email(email: &Email) -> Option<Self> {
        let domain = email.as_str().rsplit_once('@')?.1;
        if is_free_mail_domain(domain) {
            return None;
        }
        Self::parse(domain).ok()
    }

    /// The domain.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_websites_to_bare_domains() {
        for raw in [
            "acme.com",
            "ACME.com",
            "https://www.acme.com/about?x=1",
            "http://acme.com:8080",
            "acme.com.",
        ] {
            assert_eq!(CompanyDomain::parse(raw).expect(raw).as_str(), "acme.com");
        }
        assert!(CompanyDomain::parse("not a domain").is_err());
        assert!(CompanyDomain::parse("localhost").is_err());
    }

    #[test]
    fn free_mail_never_names_a_company() {
        let gmail = Email::parse("ann@gmail.com").expect("valid");
        assert_eq!(CompanyDomain::of_work_email(&gmail), None);
        let work = Email::parse("ann@Acme.com").expect("valid");
        assert_eq!(
            CompanyDomain::of_work_email(&work).map(|d| d.0),
            Some("acme.com".into())
        );
    }
}
