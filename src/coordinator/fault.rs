//! Fault injection for tests (compiled only under `cfg(test)` or the `testing` feature, which
//! the integration tests turn on through a dev-dependency on this crate): a hook that makes a
//! specialist wait, spin or panic, or the merge panic, so the time limits and the panic
//! handling can be tested through the real coordinator.

use std::sync::Arc;
use std::time::Duration;

use super::Shared;
use crate::understand::Specialist;

/// A fault to inject into a specialist run (tests of the time limit and panic handling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Wait (asynchronously) before running.
    Delay(Duration),
    /// Keep the thread busy (synchronously) before running: a runaway specialist.
    Busy(Duration),
    Panic,
    /// Panic after the specialists, while merging and planning (outside their tasks).
    PanicWhileMerging,
}

/// Decides faults per specialist and message.
pub type FaultHook = Arc<dyn Fn(Specialist, &str) -> Option<Fault> + Send + Sync>;

/// The fault for this specialist and message, if the hook gives one.
pub(super) fn lookup(shared: &Shared, s: Specialist, message: &str) -> Option<Fault> {
    shared.config.fault.as_ref().and_then(|f| f(s, message))
}

/// Applies a fault before a specialist runs (in its task): waits or panics; returns how long
/// the run should then keep its thread busy.
pub(super) async fn before_run(fault: Option<Fault>, s: Specialist) -> Option<Duration> {
    match fault {
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(d).await;
            None
        }
        Some(Fault::Panic) => panic!("injected fault in the {} specialist", s.name()),
        Some(Fault::Busy(d)) => Some(d),
        Some(Fault::PanicWhileMerging) | None => None,
    }
}

/// Panics while merging when the hook asks for it for any of the turn's specialists.
pub(super) fn while_merging(shared: &Shared, specialists: impl Iterator<Item = Specialist>, message: &str) {
    let mut specialists = specialists;
    if specialists.any(|s| lookup(shared, s, message) == Some(Fault::PanicWhileMerging)) {
        panic!("injected fault while merging");
    }
}
