//! The budget split: a floor per ad set, then the rest in small steps to the ad set with the
//! lowest marginal cost per KPI — penalised by its historical under-delivery, and rising as it
//! nears what it can deliver (for REACH the true marginal cost of a person on the reach curve) —
//! within the brief's format caps and each ad set's capacity. Budget no ad set can deliver is
//! booked in proportion to capacity and forecast as unspent, never as delivered.

use super::planner::Candidate;
use crate::brief::{Brief, Format, Objective, Warning, WarningCode};

/// Share of a budget every chosen ad set gets before the greedy split (spread over the set).
const FLOOR_SHARE: f64 = 0.4;
/// Steps the rest of the budget is split in.
const SPLIT_STEPS: usize = 200;

/// What the split needs of an ad set, in the plan's currency.
#[derive(Debug, Clone, Copy)]
pub struct Room {
    /// The most it can spend within its frequency cap and audience.
    pub capacity: f64,
    /// Its median CPM.
    pub cpm: f64,
}

/// Marginal cost per KPI of ad set `i` when it holds `x` (relative units: only comparisons matter).
fn marginal(c: &Candidate, room: Room, x: f64, objective: Objective) -> f64 {
    let delivery = c.found.segment.delivery.p50.clamp(0.05, 1.0);
    let base = c.cost_per_kpi_usd / delivery;
    if objective == Objective::Reach && room.cpm > 0.0 {
        // dR/dI = e^(−I/(C·φ)): the cost of one more person grows as the curve flattens.
        let impressions = x / room.cpm * 1000.0;
        let denom = (c.curve.ceiling * c.curve.shape).max(1.0);
        return base * (impressions / denom).min(50.0).exp();
    }
    let u = if room.capacity > 0.0 { x / room.capacity } else { f64::INFINITY };
    base * if u < 0.95 { 1.0 / (1.0 - u) } else { 20.0 * u }
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
    let used = |x: &[f64], f: Format| -> f64 { (0..k).filter(|&j| chosen[j].format == f).map(|j| x[j]).sum() };
    let mut x = vec![0.0; k];
    let floor = FLOOR_SHARE * total / k as f64;
    for i in 0..k {
        let format_room =
            if respect_caps { (format_cap(chosen[i].format) - used(&x, chosen[i].format)).max(0.0) } else { floor };
        x[i] = floor.min(format_room).min(rooms[i].capacity.max(0.0));
    }
    let step = (total - x.iter().sum::<f64>()).max(0.0) / SPLIT_STEPS as f64;
    if step <= 0.0 {
        return exact_cents(&x, total);
    }
    // The marginal cost of one more step on each ad set: only the one that got the last step
    // changes, so the others are kept (the split is ~200 steps, the curve runs it 8 times a plan).
    let mut next: Vec<Option<f64>> = vec![None; k];
    // Each ad set's format (as an index into `Format::ALL`) and its format's cap, looked up once.
    let format_of: Vec<usize> =
        chosen.iter().map(|c| Format::ALL.iter().position(|&f| f == c.format).unwrap_or(0)).collect();
    let cap_of: Vec<f64> = chosen.iter().map(|c| format_cap(c.format)).collect();
    loop {
        let mut best: Option<(usize, f64)> = None;
        let mut blocked_by_format = false;
        // What each format holds before this step (once per format, not once per ad set).
        let used_now = if respect_caps { Format::ALL.map(|f| used(&x, f)) } else { [0.0; Format::ALL.len()] };
        for i in 0..k {
            if respect_caps && used_now[format_of[i]] + step > cap_of[i] + 1e-9 {
                blocked_by_format |= x[i] + step <= rooms[i].capacity;
                continue;
            }
            if x[i] + step > rooms[i].capacity {
                continue;
            }
            let m = *next[i].get_or_insert_with(|| marginal(chosen[i], rooms[i], x[i] + step, objective));
            if best.is_none_or(|(_, b)| m < b) {
                best = Some((i, m));
            }
        }
        let rest = total - x.iter().sum::<f64>();
        if rest <= step * 1e-6 {
            break;
        }
        match best {
            Some((i, _)) => {
                x[i] += step.min(rest);
                next[i] = None;
            }
            None => {
                // No ad set can take more within the caps. Format caps first: the rest goes to
                // the uncapped formats; else every ad set is full: the rest is booked in
                // proportion to capacity and forecast as unspent.
                let open: Vec<usize> = (0..k).filter(|&i| !caps.contains_key(&chosen[i].format)).collect();
                let targets: Vec<usize> = if blocked_by_format && !open.is_empty() { open } else { (0..k).collect() };
                let weight: f64 = targets.iter().map(|&i| rooms[i].capacity.max(0.0)).sum();
                for &i in &targets {
                    let w = if weight > 0.0 { rooms[i].capacity.max(0.0) / weight } else { 1.0 / targets.len() as f64 };
                    x[i] += rest * w;
                }
                break;
            }
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
