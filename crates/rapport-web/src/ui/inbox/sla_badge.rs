//! The SLA badge of a conversation in the list and its header: the earliest deadline not yet
//! met ("Reply in 40 m", "Resolution overdue 2 h 5 m"), or "SLA paused" while it waits on the
//! customer. Computed from the stored deadlines at render time.

use crate::i18n::Tr;
use chrono::{DateTime, Duration, Utc};
use rapport_domain::inbox::sla::{SlaView, Standing};

/// A badge: its text and its CSS modifier (`due`, `soon`, `overdue`, `paused`).
#[derive(Debug, Clone, Default)]
pub struct Badge {
    pub text: String,
    pub class: &'static str,
}

fn span(tr: &Tr, d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    let (days, hours, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let s = |v: i64| v.to_string();
    if days > 0 {
        tr.tf("inbox.sla.span_dh", &[("d", &s(days)), ("h", &s(hours))])
    } else if hours > 0 {
        tr.tf("inbox.sla.span_hm", &[("h", &s(hours)), ("m", &s(m))])
    } else {
        tr.tf("inbox.sla.span_m", &[("m", &s(m.max(1)))])
    }
}

/// The badge for a conversation's clocks, if it shows one.
pub fn badge(tr: &Tr, view: Option<&SlaView>, now: DateTime<Utc>) -> Option<Badge> {
    let view = view?;
    if view.paused {
        return Some(Badge {
            text: tr.t("inbox.sla.paused"),
            class: "paused",
        });
    }
    let (target, standing) = view.headline(now)?;
    let key = |state: &str| format!("inbox.sla.{}_{state}", target.as_str());
    Some(match standing {
        Standing::Due(at) => Badge {
            text: tr.tf(&key("due"), &[("span", &span(tr, at - now))]),
            class: "due",
        },
        Standing::Soon(at) => Badge {
            text: tr.tf(&key("soon"), &[("span", &span(tr, at - now))]),
            class: "soon",
        },
        Standing::Overdue(by) => Badge {
            text: tr.tf(&key("overdue"), &[("span", &span(tr, by))]),
            class: "overdue",
        },
    })
}
