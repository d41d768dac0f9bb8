//! The in-memory index of historical performance: rows pre-aggregated at load into segments, so
//! a plan only looks up a handful of summaries and never scans rows.
//!
//! A segment is one objective × format × placement at one level of specificity (docs/brief.md §4 backoff):
//! `Targeted` (country, age band, gender, one interest/genre/context) → `Audience` (drop the
//! targeting) → `AllAges` (widen age) → `Market` (drop gender) → `Region` (market → world region)
//! → `Global`. Each segment holds its evidence (ad sets, distinct advertisers) and the quartiles
//! of CPM, CTR, KPI per impression, delivery rate and frequency. Segments backed by fewer than
//! [`PRIVACY_MIN_ADVERTISERS`] advertisers are never returned: no figure is derived from them.

use std::sync::OnceLock;

use super::fastmap::FastMap;
use super::history::{GenderKey, Row};
use super::learn::{self, Facts, Prices, ReachShapes, References};
use crate::brief::{Format, Objective, Placement};
use crate::markets::{Market, Markets};
use crate::understand::lexicon::tsv_rows;

const WORLD_REGIONS: &str = include_str!("../../fixtures/taxonomy/world_regions.tsv");

/// Evidence a segment needs before the planner trusts it (docs/brief.md §4 default). Configuration.
pub const MIN_AD_SETS: u32 = 30;
/// No figure is ever derived from fewer advertisers (docs/brief.md §4 privacy). Configuration.
pub const PRIVACY_MIN_ADVERTISERS: u32 = 5;
/// A campaign that spent at least this share of its budget counts as successful.
pub const SUCCESSFUL_DELIVERY: f64 = 0.9;

/// Levels of specificity, most specific first. In the plan's JSON (`evidence.level`) they are
/// `targeted`, `audience`, `all_ages`, `market`, `region`, `global`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Targeted,
    Audience,
    AllAges,
    Market,
    Region,
    #[default]
    Global,
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Level {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Level {
    /// The name in the plan's JSON (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Targeted => "targeted",
            Level::Audience => "audience",
            Level::AllAges => "all_ages",
            Level::Market => "market",
            Level::Region => "region",
            Level::Global => "global",
        }
    }

    /// The levels in backoff order.
    pub const ALL: [Level; 6] =
        [Level::Targeted, Level::Audience, Level::AllAges, Level::Market, Level::Region, Level::Global];

    /// How the evidence was found, for the plan's `evidence.method`.
    pub fn method(self) -> &'static str {
        match self {
            Level::Targeted => "historical: same market, ages, gender and targeting",
            Level::Audience => "historical: same market, ages and gender (backoff: dropped interests)",
            Level::AllAges => "historical: same market and gender (backoff: dropped interests, widened age)",
            Level::Market => "historical: same market (backoff: dropped interests, widened age, dropped gender)",
            Level::Region => "historical: same world region (backoff: market → region)",
            Level::Global => "historical: all markets (backoff: region → global)",
        }
    }
}

/// Age bands a range is classed into: 18–24, 25–34, 35–44, 45–54, 55+, and broad.
pub const AGE_BANDS: [(u8, u8); 5] = [(18, 24), (25, 34), (35, 44), (45, 54), (55, 99)];
/// The band number of a broad range (spanning more than 20 years).
pub const BROAD: u8 = 5;

/// The band of an age range: the band holding its midpoint, or [`BROAD`].
pub fn age_band(min: Option<u8>, max: Option<u8>) -> u8 {
    let lo = min.unwrap_or(18).max(18);
    let hi = max.unwrap_or(65).min(99);
    if hi < lo || hi - lo > 20 {
        return BROAD;
    }
    let mid = (lo as u16 + hi as u16) / 2;
    AGE_BANDS.iter().position(|&(a, b)| (a as u16..=b as u16).contains(&mid)).map_or(BROAD, |i| i as u8)
}

/// Country code as a number.
pub fn geo(country: &[u8; 2]) -> u16 {
    (country[0] as u16) << 8 | country[1] as u16
}

fn regions() -> &'static FastMap<u16, u16> {
    static R: OnceLock<FastMap<u16, u16>> = OnceLock::new();
    R.get_or_init(|| {
        let mut names: Vec<String> = Vec::new();
        let mut map = FastMap::default();
        for row in tsv_rows(WORLD_REGIONS) {
            let (Some(c), Some(r)) = (row.first(), row.get(1)) else { continue };
            let bytes = c.as_bytes();
            if bytes.len() != 2 {
                continue;
            }
            let id = match names.iter().position(|n| n == r) {
                Some(i) => i,
                None => {
                    names.push(r.to_string());
                    names.len() - 1
                }
            };
            map.insert(geo(&[bytes[0], bytes[1]]), id as u16 + 1);
        }
        map
    })
}

/// World region of a country (0 = none).
pub fn region_of(country: &[u8; 2]) -> u16 {
    regions().get(&geo(country)).copied().unwrap_or(0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    level: Level,
    objective: Objective,
    format: Format,
    placement: Placement,
    geo: u16,
    age: u8,
    gender: GenderKey,
    target: u16,
}

impl Key {
    /// The global segment of a combination; narrower keys override its fields.
    fn global(objective: Objective, format: Format, placement: Placement) -> Key {
        Key {
            level: Level::Global,
            objective,
            format,
            placement,
            geo: 0,
            age: BROAD,
            gender: GenderKey::All,
            target: u16::MAX,
        }
    }
}

/// Lower quartile, median, upper quartile.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Quartiles {
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
}

impl Quartiles {
    /// Quartiles of a sample (exact order statistics: the median of an even count is the mean
    /// of the two middle values). Empty → all zero.
    pub fn of(values: &mut [f64]) -> Quartiles {
        let n = values.len();
        if n == 0 {
            return Quartiles::default();
        }
        // Order statistics by selection (linear time), identical to sorting and interpolating:
        // the k-th smallest is selected, the (k+1)-th is the minimum of what lies above it.
        let mut kth = |k: usize| -> (f64, f64) {
            let (_, x, above) = values.select_nth_unstable_by(k, f64::total_cmp);
            (*x, above.iter().copied().fold(f64::INFINITY, f64::min))
        };
        let mut q = |p: f64| {
            let pos = p * (n - 1) as f64;
            let (lo, frac) = (pos.floor() as usize, pos - pos.floor());
            let (x, next) = kth(lo);
            if frac == 0.0 || !next.is_finite() {
                x
            } else {
                x + (next - x) * frac
            }
        };
        Quartiles { p25: q(0.25), p50: q(0.5), p75: q(0.75) }
    }
}

/// The summary of one segment of history.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Segment {
    pub ad_sets: u32,
    pub advertisers: u32,
    /// USD per 1,000 impressions.
    pub cpm_usd: Quartiles,
    /// Clicks per impression.
    pub ctr: Quartiles,
    /// The objective's KPI per impression.
    pub kpi_rate: Quartiles,
    /// Spend / budget.
    pub delivery: Quartiles,
    /// Impressions / reach per week of flight.
    pub weekly_frequency: Quartiles,
}

/// What similar successful campaigns spent and ran (docs/brief.md §4 recommendations).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CampaignNorms {
    pub campaigns: u32,
    pub advertisers: u32,
    pub budget_usd: f64,
    pub days: i64,
}

/// The pre-aggregated history.
#[derive(Debug, Default)]
pub struct Index {
    segments: FastMap<Key, Segment>,
    norms: FastMap<(Objective, u16), CampaignNorms>,
    rows: usize,
    prices: Prices,
    shapes: ReachShapes,
}

/// What the planner asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Query<'q> {
    pub objective: Objective,
    pub format: Format,
    pub placement: Placement,
    pub country: [u8; 2],
    pub age_band: u8,
    pub gender: GenderKey,
    /// Interest/genre/context ids (see `history::targeting_id`).
    pub targeting: &'q [u16],
}

/// A segment found for a query, and at which level.
#[derive(Debug, Clone, Copy)]
pub struct Found<'a> {
    pub level: Level,
    pub segment: &'a Segment,
}

/// Per-row measures used in segments: CPM (USD), CTR, KPI per impression, delivery rate, weekly
/// frequency. f32 keeps a million rows in 20 MB.
type Measures = [f32; 5];

fn measures(r: &Row) -> Option<Measures> {
    if r.impressions == 0 || r.reach == 0 || r.budget_usd <= 0.0 {
        return None;
    }
    let imp = r.impressions as f64;
    let weeks = (r.days() as f64 / 7.0).max(1.0);
    Some([
        (r.spend_usd / imp * 1000.0) as f32,
        (r.clicks as f64 / imp) as f32,
        (r.kpi(r.objective) as f64 / imp) as f32,
        (r.spend_usd / r.budget_usd) as f32,
        (imp / r.reach as f64 / weeks) as f32,
    ])
}

fn keys(r: &Row, out: &mut Vec<Key>) {
    let country = geo(&r.country);
    let base = Key::global(r.objective, r.format, r.placement);
    let band = age_band(Some(r.age_min), r.age_max);
    out.clear();
    for &t in &r.targeting {
        out.push(Key { level: Level::Targeted, geo: country, age: band, gender: r.gender, target: t, ..base });
    }
    out.push(Key { level: Level::Audience, geo: country, age: band, gender: r.gender, ..base });
    out.push(Key { level: Level::AllAges, geo: country, gender: r.gender, ..base });
    out.push(Key { level: Level::Market, geo: country, ..base });
    let region = region_of(&r.country);
    if region != 0 {
        out.push(Key { level: Level::Region, geo: region, ..base });
    }
    out.push(base);
}

/// A campaign's totals while the index is built.
struct Campaign {
    objective: Objective,
    country: u16,
    advertiser: u32,
    budget: f64,
    spend: f64,
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
}

/// Builds an [`Index`] one row at a time, so a million rows never sit in memory at once.
pub struct IndexBuilder {
    groups: FastMap<Key, Vec<u32>>,
    measures: Vec<(Measures, u32)>,
    facts: Vec<Facts>,
    campaigns: FastMap<u32, Campaign>,
    keys: Vec<Key>,
    rows: usize,
    /// The markets audiences are computed in (to fit the reach curve).
    markets: FastMap<[u8; 2], Market>,
}

impl Default for IndexBuilder {
    /// A builder over the embedded markets table.
    fn default() -> Self {
        IndexBuilder::new(Markets::embedded())
    }
}

impl IndexBuilder {
    /// A builder whose reach fit uses the audiences of `markets`.
    pub fn new(markets: &Markets) -> IndexBuilder {
        let markets = markets
            .all()
            .iter()
            .filter_map(|m| <[u8; 2]>::try_from(m.country.as_bytes()).ok().map(|c| (c, m.clone())))
            .collect();
        IndexBuilder {
            groups: FastMap::default(),
            measures: Vec::new(),
            facts: Vec::new(),
            campaigns: FastMap::default(),
            keys: Vec::new(),
            rows: 0,
            markets,
        }
    }

    /// Adds one validated row.
    pub fn add(&mut self, r: &Row) {
        self.rows += 1;
        let c = self.campaigns.entry(r.campaign).or_insert(Campaign {
            objective: r.objective,
            country: geo(&r.country),
            advertiser: r.advertiser,
            budget: 0.0,
            spend: 0.0,
            start: r.start,
            end: r.end,
        });
        c.budget += r.budget_usd;
        c.spend += r.spend_usd;
        c.start = c.start.min(r.start);
        c.end = c.end.max(r.end);
        let Some(m) = measures(r) else { return };
        let i = self.measures.len() as u32;
        self.measures.push((m, r.advertiser));
        self.facts.push(learn::facts(r, m[0], &self.markets));
        keys(r, &mut self.keys);
        for k in &self.keys {
            self.groups.entry(*k).or_default().push(i);
        }
    }

    /// Summarises every segment.
    pub fn finish(self) -> Index {
        let groups: Vec<(Key, Vec<u32>)> = self.groups.into_iter().collect();
        let segments = summarise_parallel(&groups, &self.measures);
        let norms = campaign_norms(self.campaigns.into_values());
        let refs: Vec<References> = self.facts.iter().map(|f| references(&segments, f)).collect();
        let prices = Prices::learn(&self.facts, &refs);
        let shapes = ReachShapes::fit(&self.facts);
        Index { segments, norms, rows: self.rows, prices, shapes }
    }
}

/// The median CPMs of a row's market, region and global segments (0 where there is none).
fn references(segments: &FastMap<Key, Segment>, f: &Facts) -> References {
    let base = Key::global(f.objective, f.format, f.placement);
    let country = [(f.country >> 8) as u8, f.country as u8];
    let region = region_of(&country);
    let p50 = |k: Key| segments.get(&k).map_or(0.0, |s| s.cpm_usd.p50);
    [
        p50(Key { level: Level::Market, geo: f.country, ..base }),
        if region == 0 { 0.0 } else { p50(Key { level: Level::Region, geo: region, ..base }) },
        p50(base),
    ]
}

impl Index {
    /// Price multipliers learned from the history.
    pub fn prices(&self) -> &Prices {
        &self.prices
    }

    /// Reach-curve shapes fitted from the history.
    pub fn shapes(&self) -> &ReachShapes {
        &self.shapes
    }

    /// Aggregates validated rows (audiences from the embedded markets).
    pub fn build(rows: Vec<Row>) -> Index {
        let mut b = IndexBuilder::default();
        for r in &rows {
            b.add(r);
        }
        b.finish()
    }

    /// Rows the index was built from.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of segments held.
    pub fn segments(&self) -> usize {
        self.segments.len()
    }

    /// The most specific segment with enough evidence (≥ `min_ad_sets` ad sets from ≥
    /// `min_advertisers` advertisers, never fewer than [`PRIVACY_MIN_ADVERTISERS`]), backing off
    /// level by level. When no level has enough ad sets, the broadest segment that passes the
    /// privacy minimum; `None` when none does.
    pub fn lookup(&self, q: &Query<'_>, min_ad_sets: u32, min_advertisers: u32) -> Option<Found<'_>> {
        let min_advertisers = min_advertisers.max(PRIVACY_MIN_ADVERTISERS);
        let country = geo(&q.country);
        let base = Key::global(q.objective, q.format, q.placement);
        let mut fallback: Option<Found<'_>> = None;
        for level in Level::ALL {
            // One key a level, or one per targeting id, walked without building a list (every
            // candidate ad set of every plan is looked up).
            let one = match level {
                Level::Targeted => None,
                Level::Audience => Some(Key { level, geo: country, age: q.age_band, gender: q.gender, ..base }),
                Level::AllAges => Some(Key { level, geo: country, gender: q.gender, ..base }),
                Level::Market => Some(Key { level, geo: country, ..base }),
                Level::Region => Some(Key { level, geo: region_of(&q.country), ..base }),
                Level::Global => Some(base),
            };
            let ids: &[u16] = if level == Level::Targeted { q.targeting } else { &[] };
            let keys = one.into_iter().chain(ids.iter().map(|&t| Key {
                level,
                geo: country,
                age: q.age_band,
                gender: q.gender,
                target: t,
                ..base
            }));
            // Among several targeting segments, the best-evidenced one.
            let best = keys
                .filter_map(|k| self.segments.get(&k))
                .filter(|s| s.advertisers >= min_advertisers)
                .max_by_key(|s| s.ad_sets);
            if let Some(segment) = best {
                if segment.ad_sets >= min_ad_sets {
                    return Some(Found { level, segment });
                }
                fallback = Some(Found { level, segment });
            }
        }
        fallback
    }

    /// Medians of similar successful campaigns: same objective in the first of `countries` that
    /// has enough of them, else the same objective everywhere.
    pub fn norms(
        &self,
        objective: Objective,
        countries: &[[u8; 2]],
        min_advertisers: u32,
    ) -> Option<(&CampaignNorms, Option<[u8; 2]>)> {
        let min_advertisers = min_advertisers.max(PRIVACY_MIN_ADVERTISERS);
        let ok = |n: &&CampaignNorms| n.advertisers >= min_advertisers;
        for c in countries {
            if let Some(n) = self.norms.get(&(objective, geo(c))).filter(ok) {
                return Some((n, Some(*c)));
            }
        }
        self.norms.get(&(objective, 0)).filter(ok).map(|n| (n, None))
    }
}

/// Summarises groups on two threads (the machine has two cores; more would not help).
fn summarise_parallel(groups: &[(Key, Vec<u32>)], kept: &[(Measures, u32)]) -> FastMap<Key, Segment> {
    let half = groups.len() / 2;
    let (a, b) = groups.split_at(half);
    let (sa, sb) = std::thread::scope(|s| {
        let ha = s.spawn(|| summarise(a, kept));
        let sb = summarise(b, kept);
        (ha.join().unwrap_or_default(), sb)
    });
    let mut out = sa;
    out.extend(sb);
    out
}

fn summarise(groups: &[(Key, Vec<u32>)], kept: &[(Measures, u32)]) -> FastMap<Key, Segment> {
    let mut out = FastMap::with_capacity_and_hasher(groups.len(), Default::default());
    let mut scratch: Vec<f64> = Vec::new();
    let mut advertisers: Vec<u32> = Vec::new();
    for (key, members) in groups {
        advertisers.clear();
        advertisers.extend(members.iter().map(|&i| kept[i as usize].1));
        advertisers.sort_unstable();
        advertisers.dedup();
        let mut quart = |k: usize| {
            scratch.clear();
            scratch.extend(members.iter().map(|&i| kept[i as usize].0[k] as f64));
            Quartiles::of(&mut scratch)
        };
        let segment = Segment {
            ad_sets: members.len() as u32,
            advertisers: advertisers.len() as u32,
            cpm_usd: quart(0),
            ctr: quart(1),
            kpi_rate: quart(2),
            delivery: quart(3),
            weekly_frequency: quart(4),
        };
        out.insert(*key, segment);
    }
    out
}

/// Medians of successful campaigns per (objective, country) and per objective (country 0).
fn campaign_norms(campaigns: impl Iterator<Item = Campaign>) -> FastMap<(Objective, u16), CampaignNorms> {
    /// Budgets, flight lengths and advertisers of one group of campaigns.
    type Group = (Vec<f64>, Vec<f64>, Vec<u32>);
    let mut groups: FastMap<(Objective, u16), Group> = FastMap::default();
    for c in campaigns {
        if c.budget <= 0.0 || c.spend / c.budget < SUCCESSFUL_DELIVERY {
            continue;
        }
        let days = ((c.end - c.start).num_days() + 1) as f64;
        for key in [(c.objective, c.country), (c.objective, 0)] {
            let g = groups.entry(key).or_default();
            g.0.push(c.budget);
            g.1.push(days);
            g.2.push(c.advertiser);
        }
    }
    let mut out = FastMap::default();
    for (key, (mut budgets, mut days, mut advertisers)) in groups {
        advertisers.sort_unstable();
        advertisers.dedup();
        if (advertisers.len() as u32) < PRIVACY_MIN_ADVERTISERS {
            continue;
        }
        out.insert(
            key,
            CampaignNorms {
                campaigns: budgets.len() as u32,
                advertisers: advertisers.len() as u32,
                budget_usd: Quartiles::of(&mut budgets).p50,
                days: Quartiles::of(&mut days).p50.round() as i64,
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bands() {
        assert_eq!(age_band(Some(18), Some(24)), 0);
        assert_eq!(age_band(Some(25), Some(34)), 1);
        assert_eq!(age_band(Some(18), Some(34)), 1);
        assert_eq!(age_band(Some(55), None), 4);
        assert_eq!(age_band(None, None), BROAD);
        assert_eq!(age_band(Some(25), Some(54)), BROAD);
    }

    #[test]
    fn quartiles_are_exact_order_statistics() {
        let q = Quartiles::of(&mut [4.0, 1.0, 3.0, 2.0]);
        assert_eq!(q.p50, 2.5);
        assert_eq!(q.p25, 1.75);
        assert_eq!(Quartiles::of(&mut [7.0]).p75, 7.0);
        assert_eq!(Quartiles::of(&mut []), Quartiles::default());
    }

    fn row(advertiser: u32, campaign: u32) -> Row {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        Row {
            campaign,
            advertiser,
            objective: Objective::Reach,
            format: Format::Audio,
            placement: Placement::Music,
            country: *b"DE",
            age_min: 18,
            age_max: None,
            gender: GenderKey::All,
            targeting: Vec::new(),
            platforms: 0,
            local: false,
            start: day,
            end: day + chrono::Duration::days(27),
            budget_usd: 1000.0,
            spend_usd: 990.0,
            impressions: 100_000 + advertiser as u64 * 1000,
            reach: 40_000,
            clicks: 200,
            completes: 0,
            video_views: 0,
            streams: 0,
            installs: 0,
            leads: 0,
            conversions: 0,
        }
    }

    fn query() -> Query<'static> {
        Query {
            objective: Objective::Reach,
            format: Format::Audio,
            placement: Placement::Music,
            country: *b"DE",
            age_band: BROAD,
            gender: GenderKey::All,
            targeting: &[],
        }
    }

    #[test]
    fn fewer_than_five_advertisers_never_give_a_figure() {
        let rows: Vec<Row> = (0..40).map(|i| row(i % 4, i)).collect();
        let index = Index::build(rows);
        assert!(
            index.lookup(&query(), MIN_AD_SETS, PRIVACY_MIN_ADVERTISERS).is_none(),
            "40 ad sets but only 4 advertisers"
        );
        let rows: Vec<Row> = (0..40).map(|i| row(i % 5, i)).collect();
        let index = Index::build(rows);
        let found = index.lookup(&query(), MIN_AD_SETS, PRIVACY_MIN_ADVERTISERS).expect("5 advertisers are enough");
        assert_eq!((found.level, found.segment.ad_sets, found.segment.advertisers), (Level::Audience, 40, 5));
        assert!(index.norms(Objective::Reach, &[*b"DE"], PRIVACY_MIN_ADVERTISERS).is_some());
    }

    #[test]
    fn thin_segments_back_off_to_broader_levels() {
        let rows: Vec<Row> = (0..12).map(|i| row(i % 6, i)).collect();
        let index = Index::build(rows);
        let found =
            index.lookup(&query(), MIN_AD_SETS, PRIVACY_MIN_ADVERTISERS).expect("privacy passes, evidence is thin");
        assert_eq!(found.level, Level::Global, "the broadest segment when none has 30 ad sets");
        let found = index.lookup(&query(), 10, PRIVACY_MIN_ADVERTISERS).expect("enough at 10");
        assert_eq!(found.level, Level::Audience);
    }

    #[test]
    fn world_regions_cover_the_default_markets() {
        for m in crate::markets::DEFAULT_MARKETS {
            let b = m.as_bytes();
            assert_ne!(region_of(&[b[0], b[1]]), 0, "{m}");
        }
    }
}
