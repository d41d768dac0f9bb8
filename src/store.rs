//! Where conversations survive a restart: a small trait and its backends.
//!
//! The coordinator writes a conversation's record before it replies, so a restart — even a
//! `kill -9` — loses no conversation that got a reply. The embedded backend is redb (an ACID
//! key-value file: a committed write is durable); `MemoryStore` keeps nothing across processes
//! (the command line, tests); `RedisStore` is shared by several replicas: a turn then takes a
//! per-conversation lock in Redis and re-reads the record, so a thread's follow-ups are handled
//! one at a time and on the latest state whichever replica receives them.

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
    /// Whether other processes use this store too: then every turn re-reads its record under
    /// [`ConversationStore::lock`], and expiry is the store's job.
    fn shared(&self) -> bool {
        false
    }
    /// Takes the conversation's lock for at most `lease`, waiting up to `wait` for it; returns the
    /// token that unlocks it. Stores used by one process need no lock.
    fn lock(&self, _id: &str, _lease: std::time::Duration, _wait: std::time::Duration) -> Result<String, StoreError> {
        Ok(String::new())
    }
    /// Releases a lock taken with `token` (a lock whose lease ran out is left alone).
    fn unlock(&self, _id: &str, _token: &str) -> Result<(), StoreError> {
        Ok(())
    }
    /// Claims `key` for `ttl`: true for the first claim, false while it stands. Shared stores use
    /// it to drop a delivery another replica already took (a process deduplicates on its own).
    fn claim(&self, _key: &str, _ttl: std::time::Duration) -> Result<bool, StoreError> {
        Ok(true)
    }
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

/// A store in Redis, shared by several replicas. Records expire after the conversation TTL.
pub struct RedisStore {
    client: redis::Client,
    conn: Mutex<Option<redis::Connection>>,
    ttl: std::time::Duration,
    prefix: String,
}

/// A value no other claim or lock holder uses: process, thread, time and a counter.
fn unique_token() -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    format!(
        "{}-{:?}-{}-{}",
        std::process::id(),
        std::thread::current().id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()),
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}

/// Deletes the lock only if it still holds our token.
const UNLOCK: &str =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`); records expire `ttl` after their last write.
    pub fn open(url: &str, ttl: std::time::Duration) -> Result<RedisStore, StoreError> {
        let client = redis::Client::open(url).map_err(|e| StoreError(format!("redis url: {e}")))?;
        let store = RedisStore { client, conn: Mutex::new(None), ttl, prefix: "adsai".into() };
        store.with(|c| redis::cmd("PING").query::<String>(c))?;
        Ok(store)
    }

    fn key(&self, kind: &str, id: &str) -> String {
        format!("{}:{kind}:{id}", self.prefix)
    }

    /// Runs a command on the connection, reconnecting once if it broke.
    fn with<T>(&self, f: impl Fn(&mut redis::Connection) -> redis::RedisResult<T>) -> Result<T, StoreError> {
        let mut guard = self.conn.lock().map_err(err)?;
        for attempt in 0..2 {
            if guard.is_none() {
                let c = self
                    .client
                    .get_connection_with_timeout(std::time::Duration::from_secs(2))
                    .map_err(|e| StoreError(format!("redis: {e}")))?;
                let _ = c.set_read_timeout(Some(std::time::Duration::from_secs(5)));
                let _ = c.set_write_timeout(Some(std::time::Duration::from_secs(5)));
                *guard = Some(c);
            }
            let Some(conn) = guard.as_mut() else { continue };
            match f(conn) {
                Ok(v) => return Ok(v),
                Err(e) if attempt == 0 && (e.is_io_error() || e.is_connection_dropped()) => *guard = None,
                Err(e) => return Err(StoreError(format!("redis: {e}"))),
            }
        }
        Err(StoreError("redis: no connection".into()))
    }
}

impl ConversationStore for RedisStore {
    fn load_all(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        // Shared stores load conversations when they are used; nothing is preloaded.
        Ok(Vec::new())
    }
    fn get(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let key = self.key("conv", id);
        self.with(|c| redis::cmd("GET").arg(&key).query::<Option<Vec<u8>>>(c))
    }
    fn put(&self, id: &str, record: &[u8]) -> Result<(), StoreError> {
        let key = self.key("conv", id);
        let ttl = self.ttl.as_secs().max(1);
        self.with(|c| redis::cmd("SET").arg(&key).arg(record).arg("EX").arg(ttl).query::<()>(c))
    }
    fn remove(&self, id: &str) -> Result<(), StoreError> {
        let key = self.key("conv", id);
        self.with(|c| redis::cmd("DEL").arg(&key).query::<()>(c))
    }
    fn shared(&self) -> bool {
        true
    }
    fn lock(&self, id: &str, lease: std::time::Duration, wait: std::time::Duration) -> Result<String, StoreError> {
        let key = self.key("lock", id);
        let token = unique_token();
        let deadline = std::time::Instant::now() + wait;
        let mut pause = std::time::Duration::from_millis(2);
        loop {
            let ms = lease.as_millis().max(1) as u64;
            let got: Option<String> =
                self.with(|c| redis::cmd("SET").arg(&key).arg(&token).arg("NX").arg("PX").arg(ms).query(c))?;
            if got.is_some() {
                return Ok(token);
            }
            // Ours already, if an earlier attempt's reply was lost.
            let holder: Option<String> = self.with(|c| redis::cmd("GET").arg(&key).query(c))?;
            if holder.as_deref() == Some(token.as_str()) {
                return Ok(token);
            }
            if std::time::Instant::now() >= deadline {
                return Err(StoreError(format!("conversation {id:?} stayed locked for {wait:?}")));
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(std::time::Duration::from_millis(50));
        }
    }
    fn unlock(&self, id: &str, token: &str) -> Result<(), StoreError> {
        let key = self.key("lock", id);
        self.with(|c| redis::cmd("EVAL").arg(UNLOCK).arg(1).arg(&key).arg(token).query::<i64>(c)).map(|_| ())
    }
    fn claim(&self, key: &str, ttl: std::time::Duration) -> Result<bool, StoreError> {
        let key = self.key("seen", key);
        let secs = ttl.as_secs().max(1);
        // A unique value: if the SET went through but its reply was lost (and `with` retried),
        // reading our own value back still counts as our claim.
        let mine = unique_token();
        let got: Option<String> =
            self.with(|c| redis::cmd("SET").arg(&key).arg(&mine).arg("NX").arg("EX").arg(secs).query(c))?;
        if got.is_some() {
            return Ok(true);
        }
        let holder: Option<String> = self.with(|c| redis::cmd("GET").arg(&key).query(c))?;
        Ok(holder.as_deref() == Some(mine.as_str()))
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
