//! The plan at a glance, in the order a planner reads it: a title ("Reach plan · Germany ·
//! 18–24"), what it costs, what it buys (the objective's own KPI and its cost), saturation,
//! warnings with their fixes, questions, what was not used, one line per ad set; and the details
//! (ranges, evidence, per-ad-set forecasts) kept for a second look. Every surface renders these
//! strings; none computes its own.

use crate::brain::Response;
use crate::brief::{Fix, Format, Objective};
use crate::plan::{AdSet, Plan, PlanForecast};

use super::format::{compact, cost_range, date, date_span, freq, money, plural, shares, unit_cost, with_range};
use super::{age_label, budget_label, labels};

/// Reach at or above this share of the audience is saturated.
pub const SATURATED_REACH: f64 = 0.8;

/// A warning as shown: its text and, when there is one, its fix.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub text: String,
    pub fix: Option<Fix>,
}

/// One ad set's details (behind the Details button).
#[derive(Debug, Clone, PartialEq)]
pub struct AdSetDetails {
    pub name: String,
    pub lines: Vec<String>,
}

/// The second look: the plan's ranges, the brief as understood, and each ad set in full.
#[derive(Debug, Clone, PartialEq)]
pub struct Details {
    pub forecast: Vec<String>,
    pub brief: Vec<(String, String)>,
    pub assumptions: Vec<String>,
    pub ad_sets: Vec<AdSetDetails>,
}

/// The plan at a glance.
#[derive(Debug, Clone, PartialEq)]
pub struct Glance {
    /// "Reach plan · Germany · 18–24".
    pub title: String,
    /// "€5,000 over 30 days (Nov 24 – Dec 23) · 3 ad sets".
    pub cost: String,
    /// "≈258k people reached (131k–420k) · 9% of 3M · freq 2.8 · CPM €6.95 · likely to deliver";
    /// `None` when nothing is planned.
    pub buys: Option<String>,
    /// "Saturated: …, widen the audience or lower the budget".
    pub saturation: Option<String>,
    pub warnings: Vec<Item>,
    pub questions: Vec<String>,
    /// "Not used: 'but not Paris' — excluding a city is not supported".
    pub not_used: Vec<String>,
    /// The brief's audience and format limits beyond the title: "Interests: travel", "No video".
    pub brief: Vec<String>,
    pub assumptions: Vec<String>,
    /// One compact line per ad set.
    pub ad_sets: Vec<String>,
    /// Nothing planned: "No ad sets: …".
    pub empty: Option<String>,
    /// Reach or frequency is at its limit: more budget buys little.
    pub saturated: bool,
    /// "Audio only" would change the plan: it has other formats and its objective can run audio.
    pub audio_only_fits: bool,
    pub details: Details,
}

/// "Germany", "Bavaria", "New York": a place by its name only.
pub fn place_name(loc: &crate::brief::Location) -> String {
    match (&loc.city, &loc.region) {
        (Some(city), _) => city.clone(),
        (None, Some(region)) => crate::understand::gazetteer::Gazetteer::get()
            .regions
            .iter()
            .find(|r| &r.code == region)
            .map_or_else(|| region.clone(), |r| r.name.clone()),
        (None, None) => country_name(&loc.country),
    }
}

/// "Germany" for `DE`.
pub fn country_name(code: &str) -> String {
    crate::understand::gazetteer::Gazetteer::get().country(code).map_or_else(|| code.to_string(), |c| c.name.clone())
}

/// Where the brief runs: "Germany", "Germany, Austria", "6 markets"; `None` when it names nothing.
pub fn where_label(r: &Response) -> Option<String> {
    let locs = &r.brief.audience.locations;
    match locs.len() {
        0 => None,
        1..=3 => Some(locs.iter().map(place_name).collect::<Vec<_>>().join(", ")),
        n => Some(plural(n as i64, "place")),
    }
}

/// Who: "women 18–24", "18+".
pub fn who_label(r: &Response) -> String {
    let a = &r.brief.audience;
    let ages = match (a.age_min, a.age_max) {
        (None, None) => "18+".to_string(),
        _ => age_label(a),
    };
    if a.genders.is_empty() {
        ages
    } else {
        let g: Vec<String> = a.genders.iter().map(|g| labels::gender(*g)).collect();
        format!("{} {ages}", g.join(" + "))
    }
}

/// The objective the plan was made for.
fn objective(r: &Response) -> Objective {
    r.plan.objective.or(r.brief.objective).unwrap_or(Objective::Reach)
}

/// "Reach plan · Germany · 18–24".
pub fn title(r: &Response) -> String {
    let mut parts = vec![format!("{} plan", labels::objective(objective(r)))];
    parts.extend(where_label(r));
    parts.push(who_label(r));
    parts.join(" · ")
}

/// "€5,000 over 30 days (Nov 24 – Dec 23) · 3 ad sets".
pub fn cost_line(r: &Response) -> String {
    let p = &r.plan;
    let budget = match (&r.brief.budget, p.budget.as_ref()) {
        (Some(b), Some(pb)) if b.kind == crate::brief::BudgetType::Daily => {
            format!("{} ({} in all)", budget_label(b), money(pb.total, &p.currency))
        }
        (Some(b), _) => budget_label(b),
        (None, Some(pb)) => format!("{} (recommended)", money(pb.total, &p.currency)),
        (None, None) => "no budget yet".into(),
    };
    let mut s = budget;
    if let Some(sc) = p.schedule.as_ref() {
        let rec = if sc.recommended { ", recommended" } else { "" };
        s.push_str(&format!(" over {} ({}{rec})", plural(sc.days, "day"), date_span(sc.start, sc.end)));
    }
    match p.ad_sets.as_slice() {
        // One ad set: its name here, and no line of its own repeating the summary's figures.
        [one] => s.push_str(&format!(" · 1 ad set: {}", short_name(one, r.brief.audience.countries().len() <= 1))),
        all => s.push_str(&format!(" · {}", plural(all.len() as i64, "ad set"))),
    }
    s
}

/// How many weeks a flight covers, at least one.
fn weeks(p: &Plan) -> f64 {
    p.schedule.as_ref().map_or(1.0, |s| (s.days as f64 / 7.0).max(1.0))
}

/// The weekly frequency cap the planner works to for an objective.
pub fn frequency_cap(o: Objective) -> f64 {
    let s = crate::plan::planner::PlannerSettings::default();
    if o == Objective::Reach {
        s.reach_frequency_cap
    } else {
        s.frequency_cap
    }
}

/// Saturation in words, when reach is ≥ 80 % of the audience or the weekly frequency is over
/// the cap.
pub fn saturation(p: &Plan, f: &PlanForecast, o: Objective) -> Option<String> {
    let audience = f.audience_size as f64;
    let weekly = f.frequency.mid / weeks(p);
    let cap = frequency_cap(o);
    let share = if audience > 0.0 { f.reach.mid / audience } else { 0.0 };
    let why = if audience > 0.0 && share >= SATURATED_REACH {
        format!("reaches {:.0}% of the {} people it can reach", share * 100.0, compact(audience))
    } else if weekly > cap + 0.05 {
        format!("{} ads a person a week, over the cap of {}", freq(weekly), freq(cap))
    } else {
        return None;
    };
    Some(format!("Saturated: {why}. Widen the audience or lower the budget."))
}

/// "≈258k people reached (131k–420k) · 9% of 3M · freq 2.8 · CPM €6.95 · likely to deliver".
fn buys_line(p: &Plan, f: &PlanForecast) -> String {
    let cur = &p.currency;
    let metric = f.kpi.metric.as_str();
    let (what, one) = labels::kpi(metric);
    let share = |reach: f64| {
        if f.audience_size > 0 {
            let pct = reach / f.audience_size as f64 * 100.0;
            let pct = if pct > 0.0 && pct < 0.5 { "<1".to_string() } else { format!("{pct:.0}") };
            format!("{pct}% of {}", compact(f.audience_size as f64))
        } else {
            "audience unknown".into()
        }
    };
    let mut parts = Vec::new();
    match metric {
        "reach" => {
            parts.push(format!("≈{} {what}{}", compact(f.reach.mid), range_note(f.reach.mid, &f.reach)));
            parts.push(share(f.reach.mid));
            parts.push(format!("freq {}", freq(f.frequency.mid)));
        }
        "impressions" => {
            parts.push(format!(
                "≈{} {what}{}",
                compact(f.impressions.mid),
                range_note(f.impressions.mid, &f.impressions)
            ));
            parts.push(format!("reach {} ({})", compact(f.reach.mid), share(f.reach.mid)));
            parts.push(format!("freq {}", freq(f.frequency.mid)));
        }
        _ => {
            parts.push(format!("≈{} {what}{}", compact(f.kpi.count.mid), range_note(f.kpi.count.mid, &f.kpi.count)));
            parts.push(format!("{} per {one}", unit_cost(f.kpi.cost_per.mid, cur)));
            parts.push(format!("reach {} ({})", compact(f.reach.mid), share(f.reach.mid)));
        }
    }
    parts.push(format!("CPM {}", unit_cost(f.cpm.mid, cur)));
    parts.push(if f.likely_to_deliver { "likely to deliver".into() } else { "may not deliver in full".into() });
    parts.join(" · ")
}

/// " (131k–420k)" after a figure, or nothing when the range adds nothing.
fn range_note(mid: f64, r: &crate::plan::Range) -> String {
    let full = with_range(mid, r);
    full.strip_prefix(&compact(mid)).unwrap_or_default().to_string()
}

/// The ad set's name without the country when the plan has one market: "Image · Music".
fn short_name(a: &AdSet, one_market: bool) -> String {
    let Some(loc) = a.targeting.locations.first() else { return a.name.clone() };
    if one_market {
        if let Some(rest) = a.name.strip_prefix(&format!("{} · ", loc.country)) {
            return rest.to_string();
        }
    }
    a.name.clone()
}

fn kpi_part(a: &AdSet, cur: &str) -> String {
    let f = &a.forecast;
    match f.kpi.metric.as_str() {
        "reach" | "impressions" | "" => format!("CPM {}", unit_cost(a.bid_cpm, cur)),
        m => format!("{} {} at {}", compact(f.kpi.count.mid), labels::kpi(m).0, unit_cost(f.kpi.cost_per.mid, cur)),
    }
}

fn ad_set_lines(p: &Plan, one_market: bool) -> Vec<String> {
    if p.ad_sets.len() == 1 {
        return Vec::new();
    }
    let pcts = shares(&p.ad_sets.iter().map(|a| a.budget).collect::<Vec<_>>());
    p.ad_sets
        .iter()
        .zip(pcts)
        .map(|(a, pct)| {
            format!(
                "{} — {} ({pct}%) · reach {} · {}",
                short_name(a, one_market),
                money(a.budget, &p.currency),
                compact(a.forecast.reach.mid),
                kpi_part(a, &p.currency)
            )
        })
        .collect()
}

fn brief_lines(r: &Response) -> Vec<String> {
    let a = &r.brief.audience;
    let mut out = Vec::new();
    let mut topics: Vec<String> = Vec::new();
    for list in [&a.interests, &a.genres, &a.contexts, &a.podcast_topics] {
        topics.extend(list.iter().map(|x| labels::topic(x)));
    }
    if !topics.is_empty() {
        out.push(format!("Interests: {}", topics.join(", ")));
    }
    if !a.languages.is_empty() {
        out.push(format!(
            "Language: {}",
            a.languages.iter().map(|l| labels::language(l)).collect::<Vec<_>>().join(", ")
        ));
    }
    if !a.platforms.is_empty() {
        out.push(format!(
            "Devices: {}",
            a.platforms.iter().map(|p| labels::platform(*p)).collect::<Vec<_>>().join(", ")
        ));
    }
    if let Some(f) = formats_label(r) {
        out.push(format!("Formats: {f}"));
    }
    if a.locations.len() > 3 {
        out.push(format!("Where: {}", a.locations.iter().map(place_name).collect::<Vec<_>>().join(", ")));
    }
    out
}

/// The brief's format limits: "only audio; no video; image ≤ 20%; on podcasts".
pub fn formats_label(r: &Response) -> Option<String> {
    let f = &r.brief.formats;
    let list = |xs: &[Format]| xs.iter().map(|x| labels::format(*x)).collect::<Vec<_>>();
    let mut parts = Vec::new();
    if !f.include.is_empty() {
        parts.push(format!("only {}", list(&f.include).join(" + ")));
    }
    if !f.exclude.is_empty() {
        parts.push(format!("no {}", list(&f.exclude).join(", ")));
    }
    for (x, share) in &f.max_share {
        parts.push(format!("{} ≤ {:.0}%", labels::format(*x), share * 100.0));
    }
    if !f.placements.is_empty() {
        parts
            .push(format!("on {}", f.placements.iter().map(|p| labels::placement(*p)).collect::<Vec<_>>().join(" + ")));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn details(r: &Response, one_market: bool) -> Details {
    let p = &r.plan;
    let cur = &p.currency;
    let mut forecast = Vec::new();
    if let Some(f) = p.forecast.as_ref().filter(|_| !p.ad_sets.is_empty()) {
        forecast.push(format!("Impressions {}", with_range(f.impressions.mid, &f.impressions)));
        forecast.push(format!(
            "Reach {} of {} people · frequency {}",
            with_range(f.reach.mid, &f.reach),
            compact(f.audience_size as f64),
            freq(f.frequency.mid)
        ));
        forecast.push(format!("Clicks {}", with_range(f.clicks.mid, &f.clicks)));
        forecast.push(format!("CPM {} ({})", unit_cost(f.cpm.mid, cur), cost_range(&f.cpm, cur)));
        if !matches!(f.kpi.metric.as_str(), "reach" | "impressions" | "clicks") {
            let (what, one) = labels::kpi(&f.kpi.metric);
            forecast.push(format!(
                "{} {} · {} per {one} ({})",
                capitalised(&what),
                with_range(f.kpi.count.mid, &f.kpi.count),
                unit_cost(f.kpi.cost_per.mid, cur),
                cost_range(&f.kpi.cost_per, cur)
            ));
        } else if f.kpi.metric == "reach" && f.reach.mid > 0.0 {
            let per_thousand = p.budget.as_ref().map_or(0.0, |b| b.total) / f.reach.mid * 1000.0;
            forecast.push(format!("{} per 1,000 people reached", unit_cost(per_thousand, cur)));
        }
    }
    let mut brief = vec![("Who".to_string(), who_label(r))];
    if let Some(w) = where_label(r) {
        brief.push(("Where".into(), w));
    }
    if let Some(s) = p.schedule.as_ref() {
        brief.push(("Flight".into(), format!("{} – {} ({})", date(s.start), date(s.end), plural(s.days, "day"))));
    }
    let pcts = shares(&p.ad_sets.iter().map(|a| a.budget).collect::<Vec<_>>());
    let ad_sets = p
        .ad_sets
        .iter()
        .zip(pcts)
        .map(|(a, pct)| {
            let f = &a.forecast;
            let e = &a.evidence;
            let country = a.targeting.locations.first().map(|l| country_name(&l.country)).unwrap_or_default();
            let mut lines = vec![
                format!(
                    "{} ({pct}%) · CPM {} ({})",
                    money(a.budget, cur),
                    unit_cost(a.bid_cpm, cur),
                    cost_range(&f.cpm, cur)
                ),
                format!(
                    "Impressions {} · reach {} of {} · frequency {}",
                    with_range(f.impressions.mid, &f.impressions),
                    with_range(f.reach.mid, &f.reach),
                    compact(f.audience_size as f64),
                    freq(f.frequency.mid)
                ),
            ];
            if !matches!(f.kpi.metric.as_str(), "reach" | "impressions" | "") {
                let (what, one) = labels::kpi(&f.kpi.metric);
                lines.push(format!(
                    "{} {} · {} per {one}",
                    capitalised(&what),
                    with_range(f.kpi.count.mid, &f.kpi.count),
                    unit_cost(f.kpi.cost_per.mid, cur)
                ));
            }
            lines.push(format!(
                "Based on {} from {} {}",
                plural(e.ad_sets, "past ad set"),
                plural(e.advertisers, "advertiser"),
                labels::evidence_level(e.level.as_str(), &country)
            ));
            AdSetDetails { name: short_name(a, one_market), lines }
        })
        .collect();
    Details { forecast, brief, assumptions: p.assumptions.iter().map(|a| a.message.clone()).collect(), ad_sets }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The plan at a glance.
pub fn glance(r: &Response) -> Glance {
    let p = &r.plan;
    let one_market = r.brief.audience.countries().len() <= 1;
    let o = objective(r);
    let planned = p.forecast.as_ref().filter(|_| !p.ad_sets.is_empty());
    let empty = p.ad_sets.is_empty().then(|| {
        if p.questions.is_empty() {
            "No ad sets: nothing in this brief can be planned yet (see the warnings).".to_string()
        } else {
            "No ad sets yet: answer the question below and I'll plan it.".to_string()
        }
    });
    Glance {
        title: title(r),
        cost: cost_line(r),
        buys: planned.map(|f| buys_line(p, f)),
        saturation: planned.and_then(|f| saturation(p, f, o)),
        warnings: p.warnings.iter().map(|w| Item { text: w.message.clone(), fix: w.fix.clone() }).collect(),
        questions: p.questions.iter().map(|q| q.message.clone()).collect(),
        not_used: p.not_understood.iter().map(|n| format!("Not used: '{}' — {}", n.text, n.reason)).collect(),
        brief: brief_lines(r),
        assumptions: p.assumptions.iter().map(|a| a.message.clone()).collect(),
        ad_sets: ad_set_lines(p, one_market),
        empty,
        saturated: planned.and_then(|f| saturation(p, f, o)).is_some(),
        audio_only_fits: p.ad_sets.iter().any(|a| a.format != Format::Audio)
            && crate::plan::rules::allowed_combinations(o).iter().any(|(f, _)| *f == Format::Audio),
        details: details(r, one_market),
    }
}

/// The notification text: the title, the cost and what it buys, in words.
pub fn notification(g: &Glance) -> String {
    let mut s = format!("{}\n{}", g.title, g.cost);
    match &g.buys {
        Some(b) => s.push_str(&format!("\n{b}")),
        None => {
            if let Some(e) = &g.empty {
                s.push_str(&format!("\n{e}"));
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{PlannedSchedule, Range};

    fn plan(days: i64) -> Plan {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default();
        Plan { schedule: Some(PlannedSchedule { start: d, end: d, days, recommended: false }), ..Plan::default() }
    }

    fn forecast(reach: f64, audience: u64, frequency: f64) -> PlanForecast {
        let r = |x: f64| Range { low: x, mid: x, high: x };
        PlanForecast { reach: r(reach), frequency: r(frequency), audience_size: audience, ..PlanForecast::default() }
    }

    #[test]
    fn saturation_is_reach_near_the_audience_or_frequency_over_the_cap() {
        let p = plan(28);
        let near = saturation(&p, &forecast(160_000.0, 186_000, 2.0), Objective::Reach);
        assert!(near.is_some_and(|s| s.contains("86%") && s.contains("Widen the audience")));
        // 12 over four weeks is 3 a week: over REACH's cap of 2, within the others' 3.
        assert!(saturation(&p, &forecast(10_000.0, 1_000_000, 12.0), Objective::Reach).is_some());
        assert!(saturation(&p, &forecast(10_000.0, 1_000_000, 12.0), Objective::Clicks).is_none());
        assert!(saturation(&p, &forecast(100_000.0, 1_000_000, 2.8), Objective::Reach).is_none());
        // A flight shorter than a week is not a week of frequency.
        assert!(saturation(&plan(3), &forecast(1_000.0, 1_000_000, 1.5), Objective::Reach).is_none());
    }
}
