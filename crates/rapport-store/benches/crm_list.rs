//! The contact list at 1,000,000 contacts: a 3-condition filter
//! (`lifecycle_stage = X AND owner = Y AND custom.industry = Z`) through the list engine
//! (filter parse + compile, custom-field definitions, the keyset page, and the page's tag,
//! company and owner look-ups), at concurrency 8, reporting p50/p95/p99.
//!
//! Run: `cargo bench -p rapport-store --bench crm_list` (SQLite in a temporary directory, then
//! PostgreSQL in a fresh database on `RAPPORT_BENCH_DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`, dropped afterwards). `CRM_BENCH_ROWS` and
//! `CRM_BENCH_QUERIES` override the sizes; `CRM_BENCH_ONLY=sqlite|postgres` runs one.
//!
//! Data (docs/design/crm-notes.md §2): contacts in 3 orgs (70/20/10 %), 20 owners per org
//! (top owner 22 %), lifecycle stages lead 40 / subscriber 20 / mql 10 / sql 8 /
//! opportunity 7 / customer 12 / evangelist 3, custom JSON {industry (15 values, skewed),
//! score, source}, 50,000 companies, 10 % of contacts tagged. The list indexes of the
//! migration are dropped during the bulk load and rebuilt after it (same columns), and the
//! `industry` custom field is filterable, so its expression index exists.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
#![allow(clippy::disallowed_methods)] // the bench stands in for authorization

mod common;

use chrono::{Duration as ChronoDuration, TimeZone, Utc};
use common::{BATCH, Rng, exec, insert_rows, pct};
use rapport_domain::crm::{FieldKey, Filter};
use rapport_domain::{OrgId, OrgName, OrgSlug};
use rapport_store::custom_sql::{CustomValueKind, custom_index_ddl};
use rapport_store::query::{self, ListRequest, PageSpec, Sort};
use rapport_store::{Backend, DatabaseTarget, Db, OrgScope};
use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

const CONCURRENCY: usize = 8;
const STAGES: [(&str, u32); 7] = [
    ("lead", 40),
    ("subscriber", 20),
    ("marketing_qualified", 10),
    ("sales_qualified", 8),
    ("opportunity", 7),
    ("customer", 12),
    ("evangelist", 3),
];
const OWNER_W: [u32; 20] = [22, 12, 9, 7, 6, 5, 5, 4, 4, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2];
const INDUSTRIES: [(&str, u32); 15] = [
    ("software", 20),
    ("retail", 15),
    ("finance", 12),
    ("health", 10),
    ("education", 8),
    ("manufacturing", 7),
    ("logistics", 6),
    ("media", 5),
    ("energy", 4),
    ("legal", 3),
    ("travel", 3),
    ("agriculture", 2),
    ("gaming", 2),
    ("telecom", 2),
    ("nonprofit", 1),
];
const SOURCES: [&str; 5] = ["web", "event", "referral", "import", "ads"];
/// (index, columns) of the contact list indexes, as the migration creates them.
const INDEXES: [(&str, &[&str]); 5] = [
    ("ix_contacts_org_created", &["org_id", "created_at", "id"]),
    (
        "ix_contacts_org_stage_owner",
        &["org_id", "lifecycle_stage", "owner_id", "created_at", "id"],
    ),
    (
        "ix_contacts_org_owner",
        &["org_id", "owner_id", "created_at", "id"],
    ),
    ("ix_contacts_org_company", &["org_id", "company_id"]),
    ("ix_contacts_org_name", &["org_id", "display_name"]),
];

struct Org {
    id: Uuid,
    owners: Vec<Uuid>,
    companies: Vec<Uuid>,
}

async fn seed(db: &Db, rows: usize) -> Vec<Org> {
    let started = Instant::now();
    let now = Utc::now();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut orgs = Vec::new();
    for i in 0..3 {
        let id = OrgId::new();
        let name = OrgName::parse(&format!("Bench org {i}")).unwrap();
        let slug = OrgSlug::parse(&format!("bench-org-{i}")).unwrap();
        rapport_store::repo::orgs::insert(db.conn(), id, &name, &slug, now)
            .await
            .unwrap();
        let owners = (0..20).map(|_| Uuid::now_v7()).collect();
        orgs.push(Org {
            id: id.as_uuid(),
            owners,
            companies: Vec::new(),
        });
    }
    // The industry custom field, filterable: its expression index is built after the load.
    for o in &orgs {
        insert_rows(
            db,
            "custom_fields",
            &[
                "id",
                "org_id",
                "object_type",
                "key",
                "label",
                "field_type",
                "options",
                "filterable",
                "position",
                "created_at",
                "updated_at",
            ],
            vec![vec![
                Expr::val(Uuid::now_v7()),
                Expr::val(o.id),
                Expr::val("contact"),
                Expr::val("industry"),
                Expr::val("Industry"),
                Expr::val("text"),
                Expr::val(json!([])),
                Expr::val(true),
                Expr::val(0),
                Expr::val(now),
                Expr::val(now),
            ]],
        )
        .await;
    }
    let share = [70u32, 20, 10];
    // 50,000 companies, split like the contacts.
    let mut batch = Vec::new();
    for n in 0..50_000usize {
        let o = rng.weighted(&share);
        let id = Uuid::now_v7();
        orgs[o].companies.push(id);
        batch.push(vec![
            Expr::val(id),
            Expr::val(orgs[o].id),
            Expr::val(format!("Company {n}")),
            Expr::val(INDUSTRIES[rng.weighted(&INDUSTRIES.map(|x| x.1))].0),
            Expr::val(json!({})),
            Expr::val(now),
            Expr::val(now),
        ]);
        if batch.len() == BATCH {
            let cols = [
                "id",
                "org_id",
                "name",
                "industry",
                "custom",
                "created_at",
                "updated_at",
            ];
            insert_rows(db, "companies", &cols, std::mem::take(&mut batch)).await;
        }
    }
    for (name, _) in INDEXES {
        exec(db, &format!("DROP INDEX IF EXISTS \"{name}\"")).await;
    }
    let cols = [
        "id",
        "org_id",
        "first_name",
        "last_name",
        "display_name",
        "company_id",
        "owner_id",
        "lifecycle_stage",
        "primary_email",
        "social",
        "custom",
        "created_at",
        "updated_at",
    ];
    let start = Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap();
    let mut tags = Vec::new();
    let txn_started = Instant::now();
    for n in 0..rows {
        let o = rng.weighted(&share);
        let org = &orgs[o];
        let id = Uuid::now_v7();
        let at = start + ChronoDuration::seconds(n as i64 * 90);
        let industry = INDUSTRIES[rng.weighted(&INDUSTRIES.map(|x| x.1))].0;
        let custom = json!({
            "industry": industry,
            "score": rng.below(100),
            "source": SOURCES[rng.below(5) as usize],
        });
        batch.push(vec![
            Expr::val(id),
            Expr::val(org.id),
            Expr::val(format!("First{}", n % 977)),
            Expr::val(format!("Last{}", n % 1999)),
            Expr::val(format!("First{} Last{}", n % 977, n % 1999)),
            Expr::val(Some(
                org.companies[rng.below(org.companies.len() as u64) as usize],
            )),
            Expr::val(Some(org.owners[rng.weighted(&OWNER_W)])),
            Expr::val(STAGES[rng.weighted(&STAGES.map(|x| x.1))].0),
            Expr::val(Some(format!("person{n}@example.test"))),
            Expr::val(json!({})),
            Expr::val(custom),
            Expr::val(at),
            Expr::val(at),
        ]);
        if rng.below(10) == 0 {
            tags.push(vec![Expr::val(org.id), Expr::val(id), Expr::val("vip")]);
        }
        if batch.len() == BATCH {
            insert_rows(db, "contacts", &cols, std::mem::take(&mut batch)).await;
            // Tags only after their contacts exist (foreign key).
            insert_rows(
                db,
                "contact_tags",
                &["org_id", "contact_id", "tag"],
                std::mem::take(&mut tags),
            )
            .await;
        }
    }
    insert_rows(db, "contacts", &cols, batch).await;
    insert_rows(db, "contact_tags", &["org_id", "contact_id", "tag"], tags).await;
    let loaded = txn_started.elapsed();
    let idx_started = Instant::now();
    for (name, cols) in INDEXES {
        let cols: Vec<String> = cols.iter().map(|c| format!("\"{c}\"")).collect();
        exec(
            db,
            &format!(
                "CREATE INDEX \"{name}\" ON \"contacts\" ({})",
                cols.join(", ")
            ),
        )
        .await;
    }
    let key = FieldKey::parse("industry").unwrap();
    let (ddl, _) = custom_index_ddl(db.backend(), "contacts", &key, CustomValueKind::Text);
    exec(db, &ddl).await;
    exec(db, "ANALYZE").await;
    if db.backend() == Backend::Sqlite {
        // Move the load out of the write-ahead log into the file, as SQLite's auto-checkpoint
        // does on a running server; otherwise every page read first searches a huge WAL index.
        exec(db, "PRAGMA wal_checkpoint(TRUNCATE)").await;
    }
    println!(
        "  seeded {rows} contacts in {:.1} s (insert {:.1} s, indexes {:.1} s)",
        started.elapsed().as_secs_f64(),
        loaded.as_secs_f64(),
        idx_started.elapsed().as_secs_f64()
    );
    orgs
}

/// Runs `total` list queries at concurrency 8; `deep` starts each at the second page.
async fn run(db: &Db, org: &Org, total: usize, deep: bool) -> (f64, Vec<Duration>, usize) {
    let scope = OrgScope::assume_authorized(OrgId::from_uuid(org.id));
    // Four rotating parameter sets: dense and sparse combinations.
    let sets = [
        ("lead", 0usize, "software"),
        ("customer", 4, "finance"),
        ("subscriber", 1, "retail"),
        ("evangelist", 9, "media"),
    ];
    let filters: Vec<Filter> = sets
        .iter()
        .map(|(stage, owner, ind)| {
            Filter::parse(&format!(
                "lifecycle_stage = {stage} AND owner = {} AND custom.industry = {ind}",
                org.owners[*owner]
            ))
            .unwrap()
            .unwrap()
        })
        .collect();
    let sort = Sort::parse(rapport_domain::crm::RecordType::Contact, None).unwrap();
    let mut cursors = Vec::new();
    for f in &filters {
        let req = ListRequest {
            filter: Some(f),
            page: PageSpec {
                sort,
                limit: 50,
                after: None,
            },
            me: org.owners[0],
        };
        let page = query::list_contacts(db, scope, &req).await.unwrap();
        cursors.push(
            page.next_cursor
                .map(|c| query::Cursor::decode(&c, &sort).unwrap()),
        );
    }
    let filters = Arc::new(filters);
    let cursors = Arc::new(cursors);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (db, filters, cursors, next) =
            (db.clone(), filters.clone(), cursors.clone(), next.clone());
        let me = org.owners[0];
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut rows = 0;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let k = i % filters.len();
                let after = if deep { cursors[k].clone() } else { None };
                let req = ListRequest {
                    filter: Some(&filters[k]),
                    page: PageSpec {
                        sort,
                        limit: 50,
                        after,
                    },
                    me,
                };
                let t = Instant::now();
                let page = query::list_contacts(&db, scope, &req).await.unwrap();
                lat.push(t.elapsed());
                rows += page.items.len();
            }
            (lat, rows)
        }));
    }
    let mut all = Vec::new();
    let mut rows = 0;
    for t in tasks {
        let (l, r) = t.await.unwrap();
        all.extend(l);
        rows += r;
    }
    (started.elapsed().as_secs_f64(), all, rows)
}

/// The orgs of an already seeded database, largest first, owners in creation (= id) order.
async fn seeded_orgs(db: &Db) -> Vec<Org> {
    let q = |sql: &str| Statement::from_string(db.db_backend(), sql.to_owned());
    let rows = db
        .conn()
        .query_all_raw(q(
            "SELECT org_id FROM contacts GROUP BY org_id ORDER BY COUNT(*) DESC",
        ))
        .await
        .unwrap();
    let mut orgs = Vec::new();
    for r in rows {
        let id: Uuid = r.try_get("", "org_id").unwrap();
        let owners = db
            .conn()
            .query_all_raw(Statement::from_sql_and_values(
                db.db_backend(),
                "SELECT DISTINCT owner_id FROM contacts WHERE org_id = ? AND owner_id IS NOT NULL \
                 ORDER BY owner_id",
                [id.into()],
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get("", "owner_id").unwrap())
            .collect();
        orgs.push(Org {
            id,
            owners,
            companies: Vec::new(),
        });
    }
    orgs
}

async fn bench(label: &str, db: &Db, rows: usize, queries: usize) {
    println!("{label}:");
    let orgs = if std::env::var("CRM_BENCH_SQLITE_REUSE").is_ok() {
        seeded_orgs(db).await
    } else {
        seed(db, rows).await
    };
    let big = &orgs[0];
    // Warm the caches once, as a running server would be.
    let _ = run(db, big, 200, false).await;
    for (name, deep) in [("page 1", false), ("page 2 (keyset)", true)] {
        let (wall, mut lat, rows) = run(db, big, queries, deep).await;
        lat.sort();
        println!(
            "  {name}: {} queries, c={CONCURRENCY}, {:.0} q/s, p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, {:.1} rows/page",
            lat.len(),
            lat.len() as f64 / wall,
            pct(&lat, 0.50),
            pct(&lat, 0.95),
            pct(&lat, 0.99),
            rows as f64 / lat.len() as f64
        );
    }
}

#[tokio::main]
async fn main() {
    let rows: usize = std::env::var("CRM_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let queries: usize = std::env::var("CRM_BENCH_QUERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4_000);
    let only = std::env::var("CRM_BENCH_ONLY").unwrap_or_default();
    if only.is_empty() || only == "sqlite" {
        let dir = tempfile::tempdir().unwrap();
        // `CRM_BENCH_SQLITE_REUSE=/path.db` (made by `CRM_BENCH_SQLITE_KEEP`) skips the seeding,
        // for profiling the queries alone.
        let path = std::env::var("CRM_BENCH_SQLITE_REUSE")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| dir.path().join("bench.db"));
        let target = DatabaseTarget::Sqlite { path, create: true };
        let db = Db::connect_migrated(&target).await.unwrap();
        bench("SQLite", &db, rows, queries).await;
        db.close().await;
        // `CRM_BENCH_SQLITE_KEEP=/path.db` keeps the seeded file, to look at plans with sqlite3.
        if let Ok(keep) = std::env::var("CRM_BENCH_SQLITE_KEEP") {
            std::fs::copy(dir.path().join("bench.db"), &keep).unwrap();
        }
    }
    if only.is_empty() || only == "postgres" {
        common::with_fresh_postgres(|db| async move {
            bench("PostgreSQL", &db, rows, queries).await;
            db
        })
        .await;
    }
}
