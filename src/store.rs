//! Where conversations survive a restart: a small trait and its backends.
//!
//! The coordinator writes a conversation's record before it replies, so a restart — even a
//! `kill -9` — loses no conversation that got a reply. The embedded backend is redb (an ACID
//! key-value file: a committed write is durable); `MemoryStore` keeps nothing across processes
//! (the command line, tests).

use std::path::Path;
use std::sync::Mutex;

use thiserror::Error;

/// A storage failure, with the backend's own words.
#[derive(Debug, Error)]
#[error("conversation store: {0}")]
pub struct StoreError(pub String);

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

/// Conversation records by id, as opaque bytes (the coordinator serialises them).
pub trait ConversationStore: Send + Sync + 'static {
    /// Every stored record.
    fn load_all(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError>;
    /// One record.
    fn get(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Writes a record durably before returning.
    fn put(&self, id: &str, record: &[u8]) -> Result<(), StoreError>;
    /// Deletes a record (expired conversations).
    fn remove(&self, id: &str) -> Result<(), StoreError>;
}

/// Keeps records in memory only.
#[derive(Default)]
pub struct MemoryStore {
    records: Mutex<std::collections::BTreeMap<String, Vec<u8>>>,
}

impl ConversationStore for MemoryStore {
    fn load_all(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let map = self.records.lock().map_err(err)?;
        Ok(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }
    fn get(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.records.lock().map_err(err)?.get(id).cloned())
    }
    fn put(&self, id: &str, record: &[u8]) -> Result<(), StoreError> {
        self.records.lock().map_err(err)?.insert(id.to_string(), record.to_vec());
        Ok(())
    }
    fn remove(&self, id: &str) -> Result<(), StoreError> {
        self.records.lock().map_err(err)?.remove(id);
        Ok(())
    }
}

const TABLE: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("conversations");

/// The embedded on-disk store: one redb file.
pub struct RedbStore {
    db: redb::Database,
}

impl RedbStore {
    /// Opens (or creates) the store file `dir/conversations.redb`, creating `dir` if needed.
    pub fn open(dir: &Path) -> Result<RedbStore, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError(format!("{}: {e}", dir.display())))?;
        let path = dir.join("conversations.redb");
        let db = redb::Database::create(&path).map_err(|e| StoreError(format!("{}: {e}", path.display())))?;
        let txn = db.begin_write().map_err(err)?;
        txn.open_table(TABLE).map_err(err)?;
        txn.commit().map_err(err)?;
        Ok(RedbStore { db })
    }
}

impl ConversationStore for RedbStore {
    fn load_all(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        use redb::ReadableTable;
        let txn = self.db.begin_read().map_err(err)?;
        let table = txn.open_table(TABLE).map_err(err)?;
        let mut out = Vec::new();
        for item in table.iter().map_err(err)? {
            let (k, v) = item.map_err(err)?;
            out.push((k.value().to_string(), v.value().to_vec()));
        }
        Ok(out)
    }
    fn get(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.db.begin_read().map_err(err)?;
        let table = txn.open_table(TABLE).map_err(err)?;
        Ok(table.get(id).map_err(err)?.map(|v| v.value().to_vec()))
    }
    fn put(&self, id: &str, record: &[u8]) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(err)?;
        {
            let mut table = txn.open_table(TABLE).map_err(err)?;
            table.insert(id, record).map_err(err)?;
        }
        txn.commit().map_err(err)
    }
    fn remove(&self, id: &str) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(err)?;
        {
            let mut table = txn.open_table(TABLE).map_err(err)?;
            table.remove(id).map_err(err)?;
        }
        txn.commit().map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise(store: &dyn ConversationStore) {
        store.put("a", b"one").unwrap();
        store.put("b", b"two").unwrap();
        store.put("a", b"three").unwrap();
        assert_eq!(store.get("a").unwrap().as_deref(), Some(&b"three"[..]));
        store.remove("b").unwrap();
        assert_eq!(store.get("b").unwrap(), None);
        assert_eq!(store.load_all().unwrap(), vec![("a".to_string(), b"three".to_vec())]);
    }

    #[test]
    fn memory_store() {
        exercise(&MemoryStore::default());
    }

    #[test]
    fn redb_store_survives_reopening() {
        let dir = std::env::temp_dir().join(format!("adsai-store-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        exercise(&RedbStore::open(&dir).unwrap());
        let reopened = RedbStore::open(&dir).unwrap();
        assert_eq!(reopened.get("a").unwrap().as_deref(), Some(&b"three"[..]));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
