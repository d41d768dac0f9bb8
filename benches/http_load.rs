//! Load benchmark of the HTTP API: one-shot plans per second and latency percentiles, with a
//! Rust client on the same machine (both share its two cores, so the figures are conservative).
//!
//! `cargo bench --bench http_load` (env `ADSAI_LOAD_REQUESTS`, default 40,000;
//! `ADSAI_LOAD_CONCURRENCY`, default 32). The README reports the figures.
//!
//! The client is what a load generator such as wrk or oha is: one HTTP/1.1 connection per
//! worker, requests sent on it in turn, each response read whole and its status checked.
//! `ADSAI_LOAD_CLIENT=pooled` runs hyper's pooled client instead (a connection pool checked
//! out per request, the URL parsed per request), which costs more of the shared cores; the
//! README reports both.

use std::sync::Arc;
use std::time::{Duration, Instant};

use adsai::brain::Brain;
use adsai::coordinator::{self, Coordinator};
use adsai::store::MemoryStore;
use adsai::surface::http;
use adsai::telemetry::Metrics;
use bytes::{Buf, Bytes};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
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

/// How requests reach the server.
#[derive(Clone, Copy)]
enum Kind {
    /// One connection per worker (what wrk and oha do).
    Connection,
    /// hyper's pooled client.
    Pooled,
}

fn main() {
    let requests = env("ADSAI_LOAD_REQUESTS", 40_000);
    let concurrency = env("ADSAI_LOAD_CONCURRENCY", 32);
    let kind = match std::env::var("ADSAI_LOAD_CLIENT").as_deref() {
        Ok("pooled") => Kind::Pooled,
        Ok("connection") | Err(_) => Kind::Connection,
        Ok(other) => panic!("ADSAI_LOAD_CLIENT is `connection` or `pooled`, not {other:?}"),
    };
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
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(http::serve(listener, c, metrics, http::Config::default(), shutdown.clone()));
        let bodies: Vec<Bytes> = BRIEFS
            .iter()
            .map(|b| Bytes::from(serde_json::json!({"text": b, "today": "2026-11-23"}).to_string()))
            .collect();
        let load = Load { addr, bodies, concurrency, kind };
        // Warm up connections and caches.
        let warm = requests.min(2_000);
        load.run(warm).await;
        let started = Instant::now();
        let mut latencies = load.run(requests).await;
        let elapsed = started.elapsed();
        latencies.sort();
        let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];
        let client = match kind {
            Kind::Connection => "a connection per worker",
            Kind::Pooled => "hyper's pooled client",
        };
        println!(
            "http_load: {requests} one-shot plans, concurrency {concurrency}, {client}: {:.0} plans/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            requests as f64 / elapsed.as_secs_f64(),
            pct(0.5).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3
        );
        shutdown.cancel();
    });
}

struct Load {
    addr: std::net::SocketAddr,
    bodies: Vec<Bytes>,
    concurrency: usize,
    kind: Kind,
}

impl Load {
    /// Sends `requests` plans over `concurrency` workers; each request's latency.
    async fn run(&self, requests: usize) -> Vec<Duration> {
        let per_worker = requests / self.concurrency;
        let pooled = Client::builder(TokioExecutor::new()).pool_max_idle_per_host(self.concurrency).build_http();
        let url: hyper::Uri = format!("http://{}/v1/plans", self.addr).parse().expect("url");
        let host = hyper::header::HeaderValue::from_str(&self.addr.to_string()).expect("host");
        let mut tasks = Vec::new();
        for w in 0..self.concurrency {
            let (kind, addr, bodies) = (self.kind, self.addr, self.bodies.clone());
            let (url, host, pooled) = (url.clone(), host.clone(), pooled.clone());
            tasks.push(tokio::spawn(async move {
                let mut out = Vec::with_capacity(per_worker);
                let mut sender = match kind {
                    Kind::Connection => Some(connect(addr).await),
                    Kind::Pooled => None,
                };
                for i in 0..per_worker {
                    let body = bodies[(w + i) % bodies.len()].clone();
                    let t = Instant::now();
                    let resp = match sender.as_mut() {
                        Some(s) => {
                            let req = hyper::Request::post("/v1/plans")
                                .header("host", host.clone())
                                .header("content-type", "application/json")
                                .body(Full::new(body));
                            s.ready().await.expect("connection");
                            s.send_request(req.expect("request")).await.expect("response")
                        }
                        None => {
                            let req = hyper::Request::post(url.clone())
                                .header("content-type", "application/json")
                                .body(Full::new(body));
                            pooled.request(req.expect("request")).await.expect("response")
                        }
                    };
                    assert_eq!(resp.status(), 200);
                    let body = resp.into_body().collect().await.expect("body").aggregate();
                    assert!(body.remaining() > 0, "an answer");
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
}

/// One HTTP/1.1 connection, its driver spawned.
async fn connect(addr: std::net::SocketAddr) -> hyper::client::conn::http1::SendRequest<Full<Bytes>> {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
    tokio::spawn(async move {
        let _ = conn.await;
    });
    sender
}
