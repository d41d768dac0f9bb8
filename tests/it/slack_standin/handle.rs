//! The handle a test holds: [`SlackStandIn`] starts the servers, reads the state, waits for
//! things to happen, and plays users (mentions, replies, DMs, slash commands, clicks) and faults
//! (disconnects, drops, slow answers, rate limits).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;

use super::internals::{channel_type, find_button, next_ts};
use super::socket::{redelivery_loop, ws_accept_loop};
use super::state::{
    Ack, ConnCmd, Delivered, EnvelopeKind, Ephemeral, Message, PendingEvent, RecordedCall, ResponsePost, SentFrame,
    SharedFile, StandInConfig, StandInError, StandInState,
};
use super::webapi::http_accept_loop;

pub(super) struct Inner {
    pub(super) config: StandInConfig,
    pub(super) http_addr: SocketAddr,
    pub(super) ws_addr: SocketAddr,
    pub(super) state: Mutex<StandInState>,
    /// Bumped after every change of `state`; [`SlackStandIn::wait_for`] waits on it.
    pub(super) changed: watch::Sender<u64>,
    /// Wakes the redelivery task when a deadline may have moved.
    pub(super) redelivery: Notify,
    pub(super) shutdown: watch::Sender<bool>,
    pub(super) tasks: Mutex<JoinSet<()>>,
}

/// The running stand-in. Dropping it stops every server task (sockets are cut without a Close
/// frame); [`SlackStandIn::shutdown`] closes sockets politely first.
pub struct SlackStandIn {
    pub(super) inner: Arc<Inner>,
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

    pub(super) fn summary(&self) -> String {
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
    pub(super) fn interact(
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

    pub(super) fn send_all(&self, cmd: impl Fn() -> ConnCmd) -> usize {
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

    pub(super) fn with_mention(&self, text: &str) -> String {
        let tag = format!("<@{}>", self.inner.config.bot_user_id);
        if text.contains(&tag) {
            text.to_string()
        } else {
            format!("{tag} {text}")
        }
    }

    pub(super) fn user_message(&self, channel: &str, thread_ts: Option<&str>, user: &str, text: &str) -> String {
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
