//! The agent inbox's conversation list at 1,000,000 conversations: the folder queries the
//! inbox and `GET /api/v1/conversations` run (`repo::conversation_list::page`: one statement,
//! keyset on `(last_activity_at, id)`, with contact, inbox, assignee, labels and the reader's
//! unread state), at concurrency 8, reporting p50/p95/p99 per folder, first page and second.
//!
//! Run: `cargo bench -p rapport-store --bench conversation_list` (SQLite in a temporary
//! directory, then PostgreSQL in a fresh database on `RAPPORT_BENCH_DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`, dropped afterwards). `CONV_BENCH_ROWS` and
//! `CONV_BENCH_QUERIES` (per folder and page) override the sizes; `CONV_BENCH_ONLY=sqlite|postgres`
//! runs one.
//!
//! Data: one org with 3 inboxes (60/30/10 %), 20 agents (assigned conversations skewed: the
//! busiest agent holds 22 %; 20 % unassigned), 200,000 contacts (5 conversations each on
//! average), statuses open 10 / pending 5 / snoozed 2 / resolved 70 / closed 13 %, priority
//! none 80 / low 5 / medium 8 / high 5 / urgent 2 %, last activity spread over two years, 15 %
//! labelled (`billing`, `bug`, `vip`, `refund`). The migration's indexes stay in place during
//! the load (as a live system fills them).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
#![allow(clippy::disallowed_methods)] // the bench stands in for authorization

mod common;

use chrono::{Duration as ChronoDuration, TimeZone, Utc};
use common::{BATCH, Rng, exec, insert_rows, pct};
use rapport_domain::inbox::{ChannelKind, ConversationStatus};
use rapport_domain::{DisplayName, Email, InboxId, OrgId, OrgName, OrgSlug, TimeZoneName, UserId};
use rapport_store::repo::conversation_list::{self, AssigneeFilter, ConversationQuery};
use rapport_store::repo::inboxes::{self, InboxRecord};
use rapport_store::{Backend, DatabaseTarget, Db, OrgScope};
use sea_orm::sea_query::Expr;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

const CONCURRENCY: usize = 8;
const STATUSES: [(&str, u32); 5] = [
    ("open", 10),
    ("pending", 5),
    ("snoozed", 2),
    ("resolved", 70),
    ("closed", 13),
];
const PRIORITIES: [(&str, u32); 5] = [
    ("none", 80),
    ("low", 5),
    ("medium", 8),
    ("high", 5),
    ("urgent", 2),
];
const AGENT_W: [u32; 20] = [22, 12, 9, 7, 6, 5, 5, 4, 4, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2];
const LABELS: [&str; 4] = ["billing", "bug", "vip", "refund"];

struct Org {
    scope: OrgScope,
    agents: Vec<UserId>,
    inboxes: Vec<InboxId>,
}

async fn seed(db: &Db, rows: usize) -> Org {
    let started = Instant::now();
    let now = Utc::now();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let org = OrgId::new();
    let scope = OrgScope::assume_authorized(org);
    rapport_store::repo::orgs::insert(
        db.conn(),
        org,
        &OrgName::parse("Bench support").unwrap(),
        &OrgSlug::parse("bench-support").unwrap(),
        now,
    )
    .await
    .unwrap();
    let mut agents = Vec::new();
    for i in 0..20 {
        let id = UserId::new();
        let email = Email::parse(&format!("agent{i}@bench.test")).unwrap();
        let name = DisplayName::parse(&format!("Agent {i}")).unwrap();
        let tz = TimeZoneName::parse("UTC").unwrap();
        rapport_store::repo::users::insert(
            db.conn(),
            rapport_store::repo::users::NewUser {
                id,
                email: &email,
                name: &name,
                password_hash: None,
                time_zone: &tz,
                locale: "en",
            },
            now,
        )
        .await
        .unwrap();
        agents.push(id);
    }
    let mut inbox_ids = Vec::new();
    for name in ["Support", "Sales", "Billing"] {
        let r = InboxRecord {
            id: InboxId::new(),
            name: name.to_owned(),
            channel: ChannelKind::Api,
            settings: json!({}),
            sealed_secret: None,
            team_id: None,
            auto_assign: "none".to_owned(),
            reopen_resolved: true,
            csat_enabled: false,
            created_at: now,
            updated_at: now,
        };
        inboxes::insert(db.conn(), scope, &r).await.unwrap();
        inbox_ids.push(r.id);
    }
    let contacts_n = (rows / 5).max(1);
    let cols = [
        "id",
        "org_id",
        "first_name",
        "last_name",
        "display_name",
        "lifecycle_stage",
        "primary_email",
        "social",
        "custom",
        "created_at",
        "updated_at",
    ];
    let start = Utc.with_ymd_and_hms(2024, 11, 1, 0, 0, 0).unwrap();
    let mut contacts = Vec::with_capacity(contacts_n);
    let mut batch = Vec::new();
    for n in 0..contacts_n {
        let id = Uuid::now_v7();
        contacts.push(id);
        batch.push(vec![
            Expr::val(id),
            Expr::val(org.as_uuid()),
            Expr::val(format!("First{}", n % 977)),
            Expr::val(format!("Last{}", n % 1999)),
            Expr::val(format!("First{} Last{}", n % 977, n % 1999)),
            Expr::val("customer"),
            Expr::val(Some(format!("person{n}@example.test"))),
            Expr::val(json!({})),
            Expr::val(json!({})),
            Expr::val(start),
            Expr::val(start),
        ]);
        if batch.len() == BATCH {
            insert_rows(db, "contacts", &cols, std::mem::take(&mut batch)).await;
        }
    }
    insert_rows(db, "contacts", &cols, batch).await;

    let cols = [
        "id",
        "org_id",
        "number",
        "inbox_id",
        "contact_id",
        "subject",
        "status",
        "priority",
        "assignee_id",
        "snoozed_until",
        "last_activity_at",
        "last_message_preview",
        "last_incoming_at",
        "waiting_since",
        "message_count",
        "created_at",
        "updated_at",
    ];
    let span = 2 * 365 * 24 * 3600;
    let mut batch = Vec::new();
    let mut labels = Vec::new();
    for n in 0..rows {
        let id = Uuid::now_v7();
        // Spread over two years, roughly in number order with jitter.
        let at = start
            + ChronoDuration::seconds((n as i64 * span / rows as i64) + rng.below(3600) as i64);
        let status = STATUSES[rng.weighted(&STATUSES.map(|x| x.1))].0;
        let assignee = (rng.below(5) != 0).then(|| agents[rng.weighted(&AGENT_W)].as_uuid());
        let waiting = matches!(status, "open").then_some(at);
        batch.push(vec![
            Expr::val(id),
            Expr::val(org.as_uuid()),
            Expr::val(n as i64 + 1),
            Expr::val(inbox_ids[rng.weighted(&[60, 30, 10])].as_uuid()),
            Expr::val(contacts[rng.below(contacts.len() as u64) as usize]),
            Expr::val(Some(format!("Order {} has not arrived", 10_000 + n))),
            Expr::val(status),
            Expr::val(PRIORITIES[rng.weighted(&PRIORITIES.map(|x| x.1))].0),
            Expr::val(assignee),
            Expr::val((status == "snoozed").then(|| now + ChronoDuration::days(3))),
            Expr::val(at),
            Expr::val(Some(
                "Hello, my order has not arrived yet. Could you check where it is?".to_owned(),
            )),
            Expr::val(Some(at)),
            Expr::val(waiting),
            Expr::val(1 + rng.below(8) as i32),
            Expr::val(at),
            Expr::val(at),
        ]);
        if rng.below(100) < 15 {
            labels.push(vec![
                Expr::val(org.as_uuid()),
                Expr::val(id),
                Expr::val(LABELS[rng.below(LABELS.len() as u64) as usize]),
                Expr::val(at),
            ]);
        }
        if batch.len() == BATCH {
            insert_rows(db, "conversations", &cols, std::mem::take(&mut batch)).await;
            let label_cols = ["org_id", "conversation_id", "label", "last_activity_at"];
            insert_rows(
                db,
                "conversation_labels",
                &label_cols,
                std::mem::take(&mut labels),
            )
            .await;
        }
    }
    insert_rows(db, "conversations", &cols, batch).await;
    insert_rows(
        db,
        "conversation_labels",
        &["org_id", "conversation_id", "label", "last_activity_at"],
        labels,
    )
    .await;
    exec(db, "ANALYZE").await;
    if db.backend() == Backend::Sqlite {
        // As SQLite's auto-checkpoint does on a running server.
        exec(db, "PRAGMA wal_checkpoint(TRUNCATE)").await;
    }
    println!(
        "  seeded {rows} conversations, {contacts_n} contacts in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Org {
        scope,
        agents,
        inboxes: inbox_ids,
    }
}

/// The folders an agent opens most, as the inbox asks for them.
fn folders(org: &Org) -> Vec<(&'static str, ConversationQuery)> {
    let me = org.agents[0];
    let base = ConversationQuery {
        reader: Some(me),
        limit: 50,
        ..Default::default()
    };
    let open = vec![ConversationStatus::Open];
    vec![
        (
            "mine, open",
            ConversationQuery {
                statuses: open.clone(),
                assignee: AssigneeFilter::User(me),
                ..base.clone()
            },
        ),
        (
            "unassigned, open",
            ConversationQuery {
                statuses: open.clone(),
                assignee: AssigneeFilter::Unassigned,
                ..base.clone()
            },
        ),
        (
            "all, open",
            ConversationQuery {
                statuses: open.clone(),
                ..base.clone()
            },
        ),
        (
            "inbox (10 %), open",
            ConversationQuery {
                statuses: open,
                inbox: Some(org.inboxes[2]),
                ..base.clone()
            },
        ),
        (
            "label, every status",
            ConversationQuery {
                label: Some("refund".to_owned()),
                ..base.clone()
            },
        ),
        ("all, every status", base),
    ]
}

/// Runs `total` queries of `q` at concurrency 8.
async fn run(db: &Db, scope: OrgScope, q: &ConversationQuery, total: usize) -> Vec<Duration> {
    let q = Arc::new(q.clone());
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (db, q, next) = (db.clone(), q.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < total {
                let t = Instant::now();
                let page = conversation_list::page(db.conn(), scope, &q).await.unwrap();
                lat.push(t.elapsed());
                assert!(!page.is_empty());
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    all
}

async fn bench(label: &str, db: &Db, rows: usize, queries: usize) {
    println!("{label}:");
    let org = seed(db, rows).await;
    let mut overall = Vec::new();
    for (name, q) in folders(&org) {
        let first = conversation_list::page(db.conn(), org.scope, &q)
            .await
            .unwrap();
        let _ = run(db, org.scope, &q, 100).await; // warm, as a running server is
        let mut second = q.clone();
        second.after = first
            .last()
            .map(|r| (r.record.last_activity_at, r.record.id));
        for (page, q) in [("page 1", &q), ("page 2", &second)] {
            let started = Instant::now();
            let lat = run(db, org.scope, q, queries).await;
            let wall = started.elapsed().as_secs_f64();
            println!(
                "  {name}, {page}: {} queries at c={CONCURRENCY}, {:.0} q/s, p50 {:.2} ms, \
                 p95 {:.2} ms, p99 {:.2} ms",
                lat.len(),
                lat.len() as f64 / wall,
                pct(&lat, 0.50),
                pct(&lat, 0.95),
                pct(&lat, 0.99),
            );
            overall.extend(lat);
        }
    }
    overall.sort();
    println!(
        "  every folder and page: {} queries, p50 {:.2} ms, p99 {:.2} ms",
        overall.len(),
        pct(&overall, 0.50),
        pct(&overall, 0.99)
    );
}

#[tokio::main]
async fn main() {
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let rows = env("CONV_BENCH_ROWS", 1_000_000);
    let queries = env("CONV_BENCH_QUERIES", 1_000);
    let only = std::env::var("CONV_BENCH_ONLY").unwrap_or_default();
    if only.is_empty() || only == "sqlite" {
        let dir = tempfile::tempdir().unwrap();
        let target = DatabaseTarget::Sqlite {
            path: dir.path().join("bench.db"),
            create: true,
        };
        let db = Db::connect_migrated(&target).await.unwrap();
        bench("SQLite", &db, rows, queries).await;
        db.close().await;
    }
    if only.is_empty() || only == "postgres" {
        common::with_fresh_postgres(|db| async move {
            bench("PostgreSQL", &db, rows, queries).await;
            db
        })
        .await;
    }
}
