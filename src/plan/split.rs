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

/// The ad sets of one split and their bounds.
struct Pour<'s> {
    margin: Vec<Margin>,
    /// What each holds before the pour (its floor) and the most it can hold.
    low: Vec<f64>,
    high: Vec<f64>,
    /// Each ad set's format (an index into `Format::ALL`) and the cap of each format (money).
    format_of: Vec<usize>,
    cap: &'s [f64; Format::ALL.len()],
}

impl Pour<'_> {
    /// What ad set `i` holds at `level`.
    fn at(&self, i: usize, level: f64) -> f64 {
        let x = self.margin[i].money_at(level);
        if x.is_nan() {
            return self.low[i];
        }
        x.clamp(self.low[i], self.high[i].max(self.low[i]))
    }

    /// What the ad sets of format `f` hold at `level`, before the format's cap.
    fn format_at(&self, f: usize, level: f64) -> f64 {
        (0..self.low.len()).filter(|&i| self.format_of[i] == f).map(|i| self.at(i, level)).sum()
    }

    /// What the split holds at `level`: each format within its cap.
    fn total_at(&self, level: f64) -> f64 {
        let mut by_format = [0.0; Format::ALL.len()];
        for i in 0..self.low.len() {
            by_format[self.format_of[i]] += self.at(i, level);
        }
        by_format.iter().zip(self.cap).map(|(&held, &cap)| held.min(cap)).sum()
    }

    /// A level bracket `(lo, hi)` with `holds(lo) ≤ target`: from the lowest level any ad set
    /// is at, up until `holds(hi) ≥ target` or no ad set can take more.
    fn bracket(&self, members: &[usize], target: f64, holds: impl Fn(f64) -> f64) -> (f64, f64) {
        let levels = members.iter().map(|&i| self.margin[i].level(self.low[i])).filter(|l| l.is_finite());
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
    fn level_for(&self, members: &[usize], target: f64, holds: impl Fn(f64) -> f64) -> f64 {
        let (mut lo, mut hi) = self.bracket(members, target, &holds);
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
    let format_of: Vec<usize> =
        chosen.iter().map(|c| Format::ALL.iter().position(|&f| f == c.format).unwrap_or(0)).collect();

    // The floor: an even share for every ad set, within its format's cap and its capacity.
    let mut low = vec![0.0; k];
    let mut used = [0.0; Format::ALL.len()];
    let floor = FLOOR_SHARE * total / k as f64;
    for i in 0..k {
        let f = format_of[i];
        low[i] = floor.min((cap[f] - used[f]).max(0.0)).min(rooms[i].capacity.max(0.0));
        used[f] += low[i];
    }
    let rest = total - low.iter().sum::<f64>();
    if rest <= total * 1e-12 {
        return exact_cents(&low, total);
    }
    let pour = Pour {
        margin: (0..k).map(|i| Margin::of(chosen[i], rooms[i], objective)).collect(),
        high: (0..k).map(|i| rooms[i].capacity.max(0.0)).collect(),
        low,
        format_of,
        cap: &cap,
    };
    let all: Vec<usize> = (0..k).collect();

    // One level for the whole split; a format that would pass its cap there is held at its cap
    // by a lower level of its own.
    let level = pour.level_for(&all, total, |l| pour.total_at(l));
    let mut x: Vec<f64> = (0..k).map(|i| pour.at(i, level)).collect();
    for (f, &limit) in cap.iter().enumerate() {
        if pour.format_at(f, level) <= limit {
            continue;
        }
        let members: Vec<usize> = all.iter().copied().filter(|&i| pour.format_of[i] == f).collect();
        let own = pour.level_for(&members, limit, |l| pour.format_at(f, l));
        // The level holds the cap to a hair either side: scaled onto it when above, a format
        // never holds more than its cap.
        let held: f64 = members.iter().map(|&i| pour.at(i, own)).sum();
        let scale = if held > limit && held > 0.0 { limit / held } else { 1.0 };
        for &i in &members {
            x[i] = pour.at(i, own) * scale;
        }
    }

    // What no ad set can take: to the uncapped formats when a cap is what stops the others,
    // else in proportion to capacity (forecast as unspent).
    let rest = total - x.iter().sum::<f64>();
    if rest > total * 1e-9 {
        let blocked_by_format = (0..k).any(|i| {
            x[i] < pour.high[i] * (1.0 - 1e-9) && pour.format_at(pour.format_of[i], level) >= cap[pour.format_of[i]]
        });
        let open: Vec<usize> = (0..k).filter(|&i| !caps.contains_key(&chosen[i].format)).collect();
        let targets: Vec<usize> = if blocked_by_format && !open.is_empty() { open } else { all };
        let weight: f64 = targets.iter().map(|&i| rooms[i].capacity.max(0.0)).sum();
        for &i in &targets {
            let w = if weight > 0.0 { rooms[i].capacity.max(0.0) / weight } else { 1.0 / targets.len() as f64 };
            x[i] += rest * w;
        }
    }
    exact_cents(&x, total)
}

/// Rounds to cents and puts the rounding remainder on the largest amount, so the parts sum to
/// the total exactly.
pub fn exact_cents(x: &[f64], total: f64) -> Vec<f64> {
    let total_cents = (total * 100.0).round() as i64;
    let sum: f64 = x.iter().sum();
    if sum <= 0.0 {
        let mut even = vec![0.0; x.len()];
        if let Some(first) = even.first_mut() {
            *first = total;
        }
        return exact_cents_nonzero(&even, total_cents);
    }
    exact_cents_nonzero(x, total_cents)
}

fn exact_cents_nonzero(x: &[f64], total_cents: i64) -> Vec<f64> {
    let sum: f64 = x.iter().sum();
    let mut c: Vec<i64> =
        x.iter().map(|v| (v / sum.max(f64::MIN_POSITIVE) * total_cents as f64).round() as i64).collect();
    let diff = total_cents - c.iter().sum::<i64>();
    if let Some(i) = (0..c.len()).max_by(|&a, &b| c[a].cmp(&c[b]).then(b.cmp(&a))) {
        c[i] += diff;
    }
    c.into_iter().map(|v| v as f64 / 100.0).collect()
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
        let low = vec![0.0; margin.len()];
        Pour { margin, low, high, format_of, cap }
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
        let all = [0, 1, 2];
        let level = p.level_for(&all, 3_000.0, |l| p.total_at(l));
        let x: Vec<f64> = all.iter().map(|&i| p.at(i, level)).collect();
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
        let level = p.level_for(&[0, 1, 2], 4_000.0, |l| p.total_at(l));
        assert!(p.format_at(1, level) > 500.0, "uncapped, format 1 would take more");
        assert!((p.total_at(level) - 4_000.0).abs() < 1e-3);
        let own = p.level_for(&[1], 500.0, |l| p.format_at(1, l));
        assert!(own < level && (p.at(1, own) - 500.0).abs() < 1e-3);
    }
}
