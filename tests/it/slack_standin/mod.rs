//! A local stand-in for Slack, for end-to-end tests of the bot on 127.0.0.1.
//!
//! Files: `state.rs` (configuration and what is recorded), `handle.rs` ([`SlackStandIn`], the
//! test controls), `internals.rs` (events, envelopes and connections under the state lock),
//! `webapi.rs` (the HTTP side), `socket.rs` (Socket Mode over WebSocket, redelivery),
//! `blockkit.rs` (the Block Kit validator).
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

mod blockkit;
mod handle;
mod internals;
mod socket;
mod state;
mod webapi;

pub use blockkit::validate_blocks;
pub use handle::SlackStandIn;
pub use state::{EnvelopeKind, Message, StandInConfig, StandInState};
