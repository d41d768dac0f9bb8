//! [`ApiError`]: the one place a failure becomes HTTP — its status, its stable code, the
//! message a client may see (internals stay in the log) and the headers that go with it
//! (`Retry-After` after a store failure, `Allow` on a 405, the Bearer challenge on a 401,
//! `Connection: close` when the body was left unread). Handlers return `Result<Reply, ApiError>`
//! and use `?`.

use hyper::header::{HeaderValue, ALLOW, CONNECTION, RETRY_AFTER, WWW_AUTHENTICATE};
use hyper::StatusCode;
use serde_json::json;

use super::reply::{json_response, Reply};
use crate::coordinator::CoordError;
use crate::message::InputError;

/// Seconds a client should wait before retrying after a store failure.
pub(super) const STORE_RETRY_AFTER: &str = "1";

/// A request that cannot be served.
#[derive(Debug)]
pub(super) struct ApiError {
    pub(super) status: StatusCode,
    pub(super) code: &'static str,
    pub(super) message: String,
    /// Close the connection after the reply (the request's body was left unread).
    pub(super) close: bool,
    /// `Retry-After` (a store failure: nothing was changed, try again shortly).
    pub(super) retry: bool,
    /// `Allow` on a 405.
    pub(super) allow: Option<&'static str>,
    /// `WWW-Authenticate: Bearer` on a 401.
    pub(super) challenge: bool,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), close: false, retry: false, allow: None, challenge: false }
    }

    /// The error as a response: `{"error": {"code", "message"}}` and its headers.
    pub(super) fn into_reply(self) -> Reply {
        let mut r = error_response(self.status, self.code, self.message);
        let headers = r.headers_mut();
        if self.close {
            headers.insert(CONNECTION, HeaderValue::from_static("close"));
        }
        if self.retry {
            headers.insert(RETRY_AFTER, HeaderValue::from_static(STORE_RETRY_AFTER));
        }
        if let Some(allow) = self.allow {
            headers.insert(ALLOW, HeaderValue::from_static(allow));
        }
        if self.challenge {
            headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }

    pub(super) fn not_found(path: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no route {path}"))
    }

    pub(super) fn too_large(limit: usize) -> ApiError {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", format!("the body is over {limit} bytes"))
    }
}

/// The `{"error": {"code", "message"}}` body with its status.
pub(super) fn error_response(status: StatusCode, code: &str, message: impl Into<String>) -> Reply {
    json_response(status, &json!({"error": {"code": code, "message": message.into()}}))
}

/// What a user is told about a coordinator error (internals stay in the log).
pub(super) fn coord_message(e: &CoordError) -> String {
    match e {
        CoordError::Store(inner) => {
            tracing::error!(error = %inner, "store failure");
            "the conversation store is unavailable; nothing was changed; try again shortly".to_string()
        }
        other => other.to_string(),
    }
}

impl From<CoordError> for ApiError {
    fn from(e: CoordError) -> ApiError {
        let status = match &e {
            CoordError::Input(_) => StatusCode::UNPROCESSABLE_ENTITY,
            CoordError::NotFound(_) => StatusCode::NOT_FOUND,
            CoordError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            CoordError::Store(_) | CoordError::Closed => StatusCode::SERVICE_UNAVAILABLE,
        };
        ApiError { retry: matches!(e, CoordError::Store(_)), ..ApiError::new(status, e.code(), coord_message(&e)) }
    }
}

impl From<InputError> for ApiError {
    fn from(e: InputError) -> ApiError {
        ApiError::from(CoordError::Input(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_has_its_status_code_and_headers() {
        let cases = [
            (ApiError::from(InputError::Empty), 422, "empty_message"),
            (ApiError::from(CoordError::NotFound("c1".into())), 404, "not_found"),
            (ApiError::from(CoordError::Closed), 503, "shutting_down"),
            (ApiError::from(CoordError::Internal), 500, "internal"),
            (ApiError::too_large(1024), 413, "body_too_large"),
            (ApiError::not_found("/nope"), 404, "not_found"),
        ];
        for (e, status, code) in cases {
            assert_eq!((e.status.as_u16(), e.code), (status, code));
            let r = e.into_reply();
            assert_eq!(r.status().as_u16(), status);
            assert!(r.headers().get(RETRY_AFTER).is_none());
        }
        let store = ApiError::from(CoordError::Store(crate::store::StoreError::unavailable("redb", "disk gone")));
        assert!(!store.message.contains("disk gone"), "internals stay in the log");
        let r = store.into_reply();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()[RETRY_AFTER], STORE_RETRY_AFTER);
        let r =
            ApiError { allow: Some("POST"), challenge: true, close: true, ..ApiError::not_found("/x") }.into_reply();
        assert_eq!(r.headers()[ALLOW], "POST");
        assert_eq!(r.headers()[WWW_AUTHENTICATE], "Bearer");
        assert_eq!(r.headers()[CONNECTION], "close");
    }
}
