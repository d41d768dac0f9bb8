//! The planner: from a brief to recommended ad sets with a budget split and forecasts, backed by
//! the history index (docs/brief.md §4, after Spotify's published MediaPlanner rules, made deterministic).
//!
//! 1. Candidates: the formats × placements (× platform for app installs) Spotify sells for the
//!    objective (`rules`), within the brief's constraints, in every target market (one country
//!    per ad set), each with the targeting its placement takes.
//! 2. Evidence and price: each candidate's CPM, CTR, KPI rate and delivery rate come from the most
//!    specific history segment with enough evidence (`index::Index::lookup` backs off); the CPM
//!    is then moved by the multipliers learned from the history for what the segment does not
//!    hold (`pricing`): season, targeting, gender, platform, city/region, market level.
//! 3. Reach and capacity: the audience model (`audience`) and the reach curve (`reach`) with the
//!    shape fitted for the format, placement and flight give each candidate the impressions it
//!    can buy within the weekly frequency cap.
//! 4. Count: by the budget in EUR (< 1,000 → 1; < 5,000 → 2; < 15,000 → 3; < 50,000 → 4; else 5),
//!    at least one per market, each a distinct combination; cheapest cost per KPI first.
//! 5. Split (`split`) and forecast (`forecast`), money converted once into the brief's currency.
//!
//! [`evaluate`] runs the same model at any budget (the budget→reach curve calls it).

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};

use super::audience::{self, Targeting};
use super::history::{platform_bit, targeting_id, GenderKey};
use super::index::{age_band, geo, CampaignNorms, Found, Index, Quartiles, Query};
use super::pricing::{self, PriceQuery};
use super::reach::Curve;
use super::split::{split, Room};
use super::{forecast, rules, AdSet, BidRange, Evidence, PlanForecast, PlannedBudget, PlannedSchedule, PriceFactor};
use crate::brief::{
    Assumption, Audience, Brief, BudgetType, Format, Gender, Location, Objective, Placement, Platform, Warning,
    WarningCode,
};
use crate::conversation::DEFAULT_OBJECTIVE;
use crate::markets::{Market, Markets, DEFAULT_COUNTRY};
use crate::present::{country_label, date, money, plural};

/// Planner settings (become configuration).
#[derive(Debug, Clone, PartialEq)]
pub struct PlannerSettings {
    /// Impressions per person per week for REACH (docs/brief.md §4 default 2).
    pub reach_frequency_cap: f64,
    /// The weekly cap for the other objectives.
    pub frequency_cap: f64,
    /// Evidence a segment needs before it is used (docs/brief.md §4 default 30 ad sets).
    pub min_ad_sets: u32,
    /// Flight length when history has nothing to recommend.
    pub fallback_days: i64,
    /// The market planned for when the brief names none.
    pub default_country: String,
    /// No figure comes from fewer advertisers than this (never fewer than 5).
    pub privacy_min_advertisers: u32,
}

impl Default for PlannerSettings {
    fn default() -> Self {
        PlannerSettings {
            reach_frequency_cap: 2.0,
            frequency_cap: 3.0,
            min_ad_sets: super::index::MIN_AD_SETS,
            fallback_days: 28,
            default_country: DEFAULT_COUNTRY.to_string(),
            privacy_min_advertisers: super::index::PRIVACY_MIN_ADVERTISERS,
        }
    }
}

/// The largest total a plan splits (in the plan's currency): anything larger is not a real
/// budget (a stray string of digits) and is planned at this cap, with an assumption.
pub const MAX_PLANNED_TOTAL: f64 = 1e12;
/// Delivery pacing of every ad set: spread evenly over the flight.
pub const PACING: &str = "EVEN";

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

/// One possible ad set with its evidence, price and reach curve.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    /// The market's code as two bytes ([`Candidate::country`] reads it as text).
    pub code: [u8; 2],
    pub format: Format,
    pub placement: Placement,
    pub platform: Option<Platform>,
    pub found: Found<'a>,
    /// The segment's CPM quartiles (USD) moved by `factors`.
    pub cpm_usd: Quartiles,
    pub factors: Vec<PriceFactor>,
    /// Cost per KPI in USD at the median, for ranking.
    pub cost_per_kpi_usd: f64,
    pub audience: u64,
    /// The brief's audience in this market, fitted to the placement. Shared by the candidates
    /// that differ only in platform ([`platforms_of`] gives the ad set's).
    pub targeting: Arc<Audience>,
    pub curve: Curve,
    /// Impressions it can buy in the flight within the frequency cap.
    pub capacity_impressions: f64,
}

impl Candidate<'_> {
    /// The market's code ("DE").
    pub fn country(&self) -> &str {
        std::str::from_utf8(&self.code).unwrap_or_default()
    }
}

/// Ad sets for a budget in EUR (docs/brief.md §4 tiers; ≥ 15,000 → 4, and 5 from 50,000).
pub fn ad_set_count(eur: f64) -> usize {
    match eur {
        x if x < 1_000.0 => 1,
        x if x < 5_000.0 => 2,
        x if x < 15_000.0 => 3,
        x if x < 50_000.0 => 4,
        _ => 5,
    }
}

/// The KPI counted for an objective (the machine id; `rules::kpi` has the label).
pub fn kpi_metric(o: Objective) -> super::Metric {
    rules::kpi(o).metric
}

fn gender_key(genders: &[Gender]) -> GenderKey {
    match genders {
        [Gender::Female] => GenderKey::Female,
        [Gender::Male] => GenderKey::Male,
        [Gender::NonBinary] => GenderKey::NonBinary,
        _ => GenderKey::All,
    }
}

/// Share of the country inside the ad set's named cities and regions (1 = the whole country).
fn local_share(t: &Audience, country: &str) -> f64 {
    let local: Vec<&Location> =
        t.locations.iter().filter(|l| l.country == country && (l.region.is_some() || l.city.is_some())).collect();
    if local.is_empty() {
        return 1.0;
    }
    local
        .iter()
        .map(|l| if l.city.is_some() { audience::CITY_SHARE } else { audience::REGION_SHARE })
        .sum::<f64>()
        .min(1.0)
}

/// The platforms an ad set runs on: its own one when it has one, else its audience's.
fn platforms_of<'x>(platform: &'x Option<Platform>, fitted: &'x Audience) -> &'x [Platform] {
    match platform {
        Some(_) => platform.as_slice(),
        None => &fitted.platforms,
    }
}

/// People in a market matching an ad set's targeting (the audience model) on `platforms`
/// ([`platforms_of`]).
fn audience_size(m: &Market, t: &Audience, platforms: &[Platform], placement: Placement, country: &str) -> u64 {
    let spec = Targeting {
        age_min: t.age_min,
        age_max: t.age_max,
        genders: &t.genders,
        lists: [t.interests.len(), t.genres.len(), t.contexts.len()],
        podcast_topics: t.podcast_topics.len(),
        languages: t.languages.len(),
        platforms: platforms.iter().fold(0, |acc, p| acc | platform_bit(*p)),
        placement: Some(placement),
        local_share: local_share(t, country),
    };
    audience::people(m, &spec).round().max(0.0) as u64
}

fn targeting_ids(a: &Audience) -> Vec<u16> {
    let mut ids = Vec::new();
    for (kind, list) in [("interest", &a.interests), ("genre", &a.genres), ("context", &a.contexts)] {
        ids.extend(list.iter().filter_map(|id| targeting_id(kind, id)));
    }
    ids
}

/// A recommended amount rounded to two significant figures ("12,345" → "12,000").
pub(crate) fn round_nicely(x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let magnitude = 10f64.powi(x.log10().floor() as i32 - 1);
    (x / magnitude).round() * magnitude
}

/// Plans a brief.
pub fn plan(brief: &Brief, index: &Index, markets: &Markets, settings: &PlannerSettings, today: NaiveDate) -> Planned {
    evaluate(brief, index, markets, settings, today, None)
}

/// Plans a brief at another budget (`budget_override`, a lifetime total in the plan's currency)
/// or at its own: the one reach and delivery model, callable at any budget (the budget→reach
/// curve and "what changes" figures use it).
pub fn evaluate(
    brief: &Brief,
    index: &Index,
    markets: &Markets,
    settings: &PlannerSettings,
    today: NaiveDate,
    budget_override: Option<f64>,
) -> Planned {
    prepare(brief, index, markets, settings, today).at(brief, markets, budget_override)
}

/// What a plan of a brief is made from before its budget is split: the markets, flight and
/// stated (or recommended) budget, and the candidates with their evidence, prices and reach
/// curves. Built once, it plans the brief at any budget ([`Prepared::at`]): the curve's eight
/// points share one set of candidates.
pub struct Prepared<'a> {
    objective: Objective,
    /// The markets planned for, as two bytes each, in the brief's order.
    codes: Vec<[u8; 2]>,
    currency: String,
    schedule: PlannedSchedule,
    budget: PlannedBudget,
    rate: f64,
    cap: f64,
    /// Cheapest cost per KPI first.
    candidates: Vec<Candidate<'a>>,
    /// What all the candidates could spend, in the plan's currency.
    max_budget: f64,
    assumptions: Vec<Assumption>,
    warnings: Vec<Warning>,
}

/// Steps 1–3 of a plan: everything but the budget's split.
pub fn prepare<'a>(
    brief: &Brief,
    index: &'a Index,
    markets: &Markets,
    settings: &PlannerSettings,
    today: NaiveDate,
) -> Prepared<'a> {
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
    let country_codes: Vec<[u8; 2]> = countries.iter().filter_map(|c| c.as_bytes().try_into().ok()).collect();
    let norms = index.norms(objective, &country_codes, settings.privacy_min_advertisers);
    let schedule = planned_schedule(brief, norms, settings, today, &mut assumptions);
    let budget = planned_budget(brief, norms, markets, &currency, schedule.days, &mut assumptions);
    let rate = markets.usd_rate(&currency).unwrap_or(1.0);
    let cap = if objective == Objective::Reach { settings.reach_frequency_cap } else { settings.frequency_cap };

    // 1–3. Candidates with evidence, prices and reach curves.
    let mut candidates = candidates(
        brief,
        objective,
        &countries,
        &schedule,
        cap,
        index,
        markets,
        settings,
        &mut assumptions,
        &mut warnings,
    );
    // The largest sensible budget: what every ad set Spotify sells for this brief could spend.
    let max_budget: f64 = candidates.iter().map(|c| room(c, rate).capacity).sum();
    // Cheapest cost per KPI first (a stable sort: equals keep their order), once for every
    // budget the plan and its curve choose at.
    candidates.sort_by(|a, b| a.cost_per_kpi_usd.total_cmp(&b.cost_per_kpi_usd));
    Prepared {
        objective,
        codes: country_codes,
        currency,
        schedule,
        budget,
        rate,
        cap,
        candidates,
        max_budget,
        assumptions,
        warnings,
    }
}

/// What the split needs of a candidate, in the plan's currency (`rate` per USD).
fn room(c: &Candidate, rate: f64) -> Room {
    let cpm = c.cpm_usd.p50 * rate;
    Room { capacity: c.capacity_impressions * cpm / 1000.0, cpm }
}

impl<'a> Prepared<'a> {
    /// The plan's budget (the brief's, or the recommended one).
    pub fn budget(&self) -> &PlannedBudget {
        &self.budget
    }

    /// Steps 4–5 at the plan's own budget, or at `budget_override` (a lifetime total in the
    /// plan's currency).
    pub fn at(&self, brief: &Brief, markets: &Markets, budget_override: Option<f64>) -> Planned {
        let (objective, currency, rate, cap) = (self.objective, self.currency.clone(), self.rate, self.cap);
        let mut assumptions = self.assumptions.clone();
        let mut warnings = self.warnings.clone();
        let budget = self.budget_at(budget_override);
        let split = self.split_at(brief, markets, &budget, &mut warnings, forecast::Detail::Full);
        if split.chosen.len() > split.tier {
            assumptions.push(Assumption::new(
                "plan.ad_sets",
                format!(
                    "{} ad sets, one per market at least (the budget alone suggests {})",
                    split.chosen.len(),
                    split.tier
                ),
            ));
        }
        let ad_sets: Vec<AdSet> = split
            .chosen
            .iter()
            .zip(&split.budgets)
            .zip(split.forecasts)
            .map(|((c, &b), f)| ad_set(c, b, budget.total, rate, cap, objective, f))
            .collect();
        let plan_forecast = split.forecast;
        if !ad_sets.is_empty() && !plan_forecast.likely_to_deliver {
            warnings.push(delivery_warning(&plan_forecast, &budget, &currency, self.schedule.days, cap));
        }
        let schedule = self.schedule.clone();
        Planned { objective, currency, budget, schedule, ad_sets, forecast: plan_forecast, assumptions, warnings }
    }

    /// The plan's forecast at a lifetime `total` in the plan's currency: the same choice, split
    /// and forecast as [`Prepared::at`], without building ad sets, notes or warnings, and with
    /// only the figures a point of the budget curve shows ([`forecast::Detail::Curve`]: the
    /// impressions, reach, frequency and KPI count; the rest is zero). `None` when nothing is
    /// planned.
    pub fn forecast_at(&self, brief: &Brief, markets: &Markets, total: f64) -> Option<(f64, PlanForecast)> {
        let budget = self.budget_at(Some(total));
        let split = self.split_at(brief, markets, &budget, &mut Vec::new(), forecast::Detail::Curve);
        (!split.chosen.is_empty()).then_some((budget.total, split.forecast))
    }

    /// The plan's budget, or a lifetime total in its place.
    fn budget_at(&self, budget_override: Option<f64>) -> PlannedBudget {
        match budget_override.filter(|b| b.is_finite() && *b >= 0.0) {
            Some(b) => PlannedBudget {
                total: forecast::cents(b.min(MAX_PLANNED_TOTAL)),
                amount: b,
                kind: BudgetType::Lifetime,
                recommended: false,
            },
            None => self.budget.clone(),
        }
    }

    /// Steps 4–5 without the ad sets' descriptions: which candidates, how much each, and the
    /// forecasts.
    fn split_at(
        &self,
        brief: &Brief,
        markets: &Markets,
        budget: &PlannedBudget,
        warnings: &mut Vec<Warning>,
        detail: forecast::Detail,
    ) -> Split<'_, 'a> {
        let (objective, rate) = (self.objective, self.rate);
        let candidates = &self.candidates;

        // 4. Choose the ad sets.
        let eur = markets.convert(budget.total, &self.currency, "EUR").unwrap_or(budget.total);
        let tier = ad_set_count(eur);
        let chosen = choose(candidates, &self.codes, tier);

        // 5. Split and forecast.
        let rooms: Vec<Room> = chosen.iter().map(|c| room(c, rate)).collect();
        let budgets = split(&chosen, &rooms, budget.total, brief, objective, warnings);
        let forecasts: Vec<_> =
            chosen.iter().zip(&budgets).map(|(c, &b)| forecast::ad_set(c, b, rate, objective, detail)).collect();
        let forecast = forecast::plan(&forecasts, &chosen, budget.total, objective, self.max_budget, detail);
        Split { tier, chosen, budgets, forecasts, forecast }
    }
}

/// The chosen candidates of a plan, their budgets and forecasts.
struct Split<'p, 'a> {
    /// Ad sets the budget alone suggests.
    tier: usize,
    chosen: Vec<&'p Candidate<'a>>,
    budgets: Vec<f64>,
    forecasts: Vec<super::AdSetForecast>,
    forecast: PlanForecast,
}

/// Why the plan is unlikely to deliver, and what it can spend.
fn delivery_warning(f: &PlanForecast, budget: &PlannedBudget, currency: &str, days: i64, cap: f64) -> Warning {
    let message = if f.unspent > forecast::UNSPENT_OK * budget.total {
        format!(
            "{} is more than this audience can absorb in {days} days at {cap} impressions a person a week: expect to spend about {} and leave {} unspent. The largest sensible budget for this brief is about {}",
            money(budget.total, currency),
            money(f.expected_spend.mid.round(), currency),
            money(f.unspent.round(), currency),
            money(round_nicely(f.max_budget), currency),
        )
    } else {
        format!(
            "These segments historically spend less than {:.0} % of their budgets: expect to spend less than {}",
            forecast::DELIVERY_OK * 100.0,
            money(budget.total, currency)
        )
    };
    Warning::new(WarningCode::UnlikelyToDeliver, "budget.amount", message)
}

#[allow(clippy::too_many_arguments)]
fn candidates<'a>(
    brief: &Brief,
    objective: Objective,
    countries: &[String],
    schedule: &PlannedSchedule,
    cap: f64,
    index: &'a Index,
    markets: &Markets,
    settings: &PlannerSettings,
    assumptions: &mut Vec<Assumption>,
    warnings: &mut Vec<Warning>,
) -> Vec<Candidate<'a>> {
    let (combos, conflict) = rules::legal_combinations(brief, objective);
    let (platforms, platform_conflict) = rules::targeting_platforms(objective, &brief.audience.platforms);
    warnings.extend(conflict.into_iter().chain(platform_conflict));
    let per_ad_set = rules::ad_set_platforms(objective, &platforms);
    let band = age_band(brief.audience.age_min, brief.audience.age_max);
    let gender = gender_key(&brief.audience.genders);
    let month_days = pricing::month_days(schedule.start, schedule.days);
    let mut out = Vec::new();
    let mut no_evidence: Vec<String> = Vec::new();
    let mut dropped: Vec<String> = Vec::new();
    for country in countries {
        let Some(market) = markets.get(country) else { continue };
        let Ok(code) = <[u8; 2]>::try_from(country.as_bytes()) else { continue };
        let mut base = brief.audience.clone();
        base.locations.retain(|l| &l.country == country);
        if base.locations.is_empty() {
            base.locations.push(Location::country(country));
        }
        base.platforms = platforms.clone();
        for &(format, placement) in &combos {
            let mut targeting = base.clone();
            for what in rules::fit_to_placement(&mut targeting, placement) {
                let note = format!("{what} (not sold on {} ad sets)", placement.id().to_lowercase());
                if !dropped.contains(&note) {
                    dropped.push(note);
                }
            }
            let ids = targeting_ids(&targeting);
            let targeting = Arc::new(targeting);
            for &platform in &per_ad_set {
                let q = Query { objective, format, placement, country: code, age_band: band, gender, targeting: &ids };
                let Some(found) = index.lookup(&q, settings.min_ad_sets, settings.privacy_min_advertisers) else {
                    no_evidence.push(format!("{} {} on {} in {country}", objective.id(), format.id(), placement.id()));
                    continue;
                };
                let platforms = platforms_of(&platform, &targeting);
                let single = match platforms {
                    [p] => Some(*p),
                    _ => None,
                };
                let factors = pricing::factors(
                    index.prices(),
                    &PriceQuery {
                        level: found.level,
                        month_days,
                        targeted: !ids.is_empty(),
                        gender,
                        platform: single,
                        local: local_share(&targeting, country) < 1.0,
                        country,
                        country_geo: geo(&code),
                    },
                );
                let cpm_usd = pricing::scaled(&found.segment.cpm_usd, pricing::product(&factors));
                let s = found.segment;
                let cost_per_kpi_usd =
                    if s.kpi_rate.p50 > 0.0 { cpm_usd.p50 / 1000.0 / s.kpi_rate.p50 } else { f64::INFINITY };
                let people = audience_size(market, &targeting, platforms, placement, country);
                let curve =
                    Curve::new(people as f64, schedule.days, index.shapes().shape(format, placement, schedule.days));
                out.push(Candidate {
                    code,
                    format,
                    placement,
                    platform,
                    found,
                    cpm_usd,
                    factors,
                    cost_per_kpi_usd,
                    audience: people,
                    targeting: Arc::clone(&targeting),
                    capacity_impressions: curve.capacity(cap),
                    curve,
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
    if !dropped.is_empty() {
        assumptions.push(Assumption::new(
            "plan.targeting",
            format!("Targeting a placement does not take is left off its ad sets: {}", dropped.join(", ")),
        ));
    }
    out
}

fn planned_schedule(
    brief: &Brief,
    norms: Option<(&CampaignNorms, Option<[u8; 2]>)>,
    settings: &PlannerSettings,
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
        return PlannedBudget { total: forecast::cents(total), amount: b.amount, kind: b.kind, recommended: false };
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

/// Picks ad sets from candidates sorted cheapest first: the cheapest candidate of every market
/// first, then the cheapest of the rest up to the tier; every pick a distinct combination within
/// its market.
fn choose<'p, 'a>(candidates: &'p [Candidate<'a>], countries: &[[u8; 2]], tier: usize) -> Vec<&'p Candidate<'a>> {
    let order = 0..candidates.len();
    let mut picked: Vec<usize> = Vec::with_capacity(tier.max(countries.len()));
    for country in countries {
        if let Some(i) = order.clone().find(|&i| candidates[i].code == *country) {
            picked.push(i);
        }
    }
    for i in order {
        if picked.len() >= tier.max(picked.len()) {
            break;
        }
        if !picked.contains(&i) {
            picked.push(i);
        }
    }
    picked.sort_by(|&a, &b| {
        let (ca, cb) = (&candidates[a], &candidates[b]);
        let pos = |c: &Candidate| countries.iter().position(|x| *x == c.code).unwrap_or(usize::MAX);
        pos(ca).cmp(&pos(cb)).then(ca.cost_per_kpi_usd.total_cmp(&cb.cost_per_kpi_usd)).then(a.cmp(&b))
    });
    picked.into_iter().map(|i| &candidates[i]).collect()
}

/// Appends an id in title case ("AUDIO" → "Audio").
fn push_title(out: &mut String, id: &str) {
    for (i, ch) in id.chars().enumerate() {
        match i {
            0 => out.extend(ch.to_uppercase()),
            _ => out.extend(ch.to_lowercase()),
        }
    }
}

/// "DE · Berlin · Audio · Music · iOS": the market, its city or region when targeted, the
/// format, the placement and the one platform.
fn ad_set_name(c: &Candidate) -> String {
    const SEP: &str = " · ";
    let mut name = String::with_capacity(48);
    name.push_str(c.country());
    for l in c.targeting.locations.iter().filter(|l| l.country == c.country()) {
        if let Some(place) = l.city.as_ref().or(l.region.as_ref()) {
            name.push_str(SEP);
            name.push_str(place);
        }
    }
    name.push_str(SEP);
    push_title(&mut name, c.format.id());
    name.push_str(SEP);
    push_title(&mut name, c.placement.id());
    if let Some(p) = c.platform {
        name.push_str(SEP);
        name.push_str(match p {
            Platform::Ios => "iOS",
            Platform::Android => "Android",
            Platform::Desktop => "Desktop",
        });
    }
    name
}

fn ad_set(
    c: &Candidate,
    budget: f64,
    total: f64,
    rate: f64,
    cap: f64,
    objective: Objective,
    forecast: super::AdSetForecast,
) -> AdSet {
    let s = c.found.segment;
    let bid = BidRange { low: forecast::cents(c.cpm_usd.p50 * rate), high: forecast::cents(c.cpm_usd.p75 * rate) };
    let mut method = String::from(c.found.level.method());
    if !c.factors.is_empty() {
        method.push_str("; prices: ");
        pricing::describe_into(&mut method, &c.factors);
    }
    AdSet {
        name: ad_set_name(c),
        format: c.format,
        placement: c.placement,
        objective,
        targeting: Audience {
            platforms: platforms_of(&c.platform, &c.targeting).to_vec(),
            ..Audience::clone(&c.targeting)
        },
        platform: c.platform,
        budget,
        share: if total > 0.0 { budget / total } else { 0.0 },
        bid_cpm: bid.high,
        bid_cpm_range: bid,
        frequency_cap: cap,
        pacing: Cow::Borrowed(PACING),
        bid_strategy: Cow::Borrowed(&rules::kpi(objective).bid_strategy),
        creative: Cow::Borrowed(rules::creative_checklist(c.format)),
        forecast,
        evidence: Evidence {
            ad_sets: s.ad_sets,
            advertisers: s.advertisers,
            method,
            level: c.found.level,
            price_factors: c.factors.clone(),
        },
    }
}
