//! The model-backed specialists through real surfaces: the `adsai` binary (`plan --json`,
//! `plan --jsonl`) with `ADSAI_MODEL_*` pointing at the OpenAI-compatible stand-in, and the HTTP
//! API's metrics. With the mode off nothing is asked; `fallback` asks only where the built-in
//! reading left something unread; `always` asks every routed specialist; every failure ends in a
//! plan with `MODEL_FAILED` and the built-in finding.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use adsai::coordinator;
use adsai::model::{Mode, ModelClient, ModelConfig};
use adsai::store::MemoryStore;
use adsai::surface::http;
use serde_json::{json, Value};

use crate::http::{call, client, post_json, Server};
use crate::model_standin::{Behaviour, ModelStandIn};

/// A brief the built-in reading gets partly wrong: it finds the country, the budget and the
/// flight, but not who "gym rats" are (left in `not_understood`).
const GYM_BRIEF: &str = "reach campaign in Deutschland for gym rats, 8k EUR, 3 weeks";
/// A brief the built-in reading reads whole.
const CLEAN_BRIEF: &str = "reach campaign in Deutschland, 8k EUR, 3 weeks";

fn audience(extra: Value) -> Value {
    let mut a = json!({"age_min": null, "age_max": null, "genders": [],
        "locations": [{"country": "DE", "region": null, "city": null}],
        "interests": ["fitness"], "genres": [], "contexts": [], "podcast_topics": [], "languages": [], "platforms": []});
    if let (Some(a), Some(extra)) = (a.as_object_mut(), extra.as_object()) {
        a.extend(extra.clone());
    }
    json!({"audience": a})
}

/// Sets a valid answer for every specialist.
fn answer_everything(standin: &ModelStandIn) {
    standin.answer("goal", json!({"objective": "REACH"}));
    standin.answer("audience", audience(json!({})));
    standin.answer(
        "budget",
        json!({"budget": {"amount": 8000, "currency": "EUR", "type": "LIFETIME", "min": null, "approximate": false}}),
    );
    standin.answer("schedule", json!({"schedule": {"start": null, "end": null, "days": 21}}));
    standin.answer("formats", json!({"formats": {"include": [], "exclude": [], "max_share": [], "placements": []}}));
}

/// Runs the binary with the model settings (`mode` `None`: not set at all), off the runtime's
/// thread so the stand-in keeps answering.
async fn adsai(url: &str, mode: Option<&str>, timeout_ms: u64, args: Vec<String>, stdin: String) -> Output {
    let (url, mode) = (url.to_string(), mode.map(str::to_string));
    tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_adsai"));
        cmd.args(&args)
            .env("ADSAI_MODEL_URL", url)
            .env("ADSAI_MODEL", "standin-1")
            .env("ADSAI_MODEL_API_KEY", "sk-not-for-logs")
            .env("ADSAI_MODEL_TIMEOUT_MS", timeout_ms.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(m) = mode {
            cmd.env("ADSAI_MODEL_MODE", m);
        }
        let mut child = cmd.spawn().expect("the binary starts");
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(stdin.as_bytes()).expect("stdin written");
        drop(input);
        child.wait_with_output().expect("the binary finishes")
    })
    .await
    .expect("joined")
}

/// `adsai plan --json` of one brief.
async fn plan(standin: &ModelStandIn, mode: Option<&str>, brief: &str) -> (Value, String) {
    let args = ["plan", "--json", "--today", "2026-11-23", brief].map(String::from).to_vec();
    let out = adsai(&standin.url, mode, 3000, args, String::new()).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (v, stderr)
}

fn assumptions(v: &Value, field: &str) -> Vec<String> {
    let all = v["plan"]["assumptions"].as_array().cloned().unwrap_or_default();
    all.iter().filter(|a| a["field"] == field).filter_map(|a| a["message"].as_str().map(String::from)).collect()
}

fn model_failed(v: &Value) -> Vec<String> {
    let all = v["plan"]["warnings"].as_array().cloned().unwrap_or_default();
    all.iter().filter(|w| w["code"] == "MODEL_FAILED").filter_map(|w| w["field"].as_str().map(String::from)).collect()
}

fn read_by_model(v: &Value) -> bool {
    v["plan"]["assumptions"].to_string().contains("Read by the model")
}

/// The built-in reading of the gym brief, part by part.
fn assert_built_in(v: &Value, what: &str) {
    let b = &v["brief"];
    assert_eq!(b["audience"]["locations"][0]["country"], "DE", "{what}: {b}");
    assert_eq!(b["audience"]["interests"], json!([]), "{what}: the model's interests are not used");
    assert_eq!(
        (b["budget"]["amount"].as_f64(), b["budget"]["currency"].as_str()),
        (Some(8000.0), Some("EUR")),
        "{what}"
    );
    assert_eq!(b["schedule"]["days"], 21, "{what}");
}

#[tokio::test]
async fn with_the_model_off_nothing_is_asked() {
    let standin = ModelStandIn::start().await;
    answer_everything(&standin);
    for mode in [None, Some("off")] {
        let (v, stderr) = plan(&standin, mode, GYM_BRIEF).await;
        assert_built_in(&v, "off");
        assert!(!read_by_model(&v) && model_failed(&v).is_empty());
        assert!(!stderr.contains("sk-not-for-logs"));
    }
    assert!(standin.requests().is_empty(), "nothing left the machine");
}

#[tokio::test]
async fn fallback_corrects_what_the_built_in_reading_left_unread() {
    let standin = ModelStandIn::start().await;
    answer_everything(&standin);
    let (clean, _) = plan(&standin, Some("fallback"), CLEAN_BRIEF).await;
    assert!(standin.requests().is_empty(), "a brief read whole asks nothing: {:?}", standin.asked());
    assert!(!read_by_model(&clean));

    let (v, stderr) = plan(&standin, Some("fallback"), GYM_BRIEF).await;
    let asked = standin.asked();
    assert!(asked.contains(&"audience".to_string()), "{asked:?}");
    assert!(!asked.iter().any(|s| s == "budget" || s == "schedule"), "only the parts concerned: {asked:?}");
    assert_eq!(v["brief"]["audience"]["interests"], json!(["fitness"]), "corrected by the model");
    assert_eq!(v["brief"]["audience"]["locations"][0]["country"], "DE");
    assert_eq!(v["plan"]["not_understood"], json!([]), "the words the model read are no longer unread");
    let noted = assumptions(&v, "audience");
    assert!(
        noted
            .iter()
            .any(|m| m.starts_with("Read by the model: DE · interests fitness")
                && m.contains("(the built-in reading: DE)")),
        "both readings are shown: {noted:?}"
    );
    assert!(model_failed(&v).is_empty());
    let sent = standin.requests();
    assert!(sent[0]["messages"][1]["content"].as_str().is_some_and(|m| m.contains("gym rats")));
    assert!(!stderr.contains("gym rats") && !stderr.contains("sk-not-for-logs"), "no message or key in logs: {stderr}");
}

#[tokio::test]
async fn always_asks_every_routed_part_and_labels_what_it_used() {
    let standin = ModelStandIn::start().await;
    answer_everything(&standin);
    standin.answer(
        "budget",
        json!({"budget": {"amount": 8000, "currency": "GBP", "type": "LIFETIME", "min": null, "approximate": true}}),
    );
    let (v, _) = plan(&standin, Some("always"), CLEAN_BRIEF).await;
    let mut asked = standin.asked();
    asked.sort();
    assert_eq!(asked, ["audience", "budget", "goal", "schedule"], "every routed specialist");
    assert_eq!(v["brief"]["budget"]["currency"], "GBP", "the model's answer replaces the finding");
    let budget = assumptions(&v, "budget");
    assert!(
        budget.iter().any(|m| m.contains("Read by the model: about £8,000") && m.contains("built-in reading: €8,000")),
        "{budget:?}"
    );
    let schedule = assumptions(&v, "schedule");
    assert!(schedule.iter().any(|m| m.starts_with("Read by the model:") && !m.contains("built-in")), "{schedule:?}");
    assert_eq!(v["brief"]["schedule"]["days"], 21);
}

/// One `plan --jsonl` run, a different failure on each line (tied to a marker word): every line
/// is a plan with `MODEL_FAILED` for the part that failed and the built-in finding in its place.
#[tokio::test]
async fn every_failure_is_a_plan_with_model_failed_and_the_built_in_finding() {
    let standin = ModelStandIn::start().await;
    answer_everything(&standin);
    standin.behave_when("zqslow", Behaviour::Slow(Duration::from_secs(5)));
    standin.behave_when("zqfivehundred", Behaviour::Fail500(u32::MAX));
    standin.behave_when("zqlimited", Behaviour::Limit429(u32::MAX));
    standin.behave_when("zqgarbled", Behaviour::Malformed);
    standin.answer_when("zqextra", "audience", json!({"audience": {}, "confidence": 0.9}));
    standin.answer_when("zqinvented", "audience", audience(json!({"interests": ["competitive-napping"]})));
    standin.answer_when("zqtwelve", "audience", audience(json!({"age_min": 12, "age_max": 17})));
    standin.answer_when("zqbaddate", "schedule", json!({"schedule": {"start": "2026-02-30", "end": null, "days": 21}}));
    standin.answer_when(
        "zqnodate",
        "schedule",
        json!({"schedule": {"start": "in a while", "end": null, "days": null}}),
    );
    let cases = [
        ("zqslow", "audience"),
        ("zqfivehundred", "audience"),
        ("zqlimited", "audience"),
        ("zqgarbled", "audience"),
        ("zqextra", "audience"),
        ("zqinvented", "audience"),
        ("zqtwelve", "audience"),
        ("zqbaddate", "schedule"),
        ("zqnodate", "schedule"),
    ];
    let input: String = cases
        .iter()
        .map(|(marker, _)| json!({"id": marker, "today": "2026-11-23", "messages": [format!("{GYM_BRIEF} {marker}")]}))
        .map(|line| format!("{line}\n"))
        .collect();
    let args = ["plan", "--jsonl"].map(String::from).to_vec();
    let out = adsai(&standin.url, Some("always"), 1500, args, input).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<Value> = out.stdout.split(|b| *b == b'\n').filter_map(|l| serde_json::from_slice(l).ok()).collect();
    assert_eq!(lines.len(), cases.len(), "a plan for every line: {stderr}");
    for (marker, part) in cases {
        let v = lines.iter().find(|l| l["id"] == marker).unwrap_or_else(|| panic!("{marker} answered"));
        assert!(v["plan"]["ad_sets"].as_array().is_some_and(|a| !a.is_empty()), "{marker}: the plan arrives");
        let failed = model_failed(v);
        assert!(failed.contains(&format!("model.{part}")), "{marker}: {failed:?}");
        let b = &v["brief"];
        assert_eq!(b["audience"]["locations"][0]["country"], "DE", "{marker}");
        assert_eq!(
            (b["budget"]["amount"].as_f64(), b["schedule"]["days"].as_i64()),
            (Some(8000.0), Some(21)),
            "{marker}"
        );
        if part == "audience" {
            assert_eq!(b["audience"]["interests"], json!([]), "{marker}: nothing of a refused answer is used");
            assert_eq!(b["audience"]["age_min"], Value::Null, "{marker}");
            assert!(!assumptions(v, "audience").iter().any(|m| m.contains("Read by the model")), "{marker}");
            let unread = v["plan"]["not_understood"].to_string();
            assert!(unread.contains("gym rats"), "{marker}: words no answer read stay unread: {unread}");
        } else {
            assert_eq!(b["schedule"]["start"], "2026-11-24", "{marker}: the built-in start stays");
            assert!(!assumptions(v, "schedule").iter().any(|m| m.contains("Read by the model")), "{marker}");
        }
    }
    assert!(!stderr.contains("sk-not-for-logs") && !stderr.contains("gym rats"), "{stderr}");
}

/// With a model, `plan --jsonl` asks for its lines together: a line waiting on the model does
/// not hold back the lines after it.
#[tokio::test]
async fn jsonl_lines_wait_on_the_model_together() {
    let standin = ModelStandIn::start().await;
    answer_everything(&standin);
    standin.behave(Behaviour::Slow(Duration::from_millis(200)));
    let input: String = (0..4)
        .map(|n| json!({"id": n, "today": "2026-11-23", "messages": [format!("{GYM_BRIEF} zqline{n}")]}))
        .map(|line| format!("{line}\n"))
        .collect();
    let args = ["plan", "--jsonl"].map(String::from).to_vec();
    let out = adsai(&standin.url, Some("always"), 3000, args, input).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<Value> = out.stdout.split(|b| *b == b'\n').filter_map(|l| serde_json::from_slice(l).ok()).collect();
    let ids: Vec<i64> = lines.iter().filter_map(|l| l["id"].as_i64()).collect();
    assert_eq!(ids, (0..4).collect::<Vec<_>>(), "every line, in order: {stderr}");
    assert!(lines.iter().all(|l| model_failed(l).is_empty()), "every answer came in time");
    assert!(standin.peak_messages() >= 2, "lines were asked one after another: peak {}", standin.peak_messages());
}

/// Over HTTP: the metrics page counts the model's calls, failures by kind, latency and tokens.
#[tokio::test]
async fn metrics_count_calls_failures_latency_and_tokens() {
    let standin = ModelStandIn::start().await;
    answer_everything(&standin);
    standin.answer_when("zqtwelve", "audience", audience(json!({"age_min": 12})));
    let model = ModelClient::new(ModelConfig {
        url: standin.url.clone(),
        model: "standin-1".into(),
        api_key: None,
        mode: Mode::Fallback,
        timeout: Duration::from_millis(2000),
        max_concurrency: 4,
    })
    .expect("client");
    let config = coordinator::Config { model: Some(model), ..coordinator::Config::default() };
    let server = Server::start(Arc::new(MemoryStore::default()), http::Config::default(), config).await;
    let c = client();
    let url = format!("{}/v1/plans", server.base);
    let (status, v) = post_json(&c, &url, json!({"text": GYM_BRIEF, "today": "2026-11-23"})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["brief"]["audience"]["interests"], json!(["fitness"]));
    let (status, v) =
        post_json(&c, &url, json!({"text": format!("{GYM_BRIEF} zqtwelve"), "today": "2026-11-23"})).await;
    assert_eq!(status, 200, "{v}");
    assert!(model_failed(&v).contains(&"model.audience".to_string()));
    let (_, _, m) = call(&c, "GET", &format!("{}/metrics", server.base), &[], b"").await;
    assert!(m.contains("adsai_model_calls_total{specialist=\"audience\"}"), "{m}");
    assert!(m.contains("adsai_model_failures_total{specialist=\"audience\",kind=\"invalid\"} 1"), "{m}");
    assert!(m.contains("adsai_model_seconds"), "{m}");
    assert!(m.contains("adsai_model_tokens_total{kind=\"prompt\"}"), "{m}");
    server.stop().await;
}

/// What each mode costs a one-shot plan against the stand-in (answering at once, on loopback):
/// `cargo test --test it model_plans::latency -- --ignored --nocapture`. The README's figures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check: run by hand for the README"]
async fn latency_of_each_mode() {
    let standin = ModelStandIn::start().await;
    answer_everything(&standin);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    let runs = 300;
    for (label, mode, brief) in [
        ("off", None, GYM_BRIEF),
        ("fallback, a brief read whole", Some(Mode::Fallback), CLEAN_BRIEF),
        ("fallback, words left unread", Some(Mode::Fallback), GYM_BRIEF),
        ("always", Some(Mode::Always), GYM_BRIEF),
    ] {
        let model = mode.map(|mode| {
            ModelClient::new(ModelConfig {
                url: standin.url.clone(),
                model: "standin-1".into(),
                api_key: None,
                mode,
                timeout: Duration::from_millis(4000),
                max_concurrency: 8,
            })
            .expect("client")
        });
        let config = coordinator::Config { model, ..coordinator::Config::default() };
        let c = coordinator::Coordinator::start(
            adsai::brain::Brain::default(),
            Arc::new(MemoryStore::default()),
            config,
            Arc::new(adsai::telemetry::Metrics::default()),
            tokio_util::sync::CancellationToken::new(),
        )
        .expect("coordinator");
        let before = standin.requests().len();
        let mut took = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = std::time::Instant::now();
            c.one_shot(brief, today, None).await.expect("planned");
            took.push(started.elapsed());
        }
        took.sort();
        let calls = (standin.requests().len() - before) as f64 / runs as f64;
        println!("{label}: median {:?}, p90 {:?}, {calls:.0} model calls a plan", took[runs / 2], took[runs * 9 / 10]);
    }
}

/// A built-in specialist that crashes is asked of the model in `fallback`: its answer fills the
/// part in (no `SPECIALIST_FAILED` left), labelled as the model's with the built-in failure named.
#[tokio::test]
async fn fallback_stands_in_for_a_crashed_specialist() {
    use adsai::coordinator::{Fault, FaultHook};
    use adsai::understand::Specialist;
    let standin = ModelStandIn::start().await;
    answer_everything(&standin);
    let fault: FaultHook = Arc::new(|s, _| (s == Specialist::Budget).then_some(Fault::Panic));
    let model = ModelClient::new(ModelConfig {
        url: standin.url.clone(),
        model: "standin-1".into(),
        api_key: None,
        mode: Mode::Fallback,
        timeout: Duration::from_millis(2000),
        max_concurrency: 4,
    })
    .expect("client");
    let config = coordinator::Config { model: Some(model), fault: Some(fault), ..coordinator::Config::default() };
    let server = Server::start(Arc::new(MemoryStore::default()), http::Config::default(), config).await;
    let (status, v) =
        post_json(&client(), &format!("{}/v1/plans", server.base), json!({"text": CLEAN_BRIEF, "today": "2026-11-23"}))
            .await;
    assert_eq!(status, 200, "{v}");
    // The crashed part, and those its now unread words ("8k EUR") may concern.
    let asked = standin.asked();
    assert!(asked.contains(&"budget".to_string()) && !asked.contains(&"goal".to_string()), "{asked:?}");
    assert_eq!(v["brief"]["budget"]["amount"], 8000.0);
    let codes = v["plan"]["warnings"].to_string();
    assert!(!codes.contains("SPECIALIST_FAILED") && !codes.contains("MODEL_FAILED"), "{codes}");
    let budget = assumptions(&v, "budget");
    assert!(budget.iter().any(|m| m == "Read by the model: €8,000 (the built-in reading failed)"), "{budget:?}");
    server.stop().await;
}
