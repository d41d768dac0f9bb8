//! The coordinator: the one actor every surface hands messages to.
//!
//! A cloneable [`Coordinator`] handle sends commands over a bounded channel to one loop
//! ([`actor`]), which does no I/O: it queues each message in its conversation's slot and starts
//! one task per busy conversation, so messages of a conversation are handled strictly in
//! arrival order and different conversations in parallel. A turn ([`turn`]) routes the message,
//! runs the chosen specialists concurrently with time limits, merges and plans; the record
//! ([`record`]) is then written to the store ([`persist`]: typed errors, time limits, the lock of
//! a shared store) and only then is the reply sent. Conversations are cached in memory
//! ([`cache`]) with a TTL and a size bound. Conversations kept nowhere (one-shot plans,
//! `plan --jsonl`) have no slot to keep in order and run in the caller's task ([`stateless`]).
//!
//! Store failures are errors ([`CoordError::Store`], `503 store_unavailable` over HTTP), never
//! "not found". A message may carry an idempotency key: a repeat returns the kept reply and
//! applies nothing, across restarts and replicas.

mod actor;
mod cache;
mod consult;
#[cfg(any(test, feature = "testing"))]
mod fault;
mod persist;
mod record;
mod scenario;
mod specialists;
mod stateless;
mod turn;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use serde::Serialize;
use thiserror::Error;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::brain::{Brain, InputError, Response};
use crate::message::{IntoMessage, Message};
use crate::reload::SharedBrain;
use crate::store::{ConversationStore, StoreError};
use crate::telemetry::Metrics;
use crate::understand::Specialist;

#[cfg(any(test, feature = "testing"))]
pub use self::fault::{Fault, FaultHook};
pub use self::persist::STORE_TIMEOUT;
pub use self::record::{Change, MessageRecord, Record, MESSAGES_KEPT};

/// Coordinator settings.
#[derive(Clone)]
pub struct Config {
    /// Time limit of one specialist run.
    pub specialist_timeout: Duration,
    /// Idle conversations are forgotten (and deleted from the store) after this long; kept
    /// replies for idempotent retries live as long.
    pub ttl: Duration,
    /// At most this many conversations in memory.
    pub max_conversations: usize,
    /// How often the sweeper looks for idle conversations.
    pub sweep_every: Duration,
    /// The model-backed specialists, when `[model] mode` is `fallback` or `always` (`None`: the
    /// model is off and nothing leaves the machine).
    pub model: Option<crate::model::ModelClient>,
    /// The reference date every surface uses when a request gives none ([`Coordinator::today`]):
    /// `None` is the local calendar day; tests and reproducible runs fix it.
    pub today: Option<NaiveDate>,
    /// Faults to inject (tests only).
    #[cfg(any(test, feature = "testing"))]
    pub fault: Option<FaultHook>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            specialist_timeout: Duration::from_millis(500),
            ttl: Duration::from_secs(14 * 24 * 3600),
            max_conversations: 100_000,
            sweep_every: Duration::from_secs(60),
            model: None,
            today: None,
            #[cfg(any(test, feature = "testing"))]
            fault: None,
        }
    }
}

impl Config {
    /// How long a turn may hold its conversation's lock in a shared store before renewing it:
    /// the turn's own time limit (specialists, the model, then two store calls) plus a margin.
    /// It is renewed while the turn runs, so it only matters when a replica dies mid-turn or
    /// Redis restarts — then it blocks the conversation for seconds, not a minute.
    pub fn lock_lease(&self) -> Duration {
        let model = self.model.as_ref().map_or(Duration::ZERO, |m| m.config().timeout);
        self.specialist_timeout + model + STORE_TIMEOUT * 2 + Duration::from_secs(1)
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

/// The outcome of a message that may be a retry.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Handled now.
    Fresh(Box<Turn>),
    /// A retry of a message handled before: its reply as kept (the JSON of a [`Turn`]).
    Repeat(Vec<u8>),
}

/// A created conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub id: String,
    /// A retry of an earlier creation with the same key (nothing new was created).
    pub repeat: bool,
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
    #[error(transparent)]
    Store(StoreError),
    #[error("the coordinator is shutting down")]
    Closed,
    #[error("an internal error stopped this message; the conversation is as it was before it")]
    Internal,
}

impl From<StoreError> for CoordError {
    fn from(e: StoreError) -> CoordError {
        match e {
            // A record that cannot be encoded is a bug, not an outage.
            StoreError::Encode(detail) => {
                tracing::error!(%detail, "a conversation record could not be encoded");
                CoordError::Internal
            }
            other => CoordError::Store(other),
        }
    }
}

impl CoordError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            CoordError::Input(e) => e.code(),
            CoordError::NotFound(_) => "not_found",
            CoordError::Store(_) => "store_unavailable",
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

type Reply = oneshot::Sender<Result<Answer, CoordError>>;

struct Job {
    text: Message,
    /// The client's idempotency key, if any.
    key: Option<String>,
    events: Option<mpsc::Sender<Event>>,
    reply: Reply,
}

enum Command {
    Create {
        id: String,
        given: bool,
        today: NaiveDate,
        reply: oneshot::Sender<Result<String, CoordError>>,
    },
    Message {
        id: String,
        create: Option<NaiveDate>,
        job: Job,
    },
    /// Whether a conversation is in memory: (a turn has it, its record when idle).
    Peek {
        id: String,
        reply: oneshot::Sender<Option<(bool, Option<Record>)>>,
    },
    /// Drops an idle conversation from memory.
    Forget {
        id: String,
        reply: oneshot::Sender<()>,
    },
}

struct Shared {
    /// The planning data; swapped by the data watcher, read once per turn.
    brain: Arc<SharedBrain>,
    persist: Arc<persist::Persist>,
    config: Config,
    slots: cache::Cache,
    metrics: Arc<Metrics>,
    ids: AtomicU64,
    /// Conversations in memory (published by the loop and the sweeper).
    held: AtomicUsize,
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

    /// Starts the coordinator loop, its sweeper and the preload of stored conversations (most
    /// recent first, up to the size bound) on the current runtime. `brain` may be swapped while
    /// it runs (`crate::reload::watch`).
    pub fn start_shared(
        brain: Arc<SharedBrain>,
        store: Arc<dyn ConversationStore>,
        config: Config,
        metrics: Arc<Metrics>,
        shutdown: CancellationToken,
    ) -> Result<Coordinator, CoordError> {
        brain.report(&metrics);
        let persist = Arc::new(persist::Persist::new(store, metrics.clone()));
        let shared = Arc::new(Shared {
            brain,
            persist,
            config,
            slots: cache::Cache::new(),
            metrics,
            ids: AtomicU64::new(0),
            held: AtomicUsize::new(0),
        });
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(cache::preload(shared.clone()));
        tokio::spawn(actor::run(shared.clone(), rx, shutdown.clone()));
        tokio::spawn(cache::sweep(shared.clone(), shutdown));
        Ok(Coordinator { tx, shared })
    }

    /// "Today" for a request that gives no reference date: decided here, once, for every
    /// surface (the configured date, else the local calendar day).
    pub fn today(&self) -> NaiveDate {
        self.shared.config.today.unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    /// Whether a turn may wait on the network: a model is configured (`[model] mode` is not
    /// `off`). Without one, every turn is microseconds of work on the calling task.
    pub fn asks_model(&self) -> bool {
        self.shared.config.model.is_some()
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
        self.shared.held.load(Ordering::Relaxed)
    }

    /// Whether the conversation store answers (probed at most once a second).
    pub async fn store_healthy(&self) -> bool {
        self.shared.persist.healthy().await
    }

    async fn send(&self, cmd: Command) -> Result<(), CoordError> {
        self.tx.send(cmd).await.map_err(|_| CoordError::Closed)
    }

    /// Creates a conversation; returns its id (a new one unless `id` is given).
    pub async fn create(&self, id: Option<String>, today: NaiveDate) -> Result<String, CoordError> {
        let given = id.is_some();
        let id = id.unwrap_or_else(|| new_id(&self.shared));
        let (reply, rx) = oneshot::channel();
        self.send(Command::Create { id, given, today, reply }).await?;
        rx.await.map_err(|_| CoordError::Closed)?
    }

    /// Creates a conversation once per idempotency `key`: a repeat within the TTL returns the
    /// conversation the first call created (kept in the store: across restarts and replicas).
    pub async fn create_once(&self, key: &str, today: NaiveDate) -> Result<Created, CoordError> {
        let scoped = format!("create:{key}");
        let fresh = new_id(&self.shared);
        let persist = &self.shared.persist;
        let earlier = persist.remember(&scoped, fresh.as_bytes(), self.shared.config.ttl).await?;
        let (id, repeat) = match earlier {
            Some(bytes) => (String::from_utf8_lossy(&bytes).into_owned(), true),
            None => (fresh, false),
        };
        // A repeat whose conversation was never written (the first call failed after keeping
        // the key) creates it now, under the same id.
        let id = self.create(Some(id), today).await?;
        Ok(Created { id, repeat })
    }

    /// Handles a message of an existing conversation, or of a new one with this id when `create`
    /// gives its reference date (Slack threads).
    pub async fn message(
        &self,
        id: &str,
        text: impl IntoMessage,
        create: Option<NaiveDate>,
        events: Option<mpsc::Sender<Event>>,
    ) -> Result<Turn, CoordError> {
        let rx = self.submit(id, text, create, events).await?;
        rx.await.map_err(|_| CoordError::Closed)?
    }

    /// Handles a message carrying an idempotency key: a message with a key already applied to
    /// this conversation (within the last [`record::KEYS_KEPT`]) is not applied again; its kept
    /// reply is returned.
    pub async fn message_once(
        &self,
        id: &str,
        text: impl IntoMessage,
        key: Option<&str>,
        events: Option<mpsc::Sender<Event>>,
    ) -> Result<Answer, CoordError> {
        let (reply, rx) = oneshot::channel();
        let job = Job { text: text.into_message()?, key: key.map(str::to_string), events, reply };
        self.send(Command::Message { id: id.to_string(), create: None, job }).await?;
        rx.await.map_err(|_| CoordError::Closed)?
    }

    /// Queues a message and returns at once with a handle on its outcome: messages queued one
    /// after the other are handled in that order.
    pub async fn submit(
        &self,
        id: &str,
        text: impl IntoMessage,
        create: Option<NaiveDate>,
        events: Option<mpsc::Sender<Event>>,
    ) -> Result<oneshot::Receiver<Result<Turn, CoordError>>, CoordError> {
        let (reply, rx) = oneshot::channel();
        let job = Job { text: text.into_message()?, key: None, events, reply };
        self.send(Command::Message { id: id.to_string(), create, job }).await?;
        let (out, out_rx) = oneshot::channel();
        tokio::spawn(async move {
            if let Ok(answer) = rx.await {
                let _ = out.send(answer.and_then(fresh));
            }
        });
        Ok(out_rx)
    }

    /// Plans a single message with no conversation kept.
    pub async fn one_shot(
        &self,
        text: impl IntoMessage,
        today: NaiveDate,
        events: Option<mpsc::Sender<Event>>,
    ) -> Result<Turn, CoordError> {
        let text = text.into_message()?;
        if self.tx.is_closed() {
            return Err(CoordError::Closed);
        }
        stateless::one_shot(&self.shared, today, &text, events).await
    }

    /// Runs `messages` as one conversation that is kept nowhere — no store, no cache, no id —
    /// and returns the response after the last one, or the index of the message that failed.
    /// The same turns as [`Coordinator::message`] ("undo" included), for answers nothing will
    /// follow up on (`plan --jsonl`, `plan "…" "…"`).
    pub async fn ephemeral(
        &self,
        messages: Vec<impl IntoMessage>,
        today: NaiveDate,
    ) -> Result<Response, (usize, CoordError)> {
        if messages.is_empty() {
            return Err((0, CoordError::Input(InputError::Empty)));
        }
        // Every text is checked before any is planned: a bad one fails the request with its index.
        let messages = messages
            .into_iter()
            .enumerate()
            .map(|(i, m)| m.into_message().map_err(|e| (i, CoordError::Input(e))))
            .collect::<Result<Vec<Message>, _>>()?;
        if self.tx.is_closed() {
            return Err((0, CoordError::Closed));
        }
        stateless::ephemeral(&self.shared, today, &messages).await
    }

    /// Claims a delivery across replicas (Slack may hand the two events of one post, or the
    /// retries of one event, to different processes): true for the first claim. Always true
    /// with a store of one process; a store failure counts as a claim (better a duplicate than
    /// a lost reply).
    pub async fn claim(&self, key: &str, ttl: Duration) -> bool {
        if !self.shared.persist.shared() {
            return true;
        }
        match self.shared.persist.claim(key, ttl).await {
            Ok(first) => first,
            Err(e) => {
                tracing::warn!(error = %e, "could not claim a delivery in the shared store");
                true
            }
        }
    }

    /// What the loop holds of a conversation: `(busy, record)`, `None` when not in memory.
    async fn peek(&self, id: &str) -> Result<Option<(bool, Option<Record>)>, CoordError> {
        let (reply, rx) = oneshot::channel();
        self.send(Command::Peek { id: id.to_string(), reply }).await?;
        rx.await.map_err(|_| CoordError::Closed)
    }

    /// Whether a conversation exists (in memory or in the store); a store failure is an error.
    pub async fn try_exists(&self, id: &str) -> Result<bool, CoordError> {
        if let Some((busy, record)) = self.peek(id).await? {
            if busy || record.is_some() {
                return Ok(true);
            }
        }
        Ok(self.shared.persist.get(id).await?.is_some())
    }

    /// Whether a conversation exists; when the store cannot tell, it is assumed to (the message
    /// then fails with the store's error instead of being treated as new).
    pub async fn exists(&self, id: &str) -> bool {
        self.try_exists(id).await.unwrap_or(true)
    }

    /// Forgets a conversation that is done with (memory and store): the command line's
    /// one-off conversations, so a long `plan --jsonl` run stays flat in memory.
    pub async fn forget(&self, id: &str) -> Result<(), CoordError> {
        let (reply, rx) = oneshot::channel();
        self.send(Command::Forget { id: id.to_string(), reply }).await?;
        rx.await.map_err(|_| CoordError::Closed)?;
        Ok(self.shared.persist.remove(id).await?)
    }

    /// The current state of a conversation (from memory, else the store).
    pub async fn get(&self, id: &str) -> Result<View, CoordError> {
        // With a shared store another replica may have moved on: read the store.
        let cached = if self.shared.persist.shared() { None } else { self.peek(id).await?.and_then(|(_, r)| r) };
        let record = match cached {
            Some(r) => Some(r),
            None => self.shared.persist.get(id).await?,
        };
        let r = record.ok_or_else(|| CoordError::NotFound(id.to_string()))?;
        let brain = self.shared.brain.current();
        let response = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut response = brain.plan(&r.conversation);
            scenario::attach(&brain, &r, &mut response, &[]);
            response
        }))
        .map_err(|_| CoordError::Internal)?;
        Ok(View { id: r.id.clone(), today: r.conversation.today, response, messages: r.messages })
    }
}

/// A turn handled now (a message without a key is never a repeat).
fn fresh(a: Answer) -> Result<Turn, CoordError> {
    match a {
        Answer::Fresh(t) => Ok(*t),
        Answer::Repeat(_) => Err(CoordError::Internal),
    }
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

#[cfg(test)]
mod tests;
