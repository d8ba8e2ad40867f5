//! `App`: the handle every use case hangs off (database, clock, queue, event bus, vault,
//! settings).

use crate::blobs::BlobStore;
use crate::error::{AppError, AppResult};
use crate::events::EventBus;
use crate::realtime::Realtime;
use crate::vault::Vault;
use rapport_domain::Clock;
use rapport_jobs::Queue;
use rapport_store::Db;
use std::sync::Arc;
use std::time::Duration;

pub use crate::auth::oidc::OidcProviderConfig;
pub use crate::mail::{SmtpConfig, SmtpSecurity};

/// Settings the use cases need (the binary builds them from its configuration).
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however active.
    pub session_absolute: Duration,
    /// How often pending outbox events are dispatched.
    pub outbox_interval: Duration,
    /// How long finished jobs and dispatched outbox events are kept for inspection.
    pub keep_done_jobs: Duration,
    /// Concurrent job workers in this process.
    pub workers: usize,
    /// The address users reach this instance at (links in emails, WebAuthn origin, OIDC
    /// redirects), without a trailing slash, e.g. `https://support.example.com`.
    pub public_url: String,
    /// Outgoing mail; `None` means password-reset and invitation mail cannot be sent (the UI
    /// then shows invitation links to copy instead).
    pub smtp: Option<SmtpConfig>,
    /// Sign-in providers.
    pub oidc: Vec<OidcProviderConfig>,
    /// Failed sign-ins per account before a lock, within `throttle_window`.
    pub max_failures_per_account: i32,
    /// Failed sign-ins per IP address before a lock, within `throttle_window`.
    pub max_failures_per_ip: i32,
    /// The window failures are counted in.
    pub throttle_window: Duration,
    /// How long a lock lasts.
    pub lockout: Duration,
    /// Where attachments are kept, encrypted (`<data_dir>/blobs`; a shared directory when
    /// several processes serve one database).
    pub blob_dir: std::path::PathBuf,
    /// Which targets outbound calls to user-given addresses (webhooks) may reach: public
    /// addresses only, unless the operator allows private ones.
    pub egress: rapport_egress::EgressPolicy,
    /// How long one outbound call may take in all.
    pub egress_timeout: Duration,
    /// How long a mailbox reader's lease lasts without renewal (it is renewed at a third of
    /// it): after a crash, another process takes the mailbox over within this time.
    pub mail_lease: Duration,
    /// Providers whose accounts can be connected with OAuth (Gmail, Microsoft 365 mailboxes).
    pub mail_oauth: Vec<rapport_integrations::oauth::OAuthProvider>,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            session_idle: Duration::from_secs(8 * 3600),
            session_absolute: Duration::from_secs(14 * 24 * 3600),
            outbox_interval: Duration::from_secs(1),
            keep_done_jobs: Duration::from_secs(24 * 3600),
            workers: 2,
            public_url: "http://localhost:8080".into(),
            smtp: None,
            oidc: Vec::new(),
            max_failures_per_account: 5,
            max_failures_per_ip: 50,
            throttle_window: Duration::from_secs(15 * 60),
            lockout: Duration::from_secs(15 * 60),
            blob_dir: std::path::PathBuf::from("./rapport-data/blobs"),
            egress: rapport_egress::EgressPolicy::default(),
            egress_timeout: Duration::from_secs(10),
            mail_lease: Duration::from_secs(90),
            mail_oauth: Vec::new(),
        }
    }
}

/// The application: cheap to clone, shared by every request and job.
#[derive(Debug, Clone)]
pub struct App {
    db: Db,
    clock: Arc<dyn Clock>,
    queue: Queue,
    events: EventBus,
    realtime: Realtime,
    vault: Arc<Vault>,
    blobs: BlobStore,
    config: Arc<AppConfig>,
    webauthn: Option<Arc<webauthn_rs::Webauthn>>,
    /// Built on first use (building it can fail only if TLS cannot initialise, which is then
    /// reported by the call that needed it).
    egress:
        Arc<std::sync::OnceLock<Result<rapport_egress::EgressClient, rapport_egress::EgressError>>>,
    /// SQLite only: the thread ingest's write transactions run on.
    lane: Option<crate::writer_lane::WriterLane>,
}

impl App {
    /// Assembles the application over an open, migrated database and an open vault.
    pub fn new(db: Db, clock: Arc<dyn Clock>, vault: Vault, config: AppConfig) -> Self {
        // One TLS crypto provider for every client (OIDC, later integrations); a second call
        // finds it installed, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let queue = Queue::new(db.clone(), clock.clone());
        let webauthn = crate::auth::webauthn::build(&config.public_url).map(Arc::new);
        let lane = match db.backend() {
            rapport_store::Backend::Sqlite => crate::writer_lane::WriterLane::start(),
            rapport_store::Backend::Postgres => None,
        };
        Self {
            db,
            clock,
            queue,
            events: EventBus::new(),
            realtime: Realtime::new(),
            vault: Arc::new(vault),
            blobs: BlobStore::new(config.blob_dir.clone()),
            config: Arc::new(config),
            webauthn,
            egress: Arc::default(),
            lane,
        }
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The job queue.
    pub fn queue(&self) -> &Queue {
        &self.queue
    }

    /// In-process subscribers to dispatched domain events (realtime fan-out).
    pub fn events(&self) -> &EventBus {
        &self.events
    }

    /// Live signals for agents' open screens.
    pub fn realtime(&self) -> &Realtime {
        &self.realtime
    }

    /// The vault.
    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// The SQLite writer lane (none on PostgreSQL).
    pub(crate) fn writer_lane(&self) -> Option<&crate::writer_lane::WriterLane> {
        self.lane.as_ref()
    }

    /// The guarded client for calls to user-given addresses.
    pub fn egress(&self) -> AppResult<&rapport_egress::EgressClient> {
        self.egress
            .get_or_init(|| {
                rapport_egress::EgressClient::new(
                    self.config.egress.clone(),
                    self.config.egress_timeout,
                )
            })
            .as_ref()
            .map_err(|e| AppError::Internal(format!("outbound HTTP client: {e}")))
    }

    /// Where attachments' encrypted bytes are kept.
    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    /// Settings.
    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    /// An absolute link to `path` (which starts with `/`) on this instance.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.config.public_url.trim_end_matches('/'))
    }

    /// The WebAuthn relying party, when the public URL allows one (a domain name, not an IP).
    pub(crate) fn webauthn(&self) -> Option<&webauthn_rs::Webauthn> {
        self.webauthn.as_deref()
    }
}
