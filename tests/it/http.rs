//! The HTTP API over real TCP on 127.0.0.1: the server runs the production code path (bound to
//! port 0 by the test), and a second part starts the real binary and kills it.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use adsai::brain::Brain;
use adsai::coordinator::{self, Coordinator, Fault, FaultHook};
use adsai::store::{ConversationStore, MemoryStore, RedbStore};
use adsai::surface::http;
use adsai::telemetry::Metrics;
use adsai::understand::Specialist;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

/// The production HTTP server on 127.0.0.1:0, with its own coordinator.
pub(crate) struct Server {
    pub(crate) base: String,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    pub(crate) async fn start(
        store: Arc<dyn ConversationStore>,
        http: http::Config,
        coord: coordinator::Config,
    ) -> Server {
        let shutdown = CancellationToken::new();
        let metrics = Arc::new(Metrics::default());
        let c = Coordinator::start(Brain::default(), store, coord, metrics.clone(), shutdown.child_token())
            .expect("coordinator starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let task = tokio::spawn(http::serve(listener, c, metrics, http, shutdown.clone()));
        Server { base, shutdown, task }
    }

    pub(crate) async fn default() -> Server {
        Server::start(Arc::new(MemoryStore::default()), http::Config::default(), coordinator::Config::default()).await
    }

    pub(crate) async fn stop(self) {
        self.shutdown.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(15), self.task).await;
    }
}

pub(crate) type HttpClient = Client<HttpConnector, Full<Bytes>>;

pub(crate) fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).pool_max_idle_per_host(64).build_http()
}

pub(crate) async fn call(
    c: &HttpClient,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, String) {
    let (status, ctype, body) = call_bytes(c, method, url, headers, body).await;
    (status, ctype, String::from_utf8_lossy(&body).into_owned())
}

/// [`call`] with the raw response body (files: PNG, xlsx).
pub(crate) async fn call_bytes(
    c: &HttpClient,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let mut req = hyper::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(Full::new(Bytes::copy_from_slice(body))).expect("request");
    let resp = tokio::time::timeout(Duration::from_secs(30), c.request(req)).await.expect("in time").expect("response");
    let status = resp.status().as_u16();
    let ctype = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let body = resp.into_body().collect().await.expect("body").to_bytes().to_vec();
    (status, ctype, body)
}

pub(crate) async fn post_json(c: &HttpClient, url: &str, v: Value) -> (u16, Value) {
    let (status, _, body) =
        call(c, "POST", url, &[("content-type", "application/json")], v.to_string().as_bytes()).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

pub(crate) async fn get_json(c: &HttpClient, url: &str) -> (u16, Value) {
    let (status, _, body) = call(c, "GET", url, &[], b"").await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// Parses an SSE body into (event, data) pairs.
fn events(body: &str) -> Vec<(String, Value)> {
    body.split("\n\n")
        .filter_map(|block| {
            let event = block.lines().find_map(|l| l.strip_prefix("event: "))?;
            let data = block.lines().find_map(|l| l.strip_prefix("data: "))?;
            Some((event.to_string(), serde_json::from_str(data).ok()?))
        })
        .collect()
}

/// "Today" is the coordinator's: a request without a reference date gets the configured one,
/// on both routes, and one that gives its own keeps it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_today_uses_the_coordinators_clock() {
    let day = chrono::NaiveDate::from_ymd_opt(2031, 2, 27).unwrap();
    let coord = coordinator::Config { today: Some(day), ..Default::default() };
    let s = Server::start(Arc::new(MemoryStore::default()), http::Config::default(), coord).await;
    let c = client();
    for (text, start) in
        [("reach in Spain, €8k, 3 weeks", "2031-02-28"), ("awareness in Italy, €3k, 10 days", "2031-02-28")]
    {
        let (status, v) = post_json(&c, &format!("{}/v1/plans", s.base), json!({"text": text})).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["brief"]["schedule"]["start"], start, "{text}");
    }
    let (_, v) = post_json(
        &c,
        &format!("{}/v1/plans", s.base),
        json!({"text": "reach in Spain, €8k, 2 weeks", "today": "2030-06-01"}),
    )
    .await;
    assert_eq!(v["brief"]["schedule"]["start"], "2030-06-02", "a given date wins");
    let (status, created) = post_json(&c, &format!("{}/v1/conversations", s.base), json!({})).await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().unwrap().to_string();
    let (_, v) = post_json(
        &c,
        &format!("{}/v1/conversations/{id}/messages", s.base),
        json!({"text": "clicks in France, €2k, 5 weeks"}),
    )
    .await;
    assert_eq!(v["brief"]["schedule"]["start"], "2031-02-28");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_shot_plans_as_json_and_as_a_stream() {
    let s = Server::default().await;
    let c = client();
    let body = json!({"text": "awareness among 18-24s in Germany, €5k, 30 days", "today": "2026-11-23"});
    let (status, v) = post_json(&c, &format!("{}/v1/plans", s.base), body.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(v["brief"]["objective"], "REACH");
    assert_eq!(v["brief"]["schedule"]["start"], "2026-11-24");
    assert!(!v["plan"]["ad_sets"].as_array().unwrap().is_empty());
    let (status, ctype, text) = call(
        &c,
        "POST",
        &format!("{}/v1/plans", s.base),
        &[("accept", "text/event-stream")],
        body.to_string().as_bytes(),
    )
    .await;
    assert_eq!((status, ctype.as_str()), (200, "text/event-stream"));
    let evs = events(&text);
    let names: Vec<&str> = evs.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(names.last(), Some(&"plan"), "{names:?}");
    let specialists: Vec<&str> =
        evs.iter().filter(|(e, _)| e == "specialist").filter_map(|(_, d)| d["specialist"].as_str()).collect();
    for s in ["goal", "audience", "budget", "schedule"] {
        assert!(specialists.contains(&s), "{s} missing from {specialists:?}");
    }
    let plan = &evs.last().unwrap().1;
    assert_eq!(plan["brief"], v["brief"], "the stream ends with the same object the JSON response carries");
    assert_eq!(plan["plan"], v["plan"]);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_conversations_of_five_messages_in_parallel() {
    let s = Server::default().await;
    let c = client();
    let mut tasks = Vec::new();
    for n in 0..200 {
        let c = c.clone();
        let base = s.base.clone();
        tasks.push(tokio::spawn(async move {
            let (status, created) =
                post_json(&c, &format!("{base}/v1/conversations"), json!({"today": "2026-11-23"})).await;
            assert_eq!(status, 201);
            let id = created["id"].as_str().expect("id").to_string();
            let country = ["Germany", "France", "Spain", "Italy"][n % 4];
            let messages = [
                format!("awareness in {country}, €5k, 30 days"),
                format!("make it {}k", 6 + n % 3),
                "extend it by two weeks".to_string(),
                "add Austria".to_string(),
                "no video".to_string(),
            ];
            for m in &messages {
                let (status, v) =
                    post_json(&c, &format!("{base}/v1/conversations/{id}/messages"), json!({"text": m})).await;
                assert_eq!(status, 200, "{m}: {v}");
            }
            let (status, view) = get_json(&c, &format!("{base}/v1/conversations/{id}")).await;
            assert_eq!(status, 200);
            let texts: Vec<&str> =
                view["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
            assert_eq!(texts, messages.iter().map(String::as_str).collect::<Vec<_>>(), "nothing lost or reordered");
            let b = &view["brief"];
            assert_eq!(b["budget"]["amount"], json!((6 + n % 3) as f64 * 1000.0));
            assert_eq!(b["schedule"]["days"], 44);
            assert_eq!(b["audience"]["locations"].as_array().unwrap().len(), 2);
            assert_eq!(b["formats"]["exclude"], json!(["VIDEO"]));
        }));
    }
    for t in tasks {
        t.await.expect("conversation task");
    }
    s.stop().await;
}

/// Opens the store again once the stopped server's last tasks have let go of the file.
pub(crate) async fn reopen(dir: &std::path::Path) -> RedbStore {
    for _ in 0..100 {
        match RedbStore::open(dir) {
            Ok(s) => return s,
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    RedbStore::open(dir).expect("the store reopens")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversations_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("adsai-http-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let c = client();
    let s = Server::start(
        Arc::new(RedbStore::open(&dir).unwrap()),
        http::Config::default(),
        coordinator::Config::default(),
    )
    .await;
    let (_, created) = post_json(&c, &format!("{}/v1/conversations", s.base), json!({"today": "2026-11-23"})).await;
    let id = created["id"].as_str().unwrap().to_string();
    post_json(
        &c,
        &format!("{}/v1/conversations/{id}/messages", s.base),
        json!({"text": "leads in the UK, £10k, 4 weeks"}),
    )
    .await;
    s.stop().await;
    let s = Server::start(Arc::new(reopen(&dir).await), http::Config::default(), coordinator::Config::default()).await;
    let (status, v) =
        post_json(&c, &format!("{}/v1/conversations/{id}/messages", s.base), json!({"text": "make it 12k"})).await;
    assert_eq!(status, 200);
    assert_eq!(v["brief"]["objective"], "LEAD_GEN", "the brief came back from the store");
    assert_eq!(v["brief"]["budget"]["amount"], 12000.0);
    assert_eq!(v["changes"][0]["field"], "budget");
    s.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_no_answered_conversation() {
    let dir = std::env::temp_dir().join(format!("adsai-http-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let start = || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_adsai"))
            .args(["serve", "--http", "127.0.0.1:0"])
            .env("ADSAI_STATE_DIR", &dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
        let base = lines
            .find_map(|l| l.ok()?.split("listening on ").nth(1)?.split_whitespace().next().map(String::from))
            .expect("the server says where it listens");
        (child, base)
    };
    let c = client();
    let (mut child, base) = start();
    let (_, created) = post_json(&c, &format!("{base}/v1/conversations"), json!({"today": "2026-11-23"})).await;
    let id = created["id"].as_str().unwrap().to_string();
    for m in ["awareness in Canada, $8k, 4 weeks", "add the US"] {
        let (status, _) = post_json(&c, &format!("{base}/v1/conversations/{id}/messages"), json!({"text": m})).await;
        assert_eq!(status, 200);
    }
    child.kill().expect("kill -9");
    let _ = child.wait();
    let (mut child, base) = start();
    let (status, view) = get_json(&c, &format!("{base}/v1/conversations/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(view["messages"].as_array().unwrap().len(), 2);
    let countries: Vec<&str> = view["brief"]["audience"]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["country"].as_str().unwrap())
        .collect();
    assert_eq!(countries, vec!["CA", "US"]);
    child.kill().expect("kill");
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_or_crashed_specialist_is_a_warning_not_an_error() {
    let fault: FaultHook = Arc::new(|s, text| match s {
        Specialist::Schedule if text.contains("slowly") => Some(Fault::Delay(Duration::from_secs(3))),
        Specialist::Audience if text.contains("crash") => Some(Fault::Panic),
        _ => None,
    });
    let coord = coordinator::Config {
        specialist_timeout: Duration::from_millis(200),
        fault: Some(fault),
        ..Default::default()
    };
    let s = Server::start(Arc::new(MemoryStore::default()), http::Config::default(), coord).await;
    let c = client();
    let (status, v) =
        post_json(&c, &format!("{}/v1/plans", s.base), json!({"text": "slowly: awareness in Germany, €5k, 30 days"}))
            .await;
    assert_eq!(status, 200);
    assert_eq!(v["brief"]["budget"]["amount"], 5000.0, "the other specialists' findings are kept");
    assert!(v["brief"]["schedule"]["start"].is_null());
    let codes: Vec<&str> =
        v["plan"]["warnings"].as_array().unwrap().iter().map(|w| w["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"SPECIALIST_FAILED"), "{codes:?}");
    let (status, ctype, text) = call(
        &c,
        "POST",
        &format!("{}/v1/plans", s.base),
        &[("accept", "text/event-stream")],
        json!({"text": "crash test: clicks in France, €3k, 2 weeks"}).to_string().as_bytes(),
    )
    .await;
    assert_eq!((status, ctype.as_str()), (200, "text/event-stream"));
    let evs = events(&text);
    assert!(evs.iter().any(|(e, d)| e == "specialist_failed" && d["specialist"] == "audience"), "{text}");
    let plan = &evs.last().unwrap().1;
    assert_eq!(plan["brief"]["objective"], "CLICKS");
    assert!(plan["brief"]["audience"]["locations"].as_array().unwrap().is_empty());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_clear_json_errors() {
    let http = http::Config { token: Some("s3cret".into()), body_limit: 16 * 1024, ..Default::default() };
    let s = Server::start(Arc::new(MemoryStore::default()), http, coordinator::Config::default()).await;
    let c = client();
    let auth = ("authorization", "Bearer s3cret");
    let url = format!("{}/v1/plans", s.base);
    let code = |body: &str| {
        serde_json::from_str::<Value>(body).unwrap_or(Value::Null)["error"]["code"].as_str().unwrap_or("").to_string()
    };
    let (st, _, b) = call(&c, "POST", &url, &[], br#"{"text": "reach in Spain"}"#).await;
    assert_eq!((st, code(&b).as_str()), (401, "unauthorized"));
    let (st, _, b) =
        call(&c, "POST", &url, &[("authorization", "Bearer nope")], br#"{"text": "reach in Spain"}"#).await;
    assert_eq!((st, code(&b).as_str()), (401, "unauthorized"));
    let (st, _, _) = call(&c, "POST", &url, &[auth], br#"{"text": "reach in Spain"}"#).await;
    assert_eq!(st, 200);
    let big = format!(r#"{{"text": "{}"}}"#, "a".repeat(100_000));
    let (st, _, b) = call(&c, "POST", &url, &[auth], big.as_bytes()).await;
    assert_eq!((st, code(&b).as_str()), (413, "body_too_large"));
    let (st, _, b) = call(&c, "POST", &url, &[auth], b"{\"text\": ").await;
    assert_eq!((st, code(&b).as_str()), (400, "invalid_json"));
    let (st, _, b) = call(&c, "POST", &url, &[auth], br#"{"txt": "reach"}"#).await;
    assert_eq!((st, code(&b).as_str()), (400, "invalid_request"));
    let (st, _, b) = call(&c, "POST", &url, &[auth], br#"{"text": "   "}"#).await;
    assert_eq!((st, code(&b).as_str()), (422, "empty_message"));
    let (st, ctype, b) = call(&c, "POST", &url, &[auth, ("accept", "text/event-stream")], br#"{"text": "   "}"#).await;
    assert_eq!(
        (st, ctype.as_str(), code(&b).as_str()),
        (422, "application/json", "empty_message"),
        "no stream for a bad message"
    );
    let long = format!(r#"{{"text": "{}"}}"#, "awareness ".repeat(1000));
    let (st, _, b) = call(&c, "POST", &url, &[auth], long.as_bytes()).await;
    assert_eq!((st, code(&b).as_str()), (422, "message_too_long"));
    let (st, _, b) = call(&c, "POST", &url, &[auth], br#"{"text": "reach", "today": "soon"}"#).await;
    assert_eq!((st, code(&b).as_str()), (400, "invalid_date"));
    let (st, _, b) = call(&c, "POST", &url, &[auth], br#"{"text": "reach", "today": "+262142-12-31"}"#).await;
    assert_eq!((st, code(&b).as_str()), (400, "invalid_date"), "a far-off reference date is refused up front");
    let (st, _, b) = call(&c, "GET", &format!("{}/v1/conversations/c_missing", s.base), &[auth], b"").await;
    assert_eq!((st, code(&b).as_str()), (404, "not_found"));
    let (st, _, b) =
        call(&c, "POST", &format!("{}/v1/conversations/c_missing/messages", s.base), &[auth], br#"{"text": "hi"}"#)
            .await;
    assert_eq!((st, code(&b).as_str()), (404, "not_found"));
    let (st, _, b) = call(&c, "DELETE", &url, &[auth], b"").await;
    assert_eq!((st, code(&b).as_str()), (405, "method_not_allowed"));
    let (st, _, b) = call(&c, "GET", &format!("{}/nowhere", s.base), &[], b"").await;
    assert_eq!((st, code(&b).as_str()), (404, "not_found"));
    let (st, _, _) = call(&c, "GET", &format!("{}/healthz", s.base), &[], b"").await;
    assert_eq!(st, 200, "health needs no token");
    let (st, _, metrics) = call(&c, "GET", &format!("{}/metrics", s.base), &[], b"").await;
    assert_eq!(st, 200);
    for series in [
        "adsai_http_requests_total{route=\"/v1/plans\",status=\"401\"} 2",
        "adsai_http_requests_total{route=\"/v1/plans\",status=\"200\"} 1",
        "adsai_http_request_seconds_count{route=\"/v1/plans\"}",
        "adsai_specialist_seconds_count{specialist=\"audience\"}",
        "adsai_conversations 0",
        "adsai_history_rows 20000",
    ] {
        assert!(metrics.contains(series), "{series} missing:\n{metrics}");
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_drains_in_flight_requests() {
    let fault: FaultHook = Arc::new(|s, text| {
        (s == Specialist::Goal && text.contains("linger")).then_some(Fault::Delay(Duration::from_millis(600)))
    });
    let coord =
        coordinator::Config { specialist_timeout: Duration::from_secs(5), fault: Some(fault), ..Default::default() };
    let s = Server::start(Arc::new(MemoryStore::default()), http::Config::default(), coord).await;
    let c = client();
    let url = format!("{}/v1/plans", s.base);
    let in_flight = tokio::spawn({
        let c = c.clone();
        async move { post_json(&c, &url, json!({"text": "linger: awareness in Italy, €4k, 3 weeks"})).await }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let base = s.base.clone();
    s.stop().await;
    let (status, v) = in_flight.await.expect("request task");
    assert_eq!(status, 200, "the in-flight request finished during the drain");
    assert_eq!(v["brief"]["objective"], "REACH");
    let refused = tokio::net::TcpStream::connect(base.trim_start_matches("http://")).await;
    assert!(refused.is_err(), "no new connections after shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_and_the_api_give_the_same_brief_and_plan() {
    let s = Server::default().await;
    let c = client();
    for text in [
        "I want to grow brand awareness among 18–24 year olds in Germany with a €5,000 budget over 30 days",
        "app installs in the US, iOS only, $40k, 30 days, no more than 20% on video",
        "leads from parents in the UK",
    ] {
        let cli = Command::new(env!("CARGO_BIN_EXE_adsai"))
            .args(["plan", "--json", "--today", "2026-11-23", text])
            .output()
            .expect("the binary runs");
        assert!(cli.status.success());
        let from_cli: Value = serde_json::from_slice(&cli.stdout).expect("JSON");
        let (status, from_api) =
            post_json(&c, &format!("{}/v1/plans", s.base), json!({"text": text, "today": "2026-11-23"})).await;
        assert_eq!(status, 200);
        assert_eq!(from_cli["brief"], from_api["brief"], "{text}");
        assert_eq!(from_cli["plan"], from_api["plan"], "{text}");
    }
    s.stop().await;
}

/// Writes a history and a markets table into `dir`, each replaced in one step (generated beside
/// it, then renamed), so the watcher never reads a half-written file however slow the machine.
fn write_data(dir: &std::path::Path, rows: usize, seed: u64) {
    let staging = dir.with_extension("staging");
    let opts = adsai::datagen::GenOptions { rows, seed, ..Default::default() };
    adsai::datagen::generate(&staging, adsai::markets::Markets::embedded().all(), &opts).expect("generate");
    std::fs::create_dir_all(dir).expect("data dir");
    for name in ["markets.csv", "history.csv"] {
        std::fs::rename(staging.join(name), dir.join(name)).expect("rename");
    }
    let _ = std::fs::remove_dir_all(&staging);
}

/// Replaces a file's content in one step (write beside it, then rename).
fn replace_file(path: &std::path::Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).expect("write");
    std::fs::rename(&tmp, path).expect("rename");
}

fn evidence(v: &Value) -> Vec<u64> {
    v["plan"]["ad_sets"].as_array().unwrap().iter().map(|a| a["evidence"]["ad_sets"].as_u64().unwrap()).collect()
}

/// (Each wait below polls for up to a minute: a reload indexes 12,000 rows, which takes much
/// longer than usual in a debug build on a loaded machine; files are replaced by renames, so a
/// slow write is never read half-way.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_history_files_are_swapped_in_and_bad_ones_rejected() {
    use adsai::data::{watch, DataFiles, SharedBrain};
    let dir = std::env::temp_dir().join(format!("adsai-reload-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    write_data(&dir, 20_000, 1);
    let files = DataFiles { history: dir.join("history.csv"), markets: Some(dir.join("markets.csv")) };
    let (brain, _) = Brain::from_files(&files.history, files.markets.as_deref()).unwrap();
    let data = Arc::new(SharedBrain::new(brain, files.data_time()));
    let shutdown = CancellationToken::new();
    let metrics = Arc::new(Metrics::default());
    let fault: FaultHook = Arc::new(|s, text| {
        (s == Specialist::Goal && text.contains("slow")).then_some(Fault::Delay(Duration::from_millis(800)))
    });
    let coord =
        coordinator::Config { specialist_timeout: Duration::from_secs(5), fault: Some(fault), ..Default::default() };
    let c = Coordinator::start_shared(
        data.clone(),
        Arc::new(MemoryStore::default()),
        coord,
        metrics.clone(),
        shutdown.clone(),
    )
    .unwrap();
    let guards = adsai::data::Guards::default();
    tokio::spawn(watch(
        data.clone(),
        files.clone(),
        Duration::from_millis(50),
        guards,
        metrics.clone(),
        shutdown.clone(),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(http::serve(listener, c, metrics, http::Config::default(), shutdown.clone()));
    let client = client();
    let brief = json!({"text": "awareness in the US, $20k, 4 weeks", "today": "2026-11-23"});
    let (_, before) = post_json(&client, &format!("{base}/v1/plans"), brief.clone()).await;
    // A slow request starts on the old data; the files change while it runs.
    let slow = tokio::spawn({
        let client = client.clone();
        let url = format!("{base}/v1/plans");
        async move {
            post_json(&client, &url, json!({"text": "slow: awareness in the US, $20k, 4 weeks", "today": "2026-11-23"}))
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    write_data(&dir, 12_000, 2);
    let mut swapped = false;
    for _ in 0..1200 {
        let (_, _, m) = call(&client, "GET", &format!("{base}/metrics"), &[], b"").await;
        if m.contains("adsai_history_rows 12000") && m.contains("adsai_data_reloads_total{result=\"ok\"} 1") {
            swapped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(swapped, "the new files were loaded");
    let (_, in_flight) = slow.await.unwrap();
    assert_eq!(evidence(&in_flight), evidence(&before), "the in-flight plan finished on the old index");
    let (_, after) = post_json(&client, &format!("{base}/v1/plans"), brief.clone()).await;
    assert_ne!(evidence(&after), evidence(&before), "new plans use the new index");
    replace_file(&files.history, "ad_set_id,campaign_id\nbroken,file\n");
    let mut rejected = false;
    for _ in 0..1200 {
        let (_, _, m) = call(&client, "GET", &format!("{base}/metrics"), &[], b"").await;
        if m.contains("adsai_data_reloads_total{result=\"rejected\"} 1") {
            assert!(m.contains("adsai_history_rows 12000"), "the old index is kept");
            assert!(m.contains("adsai_data_age_seconds"));
            rejected = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(rejected, "the bad file was rejected");
    // The data guards: each of these is rejected whole and the loaded data is kept.
    write_data(&dir, 12_000, 3);
    let good = std::fs::read_to_string(&files.history).unwrap();
    let header = good.lines().next().unwrap().to_string();
    let first_row = good.lines().nth(1).unwrap().to_string();
    let cut_at = good.len() * 2 / 3;
    let cut_at = (cut_at..good.len()).find(|&i| good.is_char_boundary(i) && good.as_bytes()[i] == b',').unwrap();
    let truncated = good[..cut_at].to_string();
    let garbage = format!("{header}\n{first_row}\n{}", "x,y,z\n".repeat(5_000));
    let shrunk: String = good.lines().take(3_001).map(|l| format!("{l}\n")).collect();
    for (n, (what, text)) in [("truncated mid-row", truncated), ("garbage", garbage), ("shrunk to a quarter", shrunk)]
        .into_iter()
        .enumerate()
    {
        replace_file(&files.history, &text);
        let want = format!("adsai_data_reloads_total{{result=\"rejected\"}} {}", n + 2);
        let mut seen = false;
        for _ in 0..1200 {
            let (_, _, m) = call(&client, "GET", &format!("{base}/metrics"), &[], b"").await;
            if m.contains(&want) {
                assert!(m.contains("adsai_history_rows 12000"), "{what}: the old index is kept");
                seen = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(seen, "{what} was rejected");
    }
    std::fs::remove_file(&files.history).unwrap();
    let mut logged = false;
    for _ in 0..1200 {
        let (_, _, m) = call(&client, "GET", &format!("{base}/metrics"), &[], b"").await;
        if m.contains("adsai_data_reloads_total{result=\"missing\"} 1") {
            logged = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(logged, "a deleted file is noticed");
    let (status, kept) = post_json(&client, &format!("{base}/v1/plans"), brief).await;
    assert_eq!(status, 200);
    assert_eq!(evidence(&kept), evidence(&after));
    shutdown.cancel();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sends raw bytes and reads what comes back within `wait` (the response head and what body
/// arrives).
pub(crate) async fn raw(base: &str, request: &[u8], wait: Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("send");
    let mut buf = vec![0u8; 64 * 1024];
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Ok(n)) = tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
        if got.windows(4).any(|w| w == b"\r\n\r\n") && String::from_utf8_lossy(&got).contains("\"error\"") {
            break;
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_manners_head_allow_auth_scheme_and_early_413() {
    let http = http::Config { token: Some("s3cret".into()), body_limit: 16 * 1024, ..Default::default() };
    let s = Server::start(Arc::new(MemoryStore::default()), http, coordinator::Config::default()).await;
    let c = client();
    // HEAD on every GET route: the GET's status and headers, no body.
    for route in ["/healthz", "/readyz", "/metrics"] {
        let (st, ctype, body) = call(&c, "HEAD", &format!("{}{route}", s.base), &[], b"").await;
        let (get_st, get_ctype, _) = call(&c, "GET", &format!("{}{route}", s.base), &[], b"").await;
        assert_eq!((st, ctype.as_str(), body.as_str()), (get_st, get_ctype.as_str(), ""), "{route}");
    }
    let plan = br#"{"text": "reach in Spain"}"#;
    let url = format!("{}/v1/plans", s.base);
    // The scheme is case-insensitive; the token is not.
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let auth = format!("{scheme} s3cret");
        let (st, _, _) = call(&c, "POST", &url, &[("authorization", auth.as_str())], plan).await;
        assert_eq!(st, 200, "{scheme}");
    }
    for wrong in ["Bearer S3CRET", "Basic s3cret", "Bearers3cret", "s3cret"] {
        let (st, _, _) = call(&c, "POST", &url, &[("authorization", wrong)], plan).await;
        assert_eq!(st, 401, "{wrong}");
    }
    let auth = ("authorization", "Bearer s3cret");
    let (st, _, _) = call(&c, "HEAD", &format!("{}/v1/conversations/c_none", s.base), &[auth], b"").await;
    assert_eq!(st, 404, "HEAD works on GET /v1/conversations/{{id}} too");
    // 405 names what is allowed.
    for (method, route, allow) in [
        ("DELETE", "/v1/plans", "POST"),
        ("GET", "/v1/conversations", "POST"),
        ("PUT", "/v1/conversations/c_1/messages", "POST"),
        ("POST", "/healthz", "GET, HEAD"),
        ("DELETE", "/v1/conversations/c_1", "GET, HEAD"),
    ] {
        let req = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{route}", s.base))
            .header("authorization", "Bearer s3cret")
            .body(Full::new(Bytes::new()))
            .unwrap();
        let resp = c.request(req).await.expect("response");
        assert_eq!(resp.status().as_u16(), 405, "{method} {route}");
        assert_eq!(resp.headers().get("allow").and_then(|v| v.to_str().ok()), Some(allow), "{method} {route}");
    }
    // A declared length over the limit is refused before the body is sent at all.
    let head = format!(
        "POST /v1/plans HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        10 * 1024 * 1024
    );
    let started = std::time::Instant::now();
    let answer = raw(&s.base, head.as_bytes(), Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("body_too_large"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(2), "answered without waiting for the body");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_keys_over_http_return_the_same_answer_and_are_checked() {
    let s = Server::default().await;
    let c = client();
    let key = |k: &'static str| [("idempotency-key", k), ("content-type", "application/json")];
    let (st, _, a) = call(&c, "POST", &format!("{}/v1/conversations", s.base), &key("k1"), b"{}").await;
    let (st2, _, b) = call(&c, "POST", &format!("{}/v1/conversations", s.base), &key("k1"), b"{}").await;
    assert_eq!((st, st2, &a), (201, 201, &b));
    let id = serde_json::from_str::<Value>(&a).unwrap()["id"].as_str().unwrap().to_string();
    let url = format!("{}/v1/conversations/{id}/messages", s.base);
    let body = br#"{"text": "awareness in Germany, 5k, 30 days"}"#;
    let (_, _, first) = call(&c, "POST", &url, &key("m1"), body).await;
    // A retry streamed: one `plan` event carrying the same answer.
    let (st, ctype, text) =
        call(&c, "POST", &url, &[("idempotency-key", "m1"), ("accept", "text/event-stream")], body).await;
    assert_eq!((st, ctype.as_str()), (200, "text/event-stream"));
    let evs = events(&text);
    assert_eq!(evs.len(), 1, "{evs:?}");
    assert_eq!(evs[0].1, serde_json::from_str::<Value>(&first).unwrap());
    let (_, view) = get_json(&c, &format!("{}/v1/conversations/{id}", s.base)).await;
    assert_eq!(view["messages"].as_array().unwrap().len(), 1);
    for bad in ["", "with space", &"x".repeat(300)] {
        let (st, _, b) = call(&c, "POST", &url, &[("idempotency-key", bad)], body).await;
        assert_eq!(st, 400, "{bad:?}: {b}");
        assert!(b.contains("invalid_idempotency_key"), "{b}");
    }
    s.stop().await;
}
