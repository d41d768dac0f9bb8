//! Load benchmark of the HTTP API: one-shot plans per second and latency percentiles, with a
//! Rust client on the same machine (both share its two cores, so the figures are conservative).
//!
//! `cargo bench --bench http_load` (env `ADSAI_LOAD_REQUESTS`, default 40,000;
//! `ADSAI_LOAD_CONCURRENCY`, default 32). The README reports the figures.

use std::sync::Arc;
use std::time::{Duration, Instant};

use adsai::brain::Brain;
use adsai::coordinator::{self, Coordinator};
use adsai::store::MemoryStore;
use adsai::surface::http;
use adsai::telemetry::Metrics;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio_util::sync::CancellationToken;

/// The allocator of the `adsai` binary (src/main.rs), so the server here allocates as it does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BRIEFS: &[&str] = &[
    "I want to grow brand awareness among 18–24 year olds in Germany with a €5,000 budget over 30 days",
    "We need traffic to our online store. Drive clicks from women 25-44 in France, 8k EUR, 3 weeks starting Monday.",
    "app installs in the US, iOS and Android, $40k, 30 days",
    "leads, Nordics, EUR 40k, 90 days, 25-44, no more than 20% on video",
];

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let requests = env("ADSAI_LOAD_REQUESTS", 40_000);
    let concurrency = env("ADSAI_LOAD_CONCURRENCY", 32);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(async move {
        let shutdown = CancellationToken::new();
        let metrics = Arc::new(Metrics::default());
        let c = Coordinator::start(
            Brain::default(),
            Arc::new(MemoryStore::default()),
            coordinator::Config::default(),
            metrics.clone(),
            shutdown.clone(),
        )
        .expect("coordinator");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/v1/plans", listener.local_addr().expect("addr"));
        tokio::spawn(http::serve(listener, c, metrics, http::Config::default(), shutdown.clone()));
        let client = Client::builder(TokioExecutor::new()).pool_max_idle_per_host(concurrency).build_http();
        let bodies: Vec<Bytes> = BRIEFS
            .iter()
            .map(|b| Bytes::from(serde_json::json!({"text": b, "today": "2026-11-23"}).to_string()))
            .collect();
        // Warm up connections and caches.
        let warm = requests.min(2_000);
        run(&client, &url, &bodies, warm, concurrency).await;
        let started = Instant::now();
        let mut latencies = run(&client, &url, &bodies, requests, concurrency).await;
        let elapsed = started.elapsed();
        latencies.sort();
        let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];
        println!(
            "http_load: {requests} one-shot plans, concurrency {concurrency}: {:.0} plans/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            requests as f64 / elapsed.as_secs_f64(),
            pct(0.5).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3
        );
        shutdown.cancel();
    });
}

async fn run(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    url: &str,
    bodies: &[Bytes],
    requests: usize,
    concurrency: usize,
) -> Vec<Duration> {
    let per_worker = requests / concurrency;
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let client = client.clone();
        let url = url.to_string();
        let bodies = bodies.to_vec();
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::with_capacity(per_worker);
            for i in 0..per_worker {
                let body = bodies[(w + i) % bodies.len()].clone();
                let req = hyper::Request::post(&url).header("content-type", "application/json").body(Full::new(body));
                let t = Instant::now();
                let resp = client.request(req.expect("request")).await.expect("response");
                assert_eq!(resp.status(), 200);
                let _ = resp.into_body().collect().await.expect("body");
                out.push(t.elapsed());
            }
            out
        }));
    }
    let mut all = Vec::with_capacity(requests);
    for t in tasks {
        all.extend(t.await.expect("worker"));
    }
    all
}
