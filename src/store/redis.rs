//! The shared store: Redis, for several replicas of the service.
//!
//! One multiplexed connection manager (it reconnects by itself after Redis restarts) carries
//! every command concurrently; each command has a time limit, so a frozen Redis is an error
//! within about a second, not a queue. Records expire after the conversation TTL. A turn's lock
//! is `SET NX PX lease` with a unique token, renewed while the turn runs, released by a script
//! that checks the token; a record write carries the token and a script refuses it unless the
//! lock is still ours (fencing), so a turn that lost its lease cannot overwrite a newer one.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{unique_token, ConversationStore, StoreError, StoreFuture};

/// Time limit of one Redis command.
const COMMAND_TIMEOUT: Duration = Duration::from_millis(1500);

/// Deletes the lock only if it still holds our token.
const UNLOCK: &str =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
/// Extends the lock only if it still holds our token.
const RENEW: &str =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
/// Writes the record only while the lock holds the token (an empty token: no fence).
const FENCED_SET: &str = "if ARGV[3] ~= '' and redis.call('get', KEYS[2]) ~= ARGV[3] then return 0 end \
     redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[2]) return 1";
/// Stores a value unless the key holds one; returns the old value (nil when stored).
const REMEMBER: &str = "local old = redis.call('get', KEYS[1]) if old then return old end \
     redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[2]) return false";

/// A store in Redis, shared by several replicas.
pub struct RedisStore {
    conn: ConnectionManager,
    ttl: Duration,
    prefix: String,
}

fn fail(e: impl std::fmt::Display) -> StoreError {
    StoreError::unavailable("redis", e)
}

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`); records expire `ttl` after their last write.
    /// The connection is made on first use and remade whenever it breaks; `open` checks it once.
    pub async fn open(url: &str, ttl: Duration) -> Result<RedisStore, StoreError> {
        let client = redis::Client::open(url).map_err(|e| fail(format!("redis url: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(COMMAND_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let conn = ConnectionManager::new_lazy_with_config(client, config).map_err(fail)?;
        let store = RedisStore { conn, ttl, prefix: "adsai".into() };
        store.probe().await?;
        Ok(store)
    }

    fn key(&self, kind: &str, id: &str) -> String {
        format!("{}:{kind}:{id}", self.prefix)
    }

    /// Runs one command with its time limit.
    async fn query<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, StoreError> {
        let mut conn = self.conn.clone();
        match tokio::time::timeout(COMMAND_TIMEOUT, cmd.query_async::<T>(&mut conn)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) if e.is_timeout() => Err(StoreError::Timeout(COMMAND_TIMEOUT)),
            Ok(Err(e)) => Err(fail(e)),
            Err(_) => Err(StoreError::Timeout(COMMAND_TIMEOUT)),
        }
    }

    fn eval(script: &str, keys: &[&str]) -> redis::Cmd {
        let mut cmd = redis::cmd("EVAL");
        cmd.arg(script).arg(keys.len());
        for k in keys {
            cmd.arg(*k);
        }
        cmd
    }
}

impl RedisStore {
    /// Tries to release a lock that may or may not be ours, every 100 ms until `lease` has
    /// passed (after which it has expired anyway).
    fn unlock_later(&self, key: String, token: String, lease: Duration) {
        let mut conn = self.conn.clone();
        tokio::spawn(async move {
            let until = tokio::time::Instant::now() + lease;
            let mut cmd = Self::eval(UNLOCK, &[&key]);
            cmd.arg(&token);
            while tokio::time::Instant::now() < until {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let done = tokio::time::timeout(COMMAND_TIMEOUT, cmd.query_async::<i64>(&mut conn)).await;
                if matches!(done, Ok(Ok(_))) {
                    return;
                }
            }
        });
    }
}

impl ConversationStore for RedisStore {
    fn load_all(&self) -> StoreFuture<'_, Vec<(String, Vec<u8>)>> {
        // Shared stores load conversations when they are used; nothing is preloaded.
        Box::pin(async { Ok(Vec::new()) })
    }
    fn get<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move { self.query(redis::cmd("GET").arg(self.key("conv", id))).await })
    }
    fn put<'a>(&'a self, id: &'a str, record: &'a [u8], fence: Option<&'a str>) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let (key, lock) = (self.key("conv", id), self.key("lock", id));
            let mut cmd = Self::eval(FENCED_SET, &[&key, &lock]);
            cmd.arg(record).arg(self.ttl.as_secs().max(1)).arg(fence.unwrap_or(""));
            match self.query::<i64>(&cmd).await? {
                1 => Ok(()),
                _ => Err(StoreError::Fenced(id.to_string())),
            }
        })
    }
    fn remove<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move { self.query(redis::cmd("DEL").arg(self.key("conv", id))).await })
    }
    fn remember<'a>(&'a self, key: &'a str, value: &'a [u8], ttl: Duration) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            let key = self.key("reply", key);
            let mut cmd = Self::eval(REMEMBER, &[&key]);
            cmd.arg(value).arg(ttl.as_secs().max(1));
            self.query(&cmd).await
        })
    }
    fn recall<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move { self.query(redis::cmd("GET").arg(self.key("reply", key))).await })
    }
    fn probe(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move { self.query::<String>(&redis::cmd("PING")).await.map(|_| ()) })
    }
    fn shared(&self) -> bool {
        true
    }
    fn lock<'a>(&'a self, id: &'a str, lease: Duration, wait: Duration) -> StoreFuture<'a, String> {
        Box::pin(async move {
            let key = self.key("lock", id);
            let token = unique_token();
            let deadline = tokio::time::Instant::now() + wait;
            let mut pause = Duration::from_millis(2);
            let ms = lease.as_millis().max(1) as u64;
            loop {
                let got: Result<Option<String>, StoreError> =
                    self.query(redis::cmd("SET").arg(&key).arg(&token).arg("NX").arg("PX").arg(ms)).await;
                let got = match got {
                    Ok(g) => g,
                    Err(e) => {
                        // The SET may have been applied with its reply lost (Redis stopped
                        // mid-command, and kept it on disk): release it once Redis is back.
                        self.unlock_later(key.clone(), token.clone(), lease);
                        return Err(e);
                    }
                };
                if got.is_some() {
                    return Ok(token);
                }
                // Ours already, if an earlier attempt's reply was lost.
                let holder: Option<String> = self.query(redis::cmd("GET").arg(&key)).await?;
                if holder.as_deref() == Some(token.as_str()) {
                    return Ok(token);
                }
                if tokio::time::Instant::now() >= deadline {
                    return Err(StoreError::Locked(id.to_string()));
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(50));
            }
        })
    }
    fn renew<'a>(&'a self, id: &'a str, token: &'a str, lease: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let key = self.key("lock", id);
            let mut cmd = Self::eval(RENEW, &[&key]);
            cmd.arg(token).arg(lease.as_millis().max(1) as u64);
            Ok(self.query::<i64>(&cmd).await? == 1)
        })
    }
    fn unlock<'a>(&'a self, id: &'a str, token: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let key = self.key("lock", id);
            let mut cmd = Self::eval(UNLOCK, &[&key]);
            cmd.arg(token);
            self.query::<i64>(&cmd).await.map(|_| ())
        })
    }
    fn claim<'a>(&'a self, key: &'a str, ttl: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let key = self.key("seen", key);
            let secs = ttl.as_secs().max(1);
            let mine = unique_token();
            let got: Option<String> =
                self.query(redis::cmd("SET").arg(&key).arg(&mine).arg("NX").arg("EX").arg(secs)).await?;
            if got.is_some() {
                return Ok(true);
            }
            // If the SET went through but its reply was lost, our own value still counts.
            let holder: Option<String> = self.query(redis::cmd("GET").arg(&key)).await?;
            Ok(holder.as_deref() == Some(mine.as_str()))
        })
    }
}
