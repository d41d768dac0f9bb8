//! Model-backed specialists: an OpenAI-compatible chat-completions client that asks a language
//! model for one specialist's part of the brief, with the specialist's prompt
//! (`fixtures/prompts/`) and a strict JSON schema, and checks the answer against the SPEC before
//! any of it is used.
//!
//! Off by default: with `mode = off` nothing leaves the machine. `fallback` asks only for the
//! specialists whose deterministic reading left something unread, found nothing where the
//! message holds their vocabulary, conflicted or failed; `always` asks for every routed
//! specialist, the deterministic finding being the fallback. The coordinator's turn does the
//! asking (`crate::coordinator`'s model stage); [`specialist`] turns a validated answer into the
//! specialist's finding. Every failure (time limit, 429/5xx after two retries, malformed JSON, a schema
//! violation, an unknown id) is a [`ModelError`]; the caller keeps the deterministic finding and
//! warns `MODEL_FAILED`.

mod client;
pub mod schema;
pub mod specialist;
pub mod validate;

use std::time::Duration;

pub use client::{Answer, ModelClient, ModelStats};
pub use validate::Reading;

/// When the model is asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Never (the default): nothing leaves the machine.
    #[default]
    Off,
    /// Only where the deterministic reading left something not understood.
    Fallback,
    /// For every routed specialist; the deterministic finding is the fallback.
    Always,
}

impl Mode {
    /// Parses `off`, `fallback` or `always`.
    pub fn parse(s: &str) -> Option<Mode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" => Some(Mode::Off),
            "fallback" => Some(Mode::Fallback),
            "always" => Some(Mode::Always),
            _ => None,
        }
    }
}

/// Where and how to reach the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelConfig {
    /// Base URL of an OpenAI-compatible API, e.g. `http://127.0.0.1:8081/v1`.
    pub url: String,
    pub model: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub api_key: Option<String>,
    pub mode: Mode,
    /// Time limit of one specialist's model call, retries included.
    pub timeout: Duration,
    /// Calls in flight at most, across all conversations.
    pub max_concurrency: usize,
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig {
            url: String::new(),
            model: String::new(),
            api_key: None,
            mode: Mode::Off,
            timeout: Duration::from_millis(4000),
            max_concurrency: 8,
        }
    }
}

/// Why a model answer was not used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("the model did not answer within {0} ms")]
    Timeout(u64),
    #[error("the model API answered HTTP {0}")]
    Status(u16),
    #[error("could not reach the model API: {0}")]
    Transport(String),
    #[error("the model's answer is not the JSON asked for: {0}")]
    Malformed(String),
    #[error("the model's answer breaks the SPEC: {0}")]
    Invalid(String),
}

impl ModelError {
    /// A short name for metrics: `timeout`, `http_429`, `http_5xx`, `http_4xx`, `transport`,
    /// `malformed`, `invalid`.
    pub fn kind(&self) -> &'static str {
        match self {
            ModelError::Timeout(_) => "timeout",
            ModelError::Status(429) => "http_429",
            ModelError::Status(s) if *s >= 500 => "http_5xx",
            ModelError::Status(_) => "http_4xx",
            ModelError::Transport(_) => "transport",
            ModelError::Malformed(_) => "malformed",
            ModelError::Invalid(_) => "invalid",
        }
    }
}
