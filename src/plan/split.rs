//! The budget split: a floor per ad set, then the rest where it is cheapest at the margin. The
//! marginal cost per KPI of an ad set is penalised by its historical under-delivery and rises as
//! it nears what it can deliver (for REACH the true marginal cost of a person on the reach
//! curve); the rest is poured in until every ad set that can take more costs the same at the
//! margin (water-filling: one level found by false position, and a lower one inside a format
//! held at its cap), within the brief's format caps and each ad set's capacity. Budget no ad set
//! can deliver is booked in proportion to capacity and forecast as unspent, never as delivered.

use super::planner::Candidate;
use crate::brief::{Brief, Format, Objective, Warning, WarningCode};

/// Share of a budget every chosen ad set gets before the rest is split (spread over the set).
const FLOOR_SHARE: f64 = 0.4;
/// Most steps spent finding a level (a few are enough; see [`Pour::level_for`]).
const LEVEL_STEPS: usize = 60;

/// What the split needs of an ad set, in the plan's currency.
#[derive(Debug, Clone, Copy)]
pub struct Room {
    /// The most it can spend within its frequency cap and audience.
    pub capacity: f64,
    /// Its median CPM.
    pub cpm: f64,
}

/// How the marginal cost per KPI of an ad set rises with the money `x` it holds, kept as the
/// inverse the split needs: the money at which the marginal cost reaches a level. Levels are
/// compared only within one split, whose ad sets share the objective and so the scale.
#[derive(Debug, Clone, Copy)]
enum Margin {
    /// REACH: dR/dI = e^(−I/(C·φ)), so the cost of one more person is base·e^(x·p) with
    /// p = 1000 / (CPM·C·φ). Levels are its logarithm, ln(base) + x·p: linear in `x`.
    Reach { ln_base: f64, per_money: f64 },
    /// The others (and an ad set without a price): base / (1 − x / capacity), on the level scale
    /// of the split (`log` for REACH).
    Capacity { base: f64, capacity: f64, log: bool },
}

impl Margin {
    fn of(c: &Candidate, room: Room, objective: Objective) -> Margin {
        let delivery = c.found.segment.delivery.p50.clamp(0.05, 1.0);
        let base = c.cost_per_kpi_usd / delivery;
        let reach = objective == Objective::Reach;
        if reach && room.cpm > 0.0 {
            let denom = (c.curve.ceiling * c.curve.shape).max(1.0);
            let per_money = 1000.0 / room.cpm / denom;
            if per_money.is_finite() && per_money > 0.0 {
                return Margin::Reach { ln_base: base.ln(), per_money };
            }
        }
        Margin::Capacity { base: if reach { base.ln() } else { base }, capacity: room.capacity.max(0.0), log: reach }
    }

    /// The level at `x`.
    fn level(self, x: f64) -> f64 {
        match self {
            Margin::Reach { ln_base, per_money } => ln_base + x * per_money,
            Margin::Capacity { base, capacity, log } => {
                let free = if capacity > 0.0 { 1.0 - x / capacity } else { 0.0 };
                if log {
                    base - free.ln()
                } else {
                    base / free
                }
            }
        }
    }

    /// The money at which the marginal cost reaches `level` (unbounded: the caller clamps).
    fn money_at(self, level: f64) -> f64 {
        match self {
            Margin::Reach { ln_base, per_money } => (level - ln_base) / per_money,
            Margin::Capacity { base, capacity, log } => {
                // Nothing beyond the floor until the level passes the ad set's base cost.
                if level <= base {
                    return 0.0;
                }
                let free = if log { (base - level).exp() } else { base / level };
                capacity * (1.0 - free)
            }
        }
    }
}

/// One ad set of a split: how its marginal cost rises, what it holds before the pour (its floor)
/// and the most it can hold, and its format (an index into `Format::ALL`).
#[derive(Debug, Clone, Copy)]
struct Slot {
    margin: Margin,
    low: f64,
    high: f64,
    format: usize,
}

/// The ad sets of one split and the cap of each format (money).
struct Pour<'s> {
    slots: Vec<Slot>,
    cap: &'s [f64; Format::ALL.len()],
}

impl Pour<'_> {
    /// What ad set `i` holds at `level`.
    fn at(&self, i: usize, level: f64) -> f64 {
        let s = &self.slots[i];
        let x = s.margin.money_at(level);
        if x.is_nan() {
            return s.low;
        }
        x.clamp(s.low, s.high.max(s.low))
    }

    /// The ad sets of format `f`, or all of them.
    fn members(&self, f: Option<usize>) -> impl Iterator<Item = usize> + '_ {
        (0..self.slots.len()).filter(move |&i| f.is_none_or(|f| self.slots[i].format == f))
    }

    /// What the ad sets of format `f` hold at `level`, before the format's cap.
    fn format_at(&self, f: usize, level: f64) -> f64 {
        self.members(Some(f)).map(|i| self.at(i, level)).sum()
    }

    /// What the split holds at `level`: each format within its cap.
    fn total_at(&self, level: f64) -> f64 {
        let mut by_format = [0.0; Format::ALL.len()];
        for i in 0..self.slots.len() {
            by_format[self.slots[i].format] += self.at(i, level);
        }
        by_format.iter().zip(self.cap).map(|(&held, &cap)| held.min(cap)).sum()
    }

    /// A level bracket `(lo, hi)` with `holds(lo) ≤ target`: from the lowest level any member
    /// (of format `f`, or any) is at, up until `holds(hi) ≥ target` or no ad set can take more.
    fn bracket(&self, f: Option<usize>, target: f64, holds: impl Fn(f64) -> f64) -> (f64, f64) {
        let levels = self.members(f).map(|i| self.slots[i].margin.level(self.slots[i].low)).filter(|l| l.is_finite());
        let lo = levels.fold(f64::INFINITY, f64::min);
        let lo = if lo.is_finite() { lo } else { 0.0 };
        let mut span = lo.abs().max(1.0);
        let mut hi = lo + span;
        for _ in 0..64 {
            if holds(hi) >= target {
                break;
            }
            span *= 2.0;
            hi = lo + span;
        }
        (lo, hi)
    }

    /// The level at which `holds` reaches `target` (or the bracket's top when it cannot), to a
    /// hundred-millionth of the target: false position with the Illinois correction, which
    /// converges in a few steps on these smooth, increasing curves (exact on REACH's lines).
    fn level_for(&self, f: Option<usize>, target: f64, holds: impl Fn(f64) -> f64) -> f64 {
        let (mut lo, mut hi) = self.bracket(f, target, &holds);
        let (mut f_lo, mut f_hi) = (holds(lo) - target, holds(hi) - target);
        if f_hi < 0.0 {
            return hi;
        }
        let tolerance = 1e-8 * target.abs().max(1.0);
        // Which end moved last (−1 low, 1 high): twice the same end halves the other's weight.
        let mut last = 0;
        for _ in 0..LEVEL_STEPS {
            let mut mid = (lo * f_hi - hi * f_lo) / (f_hi - f_lo);
            if !(mid > lo && mid < hi) {
                mid = 0.5 * (lo + hi);
                if !(mid > lo && mid < hi) {
                    break;
                }
            }
            let f_mid = holds(mid) - target;
            if f_mid.abs() <= tolerance {
                return mid;
            }
            if f_mid > 0.0 {
                (hi, f_hi) = (mid, f_mid);
                if last == 1 {
                    f_lo *= 0.5;
                }
                last = 1;
            } else {
                (lo, f_lo) = (mid, f_mid);
                if last == -1 {
                    f_hi *= 0.5;
                }
                last = -1;
            }
        }
        hi
    }
}

/// Splits `total` over the chosen ad sets. Budgets are in cents and sum to `total` exactly.
pub fn split(
    chosen: &[&Candidate],
    rooms: &[Room],
    total: f64,
    brief: &Brief,
    objective: Objective,
    warnings: &mut Vec<Warning>,
) -> Vec<f64> {
    let k = chosen.len();
    if k == 0 {
        return Vec::new();
    }
    let caps = &brief.formats.max_share;
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
    let cap: [f64; Format::ALL.len()] =
        Format::ALL.map(|f| if respect_caps { caps.get(&f).copied().unwrap_or(1.0) * total } else { f64::INFINITY });
    // The floor: an even share for every ad set, within its format's cap and its capacity.
    let mut used = [0.0; Format::ALL.len()];
    let floor = FLOOR_SHARE * total / k as f64;
    let slots: Vec<Slot> = (0..k)
        .map(|i| {
            let format = Format::ALL.iter().position(|&f| f == chosen[i].format).unwrap_or(0);
            let low = floor.min((cap[format] - used[format]).max(0.0)).min(rooms[i].capacity.max(0.0));
            used[format] += low;
            Slot { margin: Margin::of(chosen[i], rooms[i], objective), low, high: rooms[i].capacity.max(0.0), format }
        })
        .collect();
    let mut x: Vec<f64> = slots.iter().map(|s| s.low).collect();
    let rest = total - x.iter().sum::<f64>();
    if rest <= total * 1e-12 {
        exact_cents(&mut x, total);
        return x;
    }
    let pour = Pour { slots, cap: &cap };

    // One level for the whole split; a format that would pass its cap there is held at its cap
    // by a lower level of its own.
    let level = pour.level_for(None, total, |l| pour.total_at(l));
    for (i, x) in x.iter_mut().enumerate() {
        *x = pour.at(i, level);
    }
    for (f, &limit) in cap.iter().enumerate() {
        if pour.format_at(f, level) <= limit {
            continue;
        }
        let own = pour.level_for(Some(f), limit, |l| pour.format_at(f, l));
        // The level holds the cap to a hair either side: scaled onto it when above, a format
        // never holds more than its cap.
        let held: f64 = pour.members(Some(f)).map(|i| pour.at(i, own)).sum();
        let scale = if held > limit && held > 0.0 { limit / held } else { 1.0 };
        for i in pour.members(Some(f)) {
            x[i] = pour.at(i, own) * scale;
        }
    }

    // What no ad set can take: to the uncapped formats when a cap is what stops the others,
    // else in proportion to capacity (forecast as unspent).
    let rest = total - x.iter().sum::<f64>();
    if rest > total * 1e-9 {
        let blocked_by_format = (0..k).any(|i| {
            let s = &pour.slots[i];
            x[i] < s.high * (1.0 - 1e-9) && pour.format_at(s.format, level) >= cap[s.format]
        });
        let open: Vec<usize> = (0..k).filter(|&i| !caps.contains_key(&chosen[i].format)).collect();
        let targets: Vec<usize> = if blocked_by_format && !open.is_empty() { open } else { (0..k).collect() };
        let weight: f64 = targets.iter().map(|&i| rooms[i].capacity.max(0.0)).sum();
        for &i in &targets {
            let w = if weight > 0.0 { rooms[i].capacity.max(0.0) / weight } else { 1.0 / targets.len() as f64 };
            x[i] += rest * w;
        }
    }
    exact_cents(&mut x, total);
    x
}

/// Rounds the parts of `total` in `x` to cents, in place, and puts the rounding remainder on
/// the largest, so they sum to the total exactly (all of it on the first when `x` holds
/// nothing).
pub fn exact_cents(x: &mut [f64], total: f64) {
    let total_cents = (total * 100.0).round() as i64;
    if x.iter().sum::<f64>() <= 0.0 {
        x.fill(0.0);
        if let Some(first) = x.first_mut() {
            *first = total;
        }
    }
    let sum: f64 = x.iter().sum();
    // Whole cents, kept as floats (exact below 2^53) until the remainder is placed.
    let mut held = 0i64;
    for v in x.iter_mut() {
        let c = (*v / sum.max(f64::MIN_POSITIVE) * total_cents as f64).round() as i64;
        held += c;
        *v = c as f64;
    }
    let largest = (0..x.len()).max_by(|&a, &b| (x[a] as i64).cmp(&(x[b] as i64)).then(b.cmp(&a)));
    if let Some(i) = largest {
        x[i] = (x[i] as i64 + total_cents - held) as f64;
    }
    for v in x.iter_mut() {
        *v = (*v as i64) as f64 / 100.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_money_at_a_level_inverts_the_level() {
        let margins = [
            Margin::Reach { ln_base: -3.0, per_money: 2e-4 },
            Margin::Capacity { base: 0.4, capacity: 9_000.0, log: false },
            Margin::Capacity { base: (0.4f64).ln(), capacity: 9_000.0, log: true },
        ];
        for m in margins {
            for x in [0.0, 10.0, 1_000.0, 8_000.0] {
                let back = m.money_at(m.level(x));
                assert!((back - x).abs() < 1e-6 * x.max(1.0), "{m:?}: {x} → {back}");
            }
            assert!(m.level(2_000.0) > m.level(1_000.0), "{m:?}: dearer with more money");
        }
    }

    fn pour(margin: Vec<Margin>, high: Vec<f64>, format_of: Vec<usize>, cap: &[f64; Format::ALL.len()]) -> Pour<'_> {
        let slots = (0..margin.len())
            .map(|i| Slot { margin: margin[i], low: 0.0, high: high[i], format: format_of[i] })
            .collect();
        Pour { slots, cap }
    }

    #[test]
    fn the_rest_is_poured_to_one_level() {
        let cap = [f64::INFINITY; Format::ALL.len()];
        let p = pour(
            vec![
                Margin::Reach { ln_base: 0.0, per_money: 1e-3 },
                Margin::Reach { ln_base: 0.5, per_money: 2e-3 },
                Margin::Reach { ln_base: 9.0, per_money: 1e-3 },
            ],
            vec![f64::INFINITY, f64::INFINITY, f64::INFINITY],
            vec![0, 0, 0],
            &cap,
        );
        let level = p.level_for(None, 3_000.0, |l| p.total_at(l));
        let x: Vec<f64> = (0..3).map(|i| p.at(i, level)).collect();
        assert!((x.iter().sum::<f64>() - 3_000.0).abs() < 1e-3, "{x:?}");
        // Level 0.5 + 2e-3·x₁ = 1e-3·x₀ with x₀ + x₁ = 3,000: x₀ = 2,166.7, x₁ = 833.3.
        assert!((x[0] - 2_166.67).abs() < 0.01 && (x[1] - 833.33).abs() < 0.01, "{x:?}");
        assert_eq!(x[2], 0.0, "an ad set dearer than the level at its floor gets nothing more");
    }

    #[test]
    fn a_format_at_its_cap_gets_a_lower_level_of_its_own() {
        let mut cap = [f64::INFINITY; Format::ALL.len()];
        cap[1] = 500.0;
        let p = pour(
            vec![
                Margin::Capacity { base: 1.0, capacity: 10_000.0, log: false },
                Margin::Capacity { base: 1.0, capacity: 10_000.0, log: false },
                Margin::Capacity { base: 2.0, capacity: 10_000.0, log: false },
            ],
            vec![10_000.0, 10_000.0, 10_000.0],
            vec![0, 1, 0],
            &cap,
        );
        let level = p.level_for(None, 4_000.0, |l| p.total_at(l));
        assert!(p.format_at(1, level) > 500.0, "uncapped, format 1 would take more");
        assert!((p.total_at(level) - 4_000.0).abs() < 1e-3);
        let own = p.level_for(Some(1), 500.0, |l| p.format_at(1, l));
        assert!(own < level && (p.at(1, own) - 500.0).abs() < 1e-3);
    }
}
