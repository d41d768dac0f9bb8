//! What goes back: the response body (a whole buffer or a stream of server-sent events),
//! JSON and file responses, and [`respond`], which runs a coordinator call and answers with its
//! JSON or streams its progress.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::{Body, Frame};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::error::{coord_message, ApiError};
use crate::coordinator::{Answer, CoordError, Event};

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

/// A response.
pub(super) type Reply = Response<ApiBody>;

/// `v` as a JSON response; a value that cannot be encoded is a 500, never an empty body.
pub(super) fn json_response(status: StatusCode, v: &impl serde::Serialize) -> Reply {
    let (status, bytes) = match crate::present::to_json(v) {
        Ok(b) => (status, b),
        Err(e) => {
            tracing::error!(error = %e, "a response could not be encoded");
            let body = json!({"error": {"code": "internal", "message": "the response could not be encoded"}});
            (StatusCode::INTERNAL_SERVER_ERROR, body.to_string().into_bytes())
        }
    };
    let mut r = Response::new(ApiBody::Full(Full::new(Bytes::from(bytes))));
    *r.status_mut() = status;
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// A file as the response body, with its type and a download name.
pub(super) fn file_response(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Reply {
    let mut r = Response::new(ApiBody::Full(Full::new(Bytes::from(bytes))));
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert("content-disposition", v);
    }
    r
}

fn sse(event: &str, data: &Value) -> Bytes {
    // A `Value` always encodes (its Display is its JSON): no empty event on a failure.
    Bytes::from(format!("event: {event}\ndata: {data}\n\n"))
}

/// Runs a coordinator call and answers with its JSON, or streams its progress as SSE.
pub(super) async fn respond<F, Fut>(stream: bool, status: StatusCode, call: F) -> Reply
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
            Err(e) => ApiError::from(e).into_reply(),
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
