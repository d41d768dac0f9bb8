//! The one number style every surface uses: money with a symbol or a code (never both), whole
//! units for budgets and cents only for unit costs, "73%", "3M", "Dec 23, 2026", collapsed
//! ranges, plurals.

use chrono::NaiveDate;

use super::labels::{currency_has_cents, currency_symbol};
use crate::plan::Range;

fn grouped(whole: u64) -> String {
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn with_currency(number: String, negative: bool, currency: &str) -> String {
    let sign = if negative { "-" } else { "" };
    match currency_symbol(currency) {
        Some(sym) => format!("{sign}{sym}{number}"),
        None if currency.is_empty() => format!("{sign}{number}"),
        None => format!("{currency} {sign}{number}"),
    }
}

/// A budget-sized amount in whole units: "€5,000", "$250", "SEK 80,000". Amounts under 10 that
/// are not whole keep their cents ("€2.50"), so nothing rounds to zero.
pub fn money(amount: f64, currency: &str) -> String {
    let a = amount.abs();
    if a < 10.0 && a.fract() > 0.004 {
        return unit_cost(amount, currency);
    }
    with_currency(grouped(a.round() as u64), amount < 0.0 && a.round() > 0.0, currency)
}

/// A unit cost with cents: "€6.95", "$0.42", "SEK 12.00".
pub fn unit_cost(amount: f64, currency: &str) -> String {
    if !currency_has_cents(currency) {
        return with_currency(grouped(amount.abs().round() as u64), amount < 0.0 && amount.abs() >= 0.5, currency);
    }
    let cents = (amount.abs() * 100.0).round() as u64;
    with_currency(format!("{}.{:02}", grouped(cents / 100), cents % 100), amount < 0.0 && cents > 0, currency)
}

/// "1.2M", "3M", "350k", "9.5k", "950".
pub fn compact(x: f64) -> String {
    let trim = |s: String| s.strip_suffix(".0").map(String::from).unwrap_or(s);
    match x.abs() {
        v if v >= 999_500_000.0 => trim(format!("{:.1}", x / 1e9)) + "B",
        v if v >= 999_500.0 => trim(format!("{:.1}", x / 1e6)) + "M",
        v if v >= 9_950.0 => format!("{:.0}k", x / 1e3),
        v if v >= 1_000.0 => trim(format!("{:.1}", x / 1e3)) + "k",
        _ => format!("{x:.0}"),
    }
}

/// "73%".
pub fn pct(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// Whole percentages that add up to exactly 100 (largest remainder), for shares that sum to 1.
pub fn shares(parts: &[f64]) -> Vec<u32> {
    let total: f64 = parts.iter().sum();
    if parts.is_empty() || total <= 0.0 {
        return vec![0; parts.len()];
    }
    let exact: Vec<f64> = parts.iter().map(|p| p / total * 100.0).collect();
    let mut out: Vec<u32> = exact.iter().map(|x| x.floor() as u32).collect();
    let missing = 100u32.saturating_sub(out.iter().sum());
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    for &i in order.iter().cycle().take(missing as usize) {
        out[i] += 1;
    }
    out
}

/// A low–high range of counts, collapsed when both ends read the same: "131k–420k", "20k".
pub fn range(r: &Range) -> String {
    let (lo, hi) = (compact(r.low), compact(r.high));
    if lo == hi {
        lo
    } else {
        format!("{lo}–{hi}")
    }
}

/// A figure with its range: "258k (131k–420k)", or "114k" when the range adds nothing.
pub fn with_range(mid: f64, r: &Range) -> String {
    let (m, rg) = (compact(mid), range(r));
    if m == rg {
        m
    } else {
        format!("{m} ({rg})")
    }
}

/// A range of unit costs: "€0.38–€0.51", collapsed when equal.
pub fn cost_range(r: &Range, currency: &str) -> String {
    let (lo, hi) = (unit_cost(r.low, currency), unit_cost(r.high, currency));
    if lo == hi {
        lo
    } else {
        format!("{lo}–{hi}")
    }
}

/// "Dec 23, 2026".
pub fn date(d: NaiveDate) -> String {
    d.format("%b %-d, %Y").to_string()
}

/// "Nov 24 – Dec 23" within one year, "Dec 1, 2026 – Jan 30, 2027" across years.
pub fn date_span(start: NaiveDate, end: NaiveDate) -> String {
    use chrono::Datelike;
    if start.year() == end.year() {
        format!("{} – {}", start.format("%b %-d"), end.format("%b %-d"))
    } else {
        format!("{} – {}", date(start), date(end))
    }
}

/// "1 day", "30 days", "1 ad set", "3 ad sets" (nouns that take an "s").
pub fn plural(n: impl Into<i64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// "2.8" (one decimal) for a frequency.
pub fn freq(x: f64) -> String {
    format!("{x:.1}")
}

/// Writes `x` with two decimals, exactly as `{:.2}` does ("1.07"), but from its hundredths in
/// integers: the general fixed-precision formatting is hundreds of instructions, and every ad
/// set's evidence line writes a few price factors. Only where `x · 100` is within a hair of a
/// half (where its rounding could cross the tie) or out of range is the general one used.
pub fn two_decimals(out: &mut String, x: f64) {
    use std::fmt::Write as _;
    let hundredths = x * 100.0;
    let clear_of_tie = (hundredths.fract() - 0.5).abs() > 1e-6;
    if x.is_sign_positive() && hundredths < 1e9 && clear_of_tie {
        let h = hundredths.round() as u64;
        let _ = write!(out, "{}.{:02}", h / 100, h % 100);
    } else {
        let _ = write!(out, "{x:.2}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_whole_and_symbol_or_code() {
        assert_eq!(money(5000.0, "EUR"), "€5,000");
        assert_eq!(money(666.67, "EUR"), "€667");
        assert_eq!(money(1_200_000.0, "USD"), "$1,200,000");
        assert_eq!(money(250.0, "SEK"), "SEK 250");
        assert_eq!(money(2.5, "GBP"), "£2.50");
        assert_eq!(money(-40.0, "EUR"), "-€40");
        assert_eq!(unit_cost(6.954, "EUR"), "€6.95");
        assert_eq!(unit_cost(0.4, "CHF"), "CHF 0.40");
        assert_eq!(unit_cost(1234.5, "USD"), "$1,234.50");
        assert_eq!(unit_cost(750.71, "JPY"), "¥751");
    }

    #[test]
    fn two_decimals_are_those_of_the_general_formatting() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut values =
            vec![0.0, -0.0, 0.005, 0.015, 1.005, 1.125, 2.675, 0.994999, 0.995, 9.995, 99.995, 1e7 - 0.005];
        values.extend([-1.005, -0.001, 1e9, 1e12 + 0.5, f64::NAN, f64::INFINITY, f64::MIN_POSITIVE]);
        for _ in 0..200_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let unit = (x >> 11) as f64 / (1u64 << 53) as f64;
            // Factors near 1, whole hundredths and half-hundredths, and wide magnitudes.
            values.push(0.3 + 2.4 * unit);
            values.push(((x >> 40) % 100_000) as f64 / 100.0 + 0.005);
            values.push(unit * 10f64.powi((x % 12) as i32));
        }
        for v in values {
            let mut ours = String::new();
            two_decimals(&mut ours, v);
            assert_eq!(ours, format!("{v:.2}"), "{v:e}");
        }
    }

    #[test]
    fn compact_drops_a_trailing_zero() {
        assert_eq!(compact(3_000_000.0), "3M");
        assert_eq!(compact(1_234_567.0), "1.2M");
        assert_eq!(compact(999_999.0), "1M");
        assert_eq!(compact(350_400.0), "350k");
        assert_eq!(compact(9_500.0), "9.5k");
        assert_eq!(compact(2_000.0), "2k");
        assert_eq!(compact(950.0), "950");
    }

    #[test]
    fn shares_sum_to_one_hundred() {
        assert_eq!(shares(&[0.7333, 0.1333, 0.1333]), vec![74, 13, 13]);
        assert_eq!(shares(&[1.0, 1.0, 1.0]).iter().sum::<u32>(), 100);
        assert_eq!(shares(&[0.5, 0.5]), vec![50, 50]);
        assert_eq!(shares(&[]), Vec::<u32>::new());
        assert_eq!(shares(&[0.0, 0.0]), vec![0, 0]);
        assert_eq!(pct(0.73), "73%");
    }

    #[test]
    fn ranges_dates_and_plurals() {
        assert_eq!(range(&Range { low: 20_000.0, mid: 20_000.0, high: 20_010.0 }), "20k");
        assert_eq!(range(&Range { low: 131_000.0, mid: 258_000.0, high: 420_000.0 }), "131k–420k");
        assert_eq!(with_range(114_000.0, &Range { low: 114_000.0, mid: 114_000.0, high: 114_200.0 }), "114k");
        assert_eq!(with_range(2.0e5, &Range { low: 1.0e5, mid: 2.0e5, high: 3.0e5 }), "200k (100k–300k)");
        assert_eq!(cost_range(&Range { low: 0.5, mid: 0.5, high: 0.5 }, "USD"), "$0.50");
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(date(d(12, 23)), "Dec 23, 2026");
        assert_eq!(date_span(d(11, 24), d(12, 23)), "Nov 24 – Dec 23");
        let next = NaiveDate::from_ymd_opt(2027, 1, 30).unwrap();
        assert_eq!(date_span(d(12, 1), next), "Dec 1, 2026 – Jan 30, 2027");
        assert_eq!(plural(1, "day"), "1 day");
        assert_eq!(plural(30, "day"), "30 days");
        assert_eq!(plural(0, "ad set"), "0 ad sets");
    }
}
