//! The HTTP side: the Web API (`/api/<method>`: auth, rate limits, the methods the bot uses),
//! `response_url`s (`/resp/<id>`) and upload URLs (`/upload/<file id>`), and form decoding.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Map, Value};
use tokio::net::TcpListener;

use super::blockkit::{non_string_metadata_keys, validate_blocks};
use super::handle::Inner;
use super::internals::next_ts;
use super::socket::until_shutdown;
use super::state::{
    Ephemeral, Message, MetadataViolation, PendingFile, RecordedCall, ResponsePost, ResponseUrl, SharedFile,
    StandInState,
};

/// Largest request body the HTTP side accepts (Slack's own limit is higher; our bot never
/// gets near it). A constant, not configuration.
pub(super) const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// How often Slack lets a `response_url` be used.
pub(super) const RESPONSE_URL_MAX_USES: u32 = 5;

pub(super) type HttpResponse = Response<Full<Bytes>>;

pub(super) async fn http_accept_loop(inner: Arc<Inner>, listener: TcpListener) {
    let mut shutdown = inner.shutdown.subscribe();
    loop {
        let accepted = tokio::select! {
            _ = until_shutdown(&mut shutdown) => return,
            a = listener.accept() => a,
        };
        let stream = match accepted {
            Ok((s, _)) => s,
            Err(e) => {
                eprintln!("slack stand-in: http accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let conn_inner = inner.clone();
        let mut conn_shutdown = inner.shutdown.subscribe();
        inner.spawn(async move {
            let svc_inner = conn_inner.clone();
            let service = service_fn(move |req| {
                let inner = svc_inner.clone();
                async move { Ok::<_, Infallible>(handle_http(inner, req).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        eprintln!("slack stand-in: http connection error: {e}");
                    }
                }
                _ = until_shutdown(&mut conn_shutdown) => {}
            }
        });
    }
}

pub(super) fn json_response(status: StatusCode, body: &Value, retry_after: Option<u64>) -> HttpResponse {
    let mut b = Response::builder().status(status).header(CONTENT_TYPE, "application/json; charset=utf-8");
    if let Some(s) = retry_after {
        b = b.header(RETRY_AFTER, s.to_string());
    }
    b.body(Full::new(Bytes::from(body.to_string()))).unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

pub(super) fn text_response(status: StatusCode, body: &'static str) -> HttpResponse {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

pub(super) async fn handle_http(inner: Arc<Inner>, req: Request<Incoming>) -> HttpResponse {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    let content_type = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let auth = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|s| s.trim().to_string());
    let body = match Limited::new(req.into_body(), MAX_BODY_BYTES).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            eprintln!("slack stand-in: reading request body failed: {e}");
            return json_response(StatusCode::BAD_REQUEST, &json!({"ok": false, "error": "invalid_form_data"}), None);
        }
    };

    if let Some(id) = path.strip_prefix("/resp/") {
        return handle_response_url(&inner, id, &body);
    }
    if let Some(id) = path.strip_prefix("/upload/") {
        // The upload URL takes the file's bytes as the body, like Slack's.
        let id = id.to_string();
        let stored = inner.mutate(|st| match st.internals.uploads.get_mut(&id) {
            Some(p) => {
                p.bytes = Some(body.to_vec());
                true
            }
            None => false,
        });
        return if stored {
            text_response(StatusCode::OK, "OK")
        } else {
            text_response(StatusCode::NOT_FOUND, "no such upload")
        };
    }
    let Some(method) = path.strip_prefix("/api/") else {
        return text_response(StatusCode::NOT_FOUND, "not found");
    };
    let method = method.trim_end_matches('/').to_string();

    let mut args = parse_form(&query);
    if content_type.starts_with("application/json") {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(o)) => args.extend(o),
            Ok(_) | Err(_) if body.is_empty() => {}
            _ => {
                return json_response(StatusCode::OK, &json!({"ok": false, "error": "invalid_json"}), None);
            }
        }
    } else if !body.is_empty() {
        args.extend(parse_form(&String::from_utf8_lossy(&body)));
    }
    // Slack accepts JSON-valued fields as JSON strings in form posts.
    for key in ["blocks", "metadata", "attachments", "files"] {
        let decoded = match args.get(key) {
            Some(Value::String(s)) => serde_json::from_str::<Value>(s).ok(),
            _ => None,
        };
        if let Some(v) = decoded {
            args.insert(key.to_string(), v);
        }
    }
    let token = auth.or_else(|| args.get("token").and_then(Value::as_str).map(String::from));
    let args = Value::Object(args);

    let at = Instant::now();
    let (status, response, retry_after, late) = inner.mutate(|st| {
        let (status, response, retry_after) = api_call(&inner, st, &method, &args, token.as_deref());
        st.calls.push(RecordedCall {
            method: method.clone(),
            args: args.clone(),
            token: token.clone(),
            at,
            status: status.as_u16(),
            response: response.clone(),
        });
        let late = match st.internals.slow.get_mut(&method).filter(|(n, _)| *n > 0) {
            Some((n, d)) => {
                *n -= 1;
                Some(*d)
            }
            None => None,
        };
        (status, response, retry_after, late)
    });
    if let Some(d) = late {
        tokio::time::sleep(d).await;
    }
    json_response(status, &response, retry_after)
}

pub(super) fn err(code: &str) -> (StatusCode, Value, Option<u64>) {
    (StatusCode::OK, json!({"ok": false, "error": code}), None)
}

pub(super) fn ok(mut v: Value) -> (StatusCode, Value, Option<u64>) {
    v["ok"] = json!(true);
    (StatusCode::OK, v, None)
}

pub(super) fn arg<'a>(args: &'a Value, key: &str) -> Option<&'a str> {
    args.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

pub(super) fn arg_bool(args: &Value, key: &str) -> bool {
    match args.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true" || s == "1",
        Some(Value::Number(n)) => n.as_u64() == Some(1),
        _ => false,
    }
}

/// One Web API call, under the state lock: auth, rate limit, then the method.
pub(super) fn api_call(
    inner: &Inner,
    st: &mut StandInState,
    method: &str,
    args: &Value,
    token: Option<&str>,
) -> (StatusCode, Value, Option<u64>) {
    let cfg = &inner.config;
    let wants_app = method == "apps.connections.open";
    match token {
        None => return err("not_authed"),
        Some(t) if t == cfg.app_token && !wants_app => return err("not_allowed_token_type"),
        Some(t) if t == cfg.bot_token && wants_app => return err("not_allowed_token_type"),
        Some(t) if t != cfg.app_token && t != cfg.bot_token => return err("invalid_auth"),
        Some(_) => {}
    }
    if let Some((remaining, retry_after)) = st.internals.rate_limits.get_mut(method).filter(|(r, _)| *r > 0) {
        *remaining -= 1;
        let retry_after = *retry_after;
        return (StatusCode::TOO_MANY_REQUESTS, json!({"ok": false, "error": "ratelimited"}), Some(retry_after));
    }
    match method {
        "apps.connections.open" => {
            if st.live_connections >= cfg.max_connections {
                return err("too_many_websockets");
            }
            let ticket = format!("standin-ticket-{}", Inner::next_seq(st));
            st.internals.tickets.insert(ticket.clone());
            ok(json!({"url": format!("ws://{}/socket?ticket={ticket}", inner.ws_addr)}))
        }
        "auth.test" => ok(json!({
            "url": format!("https://{}.slack.com/", cfg.team_domain),
            "team": "Stand-in Workspace",
            "user": "adsai",
            "team_id": cfg.team_id,
            "user_id": cfg.bot_user_id,
            "bot_id": cfg.bot_id,
            "is_enterprise_install": false,
        })),
        "chat.postMessage" => post_message(inner, st, args),
        "chat.update" => update_message(inner, st, args),
        "files.getUploadURLExternal" => {
            let Some(filename) = arg(args, "filename").filter(|f| !f.is_empty()) else {
                return err("invalid_arguments");
            };
            let length = args.get("length").and_then(|l| l.as_u64().or_else(|| l.as_str()?.parse().ok()));
            let Some(length) = length.filter(|&l| l > 0) else {
                return err("invalid_arguments");
            };
            let id = format!("F{:08}", Inner::next_seq(st));
            st.internals
                .uploads
                .insert(id.clone(), PendingFile { filename: filename.into(), length: length as usize, bytes: None });
            ok(json!({"upload_url": format!("http://{}/upload/{id}", inner.http_addr), "file_id": id}))
        }
        "files.completeUploadExternal" => {
            let Some(files) = args.get("files").and_then(Value::as_array) else {
                return err("invalid_arguments");
            };
            let channel = arg(args, "channel_id").map(String::from);
            let thread_ts = arg(args, "thread_ts").map(String::from);
            if thread_ts.is_some() && channel.is_none() {
                return err("invalid_arguments");
            }
            let mut shared = Vec::new();
            for f in files {
                let Some(id) = f.get("id").and_then(Value::as_str) else { return err("invalid_arguments") };
                let Some(p) = st.internals.uploads.get(id) else { return err("file_not_found") };
                let Some(bytes) = p.bytes.clone() else { return err("file_upload_not_completed") };
                if bytes.len() != p.length {
                    return err("file_size_mismatch");
                }
                shared.push(SharedFile {
                    id: id.into(),
                    filename: p.filename.clone(),
                    title: f.get("title").and_then(Value::as_str).map(String::from),
                    channel: channel.clone().unwrap_or_default(),
                    thread_ts: thread_ts.clone(),
                    bytes,
                });
            }
            let listed: Vec<Value> =
                shared.iter().map(|f| json!({"id": f.id, "title": f.title, "name": f.filename})).collect();
            for f in &shared {
                st.internals.uploads.remove(&f.id);
            }
            st.files.extend(shared);
            ok(json!({"files": listed}))
        }
        "chat.delete" => {
            let (Some(channel), Some(ts)) = (arg(args, "channel"), arg(args, "ts")) else {
                return err("message_not_found");
            };
            let before = st.messages.len();
            st.messages.retain(|m| !(m.channel == channel && m.ts == ts));
            if st.messages.len() == before {
                return err("message_not_found");
            }
            ok(json!({"channel": channel, "ts": ts}))
        }
        "chat.postEphemeral" => {
            let Some(channel) = arg(args, "channel") else {
                return err("channel_not_found");
            };
            let Some(user) = arg(args, "user") else {
                return err("user_not_in_channel");
            };
            if let Some(e) = check_content(inner, st, method, args) {
                return e;
            }
            let ts = next_ts(st);
            st.ephemerals.push(Ephemeral {
                channel: channel.into(),
                user: user.into(),
                ts: ts.clone(),
                thread_ts: arg(args, "thread_ts").map(String::from),
                text: arg(args, "text").map(String::from),
                blocks: args.get("blocks").cloned(),
                source: "chat.postEphemeral",
            });
            ok(json!({"message_ts": ts}))
        }
        "conversations.replies" => {
            let (Some(channel), Some(ts)) = (arg(args, "channel"), arg(args, "ts")) else {
                return err("thread_not_found");
            };
            let with_meta = arg_bool(args, "include_all_metadata");
            let thread = st.thread_of(channel, ts);
            let Some(parent) = thread.iter().find(|m| m.ts == ts) else {
                return err("thread_not_found");
            };
            // Asking with a reply's ts gives that reply's thread, as Slack does.
            let root = parent.thread_ts.clone().unwrap_or_else(|| ts.to_string());
            let thread = st.thread_of(channel, &root);
            let msgs: Vec<Value> = thread_json(&thread, &root, with_meta);
            ok(json!({"messages": msgs, "has_more": false, "response_metadata": {"next_cursor": ""}}))
        }
        "conversations.history" => {
            let Some(channel) = arg(args, "channel") else {
                return err("channel_not_found");
            };
            let with_meta = arg_bool(args, "include_all_metadata");
            let inclusive = arg_bool(args, "inclusive");
            let latest = arg(args, "latest").and_then(ts_key);
            let oldest = arg(args, "oldest").and_then(ts_key);
            let limit = args
                .get("limit")
                .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
                .unwrap_or(100) as usize;
            let msgs: Vec<Value> = st
                .messages
                .iter()
                .rev()
                .filter(|m| m.channel == channel && m.thread_ts.as_ref().is_none_or(|t| *t == m.ts))
                .filter(|m| {
                    let k = ts_key(&m.ts).unwrap_or_default();
                    latest.is_none_or(|l| if inclusive { k <= l } else { k < l })
                        && oldest.is_none_or(|o| if inclusive { k >= o } else { k > o })
                })
                .take(limit)
                .map(|m| {
                    let replies: Vec<&Message> = st.thread_of(channel, &m.ts);
                    thread_json(&replies, &m.ts, with_meta).into_iter().next().unwrap_or_else(|| m.to_json(with_meta))
                })
                .collect();
            ok(json!({"messages": msgs, "has_more": false}))
        }
        _ => err("unknown_method"),
    }
}

pub(super) fn ts_key(ts: &str) -> Option<(u64, u64)> {
    let (a, b) = ts.split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// Thread messages as `conversations.replies` shows them: the parent carries `thread_ts`,
/// `reply_count`, `reply_users`, `latest_reply` once it has replies.
pub(super) fn thread_json(thread: &[&Message], root: &str, with_meta: bool) -> Vec<Value> {
    let replies: Vec<&&Message> = thread.iter().filter(|m| m.ts != root).collect();
    thread
        .iter()
        .map(|m| {
            let mut j = m.to_json(with_meta);
            if m.ts == root {
                if !replies.is_empty() {
                    let mut users: Vec<String> = Vec::new();
                    for r in &replies {
                        if let Some(u) = r.user.as_ref().filter(|u| !users.contains(u)) {
                            users.push(u.clone());
                        }
                    }
                    j["thread_ts"] = json!(root);
                    j["reply_count"] = json!(replies.len());
                    j["reply_users_count"] = json!(users.len());
                    j["reply_users"] = json!(users);
                    j["latest_reply"] = json!(replies.last().map(|r| r.ts.clone()));
                }
            } else if let Some(p) = thread.iter().find(|p| p.ts == root) {
                j["parent_user_id"] = json!(p.user);
            }
            j
        })
        .collect()
}

/// Validates text / blocks / metadata of a message-writing call. `Some` is the error answer.
pub(super) fn check_content(
    inner: &Inner,
    st: &mut StandInState,
    method: &str,
    args: &Value,
) -> Option<(StatusCode, Value, Option<u64>)> {
    let cfg = &inner.config;
    let text = arg(args, "text");
    let blocks = args.get("blocks");
    if text.is_none() && (cfg.require_text || blocks.is_none()) {
        return Some(err("no_text"));
    }
    if let Some(b) = blocks {
        let errors = validate_blocks(b);
        if !errors.is_empty() {
            return Some((
                StatusCode::OK,
                json!({"ok": false, "error": "invalid_blocks", "errors": errors,
                       "response_metadata": {"messages": errors}}),
                None,
            ));
        }
    }
    if let Some(md) = args.get("metadata") {
        if md.get("event_type").and_then(Value::as_str).is_none() {
            return Some(err("invalid_metadata_format"));
        }
        let keys = non_string_metadata_keys(md);
        if !keys.is_empty() {
            st.metadata_violations.push(MetadataViolation {
                method: method.into(),
                metadata: md.clone(),
                keys: keys.clone(),
            });
            if cfg.strict_metadata {
                return Some((
                    StatusCode::OK,
                    json!({"ok": false, "error": "invalid_metadata_format",
                           "errors": keys.iter().map(|k| format!(
                               "stand-in: event_payload.{k} is not a string; slack-morphism 2.31 cannot read it back"
                           )).collect::<Vec<_>>()}),
                    None,
                ));
            }
        }
    }
    None
}

pub(super) fn post_message(inner: &Inner, st: &mut StandInState, args: &Value) -> (StatusCode, Value, Option<u64>) {
    let cfg = &inner.config;
    let Some(channel) = arg(args, "channel") else {
        return err("channel_not_found");
    };
    if let Some(e) = check_content(inner, st, "chat.postMessage", args) {
        return e;
    }
    let ts = next_ts(st);
    let msg = Message {
        channel: channel.into(),
        ts: ts.clone(),
        thread_ts: arg(args, "thread_ts").map(String::from),
        user: Some(cfg.bot_user_id.clone()),
        bot_id: Some(cfg.bot_id.clone()),
        subtype: None,
        text: arg(args, "text").map(String::from),
        blocks: args.get("blocks").cloned(),
        metadata: args.get("metadata").cloned(),
        edited_ts: None,
    };
    let mut message = msg.to_json(true);
    message["team"] = json!(cfg.team_id);
    message["app_id"] = json!(cfg.app_id);
    if cfg.echo_bot_messages {
        let ev = inner.message_event(st, &msg);
        st.messages.push(msg);
        inner.push_event(st, ev);
    } else {
        st.messages.push(msg);
    }
    ok(json!({"channel": channel, "ts": ts, "message": message}))
}

pub(super) fn update_message(inner: &Inner, st: &mut StandInState, args: &Value) -> (StatusCode, Value, Option<u64>) {
    let cfg = &inner.config;
    let (Some(channel), Some(ts)) = (arg(args, "channel"), arg(args, "ts")) else {
        return err("message_not_found");
    };
    let Some(idx) = st.messages.iter().position(|m| m.channel == channel && m.ts == ts) else {
        return err("message_not_found");
    };
    if st.messages[idx].bot_id.as_deref() != Some(cfg.bot_id.as_str()) {
        return err("cant_update_message");
    }
    if let Some(e) = check_content(inner, st, "chat.update", args) {
        return e;
    }
    let edited = next_ts(st);
    let m = &mut st.messages[idx];
    m.text = arg(args, "text").map(String::from);
    if let Some(b) = args.get("blocks") {
        m.blocks = Some(b.clone());
    }
    if let Some(md) = args.get("metadata") {
        m.metadata = Some(md.clone());
    }
    m.edited_ts = Some(edited);
    let message = m.to_json(true);
    let thread_ts = m.thread_ts.clone();
    let mut resp = json!({"channel": channel, "ts": ts, "text": message["text"], "message": message});
    if let Some(t) = thread_ts {
        resp["thread_ts"] = json!(t);
    }
    ok(resp)
}

pub(super) fn handle_response_url(inner: &Inner, id: &str, body: &[u8]) -> HttpResponse {
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let (status, text) = inner.mutate(|st| {
        let outcome = match st.internals.response_urls.get_mut(id) {
            None => (StatusCode::NOT_FOUND, "no_such_url"),
            Some(r) if r.uses >= RESPONSE_URL_MAX_USES => (StatusCode::NOT_FOUND, "used_url"),
            Some(r) => {
                r.uses += 1;
                (StatusCode::OK, "ok")
            }
        };
        let mut outcome = outcome;
        if outcome.0 == StatusCode::OK {
            if !parsed.is_object() {
                outcome = (StatusCode::BAD_REQUEST, "invalid_payload");
            } else if parsed.get("blocks").is_some_and(|b| !validate_blocks(b).is_empty()) {
                outcome = (StatusCode::BAD_REQUEST, "invalid_blocks");
            }
        }
        let source = if outcome.0 == StatusCode::OK { st.internals.response_urls.get(id).cloned() } else { None };
        if let Some(r) = source {
            apply_response(inner, st, &r, &parsed);
        }
        st.response_posts.push(ResponsePost {
            id: id.to_string(),
            body: parsed.clone(),
            status: outcome.0.as_u16(),
            at: Instant::now(),
        });
        outcome
    });
    text_response(status, text)
}

/// What a `response_url` post does: delete / replace the original, or add a reply.
pub(super) fn apply_response(inner: &Inner, st: &mut StandInState, r: &ResponseUrl, body: &Value) {
    if let Some((ts, ephemeral)) = &r.source {
        if arg_bool(body, "delete_original") {
            if *ephemeral {
                st.ephemerals.retain(|e| e.ts != *ts);
            } else {
                st.messages.retain(|m| m.ts != *ts);
            }
            return;
        }
        if arg_bool(body, "replace_original") {
            let text = body.get("text").and_then(Value::as_str).map(String::from);
            let blocks = body.get("blocks").cloned();
            if *ephemeral {
                if let Some(e) = st.ephemerals.iter_mut().find(|e| e.ts == *ts) {
                    e.text = text;
                    e.blocks = blocks;
                }
            } else if let Some(m) = st.messages.iter_mut().find(|m| m.ts == *ts) {
                m.text = text;
                m.blocks = blocks;
            }
            return;
        }
    }
    inner.store_reply(st, &r.channel, &r.user, r.thread_ts.clone(), body, "response_url");
}

/// Parses `a=b&c=d` with `+` and `%XX` decoding.
pub(super) fn parse_form(s: &str) -> Map<String, Value> {
    let mut m = Map::new();
    for pair in s.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        m.insert(percent_decode(k), Value::String(percent_decode(v)));
    }
    m
}

pub(super) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding() {
        let m = parse_form("channel=C1&text=a+b%20c%21&x");
        assert_eq!(m["channel"], "C1");
        assert_eq!(m["text"], "a b c!");
        assert_eq!(m["x"], "");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%4"), "%4");
    }
}
