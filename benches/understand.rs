//! Benchmark of understanding alone: one message through the router and the specialists.
fn main() {
    divan::main();
}

const BRIEFS: &[&str] = &[
    "I want to grow brand awareness among 18–24 year olds in Germany with a €5,000 budget over 30 days",
    "We need traffic to our online store. Drive clicks from women 25-44 in France, 8k EUR, 3 weeks starting Monday.",
    "Could we do half a million dollars for boomers in Florida in Q1? It's an awareness play.",
    "max 3k GBP, London, 18-24 year olds, Black Friday through Cyber Monday, we want sales",
    "make it 8k",
];

#[divan::bench(args = BRIEFS)]
fn understand(b: divan::Bencher, brief: &str) {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let _ = adsai::understand::understand("warm up", today);
    b.bench(|| adsai::understand::understand(divan::black_box(brief), today));
}
