//! The coordinator's side of the store: records in and out (typed, time-limited), the store's
//! health for `/readyz`, and the per-conversation lock of a shared store as a [`Lease`] that is
//! renewed while its turn runs and released on every path (drop included).
//!
//! Every call runs in the task that needs it — a conversation's turn, a handle method, the
//! sweeper — never in the coordinator's loop, and every call has a time limit: a frozen store
//! fails the calls that need it and delays nothing else.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::record::Record;
use crate::store::{ConversationStore, StoreError};
use crate::telemetry::Metrics;

/// Time limit of one store call (a redb commit is an fsync; Redis commands have their own).
pub const STORE_TIMEOUT: Duration = Duration::from_secs(2);
/// `/readyz` probes the store at most this often.
const PROBE_EVERY: Duration = Duration::from_secs(1);
/// After a real call fails, the store counts as unhealthy for at least this long even if a probe
/// passes (a probe is small: a full disk can take it and still refuse a record).
const FAILURE_HOLD: Duration = Duration::from_secs(3);

/// The store, as the coordinator uses it.
pub struct Persist {
    store: Arc<dyn ConversationStore>,
    metrics: Arc<Metrics>,
    healthy: AtomicBool,
    /// When a call other than the probe last failed for want of the store.
    failed_at: std::sync::Mutex<Option<Instant>>,
    /// When the store was last probed. An async mutex, held across the probe on purpose: one
    /// probe at a time, and readiness checks that arrive meanwhile wait for its result.
    probed: tokio::sync::Mutex<Option<Instant>>,
}

impl Persist {
    pub fn new(store: Arc<dyn ConversationStore>, metrics: Arc<Metrics>) -> Persist {
        Persist {
            store,
            metrics,
            healthy: AtomicBool::new(true),
            failed_at: std::sync::Mutex::new(None),
            probed: tokio::sync::Mutex::new(None),
        }
    }

    /// Whether other processes share the store.
    pub fn shared(&self) -> bool {
        self.store.shared()
    }

    /// Runs one store call with the time limit, noting the store's health.
    async fn call<T>(&self, op: &'static str, fut: crate::store::StoreFuture<'_, T>) -> Result<T, StoreError> {
        let result = match tokio::time::timeout(STORE_TIMEOUT, fut).await {
            Ok(r) => r,
            Err(_) => Err(StoreError::Timeout(STORE_TIMEOUT)),
        };
        match &result {
            Ok(_) => self.set_healthy(true),
            Err(StoreError::Unavailable { .. } | StoreError::Timeout(_)) => {
                self.set_healthy(false);
                if op != "probe" {
                    if let Ok(mut at) = self.failed_at.lock() {
                        *at = Some(Instant::now());
                    }
                }
                self.metrics.count(
                    "adsai_store_errors_total",
                    "Conversation store calls that failed (unavailable or timed out).",
                    vec![("op", op.to_string())],
                    1,
                );
            }
            Err(_) => {}
        }
        result
    }

    fn set_healthy(&self, ok: bool) {
        if self.healthy.swap(ok, Ordering::SeqCst) != ok {
            if ok {
                tracing::info!("the conversation store answers again");
            } else {
                tracing::error!("the conversation store is unavailable");
            }
            self.metrics.gauge("adsai_store_up", "1 while the conversation store answers.", vec![], f64::from(ok));
        }
    }

    /// Whether the store answers: the last call's outcome, refreshed by a probe at most once a
    /// second (so an idle store's recovery is noticed too).
    pub async fn healthy(&self) -> bool {
        let mut probed = self.probed.lock().await;
        if probed.is_none_or(|at| at.elapsed() >= PROBE_EVERY) {
            *probed = Some(Instant::now());
            let _ = self.call("probe", self.store.probe()).await;
        }
        let recent_failure =
            self.failed_at.lock().ok().and_then(|at| *at).is_some_and(|at| at.elapsed() < FAILURE_HOLD);
        self.healthy.load(Ordering::SeqCst) && !recent_failure
    }

    /// A conversation's record (`None`: no such conversation; an unreadable record is logged and
    /// treated as absent).
    pub async fn get(&self, id: &str) -> Result<Option<Record>, StoreError> {
        let bytes = self.call("get", self.store.get(id)).await?;
        Ok(bytes.and_then(|b| match serde_json::from_slice::<Record>(&b) {
            Ok(r) => Some(r),
            Err(e) => {
                tracing::warn!(conversation = %id, error = %e, "an unreadable stored conversation was skipped");
                None
            }
        }))
    }

    /// Every stored record (unreadable ones skipped).
    pub async fn load_all(&self) -> Result<Vec<Record>, StoreError> {
        let all = self.call("load_all", self.store.load_all()).await?;
        Ok(all
            .into_iter()
            .filter_map(|(id, bytes)| match serde_json::from_slice::<Record>(&bytes) {
                Ok(r) => Some(r),
                Err(e) => {
                    tracing::warn!(conversation = %id, error = %e, "skipped an unreadable stored conversation");
                    None
                }
            })
            .collect())
    }

    /// Writes a record, fenced by the lease when there is one.
    pub async fn put(&self, record: &Record, lease: Option<&Lease>) -> Result<(), StoreError> {
        let bytes = record.encode()?;
        let fence = lease.map(|l| l.token.as_str());
        self.call("put", self.store.put(&record.id, &bytes, fence)).await
    }

    pub async fn remove(&self, id: &str) -> Result<(), StoreError> {
        self.call("remove", self.store.remove(id)).await
    }

    /// Keeps a reply for retries with the same key; returns the one kept before, if any.
    pub async fn remember(&self, key: &str, value: &[u8], ttl: Duration) -> Result<Option<Vec<u8>>, StoreError> {
        self.call("remember", self.store.remember(key, value, ttl)).await
    }

    pub async fn recall(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.call("recall", self.store.recall(key)).await
    }

    pub async fn claim(&self, key: &str, ttl: Duration) -> Result<bool, StoreError> {
        self.call("claim", self.store.claim(key, ttl)).await
    }

    /// Takes a conversation's lock in a shared store (`None` for a store of one process): held
    /// for `lease`, renewed every third of it until released or dropped.
    pub async fn lock(self: &Arc<Self>, id: &str, lease: Duration) -> Result<Option<Lease>, StoreError> {
        if !self.store.shared() {
            return Ok(None);
        }
        // Waiting longer than two leases is pointless: a live holder renews, a dead one expires.
        let wait = lease * 2;
        let token = match tokio::time::timeout(wait + STORE_TIMEOUT, self.store.lock(id, lease, wait)).await {
            Ok(r) => r,
            Err(_) => Err(StoreError::Timeout(wait + STORE_TIMEOUT)),
        };
        let token = match token {
            Ok(t) => {
                self.set_healthy(true);
                t
            }
            Err(e) => {
                if matches!(e, StoreError::Unavailable { .. } | StoreError::Timeout(_)) {
                    self.set_healthy(false);
                }
                return Err(e);
            }
        };
        let stop = CancellationToken::new();
        let renewer = {
            let (persist, id, token, stop) = (self.clone(), id.to_string(), token.clone(), stop.clone());
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(lease / 3);
                tick.tick().await;
                loop {
                    tokio::select! {
                        _ = stop.cancelled() => return,
                        _ = tick.tick() => {}
                    }
                    match persist.call("renew", persist.store.renew(&id, &token, lease)).await {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!(conversation = %id, "a turn lost its conversation lock; its write will be refused");
                            return;
                        }
                        Err(e) => tracing::warn!(conversation = %id, error = %e, "could not renew a conversation lock"),
                    }
                }
            })
        };
        drop(renewer);
        Ok(Some(Lease { persist: self.clone(), id: id.to_string(), token, stop, lease, released: false }))
    }
}

/// A held conversation lock: renewed in the background, released by [`Lease::release`] or,
/// failing that, when dropped (a crashed or cancelled turn leaves no lock behind).
pub struct Lease {
    persist: Arc<Persist>,
    id: String,
    token: String,
    stop: CancellationToken,
    lease: Duration,
    released: bool,
}

impl Lease {
    /// Stops renewing and releases the lock. If the store cannot be reached (Redis restarting
    /// with its data), the release is retried in the background until the lease would have run
    /// out anyway, so the conversation is free again as soon as the store is back.
    pub async fn release(mut self) {
        self.released = true;
        self.stop.cancel();
        let p = &self.persist;
        if let Err(e) = p.call("unlock", p.store.unlock(&self.id, &self.token)).await {
            tracing::warn!(conversation = %self.id, error = %e, "could not release a conversation lock; retrying");
            let (persist, id, token, lease) = (self.persist.clone(), self.id.clone(), self.token.clone(), self.lease);
            tokio::spawn(async move {
                let until = Instant::now() + lease;
                while Instant::now() < until {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    if persist.store.unlock(&id, &token).await.is_ok() {
                        return;
                    }
                }
            });
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.stop.cancel();
        if self.released {
            return;
        }
        let (persist, id, token) =
            (self.persist.clone(), std::mem::take(&mut self.id), std::mem::take(&mut self.token));
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                let _ = persist.call("unlock", persist.store.unlock(&id, &token)).await;
            });
        }
    }
}
