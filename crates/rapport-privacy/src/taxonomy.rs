//! The vocabulary of the data map: what a value is (categories modelled on Fides' fideslang
//! taxonomy, `user.*` for personal data and `system.*` for what is not), whose it is, why it
//! is processed, on what legal basis, for how long, and what erasure does to it.
//!
//! Every enum has a stable `name()`: the policy page, the privacy center and exports key their
//! text on it, so renaming a variant never changes what users read.

use serde::Serialize;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Category {
    /// A person's name (first, last, display name, a label that names them).
    Name,
    /// An email address.
    Email,
    /// A phone number.
    Phone,
    /// A postal address.
    Address,
    /// Other ways to reach or recognise a person: social profiles, avatar URLs, channel
    /// identifiers, a sign-in provider's subject.
    ContactOther,
    /// Where a person works and what they do there (job title, role at a company).
    Workplace,
    /// What people wrote: messages, notes, subjects, comments, attachments and their names.
    Content,
    /// Money tied to a person's deals.
    Financial,
    /// Device and network data: IP addresses, user agents.
    Device,
    /// Secrets that prove who someone is: password hashes, second-factor seeds, token digests,
    /// passkeys.
    Credentials,
    /// Account settings: time zone, locale, role, availability.
    Account,
    /// What a person did and when: sign-ins, reads, follows, audit entries, status changes.
    Behavior,
    /// Consent and objection choices.
    Consent,
    /// Data computed from other personal data: previews, counters, scores, AI output.
    Derived,
    /// Free-form values whose meaning the org defines (custom fields, CRM tags).
    Custom,
    /// Not personal data: identifiers, timestamps, statuses, configuration.
    System,
}

impl Category {
    /// Every category, in the order the policy lists them.
    pub const ALL: [Category; 16] = [
        Category::Name,
        Category::Email,
        Category::Phone,
        Category::Address,
        Category::ContactOther,
        Category::Workplace,
        Category::Content,
        Category::Financial,
        Category::Device,
        Category::Credentials,
        Category::Account,
        Category::Behavior,
        Category::Consent,
        Category::Derived,
        Category::Custom,
        Category::System,
    ];

    /// The stable fideslang-style name (`user.contact.email`).
    pub fn name(self) -> &'static str {
        match self {
            Category::Name => "user.name",
            Category::Email => "user.contact.email",
            Category::Phone => "user.contact.phone_number",
            Category::Address => "user.contact.address",
            Category::ContactOther => "user.contact",
            Category::Workplace => "user.workplace",
            Category::Content => "user.content",
            Category::Financial => "user.financial",
            Category::Device => "user.device",
            Category::Credentials => "user.authorization.credentials",
            Category::Account => "user.account",
            Category::Behavior => "user.behavior",
            Category::Consent => "user.consent",
            Category::Derived => "user.derived",
            Category::Custom => "user.custom",
            Category::System => "system.operations",
        }
    }

    /// Whether the category is personal data (everything but `system.*`).
    pub fn is_personal(self) -> bool {
        self != Category::System
    }
}

/// Whose data a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Subject {
    /// A customer of the org: a CRM contact (and the conversations with them).
    Contact,
    /// A member of the org's staff: a user account.
    User,
}

impl Subject {
    /// The stable name.
    pub fn name(self) -> &'static str {
        match self {
            Subject::Contact => "contact",
            Subject::User => "user",
        }
    }
}

/// Why data is processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Purpose {
    /// Providing the CRM and helpdesk the org uses: records, conversations, replies.
    Service,
    /// Signing people in and keeping accounts and data safe: credentials, sessions, audit.
    Security,
    /// Running the system itself: queues, delivery, synchronisation state.
    Operations,
    /// Measuring the service: response times, satisfaction, workload.
    Analytics,
    /// Marketing to contacts who agreed to it.
    Marketing,
}

impl Purpose {
    /// The stable name.
    pub fn name(self) -> &'static str {
        match self {
            Purpose::Service => "service",
            Purpose::Security => "security",
            Purpose::Operations => "operations",
            Purpose::Analytics => "analytics",
            Purpose::Marketing => "marketing",
        }
    }
}

/// The legal basis (GDPR Art. 6) processing rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum LegalBasis {
    /// Needed to perform the contract with the person (a staff account, a customer's request).
    Contract,
    /// The org's legitimate interest (answering customers, keeping the service secure).
    LegitimateInterest,
    /// Required by law (records of security events).
    LegalObligation,
    /// The person agreed, and can withdraw.
    Consent,
}

impl LegalBasis {
    /// The stable name.
    pub fn name(self) -> &'static str {
        match self {
            LegalBasis::Contract => "contract",
            LegalBasis::LegitimateInterest => "legitimate_interest",
            LegalBasis::LegalObligation => "legal_obligation",
            LegalBasis::Consent => "consent",
        }
    }
}

/// How long rows are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Retention {
    /// The org's conversation-log policy (default 12 months after the last activity), purged
    /// by the retention run.
    Conversations,
    /// As long as the record or account it belongs to exists; everything goes with the org
    /// 30 days after it closes.
    WhileRecordExists,
    /// The org's audit-log policy.
    Audit,
    /// A fixed number of days, then swept (sessions, sign-in challenges, throttles).
    Days(u32),
    /// Until the work it describes is done (queued jobs, undelivered events), then swept.
    UntilProcessed,
}

impl Retention {
    /// The stable name (`days` for every fixed period; the period is [`Retention::days`]).
    pub fn name(self) -> &'static str {
        match self {
            Retention::Conversations => "conversations",
            Retention::WhileRecordExists => "while_record_exists",
            Retention::Audit => "audit",
            Retention::Days(_) => "days",
            Retention::UntilProcessed => "until_processed",
        }
    }

    /// The fixed period, for [`Retention::Days`].
    pub fn days(self) -> Option<u32> {
        match self {
            Retention::Days(n) => Some(n),
            _ => None,
        }
    }
}

/// What erasing a person does to rows that are theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Erasure {
    /// The rows are deleted.
    Delete,
    /// The rows stay (they are someone else's record too, e.g. a conversation an erased agent
    /// was assigned) and the columns that point to the person are cleared.
    Detach,
    /// The rows stay with the person's identifiers replaced (the audit chain keeps its
    /// hashes; counts in aggregates survive without naming anyone).
    Anonymise,
    /// Sealed under the person's data key: destroying the key makes every copy unreadable,
    /// backups included (crypto-shredding).
    Shred,
}

impl Erasure {
    /// The stable name.
    pub fn name(self) -> &'static str {
        match self {
            Erasure::Delete => "delete",
            Erasure::Detach => "detach",
            Erasure::Anonymise => "anonymise",
            Erasure::Shred => "shred",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn category_names_are_unique_and_only_system_is_not_personal() {
        let names: HashSet<_> = Category::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), Category::ALL.len());
        let impersonal: Vec<_> = Category::ALL.iter().filter(|c| !c.is_personal()).collect();
        assert_eq!(impersonal, [&Category::System]);
    }
}
