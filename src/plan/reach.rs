//! The reach and delivery model: the one place that turns impressions into people, and says how
//! many impressions an ad set can buy at all. The planner, the budget→reach curve and the
//! "what changed" figures all go through [`Curve`].
//!
//! - **Who can be reached in the flight.** Of an ad set's targetable audience `A`, a share
//!   [`WEEKLY_ACTIVE`] listens in any one week; over `w` weeks `A·(1 − (1 − a)^w)` listen at least
//!   once. Reach never exceeds [`REACH_CEILING`] (90 %) of those: the ceiling `C`.
//! - **Reach from impressions** saturates: `R(I) = C·(1 − e^(−I / (C·φ)))`. At low impressions
//!   `R ≈ I / φ`: `φ` is the frequency of a lightly bought ad set, the *shape*, fitted from the
//!   history's own reach and impressions by format, placement and flight length
//!   (`index::ReachShapes`). For the same impressions a longer flight reaches at least as many
//!   people (its ceiling is higher and its fitted shape no larger).
//! - **Capacity.** Weekly frequency `I / (R·max(w, 1))` rises with `I`; the impressions an ad set
//!   can buy are the most at which it is still within the frequency cap. Budget beyond that is
//!   not forecast as delivered.
//! - **3+ reach.** Exposures of the people reached are taken as zero-truncated Poisson with the
//!   plan's mean frequency.

/// Share of an ad set's audience that listens in a given week. Configuration.
pub const WEEKLY_ACTIVE: f64 = 0.45;
/// Reach never passes this share of the people active during the flight.
pub const REACH_CEILING: f64 = 0.9;
/// Shape (frequency of a lightly bought ad set) when the history has too little to fit one.
pub const DEFAULT_SHAPE: f64 = 1.5;
/// When the cap is tighter than the shape allows (a cap below the frequency of a lightly bought
/// ad set), capacity is what the curve gives at this many impressions per person reached: a small
/// amount that the plan then reports as unspent budget, never an error.
const MIN_FREQUENCY_HEADROOM: f64 = 1.02;

/// Weeks of a flight (fractional).
pub fn weeks(days: i64) -> f64 {
    days.max(1) as f64 / 7.0
}

/// People of an audience who listen at least once in the flight.
pub fn active(audience: f64, days: i64) -> f64 {
    audience.max(0.0) * (1.0 - (1.0 - WEEKLY_ACTIVE).powf(weeks(days)))
}

/// The reach curve of one ad set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Curve {
    /// The most people the ad set can reach in the flight.
    pub ceiling: f64,
    /// Frequency of a lightly bought ad set (≥ 1).
    pub shape: f64,
    /// Weeks over which weekly frequency is counted (at least one).
    pub weeks: f64,
}

impl Curve {
    /// The curve of an ad set with `audience` people over `days`, of the given shape.
    pub fn new(audience: f64, days: i64, shape: f64) -> Curve {
        Curve {
            ceiling: REACH_CEILING * active(audience, days),
            shape: if shape.is_finite() { shape.max(1.0) } else { DEFAULT_SHAPE },
            weeks: weeks(days).max(1.0),
        }
    }

    /// People reached by `impressions`.
    pub fn reach(&self, impressions: f64) -> f64 {
        if self.ceiling <= 0.0 || impressions <= 0.0 {
            return 0.0;
        }
        let r = self.ceiling * -(-impressions / (self.ceiling * self.shape)).exp_m1();
        r.min(impressions)
    }

    /// Impressions per person reached per week.
    pub fn weekly_frequency(&self, impressions: f64) -> f64 {
        let r = self.reach(impressions);
        if r > 0.0 {
            impressions / r / self.weeks
        } else {
            0.0
        }
    }

    /// The most impressions that keep the weekly frequency within `cap`.
    pub fn capacity(&self, cap: f64) -> f64 {
        if self.ceiling <= 0.0 {
            return 0.0;
        }
        // I / R = φ·g(x) with x = I / (C·φ) and g(x) = x / (1 − e^(−x)), increasing from 1.
        let target = (cap * self.weeks / self.shape).max(MIN_FREQUENCY_HEADROOM);
        poisson_rate(target) * self.ceiling * self.shape
    }

    /// The impressions that reach `people` (the inverse of [`Curve::reach`]); `None` when the
    /// curve never gets there.
    pub fn impressions_for(&self, people: f64) -> Option<f64> {
        if people <= 0.0 {
            return Some(0.0);
        }
        if people >= self.ceiling {
            return None;
        }
        Some(-self.ceiling * self.shape * (-(people / self.ceiling)).ln_1p())
    }
}

/// The Poisson rate λ whose zero-truncated mean λ / (1 − e^(−λ)) is `mean` (> 1): the 3+ reach,
/// and the capacity (the same function of impressions over the curve's scale).
///
/// Newton's method: the function is increasing and convex, so from a start above the root
/// every step lands above it and closer. The start is min(mean, 2·(mean − 1)), above the root
/// since λ / (1 − e^(−λ)) exceeds both λ and 1 + λ/2; a few steps reach full precision (a
/// bisection took sixty, and this runs for every candidate and for every scenario of every ad
/// set at every point of the budget curve).
fn poisson_rate(mean: f64) -> f64 {
    let mut l = mean.min(2.0 * (mean - 1.0));
    for _ in 0..100 {
        // d = 1 − e^(−λ), computed without cancellation for small λ.
        let d = -(-l).exp_m1();
        let g = l / d - mean;
        let slope = (d - l * (1.0 - d)) / (d * d);
        if slope.is_nan() || slope <= 0.0 || !g.is_finite() {
            break;
        }
        let next = (l - g / slope).max(l * 1e-3);
        let done = (l - next).abs() <= 1e-13 * l;
        l = next;
        if done {
            break;
        }
    }
    l
}

/// Of `reach` people who saw `impressions`, those who saw three or more (zero-truncated
/// Poisson with the same mean).
pub fn three_plus(reach: f64, impressions: f64) -> f64 {
    if reach <= 0.0 || impressions <= reach {
        return 0.0;
    }
    let l = poisson_rate(impressions / reach);
    let none = (-l).exp();
    let under_three = none * (1.0 + l + l * l / 2.0);
    let at_least_one = 1.0 - none;
    if at_least_one <= 0.0 {
        return 0.0;
    }
    (reach * (1.0 - under_three) / at_least_one).clamp(0.0, reach)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reach_saturates_and_grows_with_the_flight() {
        let short = Curve::new(1_000_000.0, 7, 1.5);
        let long = Curve::new(1_000_000.0, 90, 1.5);
        let (r1, r2) = (short.reach(300_000.0), short.reach(600_000.0));
        assert!(r2 < 2.0 * r1 && r2 > r1);
        assert!(long.reach(300_000.0) >= r1, "a longer flight reaches at least as many");
        assert!(long.reach(1e12) <= 0.9 * 1_000_000.0 + 1e-6);
    }

    #[test]
    fn capacity_holds_the_weekly_cap() {
        for days in [1, 7, 30, 90] {
            let c = Curve::new(2_000_000.0, days, 1.4);
            let cap = c.capacity(2.0);
            assert!(cap > 0.0);
            assert!(c.weekly_frequency(cap) <= 2.0 + 1e-6, "{days} days");
            assert!(c.weekly_frequency(cap * 1.1) > 2.0 - 1e-6, "{days} days: capacity is the most");
        }
        let c = Curve::new(1e6, 30, 1.5);
        let r = c.reach(700_000.0);
        assert!((c.impressions_for(r).unwrap() - 700_000.0).abs() < 1.0);
    }

    #[test]
    fn the_poisson_rate_matches_its_mean() {
        for mean in [1.000_001, 1.001, 1.05, 1.3, 1.5, 2.0, 3.7, 10.0, 55.0, 1e4] {
            let l = poisson_rate(mean);
            let back = l / -(-l).exp_m1();
            assert!((back - mean).abs() <= 1e-9 * mean, "mean {mean}: λ {l} gives {back}");
        }
    }

    #[test]
    fn three_plus_is_a_share_of_reach() {
        assert_eq!(three_plus(100.0, 100.0), 0.0);
        let r3 = three_plus(100.0, 300.0);
        assert!(r3 > 30.0 && r3 < 100.0, "{r3}");
        assert!(three_plus(100.0, 500.0) > r3);
    }
}
