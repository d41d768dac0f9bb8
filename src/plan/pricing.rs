//! Prices that move: the learned multipliers (`learn::Prices`) applied to a segment's CPM for
//! what the segment does not already hold — the flight's months always (no segment keys on
//! time), targeting when the lookup dropped it, gender when it dropped gender, a single platform,
//! a city or region, and the market's own price level when the lookup fell back to its region or
//! the world. Each applied multiplier is returned with its evidence for the ad set's evidence line.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};

use super::history::GenderKey;
use super::index::{Level, Quartiles};
use super::learn::{Multiplier, Prices, MONTHS};
use super::PriceFactor;
use crate::brief::Platform;

/// Longest flight whose days are counted month by month (longer ones are weighed as this).
const MAX_COUNTED_DAYS: i64 = 366;

/// Days of a flight in each month (Jan..Dec).
pub fn month_days(start: NaiveDate, days: i64) -> [f64; 12] {
    let mut out = [0.0; 12];
    let mut d = start;
    for _ in 0..days.clamp(1, MAX_COUNTED_DAYS) {
        out[d.month0() as usize] += 1.0;
        match d.succ_opt() {
            Some(next) => d = next,
            None => break,
        }
    }
    out
}

/// What is priced.
#[derive(Debug, Clone)]
pub struct PriceQuery<'a> {
    /// The level the segment was found at.
    pub level: Level,
    pub month_days: [f64; 12],
    pub targeted: bool,
    pub gender: GenderKey,
    /// The ad set's one platform, if it targets exactly one.
    pub platform: Option<Platform>,
    pub local: bool,
    pub country: &'a str,
    pub country_geo: u16,
}

fn factor(name: impl Into<Cow<'static, str>>, m: &Multiplier) -> PriceFactor {
    PriceFactor { name: name.into(), factor: m.factor, ad_sets: m.ad_sets, advertisers: m.advertisers }
}

/// The multipliers that apply to a query.
pub fn factors(prices: &Prices, q: &PriceQuery) -> Vec<PriceFactor> {
    let mut out = Vec::new();
    // Season: each month of the flight weighed by its days.
    let first = (0..12).find(|&m| q.month_days[m] > 0.0 && q.month_days[(m + 11) % 12] == 0.0).unwrap_or(0);
    let months: Vec<(usize, f64, &Multiplier)> = (0..12)
        .map(|k| (first + k) % 12)
        .filter(|&m| q.month_days[m] > 0.0)
        .filter_map(|m| prices.month[m].as_ref().map(|x| (m, q.month_days[m], x)))
        .collect();
    let days: f64 = months.iter().map(|(_, d, _)| d).sum();
    if days > 0.0 {
        let f = months.iter().map(|(_, d, x)| d * x.factor).sum::<f64>() / days;
        let name = match months.as_slice() {
            [(m, _, _)] => Cow::Borrowed(MONTHS[*m]),
            _ => Cow::Owned(format!(
                "flight months ({})",
                months.iter().map(|(m, _, _)| &MONTHS[*m][..3]).collect::<Vec<_>>().join(", ")
            )),
        };
        out.push(PriceFactor {
            name,
            factor: f,
            ad_sets: months.iter().map(|(_, _, x)| x.ad_sets).sum(),
            advertisers: months.iter().map(|(_, _, x)| x.advertisers).min().unwrap_or(0),
        });
    }
    if q.level != Level::Targeted {
        if let Some(m) = &prices.targeting[q.targeted as usize] {
            out.push(factor(if q.targeted { "interest, genre or moment targeting" } else { "broad targeting" }, m));
        }
    }
    if q.level >= Level::Market {
        if let Some(m) = &prices.gender[q.gender as usize] {
            let name = match q.gender {
                GenderKey::All => "all genders",
                GenderKey::Female => "women only",
                GenderKey::Male => "men only",
                GenderKey::NonBinary => "non-binary only",
            };
            out.push(factor(name, m));
        }
    }
    if let Some(p) = q.platform {
        if let Some(m) = &prices.platform[p as usize] {
            let name = match p {
                Platform::Ios => "iOS only",
                Platform::Android => "Android only",
                Platform::Desktop => "desktop only",
            };
            out.push(factor(name, m));
        }
    }
    if q.local {
        if let Some(m) = &prices.local {
            out.push(factor("city or region", m));
        }
    }
    let market = match q.level {
        Level::Region => prices.market_vs_region.get(&q.country_geo).map(|m| (m, "its region")),
        Level::Global => prices.market_vs_global.get(&q.country_geo).map(|m| (m, "all markets")),
        _ => None,
    };
    if let Some((m, against)) = market {
        out.push(factor(format!("{} prices vs {against}", q.country), m));
    }
    out
}

/// The product of the multipliers.
pub fn product(factors: &[PriceFactor]) -> f64 {
    factors.iter().map(|f| f.factor).product()
}

/// Quartiles scaled by a multiplier.
pub fn scaled(q: &Quartiles, by: f64) -> Quartiles {
    Quartiles { p25: q.p25 * by, p50: q.p50 * by, p75: q.p75 * by }
}

/// Appends the evidence line of the multipliers to `out`: "December ×1.36 from 412 ad sets; …".
pub fn describe_into(out: &mut String, factors: &[PriceFactor]) {
    use std::fmt::Write as _;
    out.reserve(48 * factors.len());
    for (i, f) in factors.iter().enumerate() {
        out.push_str(if i == 0 { "" } else { "; " });
        out.push_str(&f.name);
        out.push_str(" ×");
        crate::present::format::two_decimals(out, f.factor);
        let _ = write!(out, " from {} ad sets", f.ad_sets);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flight_weighs_each_month_by_its_days() {
        let d = month_days(NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(), 20);
        assert_eq!((d[10], d[11]), (10.0, 10.0));
        let mut prices = Prices::default();
        let m = |f| Some(Multiplier { factor: f, ad_sets: 100, advertisers: 10 });
        prices.month[10] = m(1.2);
        prices.month[11] = m(1.4);
        let q = PriceQuery {
            level: Level::Targeted,
            month_days: d,
            targeted: true,
            gender: GenderKey::All,
            platform: None,
            local: false,
            country: "DE",
            country_geo: 0,
        };
        let f = factors(&prices, &q);
        assert_eq!(f.len(), 1);
        assert!((f[0].factor - 1.3).abs() < 1e-9);
        let mut line = String::new();
        describe_into(&mut line, &f);
        assert!(line.starts_with("flight months (Nov, Dec) ×1.30 from 200 ad sets"), "{line}");
    }
}
