//! The schedule's view of the shared tokens ([`crate::understand::lang::tokens`]): words,
//! numbers (with ordinal suffixes) and punctuation, each word looked up in the tables once.

use std::sync::OnceLock;

use chrono::Weekday;

use super::vocab::{vocab, Class};
use super::Span;
use crate::understand::lang::tokens::{tokens, Token};
use crate::understand::numbers::{count_word, ordinal_and_count_words, ordinal_word, WordMap};
use crate::understand::text::Text;

pub(super) use crate::understand::lang::tokens::Kind;

/// One token of the lowercased message; `start..end` are byte offsets into it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tok<'a> {
    pub(super) kind: Kind,
    pub(super) text: &'a str,
    pub(super) start: usize,
    pub(super) end: usize,
    /// Integer value of a plain digit run (no separators, at most 9 digits).
    pub(super) val: Option<i64>,
    /// Digits followed by st/nd/rd/th ("15th").
    pub(super) ordinal: bool,
    /// A word followed by "'s" ("mother's").
    pub(super) possessive: bool,
    /// Table lookups done once per word (month, weekday, unit, number word, ordinal word).
    pub(super) lex: &'static Lex,
}

/// What a word means in the data tables, looked up once by the tokenizer.
#[derive(Debug, Clone, Copy)]
pub(super) struct Lex {
    pub(super) month: Option<u32>,
    pub(super) weekday: Option<Weekday>,
    pub(super) unit: Option<Span>,
    pub(super) number: Option<i64>,
    pub(super) ordinal: Option<i64>,
    /// Cue classes ([`super::vocab::Class`]) as a bit set.
    pub(super) classes: u64,
    /// The first word of a cue phrase ("same length").
    pub(super) phrase: bool,
    /// The first word of a named day or period ("black" of "black friday").
    pub(super) named: bool,
}

impl Lex {
    /// A word in no table (and every number: its digits are no word).
    const NOTHING: Lex = Lex {
        month: None,
        weekday: None,
        unit: None,
        number: None,
        ordinal: None,
        classes: 0,
        phrase: false,
        named: false,
    };

    /// What `w` means in the tables: one lookup in a map of every table word, not one per table.
    pub(super) fn of(w: &str) -> &'static Lex {
        static ALL: OnceLock<WordMap<&'static str, Lex>> = OnceLock::new();
        let all = ALL.get_or_init(|| {
            // A word in none of the tables means nothing: those words are all the keys needed.
            let words = vocab().calendar_words().chain(ordinal_and_count_words());
            words.map(|w| (w, Lex::look_up(w))).collect()
        });
        all.get(w).unwrap_or(&Lex::NOTHING)
    }

    fn look_up(w: &str) -> Lex {
        let v = vocab();
        Lex {
            month: v.month(w),
            weekday: v.weekday(w),
            unit: v.unit(w),
            number: count_word(w),
            ordinal: ordinal_word(w),
            classes: v.classes(w),
            phrase: v.starts_phrase(w),
            named: !v.named(w).is_empty(),
        }
    }

    /// Whether no date phrase begins with the word: it is no month, weekday, unit, number,
    /// ordinal or first word of a named day, and of the cue classes only those that a matcher
    /// reads at a phrase's first word can begin one (the parts of a period, "last", the openers);
    /// a cue such as "until" or "for" comes before a date, never first in it.
    pub(super) fn inert(&self) -> bool {
        const FIRST: [Class; 7] = [
            Class::PartEarly,
            Class::PartMid,
            Class::PartLate,
            Class::PartStart,
            Class::PartEnd,
            Class::RelLast,
            Class::Opener,
        ];
        let first_classes = FIRST.iter().fold(0u64, |m, c| m | 1u64 << *c as u32);
        let Lex { month, weekday, unit, number, ordinal, classes, named, .. } = *self;
        month.is_none()
            && weekday.is_none()
            && unit.is_none()
            && number.is_none()
            && ordinal.is_none()
            && classes & first_classes == 0
            && !named
    }
}

/// The message's shared tokens ([`crate::understand::lang::tokens`]), each word and sign looked
/// up in the schedule's tables once.
pub(super) fn tokenize(text: &Text) -> Vec<Tok<'_>> {
    let norm = text.norm.as_str();
    tokens(text)
        .iter()
        .map(|t| {
            let word = &norm[t.start..t.text_end];
            // Punctuation is a cue too ("–" links dates, "/" separates fields).
            let lex = if t.kind == Kind::Num { &Lex::NOTHING } else { Lex::of(word) };
            let Token { kind, start, end, val, ordinal, possessive, .. } = *t;
            Tok { kind, text: word, start, end, val, ordinal, possessive, lex }
        })
        .collect()
}
