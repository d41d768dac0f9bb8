//! The schedule's words, loaded once from `fixtures/lang/`: months, weekdays, duration units,
//! holidays and occasions, and the cue words by class. Number and ordinal words come from the
//! shared number table ([`crate::understand::numbers`]).

use std::sync::OnceLock;

use crate::understand::numbers::WordMap;

use chrono::Weekday;

use super::calendar::DayRule;
use super::Span;
use crate::understand::lexicon::tsv_rows;

const MONTHS: &str = include_str!("../../../fixtures/lang/months.tsv");
const WEEKDAYS: &str = include_str!("../../../fixtures/lang/weekdays.tsv");
const UNITS: &str = include_str!("../../../fixtures/lang/duration_units.tsv");
const HOLIDAYS: &str = include_str!("../../../fixtures/lang/holidays.tsv");
const CUES: &str = include_str!("../../../fixtures/lang/schedule_cues.tsv");

/// A class of cue words (the `class` column of `schedule_cues.tsv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    /// In front of "the holidays": a period, not a greeting.
    HolidaysCue = 0,
    /// Introduces a start.
    Start,
    /// Introduces an inclusive end.
    End,
    /// Links two dates of a range.
    RangeLink,
    /// Skipped between a cue and its date.
    Filler,
    /// Makes a date not about the flight ("due Friday").
    Ignore,
    /// Makes "by N weeks" longer.
    Longer,
    /// Makes "by N weeks" shorter.
    Shorter,
    /// Makes "a week" a frequency.
    Frequency,
    /// Makes a month name a period.
    MonthPreposition,
    /// Before a named day: the days around it ("over Easter").
    Over,
    /// Separates the fields of a shorthand brief ("DE / may / 40k").
    Field,
    /// Refers back to a date said before ("from then").
    Anaphor,
    /// Replaces a date said before ("actually, make it October").
    Correction,
    /// Links two days or months inside one date phrase.
    DateLink,
    /// After a length: a date before today.
    Ago,
    /// After a length: a date after today.
    Hence,
    /// Between a number and its unit: a longer flight.
    MoreUnits,
    /// Between a number and its unit: a shorter flight.
    FewerUnits,
    /// After a length: a longer flight.
    LongerAfter,
    /// After a length: a shorter flight.
    ShorterAfter,
    /// After a length: an age.
    AgeWord,
    /// An e-mail header of the sending date.
    Header,
    /// This week/month.
    RelThis,
    /// The next week/month.
    RelNext,
    /// The week/month before.
    RelLast,
    /// The first ten days of a month.
    PartEarly,
    /// The middle ten days of a month.
    PartMid,
    /// The last days of a month.
    PartLate,
    /// "The beginning of".
    PartStart,
    /// "The end of".
    PartEnd,
    /// Before a length: the flight moves later by it ("push it back a week").
    ShiftLater,
    /// Before a length: the flight moves earlier by it ("bring it forward a week").
    ShiftEarlier,
    /// Before a start or end verb: another period than the flight ("our fiscal year ends 31
    /// March", "the lease starts in May").
    OtherPeriod,
    /// A phrase saying the flight keeps its length when its start or end moves ("same length").
    KeepLength,
    /// A word that can begin a date phrase although no other table holds it ("the", "tomorrow").
    Opener,
}

impl Class {
    fn parse(s: &str) -> Option<Class> {
        Some(match s {
            "holidays_cue" => Class::HolidaysCue,
            "start" => Class::Start,
            "end" => Class::End,
            "range_link" => Class::RangeLink,
            "filler" => Class::Filler,
            "ignore" => Class::Ignore,
            "longer" => Class::Longer,
            "shorter" => Class::Shorter,
            "frequency" => Class::Frequency,
            "month_preposition" => Class::MonthPreposition,
            "over" => Class::Over,
            "field" => Class::Field,
            "anaphor" => Class::Anaphor,
            "correction" => Class::Correction,
            "date_link" => Class::DateLink,
            "ago" => Class::Ago,
            "hence" => Class::Hence,
            "more_units" => Class::MoreUnits,
            "fewer_units" => Class::FewerUnits,
            "longer_after" => Class::LongerAfter,
            "shorter_after" => Class::ShorterAfter,
            "age_word" => Class::AgeWord,
            "header" => Class::Header,
            "rel_this" => Class::RelThis,
            "rel_next" => Class::RelNext,
            "rel_last" => Class::RelLast,
            "part_early" => Class::PartEarly,
            "part_mid" => Class::PartMid,
            "part_late" => Class::PartLate,
            "part_start" => Class::PartStart,
            "part_end" => Class::PartEnd,
            "other_period" => Class::OtherPeriod,
            "shift_later" => Class::ShiftLater,
            "shift_earlier" => Class::ShiftEarlier,
            "keep_length" => Class::KeepLength,
            "opener" => Class::Opener,
            _ => return None,
        })
    }
}

/// A named day or period: its words and its first (and last) day.
#[derive(Debug, Clone)]
pub(super) struct Named {
    pub(super) words: Vec<&'static str>,
    pub(super) first: DayRule,
    pub(super) last: Option<DayRule>,
    /// The days meant by "over X" (first, last), when they differ from the day itself.
    pub(super) over: Option<(DayRule, DayRule)>,
}

/// The tables.
pub(super) struct Vocab {
    months: WordMap<&'static str, (u32, bool)>,
    weekdays: WordMap<&'static str, Weekday>,
    units: WordMap<&'static str, Span>,
    /// Named days and periods by first word, longest first.
    named: WordMap<&'static str, Vec<Named>>,
    /// Cue classes per word, as a bit set of [`Class`].
    classes: WordMap<&'static str, u64>,
    /// Cue rows of several words ("same length") by first word, with their class.
    phrases: WordMap<&'static str, Vec<(Vec<&'static str>, Class)>>,
}

impl Vocab {
    /// Month number of a month word.
    pub(super) fn month(&self, w: &str) -> Option<u32> {
        self.months.get(w).map(|m| m.0)
    }

    /// Whether the month word may stand alone as a period.
    pub(super) fn month_alone(&self, w: &str) -> bool {
        self.months.get(w).is_some_and(|m| m.1)
    }

    /// Weekday of a weekday word.
    pub(super) fn weekday(&self, w: &str) -> Option<Weekday> {
        self.weekdays.get(w).copied()
    }

    /// One unit of a duration word.
    pub(super) fn unit(&self, w: &str) -> Option<Span> {
        self.units.get(w).copied()
    }

    /// Every month, weekday, unit and cue word, and the first word of every cue phrase and named day.
    pub(super) fn calendar_words(&self) -> impl Iterator<Item = &'static str> + '_ {
        let keys = self.months.keys().chain(self.weekdays.keys()).chain(self.units.keys()).chain(self.classes.keys());
        keys.chain(self.phrases.keys()).chain(self.named.keys()).copied()
    }

    /// The cue classes of `w`, as a bit set of [`Class`].
    pub(super) fn classes(&self, w: &str) -> u64 {
        self.classes.get(w).copied().unwrap_or(0)
    }

    /// Named days and periods starting with `w`, longest first.
    pub(super) fn named(&self, w: &str) -> &[Named] {
        self.named.get(w).map_or(&[], Vec::as_slice)
    }

    /// Whether `w` is a cue word of `class`.
    pub(super) fn is(&self, w: &str, class: Class) -> bool {
        self.classes.get(w).is_some_and(|bits| bits & (1u64 << class as u32) != 0)
    }

    /// The cue phrases of `class` that start with `w`, each as its words.
    pub(super) fn phrases(&self, w: &str, class: Class) -> impl Iterator<Item = &[&'static str]> + '_ {
        let rows = self.phrases.get(w).map_or(&[][..], Vec::as_slice);
        rows.iter().filter(move |(_, c)| *c == class).map(|(words, _)| words.as_slice())
    }

    /// Whether a cue phrase starts with `w`.
    pub(super) fn starts_phrase(&self, w: &str) -> bool {
        self.phrases.contains_key(w)
    }
}

/// Parses a day rule of `holidays.tsv`: `12-25`, `last 12 1`, `nth 11 fri 4 +3`, `easter -2`.
pub(super) fn parse_rule(s: &str) -> Option<DayRule> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let offset = |p: Option<&&str>| p.map_or(Some(0), |o| o.trim_start_matches('+').parse::<i64>().ok());
    match parts.as_slice() {
        ["last", m, k] => Some(DayRule::LastDay(m.parse().ok()?, k.parse().ok()?)),
        ["nth", m, wd, n, rest @ ..] => {
            let wd: Weekday = wd.parse().ok()?;
            Some(DayRule::Nth(m.parse().ok()?, wd, n.parse().ok()?, offset(rest.first())?))
        }
        ["easter", rest @ ..] => Some(DayRule::Easter(offset(rest.first())?)),
        [md] => {
            let (m, d) = md.split_once('-')?;
            Some(DayRule::Md(m.parse().ok()?, d.parse().ok()?))
        }
        _ => None,
    }
}

/// The tables, parsed once.
pub(super) fn vocab() -> &'static Vocab {
    static V: OnceLock<Vocab> = OnceLock::new();
    V.get_or_init(|| {
        let months = tsv_rows(MONTHS)
            .filter_map(|r| Some((*r.first()?, (r.get(1)?.parse().ok()?, r.get(2) == Some(&"yes")))))
            .collect();
        let weekdays = tsv_rows(WEEKDAYS).filter_map(|r| Some((*r.first()?, r.get(1)?.parse().ok()?))).collect();
        let units = tsv_rows(UNITS)
            .filter_map(|r| {
                let n: i64 = r.get(2)?.parse().ok()?;
                let span = match *r.get(1)? {
                    "days" => Span::Days(n),
                    "months" => Span::Months(n),
                    _ => return None,
                };
                Some((*r.first()?, span))
            })
            .collect();
        let mut named: WordMap<&'static str, Vec<Named>> = WordMap::default();
        for r in tsv_rows(HOLIDAYS) {
            let (Some(phrase), Some(first)) = (r.first(), r.get(1).and_then(|s| parse_rule(s))) else { continue };
            let last = r.get(2).and_then(|s| parse_rule(s));
            let over = r.get(3).and_then(|s| parse_rule(s)).zip(r.get(4).and_then(|s| parse_rule(s)));
            let words: Vec<&'static str> = phrase.split_whitespace().collect();
            if let Some(w) = words.first() {
                named.entry(w).or_default().push(Named { words, first, last, over });
            }
        }
        for list in named.values_mut() {
            list.sort_by_key(|n| std::cmp::Reverse(n.words.len()));
        }
        let mut classes: WordMap<&'static str, u64> = WordMap::default();
        let mut phrases: WordMap<&'static str, Vec<(Vec<&'static str>, Class)>> = WordMap::default();
        for r in tsv_rows(CUES) {
            let (Some(w), Some(c)) = (r.first(), r.get(1).and_then(|c| Class::parse(c))) else { continue };
            if w.contains(' ') {
                let words: Vec<&'static str> = w.split_whitespace().collect();
                if let Some(first) = words.first() {
                    phrases.entry(*first).or_default().push((words, c));
                }
            } else {
                *classes.entry(w).or_default() |= 1u64 << c as u32;
            }
        }
        Vocab { months, weekdays, units, named, classes, phrases }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_of_every_table_parses() {
        let v = vocab();
        assert_eq!(v.month("sept"), Some(9));
        assert!(v.month_alone("march") && !v.month_alone("may"));
        assert_eq!(v.weekday("thurs"), Some(Weekday::Thu));
        assert_eq!(v.unit("fortnight"), Some(Span::Days(14)));
        assert!(v.is("until", Class::End) && v.is("from", Class::Start) && !v.is("from", Class::End));
        for table in [HOLIDAYS] {
            for r in tsv_rows(table) {
                assert!(r.get(1).and_then(|s| parse_rule(s)).is_some(), "{r:?}");
                for col in 2..5 {
                    let rule = r.get(col).copied().unwrap_or("");
                    assert!(rule.is_empty() || parse_rule(rule).is_some(), "{r:?}");
                }
            }
        }
        for r in tsv_rows(CUES) {
            assert!(r.get(1).and_then(|c| Class::parse(c)).is_some(), "unknown class in {r:?}");
        }
        assert_eq!(parse_rule("nth 11 fri 4 +3"), Some(DayRule::Nth(11, Weekday::Fri, 4, 3)));
        assert_eq!(parse_rule("easter -2"), Some(DayRule::Easter(-2)));
        assert_eq!(v.named("christmas").first().map(|n| n.words.len()), Some(2), "longest first");
    }
}
