//! The chat-completions client: one POST per question, a semaphore bounding calls in flight, two
//! retries on 429 and 5xx with backoff (honouring `Retry-After`), and one time limit over the
//! whole exchange. Prompts, messages and keys are never logged at info level.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde_json::{json, Value};
use tokio::sync::Semaphore;

use super::{schema, validate, ModelConfig, ModelError, Reading};
use crate::markets::Markets;
use crate::understand::Specialist;

/// Retries after the first try, for 429 and 5xx answers.
const RETRIES: u32 = 2;
/// First backoff; doubled each retry unless the server says how long to wait.
const BACKOFF: Duration = Duration::from_millis(200);

/// Counters for the metrics page.
#[derive(Debug, Default)]
pub struct ModelStats {
    pub calls: AtomicU64,
    pub failures: AtomicU64,
    pub prompt_tokens: AtomicU64,
    pub completion_tokens: AtomicU64,
    /// Sum of call latencies in milliseconds.
    pub latency_ms: AtomicU64,
}

/// One question's outcome and what it cost.
#[derive(Debug, Clone)]
pub struct Answer {
    pub result: Result<Reading, ModelError>,
    /// The whole exchange, retries included.
    pub elapsed: Duration,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

/// A cloneable handle to the model API.
#[derive(Clone)]
pub struct ModelClient {
    http: reqwest::Client,
    config: Arc<ModelConfig>,
    slots: Arc<Semaphore>,
    stats: Arc<ModelStats>,
}

impl ModelClient {
    /// A client for `config` (nothing is sent until [`ModelClient::ask`]).
    pub fn new(config: ModelConfig) -> Result<ModelClient, ModelError> {
        // One TLS provider for the whole process (ring, as the Slack client uses); a second
        // install is a no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout)
            .build()
            .map_err(|e| ModelError::Transport(e.to_string()))?;
        let slots = Arc::new(Semaphore::new(config.max_concurrency.max(1)));
        Ok(ModelClient { http, config: Arc::new(config), slots, stats: Arc::default() })
    }

    /// The configuration in use.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// The counters.
    pub fn stats(&self) -> &ModelStats {
        &self.stats
    }

    /// Asks the model for specialist `s`'s reading of `message`, and checks the answer.
    pub async fn ask(
        &self,
        s: Specialist,
        message: &str,
        today: NaiveDate,
        markets: &Markets,
    ) -> Result<Reading, ModelError> {
        self.read(s, message, today, markets).await.result
    }

    /// [`ModelClient::ask`] with what the call cost: its time and the tokens the API reported.
    pub async fn read(&self, s: Specialist, message: &str, today: NaiveDate, markets: &Markets) -> Answer {
        let started = Instant::now();
        self.stats.calls.fetch_add(1, Ordering::Relaxed);
        let limit = self.config.timeout;
        let mut usage = (0, 0);
        let result = match tokio::time::timeout(limit, self.exchange(s, message, today)).await {
            Ok(Ok((answer, used))) => {
                usage = used;
                validate::validate(s, &answer, today, markets)
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(ModelError::Timeout(limit.as_millis() as u64)),
        };
        let elapsed = started.elapsed();
        self.stats.latency_ms.fetch_add(elapsed.as_millis() as u64, Ordering::Relaxed);
        if let Err(e) = &result {
            self.stats.failures.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(specialist = s.name(), kind = e.kind(), "model answer not used");
        }
        Answer { result, elapsed, prompt_tokens: usage.0, completion_tokens: usage.1 }
    }

    /// One tiny completion, to check the settings: the model's name as the API reports it.
    pub async fn check(&self) -> Result<String, ModelError> {
        let body = json!({
            "model": self.config.model,
            "messages": [{"role": "user", "content": "Reply with the word ok."}],
            "max_tokens": 4,
        });
        let limit = self.config.timeout;
        let reply = tokio::time::timeout(limit, self.post(&body))
            .await
            .map_err(|_| ModelError::Timeout(limit.as_millis() as u64))??;
        Ok(reply.get("model").and_then(Value::as_str).unwrap_or(&self.config.model).to_string())
    }

    /// The question, its retries, and the answer's JSON object with the tokens used.
    async fn exchange(
        &self,
        s: Specialist,
        message: &str,
        today: NaiveDate,
    ) -> Result<(Value, (u64, u64)), ModelError> {
        let body = json!({
            "model": self.config.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": schema::prompt(s)},
                {"role": "user", "content": format!("today: {today}\nmessage: {message}")},
            ],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": s.name(), "strict": true, "schema": schema::schema(s)},
            },
        });
        let reply = self.post(&body).await?;
        let usage = self.count_usage(&reply);
        let content = reply
            .pointer("/choices/0/message/content")
            .and_then(Value::as_str)
            .ok_or_else(|| ModelError::Malformed("no choices[0].message.content".into()))?;
        let answer: Value = serde_json::from_str(content).map_err(|e| ModelError::Malformed(e.to_string()))?;
        if !answer.is_object() {
            return Err(ModelError::Malformed("the answer is not a JSON object".into()));
        }
        Ok((answer, usage))
    }

    /// POSTs to `{url}/chat/completions`, retrying 429 and 5xx, and returns the reply's JSON.
    async fn post(&self, body: &Value) -> Result<Value, ModelError> {
        let _slot = self.slots.acquire().await.map_err(|e| ModelError::Transport(e.to_string()))?;
        let url = format!("{}/chat/completions", self.config.url.trim_end_matches('/'));
        let mut wait = BACKOFF;
        for attempt in 0..=RETRIES {
            let mut request = self.http.post(&url).json(body);
            if let Some(key) = &self.config.api_key {
                request = request.bearer_auth(key);
            }
            let response = request.send().await.map_err(|e| ModelError::Transport(without_url(&e)))?;
            let status = response.status().as_u16();
            if status == 429 || status >= 500 {
                if attempt == RETRIES {
                    return Err(ModelError::Status(status));
                }
                let after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                tokio::time::sleep(after.unwrap_or(wait)).await;
                wait *= 2;
                continue;
            }
            if !(200..300).contains(&status) {
                return Err(ModelError::Status(status));
            }
            return response.json::<Value>().await.map_err(|e| ModelError::Malformed(without_url(&e)));
        }
        Err(ModelError::Status(503))
    }

    /// Adds the reply's `usage` to the counters; returns (prompt, completion) tokens.
    fn count_usage(&self, reply: &Value) -> (u64, u64) {
        let tokens = |k: &str| reply.pointer(&format!("/usage/{k}")).and_then(Value::as_u64).unwrap_or(0);
        let used = (tokens("prompt_tokens"), tokens("completion_tokens"));
        self.stats.prompt_tokens.fetch_add(used.0, Ordering::Relaxed);
        self.stats.completion_tokens.fetch_add(used.1, Ordering::Relaxed);
        used
    }
}

/// A reqwest error's text without its URL (which may carry credentials).
fn without_url(e: &reqwest::Error) -> String {
    let mut e = e.to_string();
    if let Some(i) = e.find(" for url") {
        e.truncate(i);
    }
    e
}
