//! What the index learns from the history beyond segment quantiles: price multipliers for what
//! the segments do not key on, and the shape of the reach curve.
//!
//! **Prices.** Each ad set's CPM is divided by the median CPM of its market segment (same
//! objective, format, placement and country), which takes out the market and the format. The
//! median of those ratios over a group, divided by the median over all ad sets, is the group's
//! multiplier: month of the flight (by its middle day), targeting (interests/genres/contexts or
//! none), gender, a single platform, a city or region. The same ratio against the region's (or
//! the world's) segment gives each market's own price level, used when a query backs off past
//! its market. A multiplier is only learned from ≥ [`MIN_EVIDENCE`] ad sets of ≥ 5 advertisers.
//!
//! **Reach shape.** For each ad set with an audience (from `audience` and the markets table)
//! the shape φ that puts its reach and impressions on the curve of `reach::Curve` is solved;
//! the median per format × placement × flight-length bucket is the fitted shape, made
//! non-increasing with flight length so that a longer flight never reaches fewer people.

use chrono::Datelike;

use super::audience::{self, Targeting};
use super::fastmap::FastMap;
use super::history::{GenderKey, Row};
use super::index::{geo, Quartiles, PRIVACY_MIN_ADVERTISERS};
use super::reach::{self, DEFAULT_SHAPE};
use crate::brief::{Format, Gender, Placement};
use crate::markets::Market;

/// Ad sets a multiplier or a shape needs before it is used. Configuration.
pub const MIN_EVIDENCE: u32 = 30;
/// Upper day of each flight-length bucket of the reach shape (the last is open).
pub const FLIGHT_BUCKETS: [i64; 5] = [10, 24, 38, 66, i64::MAX];
/// Month names, for evidence lines.
pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The flight-length bucket of a flight.
pub fn bucket(days: i64) -> usize {
    FLIGHT_BUCKETS.iter().position(|&d| days <= d).unwrap_or(FLIGHT_BUCKETS.len() - 1)
}

/// What is kept of a history row for learning (the rows themselves are not kept).
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub advertiser: u32,
    pub objective: crate::brief::Objective,
    pub cpm: f32,
    pub month: u8,
    pub targeted: bool,
    pub gender: GenderKey,
    pub platforms: u8,
    pub local: bool,
    pub country: u16,
    pub format: Format,
    pub placement: Placement,
    pub bucket: u8,
    /// The fitted reach shape of this ad set; NaN when it has none.
    pub shape: f32,
}

/// Audience-model targeting of a history row.
fn row_targeting(r: &Row) -> Targeting<'static> {
    let mut lists = [0usize; 3];
    for &t in &r.targeting {
        lists[audience::list_of(t)] += 1;
    }
    let genders: &[Gender] = match r.gender {
        GenderKey::All => &[],
        GenderKey::Female => &[Gender::Female],
        GenderKey::Male => &[Gender::Male],
        GenderKey::NonBinary => &[Gender::NonBinary],
    };
    Targeting {
        age_min: Some(r.age_min),
        age_max: r.age_max,
        genders,
        lists,
        platforms: r.platforms,
        placement: Some(r.placement),
        local_share: if r.local { audience::CITY_SHARE } else { 1.0 },
        ..Targeting::default()
    }
}

/// The reach shape φ that puts a row's reach and impressions on the curve (NaN when it cannot).
fn row_shape(r: &Row, market: Option<&Market>) -> f32 {
    let Some(m) = market else { return f32::NAN };
    let people = audience::people(m, &row_targeting(r));
    let c = reach::Curve::new(people, r.days(), 1.0).ceiling;
    let (imp, got) = (r.impressions as f64, r.reach as f64);
    if c <= 0.0 || got <= 0.0 || got >= c {
        return f32::NAN;
    }
    let x = -(-(got / c)).ln_1p();
    (imp / (c * x)).max(1.0) as f32
}

/// The facts of a row with measures.
pub fn facts(r: &Row, cpm: f32, markets: &FastMap<[u8; 2], Market>) -> Facts {
    let middle = r.start + chrono::Duration::days(r.days() / 2);
    Facts {
        advertiser: r.advertiser,
        objective: r.objective,
        cpm,
        month: middle.month0() as u8,
        targeted: !r.targeting.is_empty(),
        gender: r.gender,
        platforms: r.platforms,
        local: r.local,
        country: geo(&r.country),
        format: r.format,
        placement: r.placement,
        bucket: bucket(r.days()) as u8,
        shape: row_shape(r, markets.get(&r.country)),
    }
}

/// A learned multiplier and its evidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Multiplier {
    pub factor: f64,
    pub ad_sets: u32,
    pub advertisers: u32,
}

/// A group of ratios while learning.
#[derive(Default)]
struct Group {
    values: Vec<f64>,
    advertisers: Vec<u32>,
}

impl Group {
    fn push(&mut self, v: f64, advertiser: u32) {
        self.values.push(v);
        self.advertisers.push(advertiser);
    }

    /// The median and its evidence, when there is enough of it.
    fn median(&mut self) -> Option<Multiplier> {
        self.advertisers.sort_unstable();
        self.advertisers.dedup();
        let (n, a) = (self.values.len() as u32, self.advertisers.len() as u32);
        if n < MIN_EVIDENCE || a < PRIVACY_MIN_ADVERTISERS {
            return None;
        }
        let m = Quartiles::of(&mut self.values).p50;
        (m.is_finite() && m > 0.0).then_some(Multiplier { factor: m, ad_sets: n, advertisers: a })
    }
}

/// Price multipliers learned from the history.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prices {
    pub month: [Option<Multiplier>; 12],
    /// Broad (index 0) and targeted (1) ad sets.
    pub targeting: [Option<Multiplier>; 2],
    /// By `GenderKey` (ALL, FEMALE, MALE, NON_BINARY).
    pub gender: [Option<Multiplier>; 4],
    /// One platform (IOS, ANDROID, DESKTOP).
    pub platform: [Option<Multiplier>; 3],
    /// A city or region.
    pub local: Option<Multiplier>,
    /// A market's price level against its world region's segments.
    pub market_vs_region: FastMap<u16, Multiplier>,
    /// A market's price level against the global segments.
    pub market_vs_global: FastMap<u16, Multiplier>,
}

/// References of a row: the median CPM of its market, region and global segments.
pub type References = [f64; 3];

impl Prices {
    /// Learns the multipliers from rows' facts and their segments' median CPMs.
    pub fn learn(facts: &[Facts], refs: &[References]) -> Prices {
        let mut all = Group::default();
        let mut month: [Group; 12] = Default::default();
        let mut targeting: [Group; 2] = Default::default();
        let mut gender: [Group; 4] = Default::default();
        let mut platform: [Group; 3] = Default::default();
        let mut local = Group::default();
        let mut vs_region: FastMap<u16, Group> = FastMap::default();
        let mut vs_global: FastMap<u16, Group> = FastMap::default();
        for (f, r) in facts.iter().zip(refs) {
            let cpm = f.cpm as f64;
            if r[0] > 0.0 {
                let ratio = cpm / r[0];
                all.push(ratio, f.advertiser);
                month[f.month as usize % 12].push(ratio, f.advertiser);
                targeting[f.targeted as usize].push(ratio, f.advertiser);
                gender[f.gender as usize].push(ratio, f.advertiser);
                if let Some(b) = (0..3).find(|b| f.platforms == 1 << b) {
                    platform[b].push(ratio, f.advertiser);
                }
                if f.local {
                    local.push(ratio, f.advertiser);
                }
            }
            if r[1] > 0.0 {
                vs_region.entry(f.country).or_default().push(cpm / r[1], f.advertiser);
            }
            if r[2] > 0.0 {
                vs_global.entry(f.country).or_default().push(cpm / r[2], f.advertiser);
            }
        }
        let Some(base) = all.median() else { return Prices::default() };
        let rel = |g: &mut Group| g.median().map(|m| Multiplier { factor: m.factor / base.factor, ..m });
        let levels = |map: FastMap<u16, Group>| {
            map.into_iter().filter_map(|(k, mut g)| g.median().map(|m| (k, m))).collect::<FastMap<_, _>>()
        };
        Prices {
            month: month.each_mut().map(rel),
            targeting: targeting.each_mut().map(rel),
            gender: gender.each_mut().map(rel),
            platform: platform.each_mut().map(rel),
            local: rel(&mut local),
            market_vs_region: levels(vs_region),
            market_vs_global: levels(vs_global),
        }
    }
}

/// Reach shapes fitted per format × placement × flight-length bucket.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReachShapes {
    shapes: FastMap<(Format, Placement), [f64; 5]>,
}

impl ReachShapes {
    /// Fits the shapes from rows' facts.
    pub fn fit(facts: &[Facts]) -> ReachShapes {
        let mut groups: FastMap<(Format, Placement), [Group; 5]> = FastMap::default();
        for f in facts.iter().filter(|f| f.shape.is_finite()) {
            groups.entry((f.format, f.placement)).or_default()[f.bucket as usize % 5]
                .push(f.shape as f64, f.advertiser);
        }
        let mut shapes = FastMap::default();
        for (key, mut buckets) in groups {
            let fitted: Vec<Option<f64>> = buckets.iter_mut().map(|g| g.median().map(|m| m.factor)).collect();
            let Some(first) = fitted.iter().flatten().next().copied() else { continue };
            // A bucket without evidence takes its shorter neighbour's shape; a longer flight
            // never gets a larger shape (it would reach fewer people with the same impressions).
            let mut out = [first; 5];
            let mut last = first;
            for (i, s) in fitted.iter().enumerate() {
                last = s.unwrap_or(last).min(last);
                out[i] = last;
            }
            shapes.insert(key, out);
        }
        ReachShapes { shapes }
    }

    /// The shape for an ad set of this format and placement over `days`.
    pub fn shape(&self, format: Format, placement: Placement, days: i64) -> f64 {
        self.shapes.get(&(format, placement)).map_or(DEFAULT_SHAPE, |s| s[bucket(days)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brief::Objective;

    fn fact(i: u32, month: u8, targeted: bool, bucket: u8, shape: f32, cpm: f32) -> Facts {
        Facts {
            advertiser: i % 7,
            objective: Objective::Reach,
            cpm,
            month,
            targeted,
            gender: GenderKey::All,
            platforms: 0,
            local: false,
            country: geo(b"DE"),
            format: Format::Audio,
            placement: Placement::Music,
            bucket,
            shape,
        }
    }

    #[test]
    fn multipliers_are_medians_relative_to_all_with_evidence() {
        let mut facts = Vec::new();
        for i in 0..600u32 {
            let month = (i % 12) as u8;
            let targeted = i % 3 == 0;
            let cpm = 10.0 * if month == 11 { 1.4 } else { 1.0 } * if targeted { 1.3 } else { 1.0 };
            facts.push(fact(i, month, targeted, 0, f32::NAN, cpm as f32));
        }
        let refs = vec![[10.0, 10.0, 10.0]; facts.len()];
        let p = Prices::learn(&facts, &refs);
        let dec = p.month[11].expect("December has evidence").factor;
        let jun = p.month[5].expect("June has evidence").factor;
        assert!((dec / jun - 1.4).abs() < 0.15, "December / June {dec} / {jun}");
        let t = p.targeting[1].unwrap().factor / p.targeting[0].unwrap().factor;
        assert!((t - 1.3).abs() < 0.05, "targeted / broad {t}");
        assert!(p.local.is_none(), "no city rows: no multiplier");
        let few: Vec<Facts> = facts.iter().take(20).copied().collect();
        assert_eq!(Prices::learn(&few, &refs[..20]), Prices::default(), "too little evidence");
    }

    #[test]
    fn fitted_shapes_never_grow_with_the_flight() {
        let mut facts = Vec::new();
        for (bucket, shape) in [(0u8, 1.6f32), (1, 1.4), (2, 1.5), (4, 1.2)] {
            for i in 0..40 {
                facts.push(fact(i, 0, false, bucket, shape, 10.0));
            }
        }
        let s = ReachShapes::fit(&facts);
        let by_days: Vec<f64> =
            [7, 14, 30, 60, 90].iter().map(|&d| s.shape(Format::Audio, Placement::Music, d)).collect();
        assert_eq!(by_days, vec![1.6f32 as f64, 1.4f32 as f64, 1.4f32 as f64, 1.4f32 as f64, 1.2f32 as f64]);
        assert_eq!(s.shape(Format::Video, Placement::Podcast, 30), DEFAULT_SHAPE);
    }
}
