//! Dispatch of one turn's specialists: each routed specialist is a future the turn awaits, all of
//! them joined concurrently in the turn's own task, each under its own time limit.
//!
//! The deterministic specialists are bounded CPU work of microseconds (the property tests in
//! `tests/it/props.rs` prove the bound), so they run inline: no blocking pool, no thread hop.
//! Isolation is kept without a thread: a run that panics is caught (`catch_unwind` around the
//! future) and one that does not finish in time is dropped at its next await; either becomes
//! `SPECIALIST_FAILED` and the other findings are kept. Progress events go out in the order the
//! findings complete.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{Event, Shared};
use crate::understand::{Finding, Findings, Route, Specialist, Text};

/// Why a specialist's run gave no finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Failure {
    TimedOut,
    Crashed,
}

impl Failure {
    /// The reason as shown in progress events, logs and the metric's label.
    pub(super) fn reason(self) -> &'static str {
        match self {
            Failure::TimedOut => "timed out",
            Failure::Crashed => "crashed",
        }
    }
}

/// Runs one deterministic specialist as a future: the injected fault first (tests), then the
/// reading, with panics caught and the time limit applied.
async fn run_one(
    s: Specialist,
    text: &Text,
    today: NaiveDate,
    limit: Duration,
    #[cfg(any(test, feature = "testing"))] fault: Option<super::fault::Fault>,
) -> (Specialist, Result<Finding, Failure>, Duration) {
    let started = Instant::now();
    let run = AssertUnwindSafe(async move {
        #[cfg(any(test, feature = "testing"))]
        super::fault::before_run(fault, s).await;
        s.run(text, today)
    })
    .catch_unwind();
    let outcome = match tokio::time::timeout(limit, run).await {
        Ok(Ok(finding)) => Ok(finding),
        Ok(Err(_panic)) => Err(Failure::Crashed),
        Err(_elapsed) => Err(Failure::TimedOut),
    };
    (s, outcome, started.elapsed())
}

/// Runs the route's specialists concurrently and files their findings (or failures) in
/// `Findings`; sends a progress event per specialist as it completes.
pub(super) async fn dispatch(
    shared: &Arc<Shared>,
    route: Route,
    text: &Text,
    message: &str,
    today: NaiveDate,
    events: Option<&mpsc::Sender<Event>>,
) -> Findings {
    #[cfg(not(any(test, feature = "testing")))]
    let _ = message;
    let limit = shared.config.specialist_timeout;
    let mut running: FuturesUnordered<_> = route
        .specialists()
        .map(|s| {
            #[cfg(any(test, feature = "testing"))]
            let fault = super::fault::lookup(shared, s, message);
            run_one(
                s,
                text,
                today,
                limit,
                #[cfg(any(test, feature = "testing"))]
                fault,
            )
        })
        .collect();
    let mut findings = Findings { route, ..Findings::default() };
    // Each specialist's time, recorded together once all are in (one lock, not one each).
    let mut timed = [("", Duration::ZERO); Specialist::ALL.len()];
    let mut n = 0;
    while let Some((s, outcome, elapsed)) = running.next().await {
        match outcome {
            Ok(finding) => {
                if let Some(slot) = timed.get_mut(n) {
                    *slot = (s.name(), elapsed);
                    n += 1;
                }
                if let Some(tx) = events {
                    let _ = tx.send(Event::Specialist { specialist: s, finding: finding.to_json(), elapsed }).await;
                }
                findings.insert(finding);
            }
            Err(failure) => fail(shared, &mut findings, events, s, failure.reason()).await,
        }
    }
    shared.metrics.observe_fixed_all(
        "adsai_specialist_seconds",
        "Time a specialist took on a message.",
        "specialist",
        &timed[..n],
    );
    findings
}

/// Files a failed specialist: a warning in the plan, a metric, a progress event.
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
