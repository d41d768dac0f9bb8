//! One settings type, loaded once: defaults → a TOML file (`--config` / `ADSAI_CONFIG`) →
//! environment (`ADSAI_…`, `SLACK_…`) → command-line flags (applied by `main`). Secrets are
//! masked whenever settings are printed or logged. Nothing below `main` reads the environment.
//!
//! A leaf: it knows none of the parts it configures. `app` turns each section into a part's
//! own configuration, and each surface converts its own section
//! (`surface::http::Config::from_settings`, `surface::slack::Config::from_settings`).

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize, Serializer};
use thiserror::Error;

/// The longest conversation TTL accepted: ten years.
pub const MAX_TTL_HOURS: u64 = 10 * 366 * 24;

/// A secret value: never printed.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    /// The value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// What is shown instead of the value: never a character of it.
    fn masked(&self) -> String {
        if self.0.trim().is_empty() {
            "(empty)".to_string()
        } else {
            "(hidden)".to_string()
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.masked())
    }
}

/// `[http]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Http {
    /// Listen address; the API is off when unset.
    pub addr: Option<String>,
    pub api_token: Option<Secret>,
    /// Serve without a token on an address other than loopback (off: such a start is refused).
    pub allow_anonymous: bool,
    pub body_limit_bytes: usize,
    pub drain_timeout_secs: u64,
}

impl Default for Http {
    fn default() -> Self {
        Http {
            addr: None,
            api_token: None,
            allow_anonymous: false,
            body_limit_bytes: 64 * 1024,
            drain_timeout_secs: 10,
        }
    }
}

/// `[slack]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Slack {
    pub enabled: bool,
    pub app_token: Option<Secret>,
    pub bot_token: Option<Secret>,
    pub api_url: String,
    pub allowed_teams: Vec<String>,
    pub allowed_channels: Vec<String>,
    /// Posts a channel may take at once (Slack allows short bursts over its ~1 a second).
    pub burst: u32,
    /// Posts a channel regains per second.
    pub posts_per_sec: f64,
}

impl Default for Slack {
    fn default() -> Self {
        Slack {
            enabled: false,
            app_token: None,
            bot_token: None,
            api_url: "https://slack.com/api/".into(),
            allowed_teams: Vec::new(),
            allowed_channels: Vec::new(),
            burst: 20,
            posts_per_sec: 1.0,
        }
    }
}

/// `[data]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Data {
    /// History CSV; the embedded default when unset.
    pub history: Option<PathBuf>,
    /// Markets CSV; the embedded default when unset.
    pub markets: Option<PathBuf>,
    /// How often the files are checked for changes.
    pub reload_secs: u64,
    /// A reload is rejected when more than this share of its rows is bad (percent).
    pub max_bad_rows_percent: f64,
    /// A reload is rejected when it has fewer than this share of the loaded rows (percent).
    pub min_rows_percent: f64,
}

impl Default for Data {
    fn default() -> Self {
        Data { history: None, markets: None, reload_secs: 30, max_bad_rows_percent: 1.0, min_rows_percent: 50.0 }
    }
}

/// `[conversations]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Conversations {
    /// Directory of the embedded store; the XDG state directory when unset.
    pub state_dir: Option<PathBuf>,
    /// A shared store for several replicas (`redis://host:port/db`); the embedded store when unset.
    pub redis_url: Option<Secret>,
    pub ttl_hours: u64,
    pub max: usize,
}

impl Default for Conversations {
    fn default() -> Self {
        Conversations { state_dir: None, redis_url: None, ttl_hours: 14 * 24, max: 100_000 }
    }
}

/// `[planner]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Planner {
    pub default_market: String,
    /// Impressions per person per week for REACH.
    pub frequency_cap: f64,
    pub min_ad_sets: u32,
    pub privacy_min_advertisers: u32,
    /// The old place of `[coordinator] specialist_timeout_ms`, still read (it configures the
    /// coordinator, not the planner); moved there on load, never written back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specialist_timeout_ms: Option<u64>,
}

impl Default for Planner {
    fn default() -> Self {
        Planner {
            default_market: crate::markets::DEFAULT_COUNTRY.into(),
            frequency_cap: 2.0,
            min_ad_sets: crate::plan::index::MIN_AD_SETS,
            privacy_min_advertisers: crate::plan::index::PRIVACY_MIN_ADVERTISERS,
            specialist_timeout_ms: None,
        }
    }
}

/// `[coordinator]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Coordinator {
    /// Time limit of one specialist run in a turn.
    pub specialist_timeout_ms: u64,
}

impl Default for Coordinator {
    fn default() -> Self {
        Coordinator { specialist_timeout_ms: 500 }
    }
}

/// `[model]`: the optional language model behind the model-backed specialists (off by
/// default; see `crate::model`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Model {
    /// Base URL of an OpenAI-compatible API, e.g. `http://127.0.0.1:8081/v1`.
    pub url: Option<String>,
    pub model: String,
    pub api_key: Option<Secret>,
    /// `off`, `fallback` or `always`.
    pub mode: String,
    pub timeout_ms: u64,
    pub max_concurrency: usize,
}

impl Default for Model {
    fn default() -> Self {
        Model {
            url: None,
            model: String::new(),
            api_key: None,
            mode: "off".into(),
            timeout_ms: 4000,
            max_concurrency: 8,
        }
    }
}

impl Model {
    /// The client's configuration, when a URL is set.
    pub fn config(&self) -> Option<crate::model::ModelConfig> {
        Some(crate::model::ModelConfig {
            url: self.url.clone()?,
            model: self.model.clone(),
            api_key: self.api_key.as_ref().map(|k| k.expose().to_string()),
            mode: crate::model::Mode::parse(&self.mode).unwrap_or_default(),
            timeout: std::time::Duration::from_millis(self.timeout_ms),
            max_concurrency: self.max_concurrency,
        })
    }
}

/// `[log]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Log {
    /// A `RUST_LOG`-style filter.
    pub level: String,
    /// `text` or `json`.
    pub format: String,
}

impl Default for Log {
    fn default() -> Self {
        Log { level: "info".into(), format: "text".into() }
    }
}

/// Every setting of the service.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub http: Http,
    pub slack: Slack,
    pub data: Data,
    pub conversations: Conversations,
    pub planner: Planner,
    pub coordinator: Coordinator,
    pub model: Model,
    pub log: Log,
}

/// Why settings could not be loaded.
#[derive(Debug, Error)]
pub enum SettingsError {
    #[error("{file}: cannot read: {source}")]
    Read { file: String, source: std::io::Error },
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
    #[error("invalid settings:\n  - {}", .0.join("\n  - "))]
    Invalid(Vec<String>),
}

/// A TOML error without the offending line (which may hold a secret): where, and what.
fn parse_error(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {}", e.message().trim())
        }
        None => e.message().trim().to_string(),
    }
}

fn list(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect()
}

impl Settings {
    /// Defaults, then the file (if any), then the environment read through `env`.
    pub fn load(file: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Settings, SettingsError> {
        let mut s = match file {
            Some(path) => {
                let name = path.display().to_string();
                let text = std::fs::read_to_string(path)
                    .map_err(|source| SettingsError::Read { file: name.clone(), source })?;
                toml::from_str(&text)
                    .map_err(|e| SettingsError::Parse { file: name, message: parse_error(&text, &e) })?
            }
            None => Settings::default(),
        };
        // The old key applies unless `[coordinator]` sets its own value.
        if let Some(ms) = s.planner.specialist_timeout_ms.take() {
            if s.coordinator == Coordinator::default() {
                s.coordinator.specialist_timeout_ms = ms;
            }
        }
        s.apply_env(env)?;
        Ok(s)
    }

    fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> Result<(), SettingsError> {
        let get = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        fn num<T: std::str::FromStr>(name: &str, v: String) -> Result<T, SettingsError> {
            v.trim()
                .parse()
                .map_err(|_| SettingsError::Env { name: name.into(), message: format!("not a number: {v:?}") })
        }
        if let Some(v) = get("ADSAI_HTTP_ADDR") {
            self.http.addr = Some(v);
        }
        // A token that is set but blank would silently turn authentication off: an error.
        if let Some(v) = env("ADSAI_API_TOKEN") {
            if v.trim().is_empty() {
                return Err(SettingsError::Env {
                    name: "ADSAI_API_TOKEN".into(),
                    message: "is empty; unset it to serve without a token".into(),
                });
            }
            self.http.api_token = Some(Secret(v));
        }
        if let Some(v) = get("SLACK_APP_TOKEN") {
            self.slack.app_token = Some(Secret(v));
        }
        if let Some(v) = get("SLACK_BOT_TOKEN") {
            self.slack.bot_token = Some(Secret(v));
        }
        if let Some(v) = get("SLACK_API_URL") {
            self.slack.api_url = v;
        }
        if let Some(v) = get("ADSAI_ALLOWED_TEAMS") {
            self.slack.allowed_teams = list(&v);
        }
        if let Some(v) = get("ADSAI_ALLOWED_CHANNELS") {
            self.slack.allowed_channels = list(&v);
        }
        if let Some(v) = get("ADSAI_HISTORY") {
            self.data.history = Some(v.into());
        }
        if let Some(v) = get("ADSAI_MARKETS") {
            self.data.markets = Some(v.into());
        }
        if let Some(v) = get("ADSAI_DATA_RELOAD_SECS") {
            self.data.reload_secs = num("ADSAI_DATA_RELOAD_SECS", v)?;
        }
        if let Some(v) = get("ADSAI_STATE_DIR") {
            self.conversations.state_dir = Some(v.into());
        }
        if let Some(v) = get("ADSAI_REDIS_URL") {
            self.conversations.redis_url = Some(Secret(v));
        }
        if let Some(v) = get("ADSAI_CONVERSATION_TTL_HOURS") {
            self.conversations.ttl_hours = num("ADSAI_CONVERSATION_TTL_HOURS", v)?;
        }
        if let Some(v) = get("ADSAI_MAX_CONVERSATIONS") {
            self.conversations.max = num("ADSAI_MAX_CONVERSATIONS", v)?;
        }
        if let Some(v) = get("ADSAI_DEFAULT_MARKET") {
            self.planner.default_market = v.trim().to_uppercase();
        }
        if let Some(v) = get("ADSAI_FREQUENCY_CAP") {
            self.planner.frequency_cap = num("ADSAI_FREQUENCY_CAP", v)?;
        }
        if let Some(v) = get("ADSAI_MIN_AD_SETS") {
            self.planner.min_ad_sets = num("ADSAI_MIN_AD_SETS", v)?;
        }
        if let Some(v) = get("ADSAI_PRIVACY_MIN_ADVERTISERS") {
            self.planner.privacy_min_advertisers = num("ADSAI_PRIVACY_MIN_ADVERTISERS", v)?;
        }
        if let Some(v) = get("ADSAI_SPECIALIST_TIMEOUT_MS") {
            self.coordinator.specialist_timeout_ms = num("ADSAI_SPECIALIST_TIMEOUT_MS", v)?;
        }
        if let Some(v) = get("ADSAI_MODEL_URL") {
            self.model.url = Some(v.trim().to_string());
        }
        if let Some(v) = get("ADSAI_MODEL") {
            self.model.model = v.trim().to_string();
        }
        if let Some(v) = get("ADSAI_MODEL_API_KEY") {
            self.model.api_key = Some(Secret(v));
        }
        if let Some(v) = get("ADSAI_MODEL_MODE") {
            self.model.mode = v.trim().to_lowercase();
        }
        if let Some(v) = get("ADSAI_MODEL_TIMEOUT_MS") {
            self.model.timeout_ms = num("ADSAI_MODEL_TIMEOUT_MS", v)?;
        }
        if let Some(v) = get("ADSAI_LOG_FORMAT") {
            self.log.format = v;
        }
        if let Some(v) = get("RUST_LOG") {
            self.log.level = v;
        }
        Ok(())
    }

    /// Every problem with these settings, in one list.
    pub fn validate(&self, markets: &crate::markets::Markets) -> Result<(), SettingsError> {
        let mut problems = Vec::new();
        if let Some(a) = &self.http.addr {
            if a.parse::<std::net::SocketAddr>().is_err() {
                problems.push(format!("http.addr {a:?} is not an address such as 127.0.0.1:8080"));
            }
        }
        if self.http.api_token.as_ref().is_some_and(|t| t.expose().trim().is_empty()) {
            problems.push("http.api_token is empty; remove it to serve without a token".into());
        }
        if self.http.body_limit_bytes < 1024 {
            problems.push("http.body_limit_bytes must be at least 1024".into());
        }
        if self.slack.enabled {
            match &self.slack.app_token {
                Some(t) if t.expose().starts_with("xapp-") => {}
                Some(_) => {
                    problems.push("slack.app_token (SLACK_APP_TOKEN) must be an app-level token (xapp-…)".into())
                }
                None => problems.push("slack.app_token (SLACK_APP_TOKEN) is missing".into()),
            }
            match &self.slack.bot_token {
                Some(t) if t.expose().starts_with("xoxb-") => {}
                Some(_) => problems.push("slack.bot_token (SLACK_BOT_TOKEN) must be a bot token (xoxb-…)".into()),
                None => problems.push("slack.bot_token (SLACK_BOT_TOKEN) is missing".into()),
            }
            if !(self.slack.api_url.starts_with("https://") || self.slack.api_url.starts_with("http://")) {
                problems.push(format!("slack.api_url {:?} is not an http(s) URL", self.slack.api_url));
            }
        }
        for (name, path) in [("data.history", &self.data.history), ("data.markets", &self.data.markets)] {
            if let Some(p) = path {
                if !p.is_file() {
                    problems.push(format!("{name} {} is not a readable file", p.display()));
                }
            }
        }
        if self.data.markets.is_some() && self.data.history.is_none() {
            problems
                .push("data.markets needs data.history (the embedded history goes with the embedded markets)".into());
        }
        if self.data.reload_secs == 0 {
            problems.push("data.reload_secs must be at least 1".into());
        }
        if !(0.0..=100.0).contains(&self.data.max_bad_rows_percent) {
            problems.push("data.max_bad_rows_percent must be between 0 and 100".into());
        }
        if !(0.0..=100.0).contains(&self.data.min_rows_percent) {
            problems.push("data.min_rows_percent must be between 0 and 100".into());
        }
        if self.slack.burst == 0 || !(self.slack.posts_per_sec > 0.0 && self.slack.posts_per_sec <= 100.0) {
            problems.push("slack.burst must be at least 1 and slack.posts_per_sec above 0 (at most 100)".into());
        }
        if let Some(url) = &self.conversations.redis_url {
            if !(url.expose().starts_with("redis://") || url.expose().starts_with("rediss://")) {
                problems.push("conversations.redis_url (ADSAI_REDIS_URL) must be a redis:// URL".into());
            }
        }
        if self.conversations.ttl_hours == 0 || self.conversations.max == 0 {
            problems.push("conversations.ttl_hours and conversations.max must be at least 1".into());
        }
        if self.conversations.ttl_hours > MAX_TTL_HOURS {
            problems.push(format!("conversations.ttl_hours must be at most {MAX_TTL_HOURS} (ten years)"));
        }
        if self.data.markets.is_none() && !markets.is_market(&self.planner.default_market) {
            problems
                .push(format!("planner.default_market {:?} is not a configured market", self.planner.default_market));
        }
        if !(self.planner.frequency_cap > 0.0 && self.planner.frequency_cap <= 50.0) {
            problems.push("planner.frequency_cap must be above 0 and at most 50 a week".into());
        }
        if self.planner.min_ad_sets == 0 {
            problems.push("planner.min_ad_sets must be at least 1".into());
        }
        if self.planner.privacy_min_advertisers < crate::plan::index::PRIVACY_MIN_ADVERTISERS {
            problems.push(format!(
                "planner.privacy_min_advertisers must be at least {} (no figure from fewer advertisers)",
                crate::plan::index::PRIVACY_MIN_ADVERTISERS
            ));
        }
        if !(10..=10_000).contains(&self.coordinator.specialist_timeout_ms) {
            problems.push("coordinator.specialist_timeout_ms must be between 10 and 10000".into());
        }
        if !["text", "json"].contains(&self.log.format.as_str()) {
            problems.push(format!("log.format {:?} must be text or json", self.log.format));
        }
        let m = &self.model;
        match crate::model::Mode::parse(&m.mode) {
            None => problems.push(format!("model.mode {:?} must be off, fallback or always", m.mode)),
            Some(mode) if mode != crate::model::Mode::Off && (m.url.is_none() || m.model.is_empty()) => {
                problems.push("model.mode is on: set model.url (ADSAI_MODEL_URL) and model.model (ADSAI_MODEL)".into())
            }
            Some(_) => {}
        }
        if m.url.as_ref().is_some_and(|u| !(u.starts_with("http://") || u.starts_with("https://"))) {
            problems.push("model.url (ADSAI_MODEL_URL) must be an http(s) URL".into());
        }
        if !(100..=60_000).contains(&m.timeout_ms) || !(1..=256).contains(&m.max_concurrency) {
            problems.push("model.timeout_ms must be 100-60000 and model.max_concurrency 1-256".into());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(SettingsError::Invalid(problems))
        }
    }

    /// Why `serve` must not start with these settings: an API on an address other than
    /// loopback with no token, unless `[http] allow_anonymous = true` says so.
    pub fn validate_serve(&self) -> Result<(), SettingsError> {
        let open = self.http.addr.as_deref().and_then(|a| a.parse::<std::net::SocketAddr>().ok());
        match open {
            Some(addr) if !addr.ip().is_loopback() && self.http.api_token.is_none() && !self.http.allow_anonymous => {
                Err(SettingsError::Invalid(vec![format!(
                    "http.addr {addr} is reachable from other machines and there is no api_token \
                     (ADSAI_API_TOKEN): set one, or set [http] allow_anonymous = true"
                )]))
            }
            _ => Ok(()),
        }
    }

    /// The effective settings as TOML, secrets masked; an API token that is off is shown as
    /// `api_token = "(none: anonymous)"`.
    pub fn to_masked_toml(&self) -> String {
        let mut value = match toml::Table::try_from(self) {
            Ok(v) => v,
            Err(e) => return format!("# cannot render settings: {e}\n"),
        };
        if self.http.api_token.is_none() {
            if let Some(toml::Value::Table(http)) = value.get_mut("http") {
                http.insert("api_token".into(), toml::Value::String("(none: anonymous)".into()));
            }
        }
        toml::to_string_pretty(&value).unwrap_or_else(|e| format!("# cannot render settings: {e}\n"))
    }

    /// The model client when the mode asks for the model and a URL is set; `None` with the mode
    /// off, so nothing leaves the machine.
    pub fn model_client(&self) -> Option<crate::model::ModelClient> {
        let config = self.model.config().filter(|c| c.mode != crate::model::Mode::Off)?;
        match crate::model::ModelClient::new(config) {
            Ok(client) => Some(client),
            Err(e) => {
                tracing::error!(error = %e, "the model client could not be built: the model stays off");
                None
            }
        }
    }

    /// Where conversations are kept: the configured directory, else `$XDG_STATE_HOME/adsai`,
    /// else `~/.local/state/adsai` (`env` reads the environment).
    pub fn state_dir(&self, env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
        if let Some(d) = &self.conversations.state_dir {
            return d.clone();
        }
        if let Some(x) = env("XDG_STATE_HOME").filter(|x| !x.is_empty()) {
            return PathBuf::from(x).join("adsai");
        }
        let home = env("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
        home.join(".local/state/adsai")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_then_file_then_environment() {
        let dir = std::env::temp_dir().join(format!("adsai-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("adsai.toml");
        std::fs::write(
            &file,
            "[http]\naddr = \"127.0.0.1:9000\"\n[planner]\nfrequency_cap = 3.0\ndefault_market = \"DE\"\n",
        )
        .unwrap();
        let s = Settings::load(Some(&file), &env_of(&[("ADSAI_FREQUENCY_CAP", "4"), ("ADSAI_API_TOKEN", "tok-123")]))
            .unwrap();
        assert_eq!(s.http.addr.as_deref(), Some("127.0.0.1:9000"), "from the file");
        assert_eq!(s.planner.default_market, "DE", "from the file");
        assert_eq!(s.planner.frequency_cap, 4.0, "the environment wins over the file");
        assert_eq!(s.conversations.max, 100_000, "default");
        assert_eq!(s.http.api_token.as_ref().unwrap().expose(), "tok-123");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_specialist_timeout_is_the_coordinators_and_the_old_key_still_works() {
        let dir = std::env::temp_dir().join(format!("adsai-settings-alias-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cases = [
            ("[planner]\nspecialist_timeout_ms = 700\n", 700),
            ("[coordinator]\nspecialist_timeout_ms = 800\n", 800),
            ("[planner]\nspecialist_timeout_ms = 700\n[coordinator]\nspecialist_timeout_ms = 900\n", 900),
            ("", 500),
        ];
        for (n, (text, want)) in cases.into_iter().enumerate() {
            let file = dir.join(format!("t{n}.toml"));
            std::fs::write(&file, text).unwrap();
            let s = Settings::load(Some(&file), &env_of(&[])).unwrap();
            assert_eq!(s.coordinator.specialist_timeout_ms, want, "{text}");
            assert!(!s.to_masked_toml().contains("[planner]\nspecialist"), "the old key is not written back");
        }
        let s = Settings::load(None, &env_of(&[("ADSAI_SPECIALIST_TIMEOUT_MS", "1200")])).unwrap();
        assert_eq!(s.coordinator.specialist_timeout_ms, 1200);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn secrets_are_masked_when_printed() {
        let s =
            Settings::load(None, &env_of(&[("SLACK_BOT_TOKEN", "xoxb-1234-secret"), ("ADSAI_API_TOKEN", "hunter2")]))
                .unwrap();
        let shown = format!("{}{:?}", s.to_masked_toml(), s);
        for part in ["secret", "hunter", "xoxb", "1234", "h2"] {
            assert!(!shown.contains(part), "{part} shown: {shown}");
        }
        assert!(shown.contains("(hidden)"));
        let off = Settings::load(None, &env_of(&[])).unwrap().to_masked_toml();
        assert!(off.contains("api_token = \"(none: anonymous)\""), "{off}");
    }

    #[test]
    fn a_blank_token_is_an_error_not_anonymous_access() {
        for blank in ["", " ", "\t", "  \n"] {
            let err = Settings::load(None, &env_of(&[("ADSAI_API_TOKEN", blank)])).unwrap_err();
            assert!(err.to_string().contains("ADSAI_API_TOKEN"), "{err}");
        }
        let mut s = Settings::default();
        s.http.api_token = Some(Secret::new("  "));
        assert!(s.validate(crate::markets::Markets::embedded()).unwrap_err().to_string().contains("api_token"));
    }

    #[test]
    fn an_open_address_needs_a_token_or_an_explicit_anonymous() {
        let mut s = Settings::default();
        for (addr, ok) in
            [("127.0.0.1:8080", true), ("[::1]:8080", true), ("0.0.0.0:8080", false), ("10.1.2.3:80", false)]
        {
            s.http.addr = Some(addr.into());
            assert_eq!(s.validate_serve().is_ok(), ok, "{addr}");
        }
        s.http.allow_anonymous = true;
        assert!(s.validate_serve().is_ok());
        s.http.allow_anonymous = false;
        s.http.api_token = Some(Secret::new("t0k"));
        assert!(s.validate_serve().is_ok());
    }

    #[test]
    fn a_toml_error_does_not_echo_the_line() {
        let dir = std::env::temp_dir().join(format!("adsai-settings-echo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("bad.toml");
        std::fs::write(&file, "[http]\naddr = \"127.0.0.1:1\"\napi_token = \"sup3r-s3cret\n").unwrap();
        let err = Settings::load(Some(&file), &env_of(&[])).unwrap_err().to_string();
        assert!(!err.contains("sup3r") && !err.contains("s3cret"), "{err}");
        assert!(err.contains("bad.toml") && err.contains("line 3"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn problems_are_listed_together() {
        let mut s = Settings::default();
        s.slack.enabled = true;
        s.slack.bot_token = Some(Secret::new("xapp-wrong-kind"));
        s.planner.frequency_cap = 0.0;
        s.planner.default_market = "XX".into();
        s.http.addr = Some("localhost".into());
        let err = s.validate(crate::markets::Markets::embedded()).unwrap_err().to_string();
        for expected in ["app_token", "bot token", "frequency_cap", "default_market", "http.addr"] {
            assert!(err.contains(expected), "{expected} missing from {err}");
        }
        assert!(Settings::default().validate(crate::markets::Markets::embedded()).is_ok());
    }

    #[test]
    fn bad_files_and_values_are_clear_errors() {
        let dir = std::env::temp_dir().join(format!("adsai-settings-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("bad.toml");
        std::fs::write(&file, "[http]\nadress = 1\n").unwrap();
        let err = Settings::load(Some(&file), &env_of(&[])).unwrap_err().to_string();
        assert!(err.contains("bad.toml") && err.contains("adress"), "{err}");
        let err = Settings::load(None, &env_of(&[("ADSAI_MAX_CONVERSATIONS", "lots")])).unwrap_err().to_string();
        assert!(err.contains("ADSAI_MAX_CONVERSATIONS"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
