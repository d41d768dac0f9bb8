//! HTTP API surface (hyper 1): JSON in, the SPEC §3 object out, progress as server-sent events.
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
//! ([`error_response`]); a store failure is `503 store_unavailable` with `Retry-After`, never a
//! 404. `Idempotency-Key` on the two conversation POSTs makes a retry return the first answer
//! (same status, same body) without applying anything again. `HEAD` works on every `GET`
//! route, a 405 names the allowed methods in `Allow`, and a `Content-Length` over the body limit
//! is refused (413) before the body is read. The server drains in-flight requests on shutdown,
//! within a time limit.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::NaiveDate;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Body, Frame, Incoming};
use hyper::header::{HeaderValue, ACCEPT, ALLOW, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::coordinator::{Answer, CoordError, Coordinator, Event};
use crate::export;
use crate::message::Message;
use crate::telemetry::Metrics;

/// HTTP settings.
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
/// Time a client has to send a request body.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

struct State {
    coordinator: Coordinator,
    metrics: Arc<Metrics>,
    config: Config,
    draining: AtomicBool,
}

/// A response body: a whole buffer, or a stream of server-sent events.
pub enum ApiBody {
    Full(Full<Bytes>),
    Stream(mpsc::Receiver<Bytes>),
}

impl Body for ApiBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            ApiBody::Full(b) => Pin::new(b).poll_frame(cx),
            ApiBody::Stream(rx) => rx.poll_recv(cx).map(|o| o.map(|b| Ok(Frame::data(b)))),
        }
    }
}

type Reply = Response<ApiBody>;

fn json_response(status: StatusCode, v: &impl serde::Serialize) -> Reply {
    let bytes = serde_json::to_vec(v).unwrap_or_default();
    let mut r = Response::new(ApiBody::Full(Full::new(Bytes::from(bytes))));
    *r.status_mut() = status;
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// A request that cannot be served, before it reaches the coordinator.
struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// Close the connection after the reply (the request's body was left unread).
    close: bool,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), close: false }
    }

    fn reply(self) -> Reply {
        let mut r = error_response(self.status, self.code, self.message);
        if self.close {
            r.headers_mut().insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
        }
        r
    }
}

/// The one place errors become HTTP.
fn error_response(status: StatusCode, code: &str, message: impl Into<String>) -> Reply {
    json_response(status, &json!({"error": {"code": code, "message": message.into()}}))
}

/// What a user is told about a coordinator error (internals stay in the log).
fn coord_message(e: &CoordError) -> String {
    match e {
        CoordError::Store(inner) => {
            tracing::error!(error = %inner, "store failure");
            "the conversation store is unavailable; nothing was changed; try again shortly".to_string()
        }
        other => other.to_string(),
    }
}

/// Seconds a client should wait before retrying after a store failure.
const STORE_RETRY_AFTER: &str = "1";

fn coord_error(e: &CoordError) -> Reply {
    let status = match e {
        CoordError::Input(_) => StatusCode::UNPROCESSABLE_ENTITY,
        CoordError::NotFound(_) => StatusCode::NOT_FOUND,
        CoordError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        CoordError::Store(_) | CoordError::Closed => StatusCode::SERVICE_UNAVAILABLE,
    };
    let mut r = error_response(status, e.code(), coord_message(e));
    if matches!(e, CoordError::Store(_)) {
        r.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static(STORE_RETRY_AFTER));
    }
    r
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

fn route_label(method: &Method, path: &str) -> &'static str {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    match (method, parts.as_slice()) {
        (_, ["", "healthz"]) => "/healthz",
        (_, ["", "readyz"]) => "/readyz",
        (_, ["", "metrics"]) => "/metrics",
        (_, ["", "v1", "plans"]) => "/v1/plans",
        (_, ["", "v1", "conversations"]) => "/v1/conversations",
        (_, ["", "v1", "conversations", _, "messages"]) => "/v1/conversations/{id}/messages",
        (_, ["", "v1", "conversations", _, "chart.png"]) => "/v1/conversations/{id}/chart.png",
        (_, ["", "v1", "conversations", _, "export"]) => "/v1/conversations/{id}/export",
        (_, ["", "v1", "conversations", _]) => "/v1/conversations/{id}",
        _ => "other",
    }
}

async fn route(req: Request<Incoming>, state: Arc<State>, peer: SocketAddr) -> Reply {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let label = route_label(&method, &path);
    let reply = dispatch(req, &state, label, &path).await;
    let status = reply.status().as_u16().to_string();
    state.metrics.count(
        "adsai_http_requests_total",
        "HTTP requests by route and status.",
        vec![("route", label.to_string()), ("status", status)],
        1,
    );
    state.metrics.observe(
        "adsai_http_request_seconds",
        "HTTP request latency by route (time to the response head for streams).",
        vec![("route", label.to_string())],
        started.elapsed(),
    );
    tracing::debug!(%peer, %method, route = label, status = reply.status().as_u16(), "request");
    reply
}

fn authorised(req: &Request<Incoming>, token: &Option<String>) -> bool {
    let Some(token) = token else { return true };
    let Some(given) = req.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else { return false };
    // The scheme is case-insensitive (RFC 9110 §11.1).
    let Some((scheme, given)) = given.trim().split_once(' ') else { return false };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return false;
    }
    let given = given.trim();
    // Constant-time comparison.
    given.len() == token.len() && given.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

fn wants_stream(req: &Request<Incoming>) -> bool {
    req.headers().get(ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/event-stream"))
}

#[derive(Deserialize)]
struct PlanBody {
    text: String,
    #[serde(default)]
    today: Option<String>,
}

#[derive(Deserialize, Default)]
struct CreateBody {
    #[serde(default)]
    today: Option<String>,
}

#[derive(Deserialize)]
struct MessageBody {
    text: String,
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", format!("the body is over {limit} bytes"))
}

/// The request's `Idempotency-Key` (1–255 visible ASCII characters), if any.
fn idempotency_key(req: &Request<Incoming>) -> Result<Option<String>, ApiError> {
    let Some(v) = req.headers().get("idempotency-key") else { return Ok(None) };
    let key = v.to_str().ok().map(str::trim).filter(|k| (1..=255).contains(&k.len()));
    match key {
        Some(k) if k.bytes().all(|b| b.is_ascii_graphic()) => Ok(Some(k.to_string())),
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_idempotency_key",
            "Idempotency-Key must be 1 to 255 visible ASCII characters",
        )),
    }
}

async fn read_json<T: for<'de> Deserialize<'de>>(
    req: Request<Incoming>,
    limit: usize,
    empty_ok: Option<T>,
) -> Result<T, ApiError> {
    // A declared length over the limit is refused before a byte of the body is read.
    let declared = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError { close: true, ..too_large(limit) });
    }
    let body = tokio::time::timeout(BODY_TIMEOUT, Limited::new(req.into_body(), limit).collect())
        .await
        .map_err(|_| {
            ApiError::new(StatusCode::REQUEST_TIMEOUT, "body_timeout", "the request body was not sent in time")
        })?
        .map_err(|e| {
            if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() {
                too_large(limit)
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "bad_body", "the request body could not be read")
            }
        })?;
    let bytes = body.to_bytes();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        if let Some(v) = empty_ok {
            return Ok(v);
        }
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        let code = if serde_json::from_slice::<Value>(&bytes).is_ok() { "invalid_request" } else { "invalid_json" };
        ApiError::new(StatusCode::BAD_REQUEST, code, e.to_string())
    })
}

/// The request's reference date, else the coordinator's "today".
fn parse_today(s: Option<&str>, coordinator: &Coordinator) -> Result<NaiveDate, ApiError> {
    match s {
        None => Ok(coordinator.today()),
        Some(t) => crate::brain::parse_today(t)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_date", format!("`today` is {e}"))),
    }
}

/// The methods a route answers (`HEAD` wherever `GET` is).
fn allowed_methods(label: &str) -> &'static str {
    match label {
        "/v1/plans" | "/v1/conversations" | "/v1/conversations/{id}/messages" => "POST",
        _ => "GET, HEAD",
    }
}

async fn dispatch(req: Request<Incoming>, state: &Arc<State>, label: &'static str, path: &str) -> Reply {
    // HEAD is a GET whose body hyper leaves out.
    let method = if req.method() == Method::HEAD { Method::GET } else { req.method().clone() };
    if label == "other" {
        return error_response(StatusCode::NOT_FOUND, "not_found", format!("no route {path}"));
    }
    let allowed = allowed_methods(label);
    if !allowed.split(", ").any(|m| m == method.as_str()) {
        let mut r = error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("{} is not allowed on {label}", req.method()),
        );
        r.headers_mut().insert(ALLOW, HeaderValue::from_static(allowed));
        return r;
    }
    match label {
        "/healthz" => return json_response(StatusCode::OK, &json!({"status": "ok"})),
        "/readyz" => {
            return if state.draining.load(Ordering::SeqCst) {
                json_response(StatusCode::SERVICE_UNAVAILABLE, &json!({"status": "draining"}))
            } else if !state.coordinator.store_healthy().await {
                let mut r = json_response(StatusCode::SERVICE_UNAVAILABLE, &json!({"status": "store_unavailable"}));
                r.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static(STORE_RETRY_AFTER));
                r
            } else {
                json_response(
                    StatusCode::OK,
                    &json!({"status": "ready", "history_rows": state.coordinator.brain().index().rows()}),
                )
            };
        }
        "/metrics" => {
            state.coordinator.data().report(&state.metrics);
            state.metrics.gauge(
                "adsai_conversations",
                "Conversations held in memory.",
                vec![],
                state.coordinator.conversations() as f64,
            );
            let mut r = Response::new(ApiBody::Full(Full::new(Bytes::from(state.metrics.render()))));
            r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
            return r;
        }
        _ => {}
    }
    if !authorised(&req, &state.config.token) {
        let mut r = error_response(StatusCode::UNAUTHORIZED, "unauthorized", "a valid bearer token is required");
        r.headers_mut().insert("www-authenticate", HeaderValue::from_static("Bearer"));
        return r;
    }
    match route_api(req, state, label, path).await {
        Ok(r) => r,
        Err(e) => e.reply(),
    }
}

/// The `/v1/…` routes, once authorised.
async fn route_api(
    req: Request<Incoming>,
    state: &Arc<State>,
    label: &'static str,
    path: &str,
) -> Result<Reply, ApiError> {
    let id = path.trim_end_matches('/').split('/').nth(3).unwrap_or("").to_string();
    let stream = wants_stream(&req);
    let limit = state.config.body_limit;
    let coordinator = state.coordinator.clone();
    let key = idempotency_key(&req)?;
    Ok(match label {
        "/v1/plans" => {
            let body: PlanBody = read_json(req, limit, None).await?;
            let today = parse_today(body.today.as_deref(), &coordinator)?;
            let message = match Message::parse(body.text) {
                Ok(m) => m,
                Err(e) => return Ok(coord_error(&e.into())),
            };
            respond(stream, StatusCode::OK, move |events| async move {
                coordinator.one_shot(message, today, events).await.map(|t| Answer::Fresh(Box::new(t)))
            })
            .await
        }
        "/v1/conversations" => {
            let body: CreateBody = read_json(req, limit, Some(CreateBody::default())).await?;
            let today = parse_today(body.today.as_deref(), &coordinator)?;
            let created = match key {
                Some(k) => coordinator.create_once(&k, today).await.map(|c| c.id),
                None => coordinator.create(None, today).await,
            };
            match created {
                Ok(id) => json_response(StatusCode::CREATED, &json!({"id": id})),
                Err(e) => coord_error(&e),
            }
        }
        "/v1/conversations/{id}/messages" => {
            let body: MessageBody = read_json(req, limit, None).await?;
            match coordinator.try_exists(&id).await {
                Ok(true) => {}
                Ok(false) => return Ok(coord_error(&CoordError::NotFound(id))),
                Err(e) => return Ok(coord_error(&e)),
            }
            let message = match Message::parse(body.text) {
                Ok(m) => m,
                Err(e) => return Ok(coord_error(&e.into())),
            };
            respond(stream, StatusCode::OK, move |events| async move {
                coordinator.message_once(&id, message, key.as_deref(), events).await
            })
            .await
        }
        "/v1/conversations/{id}" => match coordinator.get(&id).await {
            Ok(view) => json_response(StatusCode::OK, &view),
            Err(e) => coord_error(&e),
        },
        "/v1/conversations/{id}/chart.png" | "/v1/conversations/{id}/export" => {
            // The format is checked before the conversation is read.
            let format = match label {
                "/v1/conversations/{id}/export" => Some(export_format(&req)?),
                _ => None,
            };
            let view = match coordinator.get(&id).await {
                Ok(v) => v,
                Err(e) => return Ok(coord_error(&e)),
            };
            let (bytes, content_type, name) = match format {
                Some(f) => {
                    (export::render(f, &view.response), f.content_type(), format!("adsai-plan.{}", f.extension()))
                }
                None => (export::chart::png(&view.response), "image/png", "adsai-curve.png".to_string()),
            };
            let bytes = bytes.map_err(|e| match e {
                export::ExportError::NoCurve => ApiError::new(StatusCode::CONFLICT, "no_plan", e.to_string()),
                other => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "export_failed", other.to_string()),
            })?;
            file_response(bytes, content_type, &name)
        }
        _ => error_response(StatusCode::NOT_FOUND, "not_found", format!("no route {path}")),
    })
}

/// The `format` query parameter of an export: `csv`, `xlsx` or `spotify`.
fn export_format(req: &Request<Incoming>) -> Result<export::ExportFormat, ApiError> {
    let query = req.uri().query().unwrap_or_default();
    let given = query.split('&').find_map(|kv| kv.strip_prefix("format=")).unwrap_or("");
    export::ExportFormat::parse(given)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_format", e.to_string()))
}

/// A file as the response body, with its type and a download name.
fn file_response(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Reply {
    let mut r = Response::new(ApiBody::Full(Full::new(Bytes::from(bytes))));
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert("content-disposition", v);
    }
    r
}

fn sse(event: &str, data: &Value) -> Bytes {
    Bytes::from(format!("event: {event}\ndata: {}\n\n", serde_json::to_string(data).unwrap_or_default()))
}

/// Runs a coordinator call and answers with its JSON, or streams its progress as SSE.
async fn respond<F, Fut>(stream: bool, status: StatusCode, call: F) -> Reply
where
    F: FnOnce(Option<mpsc::Sender<Event>>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<Answer, CoordError>> + Send + 'static,
{
    if !stream {
        return match call(None).await {
            Ok(Answer::Fresh(turn)) => json_response(status, &*turn),
            Ok(Answer::Repeat(body)) => {
                let mut r = Response::new(ApiBody::Full(Full::new(Bytes::from(body))));
                *r.status_mut() = status;
                r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                r
            }
            Err(e) => coord_error(&e),
        };
    }
    let (events_tx, mut events_rx) = mpsc::channel::<Event>(16);
    let (body_tx, body_rx) = mpsc::channel::<Bytes>(16);
    tokio::spawn(async move {
        let call = tokio::spawn(call(Some(events_tx)));
        while let Some(ev) = events_rx.recv().await {
            let frame = match ev {
                Event::Specialist { specialist, finding, elapsed } => sse(
                    "specialist",
                    &json!({"specialist": specialist, "finding": finding, "ms": elapsed.as_secs_f64() * 1000.0}),
                ),
                Event::Failed { specialist, reason } => {
                    sse("specialist_failed", &json!({"specialist": specialist, "reason": reason}))
                }
                Event::Plan(turn) => sse("plan", &serde_json::to_value(&*turn).unwrap_or(Value::Null)),
            };
            if body_tx.send(frame).await.is_err() {
                return;
            }
        }
        match call.await {
            Ok(Err(e)) => {
                let error = json!({"error": {"code": e.code(), "message": coord_message(&e)}});
                let _ = body_tx.send(sse("error", &error)).await;
            }
            // A retry: the kept answer, as the one `plan` event.
            Ok(Ok(Answer::Repeat(body))) => {
                let kept: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let _ = body_tx.send(sse("plan", &kept)).await;
            }
            _ => {}
        }
    });
    let mut r = Response::new(ApiBody::Stream(body_rx));
    *r.status_mut() = status;
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    r.headers_mut().insert("cache-control", HeaderValue::from_static("no-cache"));
    r
}
