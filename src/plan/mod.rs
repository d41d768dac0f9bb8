//! The media plan: what the planner recommends for a brief (docs/brief.md §3 `plan`, §4).
//!
//! `history` loads and validates the history table, `index` pre-aggregates it and `learn` fits
//! price multipliers and the reach curve's shape from it; `rules` holds Spotify's format rules,
//! `audience` the audience model, `reach` the one reach and delivery model; `planner` turns a
//! brief into ad sets and `forecast` forecasts them.
//! The synthetic-data generator moved to [`crate::datagen`] (it generates data, it does not
//! plan); `plan::synth` remains as its old name.

pub mod audience;
pub mod curve;
pub mod fastmap;
pub mod forecast;
pub mod history;
pub mod index;
pub mod learn;
pub mod metric;
pub mod planner;
pub mod pricing;
pub mod reach;
pub mod rules;
pub mod split;
/// The old name of [`crate::datagen`], kept for callers.
pub use crate::datagen as synth;
pub use metric::Metric;

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::brief::{
    Assumption, Audience, BudgetType, Format, NotUnderstood, Objective, Placement, Platform, Question, Warning,
};

/// Low / mid / high estimate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Range {
    pub low: f64,
    pub mid: f64,
    pub high: f64,
}

/// The objective's KPI: how many, and what each costs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KpiForecast {
    /// What is counted.
    pub metric: Metric,
    pub count: Range,
    /// Cost per KPI in the plan's currency (low = best case).
    pub cost_per: Range,
    /// What is counted, for people ("completed video views").
    #[serde(default)]
    pub label: Cow<'static, str>,
    /// The cost metric planners quote for this objective ("CPM", "cost per click (CPC)").
    #[serde(default)]
    pub cost_label: Cow<'static, str>,
    /// The cost metric's value: the CPM for reach and impressions, else the cost per KPI.
    #[serde(default)]
    pub cost: Range,
}

/// Forecast of one ad set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AdSetForecast {
    pub impressions: Range,
    pub reach: Range,
    pub frequency: Range,
    pub cpm: Range,
    pub clicks: Range,
    pub kpi: KpiForecast,
    /// People this ad set can reach in the market.
    pub audience_size: u64,
    /// People who see the ad three times or more.
    #[serde(default)]
    pub reach_3plus: Range,
    /// What the ad set is forecast to spend: no more than the impressions it can buy within
    /// its frequency cap and audience cost (low = historically weak delivery).
    #[serde(default)]
    pub expected_spend: Range,
}

/// A price multiplier applied to an ad set's CPM, with the history behind it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PriceFactor {
    /// What it is for ("December", "interest targeting", "iOS only", "Switzerland vs region");
    /// a fixed name is borrowed (every candidate of every plan has its factors).
    pub name: Cow<'static, str>,
    pub factor: f64,
    pub ad_sets: u32,
    pub advertisers: u32,
}

/// The bid range Spotify would suggest: about the segment's median to upper-quartile CPM.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct BidRange {
    pub low: f64,
    pub high: f64,
}

/// How much history stands behind an ad set's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub ad_sets: u32,
    pub advertisers: u32,
    pub method: String,
    /// The backoff level the figures come from: targeted, audience, all_ages, market, region, global.
    pub level: index::Level,
    /// Multipliers applied to the segment's prices (season, targeting, gender, platform,
    /// city/region, market level), each learned from the history.
    #[serde(default)]
    pub price_factors: Vec<PriceFactor>,
}

/// One recommended ad set (one country, one format/placement/objective).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdSet {
    pub name: String,
    pub format: Format,
    pub placement: Placement,
    pub objective: Objective,
    pub targeting: Audience,
    /// For app installs: the one platform of this ad set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    pub budget: f64,
    pub share: f64,
    /// The recommended maximum bid (the top of `bid_cpm_range`); the forecast is at this bid.
    pub bid_cpm: f64,
    #[serde(default)]
    pub bid_cpm_range: BidRange,
    /// Impressions per person per week.
    #[serde(default)]
    pub frequency_cap: f64,
    /// Delivery pacing (EVEN: spread over the flight).
    #[serde(default)]
    pub pacing: Cow<'static, str>,
    /// MAX_BID, or COST_PER_RESULT for CLICKS.
    #[serde(default)]
    pub bid_strategy: Cow<'static, str>,
    /// The creative this ad set needs (the format's checklist, `fixtures/plan/creative.tsv`).
    #[serde(default)]
    pub creative: Cow<'static, [String]>,
    pub forecast: AdSetForecast,
    pub evidence: Evidence,
}

/// Forecast of the whole plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanForecast {
    pub impressions: Range,
    pub reach: Range,
    pub frequency: Range,
    pub cpm: Range,
    pub clicks: Range,
    pub kpi: KpiForecast,
    pub likely_to_deliver: bool,
    /// The plan's de-duplicated audience: people any of its ad sets can reach.
    pub audience_size: u64,
    /// People who see the plan's ads three times or more.
    #[serde(default)]
    pub reach_3plus: Range,
    /// What the plan is forecast to spend (see `AdSetForecast::expected_spend`).
    #[serde(default)]
    pub expected_spend: Range,
    /// Budget forecast not to be spent (mid), in the plan's currency.
    #[serde(default)]
    pub unspent: f64,
    /// The largest budget these markets and targeting can absorb in the flight within the
    /// frequency cap (like Spotify's recommended budget), in the plan's currency.
    #[serde(default)]
    pub max_budget: f64,
}

impl PlanForecast {
    /// What reaching 1,000 people costs with `budget` (the plan's total): `None` when the
    /// forecast reaches nobody.
    pub fn cost_per_thousand_reached(&self, budget: f64) -> Option<f64> {
        (self.reach.mid > 0.0).then(|| budget / self.reach.mid * 1000.0)
    }
}

/// The budget the plan spends: the brief's, or a recommendation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedBudget {
    /// The total for the flight, in the plan's currency.
    pub total: f64,
    /// As stated (a daily amount stays daily here).
    pub amount: f64,
    #[serde(rename = "type")]
    pub kind: BudgetType,
    /// Not stated in the brief: recommended from similar campaigns.
    pub recommended: bool,
}

/// The flight the plan runs: the brief's, or a recommendation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedSchedule {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub days: i64,
    pub recommended: bool,
}

/// The plan (docs/brief.md §3 `plan`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// All money in the plan is in this currency (the brief's).
    pub currency: String,
    pub objective: Option<Objective>,
    pub budget: Option<PlannedBudget>,
    pub schedule: Option<PlannedSchedule>,
    pub ad_sets: Vec<AdSet>,
    pub forecast: Option<PlanForecast>,
    pub assumptions: Vec<Assumption>,
    pub warnings: Vec<Warning>,
    pub questions: Vec<Question>,
    /// What the latest message said that was not used, and why.
    #[serde(default)]
    pub not_understood: Vec<NotUnderstood>,
    /// What the same brief buys at other budgets (×0.25 … ×4; the point at ×1 is this plan).
    #[serde(default)]
    pub curve: Vec<curve::CurvePoint>,
    /// Where extra budget stops paying: "Past about EUR 12,000 each extra person reached costs …".
    #[serde(default)]
    pub curve_note: Option<String>,
    /// Alternatives planned beside this plan by a comparison ("compare with €10k"), by option
    /// number; the brief is unchanged until one is chosen ("use option 2").
    #[serde(default)]
    pub scenarios: Vec<Scenario>,
}

/// One alternative to the current brief and its plan (`plan.scenarios`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// 1, 2 or 3: what "use option N" names; kept while the scenario is kept.
    pub option: u32,
    /// What differs from the current brief ("EUR 10,000", "8 weeks", "Audio only").
    pub label: String,
    pub brief: crate::brief::Brief,
    pub plan: Plan,
}
