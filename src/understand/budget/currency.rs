//! Currencies: signs, codes, names and coins, loaded once from `fixtures/lang/currencies.tsv`,
//! `money_units.tsv` and `currency_families.tsv`, and the look-up of a currency at a token.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::understand::numbers::WordMap;

use super::scan::{Amount, Ctx, Simple};
use super::CurrencyHint;
use crate::understand::lexicon::tsv_rows;
use crate::understand::numbers::TokKind;

const CURRENCIES: &str = include_str!("../../../fixtures/lang/currencies.tsv");
const MONEY_UNITS: &str = include_str!("../../../fixtures/lang/money_units.tsv");
const FAMILIES: &str = include_str!("../../../fixtures/lang/currency_families.tsv");

/// Currency as the tables name it (the `Copy` form of [`CurrencyHint`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cur {
    Iso(&'static str),
    Dollar,
    Kronor,
    Peso,
}

impl Cur {
    /// The public form of this currency.
    pub(super) fn hint(self) -> CurrencyHint {
        match self {
            Cur::Iso(c) => CurrencyHint::Code(c.to_string()),
            Cur::Dollar => CurrencyHint::Dollar,
            Cur::Kronor => CurrencyHint::Kronor,
            Cur::Peso => CurrencyHint::Peso,
        }
    }

    fn parse(s: &'static str) -> Option<Cur> {
        match s {
            "DOLLAR" => Some(Cur::Dollar),
            "KRONOR" => Some(Cur::Kronor),
            "PESO" => Some(Cur::Peso),
            c if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) => Some(Cur::Iso(c)),
            _ => None,
        }
    }
}

/// What a word means in the currency tables.
#[derive(Debug, Clone, Default)]
struct Entry {
    /// The currency the word names on its own.
    word: Option<Cur>,
    /// Multi-word names starting with the word, longest first.
    phrases: Vec<(Vec<&'static str>, Cur)>,
    /// Dollar value of a coin word.
    coin: Option<f64>,
}

/// The currency tables.
pub(super) struct Currencies {
    signs: WordMap<&'static str, Cur>,
    /// Letters that name a currency only as a capital right before an amount ("R 75 000").
    capital_prefixes: WordMap<&'static str, Cur>,
    words: WordMap<&'static str, Entry>,
    minor: HashSet<&'static str>,
    families: WordMap<&'static str, Vec<&'static str>>,
    /// Longest word in `words` (a cheap filter).
    max_word: usize,
}

impl Currencies {
    /// Whether `w` is a minor-unit word ("cents", "pence", "paise").
    pub(super) fn is_minor_unit(&self, w: &str) -> bool {
        self.minor.contains(w)
    }

    /// Whether an ISO code belongs to a family ("dollar" for CAD, "peso" for ARS).
    pub(super) fn in_family(&self, code: &str, family: &str) -> bool {
        self.families.get(code).is_some_and(|f| f.contains(&family))
    }

    /// Every word that starts a currency name or is a coin, with whether it is a coin (for the
    /// merged per-token table of [`super::words`]).
    pub(super) fn word_keys(&self) -> impl Iterator<Item = (&'static str, bool)> + '_ {
        self.words.iter().map(|(w, e)| (*w, e.coin.is_some()))
    }

    /// Every capital prefix ("R" before an amount).
    pub(super) fn capital_prefix_keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.capital_prefixes.keys().copied()
    }
}

/// The tables, parsed once.
pub(super) fn currencies() -> &'static Currencies {
    static C: OnceLock<Currencies> = OnceLock::new();
    C.get_or_init(|| {
        let mut c = Currencies {
            signs: WordMap::default(),
            capital_prefixes: WordMap::default(),
            words: WordMap::default(),
            minor: HashSet::new(),
            families: WordMap::default(),
            max_word: 0,
        };
        for r in tsv_rows(CURRENCIES) {
            let (Some(&form), Some(cur), Some(&kind)) = (r.first(), r.get(1).and_then(|s| Cur::parse(s)), r.get(2))
            else {
                continue;
            };
            if kind == "sign" {
                c.signs.insert(form, cur);
                continue;
            }
            if kind == "capital_prefix" {
                c.capital_prefixes.insert(form, cur);
                continue;
            }
            let words: Vec<&'static str> = form.split_whitespace().collect();
            let Some(&first) = words.first() else { continue };
            c.max_word = c.max_word.max(first.len());
            let entry = c.words.entry(first).or_default();
            if words.len() == 1 {
                entry.word = Some(cur);
            } else {
                entry.phrases.push((words, cur));
            }
        }
        for e in c.words.values_mut() {
            e.phrases.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
        }
        for r in tsv_rows(MONEY_UNITS) {
            match (r.first(), r.get(2)) {
                (Some(&w), Some(&"coin")) => {
                    c.max_word = c.max_word.max(w.len());
                    c.words.entry(w).or_default().coin = r.get(1).and_then(|v| v.parse().ok());
                }
                (Some(&w), Some(&"minor")) => {
                    c.minor.insert(w);
                }
                _ => {}
            }
        }
        for r in tsv_rows(FAMILIES) {
            if let (Some(&code), Some(&family)) = (r.first(), r.get(1)) {
                c.families.entry(code).or_default().push(family);
            }
        }
        c
    })
}

/// Dollar value of a coin word.
pub(super) fn coin_value(w: &str) -> Option<f64> {
    currencies().words.get(w).and_then(|e| e.coin)
}

impl Ctx<'_> {
    /// Currency at `i`: (currency, tokens), computed (the scanner caches it per token).
    pub(super) fn lookup_currency(&self, i: usize) -> Option<(Cur, usize)> {
        let t = self.toks.get(i)?;
        let c = currencies();
        if t.kind == TokKind::Symbol {
            return c.signs.get(t.text).map(|cur| (*cur, 1));
        }
        if t.kind != TokKind::Word {
            return None;
        }
        let capital = self.text.is_capitalised(t.start);
        let before_number = self.kind(i + 1) == Some(TokKind::Number);
        if let Some(cur) = c.capital_prefixes.get(t.text).filter(|_| capital && before_number) {
            return Some((*cur, 1));
        }
        if t.text.len() > c.max_word {
            return None;
        }
        let entry = c.words.get(t.text)?;
        if let Some((p, cur)) = entry.phrases.iter().find(|(p, _)| self.seq(i, p)) {
            return Some((*cur, p.len()));
        }
        entry.word.map(|cur| (cur, 1))
    }
}

/// A coin with no number before it (`dime` = 0.10 USD).
pub(super) fn bare_coin(i: usize, v: f64) -> Simple {
    Simple {
        start: i,
        end: i + 1,
        value: v,
        amount: Amount {
            value: v,
            base: v,
            scale: 1.0,
            end: i + 1,
            moneyish: false,
            grand: false,
            vague: false,
            plain_int: false,
        },
        cur: Some(Cur::Dollar),
        coin: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_loads() {
        let c = currencies();
        let rows = tsv_rows(CURRENCIES).count();
        let loaded = c.signs.len()
            + c.capital_prefixes.len()
            + c.words.values().map(|e| usize::from(e.word.is_some()) + e.phrases.len()).sum::<usize>();
        assert_eq!(rows, loaded, "a currency row did not parse or repeats a form");
        assert_eq!(c.signs.get("r$"), Some(&Cur::Iso("BRL")));
        assert!(c.in_family("CAD", "dollar") && c.in_family("MXN", "peso") && c.in_family("BRL", "mil_thousand"));
        assert_eq!(coin_value("dime"), Some(0.1));
        assert!(c.is_minor_unit("paise"));
    }
}
