//! The `adsai` binary end to end: arguments in, readable text or JSON out, clear errors.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// Runs the binary with `args`, feeding `stdin`.
pub(crate) fn adsai(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_adsai"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin).expect("write stdin");
    drop(input);
    child.wait_with_output().expect("the binary finishes")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn plan_json_has_the_spec_shape() {
    let out = adsai(
        &[
            "plan",
            "--json",
            "--today",
            "2026-11-23",
            "I want to grow brand awareness among 18–24 year olds in Germany with a €5,000 budget over 30 days",
        ],
        b"",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    let b = &v["brief"];
    assert_eq!(b["objective"], "REACH");
    assert_eq!((b["audience"]["age_min"].as_u64(), b["audience"]["age_max"].as_u64()), (Some(18), Some(24)));
    assert_eq!(b["audience"]["locations"][0], serde_json::json!({"country": "DE", "region": null, "city": null}));
    assert_eq!(
        b["budget"],
        serde_json::json!({"amount": 5000.0, "currency": "EUR", "type": "LIFETIME", "min": null, "approximate": false})
    );
    assert_eq!(b["schedule"], serde_json::json!({"start": "2026-11-24", "end": "2026-12-23", "days": 30}));
    assert_eq!(b["formats"], serde_json::json!({"include": [], "exclude": [], "max_share": {}, "placements": []}));
    assert_eq!(v["plan"]["currency"], "EUR");
    for key in ["ad_sets", "assumptions", "warnings", "questions"] {
        assert!(v["plan"][key].is_array(), "{key}");
    }
    let assumed: Vec<&str> =
        v["plan"]["assumptions"].as_array().unwrap().iter().filter_map(|a| a["field"].as_str()).collect();
    assert!(assumed.contains(&"schedule.start"), "{assumed:?}");
}

#[test]
fn several_arguments_are_one_conversation() {
    let out = adsai(
        &[
            "plan",
            "--json",
            "--today",
            "2026-11-23",
            "Reach campaign, Germany, €12k, 6 weeks",
            "add Austria",
            "make it 8k",
        ],
        b"",
    );
    let v = json(&out);
    let countries: Vec<&str> = v["brief"]["audience"]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["country"].as_str().unwrap())
        .collect();
    assert_eq!(countries, vec!["DE", "AT"]);
    assert_eq!(v["brief"]["budget"]["amount"], 8000.0);
    assert_eq!(v["brief"]["budget"]["currency"], "EUR");
    assert_eq!(v["brief"]["schedule"]["days"], 42);
}

#[test]
fn readable_output_shows_the_brief_and_what_was_assumed() {
    let out = adsai(&["plan", "--today", "2026-11-23", "clicks from women 25-44 in France, 8k EUR"], b"");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    // Summary first, in words: title, what it costs, what it buys with the KPI's own cost.
    assert_eq!(lines[0], "Clicks plan · France · women 25–44", "{text}");
    assert!(lines[1].starts_with("€8,000 over ") && lines[1].ends_with("· 3 ad sets"), "{text}");
    assert!(lines[2].starts_with('≈') && lines[2].contains("clicks") && lines[2].contains("per click"), "{text}");
    assert!(text.contains("Assumed: "), "{text}");
    assert!(!text.contains("CLICKS") && !text.contains("EUR"), "no codes: {text}");
    assert!(text.lines().all(|l| l == l.trim_end()), "no trailing spaces: {text:?}");
}

#[test]
fn readable_output_shows_warnings_with_their_fix_and_what_was_not_planned() {
    let out = adsai(&["plan", "--today", "2026-11-23", "awareness in Germany, 100 euros, 30 days"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    let warning = text.lines().position(|l| l.starts_with("! €100 is below the minimum")).expect(&text);
    let first_ad_set = text.lines().position(|l| l.starts_with("  ")).expect(&text);
    assert!(warning < first_ad_set, "warnings come before the ad sets: {text}");
    assert!(text.contains("(fix: reply \"budget "), "{text}");
    let out = adsai(&["plan", "--today", "2026-11-23", "awareness in Narnia, 5k"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("0 ad sets") && text.contains("? Which countries"), "{text}");
    assert!(!text.contains("United States"), "no default market planned: {text}");
}

#[test]
fn jsonl_answers_every_line_and_reports_bad_ones() {
    let input = concat!(
        "{\"id\": \"a\", \"today\": \"2026-11-23\", \"messages\": [\"awareness in the UK, £10k, 4 weeks\", \"extend it by two weeks\"]}\n",
        "not json at all\n",
        "{\"id\": \"c\", \"messages\": [\"\\u0000\\u0007   \"]}\n",
        "{\"id\": \"d\", \"today\": \"2026-11-23\", \"messages\": [\"US, $12k\"]}\n",
    );
    let mut bytes = input.as_bytes().to_vec();
    bytes.extend_from_slice(b"\xff\xfe\xfd\n");
    let out = adsai(&["plan", "--jsonl"], &bytes);
    assert_eq!(out.status.code(), Some(1), "failed lines make a non-zero exit");
    let lines: Vec<Value> = out
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["brief"]["schedule"]["days"], 42);
    assert_eq!(lines[1]["error"]["code"], "invalid_json");
    assert_eq!(lines[2]["error"]["code"], "empty_message");
    assert_eq!(lines[3]["brief"]["budget"]["currency"], "USD");
    assert_eq!(lines[4]["error"]["code"], "invalid_utf8");
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 of 5 requests failed"));
}

#[test]
fn bad_input_is_a_clear_error_not_a_panic() {
    let empty = adsai(&["plan", "   "], b"");
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("empty"));
    let huge = "awareness in Germany ".repeat(5_000);
    let long = adsai(&["plan", &huge], b"");
    assert_eq!(long.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&long.stderr).contains("too long"));
    let bad_utf8 = adsai(&["plan"], b"awareness \xff\xfe in Germany");
    assert_eq!(bad_utf8.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_utf8.stderr).contains("UTF-8"));
    let control = adsai(&["plan", "--json", "awareness\u{1b}[31m in \u{7}Germany\u{8}"], b"");
    assert!(control.status.success());
    assert_eq!(json(&control)["brief"]["audience"]["locations"][0]["country"], "DE");
    let date = adsai(&["plan", "--today", "23/11/2026", "x"], b"");
    assert_eq!(date.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&date.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn stdin_message_works_like_an_argument() {
    let out = adsai(&["plan", "--json", "--today", "2026-11-23"], b"video views, US, $15k, 3 weeks");
    assert!(out.status.success());
    assert_eq!(json(&out)["brief"]["objective"], "VIDEO_VIEWS");
}

#[test]
fn config_check_prints_effective_settings_with_secrets_masked() {
    let dir = std::env::temp_dir().join(format!("adsai-config-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("adsai.toml");
    std::fs::write(
        &file,
        "[http]\naddr = \"127.0.0.1:9000\"\n[planner]\ndefault_market = \"DE\"\nfrequency_cap = 3.0\n",
    )
    .expect("write settings");
    let out = Command::new(env!("CARGO_BIN_EXE_adsai"))
        .args(["config", "check", "--config"])
        .arg(&file)
        .env("ADSAI_FREQUENCY_CAP", "2.5")
        .env("ADSAI_API_TOKEN", "super-secret-token")
        .env("SLACK_BOT_TOKEN", "xoxb-123-secret")
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("addr = \"127.0.0.1:9000\""), "from the file: {shown}");
    assert!(shown.contains("default_market = \"DE\""), "from the file: {shown}");
    assert!(shown.contains("frequency_cap = 2.5"), "the environment wins: {shown}");
    assert!(!shown.contains("super-secret-token") && !shown.contains("123-secret"), "secrets masked: {shown}");
    let bad = Command::new(env!("CARGO_BIN_EXE_adsai"))
        .args(["config", "check"])
        .env("ADSAI_DEFAULT_MARKET", "XX")
        .env("ADSAI_PRIVACY_MIN_ADVERTISERS", "2")
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("default_market") && err.contains("privacy_min_advertisers"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn readable_output_shows_what_was_not_used() {
    // A plan value that carries something not used (filled by the understanding layer).
    let brain = adsai::brain::Brain::default();
    let mut conv = adsai::conversation::Conversation::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"));
    let mut r = brain.handle(&mut conv, "awareness in France, €5k, 30 days").expect("a plan");
    r.plan.not_understood.push(adsai::brief::NotUnderstood {
        text: "but not Paris".into(),
        reason: "excluding a city is not supported".into(),
    });
    let text = adsai::surface::cli::render_text(&r);
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| *l == "Not used: 'but not Paris' — excluding a city is not supported");
    let first_ad_set = lines.iter().position(|l| l.starts_with("  "));
    assert!(at.is_some() && at < first_ad_set, "shown before the ad sets: {text}");
}

#[test]
fn a_one_ad_set_plan_names_it_in_the_cost_line() {
    let out = adsai(&["plan", "--today", "2026-11-23", "awareness in Germany, €600, 30 days"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[1].contains("· 1 ad set: "), "{text}");
    assert!(
        !lines.iter().take_while(|l| **l != "Details").any(|l| l.starts_with("  ")),
        "no line repeating it: {text}"
    );
}

#[test]
fn a_message_with_no_brief_in_it_gets_a_question_not_a_default_plan() {
    for text in ["hello", "hi team, thanks!", "ok"] {
        let out = adsai(&["plan", "--json", "--today", "2026-11-23", text], b"");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v = json(&out);
        assert_eq!(v["plan"]["ad_sets"].as_array().map(Vec::len), Some(0), "{text}: no plan for the default market");
        let questions = v["plan"]["questions"].as_array().cloned().unwrap_or_default();
        assert_eq!(questions.len(), 1, "{text}: {questions:?}");
        assert_eq!(questions[0]["field"], "brief");
        assert_eq!(v["plan"]["assumptions"].as_array().map(Vec::len), Some(0), "{text}: nothing assumed");
    }
}

#[test]
fn a_reader_that_goes_away_is_no_panic() {
    // `adsai plan … | head -c 10`: the pipe closes before the plan is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_adsai"))
        .args(["plan", "--json", "--today", "2026-11-23", "awareness in Germany, €5k, 30 days"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("the binary finishes");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.status.success(), "{err}");
}
