//! Command-line surface: `adsai plan "…"` (readable or `--json`, with `--chart` / `--export`
//! files) and `adsai plan --jsonl`.
//!
//! It reads input, hands each message to the brain and renders the response; it decides nothing.

use std::io::{BufRead, Read, Write};
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
    crate::brain::parse_today(s).map_err(|e| e.to_string())
}

/// One JSON Lines request (docs/brief.md §3).
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

/// Appends one output line (without its newline): the object's JSON.
fn encode_into(out: &mut Vec<u8>, v: &impl serde::Serialize) {
    // A response is plain data (string keys, finite numbers): encoding it cannot fail.
    let start = out.len();
    if let Err(e) = crate::present::json::write(out, v) {
        out.truncate(start);
        let failed = error_line(&Value::Null, "internal", format!("the answer could not be encoded: {e}"));
        let _ = crate::present::json::write(out, &failed);
    }
}

/// Handles one JSON Lines request line through the coordinator; returns the output line
/// (JSON, no newline) and whether it succeeded.
pub async fn handle_jsonl_line(coordinator: &Coordinator, line: &[u8], default_today: NaiveDate) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(crate::present::PLAN_JSON_BYTES);
    let good = answer_into(&mut out, coordinator, line, default_today).await;
    (out, good)
}

/// Appends the answer to one JSON Lines request line (no newline); whether it succeeded.
async fn answer_into(out: &mut Vec<u8>, coordinator: &Coordinator, line: &[u8], default_today: NaiveDate) -> bool {
    let mut fail = |v: Value| {
        encode_into(out, &v);
        false
    };
    let Ok(line) = std::str::from_utf8(line) else {
        return fail(error_line(&Value::Null, "invalid_utf8", "the line is not valid UTF-8"));
    };
    let req: Request = match serde_json::from_str(line) {
        Ok(r) => r,
        Err(e) => {
            // Keep the id when the line is JSON but not a valid request.
            let parsed = serde_json::from_str::<Value>(line).ok();
            let id = parsed.as_ref().and_then(|v| v.get("id").cloned()).unwrap_or(Value::Null);
            let code = if parsed.is_none() { "invalid_json" } else { "invalid_request" };
            return fail(error_line(&id, code, e.to_string()));
        }
    };
    let today = match req.today.as_deref().map(parse_date).transpose() {
        Ok(t) => t.unwrap_or(default_today),
        Err(e) => return fail(error_line(&req.id, "invalid_date", format!("`today` is {e}"))),
    };
    match coordinator.ephemeral(req.messages, today).await {
        Ok(mut response) => {
            response.id = Some(req.id);
            encode_into(out, &response);
            true
        }
        Err((i, e)) => fail(error_line(&req.id, e.code(), format!("message {}: {e}", i + 1))),
    }
}

/// What `adsai plan` writes besides its summary.
#[derive(Debug, Clone, Default)]
pub struct Output {
    /// The docs/brief.md §3 JSON object instead of the readable summary.
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

/// What can go wrong writing a plan's files and output.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write {}: {source}", .path.display())]
    File { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Export(#[from] export::ExportError),
    #[error("cannot encode the plan: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("cannot write the plan: {0}")]
    Stdout(std::io::Error),
}

/// Writes the chart and the export `output` asks for; says on standard error what was written.
pub fn write_files(response: &Response, output: &Output) -> Result<(), OutputError> {
    let write = |path: &Path, bytes: Vec<u8>| {
        std::fs::write(path, bytes).map_err(|source| OutputError::File { path: path.to_path_buf(), source })?;
        eprintln!("adsai: wrote {}", path.display());
        Ok::<(), OutputError>(())
    };
    if let Some(path) = &output.chart {
        write(path, export::chart::png(response)?)?;
    }
    if let Some(path) = &output.export {
        let format = export::ExportFormat::from_path(path)?;
        write(path, export::render(format, response)?)?;
    }
    Ok(())
}

/// Runs messages as one conversation; the response after the last one, or the failing message.
/// Nothing of it is kept (the command line never follows up on it).
pub async fn conversation(
    coordinator: &Coordinator,
    messages: &[String],
    today: NaiveDate,
) -> Result<Response, (usize, CoordError)> {
    coordinator.ephemeral(messages.to_vec(), today).await
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

/// Requests `--jsonl` works on at once (a batch read at the window's edge may go a little
/// over). Their answers are still written in input order; the window lets both cores plan while
/// the output waits for the oldest request.
pub const JSONL_IN_FLIGHT: usize = 64;

/// Lines one task answers, one after the other, when no model is configured. A task per line
/// cost a thread wake-up per request (the worker waking the writer, the writer waking a
/// worker) — more than a request's own work — and a task cell allocated on one thread and freed
/// on another. With a model a request may wait on it for seconds, so each line gets its own
/// task and the lines wait together.
const LINES_PER_TASK: usize = 8;

/// How long the oldest request may keep finished answers behind it unwritten before they are
/// flushed anyway (a slow specialist waits out its time limit; what came before it goes out).
const FLUSH_AFTER: std::time::Duration = std::time::Duration::from_millis(5);

/// The answers of one task's lines, each followed by a newline, and how many succeeded / failed.
#[derive(Default)]
struct Answers {
    bytes: Vec<u8>,
    good: usize,
    bad: usize,
}

impl Answers {
    /// Room for `lines` answers of a plan's size.
    fn with_room(lines: usize) -> Answers {
        Answers { bytes: Vec::with_capacity(lines * crate::present::PLAN_JSON_BYTES), ..Default::default() }
    }

    /// Counts the answer just appended to `bytes`, and ends its line.
    fn ended(&mut self, good: bool) {
        if good {
            self.good += 1;
        } else {
            self.bad += 1;
        }
        self.bytes.push(b'\n');
    }
}

/// A task answering some lines, and how many answers it owes (one a line).
type Answering = (tokio::task::JoinHandle<Answers>, usize);

/// Runs `--jsonl` over a reader; returns (succeeded, failed) counts.
///
/// A thread reads the lines (standard input blocks) and hands over every complete line its
/// buffer holds at once; they are answered by tasks of up to [`LINES_PER_TASK`] lines (one when
/// a model is configured) on the runtime's workers, up to [`JSONL_IN_FLIGHT`] lines at a time.
/// The answers are written in input order to a buffer that is flushed whenever the run would
/// wait — for input, or for a slow request — so an interactive caller gets each answer as soon
/// as it is ready and a file is written in large blocks.
pub async fn run_jsonl(
    coordinator: &Coordinator,
    input: impl Read + Send + 'static,
    out: impl Write,
    today: NaiveDate,
) -> std::io::Result<(usize, usize)> {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
    let (tx, mut lines) = tokio::sync::mpsc::channel::<std::io::Result<Vec<Line>>>(16);
    let input = std::io::BufReader::with_capacity(64 * 1024, input);
    std::thread::Builder::new().name("adsai-jsonl-read".into()).spawn(move || read_lines(input, tx))?;
    let mut pending: std::collections::VecDeque<Answering> = std::collections::VecDeque::new();
    let in_flight = |pending: &std::collections::VecDeque<Answering>| pending.iter().map(|a| a.1).sum::<usize>();
    let mut counts = (0, 0);
    let mut input_open = true;
    let mut write = |answers: Answers, out: &mut dyn Write| {
        counts.0 += answers.good;
        counts.1 += answers.bad;
        out.write_all(&answers.bytes)
    };
    let per_task = if coordinator.asks_model() { 1 } else { LINES_PER_TASK };
    let start = |batch: std::io::Result<Vec<Line>>, pending: &mut std::collections::VecDeque<Answering>| {
        // Blank lines get no answer.
        let mut batch = batch?.into_iter().filter(|l| !matches!(l, Line::Text(t) if is_blank(t))).peekable();
        while batch.peek().is_some() {
            let task: Vec<Line> = batch.by_ref().take(per_task).collect();
            pending.push_back(spawn_answers(coordinator, task, today));
        }
        Ok::<(), std::io::Error>(())
    };
    loop {
        // Take every batch that is ready, up to the window.
        while input_open && in_flight(&pending) < JSONL_IN_FLIGHT {
            match lines.try_recv() {
                Ok(batch) => start(batch, &mut pending)?,
                Err(tokio::sync::mpsc::error::TryRecvError::Empty) => break,
                Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => input_open = false,
            }
        }
        // Write every answer that is ready, in order.
        while pending.front().is_some_and(|h| h.0.is_finished()) {
            if let Some((h, owed)) = pending.pop_front() {
                write(joined(h.await, owed), &mut out)?;
            }
        }
        if pending.is_empty() && !input_open {
            break;
        }
        let window_full = in_flight(&pending) >= JSONL_IN_FLIGHT;
        match pending.front_mut() {
            // Waiting for the oldest request only: flush what is written if it takes long.
            Some((front, owed)) if window_full || !input_open => {
                let owed = *owed;
                let answer = match tokio::time::timeout(FLUSH_AFTER, &mut *front).await {
                    Ok(a) => a,
                    Err(_) => {
                        out.flush()?;
                        front.await
                    }
                };
                pending.pop_front();
                write(joined(answer, owed), &mut out)?;
            }
            // Waiting for input too: whatever is written goes out first.
            Some((front, owed)) => {
                let owed = *owed;
                out.flush()?;
                tokio::select! {
                    answer = &mut *front => {
                        pending.pop_front();
                        write(joined(answer, owed), &mut out)?;
                    }
                    batch = lines.recv() => match batch {
                        Some(batch) => start(batch, &mut pending)?,
                        None => input_open = false,
                    },
                }
            }
            None => {
                out.flush()?;
                match lines.recv().await {
                    Some(batch) => start(batch, &mut pending)?,
                    None => input_open = false,
                }
            }
        }
    }
    out.flush()?;
    Ok(counts)
}

/// Lines handed from the reading thread at a time, at most.
const LINES_PER_BATCH: usize = 64;

/// Reads the lines of `input` into `tx` until the input ends, fails, or nobody listens. The
/// lines go in batches: every complete line already in the buffer, so a file goes in blocks
/// and an interactive caller's line goes at once.
fn read_lines(mut input: std::io::BufReader<impl Read>, tx: tokio::sync::mpsc::Sender<std::io::Result<Vec<Line>>>) {
    let mut batch = Vec::new();
    loop {
        let (line, end) = match read_line_capped(&mut input, MAX_LINE_BYTES) {
            Ok(Some(line)) => (Some(line), None),
            Ok(None) => (None, Some(Ok(()))),
            Err(e) => (None, Some(Err(e))),
        };
        batch.extend(line);
        // Send before reading could block: when the buffer holds no further complete line.
        let more_ready = input.buffer().contains(&b'\n');
        if !batch.is_empty()
            && (end.is_some() || !more_ready || batch.len() >= LINES_PER_BATCH)
            && tx.blocking_send(Ok(std::mem::take(&mut batch))).is_err()
        {
            return;
        }
        match end {
            None => {}
            Some(Ok(())) => return,
            Some(Err(e)) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
        }
    }
}

/// Starts answering some lines (none of them blank), in order, on one task.
fn spawn_answers(coordinator: &Coordinator, lines: Vec<Line>, today: NaiveDate) -> Answering {
    let owed = lines.len();
    let coordinator = coordinator.clone();
    let task = tokio::spawn(async move {
        let mut answers = Answers::with_room(owed);
        for line in lines {
            let good = match line {
                Line::TooLong(n) => {
                    let message = format!("the line is {n} bytes; at most {MAX_LINE_BYTES} are read");
                    encode_into(&mut answers.bytes, &error_line(&Value::Null, "line_too_long", message));
                    false
                }
                Line::Text(line) => answer_into(&mut answers.bytes, &coordinator, &line, today).await,
            };
            answers.ended(good);
        }
        answers
    });
    (task, owed)
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// The answers of a finished task; the lines of a task that died get internal error lines.
fn joined(result: Result<Answers, tokio::task::JoinError>, owed: usize) -> Answers {
    result.unwrap_or_else(|e| {
        tracing::error!(error = %e, "a --jsonl task crashed");
        let mut answers = Answers::default();
        for _ in 0..owed {
            encode_into(
                &mut answers.bytes,
                &error_line(&Value::Null, "internal", "this request could not be answered"),
            );
            answers.ended(false);
        }
        answers
    })
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
    use std::io::Cursor;

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

    fn value(answer: (Vec<u8>, bool)) -> (Value, bool) {
        (serde_json::from_slice(&answer.0).expect("every answer is JSON"), answer.1)
    }

    fn lines(out: &[u8]) -> Vec<Value> {
        out.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect()
    }

    #[tokio::test]
    async fn a_request_gives_the_spec_object() {
        let line = br#"{"id": "x1", "today": "2026-11-23", "messages": ["awareness in Germany, 30 days"]}"#;
        let (v, ok) = value(handle_jsonl_line(&coordinator(), line, today()).await);
        assert!(ok);
        assert_eq!(v["id"], "x1");
        assert_eq!(v["brief"]["objective"], "REACH");
        assert_eq!(v["brief"]["schedule"]["start"], "2026-11-24");
        assert!(v["plan"]["assumptions"].is_array());
        assert_eq!(v["plan"]["curve"].as_array().map(Vec::len), Some(8), "the curve stays in --jsonl output");
    }

    #[tokio::test]
    async fn bad_lines_give_error_objects() {
        let c = coordinator();
        let code = |v: (Vec<u8>, bool)| value(v).0["error"]["code"].as_str().unwrap_or_default().to_string();
        assert_eq!(code(handle_jsonl_line(&c, b"{not json", today()).await), "invalid_json");
        assert_eq!(code(handle_jsonl_line(&c, b"\xff\xfe", today()).await), "invalid_utf8");
        assert_eq!(code(handle_jsonl_line(&c, br#"{"id": 7, "messages": "x"}"#, today()).await), "invalid_request");
        assert_eq!(code(handle_jsonl_line(&c, br#"{"id": 7, "messages": []}"#, today()).await), "empty_message");
        let (v, ok) = value(handle_jsonl_line(&c, br#"{"id": "e", "messages": ["   "]}"#, today()).await);
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
        let (ok, failed) = run_jsonl(&coordinator(), Cursor::new(input.to_vec()), &mut out, today()).await.unwrap();
        assert_eq!((ok, failed), (2, 1));
        let lines = lines(&out);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[2]["id"], "b");
    }

    #[tokio::test]
    async fn an_overlong_line_is_an_error_and_the_run_goes_on() {
        let mut input = b"{\"id\":\"a\",\"messages\":[\"reach in France\"]}\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 10));
        input.extend(b"\n{\"id\":\"b\",\"messages\":[\"clicks, UK\"]}");
        let mut out = Vec::new();
        let (ok, failed) = run_jsonl(&coordinator(), Cursor::new(input), &mut out, today()).await.unwrap();
        assert_eq!((ok, failed), (2, 1));
        let lines = lines(&out);
        assert_eq!(lines[1]["error"]["code"], "line_too_long");
        assert_eq!(lines[2]["id"], "b", "a last line without a newline is read too");
        // A line of exactly the limit is read (and is merely not JSON).
        let exact = vec![b'y'; MAX_LINE_BYTES];
        let mut out = Vec::new();
        run_jsonl(&coordinator(), Cursor::new(exact), &mut out, today()).await.unwrap();
        assert!(String::from_utf8_lossy(&out).contains("invalid_json"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_requests_at_once_come_back_in_input_order() {
        // More requests than the window, of different weights (1–3 messages, errors between):
        // they finish out of order on two workers, and are written in order.
        let mut input = Vec::new();
        for n in 0..(JSONL_IN_FLIGHT * 3) {
            let line = match n % 4 {
                0 => format!("{{\"id\":{n},\"messages\":[\"reach in France\",\"add Spain\",\"make it {n}k\"]}}"),
                1 => format!("{{\"id\":{n},\"messages\":[\"clicks in the UK, £{n}k\"]}}"),
                2 => format!("{{\"id\":{n},\"messages\":[\"\"]}}"),
                _ => format!("{{\"id\":{n},\"messages\":[\"installs, Brazil\",\"undo\"]}}"),
            };
            input.extend(line.bytes());
            input.push(b'\n');
        }
        let mut out = Vec::new();
        let (ok, failed) = run_jsonl(&coordinator(), Cursor::new(input), &mut out, today()).await.unwrap();
        assert_eq!((ok, failed), (JSONL_IN_FLIGHT * 3 / 4 * 3, JSONL_IN_FLIGHT * 3 / 4));
        let lines = lines(&out);
        let ids: Vec<u64> = lines.iter().map(|l| l["id"].as_u64().unwrap()).collect();
        assert_eq!(ids, (0..(JSONL_IN_FLIGHT * 3) as u64).collect::<Vec<_>>());
        assert_eq!(lines[4]["brief"]["budget"]["amount"], 4000.0, "make it 4k");
        assert_eq!(lines[4]["brief"]["audience"]["locations"].as_array().map(Vec::len), Some(2), "France and Spain");
        assert_eq!(lines[2]["error"]["code"], "empty_message");
    }

    /// Output that a test can read while the run goes on.
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_interactive_caller_gets_each_answer_before_sending_the_next() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let out = Shared::default();
        let run = {
            let (c, out) = (coordinator(), out.clone());
            tokio::spawn(async move { run_jsonl(&c, std::io::BufReader::new(reader), out, today()).await })
        };
        for (n, text) in ["reach in Italy", "clicks in Poland, 3 weeks"].iter().enumerate() {
            writeln!(writer, "{{\"id\":{n},\"messages\":[\"{text}\"]}}").unwrap();
            // The input stays open: the answer must come out anyway.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            while lines(&out.0.lock().unwrap()).len() <= n {
                assert!(std::time::Instant::now() < deadline, "answer {n} was held back waiting for input");
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        }
        drop(writer);
        assert_eq!(run.await.unwrap().unwrap(), (2, 0));
        assert_eq!(lines(&out.0.lock().unwrap())[1]["id"], 1);
    }

    #[tokio::test]
    async fn answered_conversations_are_not_kept() {
        let c = coordinator();
        let mut input = Vec::new();
        for n in 0..300 {
            input.extend(format!("{{\"id\":{n},\"messages\":[\"reach in France\",\"make it {n}k\"]}}\n").bytes());
        }
        let (ok, _) = run_jsonl(&c, Cursor::new(input), std::io::sink(), today()).await.unwrap();
        assert_eq!(ok, 300);
        tokio::task::yield_now().await;
        assert_eq!(c.conversations(), 0, "nothing kept once answered");
    }
}
