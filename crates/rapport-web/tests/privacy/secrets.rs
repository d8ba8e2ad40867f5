//! C1 — secrets are encrypted at rest and never appear in logs or API output. Secrets are made
//! through the product (an authenticator seed and its recovery codes, API tokens from the API
//! and the page, a mailed invitation link, a mailed password-reset link, a session cookie) and
//! one integration-like secret sealed by the vault. Then the database (the SQLite files, or a
//! `pg_dump`), everything logged at TRACE level during the test, and every response body are
//! searched for each secret, raw and encoded. The only place a secret may appear is the one
//! response that hands it over.

use super::{Browser, PASSWORD, Totp, between, drain_jobs, enrol_totp, link_in_mail, with_mail};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rapport_app::DatabaseTarget;
use rapport_app::auth::mfa::TotpSetup;
use rapport_app::context::OidcProviderConfig;
use rapport_app::mail::{SmtpConfig, SmtpSecurity};
use rapport_app::vault::KeyOwner;
use rapport_domain::{Role, SystemClock};
use rapport_testkit::smtp::SmtpSink;
use rapport_testkit::{TestApp, hidden_value, spawn_app_with};
use rapport_vault::SecretString;
use reqwest::Method;
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

/// A secret: its name, and every form in which finding it would mean it leaked.
struct Secret {
    name: &'static str,
    forms: Vec<Vec<u8>>,
}

impl Secret {
    /// The text itself and its base64 and hex encodings.
    fn text(name: &'static str, text: &str) -> Self {
        let raw = text.as_bytes();
        Self {
            name,
            forms: vec![
                raw.to_vec(),
                STANDARD.encode(raw).into_bytes(),
                URL_SAFE_NO_PAD.encode(raw).into_bytes(),
                hex::encode(raw).into_bytes(),
            ],
        }
    }

    /// Also the raw bytes it encodes (a base32 seed, a base64 key) and their encodings.
    fn with_bytes(mut self, bytes: &[u8]) -> Self {
        self.forms.extend([
            bytes.to_vec(),
            hex::encode(bytes).into_bytes(),
            STANDARD.encode(bytes).into_bytes(),
            URL_SAFE_NO_PAD.encode(bytes).into_bytes(),
        ]);
        self
    }

    fn found_in(&self, haystack: &[u8]) -> bool {
        self.forms
            .iter()
            .any(|f| haystack.windows(f.len()).any(|w| w == f.as_slice()))
    }
}

/// Every response body seen, with the secrets it is the one place to show.
#[derive(Default)]
struct Trail(Vec<(String, String, Vec<&'static str>)>);

impl Trail {
    async fn take(&mut self, what: &str, res: reqwest::Response, shows: &[&'static str]) -> String {
        let body = super::body_text(res).await;
        self.0.push((what.to_owned(), body.clone(), shows.to_vec()));
        body
    }

    fn keep(&mut self, what: &str, body: &str, shows: &[&'static str]) {
        self.0
            .push((what.to_owned(), body.to_owned(), shows.to_vec()));
    }
}

/// Everything logged on this test's thread (the test runtime runs the server's tasks too).
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

/// A subscriber that writes down every field of every span and event, at every level. It
/// keeps no span state, so spans that travel to other threads (SQLite's workers) are harmless.
struct Capture {
    logs: Logs,
    next_id: std::sync::atomic::AtomicU64,
}

/// Writes `name=value` for each field.
struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }
}

impl Capture {
    fn write(&self, line: String) {
        let mut logs = self.logs.0.lock().unwrap();
        logs.extend_from_slice(line.as_bytes());
        logs.push(b'\n');
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, meta: &tracing::Metadata<'_>) -> bool {
        // The HTTP client's own logging is the test's, not the product's.
        !meta.target().starts_with("reqwest") && !meta.target().starts_with("hyper_util")
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }

    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let meta = span.metadata();
        let mut line = format!("{} {} span {}", meta.level(), meta.target(), meta.name());
        span.record(&mut Fields(&mut line));
        self.write(line);
        let id = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tracing::span::Id::from_u64(id + 1)
    }

    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut line = String::from("record");
        values.record(&mut Fields(&mut line));
        self.write(line);
    }

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let meta = event.metadata();
        let mut line = format!("{} {}", meta.level(), meta.target());
        event.record(&mut Fields(&mut line));
        self.write(line);
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

/// Captures every span and event, at TRACE level, made on this thread.
fn capture_logs() -> (Logs, tracing::subscriber::DefaultGuard) {
    let logs = Logs::default();
    let capture = Capture {
        logs: logs.clone(),
        next_id: Default::default(),
    };
    (logs, tracing::subscriber::set_default(capture))
}

/// The database's bytes: the SQLite files (with the WAL), or a dump of the PostgreSQL database.
fn database_bytes(t: &TestApp) -> Vec<u8> {
    match &t.db.target {
        DatabaseTarget::Sqlite { path, .. } => {
            let dir = path.parent().unwrap();
            let mut bytes = Vec::new();
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_file() {
                    bytes.extend(std::fs::read(&path).unwrap());
                }
            }
            assert!(bytes.len() > 4096, "read the database files");
            bytes
        }
        DatabaseTarget::Postgres { url } => {
            let out = std::process::Command::new("pg_dump")
                .arg("--dbname")
                .arg(url)
                .output()
                .expect("pg_dump runs");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                String::from_utf8_lossy(&out.stdout).contains("audit_log"),
                "the dump holds the tables"
            );
            out.stdout
        }
    }
}

#[tokio::test]
async fn pp_c1_no_plaintext_secret_in_database_logs_or_api() {
    let (logs, _guard) = capture_logs();
    let sink = SmtpSink::start().await;
    let t = spawn_app_with(with_mail(&sink), Arc::new(SystemClock)).await;
    let mut trail = Trail::default();
    let owner = t.create_org_with("Cipher Org", Role::Owner).await;
    let member = t.add_member(owner.org_id, Role::Agent).await;
    let ob = Browser::sign_in(&t, &owner).await;

    // The authenticator app: the seed is shown while setting it up, the recovery codes once.
    let Totp {
        mut codes,
        secret: seed,
        recovery,
        setup_page,
        codes_page,
    } = enrol_totp(&t, &ob).await;
    trail.keep("GET /settings/security/totp", &setup_page, &["totp seed"]);
    trail.keep(
        "POST /settings/security/totp",
        &codes_page,
        &["recovery code"],
    );

    // API tokens: from the API and from the page, each secret shown in its creation response.
    let res = ob
        .api(
            &t,
            Method::POST,
            "/tokens",
            Some(json!({ "name": "cipher api" })),
        )
        .await;
    assert_eq!(res.status(), 201);
    let created: Value =
        serde_json::from_str(&trail.take("POST /api/v1/tokens", res, &["api token"]).await)
            .unwrap();
    let api_token = created["secret"].as_str().unwrap().to_owned();
    let res = ob
        .form(
            &t,
            "/settings/tokens",
            &[("name", "cipher page"), ("expiry", "90")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let page = trail
        .take("POST /settings/tokens", res, &["page token"])
        .await;
    let page_token = between(&page, "data-testid=\"token-secret\">", "<").unwrap();

    // An invitation and a password reset, both mailed (the mail is the one place for the link).
    let res = ob
        .form(
            &t,
            "/admin/members/invite",
            &[("email", "invitee@example.test"), ("role", "agent")],
        )
        .await;
    assert_eq!(res.status(), 303);
    trail.take("POST /admin/members/invite", res, &[]).await;
    let anon = t.browser();
    let res = anon.get(t.url("/forgot")).send().await.unwrap();
    let forgot = trail.take("GET /forgot", res, &[]).await;
    let csrf = hidden_value(&forgot, "_csrf").unwrap();
    let res = anon
        .post(t.url("/forgot"))
        .form(&[("_csrf", csrf.as_str()), ("email", member.email.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    trail.take("POST /forgot", res, &[]).await;
    drain_jobs(&t).await;
    let invite_token = link_in_mail(&sink, "invitee@example.test", "/invite/").await;
    let reset_token = link_in_mail(&sink, &member.email, "/reset/").await;

    // Use every secret, so each path that handles one runs (and logs) at least once.
    let invitee = t.browser();
    let res = invitee
        .get(t.url(&format!("/invite/{invite_token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // The page posts back to its own address, so it carries the link it was opened with.
    let html = trail
        .take("GET /invite/{token}", res, &["invitation link"])
        .await;
    let csrf = hidden_value(&html, "_csrf").unwrap();
    let res = invitee
        .post(t.url(&format!("/invite/{invite_token}")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "Ivy Invitee"),
            ("password", PASSWORD),
            ("time_zone", "UTC"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    trail
        .take("POST /invite/{token}", res, &["invitation link"])
        .await;

    let resetter = t.browser();
    let res = resetter
        .get(t.url(&format!("/reset/{reset_token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = trail.take("GET /reset/{token}", res, &["reset link"]).await;
    let csrf = hidden_value(&html, "_csrf").unwrap();
    let new_password = "a brand new passphrase";
    let res = resetter
        .post(t.url(&format!("/reset/{reset_token}")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("password", new_password),
            ("confirm", new_password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    trail
        .take("POST /reset/{token}", res, &["reset link"])
        .await;

    for bearer in [&api_token, &page_token] {
        let res = t
            .client()
            .get(t.url("/api/v1/me"))
            .bearer_auth(bearer)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        trail.take("GET /api/v1/me (token)", res, &[]).await;
    }

    // Sign in with the authenticator and with a recovery code; keep the session cookie.
    let mut session_token = String::new();
    for code in [codes.next().await, recovery[0].clone()] {
        let res = t
            .client()
            .post(t.url("/api/v1/auth/login"))
            .json(&json!({ "email": owner.email, "password": PASSWORD, "code": code }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        session_token = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("rapport_session="))
            .and_then(|c| c.split(';').next())
            .unwrap()
            .to_owned();
        trail.take("POST /api/v1/auth/login", res, &[]).await;
    }

    // An integration-like secret, sealed by the vault under the org's key.
    let marker = format!("c1-marker-{}", uuid::Uuid::now_v7().simple());
    let conn = t.app.db().conn();
    let owner_key = KeyOwner::Org(owner.org_id);
    let sealed = t
        .app
        .vault()
        .seal(
            conn,
            owner_key,
            "integration:c1",
            &SecretString::from(marker.clone()),
        )
        .await
        .unwrap();
    let opened = t
        .app
        .vault()
        .open(conn, owner_key, "integration:c1", &sealed)
        .await
        .unwrap();
    assert_eq!(
        rapport_app::vault::reveal(&opened),
        marker,
        "sealed, then opened"
    );

    // Every page and API read the owner can open, and the API reads as the token.
    let mut reads: Vec<String> = rapport_web::ui_route_table()
        .into_iter()
        .filter(|(m, p)| *m == Method::GET && !p.contains('{'))
        .map(|(_, p)| p.to_owned())
        .collect();
    let spec: Value = t
        .client()
        .get(t.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let api_reads: Vec<String> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(p, item)| !p.contains('{') && item.get("get").is_some())
        .map(|(p, _)| format!("/api/v1{p}"))
        .collect();
    reads.extend(api_reads.iter().cloned());
    assert!(reads.len() > 25, "{reads:?}");
    for path in &reads {
        let res = ob.client.get(t.url(path)).send().await.unwrap();
        trail.take(&format!("GET {path}"), res, &[]).await;
    }
    for path in &api_reads {
        let res = t
            .client()
            .get(t.url(path))
            .bearer_auth(&api_token)
            .send()
            .await
            .unwrap();
        trail.take(&format!("GET {path} (token)"), res, &[]).await;
    }
    // The key-encryption key lives in a file outside the database.
    let kek_file = t.keys.path().join("keys").join("current.key");
    let kek_text = std::fs::read_to_string(&kek_file).unwrap();
    let kek_bytes = STANDARD.decode(kek_text.trim()).unwrap();
    let seed_bytes = totp_rs::Secret::try_from_base32(&seed)
        .unwrap()
        .as_bytes()
        .to_vec();

    let mut secrets = vec![
        Secret::text("totp seed", &seed).with_bytes(&seed_bytes),
        Secret::text("api token", &api_token),
        Secret::text("page token", &page_token),
        Secret::text("invitation link", &invite_token),
        Secret::text("reset link", &reset_token),
        Secret::text("session", &session_token),
        Secret::text("vault marker", &marker),
        Secret::text("key-encryption key", kek_text.trim()).with_bytes(&kek_bytes),
    ];
    for code in &recovery {
        secrets.push(Secret::text("recovery code", code));
        secrets.push(Secret::text("recovery code", &code.replace('-', "")));
    }

    let mut leaks = Vec::new();
    // The sealed form.
    for s in &secrets {
        if s.found_in(sealed.as_bytes()) {
            leaks.push(format!("the sealed value shows the {}", s.name));
        }
    }
    // Every response.
    for (what, body, shows) in &trail.0 {
        for s in secrets.iter().filter(|s| !shows.contains(&s.name)) {
            if s.found_in(body.as_bytes()) {
                leaks.push(format!("{what} shows the {}", s.name));
            }
        }
    }
    // The logs.
    let log = logs.0.lock().unwrap().clone();
    assert!(
        String::from_utf8_lossy(&log).contains("/settings/security/totp"),
        "requests were logged"
    );
    for s in &secrets {
        if s.found_in(&log) {
            let text = String::from_utf8_lossy(&log);
            let line = text
                .lines()
                .find(|l| s.found_in(l.as_bytes()))
                .unwrap_or_default();
            leaks.push(format!("the logs show the {}: {line}", s.name));
        }
    }
    // The database.
    let db = database_bytes(&t);
    for s in &secrets {
        if s.found_in(&db) {
            leaks.push(format!("the database holds the {} in plaintext", s.name));
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));

    // The digests a lookup needs are there; the secrets themselves are not.
    assert!(
        db.windows(64)
            .any(|w| w == super::digest(&api_token).as_bytes()),
        "the token's SHA-256 is stored"
    );
    debug_never_shows_secrets(&t, &kek_text);
}

/// Configuration and key holders print without their secrets.
fn debug_never_shows_secrets(t: &TestApp, kek: &str) {
    let smtp = SmtpConfig {
        host: "smtp.example.test".into(),
        port: 587,
        security: SmtpSecurity::StartTls,
        username: Some("mailer".into()),
        password: Some(SecretString::from("smtp-password-marker".to_owned())),
        from: "Rapport <no-reply@example.test>".into(),
    };
    let oidc = OidcProviderConfig {
        id: "corp".into(),
        name: "Corp".into(),
        issuer: "https://id.example.test".into(),
        client_id: "rapport".into(),
        client_secret: SecretString::from("oidc-secret-marker".to_owned()),
    };
    let totp = TotpSetup {
        secret: SecretString::from("JBSWY3DPEHPK3PXPTOTPMARKER".to_owned()),
        url: SecretString::from("otpauth://totp/x?secret=JBSWY3DPEHPK3PXPTOTPMARKER".to_owned()),
        qr_svg: String::new(),
    };
    let config = rapport_app::AppConfig {
        smtp: Some(smtp.clone()),
        oidc: vec![oidc.clone()],
        ..rapport_app::AppConfig::default()
    };
    let printed = [
        format!("{smtp:?}"),
        format!("{oidc:?}"),
        format!("{totp:?}"),
        format!("{config:?}"),
        format!("{:?}", t.app.vault()),
        format!("{:?}", t.app),
    ];
    for text in printed {
        for secret in [
            "smtp-password-marker",
            "oidc-secret-marker",
            "TOTPMARKER",
            kek.trim(),
        ] {
            assert!(!text.contains(secret), "{text} shows {secret}");
        }
    }
}
