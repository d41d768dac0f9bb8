//! The Slack renderer without a server: Block Kit snapshots of every kind of plan (compared
//! exactly with `tests/it/snapshots/*.json`; `UPDATE_SNAPSHOTS=1` rewrites them), Slack's limits
//! for any plan, the one-screen budget of a three-ad-set reply, and buttons that fit the plan.

use std::sync::Arc;

use adsai::brain::{Brain, Response};
use adsai::brief::{Location, NotUnderstood, Warning, WarningCode};
use adsai::coordinator::{self, Change, Coordinator};
use adsai::store::MemoryStore;
use adsai::surface::slack::blocks::{self, Actions, Rendered};
use adsai::surface::slack::bot::{content, conversation_id};
use adsai::telemetry::Metrics;
use chrono::NaiveDate;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

const TEAM: &str = "T0STANDIN";
const CHANNEL: &str = "C0PLAN";
const BRIEF: &str = crate::slack::BRIEF;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).expect("date")
}

/// The turns of a conversation (with `today` fixed), through the real coordinator.
pub(crate) async fn turns(messages: &[&str]) -> Vec<(Response, Vec<Change>)> {
    let c = Coordinator::start(
        Brain::default(),
        Arc::new(MemoryStore::default()),
        coordinator::Config::default(),
        Arc::new(Metrics::default()),
        CancellationToken::new(),
    )
    .expect("coordinator");
    let id = c.create(None, today()).await.expect("create");
    let mut out = Vec::new();
    for m in messages {
        let t = c.message(&id, m, None, None).await.expect("turn");
        out.push((t.response, t.changes));
    }
    out
}

/// Compares a rendered message with `tests/it/snapshots/<name>.json` (written when missing or
/// with `UPDATE_SNAPSHOTS=1`). What is compared is what goes on the wire: the blocks after
/// slack-morphism's typed models, which must not lose anything.
fn snapshot(name: &str, r: &Rendered) {
    assert!(blocks::check_limits(r).is_empty(), "{name}: {:?}", blocks::check_limits(r));
    let wire = serde_json::to_value(content(r).blocks.unwrap_or_default()).expect("json");
    assert_eq!(wire, Value::Array(r.blocks.clone()), "{name}: slack-morphism's models changed the blocks");
    assert!(crate::slack_standin::validate_blocks(&wire).is_empty());
    let got = serde_json::to_string_pretty(&json!({"text": r.text, "blocks": wire})).expect("json") + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots").join(format!("{name}.json"));
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    match std::fs::read_to_string(&path) {
        Ok(want) if !update => assert!(want == got, "{name}: snapshot differs (UPDATE_SNAPSHOTS=1 rewrites it)\n{got}"),
        _ => {
            std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
            std::fs::write(&path, got).expect("write snapshot");
            eprintln!("[slack] wrote snapshot {}", path.display());
        }
    }
}

fn refine(first: bool) -> Actions {
    Actions::Refine { conversation: conversation_id(TEAM, CHANNEL, "1700000000.000100"), first }
}

/// Every piece of text a reader sees in a message's blocks (headers, sections, fields,
/// context, button and option labels), in order.
fn visible_texts(blocks: &[Value]) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if matches!(o.get("type").and_then(Value::as_str), Some("plain_text" | "mrkdwn")) {
                    if let Some(t) = o.get("text").and_then(Value::as_str) {
                        out.push(t.to_string());
                    }
                    return;
                }
                for (k, x) in o {
                    if k != "value" {
                        walk(x, out);
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for b in blocks {
        walk(b, &mut out);
    }
    out
}

/// The `action_id`s of the buttons and menus of a message.
fn action_ids(blocks: &[Value]) -> Vec<String> {
    blocks
        .iter()
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e["action_id"].as_str().map(String::from))
        .collect()
}

#[tokio::test]
async fn slack_block_kit_snapshots() {
    let t = turns(&[BRIEF, "make it 8k and add Austria", "no display"]).await;
    snapshot("slack_plan_awareness_de", &blocks::plan(&t[0].0, &t[0].1, &refine(true)));
    snapshot("slack_plan_follow_up", &blocks::plan(&t[1].0, &t[1].1, &refine(false)));
    snapshot("slack_plan_formats_changed", &blocks::plan(&t[2].0, &t[2].1, &refine(false)));
    // Nothing listed that did not change: "no display" on a reach plan (which never has display)
    // changes the brief's formats and nothing else.
    assert_eq!(blocks::change_lines(&t[2].1, &t[2].0.plan), ["Formats: none → no display"]);
    let c = turns(&["clicks in France, €10k, next month", "only women 25-34, make it 12k"]).await;
    let lines = blocks::change_lines(&c[1].1, &c[1].0.plan);
    assert!(lines.iter().any(|l| l.starts_with("Audience: 18+ → women 25–34")), "{lines:?}");
    assert!(lines.iter().any(|l| l.starts_with("Clicks: ")), "the KPI moved: {lines:?}");
    snapshot("slack_plan_audience_changed", &blocks::plan(&c[1].0, &c[1].1, &refine(false)));
    snapshot("slack_details_awareness_de", &blocks::details(&t[0].0));
    let t = turns(&["sign-ups from teens in Narnia and Japan, 100 dollars, ending yesterday"]).await;
    snapshot("slack_plan_warnings", &blocks::plan(&t[0].0, &t[0].1, &refine(true)));
    let t = turns(&["awareness in Narnia, 5k"]).await;
    snapshot("slack_plan_no_market", &blocks::plan(&t[0].0, &t[0].1, &refine(true)));
    let t = turns(&["reach podcast listeners in Ireland interested in cooking, €80,000, one week"]).await;
    snapshot("slack_plan_saturated", &blocks::plan(&t[0].0, &t[0].1, &refine(true)));
    let t = turns(&["audio only awareness in Spain, €3k, 30 days"]).await;
    snapshot("slack_plan_audio_only", &blocks::plan(&t[0].0, &t[0].1, &refine(true)));
    let t = turns(&["clicks in France from Spanish speakers on iOS, €10k, next month"]).await;
    snapshot("slack_plan_clicks_labels", &blocks::plan(&t[0].0, &t[0].1, &refine(true)));
    // A plan value that carries something not used (filled by the understanding layer).
    let (mut r, _) = turns(&["awareness in France, €5k, 30 days"]).await.remove(0);
    r.plan
        .not_understood
        .push(NotUnderstood { text: "but not Paris".into(), reason: "excluding a city is not supported".into() });
    let out = blocks::plan(&r, &[], &refine(true));
    assert!(
        visible_texts(&out.blocks)
            .iter()
            .any(|t| t.contains("Not used: 'but not Paris' — excluding a city is not supported")),
        "{:?}",
        out.blocks
    );
    snapshot("slack_plan_not_understood", &out);
    let t = turns(&["app installs for iPhone users in the UK, 20k in Q1"]).await;
    let value = json!({"today": today().to_string(), "text": "app installs for iPhone users in the UK, 20k in Q1"});
    snapshot("slack_preview_app_installs", &blocks::plan(&t[0].0, &[], &Actions::Preview { value: value.to_string() }));
    snapshot("slack_progress", &blocks::progress(&[("goal".into(), true), ("budget".into(), false)]));
    snapshot("slack_usage", &blocks::usage("U0ADSAI"));
}

/// A comparison's reply: the side-by-side table (current plan and three options) and a
/// "Use option N" button per option, within Slack's limits.
#[tokio::test]
async fn slack_scenario_table_snapshot() {
    let t = turns(&[BRIEF, "give me options at €2.5k, €10k and 8 weeks"]).await;
    let (r, changes) = &t[1];
    assert_eq!(r.plan.scenarios.len(), 3);
    let out = blocks::plan(r, changes, &refine(false));
    assert!(out.blocks.len() <= 20, "{}", out.blocks.len());
    let text = serde_json::to_string(&out.blocks).expect("json");
    for n in 1..=3 {
        assert!(text.contains(&format!("Use option {n}")), "{text}");
    }
    snapshot("slack_plan_scenarios", &out);
}

/// The answer fits a phone screen: a three-ad-set plan's reply is at most 20 blocks, the
/// summary and the warnings come in the first five, and what is visible before Details is
/// under 1,200 characters; the notification has no enum codes.
#[tokio::test]
async fn slack_three_ad_set_plan_fits_one_screen() {
    let briefs = [
        BRIEF,
        "clicks in France from Spanish speakers on iOS, €10k, next month",
        "awareness in Germany, €5k, 30 days, starting 2026-11-01",
    ];
    for brief in briefs {
        let (r, changes) = turns(&[brief]).await.remove(0);
        assert_eq!(r.plan.ad_sets.len(), 3, "{brief}: a three-ad-set plan");
        for first in [true, false] {
            let out = blocks::plan(&r, &changes, &refine(first));
            assert!(out.blocks.len() <= 20, "{brief}: {} blocks", out.blocks.len());
            let first_five = Value::Array(out.blocks.iter().take(5).cloned().collect()).to_string();
            assert!(first_five.contains("ad sets") && first_five.contains("CPM"), "{brief}: summary in the first five");
            for w in &r.plan.warnings {
                let shown = blocks::esc(&w.message);
                assert!(
                    first_five.contains(&shown[..shown.len().min(30)]),
                    "{brief}: warning {} in the first five",
                    w.message
                );
            }
            let visible: usize = visible_texts(&out.blocks).iter().map(|t| t.chars().count()).sum();
            println!(
                "[slack] {brief:?} (first plan: {first}): {} blocks, {visible} visible characters",
                out.blocks.len()
            );
            assert!(visible < 1200, "{brief}: {visible} characters visible");
            for code in ["REACH", "CLICKS", "EUR", "IOS", "_"] {
                assert!(!out.text.contains(code), "{brief}: notification has {code}: {}", out.text);
            }
        }
    }
}

/// The values of the overflow menu's options (`<what>|<conversation>`).
fn menu_options(blocks: &[Value]) -> Vec<String> {
    blocks
        .iter()
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .filter(|e| e["type"] == "overflow")
        .flat_map(|e| e["options"].as_array().cloned().unwrap_or_default())
        .filter_map(|o| o["value"].as_str().map(String::from))
        .collect()
}

/// Every button a plan shows does something for that plan: each refinement's follow-up changes
/// it, a fix clears its warning, Details is a look; and the buttons fit (no Undo on a first
/// plan, no Audio only on an audio-only plan, no +20 % on a saturated one).
#[tokio::test]
async fn slack_buttons_fit_the_plan() {
    let cases = [
        BRIEF,
        "awareness in Germany, 100 euros, 30 days",
        "audio only awareness in Spain, €3k, 30 days",
        "reach podcast listeners in Ireland interested in cooking, €80,000, one week",
        "awareness in Germany, €5k, 30 days, starting 2026-11-01",
        "video views in the UK, £20k, 6 weeks",
    ];
    for brief in cases {
        let (r, _) = turns(&[brief]).await.remove(0);
        let out = blocks::plan(&r, &[], &refine(true));
        let ids = action_ids(&out.blocks);
        let menu = menu_options(&out.blocks);
        assert!(!ids.iter().any(|i| i == "adsai_refine_undo"), "{brief}: no undo yet");
        assert!(!menu.iter().any(|o| o.starts_with("undo|")), "{brief}: no undo yet: {menu:?}");
        for what in ["details|", "curve|", "export|"] {
            assert!(menu.iter().any(|o| o.starts_with(what)), "{brief}: {what} {menu:?}");
        }
        let all_audio = r.plan.ad_sets.iter().all(|a| a.format == adsai::brief::Format::Audio);
        let video_views = r.plan.objective == Some(adsai::brief::Objective::VideoViews);
        let audio_only = ids.iter().any(|i| i == "adsai_refine_audio_only");
        assert_eq!(audio_only, !all_audio && !video_views, "{brief}: {ids:?}");
        for id in &ids {
            if let Some(x) = blocks::refinement(id) {
                let t = turns(&[brief, x.message]).await;
                assert!(!t[1].1.is_empty(), "{brief}: '{}' changed nothing", x.message);
            }
        }
        let elements: Vec<Value> =
            out.blocks.iter().flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default()).collect();
        for fix in
            elements.iter().filter(|e| e["action_id"].as_str().is_some_and(|a| a.starts_with(blocks::FIX_PREFIX)))
        {
            let (_, message) = blocks::parse_fix_value(fix["value"].as_str().unwrap_or_default()).expect("fix value");
            let before = r.plan.warnings.len();
            let t = turns(&[brief, &message]).await;
            assert!(
                t[1].0.plan.warnings.len() < before,
                "{brief}: '{message}' fixed nothing: {:?}",
                t[1].0.plan.warnings
            );
        }
        let after = blocks::plan(&r, &[], &refine(false));
        let menu = menu_options(&after.blocks);
        assert!(
            menu.iter().any(|o| o.starts_with("undo|")) && menu.iter().any(|o| o.starts_with("details|")),
            "after a change, the menu holds Details and Undo: {menu:?}"
        );
    }
    let (sat, _) = turns(&[cases[3]]).await.remove(0);
    let ids = action_ids(&blocks::plan(&sat, &[], &refine(true)).blocks);
    assert!(!ids.iter().any(|i| i == "adsai_refine_budget_20"), "no +20 % on a saturated plan: {ids:?}");
    let (low, _) = turns(&[cases[1]]).await.remove(0);
    assert!(action_ids(&blocks::plan(&low, &[], &refine(true)).blocks)
        .iter()
        .any(|i| i.starts_with(blocks::FIX_PREFIX)));
}

#[tokio::test]
async fn slack_block_kit_stays_within_limits_for_any_plan() {
    let t = turns(&["awareness in the US, UK, Germany, France, Spain and Italy, 900k, 3 months"]).await;
    let (mut r, _) = t.into_iter().next().expect("turn");
    let template = r.plan.ad_sets.first().cloned().expect("an ad set");
    for i in 0..40 {
        let mut a = template.clone();
        a.name = format!("{} · variant {i} · {}", a.name, "x".repeat(300));
        r.plan.ad_sets.push(a);
    }
    for c in 0..60 {
        r.brief.audience.locations.push(Location::country(&format!("Z{c}")));
    }
    for i in 0..40 {
        r.plan.warnings.push(Warning::new(
            WarningCode::UnsupportedMarket,
            "audience.locations",
            "w".repeat(500) + &i.to_string(),
        ));
    }
    r.plan.assumptions.extend(r.plan.assumptions.clone().into_iter().cycle().take(30));
    r.brief.audience.interests = (0..200).map(|i| format!("interest{i}")).collect();
    let changes: Vec<Change> =
        (0..30).map(|i| Change { field: format!("field{i}"), from: json!(i), to: json!("y".repeat(900)) }).collect();
    for actions in [refine(true), refine(false), Actions::Preview { value: "v".repeat(5000) }, Actions::None] {
        let out = blocks::plan(&r, &changes, &actions);
        assert!(blocks::check_limits(&out).is_empty(), "{:?}", blocks::check_limits(&out));
        let wire = serde_json::to_value(content(&out).blocks.unwrap_or_default()).expect("json");
        assert!(
            crate::slack_standin::validate_blocks(&wire).is_empty(),
            "{:?}",
            crate::slack_standin::validate_blocks(&wire)
        );
        assert!(!out.text.trim().is_empty() && out.text.chars().count() <= blocks::MAX_FALLBACK_TEXT);
        assert!(out.blocks.len() <= blocks::MAX_BLOCKS);
        let text = Value::Array(out.blocks.clone()).to_string();
        assert!(text.contains("more ad sets"), "summarised");
    }
}
