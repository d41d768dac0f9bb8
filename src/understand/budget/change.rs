//! Follow-up changes of the budget by a factor: halve, double, cut in half, plus or minus N %.

use super::cues::{cues, Class};
use super::scan::{Ctx, LOOKBACK};
use super::words::FACTOR;
use crate::understand::numbers::{parse_number_detail, TokKind};

impl Ctx<'_> {
    /// A follow-up multiplier: halve/double/triple, cut … in half, ±N %.
    pub(super) fn find_scale(&self) -> Option<(f64, usize)> {
        (0..self.toks.len()).find_map(|i| self.verb_scale_at(i).or_else(|| self.percent_scale_at(i)).map(|f| (f, i)))
    }

    /// `halve it`, `double the budget`, `cut the budget in half`, `reduce it by half`.
    pub(super) fn verb_scale_at(&self, i: usize) -> Option<f64> {
        if self.w(i) == "half" {
            if matches!(self.before(i, 1), "in" | "by") {
                let verb = self.back(i - 1).find(|&j| self.has(j, Class::DecreaseVerb))?;
                return self.budget_object(verb + 1).then_some(0.5);
            }
            // "half the budget", "half of our spend": the budget must be named.
            let mut j = i + 1;
            while self.w(j) == "of" || self.has(j, Class::Determiner) {
                j += 1;
            }
            let named = j > i + 1 && self.kind(j) == Some(TokKind::Word) && self.has(j, Class::BudgetObject);
            return named.then_some(0.5);
        }
        if !self.flagged(i, FACTOR) {
            return None;
        }
        let factor = cues().factors.get(self.w(i)).copied()?;
        self.budget_object(i + 1).then_some(factor)
    }

    /// The object starting at `i` (after determiners) is the budget, `it`, or absent.
    pub(super) fn budget_object(&self, i: usize) -> bool {
        let mut j = i;
        while self.has(j, Class::Determiner) {
            j += 1;
        }
        match self.kind(j) {
            None | Some(TokKind::Punct) => true,
            _ => self.has(j, Class::BudgetObject),
        }
    }

    /// `+20% budget`, `20% more budget`, `10% less`, `increase the budget by 20%`.
    pub(super) fn percent_scale_at(&self, i: usize) -> Option<f64> {
        if !self.is_num(i) {
            return None;
        }
        let next = self.w(i + 1);
        let pct = if next == "%" || self.has(i + 1, Class::Percent) {
            i + 2
        } else if self.seq(i + 1, &["per", "cent"]) {
            i + 3
        } else {
            return None;
        };
        let p = parse_number_detail(&self.words[i..i + 1])?.value / 100.0;
        let clause_has_budget = || {
            let end = (pct + LOOKBACK).min(self.toks.len());
            (self.clause_start(i)..end)
                .take_while(|&j| j < pct || !self.is_break(j))
                .any(|j| self.has(j, Class::BudgetWord))
        };
        let sign = self.before(i, 1);
        // "budget up 10%", "spend down a quarter... 25%": a direction word after the budget.
        let direction = self.has_before(i, 1, Class::More) as i8 - self.has_before(i, 1, Class::Less) as i8;
        if direction != 0 && self.has_before(i, 2, Class::BudgetWord) {
            return Some(1.0 + f64::from(direction) * p).filter(|f| *f > 0.0);
        }
        if matches!(sign, "+" | "-") && self.glued(i) {
            let s = if sign == "+" { 1.0 } else { -1.0 };
            let next_ok = self.budget_object(pct) || clause_has_budget();
            return next_ok.then_some(1.0 + s * p).filter(|f| *f > 0.0);
        }
        let after = self.w(pct);
        if self.has(pct, Class::More) || self.has(pct, Class::Less) {
            let s = if self.has(pct, Class::More) { 1.0 } else { -1.0 };
            let n = pct + 1;
            let next_ok = self.budget_object(n) || self.has(n, Class::Filler);
            return next_ok.then_some(1.0 + s * p).filter(|f| *f > 0.0);
        }
        // "add 20% to the budget", "put 10% on top of the budget".
        if matches!(sign, "add" | "adding") && matches!(after, "to" | "onto") && clause_has_budget() {
            return Some(1.0 + p);
        }
        if sign == "by" {
            let verb = self.back(i - 1).find(|&j| self.has(j, Class::ChangeVerb))?;
            let s = if self.has(verb, Class::DecreaseVerb) { -1.0 } else { 1.0 };
            let object_ok = verb + 1 == i - 1 || self.budget_object(verb + 1);
            return object_ok.then_some(1.0 + s * p).filter(|f| *f > 0.0);
        }
        None
    }
}
