//! Live planning data: the brain behind a swappable pointer, and a watcher that reloads the
//! history and markets files when they change.
//!
//! A reload parses and indexes the new files off the async runtime, then swaps the brain in one
//! step: a turn takes the current brain when it starts, so in-flight plans finish on the old index
//! while new ones use the new. A change is read once the files have been stable for one check
//! interval (replace them atomically with a rename when you can). A file that fails to load, or
//! fails a [`Guards`] check — too many bad rows, a last row cut off mid-way, far fewer rows than
//! the data loaded now — is rejected whole: the old data stays, the reason is logged at ERROR
//! and counted (`adsai_data_reloads_total{result="rejected"}`), and it is not retried until it
//! changes again. A file that disappears is logged once; the loaded data stays.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use tokio_util::sync::CancellationToken;

use crate::brain::Brain;
use crate::plan::history::LoadReport;
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

/// What a reload must pass before it replaces the loaded data.
#[derive(Debug, Clone, PartialEq)]
pub struct Guards {
    /// Reject when more than this share of the rows is bad (percent).
    pub max_bad_rows_percent: f64,
    /// Reject when the new data has fewer rows than this share of the loaded rows (percent).
    pub min_rows_percent: f64,
}

impl Default for Guards {
    fn default() -> Self {
        Guards { max_bad_rows_percent: 1.0, min_rows_percent: 50.0 }
    }
}

impl Guards {
    /// Why a new load must not replace the current data, if it must not.
    pub fn check(&self, history: &std::path::Path, report: &LoadReport, loaded_rows: usize) -> Result<(), String> {
        let total = report.rows + report.skipped;
        let bad = if total == 0 { 0.0 } else { report.skipped as f64 * 100.0 / total as f64 };
        if bad > self.max_bad_rows_percent {
            return Err(format!(
                "{} of {total} rows are bad ({bad:.1} %, the limit is {} %)",
                report.skipped, self.max_bad_rows_percent
            ));
        }
        if ends_mid_row(history) {
            return Err(format!("{} ends mid-row (no newline after its last row): truncated?", history.display()));
        }
        let floor = loaded_rows as f64 * self.min_rows_percent / 100.0;
        if (report.rows as f64) < floor {
            return Err(format!(
                "{} rows against {loaded_rows} loaded now (under {} % of them): truncated?",
                report.rows, self.min_rows_percent
            ));
        }
        Ok(())
    }
}

/// Whether a non-empty file does not end with a newline.
fn ends_mid_row(path: &std::path::Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut f) = std::fs::File::open(path) else { return false };
    let mut last = [0u8; 1];
    f.seek(SeekFrom::End(-1)).is_ok() && f.read_exact(&mut last).is_ok() && last[0] != b'\n'
}

fn rejected(metrics: &Metrics, reason: &str) {
    tracing::error!(%reason, "rejected new planning data; keeping the current data");
    metrics.count("adsai_data_reloads_total", "Reloads of the planning data.", vec![("result", "rejected".into())], 1);
}

/// Watches the files every `every` and swaps in a new brain when they change and pass `guards`.
pub async fn watch(
    shared: Arc<SharedBrain>,
    files: DataFiles,
    every: Duration,
    guards: Guards,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
) {
    let mut seen = files.fingerprint();
    let mut missing = false;
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
        if now.is_none() && !missing {
            missing = true;
            tracing::error!(
                history = %files.history.display(),
                "a planning data file is gone; keeping the loaded data until it is back"
            );
            metrics.count(
                "adsai_data_reloads_total",
                "Reloads of the planning data.",
                vec![("result", "missing".into())],
                1,
            );
        }
        if now.is_some() && missing {
            missing = false;
            tracing::info!(history = %files.history.display(), "the planning data files are back");
        }
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
            Ok(Ok((brain, report))) => match guards.check(&files.history, &report, shared.loaded().rows) {
                Err(reason) => rejected(&metrics, &reason),
                Ok(()) => {
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
            },
            Ok(Err(e)) => rejected(&metrics, &e.to_string()),
            Err(e) => rejected(&metrics, &format!("the data loader crashed: {e}")),
        }
        shared.report(&metrics);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(rows: usize, skipped: usize) -> LoadReport {
        LoadReport { rows, skipped, problems: Vec::new() }
    }

    #[test]
    fn guards_reject_bad_truncated_and_shrunken_data() {
        let dir = std::env::temp_dir().join(format!("adsai-guards-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let whole = dir.join("whole.csv");
        std::fs::write(&whole, "a,b\n1,2\n").unwrap();
        let cut = dir.join("cut.csv");
        std::fs::write(&cut, "a,b\n1,2\n3,").unwrap();
        let g = Guards::default();
        assert!(g.check(&whole, &report(20_000, 0), 20_000).is_ok());
        assert!(g.check(&whole, &report(19_900, 150), 20_000).is_ok(), "0.75 % bad is within 1 %");
        for (rows, skipped, loaded) in [(1, 4_999, 20_000), (9_000, 200, 9_000), (5_984, 0, 20_000), (0, 0, 10)] {
            assert!(g.check(&whole, &report(rows, skipped), loaded).is_err(), "{rows}/{skipped}/{loaded}");
        }
        let err = g.check(&cut, &report(20_000, 0), 20_000).unwrap_err();
        assert!(err.contains("mid-row"), "{err}");
        let lax = Guards { max_bad_rows_percent: 10.0, min_rows_percent: 10.0 };
        assert!(lax.check(&whole, &report(9_000, 200), 20_000).is_ok(), "each limit is a setting");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
