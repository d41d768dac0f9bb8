//! The planner: from a brief to recommended ad sets with a budget split and forecasts, backed by
//! the history index (SPEC §4, after Spotify's published MediaPlanner rules, made deterministic).
//!
//! 1. Candidates: the formats × placements (× platform for app installs) the objective allows,
//!    within the brief's constraints, in every target market (one country per ad set).
//! 2. Evidence: each candidate's CPM, CTR, KPI rate, delivery rate and frequency come from the
//!    most specific history segment with enough evidence (`index::Index::lookup` backs off).
//! 3. Count: by the budget in EUR (< 1,000 → 1; < 5,000 → 2; < 15,000 → 3; < 50,000 → 4; else 5),
//!    at least one per market, each a distinct combination; cheapest cost per KPI first.
//! 4. Split: a floor per ad set, then the rest in small steps to the ad set with the lowest
//!    marginal cost per KPI — penalised by its historical under-delivery and rising as it nears
//!    the audience it can absorb at the frequency cap — within the brief's format caps.
//! 5. Forecast: impressions = budget / CPM × 1000 (CPM quartiles give low/mid/high), reach capped
//!    by the audience and the frequency cap, frequency = impressions / reach, clicks and the KPI
//!    from their rates. Money is converted once into the brief's currency.

use chrono::{Duration, NaiveDate};

use super::history::{targeting_id, GenderKey};
use super::index::{age_band, CampaignNorms, Found, Index, Level, Query};
use super::{AdSet, AdSetForecast, Evidence, KpiForecast, PlanForecast, PlannedBudget, PlannedSchedule, Range};
use crate::brief::{
    Assumption, Audience, Brief, BudgetType, Format, Gender, Location, Objective, Placement, Platform, Warning,
    WarningCode,
};
use crate::conversation::DEFAULT_OBJECTIVE;
use crate::markets::{Market, Markets, DEFAULT_COUNTRY};
use crate::present::{country_label, date, money, plural};

/// Planner settings (become configuration).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Impressions per person per week for REACH (SPEC §4 default 2).
    pub reach_frequency_cap: f64,
    /// The weekly cap for the other objectives.
    pub frequency_cap: f64,
    /// Evidence a segment needs before it is used (SPEC §4 default 30 ad sets).
    pub min_ad_sets: u32,
    /// Flight length when history has nothing to recommend.
    pub fallback_days: i64,
    /// The market planned for when the brief names none.
    pub default_country: String,
    /// No figure comes from fewer advertisers than this (never fewer than 5).
    pub privacy_min_advertisers: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            reach_frequency_cap: 2.0,
            frequency_cap: 3.0,
            min_ad_sets: super::index::MIN_AD_SETS,
            fallback_days: 28,
            default_country: DEFAULT_COUNTRY.to_string(),
            privacy_min_advertisers: super::index::PRIVACY_MIN_ADVERTISERS,
        }
    }
}

/// Share of a budget every chosen ad set gets before the greedy split (spread over the set).
const FLOOR_SHARE: f64 = 0.4;
/// Steps the rest of the budget is split in.
const SPLIT_STEPS: usize = 200;
/// Audience model: share of users each targeting list keeps, per id in it (capped at all users).
const TARGETING_SHARE_PER_ID: f64 = 0.25;
/// Share of users who listen to podcasts.
const PODCAST_SHARE: f64 = 0.35;
/// Share of users who speak a targeted language (when it is not the market's main one).
const LANGUAGE_SHARE: f64 = 0.15;
/// Share of users in a named region, and in a named city.
const REGION_SHARE: f64 = 0.12;
const CITY_SHARE: f64 = 0.06;
/// Share of users on each platform.
const PLATFORM_SHARE: [(Platform, f64); 3] =
    [(Platform::Ios, 0.45), (Platform::Android, 0.5), (Platform::Desktop, 0.15)];
/// Share of users who identify as non-binary (gender targeting).
const NON_BINARY_SHARE: f64 = 0.01;
/// The largest total a plan splits (in the plan's currency): anything larger is not a real
/// budget (a stray string of digits) and is planned at this cap, with an assumption.
pub const MAX_PLANNED_TOTAL: f64 = 1e12;
/// Below this median delivery rate the plan is flagged as unlikely to deliver.
const DELIVERY_OK: f64 = 0.8;

/// What the planner produced, for the brain to put into the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub objective: Objective,
    pub currency: String,
    pub budget: PlannedBudget,
    pub schedule: PlannedSchedule,
    pub ad_sets: Vec<AdSet>,
    pub forecast: PlanForecast,
    pub assumptions: Vec<Assumption>,
    pub warnings: Vec<Warning>,
}

/// One possible ad set with its evidence.
#[derive(Debug, Clone)]
struct Candidate<'a> {
    country: String,
    format: Format,
    placement: Placement,
    platform: Option<Platform>,
    found: Found<'a>,
    /// Cost per KPI in USD at the median, for ranking.
    cost_per_kpi_usd: f64,
    audience: u64,
    targeting: Audience,
}

/// The KPI counted for an objective.
pub fn kpi_metric(o: Objective) -> &'static str {
    match o {
        Objective::Reach => "reach",
        Objective::EvenImpressionDelivery => "impressions",
        Objective::Clicks => "clicks",
        Objective::WebsiteVisits => "visits",
        Objective::VideoViews => "completed_views",
        Objective::PodcastStreams => "streams",
        Objective::AppInstalls => "installs",
        Objective::LeadGen => "leads",
        Objective::Conversions => "conversions",
    }
}

/// Formats × placements an objective allows (SPEC §2 compatibility).
pub fn allowed_combinations(o: Objective) -> Vec<(Format, Placement)> {
    use Format::*;
    use Placement::*;
    match o {
        Objective::VideoViews => vec![(Video, Music)],
        Objective::PodcastStreams => vec![(Audio, Podcast)],
        Objective::LeadGen => vec![(Audio, Music), (Audio, Podcast)],
        Objective::AppInstalls => vec![(Audio, Music), (Video, Music), (Audio, Podcast)],
        _ => vec![(Audio, Music), (Audio, Podcast), (Video, Music), (Video, Podcast), (Image, Music)],
    }
}

/// Ad sets for a budget in EUR (SPEC §4 tiers; ≥ 15,000 → 4, and 5 from 50,000).
pub fn ad_set_count(eur: f64) -> usize {
    match eur {
        x if x < 1_000.0 => 1,
        x if x < 5_000.0 => 2,
        x if x < 15_000.0 => 3,
        x if x < 50_000.0 => 4,
        _ => 5,
    }
}

fn gender_key(genders: &[Gender]) -> GenderKey {
    match genders {
        [Gender::Female] => GenderKey::Female,
        [Gender::Male] => GenderKey::Male,
        [Gender::NonBinary] => GenderKey::NonBinary,
        _ => GenderKey::All,
    }
}

/// Share of a market's users in an age range, from its age-band shares (55+ read as 55–74).
fn age_share(m: &Market, min: Option<u8>, max: Option<u8>) -> f64 {
    let lo = min.unwrap_or(18) as f64;
    let hi = max.map_or(74.0, |x| (x as f64).min(74.0));
    let bands = [(18.0, 24.0), (25.0, 34.0), (35.0, 44.0), (45.0, 54.0), (55.0, 74.0)];
    bands
        .iter()
        .zip(m.age_shares)
        .map(|(&(a, b), share)| {
            let overlap = (hi.min(b) - lo.max(a) + 1.0).max(0.0);
            share * overlap / (b - a + 1.0)
        })
        .sum()
}

/// People in a market matching the targeting (the audience model; constants above).
fn audience_size(m: &Market, t: &Audience, placement: Placement, platform: Option<Platform>, country: &str) -> u64 {
    let mut size = m.ad_users as f64 * age_share(m, t.age_min, t.age_max);
    if !t.genders.is_empty() {
        let share: f64 = t
            .genders
            .iter()
            .map(|g| match g {
                Gender::Female => m.share_female,
                Gender::Male => 1.0 - m.share_female - NON_BINARY_SHARE,
                Gender::NonBinary => NON_BINARY_SHARE,
            })
            .sum();
        size *= share.min(1.0);
    }
    for list in [&t.interests, &t.genres, &t.contexts, &t.podcast_topics] {
        if !list.is_empty() {
            size *= (TARGETING_SHARE_PER_ID * list.len() as f64).min(1.0);
        }
    }
    if !t.languages.is_empty() {
        size *= LANGUAGE_SHARE;
    }
    let platforms: Vec<Platform> = platform.map_or_else(|| t.platforms.clone(), |p| vec![p]);
    if !platforms.is_empty() {
        let share: f64 = PLATFORM_SHARE.iter().filter(|(p, _)| platforms.contains(p)).map(|(_, s)| s).sum();
        size *= share.min(1.0);
    }
    if placement == Placement::Podcast {
        size *= PODCAST_SHARE;
    }
    let local: Vec<&Location> =
        t.locations.iter().filter(|l| l.country == country && (l.region.is_some() || l.city.is_some())).collect();
    if !local.is_empty() {
        let share: f64 = local.iter().map(|l| if l.city.is_some() { CITY_SHARE } else { REGION_SHARE }).sum();
        size *= share.min(1.0);
    }
    size.round().max(0.0) as u64
}

fn targeting_ids(a: &Audience) -> Vec<u16> {
    let mut ids = Vec::new();
    for (kind, list) in [("interest", &a.interests), ("genre", &a.genres), ("context", &a.contexts)] {
        ids.extend(list.iter().filter_map(|id| targeting_id(kind, id)));
    }
    ids
}

fn level_name(l: Level) -> &'static str {
    match l {
        Level::Targeted => "targeted",
        Level::Audience => "audience",
        Level::AllAges => "all_ages",
        Level::Market => "market",
        Level::Region => "region",
        Level::Global => "global",
    }
}

/// Rounds to cents.
fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A recommended amount rounded to two significant figures ("12,345" → "12,000").
fn round_nicely(x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let magnitude = 10f64.powi(x.log10().floor() as i32 - 1);
    (x / magnitude).round() * magnitude
}

/// Plans a brief.
pub fn plan(brief: &Brief, index: &Index, markets: &Markets, settings: &Settings, today: NaiveDate) -> Planned {
    let mut assumptions = Vec::new();
    let mut warnings = Vec::new();
    let objective = brief.objective.unwrap_or(DEFAULT_OBJECTIVE);
    let named: Vec<&str> = brief.audience.countries();
    let countries: Vec<String> = if named.is_empty() {
        vec![settings.default_country.clone()]
    } else {
        named.iter().filter(|c| markets.is_market(c)).map(|c| c.to_string()).collect()
    };
    let first_market = countries.first().and_then(|c| markets.get(c));
    let currency = match (&brief.budget, first_market) {
        (Some(b), _) => b.currency.clone(),
        (None, Some(m)) => m.currency.clone(),
        (None, None) => "USD".to_string(),
    };
    let country_codes: Vec<[u8; 2]> =
        countries.iter().filter_map(|c| c.as_bytes().try_into().ok()).collect::<Vec<[u8; 2]>>();
    let norms = index.norms(objective, &country_codes, settings.privacy_min_advertisers);
    let schedule = planned_schedule(brief, norms, settings, today, &mut assumptions);
    let budget = planned_budget(brief, norms, markets, &currency, schedule.days, &mut assumptions);
    let rate = markets.usd_rate(&currency).unwrap_or(1.0);
    let weeks = (schedule.days as f64 / 7.0).max(1.0 / 7.0);
    let cap = if objective == Objective::Reach { settings.reach_frequency_cap } else { settings.frequency_cap };

    // 1–2. Candidates with evidence.
    let combos = constrained_combinations(brief, objective);
    let platforms: Vec<Option<Platform>> = if objective == Objective::AppInstalls {
        let mut p: Vec<Platform> =
            brief.audience.platforms.iter().copied().filter(|p| *p != Platform::Desktop).collect();
        if p.is_empty() {
            p = vec![Platform::Ios, Platform::Android];
        }
        p.into_iter().map(Some).collect()
    } else {
        vec![None]
    };
    let band = age_band(brief.audience.age_min, brief.audience.age_max);
    let gender = gender_key(&brief.audience.genders);
    let ids = targeting_ids(&brief.audience);
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut no_evidence: Vec<String> = Vec::new();
    for country in &countries {
        let Some(market) = markets.get(country) else { continue };
        let Ok(code) = <[u8; 2]>::try_from(country.as_bytes()) else { continue };
        let mut targeting = brief.audience.clone();
        targeting.locations.retain(|l| &l.country == country);
        if targeting.locations.is_empty() {
            targeting.locations.push(Location::country(country));
        }
        for &(format, placement) in &combos {
            for &platform in &platforms {
                let q = Query {
                    objective,
                    format,
                    placement,
                    country: code,
                    age_band: band,
                    gender,
                    targeting: ids.clone(),
                };
                let Some(found) = index.lookup(&q, settings.min_ad_sets, settings.privacy_min_advertisers) else {
                    no_evidence.push(format!("{} {} on {} in {country}", objective.id(), format.id(), placement.id()));
                    continue;
                };
                let s = found.segment;
                let cost_per_kpi_usd =
                    if s.kpi_rate.p50 > 0.0 { s.cpm_usd.p50 / 1000.0 / s.kpi_rate.p50 } else { f64::INFINITY };
                let mut t = targeting.clone();
                if let Some(p) = platform {
                    t.platforms = vec![p];
                }
                if placement == Placement::Podcast && t.podcast_topics.is_empty() {
                    // keep topics as stated; nothing to add
                }
                candidates.push(Candidate {
                    country: country.clone(),
                    format,
                    placement,
                    platform,
                    found,
                    cost_per_kpi_usd,
                    audience: audience_size(market, &t, placement, platform, country),
                    targeting: t,
                });
            }
        }
    }
    if !no_evidence.is_empty() {
        assumptions.push(Assumption::new(
            "plan.ad_sets",
            format!(
                "Not planned for lack of history from at least {} advertisers: {}",
                settings.privacy_min_advertisers.max(super::index::PRIVACY_MIN_ADVERTISERS),
                no_evidence.join(", ")
            ),
        ));
    }

    // 3. Choose the ad sets.
    let eur = markets.convert(budget.total, &currency, "EUR").unwrap_or(budget.total);
    let tier = ad_set_count(eur);
    let chosen = choose(&candidates, &countries, tier);
    if chosen.len() > tier {
        assumptions.push(Assumption::new(
            "plan.ad_sets",
            format!("{} ad sets, one per market at least (the budget alone suggests {tier})", chosen.len()),
        ));
    }

    // 4. Split.
    let capacity: Vec<f64> =
        chosen.iter().map(|c| c.audience as f64 * cap * weeks / 1000.0 * c.found.segment.cpm_usd.p50 * rate).collect();
    let budgets = split(&chosen, &capacity, budget.total, brief, &mut warnings);

    // 5. Forecasts.
    let mut ad_sets = Vec::with_capacity(chosen.len());
    for (c, &b) in chosen.iter().zip(&budgets) {
        ad_sets.push(ad_set(c, b, budget.total, rate, cap, weeks, objective));
    }
    let forecast = plan_forecast(&ad_sets, &chosen, &capacity, &budgets, budget.total, objective);
    if !ad_sets.is_empty() && !forecast.likely_to_deliver {
        warnings.push(Warning::new(
            WarningCode::UnlikelyToDeliver,
            "budget.amount",
            format!(
                "{} is more than this audience can absorb in {} at {cap} impressions a person a week, or these segments under-deliver: expect to spend less",
                money(budget.total, &currency),
                plural(schedule.days, "day")
            ),
        ));
    }
    Planned { objective, currency, budget, schedule, ad_sets, forecast, assumptions, warnings }
}

fn planned_schedule(
    brief: &Brief,
    norms: Option<(&CampaignNorms, Option<[u8; 2]>)>,
    settings: &Settings,
    today: NaiveDate,
    assumptions: &mut Vec<Assumption>,
) -> PlannedSchedule {
    let s = &brief.schedule;
    if let (Some(start), Some(end), Some(days)) = (s.start, s.end, s.days) {
        if days > 0 {
            return PlannedSchedule { start, end, days, recommended: false };
        }
    }
    let start = s.start.unwrap_or_else(|| today.checked_add_signed(Duration::days(1)).unwrap_or(today));
    let (days, why) = match norms {
        Some((n, c)) => (n.days.max(1), similar(n, c)),
        None => (settings.fallback_days, "no similar campaigns in the history".to_string()),
    };
    let end = start.checked_add_signed(Duration::days(days - 1)).unwrap_or(start);
    assumptions.push(Assumption::new(
        "plan.schedule",
        format!("Planned for {} ({} to {}): the median flight of {why}", plural(days, "day"), date(start), date(end)),
    ));
    PlannedSchedule { start, end, days, recommended: true }
}

fn similar(n: &CampaignNorms, country: Option<[u8; 2]>) -> String {
    let place = match country {
        Some(c) => format!(" in {}", country_label(std::str::from_utf8(&c).unwrap_or("?"))),
        None => " across markets".to_string(),
    };
    format!("{} similar successful campaigns{place} ({} advertisers)", n.campaigns, n.advertisers)
}

fn planned_budget(
    brief: &Brief,
    norms: Option<(&CampaignNorms, Option<[u8; 2]>)>,
    markets: &Markets,
    currency: &str,
    days: i64,
    assumptions: &mut Vec<Assumption>,
) -> PlannedBudget {
    if let Some(b) = &brief.budget {
        let total = match b.kind {
            BudgetType::Lifetime => b.amount,
            BudgetType::Daily => b.amount * days as f64,
        };
        if b.kind == BudgetType::Daily {
            assumptions.push(Assumption::new(
                "plan.budget",
                format!(
                    "{} a day over {}: {} in total",
                    money(b.amount, currency),
                    plural(days, "day"),
                    money(total, currency)
                ),
            ));
        }
        let total = if total.is_finite() && total <= MAX_PLANNED_TOTAL {
            total
        } else {
            assumptions.push(Assumption::new(
                "plan.budget",
                format!(
                    "The budget is beyond anything plannable: planning with {}",
                    money(MAX_PLANNED_TOTAL, currency)
                ),
            ));
            MAX_PLANNED_TOTAL
        };
        return PlannedBudget { total: cents(total), amount: b.amount, kind: b.kind, recommended: false };
    }
    let (usd, why) = match norms {
        Some((n, c)) => (n.budget_usd, similar(n, c)),
        None => (10_000.0, "no similar campaigns in the history: a starting budget".to_string()),
    };
    let local = round_nicely(markets.convert(usd, "USD", currency).unwrap_or(usd));
    assumptions.push(Assumption::new(
        "plan.budget",
        format!("Planned with {}: the median budget of {why}", money(local, currency)),
    ));
    PlannedBudget { total: local, amount: local, kind: BudgetType::Lifetime, recommended: true }
}

/// The objective's combinations within the brief's constraints; when the brief rules out every
/// one of them (a FORMAT_CONFLICT), the objective wins and its own combinations are kept.
fn constrained_combinations(brief: &Brief, objective: Objective) -> Vec<(Format, Placement)> {
    let f = &brief.formats;
    let all = allowed_combinations(objective);
    let within: Vec<(Format, Placement)> = all
        .iter()
        .copied()
        .filter(|(fmt, pl)| {
            !f.exclude.contains(fmt)
                && (f.include.is_empty() || f.include.contains(fmt))
                && (f.placements.is_empty() || f.placements.contains(pl))
        })
        .collect();
    if within.is_empty() {
        all
    } else {
        within
    }
}

/// Picks ad sets: the cheapest candidate of every market first, then the cheapest of the rest up
/// to the tier; every pick a distinct combination within its market.
fn choose<'a>(candidates: &[Candidate<'a>], countries: &[String], tier: usize) -> Vec<Candidate<'a>> {
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&a, &b| candidates[a].cost_per_kpi_usd.total_cmp(&candidates[b].cost_per_kpi_usd).then(a.cmp(&b)));
    let mut picked: Vec<usize> = Vec::new();
    for country in countries {
        if let Some(&i) = order.iter().find(|&&i| &candidates[i].country == country) {
            picked.push(i);
        }
    }
    for &i in &order {
        if picked.len() >= tier.max(picked.len()) {
            break;
        }
        if !picked.contains(&i) {
            picked.push(i);
        }
    }
    picked.sort_by(|&a, &b| {
        let (ca, cb) = (&candidates[a], &candidates[b]);
        let pos = |c: &Candidate| countries.iter().position(|x| x == &c.country).unwrap_or(usize::MAX);
        pos(ca).cmp(&pos(cb)).then(ca.cost_per_kpi_usd.total_cmp(&cb.cost_per_kpi_usd)).then(a.cmp(&b))
    });
    picked.into_iter().map(|i| candidates[i].clone()).collect()
}

/// Splits `total` over the chosen ad sets (see the module docs). Budgets are in cents and sum to
/// `total` exactly.
fn split(chosen: &[Candidate], capacity: &[f64], total: f64, brief: &Brief, warnings: &mut Vec<Warning>) -> Vec<f64> {
    let k = chosen.len();
    if k == 0 {
        return Vec::new();
    }
    let caps = &brief.formats.max_share;
    let format_cap = |f: Format| caps.get(&f).copied().unwrap_or(1.0) * total;
    // A cap that no allowed format can stay under is ignored, with a warning.
    let uncapped_exists = chosen.iter().any(|c| !caps.contains_key(&c.format));
    let respect_caps = uncapped_exists || caps.is_empty();
    if !respect_caps {
        warnings.push(Warning::new(
            WarningCode::FormatConflict,
            "formats.max_share",
            "Every format this objective can use is capped: the caps cannot all hold, so the plan ignores them",
        ));
    }
    let mut x = vec![0.0; k];
    let floor = FLOOR_SHARE * total / k as f64;
    for (i, c) in chosen.iter().enumerate() {
        let used: f64 = (0..k).filter(|&j| chosen[j].format == c.format).map(|j| x[j]).sum();
        let room = if respect_caps { (format_cap(c.format) - used).max(0.0) } else { floor };
        x[i] = floor.min(room);
    }
    let effective = |i: usize| {
        let c = &chosen[i];
        let delivery = c.found.segment.delivery.p50.clamp(0.05, 1.0);
        c.cost_per_kpi_usd / delivery
    };
    let step = (total - x.iter().sum::<f64>()).max(0.0) / SPLIT_STEPS as f64;
    for _ in 0..SPLIT_STEPS {
        let mut best: Option<(usize, f64)> = None;
        for i in 0..k {
            if respect_caps {
                let used: f64 = (0..k).filter(|&j| chosen[j].format == chosen[i].format).map(|j| x[j]).sum();
                if used + step > format_cap(chosen[i].format) + 1e-9 {
                    continue;
                }
            }
            let u = if capacity[i] > 0.0 { (x[i] + step) / capacity[i] } else { f64::INFINITY };
            let saturation = if u < 0.95 { 1.0 / (1.0 - u) } else { 20.0 * u };
            let marginal = effective(i) * saturation;
            if best.is_none_or(|(_, b)| marginal < b) {
                best = Some((i, marginal));
            }
        }
        match best {
            Some((i, _)) => x[i] += step,
            None => {
                // Every ad set is at its format cap: spread the rest over the uncapped ones.
                let open: Vec<usize> = (0..k).filter(|&i| !caps.contains_key(&chosen[i].format)).collect();
                let targets = if open.is_empty() { (0..k).collect() } else { open };
                let rest = total - x.iter().sum::<f64>();
                for &i in &targets {
                    x[i] += rest / targets.len() as f64;
                }
                break;
            }
        }
    }
    exact_cents(&x, total)
}

/// Rounds to cents and puts the rounding remainder on the largest amount, so the parts sum to
/// the total exactly.
fn exact_cents(x: &[f64], total: f64) -> Vec<f64> {
    let total_cents = (total * 100.0).round() as i64;
    let sum: f64 = x.iter().sum();
    let mut c: Vec<i64> =
        x.iter().map(|v| (v / sum.max(f64::MIN_POSITIVE) * total_cents as f64).round() as i64).collect();
    let diff = total_cents - c.iter().sum::<i64>();
    if let Some(i) = (0..c.len()).max_by(|&a, &b| c[a].cmp(&c[b]).then(b.cmp(&a))) {
        c[i] += diff;
    }
    c.into_iter().map(|v| v as f64 / 100.0).collect()
}

fn range(low: f64, mid: f64, high: f64) -> Range {
    Range { low, mid, high }
}

fn ad_set(c: &Candidate, budget: f64, total: f64, rate: f64, cap: f64, weeks: f64, objective: Objective) -> AdSet {
    let s = c.found.segment;
    let cpm = range(s.cpm_usd.p25 * rate, s.cpm_usd.p50 * rate, s.cpm_usd.p75 * rate);
    let imp = |cpm: f64| if cpm > 0.0 { (budget / cpm * 1000.0).round() } else { 0.0 };
    // Low impressions come with the high CPM.
    let impressions = range(imp(cpm.high), imp(cpm.mid), imp(cpm.low));
    let audience = c.audience as f64;
    let reach_of = |impressions: f64, weekly: f64| {
        let frequency = (weekly.min(cap) * weeks).max(1.0);
        (impressions / frequency).min(audience).min(impressions).round()
    };
    let reach = range(
        reach_of(impressions.low, s.weekly_frequency.p75),
        reach_of(impressions.mid, s.weekly_frequency.p50),
        reach_of(impressions.high, s.weekly_frequency.p25),
    );
    let freq = |i: f64, r: f64| if r > 0.0 { i / r } else { 0.0 };
    let frequency =
        range(freq(impressions.low, reach.low), freq(impressions.mid, reach.mid), freq(impressions.high, reach.high));
    let clicks = range(
        (impressions.low * s.ctr.p25).round(),
        (impressions.mid * s.ctr.p50).round(),
        (impressions.high * s.ctr.p75).round(),
    );
    let kpi_count = match objective {
        Objective::Reach => reach,
        Objective::EvenImpressionDelivery => impressions,
        _ => range(
            (impressions.low * s.kpi_rate.p25).round(),
            (impressions.mid * s.kpi_rate.p50).round(),
            (impressions.high * s.kpi_rate.p75).round(),
        ),
    };
    let per = |n: f64| if n > 0.0 { cents(budget / n) } else { 0.0 };
    let kpi = KpiForecast {
        metric: kpi_metric(objective).to_string(),
        count: kpi_count,
        cost_per: range(per(kpi_count.high), per(kpi_count.mid), per(kpi_count.low)),
    };
    let mut name = vec![c.country.clone(), title(c.format.id()), title(c.placement.id())];
    if let Some(p) = c.platform {
        name.push(match p {
            Platform::Ios => "iOS".into(),
            Platform::Android => "Android".into(),
            Platform::Desktop => "Desktop".into(),
        });
    }
    AdSet {
        name: name.join(" · "),
        format: c.format,
        placement: c.placement,
        objective,
        targeting: c.targeting.clone(),
        platform: c.platform,
        budget,
        share: if total > 0.0 { budget / total } else { 0.0 },
        bid_cpm: cents(cpm.mid),
        forecast: AdSetForecast { impressions, reach, frequency, cpm, clicks, kpi, audience_size: c.audience },
        evidence: Evidence {
            ad_sets: s.ad_sets,
            advertisers: s.advertisers,
            method: c.found.level.method().to_string(),
            level: level_name(c.found.level).to_string(),
        },
    }
}

fn title(id: &str) -> String {
    let lower = id.to_lowercase();
    let mut ch = lower.chars();
    ch.next().map(|f| f.to_uppercase().chain(ch).collect()).unwrap_or_default()
}

fn plan_forecast(
    ad_sets: &[AdSet],
    chosen: &[Candidate],
    capacity: &[f64],
    budgets: &[f64],
    total: f64,
    objective: Objective,
) -> PlanForecast {
    let sum = |f: &dyn Fn(&AdSet) -> Range| {
        ad_sets.iter().map(f).fold(Range::default(), |a, r| range(a.low + r.low, a.mid + r.mid, a.high + r.high))
    };
    let impressions = sum(&|a| a.forecast.impressions);
    let clicks = sum(&|a| a.forecast.clicks);
    // Reach adds up across markets; within a market it cannot pass the largest audience there.
    let mut reach = Range::default();
    let mut audience_size = 0u64;
    let mut countries: Vec<&str> = chosen.iter().map(|c| c.country.as_str()).collect();
    countries.dedup();
    for country in countries {
        let members: Vec<usize> = (0..chosen.len()).filter(|&i| chosen[i].country == country).collect();
        let cap = members.iter().map(|&i| chosen[i].audience).max().unwrap_or(0);
        audience_size += cap;
        let r = members.iter().fold(Range::default(), |a, &i| {
            let x = ad_sets[i].forecast.reach;
            range(a.low + x.low, a.mid + x.mid, a.high + x.high)
        });
        let c = cap as f64;
        reach = range(reach.low + r.low.min(c), reach.mid + r.mid.min(c), reach.high + r.high.min(c));
    }
    let freq = |i: f64, r: f64| if r > 0.0 { i / r } else { 0.0 };
    let frequency =
        range(freq(impressions.low, reach.low), freq(impressions.mid, reach.mid), freq(impressions.high, reach.high));
    let cpm_of = |i: f64| if i > 0.0 { total / i * 1000.0 } else { 0.0 };
    let cpm = range(cpm_of(impressions.high), cpm_of(impressions.mid), cpm_of(impressions.low));
    let kpi_count = match objective {
        Objective::Reach => reach,
        _ => sum(&|a| a.forecast.kpi.count),
    };
    let per = |n: f64| if n > 0.0 { cents(total / n) } else { 0.0 };
    let kpi = KpiForecast {
        metric: kpi_metric(objective).to_string(),
        count: kpi_count,
        cost_per: range(per(kpi_count.high), per(kpi_count.mid), per(kpi_count.low)),
    };
    let within_capacity = budgets.iter().zip(capacity).all(|(b, c)| *b <= c * 1.0001);
    let delivery: f64 = if total > 0.0 {
        chosen.iter().zip(budgets).map(|(c, b)| c.found.segment.delivery.p50 * b).sum::<f64>() / total
    } else {
        1.0
    };
    PlanForecast {
        impressions,
        reach,
        frequency,
        cpm,
        clicks,
        kpi,
        likely_to_deliver: within_capacity && delivery >= DELIVERY_OK,
        audience_size,
    }
}
