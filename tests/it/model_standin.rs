//! A local OpenAI-compatible chat-completions server on 127.0.0.1 for the model-backed
//! specialists: `POST /chat/completions` answers by the `response_format.json_schema.name` of the
//! request (the specialist) from answers the test sets, and can be told to misbehave — be slow,
//! answer 500 or 429 (with `Retry-After`), return text that is not JSON, or break the schema.
//! A behaviour or an answer can also be tied to a marker word of the planner's message, so one
//! run of many messages (`plan --jsonl`) meets a different failure on each. It records every
//! request so tests can see what was asked.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;

/// How the stand-in answers the next requests.
#[derive(Debug, Clone, PartialEq)]
pub enum Behaviour {
    /// The answer set for the schema name (or 404 when none is set).
    Answer,
    /// Waits this long, then answers.
    Slow(Duration),
    /// HTTP 500 for the next `n` requests, then answers.
    Fail500(u32),
    /// HTTP 429 with `Retry-After: 0` for the next `n` requests, then answers.
    Limit429(u32),
    /// A 200 whose message content is not JSON.
    Malformed,
}

#[derive(Default)]
struct State {
    answers: HashMap<String, Value>,
    behaviour: Option<Behaviour>,
    /// (marker, behaviour): for messages holding the marker, always.
    marked: Vec<(String, Behaviour)>,
    /// (marker, schema name, answer): for messages holding the marker.
    marked_answers: Vec<(String, String, Value)>,
    requests: Vec<Value>,
    /// Requests being answered, by the planner's message they carry.
    in_flight: HashMap<String, usize>,
    /// The most different messages answered at once.
    peak_messages: usize,
}

/// A running stand-in; dropped with the test's runtime.
#[derive(Clone)]
pub struct ModelStandIn {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl ModelStandIn {
    /// Starts on a free port of 127.0.0.1.
    pub async fn start() -> ModelStandIn {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
        let url = format!("http://{}/v1", listener.local_addr().expect("local addr"));
        let state: Arc<Mutex<State>> = Arc::default();
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(handle(state, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        ModelStandIn { url, state }
    }

    /// Sets the JSON object answered to the specialist `name`.
    pub fn answer(&self, name: &str, answer: Value) {
        self.lock().answers.insert(name.to_string(), answer);
    }

    /// Sets how the next requests are answered.
    pub fn behave(&self, b: Behaviour) {
        self.lock().behaviour = Some(b);
    }

    /// Answers every request whose message holds `marker` this way (a `Fail500`/`Limit429` count
    /// is ignored: those messages always fail).
    pub fn behave_when(&self, marker: &str, b: Behaviour) {
        self.lock().marked.push((marker.to_string(), b));
    }

    /// Answers `answer` to the specialist `name` for messages holding `marker`.
    pub fn answer_when(&self, marker: &str, name: &str, answer: Value) {
        self.lock().marked_answers.push((marker.to_string(), name.to_string(), answer));
    }

    /// The specialists asked so far (schema names, in order of arrival).
    pub fn asked(&self) -> Vec<String> {
        let name = |r: &Value| r.pointer("/response_format/json_schema/name").and_then(Value::as_str).map(String::from);
        self.lock().requests.iter().map(|r| name(r).unwrap_or_default()).collect()
    }

    /// The request bodies received so far.
    pub fn requests(&self) -> Vec<Value> {
        self.lock().requests.clone()
    }

    /// The most requests for different planner's messages that were being answered at once.
    pub fn peak_messages(&self) -> usize {
        self.lock().peak_messages
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn reply(status: StatusCode, body: Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert("content-type", "application/json".parse().expect("header"));
    r
}

fn completion(model: &str, content: String) -> Value {
    json!({
        "id": "chatcmpl-standin",
        "object": "chat.completion",
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150},
    })
}

async fn handle(state: Arc<Mutex<State>>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    if req.uri().path() != "/v1/chat/completions" {
        return reply(StatusCode::NOT_FOUND, json!({"error": {"message": "no such route"}}));
    }
    let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return reply(StatusCode::BAD_REQUEST, json!({"error": {"message": "body is not JSON"}}));
    };
    let name = request.pointer("/response_format/json_schema/name").and_then(Value::as_str).unwrap_or("").to_string();
    let model = request.get("model").and_then(Value::as_str).unwrap_or("standin").to_string();
    let said = request.pointer("/messages/1/content").and_then(Value::as_str).unwrap_or("").to_string();
    let _answering = Answering::new(&state, &said);
    let (behaviour, answer) = {
        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
        s.requests.push(request.clone());
        let marked = s.marked.iter().find(|(m, _)| said.contains(m.as_str())).map(|(_, b)| b.clone());
        let behaviour = match marked {
            Some(b) => b,
            None => {
                let behaviour = s.behaviour.clone().unwrap_or(Behaviour::Answer);
                // Count down the failures that last a number of requests.
                s.behaviour = match behaviour.clone() {
                    Behaviour::Fail500(n) if n > 1 => Some(Behaviour::Fail500(n - 1)),
                    Behaviour::Limit429(n) if n > 1 => Some(Behaviour::Limit429(n - 1)),
                    Behaviour::Fail500(_) | Behaviour::Limit429(_) => Some(Behaviour::Answer),
                    other => Some(other),
                };
                behaviour
            }
        };
        let marked_answer = s.marked_answers.iter().find(|(m, n, _)| said.contains(m.as_str()) && *n == name);
        let answer = marked_answer.map(|(_, _, a)| a.clone()).or_else(|| s.answers.get(&name).cloned());
        (behaviour, answer)
    };
    match behaviour {
        Behaviour::Fail500(_) => {
            return reply(StatusCode::INTERNAL_SERVER_ERROR, json!({"error": {"message": "boom"}}))
        }
        Behaviour::Limit429(_) => {
            let mut r = reply(StatusCode::TOO_MANY_REQUESTS, json!({"error": {"message": "slow down"}}));
            r.headers_mut().insert("retry-after", "0".parse().expect("header"));
            return r;
        }
        Behaviour::Malformed => {
            return reply(StatusCode::OK, completion(&model, "Sure! Here is the budget: 5k".into()))
        }
        Behaviour::Slow(d) => tokio::time::sleep(d).await,
        Behaviour::Answer => {}
    }
    if name.is_empty() {
        // A plain completion (`adsai model check`).
        return reply(StatusCode::OK, completion(&model, "ok".into()));
    }
    match answer {
        Some(a) => reply(StatusCode::OK, completion(&model, a.to_string())),
        None => reply(StatusCode::NOT_FOUND, json!({"error": {"message": format!("no answer set for {name}")}})),
    }
}

/// A request being answered, counted under its message until it is dropped (on every path).
struct Answering {
    state: Arc<Mutex<State>>,
    said: String,
}

impl Answering {
    fn new(state: &Arc<Mutex<State>>, said: &str) -> Answering {
        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
        *s.in_flight.entry(said.to_string()).or_default() += 1;
        s.peak_messages = s.peak_messages.max(s.in_flight.len());
        Answering { state: state.clone(), said: said.to_string() }
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = s.in_flight.get_mut(&self.said) {
            *n -= 1;
            if *n == 0 {
                s.in_flight.remove(&self.said);
            }
        }
    }
}
