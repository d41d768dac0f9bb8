//! Exports of a plan, for the spreadsheet, the deck and the ad server: the budget→reach chart
//! (PNG, [`chart`]), CSV (one row per ad set and a
//! `Total` row), an Excel workbook (sheets Brief, Ad sets, Forecast, Curve), and a JSON draft shaped
//! after the Spotify Ads API v3 campaign and ad set create payloads (nothing is sent anywhere).
//!
//! Every surface exports the same [`Response`] value through [`render`]; the files hold the plan's
//! own figures, nothing is recomputed here.

pub mod chart;
mod csv;
mod spotify;
mod xlsx;

use crate::brain::Response;

/// A file format a plan can be exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
    /// The Spotify Ads API v3–shaped JSON draft.
    Spotify,
}

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("unknown export format {0:?}: use csv, xlsx or spotify (.json)")]
    UnknownFormat(String),
    #[error("could not write the workbook: {0}")]
    Xlsx(String),
    #[error("could not write the CSV: {0}")]
    Csv(String),
    #[error("could not draw the chart: {0}")]
    Chart(String),
    #[error("this plan has no budget curve (nothing could be planned)")]
    NoCurve,
}

impl ExportFormat {
    /// The format named in a query (`csv`, `xlsx`, `spotify` or `json`).
    pub fn parse(name: &str) -> Result<ExportFormat, ExportError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "xlsx" => Ok(ExportFormat::Xlsx),
            "spotify" | "json" => Ok(ExportFormat::Spotify),
            other => Err(ExportError::UnknownFormat(other.to_string())),
        }
    }

    /// The format a file name's extension asks for.
    pub fn from_path(path: &std::path::Path) -> Result<ExportFormat, ExportError> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
        ExportFormat::parse(ext)
    }

    /// The media type of the file.
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ExportFormat::Spotify => "application/json",
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Spotify => "json",
        }
    }
}

/// The plan in `format`, as the bytes of a file.
pub fn render(format: ExportFormat, response: &Response) -> Result<Vec<u8>, ExportError> {
    match format {
        ExportFormat::Csv => csv::render(response),
        ExportFormat::Xlsx => xlsx::render(response),
        ExportFormat::Spotify => {
            let value = spotify::draft(response);
            serde_json::to_vec_pretty(&value).map_err(|e| ExportError::Csv(e.to_string()))
        }
    }
}

/// One row of the ad-set table, shared by the CSV and the workbook.
pub(crate) struct Row {
    pub name: String,
    pub country: String,
    pub format: String,
    pub placement: String,
    pub budget: f64,
    pub share: f64,
    pub bid_cpm: f64,
    pub impressions: f64,
    pub reach: f64,
    pub frequency: f64,
    pub cpm: f64,
    pub clicks: f64,
    pub kpi: String,
    pub kpi_count: f64,
    pub cost_per_kpi: f64,
    pub evidence: String,
}

/// Column titles of [`Row`], in order; money columns name the plan's currency.
pub(crate) fn headers(currency: &str) -> Vec<String> {
    [
        "Ad set".to_string(),
        "Country".into(),
        "Format".into(),
        "Placement".into(),
        format!("Budget ({currency})"),
        "Share".into(),
        format!("Bid CPM ({currency})"),
        "Impressions".into(),
        "Reach".into(),
        "Frequency".into(),
        format!("CPM ({currency})"),
        "Clicks".into(),
        "KPI".into(),
        "KPI count".into(),
        format!("Cost per KPI ({currency})"),
        "Evidence".into(),
    ]
    .to_vec()
}

/// The ad-set rows (mid forecasts) and the `Total` row from the plan's own forecast.
pub(crate) fn rows(response: &Response) -> (Vec<Row>, Row) {
    let plan = &response.plan;
    let sets: Vec<Row> = plan
        .ad_sets
        .iter()
        .map(|a| Row {
            name: a.name.clone(),
            country: a.targeting.countries().join(" "),
            format: a.format.id().to_string(),
            placement: a.placement.id().to_string(),
            budget: a.budget,
            share: a.share,
            bid_cpm: a.bid_cpm,
            impressions: a.forecast.impressions.mid,
            reach: a.forecast.reach.mid,
            frequency: a.forecast.frequency.mid,
            cpm: a.forecast.cpm.mid,
            clicks: a.forecast.clicks.mid,
            kpi: a.forecast.kpi.metric.to_string(),
            kpi_count: a.forecast.kpi.count.mid,
            cost_per_kpi: a.forecast.kpi.cost_per.mid,
            evidence: format!(
                "{} ad sets, {} advertisers ({})",
                a.evidence.ad_sets, a.evidence.advertisers, a.evidence.level
            ),
        })
        .collect();
    let f = plan.forecast.clone().unwrap_or_default();
    let total = Row {
        name: "Total".into(),
        country: response.brief.audience.countries().join(" "),
        format: String::new(),
        placement: String::new(),
        budget: plan.ad_sets.iter().map(|a| a.budget).sum(),
        share: plan.ad_sets.iter().map(|a| a.share).sum(),
        bid_cpm: 0.0,
        impressions: f.impressions.mid,
        reach: f.reach.mid,
        frequency: f.frequency.mid,
        cpm: f.cpm.mid,
        clicks: f.clicks.mid,
        kpi: f.kpi.metric.to_string(),
        kpi_count: f.kpi.count.mid,
        cost_per_kpi: f.kpi.cost_per.mid,
        evidence: String::new(),
    };
    (sets, total)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A plan for a three-market brief, made by the real pipeline on the embedded data.
    pub(crate) fn response() -> Response {
        let brain = crate::brain::Brain::embedded();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid date");
        let mut conv = crate::conversation::Conversation::new(today);
        brain
            .handle(&mut conv, "brand awareness for 18-34 year olds in Germany and Austria, women, €20,000, 6 weeks")
            .expect("a valid message")
    }

    #[test]
    fn formats_by_name_and_extension() {
        assert_eq!(ExportFormat::parse("CSV").ok(), Some(ExportFormat::Csv));
        assert_eq!(ExportFormat::parse("spotify").ok(), Some(ExportFormat::Spotify));
        assert_eq!(ExportFormat::from_path(std::path::Path::new("plan.xlsx")).ok(), Some(ExportFormat::Xlsx));
        assert_eq!(ExportFormat::from_path(std::path::Path::new("plan.json")).ok(), Some(ExportFormat::Spotify));
        assert!(ExportFormat::from_path(std::path::Path::new("plan.pdf")).is_err());
    }

    #[test]
    fn the_total_row_adds_up_the_ad_sets() {
        let r = response();
        let (sets, total) = rows(&r);
        assert!(!sets.is_empty());
        let sum: f64 = sets.iter().map(|s| s.budget).sum();
        assert!((sum - total.budget).abs() < 0.01);
        assert!((total.share - 1.0).abs() < 0.001);
    }
}
