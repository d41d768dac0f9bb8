//! The budget's cue words by class, loaded once from `fixtures/lang/budget_cues.tsv`: words that
//! make a number a budget, a bound, a rate, a metric, an approximation or a change.

use std::sync::OnceLock;

use crate::understand::numbers::WordMap;

use crate::understand::lexicon::tsv_rows;

const CUES: &str = include_str!("../../../fixtures/lang/budget_cues.tsv");

/// A class of single cue words (the `class` column of `budget_cues.tsv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    ClauseBreak = 0,
    Approx,
    StrongCue,
    ChangeVerb,
    YearPreposition,
    DecreaseVerb,
    SafeFollower,
    MetricBefore,
    MetricAfter,
    PerTime,
    BudgetObject,
    Determiner,
    DailyBridge,
    More,
    Less,
    Filler,
    FieldSeparator,
    DeltaBefore,
    DeltaMore,
    DeltaLess,
    Negation,
    BudgetWord,
    Percent,
    Sales,
    Grand,
    HedgeSubject,
    Lifetime,
}

impl Class {
    fn parse(s: &str) -> Option<Class> {
        Some(match s {
            "clause_break" => Class::ClauseBreak,
            "approx" => Class::Approx,
            "strong_cue" => Class::StrongCue,
            "change_verb" => Class::ChangeVerb,
            "year_preposition" => Class::YearPreposition,
            "decrease_verb" => Class::DecreaseVerb,
            "safe_follower" => Class::SafeFollower,
            "metric_before" => Class::MetricBefore,
            "metric_after" => Class::MetricAfter,
            "per_time" => Class::PerTime,
            "budget_object" => Class::BudgetObject,
            "determiner" => Class::Determiner,
            "daily_bridge" => Class::DailyBridge,
            "more" => Class::More,
            "less" => Class::Less,
            "filler" => Class::Filler,
            "field_separator" => Class::FieldSeparator,
            "delta_before" => Class::DeltaBefore,
            "delta_more" => Class::DeltaMore,
            "delta_less" => Class::DeltaLess,
            "negation" => Class::Negation,
            "budget_word" => Class::BudgetWord,
            "percent" => Class::Percent,
            "sales" => Class::Sales,
            "grand" => Class::Grand,
            "hedge_subject" => Class::HedgeSubject,
            "lifetime" => Class::Lifetime,
            _ => return None,
        })
    }
}

/// A phrase of tokens.
pub(super) type Phrase = Vec<&'static str>;

/// The cue tables.
pub(super) struct Cues {
    classes: WordMap<&'static str, u32>,
    /// Bounds before an amount: (phrase, is upper bound).
    pub(super) bounds_before: Vec<(Phrase, bool)>,
    /// Bounds after an amount: (phrase, is upper bound).
    pub(super) bounds_after: Vec<(Phrase, bool)>,
    /// Rate markers after an amount: (phrase, days per period).
    pub(super) rates: Vec<(Phrase, f64)>,
    /// Approximation markers after an amount.
    pub(super) approx_after: Vec<Phrase>,
    /// Phrases right before an old value ("instead of").
    pub(super) superseded: Vec<Phrase>,
    /// Verbs that multiply the budget, with their factor.
    pub(super) factors: WordMap<&'static str, f64>,
}

/// The tables, parsed once. Phrase lists keep the file's order (longer phrases first there).
pub(super) fn cues() -> &'static Cues {
    static C: OnceLock<Cues> = OnceLock::new();
    C.get_or_init(|| {
        let mut c = Cues {
            classes: WordMap::default(),
            bounds_before: Vec::new(),
            bounds_after: Vec::new(),
            rates: Vec::new(),
            approx_after: Vec::new(),
            factors: WordMap::default(),
            superseded: Vec::new(),
        };
        for r in tsv_rows(CUES) {
            let (Some(&phrase), Some(&class)) = (r.first(), r.get(1)) else { continue };
            let value = r.get(2).copied().unwrap_or("");
            let words: Phrase = phrase.split_whitespace().collect();
            match class {
                "bound_before" => c.bounds_before.push((words, value == "upper")),
                "bound_after" => c.bounds_after.push((words, value == "upper")),
                "rate" => c.rates.push((words, value.parse().unwrap_or(1.0))),
                "approx_after" => c.approx_after.push(words),
                "superseded" => c.superseded.push(words),
                "factor" => {
                    if let Ok(f) = value.parse() {
                        c.factors.insert(phrase, f);
                    }
                }
                other => {
                    if let Some(cl) = Class::parse(other) {
                        *c.classes.entry(phrase).or_default() |= 1 << cl as u32;
                    }
                }
            }
        }
        c
    })
}

/// Whether `w` is a cue word of `class` (the scanner asks [`super::scan::Ctx::has`], which
/// reads the classes it looked up once per token).
#[cfg(test)]
pub(super) fn is(w: &str, class: Class) -> bool {
    class_bits(w) & (1 << class as u32) != 0
}

/// Every cue word with its classes (for the merged per-token table of [`super::words`]).
pub(super) fn class_words() -> impl Iterator<Item = (&'static str, u32)> {
    cues().classes.iter().map(|(w, bits)| (*w, *bits))
}

/// The classes of `w` as a bit set of [`Class`].
#[cfg(test)]
pub(super) fn class_bits(w: &str) -> u32 {
    cues().classes.get(w).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_a_known_class() {
        for r in tsv_rows(CUES) {
            let class = r.get(1).copied().unwrap_or("");
            let phrase_class =
                matches!(class, "bound_before" | "bound_after" | "rate" | "approx_after" | "factor" | "superseded");
            assert!(phrase_class || Class::parse(class).is_some(), "{r:?}");
        }
        assert!(is("budget", Class::StrongCue) && is("cpm", Class::MetricAfter) && !is("budget", Class::Less));
        assert!(cues().rates.iter().any(|(p, d)| p == &["per", "week"] && *d == 7.0));
    }
}
