//! Schedule specialist: finds flight dates and durations in a message; resolves them against `today`.
//!
//! The pipeline is: lowercase the message once, split it into tokens with byte offsets,
//! scan the tokens left to right with small matchers (named days and periods, explicit
//! dates, relative dates, durations), tag every match with the cue word in front of it
//! ("from", "until", "before", "by", ...; none inside text that is not prose:
//! [`crate::understand::lang::marks`]), and finally combine the tagged matches into a
//! [`ScheduleFinding`]. [`apply`] merges a finding into the conversation's [`ScheduleState`].
//!
//! Conventions where the SPEC is silent are documented on the functions that implement them.
//!
//! Files: [`tokens`] splits the text, [`scan`] (with [`dates`] and [`relative`]) finds the
//! matches, [`when`] holds what a match means, [`combine`] turns matches into a finding,
//! [`calendar`] does the date arithmetic and the named-day rules; the words live in
//! `fixtures/lang/*.tsv` ([`vocab`]).

mod calendar;
mod combine;
mod dates;
mod relative;
mod scan;
mod tokens;
mod vocab;
mod when;

use chrono::NaiveDate;

use crate::understand::lang::marks;
use crate::understand::Text;
use calendar::{shift_days, shift_months};

/// A length of time. Weeks are Days(7n); years are Months(12n). Calendar months: start + n months - 1 day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Span {
    /// A number of days (weeks are 7 days each).
    Days(i64),
    /// A number of calendar months (years are 12 months each).
    Months(i64),
}

impl Span {
    /// Inclusive end of a flight of this length starting on `start` (30 days from Nov 24 ends Dec 23; 3 months from Jan 4 ends Apr 3).
    pub fn end_from(self, start: NaiveDate) -> NaiveDate {
        match self {
            Span::Days(n) => shift_days(start, n - 1),
            Span::Months(n) => shift_days(shift_months(start, n), -1),
        }
    }

    /// Inclusive start of a flight of this length ending on `end` (the inverse of [`Span::end_from`]).
    pub fn start_until(self, end: NaiveDate) -> NaiveDate {
        match self {
            Span::Days(n) => shift_days(end, 1 - n),
            Span::Months(n) => shift_months(shift_days(end, 1), -n),
        }
    }

    /// Moves a start date by this span times `sign` (+1 later, -1 earlier).
    pub fn move_start(self, start: NaiveDate, sign: i64) -> NaiveDate {
        match self {
            Span::Days(n) => shift_days(start, sign * n),
            Span::Months(n) => shift_months(start, sign * n),
        }
    }

    /// Moves an inclusive `end` by this span times `sign` (+1 longer, -1 shorter).
    pub fn move_end(self, end: NaiveDate, sign: i64) -> NaiveDate {
        match self {
            Span::Days(n) => shift_days(end, sign * n),
            Span::Months(n) => shift_days(shift_months(shift_days(end, 1), sign * n), -1),
        }
    }
}

/// What one message says about the schedule. Everything optional; an empty finding means "nothing said".
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ScheduleFinding {
    /// Stated or resolved start ("from Monday", "starting next month", "Jan 4", the start of "Q2").
    pub start: Option<NaiveDate>,
    /// Stated or resolved inclusive end ("until Christmas", "before Christmas" = Dec 24, end of "Q2").
    pub end: Option<NaiveDate>,
    /// An absolute flight length ("for 30 days", "6 weeks", "extended it to 60 days").
    pub duration: Option<Span>,
    /// A relative change of length: sign (+1 longer, -1 shorter) and amount ("extend by two weeks").
    pub extend_by: Option<(i64, Span)>,
    /// A move of the whole flight: sign (+1 later, -1 earlier) and amount ("push it back a week").
    pub shift_by: Option<(i64, Span)>,
    /// True when the stated start lies before `today` (informational; the lead warns from the state).
    pub past_start_stated: bool,
    /// The message says the flight keeps its length ("same length", "keep the duration"): a new
    /// start alone moves the end with it (and a new end alone the start), even when the previous
    /// flight was stated as two dates rather than a length.
    pub keep_length: bool,
    /// Byte ranges of [`crate::understand::Text::norm`] this specialist read: what is not covered
    /// by any specialist's spans is reported as not understood.
    #[serde(skip)]
    pub spans: Vec<(usize, usize)>,
}

impl ScheduleFinding {
    /// True when the message said nothing about the schedule.
    pub fn is_empty(&self) -> bool {
        self.start.is_none()
            && self.end.is_none()
            && self.duration.is_none()
            && self.extend_by.is_none()
            && self.shift_by.is_none()
    }
}

/// The schedule state of a conversation's brief (what the merge keeps between messages).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScheduleState {
    /// First day of the flight.
    pub start: Option<NaiveDate>,
    /// Last day of the flight (inclusive).
    pub end: Option<NaiveDate>,
    /// The stated length, kept so that a later start moves the end with it.
    pub span: Option<Span>,
}

impl ScheduleState {
    /// `days` = end - start + 1 when both known (may be <= 0 when end is before start: never "fix" it).
    pub fn days(&self) -> Option<i64> {
        match (self.start, self.end) {
            (Some(s), Some(e)) => Some((e - s).num_days() + 1),
            _ => None,
        }
    }
}

/// Find schedule facts in one message. `today` is the reference date. Pure, no panics on any input.
pub fn extract(text: &Text, today: NaiveDate) -> ScheduleFinding {
    let toks = tokens::tokenize(text);
    // Text that is not prose (a salutation's name, a signature, a labelled number, a header
    // line) says nothing about the flight; a subject or a reply's subject may name it.
    let aside = toks
        .iter()
        .map(|t| {
            text.in_marked(t.start, t.end)
                && !marks::in_subject_line(text, t.start)
                && !marks::in_reply_subject(text, t.start)
        })
        .collect();
    let scanner = scan::Scanner { t: &toks, today, aside };
    let hits = scanner.scan();
    let mut f = combine::combine(&hits, &toks, today);
    if let Some((lo, hi)) = scanner.phrase(vocab::Class::KeepLength) {
        f.keep_length = true;
        if let (Some(a), Some(b)) = (toks.get(lo), toks.get(hi - 1)) {
            f.spans.push((a.start, b.end));
        }
    }
    f
}

/// Merge a finding into the previous state (`prev` is Default for the first message).
///
/// A follow-up changes only what it mentions. A period (start and end) replaces both; a start
/// alone keeps a previous span (or a previous end); a duration alone keeps the previous start
/// (or starts tomorrow); an end alone keeps the previous start (or starts tomorrow); `extend_by`
/// moves the end. Where the SPEC is silent: a duration with an end but no start counts back
/// from the end ("4 weeks before Christmas"). With `keep_length` ("same length"), the previous
/// flight's length counts as stated: a start alone moves the end, an end alone the start.
pub fn apply(prev: &ScheduleState, f: &ScheduleFinding, today: NaiveDate) -> ScheduleState {
    let default_start = || prev.start.unwrap_or_else(|| shift_days(today, 1));
    let kept = prev.span.or_else(|| prev.days().filter(|n| *n > 0).map(Span::Days));
    let stated_length = match (f.start, f.end, f.duration) {
        (Some(_), None, None) | (None, Some(_), None) if f.keep_length => kept,
        _ => f.duration,
    };
    let mut st = match (f.start, f.end, stated_length) {
        (Some(s), Some(e), _) => ScheduleState { start: Some(s), end: Some(e), span: None },
        (Some(s), None, Some(d)) => ScheduleState { start: Some(s), end: Some(d.end_from(s)), span: Some(d) },
        (Some(s), None, None) => match (prev.span, prev.end) {
            (Some(d), _) => ScheduleState { start: Some(s), end: Some(d.end_from(s)), span: Some(d) },
            (None, end) => ScheduleState { start: Some(s), end, span: None },
        },
        (None, Some(e), Some(d)) => ScheduleState { start: Some(d.start_until(e)), end: Some(e), span: Some(d) },
        (None, Some(e), None) => ScheduleState { start: Some(default_start()), end: Some(e), span: None },
        (None, None, Some(d)) => {
            let s = default_start();
            ScheduleState { start: Some(s), end: Some(d.end_from(s)), span: Some(d) }
        }
        (None, None, None) => prev.clone(),
    };
    if let (Some((sign, by)), Some(end)) = (f.extend_by, st.end) {
        st.end = Some(by.move_end(end, sign));
        st.span = match (st.span, by) {
            (Some(Span::Months(a)), Span::Months(b)) => Some(Span::Months(a + sign * b)),
            (Some(Span::Days(a)), Span::Days(b)) => Some(Span::Days(a + sign * b)),
            (Some(_), _) => st.days().map(Span::Days),
            (None, _) => None,
        };
    }
    // "push it back a week": start and end move together; the length stays.
    if let (Some((sign, by)), Some(start)) = (f.shift_by, st.start.or_else(|| Some(default_start()))) {
        st.start = Some(by.move_start(start, sign));
        st.end = st.end.map(|e| by.move_end(e, sign));
    }
    st
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_marks;
#[cfg(test)]
mod tests_ranges;
