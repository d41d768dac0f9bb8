//! The conversation cache: a `DashMap` keyed by conversation id (a Slack thread, an API
//! conversation) over the store. Idle conversations leave memory after the TTL (and are deleted
//! from a store of one process); the map has a size bound (the least recently used idle ones
//! leave memory first and come back from the store when needed). No map guard is ever held
//! across an `.await`.

use std::collections::VecDeque;
use std::sync::Arc;

use dashmap::DashMap;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::record::Record;
use super::{Job, Shared};

/// A conversation's place in the map.
pub(super) struct Slot {
    /// The record, when in memory and no turn has it.
    pub record: Option<Record>,
    pub queue: VecDeque<Job>,
    /// A task (creation or turns) owns the conversation.
    pub busy: bool,
    /// Today for a conversation created on first message.
    pub create: Option<chrono::NaiveDate>,
    pub last_active: Instant,
}

impl Slot {
    pub fn new(record: Option<Record>, busy: bool) -> Slot {
        Slot { record, queue: VecDeque::new(), busy, create: None, last_active: Instant::now() }
    }

    fn idle(&self) -> bool {
        !self.busy && self.queue.is_empty()
    }
}

pub(super) type Cache = DashMap<String, Slot>;

/// Publishes the number of conversations in memory.
pub(super) fn report(shared: &Shared) {
    let n = shared.slots.len();
    shared.held.store(n, std::sync::atomic::Ordering::Relaxed);
    shared.metrics.gauge("adsai_conversations", "Conversations held in memory.", vec![], n as f64);
}

/// Forgets idle conversations after the TTL (memory and store) and keeps the map under its bound
/// (memory only, least recently used first).
pub(super) async fn sweep(shared: Arc<Shared>, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(shared.config.sweep_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let now = Instant::now();
        let ttl = shared.config.ttl;
        let expired: Vec<String> = shared
            .slots
            .iter()
            .filter(|s| s.idle() && now.duration_since(s.last_active) >= ttl)
            .map(|s| s.key().clone())
            .collect();
        for id in expired {
            let gone = |s: &Slot| s.idle() && Instant::now().duration_since(s.last_active) >= ttl;
            if shared.slots.remove_if(&id, |_, s| gone(s)).is_some() && !shared.persist.shared() {
                if let Err(e) = shared.persist.remove(&id).await {
                    tracing::warn!(conversation = %id, error = %e, "could not delete an expired conversation");
                }
            }
        }
        let over = shared.slots.len().saturating_sub(shared.config.max_conversations);
        if over > 0 {
            let mut idle: Vec<(Instant, String)> =
                shared.slots.iter().filter(|s| s.idle()).map(|s| (s.last_active, s.key().clone())).collect();
            idle.sort();
            for (_, id) in idle.into_iter().take(over) {
                shared.slots.remove_if(&id, |_, s| s.idle());
            }
        }
        report(&shared);
    }
}

/// Fills the cache from the store at start (most recent first, up to the size bound), deleting
/// conversations idle past the TTL. Runs beside the loop: messages that arrive first load their
/// conversation themselves, and a slow store delays nothing.
pub(super) async fn preload(shared: Arc<Shared>) {
    let mut loaded = match shared.persist.load_all().await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(error = %e, "could not load the stored conversations; they load when used");
            return;
        }
    };
    let now = super::record::unix_now();
    let ttl = shared.config.ttl.as_secs() as i64;
    let mut expired = Vec::new();
    loaded.retain(|r| {
        let fresh = now - r.last_active(now) < ttl;
        if !fresh {
            expired.push(r.id.clone());
        }
        fresh
    });
    for id in expired {
        if let Err(e) = shared.persist.remove(&id).await {
            tracing::warn!(conversation = %id, error = %e, "could not delete an expired conversation");
        }
    }
    loaded.sort_by_key(|r| std::cmp::Reverse(r.messages.last().map_or(0, |m| m.at)));
    for r in loaded.into_iter().take(shared.config.max_conversations) {
        shared.slots.entry(r.id.clone()).or_insert_with(|| Slot::new(Some(r), false));
    }
    report(&shared);
}
