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

/// The messages that undo the last change (`fixtures/taxonomy/undo.txt`), lower case, and the
/// most characters any of them has.
fn undo_words() -> &'static (HashSet<String>, usize) {
    static WORDS: OnceLock<(HashSet<String>, usize)> = OnceLock::new();
    WORDS.get_or_init(|| {
        let words: HashSet<String> = include_str!("../../fixtures/taxonomy/undo.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_lowercase)
            .collect();
        let longest = words.iter().map(|w| w.chars().count()).max().unwrap_or(0);
        (words, longest)
    })
}

/// Whether a message asks to undo the last change. A message longer than every undo phrase is
/// none (lower-casing never makes a text shorter), so a brief is not lower-cased to find out.
pub fn is_undo(text: &str) -> bool {
    let (words, longest) = undo_words();
    let t = text.trim().trim_end_matches(['.', '!', '?']).trim();
    t.chars().nth(*longest).is_none() && words.contains(&t.to_lowercase())
}

pub use crate::present::changes::{Change, Digest};

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
    /// Scenarios of the latest comparisons (at most [`super::scenario::KEPT`]), beside the
    /// brief until one is chosen or the brief changes.
    #[serde(default)]
    pub(crate) scenarios: Vec<super::scenario::Kept>,
    /// Comparisons made so far (which scenarios are the latest).
    #[serde(default)]
    pub(crate) comparisons: u64,
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
            scenarios: Vec::new(),
            comparisons: 0,
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
        // Every phrase of the table, the longest included, in capitals and with a sign.
        for w in &undo_words().0 {
            assert!(is_undo(&format!(" {}! ", w.to_uppercase())), "{w}");
            assert!(!is_undo(&format!("{w} and make it 6 weeks")), "{w}");
        }
    }
}
