//! The budget→reach curve: what the same brief buys at other budgets (`plan.curve`), the way
//! reach planners present a plan.
//!
//! Each point is the planner's own reach and delivery model at a multiple of the plan's budget:
//! the candidates are prepared once, for the plan itself ([`planner::prepare`]), and the choice,
//! split and forecast are recomputed at each point ([`planner::Prepared::forecast_at`]); markets, audience, formats and flight stay as planned, so
//! the curve bends exactly where the plan's forecast saturates.
//! The point at ×1 is the plan itself. `curve_note` names the budget past which each extra person
//! reached costs at least twice the plan's average cost per person.

use serde::{Deserialize, Serialize};

use super::planner::{self, Planned, Prepared};
use super::{Metric, PlanForecast, Range};
use crate::brief::Brief;
use crate::markets::Markets;

/// The budget multipliers of the curve's points.
pub const MULTIPLIERS: [f64; 8] = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0];

/// How much dearer than the plan's average an extra person must be for the note to call it out.
const DEAR: f64 = 2.0;

/// The objective's KPI at one point of the curve.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CurveKpi {
    pub metric: Metric,
    pub mid: f64,
}

/// One point of the curve, in the plan's currency.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    pub budget: f64,
    pub impressions: Range,
    pub reach: Range,
    pub frequency: f64,
    pub kpi: CurveKpi,
}

impl CurvePoint {
    fn of(budget: f64, f: &PlanForecast) -> CurvePoint {
        CurvePoint {
            budget,
            impressions: f.impressions,
            reach: f.reach,
            frequency: f.frequency.mid,
            kpi: CurveKpi { metric: f.kpi.metric, mid: f.kpi.count.mid },
        }
    }
}

/// The curve around `planned` (the plan of `brief`, made from `prepared`), and its note.
///
/// The points share the plan's candidates: their evidence, prices and reach curves do not
/// depend on the budget (the flight is the plan's, recommended or not). Only the choice of ad
/// sets, the split and the forecast are redone at each budget, and no ad set is described.
pub fn build(
    brief: &Brief,
    planned: &Planned,
    prepared: &Prepared,
    markets: &Markets,
) -> (Vec<CurvePoint>, Option<String>) {
    if planned.ad_sets.is_empty() || planned.budget.total <= 0.0 {
        return (Vec::new(), None);
    }
    let points: Vec<CurvePoint> = MULTIPLIERS
        .iter()
        .filter_map(|&m| {
            if m == 1.0 {
                return Some(CurvePoint::of(planned.budget.total, &planned.forecast));
            }
            let (budget, forecast) = prepared.forecast_at(brief, markets, planned.budget.total * m)?;
            Some(CurvePoint::of(budget, &forecast))
        })
        .collect();
    let note = note(&points, &planned.currency);
    (points, note)
}

/// "Past about €12,000 each extra person reached costs at least twice …": the first budget
/// after which the marginal cost per person reached is at least [`DEAR`] times the plan's average.
fn note(points: &[CurvePoint], currency: &str) -> Option<String> {
    let at_one = points.get(MULTIPLIERS.iter().position(|&m| m == 1.0)?)?;
    let average = at_one.budget / at_one.reach.mid.max(1.0);
    points.windows(2).find_map(|w| {
        let extra_people = w[1].reach.mid - w[0].reach.mid;
        let extra_money = w[1].budget - w[0].budget;
        let dear = extra_people <= 0.0 || extra_money / extra_people >= DEAR * average;
        dear.then(|| {
            format!(
                "Past about {} each extra person reached costs at least twice the plan's average",
                crate::present::money(planner::round_nicely(w[0].budget), currency)
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brain::Brain;
    use crate::conversation::Conversation;
    use chrono::NaiveDate;

    fn curve(text: &str) -> (Vec<CurvePoint>, Option<String>, f64, u64) {
        let brain = Brain::embedded();
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid date");
        let mut conv = Conversation::new(today);
        let r = brain.handle(&mut conv, text).expect("valid message");
        let prepared = planner::prepare(&conv.brief, brain.index(), brain.markets(), brain.settings(), today);
        let planned = prepared.at(&conv.brief, brain.markets(), None);
        let (points, note) = build(&conv.brief, &planned, &prepared, brain.markets());
        assert_eq!((&points, &note), (&r.plan.curve, &r.plan.curve_note), "{text}: the plan's own curve");
        let forecast = r.plan.forecast.expect("forecast");
        (points, note, planned.budget.total, forecast.audience_size)
    }

    #[test]
    fn eight_points_around_the_plan_within_the_audience() {
        for brief in [
            "brand awareness, 18-24 year olds in Germany, €5,000, 30 days",
            "app installs in the UK, £20k, 6 weeks",
            "reach women 25-44 in Ireland and Denmark, €40k, 4 weeks, audio only",
        ] {
            let (points, _, total, audience) = curve(brief);
            assert_eq!(points.len(), MULTIPLIERS.len(), "{brief}");
            for (p, m) in points.iter().zip(MULTIPLIERS) {
                assert!((p.budget - total * m).abs() < 0.02 * total, "{brief}: budget at ×{m}");
                assert!(p.reach.mid <= audience as f64 * 1.0001, "{brief}: reach within the audience");
                assert!(p.reach.low <= p.reach.mid && p.reach.mid <= p.reach.high, "{brief}: ordered range");
            }
            assert!(points.windows(2).all(|w| w[1].impressions.mid >= w[0].impressions.mid * 0.999), "{brief}");
        }
    }

    /// A point works out only what it shows (`forecast::Detail::Curve`): those figures are the
    /// full plan's at the point's budget, for the objectives' different KPIs and a format cap.
    #[test]
    fn each_point_shows_the_full_plan_at_its_budget() {
        let brain = Brain::embedded();
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid date");
        for brief in [
            "brand awareness, 18-24 year olds in Germany and Austria, €5,000, 30 days",
            "app installs in the UK, iOS only, £20k, 6 weeks",
            "leads, Nordics, EUR 40k, 90 days, 25-44, no more than 20% on video",
            "clicks to our shop from women in France, €8k, 3 weeks",
        ] {
            let mut conv = Conversation::new(today);
            let r = brain.handle(&mut conv, brief).expect("valid message");
            assert_eq!(r.plan.curve.len(), MULTIPLIERS.len(), "{brief}");
            for point in &r.plan.curve {
                let (index, markets, settings) = (brain.index(), brain.markets(), brain.settings());
                let full = planner::evaluate(&conv.brief, index, markets, settings, today, Some(point.budget));
                assert_eq!(&CurvePoint::of(point.budget, &full.forecast), point, "{brief}: at {}", point.budget);
            }
        }
    }

    #[test]
    fn the_note_names_the_budget_where_people_get_dear() {
        let p = |budget: f64, reach: f64| CurvePoint {
            budget,
            reach: Range { low: reach, mid: reach, high: reach },
            ..CurvePoint::default()
        };
        // Average at ×1: 1,000 / 1,000 = 1 a person; from 1,500 to 2,000 each extra person costs 5.
        let points = vec![
            p(250.0, 300.0),
            p(500.0, 580.0),
            p(750.0, 820.0),
            p(1000.0, 1000.0),
            p(1500.0, 1400.0),
            p(2000.0, 1500.0),
            p(3000.0, 1550.0),
            p(4000.0, 1560.0),
        ];
        let note = note(&points, "EUR").expect("a note");
        assert!(note.starts_with("Past about €1,500"), "{note}");
        let straight: Vec<CurvePoint> = MULTIPLIERS.iter().map(|m| p(1000.0 * m, 1000.0 * m)).collect();
        assert_eq!(note_of(&straight), None);
    }

    fn note_of(points: &[CurvePoint]) -> Option<String> {
        note(points, "EUR")
    }
}
