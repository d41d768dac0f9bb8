//! What a KPI counts (`plan.forecast.kpi.metric` and `plan.curve[].kpi.metric`, docs/brief.md §3).
//!
//! The JSON strings are the contract; which objective counts which metric, and how it is
//! described and bought, is data (`fixtures/plan/kpis.tsv`, read by [`super::rules::kpi`]).

use serde::{Deserialize, Serialize};

/// What a KPI counts. In JSON: `reach`, `impressions`, `clicks`, `visits`, `completed_views`,
/// `streams`, `installs`, `leads`, `conversions`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Reach,
    #[default]
    Impressions,
    Clicks,
    Visits,
    CompletedViews,
    Streams,
    Installs,
    Leads,
    Conversions,
}

impl Metric {
    /// Every metric.
    pub const ALL: [Metric; 9] = [
        Metric::Reach,
        Metric::Impressions,
        Metric::Clicks,
        Metric::Visits,
        Metric::CompletedViews,
        Metric::Streams,
        Metric::Installs,
        Metric::Leads,
        Metric::Conversions,
    ];

    /// The JSON string, e.g. `"completed_views"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Reach => "reach",
            Metric::Impressions => "impressions",
            Metric::Clicks => "clicks",
            Metric::Visits => "visits",
            Metric::CompletedViews => "completed_views",
            Metric::Streams => "streams",
            Metric::Installs => "installs",
            Metric::Leads => "leads",
            Metric::Conversions => "conversions",
        }
    }

    /// Whether the metric is a count of the audience or of the ads themselves (reach,
    /// impressions) rather than of something people do after hearing or seeing an ad.
    pub fn is_delivery(self) -> bool {
        matches!(self, Metric::Reach | Metric::Impressions)
    }
}

impl std::str::FromStr for Metric {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s).ok_or_else(|| format!("unknown KPI metric {s:?}"))
    }
}

impl PartialEq<&str> for Metric {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_the_contracts_and_parse_back() {
        for m in Metric::ALL {
            let json = serde_json::to_value(m).expect("serialises");
            assert_eq!(json, serde_json::Value::String(m.as_str().to_string()));
            assert_eq!(m.as_str().parse::<Metric>(), Ok(m));
            assert_eq!(serde_json::from_value::<Metric>(json).expect("parses"), m);
        }
        assert!("likes".parse::<Metric>().is_err());
    }
}
