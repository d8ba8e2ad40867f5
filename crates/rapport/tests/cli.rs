//! The `rapport` binary as a user runs it: start-up on SQLite and PostgreSQL, refusing bad
//! database URLs, graceful shutdown, two processes sharing one database's scheduler, and
//! exactly-once ingest through a SIGKILL (`ingest_crash`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use rapport_store::testing::TestDb;
use sea_orm::{ConnectionTrait, Statement};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod ingest_crash;
mod mail_crash;

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
    /// Everything the server printed on stdout (its logs), so far.
    logs: std::sync::Arc<std::sync::Mutex<String>>,
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
        let logs = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        loop {
            let line = lines
                .next()
                .expect("server exited before listening")
                .unwrap();
            logs.lock().unwrap().push_str(&format!("{line}\n"));
            if line.contains("listening on") {
                break;
            }
        }
        // Keep draining stdout so the child never blocks on a full pipe.
        let sink = logs.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        Self {
            child,
            base: format!("http://{bind}"),
            logs,
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
    let runs = count("SELECT COUNT(*) FROM jobs WHERE kind = 'outbox.dispatch'").await;
    let distinct_periods =
        count("SELECT COUNT(DISTINCT dedupe_key) FROM jobs WHERE kind = 'outbox.dispatch'").await;
    let scheduled = count("SELECT runs FROM schedules WHERE name = 'outbox.dispatch'").await;
    assert_eq!(runs, distinct_periods, "never two jobs for one period");
    assert_eq!(
        runs, scheduled,
        "each won compare-and-swap enqueued exactly one job"
    );
    // The periods run lie on the schedule's grid, at least one interval apart: two processes
    // each running "their own" period would put runs closer together than that.
    let keys = db
        .db
        .conn()
        .query_all_raw(Statement::from_string(
            db.db.db_backend(),
            "SELECT dedupe_key FROM jobs WHERE kind = 'outbox.dispatch'",
        ))
        .await
        .unwrap();
    let mut periods: Vec<i64> = keys
        .iter()
        .map(|row| {
            let key: String = row.try_get_by_index(0).unwrap();
            key.rsplit(':').next().unwrap().parse().unwrap()
        })
        .collect();
    periods.sort_unstable();
    for pair in periods.windows(2) {
        assert!(
            pair[1] - pair[0] >= 200,
            "periods {} and {} are closer than one interval",
            pair[0],
            pair[1]
        );
    }
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

/// `rapport admin …` against `data` (the data-dir and database flags); (success, stdout).
fn admin(args: &[&str], data: &[&str]) -> (bool, String) {
    let out = Command::new(BIN)
        .arg("admin")
        .args(args)
        .args(data)
        .env_remove("RAPPORT_TEST_DATABASE_URL")
        .env_remove("RAPPORT_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        eprintln!("rapport admin {args:?}: {stdout}{stderr}");
    }
    (out.status.success(), stdout)
}

/// A SQL statement for the test database's backend, with `$1`… placeholders.
fn sql(db: &TestDb, text: &str, values: Vec<sea_orm::Value>) -> Statement {
    let backend = db.db.db_backend();
    let text = if backend == sea_orm::DbBackend::Sqlite {
        text.replace('$', "?")
    } else {
        text.to_owned()
    };
    Statement::from_sql_and_values(backend, text, values)
}

/// A browser that keeps cookies and does not follow redirects.
fn browser() -> reqwest::Client {
    install_tls();
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The quoted value after `marker` in `html`.
fn value_after(html: &str, marker: &str) -> String {
    let start = html.find(marker).unwrap() + marker.len();
    html[start..start + html[start..].find(['"', '<']).unwrap()].to_owned()
}

/// Signs in through the form; returns the session's CSRF token.
async fn sign_in(c: &reqwest::Client, base: &str, email: &str, password: &str) -> String {
    let page = c
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = value_after(&page, "name=\"_csrf\" value=\"");
    let res = c
        .post(format!("{base}/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "signed in");
    let home = c
        .get(format!("{base}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    value_after(&home, "<meta name=\"csrf-token\" content=\"")
}

/// TOTP codes for distinct time steps (the server takes each step once, ±1 step of skew).
struct Codes {
    secret: String,
    last: Option<u64>,
}

impl Codes {
    async fn next(&mut self) -> String {
        loop {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
                / 30;
            let step = self.last.map_or(now - 1, |last| (last + 1).max(now - 1));
            if step <= now + 1 {
                self.last = Some(step);
                let secret = totp_rs::Secret::try_from_base32(&self.secret).unwrap();
                return totp_rs::Builder::new()
                    .with_secret(secret)
                    .build()
                    .unwrap()
                    .generate(step * 30)
                    .to_string();
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

const OWNER: &str = "owner@example.test";
const OWNER_PASSWORD: &str = "correct horse battery";

/// An org named `name` made with `rapport admin create-org` (owner [`OWNER`]) and a token of
/// its owner from `create-token`, as an operator would set up an integration.
fn org_with_token(name: &str, data: &[&str]) -> String {
    let (ok, out) = admin(
        &[
            "create-org",
            "--name",
            name,
            "--owner-email",
            OWNER,
            "--owner-password",
            OWNER_PASSWORD,
        ],
        data,
    );
    assert!(ok, "{out}");
    let org = out.trim().to_owned();
    let (ok, out) = admin(&["create-token", "--email", OWNER, "--org", &org], data);
    assert!(ok, "{out}");
    out.trim().to_owned()
}

/// C7 through the operator's commands: `create-org` and `create-token` make working
/// credentials, `verify-audit` passes on an intact log and, after one row is edited in the
/// database, fails and names the entry.
#[tokio::test]
async fn pp_c7_admin_cli_verify_audit_names_an_edited_entry() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let data = [
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--database-url",
        db.url.as_str(),
    ];
    let (ok, out) = admin(
        &[
            "create-org",
            "--name",
            "CLI Org",
            "--owner-email",
            OWNER,
            "--owner-password",
            OWNER_PASSWORD,
        ],
        &data,
    );
    assert!(ok, "{out}");
    let org: sea_orm::prelude::Uuid = out.trim().parse().expect("prints the org id");
    let server = Server::start(&data, &[]);
    sign_in(&browser(), &server.base, OWNER, OWNER_PASSWORD).await;

    let (ok, out) = admin(
        &[
            "create-token",
            "--email",
            OWNER,
            "--org",
            &org.to_string(),
            "--scopes",
            "contacts.read",
        ],
        &data,
    );
    assert!(ok);
    let token = out.trim();
    assert!(token.starts_with("rpt_"), "{token}");
    let me: serde_json::Value = http()
        .get(format!("{}/api/v1/me", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["org_id"], org.to_string());
    assert_eq!(me["permissions"], serde_json::json!(["contacts.read"]));
    assert_eq!(me["authenticated_by"], "token");

    let (ok, out) = admin(&["verify-audit"], &data);
    assert!(ok, "{out}");
    assert!(out.contains("audit log intact"), "{out}");

    // Edit one past entry with database access alone.
    let conn = db.db.conn();
    let row = conn
        .query_one_raw(sql(
            &db,
            "SELECT id FROM audit_log WHERE org_id = $1 AND seq = 1",
            vec![org.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    let id: sea_orm::prelude::Uuid = row.try_get_by_index(0).unwrap();
    let changed = conn
        .execute_raw(sql(
            &db,
            "UPDATE audit_log SET actor_label = $1 WHERE id = $2",
            vec!["nobody@example.test".into(), id.into()],
        ))
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(changed, 1);
    let (ok, out) = admin(&["verify-audit"], &data);
    assert!(!ok, "verification fails: {out}");
    assert!(
        out.contains(&id.to_string()) && out.contains(&org.to_string()) && out.contains("#1"),
        "names the entry: {out}"
    );
    assert!(server.stop().success());
}

/// C1 through the operator's command: `rotate-keys` installs a new key-encryption key,
/// rewraps every data key and deletes the old key file; the running server and a fresh one
/// still open secrets sealed before (an authenticator seed), and the audit chain's key
/// survives. The server's own logs (at DEBUG) never show the seed, a token or a key.
#[tokio::test]
async fn pp_c1_admin_cli_rotate_keys_keeps_old_secrets_readable() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let data = [
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--database-url",
        db.url.as_str(),
    ];
    let (ok, out) = admin(
        &[
            "create-org",
            "--name",
            "Rotating Org",
            "--owner-email",
            OWNER,
            "--owner-password",
            OWNER_PASSWORD,
        ],
        &data,
    );
    assert!(ok, "{out}");
    let debug_logs = [("RUST_LOG", "debug")];
    let server = Server::start(&data, &debug_logs);
    let c = browser();
    let csrf = sign_in(&c, &server.base, OWNER, OWNER_PASSWORD).await;
    let page = c
        .get(format!("{}/settings/security/totp", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let seed = value_after(&page, "data-testid=\"totp-secret\">");
    let mut codes = Codes {
        secret: seed.clone(),
        last: None,
    };
    let res = c
        .post(format!("{}/settings/security/totp", server.base))
        .form(&[("_csrf", csrf.as_str()), ("code", &codes.next().await)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "authenticator app on");

    let keys = dir.path().join("keys");
    let old_key = std::fs::read_to_string(keys.join("current.key")).unwrap();
    let (ok, out) = admin(&["rotate-keys"], &data);
    assert!(ok, "{out}");
    let new_key = std::fs::read_to_string(keys.join("current.key")).unwrap();
    assert_ne!(old_key, new_key, "a new key-encryption key");
    let files: Vec<String> = std::fs::read_dir(&keys)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["current.key"], "the old key file is gone");
    let kek_id = out
        .split("key-encryption key ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_owned();
    let rewrapped: u64 = out
        .split(": ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(rewrapped >= 2, "data keys were rewrapped: {out}");
    let rows = db
        .db
        .conn()
        .query_all_raw(sql(&db, "SELECT DISTINCT kek_id FROM data_keys", vec![]))
        .await
        .unwrap();
    let ids: Vec<String> = rows
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect();
    assert_eq!(ids, [kek_id], "every data key is under the new key");

    // The running server still signs in with the authenticator app.
    let login = |code: String| {
        let base = server.base.clone();
        async move {
            http()
                .post(format!("{base}/api/v1/auth/login"))
                .json(&serde_json::json!({
                    "email": OWNER, "password": OWNER_PASSWORD, "code": code,
                }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(login(codes.next().await).await, 200);
    let logs = server.logs.lock().unwrap().clone();
    assert!(server.stop().success());

    // So does a fresh process, which must unwrap the data keys with the new key.
    let server = Server::start(&data, &debug_logs);
    let base = server.base.clone();
    let res = http()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({
            "email": OWNER, "password": OWNER_PASSWORD, "code": codes.next().await,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        200,
        "the seed sealed before the rotation opens"
    );
    let (ok, out) = admin(&["verify-audit"], &data);
    assert!(ok, "the audit chain's key survived the rotation: {out}");
    let logs = format!("{logs}{}", server.logs.lock().unwrap());
    assert!(server.stop().success());
    assert!(logs.contains("DEBUG"), "logs were captured at DEBUG");
    for (what, secret) in [
        ("authenticator seed", seed.as_str()),
        ("old key-encryption key", old_key.trim()),
        ("new key-encryption key", new_key.trim()),
    ] {
        assert!(!logs.contains(secret), "the server logged the {what}");
    }
}

#[test]
fn privacy_report_names_each_promises_proof_and_lists_the_uncovered() {
    let out = Command::new(BIN)
        .args(["admin", "privacy-report"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let a6 = text.lines().find(|l| l.starts_with("A6 ")).unwrap();
    assert!(a6.contains("covered") && !a6.contains("UNCOVERED"), "{a6}");
    assert!(
        text.contains("proved by crates/rapport-web/tests/privacy/cookies.rs::pp_a6_"),
        "{text}"
    );
    let uncovered = text.lines().find(|l| l.starts_with("Uncovered: ")).unwrap();
    assert!(uncovered.contains("A1"), "{uncovered}");
    assert!(text.contains(" of 40 promises covered"), "{text}");

    let out = Command::new(BIN)
        .args(["admin", "privacy-report", "--json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["total"], 40);
    assert!(
        json["uncovered"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i == "A1")
    );
}
