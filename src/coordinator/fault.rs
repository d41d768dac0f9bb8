//! Fault injection for tests (compiled only under `cfg(test)` or the `testing` feature, which
//! the integration tests turn on through a dev-dependency on this crate): a hook that makes a
//! specialist slow (an async wait, as a specialist awaiting a model would be) or panic, or the
//! merge panic, so the time limits and the panic handling can be tested through the real
//! coordinator. Specialists run inline in the turn's task, so a synchronous runaway could not be
//! cut off: the deterministic ones are bounded by construction (`tests/it/props.rs`), and a slow
//! specialist is one that awaits.

use std::sync::Arc;
use std::time::Duration;

use super::Shared;
use crate::understand::Specialist;

/// A fault to inject into a specialist run (tests of the time limit and panic handling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Wait (asynchronously) before running: a slow specialist.
    Delay(Duration),
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

/// Applies a fault before a specialist runs (inside its future): waits or panics.
pub(super) async fn before_run(fault: Option<Fault>, s: Specialist) {
    match fault {
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        Some(Fault::Panic) => panic!("injected fault in the {} specialist", s.name()),
        Some(Fault::PanicWhileMerging) | None => {}
    }
}

/// Panics while merging when the hook asks for it for any of the turn's specialists.
pub(super) fn while_merging(shared: &Shared, specialists: impl Iterator<Item = Specialist>, message: &str) {
    let mut specialists = specialists;
    if specialists.any(|s| lookup(shared, s, message) == Some(Fault::PanicWhileMerging)) {
        panic!("injected fault while merging");
    }
}
