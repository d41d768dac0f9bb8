//! The `adsai` binary: parses flags, sets up logging, and hands over to the library.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use adsai::brain::Brain;
use adsai::coordinator::{self, Coordinator};
use adsai::store::{ConversationStore, MemoryStore, RedbStore};
use adsai::surface::{cli, http};
use adsai::telemetry::Metrics;

#[derive(Parser)]
#[command(name = "adsai", version, about = "Plain-English ad briefs in, data-backed media plans out")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the planning data comes from.
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
        #[command(flatten)]
        data: DataArgs,
    },
    /// Run the service: the HTTP API (and, later, the Slack bot).
    Serve {
        /// Listen address of the HTTP API, e.g. 127.0.0.1:8080.
        #[arg(long)]
        http: Option<std::net::SocketAddr>,
        /// Where conversations are kept (default: $ADSAI_STATE_DIR, else the XDG state directory).
        #[arg(long, env = "ADSAI_STATE_DIR")]
        state_dir: Option<PathBuf>,
        /// Bearer token required by the HTTP API.
        #[arg(long, env = "ADSAI_API_TOKEN", hide_env_values = true)]
        api_token: Option<String>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Synthetic data.
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
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

fn load_brain(data: &DataArgs) -> Result<Brain, String> {
    match (&data.history, &data.markets) {
        (None, None) => Ok(Brain::default()),
        (Some(h), m) => {
            let (brain, report) = Brain::from_files(h, m.as_deref()).map_err(|e| e.to_string())?;
            if report.skipped > 0 {
                eprintln!("adsai: {}: skipped {} bad rows:", h.display(), report.skipped);
                for p in &report.problems {
                    eprintln!("  {p}");
                }
            }
            Ok(brain)
        }
        (None, Some(_)) => {
            Err("--markets needs --history (the embedded history goes with the embedded markets)".into())
        }
    }
}

fn default_state_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_STATE_HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(x).join("adsai");
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    home.join(".local/state/adsai")
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Data { command: DataCommand::Generate { rows, seed, out } } => {
            let opts = adsai::plan::synth::GenOptions { rows, seed, ..Default::default() };
            match adsai::plan::synth::generate(&out, adsai::markets::Markets::embedded().all(), &opts) {
                Ok(n) => {
                    eprintln!("adsai: wrote {n} history rows and the markets table to {}", out.display());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(format!("cannot write to {}: {e}", out.display())),
            }
        }
        Command::Plan { text, json, jsonl, today, data } => {
            let today = today.unwrap_or_else(|| chrono::Local::now().date_naive());
            let brain = match load_brain(&data) {
                Ok(b) => b,
                Err(e) => return fail(e),
            };
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(r) => r,
                Err(e) => return fail(e),
            };
            runtime.block_on(plan(brain, text, json, jsonl, today))
        }
        Command::Serve { http: addr, state_dir, api_token, data } => {
            let brain = match load_brain(&data) {
                Ok(b) => b,
                Err(e) => return fail(e),
            };
            let Some(addr) = addr else {
                return fail("nothing to serve: give --http ADDR");
            };
            let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
                Ok(r) => r,
                Err(e) => return fail(e),
            };
            let state_dir = state_dir.unwrap_or_else(default_state_dir);
            runtime.block_on(serve(brain, addr, state_dir, api_token))
        }
    }
}

async fn plan(brain: Brain, text: Vec<String>, json: bool, jsonl: bool, today: chrono::NaiveDate) -> ExitCode {
    let store: Arc<dyn ConversationStore> = Arc::new(MemoryStore::default());
    let shutdown = CancellationToken::new();
    let coordinator = match Coordinator::start(
        brain,
        store,
        coordinator::Config::default(),
        Arc::new(Metrics::default()),
        shutdown.clone(),
    ) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    if jsonl {
        let stdin = std::io::stdin();
        return match cli::run_jsonl(&coordinator, stdin.lock(), std::io::stdout().lock(), today).await {
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
    if json {
        match serde_json::to_string_pretty(&response) {
            Ok(s) => println!("{s}"),
            Err(e) => return fail(e),
        }
    } else {
        print!("{}", cli::render_text(&response));
    }
    ExitCode::SUCCESS
}

async fn serve(brain: Brain, addr: std::net::SocketAddr, state_dir: PathBuf, api_token: Option<String>) -> ExitCode {
    let store: Arc<dyn ConversationStore> = match RedbStore::open(&state_dir) {
        Ok(s) => Arc::new(s),
        Err(e) => return fail(e),
    };
    let shutdown = CancellationToken::new();
    let metrics = Arc::new(Metrics::default());
    let coordinator =
        match Coordinator::start(brain, store, coordinator::Config::default(), metrics.clone(), shutdown.child_token())
        {
            Ok(c) => c,
            Err(e) => return fail(e),
        };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => return fail(format!("cannot listen on {addr}: {e}")),
    };
    let local = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| addr.to_string());
    eprintln!("adsai: listening on http://{local} (state in {})", state_dir.display());
    let config = http::Config { token: api_token.filter(|t| !t.is_empty()), ..http::Config::default() };
    let server = tokio::spawn(http::serve(listener, coordinator, metrics, config, shutdown.clone()));
    wait_for_signal().await;
    eprintln!("adsai: shutting down");
    shutdown.cancel();
    match server.await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => fail(e),
        Err(e) => fail(e),
    }
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
