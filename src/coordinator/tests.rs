//! The coordinator's unit tests: ordering, undo, failing specialists, store faults, expiry.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use tokio_util::sync::CancellationToken;

use super::*;
use crate::brain::Brain;
use crate::store::{ConversationStore, MemoryStore, StoreError, StoreFuture};
use crate::telemetry::Metrics;
use crate::understand::Specialist;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn start(config: Config) -> (Coordinator, Arc<MemoryStore>) {
    let store = Arc::new(MemoryStore::default());
    let c = Coordinator::start(
        Brain::default(),
        store.clone(),
        config,
        Arc::new(Metrics::default()),
        CancellationToken::new(),
    )
    .unwrap();
    (c, store)
}

#[tokio::test]
async fn messages_of_one_conversation_are_handled_in_order() {
    let (c, store) = start(Config::default());
    let id = c.create(None, today()).await.unwrap();
    c.message(&id, "awareness in Germany, 30 days", None, None).await.unwrap();
    let mut pending = Vec::new();
    for k in 1..=30 {
        pending.push(c.submit(&id, &format!("make it {k}k"), None, None).await.unwrap());
    }
    for (k, rx) in pending.into_iter().enumerate() {
        let turn = rx.await.unwrap().unwrap();
        assert_eq!(turn.response.brief.budget.unwrap().amount, (k + 1) as f64 * 1000.0);
    }
    let view = c.get(&id).await.unwrap();
    let texts: Vec<&str> = view.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts.len(), 31);
    assert_eq!(texts[30], "make it 30k");
    assert!(store.get(&id).await.unwrap().is_some(), "written to the store before replying");
}

#[tokio::test]
async fn follow_ups_report_changes_and_undo_restores() {
    let (c, _) = start(Config::default());
    let id = c.create(None, today()).await.unwrap();
    let first = c.message(&id, "awareness in Germany, €5k, 30 days", None, None).await.unwrap();
    assert!(first.changes.is_empty());
    let second = c.message(&id, "extend it by two weeks", None, None).await.unwrap();
    let fields: Vec<&str> = second.changes.iter().map(|ch| ch.field.as_str()).collect();
    assert!(fields.contains(&"end") && fields.contains(&"days") && fields.contains(&"daily_spend"), "{fields:?}");
    assert!(!fields.contains(&"budget"));
    let undone = c.message(&id, "undo", None, None).await.unwrap();
    assert_eq!(undone.response.brief, first.response.brief);
    assert!(undone.changes.iter().any(|ch| ch.field == "days"));
}

#[tokio::test]
async fn a_slow_or_crashing_specialist_becomes_a_warning() {
    let fault: FaultHook = Arc::new(|s, text| match (s, text.contains("SLOW"), text.contains("CRASH")) {
        (Specialist::Budget, true, _) => Some(Fault::Delay(Duration::from_secs(5))),
        (Specialist::Goal, _, true) => Some(Fault::Panic),
        (Specialist::Schedule, _, _) if text.contains("STUCK") => Some(Fault::Delay(Duration::from_secs(2))),
        _ => None,
    });
    let (c, _) =
        start(Config { specialist_timeout: Duration::from_millis(100), fault: Some(fault), ..Config::default() });
    let t = c.one_shot("SLOW awareness in Germany, €5k, 30 days", today(), None).await.unwrap();
    assert!(t.response.brief.budget.is_none(), "the timed-out specialist's part is left out");
    assert_eq!(t.response.brief.audience.locations[0].country, "DE", "the others' findings are kept");
    assert!(t.response.plan.warnings.iter().any(|w| w.field == "specialist.budget"));
    let t = c.one_shot("CRASH awareness in Germany, €5k, 30 days", today(), None).await.unwrap();
    assert!(t.response.brief.objective.is_none());
    assert_eq!(t.response.brief.budget.as_ref().unwrap().amount, 5000.0);
    assert!(t.response.plan.warnings.iter().any(|w| w.field == "specialist.goal"));
    // A specialist stuck awaiting (as one asking a model would be) is cut off at the limit, and
    // the turn does not wait for it.
    let started = std::time::Instant::now();
    let t = c.one_shot("STUCK awareness in Germany, €5k, 30 days", today(), None).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(1), "the turn did not wait for the stuck specialist");
    assert!(t.response.brief.schedule.days.is_none());
    assert!(t.response.plan.warnings.iter().any(|w| w.field == "specialist.schedule"));
}

/// Deterministic specialists run inline in the turn's task: with the runtime's only blocking
/// thread held, plans still come at once (a turn that hopped to the blocking pool would wait).
#[test]
fn a_turn_needs_no_blocking_thread() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().max_blocking_threads(1).build().unwrap();
    rt.block_on(async {
        let (c, _) = start(Config::default());
        let (release, held) = std::sync::mpsc::channel::<()>();
        let holder = tokio::task::spawn_blocking(move || held.recv_timeout(Duration::from_secs(10)).is_err());
        let started = std::time::Instant::now();
        for text in ["awareness in Germany, €5k, 30 days", "installs in Spain for 25-34s, 3k a week", "make it 8k"] {
            let t = tokio::time::timeout(Duration::from_secs(5), c.one_shot(text, today(), None))
                .await
                .expect("answered without a blocking thread")
                .expect("planned");
            assert!(t.response.plan.warnings.iter().all(|w| !w.field.starts_with("specialist.")), "{text}");
        }
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
        let _ = release.send(());
        assert!(!holder.await.unwrap(), "the blocking thread was held throughout");
    });
}

#[tokio::test]
async fn unknown_conversations_are_not_found_and_ids_can_be_given() {
    let (c, _) = start(Config::default());
    assert_eq!(c.message("nope", "hi", None, None).await.unwrap_err().code(), "not_found");
    let t = c.message("slack:T1:C1:123.456", "awareness in France", Some(today()), None).await.unwrap();
    assert_eq!(t.response.brief.audience.locations[0].country, "FR");
    assert!(c.exists("slack:T1:C1:123.456").await);
}

#[tokio::test]
async fn a_crashing_turn_leaves_the_conversation_usable() {
    let fault: FaultHook = Arc::new(|_, text| text.contains("BOOM").then_some(Fault::PanicWhileMerging));
    let (c, store) = start(Config { fault: Some(fault), ..Config::default() });
    let id = c.create(None, today()).await.unwrap();
    c.message(&id, "awareness in Germany, €5k, 30 days", None, None).await.unwrap();
    let crashed = tokio::time::timeout(Duration::from_secs(5), c.message(&id, "BOOM make it 8k", None, None))
        .await
        .expect("answered, not hung");
    assert_eq!(crashed.unwrap_err(), CoordError::Internal);
    let next = tokio::time::timeout(Duration::from_secs(5), c.message(&id, "extend it by two weeks", None, None))
        .await
        .expect("the conversation is not jammed")
        .expect("handled");
    assert_eq!(next.response.brief.budget.unwrap().amount, 5000.0, "the crashed message left no trace");
    assert_eq!(next.response.brief.schedule.days, Some(44));
    let view = c.get(&id).await.unwrap();
    assert_eq!(view.messages.len(), 2, "only the handled messages are recorded");
    let stored: Record = serde_json::from_slice(&store.get(&id).await.unwrap().unwrap()).unwrap();
    assert_eq!(stored.messages.len(), 2);
    // A far-future reference date is answered too (date arithmetic saturates).
    let far = c.message("far", "awareness in Germany, €5k, 30 days", Some(NaiveDate::MAX), None).await;
    assert!(far.is_ok(), "{far:?}");
}

/// A store that fails (`down`) or hangs (`frozen`) on demand.
#[derive(Default)]
pub(crate) struct Flaky {
    inner: MemoryStore,
    pub down: std::sync::atomic::AtomicBool,
    pub frozen: std::sync::atomic::AtomicBool,
    /// Writes of this one conversation hang (a slow write).
    pub slow_id: std::sync::Mutex<Option<String>>,
}

impl Flaky {
    async fn gate(&self) -> Result<(), StoreError> {
        while self.frozen.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::unavailable("test", "disk full"));
        }
        Ok(())
    }
}

impl ConversationStore for Flaky {
    fn load_all(&self) -> StoreFuture<'_, Vec<(String, Vec<u8>)>> {
        Box::pin(async move {
            self.gate().await?;
            self.inner.load_all().await
        })
    }
    fn get<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            self.gate().await?;
            self.inner.get(id).await
        })
    }
    fn put<'a>(&'a self, id: &'a str, record: &'a [u8], fence: Option<&'a str>) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            while self.slow_id.lock().unwrap().as_deref() == Some(id) {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            self.gate().await?;
            self.inner.put(id, record, fence).await
        })
    }
    fn remove<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.gate().await?;
            self.inner.remove(id).await
        })
    }
    fn remember<'a>(&'a self, key: &'a str, value: &'a [u8], ttl: Duration) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            self.gate().await?;
            self.inner.remember(key, value, ttl).await
        })
    }
    fn recall<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            self.gate().await?;
            self.inner.recall(key).await
        })
    }
    fn probe(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move { self.gate().await })
    }
}

#[tokio::test]
async fn a_message_that_could_not_be_stored_is_not_applied() {
    let store = Arc::new(Flaky::default());
    let c = Coordinator::start(
        Brain::default(),
        store.clone(),
        Config::default(),
        Arc::new(Metrics::default()),
        CancellationToken::new(),
    )
    .unwrap();
    let id = c.create(None, today()).await.unwrap();
    c.message(&id, "awareness in Germany, €5k, 30 days", None, None).await.unwrap();
    store.down.store(true, Ordering::SeqCst);
    let failed = c.message(&id, "extend it by two weeks", None, None).await.unwrap_err();
    assert_eq!(failed.code(), "store_unavailable");
    store.down.store(false, Ordering::SeqCst);
    let retried = c.message(&id, "extend it by two weeks", None, None).await.unwrap();
    assert_eq!(retried.response.brief.schedule.days, Some(44), "extended once, not twice");
}

#[tokio::test(start_paused = true)]
async fn idle_conversations_expire_and_the_map_is_bounded() {
    let config = Config {
        ttl: Duration::from_secs(3600),
        max_conversations: 3,
        sweep_every: Duration::from_secs(60),
        ..Config::default()
    };
    let (c, store) = start(config);
    let mut ids = Vec::new();
    for _ in 0..5 {
        let id = c.create(None, today()).await.unwrap();
        c.message(&id, "reach in Spain", None, None).await.unwrap();
        ids.push(id);
    }
    tokio::time::sleep(Duration::from_secs(61)).await;
    tokio::task::yield_now().await;
    assert!(c.conversations() <= 3, "bounded: {}", c.conversations());
    assert!(c.get(&ids[0]).await.is_ok(), "evicted from memory, still in the store");
    tokio::time::sleep(Duration::from_secs(3700)).await;
    for _ in 0..200 {
        if store.load_all().await.unwrap().len() <= 2 {
            break;
        }
        tokio::task::yield_now().await;
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(c.conversations(), 0, "all idle past the TTL");
    // The three held in memory expired and were deleted; the two evicted earlier stay in the
    // store until the next start purges them.
    assert_eq!(store.load_all().await.unwrap().len(), 2);
}

fn start_flaky() -> (Coordinator, Arc<Flaky>) {
    let store = Arc::new(Flaky::default());
    let c = Coordinator::start(
        Brain::default(),
        store.clone(),
        Config::default(),
        Arc::new(Metrics::default()),
        CancellationToken::new(),
    )
    .unwrap();
    (c, store)
}

#[tokio::test]
async fn a_failing_store_is_an_error_never_absent_and_health_follows_it() {
    let (c, store) = start_flaky();
    let id = c.create(None, today()).await.unwrap();
    c.message(&id, "awareness in Germany, €5k, 30 days", None, None).await.unwrap();
    assert!(c.store_healthy().await);
    store.down.store(true, Ordering::SeqCst);
    // Not in memory (a stored conversation of another process, or evicted): the store is asked.
    for call in [c.try_exists("c_elsewhere").await.map(|_| ()), c.get("c_elsewhere").await.map(|_| ())] {
        assert_eq!(call.unwrap_err().code(), "store_unavailable");
    }
    assert_eq!(c.create(None, today()).await.unwrap_err().code(), "store_unavailable");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(!c.store_healthy().await, "unhealthy while down");
    store.down.store(false, Ordering::SeqCst);
    let back = std::time::Instant::now();
    while !c.store_healthy().await {
        assert!(back.elapsed() < Duration::from_secs(5), "recovers by itself within seconds");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(c.message(&id, "make it 8k", None, None).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_store_delays_no_one_shot_plan() {
    let (c, store) = start_flaky();
    let cached = c.create(None, today()).await.unwrap();
    c.message(&cached, "awareness in Germany, €5k, 30 days", None, None).await.unwrap();
    store.frozen.store(true, Ordering::SeqCst);
    // Writes that hang: a creation and a message of the cached conversation.
    let (c1, c2) = (c.clone(), c.clone());
    let stuck_create = tokio::spawn(async move { c1.create(None, today()).await });
    let stuck_msg = tokio::spawn(async move { c2.message(&cached, "make it 9k", None, None).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    for n in 0..5 {
        let started = std::time::Instant::now();
        let t = c.one_shot(&format!("reach in Spain, €{n}k, 3 weeks"), today(), None).await.unwrap();
        assert!(started.elapsed() < Duration::from_millis(900), "one-shot took {:?}", started.elapsed());
        assert_eq!(t.response.brief.audience.locations[0].country, "ES");
    }
    // The hung calls fail within the store's time limit, then the store comes back.
    let e = stuck_create.await.unwrap().unwrap_err();
    assert_eq!(e.code(), "store_unavailable");
    assert_eq!(stuck_msg.await.unwrap().unwrap_err().code(), "store_unavailable");
    store.frozen.store(false, Ordering::SeqCst);
    assert!(c.create(None, today()).await.is_ok());
}

#[tokio::test]
async fn a_repeated_idempotency_key_applies_nothing_and_returns_the_same_reply() {
    let (c, store) = start(Config::default());
    let first = c.create_once("k-create", today()).await.unwrap();
    let again = c.create_once("k-create", today()).await.unwrap();
    assert_eq!((first.id.as_str(), first.repeat, again.repeat), (again.id.as_str(), false, true));
    let id = first.id;
    let a = c.message_once(&id, "awareness in Germany, €5k, 30 days", Some("m1"), None).await.unwrap();
    let b = c.message_once(&id, "extend it by two weeks", Some("m2"), None).await.unwrap();
    let b2 = c.message_once(&id, "extend it by two weeks", Some("m2"), None).await.unwrap();
    let Answer::Fresh(turn) = &b else { panic!("first use of a key is handled: {b:?}") };
    let Answer::Repeat(kept) = &b2 else { panic!("a repeat is not handled again: {b2:?}") };
    assert_eq!(kept, &serde_json::to_vec(turn).unwrap(), "the same body");
    assert!(matches!(a, Answer::Fresh(_)));
    // The same key on another conversation is another message.
    let other = c.create(None, today()).await.unwrap();
    let o = c.message_once(&other, "reach in Spain", Some("m2"), None).await.unwrap();
    assert!(matches!(o, Answer::Fresh(_)));
    let view = c.get(&id).await.unwrap();
    assert_eq!(view.messages.len(), 2, "applied once");
    assert_eq!(view.response.brief.schedule.days, Some(44));
    // A reply that was lost from the store still applies nothing: the current plan comes back.
    let record: Record = serde_json::from_slice(&store.get(&id).await.unwrap().unwrap()).unwrap();
    assert!(record.has_applied("m2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_write_of_one_conversation_delays_no_other() {
    let (c, store) = start_flaky();
    let (a, b) = (c.create(None, today()).await.unwrap(), c.create(None, today()).await.unwrap());
    *store.slow_id.lock().unwrap() = Some(a.clone());
    let c1 = c.clone();
    let a1 = a.clone();
    let stuck = tokio::spawn(async move { c1.message(&a1, "awareness in Germany, €5k, 30 days", None, None).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    for k in 1..=5 {
        let started = std::time::Instant::now();
        c.message(&b, &format!("reach in Spain, €{k}k, 3 weeks"), None, None).await.unwrap();
        assert!(
            started.elapsed() < Duration::from_millis(900),
            "waited {:?} behind another conversation",
            started.elapsed()
        );
    }
    // The slow one fails at its time limit, alone; its conversation works again after.
    assert_eq!(stuck.await.unwrap().unwrap_err().code(), "store_unavailable");
    *store.slow_id.lock().unwrap() = None;
    assert!(c.message(&a, "reach in Spain", None, None).await.is_ok());
}

/// A `--jsonl` request plans only its last message; the earlier ones change the brief, the
/// undo stack and the scenarios exactly as a kept conversation's turns do, so the answer is
/// the kept conversation's last reply.
#[tokio::test]
async fn a_request_kept_nowhere_ends_where_a_kept_conversation_ends() {
    let (c, _) = start(Config::default());
    let brief = "reach in Spain, €9k, 5 weeks";
    let conversations: &[&[&str]] = &[
        &[brief, "make it 12k", "add Portugal"],
        &[brief, "make it 12k", "undo"],
        &[brief, "make it 12k", "undo", "undo", "6 weeks"],
        &[brief, "compare 15k vs 25k", "use option 2"],
        &[brief, "compare 15k vs 25k", "add Portugal"],
        &[brief, "compare with 8 weeks", "undo", "make it 20k"],
        &[brief, "side by side with 4 weeks", "go with that", "undo"],
        &["hello", brief, "no video"],
    ];
    for messages in conversations {
        let kept = c.create(None, today()).await.unwrap();
        let mut last = None;
        for m in *messages {
            last = Some(c.message(&kept, m, None, None).await.unwrap().response);
        }
        let ephemeral = c.ephemeral(messages.to_vec(), today()).await.unwrap();
        assert_eq!(Some(ephemeral), last, "{messages:?}");
    }
}
