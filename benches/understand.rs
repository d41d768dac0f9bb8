//! Benchmark of understanding alone: messages through the router and the specialists, on one
//! thread. Run with `cargo bench --bench understand`; the README reports the figures.
use adsai::understand::understand;
use chrono::NaiveDate;

fn main() {
    divan::main();
}

/// Our own benchmark briefs (first messages and follow-ups), one per line.
const CORPUS: &str = include_str!("../fixtures/bench_briefs.txt");

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid date")
}

/// The whole corpus once per iteration: divan's throughput is briefs per second.
#[divan::bench]
fn corpus(b: divan::Bencher) {
    let briefs: Vec<&str> = CORPUS.lines().filter(|l| !l.trim().is_empty()).collect();
    let _ = understand("warm up the lexicons", today());
    b.counter(divan::counter::ItemsCount::new(briefs.len())).bench(|| {
        for m in &briefs {
            divan::black_box(understand(divan::black_box(m), today()));
        }
    });
}

/// The worst case the surfaces accept: a 4,000-character rambling message.
#[divan::bench]
fn longest_message(b: divan::Bencher) {
    let long: String = CORPUS.lines().cycle().take(60).collect::<Vec<_>>().join(". ");
    let long: String = long.chars().take(adsai::brain::MAX_MESSAGE_CHARS).collect();
    let _ = understand("warm up the lexicons", today());
    b.bench(|| understand(divan::black_box(&long), today()));
}
