//! Where conversations survive a restart: a small async trait and its backends.
//!
//! The coordinator writes a conversation's record before it replies, so a restart — even a
//! `kill -9` — loses no conversation that got a reply. The embedded backend is redb
//! ([`RedbStore`], an ACID key-value file: a committed write is durable; reopened after an I/O
//! error); [`MemoryStore`] keeps nothing across processes (the command line, tests);
//! [`RedisStore`] is shared by several replicas: a turn then takes a per-conversation lock with a
//! short lease, renews it while it runs, and every write is fenced by the lock's token.
//!
//! Every call is async and returns a typed [`StoreError`]: a store that cannot answer is an error
//! (`503 store_unavailable` at the HTTP surface), never "absent". Replies kept for
//! `Idempotency-Key` retries live in the store too ([`ConversationStore::remember`]), so a retry
//! is answered the same across a restart and across replicas.

mod memory;
mod redb;
mod redis;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use thiserror::Error;

pub use self::memory::MemoryStore;
pub use self::redb::RedbStore;
pub use self::redis::RedisStore;

/// A storage failure.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum StoreError {
    /// The backend could not do it (connection refused, disk full, I/O error…).
    #[error("the {backend} store is unavailable: {detail}")]
    Unavailable { backend: &'static str, detail: String },
    /// The backend did not answer within its time limit.
    #[error("the store did not answer within {0:?}")]
    Timeout(Duration),
    /// Another turn holds the conversation's lock for longer than a turn may wait.
    #[error("conversation {0:?} stayed locked by another turn")]
    Locked(String),
    /// The lock's lease ran out (or was taken over) before the write: the write was refused.
    #[error("the lock on conversation {0:?} was lost; the write was refused")]
    Fenced(String),
    /// A record could not be encoded for storage.
    #[error("a record could not be encoded: {0}")]
    Encode(String),
}

impl StoreError {
    pub(crate) fn unavailable(backend: &'static str, e: impl std::fmt::Display) -> StoreError {
        StoreError::Unavailable { backend, detail: e.to_string() }
    }
}

/// What every store call returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Conversation records by id, as opaque bytes (the coordinator serialises them).
pub trait ConversationStore: Send + Sync + 'static {
    /// Every stored record.
    fn load_all(&self) -> StoreFuture<'_, Vec<(String, Vec<u8>)>>;
    /// One record.
    fn get<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<Vec<u8>>>;
    /// Writes a record durably before returning. With `fence` (a lock token from
    /// [`ConversationStore::lock`]) the write is refused with [`StoreError::Fenced`] unless that
    /// lock is still held.
    fn put<'a>(&'a self, id: &'a str, record: &'a [u8], fence: Option<&'a str>) -> StoreFuture<'a, ()>;
    /// Deletes a record (expired conversations).
    fn remove<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()>;
    /// Stores `value` under `key` for `ttl` unless the key is already there; returns what was
    /// there before (`None`: this call stored it). Keeps replies for idempotent retries.
    fn remember<'a>(&'a self, key: &'a str, value: &'a [u8], ttl: Duration) -> StoreFuture<'a, Option<Vec<u8>>>;
    /// What [`ConversationStore::remember`] kept under `key`, if it has not expired.
    fn recall<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Vec<u8>>>;
    /// A cheap check that the store answers (and can write); `/readyz` calls it at most once a
    /// second. Backends that can recover (redb after an I/O error) try to here.
    fn probe(&self) -> StoreFuture<'_, ()>;
    /// Whether other processes use this store too: then every turn re-reads its record under
    /// [`ConversationStore::lock`], and expiry is the store's job.
    fn shared(&self) -> bool {
        false
    }
    /// Takes the conversation's lock for `lease`, waiting up to `wait` for it; returns the token
    /// that renews, fences and unlocks it. Stores used by one process need no lock.
    fn lock<'a>(&'a self, _id: &'a str, _lease: Duration, _wait: Duration) -> StoreFuture<'a, String> {
        Box::pin(async { Ok(String::new()) })
    }
    /// Extends a lock still held with `token` to `lease` from now; false when it was lost.
    fn renew<'a>(&'a self, _id: &'a str, _token: &'a str, _lease: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async { Ok(true) })
    }
    /// Releases a lock taken with `token` (a lock whose lease ran out is left alone).
    fn unlock<'a>(&'a self, _id: &'a str, _token: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }
    /// Claims `key` for `ttl`: true for the first claim, false while it stands. Shared stores use
    /// it to drop a delivery another replica already took (a process deduplicates on its own).
    fn claim<'a>(&'a self, _key: &'a str, _ttl: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async { Ok(true) })
    }
}

/// A value no other claim or lock holder uses: process, time and a counter.
pub(crate) fn unique_token() -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    format!(
        "{}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()),
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}

/// Unix seconds now.
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub async fn exercise(store: &dyn ConversationStore) {
        store.put("a", b"one", None).await.unwrap();
        store.put("b", b"two", None).await.unwrap();
        store.put("a", b"three", None).await.unwrap();
        assert_eq!(store.get("a").await.unwrap().as_deref(), Some(&b"three"[..]));
        store.remove("b").await.unwrap();
        assert_eq!(store.get("b").await.unwrap(), None);
        assert_eq!(store.load_all().await.unwrap(), vec![("a".to_string(), b"three".to_vec())]);
        let ttl = Duration::from_secs(60);
        assert_eq!(store.remember("k", b"first", ttl).await.unwrap(), None, "stored");
        assert_eq!(store.remember("k", b"second", ttl).await.unwrap().as_deref(), Some(&b"first"[..]), "kept");
        assert_eq!(store.recall("k").await.unwrap().as_deref(), Some(&b"first"[..]));
        assert_eq!(store.recall("other").await.unwrap(), None);
        store.probe().await.unwrap();
    }

    #[tokio::test]
    async fn memory_store() {
        exercise(&MemoryStore::default()).await;
    }
}
