//! Command-line surface: `adsai plan "…"` (readable or `--json`, with `--chart` / `--export`
//! files) and `adsai plan --jsonl`.
//!
//! It reads input, hands each message to the brain and renders the response; it decides nothing.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::brain::Response;
use crate::coordinator::{CoordError, Coordinator};
use crate::export;
use crate::present::glance::glance;

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

/// What `adsai plan` writes besides its summary.
#[derive(Debug, Clone, Default)]
pub struct Output {
    /// The SPEC §3 JSON object instead of the readable summary.
    pub json: bool,
    /// The budget→reach curve as a PNG.
    pub chart: Option<PathBuf>,
    /// The plan as CSV, xlsx or a Spotify-shaped JSON draft, by extension.
    pub export: Option<PathBuf>,
}

/// Checks an `--export` file name before any work is done (the format comes from its extension).
pub fn parse_export_path(s: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(s);
    export::ExportFormat::from_path(&path).map(|_| path).map_err(|e| e.to_string())
}

/// Writes the chart and the export `output` asks for; says on standard error what was written.
pub fn write_files(response: &Response, output: &Output) -> Result<(), String> {
    let write = |path: &Path, bytes: Vec<u8>| {
        std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("adsai: wrote {}", path.display());
        Ok::<(), String>(())
    };
    if let Some(path) = &output.chart {
        write(path, export::chart::png(response).map_err(|e| e.to_string())?)?;
    }
    if let Some(path) = &output.export {
        let format = export::ExportFormat::from_path(path).map_err(|e| e.to_string())?;
        write(path, export::render(format, response).map_err(|e| e.to_string())?)?;
    }
    Ok(())
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

/// Renders a response for a person at a terminal, in the order and style of the Slack reply
/// (`present::glance`): title, cost, what it buys, what needs a look, one line per ad set, the
/// rest of the brief and the assumptions, then the details (ranges and evidence).
pub fn render_text(r: &Response) -> String {
    let g = glance(r);
    let mut out: Vec<String> = vec![g.title.clone(), g.cost.clone()];
    out.extend(g.buys.clone());
    out.extend(g.saturation.clone());
    out.extend(g.empty.clone());
    let mut attention: Vec<String> = Vec::new();
    for w in &g.warnings {
        attention.push(match &w.fix {
            Some(f) => format!("! {} (fix: reply \"{}\")", w.text, f.message),
            None => format!("! {}", w.text),
        });
    }
    attention.extend(g.questions.iter().map(|q| format!("? {q}")));
    attention.extend(g.not_used.clone());
    if !attention.is_empty() {
        out.push(String::new());
        out.extend(attention);
    }
    if let Some(t) = crate::present::scenarios::table(r) {
        out.push(String::new());
        out.push(format!("Side by side (reply \"{}\" to switch):", crate::present::scenarios::CHOOSE_HINT));
        out.extend(crate::present::scenarios::aligned(&t).lines().map(|l| format!("  {l}")));
    }
    if !g.ad_sets.is_empty() {
        out.push(String::new());
        out.extend(g.ad_sets.iter().map(|l| format!("  {l}")));
    }
    if !g.brief.is_empty() || !g.assumptions.is_empty() {
        out.push(String::new());
        out.extend(g.brief.clone());
        out.extend(g.assumptions.iter().map(|a| format!("Assumed: {a}")));
    }
    let d = &g.details;
    if !d.forecast.is_empty() {
        out.push(String::new());
        out.push("Details".into());
        out.extend(d.forecast.iter().map(|l| format!("  {l}")));
        for a in &d.ad_sets {
            out.push(format!("  {}", a.name));
            out.extend(a.lines.iter().map(|l| format!("    {l}")));
        }
    }
    let mut s: String = out.iter().map(|l| l.trim_end()).collect::<Vec<_>>().join("\n");
    s.push('\n');
    s
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
