//! Live planning data: the brain behind a swappable pointer, and a watcher that reloads the
//! history and markets files when they change.
//!
//! A reload parses and indexes the new files off the async runtime, then swaps the brain in one
//! step: a turn takes the current brain when it starts, so in-flight plans finish on the old index
//! while new ones use the new. A change is read once the files have been stable for one check
//! interval (replace them atomically with a rename when you can). A file that fails to load is rejected whole — the old data stays,
//! the error is logged and counted — and is not retried until it changes again.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use tokio_util::sync::CancellationToken;

use crate::brain::Brain;
use crate::telemetry::Metrics;

/// The current brain, replaceable while the service runs.
pub struct SharedBrain {
    current: RwLock<(Brain, Loaded)>,
}

/// How old and how large the current data is.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The data's own time: the files' modification time, or the process start for embedded data.
    pub data_time: SystemTime,
    pub rows: usize,
}

impl SharedBrain {
    /// Starts with a brain whose data is of `data_time`.
    pub fn new(brain: Brain, data_time: SystemTime) -> SharedBrain {
        let rows = brain.index().rows();
        SharedBrain { current: RwLock::new((brain, Loaded { data_time, rows })) }
    }

    /// The brain to use for one turn (cheap: shared `Arc`s).
    pub fn current(&self) -> Brain {
        match self.current.read() {
            Ok(g) => g.0.clone(),
            Err(poisoned) => poisoned.into_inner().0.clone(),
        }
    }

    /// What the current data is.
    pub fn loaded(&self) -> Loaded {
        match self.current.read() {
            Ok(g) => g.1.clone(),
            Err(poisoned) => poisoned.into_inner().1.clone(),
        }
    }

    /// Replaces the brain (atomically for every later reader).
    pub fn replace(&self, brain: Brain, loaded: Loaded) {
        match self.current.write() {
            Ok(mut g) => *g = (brain, loaded),
            Err(poisoned) => *poisoned.into_inner() = (brain, loaded),
        }
    }

    /// Publishes the data's age and size.
    pub fn report(&self, metrics: &Metrics) {
        let loaded = self.loaded();
        let age = SystemTime::now().duration_since(loaded.data_time).unwrap_or_default();
        metrics.gauge("adsai_history_rows", "History rows loaded into the index.", vec![], loaded.rows as f64);
        metrics.gauge(
            "adsai_data_age_seconds",
            "Age of the planning data (since the files changed).",
            vec![],
            age.as_secs_f64(),
        );
    }
}

/// The files the service plans from.
#[derive(Debug, Clone, PartialEq)]
pub struct DataFiles {
    pub history: PathBuf,
    pub markets: Option<PathBuf>,
}

impl DataFiles {
    /// A fingerprint of the files: modification times and sizes (`None` if one is missing).
    fn fingerprint(&self) -> Option<Vec<(SystemTime, u64)>> {
        let mut out = Vec::new();
        for p in std::iter::once(&self.history).chain(self.markets.iter()) {
            let m = std::fs::metadata(p).ok()?;
            out.push((m.modified().ok()?, m.len()));
        }
        Some(out)
    }

    /// The newest modification time of the files.
    pub fn data_time(&self) -> SystemTime {
        self.fingerprint().and_then(|f| f.into_iter().map(|(t, _)| t).max()).unwrap_or_else(SystemTime::now)
    }
}

/// Watches the files every `every` and swaps in a new brain when they change.
pub async fn watch(
    shared: Arc<SharedBrain>,
    files: DataFiles,
    every: Duration,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
) {
    let mut seen = files.fingerprint();
    // A change is loaded once the files have stayed the same for one interval, so a file still
    // being written is not read half-way.
    let mut pending: Option<Vec<(SystemTime, u64)>> = None;
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let now = files.fingerprint();
        if now.is_none() || now == seen {
            pending = None;
            continue;
        }
        if pending != now {
            pending = now;
            continue;
        }
        pending = None;
        seen = now;
        let f = files.clone();
        let loaded = tokio::task::spawn_blocking(move || Brain::from_files(&f.history, f.markets.as_deref())).await;
        match loaded {
            Ok(Ok((brain, report))) => {
                // New data, same planner settings.
                let brain = brain.with_settings(shared.current().settings().clone());
                let rows = brain.index().rows();
                shared.replace(brain, Loaded { data_time: files.data_time(), rows });
                tracing::info!(rows, skipped = report.skipped, "reloaded the planning data");
                metrics.count(
                    "adsai_data_reloads_total",
                    "Reloads of the planning data.",
                    vec![("result", "ok".into())],
                    1,
                );
            }
            Ok(Err(e)) => {
                tracing::error!(error = %e, "rejected new planning data; keeping the current data");
                metrics.count(
                    "adsai_data_reloads_total",
                    "Reloads of the planning data.",
                    vec![("result", "rejected".into())],
                    1,
                );
            }
            Err(e) => {
                tracing::error!(error = %e, "the data loader crashed; keeping the current data");
                metrics.count(
                    "adsai_data_reloads_total",
                    "Reloads of the planning data.",
                    vec![("result", "rejected".into())],
                    1,
                );
            }
        }
        shared.report(&metrics);
    }
}
