//! The model client against the local OpenAI-compatible stand-in: valid answers are used, every
//! failure mode is a typed error (never a panic or a hang), and what is sent has the shape the
//! API expects (strict json_schema named after the specialist, `today` in the message).

use std::time::{Duration, Instant};

use adsai::markets::Markets;
use adsai::model::{Mode, ModelClient, ModelConfig, ModelError, Reading};
use adsai::understand::Specialist;
use chrono::NaiveDate;
use serde_json::json;

use crate::model_standin::{Behaviour, ModelStandIn};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid date")
}

fn client(standin: &ModelStandIn, timeout_ms: u64) -> ModelClient {
    ModelClient::new(ModelConfig {
        url: standin.url.clone(),
        model: "standin-1".into(),
        api_key: Some("sk-test".into()),
        mode: Mode::Fallback,
        timeout: Duration::from_millis(timeout_ms),
        max_concurrency: 4,
    })
    .expect("client")
}

fn budget_answer() -> serde_json::Value {
    json!({"budget": {"amount": 7500, "currency": "GBP", "type": "LIFETIME", "min": null, "approximate": true}})
}

#[tokio::test]
async fn a_valid_answer_is_read_and_the_request_is_api_shaped() {
    let standin = ModelStandIn::start().await;
    standin.answer("budget", budget_answer());
    let c = client(&standin, 2000);
    let r = c.ask(Specialist::Budget, "about seven and a half grand in quid", today(), Markets::embedded()).await;
    let Ok(Reading::Budget(Some(b))) = r else { panic!("{r:?}") };
    assert_eq!((b.amount, b.currency.as_str(), b.approximate), (7500.0, "GBP", true));
    let sent = standin.requests();
    let req = sent.last().expect("one request");
    assert_eq!(req["response_format"]["type"], "json_schema");
    assert_eq!(req["response_format"]["json_schema"]["name"], "budget");
    assert_eq!(req["response_format"]["json_schema"]["strict"], true);
    assert_eq!(req["model"], "standin-1");
    assert!(req["messages"][1]["content"].as_str().is_some_and(|m| m.contains("today: 2026-11-23")));
    assert_eq!(c.stats().prompt_tokens.load(std::sync::atomic::Ordering::Relaxed), 120);
}

#[tokio::test]
async fn retries_honour_429_and_500_then_succeed() {
    let standin = ModelStandIn::start().await;
    standin.answer("goal", json!({"objective": "APP_INSTALLS"}));
    let c = client(&standin, 3000);
    standin.behave(Behaviour::Limit429(2));
    let r = c.ask(Specialist::Goal, "get the app on more phones", today(), Markets::embedded()).await;
    assert!(matches!(r, Ok(Reading::Goal(Some(_)))), "{r:?}");
    standin.behave(Behaviour::Fail500(1));
    let r = c.ask(Specialist::Goal, "get the app on more phones", today(), Markets::embedded()).await;
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(standin.requests().len(), 5, "two 429s + answer, one 500 + answer");
}

#[tokio::test]
async fn every_failure_is_a_typed_error() {
    let standin = ModelStandIn::start().await;
    let markets = Markets::embedded();
    standin.behave(Behaviour::Fail500(10));
    let r = client(&standin, 3000).ask(Specialist::Goal, "x", today(), markets).await;
    assert_eq!(r.err().map(|e| e.kind()), Some("http_5xx"), "still failing after two retries");
    let c = client(&standin, 600);
    standin.behave(Behaviour::Fail500(10));
    let r = c.ask(Specialist::Goal, "x", today(), markets).await;
    assert!(matches!(r, Err(ModelError::Timeout(600))), "retries stay within the time limit: {r:?}");

    standin.behave(Behaviour::Slow(Duration::from_secs(5)));
    let started = Instant::now();
    let r = c.ask(Specialist::Goal, "x", today(), markets).await;
    assert!(matches!(r, Err(ModelError::Timeout(600))), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "the time limit cuts the call off");

    standin.behave(Behaviour::Malformed);
    let r = c.ask(Specialist::Budget, "x", today(), markets).await;
    assert_eq!(r.err().map(|e| e.kind()), Some("malformed"));

    standin.behave(Behaviour::Answer);
    standin.answer(
        "audience",
        json!({"audience": {"age_min": 12, "age_max": 17, "genders": [], "locations": [],
        "interests": [], "genres": [], "contexts": [], "podcast_topics": [], "languages": [], "platforms": []}}),
    );
    let r = c.ask(Specialist::Audience, "teens", today(), markets).await;
    assert_eq!(r.err().map(|e| e.kind()), Some("invalid"), "an age of 12 is not used");
    standin.answer("audience", json!({"audience": {"age_min": 18, "age_max": null, "genders": [], "locations": [],
        "interests": ["underwater_basketweaving"], "genres": [], "contexts": [], "podcast_topics": [], "languages": [], "platforms": []}}));
    let r = c.ask(Specialist::Audience, "x", today(), markets).await;
    assert_eq!(r.err().map(|e| e.kind()), Some("invalid"), "an unknown interest id is not used");
    standin.answer("goal", json!({"objective": "REACH", "confidence": 0.9}));
    let r = c.ask(Specialist::Goal, "x", today(), markets).await;
    assert_eq!(r.err().map(|e| e.kind()), Some("invalid"), "a schema violation is not used");
}

#[tokio::test]
async fn nothing_listening_is_a_transport_error() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/v1", free.local_addr().expect("addr"));
    drop(free);
    let c = ModelClient::new(ModelConfig {
        url,
        model: "m".into(),
        timeout: Duration::from_millis(800),
        ..ModelConfig::default()
    })
    .expect("client");
    let r = c.check().await;
    assert!(matches!(r, Err(ModelError::Transport(_) | ModelError::Timeout(_))), "{r:?}");
}

#[tokio::test]
async fn check_reports_the_models_name() {
    let standin = ModelStandIn::start().await;
    let c = client(&standin, 2000);
    assert_eq!(c.check().await.ok().as_deref(), Some("standin-1"));
}

/// `adsai model check` against the stand-in: the model's name and the round trip; a model that
/// does not answer is exit 1 with the reason; with no URL set, a clear settings error.
#[tokio::test]
async fn model_check_through_the_binary() {
    let standin = ModelStandIn::start().await;
    let run = |url: Option<String>| {
        tokio::task::spawn_blocking(move || {
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_adsai"));
            cmd.args(["model", "check"]).env("ADSAI_MODEL", "standin-7b").env("ADSAI_MODEL_API_KEY", "sk-never-shown");
            if let Some(u) = url {
                cmd.env("ADSAI_MODEL_URL", u);
            }
            cmd.output().expect("the binary runs")
        })
    };
    let out = run(Some(standin.url.clone())).await.expect("joined");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("model standin-7b") && text.contains(" ms"), "{text}");
    assert_eq!(standin.requests().len(), 1, "one tiny completion");

    standin.behave(Behaviour::Fail500(10));
    let out = run(Some(standin.url.clone())).await.expect("joined");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("did not answer") && !err.contains("sk-never-shown"), "{err}");

    let out = run(None).await.expect("joined");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ADSAI_MODEL_URL"));
}
