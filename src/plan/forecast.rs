//! Forecasts: what an ad set and the plan deliver for their budgets, through the one reach and
//! delivery model (`reach::Curve`).
//!
//! Three scenarios give low / mid / high: pessimistic (upper-quartile CPM, the segment's
//! lower-quartile delivery rate), median, optimistic (lower-quartile CPM). In each, impressions
//! are what the budget buys at that CPM, never more than the ad set's capacity within its
//! frequency cap; spend is what those impressions cost, so budget beyond capacity is forecast as
//! unspent. Reach, frequency and 3+ reach follow from the curve, clicks and the KPI from their
//! historical rates. Plan reach is de-duplicated within a market (ad sets there draw on the same
//! people, independently), added across markets.

use std::borrow::Cow;

use super::planner::Candidate;
use super::reach::three_plus;
use super::rules;
use super::{AdSetForecast, KpiForecast, PlanForecast, Range};
use crate::brief::Objective;

/// A plan that leaves more than this share of its budget unspent is unlikely to deliver.
pub const UNSPENT_OK: f64 = 0.02;
/// Below this median historical delivery rate a plan is unlikely to deliver.
pub const DELIVERY_OK: f64 = 0.8;

pub(crate) fn range(low: f64, mid: f64, high: f64) -> Range {
    Range { low, mid, high }
}

fn add(a: Range, b: Range) -> Range {
    range(a.low + b.low, a.mid + b.mid, a.high + b.high)
}

/// How much of a forecast to work out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Every figure: the plan and its ad sets.
    Full,
    /// What a point of the budget curve shows (impressions, reach, frequency, the KPI's count),
    /// as it is eight times a plan: the 3+ reach (a root-finding per scenario), clicks, spend,
    /// CPMs and costs are left at zero.
    Curve,
}

/// Rounds to cents.
pub(crate) fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Impressions per person for each scenario. The curve makes it rise with impressions; whole
/// people and impressions can tip tiny forecasts out of order by a rounding, so the ends are
/// kept around the mid (which stays exactly impressions / reach).
fn frequency(impressions: Range, reach: Range) -> Range {
    let mid = ratio(impressions.mid, reach.mid);
    range(ratio(impressions.low, reach.low).min(mid), mid, ratio(impressions.high, reach.high).max(mid))
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}

/// The 3+ reach of each scenario (zero when the detail leaves it out).
fn three_plus_range(reach: Range, impressions: Range, detail: Detail) -> Range {
    if detail == Detail::Curve {
        return Range::default();
    }
    range(
        three_plus(reach.low, impressions.low).round(),
        three_plus(reach.mid, impressions.mid).round(),
        three_plus(reach.high, impressions.high).round(),
    )
}

/// The KPI block of a count and a spend.
fn kpi(objective: Objective, count: Range, spend: f64, cpm: Range) -> KpiForecast {
    let info = rules::kpi(objective);
    let per = |n: f64| if n > 0.0 { cents(spend / n) } else { 0.0 };
    let cost_per = range(per(count.high), per(count.mid), per(count.low));
    let cost = if matches!(objective, Objective::Reach | Objective::EvenImpressionDelivery) { cpm } else { cost_per };
    KpiForecast {
        metric: info.metric,
        count,
        cost_per,
        label: Cow::Borrowed(&info.label),
        cost_label: Cow::Borrowed(&info.cost_label),
        cost,
    }
}

/// The forecast of one ad set with `budget` in the plan's currency (`rate` = plan currency per USD).
pub fn ad_set(c: &Candidate, budget: f64, rate: f64, objective: Objective, detail: Detail) -> AdSetForecast {
    let s = c.found.segment;
    let cpm = range(c.cpm_usd.p25 * rate, c.cpm_usd.p50 * rate, c.cpm_usd.p75 * rate);
    let capacity = c.capacity_impressions;
    let buys = |money: f64, cpm: f64| if cpm > 0.0 { (money / cpm * 1000.0).min(capacity).max(0.0) } else { 0.0 };
    let weak_delivery = s.delivery.p25.clamp(0.0, 1.0);
    // Low impressions come with the high CPM and weak delivery.
    let impressions = range(
        buys(budget * weak_delivery, cpm.high).round(),
        buys(budget, cpm.mid).round(),
        buys(budget, cpm.low).round(),
    );
    let reach_of = |i: f64| c.curve.reach(i).round();
    let reach = range(reach_of(impressions.low), reach_of(impressions.mid), reach_of(impressions.high));
    let frequency = frequency(impressions, reach);
    let count = match objective {
        Objective::Reach => reach,
        Objective::EvenImpressionDelivery => impressions,
        _ => range(
            (impressions.low * s.kpi_rate.p25).round(),
            (impressions.mid * s.kpi_rate.p50).round(),
            (impressions.high * s.kpi_rate.p75).round(),
        ),
    };
    if detail == Detail::Curve {
        let kpi = KpiForecast { metric: rules::kpi(objective).metric, count, ..KpiForecast::default() };
        return AdSetForecast {
            impressions,
            reach,
            frequency,
            kpi,
            audience_size: c.audience,
            ..AdSetForecast::default()
        };
    }
    // What each scenario spends: its budget, or what its capacity costs at its CPM.
    let spend = |money: f64, cpm: f64| money.min(capacity * cpm / 1000.0).max(0.0);
    let spends = [spend(budget * weak_delivery, cpm.high), spend(budget, cpm.mid), spend(budget, cpm.low)];
    let expected_spend = range(
        cents(spends.iter().copied().fold(f64::INFINITY, f64::min).min(budget)),
        cents(spends[1].min(budget)),
        cents(spends.iter().copied().fold(0.0, f64::max).min(budget)),
    );
    let clicks = range(
        (impressions.low * s.ctr.p25).round(),
        (impressions.mid * s.ctr.p50).round(),
        (impressions.high * s.ctr.p75).round(),
    );
    AdSetForecast {
        impressions,
        reach,
        frequency,
        cpm,
        clicks,
        kpi: kpi(objective, count, expected_spend.mid, cpm),
        audience_size: c.audience,
        reach_3plus: three_plus_range(reach, impressions, detail),
        expected_spend,
    }
}

/// The plan's forecast from its ad sets' (`forecasts[i]` is `chosen[i]`'s).
pub fn plan(
    forecasts: &[AdSetForecast],
    chosen: &[&Candidate],
    total: f64,
    objective: Objective,
    max_budget: f64,
    detail: Detail,
) -> PlanForecast {
    let sum = |f: &dyn Fn(&AdSetForecast) -> Range| forecasts.iter().map(f).fold(Range::default(), add);
    let impressions = sum(&|a| a.impressions);
    // Within a market: R = P·(1 − Π(1 − Rᵢ/P)) over the largest ceiling P there.
    let mut reach = Range::default();
    let mut audience_size = 0u64;
    // Market by market in code order (a plan has a handful of ad sets: no list is built).
    let mut country: Option<[u8; 2]> = None;
    while let Some(next) = chosen.iter().map(|c| c.code).filter(|&c| country.is_none_or(|p| c > p)).min() {
        country = Some(next);
        let members = || (0..chosen.len()).filter(move |&i| chosen[i].code == next);
        audience_size += members().map(|i| chosen[i].audience).max().unwrap_or(0);
        let pool = members().map(|i| chosen[i].curve.ceiling).fold(0.0, f64::max);
        if pool <= 0.0 {
            continue;
        }
        let union = |pick: &dyn Fn(&Range) -> f64| {
            let missed: f64 = members().map(|i| 1.0 - (pick(&forecasts[i].reach) / pool).clamp(0.0, 1.0)).product();
            (pool * (1.0 - missed)).round()
        };
        reach = add(reach, range(union(&|r| r.low), union(&|r| r.mid), union(&|r| r.high)));
    }
    let frequency = frequency(impressions, reach);
    let count = match objective {
        Objective::Reach => reach,
        _ => sum(&|a| a.kpi.count),
    };
    if detail == Detail::Curve {
        let kpi = KpiForecast { metric: rules::kpi(objective).metric, count, ..KpiForecast::default() };
        return PlanForecast { impressions, reach, frequency, kpi, audience_size, ..PlanForecast::default() };
    }
    let clicks = sum(&|a| a.clicks);
    let spent = sum(&|a| a.expected_spend);
    let expected_spend = range(cents(spent.low), cents(spent.mid), cents(spent.high));
    let reach_3plus = three_plus_range(reach, impressions, detail);
    let weighted_cpm = |imp: &dyn Fn(&AdSetForecast) -> f64, cpm: &dyn Fn(&AdSetForecast) -> f64| {
        let i: f64 = forecasts.iter().map(imp).sum();
        ratio(forecasts.iter().map(|a| imp(a) * cpm(a)).sum(), i)
    };
    let cpm = range(
        weighted_cpm(&|a| a.impressions.high, &|a| a.cpm.low),
        weighted_cpm(&|a| a.impressions.mid, &|a| a.cpm.mid),
        weighted_cpm(&|a| a.impressions.low, &|a| a.cpm.high),
    );
    let unspent = cents((total - expected_spend.mid).max(0.0));
    let delivery: f64 = if total > 0.0 && !chosen.is_empty() {
        chosen.iter().zip(forecasts).map(|(c, f)| c.found.segment.delivery.p50 * f.expected_spend.mid).sum::<f64>()
            / expected_spend.mid.max(f64::MIN_POSITIVE)
    } else {
        1.0
    };
    PlanForecast {
        impressions,
        reach,
        frequency,
        cpm,
        clicks,
        kpi: kpi(objective, count, expected_spend.mid, cpm),
        likely_to_deliver: unspent <= UNSPENT_OK * total && delivery >= DELIVERY_OK,
        audience_size,
        reach_3plus,
        expected_spend,
        unspent,
        max_budget: cents(max_budget),
    }
}
