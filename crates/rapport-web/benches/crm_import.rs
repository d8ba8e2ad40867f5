//! Contact import throughput over real HTTP on loopback: a generated 100,000-row CSV (names,
//! emails, phones, companies from a pool of 5,000, tags, two custom fields; 1 % invalid rows)
//! uploaded, dry-run (parse + validate + dedupe lookups) and run with `skip_invalid`.
//!
//! Run: `cargo bench -p rapport-web --bench crm_import` (SQLite; set
//! `RAPPORT_TEST_DATABASE_URL` to a PostgreSQL URL for PostgreSQL). `ROWS=20000` changes the
//! size. Results go to stdout and, by hand, to docs/BENCHMARKS.md. Nothing here asserts a timing.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use rapport_domain::Role;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use std::fmt::Write;
use std::time::Instant;

const FIRST: &[&str] = &[
    "Ada",
    "Grace",
    "Alan",
    "Katherine",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Radia",
    "Tim",
    "Hedy",
    "Donald",
    "Sophie",
    "José",
    "Zoë",
    "Mia",
    "Noah",
    "Liam",
    "Emma",
    "Olivia",
    "Lucas",
    "Chloé",
    "Jürgen",
    "Aiko",
    "Priya",
    "Omar",
    "Ines",
];
const LAST: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Turing",
    "Johnson",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "Knuth",
    "Wilson",
    "García",
    "Müller",
    "Nakamura",
    "Sharma",
    "Haddad",
    "Costa",
    "Nguyen",
    "Smith",
    "Brown",
];
const WORDS: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Wonka",
    "Hooli",
    "Vandelay",
    "Pied",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Aperture",
    "Massive",
    "Dynamic",
    "Nimbus",
    "Quantum",
    "Vertex",
    "Blue",
    "Red",
    "Green",
    "North",
    "South",
    "Bright",
];
const INDUSTRIES: &[&str] = &["SaaS", "Retail", "Health", "Finance", "Education"];

/// Deterministic pseudo-random numbers (xorshift), so every run imports the same file.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

fn company(i: u64) -> String {
    format!(
        "{} {} {}",
        WORDS[(i % 25) as usize],
        WORDS[((i / 25) % 25) as usize],
        i / 625 + 1
    )
}

fn generate(rows: usize) -> (String, usize) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = String::with_capacity(rows * 120);
    out.push_str("First Name,Last Name,Email,Phone,Company,Tags,Industry,Score\n");
    let mut bad = 0;
    for i in 0..rows {
        let (first, last) = (rng.pick(FIRST), rng.pick(LAST));
        let c = rng.next() % 5_000;
        let email = if i % 100 == 50 {
            bad += 1;
            format!("{}.{}-{i}.example.com", first.to_lowercase(), i)
        } else {
            format!(
                "{}.{}.{i}@{}.example",
                first.to_lowercase(),
                last.to_lowercase(),
                c
            )
        };
        let tags = [
            "lead-magnet",
            "newsletter;vip",
            "webinar",
            "",
            "partner;vip",
        ][i % 5];
        writeln!(
            out,
            "{first},{last},{email},+1 {} 555 {:04},{},{tags},{},{}",
            ["415", "212", "617"][i % 3],
            rng.next() % 10_000,
            company(c),
            rng.pick(INDUSTRIES),
            rng.next() % 100
        )
        .unwrap();
    }
    (out, bad)
}

#[tokio::main]
async fn main() {
    let rows: usize = std::env::var("ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(100_000);
    let t = rapport_testkit::spawn_app().await;
    let owner = t.create_org_with("Bench Org", Role::Owner).await;
    let backend = t.db.db.db_backend();
    let db_name = if backend == DbBackend::Postgres {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let now = chrono::Utc::now();
    for (key, label, kind, options) in [
        (
            "industry",
            "Industry",
            "select",
            json!(
                INDUSTRIES
                    .iter()
                    .map(|i| json!({"value": i.to_lowercase(), "label": i}))
                    .collect::<Vec<_>>()
            ),
        ),
        ("score", "Score", "number", json!([])),
    ] {
        let sql = "INSERT INTO custom_fields (id, org_id, object_type, key, label, field_type, options, \
            required, filterable, position, created_at, updated_at) \
            VALUES ($1, $2, 'contact', $3, $4, $5, $6, $7, $7, 0, $8, $8)";
        let sql = if backend == DbBackend::Postgres {
            sql.to_owned()
        } else {
            sql.replace('$', "?")
        };
        let values: Vec<sea_orm::Value> = vec![
            uuid::Uuid::now_v7().into(),
            owner.org_id.as_uuid().into(),
            key.into(),
            label.into(),
            kind.into(),
            options.into(),
            false.into(),
            now.into(),
        ];
        t.db.db
            .conn()
            .execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await
            .unwrap();
    }
    let c = t.browser();
    let login: Value = c
        .post(t.url("/api/v1/auth/login"))
        .json(&json!({ "email": owner.email, "password": owner.password }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let csrf = login["csrf_token"].as_str().unwrap().to_owned();
    let started = Instant::now();
    let (csv, bad) = generate(rows);
    let generated = started.elapsed();
    println!(
        "{db_name}: {rows} rows ({:.1} MB, {bad} invalid) generated in {:.2} s",
        csv.len() as f64 / 1e6,
        generated.as_secs_f64()
    );

    let started = Instant::now();
    let view: Value = c
        .post(t.url("/api/v1/imports?filename=bench.csv"))
        .header("x-csrf-token", &csrf)
        .body(csv)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let upload = started.elapsed();
    let id = view["id"].as_str().expect("upload accepted").to_owned();
    assert_eq!(
        view["error_count"].as_u64().unwrap() as usize,
        bad,
        "only the planted rows are invalid"
    );
    let run = |body: Value| {
        let req = c
            .post(t.url(&format!("/api/v1/imports/{id}/run")))
            .header("x-csrf-token", &csrf)
            .json(&body);
        async move {
            let started = Instant::now();
            let res: Value = req.send().await.unwrap().json().await.unwrap();
            (started.elapsed(), res)
        }
    };
    let (dry, _) = run(json!({ "dry_run": true, "skip_invalid": true })).await;
    let (full, res) = run(json!({ "skip_invalid": true })).await;
    assert_eq!(
        res["imported"].as_u64().unwrap() as usize,
        rows - bad,
        "{res}"
    );
    let per_s = |d: std::time::Duration| rows as f64 / d.as_secs_f64();
    println!(
        "{db_name}: upload + preview (decode, parse, validate, lookups, store): {:.2} s = {:.0} rows/s",
        upload.as_secs_f64(),
        per_s(upload)
    );
    println!(
        "{db_name}: dry run (parse, validate, lookups): {:.2} s = {:.0} rows/s",
        dry.as_secs_f64(),
        per_s(dry)
    );
    println!(
        "{db_name}: run, end to end (parse, validate, write {} contacts + companies + emails + phones + tags + links in one transaction): {:.2} s = {:.0} rows/s",
        rows - bad,
        full.as_secs_f64(),
        per_s(full)
    );
    let write = full.saturating_sub(dry);
    println!(
        "{db_name}: write alone (run − dry run): {:.2} s = {:.0} rows/s",
        write.as_secs_f64(),
        per_s(write)
    );
}
