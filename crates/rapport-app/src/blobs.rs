//! The blob store: where attachments' bytes live, already encrypted by the vault, under
//! `<blob_dir>/<org>/<first two hex digits>/<address>`. A file is written to a temporary name,
//! synced, then renamed into place, so a crash never leaves a half-written blob under a real
//! address. Addresses come from the vault (an HMAC of the content), never from a request;
//! they are still checked to be 64 hex digits before they touch a path.
//!
//! One directory serves one node; several `serve` processes share it (a network mount) until
//! an S3-compatible backend joins behind the same three calls.

use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use rapport_domain::OrgId;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Encrypted files on disk, per org, by content address.
#[derive(Debug, Clone)]
pub struct BlobStore {
    dir: PathBuf,
}

fn io_err(what: &str, e: std::io::Error) -> AppError {
    AppError::Internal(format!("blob store: {what}: {e}"))
}

fn valid_address(address: &str) -> AppResult<()> {
    if address.len() == 64 && address.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(AppError::Internal("blob store: malformed address".into()))
    }
}

impl BlobStore {
    /// A store rooted at `dir` (created on first write).
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// Where the blob `address` of `org` is kept.
    pub fn path(&self, org: OrgId, address: &str) -> AppResult<PathBuf> {
        valid_address(address)?;
        Ok(self
            .dir
            .join(org.to_string())
            .join(&address[..2])
            .join(address))
    }

    /// Stores `sealed` under the address (replacing an equal blob: the content is the same, and
    /// a fresh file time keeps it from a sweep that found it unused a moment ago).
    pub async fn write(&self, org: OrgId, address: &str, sealed: Vec<u8>) -> AppResult<()> {
        let path = self.path(org, address)?;
        tokio::task::spawn_blocking(move || write_atomically(&path, &sealed))
            .await
            .map_err(|e| AppError::Internal(format!("blob store: {e}")))?
    }

    /// The sealed bytes at the address; `NotFound` when there are none.
    pub async fn read(&self, org: OrgId, address: &str) -> AppResult<Vec<u8>> {
        let path = self.path(org, address)?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(AppError::NotFound),
            Err(e) => Err(io_err("reading", e)),
        }
    }

    /// Deletes the blob unless it was written within `grace` before `now` (an upload of the
    /// same content may be claiming it right now). Whether it was deleted.
    pub async fn remove_if_older(
        &self,
        org: OrgId,
        address: &str,
        now: DateTime<Utc>,
        grace: chrono::Duration,
    ) -> AppResult<bool> {
        let path = self.path(org, address)?;
        let meta = match tokio::fs::metadata(&path).await {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(io_err("reading metadata", e)),
        };
        let written: Option<DateTime<Utc>> = meta.modified().ok().map(Into::into);
        if written.is_none_or(|t| now - t < grace) {
            return Ok(false);
        }
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_err("removing", e)),
        }
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> AppResult<()> {
    let dir = path
        .parent()
        .ok_or_else(|| AppError::Internal("blob store: no parent directory".into()))?;
    std::fs::create_dir_all(dir).map_err(|e| io_err("creating directory", e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| io_err("temporary file", e))?;
    tmp.write_all(bytes).map_err(|e| io_err("writing", e))?;
    tmp.as_file().sync_all().map_err(|e| io_err("syncing", e))?;
    tmp.persist(path).map_err(|e| io_err("renaming", e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn blobs_round_trip_and_refuse_odd_addresses() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::new(dir.path().to_path_buf());
        let org = OrgId::new();
        let address = "ab".repeat(32);
        store
            .write(org, &address, b"sealed".to_vec())
            .await
            .unwrap();
        assert_eq!(store.read(org, &address).await.unwrap(), b"sealed");
        assert!(matches!(
            store.read(OrgId::new(), &address).await,
            Err(AppError::NotFound)
        ));
        assert!(store.path(org, "../../etc/passwd").is_err());
        let hour = chrono::Duration::hours(1);
        let now = Utc::now();
        assert!(
            !store
                .remove_if_older(org, &address, now, hour)
                .await
                .unwrap()
        );
        let later = now + chrono::Duration::hours(2);
        assert!(
            store
                .remove_if_older(org, &address, later, hour)
                .await
                .unwrap()
        );
        assert!(matches!(
            store.read(org, &address).await,
            Err(AppError::NotFound)
        ));
    }
}
