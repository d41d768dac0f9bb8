//! The `adsai` binary: parses flags, sets up logging, and hands over to the library.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use adsai::brain::Brain;
use adsai::conversation::Conversation;
use adsai::surface::cli;

#[derive(Parser)]
#[command(name = "adsai", version, about = "Plain-English ad briefs in, data-backed media plans out")]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
        /// History CSV (SPEC §4) to plan from instead of the embedded default.
        #[arg(long)]
        history: Option<PathBuf>,
        /// Markets CSV (SPEC §4) instead of the embedded default.
        #[arg(long)]
        markets: Option<PathBuf>,
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
                Err(e) => {
                    eprintln!("adsai: cannot write to {}: {e}", out.display());
                    ExitCode::from(2)
                }
            }
        }
        Command::Plan { text, json, jsonl, today, history, markets } => {
            let today = today.unwrap_or_else(|| chrono::Local::now().date_naive());
            let brain = match (history, markets) {
                (None, None) => Brain::default(),
                (Some(h), m) => match Brain::from_files(&h, m.as_deref()) {
                    Ok((brain, report)) => {
                        if report.skipped > 0 {
                            eprintln!("adsai: {}: skipped {} bad rows:", h.display(), report.skipped);
                            for p in &report.problems {
                                eprintln!("  {p}");
                            }
                        }
                        brain
                    }
                    Err(e) => {
                        eprintln!("adsai: {e}");
                        return ExitCode::from(2);
                    }
                },
                (None, Some(_)) => {
                    eprintln!(
                        "adsai: --markets needs --history (the embedded history is tied to the embedded markets)"
                    );
                    return ExitCode::from(2);
                }
            };
            if jsonl {
                let stdin = std::io::stdin();
                return match cli::run_jsonl(&brain, stdin.lock(), std::io::stdout().lock(), today) {
                    Ok((_, 0)) => ExitCode::SUCCESS,
                    Ok((ok, failed)) => {
                        eprintln!("adsai: {failed} of {} requests failed (see their error objects)", ok + failed);
                        ExitCode::from(1)
                    }
                    Err(e) => {
                        eprintln!("adsai: {e}");
                        ExitCode::from(2)
                    }
                };
            }
            let messages = if text.is_empty() {
                if std::io::stdin().is_terminal() {
                    eprintln!("adsai: give a brief, e.g. adsai plan \"awareness in Germany, €5k, 30 days\"");
                    return ExitCode::from(2);
                }
                let mut buf = Vec::new();
                if let Err(e) = std::io::stdin().read_to_end(&mut buf) {
                    eprintln!("adsai: cannot read standard input: {e}");
                    return ExitCode::from(2);
                }
                match String::from_utf8(buf) {
                    Ok(s) => vec![s],
                    Err(_) => {
                        eprintln!("adsai: standard input is not valid UTF-8");
                        return ExitCode::from(2);
                    }
                }
            } else {
                text
            };
            let mut conv = Conversation::new(today);
            let mut last = None;
            for m in &messages {
                match brain.handle(&mut conv, m) {
                    Ok(r) => last = Some(r),
                    Err(e) => {
                        eprintln!("adsai: {e}");
                        return ExitCode::from(2);
                    }
                }
            }
            let Some(response) = last else { return ExitCode::from(2) };
            if json {
                match serde_json::to_string_pretty(&response) {
                    Ok(s) => println!("{s}"),
                    Err(e) => {
                        eprintln!("adsai: {e}");
                        return ExitCode::from(2);
                    }
                }
            } else {
                print!("{}", cli::render_text(&response));
            }
            ExitCode::SUCCESS
        }
    }
}
