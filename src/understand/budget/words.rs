//! What the budget tables say about one token, looked up once per token.
//!
//! The scanner asks many questions of every token (is it a cue word of some class, a number
//! word, a coin, the start of a currency name, a capital prefix, a factor verb). Asked table by
//! table, each question hashed the word again; this merges the answers of every table into one
//! map, built once from the same fixtures, so [`super::scan::Ctx::new`] hashes each token once.

use std::sync::OnceLock;

use super::cues::{class_words, cues};
use super::currency::currencies;
use crate::understand::numbers::{is_number_word, number_word_starts, Shapes, WordMap};

/// The word can start a number phrase ([`is_number_word`]).
pub(super) const NUMBER_WORD: u16 = 1;
/// The word is a coin (`dime`, `cents`): [`super::currency::coin_value`] has a value for it.
pub(super) const COIN: u16 = 2;
/// The word starts a currency name or is a coin (a key of the currency word table).
pub(super) const CURRENCY_WORD: u16 = 4;
/// The word names a currency as a capital right before an amount (`R 75 000`).
pub(super) const CAPITAL_PREFIX: u16 = 8;
/// The word is a verb that multiplies the budget (`halve`, `double`).
pub(super) const FACTOR: u16 = 16;
/// The word starts a marker after an amount: a rate, an approximation or a bound
/// (`per day`, `or so`, `or more`).
pub(super) const MARKER_START: u16 = 32;
/// The word ends a bound phrase before an amount (`up to`, `at least`).
pub(super) const BOUND_BEFORE_END: u16 = 64;
/// The word ends a phrase before an old value (`instead of`).
pub(super) const SUPERSEDED_END: u16 = 128;

/// The facts of one token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Facts {
    /// Cue classes, a bit set of [`super::cues::Class`].
    pub(super) classes: u32,
    /// [`NUMBER_WORD`], [`COIN`], [`CURRENCY_WORD`], [`CAPITAL_PREFIX`], [`FACTOR`] and the
    /// phrase ends of [`MARKER_START`], [`BOUND_BEFORE_END`], [`SUPERSEDED_END`]: a phrase
    /// list is only searched at a token that can begin or end one of its phrases.
    pub(super) flags: u16,
}

/// Every table word with its facts, and the shapes of those words.
struct Table {
    map: WordMap<&'static str, Facts>,
    shapes: Shapes,
}

/// The table, built once.
fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        let map = merged();
        let mut shapes = Shapes::default();
        for w in map.keys() {
            shapes.insert(w);
        }
        Table { map, shapes }
    })
}

/// Every table word with its facts.
fn merged() -> WordMap<&'static str, Facts> {
    let mut t: WordMap<&'static str, Facts> = WordMap::default();
    for (w, bits) in class_words() {
        t.entry(w).or_default().classes |= bits;
    }
    let cues = cues();
    for w in cues.factors.keys() {
        t.entry(w).or_default().flags |= FACTOR;
    }
    let after =
        cues.rates.iter().map(|(p, _)| p).chain(&cues.approx_after).chain(cues.bounds_after.iter().map(|(p, _)| p));
    for w in after.filter_map(|p| p.first()) {
        t.entry(w).or_default().flags |= MARKER_START;
    }
    for w in cues.bounds_before.iter().filter_map(|(p, _)| p.last()) {
        t.entry(w).or_default().flags |= BOUND_BEFORE_END;
    }
    for w in cues.superseded.iter().filter_map(|p| p.last()) {
        t.entry(w).or_default().flags |= SUPERSEDED_END;
    }
    let c = currencies();
    for (w, coin) in c.word_keys() {
        t.entry(w).or_default().flags |= CURRENCY_WORD | if coin { COIN } else { 0 };
    }
    for w in c.capital_prefix_keys() {
        t.entry(w).or_default().flags |= CAPITAL_PREFIX;
    }
    for w in number_word_starts() {
        t.entry(w).or_default();
    }
    for (w, f) in t.iter_mut() {
        if is_number_word(w) {
            f.flags |= NUMBER_WORD;
        }
    }
    t
}

/// The facts of token text `w`. A word in no table can still be a number word when it is a
/// hyphenated compound (`twenty-five`), which no table lists.
pub(super) fn facts(w: &str) -> Facts {
    let t = table();
    let found = if t.shapes.may_hold(w) { t.map.get(w) } else { None };
    match found {
        Some(f) => *f,
        None if w.bytes().any(|b| b == b'-') && is_number_word(w) => Facts { classes: 0, flags: NUMBER_WORD },
        None => Facts::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::cues::class_bits;
    use super::super::currency::coin_value;
    use super::*;

    #[test]
    fn merged_facts_agree_with_each_table() {
        let words =
            ["budget", "a", "five", "twenty-five", "dime", "cents", "euros", "r", "halve", "double", "", "k-pop"];
        for w in words.into_iter().chain(table().map.keys().copied()) {
            let f = facts(w);
            assert_eq!(f.classes, class_bits(w), "{w}");
            assert_eq!(f.flags & NUMBER_WORD != 0, is_number_word(w), "{w}");
            assert_eq!(f.flags & COIN != 0, coin_value(w).is_some(), "{w}");
            assert_eq!(f.flags & FACTOR != 0, cues().factors.contains_key(w), "{w}");
        }
        assert_eq!(class_bits(""), 0);
        // The phrase gates assume that no phrase is empty.
        let c = cues();
        let lists = [c.bounds_before.iter().map(|(p, _)| p.len()).min(), c.superseded.iter().map(Vec::len).min()];
        assert!(lists.into_iter().flatten().all(|n| n > 0));
        assert!(c.rates.iter().all(|(p, _)| !p.is_empty()) && c.approx_after.iter().all(|p| !p.is_empty()));
        assert!(c.bounds_after.iter().all(|(p, _)| !p.is_empty()));
    }
}
