//! A per-process cache of each org's custom-field definitions. Every filtered list compiles
//! its filter against them, so without it each list request pays one more statement for data
//! that changes a few times a year.
//!
//! Freshness: this process forgets an org's entries as soon as it changes a definition
//! ([`crate::Db::forget_custom_defs`]); another process (several servers on one PostgreSQL)
//! sees the change within [`TTL`]. Until then a filter on a just-created field is refused as
//! unknown, and one on a just-deleted field matches nothing (its values are gone); neither
//! can show data of another org or a wrong value.

use super::fields::{CustomDef, custom_defs};
use crate::error::StoreResult;
use crate::scope::OrgScope;
use rapport_domain::crm::RecordType;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How long another process's change may go unseen.
pub const TTL: Duration = Duration::from_secs(5);
/// Entries kept before the cache starts over (bounds memory with many orgs).
const MAX_ENTRIES: usize = 4096;

type Key = (uuid::Uuid, RecordType);

#[derive(Debug)]
struct Entry {
    loaded: Instant,
    defs: Arc<Vec<CustomDef>>,
}

/// The cache (one per database handle, shared by its clones).
#[derive(Debug, Default)]
pub struct DefCache {
    entries: RwLock<HashMap<Key, Entry>>,
    /// Bumped by every forget: a load that started before one is not stored.
    generation: AtomicU64,
}

impl DefCache {
    fn fresh(&self, key: &Key) -> Option<Arc<Vec<CustomDef>>> {
        let entries = self.entries.read().ok()?;
        let entry = entries.get(key)?;
        (entry.loaded.elapsed() < TTL).then(|| Arc::clone(&entry.defs))
    }

    fn store(&self, key: Key, defs: Arc<Vec<CustomDef>>, generation: u64) {
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        let loaded = Instant::now();
        entries.insert(key, Entry { loaded, defs });
    }

    /// The org's definitions of `object`, loaded through `db` when not cached or stale.
    pub async fn get(
        &self,
        db: &impl ConnectionTrait,
        scope: OrgScope,
        object: RecordType,
    ) -> StoreResult<Arc<Vec<CustomDef>>> {
        let key = (scope.uuid(), object);
        if let Some(defs) = self.fresh(&key) {
            return Ok(defs);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let defs = Arc::new(custom_defs(db, scope, object).await?);
        self.store(key, Arc::clone(&defs), generation);
        Ok(defs)
    }

    /// Forgets the org's definitions (after this process changed one of them).
    pub fn forget(&self, scope: OrgScope) {
        if let Ok(mut entries) = self.entries.write() {
            self.generation.fetch_add(1, Ordering::AcqRel);
            entries.retain(|(org, _), _| *org != scope.uuid());
        }
    }
}
