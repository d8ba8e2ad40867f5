//! Likely duplicate contacts, each pair with a reason a person can check: the same phone number,
//! the same name at the same company, or a similar name (case, accents or first/last order
//! differ) at the same company or with the same email domain. Emails cannot repeat (they are
//! unique per org), so they are no reason. Deliberately no fuzzy scores or nickname tables: a
//! merge is destructive, so every suggestion must be explainable in one sentence.

use crate::authz::Actor;
use crate::context::App;
use crate::error::AppResult;
use rapport_domain::Permission;
use rapport_domain::crm::is_free_mail_domain;
use rapport_store::repo::crm_dupes::{self, ContactSummary, NameRow};
use std::collections::{HashMap, HashSet};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use uuid::Uuid;

/// Most pairs listed.
const MAX_PAIRS: usize = 200;

/// Why two contacts look like the same person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// They share a phone number.
    SamePhone,
    /// Same name (ignoring case and accents) and same company.
    SameNameSameCompany,
    /// Names differ only in order, case or accents; same company.
    SimilarNameSameCompany,
    /// Names differ only in order, case or accents; same (non-free-mail) email domain.
    SimilarNameSameEmailDomain,
}

/// A candidate pair.
#[derive(Debug, Clone)]
pub struct DuplicatePair {
    /// The older contact.
    pub a: ContactSummary,
    /// The other.
    pub b: ContactSummary,
    /// Why.
    pub reason: DuplicateReason,
    /// The shared value (the phone number, the company name, the domain).
    pub detail: String,
}

/// Lowercase, accents removed, letters and digits only, words separated by one space.
pub fn fold(s: &str) -> String {
    let mut out = String::new();
    for c in s.nfd().filter(|c| !is_combining_mark(*c)) {
        let mapped: &str = match c {
            'ß' => "ss",
            'ø' | 'Ø' => "o",
            'ł' | 'Ł' => "l",
            'æ' | 'Æ' => "ae",
            'œ' | 'Œ' => "oe",
            'đ' | 'Đ' => "d",
            _ => "",
        };
        if !mapped.is_empty() {
            out.push_str(mapped);
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
        }
    }
    out.trim_end().to_owned()
}

/// The name as written (folded) and with its words sorted (order-insensitive).
fn keys(row: &NameRow) -> Option<(String, String)> {
    let exact = fold(&format!("{} {}", row.first_name, row.last_name));
    if exact.is_empty() {
        return None;
    }
    let mut words: Vec<&str> = exact.split(' ').collect();
    words.sort_unstable();
    Some((words.join(" "), exact))
}

/// Finds candidate pairs among `rows` by name (pure; the phone pairs come from SQL).
pub fn name_pairs(rows: &[NameRow]) -> Vec<(Uuid, Uuid, DuplicateReason, String)> {
    let mut by_company: HashMap<(String, Uuid), Vec<(Uuid, String)>> = HashMap::new();
    let mut by_domain: HashMap<(String, String), Vec<(Uuid, String)>> = HashMap::new();
    for r in rows {
        let Some((sorted, exact)) = keys(r) else {
            continue;
        };
        if let Some(company) = r.company_id {
            by_company
                .entry((sorted.clone(), company))
                .or_default()
                .push((r.id, exact.clone()));
        }
        let domain = r
            .primary_email
            .as_deref()
            .and_then(|e| e.split_once('@'))
            .map(|(_, d)| d.to_owned());
        if let Some(domain) = domain.filter(|d| !is_free_mail_domain(d)) {
            by_domain
                .entry((sorted, domain))
                .or_default()
                .push((r.id, exact));
        }
    }
    let mut out = Vec::new();
    let mut groups: Vec<_> = by_company
        .into_iter()
        .map(|((_, c), v)| (true, c.to_string(), v))
        .collect();
    groups.extend(by_domain.into_iter().map(|((_, d), v)| (false, d, v)));
    for (company, detail, members) in groups {
        let Some((first, first_name)) = members.first() else {
            continue;
        };
        for (other, other_name) in members.iter().skip(1) {
            let reason = match (company, first_name == other_name) {
                (true, true) => DuplicateReason::SameNameSameCompany,
                (true, false) => DuplicateReason::SimilarNameSameCompany,
                (false, _) => DuplicateReason::SimilarNameSameEmailDomain,
            };
            out.push((*first.min(other), *first.max(other), reason, detail.clone()));
        }
    }
    out
}

impl App {
    /// Likely duplicates, at most 200 pairs (needs `contacts.read`).
    pub async fn contact_duplicates(&self, actor: &Actor) -> AppResult<Vec<DuplicatePair>> {
        actor.require(Permission::ContactsRead)?;
        let db = self.db().conn();
        let scope = actor.scope();
        let mut pairs: Vec<(Uuid, Uuid, DuplicateReason, String)> =
            crm_dupes::phone_pairs(db, scope, MAX_PAIRS as u64)
                .await?
                .into_iter()
                .map(|(a, b, phone)| (a, b, DuplicateReason::SamePhone, phone))
                .collect();
        pairs.extend(name_pairs(&crm_dupes::name_rows(db, scope).await?));
        let mut seen = HashSet::new();
        pairs.retain(|(a, b, _, _)| seen.insert((*a, *b)));
        pairs.truncate(MAX_PAIRS);
        let ids: Vec<Uuid> = pairs
            .iter()
            .flat_map(|(a, b, _, _)| [*a, *b])
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let contacts: HashMap<Uuid, ContactSummary> = crm_dupes::summaries(db, scope, &ids, 0)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let mut out: Vec<DuplicatePair> = pairs
            .into_iter()
            .filter_map(|(a, b, reason, detail)| {
                let (a, b) = (contacts.get(&a)?.clone(), contacts.get(&b)?.clone());
                let (a, b) = if a.created_at <= b.created_at {
                    (a, b)
                } else {
                    (b, a)
                };
                let detail = match reason {
                    DuplicateReason::SameNameSameCompany
                    | DuplicateReason::SimilarNameSameCompany => {
                        a.company_name.clone().unwrap_or(detail)
                    }
                    _ => detail,
                };
                Some(DuplicatePair {
                    a,
                    b,
                    reason,
                    detail,
                })
            })
            .collect();
        out.sort_by(|x, y| x.a.display_name.cmp(&y.a.display_name));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(first: &str, last: &str, company: Option<Uuid>, email: Option<&str>) -> NameRow {
        NameRow {
            id: Uuid::now_v7(),
            first_name: first.into(),
            last_name: last.into(),
            company_id: company,
            primary_email: email.map(String::from),
        }
    }

    #[test]
    fn folds_case_accents_and_punctuation() {
        assert_eq!(fold("  José  Müller-Straße "), "jose muller strasse");
        assert_eq!(fold("ZOË"), "zoe");
    }

    #[test]
    fn pairs_explain_themselves() {
        let acme = Uuid::now_v7();
        let rows = [
            row("José", "Müller", Some(acme), None),
            row("jose", "muller", Some(acme), None),
            row("Müller", "José", Some(acme), None),
            row("Ann", "Lee", None, Some("ann@globex.com")),
            row("Lee", "Ann", None, Some("a.lee@globex.com")),
            row("Bob", "Stone", None, Some("bob@gmail.com")),
            row("Bob", "Stone", None, Some("bstone@gmail.com")),
            row("Eve", "Ng", Some(acme), None),
        ];
        let reasons: Vec<DuplicateReason> = name_pairs(&rows).into_iter().map(|p| p.2).collect();
        assert_eq!(
            reasons
                .iter()
                .filter(|r| **r == DuplicateReason::SameNameSameCompany)
                .count(),
            1
        );
        assert_eq!(
            reasons
                .iter()
                .filter(|r| **r == DuplicateReason::SimilarNameSameCompany)
                .count(),
            1
        );
        assert_eq!(
            reasons
                .iter()
                .filter(|r| **r == DuplicateReason::SimilarNameSameEmailDomain)
                .count(),
            1
        );
        assert_eq!(
            reasons.len(),
            3,
            "free-mail domains and different names are no reason"
        );
    }
}
