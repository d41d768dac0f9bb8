//! What is kept about a conversation: its record (brief state, undo stack, past messages, the
//! idempotency keys already applied), the digest a follow-up is compared on, and "undo".

use std::collections::{HashSet, VecDeque};
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::brain::Response;
use crate::conversation::Conversation;

/// Earlier states kept per conversation for "undo".
const UNDO_DEPTH: usize = 20;
/// Past messages kept per conversation (for `GET` and the Slack thread summary); older ones are
/// dropped so a record does not grow without bound.
pub const MESSAGES_KEPT: usize = 500;
/// `Idempotency-Key`s remembered per conversation (the newest ones).
pub const KEYS_KEPT: usize = 200;

/// The messages that undo the last change (`fixtures/taxonomy/undo.txt`).
fn undo_words() -> &'static HashSet<String> {
    static WORDS: OnceLock<HashSet<String>> = OnceLock::new();
    WORDS.get_or_init(|| {
        include_str!("../../fixtures/taxonomy/undo.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_lowercase)
            .collect()
    })
}

/// Whether a message asks to undo the last change.
pub fn is_undo(text: &str) -> bool {
    let t = text.trim().trim_end_matches(['.', '!', '?']).trim().to_lowercase();
    undo_words().contains(&t)
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
pub(crate) struct Digest {
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
    pub(crate) fn of(r: &Response) -> Digest {
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

    pub(crate) fn changes(&self, new: &Digest) -> Vec<Change> {
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
    pub(crate) undo: Vec<Conversation>,
    /// The latest messages (at most [`MESSAGES_KEPT`]).
    pub messages: Vec<MessageRecord>,
    pub(crate) digest: Option<Digest>,
    /// Unix seconds when the conversation was created (expiry of one with no message).
    #[serde(default)]
    pub(crate) created: i64,
    /// `Idempotency-Key`s of the messages applied (the newest [`KEYS_KEPT`]): written with the
    /// record, so a retry is recognised whatever happened to its reply.
    #[serde(default)]
    pub(crate) applied: VecDeque<String>,
}

impl Record {
    /// A new, empty conversation.
    pub(crate) fn new(id: &str, today: NaiveDate) -> Record {
        Record {
            id: id.to_string(),
            conversation: Conversation::new(today),
            undo: Vec::new(),
            messages: Vec::new(),
            digest: None,
            created: unix_now(),
            applied: VecDeque::new(),
        }
    }

    /// Unix seconds of the last activity.
    pub(crate) fn last_active(&self, now: i64) -> i64 {
        self.messages.last().map_or(if self.created > 0 { self.created } else { now }, |m| m.at)
    }

    /// Pushes the state before a change onto the undo stack.
    pub(crate) fn push_undo(&mut self, before: Conversation) {
        self.undo.push(before);
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
    }

    /// Records a handled message and returns what changed against the previous plan.
    pub(crate) fn note(&mut self, text: &str, response: &Response, key: Option<&str>) -> Vec<Change> {
        let digest = Digest::of(response);
        let changes = self.digest.as_ref().map(|d| d.changes(&digest)).unwrap_or_default();
        self.digest = Some(digest);
        self.messages.push(MessageRecord { text: text.to_string(), at: unix_now(), changes: changes.clone() });
        if self.messages.len() > MESSAGES_KEPT {
            let excess = self.messages.len() - MESSAGES_KEPT;
            self.messages.drain(..excess);
        }
        if let Some(k) = key {
            self.applied.push_back(k.to_string());
            while self.applied.len() > KEYS_KEPT {
                self.applied.pop_front();
            }
        }
        changes
    }

    /// Whether a message with this `Idempotency-Key` was applied already.
    pub(crate) fn has_applied(&self, key: &str) -> bool {
        self.applied.iter().any(|k| k == key)
    }

    /// The record as bytes for the store (an encoding failure is an error, never an empty record).
    pub(crate) fn encode(&self) -> Result<Vec<u8>, crate::store::StoreError> {
        serde_json::to_vec(self).map_err(|e| crate::store::StoreError::Encode(e.to_string()))
    }
}

pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_is_a_whole_message_in_any_case() {
        for yes in ["undo", "Undo.", "  GO BACK!", "revert that?", "undo the last change"] {
            assert!(is_undo(yes), "{yes}");
        }
        for no in ["undo the budget and add Spain", "go back to 5k", "reverting is fine"] {
            assert!(!is_undo(no), "{no}");
        }
    }
}
