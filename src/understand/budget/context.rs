//! The words around an amount: rate and approximation markers, bounds, budget cues, metrics and
//! prices, superseded values, deltas; and the list of money mentions of a message.

use super::cues::{cues, Class};
use super::currency::{currencies, Cur};
use super::scan::{Ctx, Cue, Mention, Role, Simple};
use super::words::{BOUND_BEFORE_END, MARKER_START, SUPERSEDED_END};
use crate::understand::numbers::TokKind;

impl Ctx<'_> {
    /// A change verb in the clause before `i`.
    pub(super) fn change_verb_before(&self, i: usize) -> bool {
        self.back(i).any(|j| self.has(j, Class::ChangeVerb))
    }

    /// Rate and approximation markers after an amount: (end, days per period, approx, bound).
    pub(super) fn post_markers(&self, mut k: usize) -> (usize, Option<f64>, bool, Option<bool>) {
        let (mut rate, mut approx, mut bound) = (None, false, None);
        for _ in 0..3 {
            if !self.flagged(k, MARKER_START) {
                break;
            }
            if let Some((p, d)) = cues().rates.iter().find(|(p, _)| self.seq(k, p)) {
                if rate.is_none() {
                    rate = Some(*d);
                }
                k += p.len();
            } else if let Some(p) = cues().approx_after.iter().find(|p| self.seq(k, p)) {
                approx = true;
                k += p.len();
            } else if let Some((p, up)) =
                cues().bounds_after.iter().find(|(p, _)| self.seq(k, p) && (p[0] != "+" || self.glued(k)))
            {
                bound = Some(*up);
                k += p.len();
            } else {
                break;
            }
        }
        (k, rate, approx, bound)
    }

    /// `daily` (or `per day`) before the amount, joined by bridge words
    /// (`a daily budget of $800`).
    pub(super) fn daily_before(&self, start: usize) -> bool {
        for j in self.back(start) {
            let w = self.w(j);
            if w == "daily" || (w == "day" && self.before(j, 1) == "per") {
                return true;
            }
            if !self.has(j, Class::DailyBridge) {
                return false;
            }
        }
        false
    }

    /// Strength of the budget cue in the clause before `start`.
    pub(super) fn cue_before(&self, start: usize) -> Cue {
        let mut cue = Cue::None;
        for j in self.back(start) {
            if self.is_num(j) {
                break;
            }
            let w = self.w(j);
            if self.has(j, Class::StrongCue) || (w == "do" && matches!(self.before(j, 1), "can" | "could")) {
                return Cue::Strong;
            }
            if self.has(j, Class::ChangeVerb) || (w == "about" && matches!(self.before(j, 1), "how" | "what")) {
                cue = Cue::Weak;
            }
        }
        cue
    }

    /// The word after the amount (and its markers) is compatible with money.
    pub(super) fn follower_ok(&self, k: usize) -> bool {
        match self.kind(k) {
            None | Some(TokKind::Number) | Some(TokKind::Symbol) => true,
            Some(TokKind::Punct) => self.is_separator(k) || !matches!(self.w(k), "+" | "%" | "'" | "/" | ":"),
            Some(TokKind::Word) => self.has(k, Class::SafeFollower) || self.currency_at(k).is_some(),
        }
    }

    /// The first of the cue, bound and approximation words right before `start` ("budget of
    /// about", "no more than"), for the span the mention read.
    pub(super) fn lead_words(&self, start: usize) -> usize {
        let mut j = start;
        let lead = |k: usize| {
            self.has(k, Class::Approx)
                || self.has(k, Class::StrongCue)
                || self.has(k, Class::DailyBridge)
                || self.has(k, Class::ChangeVerb)
        };
        while j > 0 && j + 3 > start && self.kind(j - 1) == Some(TokKind::Word) && lead(j - 1) {
            j -= 1;
        }
        if !self.flagged_before(j, BOUND_BEFORE_END) {
            return j;
        }
        if let Some((p, _)) = cues().bounds_before.iter().find(|(p, _)| self.seq_ending(j, p)) {
            j -= p.len();
        }
        j
    }

    /// An approximation word right before the mention (`about`, `~`; `like` only as a hedge).
    pub(super) fn approx_before(&self, start: usize) -> bool {
        self.back(start).take(3).any(|j| {
            let w = self.w(j);
            let prev = self.before(j, 1);
            self.has(j, Class::Approx)
                && (w != "like" || !self.has_before(j, 1, Class::HedgeSubject))
                && (w != "about" || !matches!(prev, "how" | "what"))
        })
    }

    /// A bound phrase right before the mention (skipping one approximation word):
    /// Some(true) = upper bound, Some(false) = lower bound.
    pub(super) fn bound_before(&self, start: usize) -> Option<bool> {
        let at = |end: usize| {
            if !self.flagged_before(end, BOUND_BEFORE_END) {
                return None;
            }
            cues().bounds_before.iter().find(|(p, _)| self.seq_ending(end, p)).map(|(p, up)| (end - p.len(), *up))
        };
        let skip_approx = start > 0 && self.has(start - 1, Class::Approx);
        let (s, up) = at(start).or_else(|| skip_approx.then(|| at(start - 1)).flatten())?;
        // "bump it up to 10k" is a change, not a bound
        let change = self.w(s) == "up" && {
            let p = self.before(s, 1);
            self.has_before(s, 1, Class::ChangeVerb) || matches!(p, "it" | "that" | "push" | "go")
        };
        (!change).then_some(up)
    }

    /// The mention is a price or a metric (`$5 CPM`, `CPA of $20`, `$2 per click`).
    pub(super) fn is_metric(&self, start: usize, end: usize) -> bool {
        let before =
            self.back(start).take(3).any(|j| self.has(j, Class::MetricBefore) || self.seq(j, &["cost", "per"]));
        let w = self.w(end);
        let per_other = matches!(w, "per" | "/")
            && !self.is_separator(end)
            && self.kind(end + 1) == Some(TokKind::Word)
            && !self.has(end + 1, Class::PerTime);
        let in_sales = matches!(w, "in" | "of") && self.has(end + 1, Class::Sales);
        before || per_other || in_sales || self.has(end, Class::MetricAfter)
    }

    /// The mention is an old value (`instead of $8k`, `rather than 8k`, `not 8k`).
    pub(super) fn is_superseded(&self, start: usize) -> bool {
        self.flagged_before(start, SUPERSEDED_END) && cues().superseded.iter().any(|p| self.seq_ending(start, p))
    }

    /// A change by an amount: Some(+1 / −1).
    pub(super) fn delta_sign(&self, start: usize, end: usize) -> Option<f64> {
        let p1 = self.before(start, 1);
        if self.has_before(start, 1, Class::DeltaBefore) || (p1 == "+" && self.glued(start)) {
            return Some(1.0);
        }
        if p1 == "by" {
            let verb = self.back(start - 1).find(|&j| self.has(j, Class::ChangeVerb))?;
            return Some(if self.has(verb, Class::DecreaseVerb) { -1.0 } else { 1.0 });
        }
        if self.has(end, Class::DeltaMore) {
            Some(1.0)
        } else if self.has(end, Class::DeltaLess) {
            Some(-1.0)
        } else {
            None
        }
    }

    /// Every money mention, left to right.
    pub(super) fn mentions(&self) -> Vec<Mention> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.toks.len() {
            if !self.may_start(i) {
                i += 1;
                continue;
            }
            match self.mention_at(i) {
                Some(m) => {
                    i = m.end.max(i + 1);
                    out.push(m);
                }
                None => i += 1,
            }
        }
        out
    }

    /// A money mention starting at `i`, if any.
    pub(super) fn mention_at(&self, i: usize) -> Option<Mention> {
        let a = self.simple_at(i, false).or_else(|| self.bare_coin_at(i))?;
        let (lower, s) = match self.range_after(&a) {
            Some((lower, b)) => (lower, b),
            None => (None, a),
        };
        let is_range = s.start != a.start;
        let cur = s.cur.or(a.cur);
        let (tail, rate, approx_after, bound_after) = self.post_markers(s.end);
        let moneyish = s.amount.moneyish || a.amount.moneyish;
        let money = cur.is_some() || self.bare_is_money(&a, &s, tail, rate, moneyish);
        if !money {
            return None;
        }
        let bound = self.bound_before(a.start).or(bound_after);
        let min = if is_range { lower } else { None };
        let daily = rate.is_some() || self.daily_before(a.start);
        // In Portuguese and Spanish "mil" is a thousand ("R$ 40 mil"); in English a million.
        let iberian = match cur {
            Some(Cur::Peso) => true,
            Some(Cur::Iso(code)) => currencies().in_family(code, "mil_thousand"),
            _ => false,
        };
        let mil = iberian && self.words.get(a.start..s.end.min(self.words.len())).is_some_and(|w| w.contains(&"mil"));
        let unit = if mil { 1e-3 } else { 1.0 };
        let value = s.value / rate.unwrap_or(1.0) * unit;
        let role = self.role(&a, &s, tail);
        Some(Mention {
            start: self.lead_words(a.start),
            end: tail.max(s.end),
            value,
            min: min.map(|m| m / rate.unwrap_or(1.0) * unit).filter(|_| bound.is_none() || is_range),
            cur,
            daily,
            approximate: approx_after || self.approx_before(a.start) || rate.is_some_and(|d| d > 7.0),
            role,
        })
    }

    /// A currency-less amount (or range) is money: `grand`, a thousands scale, a per-day
    /// amount, or a bare number after a budget cue.
    pub(super) fn bare_is_money(&self, a: &Simple, s: &Simple, tail: usize, rate: Option<f64>, moneyish: bool) -> bool {
        if !self.follower_ok(tail) || (a.amount.vague && !a.amount.grand) {
            return false;
        }
        if moneyish {
            return true;
        }
        let cue = if self.seq(tail, &["budget"]) { Cue::Strong } else { self.cue_before(a.start) };
        let v = s.value;
        let year_like = s.amount.plain_int && (1900.0..=2100.0).contains(&v);
        if year_like && self.has_before(a.start, 1, Class::YearPreposition) {
            return false; // "budget for 2026 is …"
        }
        (rate == Some(1.0) && v >= 20.0)
            || (cue == Cue::Strong && v >= 50.0)
            || (cue == Cue::Weak && v >= 100.0 && !year_like)
    }

    /// Budget, delta, coin or ignored.
    pub(super) fn role(&self, a: &Simple, s: &Simple, tail: usize) -> Role {
        if self.is_metric(a.start, tail) || self.is_superseded(a.start) {
            return Role::Ignored;
        }
        if let Some(sign) = self.delta_sign(a.start, tail) {
            return Role::Delta(sign);
        }
        if a.coin || s.coin {
            let negated =
                self.back(a.start).take(3).any(|j| self.has(j, Class::Negation) || self.w(j).ends_with("n't"));
            return if negated { Role::Ignored } else { Role::Coin };
        }
        Role::Budget
    }
}
