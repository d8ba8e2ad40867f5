//! Authentication throughput and latency over real HTTP on loopback:
//! - sign-in (`POST /api/v1/auth/login`, Argon2id verification dominates) in requests/s;
//! - an authenticated `GET /api/v1/me` with a bearer token: requests/s and p50/p95/p99.
//!
//! Run: `cargo bench -p rapport-web --bench auth` (SQLite; set `RAPPORT_TEST_DATABASE_URL`
//! to a PostgreSQL URL for PostgreSQL). Concurrency 8; results go to stdout and, by hand, to
//! docs/BENCHMARKS.md. Nothing here asserts a timing.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use rapport_app::auth::api_tokens::TokenRequest;
use rapport_domain::Role;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CONCURRENCY: usize = 8;

async fn run<F, Fut>(total: usize, make: F) -> (Duration, Vec<Duration>)
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = u16> + Send,
{
    let make = Arc::new(make);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let make = make.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < total {
                let t = Instant::now();
                let status = make().await;
                assert_eq!(status, 200, "unexpected status during the benchmark");
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    (started.elapsed(), all)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn report(name: &str, wall: Duration, mut lat: Vec<Duration>) {
    lat.sort();
    let n = lat.len();
    println!(
        "{name}: {n} requests, c={CONCURRENCY}, {:.0} req/s, p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
        n as f64 / wall.as_secs_f64(),
        pct(&lat, 0.50).as_secs_f64() * 1e3,
        pct(&lat, 0.95).as_secs_f64() * 1e3,
        pct(&lat, 0.99).as_secs_f64() * 1e3,
    );
}

#[tokio::main]
async fn main() {
    let t = rapport_testkit::spawn_app().await;
    let owner = t.create_org_with("Bench Org", Role::Owner).await;
    let token = t
        .app
        .create_token_as_operator(
            &owner.email,
            owner.org_id,
            TokenRequest {
                name: "bench".into(),
                scopes: None,
                expires_in_days: None,
            },
        )
        .await
        .unwrap()
        .secret;
    let backend = if std::env::var("RAPPORT_TEST_DATABASE_URL").is_ok() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("backend: {backend}");
    let client = t.client();

    let url = t.url("/api/v1/auth/login");
    let body = serde_json::json!({ "email": owner.email, "password": owner.password });
    let c = client.clone();
    let (wall, lat) = run(400, move || {
        let (c, url, body) = (c.clone(), url.clone(), body.clone());
        async move {
            c.post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    })
    .await;
    report("POST /api/v1/auth/login", wall, lat);

    let url = t.url("/api/v1/me");
    let auth = format!("Bearer {token}");
    for (n, label) in [
        (1_000, None),
        (20_000, Some("GET /api/v1/me (bearer token)")),
    ] {
        let (c, url, auth) = (client.clone(), url.clone(), auth.clone());
        let (wall, lat) = run(n, move || {
            let (c, url, auth) = (c.clone(), url.clone(), auth.clone());
            async move {
                c.get(url)
                    .header("authorization", auth)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        })
        .await;
        if let Some(label) = label {
            report(label, wall, lat);
        }
    }
}
