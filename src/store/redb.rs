//! The embedded on-disk store: one redb file, used by one process.
//!
//! redb refuses every write after an I/O error ("Previous I/O error occurred") until the
//! database is opened again. So after an I/O error the handle is dropped and the next call (or
//! the `/readyz` probe) reopens the file: once the disk has room again the store recovers by
//! itself, without a restart. Calls run on the blocking pool; the coordinator adds time limits.

// redb's own error type is large; it only lives between a call and its conversion.
#![allow(clippy::result_large_err)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redb::{ReadableTable, TableDefinition};

use super::{unix_now, ConversationStore, StoreError, StoreFuture};

const TABLE: TableDefinition<&str, &[u8]> = TableDefinition::new("conversations");
/// Remembered replies: 8 bytes of expiry (unix seconds, little-endian), then the value.
const REPLIES: TableDefinition<&str, &[u8]> = TableDefinition::new("replies");

/// The embedded on-disk store.
pub struct RedbStore {
    path: PathBuf,
    /// The open database; `None` after an I/O error until it is reopened.
    db: Arc<Mutex<Option<Arc<redb::Database>>>>,
}

fn fail(e: impl std::fmt::Display) -> StoreError {
    StoreError::unavailable("redb", e)
}

/// Whether an error leaves the open database unusable (reopen it).
fn breaks(e: &redb::Error) -> bool {
    matches!(e, redb::Error::Io(_) | redb::Error::PreviousIo)
}

fn open_db(path: &Path) -> Result<redb::Database, StoreError> {
    let db = redb::Database::create(path).map_err(|e| fail(format!("{}: {e}", path.display())))?;
    let txn = db.begin_write().map_err(fail)?;
    txn.open_table(TABLE).map_err(fail)?;
    txn.open_table(REPLIES).map_err(fail)?;
    txn.commit().map_err(fail)?;
    Ok(db)
}

impl RedbStore {
    /// Opens (or creates) the store file `dir/conversations.redb`, creating `dir` if needed.
    pub fn open(dir: &Path) -> Result<RedbStore, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| fail(format!("{}: {e}", dir.display())))?;
        let path = dir.join("conversations.redb");
        let db = open_db(&path)?;
        Ok(RedbStore { path, db: Arc::new(Mutex::new(Some(Arc::new(db)))) })
    }

    /// Runs `f` on the blocking pool against the open database (reopening it first if an
    /// earlier I/O error closed it).
    fn run<T, F>(&self, f: F) -> StoreFuture<'_, T>
    where
        T: Send + 'static,
        F: FnOnce(&redb::Database) -> Result<T, redb::Error> + Send + 'static,
    {
        let slot = self.db.clone();
        let path = self.path.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let db = {
                    let mut guard = slot.lock().map_err(fail)?;
                    if guard.is_none() {
                        *guard = Some(Arc::new(open_db(&path)?));
                        tracing::warn!(path = %path.display(), "reopened the conversation store after an I/O error");
                    }
                    guard.clone().ok_or_else(|| fail("not open"))?
                };
                match f(&db) {
                    Ok(v) => Ok(v),
                    Err(e) => {
                        if breaks(&e) {
                            // Drop our handle so the next call opens the file afresh.
                            if let Ok(mut guard) = slot.lock() {
                                if guard.as_ref().is_some_and(|d| Arc::ptr_eq(d, &db)) {
                                    *guard = None;
                                }
                            }
                        }
                        Err(fail(e))
                    }
                }
            })
            .await
            .map_err(fail)?
        })
    }
}

fn write<T>(
    db: &redb::Database,
    f: impl FnOnce(&redb::WriteTransaction) -> Result<T, redb::Error>,
) -> Result<T, redb::Error> {
    let txn = db.begin_write()?;
    let v = f(&txn)?;
    txn.commit()?;
    Ok(v)
}

impl ConversationStore for RedbStore {
    fn load_all(&self) -> StoreFuture<'_, Vec<(String, Vec<u8>)>> {
        self.run(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(TABLE)?;
            let mut out = Vec::new();
            for item in table.iter()? {
                let (k, v) = item?;
                out.push((k.value().to_string(), v.value().to_vec()));
            }
            Ok(out)
        })
    }
    fn get<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<Vec<u8>>> {
        let id = id.to_string();
        self.run(move |db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(TABLE)?;
            Ok(table.get(id.as_str())?.map(|v| v.value().to_vec()))
        })
    }
    fn put<'a>(&'a self, id: &'a str, record: &'a [u8], _fence: Option<&'a str>) -> StoreFuture<'a, ()> {
        let (id, record) = (id.to_string(), record.to_vec());
        self.run(move |db| {
            write(db, |txn| {
                txn.open_table(TABLE)?.insert(id.as_str(), record.as_slice())?;
                Ok(())
            })
        })
    }
    fn remove<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        let id = id.to_string();
        self.run(move |db| {
            write(db, |txn| {
                txn.open_table(TABLE)?.remove(id.as_str())?;
                Ok(())
            })
        })
    }
    fn remember<'a>(&'a self, key: &'a str, value: &'a [u8], ttl: Duration) -> StoreFuture<'a, Option<Vec<u8>>> {
        let key = key.to_string();
        let mut entry = (unix_now() + ttl.as_secs().max(1)).to_le_bytes().to_vec();
        entry.extend_from_slice(value);
        self.run(move |db| {
            write(db, |txn| {
                let mut table = txn.open_table(REPLIES)?;
                let now = unix_now();
                if let Some(old) = table.get(key.as_str())?.map(|v| v.value().to_vec()) {
                    if live(&old, now) {
                        return Ok(Some(old[8..].to_vec()));
                    }
                }
                table.insert(key.as_str(), entry.as_slice())?;
                // Expired replies leave as new ones come in (a few per write).
                let stale: Vec<String> = table
                    .iter()?
                    .filter_map(Result::ok)
                    .filter(|(_, v)| !live(v.value(), now))
                    .take(8)
                    .map(|(k, _)| k.value().to_string())
                    .collect();
                for k in stale {
                    table.remove(k.as_str())?;
                }
                Ok(None)
            })
        })
    }
    fn recall<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Vec<u8>>> {
        let key = key.to_string();
        self.run(move |db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(REPLIES)?;
            let now = unix_now();
            Ok(table.get(key.as_str())?.map(|v| v.value().to_vec()).filter(|v| live(v, now)).map(|v| v[8..].to_vec()))
        })
    }
    fn probe(&self) -> StoreFuture<'_, ()> {
        // A write: redb can read while every write fails.
        self.run(|db| write(db, |txn| txn.open_table(TABLE).map(|_| ()).map_err(redb::Error::from)))
    }
}

/// Whether a remembered entry has not expired.
fn live(entry: &[u8], now: u64) -> bool {
    entry.len() >= 8 && u64::from_le_bytes(entry[..8].try_into().unwrap_or([0; 8])) > now
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn redb_store_survives_reopening() {
        let dir = std::env::temp_dir().join(format!("adsai-store-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let s = RedbStore::open(&dir).unwrap();
            crate::store::tests::exercise(&s).await;
        }
        let reopened = RedbStore::open(&dir).unwrap();
        assert_eq!(reopened.get("a").await.unwrap().as_deref(), Some(&b"three"[..]));
        assert_eq!(reopened.recall("k").await.unwrap().as_deref(), Some(&b"first"[..]), "replies survive too");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
