//! The budget→reach curve as a PNG: reach (mid) against budget with the low–high band, the
//! current plan marked, axes in the plan's currency; 800×450, readable on a phone. Drawn in
//! process with `plotters` and an embedded font (`fixtures/fonts/`, DejaVu Sans, licence beside
//! it), so no system font is needed.

use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::FontStyle;

use super::ExportError;
use crate::brain::Response;
use crate::present::compact;

/// Picture size in pixels.
pub const WIDTH: u32 = 800;
pub const HEIGHT: u32 = 450;

const FONT: &[u8] = include_bytes!("../../fixtures/fonts/DejaVuSans.ttf");
const FAMILY: &str = "sans-serif";

fn font_ready() -> Result<(), ExportError> {
    static READY: OnceLock<bool> = OnceLock::new();
    let ok = *READY.get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    ok.then_some(()).ok_or_else(|| ExportError::Chart("the embedded font could not be read".into()))
}

/// The plan's curve as PNG bytes; an error when the plan has no curve (nothing to plan).
pub fn png(response: &Response) -> Result<Vec<u8>, ExportError> {
    let curve = &response.plan.curve;
    if curve.len() < 2 {
        return Err(ExportError::NoCurve);
    }
    font_ready()?;
    let mut rgb = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    draw(response, &mut rgb).map_err(|e| ExportError::Chart(e.to_string()))?;
    encode(&rgb)
}

fn draw(response: &Response, rgb: &mut [u8]) -> Result<(), Box<dyn std::error::Error>> {
    let plan = &response.plan;
    let currency = plan.currency.as_str();
    let x_max = plan.curve.iter().map(|p| p.budget).fold(0.0, f64::max) * 1.05;
    let y_max = plan.curve.iter().map(|p| p.reach.high).fold(0.0, f64::max).max(1.0) * 1.1;
    let root = BitMapBackend::with_buffer(rgb, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption("People reached by budget", (FAMILY, 26))
        .margin(16)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .build_cartesian_2d(0f64..x_max, 0f64..y_max)?;
    chart
        .configure_mesh()
        .x_desc(format!("Budget ({currency})"))
        .y_desc("People reached")
        .x_label_formatter(&|x| compact(*x))
        .y_label_formatter(&|y| compact(*y))
        .label_style((FAMILY, 16))
        .axis_desc_style((FAMILY, 18))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    let band: Vec<(f64, f64)> = plan
        .curve
        .iter()
        .map(|p| (p.budget, p.reach.high))
        .chain(plan.curve.iter().rev().map(|p| (p.budget, p.reach.low)))
        .collect();
    let green = RGBColor(29, 185, 84);
    chart.draw_series(std::iter::once(Polygon::new(band, green.mix(0.18).filled())))?;
    chart
        .draw_series(LineSeries::new(plan.curve.iter().map(|p| (p.budget, p.reach.mid)), green.stroke_width(3)))?
        .label("reach (mid), band low–high")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], green.stroke_width(3)));
    let total = plan.budget.as_ref().map(|b| b.total);
    if let Some(here) = plan.curve.iter().find(|p| total.is_some_and(|t| (p.budget - t).abs() < 0.01 * t.max(1.0))) {
        let dark = RGBColor(25, 20, 20);
        chart
            .draw_series(std::iter::once(Circle::new((here.budget, here.reach.mid), 7, dark.filled())))?
            .label(format!("this plan: {} → {}", crate::present::money(here.budget, currency), compact(here.reach.mid)))
            .legend(move |(x, y)| Circle::new((x + 10, y), 6, dark.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .label_font((FAMILY, 16))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(200, 200, 200))
        .draw()?;
    root.present()?;
    Ok(())
}

fn encode(rgb: &[u8]) -> Result<Vec<u8>, ExportError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| ExportError::Chart(e.to_string()))?;
        writer.write_image_data(rgb).map_err(|e| ExportError::Chart(e.to_string()))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_png_of_the_curve_with_ink_where_the_curve_is() {
        let r = crate::export::tests::response();
        let bytes = png(&r).expect("png");
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes.as_slice()));
        let mut reader = decoder.read_info().expect("a valid png");
        let info = reader.info();
        assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
        let mut pixels = vec![0; reader.output_buffer_size().expect("size")];
        reader.next_frame(&mut pixels).expect("pixels");
        // The curve's green is drawn: a good share of pixels carry it.
        let green = pixels.chunks(3).filter(|p| p[1] > 150 && p[0] < 80 && p[2] < 120).count();
        assert!(green > 500, "{green} green pixels");
        // Text is drawn with the embedded font: dark pixels outside the curve.
        let dark = pixels.chunks(3).filter(|p| p[0] < 60 && p[1] < 60 && p[2] < 60).count();
        assert!(dark > 1_000, "{dark} dark pixels");
    }

    #[test]
    fn no_curve_is_an_error_not_an_empty_picture() {
        let mut r = crate::export::tests::response();
        r.plan.curve.clear();
        assert!(matches!(png(&r), Err(ExportError::NoCurve)));
    }
}
