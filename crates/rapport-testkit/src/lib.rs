//! The test harness every Rapport test binary uses.
//!
//! [`spawn_app`] starts the real router on 127.0.0.1 port 0 against a fresh database (SQLite
//! temp file by default; a new PostgreSQL database when `RAPPORT_TEST_DATABASE_URL` is set) and
//! drops it afterwards. [`TestApp`] has helpers to create orgs and users and to sign in as them
//! with a cookie-carrying HTTP client.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test support: failing loudly is the point

use rapport_app::vault::{KekSource, Vault};
use rapport_app::{App, AppConfig};
use rapport_domain::{
    Clock, DisplayName, Email, OrgId, OrgName, OrgSlug, Role, SystemClock, TimeZoneName, UserId,
};
use rapport_store::OrgScope;
use rapport_store::repo::{memberships, orgs, users};
use rapport_store::testing::TestDb;
use std::net::SocketAddr;
use std::sync::Arc;

pub use rapport_store::testing::TestDb as Database;

pub mod imap;
pub mod mail_backlog;
pub mod mail_oauth;
pub mod oidc;
pub mod peer;
pub mod smtp;

/// A running app for one test.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The application (for seeding through use cases).
    pub app: App,
    /// The database (dropped with the app).
    pub db: TestDb,
    /// The directory holding the key-encryption key (dropped with the app).
    pub keys: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
}

/// A created user with the password to sign in with.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// User id.
    pub id: UserId,
    /// Org id.
    pub org_id: OrgId,
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
}

/// Starts the app with default settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(AppConfig::default(), Arc::new(SystemClock)).await
}

/// Starts the app with custom settings and clock.
pub async fn spawn_app_with(config: AppConfig, clock: Arc<dyn Clock>) -> TestApp {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("warn")
        .with_test_writer()
        .try_init();
    let db = TestDb::new().await;
    let keys = tempfile::tempdir().expect("key directory");
    start(db, keys, config, clock).await
}

/// Serves an app over `db` with the key-encryption key in `keys`.
async fn start(
    db: TestDb,
    keys: tempfile::TempDir,
    config: AppConfig,
    clock: Arc<dyn Clock>,
) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let addr = listener.local_addr().expect("local addr");
    let mut config = config;
    if config.public_url == AppConfig::default().public_url {
        // Links in mail and the WebAuthn origin point at this server (`localhost`: WebAuthn
        // needs a domain name, not an IP address).
        config.public_url = format!("http://localhost:{}", addr.port());
    }
    if config.blob_dir == AppConfig::default().blob_dir {
        config.blob_dir = keys.path().join("blobs");
    }
    let vault = Vault::load(KekSource::KeyDir(keys.path().join("keys"))).expect("vault");
    let app = App::new(db.db.clone(), clock, vault, config);
    let router =
        rapport_web::router(app.clone(), &rapport_web::WebConfig::default()).expect("router");
    let server = tokio::spawn(async move {
        axum_serve(listener, router).await;
    });
    TestApp {
        addr,
        base_url: format!("http://{addr}"),
        app,
        db,
        keys,
        server,
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("create key directory");
    for entry in std::fs::read_dir(from).expect("read key directory") {
        let entry = entry.expect("key directory entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy key");
    }
}

async fn axum_serve(listener: tokio::net::TcpListener, router: axum::Router) {
    let _ = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await;
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestApp {
    /// Another server on the same database and key, as a second `serve` process behind a
    /// load balancer would be: its own pool, app, hub and port.
    pub async fn second_process(&self) -> TestApp {
        let keys = tempfile::tempdir().expect("key directory");
        copy_dir(&self.keys.path().join("keys"), &keys.path().join("keys"));
        let mut config = self.app.config().clone();
        config.public_url = AppConfig::default().public_url;
        start(
            self.db.share().await,
            keys,
            config,
            self.app.clock().clone(),
        )
        .await
    }

    /// An absolute URL for `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// A client without cookies that does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        install_tls();
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// A client with a cookie jar that does not follow redirects.
    pub fn browser(&self) -> reqwest::Client {
        install_tls();
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Creates an org with one member of `role` (password `correct horse battery`).
    pub async fn create_org_with(&self, org_name: &str, role: Role) -> TestUser {
        let now = self.app.clock().now();
        let conn = self.db.db.conn();
        let name = OrgName::parse(org_name).unwrap();
        let slug = OrgSlug::parse(&format!(
            "{}-{}",
            OrgSlug::from_name(&name).as_str(),
            &uuid::Uuid::now_v7().simple().to_string()[24..]
        ))
        .unwrap();
        let org = orgs::insert(conn, OrgId::new(), &name, &slug, now)
            .await
            .unwrap();
        self.add_member(org.id, role).await
    }

    /// Adds a new user to `org` with `role`.
    pub async fn add_member(&self, org: OrgId, role: Role) -> TestUser {
        let now = self.app.clock().now();
        let conn = self.db.db.conn();
        let password = "correct horse battery".to_owned();
        let hash =
            rapport_app::auth::password::hash(rapport_domain::Password::parse(&password).unwrap())
                .await
                .unwrap();
        let email = Email::parse(&format!(
            "{}-{}@example.test",
            role.as_str(),
            uuid::Uuid::now_v7().simple()
        ))
        .unwrap();
        let user = users::insert(
            conn,
            users::NewUser {
                id: UserId::new(),
                email: &email,
                name: &DisplayName::parse("Test Person").unwrap(),
                password_hash: Some(hash),
                time_zone: &TimeZoneName::utc(),
                locale: "en",
            },
            now,
        )
        .await
        .unwrap();
        #[allow(clippy::disallowed_methods)] // test seeding stands in for authorization
        let scope = OrgScope::assume_authorized(org);
        memberships::add(conn, scope, user.id, role, None, now)
            .await
            .unwrap();
        TestUser {
            id: user.id,
            org_id: org,
            email: email.to_string(),
            password,
        }
    }

    /// Signs in through the HTML form and returns the cookie-carrying client and the session's
    /// CSRF token (from the page's meta tag).
    pub async fn sign_in(&self, user: &TestUser) -> (reqwest::Client, String) {
        let client = self.browser();
        let page = client
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden_value(&page, "_csrf").expect("login form has a CSRF field");
        let res = client
            .post(self.url("/login"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("email", &user.email),
                ("password", &user.password),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "sign-in should redirect");
        let home = client
            .get(self.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token =
            meta_content(&home, "csrf-token").expect("signed-in pages carry a CSRF meta tag");
        (client, token)
    }
}

/// Installs the TLS crypto provider reqwest needs (the app does this at start-up; a test may
/// build a client first).
pub fn install_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The `value` of `<input … name="NAME" value="…">` in `html`.
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// The `content` of `<meta name="NAME" content="…">` in `html`.
pub fn meta_content(html: &str, name: &str) -> Option<String> {
    let marker = format!("<meta name=\"{name}\" content=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}
