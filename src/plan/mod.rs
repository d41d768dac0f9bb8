//! The media plan: what the planner recommends for a brief (SPEC §3 `plan`, §4).
//!
//! `history` loads and validates the history table, `index` pre-aggregates it, `planner` turns a
//! brief into ad sets and forecasts, `synth` generates realistic synthetic history.

pub mod curve;
pub mod history;
pub mod index;
pub mod planner;
pub mod synth;

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
    /// What is counted: "reach", "impressions", "clicks", "completed_views", "streams", "installs", "leads", "conversions".
    pub metric: String,
    pub count: Range,
    /// Cost per KPI in the plan's currency (low = best case).
    pub cost_per: Range,
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
}

/// How much history stands behind an ad set's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub ad_sets: u32,
    pub advertisers: u32,
    pub method: String,
    /// The backoff level the figures come from: targeted, audience, all_ages, market, region, global.
    pub level: String,
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
    pub bid_cpm: f64,
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
    pub audience_size: u64,
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

/// The plan (SPEC §3 `plan`).
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
}
