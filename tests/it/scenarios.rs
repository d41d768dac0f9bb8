//! Scenarios side by side (issue 13) through every surface: comparison wording plans options
//! without changing the brief (`adsai plan --json`, HTTP, Slack), each option's plan is exactly
//! what the edit would have produced, "go with that" / "use option N" apply one, undo returns,
//! an unknown option is a question, the options survive a restart, and Slack's "Use option N"
//! button acts like the message.

use std::sync::Arc;

use adsai::coordinator;
use adsai::surface::http;
use serde_json::{json, Value};

use crate::cli::adsai;
use crate::http::{call, client, get_json, post_json, reopen, Server};
use crate::slack::{is_plan, standin, wait_plans, Bot};

const TODAY: &str = "2026-11-23";

fn scenarios(v: &Value) -> Vec<Value> {
    v["plan"]["scenarios"].as_array().cloned().unwrap_or_default()
}

fn labels(v: &Value) -> Vec<String> {
    scenarios(v).iter().map(|s| s["label"].as_str().unwrap_or_default().to_string()).collect()
}

/// A plan without its scenarios (what an ordinary edit returns).
fn bare_plan(v: &Value) -> Value {
    let mut p = v["plan"].clone();
    p["scenarios"] = json!([]);
    p
}

/// `adsai plan --jsonl`: many conversations in one run of the binary, answers in order.
fn plan_jsonl(conversations: &[Vec<&str>]) -> Vec<Value> {
    let input: String = conversations
        .iter()
        .enumerate()
        .map(|(i, m)| json!({"id": i.to_string(), "today": TODAY, "messages": m}).to_string() + "\n")
        .collect();
    let out = adsai(&["plan", "--jsonl"], input.as_bytes());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("json line")).collect()
}

#[test]
fn a_comparison_keeps_the_brief_and_each_option_is_the_edits_plan() {
    // (brief, comparison, the follow-ups each option stands for, labels).
    let cases: &[(&str, &str, &[&str], &[&str])] = &[
        ("reach in Spain, €9k, 5 weeks", "compare with €14k", &["€14k"], &["€14,000"]),
        ("reach in Spain, €9k, 5 weeks", "how about 3 vs 7 weeks?", &["3 weeks", "7 weeks"], &["3 weeks", "7 weeks"]),
        (
            "clicks from 25-44 year olds in France, €6k, 4 weeks",
            "options at 4k, 8k and 16k please",
            &["4k", "8k", "16k"],
            &["€4,000", "€8,000", "€16,000"],
        ),
        ("awareness in Italy, €7k, 30 days", "put video only side by side", &["video only"], &["Video only"]),
        (
            "awareness in Italy, €7k, 30 days",
            "compare: Poland versus Portugal",
            &["Poland", "Portugal"],
            &["Poland", "Portugal"],
        ),
    ];
    let mut conversations: Vec<Vec<&str>> = Vec::new();
    for (brief, comparison, edits, _) in cases {
        conversations.push(vec![brief]);
        conversations.push(vec![brief, comparison]);
        conversations.extend(edits.iter().map(|e| vec![*brief, *e]));
    }
    let mut answers = plan_jsonl(&conversations).into_iter();
    for (_, comparison, edits, expected) in cases {
        let alone = answers.next().expect("the brief alone");
        let compared = answers.next().expect("the comparison");
        assert_eq!(compared["brief"], alone["brief"], "{comparison}: the brief is unchanged");
        assert_eq!(bare_plan(&compared), bare_plan(&alone), "{comparison}: the current plan is unchanged");
        assert_eq!(labels(&compared), *expected, "{comparison}");
        for (i, s) in scenarios(&compared).iter().enumerate() {
            assert_eq!(s["option"], i as u64 + 1, "{comparison}: options are numbered from 1");
        }
        for (s, edit) in scenarios(&compared).iter().zip(edits.iter()) {
            let edited = answers.next().expect("the edit");
            assert_eq!(s["brief"], edited["brief"], "{comparison}: the brief of '{edit}'");
            assert_eq!(s["plan"], bare_plan(&edited), "{comparison}: the plan of '{edit}'");
        }
    }
}

#[test]
fn choosing_an_option_applies_it_and_undo_returns() {
    let brief = "reach in the Netherlands, €10k, 6 weeks";
    let answers = plan_jsonl(&[
        vec![brief, "compare 15k vs 25k", "let's go with option 2"],
        vec![brief, "compare 15k vs 25k", "option 1 please", "undo"],
        vec![brief, "side by side with 4 weeks", "ok, go with that"],
        vec![brief, "15k or 25k side by side", "go with that"],
        vec![brief, "compare with 12k", "use option 3"],
        vec![brief, "use option 1"],
        vec![brief, "make it 20k", "compare with 8 weeks", "undo"],
        vec![brief, "make it 20k", "compare with 8 weeks", "undo", "undo"],
    ]);
    let v = &answers[0];
    assert_eq!(v["brief"]["budget"]["amount"], 25000.0);
    assert!(scenarios(v).is_empty(), "the options were alternatives to the old brief");
    assert_eq!(answers[1]["brief"]["budget"]["amount"], 10000.0, "undo returns to the brief before the choice");
    // "go with that" after a comparison of one option applies it.
    assert_eq!(answers[2]["brief"]["schedule"]["days"], 28);
    // After a comparison of two it asks which; nothing changes.
    let v = &answers[3];
    assert_eq!(v["brief"]["budget"]["amount"], 10000.0);
    assert_eq!(scenarios(v).len(), 2, "the options stay");
    assert!(v["plan"]["questions"].to_string().contains("option 1"), "{}", v["plan"]["questions"]);
    // An unknown option number is a question, not a silent no-op.
    let v = &answers[4];
    assert_eq!(v["brief"]["budget"]["amount"], 10000.0);
    assert!(v["plan"]["questions"].to_string().contains("no option 3"), "{}", v["plan"]["questions"]);
    let v = &answers[5];
    assert!(v["plan"]["questions"].to_string().contains("no options"), "{}", v["plan"]["questions"]);
    // "undo" after a comparison takes the comparison back; the next one the change before it.
    assert_eq!(answers[6]["brief"]["budget"]["amount"], 20000.0);
    assert!(scenarios(&answers[6]).is_empty());
    assert_eq!(answers[7]["brief"]["budget"]["amount"], 10000.0);
}

#[test]
fn at_most_three_options_are_kept_with_stable_numbers_and_edits_stay_edits() {
    let brief = "reach in Belgium, €8k, 4 weeks";
    let answers = plan_jsonl(&[
        vec![brief, "compare 6k vs 12k", "and side by side with 6 weeks"],
        vec![brief, "compare 6k vs 12k", "and side by side with 6 weeks", "compare with audio only"],
        vec![brief, "compare 6k vs 12k", "add Luxembourg"],
        vec![brief, "what if the flight ran for 60 days?"],
        vec![brief, "suppose we stretched it to 10 weeks"],
    ]);
    assert_eq!(labels(&answers[0]), ["€6,000", "€12,000", "6 weeks"]);
    // A fourth option takes the number of the oldest, which it replaces; the others keep theirs.
    let kept: Vec<(u64, String)> = scenarios(&answers[1])
        .iter()
        .map(|s| (s["option"].as_u64().unwrap(), s["label"].as_str().unwrap().into()))
        .collect();
    assert_eq!(kept, [(1, "Audio only".to_string()), (2, "€12,000".into()), (3, "6 weeks".into())]);
    // An edit changes the brief: the options, alternatives to the old brief, are dropped.
    assert!(scenarios(&answers[2]).is_empty());
    // "What if" and other edits change the brief, as before.
    for (v, days) in [(&answers[3], 60), (&answers[4], 70)] {
        assert_eq!(v["brief"]["schedule"]["days"], days);
        assert!(scenarios(v).is_empty());
    }
}

#[test]
fn the_summary_shows_the_table() {
    let out = adsai(&["plan", "--today", TODAY, "reach in Spain, €9k, 5 weeks", "compare 3 vs 7 weeks"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Side by side"), "{text}");
    let row = text.lines().find(|l| l.trim_start().starts_with("Flight")).expect("a flight row");
    assert_eq!(row.split_whitespace().collect::<Vec<_>>(), ["Flight", "35", "days", "21", "days", "49", "days"]);
    for what in ["Budget", "Ad sets", "Impressions", "Reach", "Frequency", "CPM"] {
        assert!(text.lines().any(|l| l.trim_start().starts_with(what)), "{what}: {text}");
    }
}

/// Over HTTP: the JSON answer, the stream's final event, GET, and a restart in between.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_http_options_persist_and_apply() {
    let dir = std::env::temp_dir().join(format!("adsai-scenarios-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let c = client();
    let start = |dir: std::path::PathBuf| async move {
        // The stopped server's last tasks may hold the file a moment longer.
        let store = reopen(&dir).await;
        Server::start(Arc::new(store), http::Config::default(), coordinator::Config::default()).await
    };
    let s = start(dir.clone()).await;
    let (_, created) = post_json(&c, &format!("{}/v1/conversations", s.base), json!({"today": TODAY})).await;
    let id = created["id"].as_str().expect("id").to_string();
    let messages = format!("{}/v1/conversations/{id}/messages", s.base);
    let (_, first) = post_json(&c, &messages, json!({"text": "leads in Ireland, €5k, 4 weeks"})).await;
    let (status, v) = post_json(&c, &messages, json!({"text": "show 3k vs 9k"})).await;
    assert_eq!(status, 200);
    assert_eq!(v["brief"], first["brief"]);
    assert_eq!(labels(&v), ["€3,000", "€9,000"]);
    assert_eq!(v["changes"], json!([]), "nothing changed");
    // The stream ends with the same object.
    let (status, _, body) = call(
        &c,
        "POST",
        &messages,
        &[("content-type", "application/json"), ("accept", "text/event-stream")],
        json!({"text": "compare with 7 weeks"}).to_string().as_bytes(),
    )
    .await;
    assert_eq!(status, 200);
    let last = body.split("\n\n").filter(|b| b.contains("event: plan")).last().expect("a plan event");
    let data: Value =
        serde_json::from_str(last.lines().find_map(|l| l.strip_prefix("data: ")).expect("data")).expect("json");
    assert_eq!(labels(&data), ["€3,000", "€9,000", "7 weeks"]);
    s.stop().await;
    // Restarted: GET shows the kept options, and choosing one works.
    let s = start(dir.clone()).await;
    let (status, got) = get_json(&c, &format!("{}/v1/conversations/{id}", s.base)).await;
    assert_eq!(status, 200);
    assert_eq!(labels(&got), ["€3,000", "€9,000", "7 weeks"]);
    let messages = format!("{}/v1/conversations/{id}/messages", s.base);
    let (_, v) = post_json(&c, &messages, json!({"text": "use option 3"})).await;
    assert_eq!(v["brief"]["schedule"]["days"], 49);
    assert!(v["changes"].to_string().contains("days"), "{}", v["changes"]);
    let (_, v) = post_json(&c, &messages, json!({"text": "undo"})).await;
    assert_eq!(v["brief"], first["brief"]);
    s.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `value` of the button `action_id` in a message's blocks.
fn button_value(blocks: &Value, action_id: &str) -> Option<String> {
    blocks
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .find(|e| e["action_id"] == action_id)
        .and_then(|e| e["value"].as_str().map(String::from))
}

/// In Slack: the table in the thread, then a click on "Use option 2" acts like the message.
#[tokio::test]
async fn slack_use_option_button_applies_the_option() {
    let s = standin().await;
    let bot = Bot::default(&s).await;
    let ts = s.mention("C0PLAN", "U0ALICE", "<@U0ADSAI> reach in Denmark, €6k, 4 weeks");
    wait_plans(&s, "C0PLAN", &ts, 1).await;
    s.reply_in_thread("C0PLAN", &ts, "U0ALICE", "compare 5 vs 8 weeks");
    let thread = wait_plans(&s, "C0PLAN", &ts, 2).await;
    let compared = thread.iter().filter(|m| is_plan(m)).nth(1).expect("second plan").clone();
    let blocks = compared.blocks.clone().expect("blocks");
    assert!(blocks.to_string().contains("Side by side"), "{blocks}");
    assert!(crate::slack_standin::validate_blocks(&blocks).is_empty());
    let value = button_value(&blocks, "adsai_fix_option_2").expect("a Use option 2 button");
    s.click_button(&compared.ts, "adsai_fix_option_2", &value).expect("click");
    let thread = wait_plans(&s, "C0PLAN", &ts, 3).await;
    let chosen = thread.iter().filter(|m| is_plan(m)).nth(2).expect("third plan").clone();
    let text = chosen.blocks.as_ref().map(Value::to_string).unwrap_or_default();
    assert!(text.contains("56 days"), "{text}");
    assert!(!text.contains("Side by side"), "{text}");
    let id = adsai::surface::slack::bot::conversation_id("T0STANDIN", "C0PLAN", &ts);
    let view = bot.coordinator.get(&id).await.expect("conversation");
    assert_eq!(view.response.brief.schedule.days, Some(56));
    bot.stop().await;
    s.shutdown().await;
}

/// What a comparison of three options costs against one follow-up, through the coordinator: a
/// measurement, not a timed assertion (`cargo test --test it comparison_cost -- --ignored
/// --nocapture` prints the numbers for the README). Each option runs the specialists and the
/// planner with its curve, plus the current plan: about four plans.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement; run with --ignored --nocapture"]
async fn comparison_cost_against_a_single_plan() {
    use std::time::{Duration, Instant};
    let c = adsai::coordinator::Coordinator::start(
        adsai::brain::Brain::default(),
        Arc::new(adsai::store::MemoryStore::default()),
        coordinator::Config::default(),
        Arc::new(adsai::telemetry::Metrics::default()),
        tokio_util::sync::CancellationToken::new(),
    )
    .expect("coordinator");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    let rounds = 20;
    let time = |msg: &'static str| {
        let c = c.clone();
        async move {
            let mut total = Duration::ZERO;
            for _ in 0..rounds {
                let id = c.create(None, today).await.expect("create");
                c.message(&id, "reach in Sweden, 90k SEK, 5 weeks", None, None).await.expect("brief");
                let started = Instant::now();
                let t = c.message(&id, msg, None, None).await.expect("turn");
                total += started.elapsed();
                assert!(t.response.plan.scenarios.len() == 3 || msg.starts_with("make"));
            }
            total / rounds
        }
    };
    let single = time("make it 120k SEK").await;
    let compared = time("options at 60k, 120k and 180k SEK").await;
    let ratio = compared.as_secs_f64() / single.as_secs_f64();
    eprintln!("[scenarios] one follow-up {single:?}, a comparison of 3 options {compared:?}: ×{ratio:.1}");
}
