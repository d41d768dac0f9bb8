//! What changed between two plans of a conversation: the brief's markets, audience, formats,
//! schedule and budget whenever they differ, the ad sets added or removed, and the plan's
//! figures only when they moved by more than [`MOVED`]. The coordinator keeps a [`Digest`] of
//! each plan and compares; surfaces show [`change_lines`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::format::{compact, date, freq, money, unit_cost};
use super::glance::{formats_label, place_name, who_label};
use super::labels;
use crate::brain::Response;
use crate::plan::{Metric, Plan};

/// A figure of the plan is reported as changed when it moved by more than this share.
pub const MOVED: f64 = 0.02;

/// One field that changed between two plans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub from: Value,
    pub to: Value,
}

/// What a plan is compared on. Fields added later are `None` in older stored records and are
/// then not compared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Digest {
    budget: Option<f64>,
    currency: Option<String>,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    days: Option<i64>,
    reach: Option<f64>,
    frequency: Option<f64>,
    daily_spend: Option<f64>,
    markets: Option<Vec<String>>,
    audience: Option<Vec<String>>,
    formats: Option<String>,
    ad_sets: Option<Vec<String>>,
    impressions: Option<f64>,
    cpm: Option<f64>,
    kpi: Option<(Metric, f64)>,
    kpi_cost: Option<f64>,
}

/// The audience as a few comparable words: who, interests, languages, devices.
fn audience_words(r: &Response) -> Vec<String> {
    let a = &r.brief.audience;
    let mut out = vec![who_label(r)];
    for list in [&a.interests, &a.genres, &a.contexts, &a.podcast_topics] {
        out.extend(list.iter().map(|x| labels::topic(x)));
    }
    out.extend(a.languages.iter().map(|l| format!("in {}", labels::language(l))));
    out.extend(a.platforms.iter().map(|p| format!("on {}", labels::platform(*p))));
    out
}

impl Digest {
    /// The digest of a plan.
    pub fn of(r: &Response) -> Digest {
        let p = &r.plan;
        let f = p.forecast.as_ref().filter(|_| !p.ad_sets.is_empty());
        let budget = p.budget.as_ref().map(|b| b.total);
        let days = p.schedule.as_ref().map(|s| s.days);
        Digest {
            budget,
            currency: Some(p.currency.clone()),
            start: p.schedule.as_ref().map(|s| s.start),
            end: p.schedule.as_ref().map(|s| s.end),
            days,
            reach: f.map(|f| f.reach.mid),
            frequency: f.map(|f| (f.frequency.mid * 100.0).round() / 100.0),
            daily_spend: budget.zip(days).filter(|(_, d)| *d > 0).map(|(b, d)| (b / d as f64 * 100.0).round() / 100.0),
            markets: Some(r.brief.audience.locations.iter().map(place_name).collect()),
            audience: Some(audience_words(r)),
            formats: Some(formats_label(r).unwrap_or_default()),
            ad_sets: Some(p.ad_sets.iter().map(|a| a.name.clone()).collect()),
            impressions: f.map(|f| f.impressions.mid),
            cpm: f.map(|f| f.cpm.mid),
            kpi: f.filter(|f| !f.kpi.metric.is_delivery()).map(|f| (f.kpi.metric, f.kpi.count.mid)),
            kpi_cost: f.filter(|f| !f.kpi.metric.is_delivery()).map(|f| f.kpi.cost_per.mid),
        }
    }

    /// What changed from `self` (the previous plan) to `new`.
    pub fn changes(&self, new: &Digest) -> Vec<Change> {
        let mut out = Vec::new();
        let mut push = |field: &str, a: Value, b: Value| {
            if a != b {
                out.push(Change { field: field.to_string(), from: a, to: b });
            }
        };
        let j = |v: &dyn erased::Json| v.json();
        // The brief: every difference counts.
        if self.markets.is_some() {
            push("markets", j(&self.markets), j(&new.markets));
        }
        if self.audience.is_some() {
            push("audience", j(&self.audience), j(&new.audience));
        }
        if self.formats.is_some() {
            push("formats", j(&self.formats), j(&new.formats));
        }
        push("budget", j(&self.budget), j(&new.budget));
        push("currency", j(&self.currency), j(&new.currency));
        push("start", j(&self.start), j(&new.start));
        push("end", j(&self.end), j(&new.end));
        push("days", j(&self.days), j(&new.days));
        if self.ad_sets.is_some() {
            push("ad_sets", j(&self.ad_sets), j(&new.ad_sets));
        }
        // The plan's figures: only a real move counts (a new currency moves every amount).
        let same_currency = self.currency == new.currency;
        let mut moved = |field: &str, a: Option<f64>, b: Option<f64>, money: bool| {
            let real = match (a, b) {
                (Some(x), Some(y)) => (y - x).abs() > MOVED * x.abs().max(y.abs()) && (same_currency || !money),
                (None, None) => false,
                _ => true,
            };
            if real {
                out.push(Change { field: field.to_string(), from: json!(a), to: json!(b) });
            }
        };
        moved("reach", self.reach, new.reach, false);
        moved("impressions", self.impressions, new.impressions, false);
        moved("frequency", self.frequency, new.frequency, false);
        // The objective's KPI (`plan.forecast.kpi.metric` says which), when it is the same KPI.
        if self.kpi.is_some() && self.kpi.as_ref().map(|k| &k.0) == new.kpi.as_ref().map(|k| &k.0) {
            moved("kpi", self.kpi.as_ref().map(|k| k.1), new.kpi.as_ref().map(|k| k.1), false);
            moved("kpi_cost", self.kpi_cost, new.kpi_cost, true);
        }
        moved("cpm", self.cpm, new.cpm, true);
        moved("daily_spend", self.daily_spend, new.daily_spend, true);
        out
    }
}

mod erased {
    /// Anything serialisable, as JSON (lets `changes` treat mixed field types alike).
    pub trait Json {
        fn json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(|x| x.as_str().map(String::from)).collect()
}

/// "+ Austria; − Spain" for two lists.
fn list_diff(from: &Value, to: &Value) -> String {
    let (a, b) = (strings(from), strings(to));
    let mut parts: Vec<String> = b.iter().filter(|x| !a.contains(x)).map(|x| format!("+ {x}")).collect();
    parts.extend(a.iter().filter(|x| !b.contains(x)).map(|x| format!("− {x}")));
    if parts.is_empty() {
        // Same members, another order.
        return format!("{} → {}", a.join(", "), b.join(", "));
    }
    parts.join("; ")
}

fn value(field: &str, v: &Value, currency: &str) -> String {
    match v {
        Value::Null => "—".into(),
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or_default();
            match field {
                "budget" => money(x, currency),
                "daily_spend" | "cpm" => unit_cost(x, currency),
                "kpi_cost" => unit_cost(x, currency),
                "frequency" => freq(x),
                "days" => format!("{x:.0}"),
                _ => compact(x),
            }
        }
        Value::String(s) => match s.parse::<NaiveDate>() {
            Ok(d) => date(d),
            Err(_) if s.is_empty() => "none".into(),
            Err(_) => s.clone(),
        },
        other => other.to_string(),
    }
}

fn label(field: &str, metric: Metric) -> String {
    if field == "kpi_cost" {
        return format!("Cost per {}", labels::kpi(metric).1);
    }
    if field == "kpi" {
        let what = labels::kpi(metric).0;
        let mut c = what.chars();
        return c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default();
    }
    match field {
        "ad_sets" => "Ad sets".into(),
        "daily_spend" => "Daily spend".into(),
        "cpm" => "CPM".into(),
        other => {
            let w = other.replace('_', " ");
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
        }
    }
}

/// One line per change of a follow-up against the new plan, e.g. "Budget: €5,000 → €8,000",
/// "Markets: + Austria", "Audience: 18–24 → women 18–24".
pub fn change_lines(changes: &[Change], plan: &Plan) -> Vec<String> {
    let currency = plan.currency.as_str();
    let metric = plan.forecast.as_ref().map(|f| f.kpi.metric).unwrap_or_default();
    // Daily spend follows from the budget and the flight: shown only when neither changed.
    let implied = changes.iter().any(|c| c.field == "budget" || c.field == "days");
    changes
        .iter()
        .filter(|c| !(implied && c.field == "daily_spend"))
        .map(|c| {
            let label = label(&c.field, metric);
            match (&c.from, &c.to) {
                // The audience reads as a whole: who, interests, languages, devices.
                _ if c.field == "audience" => {
                    format!("{label}: {} → {}", strings(&c.from).join(", "), strings(&c.to).join(", "))
                }
                (Value::Array(_), _) | (_, Value::Array(_)) => format!("{label}: {}", list_diff(&c.from, &c.to)),
                _ => format!("{label}: {} → {}", value(&c.field, &c.from, currency), value(&c.field, &c.to, currency)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(budget: f64, reach: f64, markets: &[&str]) -> Digest {
        Digest {
            budget: Some(budget),
            currency: Some("EUR".into()),
            reach: Some(reach),
            markets: Some(markets.iter().map(|s| s.to_string()).collect()),
            ad_sets: Some(vec!["DE · Audio · Music".into()]),
            ..Digest::default()
        }
    }

    #[test]
    fn small_moves_are_not_changes_and_lists_show_what_was_added() {
        let a = d(5000.0, 100_000.0, &["Germany"]);
        assert!(a.changes(&d(5000.0, 101_000.0, &["Germany"])).is_empty(), "a 1 % move is noise");
        let c = a.changes(&d(8000.0, 150_000.0, &["Germany", "Austria"]));
        let plan = Plan { currency: "EUR".into(), ..Plan::default() };
        let lines = change_lines(&c, &plan);
        assert_eq!(lines, ["Markets: + Austria", "Budget: €5,000 → €8,000", "Reach: 100k → 150k"]);
        let old = Digest { markets: None, ..a.clone() };
        assert!(old.changes(&d(5000.0, 100_000.0, &["France"])).is_empty(), "older records do not compare markets");
    }

    #[test]
    fn ad_sets_added_and_removed() {
        let a = d(5000.0, 1.0, &["Germany"]);
        let b = Digest { ad_sets: Some(vec!["AT · Audio · Music".into()]), ..a.clone() };
        let plan = Plan { currency: "EUR".into(), ..Plan::default() };
        assert_eq!(change_lines(&a.changes(&b), &plan), ["Ad sets: + AT · Audio · Music; − DE · Audio · Music"]);
        let who = |w: &[&str]| Digest { audience: Some(w.iter().map(|s| s.to_string()).collect()), ..a.clone() };
        let lines = change_lines(&who(&["18–24"]).changes(&who(&["women 18–24", "travel"])), &plan);
        assert_eq!(lines, ["Audience: 18–24 → women 18–24, travel"]);
    }
}
