//! Command-line surface: `adsai plan "…"` (readable or `--json`) and `adsai plan --jsonl`.
//!
//! It reads input, hands each message to the brain and renders the response; it decides nothing.

use std::fmt::Write as _;
use std::io::{BufRead, Write};

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::brain::Response;
use crate::brief::Brief;
use crate::coordinator::{CoordError, Coordinator};
use crate::present::{age_label, budget_label, compact, location_label, money};

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    crate::brain::parse_today(s)
}

/// One JSON Lines request (SPEC §3).
#[derive(Debug, Deserialize)]
struct Request {
    #[serde(default)]
    id: Value,
    #[serde(default)]
    today: Option<String>,
    #[serde(default)]
    messages: Vec<String>,
}

fn error_line(id: &Value, code: &str, message: impl Into<String>) -> Value {
    json!({"id": id, "error": {"code": code, "message": message.into()}})
}

/// Handles one JSON Lines request line through the coordinator; returns the output object and
/// whether it succeeded.
pub async fn handle_jsonl_line(coordinator: &Coordinator, line: &[u8], default_today: NaiveDate) -> (Value, bool) {
    let Ok(line) = std::str::from_utf8(line) else {
        return (error_line(&Value::Null, "invalid_utf8", "the line is not valid UTF-8"), false);
    };
    let req: Request = match serde_json::from_str(line) {
        Ok(r) => r,
        Err(e) => {
            // Keep the id when the line is JSON but not a valid request.
            let parsed = serde_json::from_str::<Value>(line).ok();
            let id = parsed.as_ref().and_then(|v| v.get("id").cloned()).unwrap_or(Value::Null);
            let code = if parsed.is_none() { "invalid_json" } else { "invalid_request" };
            return (error_line(&id, code, e.to_string()), false);
        }
    };
    let today = match req.today.as_deref().map(parse_date).transpose() {
        Ok(t) => t.unwrap_or(default_today),
        Err(e) => return (error_line(&req.id, "invalid_date", format!("`today` is {e}")), false),
    };
    match conversation(coordinator, &req.messages, today).await {
        Ok(mut response) => {
            response.id = Some(req.id);
            (serde_json::to_value(&response).unwrap_or(Value::Null), true)
        }
        Err((i, e)) => (error_line(&req.id, e.code(), format!("message {}: {e}", i + 1)), false),
    }
}

/// Runs messages as one conversation; the response after the last one, or the failing message.
pub async fn conversation(
    coordinator: &Coordinator,
    messages: &[String],
    today: NaiveDate,
) -> Result<Response, (usize, CoordError)> {
    if messages.is_empty() {
        return Err((0, CoordError::Input(crate::brain::InputError::Empty)));
    }
    let id = coordinator.create(None, today).await.map_err(|e| (0, e))?;
    let mut last = Ok(None);
    for (i, m) in messages.iter().enumerate() {
        match coordinator.message(&id, m, None, None).await {
            Ok(t) => last = Ok(Some(t.response)),
            Err(e) => {
                last = Err((i, e));
                break;
            }
        }
    }
    // Answered: nothing of it is kept (memory stays flat over a long `--jsonl` run).
    if let Err(e) = coordinator.forget(&id).await {
        tracing::debug!(error = %e, "could not forget a finished conversation");
    }
    last?.ok_or((0, CoordError::Input(crate::brain::InputError::Empty)))
}

/// The longest `--jsonl` line read; a longer one is answered with `line_too_long` (and skipped
/// without being held in memory).
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// One line of input, read with a bound on its length.
enum Line {
    Text(Vec<u8>),
    TooLong(usize),
}

/// Reads up to the next newline, keeping at most `cap` bytes; `None` at the end of input.
fn read_line_capped(input: &mut impl BufRead, cap: usize) -> std::io::Result<Option<Line>> {
    let mut buf = Vec::new();
    let mut total = 0usize;
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            return Ok((total > 0).then_some(if total > cap { Line::TooLong(total) } else { Line::Text(buf) }));
        }
        let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], i + 1),
            None => (chunk, chunk.len()),
        };
        total += part.len();
        if total <= cap {
            buf.extend_from_slice(part);
        } else if !buf.is_empty() {
            buf = Vec::new();
        }
        let ended = done > part.len();
        input.consume(done);
        if ended {
            return Ok(Some(if total > cap { Line::TooLong(total) } else { Line::Text(buf) }));
        }
    }
}

/// Runs `--jsonl` over a reader; returns (succeeded, failed) counts.
pub async fn run_jsonl(
    coordinator: &Coordinator,
    mut input: impl BufRead,
    mut out: impl Write,
    today: NaiveDate,
) -> std::io::Result<(usize, usize)> {
    let (mut ok, mut failed) = (0, 0);
    while let Some(line) = read_line_capped(&mut input, MAX_LINE_BYTES)? {
        let (value, good) = match line {
            Line::TooLong(n) => {
                let message = format!("the line is {n} bytes; at most {MAX_LINE_BYTES} are read");
                (error_line(&Value::Null, "line_too_long", message), false)
            }
            Line::Text(line) if line.iter().all(u8::is_ascii_whitespace) => continue,
            Line::Text(line) => handle_jsonl_line(coordinator, &line, today).await,
        };
        if good {
            ok += 1;
        } else {
            failed += 1;
        }
        serde_json::to_writer(&mut out, &value)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok((ok, failed))
}

fn list(items: &[String]) -> String {
    items.join(", ")
}

fn ages(brief: &Brief) -> String {
    age_label(&brief.audience)
}

/// Renders a response for a person at a terminal.
pub fn render_text(r: &Response) -> String {
    let b = &r.brief;
    let mut s = String::new();
    // The planner says what it planned for; the brief says whether the user stated it.
    let objective = match (b.objective, r.plan.objective) {
        (Some(o), _) => format!("{} ({})", o.id(), o.label()),
        (None, Some(o)) => format!("{} (assumed)", o.id()),
        (None, None) => "—".to_string(),
    };
    let _ = writeln!(s, "Objective   {objective}");
    let places: Vec<String> = b.audience.locations.iter().map(location_label).collect();
    let _ = writeln!(
        s,
        "Where       {}",
        if places.is_empty() { "— (assumed default market)".into() } else { list(&places) }
    );
    let mut who = vec![ages(b)];
    if !b.audience.genders.is_empty() {
        who.push(b.audience.genders.iter().map(|g| g.id().to_lowercase()).collect::<Vec<_>>().join(" + "));
    }
    let _ = writeln!(s, "Who         {}", who.join(", "));
    for (label, items) in [
        ("Interests", &b.audience.interests),
        ("Genres", &b.audience.genres),
        ("Moments", &b.audience.contexts),
        ("Topics", &b.audience.podcast_topics),
        ("Languages", &b.audience.languages),
    ] {
        if !items.is_empty() {
            let _ = writeln!(s, "{label:<12}{}", list(items));
        }
    }
    if !b.audience.platforms.is_empty() {
        let p: Vec<String> = b.audience.platforms.iter().map(|p| p.id().to_string()).collect();
        let _ = writeln!(s, "Platforms   {}", list(&p));
    }
    let planned_budget = r.plan.budget.as_ref().filter(|p| p.recommended);
    let budget = match &b.budget {
        None => match planned_budget {
            Some(p) => format!("{} (recommended)", money(p.total, &r.plan.currency)),
            None => "— (to be recommended)".to_string(),
        },
        Some(bu) => budget_label(bu),
    };
    let _ = writeln!(s, "Budget      {budget}");
    let flight = match (b.schedule.start, b.schedule.end, b.schedule.days, r.plan.schedule.as_ref()) {
        (Some(a), Some(e), Some(d), _) if d > 0 => format!("{a} → {e} ({d} days)"),
        (_, _, _, Some(p)) if p.recommended => format!("{} → {} ({} days, recommended)", p.start, p.end, p.days),
        (Some(a), Some(e), Some(d), _) => format!("{a} → {e} ({d} days)"),
        (Some(a), None, _, _) => format!("from {a}"),
        (None, Some(e), _, _) => format!("until {e}"),
        _ => "—".into(),
    };
    let _ = writeln!(s, "Flight      {flight}");
    let f = &b.formats;
    let mut fm = Vec::new();
    if !f.include.is_empty() {
        fm.push(format!("only {}", f.include.iter().map(|x| x.id()).collect::<Vec<_>>().join(" + ")));
    }
    if !f.exclude.is_empty() {
        fm.push(format!("no {}", f.exclude.iter().map(|x| x.id()).collect::<Vec<_>>().join(", ")));
    }
    for (x, share) in &f.max_share {
        fm.push(format!("{} ≤ {:.0} %", x.id(), share * 100.0));
    }
    if !f.placements.is_empty() {
        fm.push(format!("on {}", f.placements.iter().map(|x| x.id()).collect::<Vec<_>>().join(" + ")));
    }
    if !fm.is_empty() {
        let _ = writeln!(s, "Formats     {}", fm.join("; "));
    }
    let p = &r.plan;
    render_ad_sets(&mut s, p);
    if !p.assumptions.is_empty() {
        let _ = writeln!(s, "\nAssumed");
        for a in &p.assumptions {
            let _ = writeln!(s, "  · {}", a.message);
        }
    }
    if !p.warnings.is_empty() {
        let _ = writeln!(s, "\nWarnings");
        for w in &p.warnings {
            let _ = writeln!(s, "  ! {}: {}", w.code.id(), w.message);
        }
    }
    if !p.questions.is_empty() {
        let _ = writeln!(s, "\nQuestions");
        for q in &p.questions {
            let _ = writeln!(s, "  ? {}", q.message);
        }
    }
    s
}

fn render_ad_sets(s: &mut String, p: &crate::plan::Plan) {
    let Some(f) = &p.forecast else { return };
    if p.ad_sets.is_empty() {
        let _ = writeln!(s, "\nNo ad sets: nothing in this brief can be planned (see the warnings).");
        return;
    }
    let kpi = &f.kpi.metric;
    // For REACH the KPI is the reach column itself.
    let kpi_column = kpi != "reach";
    let whole = |x: f64| money(x.round(), "").trim().to_string();
    let _ = writeln!(s, "\nAd sets ({})", p.currency);
    let _ = writeln!(
        s,
        "  {:<28} {:>11} {:>6} {:>7} {:>11} {:>9} {:>11}  evidence",
        "",
        "budget",
        "share",
        "CPM",
        "impressions",
        "reach",
        if kpi_column { kpi.as_str() } else { "" }
    );
    for a in &p.ad_sets {
        let e = &a.evidence;
        let kpi_cell = if kpi_column { compact(a.forecast.kpi.count.mid) } else { String::new() };
        let _ = writeln!(
            s,
            "  {:<28} {:>11} {:>5.1}% {:>7.2} {:>11} {:>9} {:>11}  {} ad sets, {} advertisers ({})",
            a.name,
            whole(a.budget),
            a.share * 100.0,
            a.bid_cpm,
            compact(a.forecast.impressions.mid),
            compact(a.forecast.reach.mid),
            kpi_cell,
            e.ad_sets,
            e.advertisers,
            e.level.replace('_', " ")
        );
    }
    let total: f64 = p.ad_sets.iter().map(|a| a.budget).sum();
    let _ = writeln!(
        s,
        "  {:<28} {:>11} {:>5.1}% {:>7.2} {:>11} {:>9} {:>11}",
        "Total",
        whole(total),
        100.0,
        f.cpm.mid,
        compact(f.impressions.mid),
        compact(f.reach.mid),
        if kpi_column { compact(f.kpi.count.mid) } else { String::new() }
    );
    let range = |r: &crate::plan::Range| format!("{}–{}", compact(r.low), compact(r.high));
    let cost = if kpi_column {
        format!("{} {kpi} at {} each", compact(f.kpi.count.mid), money(f.kpi.cost_per.mid, &p.currency))
    } else {
        let per_thousand = if f.reach.mid > 0.0 { total / f.reach.mid * 1000.0 } else { 0.0 };
        format!("{} per 1,000 people reached", money((per_thousand * 100.0).round() / 100.0, &p.currency))
    };
    let _ = writeln!(
        s,
        "\nForecast    {} impressions ({}), reach {} ({}) of {} people, frequency {:.1}, {} clicks; {cost}",
        compact(f.impressions.mid),
        range(&f.impressions),
        compact(f.reach.mid),
        range(&f.reach),
        compact(f.audience_size as f64),
        f.frequency.mid,
        compact(f.clicks.mid),
    );
    let _ = writeln!(
        s,
        "Delivery    {}",
        if f.likely_to_deliver { "likely to deliver" } else { "unlikely to deliver in full" }
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brain::Brain;
    use crate::store::MemoryStore;
    use crate::telemetry::Metrics;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn coordinator() -> Coordinator {
        Coordinator::start(
            Brain::default(),
            std::sync::Arc::new(MemoryStore::default()),
            crate::coordinator::Config::default(),
            std::sync::Arc::new(Metrics::default()),
            tokio_util::sync::CancellationToken::new(),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn a_request_gives_the_spec_object() {
        let line = br#"{"id": "x1", "today": "2026-11-23", "messages": ["awareness in Germany, 30 days"]}"#;
        let (v, ok) = handle_jsonl_line(&coordinator(), line, today()).await;
        assert!(ok);
        assert_eq!(v["id"], "x1");
        assert_eq!(v["brief"]["objective"], "REACH");
        assert_eq!(v["brief"]["schedule"]["start"], "2026-11-24");
        assert!(v["plan"]["assumptions"].is_array());
    }

    #[tokio::test]
    async fn bad_lines_give_error_objects() {
        let c = coordinator();
        let code = |v: (Value, bool)| v.0["error"]["code"].as_str().unwrap_or_default().to_string();
        assert_eq!(code(handle_jsonl_line(&c, b"{not json", today()).await), "invalid_json");
        assert_eq!(code(handle_jsonl_line(&c, b"\xff\xfe", today()).await), "invalid_utf8");
        assert_eq!(code(handle_jsonl_line(&c, br#"{"id": 7, "messages": "x"}"#, today()).await), "invalid_request");
        assert_eq!(code(handle_jsonl_line(&c, br#"{"id": 7, "messages": []}"#, today()).await), "empty_message");
        let (v, ok) = handle_jsonl_line(&c, br#"{"id": "e", "messages": ["   "]}"#, today()).await;
        assert!(!ok);
        assert_eq!(v["id"], "e");
        assert_eq!(v["error"]["code"], "empty_message");
        let d = handle_jsonl_line(&c, br#"{"id": "d", "today": "tomorrow", "messages": ["x"]}"#, today()).await;
        assert_eq!(code(d), "invalid_date");
    }

    #[tokio::test]
    async fn jsonl_run_counts_and_continues_after_errors() {
        let input = b"{\"id\":\"a\",\"messages\":[\"reach in France\"]}\n\nnope\n{\"id\":\"b\",\"messages\":[\"clicks, UK\"]}\n";
        let mut out = Vec::new();
        let (ok, failed) = run_jsonl(&coordinator(), &input[..], &mut out, today()).await.unwrap();
        assert_eq!((ok, failed), (2, 1));
        let lines: Vec<Value> =
            out.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[2]["id"], "b");
    }

    #[tokio::test]
    async fn an_overlong_line_is_an_error_and_the_run_goes_on() {
        let mut input = b"{\"id\":\"a\",\"messages\":[\"reach in France\"]}\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 10));
        input.extend(b"\n{\"id\":\"b\",\"messages\":[\"clicks, UK\"]}");
        let mut out = Vec::new();
        let (ok, failed) = run_jsonl(&coordinator(), &input[..], &mut out, today()).await.unwrap();
        assert_eq!((ok, failed), (2, 1));
        let lines: Vec<Value> =
            out.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect();
        assert_eq!(lines[1]["error"]["code"], "line_too_long");
        assert_eq!(lines[2]["id"], "b", "a last line without a newline is read too");
        // A line of exactly the limit is read (and is merely not JSON).
        let exact = vec![b'y'; MAX_LINE_BYTES];
        let mut out = Vec::new();
        run_jsonl(&coordinator(), &exact[..], &mut out, today()).await.unwrap();
        assert!(String::from_utf8_lossy(&out).contains("invalid_json"));
    }

    #[tokio::test]
    async fn answered_conversations_are_forgotten() {
        let c = coordinator();
        let mut input = Vec::new();
        for n in 0..300 {
            input.extend(format!("{{\"id\":{n},\"messages\":[\"reach in France\",\"make it {n}k\"]}}\n").bytes());
        }
        let (ok, _) = run_jsonl(&c, &input[..], std::io::sink(), today()).await.unwrap();
        assert_eq!(ok, 300);
        tokio::task::yield_now().await;
        assert_eq!(c.conversations(), 0, "nothing kept once answered");
    }
}
