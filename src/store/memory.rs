//! The in-memory store: nothing survives the process (the command line, tests).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use super::{unix_now, ConversationStore, StoreError, StoreFuture};

/// Keeps records in memory only.
#[derive(Default)]
pub struct MemoryStore {
    records: Mutex<BTreeMap<String, Vec<u8>>>,
    /// Remembered replies: key → (expiry in unix seconds, value).
    replies: Mutex<BTreeMap<String, (u64, Vec<u8>)>>,
}

fn poisoned(e: impl std::fmt::Display) -> StoreError {
    StoreError::unavailable("memory", e)
}

impl ConversationStore for MemoryStore {
    fn load_all(&self) -> StoreFuture<'_, Vec<(String, Vec<u8>)>> {
        Box::pin(async move {
            let map = self.records.lock().map_err(poisoned)?;
            Ok(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        })
    }
    fn get<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move { Ok(self.records.lock().map_err(poisoned)?.get(id).cloned()) })
    }
    fn put<'a>(&'a self, id: &'a str, record: &'a [u8], _fence: Option<&'a str>) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.records.lock().map_err(poisoned)?.insert(id.to_string(), record.to_vec());
            Ok(())
        })
    }
    fn remove<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.records.lock().map_err(poisoned)?.remove(id);
            Ok(())
        })
    }
    fn remember<'a>(&'a self, key: &'a str, value: &'a [u8], ttl: Duration) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            let now = unix_now();
            let mut map = self.replies.lock().map_err(poisoned)?;
            map.retain(|_, (expiry, _)| *expiry > now);
            if let Some((_, v)) = map.get(key) {
                return Ok(Some(v.clone()));
            }
            map.insert(key.to_string(), (now + ttl.as_secs().max(1), value.to_vec()));
            Ok(None)
        })
    }
    fn recall<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            let map = self.replies.lock().map_err(poisoned)?;
            Ok(map.get(key).filter(|(expiry, _)| *expiry > unix_now()).map(|(_, v)| v.clone()))
        })
    }
    fn probe(&self) -> StoreFuture<'_, ()> {
        Box::pin(async { Ok(()) })
    }
}
