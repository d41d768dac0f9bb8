//! The application: what the `adsai` binary runs once its flags are parsed and its settings
//! loaded. It sets up logging, loads the planning data, opens the conversation store, starts
//! the coordinator and the surfaces (CLI, HTTP, Slack), waits for a signal and shuts them down
//! in order. It is the one place that turns the settings into each part's own configuration;
//! the parts themselves know nothing of [`Settings`].

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use thiserror::Error;
use tokio_util::sync::CancellationToken;

use crate::brain::{Brain, DataError};
use crate::coordinator::{CoordError, Coordinator};
use crate::reload::{DataFiles, SharedBrain};
use crate::settings::{Secret, Settings, SettingsError};
use crate::store::{ConversationStore, MemoryStore, RedbStore, RedisStore, StoreError};
use crate::surface::{cli, http, slack};
use crate::telemetry::Metrics;

/// What the binary was asked to do (its flags, resolved).
#[derive(Debug)]
pub enum Job {
    /// `adsai config check`: validate and print the effective settings.
    ConfigCheck,
    /// `adsai model check`: one tiny completion against `[model] url`.
    ModelCheck,
    /// `adsai data generate`: a synthetic history and markets table.
    Generate { rows: usize, seed: u64, out: PathBuf },
    /// `adsai plan`: one conversation (or `--jsonl` requests) on the command line.
    Plan(PlanJob),
    /// `adsai serve`: the HTTP API and/or the Slack bot until a signal.
    Serve,
}

/// `adsai plan`'s inputs.
#[derive(Debug)]
pub struct PlanJob {
    /// The brief and its follow-ups; standard input when empty.
    pub text: Vec<String>,
    /// `--jsonl`: requests from standard input, one object per line out.
    pub jsonl: bool,
    /// `--today`; `None` is the local calendar day.
    pub today: Option<NaiveDate>,
    /// `--json`, `--chart`, `--export`.
    pub output: cli::Output,
}

/// Why a job could not run (each is shown as `adsai: …` and exits with 2).
#[derive(Debug, Error)]
pub enum AppError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("--markets needs --history (the embedded history goes with the embedded markets)")]
    MarketsWithoutHistory,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Coordinator(#[from] CoordError),
    #[error("Slack: {0}")]
    Slack(#[from] slack::SlackError),
    #[error("nothing to serve: give --http ADDR and/or --slack (or [http] addr / [slack] enabled)")]
    NothingToServe,
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: std::net::SocketAddr, source: std::io::Error },
    #[error("http.addr: {0}")]
    BadAddr(#[from] std::net::AddrParseError),
    #[error("no model to check: set [model] url (ADSAI_MODEL_URL) and model (ADSAI_MODEL)")]
    NoModel,
    #[error(transparent)]
    Model(#[from] crate::model::ModelError),
    #[error("cannot write to {}: {source}", .dir.display())]
    Generate { dir: PathBuf, source: std::io::Error },
    #[error("give a brief, e.g. adsai plan \"awareness in Germany, €5k, 30 days\"")]
    NoBrief,
    #[error("cannot read standard input: {0}")]
    Stdin(std::io::Error),
    #[error("standard input is not valid UTF-8")]
    StdinNotUtf8,
    #[error("message {index}: {source}")]
    Message { index: usize, source: CoordError },
    #[error(transparent)]
    Output(#[from] cli::OutputError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Task(#[from] tokio::task::JoinError),
}

/// Runs a job to its end: the process's exit code.
pub fn run(settings: Settings, job: Job) -> ExitCode {
    init_logging(&settings);
    match run_job(settings, job) {
        Ok(code) => code,
        Err(e) => fail(e),
    }
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("adsai: {message}");
    ExitCode::from(2)
}

fn init_logging(settings: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_new(&settings.log.level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if settings.log.format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn run_job(settings: Settings, job: Job) -> Result<ExitCode, AppError> {
    let embedded = matches!((&settings.data.history, &settings.data.markets), (None, None));
    if matches!(job, Job::Plan(_) | Job::Serve) && embedded {
        // The embedded history (`load_brain`'s case without data files) takes about a tenth of a
        // second to parse and index: it starts now, on its own thread, while this one loads the
        // markets and gazetteer and checks the settings (`load_brain` then waits for it).
        let _ = std::thread::Builder::new().name("adsai-load".into()).spawn(Brain::embedded);
    }
    let markets = crate::markets::Markets::embedded();
    match job {
        Job::ConfigCheck => {
            settings.validate(markets).and(settings.validate_serve())?;
            // A reader that went away (`adsai config check | head`) is no panic.
            let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), settings.to_masked_toml().as_bytes());
            eprintln!("adsai: settings are valid");
            Ok(ExitCode::SUCCESS)
        }
        Job::ModelCheck => {
            settings.validate(markets)?;
            let config = settings.model.config().ok_or(AppError::NoModel)?;
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(model_check(config))
        }
        Job::Generate { rows, seed, out } => {
            let opts = crate::datagen::GenOptions { rows, seed, ..Default::default() };
            let n = crate::datagen::generate(&out, markets.all(), &opts)
                .map_err(|source| AppError::Generate { dir: out.clone(), source })?;
            eprintln!("adsai: wrote {n} history rows and the markets table to {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Job::Plan(job) => {
            settings.validate(markets)?;
            let brain = load_brain(&settings)?;
            // `--jsonl` plans many requests at once, on every core; one brief needs one thread.
            let runtime = if job.jsonl {
                tokio::runtime::Builder::new_multi_thread().enable_all().build()?
            } else {
                tokio::runtime::Builder::new_current_thread().enable_all().build()?
            };
            runtime.block_on(plan(brain, &settings, job))
        }
        Job::Serve => {
            if settings.http.addr.is_none() && !settings.slack.enabled {
                return Err(AppError::NothingToServe);
            }
            settings.validate(markets).and(settings.validate_serve())?;
            // Token problems are start-up errors (exit 2), never a retry loop.
            let slack = settings.slack.enabled.then(|| slack::Config::from_settings(&settings.slack)).transpose()?;
            let brain = load_brain(&settings)?;
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            runtime.block_on(serve(brain, settings, slack))
        }
    }
}

/// The planner's settings from `[planner]`.
fn planner_settings(settings: &Settings) -> crate::plan::planner::PlannerSettings {
    crate::plan::planner::PlannerSettings {
        reach_frequency_cap: settings.planner.frequency_cap,
        min_ad_sets: settings.planner.min_ad_sets,
        default_country: settings.planner.default_market.clone(),
        privacy_min_advertisers: settings.planner.privacy_min_advertisers,
        ..Default::default()
    }
}

/// What a data reload must pass, from `[data]`.
fn data_guards(settings: &Settings) -> crate::reload::Guards {
    crate::reload::Guards {
        max_bad_rows_percent: settings.data.max_bad_rows_percent,
        min_rows_percent: settings.data.min_rows_percent,
    }
}

/// The coordinator's settings, from `[coordinator]`, `[conversations]` and `[model]`.
fn coordinator_config(settings: &Settings) -> crate::coordinator::Config {
    crate::coordinator::Config {
        specialist_timeout: Duration::from_millis(settings.coordinator.specialist_timeout_ms),
        ttl: Duration::from_secs(settings.conversations.ttl_hours.saturating_mul(3600)),
        max_conversations: settings.conversations.max,
        model: settings.model_client(),
        ..Default::default()
    }
}

/// The planning data: the embedded default, or `[data]`'s files (bad rows listed and skipped).
fn load_brain(settings: &Settings) -> Result<Brain, AppError> {
    let planner = planner_settings(settings);
    match (&settings.data.history, &settings.data.markets) {
        (None, None) => Ok(Brain::default().with_settings(planner)),
        (Some(h), m) => {
            let (brain, report) = Brain::from_files(h, m.as_deref())?;
            if report.skipped > 0 {
                eprintln!(
                    "adsai: {}: skipped {}:",
                    h.display(),
                    crate::present::plural(report.skipped as i64, "bad row")
                );
                for p in &report.problems {
                    eprintln!("  {p}");
                }
            }
            Ok(brain.with_settings(planner))
        }
        (None, Some(_)) => Err(AppError::MarketsWithoutHistory),
    }
}

async fn plan(brain: Brain, settings: &Settings, job: PlanJob) -> Result<ExitCode, AppError> {
    let store: Arc<dyn ConversationStore> = Arc::new(MemoryStore::default());
    let shutdown = CancellationToken::new();
    // `--today` fixes the coordinator's clock for the whole run.
    let config = crate::coordinator::Config { today: job.today, ..coordinator_config(settings) };
    let coordinator = Coordinator::start(brain, store, config, Arc::new(Metrics::default()), shutdown.clone())?;
    let today = coordinator.today();
    if job.jsonl {
        // The run itself is a task on the workers, so a finished request wakes it there, not
        // across threads on the main one.
        let run = {
            let coordinator = coordinator.clone();
            tokio::spawn(async move { cli::run_jsonl(&coordinator, std::io::stdin(), std::io::stdout(), today).await })
        };
        return match run.await.map_err(std::io::Error::other)?? {
            (_, 0) => Ok(ExitCode::SUCCESS),
            (ok, failed) => {
                eprintln!("adsai: {failed} of {} requests failed (see their error objects)", ok + failed);
                Ok(ExitCode::from(1))
            }
        };
    }
    let messages = if job.text.is_empty() {
        if std::io::stdin().is_terminal() {
            return Err(AppError::NoBrief);
        }
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(AppError::Stdin)?;
        vec![String::from_utf8(buf).map_err(|_| AppError::StdinNotUtf8)?]
    } else {
        job.text
    };
    let response = match cli::conversation(&coordinator, &messages, today).await {
        Ok(r) => r,
        Err((i, e)) if messages.len() > 1 => return Err(AppError::Message { index: i + 1, source: e }),
        Err((_, e)) => return Err(e.into()),
    };
    shutdown.cancel();
    cli::write_files(&response, &job.output)?;
    let shown = if job.output.json {
        serde_json::to_string_pretty(&response).map_err(cli::OutputError::from)? + "\n"
    } else {
        cli::render_text(&response)
    };
    // A reader that went away (`adsai plan … | head`) is no error worth a panic.
    match std::io::Write::write_all(&mut std::io::stdout().lock(), shown.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(cli::OutputError::Stdout(e).into()),
        _ => Ok(ExitCode::SUCCESS),
    }
}

async fn model_check(config: crate::model::ModelConfig) -> Result<ExitCode, AppError> {
    let url = config.url.clone();
    let client = crate::model::ModelClient::new(config)?;
    let started = std::time::Instant::now();
    match client.check().await {
        Ok(name) => {
            let line = format!("model {name} at {url} answered in {} ms\n", started.elapsed().as_millis());
            let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), line.as_bytes());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("adsai: the model at {url} did not answer: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

/// The conversation store: Redis when `[conversations] redis_url` is set, else a redb file in
/// the state directory.
async fn open_store(
    settings: &Settings,
    state_dir: &std::path::Path,
) -> Result<Arc<dyn ConversationStore>, StoreError> {
    match settings.conversations.redis_url.as_ref().map(Secret::expose) {
        Some(url) => {
            let ttl = Duration::from_secs(settings.conversations.ttl_hours.saturating_mul(3600));
            Ok(Arc::new(RedisStore::open(url, ttl).await?))
        }
        None => Ok(Arc::new(RedbStore::open(state_dir)?)),
    }
}

async fn serve(brain: Brain, settings: Settings, slack: Option<slack::Config>) -> Result<ExitCode, AppError> {
    let state_dir = settings.state_dir(&env);
    let store = open_store(&settings, &state_dir).await?;
    let where_ =
        if settings.conversations.redis_url.is_some() { "Redis".to_string() } else { state_dir.display().to_string() };
    let shutdown = CancellationToken::new();
    let metrics = Arc::new(Metrics::default());
    let files =
        settings.data.history.clone().map(|history| DataFiles { history, markets: settings.data.markets.clone() });
    let data =
        Arc::new(SharedBrain::new(brain, files.as_ref().map_or_else(std::time::SystemTime::now, DataFiles::data_time)));
    // The coordinator stops after the surfaces have drained, not with them.
    let coordinator_shutdown = CancellationToken::new();
    let coordinator = Coordinator::start_shared(
        data.clone(),
        store,
        coordinator_config(&settings),
        metrics.clone(),
        coordinator_shutdown.clone(),
    )?;
    if let Some(files) = files {
        let every = Duration::from_secs(settings.data.reload_secs.max(1));
        let guards = data_guards(&settings);
        tokio::spawn(crate::reload::watch(data, files, every, guards, metrics.clone(), shutdown.child_token()));
    }
    let bot = match slack {
        Some(config) => {
            let bot = slack::SlackBot::start(config, coordinator.clone()).await?;
            eprintln!("adsai: Slack bot connected over Socket Mode (conversations in {where_})");
            Some(bot)
        }
        None => None,
    };
    let server = match settings.http.addr.as_deref().map(str::parse::<std::net::SocketAddr>).transpose()? {
        Some(addr) => {
            let listener =
                tokio::net::TcpListener::bind(addr).await.map_err(|source| AppError::Listen { addr, source })?;
            let local = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| addr.to_string());
            eprintln!("adsai: listening on http://{local} (conversations in {where_})");
            let config = http::Config::from_settings(&settings.http);
            Some(tokio::spawn(http::serve(listener, coordinator, metrics, config, shutdown.clone())))
        }
        None => None,
    };
    wait_for_signal().await;
    eprintln!("adsai: shutting down");
    if let Some(bot) = bot {
        bot.stop().await;
    }
    shutdown.cancel();
    let result = match server {
        None => Ok(()),
        Some(server) => server.await.map_err(AppError::from).and_then(|r| r.map_err(AppError::from)),
    };
    coordinator_shutdown.cancel();
    result.map(|_| ExitCode::SUCCESS)
}

/// Resolves on Ctrl-C or SIGTERM.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_part_gets_its_own_settings() {
        let mut s = Settings::default();
        s.planner.default_market = "DE".into();
        s.coordinator.specialist_timeout_ms = 250;
        s.conversations.ttl_hours = 2;
        s.data.max_bad_rows_percent = 3.5;
        assert_eq!(planner_settings(&s).default_country, "DE");
        let c = coordinator_config(&s);
        assert_eq!(c.specialist_timeout, Duration::from_millis(250));
        assert_eq!(c.ttl, Duration::from_secs(7200));
        assert_eq!(data_guards(&s).max_bad_rows_percent, 3.5);
    }

    #[test]
    fn start_up_errors_read_as_before() {
        assert_eq!(
            AppError::MarketsWithoutHistory.to_string(),
            "--markets needs --history (the embedded history goes with the embedded markets)"
        );
        let e = AppError::Message { index: 2, source: CoordError::Closed };
        assert_eq!(e.to_string(), "message 2: the coordinator is shutting down");
        let mut s = Settings::default();
        s.data.markets = Some(PathBuf::from("markets.csv"));
        assert!(matches!(load_brain(&s), Err(AppError::MarketsWithoutHistory)));
    }
}
