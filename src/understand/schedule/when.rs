//! What a schedule match means: a date, a period or a length, recurring yearly or fixed, and
//! the role the cue words in front of it give it.

use chrono::{Datelike, NaiveDate};

use super::calendar::{shift_days, DayRule};
use super::Span;

/// A yearly recurring day or period, resolved to the next occurrence that has not ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Yearly {
    Day(DayRule),
    Range(DayRule, DayRule),
}

/// When something happens: already resolved, or recurring every year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum When {
    Fixed(NaiveDate, NaiveDate),
    Yearly(Yearly),
}

impl When {
    pub(super) fn day(d: NaiveDate) -> When {
        When::Fixed(d, d)
    }

    /// First occurrence whose end is on/after `floor` (a single day: on/after `floor`).
    pub(super) fn resolve(self, floor: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        match self {
            When::Fixed(s, e) => Some((s, e)),
            When::Yearly(y) => (floor.year()..=floor.year().saturating_add(8)).find_map(|year| {
                let (s, e) = match y {
                    Yearly::Day(r) => (r.on(year)?, r.on(year)?),
                    Yearly::Range(a, b) => (a.on(year)?, b.on(year)?),
                };
                (e >= floor).then_some((s, e))
            }),
        }
    }

    /// Resolution against today: a day on/after today; a period that has not ended, the current
    /// one from tomorrow.
    pub(super) fn resolve_from_today(self, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        match self {
            When::Fixed(..) | When::Yearly(Yearly::Day(_)) => self.resolve(today),
            When::Yearly(Yearly::Range(..)) => {
                let tomorrow = shift_days(today, 1);
                self.resolve(tomorrow).map(|(s, e)| (s.max(tomorrow), e))
            }
        }
    }
}

/// What a match means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum What {
    /// A point in time: a start when stated alone.
    Date(When),
    /// A period (month, quarter, named day): start and end when stated alone.
    Period(When),
    /// A length of time; `Some(sign)` for a relative change.
    Length(Span, Option<i64>),
    /// A move of the whole flight by a length: +1 later ("push it back a week"), -1 earlier.
    Shift(Span, i64),
}

/// The role the words in front of a match give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cue {
    Bare,
    Start,
    End,
    Before,
    Ignore,
}

/// One match: what it means, its tokens `lo..hi`, its cue and the token of the cue word.
#[derive(Debug, Clone, Copy)]
pub(super) struct Hit {
    pub(super) what: What,
    pub(super) hi: usize,
    pub(super) cue: Cue,
    /// First token of the cue word(s) in front of the match (`lo` when bare).
    pub(super) from: usize,
    /// True when the match is an occasion from the named-day table ("NYE", "Black Friday",
    /// "the holidays"): an explicit date or range in the same message outranks it.
    pub(super) occasion: bool,
}

pub(super) type Found = Option<(What, usize)>;
