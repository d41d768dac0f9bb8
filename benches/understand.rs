//! Benchmark of understanding alone: messages through the router and the specialists, on one
//! thread. Run with `cargo bench --bench understand`; the README reports the figures.
use adsai::understand::understand;
use chrono::NaiveDate;

/// The allocator of the `adsai` binary (src/main.rs), so the bench allocates as the product does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// Adversarial shapes at the length limit (the same as `tests/it/props.rs` guards): the worst
/// case per message. Each is 4,000 characters.
const ADVERSARIAL: &[(&str, &str)] = &[
    ("digits_and_separators", "1,2.3-4/5 6:7–8%9$0k "),
    ("k", "k"),
    ("single_word", "abcdefghijklmnopqrstuvwxyz"),
    ("ages_18_24", "18-24 "),
    ("cue_words", "budget reach Germany 5k 30 days "),
    ("dates", "from Feb 30 to Q9 until yesterday "),
    ("unicode", "Deutschland 🇩🇪 €5k \u{202E}e\u{301} "),
    ("unknown_places", "in Zzyzx "),
    ("genres_and_places", "hip-hop fans in Deutschland "),
    ("all_ages_genders", "ages 0-17 all genders "),
    ("format_cues", "audio only no video "),
];

/// One adversarial shape, repeated to exactly `MAX_MESSAGE_CHARS` characters.
#[divan::bench(args = ADVERSARIAL.iter().map(|(name, _)| *name))]
fn adversarial(b: divan::Bencher, name: &str) {
    let unit = ADVERSARIAL.iter().find(|(n, _)| *n == name).map_or("k", |(_, u)| *u);
    let message: String = unit.chars().cycle().take(adsai::brain::MAX_MESSAGE_CHARS).collect();
    let _ = understand("warm up the lexicons", today());
    b.bench(|| understand(divan::black_box(&message), today()));
}
