//! Benchmarks of the planner: one plan from a loaded index, and loading + indexing a large
//! history. Run with `cargo bench --bench plan`; the README reports the figures. The history
//! size defaults to 1,000,000 rows (`ADSAI_BENCH_ROWS` overrides it).
use std::sync::OnceLock;

use adsai::brain::Brain;
use adsai::conversation::Conversation;
use adsai::markets::Markets;
use adsai::plan::history;
use adsai::plan::index::IndexBuilder;
use adsai::plan::synth::{write_history, GenOptions};
use chrono::NaiveDate;

/// The allocator of the `adsai` binary (src/main.rs), so the bench allocates as the product does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn conversation(brain: &Brain, text: &str) -> Conversation {
    let mut conv = Conversation::new(NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"));
    brain.handle(&mut conv, text).expect("valid brief");
    conv
}

/// One plan for an understood brief, from the embedded default index.
#[divan::bench(args = [
    "awareness among 18-24 year olds in Germany, €5,000, 30 days",
    "app installs in the US, iOS and Android, $40k, 30 days",
    "leads, Nordics, EUR 40k, 90 days, 25-44, no more than 20% on video",
])]
fn plan(b: divan::Bencher, text: &str) {
    let brain = Brain::default();
    let conv = conversation(&brain, text);
    b.bench(|| brain.plan(divan::black_box(&conv)));
}

/// A generated history file, written once per generator version (`-v2`: reach curve, city column).
fn history_file() -> &'static std::path::Path {
    static FILE: OnceLock<std::path::PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let rows = std::env::var("ADSAI_BENCH_ROWS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
        let path = std::env::temp_dir().join(format!("adsai-bench-history-{rows}-v2.csv"));
        if !path.exists() {
            let file = std::fs::File::create(&path).expect("temp file");
            let opts = GenOptions { rows, ..GenOptions::default() };
            write_history(std::io::BufWriter::new(file), Markets::embedded().all(), &opts).expect("write history");
        }
        path
    })
}

/// Load, validate and index the whole history file (the server's start-up and reload path).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn load_and_index(b: divan::Bencher) {
    let path = history_file();
    b.bench(|| {
        let file = std::fs::File::open(path).expect("history file");
        let mut builder = IndexBuilder::default();
        history::load_each(std::io::BufReader::with_capacity(1 << 20, file), "bench.csv", |r| builder.add(&r))
            .expect("valid history");
        builder.finish()
    });
}
