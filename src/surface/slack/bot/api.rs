//! Web API calls: every call has a time limit, honours `429 Retry-After` itself and is paced
//! per channel by a token bucket ([`crate::surface::slack::pacing`]); a post that timed out is
//! looked for in its thread before anything is posted again. Also the client and the message
//! content built from a rendered message.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use super::{App, Target};
use crate::surface::slack::blocks::Rendered;
use crate::surface::slack::SlackError;

/// A Web API call that did not succeed.
#[derive(Debug)]
pub(super) enum CallError {
    Timeout,
    RateLimited,
    Slack(SlackClientError),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Timeout => write!(f, "timed out"),
            CallError::RateLimited => write!(f, "still rate limited after the retries"),
            CallError::Slack(e) => write!(f, "{e}"),
        }
    }
}

/// The message content of a rendered message (blocks parsed into slack-morphism's types).
pub fn content(r: &Rendered) -> SlackMessageContent {
    let blocks: Vec<SlackBlock> = r.blocks.iter().filter_map(|b| serde_json::from_value(b.clone()).ok()).collect();
    SlackMessageContent::new().with_text(r.text.clone()).with_blocks(blocks)
}

/// Builds the slack-morphism client: plain `http://` and HTTP/1.1 allowed (a local stand-in),
/// the rustls `ring` provider installed first, no built-in rate control (ours is per channel).
pub fn client(api_url: &str) -> Result<Arc<SlackHyperClient>, SlackError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let builder = match hyper_rustls::HttpsConnectorBuilder::new().with_native_roots() {
        Ok(b) => b,
        Err(e) if api_url.starts_with("https://") => return Err(SlackError::Tls(format!("no CA certificates: {e}"))),
        Err(_) => hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(
            rustls::ClientConfig::builder()
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth(),
        ),
    };
    let https = builder.https_or_http().enable_http1().enable_http2().build();
    let connector = SlackClientHyperConnector::with_connector(https).with_slack_api_url(api_url);
    Ok(Arc::new(SlackClient::new(connector)))
}

impl App {
    /// Posts a message (in the thread when the target has one); its ts, or `None` (logged).
    pub(super) async fn post(
        &self,
        target: &Target,
        r: &Rendered,
        metadata: Option<SlackMessageMetadata>,
    ) -> Option<String> {
        let mut c = content(r);
        if let Some(m) = metadata {
            c = c.with_metadata(m);
        }
        let mut req = SlackApiChatPostMessageRequest::new(target.channel.clone().into(), c);
        if let Some(t) = &target.thread_ts {
            req = req.with_thread_ts(t.clone().into());
        }
        let session = self.client.open_session(&self.bot_token);
        let key = format!("post:{}", target.channel);
        let since = unix_secs();
        match self.call(Some((&key, self.config.post_interval)), || session.chat_post_message(&req)).await {
            Ok(resp) => Some(resp.ts.to_string()),
            Err(CallError::Timeout) => {
                // The post may have gone through all the same: look for it before anything is
                // posted again (a placeholder found is updated instead of a second reply).
                let thread = target.thread_ts.as_deref()?;
                let text = req.content.text.clone().unwrap_or_default();
                let found = self.find_own_post(&target.channel, thread, &text, since).await;
                match &found {
                    Some(ts) => {
                        tracing::info!(channel = %target.channel, %ts, "slack: a timed-out post had gone through")
                    }
                    None => tracing::warn!(channel = %target.channel, "slack: chat.postMessage timed out"),
                }
                found
            }
            Err(e) => {
                tracing::warn!(channel = %target.channel, error = %e, "slack: chat.postMessage failed");
                None
            }
        }
    }

    /// Our newest message in a thread with this text, posted at or after `since` (unix seconds).
    async fn find_own_post(&self, channel: &str, thread_ts: &str, text: &str, since: f64) -> Option<String> {
        let session = self.client.open_session(&self.bot_token);
        let params = vec![
            ("channel", Some(channel.to_string())),
            ("ts", Some(thread_ts.to_string())),
            ("oldest", Some(format!("{:.6}", since - 1.0))),
            ("limit", Some("200".to_string())),
        ];
        let thread: Value = self
            .call(None, || {
                session.http_session_api.http_get::<Value, _, String>("conversations.replies", &params, None)
            })
            .await
            .ok()?;
        own_post(&thread, self.bot_id.as_deref(), &self.bot_user, text, since)
    }

    /// Replaces a message of ours; whether it worked (logged when not).
    pub(super) async fn update(
        &self,
        channel: &str,
        ts: &str,
        r: &Rendered,
        metadata: Option<SlackMessageMetadata>,
    ) -> bool {
        let mut c = content(r);
        if let Some(m) = metadata {
            c = c.with_metadata(m);
        }
        let req = SlackApiChatUpdateRequest::new(channel.to_string().into(), c, ts.to_string().into());
        let session = self.client.open_session(&self.bot_token);
        let key = format!("update:{channel}");
        match self.call(Some((&key, self.config.update_interval)), || session.chat_update(&req)).await {
            Ok(_) => true,
            Err(e) => {
                tracing::warn!(%channel, error = %e, "slack: chat.update failed");
                false
            }
        }
    }

    /// Runs one Web API call: paced per channel (`pace`: key and interval), with a time limit,
    /// retried after `Retry-After` when Slack answers 429.
    pub(super) async fn call<T, F, Fut>(&self, pace: Option<(&str, Duration)>, f: F) -> Result<T, CallError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, SlackClientError>>,
    {
        if let Some((key, interval)) = pace {
            self.pace(key, interval).await;
        }
        let mut attempt = 0;
        loop {
            match tokio::time::timeout(self.config.call_timeout, f()).await {
                Err(_) => return Err(CallError::Timeout),
                Ok(Ok(v)) => return Ok(v),
                Ok(Err(SlackClientError::RateLimitError(e))) => {
                    let wait = e.retry_after.unwrap_or(Duration::from_secs(1));
                    if attempt >= self.config.max_retries || wait > self.config.max_retry_wait {
                        return Err(CallError::RateLimited);
                    }
                    attempt += 1;
                    tracing::info!(
                        wait_ms = wait.as_millis() as u64,
                        attempt,
                        "slack: rate limited; retrying after Retry-After"
                    );
                    tokio::time::sleep(wait).await;
                }
                Ok(Err(e)) => return Err(CallError::Slack(e)),
            }
        }
    }

    /// Waits for the key's token bucket (a burst, then one call per `interval`, in order).
    async fn pace(&self, key: &str, interval: Duration) {
        self.pacer.acquire(key, self.config.post_burst, interval).await;
    }
}

/// Unix seconds now, as Slack's `ts` counts them.
fn unix_secs() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// In a `conversations.replies` answer: the ts of our newest message with this text, posted at
/// or after `since` (a second of clock skew allowed).
pub fn own_post(thread: &Value, bot_id: Option<&str>, bot_user: &str, text: &str, since: f64) -> Option<String> {
    let messages = thread.get("messages")?.as_array()?;
    messages
        .iter()
        .filter(|m| {
            let ours = match bot_id {
                Some(b) => m.get("bot_id").and_then(Value::as_str) == Some(b),
                None => m.get("user").and_then(Value::as_str) == Some(bot_user),
            };
            let ts = m.get("ts").and_then(Value::as_str).and_then(|t| t.parse::<f64>().ok()).unwrap_or(0.0);
            ours && ts >= since - 1.0 && m.get("text").and_then(Value::as_str) == Some(text)
        })
        .filter_map(|m| m.get("ts").and_then(Value::as_str).map(String::from))
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_timed_out_post_is_found_in_its_thread() {
        let thread = json!({"ok": true, "messages": [
            {"ts": "1700000000.000100", "user": "U1", "text": "Planning…"},
            {"ts": "1700000005.000200", "bot_id": "B1", "text": "Planning…"},
            {"ts": "1700000009.000300", "bot_id": "B1", "text": "Planning…"},
            {"ts": "1700000010.000400", "bot_id": "B2", "text": "Planning…"},
        ]});
        let found = own_post(&thread, Some("B1"), "U0BOT", "Planning…", 1_700_000_008.5);
        assert_eq!(found.as_deref(), Some("1700000009.000300"), "ours, that text, after the attempt");
        assert_eq!(own_post(&thread, Some("B1"), "U0BOT", "Planning…", 1_700_000_020.0), None, "older ones are not it");
        assert_eq!(own_post(&thread, Some("B1"), "U0BOT", "Other text", 1_700_000_000.0), None);
        assert_eq!(own_post(&thread, Some("B9"), "U0BOT", "Planning…", 1_700_000_000.0), None, "another bot's");
        assert_eq!(own_post(&json!({"ok": false}), Some("B1"), "U0BOT", "x", 0.0), None);
    }
}
