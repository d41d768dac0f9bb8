//! One turn: route the message, run the chosen specialists concurrently — each in its own task
//! with a time limit; one that fails, times out or panics becomes a warning and the others'
//! findings are kept — then merge their findings and plan. Progress events (each specialist's
//! finding as it completes) go to an optional channel for streaming surfaces.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::record::{is_undo, Record};
use super::{CoordError, Event, Shared, Turn};
use crate::brain::Response;
use crate::conversation::Conversation;
use crate::understand::{router, Findings, Specialist, Text};

/// Applies one message to a conversation's record: "undo", or a turn; notes it and its changes.
pub(super) async fn message_turn(
    shared: &Arc<Shared>,
    record: &mut Record,
    text: &str,
    key: Option<&str>,
    events: Option<&mpsc::Sender<Event>>,
) -> Result<Turn, CoordError> {
    // The message was parsed at the edge (`Message`); "undo" is a valid one.
    let before = record.conversation.clone();
    let response = if is_undo(text) {
        if let Some(prev) = record.undo.pop() {
            record.conversation = prev;
        }
        shared.brain.current().plan(&record.conversation)
    } else {
        let response = turn(shared, &mut record.conversation, text, events).await?;
        record.push_undo(before);
        response
    };
    let changes = record.note(text, &response, key);
    Ok(Turn { response, changes })
}

/// Routes, runs the specialists concurrently with time limits, merges and plans.
pub(super) async fn turn(
    shared: &Arc<Shared>,
    conv: &mut Conversation,
    message: &str,
    events: Option<&mpsc::Sender<Event>>,
) -> Result<Response, CoordError> {
    // One brain for the whole turn: a data reload mid-turn does not mix old and new.
    let brain = shared.brain.current();
    let text = Arc::new(Text::new(message));
    let route = router::route(&text);
    let today = conv.today;
    let mut set = tokio::task::JoinSet::new();
    let mut tasks: Vec<(tokio::task::Id, Specialist)> = Vec::new();
    for s in route.specialists() {
        let text = text.clone();
        #[cfg(any(test, feature = "testing"))]
        let fault = super::fault::lookup(shared, s, message);
        let limit = shared.config.specialist_timeout;
        let handle = set.spawn(async move {
            let started = Instant::now();
            let run = async {
                #[cfg(any(test, feature = "testing"))]
                let busy = super::fault::before_run(fault, s).await;
                #[cfg(not(any(test, feature = "testing")))]
                let busy: Option<std::time::Duration> = None;
                // The specialist is synchronous CPU work: on the blocking pool the time limit
                // can really cut it off (the turn goes on; the run finishes in the background).
                let blocking = move || {
                    if let Some(d) = busy {
                        std::thread::sleep(d);
                    }
                    s.run(&text, today)
                };
                match tokio::task::spawn_blocking(blocking).await {
                    Ok(finding) => finding,
                    Err(e) => std::panic::resume_unwind(e.into_panic()),
                }
            };
            (tokio::time::timeout(limit, run).await, started.elapsed())
        });
        tasks.push((handle.id(), s));
    }
    let specialist_of = |id: tokio::task::Id| tasks.iter().find(|(t, _)| *t == id).map(|(_, s)| *s);
    let mut findings = Findings { route, ..Findings::default() };
    while let Some(joined) = set.join_next_with_id().await {
        match joined {
            Ok((id, (Ok(finding), elapsed))) => {
                let Some(s) = specialist_of(id) else { continue };
                shared.metrics.observe(
                    "adsai_specialist_seconds",
                    "Time a specialist took on a message.",
                    vec![("specialist", s.name().to_string())],
                    elapsed,
                );
                if let Some(tx) = events {
                    let _ = tx.send(Event::Specialist { specialist: s, finding: finding.to_json(), elapsed }).await;
                }
                findings.insert(finding);
            }
            Ok((id, (Err(_), _))) => {
                if let Some(s) = specialist_of(id) {
                    fail(shared, &mut findings, events, s, "timed out").await;
                }
            }
            Err(e) => {
                if let Some(s) = specialist_of(e.id()) {
                    fail(shared, &mut findings, events, s, if e.is_panic() { "crashed" } else { "was cancelled" })
                        .await;
                }
            }
        }
    }
    findings.account(&text);
    #[cfg(any(test, feature = "testing"))]
    super::fault::while_merging(shared, route.specialists(), message);
    Ok(brain.merge_and_plan(conv, &findings))
}

async fn fail(
    shared: &Arc<Shared>,
    findings: &mut Findings,
    events: Option<&mpsc::Sender<Event>>,
    s: Specialist,
    reason: &str,
) {
    tracing::warn!(specialist = s.name(), reason, "specialist failed; its part of the message is skipped");
    shared.metrics.count(
        "adsai_specialist_failures_total",
        "Specialist runs that timed out or crashed.",
        vec![("specialist", s.name().to_string()), ("reason", reason.to_string())],
        1,
    );
    findings.failed.push(s);
    if let Some(tx) = events {
        let _ = tx.send(Event::Failed { specialist: s, reason: reason.to_string() }).await;
    }
}
