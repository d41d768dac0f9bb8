//! Shared internals under the state lock: ts and id generation, `response_url`s, turning
//! messages into events and envelopes, handing envelopes to connections (round-robin, queued
//! while none is connected), acks and replies from the clients.

use std::sync::MutexGuard;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::blockkit::validate_blocks;
use super::handle::Inner;
use super::state::{
    Ack, ConnCmd, Delivered, EnvelopeKind, Ephemeral, Message, Outgoing, PendingEvent, ResponseUrl, SentFrame,
    StandInState,
};

impl Inner {
    pub(super) fn lock(&self) -> MutexGuard<'_, StandInState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn tasks_lock(&self) -> MutexGuard<'_, JoinSet<()>> {
        self.tasks.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` under the state lock, then wakes waiters. Never awaits while locked.
    pub(super) fn mutate<R>(&self, f: impl FnOnce(&mut StandInState) -> R) -> R {
        let r = f(&mut self.lock());
        self.changed.send_modify(|v| *v = v.wrapping_add(1));
        r
    }

    pub(super) fn spawn(&self, fut: impl std::future::Future<Output = ()> + Send + 'static) {
        let mut set = self.tasks_lock();
        while set.try_join_next().is_some() {}
        set.spawn(fut);
    }

    pub(super) fn next_seq(st: &mut StandInState) -> u64 {
        st.internals.seq += 1;
        st.internals.seq
    }

    pub(super) fn trigger_id(&self, st: &mut StandInState) -> String {
        let n = Self::next_seq(st);
        format!("{n}.{n}.standintrigger{n:06}")
    }

    pub(super) fn response_url(&self, id: &str) -> String {
        format!("http://{}/resp/{id}", self.http_addr)
    }

    pub(super) fn new_response_url(
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
    pub(super) fn message_event(&self, _st: &StandInState, m: &Message) -> Value {
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
    pub(super) fn push_event(&self, st: &mut StandInState, event: Value) -> String {
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

    pub(super) fn events_envelope(
        &self,
        st: &mut StandInState,
        event_id: &str,
        payload: Value,
        retry_attempt: u32,
    ) -> String {
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

    pub(super) fn push_envelope(
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
    pub(super) fn dispatch(&self, st: &mut StandInState, out: Outgoing) {
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

    pub(super) fn register_connection(&self, id: u64, tx: mpsc::UnboundedSender<ConnCmd>) {
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

    pub(super) fn unregister_connection(&self, id: u64) {
        self.mutate(|st| {
            st.internals.conns.remove(&id);
            st.live_connections = st.internals.conns.len();
            st.live_connection_ids = st.internals.conns.keys().copied().collect();
        });
    }

    pub(super) fn on_frame(&self, conn: u64, text: &str) {
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
    pub(super) fn store_reply(
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

pub(super) fn next_ts(st: &mut StandInState) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as u64).unwrap_or(0);
    let m = now.max(st.internals.last_ts_micros + 1);
    st.internals.last_ts_micros = m;
    format!("{}.{:06}", m / 1_000_000, m % 1_000_000)
}

pub(super) fn unix_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// `channel`, `group` or `im` from the id's first letter, as Slack's ids are shaped.
pub(super) fn channel_type(channel: &str) -> &'static str {
    match channel.as_bytes().first() {
        Some(b'D') => "im",
        Some(b'G') => "group",
        _ => "channel",
    }
}

/// Finds a button (or any element) with `action_id` in `blocks`: `(block_id, element)`.
pub(super) fn find_button(blocks: &Value, action_id: &str) -> Option<(Value, Value)> {
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
