//! HTTP API surface (hyper 1): JSON in, the docs/brief.md §3 object out, progress as server-sent events.
//!
//! Files: this one holds the settings and the server loop (accept, time limits, drain);
//! `routes.rs` the route table and its handlers; `request.rs` what a request carries (bodies,
//! keys, dates, the token); `reply.rs` response bodies, JSON, files and the SSE stream;
//! `error.rs` [`error::ApiError`], where every failure becomes its status and code.
//!
//! | route | |
//! |---|---|
//! | `POST /v1/plans` `{"text", "today"?}` | one-shot plan, nothing kept |
//! | `POST /v1/conversations` `{"today"?}` | `201 {"id"}` |
//! | `POST /v1/conversations/{id}/messages` `{"text"}` | plan after the message, with `changes` |
//! | `GET /v1/conversations/{id}` | brief, plan and past messages |
//! | `GET /v1/conversations/{id}/chart.png` | the plan's budget→reach curve as a PNG |
//! | `GET /v1/conversations/{id}/export?format=csv\|xlsx\|spotify` | the plan as a file |
//! | `GET /healthz`, `GET /readyz`, `GET /metrics` | liveness, readiness, Prometheus text |
//!
//! `Accept: text/event-stream` on the POSTs streams `specialist` events and ends with `plan`.
//! Errors are `{"error": {"code", "message"}}` with a stable code, mapped in one place
//! ([`error::ApiError`]); a store failure is `503 store_unavailable` with `Retry-After`, never a
//! 404. `Idempotency-Key` on the two conversation POSTs makes a retry return the first answer
//! (same status, same body) without applying anything again. `HEAD` works on every `GET`
//! route, a 405 names the allowed methods in `Allow`, and a `Content-Length` over the body limit
//! is refused (413) before the body is read. The server drains in-flight requests on shutdown,
//! within a time limit.

mod error;
mod reply;
mod request;
mod routes;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::coordinator::Coordinator;
use crate::telemetry::Metrics;

pub use reply::ApiBody;
use reply::Reply;

#[derive(Debug, Clone)]
pub struct Config {
    /// Bearer token required on `/v1/…` when set.
    pub token: Option<String>,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// How long shutdown waits for in-flight requests.
    pub drain_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config { token: None, body_limit: 64 * 1024, drain_timeout: Duration::from_secs(10) }
    }
}

impl Config {
    /// The API's settings from `[http]` (an empty token is no token).
    pub fn from_settings(s: &crate::settings::Http) -> Config {
        Config {
            token: s.api_token.as_ref().map(|t| t.expose().to_string()).filter(|t| !t.is_empty()),
            body_limit: s.body_limit_bytes,
            drain_timeout: Duration::from_secs(s.drain_timeout_secs),
        }
    }
}

/// Time a client has to send a request head.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// What every handler shares.
struct State {
    coordinator: Coordinator,
    metrics: Arc<Metrics>,
    config: Config,
    draining: AtomicBool,
}

/// Serves the API on `listener` until `shutdown`, then drains in-flight requests.
pub async fn serve(
    listener: TcpListener,
    coordinator: Coordinator,
    metrics: Arc<Metrics>,
    config: Config,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let drain_timeout = config.drain_timeout;
    let state = Arc::new(State { coordinator, metrics, config, draining: AtomicBool::new(false) });
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let (stream, peer) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        // Answers and stream events go out as soon as they are written, not held for the
        // client's acknowledgement of the one before (Nagle's algorithm).
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
        let state = state.clone();
        let service = hyper::service::service_fn(move |req| {
            let state = state.clone();
            async move { Ok::<_, Infallible>(route(req, state, peer).await) }
        });
        // A client gets HEADER_TIMEOUT to send its request head (no slow-loris connections).
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    state.draining.store(true, Ordering::SeqCst);
    if tokio::time::timeout(drain_timeout, graceful.shutdown()).await.is_err() {
        tracing::warn!("shutdown: in-flight requests did not finish within {drain_timeout:?}");
    }
    Ok(())
}

/// Answers one request through the route table and counts it by route and status.
async fn route(req: Request<Incoming>, state: Arc<State>, peer: SocketAddr) -> Reply {
    let started = Instant::now();
    let method = req.method().clone();
    // The URI shares the request's buffer: a clone holds the path without copying it.
    let uri = req.uri().clone();
    let (label, reply) = routes::dispatch(req, &state, uri.path()).await;
    let status = reply.status().as_u16().to_string();
    state.metrics.count(
        "adsai_http_requests_total",
        "HTTP requests by route and status.",
        vec![("route", label.to_string()), ("status", status)],
        1,
    );
    state.metrics.observe_fixed(
        "adsai_http_request_seconds",
        "HTTP request latency by route (time to the response head for streams).",
        ("route", label),
        started.elapsed(),
    );
    tracing::debug!(%peer, %method, route = label, status = reply.status().as_u16(), "request");
    reply
}
