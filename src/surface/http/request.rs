//! What a request carries: its JSON body (size and time limits, `invalid_json` vs
//! `invalid_request`), its `Idempotency-Key`, its reference date, whether it wants a stream,
//! whether its bearer token is right, and an export's `format`.

use std::time::Duration;

use chrono::NaiveDate;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH};
use hyper::{Request, StatusCode};
use serde::Deserialize;
use serde_json::Value;

use super::error::ApiError;
use crate::coordinator::Coordinator;
use crate::export;

/// Time a client has to send a request body.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

pub(super) fn authorised(req: &Request<Incoming>, token: &Option<String>) -> bool {
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

pub(super) fn wants_stream(req: &Request<Incoming>) -> bool {
    req.headers().get(ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/event-stream"))
}

#[derive(Deserialize)]
pub(super) struct PlanBody {
    pub(super) text: String,
    #[serde(default)]
    pub(super) today: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct CreateBody {
    #[serde(default)]
    pub(super) today: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct MessageBody {
    pub(super) text: String,
}

/// The request's `Idempotency-Key` (1–255 visible ASCII characters), if any.
pub(super) fn idempotency_key(req: &Request<Incoming>) -> Result<Option<String>, ApiError> {
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

pub(super) async fn read_json<T: for<'de> Deserialize<'de>>(
    req: Request<Incoming>,
    limit: usize,
    empty_ok: Option<T>,
) -> Result<T, ApiError> {
    // A declared length over the limit is refused before a byte of the body is read.
    let declared = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError { close: true, ..ApiError::too_large(limit) });
    }
    let body = tokio::time::timeout(BODY_TIMEOUT, Limited::new(req.into_body(), limit).collect())
        .await
        .map_err(|_| {
            ApiError::new(StatusCode::REQUEST_TIMEOUT, "body_timeout", "the request body was not sent in time")
        })?
        .map_err(|e| {
            if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() {
                ApiError::too_large(limit)
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
pub(super) fn parse_today(s: Option<&str>, coordinator: &Coordinator) -> Result<NaiveDate, ApiError> {
    match s {
        None => Ok(coordinator.today()),
        Some(t) => crate::brain::parse_today(t)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_date", format!("`today` is {e}"))),
    }
}

/// The `format` query parameter of an export: `csv`, `xlsx` or `spotify`.
pub(super) fn export_format(req: &Request<Incoming>) -> Result<export::ExportFormat, ApiError> {
    let query = req.uri().query().unwrap_or_default();
    let given = query.split('&').find_map(|kv| kv.strip_prefix("format=")).unwrap_or("");
    export::ExportFormat::parse(given)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_format", e.to_string()))
}
