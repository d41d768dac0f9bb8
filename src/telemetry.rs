//! Metrics in the Prometheus text format: counters, gauges and fixed-bucket histograms.
//!
//! A dozen series do not justify a metrics framework and its exporter on a 2-core build; this is
//! lock-light (a mutex per update of a few nanoseconds' work) and renders the standard text
//! exposition format for `GET /metrics`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Latency buckets in seconds: 100 µs … 10 s.
const BUCKETS: [f64; 14] =
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 10.0];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn add(&mut self, d: Duration) {
        let secs = d.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                self.counts[i] += 1;
            }
        }
        self.count += 1;
        self.sum += secs;
    }
}

/// A histogram's name, label and label value, all written in the program.
type FixedKey = (&'static str, &'static str, &'static str);

/// Whether two fixed keys are the same: the same strings, most often at the same addresses.
fn same_key(a: &FixedKey, b: &FixedKey) -> bool {
    let same = |x: &str, y: &str| std::ptr::eq(x, y) || x == y;
    same(a.0, b.0) && same(a.1, b.1) && same(a.2, b.2)
}

/// A label set rendered as `{a="b",c="d"}`.
type Labels = Vec<(&'static str, String)>;

#[derive(Debug, Default)]
struct Inner {
    /// By name, then by rendered labels (looked up without allocating: see `scratch`).
    counters: BTreeMap<&'static str, BTreeMap<String, u64>>,
    gauges: BTreeMap<(&'static str, String), f64>,
    histograms: BTreeMap<(&'static str, String), Histogram>,
    /// Histograms with one label whose value is known when the program is written (a
    /// specialist's name): (name, label, value). A handful, found by comparing the strings
    /// (their addresses first) and updated without allocating.
    fixed: Vec<(FixedKey, Histogram)>,
    help: BTreeMap<&'static str, (&'static str, &'static str)>,
    /// Where an update renders its labels to find its series (kept, so a request that counts
    /// itself allocates nothing for the look-up).
    scratch: String,
}

/// The process's metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

fn render_labels(labels: &Labels) -> String {
    let mut out = String::new();
    write_labels(&mut out, labels);
    out
}

/// Appends `{a="b",c="d"}` (nothing for no labels), values escaped as the text format asks.
fn write_labels(out: &mut String, labels: &Labels) {
    for (i, (k, v)) in labels.iter().enumerate() {
        out.push(if i == 0 { '{' } else { ',' });
        out.push_str(k);
        out.push_str("=\"");
        for c in v.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '\n' => out.push_str("\\n"),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    if !labels.is_empty() {
        out.push('}');
    }
}

impl Metrics {
    fn with(&self, f: impl FnOnce(&mut Inner)) {
        if let Ok(mut g) = self.inner.lock() {
            f(&mut g);
        }
    }

    /// Adds to a counter.
    pub fn count(&self, name: &'static str, help: &'static str, labels: Labels, by: u64) {
        self.with(|m| {
            let mut key = std::mem::take(&mut m.scratch);
            key.clear();
            write_labels(&mut key, &labels);
            let series = m.counters.entry(name).or_default();
            match series.get_mut(key.as_str()) {
                Some(v) => *v += by,
                // A new series: its help text is filed with it (once, as for histograms).
                None => {
                    series.insert(key.clone(), by);
                    m.help.entry(name).or_insert((help, "counter"));
                }
            }
            m.scratch = key;
        });
    }

    /// Sets a gauge.
    pub fn gauge(&self, name: &'static str, help: &'static str, labels: Labels, value: f64) {
        self.with(|m| {
            m.help.insert(name, (help, "gauge"));
            m.gauges.insert((name, render_labels(&labels)), value);
        });
    }

    /// Records a duration in a histogram (seconds).
    pub fn observe(&self, name: &'static str, help: &'static str, labels: Labels, d: Duration) {
        self.with(|m| {
            m.help.insert(name, (help, "histogram"));
            m.histograms.entry((name, render_labels(&labels))).or_default().add(d);
        });
    }

    /// Records a duration in a histogram with one label of a value fixed in the program
    /// (`{specialist="budget"}`): the same series as [`Metrics::observe`] would make, without
    /// building the label text on every call (it runs for every specialist of every message).
    pub fn observe_fixed(
        &self,
        name: &'static str,
        help: &'static str,
        label: (&'static str, &'static str),
        d: Duration,
    ) {
        self.observe_fixed_all(name, help, label.0, &[(label.1, d)]);
    }

    /// [`Metrics::observe_fixed`] for each `(value of label, duration)`, under one lock (a
    /// message's specialists are recorded together, not a lock each).
    pub fn observe_fixed_all(
        &self,
        name: &'static str,
        help: &'static str,
        label: &'static str,
        values: &[(&'static str, Duration)],
    ) {
        self.with(|m| {
            for &(value, d) in values {
                let key = (name, label, value);
                match m.fixed.iter_mut().find(|(k, _)| same_key(k, &key)) {
                    Some((_, h)) => h.add(d),
                    // A new series: its help text is filed with it (once, not on every update).
                    None => {
                        m.help.entry(name).or_insert((help, "histogram"));
                        let mut h = Histogram::default();
                        h.add(d);
                        m.fixed.push((key, h));
                    }
                }
            }
        });
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let Ok(m) = self.inner.lock() else { return String::new() };
        let mut out = String::new();
        for (name, (help, kind)) in &m.help {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (labels, v) in m.counters.get(name).into_iter().flatten() {
                let _ = writeln!(out, "{name}{labels} {v}");
            }
            for ((n, labels), v) in m.gauges.iter().filter(|((n, _), _)| n == name) {
                let _ = writeln!(out, "{n}{labels} {v}");
            }
            let mut fixed: Vec<&(FixedKey, Histogram)> = m.fixed.iter().filter(|((n, _, _), _)| n == name).collect();
            fixed.sort_by_key(|(k, _)| *k);
            let fixed = fixed.into_iter().map(|((_, k, v), h)| (render_labels(&vec![(*k, (*v).to_string())]), h));
            let labelled = m.histograms.iter().filter(|((n, _), _)| n == name).map(|((_, l), h)| (l.clone(), h));
            for (labels, h) in labelled.chain(fixed) {
                let inner = labels.trim_start_matches('{').trim_end_matches('}');
                let sep = if inner.is_empty() { "" } else { "," };
                for (i, b) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(out, "{name}_bucket{{{inner}{sep}le=\"{b}\"}} {}", h.counts[i]);
                }
                let _ = writeln!(out, "{name}_bucket{{{inner}{sep}le=\"+Inf\"}} {}", h.count);
                let _ = writeln!(out, "{name}_sum{labels} {}", h.sum);
                let _ = writeln!(out, "{name}_count{labels} {}", h.count);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_text_format() {
        let m = Metrics::default();
        m.count("adsai_requests_total", "Requests.", vec![("route", "/v1/plans".into()), ("status", "200".into())], 2);
        m.gauge("adsai_conversations", "Conversations held.", vec![], 3.0);
        m.observe("adsai_latency_seconds", "Latency.", vec![("route", "/v1/plans".into())], Duration::from_micros(300));
        let text = m.render();
        assert!(text.contains("# TYPE adsai_requests_total counter"));
        assert!(text.contains("adsai_requests_total{route=\"/v1/plans\",status=\"200\"} 2"));
        assert!(text.contains("adsai_conversations 3"));
        assert!(text.contains("adsai_latency_seconds_bucket{route=\"/v1/plans\",le=\"0.0005\"} 1"));
        assert!(text.contains("adsai_latency_seconds_bucket{route=\"/v1/plans\",le=\"0.00025\"} 0"));
        assert!(text.contains("adsai_latency_seconds_count{route=\"/v1/plans\"} 1"));
    }

    #[test]
    fn label_values_are_escaped_and_a_series_adds_up() {
        let m = Metrics::default();
        for by in [1, 2] {
            m.count("adsai_x_total", "X.", vec![("why", "a\\b\"c\nd".into()), ("n", "1".into())], by);
        }
        m.count("adsai_x_total", "X.", vec![("why", "other".into()), ("n", "1".into())], 5);
        m.count("adsai_y_total", "Y.", vec![], 4);
        let text = m.render();
        assert!(text.contains("adsai_x_total{why=\"a\\\\b\\\"c\\nd\",n=\"1\"} 3\n"), "{text}");
        assert!(text.contains("adsai_x_total{why=\"other\",n=\"1\"} 5\n"), "{text}");
        assert!(text.contains("adsai_y_total 4\n"), "{text}");
        assert_eq!(text.matches("# TYPE adsai_x_total counter").count(), 1, "{text}");
    }

    #[test]
    fn a_fixed_label_renders_like_any_other() {
        let m = Metrics::default();
        for _ in 0..2 {
            m.observe_fixed("adsai_step_seconds", "Steps.", ("step", "budget"), Duration::from_micros(30));
        }
        m.observe("adsai_step_seconds", "Steps.", vec![("step", "goal".into())], Duration::from_millis(2));
        let text = m.render();
        assert_eq!(text.matches("# TYPE adsai_step_seconds histogram").count(), 1, "{text}");
        assert!(text.contains("adsai_step_seconds_bucket{step=\"budget\",le=\"0.0001\"} 2"), "{text}");
        assert!(text.contains("adsai_step_seconds_count{step=\"budget\"} 2"), "{text}");
        assert!(text.contains("adsai_step_seconds_bucket{step=\"goal\",le=\"0.001\"} 0"), "{text}");
        assert!(text.contains("adsai_step_seconds_count{step=\"goal\"} 1"), "{text}");
    }

    #[test]
    fn durations_recorded_together_are_those_recorded_one_by_one() {
        let durations = [("budget", 30), ("goal", 2_000), ("budget", 700), ("schedule", 90_000)];
        let (together, one_by_one) = (Metrics::default(), Metrics::default());
        let values: Vec<(&'static str, Duration)> =
            durations.iter().map(|&(s, us)| (s, Duration::from_micros(us))).collect();
        together.observe_fixed_all("adsai_step_seconds", "Steps.", "step", &values);
        together.observe_fixed_all("adsai_step_seconds", "Steps.", "step", &[]);
        for &(s, d) in &values {
            one_by_one.observe_fixed("adsai_step_seconds", "Steps.", ("step", s), d);
        }
        let text = together.render();
        assert_eq!(text, one_by_one.render());
        assert!(text.contains("adsai_step_seconds_count{step=\"budget\"} 2"), "{text}");
        assert!(text.contains("adsai_step_seconds_count{step=\"schedule\"} 1"), "{text}");
    }
}
