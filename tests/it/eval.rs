//! Accuracy against the shared evaluation data (`../shared/eval`), when it is present.
//!
//! The labelled sets (`briefs_dev.jsonl`, `briefs_dev2.jsonl` and every `tests/eval/*.jsonl`) are
//! scored by the shared scorer itself, on the real binary, each against its floor; the peer corpora
//! (Duckling's money and date phrases) go through the library, one phrase per one-line brief,
//! with `today` = the row's reference date.

use std::path::{Path, PathBuf};
use std::process::Command;

use adsai::brain::Brain;
use adsai::conversation::Conversation;
use chrono::NaiveDate;
use serde_json::Value;

/// The shared evaluation folder: `$ADSAI_EVAL_DIR`, else `../shared/eval` beside the project
/// (or one level further up, for a git worktree kept in a sub-folder).
fn eval_dir() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let candidates = std::env::var_os("ADSAI_EVAL_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain([root.join("../shared/eval"), root.join("../../shared/eval")]);
    for dir in candidates {
        if dir.join("briefs_dev.jsonl").exists() && dir.join("score.py").exists() {
            return Some(dir);
        }
    }
    eprintln!("skipping: ../shared/eval is not present");
    None
}

/// Scores one labelled set with the shared scorer on the real binary; fails under `floor`.
fn score(dir: &Path, labels: &Path, floor: f64) {
    let out = match Command::new("python3")
        .arg(dir.join("score.py"))
        .arg(labels)
        .args(["--bin", env!("CARGO_BIN_EXE_adsai"), "--min", &floor.to_string(), "--show", "40"])
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            eprintln!("skipping: python3 cannot run the shared scorer ({e}); .ci/run installs it");
            return;
        }
    };
    let report = String::from_utf8_lossy(&out.stdout);
    println!("{}\n{report}", labels.display());
    assert!(
        out.status.success(),
        "{} under {:.0} % fully right:\n{report}\n{}",
        labels.display(),
        floor * 100.0,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn rows(path: PathBuf) -> Vec<Value> {
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect()
}

fn plan(text: &str, today: NaiveDate) -> Option<adsai::brain::Response> {
    Brain::default().handle(&mut Conversation::new(today), text).ok()
}

/// Floors of fully-right requests per labelled set: what the understanding achieves today (the
/// issue's target is 97 % on each). A set without a row here is scored against `NEW_SET_FLOOR`.
const FLOORS: &[(&str, f64)] = &[
    ("briefs_dev.jsonl", 1.0),
    ("briefs_dev2.jsonl", 1.0),
    ("briefs_own_a.jsonl", 0.98),
    ("briefs_own_b.jsonl", 0.97),
    // Written after own_a/own_b, labelled from the SPEC before the binary ran (73.1 % then).
    ("briefs_own_c.jsonl", 1.0),
];
const NEW_SET_FLOOR: f64 = 0.3;

fn floor(name: &str) -> f64 {
    FLOORS.iter().find(|(n, _)| *n == name).map_or(NEW_SET_FLOOR, |(_, f)| *f)
}

#[test]
fn dev_set_meets_its_floor() {
    let Some(dir) = eval_dir() else { return };
    score(&dir, &dir.join("briefs_dev.jsonl"), floor("briefs_dev.jsonl"));
}

#[test]
fn dev2_set_meets_its_floor() {
    let Some(dir) = eval_dir() else { return };
    score(&dir, &dir.join("briefs_dev2.jsonl"), floor("briefs_dev2.jsonl"));
}

/// Every labelled set of our own (`tests/eval/*.jsonl`, more may appear), each against its floor.
#[test]
fn own_sets_meet_their_floors() {
    let Some(dir) = eval_dir() else { return };
    let own = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/eval");
    let Ok(entries) = std::fs::read_dir(&own) else { return };
    let mut sets: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    sets.sort();
    for set in sets {
        let name = set.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        score(&dir, &set, floor(&name));
    }
}

#[test]
fn peer_money_values_are_at_least_95_percent_right() {
    let Some(dir) = eval_dir() else { return };
    let today = NaiveDate::from_ymd_opt(2013, 2, 12).unwrap();
    let (mut right, mut total, mut misses) = (0, 0, Vec::new());
    for row in rows(dir.join("peer/duckling_money_en.jsonl")) {
        let text = row["text"].as_str().unwrap_or_default();
        let currency = row["currency"].as_str().unwrap_or_default();
        let bucks = text.to_lowercase().contains("buck");
        if row["kind"] != "value" || !(["USD", "EUR", "GBP", "CAD", "CHF", "dollar"].contains(&currency) || bucks) {
            continue;
        }
        let want_currency = if currency == "dollar" || bucks { "USD" } else { currency };
        let want = row["amount"].as_f64().unwrap_or(f64::NAN);
        total += 1;
        let got = plan(text, today).and_then(|r| r.brief.budget);
        match got {
            Some(b) if b.currency == want_currency && (b.amount - want).abs() <= 0.005 * want.abs().max(1.0) => {
                right += 1
            }
            other => misses.push(format!(
                "{text:?}: want {want} {want_currency}, got {:?}",
                other.map(|b| (b.amount, b.currency))
            )),
        }
    }
    let share = right as f64 / total as f64;
    println!("peer money: {right}/{total} = {:.1} %\n{}", share * 100.0, misses.join("\n"));
    assert!(total >= 50, "only {total} rows");
    assert!(share >= 0.95, "peer money under 95 %: {right}/{total}\n{}", misses.join("\n"));
}

#[test]
fn peer_day_dates_give_the_start_at_least_80_percent() {
    let Some(dir) = eval_dir() else { return };
    let (mut right, mut total, mut misses) = (0, 0, Vec::new());
    for row in rows(dir.join("peer/duckling_time_en.jsonl")) {
        if row["grain"] != "day" || !row["holiday"].is_null() {
            continue;
        }
        let text = row["text"].as_str().unwrap_or_default();
        let today = NaiveDate::parse_from_str(row["ref"].as_str().unwrap_or_default(), "%Y-%m-%d").expect("ref date");
        let want = row["start"].as_str().unwrap_or_default();
        total += 1;
        let got = plan(text, today).and_then(|r| r.brief.schedule.start).map(|d| d.to_string());
        if got.as_deref() == Some(want) {
            right += 1;
        } else {
            misses.push(format!("{text:?} (ref {today}): want {want}, got {got:?}"));
        }
    }
    let share = right as f64 / total as f64;
    println!("peer dates: {right}/{total} = {:.1} %\n{}", share * 100.0, misses.join("\n"));
    assert!(total >= 200, "only {total} rows");
    assert!(share >= 0.80, "peer dates under 80 %: {right}/{total}");
}

#[test]
fn peer_negative_phrases_find_no_money_or_dates() {
    let Some(dir) = eval_dir() else { return };
    let today = NaiveDate::from_ymd_opt(2013, 2, 12).unwrap();
    let mut fired = Vec::new();
    for row in rows(dir.join("peer/duckling_negative_en.jsonl")) {
        let text = row["text"].as_str().unwrap_or_default();
        let Some(r) = plan(text, today) else { continue };
        let money = row["dimension"] == "money" && r.brief.budget.is_some();
        let time = matches!(row["dimension"].as_str(), Some("time" | "duration")) && r.brief.schedule.start.is_some();
        if money || time {
            fired.push(text.to_string());
        }
    }
    println!("negatives that fired: {fired:?}");
    assert!(fired.len() <= 2, "{fired:?}");
}
