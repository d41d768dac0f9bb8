//! Scenarios side by side: the label that says what a scenario changes ("€10,000", "8 weeks",
//! "Audio only") and the table every surface shows — the current plan beside each scenario
//! (budget, flight, ad sets, impressions, reach, frequency, the objective's KPI and its cost).
//! Surfaces render [`table`]; the CLI and Slack print it with [`aligned`].

use super::format::{compact, date, freq, money, plural, unit_cost};
use super::glance::{formats_label, place_name, who_label};
use super::{budget_label, labels};
use crate::brain::Response;
use crate::brief::Brief;
use crate::plan::Plan;

/// How a reply picks an option, as surfaces print it.
pub const CHOOSE_HINT: &str = "use option N";

/// The message a "Use option N" button sends.
pub fn choose_message(option: u32) -> String {
    CHOOSE_HINT.replace('N', &option.to_string())
}

/// Longest label shown in a column head (the JSON keeps the whole label).
pub const LABEL_WIDTH: usize = 22;

/// What `alt` changes against `base`, in a planner's words; `None` when the briefs are equal.
pub fn label(base: &Response, alt: &Response) -> Option<String> {
    let (a, b) = (&base.brief, &alt.brief);
    let mut parts: Vec<String> = Vec::new();
    if a.objective != b.objective {
        if let Some(o) = b.objective {
            parts.push(labels::objective(o));
        }
    }
    if a.audience.locations != b.audience.locations {
        parts.push(b.audience.locations.iter().map(place_name).collect::<Vec<_>>().join(", "));
    }
    let (ra, rb) = (who_label(base), who_label(alt));
    if ra != rb {
        parts.push(rb);
    }
    if a.audience.interests != b.audience.interests || a.audience.genres != b.audience.genres {
        let topics = b.audience.interests.iter().chain(&b.audience.genres).map(|t| labels::topic(t));
        parts.push(topics.collect::<Vec<_>>().join(", "));
    }
    if a.budget != b.budget {
        if let Some(x) = &b.budget {
            parts.push(budget_label(x));
        }
    }
    if a.schedule != b.schedule {
        parts.push(flight_label(a, b, alt.plan.schedule.as_ref().map(|s| s.days)));
    }
    if a.formats != b.formats {
        let f = &b.formats;
        let only = !f.include.is_empty() && f.exclude.is_empty() && f.max_share.is_empty() && f.placements.is_empty();
        let said = if only {
            // "Audio only", as planners say it.
            format!("{} only", f.include.iter().map(|x| labels::format(*x)).collect::<Vec<_>>().join(" + "))
        } else {
            formats_label(alt).unwrap_or_else(|| "any format".into())
        };
        parts.push(capitalise(&said));
    }
    parts.retain(|p| !p.is_empty());
    if parts.is_empty() && a != b {
        parts.push("Other changes".into());
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// "8 weeks", "45 days", "from Dec 1".
fn flight_label(a: &Brief, b: &Brief, days: Option<i64>) -> String {
    if a.schedule.days == b.schedule.days {
        if let Some(start) = b.schedule.start.filter(|s| a.schedule.start != Some(*s)) {
            return format!("from {}", date(start));
        }
    }
    match b.schedule.days.or(days) {
        Some(d) if d > 0 && d % 7 == 0 => plural(d / 7, "week"),
        Some(d) => plural(d, "day"),
        None => "another flight".into(),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// One column of the table: "Current" or "Option 2" and what it changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    pub label: String,
}

/// The side-by-side table: columns (current plan first), rows of figures per column.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    /// (what, one value per column).
    pub rows: Vec<(String, Vec<String>)>,
}

/// The table of a plan with scenarios; `None` when it has none.
pub fn table(r: &Response) -> Option<Table> {
    let scenarios = &r.plan.scenarios;
    if scenarios.is_empty() {
        return None;
    }
    let mut columns = vec![Column { title: "Current".into(), label: String::new() }];
    let mut plans: Vec<&Plan> = vec![&r.plan];
    for s in scenarios {
        columns.push(Column { title: format!("Option {}", s.option), label: s.label.clone() });
        plans.push(&s.plan);
    }
    let row = |what: &str, f: &dyn Fn(&Plan) -> String| (what.to_string(), plans.iter().map(|p| f(p)).collect());
    let forecast = |p: &Plan| p.forecast.clone().filter(|_| !p.ad_sets.is_empty());
    let mut rows = vec![
        row("Budget", &|p| p.budget.as_ref().map_or("–".into(), |b| money(b.total, &p.currency))),
        row("Flight", &|p| p.schedule.as_ref().map_or("–".into(), |s| plural(s.days, "day"))),
        row("Ad sets", &|p| p.ad_sets.len().to_string()),
        row("Impressions", &|p| forecast(p).map_or("–".into(), |f| compact(f.impressions.mid))),
        row("Reach", &|p| forecast(p).map_or("–".into(), |f| compact(f.reach.mid))),
        row("Frequency", &|p| forecast(p).map_or("–".into(), |f| freq(f.frequency.mid))),
    ];
    // The objective's KPI when it is not reach or impressions (already shown), and its cost.
    if let Some(f) = forecast(&r.plan) {
        let k = &f.kpi;
        if !k.metric.is_delivery() {
            let what = if k.label.is_empty() { labels::kpi(k.metric).0 } else { k.label.to_string() };
            let metric = k.metric;
            let same = move |p: &Plan| forecast(p).filter(|f| f.kpi.metric == metric);
            rows.push(row(&capitalise(&what), &|p| same(p).map_or("–".into(), |f| compact(f.kpi.count.mid))));
        }
        let cost = if k.cost_label.is_empty() { "Cost per result".to_string() } else { k.cost_label.to_string() };
        let metric = k.metric;
        let same = move |p: &Plan| forecast(p).filter(|f| f.kpi.metric == metric);
        rows.push(row(&cost, &|p| same(p).map_or("–".into(), |f| unit_cost(f.kpi.cost.mid, &p.currency))));
    }
    Some(Table { columns, rows })
}

/// The table as aligned text, one line per row, the column heads and labels on top.
pub fn aligned(t: &Table) -> String {
    let clip = |s: &str| {
        if s.chars().count() > LABEL_WIDTH {
            format!("{}…", s.chars().take(LABEL_WIDTH - 1).collect::<String>())
        } else {
            s.to_string()
        }
    };
    let mut lines: Vec<Vec<String>> = vec![
        std::iter::once(String::new()).chain(t.columns.iter().map(|c| c.title.clone())).collect(),
        std::iter::once(String::new()).chain(t.columns.iter().map(|c| clip(&c.label))).collect(),
    ];
    if t.columns.iter().all(|c| c.label.is_empty()) {
        lines.pop();
    }
    for (what, values) in &t.rows {
        lines.push(std::iter::once(what.clone()).chain(values.iter().cloned()).collect());
    }
    let n = lines.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..n).map(|i| lines.iter().filter_map(|l| l.get(i)).map(|c| c.chars().count()).max().unwrap_or(0)).collect();
    lines
        .iter()
        .map(|l| {
            let cells: Vec<String> = l
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c}{}", " ".repeat(widths[i].saturating_sub(c.chars().count()))))
                .collect();
            cells.join("  ").trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::Conversation;
    use chrono::NaiveDate;

    fn respond(messages: &[&str]) -> Response {
        let brain = crate::brain::Brain::embedded();
        let mut conv = Conversation::new(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        let mut last = None;
        for m in messages {
            last = Some(brain.handle(&mut conv, m).unwrap());
        }
        last.unwrap()
    }

    #[test]
    fn labels_say_what_differs() {
        let base = respond(&["reach in Spain, €9k, 5 weeks"]);
        for (edit, expected) in [
            ("€14k", "€14,000"),
            ("7 weeks", "7 weeks"),
            ("40 days", "40 days"),
            ("audio only", "Audio only"),
            ("Italy", "Italy"),
        ] {
            let alt = respond(&["reach in Spain, €9k, 5 weeks", edit]);
            assert_eq!(label(&base, &alt).as_deref(), Some(expected), "{edit}");
        }
        assert_eq!(label(&base, &base), None);
    }

    #[test]
    fn the_table_has_a_column_per_plan_and_aligns() {
        let mut base = respond(&["clicks in France, €6k, 4 weeks"]);
        let alt = respond(&["clicks in France, €6k, 4 weeks", "€12k"]);
        base.plan.scenarios.push(crate::plan::Scenario {
            option: 1,
            label: "€12,000".into(),
            brief: alt.brief.clone(),
            plan: alt.plan.clone(),
        });
        let t = table(&base).unwrap();
        assert_eq!(t.columns.len(), 2);
        assert_eq!(t.rows[0], ("Budget".to_string(), vec!["€6,000".to_string(), "€12,000".to_string()]));
        assert!(t.rows.iter().any(|(w, _)| w.contains("lick")), "{:?}", t.rows);
        let text = aligned(&t);
        let lines: Vec<&str> = text.lines().collect();
        let at = lines[0].find("Option 1").unwrap();
        assert!(lines.iter().skip(2).all(|l| l.chars().nth(at).is_some_and(|c| c != ' ')), "{text}");
        assert!(table(&alt).is_none());
    }
}
