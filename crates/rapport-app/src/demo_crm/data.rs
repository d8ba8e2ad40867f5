//! The demo dataset, generated deterministically (a fixed seed), so every `--demo` start shows
//! the same believable sales team: companies in several industries and countries, their people,
//! deals spread over every stage, notes written the way salespeople write them, and tasks due
//! around today. Pure data: `seed.rs` writes it through the normal use cases.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

/// A company to create.
#[derive(Debug, Clone)]
pub struct DemoCompany {
    /// Name.
    pub name: String,
    /// Web domain (people there get emails at it).
    pub domain: String,
    /// Industry.
    pub industry: &'static str,
    /// Head-count bracket.
    pub size: &'static str,
    /// City.
    pub city: &'static str,
    /// ISO country.
    pub country: &'static str,
}

/// A contact to create.
#[derive(Debug, Clone)]
pub struct DemoContact {
    /// First name.
    pub first_name: &'static str,
    /// Last name.
    pub last_name: &'static str,
    /// Email (work address at the company's domain, or free mail).
    pub email: String,
    /// Phone in international format.
    pub phone: Option<String>,
    /// Job title.
    pub title: &'static str,
    /// Index into the companies, when employed.
    pub company: Option<usize>,
    /// Lifecycle stage name.
    pub stage: &'static str,
    /// Lead source.
    pub source: &'static str,
    /// Tags.
    pub tags: Vec<&'static str>,
    /// Days ago it was added (spreads "created" over the last year).
    pub age_days: i64,
}

/// A deal to create.
#[derive(Debug, Clone)]
pub struct DemoDeal {
    /// Title.
    pub title: String,
    /// Company index.
    pub company: usize,
    /// Contact indexes.
    pub contacts: Vec<usize>,
    /// Amount in whole currency units.
    pub amount: i64,
    /// Stage position in the default pipeline (0-based; the last two are won and lost).
    pub stage: usize,
    /// Days from today to the expected close (negative: past).
    pub close_in_days: i64,
    /// Reason when lost.
    pub lost_reason: Option<&'static str>,
}

/// A note to attach to a contact.
#[derive(Debug, Clone)]
pub struct DemoNote {
    /// Contact index.
    pub contact: usize,
    /// Markdown body.
    pub body: String,
}

/// A task to create.
#[derive(Debug, Clone)]
pub struct DemoTask {
    /// Title.
    pub title: String,
    /// Contact index it is about.
    pub contact: usize,
    /// Hours from now it is due (negative: overdue).
    pub due_in_hours: i64,
    /// Whether it is already done.
    pub done: bool,
}

/// Everything the demo seeds.
#[derive(Debug, Clone)]
pub struct DemoData {
    /// Companies.
    pub companies: Vec<DemoCompany>,
    /// Contacts.
    pub contacts: Vec<DemoContact>,
    /// Deals.
    pub deals: Vec<DemoDeal>,
    /// Notes.
    pub notes: Vec<DemoNote>,
    /// Tasks.
    pub tasks: Vec<DemoTask>,
}

const COMPANY_STEMS: &[&str] = &[
    "Acme",
    "Blue Harbor",
    "Brightline",
    "Cedar & Pine",
    "Clearwater",
    "Cobalt",
    "Copperleaf",
    "Crescent",
    "Driftwood",
    "Evergreen",
    "Fairview",
    "Fieldstone",
    "Foxglove",
    "Granite Peak",
    "Harborview",
    "Helix",
    "Ironwood",
    "Juniper",
    "Keystone",
    "Lakeshore",
    "Lumen",
    "Maple Ridge",
    "Meridian",
    "Northstar",
    "Oakmont",
    "Orchard",
    "Pinnacle",
    "Quarry",
    "Redwood",
    "Riverbend",
    "Saltmarsh",
    "Sierra",
    "Silverline",
    "Skyward",
    "Stonebridge",
    "Summit",
    "Tidewater",
    "Trailhead",
    "Upland",
    "Vantage",
    "Westbrook",
    "Willow",
    "Windmill",
    "Zephyr",
    "Alder",
    "Bramble",
    "Canyon",
    "Delta",
    "Ember",
    "Falcon",
    "Glacier",
    "Hawthorn",
    "Indigo",
    "Jasper",
    "Kestrel",
    "Larkspur",
    "Mosaic",
    "Nimbus",
    "Obsidian",
    "Prairie",
];
const COMPANY_SUFFIXES: &[(&str, &str)] = &[
    ("Software", "Software"),
    ("Logistics", "Logistics"),
    ("Health", "Healthcare"),
    ("Foods", "Food & Beverage"),
    ("Manufacturing", "Manufacturing"),
    ("Analytics", "Software"),
    ("Retail", "Retail"),
    ("Energy", "Energy"),
    ("Financial", "Financial Services"),
    ("Studios", "Media"),
    ("Labs", "Biotech"),
    ("Travel", "Hospitality"),
];
const SIZES: &[&str] = &["1-10", "11-50", "51-200", "201-1000", "1001-5000", "5000+"];
const CITIES: &[(&str, &str)] = &[
    ("San Francisco", "US"),
    ("Austin", "US"),
    ("Chicago", "US"),
    ("New York", "US"),
    ("Toronto", "CA"),
    ("London", "GB"),
    ("Manchester", "GB"),
    ("Berlin", "DE"),
    ("Munich", "DE"),
    ("Paris", "FR"),
    ("Lyon", "FR"),
    ("Amsterdam", "NL"),
    ("Madrid", "ES"),
    ("Stockholm", "SE"),
    ("Dublin", "IE"),
    ("Sydney", "AU"),
];
const FIRST: &[&str] = &[
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Lucas", "Sophia", "Mateo", "Isabella", "Elias",
    "Mia", "Leon", "Amelia", "Hugo", "Harper", "Luca", "Chloé", "Finn", "Zoë", "Arjun", "Priya",
    "Wei", "Mei", "Kenji", "Yuki", "Fatima", "Omar", "Aisha", "Tomás", "Lucía", "Søren", "Ingrid",
    "Björn", "Anaïs", "Mathéo", "Grace", "Daniel", "Nora", "Samuel", "Leah", "David", "Hannah",
    "Jonas", "Clara", "Felix", "Emilia", "Oscar", "Ruby", "Theo", "Maya",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Müller",
    "Schmidt",
    "García",
    "Martínez",
    "Rossi",
    "Bianchi",
    "Dubois",
    "Lefèvre",
    "Nakamura",
    "Tanaka",
    "Chen",
    "Wang",
    "Patel",
    "Sharma",
    "O'Brien",
    "Murphy",
    "Kowalski",
    "Nowak",
    "Johansson",
    "Lindqvist",
    "van Dijk",
    "de Vries",
    "Silva",
    "Santos",
    "Brown",
    "Taylor",
    "Wilson",
    "Anderson",
    "Thomas",
    "Moore",
    "Jackson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Hill",
    "Campbell",
    "Mitchell",
];
const TITLES: &[&str] = &[
    "CEO",
    "CTO",
    "VP Sales",
    "Head of Operations",
    "Procurement Manager",
    "Customer Success Lead",
    "Marketing Director",
    "IT Manager",
    "Office Manager",
    "Product Manager",
    "CFO",
    "Head of Support",
    "Engineering Manager",
    "Founder",
    "Account Director",
];
const FREE_MAIL: &[&str] = &["gmail.com", "outlook.com", "icloud.com", "proton.me"];
/// (stage, weight) — most contacts are early in the funnel, as in a real CRM.
const STAGES: &[(&str, u32)] = &[
    ("subscriber", 12),
    ("lead", 34),
    ("marketing_qualified", 12),
    ("sales_qualified", 10),
    ("opportunity", 10),
    ("customer", 16),
    ("evangelist", 4),
    ("other", 2),
];
const SOURCES: &[&str] = &[
    "website", "referral", "event", "webinar", "outbound", "partner", "import",
];
const TAGS: &[&str] = &[
    "vip",
    "newsletter",
    "trial",
    "renewal-2027",
    "partner",
    "beta",
    "churn-risk",
];
const DEAL_KINDS: &[&str] = &[
    "annual plan",
    "expansion",
    "pilot",
    "renewal",
    "support upgrade",
    "onboarding package",
    "enterprise license",
    "add-on seats",
];
const LOST_REASONS: &[&str] = &[
    "Went with a competitor",
    "No budget this year",
    "Timing",
    "No decision",
];
const NOTES: &[&str] = &[
    "Call went well. They are **comparing three vendors** and want a decision by the end of the quarter.\n\n- Main concern: data residency\n- Next step: send the security overview",
    "Met at the trade show. Interested in the shared inbox for their support team (about 12 agents).",
    "Asked for a reference customer in their industry. Intro to a happy customer sent.",
    "Budget confirmed for Q1. Legal wants to review the DPA — forwarded our standard one.",
    "Renewal conversation: happy with the product, asked about *SSO* and audit exports.",
    "Left a voicemail, followed up by email with the pricing sheet.",
    "Demo for the operations team. Questions about importing 40k contacts from their old CRM.",
    "They churned from a competitor because of slow search. Highlight search speed in the proposal.",
    "Champion is moving to another team; need to find a new sponsor before the renewal.",
    "Signed! Kick-off scheduled; onboarding checklist shared.",
];
const TASK_TITLES: &[&str] = &[
    "Send proposal",
    "Follow up on pricing",
    "Book a demo",
    "Check in after onboarding",
    "Prepare renewal quote",
    "Send security questionnaire",
    "Call about the pilot results",
    "Share case study",
    "Confirm budget with finance",
    "Schedule quarterly review",
];

fn slug(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' => Some(c),
            'ä' | 'à' | 'á' => Some('a'),
            'é' | 'è' | 'ë' => Some('e'),
            'ö' | 'ø' | 'ó' => Some('o'),
            'ü' | 'ú' => Some('u'),
            'ï' | 'í' => Some('i'),
            _ => None,
        })
        .collect()
}

fn weighted(rng: &mut StdRng) -> &'static str {
    let total: u32 = STAGES.iter().map(|s| s.1).sum();
    let mut pick = rng.random_range(0..total);
    for (stage, w) in STAGES {
        if pick < *w {
            return stage;
        }
        pick -= w;
    }
    "lead"
}

/// Generates the dataset: `companies` companies with about `per_company` people each, plus
/// some independents on free mail.
pub fn generate(companies: usize, per_company: usize) -> DemoData {
    let mut rng = StdRng::seed_from_u64(0x0005_a1e5_2026);
    let mut out = DemoData {
        companies: Vec::new(),
        contacts: Vec::new(),
        deals: Vec::new(),
        notes: Vec::new(),
        tasks: Vec::new(),
    };
    for i in 0..companies.min(COMPANY_STEMS.len() * COMPANY_SUFFIXES.len()) {
        let stem = COMPANY_STEMS[i % COMPANY_STEMS.len()];
        let (suffix, industry) =
            COMPANY_SUFFIXES[(i * 7 + i / COMPANY_STEMS.len()) % COMPANY_SUFFIXES.len()];
        let (city, country) = *CITIES.choose(&mut rng).unwrap_or(&CITIES[0]);
        let name = format!("{stem} {suffix}");
        let tld = match country {
            "GB" => "co.uk",
            "DE" => "de",
            "FR" => "fr",
            "NL" => "nl",
            _ => "com",
        };
        out.companies.push(DemoCompany {
            domain: format!("{}{}.{tld}", slug(stem), slug(suffix)),
            name,
            industry,
            size: SIZES.choose(&mut rng).copied().unwrap_or("11-50"),
            city,
            country,
        });
    }
    let mut seen = std::collections::HashSet::new();
    let people = out.companies.len() * per_company + out.companies.len() / 2;
    let mut phone_seq = 100u32;
    for n in 0..people {
        let first = *FIRST.choose(&mut rng).unwrap_or(&FIRST[0]);
        let last = *LAST.choose(&mut rng).unwrap_or(&LAST[0]);
        let company = (n < out.companies.len() * per_company).then(|| n % out.companies.len());
        let domain = match company {
            Some(c) => out.companies[c].domain.clone(),
            None => FREE_MAIL
                .choose(&mut rng)
                .copied()
                .unwrap_or(FREE_MAIL[0])
                .to_owned(),
        };
        let mut local = format!("{}.{}", slug(first), slug(last));
        if !seen.insert(format!("{local}@{domain}")) {
            local = format!("{local}{n}");
            seen.insert(format!("{local}@{domain}"));
        }
        // 555-01xx numbers are reserved for fiction in the North American plan.
        let phone = rng.random_bool(0.7).then(|| {
            phone_seq += 1;
            format!("+1 415 555 {:04}", phone_seq % 100 + 100)
        });
        let tags = TAGS
            .iter()
            .copied()
            .filter(|_| rng.random_bool(0.12))
            .collect();
        out.contacts.push(DemoContact {
            first_name: first,
            last_name: last,
            email: format!("{local}@{domain}"),
            phone,
            title: TITLES.choose(&mut rng).copied().unwrap_or("Manager"),
            company,
            stage: weighted(&mut rng),
            source: SOURCES.choose(&mut rng).copied().unwrap_or("website"),
            tags,
            age_days: rng.random_range(0..365),
        });
    }
    for (c, company) in out.companies.iter().enumerate() {
        let deals = rng.random_range(0..=2);
        for d in 0..deals {
            let stage = rng.random_range(0..6);
            let people: Vec<usize> = (0..out.contacts.len())
                .filter(|i| out.contacts[*i].company == Some(c))
                .take(2)
                .collect();
            out.deals.push(DemoDeal {
                title: format!(
                    "{} — {}",
                    company.name,
                    DEAL_KINDS[(c + d * 3) % DEAL_KINDS.len()]
                ),
                company: c,
                contacts: people,
                amount: rng.random_range(8..400) * 250,
                stage,
                close_in_days: match stage {
                    4 | 5 => -rng.random_range(1..120),
                    _ => rng.random_range(-10..90),
                },
                lost_reason: (stage == 5)
                    .then(|| *LOST_REASONS.choose(&mut rng).unwrap_or(&LOST_REASONS[0])),
            });
        }
    }
    for i in (0..out.contacts.len()).step_by(3) {
        out.notes.push(DemoNote {
            contact: i,
            body: NOTES[i % NOTES.len()].to_owned(),
        });
    }
    for i in (0..out.contacts.len()).step_by(7) {
        let first = out.contacts[i].first_name;
        out.tasks.push(DemoTask {
            title: format!("{} ({first})", TASK_TITLES[i % TASK_TITLES.len()]),
            contact: i,
            due_in_hours: rng.random_range(-72..240),
            done: rng.random_bool(0.25),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_domain::Email;
    use rapport_domain::crm::{CompanyDomain, LifecycleStage, Phone};

    #[test]
    fn the_dataset_is_believable_and_valid() {
        let data = generate(60, 5);
        assert_eq!(data.companies.len(), 60);
        assert!(data.contacts.len() >= 300, "hundreds of contacts");
        assert!(data.deals.len() >= 40);
        let mut emails = std::collections::HashSet::new();
        for c in &data.contacts {
            let email = Email::parse(&c.email).expect("valid email");
            assert!(
                emails.insert(email.to_string()),
                "emails are unique: {}",
                c.email
            );
            if let Some(p) = &c.phone {
                Phone::parse(p, None).expect("valid phone");
            }
            LifecycleStage::parse(c.stage).expect("known stage");
        }
        for co in &data.companies {
            CompanyDomain::parse(&co.domain).expect("valid domain");
        }
        for stage in 0..6 {
            assert!(
                data.deals.iter().any(|d| d.stage == stage),
                "a deal in stage {stage}"
            );
        }
        assert_eq!(
            generate(60, 5).contacts[17].email,
            data.contacts[17].email,
            "deterministic"
        );
    }
}
