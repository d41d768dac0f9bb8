//! The plan as CSV: a header row, one row per ad set (mid forecasts), and a `Total` row.

use super::{headers, rows, ExportError, Row};
use crate::brain::Response;

/// Writes the CSV.
pub(super) fn render(response: &Response) -> Result<Vec<u8>, ExportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| ExportError::Csv(e.to_string());
    w.write_record(headers(&response.plan.currency)).map_err(err)?;
    let (sets, total) = rows(response);
    for row in sets.iter().chain(std::iter::once(&total)) {
        w.write_record(record(row)).map_err(err)?;
    }
    w.into_inner().map_err(|e| ExportError::Csv(e.to_string()))
}

/// One row as text: money with cents, counts whole, shares as fractions.
fn record(r: &Row) -> Vec<String> {
    let money = |v: f64| if v == 0.0 && r.name == "Total" { String::new() } else { format!("{v:.2}") };
    vec![
        r.name.clone(),
        r.country.clone(),
        r.format.clone(),
        r.placement.clone(),
        format!("{:.2}", r.budget),
        format!("{:.4}", r.share),
        money(r.bid_cpm),
        format!("{:.0}", r.impressions),
        format!("{:.0}", r.reach),
        format!("{:.2}", r.frequency),
        format!("{:.2}", r.cpm),
        format!("{:.0}", r.clicks),
        r.kpi.clone(),
        format!("{:.0}", r.kpi_count),
        format!("{:.2}", r.cost_per_kpi),
        r.evidence.clone(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_ad_sets_and_a_total_row() {
        let r = crate::export::tests::response();
        let bytes = render(&r).expect("csv");
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let header = reader.headers().expect("header").clone();
        assert_eq!(&header[0], "Ad set");
        assert_eq!(&header[4], "Budget (EUR)");
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
        assert_eq!(records.len(), r.plan.ad_sets.len() + 1);
        let last = records.last().expect("total row");
        assert_eq!(&last[0], "Total");
        let sum: f64 = records[..records.len() - 1].iter().map(|r| r[4].parse::<f64>().unwrap_or(f64::NAN)).sum();
        assert!((sum - last[4].parse::<f64>().unwrap_or(f64::NAN)).abs() < 0.011, "budgets add up");
        assert_eq!(&records[0][0], r.plan.ad_sets[0].name.as_str());
    }
}
