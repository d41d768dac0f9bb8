//! The route table: each route's path pattern (`{id}` is one path segment), the methods it
//! answers, whether it needs the bearer token, and its handler. [`dispatch`] finds the route
//! (404), checks the method (405 with `Allow`; `HEAD` is a `GET` whose body hyper leaves out)
//! and the token (401), then runs the handler; a handler returns `Result<Reply, ApiError>`.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::json;

use super::error::{ApiError, STORE_RETRY_AFTER};
use super::reply::{file_response, json_response, respond, ApiBody, Reply};
use super::request::{
    authorised, export_format, idempotency_key, parse_today, read_json, wants_stream, CreateBody, MessageBody, PlanBody,
};
use super::State;
use crate::coordinator::{Answer, CoordError};
use crate::export;
use crate::message::Message;

/// What a handler gets: the request, the shared state, and the `{id}` segment (if any).
struct Call {
    req: Request<Incoming>,
    state: Arc<State>,
    id: String,
}

type Handled = Pin<Box<dyn Future<Output = Result<Reply, ApiError>> + Send>>;

/// One route.
struct Route {
    /// The path, also the route's label in the metrics.
    pattern: &'static str,
    /// What it answers, as the `Allow` header says it.
    methods: &'static str,
    /// Answered without the bearer token (health and metrics stay open).
    open: bool,
    handler: fn(Call) -> Handled,
}

/// Every route the API has.
const ROUTES: &[Route] = &[
    Route { pattern: "/healthz", methods: "GET, HEAD", open: true, handler: healthz },
    Route { pattern: "/readyz", methods: "GET, HEAD", open: true, handler: readyz },
    Route { pattern: "/metrics", methods: "GET, HEAD", open: true, handler: metrics },
    Route { pattern: "/v1/plans", methods: "POST", open: false, handler: plan },
    Route { pattern: "/v1/conversations", methods: "POST", open: false, handler: create },
    Route { pattern: "/v1/conversations/{id}/messages", methods: "POST", open: false, handler: message },
    Route { pattern: "/v1/conversations/{id}/chart.png", methods: "GET, HEAD", open: false, handler: chart },
    Route { pattern: "/v1/conversations/{id}/export", methods: "GET, HEAD", open: false, handler: export_file },
    Route { pattern: "/v1/conversations/{id}", methods: "GET, HEAD", open: false, handler: view },
];

/// The label of requests that match no route.
const NO_ROUTE: &str = "other";

/// The route for a path (a trailing `/` ignored) and its `{id}` segment.
fn find(path: &str) -> Option<(&'static Route, String)> {
    let given = path.trim_end_matches('/');
    ROUTES.iter().find_map(|r| {
        let (mut pattern, mut segments) = (r.pattern.split('/'), given.split('/'));
        let mut id = "";
        loop {
            match (pattern.next(), segments.next()) {
                (None, None) => return Some((r, id.to_string())),
                (Some("{id}"), Some(g)) => id = g,
                (Some(p), Some(g)) if p == g => {}
                _ => return None,
            }
        }
    })
}

/// Answers a request: its route's label (for the metrics) and the reply.
pub(super) async fn dispatch(req: Request<Incoming>, state: &Arc<State>, path: &str) -> (&'static str, Reply) {
    let Some((route, id)) = find(path) else { return (NO_ROUTE, ApiError::not_found(path).into_reply()) };
    let reply = match check(&req, state, route) {
        Ok(()) => (route.handler)(Call { req, state: state.clone(), id }).await,
        Err(e) => Err(e),
    };
    (route.pattern, reply.unwrap_or_else(ApiError::into_reply))
}

/// The method (`HEAD` counts as `GET`) and, unless the route is open, the bearer token.
fn check(req: &Request<Incoming>, state: &State, route: &Route) -> Result<(), ApiError> {
    let method = if req.method() == Method::HEAD { Method::GET } else { req.method().clone() };
    if !route.methods.split(", ").any(|m| m == method.as_str()) {
        let message = format!("{} is not allowed on {}", req.method(), route.pattern);
        return Err(ApiError {
            allow: Some(route.methods),
            ..ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", message)
        });
    }
    if !route.open && !authorised(req, &state.config.token) {
        let e = ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "a valid bearer token is required");
        return Err(ApiError { challenge: true, ..e });
    }
    Ok(())
}

fn healthz(_: Call) -> Handled {
    Box::pin(async { Ok(json_response(StatusCode::OK, &json!({"status": "ok"}))) })
}

fn readyz(call: Call) -> Handled {
    Box::pin(async move {
        let state = &call.state;
        if state.draining.load(Ordering::SeqCst) {
            return Ok(json_response(StatusCode::SERVICE_UNAVAILABLE, &json!({"status": "draining"})));
        }
        if !state.coordinator.store_healthy().await {
            let mut r = json_response(StatusCode::SERVICE_UNAVAILABLE, &json!({"status": "store_unavailable"}));
            r.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static(STORE_RETRY_AFTER));
            return Ok(r);
        }
        let rows = state.coordinator.brain().index().rows();
        Ok(json_response(StatusCode::OK, &json!({"status": "ready", "history_rows": rows})))
    })
}

fn metrics(call: Call) -> Handled {
    Box::pin(async move {
        let state = &call.state;
        state.coordinator.data().report(&state.metrics);
        let held = state.coordinator.conversations() as f64;
        state.metrics.gauge("adsai_conversations", "Conversations held in memory.", vec![], held);
        let mut r = Response::new(ApiBody::Full(Full::new(Bytes::from(state.metrics.render()))));
        r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
        Ok(r)
    })
}

/// `POST /v1/plans`: a one-shot plan, nothing kept.
fn plan(call: Call) -> Handled {
    Box::pin(async move {
        let Call { req, state, .. } = call;
        let stream = wants_stream(&req);
        idempotency_key(&req)?;
        let coordinator = state.coordinator.clone();
        let body: PlanBody = read_json(req, state.config.body_limit, None).await?;
        let today = parse_today(body.today.as_deref(), &coordinator)?;
        let message = Message::parse(body.text)?;
        Ok(respond(stream, StatusCode::OK, move |events| async move {
            coordinator.one_shot(message, today, events).await.map(|t| Answer::Fresh(Box::new(t)))
        })
        .await)
    })
}

/// `POST /v1/conversations`: `201 {"id"}` (once per idempotency key).
fn create(call: Call) -> Handled {
    Box::pin(async move {
        let Call { req, state, .. } = call;
        let key = idempotency_key(&req)?;
        let coordinator = &state.coordinator;
        let body: CreateBody = read_json(req, state.config.body_limit, Some(CreateBody::default())).await?;
        let today = parse_today(body.today.as_deref(), coordinator)?;
        let id = match key {
            Some(k) => coordinator.create_once(&k, today).await?.id,
            None => coordinator.create(None, today).await?,
        };
        Ok(json_response(StatusCode::CREATED, &json!({"id": id})))
    })
}

/// `POST /v1/conversations/{id}/messages`: the plan after the message, with its changes.
fn message(call: Call) -> Handled {
    Box::pin(async move {
        let Call { req, state, id } = call;
        let stream = wants_stream(&req);
        let key = idempotency_key(&req)?;
        let coordinator = state.coordinator.clone();
        let body: MessageBody = read_json(req, state.config.body_limit, None).await?;
        if !coordinator.try_exists(&id).await? {
            return Err(CoordError::NotFound(id).into());
        }
        let message = Message::parse(body.text)?;
        Ok(respond(stream, StatusCode::OK, move |events| async move {
            coordinator.message_once(&id, message, key.as_deref(), events).await
        })
        .await)
    })
}

/// `GET /v1/conversations/{id}`: brief, plan and past messages.
fn view(call: Call) -> Handled {
    Box::pin(async move {
        idempotency_key(&call.req)?;
        let view = call.state.coordinator.get(&call.id).await?;
        Ok(json_response(StatusCode::OK, &view))
    })
}

/// `GET /v1/conversations/{id}/chart.png`: the budget→reach curve.
fn chart(call: Call) -> Handled {
    Box::pin(async move {
        idempotency_key(&call.req)?;
        let view = call.state.coordinator.get(&call.id).await?;
        let bytes = export::chart::png(&view.response).map_err(export_error)?;
        Ok(file_response(bytes, "image/png", "adsai-curve.png"))
    })
}

/// `GET /v1/conversations/{id}/export?format=…`: the plan as a file.
fn export_file(call: Call) -> Handled {
    Box::pin(async move {
        idempotency_key(&call.req)?;
        // The format is checked before the conversation is read.
        let format = export_format(&call.req)?;
        let view = call.state.coordinator.get(&call.id).await?;
        let bytes = export::render(format, &view.response).map_err(export_error)?;
        Ok(file_response(bytes, format.content_type(), &format!("adsai-plan.{}", format.extension())))
    })
}

fn export_error(e: export::ExportError) -> ApiError {
    match e {
        export::ExportError::NoCurve => ApiError::new(StatusCode::CONFLICT, "no_plan", e.to_string()),
        other => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "export_failed", other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_find_their_route_and_id() {
        let cases = [
            ("/healthz", Some(("/healthz", ""))),
            ("/v1/plans/", Some(("/v1/plans", ""))),
            ("/v1/conversations", Some(("/v1/conversations", ""))),
            ("/v1/conversations/c_9", Some(("/v1/conversations/{id}", "c_9"))),
            ("/v1/conversations/c_9/messages", Some(("/v1/conversations/{id}/messages", "c_9"))),
            ("/v1/conversations/x/chart.png", Some(("/v1/conversations/{id}/chart.png", "x"))),
            ("/v1/conversations/x/export", Some(("/v1/conversations/{id}/export", "x"))),
            ("/v1/conversations/x/other", None),
            ("/v2/plans", None),
            ("/", None),
        ];
        for (path, want) in cases {
            let got = find(path).map(|(r, id)| (r.pattern, id));
            assert_eq!(got, want.map(|(p, id)| (p, id.to_string())), "{path}");
        }
    }

    #[test]
    fn open_routes_are_exactly_health_and_metrics() {
        let open: Vec<&str> = ROUTES.iter().filter(|r| r.open).map(|r| r.pattern).collect();
        assert_eq!(open, ["/healthz", "/readyz", "/metrics"]);
    }
}
