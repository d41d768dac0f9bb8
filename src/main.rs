//! The `adsai` binary: parses the flags, loads the settings once (defaults → file →
//! environment → flags), and hands the job to [`adsai::app::run`], which does the rest.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use adsai::app::{Job, PlanJob};
use adsai::settings::Settings;
use adsai::surface::cli;

/// mimalloc instead of the system allocator: a plan makes many small strings and lists, and
/// glibc's per-thread arenas spent a tenth of a request in malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// History CSV (docs/brief.md §4) to plan from instead of the embedded default.
    #[arg(long)]
    history: Option<PathBuf>,
    /// Markets CSV (docs/brief.md §4) instead of the embedded default (with --history).
    #[arg(long)]
    markets: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Plan a brief. Several TEXT arguments are one conversation: each a follow-up of the one before.
    Plan {
        /// The brief (and follow-ups). Read from standard input when absent.
        text: Vec<String>,
        /// Print the docs/brief.md §3 JSON object instead of the readable summary.
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

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
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
    override_settings(&mut settings, &cli.command);
    let job = match cli.command {
        Command::Config { command: ConfigCommand::Check } => Job::ConfigCheck,
        Command::Model { command: ModelCommand::Check } => Job::ModelCheck,
        Command::Data { command: DataCommand::Generate { rows, seed, out } } => Job::Generate { rows, seed, out },
        Command::Plan { text, json, jsonl, today, chart, export, .. } => {
            Job::Plan(PlanJob { text, jsonl, today, output: cli::Output { json, chart, export } })
        }
        Command::Serve { .. } => Job::Serve,
    };
    adsai::app::run(settings, job)
}

/// Flags override the file and the environment.
fn override_settings(settings: &mut Settings, command: &Command) {
    match command {
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
    if let Command::Serve { http, slack, state_dir, .. } = command {
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
}
