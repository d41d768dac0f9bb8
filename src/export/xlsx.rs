//! The plan as an Excel workbook: sheets Brief (the resolved brief, assumptions, warnings),
//! Ad sets (the table of the CSV, with number formats), Forecast (low / mid / high) and Curve
//! (what the same brief buys at other budgets).

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::{headers, rows, ExportError, Row};
use crate::brain::Response;
use crate::plan::Range;

/// Writes the workbook.
pub(super) fn render(response: &Response) -> Result<Vec<u8>, ExportError> {
    build(response).map_err(|e| ExportError::Xlsx(e.to_string()))
}

struct Formats {
    bold: Format,
    money: Format,
    count: Format,
    share: Format,
    ratio: Format,
}

fn build(response: &Response) -> Result<Vec<u8>, XlsxError> {
    let f = Formats {
        bold: Format::new().set_bold(),
        money: Format::new().set_num_format("#,##0.00"),
        count: Format::new().set_num_format("#,##0"),
        share: Format::new().set_num_format("0.0%"),
        ratio: Format::new().set_num_format("0.00"),
    };
    let mut book = Workbook::new();
    brief_sheet(book.add_worksheet().set_name("Brief")?, response, &f)?;
    ad_sets_sheet(book.add_worksheet().set_name("Ad sets")?, response, &f)?;
    forecast_sheet(book.add_worksheet().set_name("Forecast")?, response, &f)?;
    curve_sheet(book.add_worksheet().set_name("Curve")?, response, &f)?;
    book.save_to_buffer()
}

fn brief_sheet(ws: &mut Worksheet, r: &Response, f: &Formats) -> Result<(), XlsxError> {
    ws.set_column_width(0, 22)?;
    ws.set_column_width(1, 60)?;
    let brief = serde_json::to_value(&r.brief).map_err(|e| XlsxError::ParameterError(e.to_string()))?;
    let mut row = 0u32;
    ws.write_string_with_format(row, 0, "Brief", &f.bold)?;
    row += 1;
    for (section, value) in brief.as_object().into_iter().flatten() {
        match value.as_object() {
            Some(fields) => {
                for (k, v) in fields {
                    ws.write_string(row, 0, format!("{section}.{k}"))?;
                    ws.write_string(row, 1, plain(v))?;
                    row += 1;
                }
            }
            None => {
                ws.write_string(row, 0, section)?;
                ws.write_string(row, 1, plain(value))?;
                row += 1;
            }
        }
    }
    row += 1;
    let notes = [
        ("Assumptions", r.plan.assumptions.iter().map(|a| (a.field.clone(), a.message.clone())).collect::<Vec<_>>()),
        ("Warnings", r.plan.warnings.iter().map(|w| (w.code.id(), w.message.clone())).collect()),
        ("Questions", r.plan.questions.iter().map(|q| (q.field.clone(), q.message.clone())).collect()),
    ];
    for (title, items) in notes {
        if items.is_empty() {
            continue;
        }
        ws.write_string_with_format(row, 0, title, &f.bold)?;
        row += 1;
        for (k, v) in items {
            ws.write_string(row, 0, k)?;
            ws.write_string(row, 1, v)?;
            row += 1;
        }
        row += 1;
    }
    Ok(())
}

/// A JSON value as a cell's text: strings bare, lists joined, null empty.
fn plain(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn ad_sets_sheet(ws: &mut Worksheet, r: &Response, f: &Formats) -> Result<(), XlsxError> {
    for (col, title) in headers(&r.plan.currency).iter().enumerate() {
        ws.write_string_with_format(0, col as u16, title, &f.bold)?;
    }
    ws.set_column_width(0, 32)?;
    ws.set_column_width(15, 40)?;
    let (sets, total) = rows(r);
    for (i, row) in sets.iter().chain(std::iter::once(&total)).enumerate() {
        write_row(ws, i as u32 + 1, row, f)?;
    }
    ws.set_freeze_panes(1, 1)?;
    Ok(())
}

fn write_row(ws: &mut Worksheet, n: u32, r: &Row, f: &Formats) -> Result<(), XlsxError> {
    let total = r.name == "Total";
    if total {
        ws.write_string_with_format(n, 0, &r.name, &f.bold)?;
    } else {
        ws.write_string(n, 0, &r.name)?;
    }
    ws.write_string(n, 1, &r.country)?;
    ws.write_string(n, 2, &r.format)?;
    ws.write_string(n, 3, &r.placement)?;
    ws.write_number_with_format(n, 4, r.budget, &f.money)?;
    ws.write_number_with_format(n, 5, r.share, &f.share)?;
    if !total {
        ws.write_number_with_format(n, 6, r.bid_cpm, &f.money)?;
    }
    ws.write_number_with_format(n, 7, r.impressions.round(), &f.count)?;
    ws.write_number_with_format(n, 8, r.reach.round(), &f.count)?;
    ws.write_number_with_format(n, 9, r.frequency, &f.ratio)?;
    ws.write_number_with_format(n, 10, r.cpm, &f.money)?;
    ws.write_number_with_format(n, 11, r.clicks.round(), &f.count)?;
    ws.write_string(n, 12, &r.kpi)?;
    ws.write_number_with_format(n, 13, r.kpi_count.round(), &f.count)?;
    ws.write_number_with_format(n, 14, r.cost_per_kpi, &f.money)?;
    ws.write_string(n, 15, &r.evidence)?;
    Ok(())
}

fn forecast_sheet(ws: &mut Worksheet, r: &Response, f: &Formats) -> Result<(), XlsxError> {
    let Some(fc) = &r.plan.forecast else { return Ok(()) };
    ws.set_column_width(0, 28)?;
    for (col, title) in ["Measure", "Low", "Mid", "High"].iter().enumerate() {
        ws.write_string_with_format(0, col as u16, *title, &f.bold)?;
    }
    let currency = &r.plan.currency;
    let lines: Vec<(String, Range, &Format)> = vec![
        ("Impressions".into(), fc.impressions, &f.count),
        ("Reach".into(), fc.reach, &f.count),
        ("Frequency".into(), fc.frequency, &f.ratio),
        (format!("CPM ({currency})"), fc.cpm, &f.money),
        ("Clicks".into(), fc.clicks, &f.count),
        (format!("KPI: {}", fc.kpi.metric), fc.kpi.count, &f.count),
        (format!("Cost per KPI ({currency})"), fc.kpi.cost_per, &f.money),
    ];
    for (i, (name, range, format)) in lines.iter().enumerate() {
        let n = i as u32 + 1;
        ws.write_string(n, 0, name)?;
        for (col, v) in [range.low, range.mid, range.high].into_iter().enumerate() {
            ws.write_number_with_format(n, col as u16 + 1, v, format)?;
        }
    }
    let n = lines.len() as u32 + 2;
    ws.write_string(n, 0, "Audience size")?;
    ws.write_number_with_format(n, 2, fc.audience_size as f64, &f.count)?;
    ws.write_string(n + 1, 0, "Likely to deliver")?;
    ws.write_string(n + 1, 2, if fc.likely_to_deliver { "yes" } else { "no" })?;
    Ok(())
}

fn curve_sheet(ws: &mut Worksheet, r: &Response, f: &Formats) -> Result<(), XlsxError> {
    let currency = &r.plan.currency;
    let titles = [
        format!("Budget ({currency})"),
        "Reach (low)".into(),
        "Reach (mid)".into(),
        "Reach (high)".into(),
        "Impressions (mid)".into(),
        "Frequency".into(),
        "KPI".into(),
        "KPI (mid)".into(),
    ];
    for (col, title) in titles.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, title, &f.bold)?;
        ws.set_column_width(col as u16, 16)?;
    }
    for (i, p) in r.plan.curve.iter().enumerate() {
        let n = i as u32 + 1;
        ws.write_number_with_format(n, 0, p.budget, &f.money)?;
        for (col, v) in [p.reach.low, p.reach.mid, p.reach.high, p.impressions.mid].into_iter().enumerate() {
            ws.write_number_with_format(n, col as u16 + 1, v.round(), &f.count)?;
        }
        ws.write_number_with_format(n, 5, p.frequency, &f.ratio)?;
        ws.write_string(n, 6, p.kpi.metric.as_str())?;
        ws.write_number_with_format(n, 7, p.kpi.mid.round(), &f.count)?;
    }
    if let Some(note) = &r.plan.curve_note {
        ws.write_string(r.plan.curve.len() as u32 + 2, 0, note)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of one part of the workbook.
    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip archive");
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).expect(name), &mut text).expect("utf-8 xml");
        text
    }

    #[test]
    fn four_sheets_with_the_plan_in_them() {
        let r = crate::export::tests::response();
        let bytes = render(&r).expect("xlsx");
        let book = part(&bytes, "xl/workbook.xml");
        for name in [r#"name="Brief""#, r#"name="Ad sets""#, r#"name="Forecast""#, r#"name="Curve""#] {
            assert!(book.contains(name), "{name}");
        }
        let strings = part(&bytes, "xl/sharedStrings.xml");
        assert!(strings.contains(r.plan.ad_sets[0].name.as_str()));
        assert!(strings.contains("Total") && strings.contains("Budget (EUR)"));
        let sheet = part(&bytes, "xl/worksheets/sheet2.xml");
        let rows = sheet.matches("<row ").count();
        assert_eq!(rows, r.plan.ad_sets.len() + 2, "header, ad sets, total");
        let curve = part(&bytes, "xl/worksheets/sheet4.xml");
        let note = usize::from(r.plan.curve_note.is_some());
        assert_eq!(curve.matches("<row ").count(), r.plan.curve.len() + 1 + note, "header, points, note");
    }
}
