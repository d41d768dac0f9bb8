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
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper::header::HeaderValue;
use hyper::{Response, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
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

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Connection => "a connection per worker",
            Kind::Pooled => "hyper's pooled client",
        }
    }
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
        let bodies: Arc<[Bytes]> = BRIEFS
            .iter()
            .map(|b| Bytes::from(serde_json::json!({"text": b, "today": "2026-11-23"}).to_string()))
            .collect();
        // Each worker's client is made once: the warm-up opens the connections the run uses.
        let pool = Client::builder(TokioExecutor::new()).pool_max_idle_per_host(concurrency).build_http();
        let mut senders = Vec::with_capacity(concurrency);
        for _ in 0..concurrency {
            senders.push(Sender::open(kind, addr, &pool).await);
        }
        let (senders, _) = run(senders, &bodies, requests.min(2_000)).await;
        let started = Instant::now();
        let (_, mut latencies) = run(senders, &bodies, requests).await;
        let elapsed = started.elapsed();
        latencies.sort();
        let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];
        // What was sent: `requests` rounded down to a whole number a worker.
        let sent = latencies.len();
        println!(
            "http_load: {sent} one-shot plans, concurrency {concurrency}, {}: {:.0} plans/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            kind.describe(),
            sent as f64 / elapsed.as_secs_f64(),
            pct(0.5).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3
        );
        shutdown.cancel();
    });
}

/// One worker's way to the server.
enum Sender {
    /// Its own HTTP/1.1 connection (the `Host` header written once).
    Connection { send: SendRequest<Full<Bytes>>, host: HeaderValue },
    /// The shared pool (boxed: it is several times the size of a connection's sender), and
    /// the URL it parses per request.
    Pooled { client: Box<Client<HttpConnector, Full<Bytes>>>, url: Uri },
}

impl Sender {
    async fn open(kind: Kind, addr: std::net::SocketAddr, pool: &Client<HttpConnector, Full<Bytes>>) -> Sender {
        match kind {
            Kind::Connection => {
                let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
                stream.set_nodelay(true).expect("nodelay");
                let (send, conn) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
                tokio::spawn(async move {
                    let _ = conn.await;
                });
                Sender::Connection { send, host: HeaderValue::from_str(&addr.to_string()).expect("host") }
            }
            Kind::Pooled => {
                let url = format!("http://{addr}/v1/plans").parse().expect("url");
                Sender::Pooled { client: Box::new(pool.clone()), url }
            }
        }
    }

    /// Posts one plan request.
    async fn post(&mut self, body: Bytes) -> Response<Incoming> {
        match self {
            Sender::Connection { send, host } => {
                let req = hyper::Request::post("/v1/plans")
                    .header("host", host.clone())
                    .header("content-type", "application/json")
                    .body(Full::new(body))
                    .expect("request");
                send.ready().await.expect("connection");
                send.send_request(req).await.expect("response")
            }
            Sender::Pooled { client, url } => {
                let req = hyper::Request::post(url.clone())
                    .header("content-type", "application/json")
                    .body(Full::new(body))
                    .expect("request");
                client.request(req).await.expect("response")
            }
        }
    }
}

/// Sends `requests` plans spread over the senders, one worker each; the senders back and each
/// request's latency.
async fn run(senders: Vec<Sender>, bodies: &Arc<[Bytes]>, requests: usize) -> (Vec<Sender>, Vec<Duration>) {
    let per_worker = requests / senders.len();
    let mut tasks = Vec::with_capacity(senders.len());
    for (w, mut sender) in senders.into_iter().enumerate() {
        let bodies = Arc::clone(bodies);
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::with_capacity(per_worker);
            for i in 0..per_worker {
                let t = Instant::now();
                let resp = sender.post(bodies[(w + i) % bodies.len()].clone()).await;
                assert_eq!(resp.status(), 200);
                let body = resp.into_body().collect().await.expect("body").aggregate();
                assert!(body.remaining() > 0, "an answer");
                out.push(t.elapsed());
            }
            (sender, out)
        }));
    }
    let (mut senders, mut all) = (Vec::new(), Vec::with_capacity(requests));
    for t in tasks {
        let (sender, latencies) = t.await.expect("worker");
        senders.push(sender);
        all.extend(latencies);
    }
    (senders, all)
}
