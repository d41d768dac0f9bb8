//! The coordinator: the one actor every surface hands messages to.
//!
//! A cloneable [`Coordinator`] handle sends commands over a bounded channel to one task. For each
//! message the task appends it to its conversation's queue and, when no turn of that conversation
//! is running, spawns one: messages of a conversation are handled strictly in arrival order,
//! different conversations in parallel. A turn routes the message, runs the chosen specialists
//! concurrently — each in its own task with a time limit; one that fails, times out or panics
//! becomes a warning and the others' findings are kept — merges their findings, plans, writes
//! the conversation to the store, and only then replies. Progress events (each specialist's
//! finding as it completes, then the plan) go to an optional channel for streaming surfaces.
//!
//! Conversation context lives in a `DashMap` keyed by conversation id (a Slack thread, an API
//! conversation). It is a cache over the store: idle conversations leave memory after the TTL (and
//! are deleted), the map has a size bound (the least recently used idle ones leave memory first
//! and come back from the store when needed). No map guard is ever held across an `.await`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use chrono::NaiveDate;
use dashmap::DashMap;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::brain::{validate, Brain, InputError, Response};
use crate::conversation::Conversation;
use crate::data::SharedBrain;
use crate::store::ConversationStore;
use crate::telemetry::Metrics;
use crate::understand::{router, Findings, Specialist, Text};

/// Words that undo the last change instead of being a brief.
const UNDO: &[&str] = &["undo", "go back", "revert", "undo that", "go back one", "revert that", "undo the last change"];
/// Earlier states kept per conversation for "undo".
const UNDO_DEPTH: usize = 20;
/// Past messages kept per conversation (for `GET` and the Slack thread summary); older ones are
/// dropped so a record does not grow without bound.
pub const MESSAGES_KEPT: usize = 500;

/// A fault to inject into a specialist run (tests of the time limit and panic handling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Wait (asynchronously) before running.
    Delay(Duration),
    /// Keep the thread busy (synchronously) before running: a runaway specialist.
    Busy(Duration),
    Panic,
    /// Panic after the specialists, while merging and planning (outside their tasks).
    PanicWhileMerging,
}

/// Decides faults per specialist and message; `None` in production.
pub type FaultHook = Arc<dyn Fn(Specialist, &str) -> Option<Fault> + Send + Sync>;

/// Coordinator settings.
#[derive(Clone)]
pub struct Config {
    /// Time limit of one specialist run.
    pub specialist_timeout: Duration,
    /// Idle conversations are forgotten (and deleted from the store) after this long.
    pub ttl: Duration,
    /// At most this many conversations in memory.
    pub max_conversations: usize,
    /// How often the sweeper looks for idle conversations.
    pub sweep_every: Duration,
    pub fault: Option<FaultHook>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            specialist_timeout: Duration::from_millis(500),
            ttl: Duration::from_secs(14 * 24 * 3600),
            max_conversations: 100_000,
            sweep_every: Duration::from_secs(60),
            fault: None,
        }
    }
}

/// One field that changed between two plans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub from: serde_json::Value,
    pub to: serde_json::Value,
}

/// The figures a follow-up is compared on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Digest {
    budget: Option<f64>,
    currency: Option<String>,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    days: Option<i64>,
    reach: Option<f64>,
    frequency: Option<f64>,
    daily_spend: Option<f64>,
}

impl Digest {
    fn of(r: &Response) -> Digest {
        let p = &r.plan;
        let budget = p.budget.as_ref().map(|b| b.total);
        let days = p.schedule.as_ref().map(|s| s.days);
        Digest {
            budget,
            currency: Some(p.currency.clone()),
            start: p.schedule.as_ref().map(|s| s.start),
            end: p.schedule.as_ref().map(|s| s.end),
            days,
            reach: p.forecast.as_ref().map(|f| f.reach.mid),
            frequency: p.forecast.as_ref().map(|f| (f.frequency.mid * 100.0).round() / 100.0),
            daily_spend: budget.zip(days).filter(|(_, d)| *d > 0).map(|(b, d)| (b / d as f64 * 100.0).round() / 100.0),
        }
    }

    fn changes(&self, new: &Digest) -> Vec<Change> {
        let mut out = Vec::new();
        let mut push = |field: &str, a: serde_json::Value, b: serde_json::Value| {
            if a != b {
                out.push(Change { field: field.to_string(), from: a, to: b });
            }
        };
        let j = |v: &dyn erased::Json| v.json();
        push("budget", j(&self.budget), j(&new.budget));
        push("currency", j(&self.currency), j(&new.currency));
        push("start", j(&self.start), j(&new.start));
        push("end", j(&self.end), j(&new.end));
        push("days", j(&self.days), j(&new.days));
        push("reach", j(&self.reach), j(&new.reach));
        push("frequency", j(&self.frequency), j(&new.frequency));
        push("daily_spend", j(&self.daily_spend), j(&new.daily_spend));
        out
    }
}

mod erased {
    /// Anything serialisable, as JSON (lets `changes` treat mixed field types alike).
    pub trait Json {
        fn json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
    }
}

/// One handled message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageRecord {
    pub text: String,
    /// Unix seconds.
    pub at: i64,
    pub changes: Vec<Change>,
}

/// Everything kept about a conversation, in memory and in the store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    pub conversation: Conversation,
    undo: Vec<Conversation>,
    /// The latest messages (at most [`MESSAGES_KEPT`]).
    pub messages: Vec<MessageRecord>,
    digest: Option<Digest>,
    /// Unix seconds when the conversation was created (expiry of one with no message).
    #[serde(default)]
    created: i64,
}

impl Record {
    /// A new, empty conversation.
    fn new(id: &str, today: NaiveDate) -> Record {
        Record {
            id: id.to_string(),
            conversation: Conversation::new(today),
            undo: Vec::new(),
            messages: Vec::new(),
            digest: None,
            created: unix_now(),
        }
    }
}

/// The outcome of one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Turn {
    #[serde(flatten)]
    pub response: Response,
    /// What changed against the previous plan of the conversation (empty for a first message).
    pub changes: Vec<Change>,
}

/// A progress event for streaming surfaces.
#[derive(Debug, Clone)]
pub enum Event {
    /// A specialist finished; its finding.
    Specialist { specialist: Specialist, finding: serde_json::Value, elapsed: Duration },
    /// A specialist failed (timed out or crashed); the turn goes on without it.
    Failed { specialist: Specialist, reason: String },
    /// The final result.
    Plan(Box<Turn>),
}

/// Why the coordinator could not handle a request.
#[derive(Debug, Clone, Error, PartialEq)]
pub enum CoordError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("no conversation {0:?}")]
    NotFound(String),
    #[error("the conversation store failed: {0}")]
    Store(String),
    #[error("the coordinator is shutting down")]
    Closed,
    #[error("an internal error stopped this message; the conversation is as it was before it")]
    Internal,
}

impl CoordError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            CoordError::Input(e) => e.code(),
            CoordError::NotFound(_) => "not_found",
            CoordError::Store(_) => "store_failed",
            CoordError::Closed => "shutting_down",
            CoordError::Internal => "internal",
        }
    }
}

/// A snapshot of a conversation for `GET`.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub id: String,
    pub today: NaiveDate,
    #[serde(flatten)]
    pub response: Response,
    pub messages: Vec<MessageRecord>,
}

type Reply = oneshot::Sender<Result<Turn, CoordError>>;

struct Job {
    text: String,
    events: Option<mpsc::Sender<Event>>,
    reply: Reply,
}

enum Command {
    Create { id: Option<String>, today: NaiveDate, reply: oneshot::Sender<Result<String, CoordError>> },
    Message { id: String, create: Option<NaiveDate>, job: Job },
    OneShot { today: NaiveDate, job: Job },
}

/// A conversation's place in the map.
struct Slot {
    record: Option<Record>,
    queue: VecDeque<Job>,
    busy: bool,
    /// Today for a conversation created on first message.
    create: Option<NaiveDate>,
    last_active: Instant,
}

struct Shared {
    /// The planning data; swapped by the data watcher, read once per turn.
    brain: Arc<SharedBrain>,
    store: Arc<dyn ConversationStore>,
    config: Config,
    slots: DashMap<String, Slot>,
    metrics: Arc<Metrics>,
    ids: AtomicU64,
}

/// The handle surfaces hold.
#[derive(Clone)]
pub struct Coordinator {
    tx: mpsc::Sender<Command>,
    shared: Arc<Shared>,
}

impl Coordinator {
    /// Starts the coordinator over fixed planning data (see [`Coordinator::start_shared`]).
    pub fn start(
        brain: Brain,
        store: Arc<dyn ConversationStore>,
        config: Config,
        metrics: Arc<Metrics>,
        shutdown: CancellationToken,
    ) -> Result<Coordinator, CoordError> {
        let data = Arc::new(SharedBrain::new(brain, std::time::SystemTime::now()));
        Coordinator::start_shared(data, store, config, metrics, shutdown)
    }

    /// Starts the coordinator task (and its sweeper) on the current runtime, after loading the
    /// stored conversations (most recent first, up to the size bound). `brain` may be swapped
    /// while it runs (`crate::data::watch`).
    pub fn start_shared(
        brain: Arc<SharedBrain>,
        store: Arc<dyn ConversationStore>,
        config: Config,
        metrics: Arc<Metrics>,
        shutdown: CancellationToken,
    ) -> Result<Coordinator, CoordError> {
        let slots = DashMap::new();
        let mut loaded: Vec<Record> = store
            .load_all()
            .map_err(|e| CoordError::Store(e.to_string()))?
            .into_iter()
            .filter_map(|(id, bytes)| match serde_json::from_slice::<Record>(&bytes) {
                Ok(r) => Some(r),
                Err(e) => {
                    tracing::warn!(conversation = %id, error = %e, "skipped an unreadable stored conversation");
                    None
                }
            })
            .collect();
        // Conversations idle past the TTL are deleted at start (those evicted from memory earlier
        // were not seen by the sweeper).
        let now = unix_now();
        let ttl = config.ttl.as_secs() as i64;
        loaded.retain(|r| {
            let last = r.messages.last().map_or(if r.created > 0 { r.created } else { now }, |m| m.at);
            let fresh = now - last < ttl;
            if !fresh {
                if let Err(e) = store.remove(&r.id) {
                    tracing::warn!(conversation = %r.id, error = %e, "could not delete an expired conversation");
                }
            }
            fresh
        });
        loaded.sort_by_key(|r| std::cmp::Reverse(r.messages.last().map_or(0, |m| m.at)));
        for r in loaded.into_iter().take(config.max_conversations) {
            slots.insert(
                r.id.clone(),
                Slot {
                    record: Some(r),
                    queue: VecDeque::new(),
                    busy: false,
                    create: None,
                    last_active: Instant::now(),
                },
            );
        }
        brain.report(&metrics);
        let shared = Arc::new(Shared { brain, store, config, slots, metrics, ids: AtomicU64::new(0) });
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(run(shared.clone(), rx, shutdown.clone()));
        tokio::spawn(sweep(shared.clone(), shutdown));
        Ok(Coordinator { tx, shared })
    }

    /// The brain in use now.
    pub fn brain(&self) -> Brain {
        self.shared.brain.current()
    }

    /// The swappable planning data.
    pub fn data(&self) -> Arc<SharedBrain> {
        self.shared.brain.clone()
    }

    /// Conversations held in memory.
    pub fn conversations(&self) -> usize {
        self.shared.slots.len()
    }

    /// Creates a conversation; returns its id (a new one unless `id` is given).
    pub async fn create(&self, id: Option<String>, today: NaiveDate) -> Result<String, CoordError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Command::Create { id, today, reply }).await.map_err(|_| CoordError::Closed)?;
        rx.await.map_err(|_| CoordError::Closed)?
    }

    /// Handles a message of an existing conversation, or of a new one with this id when `create`
    /// gives its reference date (Slack threads).
    pub async fn message(
        &self,
        id: &str,
        text: &str,
        create: Option<NaiveDate>,
        events: Option<mpsc::Sender<Event>>,
    ) -> Result<Turn, CoordError> {
        let (reply, rx) = oneshot::channel();
        let job = Job { text: text.to_string(), events, reply };
        self.tx.send(Command::Message { id: id.to_string(), create, job }).await.map_err(|_| CoordError::Closed)?;
        rx.await.map_err(|_| CoordError::Closed)?
    }

    /// Queues a message and returns at once with a handle on its outcome: messages queued one
    /// after the other are handled in that order.
    pub async fn submit(
        &self,
        id: &str,
        text: &str,
        create: Option<NaiveDate>,
        events: Option<mpsc::Sender<Event>>,
    ) -> Result<oneshot::Receiver<Result<Turn, CoordError>>, CoordError> {
        let (reply, rx) = oneshot::channel();
        let job = Job { text: text.to_string(), events, reply };
        self.tx.send(Command::Message { id: id.to_string(), create, job }).await.map_err(|_| CoordError::Closed)?;
        Ok(rx)
    }

    /// Plans a single message with no conversation kept.
    pub async fn one_shot(
        &self,
        text: &str,
        today: NaiveDate,
        events: Option<mpsc::Sender<Event>>,
    ) -> Result<Turn, CoordError> {
        let (reply, rx) = oneshot::channel();
        let job = Job { text: text.to_string(), events, reply };
        self.tx.send(Command::OneShot { today, job }).await.map_err(|_| CoordError::Closed)?;
        rx.await.map_err(|_| CoordError::Closed)?
    }

    /// Claims a delivery across replicas (Slack may hand the two events of one post, or the
    /// retries of one event, to different processes): true for the first claim. Always true
    /// with a store of one process; a store failure counts as a claim (better a duplicate than
    /// a lost reply).
    pub async fn claim(&self, key: &str, ttl: Duration) -> bool {
        if !self.shared.store.shared() {
            return true;
        }
        let store = self.shared.store.clone();
        let key = key.to_string();
        match tokio::task::spawn_blocking(move || store.claim(&key, ttl)).await {
            Ok(Ok(first)) => first,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "could not claim a delivery in the shared store");
                true
            }
            Err(_) => true,
        }
    }

    /// Whether a conversation exists (in memory or in the store).
    pub async fn exists(&self, id: &str) -> bool {
        self.shared.slots.get(id).is_some_and(|s| s.record.is_some() || s.busy)
            || matches!(load(&self.shared, id).await, Ok(Some(_)))
    }

    /// The current state of a conversation (from memory, else the store).
    pub async fn get(&self, id: &str) -> Result<View, CoordError> {
        // With a shared store another replica may have moved on: read the store.
        let cached =
            if self.shared.store.shared() { None } else { self.shared.slots.get(id).and_then(|s| s.record.clone()) };
        let record = match cached {
            Some(r) => Some(r),
            None => load(&self.shared, id).await?,
        };
        let r = record.ok_or_else(|| CoordError::NotFound(id.to_string()))?;
        let brain = self.shared.brain.current();
        let response = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| brain.plan(&r.conversation)))
            .map_err(|_| CoordError::Internal)?;
        Ok(View { id: r.id.clone(), today: r.conversation.today, response, messages: r.messages })
    }
}

async fn load(shared: &Arc<Shared>, id: &str) -> Result<Option<Record>, CoordError> {
    let store = shared.store.clone();
    let key = id.to_string();
    let bytes = tokio::task::spawn_blocking(move || store.get(&key))
        .await
        .map_err(|e| CoordError::Store(e.to_string()))?
        .map_err(|e| CoordError::Store(e.to_string()))?;
    Ok(bytes.and_then(|b| serde_json::from_slice(&b).ok()))
}

fn new_id(shared: &Shared) -> String {
    let n = shared.ids.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    // A mixed 64-bit value: unique per process by the counter, across restarts by the clock.
    let mut x = (nanos as u64) ^ (n.wrapping_mul(0x9E37_79B9_7F4A_7C15)) ^ ((std::process::id() as u64) << 32);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    format!("c_{x:016x}")
}

async fn run(shared: Arc<Shared>, mut rx: mpsc::Receiver<Command>, shutdown: CancellationToken) {
    loop {
        let cmd = tokio::select! {
            _ = shutdown.cancelled() => break,
            cmd = rx.recv() => match cmd { Some(c) => c, None => break },
        };
        match cmd {
            Command::Create { id, today, reply } => {
                // A given id may already be stored; a fresh one cannot be.
                let given = id.is_some();
                let id = id.unwrap_or_else(|| new_id(&shared));
                let record = Record::new(&id, today);
                let exists =
                    shared.slots.contains_key(&id) || (given && matches!(load(&shared, &id).await, Ok(Some(_))));
                if !exists {
                    shared.slots.insert(
                        id.clone(),
                        Slot {
                            record: Some(record.clone()),
                            queue: VecDeque::new(),
                            busy: false,
                            create: None,
                            last_active: Instant::now(),
                        },
                    );
                    // Written here, in the actor, so it lands before any message's write: creations
                    // are rare next to messages, and a store write takes about a millisecond.
                    let store = shared.store.clone();
                    let bytes = serde_json::to_vec(&record).unwrap_or_default();
                    let key = id.clone();
                    let saved = tokio::task::spawn_blocking(move || store.put(&key, &bytes)).await;
                    if let Ok(Err(e)) = saved {
                        let _ = reply.send(Err(CoordError::Store(e.to_string())));
                        continue;
                    }
                }
                let _ = reply.send(Ok(id));
            }
            Command::Message { id, create, job } => {
                let start = {
                    let mut slot = shared.slots.entry(id.clone()).or_insert_with(|| Slot {
                        record: None,
                        queue: VecDeque::new(),
                        busy: false,
                        create,
                        last_active: Instant::now(),
                    });
                    if slot.create.is_none() {
                        slot.create = create;
                    }
                    slot.queue.push_back(job);
                    slot.last_active = Instant::now();
                    let start = !slot.busy;
                    slot.busy = true;
                    start
                };
                if start {
                    tokio::spawn(drain(shared.clone(), id));
                }
            }
            Command::OneShot { today, job } => {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let mut conv = Conversation::new(today);
                    let result = turn(&shared, &mut conv, &job.text, job.events.as_ref()).await;
                    let result = result.map(|response| Turn { response, changes: Vec::new() });
                    if let (Ok(t), Some(tx)) = (&result, &job.events) {
                        let _ = tx.send(Event::Plan(Box::new(t.clone()))).await;
                    }
                    let _ = job.reply.send(result);
                });
            }
        }
        shared.metrics.gauge("adsai_conversations", "Conversations held in memory.", vec![], shared.slots.len() as f64);
    }
}

/// Handles the queued messages of one conversation, in order, until its queue is empty.
async fn drain(shared: Arc<Shared>, id: String) {
    loop {
        let next = {
            let Some(mut slot) = shared.slots.get_mut(&id) else { return };
            match slot.queue.pop_front() {
                Some(job) => Some((job, slot.record.take(), slot.create)),
                None => {
                    slot.busy = false;
                    None
                }
            }
        };
        let Some((job, record, create)) = next else { return };
        // A shared store: other replicas may have moved the conversation on. Take its lock and
        // read the latest record; the lock is released after the reply is stored.
        let lock = if shared.store.shared() {
            let store = shared.store.clone();
            let key = id.clone();
            match tokio::task::spawn_blocking(move || store.lock(&key, LOCK_LEASE, LOCK_WAIT)).await {
                Ok(Ok(token)) => Some(token),
                Ok(Err(e)) => {
                    let _ = job.reply.send(Err(CoordError::Store(e.to_string())));
                    continue;
                }
                Err(e) => {
                    let _ = job.reply.send(Err(CoordError::Store(e.to_string())));
                    continue;
                }
            }
        } else {
            None
        };
        let record = if lock.is_some() { None } else { record };
        let record = match record {
            Some(r) => Some(r),
            None => match load(&shared, &id).await {
                Ok(r) => r,
                Err(e) => {
                    unlock(&shared, &id, lock).await;
                    let _ = job.reply.send(Err(e));
                    continue;
                }
            },
        };
        let mut record = match (record, create) {
            (Some(r), _) => r,
            (None, Some(today)) => Record::new(&id, today),
            (None, None) => {
                unlock(&shared, &id, lock).await;
                let _ = job.reply.send(Err(CoordError::NotFound(id.clone())));
                if let Some(mut slot) = shared.slots.get_mut(&id) {
                    if slot.record.is_none() && slot.queue.is_empty() {
                        slot.busy = false;
                        drop(slot);
                        shared.slots.remove_if(&id, |_, s| s.record.is_none() && !s.busy);
                        return;
                    }
                }
                continue;
            }
        };
        // The turn runs in its own task: a panic anywhere in understanding or planning is an
        // error reply, and the conversation stays as it was before the message.
        let before = record.clone();
        let turn_task = {
            let shared = shared.clone();
            let (text, events) = (job.text.clone(), job.events.clone());
            tokio::spawn(async move {
                let r = message_turn(&shared, &mut record, &text, events.as_ref()).await;
                (record, r)
            })
        };
        let (mut record, result) = match turn_task.await {
            Ok(done) => done,
            Err(e) => {
                tracing::error!(conversation = %id, error = %e, "a turn crashed; the conversation is kept as it was");
                (before.clone(), Err(CoordError::Internal))
            }
        };
        let result = match result {
            Ok(t) => {
                let store = shared.store.clone();
                let bytes = serde_json::to_vec(&record).unwrap_or_default();
                let key = id.clone();
                match tokio::task::spawn_blocking(move || store.put(&key, &bytes)).await {
                    Ok(Ok(())) => Ok(t),
                    Ok(Err(e)) => Err(CoordError::Store(e.to_string())),
                    Err(e) => Err(CoordError::Store(e.to_string())),
                }
            }
            Err(e) => Err(e),
        };
        if result.is_err() {
            // Not stored, not applied: a retry of the message must not apply it twice.
            record = before;
        }
        unlock(&shared, &id, lock).await;
        if let Some(mut slot) = shared.slots.get_mut(&id) {
            slot.record = Some(record);
            slot.last_active = Instant::now();
        }
        if let (Ok(t), Some(tx)) = (&result, &job.events) {
            let _ = tx.send(Event::Plan(Box::new(t.clone()))).await;
        }
        let _ = job.reply.send(result);
    }
}

/// How long a replica may hold a conversation's lock in a shared store. A turn takes
/// milliseconds; the lease outlasts the worst case (specialist limit ≤ 10 s, store calls with
/// their own time limits) and only matters when a replica dies mid-turn.
const LOCK_LEASE: Duration = Duration::from_secs(60);
/// How long a turn waits for another replica to finish with the same conversation.
const LOCK_WAIT: Duration = Duration::from_secs(75);

async fn unlock(shared: &Arc<Shared>, id: &str, token: Option<String>) {
    let Some(token) = token else { return };
    let store = shared.store.clone();
    let key = id.to_string();
    if let Ok(Err(e)) = tokio::task::spawn_blocking(move || store.unlock(&key, &token)).await {
        tracing::warn!(conversation = %id, error = %e, "could not release a conversation lock (its lease will expire)");
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

fn is_undo(text: &str) -> bool {
    let t = text.trim().trim_end_matches(['.', '!', '?']).trim().to_lowercase();
    UNDO.contains(&t.as_str())
}

async fn message_turn(
    shared: &Arc<Shared>,
    record: &mut Record,
    text: &str,
    events: Option<&mpsc::Sender<Event>>,
) -> Result<Turn, CoordError> {
    // `turn` validates the message; "undo" is a valid one.
    let before = record.conversation.clone();
    let response = if is_undo(text) {
        if let Some(prev) = record.undo.pop() {
            record.conversation = prev;
        }
        shared.brain.current().plan(&record.conversation)
    } else {
        let response = turn(shared, &mut record.conversation, text, events).await?;
        record.undo.push(before);
        if record.undo.len() > UNDO_DEPTH {
            record.undo.remove(0);
        }
        response
    };
    let digest = Digest::of(&response);
    let changes = record.digest.as_ref().map(|d| d.changes(&digest)).unwrap_or_default();
    record.digest = Some(digest);
    record.messages.push(MessageRecord { text: text.to_string(), at: unix_now(), changes: changes.clone() });
    if record.messages.len() > MESSAGES_KEPT {
        let excess = record.messages.len() - MESSAGES_KEPT;
        record.messages.drain(..excess);
    }
    Ok(Turn { response, changes })
}

/// Routes, runs the specialists concurrently with time limits, merges and plans.
async fn turn(
    shared: &Arc<Shared>,
    conv: &mut Conversation,
    message: &str,
    events: Option<&mpsc::Sender<Event>>,
) -> Result<Response, CoordError> {
    validate(message)?;
    // One brain for the whole turn: a data reload mid-turn does not mix old and new.
    let brain = shared.brain.current();
    let text = Arc::new(Text::new(message));
    let route = router::route(&text);
    let today = conv.today;
    let mut set = tokio::task::JoinSet::new();
    let mut tasks: Vec<(tokio::task::Id, Specialist)> = Vec::new();
    for s in route.specialists() {
        let text = text.clone();
        let fault = shared.config.fault.as_ref().and_then(|f| f(s, message));
        let limit = shared.config.specialist_timeout;
        let handle = set.spawn(async move {
            let started = Instant::now();
            let run = async {
                match fault {
                    Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
                    Some(Fault::Panic) => panic!("injected fault in the {} specialist", s.name()),
                    Some(Fault::Busy(_) | Fault::PanicWhileMerging) | None => {}
                }
                // The specialist is synchronous CPU work: on the blocking pool the time limit
                // can really cut it off (the turn goes on; the run finishes in the background).
                let busy = match fault {
                    Some(Fault::Busy(d)) => Some(d),
                    _ => None,
                };
                let blocking = move || {
                    if let Some(d) = busy {
                        std::thread::sleep(d);
                    }
                    s.run(&text, today)
                };
                match tokio::task::spawn_blocking(blocking).await {
                    Ok(finding) => finding,
                    Err(e) => std::panic::resume_unwind(e.into_panic()),
                }
            };
            (tokio::time::timeout(limit, run).await, started.elapsed())
        });
        tasks.push((handle.id(), s));
    }
    let specialist_of = |id: tokio::task::Id| tasks.iter().find(|(t, _)| *t == id).map(|(_, s)| *s);
    let mut findings = Findings { route, ..Findings::default() };
    while let Some(joined) = set.join_next_with_id().await {
        match joined {
            Ok((id, (Ok(finding), elapsed))) => {
                let Some(s) = specialist_of(id) else { continue };
                shared.metrics.observe(
                    "adsai_specialist_seconds",
                    "Time a specialist took on a message.",
                    vec![("specialist", s.name().to_string())],
                    elapsed,
                );
                if let Some(tx) = events {
                    let _ = tx.send(Event::Specialist { specialist: s, finding: finding.to_json(), elapsed }).await;
                }
                findings.insert(finding);
            }
            Ok((id, (Err(_), _))) => {
                if let Some(s) = specialist_of(id) {
                    fail(shared, &mut findings, events, s, "timed out").await;
                }
            }
            Err(e) => {
                if let Some(s) = specialist_of(e.id()) {
                    fail(shared, &mut findings, events, s, if e.is_panic() { "crashed" } else { "was cancelled" })
                        .await;
                }
            }
        }
    }
    findings.account(&text);
    let merge_fault = shared
        .config
        .fault
        .as_ref()
        .is_some_and(|f| route.specialists().any(|s| f(s, message) == Some(Fault::PanicWhileMerging)));
    if merge_fault {
        panic!("injected fault while merging");
    }
    Ok(brain.merge_and_plan(conv, &findings))
}

async fn fail(
    shared: &Arc<Shared>,
    findings: &mut Findings,
    events: Option<&mpsc::Sender<Event>>,
    s: Specialist,
    reason: &str,
) {
    tracing::warn!(specialist = s.name(), reason, "specialist failed; its part of the message is skipped");
    shared.metrics.count(
        "adsai_specialist_failures_total",
        "Specialist runs that timed out or crashed.",
        vec![("specialist", s.name().to_string()), ("reason", reason.to_string())],
        1,
    );
    findings.failed.push(s);
    if let Some(tx) = events {
        let _ = tx.send(Event::Failed { specialist: s, reason: reason.to_string() }).await;
    }
}

/// Forgets idle conversations after the TTL (memory and store) and keeps the map under its bound
/// (memory only, least recently used first).
async fn sweep(shared: Arc<Shared>, shutdown: CancellationToken) {
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
            .filter(|s| !s.busy && s.queue.is_empty() && now.duration_since(s.last_active) >= ttl)
            .map(|s| s.key().clone())
            .collect();
        for id in expired {
            let idle = |s: &Slot| !s.busy && s.queue.is_empty() && Instant::now().duration_since(s.last_active) >= ttl;
            if shared.slots.remove_if(&id, |_, s| idle(s)).is_some() && !shared.store.shared() {
                let store = shared.store.clone();
                let key = id.clone();
                if let Ok(Err(e)) = tokio::task::spawn_blocking(move || store.remove(&key)).await {
                    tracing::warn!(conversation = %id, error = %e, "could not delete an expired conversation");
                }
            }
        }
        let over = shared.slots.len().saturating_sub(shared.config.max_conversations);
        if over > 0 {
            let mut idle: Vec<(Instant, String)> = shared
                .slots
                .iter()
                .filter(|s| !s.busy && s.queue.is_empty())
                .map(|s| (s.last_active, s.key().clone()))
                .collect();
            idle.sort();
            for (_, id) in idle.into_iter().take(over) {
                shared.slots.remove_if(&id, |_, s| !s.busy && s.queue.is_empty());
            }
        }
        shared.metrics.gauge("adsai_conversations", "Conversations held in memory.", vec![], shared.slots.len() as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

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
        assert!(store.get(&id).unwrap().is_some(), "written to the store before replying");
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
            (Specialist::Schedule, _, _) if text.contains("STUCK") => Some(Fault::Busy(Duration::from_secs(2))),
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
        // A specialist stuck in synchronous work is cut off by the limit too.
        let started = std::time::Instant::now();
        let t = c.one_shot("STUCK awareness in Germany, €5k, 30 days", today(), None).await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(1), "the turn did not wait for the stuck specialist");
        assert!(t.response.brief.schedule.days.is_none());
        assert!(t.response.plan.warnings.iter().any(|w| w.field == "specialist.schedule"));
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
        let stored: Record = serde_json::from_slice(&store.get(&id).unwrap().unwrap()).unwrap();
        assert_eq!(stored.messages.len(), 2);
        // A far-future reference date is answered too (date arithmetic saturates).
        let far = c.message("far", "awareness in Germany, €5k, 30 days", Some(NaiveDate::MAX), None).await;
        assert!(far.is_ok(), "{far:?}");
    }

    /// A store whose writes fail while `down` is set.
    #[derive(Default)]
    struct Flaky {
        inner: MemoryStore,
        down: std::sync::atomic::AtomicBool,
    }

    impl ConversationStore for Flaky {
        fn load_all(&self) -> Result<Vec<(String, Vec<u8>)>, crate::store::StoreError> {
            self.inner.load_all()
        }
        fn get(&self, id: &str) -> Result<Option<Vec<u8>>, crate::store::StoreError> {
            self.inner.get(id)
        }
        fn put(&self, id: &str, record: &[u8]) -> Result<(), crate::store::StoreError> {
            if self.down.load(Ordering::SeqCst) {
                return Err(crate::store::StoreError("disk full".into()));
            }
            self.inner.put(id, record)
        }
        fn remove(&self, id: &str) -> Result<(), crate::store::StoreError> {
            self.inner.remove(id)
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
        assert_eq!(failed.code(), "store_failed");
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
            if store.load_all().unwrap().len() <= 2 {
                break;
            }
            tokio::task::yield_now().await;
            std::thread::sleep(Duration::from_millis(2));
        }
        assert_eq!(c.conversations(), 0, "all idle past the TTL");
        // The three held in memory expired and were deleted; the two evicted earlier stay in the
        // store until the next start purges them.
        assert_eq!(store.load_all().unwrap().len(), 2);
    }
}
