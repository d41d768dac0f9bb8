//! Slack surface: a Socket Mode bot (slack-morphism 2.31) in front of the coordinator.
//!
//! `@adsai <brief>` answers in a thread under the mention; every later reply in that thread is a
//! follow-up of the same conversation (id `slack:<team>:<channel>:<thread ts>`); a direct
//! message works like a mention; `/adsai <brief>` answers with a private quick plan and a button
//! that posts it to the channel; buttons under a plan send common refinements as follow-ups.
//! The first reply ("Planning…") goes out at once and is updated as specialists finish, then
//! replaced by the plan ([`blocks`]).
//!
//! Reliability (see `/work/shared/SLACK-NOTES.md`): callbacks ack at once and spawn the work
//! (slack-morphism acks only after a callback returns, one envelope at a time per socket);
//! duplicates are dropped by `event_id` and by `channel:ts` ([`dedupe`]); every Web API call has
//! a time limit, honours `429 Retry-After` itself and is paced per channel by a token bucket
//! ([`pacing`]: a burst of `[slack] burst` posts, then `posts_per_sec`; slack-morphism's own
//! rate control is global, so it stays off); a post that timed out is looked for in its thread
//! before anything is posted again; plan messages carry string-only metadata from which
//! a thread's conversation is rebuilt when the store has lost it. The module renders and
//! transports; planning stays in the coordinator.
//!
//! | variable | |
//! |---|---|
//! | `SLACK_APP_TOKEN` | app-level token `xapp-…` (scope `connections:write`) |
//! | `SLACK_BOT_TOKEN` | bot token `xoxb-…` |
//! | `SLACK_API_URL` | Web API base, default `https://slack.com/api/` |
//! | `ADSAI_ALLOWED_TEAMS` | comma list of team ids; unset = any |
//! | `ADSAI_ALLOWED_CHANNELS` | comma list of channel ids (`dm` = all direct messages); unset = any |

pub mod blocks;
pub mod bot;
pub mod dedupe;
pub mod files;
pub mod pacing;

use std::time::Duration;

use thiserror::Error;

pub use bot::SlackBot;

/// The default Web API base.
pub const DEFAULT_API_URL: &str = "https://slack.com/api/";

/// Why the bot cannot start. Each is fatal: fix the configuration and start again.
#[derive(Debug, Error)]
pub enum SlackError {
    #[error("{0} is not set (see the README's \"Slack bot\" section)")]
    MissingToken(&'static str),
    #[error("{var} does not look like a Slack {kind} token (it should start with {prefix})")]
    MalformedToken { var: &'static str, kind: &'static str, prefix: &'static str },
    #[error("SLACK_API_URL must be an http(s) URL, got {0:?}")]
    BadApiUrl(String),
    #[error("ADSAI_ALLOWED_TEAMS / ADSAI_ALLOWED_CHANNELS: {0}")]
    BadList(String),
    #[error("TLS set-up failed: {0}")]
    Tls(String),
    #[error("Slack refused the {token}: {error}")]
    Auth { token: &'static str, error: String },
    #[error("cannot reach Slack at {url}: {error}")]
    Unreachable { url: String, error: String },
}

/// Socket Mode connection settings (slack-morphism's, exposed for tests and tuning).
#[derive(Debug, Clone)]
pub struct SocketSettings {
    /// Sockets per process (slack-morphism: 2; Slack allows 10 per app).
    pub connections: u32,
    /// Delay between opening the sockets, seconds.
    pub initial_backoff_secs: u64,
    /// Wait before retrying a failed connect, seconds.
    pub reconnect_timeout_secs: u64,
    /// WebSocket ping interval, seconds.
    pub ping_interval_secs: u64,
    /// Missed pongs before a reconnect.
    pub ping_failure_threshold: u64,
}

impl Default for SocketSettings {
    fn default() -> Self {
        SocketSettings {
            connections: 2,
            initial_backoff_secs: 5,
            reconnect_timeout_secs: 30,
            ping_interval_secs: 15,
            ping_failure_threshold: 5,
        }
    }
}

/// Everything the bot needs. [`Config::from_settings`] builds it; tests build it directly.
#[derive(Clone)]
pub struct Config {
    /// `xapp-…`
    pub app_token: String,
    /// `xoxb-…`
    pub bot_token: String,
    /// Web API base without a trailing slash, e.g. `https://slack.com/api`.
    pub api_url: String,
    /// Team ids it answers in; `None` = any.
    pub allowed_teams: Option<Vec<String>>,
    /// Channel ids it answers in (`dm` = all direct messages); `None` = any.
    pub allowed_channels: Option<Vec<String>>,
    pub socket: SocketSettings,
    /// Time limit of one Web API call (slack-morphism has none).
    pub call_timeout: Duration,
    /// Retries of a call answered 429.
    pub max_retries: u32,
    /// Longest `Retry-After` honoured; longer ones give up (the reply is lost, logged).
    pub max_retry_wait: Duration,
    /// Calls of one kind a channel may make at once before the interval applies.
    pub post_burst: u32,
    /// A channel regains one `chat.postMessage` per this interval (Slack: about 1 per second).
    pub post_interval: Duration,
    /// A channel regains one `chat.update` per this interval.
    pub update_interval: Duration,
    /// How long a turn may take before "Planning…" is posted: a plan ready within it is the
    /// first and only post (one `chat.postMessage`); a slower one (a specialist still running)
    /// gets the progress reply, updated as findings arrive, then replaced by the plan.
    pub first_reply_wait: Duration,
    /// Progress updates of the first reply before the plan replaces it.
    pub progress_updates: usize,
    /// Least time between two progress updates of one reply.
    pub progress_gap: Duration,
    /// How long a delivery is remembered for duplicate detection (Slack retries over ~5 min).
    pub dedupe_ttl: Duration,
    /// Most deliveries remembered.
    pub dedupe_capacity: usize,
    /// How long [`SlackBot::stop`] waits for replies in progress.
    pub drain_timeout: Duration,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Tokens are never printed.
        f.debug_struct("Config")
            .field("app_token", &"xapp-***")
            .field("bot_token", &"xoxb-***")
            .field("api_url", &self.api_url)
            .field("allowed_teams", &self.allowed_teams)
            .field("allowed_channels", &self.allowed_channels)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Settings with production defaults for the given tokens and base URL (validated).
    pub fn new(app_token: &str, bot_token: &str, api_url: &str) -> Result<Config, SlackError> {
        let app_token = check_token(app_token, "SLACK_APP_TOKEN", "app-level", "xapp-")?;
        let bot_token = check_token(bot_token, "SLACK_BOT_TOKEN", "bot", "xoxb-")?;
        let url = api_url.trim();
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() <= "https://".len() {
            return Err(SlackError::BadApiUrl(url.to_string()));
        }
        Ok(Config {
            app_token,
            bot_token,
            api_url: url.trim_end_matches('/').to_string(),
            allowed_teams: None,
            allowed_channels: None,
            socket: SocketSettings::default(),
            call_timeout: Duration::from_secs(15),
            max_retries: 3,
            max_retry_wait: Duration::from_secs(60),
            post_burst: 20,
            post_interval: Duration::from_secs(1),
            update_interval: Duration::from_millis(300),
            first_reply_wait: Duration::from_millis(300),
            progress_updates: 2,
            progress_gap: Duration::from_millis(400),
            dedupe_ttl: Duration::from_secs(15 * 60),
            dedupe_capacity: 50_000,
            drain_timeout: Duration::from_secs(10),
        })
    }

    /// Settings from the service's settings (`[slack]`, `SLACK_*`, `ADSAI_ALLOWED_*`), validated.
    pub fn from_settings(s: &crate::settings::Slack) -> Result<Config, SlackError> {
        let app = s.app_token.as_ref().map(|t| t.expose()).unwrap_or_default();
        let bot = s.bot_token.as_ref().map(|t| t.expose()).unwrap_or_default();
        let mut config = Config::new(app, bot, &s.api_url)?;
        let list = |l: &[String]| (!l.is_empty()).then(|| parse_list(&l.join(","))).transpose();
        config.allowed_teams = list(&s.allowed_teams)?;
        config.allowed_channels = list(&s.allowed_channels)?;
        config.post_burst = s.burst.max(1);
        if s.posts_per_sec > 0.0 {
            config.post_interval = Duration::from_secs_f64(1.0 / s.posts_per_sec);
        }
        Ok(config)
    }

    /// Whether the bot may answer in this team and channel.
    pub fn allows(&self, team: &str, channel: &str) -> bool {
        let team_ok = self.allowed_teams.as_ref().is_none_or(|l| l.iter().any(|t| t == team));
        let dm = channel.starts_with('D');
        let channel_ok = self
            .allowed_channels
            .as_ref()
            .is_none_or(|l| l.iter().any(|c| c == channel || (dm && c.eq_ignore_ascii_case("dm"))));
        team_ok && channel_ok
    }
}

fn check_token(value: &str, var: &'static str, kind: &'static str, prefix: &'static str) -> Result<String, SlackError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(SlackError::MissingToken(var));
    }
    let well_formed = v.starts_with(prefix)
        && v.len() > prefix.len() + 4
        && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !well_formed {
        return Err(SlackError::MalformedToken { var, kind, prefix });
    }
    Ok(v.to_string())
}

fn parse_list(v: &str) -> Result<Vec<String>, SlackError> {
    let items: Vec<String> = v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    if items.is_empty() {
        return Err(SlackError::BadList(format!("{v:?} names nothing")));
    }
    if let Some(bad) = items.iter().find(|s| !s.chars().all(|c| c.is_ascii_alphanumeric())) {
        return Err(SlackError::BadList(format!("{bad:?} is not a Slack id")));
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_checked_before_connecting() {
        assert!(Config::new("xapp-1-A1-123", "xoxb-1-2-abc", DEFAULT_API_URL).is_ok());
        let e = Config::new("xoxb-1-2-abc", "xoxb-1-2-abc", DEFAULT_API_URL).unwrap_err();
        assert!(matches!(e, SlackError::MalformedToken { var: "SLACK_APP_TOKEN", .. }), "{e}");
        let e = Config::new("xapp-1-A1-123", "xapp-1-A1-123", DEFAULT_API_URL).unwrap_err();
        assert!(matches!(e, SlackError::MalformedToken { var: "SLACK_BOT_TOKEN", .. }));
        assert!(matches!(Config::new("", "xoxb-1-2-abc", DEFAULT_API_URL), Err(SlackError::MissingToken(_))));
        assert!(matches!(
            Config::new("xapp-1 2", "xoxb-1-2-abc", DEFAULT_API_URL),
            Err(SlackError::MalformedToken { .. })
        ));
        assert!(matches!(Config::new("xapp-1-A1-123", "xoxb-1-2-abc", "ftp://x"), Err(SlackError::BadApiUrl(_))));
        let c = Config::new("xapp-1-A1-123", "xoxb-1-2-abc", "http://127.0.0.1:9/api/").unwrap();
        assert_eq!(c.api_url, "http://127.0.0.1:9/api");
        assert!(!format!("{c:?}").contains("abc"));
    }

    #[test]
    fn allow_lists() {
        let mut c = Config::new("xapp-1-A1-123", "xoxb-1-2-abc", DEFAULT_API_URL).unwrap();
        assert!(c.allows("T1", "C1"));
        c.allowed_teams = Some(parse_list("T1, T2").unwrap());
        c.allowed_channels = Some(parse_list("C1,dm").unwrap());
        assert!(c.allows("T2", "C1"));
        assert!(c.allows("T1", "D123"));
        assert!(!c.allows("T1", "C2"));
        assert!(!c.allows("T3", "C1"));
        assert!(parse_list(" , ").is_err());
        assert!(parse_list("C1;C2").is_err());
    }
}
