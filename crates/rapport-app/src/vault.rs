//! The application's vault: where the key-encryption key comes from, the per-org and
//! per-subject data keys (stored wrapped in `data_keys`, cached unwrapped in memory), sealing
//! and opening secrets for the store, key rotation and crypto-shredding.

mod blob_keys;
mod mail_key;
mod webhook_key;

use crate::error::{AppError, AppResult};
use rapport_domain::OrgId;
use rapport_store::repo::data_keys;
use rapport_store::{ConnectionTrait, Db};
use rapport_vault::{
    DataKey, ExposeSecret, KeyRing, LocalKek, Sealed, SecretString, VaultError, WrappedKey,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

/// Where the key-encryption key lives.
#[derive(Debug, Clone)]
pub enum KekSource {
    /// A directory holding `current.key` (created 0600 on first start) and, during a
    /// rotation, `previous-<id>.key` files.
    KeyDir(PathBuf),
    /// Keys given by the operator (e.g. `RAPPORT_KEK`, base64): the current one and older
    /// ones still needed to read keys not yet rewrapped.
    Given {
        /// Base64 of the current KEK.
        current: String,
        /// Base64 of older KEKs.
        previous: Vec<String>,
    },
}

/// Whose data key seals a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyOwner {
    /// The instance itself (audit MAC key, sign-in state, queued mail).
    System,
    /// One org's secrets (integration tokens, TOTP seeds of its members…).
    Org(OrgId),
}

impl KeyOwner {
    fn org(self) -> Option<OrgId> {
        match self {
            Self::System => None,
            Self::Org(org) => Some(org),
        }
    }
}

/// A data key's name: its org (none for system keys) and subject.
type KeyName = (Option<OrgId>, String);

/// Envelope encryption for everything Rapport stores secretly.
pub struct Vault {
    source: KekSource,
    ring: RwLock<Arc<KeyRing>>,
    cache: Mutex<HashMap<KeyName, Arc<DataKey>>>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").finish_non_exhaustive()
    }
}

fn vault_err(e: VaultError) -> AppError {
    AppError::Internal(format!("vault: {e}"))
}

const CURRENT: &str = "current.key";

fn load_ring(source: &KekSource) -> Result<KeyRing, VaultError> {
    match source {
        KekSource::KeyDir(dir) => {
            let current = LocalKek::load_or_create(dir.join(CURRENT))?;
            let mut ring = KeyRing::new(Arc::new(current));
            for path in previous_key_files(dir) {
                ring = ring.with_older(Arc::new(LocalKek::from_file(path)?));
            }
            Ok(ring)
        }
        KekSource::Given { current, previous } => {
            let mut ring = KeyRing::new(Arc::new(LocalKek::from_base64(current)?));
            for key in previous {
                ring = ring.with_older(Arc::new(LocalKek::from_base64(key)?));
            }
            Ok(ring)
        }
    }
}

fn previous_key_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("previous-") && n.ends_with(".key"))
        })
        .collect();
    files.sort();
    files
}

/// What a key rotation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    /// Data keys rewrapped under the new KEK.
    pub rewrapped: usize,
    /// Data keys that were already under it.
    pub unchanged: usize,
}

impl Vault {
    /// Opens the key ring (creating the local key file on first start).
    pub fn load(source: KekSource) -> AppResult<Self> {
        let ring = load_ring(&source).map_err(vault_err)?;
        Ok(Self {
            source,
            ring: RwLock::new(Arc::new(ring)),
            cache: Mutex::new(HashMap::new()),
        })
    }

    fn ring(&self) -> Arc<KeyRing> {
        match self.ring.read() {
            Ok(r) => r.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Re-reads the key files: another process (`rapport admin rotate-keys`) may have
    /// installed a new KEK while this one runs.
    fn reload(&self) -> AppResult<Arc<KeyRing>> {
        let ring = Arc::new(load_ring(&self.source).map_err(vault_err)?);
        match self.ring.write() {
            Ok(mut slot) => *slot = ring.clone(),
            Err(poisoned) => *poisoned.into_inner() = ring.clone(),
        }
        Ok(ring)
    }

    async fn unwrap(&self, wrapped: &WrappedKey) -> AppResult<DataKey> {
        match self.ring().unwrap_key(wrapped).await {
            Err(VaultError::UnknownKek(_)) => {
                self.reload()?.unwrap_key(wrapped).await.map_err(vault_err)
            }
            other => other.map_err(vault_err),
        }
    }

    fn cached(&self, key: &KeyName) -> Option<Arc<DataKey>> {
        self.cache.lock().ok().and_then(|c| c.get(key).cloned())
    }

    /// The data key of (owner, subject), created on first use.
    async fn data_key(
        &self,
        db: &impl ConnectionTrait,
        org: Option<OrgId>,
        subject: &str,
    ) -> AppResult<Arc<DataKey>> {
        self.data_key_for(db, org, subject, true).await
    }

    /// The data key of (owner, subject); with `create` false a missing key is `NotFound`
    /// (opening never makes a key: a shredded subject stays unreadable).
    async fn data_key_for(
        &self,
        db: &impl ConnectionTrait,
        org: Option<OrgId>,
        subject: &str,
        create: bool,
    ) -> AppResult<Arc<DataKey>> {
        let cache_key = (org, subject.to_owned());
        if let Some(dek) = self.cached(&cache_key) {
            return Ok(dek);
        }
        let row = match data_keys::find(db, org, subject).await? {
            Some(row) => row,
            None if !create => return Err(AppError::NotFound),
            None => {
                // Re-read the key files first: `rotate-keys` may have installed a new KEK since
                // this process started, and new keys must not be wrapped by a retiring one.
                let ring = self.reload()?;
                let (_, wrapped) = ring.new_data_key().await.map_err(vault_err)?;
                let now = chrono::Utc::now();
                data_keys::insert_or_get(
                    db,
                    org,
                    subject,
                    &wrapped.kek_id,
                    wrapped.to_string(),
                    now,
                )
                .await?
            }
        };
        let wrapped: WrappedKey = row.wrapped.parse().map_err(vault_err)?;
        let dek = Arc::new(self.unwrap(&wrapped).await?);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(cache_key, dek.clone());
        }
        Ok(dek)
    }

    /// Seals `secret` under the owner's key. `aad` binds the ciphertext to the row and
    /// purpose it is stored for (`user_totp:<user id>`), so it cannot be moved elsewhere.
    pub async fn seal(
        &self,
        db: &impl ConnectionTrait,
        owner: KeyOwner,
        aad: &str,
        secret: &SecretString,
    ) -> AppResult<String> {
        self.seal_subject(db, owner, "main", aad, secret).await
    }

    /// Opens what [`Vault::seal`] sealed with the same owner and `aad`.
    pub async fn open(
        &self,
        db: &impl ConnectionTrait,
        owner: KeyOwner,
        aad: &str,
        sealed: &str,
    ) -> AppResult<SecretString> {
        self.open_subject(db, owner, "main", aad, sealed).await
    }

    /// Seals under a per-subject key (`contact:<id>`) that erasure can destroy.
    pub async fn seal_subject(
        &self,
        db: &impl ConnectionTrait,
        owner: KeyOwner,
        subject: &str,
        aad: &str,
        secret: &SecretString,
    ) -> AppResult<String> {
        let dek = self.data_key(db, owner.org(), subject).await?;
        let sealed = rapport_vault::seal_str(&dek, secret, aad.as_bytes()).map_err(vault_err)?;
        Ok(sealed.to_string())
    }

    /// Opens a value sealed under a per-subject key. A shredded key is `NotFound`.
    pub async fn open_subject(
        &self,
        db: &impl ConnectionTrait,
        owner: KeyOwner,
        subject: &str,
        aad: &str,
        sealed: &str,
    ) -> AppResult<SecretString> {
        let dek = self.data_key_for(db, owner.org(), subject, false).await?;
        let sealed: Sealed = sealed.parse().map_err(vault_err)?;
        rapport_vault::open_string(&dek, &sealed, aad.as_bytes()).map_err(vault_err)
    }

    /// Key material for a MAC (the audit chain): derived from a system data key, so it lives
    /// under the KEK (outside the database) and survives KEK rotation unchanged.
    pub async fn mac_key(&self, db: &impl ConnectionTrait, purpose: &str) -> AppResult<Vec<u8>> {
        use hmac::{Hmac, Mac};
        let dek = self
            .data_key(db, None, &format!("system:{purpose}"))
            .await?;
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(dek.expose_secret())
            .map_err(|e| AppError::Internal(format!("mac key: {e}")))?;
        mac.update(purpose.as_bytes());
        Ok(mac.finalize().into_bytes().to_vec())
    }

    /// Destroys the key of (owner, subject): what it sealed can never be read again.
    pub async fn shred(
        &self,
        db: &impl ConnectionTrait,
        owner: KeyOwner,
        subject: &str,
    ) -> AppResult<bool> {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(&(owner.org(), subject.to_owned()));
        }
        Ok(data_keys::destroy(db, owner.org(), subject).await?)
    }

    /// Rewraps every stored data key under the current KEK (after a new KEK was installed).
    pub async fn rewrap_all(&self, db: &Db) -> AppResult<Rotation> {
        let ring = self.reload()?;
        let mut report = Rotation {
            rewrapped: 0,
            unchanged: 0,
        };
        for row in data_keys::all(db.conn()).await? {
            let wrapped: WrappedKey = row.wrapped.parse().map_err(vault_err)?;
            if !ring.needs_rewrap(&wrapped) {
                report.unchanged += 1;
                continue;
            }
            let rewrapped = ring.rewrap(&wrapped).await.map_err(vault_err)?;
            data_keys::rewrap(
                db.conn(),
                row.id,
                &rewrapped.kek_id,
                rewrapped.to_string(),
                chrono::Utc::now(),
            )
            .await?;
            report.rewrapped += 1;
        }
        Ok(report)
    }

    /// Installs a new local KEK (key-dir source only): the old one is kept as
    /// `previous-<id>.key` until [`Vault::retire_previous`].
    pub fn install_new_kek(&self) -> AppResult<String> {
        let KekSource::KeyDir(dir) = &self.source else {
            return Err(AppError::Conflict(
                "the KEK is given by the operator (RAPPORT_KEK): set the new key as RAPPORT_KEK, \
                 the old one in RAPPORT_KEK_PREVIOUS (comma-separated), then run rotate-keys again"
                    .into(),
            ));
        };
        let old_id = self.ring().current_id().to_owned();
        let current = dir.join(CURRENT);
        let previous = dir.join(format!("previous-{old_id}.key"));
        std::fs::rename(&current, &previous)
            .map_err(|e| AppError::Internal(format!("moving the old key file: {e}")))?;
        let ring = self.reload()?;
        Ok(ring.current_id().to_owned())
    }

    /// Deletes the retired key files once every data key is under the current KEK.
    pub fn retire_previous(&self) -> AppResult<usize> {
        let KekSource::KeyDir(dir) = &self.source else {
            return Ok(0);
        };
        let files = previous_key_files(dir);
        for f in &files {
            std::fs::remove_file(f)
                .map_err(|e| AppError::Internal(format!("removing {}: {e}", f.display())))?;
        }
        self.reload()?;
        Ok(files.len())
    }

    /// The current KEK's id (for status output).
    pub fn current_kek_id(&self) -> String {
        self.ring().current_id().to_owned()
    }
}

/// Reveals a secret for the one call that needs it (kept here so the `expose_secret` sites
/// are few and greppable).
pub fn reveal(secret: &SecretString) -> &str {
    secret.expose_secret()
}
