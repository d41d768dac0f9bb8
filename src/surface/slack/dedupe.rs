//! A bounded time-to-live set for Slack's duplicate deliveries.
//!
//! Slack redelivers an event that was not acked in time (same `event_id`, up to 3 retries over
//! about 5 minutes), and one post that mentions the bot arrives twice, as `app_mention` and as
//! `message` (different `event_id`s, same channel and `ts`). The bot claims each `event_id` and
//! each `channel:ts` here before acting; the first claim wins. Entries live for the TTL (at
//! least 10 minutes in production) and the set never holds more than its capacity (the oldest
//! entries go first). A plain mutex suffices: claims are a hash lookup, never held across an
//! `.await`.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The set of recently seen keys.
pub struct Dedupe {
    ttl: Duration,
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    seen: HashMap<String, Instant>,
    order: VecDeque<(Instant, String)>,
}

impl Dedupe {
    /// A set whose keys expire after `ttl`, holding at most `capacity` keys.
    pub fn new(ttl: Duration, capacity: usize) -> Dedupe {
        Dedupe { ttl, capacity: capacity.max(1), inner: Mutex::new(Inner::default()) }
    }

    /// Claims `key`: true the first time within the TTL, false for a repeat.
    pub fn claim(&self, key: &str) -> bool {
        self.claim_at(key, Instant::now())
    }

    /// [`Dedupe::claim`] at a given time (tests).
    pub fn claim_at(&self, key: &str, now: Instant) -> bool {
        let mut inner = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Expire from the front; entries are in claim order.
        while let Some((at, k)) = inner.order.front().cloned() {
            if now.duration_since(at) < self.ttl && inner.order.len() < self.capacity {
                break;
            }
            inner.order.pop_front();
            if inner.seen.get(&k) == Some(&at) {
                inner.seen.remove(&k);
            }
        }
        if let Some(at) = inner.seen.get(key) {
            if now.duration_since(*at) < self.ttl {
                return false;
            }
        }
        inner.seen.insert(key.to_string(), now);
        inner.order.push_back((now, key.to_string()));
        true
    }

    /// Whether `key` was claimed within the TTL (without claiming it).
    pub fn contains(&self, key: &str) -> bool {
        let inner = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        inner.seen.get(key).is_some_and(|at| at.elapsed() < self.ttl)
    }

    /// Keys held now.
    pub fn len(&self) -> usize {
        self.inner.lock().map(|g| g.seen.len()).unwrap_or_default()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_claim_wins_until_the_ttl() {
        let d = Dedupe::new(Duration::from_secs(600), 100);
        let t0 = Instant::now();
        assert!(d.claim_at("Ev1", t0));
        assert!(!d.claim_at("Ev1", t0 + Duration::from_secs(1)));
        assert!(d.claim_at("C1:1.2", t0));
        assert!(!d.claim_at("C1:1.2", t0 + Duration::from_secs(599)));
        assert!(d.claim_at("Ev1", t0 + Duration::from_secs(601)));
    }

    #[test]
    fn capacity_bounds_the_set() {
        let d = Dedupe::new(Duration::from_secs(600), 3);
        let t0 = Instant::now();
        for i in 0..10 {
            assert!(d.claim_at(&format!("k{i}"), t0));
        }
        assert!(d.len() <= 3);
        assert!(!d.claim_at("k9", t0));
    }
}
