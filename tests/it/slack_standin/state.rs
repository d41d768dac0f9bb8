//! What the stand-in is told and what it records: its configuration, the calls, messages,
//! envelopes, acks and files it has seen ([`StandInState`]), its internal bookkeeping, and the
//! errors of the test controls.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use tokio::sync::mpsc;

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
    pub(super) fn wire(self) -> &'static str {
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
    pub(super) internals: Internals,
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
pub(super) struct PendingFile {
    pub(super) filename: String,
    pub(super) length: usize,
    pub(super) bytes: Option<Vec<u8>>,
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
pub(super) struct Internals {
    pub(super) last_ts_micros: u64,
    pub(super) seq: u64,
    pub(super) rate_limits: HashMap<String, (u32, u64)>,
    pub(super) tickets: HashSet<String>,
    pub(super) conns: BTreeMap<u64, mpsc::UnboundedSender<ConnCmd>>,
    pub(super) rr: usize,
    pub(super) pending: HashMap<String, PendingEvent>,
    pub(super) envelope_kinds: HashMap<String, (EnvelopeKind, Option<String>)>,
    pub(super) outbox: Vec<Outgoing>,
    pub(super) response_urls: HashMap<String, ResponseUrl>,
    pub(super) uploads: HashMap<String, PendingFile>,
    /// Per method: calls left to answer late, and how late (the call still takes effect).
    pub(super) slow: HashMap<String, (u32, Duration)>,
}

#[derive(Debug, Clone)]
pub(super) struct PendingEvent {
    pub(super) payload: Value,
    pub(super) retry_attempt: u32,
    pub(super) deadline: Option<Instant>,
}

#[derive(Debug, Clone)]
pub(super) struct Outgoing {
    pub(super) kind: EnvelopeKind,
    pub(super) envelope_id: String,
    pub(super) event_id: Option<String>,
    pub(super) retry_attempt: u32,
    pub(super) envelope: Value,
}

#[derive(Debug, Clone)]
pub(super) struct ResponseUrl {
    pub(super) uses: u32,
    pub(super) channel: String,
    pub(super) user: String,
    pub(super) thread_ts: Option<String>,
    /// The message the interaction came from: (ts, is_ephemeral).
    pub(super) source: Option<(String, bool)>,
}

#[derive(Debug)]
pub(super) enum ConnCmd {
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
