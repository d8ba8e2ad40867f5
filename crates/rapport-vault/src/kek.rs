//! Key-encryption keys: the [`KekProvider`] trait and the [`KeyRing`] used for rotation.
//!
//! A KEK never encrypts data, only data keys. It lives outside the database: a local key file
//! ([`LocalKek`](crate::LocalKek)) by default, or a KMS behind a plug-in implementing
//! [`KekProvider`].
//!
//! # Rotating the KEK without downtime
//!
//! 1. Start with a key ring whose current KEK is the new one and whose older KEKs include the
//!    old one. Reads work at once, since [`KeyRing::unwrap_key`] picks the KEK by the id stored
//!    in each [`WrappedKey`]; new data keys are wrapped under the new KEK.
//! 2. In the background, for every stored wrapped key where [`KeyRing::needs_rewrap`] holds,
//!    store [`KeyRing::rewrap`]'s result. Data sealed under the data key is untouched.
//! 3. Once nothing needs rewrapping, drop the old KEK from the ring (and destroy it).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use crate::dek::DataKey;
use crate::error::{VaultError, VaultResult};
use crate::wrapped::WrappedKey;

/// Something that wraps and unwraps data keys under one key-encryption key: the local key
/// file, or a KMS plug-in.
#[async_trait]
pub trait KekProvider: Send + Sync {
    /// Stable id of this KEK, stored in every [`WrappedKey`] it makes. It must not reveal the
    /// key, must be unique among the KEKs in use and must not contain whitespace.
    fn id(&self) -> &str;

    /// Encrypts `dek` under this KEK.
    async fn wrap_key(&self, dek: &DataKey) -> VaultResult<WrappedKey>;

    /// Decrypts a key this KEK wrapped. A key with another `kek_id` must be refused with
    /// [`VaultError::UnknownKek`].
    async fn unwrap_key(&self, wrapped: &WrappedKey) -> VaultResult<DataKey>;
}

/// The current KEK plus older ones kept for reading during a rotation.
///
/// Cheap to clone; share one per process.
#[derive(Clone)]
pub struct KeyRing {
    current: Arc<dyn KekProvider>,
    older: Vec<Arc<dyn KekProvider>>,
}

impl KeyRing {
    /// A ring with only `current`.
    pub fn new(current: Arc<dyn KekProvider>) -> Self {
        Self {
            current,
            older: Vec::new(),
        }
    }

    /// Adds an older KEK that can still unwrap, but no longer wraps.
    pub fn with_older(mut self, older: Arc<dyn KekProvider>) -> Self {
        self.older.push(older);
        self
    }

    /// Id of the KEK that wraps new keys.
    pub fn current_id(&self) -> &str {
        self.current.id()
    }

    /// Generates a data key (for an org or a subject) and wraps it under the current KEK.
    /// Store the [`WrappedKey`]; use the [`DataKey`].
    pub async fn new_data_key(&self) -> VaultResult<(DataKey, WrappedKey)> {
        let dek = DataKey::generate()?;
        let wrapped = self.wrap_key(&dek).await?;
        Ok((dek, wrapped))
    }

    /// Wraps `dek` under the current KEK.
    pub async fn wrap_key(&self, dek: &DataKey) -> VaultResult<WrappedKey> {
        self.current.wrap_key(dek).await
    }

    /// Unwraps with whichever KEK in the ring `wrapped.kek_id` names.
    pub async fn unwrap_key(&self, wrapped: &WrappedKey) -> VaultResult<DataKey> {
        self.provider(&wrapped.kek_id)?.unwrap_key(wrapped).await
    }

    /// Whether `wrapped` was made by a KEK other than the current one.
    pub fn needs_rewrap(&self, wrapped: &WrappedKey) -> bool {
        wrapped.kek_id != self.current.id()
    }

    /// The same data key wrapped under the current KEK. A key already wrapped under it comes
    /// back unchanged, without a call to the provider.
    pub async fn rewrap(&self, wrapped: &WrappedKey) -> VaultResult<WrappedKey> {
        if !self.needs_rewrap(wrapped) {
            return Ok(wrapped.clone());
        }
        let dek = self.unwrap_key(wrapped).await?;
        self.wrap_key(&dek).await
    }

    fn provider(&self, kek_id: &str) -> VaultResult<&dyn KekProvider> {
        std::iter::once(&self.current)
            .chain(&self.older)
            .find(|p| p.id() == kek_id)
            .map(|p| &**p)
            .ok_or_else(|| VaultError::UnknownKek(kek_id.to_owned()))
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("current", &self.current.id())
            .field(
                "older",
                &self.older.iter().map(|p| p.id()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;
    use crate::local_kek::LocalKek;

    fn kek() -> Arc<dyn KekProvider> {
        Arc::new(LocalKek::generate_for_tests())
    }

    #[tokio::test]
    async fn wrap_unwrap_round_trip() {
        let ring = KeyRing::new(kek());
        let (dek, wrapped) = ring.new_data_key().await.unwrap();
        assert_eq!(wrapped.kek_id, ring.current_id());
        let text = wrapped.to_string();
        let back = ring.unwrap_key(&text.parse().unwrap()).await.unwrap();
        assert_eq!(back.expose_secret(), dek.expose_secret());
    }

    #[tokio::test]
    async fn rewrap_moves_key_to_new_kek() {
        let old = kek();
        let new = kek();
        let (dek, wrapped_old) = KeyRing::new(old.clone()).new_data_key().await.unwrap();

        let ring = KeyRing::new(new.clone()).with_older(old.clone());
        assert!(ring.needs_rewrap(&wrapped_old));
        // Before rewrapping, the old wrap still opens.
        let before = ring.unwrap_key(&wrapped_old).await.unwrap();
        assert_eq!(before.expose_secret(), dek.expose_secret());

        let wrapped_new = ring.rewrap(&wrapped_old).await.unwrap();
        assert_eq!(wrapped_new.kek_id, new.id());
        assert!(!ring.needs_rewrap(&wrapped_new));
        assert_eq!(ring.rewrap(&wrapped_new).await.unwrap(), wrapped_new);

        // After rotation completes, the old KEK can go.
        let only_new = KeyRing::new(new);
        let after = only_new.unwrap_key(&wrapped_new).await.unwrap();
        assert_eq!(after.expose_secret(), dek.expose_secret());
        assert!(matches!(
            only_new.unwrap_key(&wrapped_old).await,
            Err(VaultError::UnknownKek(id)) if id == old.id()
        ));
    }

    #[tokio::test]
    async fn unknown_kek_id() {
        let ring = KeyRing::new(kek());
        let (_, mut wrapped) = ring.new_data_key().await.unwrap();
        wrapped.kek_id = "local-ffffffffffffffff".into();
        let err = ring.unwrap_key(&wrapped).await.unwrap_err();
        assert!(matches!(err, VaultError::UnknownKek(ref id) if id == "local-ffffffffffffffff"));
        assert!(err.to_string().contains("local-ffffffffffffffff"));
    }

    #[tokio::test]
    async fn debug_lists_ids_only() {
        let old = kek();
        let ring = KeyRing::new(kek()).with_older(old.clone());
        let debug = format!("{ring:?}");
        assert!(debug.contains(ring.current_id()) && debug.contains(old.id()));
    }
}
