//! The scanner: tries every token as the start of a match (named days, dates, relative dates,
//! durations), and tags each match with the cue word in front of it. The matchers live in
//! [`super::dates`] and [`super::relative`]; the token helpers they share are here.

use chrono::{NaiveDate, Weekday};

use super::tokens::{Kind, Tok};
use super::vocab::{vocab, Class};
use super::when::{Cue, Found, Hit};
use super::Span;

/// Token-level matchers over one message.
pub(super) struct Scanner<'t, 'a> {
    pub(super) t: &'t [Tok<'a>],
    pub(super) today: NaiveDate,
    /// Per token, whether it lies in text that is not prose ("Hi June,", a signature, "PO
    /// 4500-1"): no match and no cue word is read there.
    pub(super) aside: Vec<bool>,
}

/// A matcher: the date phrase that starts at token `i`, if any.
type Matcher = for<'s, 't, 'a> fn(&'s Scanner<'t, 'a>, usize) -> Found;

/// Every matcher in the order they are tried (the first match wins), and whether it can read a
/// number as its first token (the others need a word there: a name, a month, a weekday, a cue).
const MATCHERS: [(Matcher, bool); 17] = [
    (|s, i| s.named(i), false),
    (|s, i| s.relative_offset(i), true),
    (|s, i| s.part_of_period(i), false),
    (|s, i| s.nth_in_month(i), true),
    (|s, i| s.day_of_relative_month(i), true),
    (|s, i| s.weekday_date(i), false),
    (|s, i| s.month_range(i), false),
    (|s, i| s.month_first(i), false),
    (|s, i| s.day_first(i), true),
    (|s, i| s.numeric_date(i), true),
    (|s, i| s.relative_day(i), false),
    (|s, i| s.weekday(i), false),
    (|s, i| s.quarter(i), false),
    (|s, i| s.month_alone(i), false),
    (|s, i| s.ordinal_range(i), true),
    (|s, i| s.the_ordinal(i), false),
    (|s, i| s.duration(i), true),
];

impl Scanner<'_, '_> {
    pub(super) fn scan(&self) -> Vec<Hit> {
        let mut hits: Vec<Hit> = Vec::new();
        let mut prev_hi = usize::MAX;
        let mut i = 0;
        while i < self.t.len() {
            if self.inert(i) {
                // No matcher starts at a word that begins no date ([`super::tokens::Lex::inert`]):
                // checked against every matcher in debug builds (the tests), skipped in release.
                debug_assert!(self.match_at(i).is_none(), "a date begins at inert {:?}", self.t[i].text);
                i += 1;
                continue;
            }
            match self.match_at(i) {
                Some((what, hi)) if hi > i && !self.set_aside(i, hi) => {
                    let (cue, from) = self.cue(i, hi, prev_hi == i.wrapping_sub(1) || prev_hi == i.wrapping_sub(2));
                    // `match_at` tries the named-day table first: a match there is an occasion.
                    let occasion = self.named(i).is_some();
                    hits.push(Hit { what, hi, cue, from, occasion });
                    prev_hi = hi;
                    i = hi;
                }
                _ => i += 1,
            }
        }
        hits
    }

    /// Whether token `i` is a word that begins no date phrase ([`super::tokens::Lex::inert`]).
    fn inert(&self, i: usize) -> bool {
        self.t.get(i).is_some_and(|t| t.kind == Kind::Word && t.lex.inert())
    }

    pub(super) fn match_at(&self, i: usize) -> Found {
        let t = self.t.get(i)?;
        if t.kind == Kind::Punct {
            return None; // no match starts at punctuation
        }
        // At a number only the matchers that read one first are tried; the tests (debug builds)
        // check that the others find nothing there.
        let number = t.kind == Kind::Num;
        let found = MATCHERS.iter().filter(|m| !number || m.1).find_map(|m| m.0(self, i));
        debug_assert!(!number || found == MATCHERS.iter().find_map(|m| m.0(self, i)), "at number {:?}", t.text);
        found
    }

    // --- token helpers ------------------------------------------------------------------------

    /// Whether any of tokens `lo..hi` lies in text that is not prose.
    pub(super) fn set_aside(&self, lo: usize, hi: usize) -> bool {
        self.aside.get(lo..hi.min(self.aside.len())).is_some_and(|a| a.contains(&true))
    }

    pub(super) fn w(&self, i: usize) -> &str {
        match self.t.get(i) {
            Some(t) if t.kind != Kind::Num => t.text,
            _ => "",
        }
    }

    pub(super) fn is(&self, i: usize, word: &str) -> bool {
        self.w(i) == word
    }

    pub(super) fn is_any(&self, i: usize, words: &[&str]) -> bool {
        let w = self.w(i);
        !w.is_empty() && words.contains(&w)
    }

    pub(super) fn glued(&self, i: usize) -> bool {
        match (self.t.get(i), self.t.get(i + 1)) {
            (Some(a), Some(b)) => a.end == b.start,
            _ => false,
        }
    }

    /// Whether token `i` is a cue word of `class`.
    pub(super) fn in_class(&self, i: usize, class: Class) -> bool {
        // The classes were looked up once by the tokenizer; a number is in none (`w` is "").
        self.t.get(i).is_some_and(|t| t.kind != Kind::Num && t.lex.classes & (1u64 << class as u32) != 0)
    }

    /// Whether token `i` is a verb in the past tense that is no cue ("installed on Tuesday",
    /// "we met on 3 May"): what happened then is not the flight.
    pub(super) fn past_tense(&self, i: usize) -> bool {
        let w = self.w(i);
        let v = vocab();
        w.len() > 4 && w.ends_with("ed") && !v.is(w, Class::Start) && !v.is(w, Class::End) && !v.is(w, Class::Longer)
    }

    /// Whether token `i` is the colon of an e-mail header of the sending date ("Sent:",
    /// "Date:"; not "start date:").
    pub(super) fn header(&self, i: usize) -> bool {
        let v = vocab();
        let cue_before = |k: usize| v.is(self.w(k), Class::Start) || v.is(self.w(k), Class::End);
        self.is(i, ":") && i > 0 && self.in_class(i - 1, Class::Header) && !(i > 1 && cue_before(i - 2))
    }

    /// Whether token `i` is the edge of a field: the start or end of the text, or a separator
    /// ("W25-34 / DE / may / 40k", "NL, nov, awareness").
    pub(super) fn field_edge(&self, i: Option<usize>) -> bool {
        match i.and_then(|i| self.t.get(i)) {
            None => true,
            Some(t) => t.kind == Kind::Punct && vocab().is(t.text, Class::Field),
        }
    }

    /// Whether tokens `lo..hi` stand alone as a field.
    pub(super) fn is_field(&self, lo: usize, hi: usize) -> bool {
        self.field_edge(lo.checked_sub(1)) && self.field_edge(Some(hi))
    }

    pub(super) fn is_dash(&self, i: usize) -> bool {
        matches!(self.w(i), "-" | "–" | "—")
    }

    /// Skips an optional word.
    pub(super) fn opt(&self, i: usize, word: &str) -> usize {
        if self.is(i, word) {
            i + 1
        } else {
            i
        }
    }

    pub(super) fn month(&self, i: usize) -> Option<u32> {
        let t = self.t.get(i)?;
        t.lex.month
    }

    pub(super) fn weekday_at(&self, i: usize) -> Option<Weekday> {
        let t = self.t.get(i)?;
        if t.possessive {
            return None;
        }
        t.lex.weekday
    }

    /// A weekday in the plural ("fridays").
    pub(super) fn weekdays_at(&self, i: usize) -> Option<Weekday> {
        let w = self.w(i).strip_suffix('s')?;
        vocab().weekday(w).filter(|_| w.len() > 3)
    }

    pub(super) fn unit(&self, i: usize) -> Option<Span> {
        let t = self.t.get(i)?;
        if t.kind != Kind::Word {
            return None;
        }
        let single_letter = t.text.len() == 1;
        let glued_to_digit = i > 0 && self.glued(i - 1) && self.t.get(i - 1).is_some_and(|p| p.kind == Kind::Num);
        if single_letter && !glued_to_digit {
            return None;
        }
        t.lex.unit
    }

    /// A plain integer that is not money, a percentage or glued to an unknown word.
    pub(super) fn int(&self, i: usize) -> Option<i64> {
        let t = self.t.get(i)?;
        let v = t.val?;
        if t.kind != Kind::Num {
            return None;
        }
        let money_before = i > 0 && self.glued(i - 1) && matches!(self.w(i - 1), "$" | "€" | "£" | "¥" | "#");
        let bad_after = self.glued(i)
            && !t.ordinal
            && (matches!(self.w(i + 1), "%" | "+" | "k" | "m" | "x" | "h" | "s" | "a" | "p")
                || (self.t.get(i + 1).is_some_and(|n| n.kind == Kind::Word)
                    && self.unit(i + 1).is_none()
                    && self.month(i + 1).is_none()));
        (!money_before && !bad_after).then_some(v)
    }

    /// A day of the month: "15", "15th", "fifteenth".
    pub(super) fn day_num(&self, i: usize) -> Option<u32> {
        let n = self.int(i).or_else(|| self.t.get(i).and_then(|t| t.lex.ordinal))?;
        let n = u32::try_from(n).ok().filter(|n| (1..=31).contains(n))?;
        // "June 6 weeks", "3 days" are lengths, not days.
        (self.unit(i + 1).is_none() && !self.is(i + 1, "year") && !self.is(i + 1, "yr")).then_some(n)
    }

    pub(super) fn ordinal_num(&self, i: usize) -> Option<i64> {
        let t = self.t.get(i)?;
        if t.kind == Kind::Num && t.ordinal {
            return t.val;
        }
        self.t.get(i).and_then(|t| t.lex.ordinal)
    }

    /// A year after a date: optional comma, then 4 digits (1900–2100).
    pub(super) fn year(&self, i: usize) -> Option<(i32, usize)> {
        let j = if self.w(i) == "," { i + 1 } else { i };
        let t = self.t.get(j)?;
        let y = self.int(j).filter(|y| (1900..=2100).contains(y) && t.text.len() == 4 && !t.ordinal)?;
        Some((i32::try_from(y).ok()?, j + 1))
    }

    pub(super) fn number(&self, i: usize) -> Option<(i64, bool)> {
        if let Some(n) = self.int(i) {
            return Some((n, false));
        }
        match self.w(i) {
            "a" | "an" => Some((1, true)),
            _ => self.t.get(i).and_then(|t| t.lex.number).map(|n| (n, false)),
        }
    }

    // --- cues ---------------------------------------------------------------------------------

    /// The role given by the words in front of token `lo` (`after_hit`: a date ends right before).
    /// Returns the cue and the index of its word (`lo` when bare).
    pub(super) fn cue(&self, lo: usize, hi: usize, after_hit: bool) -> (Cue, usize) {
        // "Monday's meeting", "valentine's push": a possessive before a noun is not a date.
        let possessive = self.t.get(hi.wrapping_sub(1)).is_some_and(|t| t.possessive);
        if possessive && self.t.get(hi).is_some_and(|t| t.kind == Kind::Word) {
            return (Cue::Ignore, lo);
        }
        let mut j = lo;
        while j > 0 && self.in_class(j - 1, Class::Filler) {
            j -= 1;
        }
        let Some(k) = j.checked_sub(1).filter(|&k| !self.set_aside(k, k + 1)) else {
            return (Cue::Bare, lo);
        };
        // "->" is a range link written in two characters.
        let arrow = self.is(k, ">") && k > 0 && self.is(k - 1, "-") && self.glued(k - 1);
        let (k, w) = if arrow { (k - 1, "->") } else { (k, self.w(k)) };
        let v = vocab();
        let kick_off = self.is(k, "off") && self.w(k.wrapping_sub(1)).starts_with("kick");
        // "extend it to the end of April": "to" after a change of length names the new end.
        let change_to = w == "to" && (k.saturating_sub(4)..k).any(|c| self.in_class(c, Class::Longer));
        // "our fiscal year ends 31 March": a start or end verb (not a preposition: "a year from
        // Christmas") whose subject is another period.
        let verb = w.ends_with('s') || w.ends_with("ed") || w.ends_with("ing");
        let other_period = verb && k > 0 && self.in_class(k - 1, Class::OtherPeriod);
        let cue = if (v.is(w, Class::Start) || v.is(w, Class::End)) && other_period {
            Cue::Ignore
        } else if kick_off || v.is(w, Class::Start) {
            Cue::Start
        } else if change_to || v.is(w, Class::End) || ((arrow || v.is(w, Class::RangeLink)) && after_hit && j == lo) {
            Cue::End
        } else if w == "before" {
            Cue::Before
        } else if v.is(w, Class::Ignore) || self.past_tense(k) || self.header(k) {
            Cue::Ignore
        } else {
            Cue::Bare
        };
        (cue, if cue == Cue::Bare { lo } else { k })
    }

    /// The tokens `lo..hi` of the first phrase of `class` ("same length" for
    /// [`Class::KeepLength`]).
    pub(super) fn phrase(&self, class: Class) -> Option<(usize, usize)> {
        let v = vocab();
        // Only a token that starts some phrase is tried (one flag of the token's table lookup).
        (0..self.t.len()).filter(|&i| self.t[i].lex.phrase).find_map(|i| {
            v.phrases(self.t[i].text, class)
                .find(|words| {
                    words.iter().enumerate().all(|(k, w)| self.is(i + k, w)) && !self.set_aside(i, i + words.len())
                })
                .map(|words| (i, i + words.len()))
        })
    }

    // --- matchers -----------------------------------------------------------------------------
}

/// `n` units.
pub(super) fn scale(unit: Span, n: i64) -> Span {
    match unit {
        Span::Days(k) => Span::Days(k.saturating_mul(n)),
        Span::Months(k) => Span::Months(k.saturating_mul(n)),
    }
}
