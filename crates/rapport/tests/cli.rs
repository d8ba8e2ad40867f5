//! The `rapport` binary as a user runs it: start-up on SQLite and PostgreSQL, refusing bad
//! database URLs, graceful shutdown, and two processes sharing one database's scheduler.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use rapport_store::testing::TestDb;
use sea_orm::{ConnectionTrait, Statement};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_rapport");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Starts `rapport serve` and waits for its "listening" line.
    fn start(args: &[&str], envs: &[(&str, &str)]) -> Self {
        let port = free_port();
        let bind = format!("127.0.0.1:{port}");
        let mut cmd = Command::new(BIN);
        cmd.arg("serve").arg("--bind").arg(&bind).args(args);
        cmd.env_remove("RAPPORT_TEST_DATABASE_URL")
            .env("RUST_LOG", "warn");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        loop {
            let line = lines
                .next()
                .expect("server exited before listening")
                .unwrap();
            if line.contains("listening on") {
                break;
            }
        }
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self {
            child,
            base: format!("http://{bind}"),
        }
    }

    fn stop(mut self) -> std::process::ExitStatus {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        )
        .unwrap();
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn get(url: &str) -> reqwest::Response {
    http().get(url).send().await.unwrap()
}

#[tokio::test]
async fn serve_with_embedded_sqlite_answers_health_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&["--data-dir", data.to_str().unwrap()], &[]);
    assert_eq!(get(&format!("{}/healthz", server.base)).await.status(), 200);
    assert_eq!(get(&format!("{}/readyz", server.base)).await.status(), 200);
    let metrics = get(&format!("{}/metrics", server.base))
        .await
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("rapport_http_requests_total"));
    assert!(
        data.join("rapport.sqlite3").is_file(),
        "embedded database created in the data dir"
    );
    let status = server.stop();
    assert!(status.success(), "SIGTERM shuts down cleanly: {status:?}");
}

#[tokio::test]
async fn serve_with_database_url_uses_that_database() {
    // SQLite file or a fresh PostgreSQL database, whichever the suite runs on.
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        &[
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--database-url",
            &db.url,
        ],
        &[],
    );
    assert_eq!(get(&format!("{}/readyz", server.base)).await.status(), 200);
    let res = http()
        .post(format!("{}/api/v1/setup", server.base))
        .json(&serde_json::json!({"org_name": "Via URL", "name": "Ann", "email": "ann@example.com", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let row = db
        .db
        .conn()
        .query_one_raw(Statement::from_string(
            db.db.db_backend(),
            "SELECT name FROM orgs",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get_by_index::<String>(0).unwrap(), "Via URL");
    assert!(
        !dir.path().join("rapport.sqlite3").exists(),
        "no embedded database when a URL is given"
    );
    assert!(server.stop().success());
}

#[test]
fn unsupported_database_scheme_fails_clearly() {
    let out = Command::new(BIN)
        .args(["serve", "--database-url", "mysql://x"])
        .env_remove("RAPPORT_TEST_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unsupported database URL scheme `mysql`"),
        "{stderr}"
    );
    let out = Command::new(BIN)
        .args(["migrate", "--database-url", "mysql://x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn mistyped_sqlite_url_never_creates_an_empty_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.sqlite3");
    let url = format!("sqlite://{}", path.display());
    let out = Command::new(BIN)
        .args(["migrate", "--database-url", &url])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
    assert!(!path.exists());
}

#[test]
fn migrate_applies_migrations_to_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["migrate", "--data-dir", dir.path().to_str().unwrap()])
        .env_remove("RAPPORT_DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("rapport.sqlite3").is_file());
}

#[test]
fn help_documents_every_subcommand_and_version_prints() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for sub in ["serve", "migrate"] {
        assert!(help.contains(sub), "{help}");
    }
    let out = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--bind",
        "--data-dir",
        "--database-url",
        "--config",
        "--demo",
        "RAPPORT_BIND",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
    let out = Command::new(BIN).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("rapport "));
}

#[tokio::test]
async fn demo_prints_a_working_login() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--demo",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
            dir.path().to_str().unwrap(),
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut email, mut password) = (String::new(), String::new());
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(v) = line.trim().strip_prefix("email:") {
            email = v.trim().to_owned();
        }
        if let Some(v) = line.trim().strip_prefix("password:") {
            password = v.trim().to_owned();
        }
        if line.contains("listening on") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    let base = format!("http://127.0.0.1:{port}");
    install_tls();
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"_csrf\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let csrf = &page[start..start + page[start..].find('"').unwrap()];
    let res = client
        .post(format!("{base}/login"))
        .form(&[("_csrf", csrf), ("email", &email), ("password", &password)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "printed demo login works");
    let home = client
        .get(format!("{base}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Northwind Support (demo)"));
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn two_processes_on_one_database_run_each_period_once() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--database-url",
        db.url.as_str(),
    ];
    let env = [("RAPPORT_OUTBOX_INTERVAL_MS", "200")];
    let a = Server::start(&args, &env);
    let b = Server::start(&args, &env);
    let started = Instant::now();
    // Let both schedulers compete for a dozen periods.
    let count = |sql: &'static str| {
        let conn = db.db.clone();
        async move {
            let row = conn
                .conn()
                .query_one_raw(Statement::from_string(conn.db_backend(), sql))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    while count("SELECT COUNT(*) FROM jobs WHERE kind = 'outbox.dispatch'").await < 12 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "scheduler made no progress"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(a.stop().success());
    assert!(b.stop().success());
    let elapsed_ms = started.elapsed().as_millis() as i64;
    let runs = count("SELECT COUNT(*) FROM jobs WHERE kind = 'outbox.dispatch'").await;
    let distinct_periods =
        count("SELECT COUNT(DISTINCT dedupe_key) FROM jobs WHERE kind = 'outbox.dispatch'").await;
    let scheduled = count("SELECT runs FROM schedules WHERE name = 'outbox.dispatch'").await;
    assert_eq!(runs, distinct_periods, "never two jobs for one period");
    assert_eq!(
        runs, scheduled,
        "each won compare-and-swap enqueued exactly one job"
    );
    // Two processes running every period would enqueue ~2x; one per period is elapsed/200 (+1 start).
    assert!(
        runs <= elapsed_ms / 200 + 2,
        "{runs} runs in {elapsed_ms} ms: more than one per period"
    );
}

/// reqwest is built without a bundled TLS provider (the binary installs ring at start-up);
/// tests install it the same way before building clients.
fn install_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn http() -> reqwest::Client {
    install_tls();
    reqwest::Client::new()
}
