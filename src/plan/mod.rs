//! The media plan: what the planner recommends for a brief (SPEC §3 `plan`, §4).
//!
//! Ad sets and forecasts are filled by the planner from historical performance; until a brief
//! reaches the planner the plan carries what understanding produced: the currency, the
//! assumptions, warnings and questions.

use serde::{Deserialize, Serialize};

use crate::brief::{Assumption, Audience, Format, Objective, Placement, Question, Warning};

/// Low / mid / high estimate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Range {
    pub low: f64,
    pub mid: f64,
    pub high: f64,
}

/// Forecast of one ad set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AdSetForecast {
    pub impressions: Range,
    pub reach: Range,
    pub frequency: Range,
    pub cpm: Range,
    pub clicks: Range,
}

/// How much history stands behind an ad set's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub ad_sets: u32,
    pub advertisers: u32,
    pub method: String,
}

/// One recommended ad set (one country, one format/placement/objective).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdSet {
    pub name: String,
    pub format: Format,
    pub placement: Placement,
    pub objective: Objective,
    pub targeting: Audience,
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
    pub likely_to_deliver: bool,
    pub audience_size: u64,
}

/// The plan (SPEC §3 `plan`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// All money in the plan is in this currency (the brief's).
    pub currency: String,
    pub ad_sets: Vec<AdSet>,
    pub forecast: Option<PlanForecast>,
    pub assumptions: Vec<Assumption>,
    pub warnings: Vec<Warning>,
    pub questions: Vec<Question>,
}
