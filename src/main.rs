//! The `adsai` binary: parses flags, loads the settings once, sets up logging, and hands over to
//! the library.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use adsai::brain::Brain;
use adsai::coordinator::Coordinator;
use adsai::data::{DataFiles, SharedBrain};
use adsai::settings::{Secret, Settings};
use adsai::store::{ConversationStore, MemoryStore, RedbStore, RedisStore};
use adsai::surface::{cli, http, slack};
use adsai::telemetry::Metrics;

#[derive(Parser)]
#[command(name = "adsai", version, about = "Plain-English ad briefs in, data-backed media plans out")]
struct Cli {
    /// Settings file (TOML); see deploy/adsai.example.toml.
    #[arg(long, global = true, env = "ADSAI_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// Where the planning data comes from (overrides `[data]`).
#[derive(clap::Args, Clone)]
struct DataArgs {
    /// History CSV (SPEC §4) to plan from instead of the embedded default.
    #[arg(long)]
    history: Option<PathBuf>,
    /// Markets CSV (SPEC §4) instead of the embedded default (with --history).
    #[arg(long)]
    markets: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Plan a brief. Several TEXT arguments are one conversation: each a follow-up of the one before.
    Plan {
        /// The brief (and follow-ups). Read from standard input when absent.
        text: Vec<String>,
        /// Print the SPEC §3 JSON object instead of the readable summary.
        #[arg(long)]
        json: bool,
        /// Read {id, today, messages} requests as JSON Lines from standard input; write one object per line.
        #[arg(long, conflicts_with_all = ["json", "text"])]
        jsonl: bool,
        /// Reference date for relative dates (YYYY-MM-DD); default: today.
        #[arg(long, value_parser = cli::parse_date)]
        today: Option<chrono::NaiveDate>,
        /// Also write the budget→reach curve as a PNG to this file.
        #[arg(long, value_name = "FILE.png", conflicts_with = "jsonl")]
        chart: Option<PathBuf>,
        /// Also write the plan to this file: .csv, .xlsx, or .json (a Spotify Ads API–shaped draft).
        #[arg(long, value_name = "FILE", conflicts_with = "jsonl", value_parser = cli::parse_export_path)]
        export: Option<PathBuf>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Run the service: the HTTP API, the Slack bot, or both.
    Serve {
        /// Listen address of the HTTP API, e.g. 127.0.0.1:8080 (overrides `[http] addr`).
        #[arg(long)]
        http: Option<std::net::SocketAddr>,
        /// Run the Slack bot over Socket Mode (SLACK_APP_TOKEN, SLACK_BOT_TOKEN; SLACK_API_URL,
        /// ADSAI_ALLOWED_TEAMS, ADSAI_ALLOWED_CHANNELS optional).
        #[arg(long)]
        slack: bool,
        /// Where conversations are kept (overrides ADSAI_STATE_DIR and `[conversations] state_dir`).
        #[arg(long)]
        state_dir: Option<PathBuf>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Settings.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Synthetic data.
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
    /// The optional language model.
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
}

#[derive(Subcommand)]
enum ModelCommand {
    /// Send one tiny chat completion to `[model] url` (whatever the mode) and print the round
    /// trip and the model's name, or the error (exit 1).
    Check,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Validate the settings (file, environment) and print the effective ones, secrets masked.
    Check,
}

#[derive(Subcommand)]
enum DataCommand {
    /// Write a realistic synthetic history.csv and markets.csv (the model is in the README).
    Generate {
        /// Number of history rows.
        #[arg(long, default_value_t = adsai::plan::synth::DEFAULT_ROWS)]
        rows: usize,
        /// Random seed: the same seed gives the same files.
        #[arg(long, default_value_t = adsai::plan::synth::DEFAULT_SEED)]
        seed: u64,
        /// Output directory (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("adsai: {message}");
    ExitCode::from(2)
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
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

fn load_brain(settings: &Settings) -> Result<Brain, String> {
    let planner = settings.planner_settings();
    match (&settings.data.history, &settings.data.markets) {
        (None, None) => Ok(Brain::default().with_settings(planner)),
        (Some(h), m) => {
            let (brain, report) = Brain::from_files(h, m.as_deref()).map_err(|e| e.to_string())?;
            if report.skipped > 0 {
                eprintln!(
                    "adsai: {}: skipped {}:",
                    h.display(),
                    adsai::present::plural(report.skipped as i64, "bad row")
                );
                for p in &report.problems {
                    eprintln!("  {p}");
                }
            }
            Ok(brain.with_settings(planner))
        }
        (None, Some(_)) => {
            Err("--markets needs --history (the embedded history goes with the embedded markets)".into())
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut settings = match Settings::load(cli.config.as_deref(), &env) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("adsai: {e}");
            return ExitCode::from(2);
        }
    };
    // Flags override the file and the environment.
    match &cli.command {
        Command::Plan { data, .. } | Command::Serve { data, .. } => {
            if data.history.is_some() {
                settings.data.history = data.history.clone();
                settings.data.markets = data.markets.clone();
            } else if data.markets.is_some() {
                settings.data.markets = data.markets.clone();
            }
        }
        _ => {}
    }
    if let Command::Serve { http, slack, state_dir, .. } = &cli.command {
        if let Some(a) = http {
            settings.http.addr = Some(a.to_string());
        }
        if *slack {
            settings.slack.enabled = true;
        }
        if let Some(d) = state_dir {
            settings.conversations.state_dir = Some(d.clone());
        }
    }
    init_logging(&settings);
    let markets = adsai::markets::Markets::embedded();
    match cli.command {
        Command::Config { command: ConfigCommand::Check } => {
            match settings.validate(markets).and(settings.validate_serve()) {
                Ok(()) => {
                    // A reader that went away (`adsai config check | head`) is no panic.
                    let _ =
                        std::io::Write::write_all(&mut std::io::stdout().lock(), settings.to_masked_toml().as_bytes());
                    eprintln!("adsai: settings are valid");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Model { command: ModelCommand::Check } => {
            if let Err(e) = settings.validate(markets) {
                return fail(e);
            }
            let Some(config) = settings.model.config() else {
                return fail("no model to check: set [model] url (ADSAI_MODEL_URL) and model (ADSAI_MODEL)");
            };
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(r) => r,
                Err(e) => return fail(e),
            };
            runtime.block_on(model_check(config))
        }
        Command::Data { command: DataCommand::Generate { rows, seed, out } } => {
            let opts = adsai::plan::synth::GenOptions { rows, seed, ..Default::default() };
            match adsai::plan::synth::generate(&out, markets.all(), &opts) {
                Ok(n) => {
                    eprintln!("adsai: wrote {n} history rows and the markets table to {}", out.display());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(format!("cannot write to {}: {e}", out.display())),
            }
        }
        Command::Plan { text, json, jsonl, today, chart, export, .. } => {
            if let Err(e) = settings.validate(markets) {
                return fail(e);
            }
            let today = today.unwrap_or_else(|| chrono::Local::now().date_naive());
            let brain = match load_brain(&settings) {
                Ok(b) => b,
                Err(e) => return fail(e),
            };
            // `--jsonl` plans many requests at once, on every core; one brief needs one thread.
            let runtime = if jsonl {
                tokio::runtime::Builder::new_multi_thread().enable_all().build()
            } else {
                tokio::runtime::Builder::new_current_thread().enable_all().build()
            };
            let runtime = match runtime {
                Ok(r) => r,
                Err(e) => return fail(e),
            };
            let output = cli::Output { json, chart, export };
            runtime.block_on(plan(brain, settings, text, output, jsonl, today))
        }
        Command::Serve { .. } => {
            if settings.http.addr.is_none() && !settings.slack.enabled {
                return fail("nothing to serve: give --http ADDR and/or --slack (or [http] addr / [slack] enabled)");
            }
            if let Err(e) = settings.validate(markets).and(settings.validate_serve()) {
                return fail(e);
            }
            // Token problems are start-up errors (exit 2), never a retry loop.
            let slack = match settings.slack.enabled.then(|| slack::Config::from_settings(&settings.slack)).transpose()
            {
                Ok(c) => c,
                Err(e) => return fail(e),
            };
            let brain = match load_brain(&settings) {
                Ok(b) => b,
                Err(e) => return fail(e),
            };
            let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
                Ok(r) => r,
                Err(e) => return fail(e),
            };
            runtime.block_on(serve(brain, settings, slack))
        }
    }
}

async fn plan(
    brain: Brain,
    settings: Settings,
    text: Vec<String>,
    output: cli::Output,
    jsonl: bool,
    today: chrono::NaiveDate,
) -> ExitCode {
    let store: Arc<dyn ConversationStore> = Arc::new(MemoryStore::default());
    let shutdown = CancellationToken::new();
    let config = settings.coordinator_config();
    let coordinator = match Coordinator::start(brain, store, config, Arc::new(Metrics::default()), shutdown.clone()) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    if jsonl {
        let stdin = std::io::BufReader::with_capacity(1 << 16, std::io::stdin());
        return match cli::run_jsonl(&coordinator, stdin, std::io::stdout().lock(), today).await {
            Ok((_, 0)) => ExitCode::SUCCESS,
            Ok((ok, failed)) => {
                eprintln!("adsai: {failed} of {} requests failed (see their error objects)", ok + failed);
                ExitCode::from(1)
            }
            Err(e) => fail(e),
        };
    }
    let messages = if text.is_empty() {
        if std::io::stdin().is_terminal() {
            return fail("give a brief, e.g. adsai plan \"awareness in Germany, €5k, 30 days\"");
        }
        let mut buf = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut buf) {
            return fail(format!("cannot read standard input: {e}"));
        }
        match String::from_utf8(buf) {
            Ok(s) => vec![s],
            Err(_) => return fail("standard input is not valid UTF-8"),
        }
    } else {
        text
    };
    let response = match cli::conversation(&coordinator, &messages, today).await {
        Ok(r) => r,
        Err((i, e)) if messages.len() > 1 => return fail(format!("message {}: {e}", i + 1)),
        Err((_, e)) => return fail(e),
    };
    shutdown.cancel();
    if let Err(e) = cli::write_files(&response, &output) {
        return fail(e);
    }
    let shown = if output.json {
        match serde_json::to_string_pretty(&response) {
            Ok(s) => s + "\n",
            Err(e) => return fail(e),
        }
    } else {
        cli::render_text(&response)
    };
    // A reader that went away (`adsai plan … | head`) is no error worth a panic.
    match std::io::Write::write_all(&mut std::io::stdout().lock(), shown.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => fail(format!("cannot write the plan: {e}")),
        _ => ExitCode::SUCCESS,
    }
}

async fn model_check(config: adsai::model::ModelConfig) -> ExitCode {
    let url = config.url.clone();
    let client = match adsai::model::ModelClient::new(config) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let started = std::time::Instant::now();
    match client.check().await {
        Ok(name) => {
            let line = format!("model {name} at {url} answered in {} ms\n", started.elapsed().as_millis());
            let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), line.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("adsai: the model at {url} did not answer: {e}");
            ExitCode::from(1)
        }
    }
}

async fn open_store(settings: &Settings, state_dir: &std::path::Path) -> Result<Arc<dyn ConversationStore>, String> {
    match settings.conversations.redis_url.as_ref().map(Secret::expose) {
        Some(url) => {
            let ttl = Duration::from_secs(settings.conversations.ttl_hours.saturating_mul(3600));
            Ok(Arc::new(RedisStore::open(url, ttl).await.map_err(|e| e.to_string())?))
        }
        None => Ok(Arc::new(RedbStore::open(state_dir).map_err(|e| e.to_string())?)),
    }
}

async fn serve(brain: Brain, settings: Settings, slack: Option<slack::Config>) -> ExitCode {
    let state_dir = settings.state_dir(&env);
    let store = match open_store(&settings, &state_dir).await {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
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
    let coordinator = match Coordinator::start_shared(
        data.clone(),
        store,
        settings.coordinator_config(),
        metrics.clone(),
        coordinator_shutdown.clone(),
    ) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    if let Some(files) = files {
        let every = Duration::from_secs(settings.data.reload_secs.max(1));
        let guards = settings.data_guards();
        tokio::spawn(adsai::data::watch(data, files, every, guards, metrics.clone(), shutdown.child_token()));
    }
    let bot = match slack {
        Some(config) => match slack::SlackBot::start(config, coordinator.clone()).await {
            Ok(bot) => {
                eprintln!("adsai: Slack bot connected over Socket Mode (conversations in {where_})");
                Some(bot)
            }
            Err(e) => return fail(format!("Slack: {e}")),
        },
        None => None,
    };
    let server = match settings.http.addr.as_deref().map(str::parse::<std::net::SocketAddr>) {
        Some(Ok(addr)) => {
            let listener = match tokio::net::TcpListener::bind(addr).await {
                Ok(l) => l,
                Err(e) => return fail(format!("cannot listen on {addr}: {e}")),
            };
            let local = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| addr.to_string());
            eprintln!("adsai: listening on http://{local} (conversations in {where_})");
            Some(tokio::spawn(http::serve(listener, coordinator, metrics, settings.http_config(), shutdown.clone())))
        }
        Some(Err(e)) => return fail(format!("http.addr: {e}")),
        None => None,
    };
    wait_for_signal().await;
    eprintln!("adsai: shutting down");
    if let Some(bot) = bot {
        bot.stop().await;
    }
    shutdown.cancel();
    let code = match server {
        None => ExitCode::SUCCESS,
        Some(server) => match server.await {
            Ok(Ok(())) => ExitCode::SUCCESS,
            Ok(Err(e)) => fail(e),
            Err(e) => fail(e),
        },
    };
    coordinator_shutdown.cancel();
    code
}

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
