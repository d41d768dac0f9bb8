//! Recovery by replay: a plan message carries string-only metadata (the conversation key, a
//! summary, the reference date and the messages); when the store has lost a thread's
//! conversation, the newest such message in the thread is found and its messages are replayed
//! through the coordinator (understanding is deterministic, so the brief comes out the same).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::Value;
use slack_morphism::prelude::*;
use tokio::sync::Mutex;

use super::App;

/// `event_type` of the metadata on plan messages.
pub const METADATA_EVENT: &str = "adsai_plan";
/// Largest `messages` entry written into metadata, in characters; a longer conversation is
/// not recoverable from metadata (the store still has it).
const METADATA_MESSAGES_MAX: usize = 8_000;

/// What looking a thread up found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Recovery {
    /// The conversation exists now (it was known, or rebuilt from the thread).
    Rebuilt,
    /// The thread was read and holds no plan of ours.
    NotOurs,
    /// The thread could not be read or replayed; try again later.
    Failed,
}

impl App {
    /// Whether the thread has a conversation: in the coordinator (memory or store), or rebuilt
    /// now from the metadata of our plan message in the thread.
    pub(super) async fn ensure(&self, id: &str, channel: &str, thread_ts: &str) -> bool {
        if self.coordinator.exists(id).await {
            // It may exist because a replay is under way (the replay registers before its first
            // message): wait for the replay, so this message comes after every replayed one.
            self.replay_done(id).await;
            return true;
        }
        if self.foreign.contains(id) {
            return false;
        }
        let lock = self.recovering.entry(id.to_string()).or_insert_with(|| Arc::new(Mutex::new(()))).clone();
        let _held = lock.lock().await;
        let found = if self.coordinator.exists(id).await {
            Recovery::Rebuilt
        } else if self.foreign.contains(id) {
            // Another reply in the same thread looked it up while we waited.
            Recovery::NotOurs
        } else {
            self.recover(id, channel, thread_ts).await
        };
        drop(_held);
        self.recovering.remove_if(id, |_, l| Arc::strong_count(l) <= 2);
        // Only a thread that was read and holds no plan of ours is remembered as not ours; a
        // failed lookup (429, time-out) is tried again on the next reply.
        if found == Recovery::NotOurs {
            self.foreign.claim(id);
        }
        found == Recovery::Rebuilt
    }

    /// Waits for a replay of this conversation in progress, if any.
    async fn replay_done(&self, id: &str) {
        let replay = self.recovering.get(id).map(|l| l.value().clone());
        if let Some(lock) = replay {
            drop(lock.lock().await);
        }
    }

    /// Rebuilds a conversation from the newest plan message of ours in the thread: its
    /// metadata holds the conversation's messages and reference date, replayed through the
    /// coordinator (understanding is deterministic, so the brief comes out the same).
    async fn recover(&self, id: &str, channel: &str, thread_ts: &str) -> Recovery {
        let session = self.client.open_session(&self.bot_token);
        let params = vec![
            ("channel", Some(channel.to_string())),
            ("ts", Some(thread_ts.to_string())),
            ("include_all_metadata", Some("true".to_string())),
            ("limit", Some("200".to_string())),
        ];
        let thread: Value = match self
            .call(None, || {
                session.http_session_api.http_get::<Value, _, String>("conversations.replies", &params, None)
            })
            .await
        {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(%channel, error = %e, "slack: conversations.replies failed; thread not recovered");
                return Recovery::Failed;
            }
        };
        let Some((today, messages)) = find_state(&thread, id, self.bot_id.as_deref()) else { return Recovery::NotOurs };
        tracing::info!(%channel, thread = %thread_ts, messages = messages.len(), "slack: conversation rebuilt from metadata");
        let mut ok = false;
        for m in &messages {
            match self.coordinator.message(id, m, Some(today), None).await {
                Ok(_) => ok = true,
                Err(e) => tracing::warn!(error = %e, "slack: replaying a recovered message failed"),
            }
        }
        if ok {
            Recovery::Rebuilt
        } else {
            Recovery::Failed
        }
    }

    /// The plan message's metadata: the conversation key, a brief summary, the reference date
    /// and the conversation's messages (JSON, as a string: every value is a string).
    pub(super) async fn metadata(&self, id: &str, summary: &str) -> Option<SlackMessageMetadata> {
        let view = self.coordinator.get(id).await.ok()?;
        let texts: Vec<&str> = view.messages.iter().map(|m| m.text.as_str()).collect();
        let messages = serde_json::Value::from(texts).to_string();
        let mut payload = HashMap::from([
            ("conversation".to_string(), id.to_string()),
            ("summary".to_string(), summary.to_string()),
            ("today".to_string(), view.today.to_string()),
            ("version".to_string(), "1".to_string()),
        ]);
        if messages.chars().count() <= METADATA_MESSAGES_MAX {
            payload.insert("messages".to_string(), messages);
        }
        Some(SlackMessageMetadata::new(METADATA_EVENT.to_string()).with_event_payload(payload))
    }
}

/// Finds our newest plan message of conversation `id` in a `conversations.replies` answer and
/// reads (reference date, messages) from its metadata.
pub fn find_state(thread: &Value, id: &str, bot_id: Option<&str>) -> Option<(NaiveDate, Vec<String>)> {
    if thread.get("ok").and_then(Value::as_bool) != Some(true) {
        return None;
    }
    let messages = thread.get("messages")?.as_array()?;
    messages.iter().rev().find_map(|m| {
        if let Some(b) = bot_id {
            if m.get("bot_id").and_then(Value::as_str) != Some(b) {
                return None;
            }
        }
        let md = m.get("metadata")?;
        if md.get("event_type").and_then(Value::as_str) != Some(METADATA_EVENT) {
            return None;
        }
        let p = md.get("event_payload")?;
        if p.get("conversation").and_then(Value::as_str) != Some(id) {
            return None;
        }
        let today: NaiveDate = p.get("today")?.as_str()?.parse().ok()?;
        let texts: Vec<String> = serde_json::from_str(p.get("messages")?.as_str()?).ok()?;
        (!texts.is_empty()).then_some((today, texts))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn state_is_found_in_our_newest_plan_message() {
        let md = |conv: &str, msgs: &str| json!({"event_type": METADATA_EVENT, "event_payload": {"conversation": conv, "today": "2026-11-23", "messages": msgs}});
        let thread = json!({"ok": true, "messages": [
            {"ts": "1", "user": "U1", "text": "brief"},
            {"ts": "2", "bot_id": "B1", "metadata": md("slack:T:C:1", "[\"a\"]")},
            {"ts": "3", "bot_id": "B1", "metadata": md("slack:T:C:1", "[\"a\",\"b\"]")},
            {"ts": "4", "bot_id": "B2", "metadata": md("slack:T:C:1", "[\"x\"]")},
        ]});
        let (day, msgs) = find_state(&thread, "slack:T:C:1", Some("B1")).unwrap();
        assert_eq!(day.to_string(), "2026-11-23");
        assert_eq!(msgs, vec!["a", "b"]);
        assert!(find_state(&thread, "slack:T:C:9", Some("B1")).is_none());
        assert!(find_state(&json!({"ok": false}), "slack:T:C:1", None).is_none());
    }
}
