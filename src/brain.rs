//! The decision layer every surface calls: validate a message, understand it, merge it into the
//! conversation, and produce the plan. Surfaces only transport and render what comes out.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::brief::Brief;
use crate::conversation::Conversation;
use crate::markets::{Markets, DEFAULT_COUNTRY};
use crate::plan::Plan;
use crate::understand::{self, Findings};

/// Longest message accepted, in characters. A brief is one to three sentences; a pasted
/// template stays well under this. Should become configuration.
pub const MAX_MESSAGE_CHARS: usize = 4_000;

/// Why a message was not accepted.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum InputError {
    #[error("the message is empty: describe the campaign, e.g. \"awareness in Germany, €5k, 30 days\"")]
    Empty,
    #[error("the message is too long ({chars} characters; at most {max}): send the brief itself")]
    TooLong { chars: usize, max: usize },
}

impl InputError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            InputError::Empty => "empty_message",
            InputError::TooLong { .. } => "message_too_long",
        }
    }
}

/// Checks a message before any work is done on it.
pub fn validate(message: &str) -> Result<(), InputError> {
    if message.chars().all(|c| c.is_whitespace() || c.is_control()) {
        return Err(InputError::Empty);
    }
    let chars = message.chars().count();
    if chars > MAX_MESSAGE_CHARS {
        return Err(InputError::TooLong { chars, max: MAX_MESSAGE_CHARS });
    }
    Ok(())
}

/// The SPEC §3 object: the brief and the plan after a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<serde_json::Value>,
    pub brief: Brief,
    pub plan: Plan,
}

/// The brain: shared, read-only planning data plus the pipeline.
#[derive(Clone)]
pub struct Brain {
    markets: Arc<Markets>,
}

impl Default for Brain {
    fn default() -> Self {
        Brain { markets: Arc::new(Markets::embedded().clone()) }
    }
}

impl Brain {
    /// A brain over the given markets table.
    pub fn new(markets: Markets) -> Brain {
        Brain { markets: Arc::new(markets) }
    }

    /// The markets table in use.
    pub fn markets(&self) -> &Markets {
        &self.markets
    }

    /// Merges already-understood findings and plans (the coordinator's path).
    pub fn merge_and_plan(&self, conv: &mut Conversation, findings: &Findings) -> Response {
        conv.apply(findings, &self.markets);
        self.plan(conv)
    }

    /// Handles one message of a conversation, start to finish, on the calling thread.
    pub fn handle(&self, conv: &mut Conversation, message: &str) -> Result<Response, InputError> {
        validate(message)?;
        let findings = understand::understand(message, conv.today);
        Ok(self.merge_and_plan(conv, &findings))
    }

    /// The plan for the conversation's current brief.
    pub fn plan(&self, conv: &Conversation) -> Response {
        let report = conv.report(&self.markets);
        let currency = match &conv.brief.budget {
            Some(b) => b.currency.clone(),
            None => {
                let country = conv.brief.audience.countries().first().map(|c| c.to_string());
                let country = country.unwrap_or_else(|| DEFAULT_COUNTRY.to_string());
                self.markets.get(&country).map_or_else(|| "USD".to_string(), |m| m.currency.clone())
            }
        };
        let plan = Plan {
            currency,
            ad_sets: Vec::new(),
            forecast: None,
            assumptions: report.assumptions,
            warnings: report.warnings,
            questions: report.questions,
        };
        Response { id: None, brief: conv.brief.clone(), plan }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_messages_are_clear_errors() {
        assert_eq!(validate("   \n\t"), Err(InputError::Empty));
        assert_eq!(validate("\u{0}\u{1}"), Err(InputError::Empty));
        let long = "a".repeat(100_000);
        assert_eq!(validate(&long).unwrap_err().code(), "message_too_long");
        assert!(validate("awareness in Germany").is_ok());
    }
}
