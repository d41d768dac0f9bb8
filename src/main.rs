//! The `adsai` binary: parses flags, sets up logging, and hands over to the library.

use std::io::{IsTerminal, Read};
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
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Plan { text, json, jsonl, today } => {
            let today = today.unwrap_or_else(|| chrono::Local::now().date_naive());
            let brain = Brain::default();
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
