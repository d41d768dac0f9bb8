//! A local stand-in for Slack, for end-to-end tests of the bot on 127.0.0.1.
//!
//! It runs two loopback listeners inside the test process:
//! - an HTTP/1.1 server for the Web API at `http://127.0.0.1:PORT/api/<method>`, for
//!   `response_url`s at `http://127.0.0.1:PORT/resp/<id>`, and for the upload URLs that
//!   `files.getUploadURLExternal` hands out (`/upload/<file id>`: the body is the file);
//! - a WebSocket server for Socket Mode at `ws://127.0.0.1:WSPORT/socket?ticket=<t>`, the URL
//!   that `apps.connections.open` hands out.
//!
//! Point slack-morphism at it with `SlackClientHyperConnector::with_slack_api_url(standin.api_url())`
//! (the bot builds a connector that speaks plain `http://` for it).
//!
//! # What is faithful (checked against slack-morphism 2.31.1's models and Slack's docs)
//! - Tokens: `Authorization: Bearer …` (or a `token` parameter). No token gives `not_authed`, an
//!   unknown one `invalid_auth`, an app token on a bot method (or the reverse) `not_allowed_token_type`.
//!   Errors are `{"ok":false,"error":…}` with HTTP 200 and `content-type: application/json`.
//! - Parameters as JSON bodies, form bodies (JSON-valued fields such as `blocks` and `metadata`
//!   may be JSON strings, as Slack accepts) and query strings.
//! - `ts` values are unique and strictly increasing, shaped `1700000000.000100`.
//! - File uploads as Slack's three steps: `files.getUploadURLExternal` (filename, length) → the
//!   bytes posted to the URL → `files.completeUploadExternal` (files, channel_id, thread_ts),
//!   which shares the file only when its bytes arrived with the declared length.
//! - Socket Mode frames: `hello` (with `num_connections` counting all live sockets,
//!   `connection_info.app_id`, `debug_info.host`), `events_api` / `slash_commands` / `interactive`
//!   envelopes with `envelope_id`, `accepts_response_payload`, and `retry_attempt` / `retry_reason`
//!   on events, `disconnect` with a `reason` and `debug_info` (optionally without, to reproduce
//!   slack-morphism's parse failure), Close frames, abrupt TCP drops.
//! - Each envelope goes to exactly one live connection (round-robin here; Slack's choice is
//!   unspecified). Events raised while no socket is connected are queued and delivered on the
//!   next connection.
//! - An `events_api` envelope that is not acked within `ack_timeout` is redelivered with a new
//!   `envelope_id`, the same `event_id`, `retry_attempt` + 1 and `retry_reason: "timeout"`, at most
//!   `max_retries` (3) times. Slash commands and interactions are not redelivered (Slack shows the
//!   user a timeout instead).
//! - A mention in a channel raises both `app_mention` and `message` (different `event_id`s, same
//!   `ts`); a thread reply carries `thread_ts` and `parent_user_id`; a DM is a `message` with
//!   `channel_type: "im"`; the bot's own `chat.postMessage` is echoed back as a `message` event with
//!   `bot_id` (switch off with `echo_bot_messages`).
//! - Rate limits: HTTP 429, `Retry-After: <s>`, `{"ok":false,"error":"ratelimited"}`.
//! - Block Kit limits from Slack's block reference (50 blocks, header 150, section text 3000,
//!   10 fields of 2000, context 10, actions 25, button text 75, value 2000, url 3000, action_id and
//!   block_id 255, unique block_ids) give `invalid_blocks` with `errors: [...]`.
//! - `response_url`s answer `ok` as `text/plain` (as Slack does) and allow 5 uses.
//!
//! # What is simplified or deliberately stricter
//! - One workspace, one app, one bot; every channel exists and the bot is a member of all of them.
//! - `require_text` (default on): a message without a non-empty `text` fallback is refused with
//!   `no_text` even when it has blocks. Slack would accept it with a warning; our style rule says
//!   always send the fallback.
//! - `strict_metadata` (default on): metadata whose `event_payload` holds a non-string value is
//!   refused with `invalid_metadata_format`. Real Slack accepts any JSON, but slack-morphism 2.31
//!   then fails to parse every later read of that message (block_actions, message events,
//!   `conversations.replies`). Violations are recorded in [`StandInState::metadata_violations`]
//!   either way; with `strict_metadata: false` the message is stored and echoed as Slack would.
//! - No server-side pings (slack-morphism pings us; tungstenite answers). No `message_changed` /
//!   `message_deleted` events for `chat.update` / `chat.delete`. Redelivery uses the same timeout
//!   for every retry (Slack: nearly at once, then 1 min, then 5 min). `conversations.replies` and
//!   `conversations.history` ignore cursors and return everything.
//! - Ephemeral messages (`chat.postEphemeral`, slash-command ack payloads, non-`in_channel`
//!   `response_url` posts) are kept in [`StandInState::ephemerals`] with a generated `ts`, so a test
//!   can click their buttons; their `block_actions` have `container.is_ephemeral: true` and no
//!   `message`, as in Slack.

// Copied into the integration-test binary as a module, where not every control is used by
// every build of the tests.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Map, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request as WsRequest, Response as WsResponse};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// Largest request body the HTTP side accepts (Slack's own limit is higher; our bot never
/// gets near it). A constant, not configuration.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// How long a connection waits for the client's Close reply after sending its own Close.
const CLOSE_HANDSHAKE_GRACE: Duration = Duration::from_secs(2);
/// How often Slack lets a `response_url` be used.
const RESPONSE_URL_MAX_USES: u32 = 5;

// ---------------------------------------------------------------------------------------------
// Configuration and recorded data
// ---------------------------------------------------------------------------------------------

/// Identity and behaviour of the stand-in. `Default` gives a workspace `T0STANDIN`, app
/// `A0STANDIN`, bot user `U0ADSAI` / bot `B0ADSAI`, Slack's 3 s ack timeout and 3 retries.
#[derive(Debug, Clone)]
pub struct StandInConfig {
    /// Workspace id (`team_id`).
    pub team_id: String,
    /// Workspace domain, used in `auth.test`'s `url` and in payloads.
    pub team_domain: String,
    /// The app's id (`api_app_id`, `connection_info.app_id`).
    pub app_id: String,
    /// The bot's user id (`auth.test` `user_id`; mentions look like `<@U0ADSAI>`).
    pub bot_user_id: String,
    /// The bot's bot id (`bot_id` on its own messages).
    pub bot_id: String,
    /// The only accepted bot token (`xoxb-…`).
    pub bot_token: String,
    /// The only accepted app-level token (`xapp-…`).
    pub app_token: String,
    /// The user that clicks buttons in [`SlackStandIn::click_button`].
    pub default_user_id: String,
    /// Time an `events_api` envelope may stay un-acked before it is redelivered (Slack: 3 s).
    pub ack_timeout: Duration,
    /// Redeliveries of one event before Slack gives up (Slack: 3).
    pub max_retries: u32,
    /// Redeliver un-acked events by itself. Off: only [`SlackStandIn::redeliver`] does.
    pub auto_redeliver: bool,
    /// Echo the bot's own `chat.postMessage` as a `message` event with `bot_id`, as Slack does.
    pub echo_bot_messages: bool,
    /// Refuse metadata with non-string `event_payload` values (see the module docs).
    pub strict_metadata: bool,
    /// Refuse messages without a non-empty `text` fallback (see the module docs).
    pub require_text: bool,
    /// How long after a `disconnect` frame [`SlackStandIn::disconnect`] closes the socket.
    pub disconnect_close_after: Duration,
    /// Live sockets allowed per app (Slack: 10). Beyond it `apps.connections.open` answers
    /// `too_many_websockets`.
    pub max_connections: usize,
}

impl Default for StandInConfig {
    fn default() -> Self {
        Self {
            team_id: "T0STANDIN".into(),
            team_domain: "standin".into(),
            app_id: "A0STANDIN".into(),
            bot_user_id: "U0ADSAI".into(),
            bot_id: "B0ADSAI".into(),
            bot_token: "xoxb-standin-bot-token".into(),
            app_token: "xapp-1-A0STANDIN-standin-app-token".into(),
            default_user_id: "U0PLANNER".into(),
            ack_timeout: Duration::from_secs(3),
            max_retries: 3,
            auto_redeliver: true,
            echo_bot_messages: true,
            strict_metadata: true,
            require_text: true,
            disconnect_close_after: Duration::from_millis(200),
            max_connections: 10,
        }
    }
}

/// One Web API call as it arrived (including refused and rate-limited ones).
#[derive(Debug, Clone)]
pub struct RecordedCall {
    /// Method name, e.g. `chat.postMessage`.
    pub method: String,
    /// All parameters merged into one JSON object (query, form or JSON body).
    pub args: Value,
    /// The token used, if any.
    pub token: Option<String>,
    /// When the request arrived.
    pub at: Instant,
    /// HTTP status answered (200 or 429).
    pub status: u16,
    /// The JSON body answered.
    pub response: Value,
}

impl RecordedCall {
    /// Whether the answer had `"ok": true`.
    pub fn ok(&self) -> bool {
        self.response.get("ok").and_then(Value::as_bool) == Some(true)
    }
    /// The `error` code of the answer, if any.
    pub fn error(&self) -> Option<&str> {
        self.response.get("error").and_then(Value::as_str)
    }
}

/// A message in a channel, posted by a (simulated) user or by the bot.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Channel id.
    pub channel: String,
    /// Message timestamp (its id).
    pub ts: String,
    /// Parent's ts for replies (`None` for top-level messages, even parents).
    pub thread_ts: Option<String>,
    /// Author's user id (the bot's user id for its posts).
    pub user: Option<String>,
    /// Bot id for bot posts.
    pub bot_id: Option<String>,
    /// Subtype such as `bot_message`.
    pub subtype: Option<String>,
    /// Text (the notification fallback when blocks are present).
    pub text: Option<String>,
    /// Block Kit blocks as sent.
    pub blocks: Option<Value>,
    /// Message metadata as sent (`{"event_type":…,"event_payload":{…}}`).
    pub metadata: Option<Value>,
    /// Set by `chat.update` to the time of the last edit.
    pub edited_ts: Option<String>,
}

impl Message {
    /// The message as Slack shows it in `conversations.*` and interaction payloads.
    pub fn to_json(&self, include_metadata: bool) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), json!("message"));
        m.insert("ts".into(), json!(self.ts));
        if let Some(v) = &self.user {
            m.insert("user".into(), json!(v));
        }
        if let Some(v) = &self.bot_id {
            m.insert("bot_id".into(), json!(v));
        }
        if let Some(v) = &self.subtype {
            m.insert("subtype".into(), json!(v));
        }
        m.insert("text".into(), json!(self.text.clone().unwrap_or_default()));
        if let Some(v) = &self.blocks {
            m.insert("blocks".into(), v.clone());
        }
        if let Some(v) = &self.thread_ts {
            m.insert("thread_ts".into(), json!(v));
        }
        if let Some(v) = self.metadata.as_ref().filter(|_| include_metadata) {
            m.insert("metadata".into(), v.clone());
        }
        if let Some(v) = &self.edited_ts {
            m.insert("edited".into(), json!({"user": self.user, "ts": v}));
        }
        Value::Object(m)
    }
}

/// An ephemeral message: seen only by `user`, never in `conversations.*`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ephemeral {
    /// Channel it was shown in.
    pub channel: String,
    /// The only user who sees it.
    pub user: String,
    /// Generated ts (what `chat.postEphemeral` returns as `message_ts`).
    pub ts: String,
    /// Thread it was shown in, if any.
    pub thread_ts: Option<String>,
    /// Text.
    pub text: Option<String>,
    /// Blocks.
    pub blocks: Option<Value>,
    /// Where it came from: `chat.postEphemeral`, `slash_ack` or `response_url`.
    pub source: &'static str,
}

/// Kind of a Socket Mode envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnvelopeKind {
    /// `events_api`
    EventsApi,
    /// `slash_commands`
    SlashCommands,
    /// `interactive`
    Interactive,
}

impl EnvelopeKind {
    fn wire(self) -> &'static str {
        match self {
            EnvelopeKind::EventsApi => "events_api",
            EnvelopeKind::SlashCommands => "slash_commands",
            EnvelopeKind::Interactive => "interactive",
        }
    }
}

/// An envelope pushed to a connection.
#[derive(Debug, Clone)]
pub struct Delivered {
    /// Its envelope id.
    pub envelope_id: String,
    /// Its kind.
    pub kind: EnvelopeKind,
    /// `event_id` for `events_api`.
    pub event_id: Option<String>,
    /// `payload.event.type` for `events_api` (`app_mention`, `message`, …).
    pub event_type: Option<String>,
    /// `retry_attempt` for `events_api`.
    pub retry_attempt: u32,
    /// Connection it was sent on.
    pub connection: u64,
    /// The whole frame as sent.
    pub envelope: Value,
    /// When it was sent.
    pub at: Instant,
}

/// An ack frame received from a client.
#[derive(Debug, Clone)]
pub struct Ack {
    /// The acked envelope.
    pub envelope_id: String,
    /// Kind of the acked envelope, if it was one of ours.
    pub kind: Option<EnvelopeKind>,
    /// The `payload` of the ack (a slash command's immediate reply, for example).
    pub payload: Option<Value>,
    /// Block Kit problems in the payload (empty when fine).
    pub payload_errors: Vec<String>,
    /// Connection it came in on.
    pub connection: u64,
    /// When it arrived.
    pub at: Instant,
}

/// A text frame sent by the stand-in (hello, envelopes, disconnects).
#[derive(Debug, Clone)]
pub struct SentFrame {
    /// Connection it was sent on.
    pub connection: u64,
    /// The frame.
    pub frame: Value,
    /// When it was queued for sending.
    pub at: Instant,
}

/// A post to a `response_url`.
#[derive(Debug, Clone)]
pub struct ResponsePost {
    /// The `/resp/<id>` id.
    pub id: String,
    /// The JSON body.
    pub body: Value,
    /// HTTP status answered.
    pub status: u16,
    /// When it arrived.
    pub at: Instant,
}

/// Metadata with a non-string `event_payload` value (breaks slack-morphism on read-back).
#[derive(Debug, Clone)]
pub struct MetadataViolation {
    /// Method that carried it.
    pub method: String,
    /// The metadata as sent.
    pub metadata: Value,
    /// Offending keys.
    pub keys: Vec<String>,
}

/// Everything the stand-in has seen and holds. Tests read it through [`SlackStandIn::state`] /
/// [`SlackStandIn::wait_for`]; the `pub` fields are read-only views in practice.
#[derive(Debug, Default)]
pub struct StandInState {
    /// Every Web API call, in arrival order.
    pub calls: Vec<RecordedCall>,
    /// All channel messages, in ts order.
    pub messages: Vec<Message>,
    /// Ephemeral messages.
    pub ephemerals: Vec<Ephemeral>,
    /// Acks received.
    pub acks: Vec<Ack>,
    /// Envelopes delivered (including redeliveries).
    pub delivered: Vec<Delivered>,
    /// All text frames sent.
    pub sent_frames: Vec<SentFrame>,
    /// Inbound text frames that were not acks.
    pub other_frames: Vec<(u64, String)>,
    /// Posts to `response_url`s.
    pub response_posts: Vec<ResponsePost>,
    /// Non-string metadata seen.
    pub metadata_violations: Vec<MetadataViolation>,
    /// `event_id`s given up after `max_retries` redeliveries.
    pub expired_events: Vec<String>,
    /// Sockets accepted so far.
    pub connections_opened: usize,
    /// Sockets open now.
    pub live_connections: usize,
    /// Ids of the sockets open now, oldest first.
    pub live_connection_ids: Vec<u64>,
    /// Files shared by `files.completeUploadExternal`, in order.
    pub files: Vec<SharedFile>,
    internals: Internals,
}

/// A file uploaded with `files.getUploadURLExternal` + its upload URL and shared with
/// `files.completeUploadExternal`.
#[derive(Debug, Clone)]
pub struct SharedFile {
    pub id: String,
    pub filename: String,
    pub title: Option<String>,
    pub channel: String,
    pub thread_ts: Option<String>,
    pub bytes: Vec<u8>,
}

/// A file whose upload URL was handed out: its declared name and length, and the bytes once
/// posted to the URL.
#[derive(Debug, Clone)]
struct PendingFile {
    filename: String,
    length: usize,
    bytes: Option<Vec<u8>>,
}

impl StandInState {
    /// Calls of one method.
    pub fn calls_of(&self, method: &str) -> Vec<&RecordedCall> {
        self.calls.iter().filter(|c| c.method == method).collect()
    }
    /// Messages of a thread (parent first), as [`SlackStandIn::thread`].
    pub fn thread_of(&self, channel: &str, ts: &str) -> Vec<&Message> {
        self.messages
            .iter()
            .filter(|m| m.channel == channel && (m.ts == ts || m.thread_ts.as_deref() == Some(ts)))
            .collect()
    }
    /// The ack for an envelope, if any.
    pub fn ack_for(&self, envelope_id: &str) -> Option<&Ack> {
        self.acks.iter().find(|a| a.envelope_id == envelope_id)
    }
}

#[derive(Debug, Default)]
struct Internals {
    last_ts_micros: u64,
    seq: u64,
    rate_limits: HashMap<String, (u32, u64)>,
    tickets: HashSet<String>,
    conns: BTreeMap<u64, mpsc::UnboundedSender<ConnCmd>>,
    rr: usize,
    pending: HashMap<String, PendingEvent>,
    envelope_kinds: HashMap<String, (EnvelopeKind, Option<String>)>,
    outbox: Vec<Outgoing>,
    response_urls: HashMap<String, ResponseUrl>,
    uploads: HashMap<String, PendingFile>,
    /// Per method: calls left to answer late, and how late (the call still takes effect).
    slow: HashMap<String, (u32, Duration)>,
}

#[derive(Debug, Clone)]
struct PendingEvent {
    payload: Value,
    retry_attempt: u32,
    deadline: Option<Instant>,
}

#[derive(Debug, Clone)]
struct Outgoing {
    kind: EnvelopeKind,
    envelope_id: String,
    event_id: Option<String>,
    retry_attempt: u32,
    envelope: Value,
}

#[derive(Debug, Clone)]
struct ResponseUrl {
    uses: u32,
    channel: String,
    user: String,
    thread_ts: Option<String>,
    /// The message the interaction came from: (ts, is_ephemeral).
    source: Option<(String, bool)>,
}

#[derive(Debug)]
enum ConnCmd {
    Text(String),
    Disconnect { frame: String, close_after: Option<Duration> },
    Close,
    Drop,
}

/// Errors of the test controls.
#[derive(Debug)]
pub enum StandInError {
    /// Binding a listener failed.
    Io(std::io::Error),
    /// A wait ran out; the text says what was awaited.
    Timeout(String),
    /// The referenced message, button or event does not exist.
    NotFound(String),
}

impl fmt::Display for StandInError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StandInError::Io(e) => write!(f, "slack stand-in I/O error: {e}"),
            StandInError::Timeout(s) => write!(f, "slack stand-in: timed out waiting for {s}"),
            StandInError::NotFound(s) => write!(f, "slack stand-in: not found: {s}"),
        }
    }
}

impl std::error::Error for StandInError {}

impl From<std::io::Error> for StandInError {
    fn from(e: std::io::Error) -> Self {
        StandInError::Io(e)
    }
}

// ---------------------------------------------------------------------------------------------
// The handle
// ---------------------------------------------------------------------------------------------

struct Inner {
    config: StandInConfig,
    http_addr: SocketAddr,
    ws_addr: SocketAddr,
    state: Mutex<StandInState>,
    /// Bumped after every change of `state`; [`SlackStandIn::wait_for`] waits on it.
    changed: watch::Sender<u64>,
    /// Wakes the redelivery task when a deadline may have moved.
    redelivery: Notify,
    shutdown: watch::Sender<bool>,
    tasks: Mutex<JoinSet<()>>,
}

/// The running stand-in. Dropping it stops every server task (sockets are cut without a Close
/// frame); [`SlackStandIn::shutdown`] closes sockets politely first.
pub struct SlackStandIn {
    inner: Arc<Inner>,
}

impl SlackStandIn {
    /// Binds `127.0.0.1:0` twice (HTTP and WebSocket) and starts serving.
    pub async fn start(config: StandInConfig) -> Result<Self, StandInError> {
        let http = TcpListener::bind("127.0.0.1:0").await?;
        let ws = TcpListener::bind("127.0.0.1:0").await?;
        let (changed, _) = watch::channel(0u64);
        let (shutdown, _) = watch::channel(false);
        let inner = Arc::new(Inner {
            config,
            http_addr: http.local_addr()?,
            ws_addr: ws.local_addr()?,
            state: Mutex::new(StandInState::default()),
            changed,
            redelivery: Notify::new(),
            shutdown,
            tasks: Mutex::new(JoinSet::new()),
        });
        inner.spawn(http_accept_loop(inner.clone(), http));
        inner.spawn(ws_accept_loop(inner.clone(), ws));
        inner.spawn(redelivery_loop(inner.clone()));
        Ok(Self { inner })
    }

    /// Base URL for `with_slack_api_url`, without trailing slash: `http://127.0.0.1:PORT/api`.
    pub fn api_url(&self) -> String {
        format!("http://{}/api", self.inner.http_addr)
    }
    /// The accepted app-level token.
    pub fn app_token(&self) -> String {
        self.inner.config.app_token.clone()
    }
    /// The accepted bot token.
    pub fn bot_token(&self) -> String {
        self.inner.config.bot_token.clone()
    }
    /// The configuration in force.
    pub fn config(&self) -> &StandInConfig {
        &self.inner.config
    }

    /// Reads the state under its lock. Do not block inside `f`.
    pub fn state<R>(&self, f: impl FnOnce(&StandInState) -> R) -> R {
        f(&self.inner.lock())
    }

    /// Files shared so far (`files.completeUploadExternal`).
    pub fn files(&self) -> Vec<SharedFile> {
        self.state(|s| s.files.clone())
    }

    /// Calls of `method` so far.
    pub fn calls(&self, method: &str) -> Vec<RecordedCall> {
        self.state(|s| s.calls_of(method).into_iter().cloned().collect())
    }
    /// Messages of the thread `(channel, ts)`, parent first.
    pub fn thread(&self, channel: &str, ts: &str) -> Vec<Message> {
        self.state(|s| s.thread_of(channel, ts).into_iter().cloned().collect())
    }
    /// Acks received so far.
    pub fn acks(&self) -> Vec<Ack> {
        self.state(|s| s.acks.clone())
    }
    /// Envelopes delivered so far.
    pub fn delivered(&self) -> Vec<Delivered> {
        self.state(|s| s.delivered.clone())
    }
    /// Ephemeral messages so far.
    pub fn ephemerals(&self) -> Vec<Ephemeral> {
        self.state(|s| s.ephemerals.clone())
    }
    /// Posts to response URLs so far.
    pub fn response_posts(&self) -> Vec<ResponsePost> {
        self.state(|s| s.response_posts.clone())
    }
    /// Number of open sockets.
    pub fn connections(&self) -> usize {
        self.state(|s| s.live_connections)
    }

    /// Waits until `pred` holds, re-checking after every change of the state. Fails after
    /// `timeout` with a summary of the state.
    pub async fn wait_for(
        &self,
        pred: impl FnMut(&StandInState) -> bool,
        timeout: Duration,
    ) -> Result<(), StandInError> {
        let mut pred = pred;
        self.wait_map(|s| pred(s).then_some(()), timeout).await
    }

    /// Waits until `f` returns `Some`, re-checking after every change; returns that value.
    pub async fn wait_map<T>(
        &self,
        mut f: impl FnMut(&StandInState) -> Option<T>,
        timeout: Duration,
    ) -> Result<T, StandInError> {
        let mut rx = self.inner.changed.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            rx.borrow_and_update();
            if let Some(v) = f(&self.inner.lock()) {
                return Ok(v);
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => {
                    if let Some(v) = f(&self.inner.lock()) {
                        return Ok(v);
                    }
                    return Err(StandInError::Timeout(self.summary()));
                }
            }
        }
    }

    /// Waits until `n` sockets are open.
    pub async fn wait_for_connections(&self, n: usize, timeout: Duration) -> Result<(), StandInError> {
        self.wait_for(|s| s.live_connections == n, timeout)
            .await
            .map_err(|e| StandInError::Timeout(format!("{n} connections; {e}")))
    }

    /// Waits for the ack of `envelope_id`.
    pub async fn wait_for_ack(&self, envelope_id: &str, timeout: Duration) -> Result<Ack, StandInError> {
        self.wait_map(|s| s.ack_for(envelope_id).cloned(), timeout)
            .await
            .map_err(|e| StandInError::Timeout(format!("ack of {envelope_id}; {e}")))
    }

    /// Waits until `method` has been called at least `n` times; returns all its calls.
    pub async fn wait_for_calls(
        &self,
        method: &str,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<RecordedCall>, StandInError> {
        self.wait_map(
            |s| {
                let c = s.calls_of(method);
                (c.len() >= n).then(|| c.into_iter().cloned().collect())
            },
            timeout,
        )
        .await
        .map_err(|e| StandInError::Timeout(format!("{n} calls of {method}; {e}")))
    }

    fn summary(&self) -> String {
        let s = self.inner.lock();
        let calls: Vec<String> =
            s.calls.iter().map(|c| format!("{}:{}", c.method, c.error().unwrap_or("ok"))).collect();
        format!(
            "state: live_connections={} opened={} delivered={} acks={} messages={} calls=[{}]",
            s.live_connections,
            s.connections_opened,
            s.delivered.len(),
            s.acks.len(),
            s.messages.len(),
            calls.join(", ")
        )
    }

    // ---- events from "users" ---------------------------------------------------------------

    /// A user mentions the bot in a channel (top level). Sends `app_mention` and the matching
    /// `message` event, like Slack. `<@BOT>` is prepended to `text` when it is missing.
    /// Returns the new message's `ts`.
    pub fn mention(&self, channel: &str, user: &str, text: &str) -> String {
        let text = self.with_mention(text);
        self.user_message(channel, None, user, &text)
    }

    /// A user mentions the bot inside an existing thread.
    pub fn mention_in_thread(&self, channel: &str, thread_ts: &str, user: &str, text: &str) -> String {
        let text = self.with_mention(text);
        self.user_message(channel, Some(thread_ts), user, &text)
    }

    /// A user replies in a thread (a `message` event with `thread_ts` and `parent_user_id`;
    /// plus `app_mention` if the text mentions the bot). Returns the reply's `ts`.
    pub fn reply_in_thread(&self, channel: &str, thread_ts: &str, user: &str, text: &str) -> String {
        self.user_message(channel, Some(thread_ts), user, text)
    }

    /// A user writes to the bot in a DM channel (`D…`): a `message` event with
    /// `channel_type: "im"` and no `app_mention`. Returns the `ts`.
    pub fn direct_message(&self, channel: &str, user: &str, text: &str) -> String {
        self.user_message(channel, None, user, text)
    }

    /// Another bot posts. `legacy_subtype`: `subtype: "bot_message"` without `user` (webhooks,
    /// legacy bots); otherwise a modern bot post with `bot_id` and a `user`.
    pub fn bot_message(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        bot_id: &str,
        text: &str,
        legacy_subtype: bool,
    ) -> String {
        let inner = &self.inner;
        inner.mutate(|st| {
            let ts = next_ts(st);
            let msg = Message {
                channel: channel.into(),
                ts: ts.clone(),
                thread_ts: thread_ts.map(Into::into),
                user: (!legacy_subtype).then(|| format!("U0{bot_id}")),
                bot_id: Some(bot_id.into()),
                subtype: legacy_subtype.then(|| "bot_message".into()),
                text: Some(text.into()),
                blocks: None,
                metadata: None,
                edited_ts: None,
            };
            let mut ev = inner.message_event(st, &msg);
            if legacy_subtype {
                ev["username"] = json!("other-bot");
            }
            st.messages.push(msg);
            inner.push_event(st, ev);
            ts
        })
    }

    /// A user runs a slash command. The envelope has `accepts_response_payload: true` and a
    /// `response_url` served by the stand-in. Returns the envelope id (see [`Self::wait_for_ack`]).
    pub fn slash_command(&self, command: &str, text: &str, channel: &str, user: &str) -> String {
        let inner = &self.inner;
        inner.mutate(|st| {
            let rid = inner.new_response_url(st, channel, user, None, None);
            let trigger = inner.trigger_id(st);
            let payload = json!({
                "token": "standin-verification-token",
                "team_id": inner.config.team_id,
                "team_domain": inner.config.team_domain,
                "channel_id": channel,
                "channel_name": "standin-channel",
                "user_id": user,
                "user_name": "planner",
                "command": command,
                "text": text,
                "api_app_id": inner.config.app_id,
                "is_enterprise_install": "false",
                "response_url": inner.response_url(&rid),
                "trigger_id": trigger,
            });
            inner.push_envelope(st, EnvelopeKind::SlashCommands, payload, true)
        })
    }

    /// The default user clicks the button `action_id` on the message (or ephemeral message)
    /// `message_ts`, sending `value`. Returns the envelope id.
    pub fn click_button(&self, message_ts: &str, action_id: &str, value: &str) -> Result<String, StandInError> {
        let user = self.inner.config.default_user_id.clone();
        self.click_button_as(&user, message_ts, action_id, value)
    }

    /// [`Self::click_button`] by a given user.
    pub fn click_button_as(
        &self,
        user: &str,
        message_ts: &str,
        action_id: &str,
        value: &str,
    ) -> Result<String, StandInError> {
        self.interact(user, message_ts, action_id, value, false)
    }

    /// The default user picks the option whose value is `value` in the overflow menu (⋮)
    /// `action_id` on the message `message_ts`. Returns the envelope id.
    pub fn choose_option(&self, message_ts: &str, action_id: &str, value: &str) -> Result<String, StandInError> {
        let user = self.inner.config.default_user_id.clone();
        self.interact(&user, message_ts, action_id, value, true)
    }

    /// A `block_actions` interaction: a button click, or (`option`) an overflow menu choice.
    fn interact(
        &self,
        user: &str,
        message_ts: &str,
        action_id: &str,
        value: &str,
        option: bool,
    ) -> Result<String, StandInError> {
        let inner = &self.inner;
        let cfg = &inner.config;
        let mut result = Err(StandInError::NotFound(format!("message {message_ts}")));
        inner.mutate(|st| {
            let (channel, thread_ts, blocks, message, ephemeral) =
                if let Some(m) = st.messages.iter().find(|m| m.ts == message_ts) {
                    let j = m.to_json(true);
                    (m.channel.clone(), m.thread_ts.clone(), m.blocks.clone(), Some(j), false)
                } else if let Some(e) = st.ephemerals.iter().find(|e| e.ts == message_ts) {
                    (e.channel.clone(), e.thread_ts.clone(), e.blocks.clone(), None, true)
                } else {
                    return;
                };
            let Some((block_id, button)) = blocks.as_ref().and_then(|b| find_button(b, action_id)) else {
                result = Err(StandInError::NotFound(format!("button {action_id} in message {message_ts}")));
                return;
            };
            let selected = if option {
                let chosen = button
                    .get("options")
                    .and_then(Value::as_array)
                    .and_then(|o| o.iter().find(|o| o.get("value").and_then(Value::as_str) == Some(value)).cloned());
                match (button.get("type").and_then(Value::as_str), chosen) {
                    (Some("overflow"), Some(c)) => Some(c),
                    _ => {
                        result = Err(StandInError::NotFound(format!("option {value} of {action_id} in {message_ts}")));
                        return;
                    }
                }
            } else {
                None
            };
            let rid = inner.new_response_url(
                st,
                &channel,
                user,
                thread_ts.clone(),
                Some((message_ts.to_string(), ephemeral)),
            );
            let trigger = inner.trigger_id(st);
            let action_ts = next_ts(st);
            let mut payload = json!({
                "type": "block_actions",
                "user": {"id": user, "username": "planner", "name": "planner", "team_id": cfg.team_id},
                "api_app_id": cfg.app_id,
                "token": "standin-verification-token",
                "container": {
                    "type": "message",
                    "message_ts": message_ts,
                    "channel_id": channel,
                    "is_ephemeral": ephemeral,
                },
                "trigger_id": trigger,
                "team": {"id": cfg.team_id, "domain": cfg.team_domain},
                "enterprise": null,
                "is_enterprise_install": false,
                "channel": {"id": channel, "name": "standin-channel"},
                "state": {"values": {}},
                "response_url": inner.response_url(&rid),
                "actions": [{
                    "action_id": action_id,
                    "block_id": block_id,
                    "text": button.get("text").cloned().unwrap_or(Value::Null),
                    "value": value,
                    "type": "button",
                    "action_ts": action_ts,
                }],
            });
            if let Some(chosen) = selected {
                payload["actions"] = json!([{
                    "action_id": action_id,
                    "block_id": payload["actions"][0]["block_id"].clone(),
                    "selected_option": chosen,
                    "type": "overflow",
                    "action_ts": payload["actions"][0]["action_ts"].clone(),
                }]);
            }
            if let Some(m) = message {
                payload["message"] = m;
            }
            result = Ok(inner.push_envelope(st, EnvelopeKind::Interactive, payload, false));
        });
        result
    }

    /// Sends the event again now as a retry (`retry_attempt` + 1, `retry_reason: "timeout"`,
    /// same `event_id`, new envelope), acked or not. Returns the new envelope id.
    pub fn redeliver(&self, event_id: &str) -> Result<String, StandInError> {
        let inner = &self.inner;
        inner.mutate(|st| {
            let last = st
                .delivered
                .iter()
                .rev()
                .find(|d| d.event_id.as_deref() == Some(event_id))
                .cloned()
                .ok_or_else(|| StandInError::NotFound(format!("event {event_id}")))?;
            let payload = last.envelope.get("payload").cloned().unwrap_or(Value::Null);
            let attempt = last.retry_attempt + 1;
            let eid = inner.events_envelope(st, event_id, payload.clone(), attempt);
            st.internals
                .pending
                .insert(event_id.to_string(), PendingEvent { payload, retry_attempt: attempt, deadline: None });
            Ok(eid)
        })
    }

    // ---- connection controls ---------------------------------------------------------------

    /// Sends `{"type":"disconnect","reason":…,"debug_info":{"host":…}}` (or, with
    /// `with_debug_info: false`, without `debug_info`) on every open socket, then closes each
    /// socket after `config.disconnect_close_after`.
    pub fn disconnect(&self, reason: &str, with_debug_info: bool) -> usize {
        self.disconnect_with(reason, with_debug_info, Some(self.inner.config.disconnect_close_after))
    }

    /// Like [`Self::disconnect`]; `close_after: None` leaves the sockets open (to see what the
    /// client does on the frame alone). Returns the number of sockets addressed.
    pub fn disconnect_with(&self, reason: &str, with_debug_info: bool, close_after: Option<Duration>) -> usize {
        let inner = &self.inner;
        inner.mutate(|st| {
            let ids: Vec<u64> = st.internals.conns.keys().copied().collect();
            for id in &ids {
                let mut frame = json!({"type": "disconnect", "reason": reason});
                if with_debug_info {
                    frame["debug_info"] = json!({"host": format!("applink-standin-{id}")});
                }
                st.sent_frames.push(SentFrame { connection: *id, frame: frame.clone(), at: Instant::now() });
                if let Some(tx) = st.internals.conns.get(id) {
                    let _ = tx.send(ConnCmd::Disconnect { frame: frame.to_string(), close_after });
                }
            }
            ids.len()
        })
    }

    /// Closes every socket with a WebSocket Close frame (no `disconnect` message first).
    pub fn close_connections(&self) -> usize {
        self.send_all(|| ConnCmd::Close)
    }

    /// Drops every socket abruptly (TCP closed, no Close frame).
    pub fn drop_connections(&self) -> usize {
        self.send_all(|| ConnCmd::Drop)
    }

    fn send_all(&self, cmd: impl Fn() -> ConnCmd) -> usize {
        let st = self.inner.lock();
        for tx in st.internals.conns.values() {
            let _ = tx.send(cmd());
        }
        st.internals.conns.len()
    }

    /// The next `times` calls of `method` take effect at once but are answered only after
    /// `delay`: a client whose time limit is shorter sees a timeout for a call that succeeded.
    pub fn slow_responses(&self, method: &str, times: u32, delay: Duration) {
        self.inner.mutate(|st| {
            st.internals.slow.insert(method.to_string(), (times, delay));
        });
    }

    /// The next `times` calls of `method` get HTTP 429 with `Retry-After: retry_after_secs`.
    pub fn rate_limit(&self, method: &str, times: u32, retry_after_secs: u64) {
        self.inner.mutate(|st| {
            st.internals.rate_limits.insert(method.to_string(), (times, retry_after_secs));
        });
    }

    /// Stops accepting, closes every socket with a Close frame and waits (at most 2 s) for the
    /// server tasks to end; what is left is aborted.
    pub async fn shutdown(self) {
        let _ = self.inner.shutdown.send(true);
        let mut set = std::mem::take(&mut *self.inner.tasks_lock());
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            while set.join_next().await.is_some() {
                // Tasks spawned while we wait (rare) are aborted by Drop below.
            }
        })
        .await;
        set.abort_all();
    }

    fn with_mention(&self, text: &str) -> String {
        let tag = format!("<@{}>", self.inner.config.bot_user_id);
        if text.contains(&tag) {
            text.to_string()
        } else {
            format!("{tag} {text}")
        }
    }

    fn user_message(&self, channel: &str, thread_ts: Option<&str>, user: &str, text: &str) -> String {
        let inner = &self.inner;
        let tag = format!("<@{}>", inner.config.bot_user_id);
        inner.mutate(|st| {
            let ts = next_ts(st);
            let msg = Message {
                channel: channel.into(),
                ts: ts.clone(),
                thread_ts: thread_ts.map(Into::into),
                user: Some(user.into()),
                bot_id: None,
                subtype: None,
                text: Some(text.into()),
                blocks: None,
                metadata: None,
                edited_ts: None,
            };
            let is_im = channel_type(channel) == "im";
            if !is_im && text.contains(&tag) {
                let mut ev = json!({
                    "type": "app_mention",
                    "user": user,
                    "text": text,
                    "ts": ts,
                    "client_msg_id": format!("standin-msg-{ts}"),
                    "team": inner.config.team_id,
                    "channel": channel,
                    "event_ts": ts,
                });
                if let Some(t) = thread_ts {
                    ev["thread_ts"] = json!(t);
                }
                inner.push_event(st, ev);
            }
            let mut ev = inner.message_event(st, &msg);
            ev["client_msg_id"] = json!(format!("standin-msg-{ts}"));
            st.messages.push(msg);
            inner.push_event(st, ev);
            ts
        })
    }
}

impl Drop for SlackStandIn {
    fn drop(&mut self) {
        let _ = self.inner.shutdown.send(true);
        self.inner.tasks_lock().abort_all();
    }
}

// ---------------------------------------------------------------------------------------------
// Shared internals
// ---------------------------------------------------------------------------------------------

impl Inner {
    fn lock(&self) -> MutexGuard<'_, StandInState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn tasks_lock(&self) -> MutexGuard<'_, JoinSet<()>> {
        self.tasks.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` under the state lock, then wakes waiters. Never awaits while locked.
    fn mutate<R>(&self, f: impl FnOnce(&mut StandInState) -> R) -> R {
        let r = f(&mut self.lock());
        self.changed.send_modify(|v| *v = v.wrapping_add(1));
        r
    }

    fn spawn(&self, fut: impl std::future::Future<Output = ()> + Send + 'static) {
        let mut set = self.tasks_lock();
        while set.try_join_next().is_some() {}
        set.spawn(fut);
    }

    fn next_seq(st: &mut StandInState) -> u64 {
        st.internals.seq += 1;
        st.internals.seq
    }

    fn trigger_id(&self, st: &mut StandInState) -> String {
        let n = Self::next_seq(st);
        format!("{n}.{n}.standintrigger{n:06}")
    }

    fn response_url(&self, id: &str) -> String {
        format!("http://{}/resp/{id}", self.http_addr)
    }

    fn new_response_url(
        &self,
        st: &mut StandInState,
        channel: &str,
        user: &str,
        thread_ts: Option<String>,
        source: Option<(String, bool)>,
    ) -> String {
        let id = format!("T0STANDIN/{}/standin", Self::next_seq(st));
        st.internals
            .response_urls
            .insert(id.clone(), ResponseUrl { uses: 0, channel: channel.into(), user: user.into(), thread_ts, source });
        id
    }

    /// A `message` event for a stored message.
    fn message_event(&self, _st: &StandInState, m: &Message) -> Value {
        let mut ev = m.to_json(true);
        ev["channel"] = json!(m.channel);
        ev["event_ts"] = json!(m.ts);
        ev["channel_type"] = json!(channel_type(&m.channel));
        ev["team"] = json!(self.config.team_id);
        if m.bot_id.as_deref() == Some(self.config.bot_id.as_str()) {
            ev["app_id"] = json!(self.config.app_id);
        }
        ev
    }

    /// Wraps an event in an `event_callback` and an `events_api` envelope and sends it.
    fn push_event(&self, st: &mut StandInState, event: Value) -> String {
        let n = Self::next_seq(st);
        let event_id = format!("Ev0STANDIN{n:08}");
        let payload = json!({
            "token": "standin-verification-token",
            "team_id": self.config.team_id,
            "api_app_id": self.config.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": unix_secs(),
            "authorizations": [{
                "enterprise_id": null,
                "team_id": self.config.team_id,
                "user_id": self.config.bot_user_id,
                "is_bot": true,
                "is_enterprise_install": false,
            }],
            "is_ext_shared_channel": false,
            "event_context": format!("4-standin-{n}"),
        });
        st.internals
            .pending
            .insert(event_id.clone(), PendingEvent { payload: payload.clone(), retry_attempt: 0, deadline: None });
        self.events_envelope(st, &event_id, payload, 0);
        event_id
    }

    fn events_envelope(&self, st: &mut StandInState, event_id: &str, payload: Value, retry_attempt: u32) -> String {
        let envelope_id = format!("standin-env-{:08}", Self::next_seq(st));
        let envelope = json!({
            "envelope_id": envelope_id,
            "payload": payload,
            "type": "events_api",
            "accepts_response_payload": false,
            "retry_attempt": retry_attempt,
            "retry_reason": if retry_attempt == 0 { "" } else { "timeout" },
        });
        self.dispatch(
            st,
            Outgoing {
                kind: EnvelopeKind::EventsApi,
                envelope_id: envelope_id.clone(),
                event_id: Some(event_id.to_string()),
                retry_attempt,
                envelope,
            },
        );
        envelope_id
    }

    fn push_envelope(
        &self,
        st: &mut StandInState,
        kind: EnvelopeKind,
        payload: Value,
        accepts_response_payload: bool,
    ) -> String {
        let envelope_id = format!("standin-env-{:08}", Self::next_seq(st));
        let envelope = json!({
            "envelope_id": envelope_id,
            "payload": payload,
            "type": kind.wire(),
            "accepts_response_payload": accepts_response_payload,
        });
        self.dispatch(
            st,
            Outgoing { kind, envelope_id: envelope_id.clone(), event_id: None, retry_attempt: 0, envelope },
        );
        envelope_id
    }

    /// Sends an envelope to the next live connection (round-robin), or queues it.
    fn dispatch(&self, st: &mut StandInState, out: Outgoing) {
        st.internals.envelope_kinds.insert(out.envelope_id.clone(), (out.kind, out.event_id.clone()));
        loop {
            let ids: Vec<u64> = st.internals.conns.keys().copied().collect();
            if ids.is_empty() {
                st.internals.outbox.push(out);
                return;
            }
            let id = ids[st.internals.rr % ids.len()];
            st.internals.rr = st.internals.rr.wrapping_add(1);
            let text = out.envelope.to_string();
            let sent = st.internals.conns.get(&id).map(|tx| tx.send(ConnCmd::Text(text)).is_ok()).unwrap_or(false);
            if !sent {
                st.internals.conns.remove(&id);
                continue;
            }
            let now = Instant::now();
            if let Some(p) = out.event_id.as_ref().and_then(|e| st.internals.pending.get_mut(e)) {
                p.deadline = Some(now + self.config.ack_timeout);
                p.retry_attempt = out.retry_attempt;
                self.redelivery.notify_one();
            }
            let event_type = out.envelope.pointer("/payload/event/type").and_then(Value::as_str).map(String::from);
            st.sent_frames.push(SentFrame { connection: id, frame: out.envelope.clone(), at: now });
            st.delivered.push(Delivered {
                envelope_id: out.envelope_id,
                kind: out.kind,
                event_id: out.event_id,
                event_type,
                retry_attempt: out.retry_attempt,
                connection: id,
                envelope: out.envelope,
                at: now,
            });
            return;
        }
    }

    fn register_connection(&self, id: u64, tx: mpsc::UnboundedSender<ConnCmd>) {
        self.mutate(|st| {
            st.internals.conns.insert(id, tx.clone());
            st.connections_opened += 1;
            st.live_connections = st.internals.conns.len();
            st.live_connection_ids = st.internals.conns.keys().copied().collect();
            let hello = json!({
                "type": "hello",
                "num_connections": st.live_connections,
                "debug_info": {
                    "host": format!("applink-standin-{id}"),
                    "started": "2026-01-01 00:00:00.000",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": self.config.app_id},
            });
            st.sent_frames.push(SentFrame { connection: id, frame: hello.clone(), at: Instant::now() });
            let _ = tx.send(ConnCmd::Text(hello.to_string()));
            for out in std::mem::take(&mut st.internals.outbox) {
                self.dispatch(st, out);
            }
        });
    }

    fn unregister_connection(&self, id: u64) {
        self.mutate(|st| {
            st.internals.conns.remove(&id);
            st.live_connections = st.internals.conns.len();
            st.live_connection_ids = st.internals.conns.keys().copied().collect();
        });
    }

    fn on_frame(&self, conn: u64, text: &str) {
        let parsed: Option<Value> = serde_json::from_str(text).ok();
        let envelope_id = parsed.as_ref().and_then(|v| v.get("envelope_id")).and_then(Value::as_str).map(String::from);
        self.mutate(|st| {
            let Some(envelope_id) = envelope_id else {
                st.other_frames.push((conn, text.to_string()));
                return;
            };
            let known = st.internals.envelope_kinds.get(&envelope_id).cloned();
            if let Some((_, Some(event_id))) = &known {
                st.internals.pending.remove(event_id);
            }
            let payload = parsed.as_ref().and_then(|v| v.get("payload")).cloned();
            let mut payload_errors = Vec::new();
            if let Some(b) = payload.as_ref().and_then(|p| p.get("blocks")) {
                payload_errors = validate_blocks(b);
            }
            // A slash command's immediate reply shows up for the user.
            let shown = match (&known, &payload) {
                (Some((EnvelopeKind::SlashCommands, _)), Some(p))
                    if payload_errors.is_empty() && (p.get("text").is_some() || p.get("blocks").is_some()) =>
                {
                    Some(p)
                }
                _ => None,
            };
            if let Some(p) = shown {
                let cmd = st
                    .delivered
                    .iter()
                    .find(|d| d.envelope_id == envelope_id)
                    .map(|d| d.envelope["payload"].clone())
                    .unwrap_or(Value::Null);
                let channel = cmd["channel_id"].as_str().unwrap_or_default().to_string();
                let user = cmd["user_id"].as_str().unwrap_or_default().to_string();
                self.store_reply(st, &channel, &user, None, p, "slash_ack");
            }
            st.acks.push(Ack {
                envelope_id,
                kind: known.map(|k| k.0),
                payload,
                payload_errors,
                connection: conn,
                at: Instant::now(),
            });
        });
    }

    /// Stores a reply given as a message body (`response_type`, `text`, `blocks`): in the
    /// channel when `response_type` is `in_channel`, otherwise as an ephemeral for `user`.
    fn store_reply(
        &self,
        st: &mut StandInState,
        channel: &str,
        user: &str,
        thread_ts: Option<String>,
        body: &Value,
        source: &'static str,
    ) {
        let ts = next_ts(st);
        let text = body.get("text").and_then(Value::as_str).map(String::from);
        let blocks = body.get("blocks").cloned();
        let thread_ts = body.get("thread_ts").and_then(Value::as_str).map(String::from).or(thread_ts);
        if body.get("response_type").and_then(Value::as_str) == Some("in_channel") {
            let msg = Message {
                channel: channel.into(),
                ts,
                thread_ts,
                user: Some(self.config.bot_user_id.clone()),
                bot_id: Some(self.config.bot_id.clone()),
                subtype: None,
                text,
                blocks,
                metadata: None,
                edited_ts: None,
            };
            st.messages.push(msg);
        } else {
            st.ephemerals.push(Ephemeral {
                channel: channel.into(),
                user: user.into(),
                ts,
                thread_ts,
                text,
                blocks,
                source,
            });
        }
    }
}

fn next_ts(st: &mut StandInState) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as u64).unwrap_or(0);
    let m = now.max(st.internals.last_ts_micros + 1);
    st.internals.last_ts_micros = m;
    format!("{}.{:06}", m / 1_000_000, m % 1_000_000)
}

fn unix_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// `channel`, `group` or `im` from the id's first letter, as Slack's ids are shaped.
fn channel_type(channel: &str) -> &'static str {
    match channel.as_bytes().first() {
        Some(b'D') => "im",
        Some(b'G') => "group",
        _ => "channel",
    }
}

/// Finds a button (or any element) with `action_id` in `blocks`: `(block_id, element)`.
fn find_button(blocks: &Value, action_id: &str) -> Option<(Value, Value)> {
    for b in blocks.as_array()? {
        let block_id = b.get("block_id").cloned().unwrap_or(Value::Null);
        let mut candidates: Vec<&Value> = Vec::new();
        if let Some(els) = b.get("elements").and_then(Value::as_array) {
            candidates.extend(els.iter());
        }
        if let Some(acc) = b.get("accessory") {
            candidates.push(acc);
        }
        for el in candidates {
            if el.get("action_id").and_then(Value::as_str) == Some(action_id) {
                return Some((block_id, el.clone()));
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Block Kit validation
// ---------------------------------------------------------------------------------------------

/// Checks `blocks` against Slack's documented message limits. Returns Slack-style error
/// strings (`"… [json-pointer:/blocks/0/text/text]"`); empty means valid. Unknown block types
/// pass (Slack keeps adding them).
pub fn validate_blocks(blocks: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    let Some(arr) = blocks.as_array() else {
        errs.push("must be an array [json-pointer:/blocks]".into());
        return errs;
    };
    if arr.len() > 50 {
        errs.push(format!("must provide at most 50 items, got {} [json-pointer:/blocks]", arr.len()));
    }
    let mut block_ids = HashSet::new();
    let mut action_ids = HashSet::new();
    for (i, b) in arr.iter().enumerate() {
        let p = format!("/blocks/{i}");
        let Some(ty) = b.get("type").and_then(Value::as_str) else {
            errs.push(format!("missing required field: type [json-pointer:{p}]"));
            continue;
        };
        if let Some(id) = b.get("block_id") {
            match id.as_str() {
                Some(s) if s.chars().count() <= 255 => {
                    if !block_ids.insert(s.to_string()) {
                        errs.push(format!("duplicate block_id {s} [json-pointer:{p}/block_id]"));
                    }
                }
                _ => errs.push(format!("must be a string of at most 255 characters [json-pointer:{p}/block_id]")),
            }
        }
        match ty {
            "section" => {
                let text = b.get("text");
                let fields = b.get("fields");
                if text.is_none() && fields.is_none() {
                    errs.push(format!("must provide either text or fields [json-pointer:{p}]"));
                }
                if let Some(t) = text {
                    check_text(t, &format!("{p}/text"), 1, 3000, false, &mut errs);
                }
                if let Some(f) = fields {
                    match f.as_array() {
                        Some(fs) => {
                            if fs.len() > 10 {
                                errs.push(format!("must provide at most 10 items [json-pointer:{p}/fields]"));
                            }
                            for (j, t) in fs.iter().enumerate() {
                                check_text(t, &format!("{p}/fields/{j}"), 1, 2000, false, &mut errs);
                            }
                        }
                        None => errs.push(format!("must be an array [json-pointer:{p}/fields]")),
                    }
                }
                if let Some(acc) = b.get("accessory") {
                    check_element(acc, &format!("{p}/accessory"), &mut action_ids, &mut errs);
                }
            }
            "header" => match b.get("text") {
                Some(t) => check_text(t, &format!("{p}/text"), 1, 150, true, &mut errs),
                None => errs.push(format!("missing required field: text [json-pointer:{p}]")),
            },
            "context" => match b.get("elements").and_then(Value::as_array) {
                Some(els) if !els.is_empty() && els.len() <= 10 => {
                    for (j, el) in els.iter().enumerate() {
                        if matches!(el.get("type").and_then(Value::as_str), Some("plain_text" | "mrkdwn")) {
                            check_text(el, &format!("{p}/elements/{j}"), 1, 3000, false, &mut errs);
                        }
                    }
                }
                _ => errs.push(format!("must provide 1 to 10 elements [json-pointer:{p}/elements]")),
            },
            "actions" => match b.get("elements").and_then(Value::as_array) {
                Some(els) if !els.is_empty() && els.len() <= 25 => {
                    for (j, el) in els.iter().enumerate() {
                        check_element(el, &format!("{p}/elements/{j}"), &mut action_ids, &mut errs);
                    }
                }
                _ => errs.push(format!("must provide 1 to 25 elements [json-pointer:{p}/elements]")),
            },
            "markdown" => match b.get("text").and_then(Value::as_str) {
                Some(s) if s.chars().count() <= 12_000 => {}
                _ => errs.push(format!("must be a string of at most 12000 characters [json-pointer:{p}/text]")),
            },
            "image" if b.get("alt_text").and_then(Value::as_str).is_none() => {
                errs.push(format!("missing required field: alt_text [json-pointer:{p}]"));
            }
            _ => {}
        }
    }
    errs
}

fn check_text(t: &Value, p: &str, min: usize, max: usize, plain_only: bool, errs: &mut Vec<String>) {
    let ty = t.get("type").and_then(Value::as_str);
    match ty {
        Some("plain_text") => {}
        Some("mrkdwn") if !plain_only => {}
        _ => {
            let allowed = if plain_only { "plain_text" } else { "plain_text, mrkdwn" };
            errs.push(format!("must be one of [{allowed}] [json-pointer:{p}/type]"));
        }
    }
    match t.get("text").and_then(Value::as_str) {
        Some(s) => {
            let n = s.chars().count();
            if n < min {
                errs.push(format!("must be more than {} characters [json-pointer:{p}/text]", min - 1));
            }
            if n > max {
                errs.push(format!("must be less than {} characters [json-pointer:{p}/text]", max + 1));
            }
        }
        None => errs.push(format!("missing required field: text [json-pointer:{p}]")),
    }
}

fn check_element(el: &Value, p: &str, action_ids: &mut HashSet<String>, errs: &mut Vec<String>) {
    if let Some(a) = el.get("action_id") {
        match a.as_str() {
            Some(s) if s.chars().count() <= 255 => {
                if !action_ids.insert(s.to_string()) {
                    errs.push(format!("duplicate action_id {s} [json-pointer:{p}/action_id]"));
                }
            }
            _ => errs.push(format!("must be a string of at most 255 characters [json-pointer:{p}/action_id]")),
        }
    }
    if el.get("type").and_then(Value::as_str) == Some("overflow") {
        match el.get("options").and_then(Value::as_array) {
            Some(opts) if (2..=5).contains(&opts.len()) => {
                for (j, o) in opts.iter().enumerate() {
                    match o.get("text") {
                        Some(t) => check_text(t, &format!("{p}/options/{j}/text"), 1, 75, true, errs),
                        None => errs.push(format!("missing required field: text [json-pointer:{p}/options/{j}]")),
                    }
                    if o.get("value").and_then(Value::as_str).is_none_or(|v| v.is_empty() || v.chars().count() > 150) {
                        errs.push(format!(
                            "must be a string of 1 to 150 characters [json-pointer:{p}/options/{j}/value]"
                        ));
                    }
                }
            }
            _ => errs.push(format!("must provide 2 to 5 options [json-pointer:{p}/options]")),
        }
        return;
    }
    if el.get("type").and_then(Value::as_str) != Some("button") {
        return;
    }
    match el.get("text") {
        Some(t) => check_text(t, &format!("{p}/text"), 1, 75, true, errs),
        None => errs.push(format!("missing required field: text [json-pointer:{p}]")),
    }
    for (field, max) in [("value", 2000), ("url", 3000), ("accessibility_label", 75)] {
        if el.get(field).is_some_and(|v| v.as_str().is_none_or(|s| s.chars().count() > max)) {
            errs.push(format!("must be a string of at most {max} characters [json-pointer:{p}/{field}]"));
        }
    }
}

/// Keys of `metadata.event_payload` whose values are not strings.
fn non_string_metadata_keys(metadata: &Value) -> Vec<String> {
    metadata
        .get("event_payload")
        .and_then(Value::as_object)
        .map(|o| o.iter().filter(|(_, v)| !v.is_string()).map(|(k, _)| k.clone()).collect())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// HTTP side
// ---------------------------------------------------------------------------------------------

type HttpResponse = Response<Full<Bytes>>;

async fn http_accept_loop(inner: Arc<Inner>, listener: TcpListener) {
    let mut shutdown = inner.shutdown.subscribe();
    loop {
        let accepted = tokio::select! {
            _ = until_shutdown(&mut shutdown) => return,
            a = listener.accept() => a,
        };
        let stream = match accepted {
            Ok((s, _)) => s,
            Err(e) => {
                eprintln!("slack stand-in: http accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let conn_inner = inner.clone();
        let mut conn_shutdown = inner.shutdown.subscribe();
        inner.spawn(async move {
            let svc_inner = conn_inner.clone();
            let service = service_fn(move |req| {
                let inner = svc_inner.clone();
                async move { Ok::<_, Infallible>(handle_http(inner, req).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        eprintln!("slack stand-in: http connection error: {e}");
                    }
                }
                _ = until_shutdown(&mut conn_shutdown) => {}
            }
        });
    }
}

fn json_response(status: StatusCode, body: &Value, retry_after: Option<u64>) -> HttpResponse {
    let mut b = Response::builder().status(status).header(CONTENT_TYPE, "application/json; charset=utf-8");
    if let Some(s) = retry_after {
        b = b.header(RETRY_AFTER, s.to_string());
    }
    b.body(Full::new(Bytes::from(body.to_string()))).unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn text_response(status: StatusCode, body: &'static str) -> HttpResponse {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

async fn handle_http(inner: Arc<Inner>, req: Request<Incoming>) -> HttpResponse {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    let content_type = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let auth = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|s| s.trim().to_string());
    let body = match Limited::new(req.into_body(), MAX_BODY_BYTES).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            eprintln!("slack stand-in: reading request body failed: {e}");
            return json_response(StatusCode::BAD_REQUEST, &json!({"ok": false, "error": "invalid_form_data"}), None);
        }
    };

    if let Some(id) = path.strip_prefix("/resp/") {
        return handle_response_url(&inner, id, &body);
    }
    if let Some(id) = path.strip_prefix("/upload/") {
        // The upload URL takes the file's bytes as the body, like Slack's.
        let id = id.to_string();
        let stored = inner.mutate(|st| match st.internals.uploads.get_mut(&id) {
            Some(p) => {
                p.bytes = Some(body.to_vec());
                true
            }
            None => false,
        });
        return if stored {
            text_response(StatusCode::OK, "OK")
        } else {
            text_response(StatusCode::NOT_FOUND, "no such upload")
        };
    }
    let Some(method) = path.strip_prefix("/api/") else {
        return text_response(StatusCode::NOT_FOUND, "not found");
    };
    let method = method.trim_end_matches('/').to_string();

    let mut args = parse_form(&query);
    if content_type.starts_with("application/json") {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(o)) => args.extend(o),
            Ok(_) | Err(_) if body.is_empty() => {}
            _ => {
                return json_response(StatusCode::OK, &json!({"ok": false, "error": "invalid_json"}), None);
            }
        }
    } else if !body.is_empty() {
        args.extend(parse_form(&String::from_utf8_lossy(&body)));
    }
    // Slack accepts JSON-valued fields as JSON strings in form posts.
    for key in ["blocks", "metadata", "attachments", "files"] {
        let decoded = match args.get(key) {
            Some(Value::String(s)) => serde_json::from_str::<Value>(s).ok(),
            _ => None,
        };
        if let Some(v) = decoded {
            args.insert(key.to_string(), v);
        }
    }
    let token = auth.or_else(|| args.get("token").and_then(Value::as_str).map(String::from));
    let args = Value::Object(args);

    let at = Instant::now();
    let (status, response, retry_after, late) = inner.mutate(|st| {
        let (status, response, retry_after) = api_call(&inner, st, &method, &args, token.as_deref());
        st.calls.push(RecordedCall {
            method: method.clone(),
            args: args.clone(),
            token: token.clone(),
            at,
            status: status.as_u16(),
            response: response.clone(),
        });
        let late = match st.internals.slow.get_mut(&method).filter(|(n, _)| *n > 0) {
            Some((n, d)) => {
                *n -= 1;
                Some(*d)
            }
            None => None,
        };
        (status, response, retry_after, late)
    });
    if let Some(d) = late {
        tokio::time::sleep(d).await;
    }
    json_response(status, &response, retry_after)
}

fn err(code: &str) -> (StatusCode, Value, Option<u64>) {
    (StatusCode::OK, json!({"ok": false, "error": code}), None)
}

fn ok(mut v: Value) -> (StatusCode, Value, Option<u64>) {
    v["ok"] = json!(true);
    (StatusCode::OK, v, None)
}

fn arg<'a>(args: &'a Value, key: &str) -> Option<&'a str> {
    args.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn arg_bool(args: &Value, key: &str) -> bool {
    match args.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true" || s == "1",
        Some(Value::Number(n)) => n.as_u64() == Some(1),
        _ => false,
    }
}

/// One Web API call, under the state lock: auth, rate limit, then the method.
fn api_call(
    inner: &Inner,
    st: &mut StandInState,
    method: &str,
    args: &Value,
    token: Option<&str>,
) -> (StatusCode, Value, Option<u64>) {
    let cfg = &inner.config;
    let wants_app = method == "apps.connections.open";
    match token {
        None => return err("not_authed"),
        Some(t) if t == cfg.app_token && !wants_app => return err("not_allowed_token_type"),
        Some(t) if t == cfg.bot_token && wants_app => return err("not_allowed_token_type"),
        Some(t) if t != cfg.app_token && t != cfg.bot_token => return err("invalid_auth"),
        Some(_) => {}
    }
    if let Some((remaining, retry_after)) = st.internals.rate_limits.get_mut(method).filter(|(r, _)| *r > 0) {
        *remaining -= 1;
        let retry_after = *retry_after;
        return (StatusCode::TOO_MANY_REQUESTS, json!({"ok": false, "error": "ratelimited"}), Some(retry_after));
    }
    match method {
        "apps.connections.open" => {
            if st.live_connections >= cfg.max_connections {
                return err("too_many_websockets");
            }
            let ticket = format!("standin-ticket-{}", Inner::next_seq(st));
            st.internals.tickets.insert(ticket.clone());
            ok(json!({"url": format!("ws://{}/socket?ticket={ticket}", inner.ws_addr)}))
        }
        "auth.test" => ok(json!({
            "url": format!("https://{}.slack.com/", cfg.team_domain),
            "team": "Stand-in Workspace",
            "user": "adsai",
            "team_id": cfg.team_id,
            "user_id": cfg.bot_user_id,
            "bot_id": cfg.bot_id,
            "is_enterprise_install": false,
        })),
        "chat.postMessage" => post_message(inner, st, args),
        "chat.update" => update_message(inner, st, args),
        "files.getUploadURLExternal" => {
            let Some(filename) = arg(args, "filename").filter(|f| !f.is_empty()) else {
                return err("invalid_arguments");
            };
            let length = args.get("length").and_then(|l| l.as_u64().or_else(|| l.as_str()?.parse().ok()));
            let Some(length) = length.filter(|&l| l > 0) else {
                return err("invalid_arguments");
            };
            let id = format!("F{:08}", Inner::next_seq(st));
            st.internals
                .uploads
                .insert(id.clone(), PendingFile { filename: filename.into(), length: length as usize, bytes: None });
            ok(json!({"upload_url": format!("http://{}/upload/{id}", inner.http_addr), "file_id": id}))
        }
        "files.completeUploadExternal" => {
            let Some(files) = args.get("files").and_then(Value::as_array) else {
                return err("invalid_arguments");
            };
            let channel = arg(args, "channel_id").map(String::from);
            let thread_ts = arg(args, "thread_ts").map(String::from);
            if thread_ts.is_some() && channel.is_none() {
                return err("invalid_arguments");
            }
            let mut shared = Vec::new();
            for f in files {
                let Some(id) = f.get("id").and_then(Value::as_str) else { return err("invalid_arguments") };
                let Some(p) = st.internals.uploads.get(id) else { return err("file_not_found") };
                let Some(bytes) = p.bytes.clone() else { return err("file_upload_not_completed") };
                if bytes.len() != p.length {
                    return err("file_size_mismatch");
                }
                shared.push(SharedFile {
                    id: id.into(),
                    filename: p.filename.clone(),
                    title: f.get("title").and_then(Value::as_str).map(String::from),
                    channel: channel.clone().unwrap_or_default(),
                    thread_ts: thread_ts.clone(),
                    bytes,
                });
            }
            let listed: Vec<Value> =
                shared.iter().map(|f| json!({"id": f.id, "title": f.title, "name": f.filename})).collect();
            for f in &shared {
                st.internals.uploads.remove(&f.id);
            }
            st.files.extend(shared);
            ok(json!({"files": listed}))
        }
        "chat.delete" => {
            let (Some(channel), Some(ts)) = (arg(args, "channel"), arg(args, "ts")) else {
                return err("message_not_found");
            };
            let before = st.messages.len();
            st.messages.retain(|m| !(m.channel == channel && m.ts == ts));
            if st.messages.len() == before {
                return err("message_not_found");
            }
            ok(json!({"channel": channel, "ts": ts}))
        }
        "chat.postEphemeral" => {
            let Some(channel) = arg(args, "channel") else {
                return err("channel_not_found");
            };
            let Some(user) = arg(args, "user") else {
                return err("user_not_in_channel");
            };
            if let Some(e) = check_content(inner, st, method, args) {
                return e;
            }
            let ts = next_ts(st);
            st.ephemerals.push(Ephemeral {
                channel: channel.into(),
                user: user.into(),
                ts: ts.clone(),
                thread_ts: arg(args, "thread_ts").map(String::from),
                text: arg(args, "text").map(String::from),
                blocks: args.get("blocks").cloned(),
                source: "chat.postEphemeral",
            });
            ok(json!({"message_ts": ts}))
        }
        "conversations.replies" => {
            let (Some(channel), Some(ts)) = (arg(args, "channel"), arg(args, "ts")) else {
                return err("thread_not_found");
            };
            let with_meta = arg_bool(args, "include_all_metadata");
            let thread = st.thread_of(channel, ts);
            let Some(parent) = thread.iter().find(|m| m.ts == ts) else {
                return err("thread_not_found");
            };
            // Asking with a reply's ts gives that reply's thread, as Slack does.
            let root = parent.thread_ts.clone().unwrap_or_else(|| ts.to_string());
            let thread = st.thread_of(channel, &root);
            let msgs: Vec<Value> = thread_json(&thread, &root, with_meta);
            ok(json!({"messages": msgs, "has_more": false, "response_metadata": {"next_cursor": ""}}))
        }
        "conversations.history" => {
            let Some(channel) = arg(args, "channel") else {
                return err("channel_not_found");
            };
            let with_meta = arg_bool(args, "include_all_metadata");
            let inclusive = arg_bool(args, "inclusive");
            let latest = arg(args, "latest").and_then(ts_key);
            let oldest = arg(args, "oldest").and_then(ts_key);
            let limit = args
                .get("limit")
                .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
                .unwrap_or(100) as usize;
            let msgs: Vec<Value> = st
                .messages
                .iter()
                .rev()
                .filter(|m| m.channel == channel && m.thread_ts.as_ref().is_none_or(|t| *t == m.ts))
                .filter(|m| {
                    let k = ts_key(&m.ts).unwrap_or_default();
                    latest.is_none_or(|l| if inclusive { k <= l } else { k < l })
                        && oldest.is_none_or(|o| if inclusive { k >= o } else { k > o })
                })
                .take(limit)
                .map(|m| {
                    let replies: Vec<&Message> = st.thread_of(channel, &m.ts);
                    thread_json(&replies, &m.ts, with_meta).into_iter().next().unwrap_or_else(|| m.to_json(with_meta))
                })
                .collect();
            ok(json!({"messages": msgs, "has_more": false}))
        }
        _ => err("unknown_method"),
    }
}

fn ts_key(ts: &str) -> Option<(u64, u64)> {
    let (a, b) = ts.split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// Thread messages as `conversations.replies` shows them: the parent carries `thread_ts`,
/// `reply_count`, `reply_users`, `latest_reply` once it has replies.
fn thread_json(thread: &[&Message], root: &str, with_meta: bool) -> Vec<Value> {
    let replies: Vec<&&Message> = thread.iter().filter(|m| m.ts != root).collect();
    thread
        .iter()
        .map(|m| {
            let mut j = m.to_json(with_meta);
            if m.ts == root {
                if !replies.is_empty() {
                    let mut users: Vec<String> = Vec::new();
                    for r in &replies {
                        if let Some(u) = r.user.as_ref().filter(|u| !users.contains(u)) {
                            users.push(u.clone());
                        }
                    }
                    j["thread_ts"] = json!(root);
                    j["reply_count"] = json!(replies.len());
                    j["reply_users_count"] = json!(users.len());
                    j["reply_users"] = json!(users);
                    j["latest_reply"] = json!(replies.last().map(|r| r.ts.clone()));
                }
            } else if let Some(p) = thread.iter().find(|p| p.ts == root) {
                j["parent_user_id"] = json!(p.user);
            }
            j
        })
        .collect()
}

/// Validates text / blocks / metadata of a message-writing call. `Some` is the error answer.
fn check_content(
    inner: &Inner,
    st: &mut StandInState,
    method: &str,
    args: &Value,
) -> Option<(StatusCode, Value, Option<u64>)> {
    let cfg = &inner.config;
    let text = arg(args, "text");
    let blocks = args.get("blocks");
    if text.is_none() && (cfg.require_text || blocks.is_none()) {
        return Some(err("no_text"));
    }
    if let Some(b) = blocks {
        let errors = validate_blocks(b);
        if !errors.is_empty() {
            return Some((
                StatusCode::OK,
                json!({"ok": false, "error": "invalid_blocks", "errors": errors,
                       "response_metadata": {"messages": errors}}),
                None,
            ));
        }
    }
    if let Some(md) = args.get("metadata") {
        if md.get("event_type").and_then(Value::as_str).is_none() {
            return Some(err("invalid_metadata_format"));
        }
        let keys = non_string_metadata_keys(md);
        if !keys.is_empty() {
            st.metadata_violations.push(MetadataViolation {
                method: method.into(),
                metadata: md.clone(),
                keys: keys.clone(),
            });
            if cfg.strict_metadata {
                return Some((
                    StatusCode::OK,
                    json!({"ok": false, "error": "invalid_metadata_format",
                           "errors": keys.iter().map(|k| format!(
                               "stand-in: event_payload.{k} is not a string; slack-morphism 2.31 cannot read it back"
                           )).collect::<Vec<_>>()}),
                    None,
                ));
            }
        }
    }
    None
}

fn post_message(inner: &Inner, st: &mut StandInState, args: &Value) -> (StatusCode, Value, Option<u64>) {
    let cfg = &inner.config;
    let Some(channel) = arg(args, "channel") else {
        return err("channel_not_found");
    };
    if let Some(e) = check_content(inner, st, "chat.postMessage", args) {
        return e;
    }
    let ts = next_ts(st);
    let msg = Message {
        channel: channel.into(),
        ts: ts.clone(),
        thread_ts: arg(args, "thread_ts").map(String::from),
        user: Some(cfg.bot_user_id.clone()),
        bot_id: Some(cfg.bot_id.clone()),
        subtype: None,
        text: arg(args, "text").map(String::from),
        blocks: args.get("blocks").cloned(),
        metadata: args.get("metadata").cloned(),
        edited_ts: None,
    };
    let mut message = msg.to_json(true);
    message["team"] = json!(cfg.team_id);
    message["app_id"] = json!(cfg.app_id);
    if cfg.echo_bot_messages {
        let ev = inner.message_event(st, &msg);
        st.messages.push(msg);
        inner.push_event(st, ev);
    } else {
        st.messages.push(msg);
    }
    ok(json!({"channel": channel, "ts": ts, "message": message}))
}

fn update_message(inner: &Inner, st: &mut StandInState, args: &Value) -> (StatusCode, Value, Option<u64>) {
    let cfg = &inner.config;
    let (Some(channel), Some(ts)) = (arg(args, "channel"), arg(args, "ts")) else {
        return err("message_not_found");
    };
    let Some(idx) = st.messages.iter().position(|m| m.channel == channel && m.ts == ts) else {
        return err("message_not_found");
    };
    if st.messages[idx].bot_id.as_deref() != Some(cfg.bot_id.as_str()) {
        return err("cant_update_message");
    }
    if let Some(e) = check_content(inner, st, "chat.update", args) {
        return e;
    }
    let edited = next_ts(st);
    let m = &mut st.messages[idx];
    m.text = arg(args, "text").map(String::from);
    if let Some(b) = args.get("blocks") {
        m.blocks = Some(b.clone());
    }
    if let Some(md) = args.get("metadata") {
        m.metadata = Some(md.clone());
    }
    m.edited_ts = Some(edited);
    let message = m.to_json(true);
    let thread_ts = m.thread_ts.clone();
    let mut resp = json!({"channel": channel, "ts": ts, "text": message["text"], "message": message});
    if let Some(t) = thread_ts {
        resp["thread_ts"] = json!(t);
    }
    ok(resp)
}

fn handle_response_url(inner: &Inner, id: &str, body: &[u8]) -> HttpResponse {
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let (status, text) = inner.mutate(|st| {
        let outcome = match st.internals.response_urls.get_mut(id) {
            None => (StatusCode::NOT_FOUND, "no_such_url"),
            Some(r) if r.uses >= RESPONSE_URL_MAX_USES => (StatusCode::NOT_FOUND, "used_url"),
            Some(r) => {
                r.uses += 1;
                (StatusCode::OK, "ok")
            }
        };
        let mut outcome = outcome;
        if outcome.0 == StatusCode::OK {
            if !parsed.is_object() {
                outcome = (StatusCode::BAD_REQUEST, "invalid_payload");
            } else if parsed.get("blocks").is_some_and(|b| !validate_blocks(b).is_empty()) {
                outcome = (StatusCode::BAD_REQUEST, "invalid_blocks");
            }
        }
        let source = if outcome.0 == StatusCode::OK { st.internals.response_urls.get(id).cloned() } else { None };
        if let Some(r) = source {
            apply_response(inner, st, &r, &parsed);
        }
        st.response_posts.push(ResponsePost {
            id: id.to_string(),
            body: parsed.clone(),
            status: outcome.0.as_u16(),
            at: Instant::now(),
        });
        outcome
    });
    text_response(status, text)
}

/// What a `response_url` post does: delete / replace the original, or add a reply.
fn apply_response(inner: &Inner, st: &mut StandInState, r: &ResponseUrl, body: &Value) {
    if let Some((ts, ephemeral)) = &r.source {
        if arg_bool(body, "delete_original") {
            if *ephemeral {
                st.ephemerals.retain(|e| e.ts != *ts);
            } else {
                st.messages.retain(|m| m.ts != *ts);
            }
            return;
        }
        if arg_bool(body, "replace_original") {
            let text = body.get("text").and_then(Value::as_str).map(String::from);
            let blocks = body.get("blocks").cloned();
            if *ephemeral {
                if let Some(e) = st.ephemerals.iter_mut().find(|e| e.ts == *ts) {
                    e.text = text;
                    e.blocks = blocks;
                }
            } else if let Some(m) = st.messages.iter_mut().find(|m| m.ts == *ts) {
                m.text = text;
                m.blocks = blocks;
            }
            return;
        }
    }
    inner.store_reply(st, &r.channel, &r.user, r.thread_ts.clone(), body, "response_url");
}

/// Parses `a=b&c=d` with `+` and `%XX` decoding.
fn parse_form(s: &str) -> Map<String, Value> {
    let mut m = Map::new();
    for pair in s.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        m.insert(percent_decode(k), Value::String(percent_decode(v)));
    }
    m
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------------
// WebSocket side
// ---------------------------------------------------------------------------------------------

async fn ws_accept_loop(inner: Arc<Inner>, listener: TcpListener) {
    let mut shutdown = inner.shutdown.subscribe();
    let mut next_id: u64 = 0;
    loop {
        let accepted = tokio::select! {
            _ = until_shutdown(&mut shutdown) => return,
            a = listener.accept() => a,
        };
        match accepted {
            Ok((stream, _)) => {
                next_id += 1;
                inner.spawn(ws_connection(inner.clone(), stream, next_id));
            }
            Err(e) => {
                eprintln!("slack stand-in: ws accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// One Socket Mode connection: handshake (ticket check), hello, then frames both ways.
async fn ws_connection(inner: Arc<Inner>, stream: TcpStream, id: u64) {
    let check_inner = inner.clone();
    #[allow(clippy::result_large_err)] // the callback signature is tungstenite's
    let callback = move |req: &WsRequest, resp: WsResponse| -> Result<WsResponse, ErrorResponse> {
        let ticket =
            req.uri().query().unwrap_or_default().split('&').find_map(|p| p.strip_prefix("ticket=")).map(String::from);
        let valid = req.uri().path().trim_end_matches('/') == "/socket"
            && ticket.is_some_and(|t| check_inner.lock().internals.tickets.remove(&t));
        if valid {
            Ok(resp)
        } else {
            let mut r = ErrorResponse::new(Some("invalid or used ticket".into()));
            *r.status_mut() = StatusCode::UNAUTHORIZED;
            Err(r)
        }
    };
    let ws = match tokio::time::timeout(Duration::from_secs(5), tokio_tungstenite::accept_hdr_async(stream, callback))
        .await
    {
        Ok(Ok(ws)) => ws,
        Ok(Err(e)) => {
            eprintln!("slack stand-in: websocket handshake {id} failed: {e}");
            return;
        }
        Err(_) => {
            eprintln!("slack stand-in: websocket handshake {id} timed out");
            return;
        }
    };
    let (mut sink, mut stream) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel();
    inner.register_connection(id, tx);
    let mut shutdown = inner.shutdown.subscribe();
    let mut close_at: Option<tokio::time::Instant> = None;
    let mut give_up_at: Option<tokio::time::Instant> = None;
    let far = || tokio::time::Instant::now() + Duration::from_secs(86_400);
    loop {
        tokio::select! {
            _ = until_shutdown(&mut shutdown), if give_up_at.is_none() => {
                let _ = sink.send(close_msg("server shutting down")).await;
                give_up_at = Some(tokio::time::Instant::now() + Duration::from_millis(300));
            }
            _ = tokio::time::sleep_until(close_at.unwrap_or_else(far)), if close_at.is_some() => {
                close_at = None;
                if let Err(e) = sink.send(close_msg("disconnect")).await {
                    eprintln!("slack stand-in: connection {id}: close failed: {e}");
                    break;
                }
                give_up_at = Some(tokio::time::Instant::now() + CLOSE_HANDSHAKE_GRACE);
            }
            _ = tokio::time::sleep_until(give_up_at.unwrap_or_else(far)), if give_up_at.is_some() => break,
            cmd = rx.recv() => match cmd {
                Some(ConnCmd::Text(t)) => {
                    if let Err(e) = sink.send(WsMessage::text(t)).await {
                        eprintln!("slack stand-in: connection {id}: send failed: {e}");
                        break;
                    }
                }
                Some(ConnCmd::Disconnect { frame, close_after }) => {
                    if let Err(e) = sink.send(WsMessage::text(frame)).await {
                        eprintln!("slack stand-in: connection {id}: send failed: {e}");
                        break;
                    }
                    if let Some(d) = close_after {
                        close_at = Some(tokio::time::Instant::now() + d);
                    }
                }
                Some(ConnCmd::Close) => {
                    if let Err(e) = sink.send(close_msg("closed by test")).await {
                        eprintln!("slack stand-in: connection {id}: close failed: {e}");
                        break;
                    }
                    give_up_at = Some(tokio::time::Instant::now() + CLOSE_HANDSHAKE_GRACE);
                }
                Some(ConnCmd::Drop) | None => break,
            },
            frame = stream.next() => match frame {
                Some(Ok(WsMessage::Text(t))) => inner.on_frame(id, t.as_str()),
                Some(Ok(WsMessage::Close(_))) | None => break,
                Some(Ok(_)) => {} // pings are answered by tungstenite; pongs and binary ignored
                Some(Err(e)) => {
                    eprintln!("slack stand-in: connection {id}: read failed: {e}");
                    break;
                }
            },
        }
    }
    inner.unregister_connection(id);
    // Dropping both halves closes the TCP stream.
}

/// Resolves once shutdown is signalled (or the signal's sender is gone).
async fn until_shutdown(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|v| *v).await;
}

fn close_msg(reason: &str) -> WsMessage {
    WsMessage::Close(Some(CloseFrame { code: CloseCode::Normal, reason: reason.to_string().into() }))
}

// ---------------------------------------------------------------------------------------------
// Redelivery
// ---------------------------------------------------------------------------------------------

async fn redelivery_loop(inner: Arc<Inner>) {
    let mut shutdown = inner.shutdown.subscribe();
    loop {
        let next = {
            let st = inner.lock();
            st.internals.pending.values().filter_map(|p| p.deadline).min()
        };
        let sleep_to = next
            .map(tokio::time::Instant::from_std)
            .unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            _ = until_shutdown(&mut shutdown) => return,
            _ = inner.redelivery.notified() => continue,
            _ = tokio::time::sleep_until(sleep_to) => {}
        }
        if !inner.config.auto_redeliver {
            // Clear deadlines so the loop does not spin; manual redeliver() still works.
            inner.mutate(|st| {
                for p in st.internals.pending.values_mut() {
                    p.deadline = None;
                }
            });
            continue;
        }
        let now = Instant::now();
        inner.mutate(|st| {
            let due: Vec<(String, PendingEvent)> = st
                .internals
                .pending
                .iter()
                .filter(|(_, p)| p.deadline.is_some_and(|d| d <= now))
                .map(|(k, p)| (k.clone(), p.clone()))
                .collect();
            for (event_id, p) in due {
                if p.retry_attempt >= inner.config.max_retries {
                    st.internals.pending.remove(&event_id);
                    st.expired_events.push(event_id);
                    continue;
                }
                if let Some(e) = st.internals.pending.get_mut(&event_id) {
                    e.deadline = None;
                }
                inner.events_envelope(st, &event_id, p.payload, p.retry_attempt + 1);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_limits() {
        assert!(validate_blocks(&json!([{"type": "divider"}])).is_empty());
        let many: Vec<Value> = (0..51).map(|_| json!({"type": "divider"})).collect();
        assert_eq!(validate_blocks(&Value::Array(many)).len(), 1);
        let header = json!([{"type": "header", "text": {"type": "plain_text", "text": "x".repeat(151)}}]);
        assert_eq!(validate_blocks(&header).len(), 1);
        let header_md = json!([{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}]);
        assert_eq!(validate_blocks(&header_md).len(), 1);
        let section = json!([{"type": "section", "text": {"type": "mrkdwn", "text": "x".repeat(3001)}}]);
        assert_eq!(validate_blocks(&section).len(), 1);
        let fields: Vec<Value> = (0..11).map(|_| json!({"type": "mrkdwn", "text": "f"})).collect();
        assert_eq!(validate_blocks(&json!([{"type": "section", "fields": fields}])).len(), 1);
        let button = json!([{"type": "actions", "elements": [
            {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "x".repeat(76)}}]}]);
        assert_eq!(validate_blocks(&button).len(), 1);
        let dup = json!([{"type": "divider", "block_id": "b"}, {"type": "divider", "block_id": "b"}]);
        assert_eq!(validate_blocks(&dup).len(), 1);
        let empty_section = json!([{"type": "section", "text": {"type": "mrkdwn", "text": ""}}]);
        assert_eq!(validate_blocks(&empty_section).len(), 1);
        let opt = |v: &str| json!({"text": {"type": "plain_text", "text": "Undo"}, "value": v});
        let menu = |opts: Vec<Value>| {
            json!([{"type": "actions", "elements": [
            {"type": "overflow", "action_id": "m", "options": opts}]}])
        };
        assert!(validate_blocks(&menu(vec![opt("a"), opt("b")])).is_empty());
        assert_eq!(validate_blocks(&menu(vec![opt("a")])).len(), 1, "one option is too few");
        assert_eq!(validate_blocks(&menu(vec![opt("a"); 6])).len(), 1, "six are too many");
        assert_eq!(validate_blocks(&menu(vec![opt("a"), opt(&"v".repeat(151))])).len(), 1, "value over 150");
    }

    #[test]
    fn form_decoding() {
        let m = parse_form("channel=C1&text=a+b%20c%21&x");
        assert_eq!(m["channel"], "C1");
        assert_eq!(m["text"], "a b c!");
        assert_eq!(m["x"], "");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%4"), "%4");
    }
}
