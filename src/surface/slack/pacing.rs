//! Per-channel pacing of Web API calls: a token bucket per key (a call kind and a channel).
//!
//! Slack allows about one post a second per channel "with generous bursts": a bucket holds up
//! to `burst` calls and regains one every `interval`. A call that finds the bucket empty books
//! the next free slot (the bucket goes below zero) and sleeps until it, outside any lock, so the
//! calls of one channel go out in the order they asked and never faster than the rate. A bucket
//! that has filled up again is the same as a new one, so such buckets are pruned: the map only
//! holds channels that were busy lately.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Buckets by key.
pub struct Pacer {
    buckets: Mutex<HashMap<String, Bucket>>,
    /// When full buckets were last pruned.
    pruned: Mutex<Instant>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Calls available (negative: booked ahead).
    tokens: f64,
    at: Instant,
}

/// How often full buckets are dropped.
const PRUNE_EVERY: Duration = Duration::from_secs(30);

impl Default for Pacer {
    fn default() -> Self {
        Pacer { buckets: Mutex::new(HashMap::new()), pruned: Mutex::new(Instant::now()) }
    }
}

fn refill(b: &mut Bucket, now: Instant, burst: f64, interval: Duration) {
    let gained = now.duration_since(b.at).as_secs_f64() / interval.as_secs_f64();
    b.tokens = (b.tokens + gained).min(burst);
    b.at = now;
}

impl Pacer {
    /// Waits until `key` may make a call (`burst` at once, then one per `interval`).
    pub async fn acquire(&self, key: &str, burst: u32, interval: Duration) {
        if interval.is_zero() {
            return;
        }
        let wait = self.book(key, f64::from(burst.max(1)), interval);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes a token (or books the next one) and returns how long to wait for it.
    fn book(&self, key: &str, burst: f64, interval: Duration) -> Duration {
        let now = Instant::now();
        let wait = {
            let Ok(mut map) = self.buckets.lock() else { return Duration::ZERO };
            let b = map.entry(key.to_string()).or_insert(Bucket { tokens: burst, at: now });
            refill(b, now, burst, interval);
            b.tokens -= 1.0;
            if b.tokens >= 0.0 {
                Duration::ZERO
            } else {
                interval.mul_f64(-b.tokens)
            }
        };
        self.prune(now, burst, interval);
        wait
    }

    /// Drops buckets that have filled up again (at most every [`PRUNE_EVERY`]).
    fn prune(&self, now: Instant, burst: f64, interval: Duration) {
        {
            let Ok(mut last) = self.pruned.lock() else { return };
            if now.duration_since(*last) < PRUNE_EVERY {
                return;
            }
            *last = now;
        }
        if let Ok(mut map) = self.buckets.lock() {
            map.retain(|_, b| {
                refill(b, now, burst, interval);
                b.tokens < burst
            });
        }
    }

    /// Keys held now.
    pub fn len(&self) -> usize {
        self.buckets.lock().map_or(0, |m| m.len())
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_burst_goes_at_once_then_one_per_interval_in_order() {
        let p = Pacer::default();
        let second = Duration::from_secs(1);
        let started = Instant::now();
        for _ in 0..20 {
            p.acquire("post:C1", 20, second).await;
        }
        assert_eq!(started.elapsed(), Duration::ZERO, "20 at once");
        p.acquire("post:C2", 20, second).await;
        assert_eq!(started.elapsed(), Duration::ZERO, "another channel has its own bucket");
        let waits: Vec<Duration> = (0..3).map(|_| p.book("post:C1", 20.0, second)).collect();
        let whole: Vec<u64> = waits.iter().map(|w| w.as_millis() as u64).collect();
        assert_eq!(whole, vec![1000, 2000, 3000], "booked one a second, in order");
        tokio::time::sleep(Duration::from_secs(60)).await;
        p.acquire("post:C1", 20, second).await;
        assert_eq!(started.elapsed(), Duration::from_secs(60), "refilled after a quiet minute");
    }

    #[tokio::test(start_paused = true)]
    async fn full_buckets_are_pruned() {
        let p = Pacer::default();
        for n in 0..500 {
            p.acquire(&format!("post:C{n}"), 20, Duration::from_secs(1)).await;
        }
        assert_eq!(p.len(), 500);
        tokio::time::sleep(Duration::from_secs(31)).await;
        p.acquire("post:busy", 20, Duration::from_secs(1)).await;
        assert_eq!(p.len(), 1, "only the channel used now is kept");
    }
}
