//! The number words, loaded once from `fixtures/lang/number_words.tsv`, and the currency-sign
//! characters the lexer keeps as symbols (from `fixtures/lang/currencies.tsv` and the coin signs
//! of `fixtures/lang/money_units.tsv`).

use std::sync::OnceLock;

use crate::understand::numbers::WordMap;

use crate::understand::lexicon::tsv_rows;

const NUMBER_WORDS: &str = include_str!("../../../fixtures/lang/number_words.tsv");
const CURRENCIES: &str = include_str!("../../../fixtures/lang/currencies.tsv");
const MONEY_UNITS: &str = include_str!("../../../fixtures/lang/money_units.tsv");

/// What a word is in the number tables.
#[derive(Debug, Clone, Copy)]
pub(super) enum WordEntry {
    /// A cardinal word with its value.
    Value(f64),
    /// Another word that can start a number phrase (`few`, `half`, `point`, `minus`…).
    Starter,
}

/// The number-word tables.
pub(super) struct NumberWords {
    /// Cardinals and the other words that can start a phrase.
    pub(super) index: WordMap<&'static str, WordEntry>,
    /// Scale words (`thousand`, `lakh`, `crore`, `mio`).
    pub(super) scales: WordMap<&'static str, f64>,
    /// Quantity words (`few`, `couple`).
    pub(super) quantities: WordMap<&'static str, f64>,
    /// Multiplier suffixes glued to digits (`k`, `bn`).
    suffixes: WordMap<&'static str, f64>,
    /// Ordinal words (`fifteenth`).
    ordinals: WordMap<&'static str, i64>,
    /// Words that count units in schedules (`two`, `couple`).
    counts: WordMap<&'static str, i64>,
    /// Single-character currency signs.
    signs: Vec<char>,
}

/// The tables, parsed once.
pub(super) fn number_words() -> &'static NumberWords {
    static W: OnceLock<NumberWords> = OnceLock::new();
    W.get_or_init(|| {
        let mut w = NumberWords {
            index: WordMap::default(),
            scales: WordMap::default(),
            quantities: WordMap::default(),
            suffixes: WordMap::default(),
            ordinals: WordMap::default(),
            counts: WordMap::default(),
            signs: Vec::new(),
        };
        let mut starters = Vec::new();
        for row in tsv_rows(NUMBER_WORDS) {
            let (Some(&word), Some(value), Some(&kind)) = (row.first(), row.get(1), row.get(2)) else { continue };
            let value: Option<f64> = value.parse().ok();
            match (kind, value) {
                ("cardinal", Some(v)) => {
                    w.index.insert(word, WordEntry::Value(v));
                }
                ("scale", Some(v)) => {
                    w.scales.insert(word, v);
                }
                ("quantity", Some(v)) => {
                    w.quantities.insert(word, v);
                    starters.push(word);
                }
                ("suffix", Some(v)) => {
                    w.suffixes.insert(word, v);
                }
                ("ordinal", Some(v)) => {
                    w.ordinals.insert(word, v as i64);
                }
                ("starter", _) => starters.push(word),
                _ => {}
            }
            if let (Some(&"yes"), Some(v)) = (row.get(3), value) {
                w.counts.insert(word, v as i64);
            }
        }
        for s in starters {
            w.index.entry(s).or_insert(WordEntry::Starter);
        }
        let sign_rows = tsv_rows(CURRENCIES).filter(|r| r.get(2) == Some(&"sign")).filter_map(|r| r.first().copied());
        let coin_rows = tsv_rows(MONEY_UNITS).filter_map(|r| r.first().copied());
        for form in sign_rows.chain(coin_rows) {
            let mut chars = form.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                if !c.is_alphanumeric() && !w.signs.contains(&c) {
                    w.signs.push(c);
                }
            }
        }
        w
    })
}

/// Factor of a multiplier suffix glued to digits (`5k`, `1.5m`, `2bn`).
pub(super) fn suffix_multiplier(s: &str) -> Option<f64> {
    number_words().suffixes.get(s).copied()
}

/// Whether `c` is a single-character currency sign (`$`, `€`, `₹`, `¢`…).
pub(super) fn is_sign_char(c: char) -> bool {
    number_words().signs.contains(&c)
}

/// Value of an ordinal word (`"fifteenth"` → 15).
pub fn ordinal_word(w: &str) -> Option<i64> {
    number_words().ordinals.get(w).copied()
}

/// Every ordinal word and every counting word (the keys of [`ordinal_word`] and [`count_word`]).
pub fn ordinal_and_count_words() -> impl Iterator<Item = &'static str> {
    let w = number_words();
    w.ordinals.keys().chain(w.counts.keys()).copied()
}

/// Every word that can start a number phrase written in words (the keys behind
/// [`super::is_number_word`], which also accepts hyphenated compounds such as `twenty-five`).
/// Callers that merge several tables into one look-up per token list these words.
pub fn number_word_starts() -> impl Iterator<Item = &'static str> {
    number_words().index.keys().copied()
}

/// Value of a word that counts units in a schedule (`"two"` weeks, a `"couple"` of days).
pub fn count_word(w: &str) -> Option<i64> {
    number_words().counts.get(w).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load_every_kind() {
        let w = number_words();
        assert_eq!(w.scales.get("lakh"), Some(&1e5));
        assert_eq!(w.scales.get("crore"), Some(&1e7));
        assert_eq!(w.scales.get("mio"), Some(&1e6));
        assert_eq!(suffix_multiplier("k"), Some(1e3));
        assert_eq!(ordinal_word("fifteenth"), Some(15));
        assert_eq!(count_word("couple"), Some(2));
        assert_eq!(count_word("hundred"), None);
        assert!(is_sign_char('€') && is_sign_char('₹') && is_sign_char('¢') && !is_sign_char('a'));
        assert!(matches!(w.index.get("half"), Some(WordEntry::Starter)));
    }
}
