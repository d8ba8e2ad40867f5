//! Proofs of the privacy promises (`shared/PROMISES.md`): each test is named after the promise
//! it proves (`pp_b5_…`) and listed in `docs/privacy/promises.toml`. They run on SQLite, and on
//! PostgreSQL when `RAPPORT_TEST_DATABASE_URL` is set.

mod access;
mod access_inbox;
mod audit;
mod cookies;
mod dsar_export;
mod mfa;
mod passwords;
mod retention;
mod secrets;
mod sessions;
mod tenancy;
mod tenancy_inbox;

use rapport_app::AppConfig;
use rapport_app::mail::{SmtpConfig, SmtpSecurity};
use rapport_testkit::smtp::SmtpSink;
use rapport_testkit::{TestApp, TestUser, hidden_value};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value as SqlValue};
use serde_json::Value;
use std::time::Duration;

/// The password the test kit gives every user it creates.
pub const PASSWORD: &str = "correct horse battery";

/// A signed-in browser: its cookies and the session's CSRF token.
pub struct Browser {
    pub client: reqwest::Client,
    pub csrf: String,
}

impl Browser {
    /// Signs `user` in through the sign-in form.
    pub async fn sign_in(t: &TestApp, user: &TestUser) -> Self {
        let (client, csrf) = t.sign_in(user).await;
        Self { client, csrf }
    }

    /// `GET path`: status and body.
    pub async fn get(&self, t: &TestApp, path: &str) -> (u16, String) {
        let res = self.client.get(t.url(path)).send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// Posts a form with the session's CSRF token added.
    pub async fn form(&self, t: &TestApp, path: &str, pairs: &[(&str, &str)]) -> reqwest::Response {
        let mut body = vec![("_csrf", self.csrf.as_str())];
        body.extend_from_slice(pairs);
        self.client
            .post(t.url(path))
            .form(&body)
            .send()
            .await
            .unwrap()
    }

    /// An API call with the session cookie and the CSRF header.
    pub async fn api(
        &self,
        t: &TestApp,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .request(method, t.url(&format!("/api/v1{path}")))
            .header("x-csrf-token", &self.csrf);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.unwrap()
    }

    /// An API call that must succeed; returns its JSON (null for 204).
    pub async fn api_ok(
        &self,
        t: &TestApp,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let res = self.api(t, method.clone(), path, body).await;
        let status = res.status();
        let text = res.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        }
    }
}

/// The body of a response, except that of an endless event stream: its first chunk (the
/// stream's `ready` event), so route sweeps can read every answer.
pub async fn body_text(mut res: reqwest::Response) -> String {
    let streaming = res
        .headers()
        .get("content-type")
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if !streaming {
        return res.text().await.unwrap();
    }
    let chunk = res.chunk().await.unwrap().unwrap_or_default();
    String::from_utf8_lossy(&chunk).into_owned()
}

/// The anonymous CSRF token (double-submit cookie) of `client`, read from the sign-in form.
pub async fn anon_csrf(t: &TestApp, client: &reqwest::Client) -> String {
    let page = client
        .get(t.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    hidden_value(&page, "_csrf").expect("the sign-in form carries a CSRF field")
}

/// Text between `start` and the next `end` in `html`.
pub fn between(html: &str, start: &str, end: &str) -> Option<String> {
    let from = html.find(start)? + start.len();
    let len = html[from..].find(end)?;
    Some(html[from..from + len].to_owned())
}

/// The TOTP code of `secret` for time step `step`.
pub fn totp_at(secret: &str, step: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .unwrap()
        .generate(step * 30)
        .to_string()
}

/// Hands out TOTP codes for distinct time steps (the server accepts each step once, and one
/// step of clock skew either way), waiting for the next step when needed.
pub struct Codes {
    secret: String,
    last: Option<u64>,
}

impl Codes {
    pub fn new(secret: &str) -> Self {
        Self {
            secret: secret.to_owned(),
            last: None,
        }
    }

    /// A code for a step not used before and acceptable now.
    pub async fn next(&mut self) -> String {
        loop {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
                / 30;
            let step = match self.last {
                None => now - 1,
                Some(last) => (last + 1).max(now - 1),
            };
            if step <= now + 1 {
                self.last = Some(step);
                return totp_at(&self.secret, step);
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// An authenticator app just turned on.
pub struct Totp {
    /// Codes from its seed.
    pub codes: Codes,
    /// The seed (base32).
    pub secret: String,
    /// The recovery codes shown once.
    pub recovery: Vec<String>,
    /// The page that showed the seed.
    pub setup_page: String,
    /// The page that showed the recovery codes.
    pub codes_page: String,
}

/// Turns on the authenticator app for a signed-in member through the account pages.
pub async fn enrol_totp(t: &TestApp, b: &Browser) -> Totp {
    let (status, setup_page) = b.get(t, "/settings/security/totp").await;
    assert_eq!(status, 200, "{setup_page}");
    let secret =
        between(&setup_page, "data-testid=\"totp-secret\">", "<").expect("the seed is shown");
    let mut codes = Codes::new(&secret);
    let code = codes.next().await;
    let res = b
        .form(t, "/settings/security/totp", &[("code", &code)])
        .await;
    assert_eq!(res.status(), 200);
    let codes_page = res.text().await.unwrap();
    let recovery: Vec<String> = codes_page
        .split("<li><code>")
        .skip(1)
        .filter_map(|s| s.split('<').next().map(str::to_owned))
        .collect();
    assert_eq!(
        recovery.len(),
        10,
        "recovery codes shown once: {codes_page}"
    );
    Totp {
        codes,
        secret,
        recovery,
        setup_page,
        codes_page,
    }
}

/// App settings with outgoing mail to `sink`.
pub fn with_mail(sink: &SmtpSink) -> AppConfig {
    AppConfig {
        smtp: Some(SmtpConfig {
            host: sink.host().into(),
            port: sink.port(),
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Rapport <no-reply@example.test>".into(),
        }),
        ..AppConfig::default()
    }
}

/// Runs queued jobs (mail, dead letters) until none is due.
pub async fn drain_jobs(t: &TestApp) {
    let pool = rapport_jobs::WorkerPool::new(
        t.app.queue().clone(),
        t.app.job_handlers(),
        rapport_jobs::WorkerConfig::default(),
        "privacy-test",
    );
    while pool.run_once("privacy-test").await.unwrap().is_some() {}
}

/// The link in the newest mail to `to` that starts with `prefix` (`/reset/`).
pub async fn link_in_mail(sink: &SmtpSink, to: &str, path_prefix: &str) -> String {
    let mail = sink.wait_for_message_to(to, Duration::from_secs(20)).await;
    let body = mail.text_body;
    let at = body
        .find(path_prefix)
        .unwrap_or_else(|| panic!("no {path_prefix} link in: {body}"));
    body[at + path_prefix.len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

/// A SQL statement for the test's backend: write placeholders as `$1`, `$2`….
pub fn sql(t: &TestApp, text: &str, values: Vec<SqlValue>) -> Statement {
    let backend = t.db.db.db_backend();
    let text = if backend == DbBackend::Sqlite {
        text.replace('$', "?")
    } else {
        text.to_owned()
    };
    Statement::from_sql_and_values(backend, text, values)
}

/// Runs a statement; returns the rows it changed.
pub async fn execute(t: &TestApp, text: &str, values: Vec<SqlValue>) -> u64 {
    t.db.db
        .conn()
        .execute_raw(sql(t, text, values))
        .await
        .unwrap()
        .rows_affected()
}

/// Runs a query.
pub async fn query(t: &TestApp, text: &str, values: Vec<SqlValue>) -> Vec<QueryResult> {
    t.db.db
        .conn()
        .query_all_raw(sql(t, text, values))
        .await
        .unwrap()
}

/// The SHA-256 of a token, as the store keeps it.
pub fn digest(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `docs/privacy/promises.toml` names tests that exist, under the promise their name says,
/// and every `pp_<id>_…` test of the workspace is listed there.
#[test]
fn promises_toml_names_every_proof() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("docs/privacy/promises.toml")).unwrap();
    let ledger: toml::Table = toml::from_str(&text).unwrap();
    let mut listed = std::collections::BTreeSet::new();
    for (id, promise) in &ledger {
        let statement = promise["statement"].as_str().unwrap_or_default();
        assert!(!statement.trim().is_empty(), "{id}: a one-line statement");
        let tests = promise["tests"].as_array().unwrap();
        for entry in tests {
            let entry = entry.as_str().unwrap();
            let (file, name) = entry.split_once("::").unwrap();
            let source = std::fs::read_to_string(root.join(file))
                .unwrap_or_else(|e| panic!("{id}: {file}: {e}"));
            assert!(
                source.contains(&format!("fn {name}(")),
                "{id}: {file} has no test {name}"
            );
            assert!(
                name.starts_with(&format!("pp_{}_", id.to_lowercase())),
                "{id}: {name} is not named after the promise"
            );
            listed.insert(name.to_owned());
        }
    }
    // The shared ledger, where it is checked out beside the project: every promise is here.
    if let Ok(shared) = std::fs::read_to_string(root.join("../shared/PROMISES.md")) {
        let ids: Vec<&str> = shared
            .lines()
            .filter_map(|l| l.strip_prefix("| ")?.split(' ').next())
            .filter(|id| {
                id.len() >= 2
                    && id.as_bytes()[0].is_ascii_uppercase()
                    && id[1..].bytes().all(|b| b.is_ascii_digit())
            })
            .collect();
        assert!(ids.len() >= 40, "read {} promise ids", ids.len());
        let missing: Vec<_> = ids.iter().filter(|id| !ledger.contains_key(**id)).collect();
        assert!(
            missing.is_empty(),
            "promises missing from the ledger: {missing:?}"
        );
    }
    let mut files = Vec::new();
    for krate in std::fs::read_dir(root.join("crates")).unwrap() {
        rust_files(&krate.unwrap().path().join("tests"), &mut files);
    }
    let mut unlisted = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for (at, _) in source.match_indices("fn pp_") {
            let name: String = source[at + 3..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let is_fn = source[at + 3 + name.len()..].starts_with('(');
            if is_fn && !listed.contains(&name) {
                unlisted.push(format!("{} ({})", name, file.display()));
            }
        }
    }
    assert!(
        unlisted.is_empty(),
        "promise tests missing from docs/privacy/promises.toml: {unlisted:?}"
    );
}
