//! Schedule specialist: finds flight dates and durations in a message; resolves them against `today`.
//!
//! The pipeline is: lowercase the message once, split it into tokens with byte offsets,
//! scan the tokens left to right with small matchers (named days and periods, explicit
//! dates, relative dates, durations), tag every match with the cue word in front of it
//! ("from", "until", "before", "by", ...), and finally combine the tagged matches into a
//! [`ScheduleFinding`]. [`apply`] merges a finding into the conversation's [`ScheduleState`].
//!
//! Conventions where the SPEC is silent are documented on the functions that implement them.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

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

    /// Moves an inclusive `end` by this span times `sign` (+1 longer, -1 shorter).
    fn move_end(self, end: NaiveDate, sign: i64) -> NaiveDate {
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
    /// True when the stated start lies before `today` (informational; the lead warns from the state).
    pub past_start_stated: bool,
    /// Byte ranges of [`crate::understand::Text::norm`] this specialist read: what is not covered
    /// by any specialist's spans is reported as not understood.
    #[serde(skip)]
    pub spans: Vec<(usize, usize)>,
}

impl ScheduleFinding {
    /// True when the message said nothing about the schedule.
    pub fn is_empty(&self) -> bool {
        self.start.is_none() && self.end.is_none() && self.duration.is_none() && self.extend_by.is_none()
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
pub fn extract(text: &str, today: NaiveDate) -> ScheduleFinding {
    let lower = text.to_lowercase();
    let toks = tokenize(&lower);
    let scanner = Scanner { t: &toks, today };
    let hits = scanner.scan();
    combine(&hits, today)
}

/// Merge a finding into the previous state (`prev` is Default for the first message).
///
/// A follow-up changes only what it mentions. A period (start and end) replaces both; a start
/// alone keeps a previous span (or a previous end); a duration alone keeps the previous start
/// (or starts tomorrow); an end alone keeps the previous start (or starts tomorrow); `extend_by`
/// moves the end. Where the SPEC is silent: a duration with an end but no start counts back
/// from the end ("4 weeks before Christmas").
pub fn apply(prev: &ScheduleState, f: &ScheduleFinding, today: NaiveDate) -> ScheduleState {
    let default_start = || prev.start.unwrap_or_else(|| shift_days(today, 1));
    let mut st = match (f.start, f.end, f.duration) {
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
    st
}

// ---------------------------------------------------------------------------------------------
// Date arithmetic (never panics: out-of-range results fall back to the input date).
// ---------------------------------------------------------------------------------------------

fn shift_days(d: NaiveDate, n: i64) -> NaiveDate {
    let r = if n >= 0 {
        d.checked_add_days(Days::new(n.unsigned_abs()))
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs()))
    };
    r.unwrap_or(d)
}

fn shift_months(d: NaiveDate, n: i64) -> NaiveDate {
    let m = u32::try_from(n.unsigned_abs()).unwrap_or(0);
    let r = if n >= 0 { d.checked_add_months(Months::new(m)) } else { d.checked_sub_months(Months::new(m)) };
    r.unwrap_or(d)
}

fn shift_span(d: NaiveDate, span: Span, sign: i64) -> NaiveDate {
    match span {
        Span::Days(n) => shift_days(d, sign * n),
        Span::Months(n) => shift_months(d, sign * n),
    }
}

fn last_day(y: i32, m: u32) -> Option<NaiveDate> {
    let (ny, nm) = if m >= 12 { (y.checked_add(1)?, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn monday_of(d: NaiveDate) -> NaiveDate {
    shift_days(d, -i64::from(d.weekday().num_days_from_monday()))
}

/// The first `wd` strictly after `d`.
fn next_weekday(d: NaiveDate, wd: Weekday) -> NaiveDate {
    let diff = (7 + i64::from(wd.num_days_from_monday()) - i64::from(d.weekday().num_days_from_monday())) % 7;
    shift_days(d, if diff == 0 { 7 } else { diff })
}

/// The last `wd` strictly before `d`.
fn prev_weekday(d: NaiveDate, wd: Weekday) -> NaiveDate {
    let diff = (7 + i64::from(d.weekday().num_days_from_monday()) - i64::from(wd.num_days_from_monday())) % 7;
    shift_days(d, if diff == 0 { -7 } else { -diff })
}

/// `n`-th `wd` of a month (n = -1: the last one).
fn nth_weekday(y: i32, m: u32, wd: Weekday, n: i32) -> Option<NaiveDate> {
    if n < 0 {
        let last = last_day(y, m)?;
        let back = (7 + i64::from(last.weekday().num_days_from_monday()) - i64::from(wd.num_days_from_monday())) % 7;
        return Some(shift_days(last, -back - 7 * i64::from(-n - 1)));
    }
    let first = NaiveDate::from_ymd_opt(y, m, 1)?;
    let d = shift_days(next_weekday(first, wd), -7);
    let d = if d < first { shift_days(d, 7) } else { d };
    let d = shift_days(d, 7 * i64::from(n - 1));
    (d.month() == m).then_some(d)
}

/// Easter Sunday (Gregorian computus, anonymous algorithm).
fn easter(y: i32) -> Option<NaiveDate> {
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(y, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

// ---------------------------------------------------------------------------------------------
// Data tables.
// ---------------------------------------------------------------------------------------------

const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

/// Month words that may stand alone as a period ("in March", "June."); others need a day, a year
/// or a preposition in front ("may" is a verb, "jan" a name).
const MONTHS_ALONE: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "sept",
    "october",
    "november",
    "december",
];

const WEEKDAYS: &[(&str, Weekday)] = &[
    ("monday", Weekday::Mon),
    ("mon", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("tues", Weekday::Tue),
    ("tue", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("wed", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("thurs", Weekday::Thu),
    ("thur", Weekday::Thu),
    ("thu", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("fri", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sat", Weekday::Sat),
    ("sunday", Weekday::Sun),
    ("sun", Weekday::Sun),
];

const NUMBER_WORDS: &[(&str, i64)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("ninety", 90),
    ("couple", 2),
];

const ORDINAL_WORDS: &[(&str, i64)] = &[
    ("first", 1),
    ("second", 2),
    ("third", 3),
    ("fourth", 4),
    ("fifth", 5),
    ("sixth", 6),
    ("seventh", 7),
    ("eighth", 8),
    ("ninth", 9),
    ("tenth", 10),
    ("eleventh", 11),
    ("twelfth", 12),
    ("thirteenth", 13),
    ("fourteenth", 14),
    ("fifteenth", 15),
    ("sixteenth", 16),
    ("seventeenth", 17),
    ("eighteenth", 18),
    ("nineteenth", 19),
    ("twentieth", 20),
    ("thirtieth", 30),
];

/// Duration units: (word, span of one unit). Single letters only count when glued to digits ("30d").
const UNITS: &[(&str, Span)] = &[
    ("day", Span::Days(1)),
    ("days", Span::Days(1)),
    ("d", Span::Days(1)),
    ("week", Span::Days(7)),
    ("weeks", Span::Days(7)),
    ("wk", Span::Days(7)),
    ("wks", Span::Days(7)),
    ("w", Span::Days(7)),
    ("fortnight", Span::Days(14)),
    ("fortnights", Span::Days(14)),
    ("month", Span::Months(1)),
    ("months", Span::Months(1)),
    ("mo", Span::Months(1)),
    ("mos", Span::Months(1)),
    ("mth", Span::Months(1)),
    ("mths", Span::Months(1)),
    ("quarter", Span::Months(3)),
    ("quarters", Span::Months(3)),
    ("year", Span::Months(12)),
    ("years", Span::Months(12)),
    ("yr", Span::Months(12)),
    ("yrs", Span::Months(12)),
];

/// How a single named day falls in a given year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayRule {
    /// A fixed month and day.
    Md(u32, u32),
    /// The `k`-th last day of a month (1 = the last day).
    LastDay(u32, u32),
    /// The `n`-th weekday of a month (n = -1: last), plus an offset in days.
    Nth(u32, Weekday, i32, i64),
    /// Easter Sunday plus an offset in days.
    Easter(i64),
}

impl DayRule {
    fn on(self, y: i32) -> Option<NaiveDate> {
        match self {
            DayRule::Md(m, d) => NaiveDate::from_ymd_opt(y, m, d),
            DayRule::LastDay(m, k) => last_day(y, m).map(|d| shift_days(d, 1 - i64::from(k))),
            DayRule::Nth(m, wd, n, plus) => nth_weekday(y, m, wd, n).map(|d| shift_days(d, plus)),
            DayRule::Easter(plus) => easter(y).map(|d| shift_days(d, plus)),
        }
    }
}

/// Named single days. Longer names first; possessive "'s" is stripped by the tokenizer.
const NAMED_DAYS: &[(&[&str], DayRule)] = &[
    (&["christmas", "eve"], DayRule::Md(12, 24)),
    (&["xmas", "eve"], DayRule::Md(12, 24)),
    (&["christmas", "day"], DayRule::Md(12, 25)),
    (&["christmas"], DayRule::Md(12, 25)),
    (&["xmas"], DayRule::Md(12, 25)),
    (&["boxing", "day"], DayRule::Md(12, 26)),
    (&["new", "year", "eve"], DayRule::Md(12, 31)),
    (&["new", "years", "eve"], DayRule::Md(12, 31)),
    (&["nye"], DayRule::Md(12, 31)),
    (&["new", "year", "day"], DayRule::Md(1, 1)),
    (&["new", "years", "day"], DayRule::Md(1, 1)),
    (&["valentine", "day"], DayRule::Md(2, 14)),
    (&["valentines", "day"], DayRule::Md(2, 14)),
    (&["valentine"], DayRule::Md(2, 14)),
    (&["valentines"], DayRule::Md(2, 14)),
    (&["mother", "day"], DayRule::Nth(5, Weekday::Sun, 2, 0)),
    (&["mothers", "day"], DayRule::Nth(5, Weekday::Sun, 2, 0)),
    (&["father", "day"], DayRule::Nth(6, Weekday::Sun, 3, 0)),
    (&["fathers", "day"], DayRule::Nth(6, Weekday::Sun, 3, 0)),
    // SPEC: Black Friday is the 4th Friday of November; Cyber Monday the Monday after.
    (&["black", "friday"], DayRule::Nth(11, Weekday::Fri, 4, 0)),
    (&["cyber", "monday"], DayRule::Nth(11, Weekday::Fri, 4, 3)),
    (&["thanksgiving"], DayRule::Nth(11, Weekday::Thu, 4, 0)),
    (&["halloween"], DayRule::Md(10, 31)),
    (&["good", "friday"], DayRule::Easter(-2)),
    (&["easter", "monday"], DayRule::Easter(1)),
    (&["easter", "mon"], DayRule::Easter(1)),
    (&["easter", "sunday"], DayRule::Easter(0)),
    (&["easter"], DayRule::Easter(0)),
    (&["st", "patrick", "day"], DayRule::Md(3, 17)),
    (&["st", "patricks", "day"], DayRule::Md(3, 17)),
    (&["saint", "patrick", "day"], DayRule::Md(3, 17)),
    (&["saint", "patricks", "day"], DayRule::Md(3, 17)),
    (&["st", "paddy", "day"], DayRule::Md(3, 17)),
    (&["saint", "paddy", "day"], DayRule::Md(3, 17)),
    (&["independence", "day"], DayRule::Md(7, 4)),
    (&["memorial", "day"], DayRule::Nth(5, Weekday::Mon, -1, 0)),
    (&["labor", "day"], DayRule::Nth(9, Weekday::Mon, 1, 0)),
    (&["labour", "day"], DayRule::Nth(9, Weekday::Mon, 1, 0)),
    (&["presidents", "day"], DayRule::Nth(2, Weekday::Mon, 3, 0)),
    (&["president", "day"], DayRule::Nth(2, Weekday::Mon, 3, 0)),
    (&["mlk", "day"], DayRule::Nth(1, Weekday::Mon, 3, 0)),
    (&["martin", "luther", "king", "day"], DayRule::Nth(1, Weekday::Mon, 3, 0)),
    (&["columbus", "day"], DayRule::Nth(10, Weekday::Mon, 2, 0)),
    (&["veterans", "day"], DayRule::Md(11, 11)),
    (&["veteran", "day"], DayRule::Md(11, 11)),
    (&["earth", "day"], DayRule::Md(4, 22)),
    (&["cinco", "de", "mayo"], DayRule::Md(5, 5)),
    (&["groundhog", "day"], DayRule::Md(2, 2)),
    (&["tax", "day"], DayRule::Md(4, 15)),
];

/// Named multi-day periods (first day, last day), same calendar year.
const NAMED_PERIODS: &[(&[&str], DayRule, DayRule)] = &[
    (&["back", "to", "school"], DayRule::Md(8, 1), DayRule::Md(9, 15)),
    (&["holiday", "season"], DayRule::Md(12, 1), DayRule::Md(12, 31)),
    (&["festive", "season"], DayRule::Md(12, 1), DayRule::Md(12, 31)),
    (&["summer"], DayRule::Md(6, 1), DayRule::Md(8, 31)),
    // Long weekends planners book as one flight.
    (&["easter", "period"], DayRule::Easter(-2), DayRule::Easter(1)),
    (&["easter", "weekend"], DayRule::Easter(-2), DayRule::Easter(1)),
    (&["easter", "holidays"], DayRule::Easter(-2), DayRule::Easter(1)),
    (&["thanksgiving", "weekend"], DayRule::Nth(11, Weekday::Thu, 4, 0), DayRule::Nth(11, Weekday::Thu, 4, 3)),
    (&["black", "friday", "weekend"], DayRule::Nth(11, Weekday::Fri, 4, 0), DayRule::Nth(11, Weekday::Fri, 4, 3)),
];

/// Words in front of "the holidays" that make it a period rather than a greeting.
const HOLIDAYS_CUES: &[&str] = &["over", "during", "for", "through", "throughout", "until", "till", "before", "across"];

/// Words that introduce a start.
const START_CUES: &[&str] = &[
    "from",
    "starting",
    "start",
    "starts",
    "started",
    "begin",
    "begins",
    "beginning",
    "commencing",
    "since",
    "launch",
    "launching",
    "launches",
    "launched",
    "live",
    "between",
    "effective",
];

/// Words that introduce an inclusive end.
const END_CUES: &[&str] = &["until", "till", "til", "through", "thru", "ending", "ends", "end", "including"];

/// Range connectors: an end only when a date comes right before them.
const RANGE_LINKS: &[&str] = &["to", "and", "-", "–", "—"];

/// Words skipped between a cue and its date ("from the 1st", "on Monday", "until around Easter").
const FILLERS: &[&str] =
    &["the", "on", "at", "in", "around", "about", "approximately", "roughly", "approx", "this", "it"];

/// Words that make a date not about the flight ("plan by EOD", "due Friday").
const IGNORE_CUES: &[&str] = &["by", "due", "last", "past"];

/// Verbs that turn "by N weeks" into a relative change.
const LONGER_VERBS: &[&str] = &["extend", "extended", "extending", "lengthen", "increase", "prolong", "add", "adding"];
const SHORTER_VERBS: &[&str] = &["shorten", "shortened", "shortening", "cut", "reduce", "reduced", "trim", "decrease"];

/// Words before "a week"/"a month" that make it a frequency, not a length.
const FREQUENCY_WORDS: &[&str] = &["per", "every", "each", "once", "twice", "times", "x"];

fn lookup<T: Copy>(table: &[(&str, T)], w: &str) -> Option<T> {
    table.iter().find(|(k, _)| *k == w).map(|(_, v)| *v)
}

// ---------------------------------------------------------------------------------------------
// Tokenizer.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Num,
    Punct,
}

/// One token of the lowercased message; `start..end` are byte offsets into it.
#[derive(Debug, Clone, Copy)]
struct Tok<'a> {
    kind: Kind,
    text: &'a str,
    start: usize,
    end: usize,
    /// Integer value of a plain digit run (no separators, at most 9 digits).
    val: Option<i64>,
    /// Digits followed by st/nd/rd/th ("15th").
    ordinal: bool,
    /// A word followed by "'s" ("mother's").
    possessive: bool,
    /// Table lookups done once per word (month, weekday, unit, number word, ordinal word).
    lex: Lex,
}

/// What a word means in the data tables, looked up once by the tokenizer.
#[derive(Debug, Clone, Copy, Default)]
struct Lex {
    month: Option<u32>,
    weekday: Option<Weekday>,
    unit: Option<Span>,
    number: Option<i64>,
    ordinal: Option<i64>,
}

impl Lex {
    fn of(w: &str) -> Lex {
        Lex {
            month: lookup(MONTHS, w),
            weekday: lookup(WEEKDAYS, w),
            unit: lookup(UNITS, w),
            number: lookup(NUMBER_WORDS, w),
            ordinal: lookup(ORDINAL_WORDS, w),
        }
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Splits lowercased text into words (letters), numbers (digits with inner `.`/`,` groups) and
/// single punctuation characters. Letters and digits are split apart ("30d" → "30", "d").
fn tokenize(s: &str) -> Vec<Tok<'_>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(s.len() / 3 + 1);
    let mut i = 0;
    while let Some(c) = s.get(i..).and_then(|r| r.chars().next()) {
        if c.is_whitespace() {
            i += c.len_utf8();
        } else if c.is_ascii_digit() {
            i = push_number(s, b, i, &mut out);
        } else if c.is_alphabetic() {
            i = push_word(s, i, &mut out);
        } else {
            let end = i + c.len_utf8();
            out.push(Tok {
                kind: Kind::Punct,
                text: &s[i..end],
                start: i,
                end,
                val: None,
                ordinal: false,
                possessive: false,
                lex: Lex::default(),
            });
            i = end;
        }
    }
    out
}

fn push_number<'a>(s: &'a str, b: &[u8], st: usize, out: &mut Vec<Tok<'a>>) -> usize {
    let mut j = st;
    let mut sep = false;
    loop {
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j + 1 < b.len() && (b[j] == b'.' || b[j] == b',') && b[j + 1].is_ascii_digit() {
            sep = true;
            j += 1;
            continue;
        }
        break;
    }
    let text = &s[st..j];
    let val = if sep || text.len() > 9 { None } else { text.parse().ok() };
    let suffix = b.get(j..j + 2).unwrap_or(&[]);
    let after = b.get(j + 2).is_some_and(|c| c.is_ascii_alphabetic());
    let ordinal = matches!(suffix, b"st" | b"nd" | b"rd" | b"th") && !after && val.is_some();
    let end = if ordinal { j + 2 } else { j };
    out.push(Tok { kind: Kind::Num, text, start: st, end, val, ordinal, possessive: false, lex: Lex::default() });
    end
}

fn push_word<'a>(s: &'a str, st: usize, out: &mut Vec<Tok<'a>>) -> usize {
    let mut j = st;
    while let Some(c) = s.get(j..).and_then(|r| r.chars().next()) {
        if !c.is_alphabetic() {
            break;
        }
        j += c.len_utf8();
    }
    let mut end = j;
    let mut possessive = false;
    let mut rest = s.get(j..).unwrap_or("").chars();
    let (a, b, c) = (rest.next(), rest.next(), rest.next());
    match (a, b) {
        (Some(a), Some('s')) if is_apostrophe(a) && !c.is_some_and(char::is_alphabetic) => {
            possessive = true;
            end = j + a.len_utf8() + 1;
        }
        // Plural possessive: "presidents' day".
        (Some(a), next) if is_apostrophe(a) && s[st..j].ends_with('s') && !next.is_some_and(char::is_alphabetic) => {
            possessive = true;
            end = j + a.len_utf8();
        }
        _ => {}
    }
    out.push(Tok {
        kind: Kind::Word,
        text: &s[st..j],
        start: st,
        end,
        val: None,
        ordinal: false,
        possessive,
        lex: Lex::of(&s[st..j]),
    });
    end
}

// ---------------------------------------------------------------------------------------------
// Matches.
// ---------------------------------------------------------------------------------------------

/// A yearly recurring day or period, resolved to the next occurrence that has not ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Yearly {
    Day(DayRule),
    Range(DayRule, DayRule),
}

/// When something happens: already resolved, or recurring every year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    Fixed(NaiveDate, NaiveDate),
    Yearly(Yearly),
}

impl When {
    fn day(d: NaiveDate) -> When {
        When::Fixed(d, d)
    }

    /// First occurrence whose end is on/after `floor` (a single day: on/after `floor`).
    fn resolve(self, floor: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
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
    fn resolve_from_today(self, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
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
enum What {
    /// A point in time: a start when stated alone.
    Date(When),
    /// A period (month, quarter, named day): start and end when stated alone.
    Period(When),
    /// A length of time; `Some(sign)` for a relative change.
    Length(Span, Option<i64>),
}

/// The role the words in front of a match give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    Bare,
    Start,
    End,
    Before,
    Ignore,
}

#[derive(Debug, Clone, Copy)]
struct Hit {
    what: What,
    lo: usize,
    cue: Cue,
}

type Found = Option<(What, usize)>;

/// Token-level matchers over one message.
struct Scanner<'t, 'a> {
    t: &'t [Tok<'a>],
    today: NaiveDate,
}

impl Scanner<'_, '_> {
    fn scan(&self) -> Vec<Hit> {
        let mut hits: Vec<Hit> = Vec::new();
        let mut prev_hi = usize::MAX;
        let mut i = 0;
        while i < self.t.len() {
            match self.match_at(i) {
                Some((what, hi)) if hi > i => {
                    let cue = self.cue(i, hi, prev_hi == i.wrapping_sub(1) || prev_hi == i.wrapping_sub(2));
                    hits.push(Hit { what, lo: i, cue });
                    prev_hi = hi;
                    i = hi;
                }
                _ => i += 1,
            }
        }
        hits
    }

    fn match_at(&self, i: usize) -> Found {
        if self.t.get(i).is_none_or(|t| t.kind == Kind::Punct) {
            return None; // no match starts at punctuation
        }
        self.named(i)
            .or_else(|| self.relative_offset(i))
            .or_else(|| self.part_of_period(i))
            .or_else(|| self.nth_in_month(i))
            .or_else(|| self.day_of_relative_month(i))
            .or_else(|| self.weekday_date(i))
            .or_else(|| self.month_first(i))
            .or_else(|| self.day_first(i))
            .or_else(|| self.numeric_date(i))
            .or_else(|| self.relative_day(i))
            .or_else(|| self.weekday(i))
            .or_else(|| self.quarter(i))
            .or_else(|| self.month_alone(i))
            .or_else(|| self.the_ordinal(i))
            .or_else(|| self.duration(i))
    }

    // --- token helpers ------------------------------------------------------------------------

    fn w(&self, i: usize) -> &str {
        match self.t.get(i) {
            Some(t) if t.kind != Kind::Num => t.text,
            _ => "",
        }
    }

    fn is(&self, i: usize, word: &str) -> bool {
        self.w(i) == word
    }

    fn is_any(&self, i: usize, words: &[&str]) -> bool {
        let w = self.w(i);
        !w.is_empty() && words.contains(&w)
    }

    fn glued(&self, i: usize) -> bool {
        match (self.t.get(i), self.t.get(i + 1)) {
            (Some(a), Some(b)) => a.end == b.start,
            _ => false,
        }
    }

    fn is_dash(&self, i: usize) -> bool {
        matches!(self.w(i), "-" | "–" | "—")
    }

    /// Skips an optional word.
    fn opt(&self, i: usize, word: &str) -> usize {
        if self.is(i, word) {
            i + 1
        } else {
            i
        }
    }

    fn month(&self, i: usize) -> Option<u32> {
        let t = self.t.get(i)?;
        t.lex.month
    }

    fn weekday_at(&self, i: usize) -> Option<Weekday> {
        let t = self.t.get(i)?;
        if t.possessive {
            return None;
        }
        t.lex.weekday
    }

    /// A weekday in the plural ("fridays").
    fn weekdays_at(&self, i: usize) -> Option<Weekday> {
        let w = self.w(i).strip_suffix('s')?;
        lookup(WEEKDAYS, w).filter(|_| w.len() > 3)
    }

    fn unit(&self, i: usize) -> Option<Span> {
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
    fn int(&self, i: usize) -> Option<i64> {
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
    fn day_num(&self, i: usize) -> Option<u32> {
        let n = self.int(i).or_else(|| self.t.get(i).and_then(|t| t.lex.ordinal))?;
        let n = u32::try_from(n).ok().filter(|n| (1..=31).contains(n))?;
        // "June 6 weeks", "3 days" are lengths, not days.
        (self.unit(i + 1).is_none() && !self.is(i + 1, "year") && !self.is(i + 1, "yr")).then_some(n)
    }

    fn ordinal_num(&self, i: usize) -> Option<i64> {
        let t = self.t.get(i)?;
        if t.kind == Kind::Num && t.ordinal {
            return t.val;
        }
        self.t.get(i).and_then(|t| t.lex.ordinal)
    }

    /// A year after a date: optional comma, then 4 digits (1900–2100).
    fn year(&self, i: usize) -> Option<(i32, usize)> {
        let j = if self.w(i) == "," { i + 1 } else { i };
        let t = self.t.get(j)?;
        let y = self.int(j).filter(|y| (1900..=2100).contains(y) && t.text.len() == 4 && !t.ordinal)?;
        Some((i32::try_from(y).ok()?, j + 1))
    }

    fn number(&self, i: usize) -> Option<(i64, bool)> {
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
    fn cue(&self, lo: usize, hi: usize, after_hit: bool) -> Cue {
        if self.t.get(hi.wrapping_sub(1)).is_some_and(|t| t.possessive) {
            return Cue::Ignore;
        }
        let mut j = lo;
        while j > 0 && self.is_any(j - 1, FILLERS) {
            j -= 1;
        }
        let Some(k) = j.checked_sub(1) else {
            return Cue::Bare;
        };
        let w = self.w(k);
        let kick_off = self.is(k, "off") && self.w(k.wrapping_sub(1)).starts_with("kick");
        if kick_off || START_CUES.contains(&w) {
            Cue::Start
        } else if END_CUES.contains(&w) || (RANGE_LINKS.contains(&w) && after_hit && j == lo) {
            Cue::End
        } else if w == "before" {
            Cue::Before
        } else if IGNORE_CUES.contains(&w) {
            Cue::Ignore
        } else {
            Cue::Bare
        }
    }

    // --- matchers -----------------------------------------------------------------------------

    /// Named days and periods from the tables, and "the holidays" after a period word.
    fn named(&self, i: usize) -> Found {
        let seq = |words: &[&str]| words.iter().enumerate().all(|(k, w)| self.is(i + k, w));
        // Periods first: "easter weekend" is a period, not Easter Sunday.
        for (words, a, b) in NAMED_PERIODS {
            if seq(words) {
                return Some((What::Period(When::Yearly(Yearly::Range(*a, *b))), i + words.len()));
            }
        }
        for (words, rule) in NAMED_DAYS {
            if seq(words) {
                return Some(self.with_year(Yearly::Day(*rule), i + words.len(), true));
            }
        }
        let holidays = self.is(i, "the") && self.is(i + 1, "holidays") && i > 0 && self.is_any(i - 1, HOLIDAYS_CUES);
        holidays.then(|| (What::Period(When::Yearly(Yearly::Range(DayRule::Md(12, 1), DayRule::Md(12, 31)))), i + 2))
    }

    /// "in 2 weeks", "a week hence", "3 months ago", "3 fridays from now", "upcoming 2 days".
    fn relative_offset(&self, i: usize) -> Found {
        let today = self.today;
        if self.is(i, "in") || self.is(i, "upcoming") {
            let (n, _) = self.number(i + 1)?;
            let unit = self.unit(i + 2)?;
            if self.is(i + 3, "old") || self.is(i + 3, "olds") {
                return None;
            }
            return Some((What::Date(When::day(shift_span(today, scale(unit, n), 1))), i + 3));
        }
        let (n, _) = self.number(i)?;
        if self.is(i + 1, "upcoming") {
            let unit = self.unit(i + 2)?;
            return Some((What::Date(When::day(shift_span(today, scale(unit, n), 1))), i + 3));
        }
        if let Some(wd) = self.weekdays_at(i + 1) {
            let k = i64::from(u32::try_from(n).ok()?.max(1)) - 1;
            if self.is(i + 2, "from") && self.is(i + 3, "now") {
                return Some((What::Date(When::day(shift_days(next_weekday(today, wd), 7 * k))), i + 4));
            }
            if self.is_any(i + 2, &["ago", "back"]) {
                return Some((What::Date(When::day(shift_days(prev_weekday(today, wd), -7 * k))), i + 3));
            }
            return None;
        }
        let unit = self.unit(i + 1)?;
        let span = scale(unit, n);
        if self.is_any(i + 2, &["hence", "later"]) || (self.is(i + 2, "from") && self.is(i + 3, "now")) {
            let hi = if self.is(i + 2, "from") { i + 4 } else { i + 3 };
            return Some((What::Date(When::day(shift_span(today, span, 1))), hi));
        }
        if self.is_any(i + 2, &["ago", "back"]) {
            return Some((What::Date(When::day(shift_span(today, span, -1))), i + 3));
        }
        None
    }

    /// "end of this week", "beginning of next week", "EOM", "the end of February", "mid March".
    fn part_of_period(&self, i: usize) -> Found {
        let today = self.today;
        let som = month_start(today);
        let eom = last_day(today.year(), today.month()).unwrap_or(today);
        match self.w(i) {
            "eom" => return Some((What::Period(When::Fixed(shift_days(som, 20), eom)), i + 1)),
            "bom" => return Some((What::Period(When::Fixed(som, shift_days(som, 9))), i + 1)),
            "early" | "mid" | "late" => {
                let j = if self.is_dash(i + 1) { i + 2 } else { i + 1 };
                let m = self.month(j)?;
                let (a, b) = match self.w(i) {
                    "early" => (DayRule::Md(m, 1), DayRule::Md(m, 10)),
                    "mid" => (DayRule::Md(m, 11), DayRule::Md(m, 20)),
                    _ => (DayRule::Md(m, 21), DayRule::LastDay(m, 1)),
                };
                return Some(self.with_year(Yearly::Range(a, b), j + 1, true));
            }
            _ => {}
        }
        let end = match self.w(i) {
            "end" => true,
            "beginning" | "start" => false,
            _ => return None,
        };
        if !self.is(i + 1, "of") {
            return None;
        }
        let j = self.opt(i + 2, "the");
        if let Some(m) = self.month(j) {
            let (a, b) = if end {
                (DayRule::Md(m, 21), DayRule::LastDay(m, 1))
            } else {
                (DayRule::Md(m, 1), DayRule::Md(m, 10))
            };
            return Some(self.with_year(Yearly::Range(a, b), j + 1, true));
        }
        let (base, unit_at) = self.relative_base(j)?;
        match self.w(unit_at) {
            "week" => {
                let mon = shift_days(monday_of(today), 7 * base);
                let (s, e) = if end { (shift_days(mon, 4), shift_days(mon, 6)) } else { (mon, shift_days(mon, 2)) };
                Some((What::Period(When::Fixed(s, e)), unit_at + 1))
            }
            "month" => {
                let first = shift_months(som, base);
                let last = last_day(first.year(), first.month())?;
                let (s, e) = if end { (shift_days(first, 20), last) } else { (first, shift_days(first, 9)) };
                Some((What::Period(When::Fixed(s, e)), unit_at + 1))
            }
            _ => None,
        }
    }

    /// "this|current|the|coming|next|the following|around next|last|past|previous" before
    /// "week"/"month": returns the offset (-1, 0, +1) and the index of the unit word.
    fn relative_base(&self, j: usize) -> Option<(i64, usize)> {
        let j = self.opt(j, "around");
        match self.w(j) {
            "this" | "current" => Some((0, j + 1)),
            "coming" | "next" => Some((1, j + 1)),
            "following" => Some((1, j + 1)),
            "last" | "past" | "previous" => Some((-1, j + 1)),
            "week" | "month" => Some((0, j)),
            _ => None,
        }
    }

    /// A yearly period or day, with an optional year after it (which fixes it).
    fn with_year(&self, y: Yearly, j: usize, period: bool) -> (What, usize) {
        let (when, hi) = match self.year(j) {
            Some((year, hi)) => {
                let fixed = match y {
                    Yearly::Day(r) => r.on(year).map(When::day),
                    Yearly::Range(a, b) => a.on(year).zip(b.on(year)).map(|(s, e)| When::Fixed(s, e)),
                };
                match fixed {
                    Some(w) => (w, hi),
                    None => (When::Yearly(y), j),
                }
            }
            None => (When::Yearly(y), j),
        };
        (if period { What::Period(when) } else { What::Date(when) }, hi)
    }

    /// "first tuesday of october", "last Monday of March 2014", "the third day of october",
    /// "fifth last day of May", "the first Monday of this month".
    fn nth_in_month(&self, i: usize) -> Found {
        let i = self.opt(i, "the");
        let (n, j) = match self.w(i) {
            "last" => (-1, i + 1),
            _ => {
                let n = self.ordinal_num(i).filter(|n| (1..=31).contains(n))?;
                if self.is(i + 1, "last") {
                    (-n, i + 2)
                } else {
                    (n, i + 1)
                }
            }
        };
        let n = i32::try_from(n).ok()?;
        let what = self.weekday_at(j).map(Some).or_else(|| self.is(j, "day").then_some(None))?;
        if !self.is_any(j + 1, &["of", "in"]) {
            return None;
        }
        let rule = |m: u32| match what {
            Some(wd) => DayRule::Nth(m, wd, n.clamp(-5, 5), 0),
            None if n < 0 => DayRule::LastDay(m, n.unsigned_abs()),
            None => DayRule::Md(m, n.unsigned_abs()),
        };
        let k = j + 2;
        if let Some(m) = self.month(k) {
            return Some(self.with_year(Yearly::Day(rule(m)), k + 1, false));
        }
        let k = self.opt(k, "the");
        let (base, unit_at) = self.relative_base(k)?;
        if !self.is(unit_at, "month") {
            return None;
        }
        let first = shift_months(month_start(self.today), base);
        let d = rule(first.month()).on(first.year())?;
        Some((What::Date(When::day(d)), unit_at + 1))
    }

    /// "20 of next month", "20th day of next month", "20th of the current month".
    fn day_of_relative_month(&self, i: usize) -> Found {
        let i0 = self.opt(i, "the");
        let d = self.day_num(i0)?;
        let j = self.opt(i0 + 1, "day");
        if !self.is(j, "of") {
            return None;
        }
        let (base, unit_at) = self.relative_base(self.opt(j + 1, "the"))?;
        if !self.is(unit_at, "month") {
            return None;
        }
        let first = shift_months(month_start(self.today), base);
        let date = NaiveDate::from_ymd_opt(first.year(), first.month(), d)?;
        Some((What::Date(When::day(date)), unit_at + 1))
    }

    /// A weekday in front of a date: "Monday, Feb 18", "Tuesday the 19th", "Thu 15th"; also a
    /// date followed by its weekday: "Jul 18, Fri". The weekday picks the year (or month).
    fn weekday_date(&self, i: usize) -> Found {
        if let Some(wd) = self.weekday_at(i) {
            let j = if self.w(i + 1) == "," || self.w(i + 1) == "." { i + 2 } else { i + 1 };
            if let Some((what, hi)) = self.month_first(j).or_else(|| self.day_first(j)) {
                return Some((self.check_weekday(what, wd), hi));
            }
            let k = self.opt(j, "the");
            let t = self.t.get(k)?;
            if t.kind == Kind::Num && (t.ordinal || k > j) {
                let d = self.day_num(k)?;
                return Some((What::Date(When::day(self.month_with_weekday(d, wd)?)), k + 1));
            }
            return None;
        }
        let (what, hi) = self.month_first(i)?;
        let j = if self.w(hi) == "," { hi + 1 } else { hi };
        let wd = self.weekday_at(j)?;
        Some((self.check_weekday(what, wd), j + 1))
    }

    /// Keeps a single-day date whose weekday matches; else the next year where it does.
    fn check_weekday(&self, what: What, wd: Weekday) -> What {
        let What::Date(When::Yearly(Yearly::Day(rule))) = what else {
            return what;
        };
        let y0 = self.today.year();
        (y0..=y0.saturating_add(28))
            .find_map(|y| rule.on(y).filter(|d| d.weekday() == wd))
            .map_or(what, |d| What::Date(When::day(d)))
    }

    /// The next month (from the current one) whose day `d` falls on `wd`.
    fn month_with_weekday(&self, d: u32, wd: Weekday) -> Option<NaiveDate> {
        let first = month_start(self.today);
        (0..28).find_map(|k| {
            let m = shift_months(first, k);
            NaiveDate::from_ymd_opt(m.year(), m.month(), d).filter(|x| x.weekday() == wd && *x >= self.today)
        })
    }

    /// "March 1", "Sept 15th", "february the 15th", "march third 2015", "Nov 2, 2026",
    /// "July 13-15", "August 27th - 29th", "July 13 to 15".
    fn month_first(&self, i: usize) -> Found {
        let m = self.month(i)?;
        if self.t.get(i).is_some_and(|t| t.possessive) {
            return None;
        }
        let j = if self.is_dash(i + 1) && self.glued(i) { i + 2 } else { self.opt(i + 1, "the") };
        let d = self.day_num(j)?;
        NaiveDate::from_ymd_opt(2000, m, d)?;
        let link = j + 1;
        let linked = self.is_dash(link) || self.is_any(link, &["to", "thru", "through", "till", "until"]);
        let k = self.opt(link + 1, "the");
        let d2 = self.day_num(k).filter(|d2| {
            linked && *d2 > d && self.month(k + 1).is_none() && NaiveDate::from_ymd_opt(2000, m, *d2).is_some()
        });
        if let Some(d2) = d2 {
            let y = Yearly::Range(DayRule::Md(m, d), DayRule::Md(m, d2));
            return Some(self.with_year(y, k + 1, true));
        }
        Some(self.with_year(Yearly::Day(DayRule::Md(m, d)), j + 1, false))
    }

    /// "1 March", "the 1st of march", "first of march", "15 of february", "4th of July",
    /// "14april 2015", "31-Oct-74", "from 13 to 15 July", "the 13th to the 15th of July", "1-8 september".
    fn day_first(&self, i: usize) -> Found {
        let from = self.is(i, "from");
        let i0 = self.opt(if from { i + 1 } else { i }, "the");
        let d = self.day_num(i0)?;
        let mut j = i0 + 1;
        let mut d2 = None;
        if self.is_dash(j) || self.is_any(j, &["to", "thru", "through", "till", "until"]) {
            let k = self.opt(j + 1, "the");
            if let Some(e) = self.day_num(k).filter(|e| *e > d) {
                d2 = Some(e);
                j = k + 1;
            }
        }
        let sep = (self.is_dash(j) || self.w(j) == "/") && self.glued(j - 1) && self.glued(j);
        let j = if sep { j + 1 } else { self.opt(j, "of") };
        let m = self.month(j)?;
        NaiveDate::from_ymd_opt(2000, m, d)?;
        let after = j + 1;
        let after = if (self.is_dash(after) || self.w(after) == "/") && self.glued(j) { after + 1 } else { after };
        if let Some(e) = d2 {
            NaiveDate::from_ymd_opt(2000, m, e)?;
            return Some(self.with_year(Yearly::Range(DayRule::Md(m, d), DayRule::Md(m, e)), after, true));
        }
        if after != j + 1 {
            // "31-Oct-74": a two- or four-digit year must follow the separator.
            let y = self.short_year(after)?;
            return NaiveDate::from_ymd_opt(y, m, d).map(|x| (What::Date(When::day(x)), after + 1));
        }
        if from {
            return None;
        }
        Some(self.with_year(Yearly::Day(DayRule::Md(m, d)), j + 1, false))
    }

    fn short_year(&self, i: usize) -> Option<i32> {
        let t = self.t.get(i)?;
        let v = i32::try_from(self.int(i)?).ok()?;
        match t.text.len() {
            2 if v < 50 => Some(2000 + v),
            2 => Some(1900 + v),
            4 => Some(v),
            _ => None,
        }
    }

    /// "2/15" (US month/day), "3/3/2015", "10/31/74", "2013-03-01", "10-31-74".
    fn numeric_date(&self, i: usize) -> Found {
        let a = self.t.get(i)?;
        if a.kind != Kind::Num || a.ordinal {
            return None;
        }
        let sep = self.w(i + 1);
        if !matches!(sep, "/" | "-") {
            return None;
        }
        let b = self.int(i + 2)?;
        if a.text.len() == 4 && sep == "-" {
            let c = self.int(i + 4).filter(|_| self.w(i + 3) == "-")?;
            let d =
                NaiveDate::from_ymd_opt(i32::try_from(a.val?).ok()?, u32::try_from(b).ok()?, u32::try_from(c).ok()?)?;
            return Some((What::Date(When::day(d)), i + 5));
        }
        let m = u32::try_from(a.val?).ok().filter(|m| (1..=12).contains(m))?;
        let d = u32::try_from(b).ok().filter(|d| (1..=31).contains(d))?;
        if self.w(i + 3) == sep && self.t.get(i + 4).is_some_and(|t| t.kind == Kind::Num) {
            let y = self.short_year(i + 4)?;
            return NaiveDate::from_ymd_opt(y, m, d).map(|x| (What::Date(When::day(x)), i + 5));
        }
        // Month-day without a year only with a slash ("2/15"); "5-10" is a range of numbers.
        let glued = self.glued(i) && self.glued(i + 1);
        if sep != "/" || self.is(i + 3, "of") || (self.t.get(i + 3).is_some_and(|t| t.kind == Kind::Num) && glued) {
            return None;
        }
        NaiveDate::from_ymd_opt(2000, m, d)?;
        Some((What::Date(When::Yearly(Yearly::Day(DayRule::Md(m, d)))), i + 3))
    }

    /// "tomorrow", "the day after tomorrow", "today", "yesterday" (after a start cue only: alone
    /// they are mostly about the conversation, "need the plan tomorrow"),
    /// "next week" (its Monday), "next month", "next quarter", "next year", "this month".
    fn relative_day(&self, i: usize) -> Found {
        let today = self.today;
        let day = |d: NaiveDate, hi: usize| Some((What::Date(When::day(d)), hi));
        match (self.w(i), self.w(i + 1)) {
            ("tomorrow" | "tomorrows", _) if self.start_cue_before(i) => {
                return day(shift_days(today, 1), i + 1);
            }
            ("today" | "now", _) if self.start_cue_before(i) => return day(today, i + 1),
            ("yesterday", _) if self.start_cue_before(i) => {
                return day(shift_days(today, -1), i + 1);
            }
            ("the", "day") if self.is(i + 2, "after") && self.is(i + 3, "tomorrow") && self.start_cue_before(i) => {
                return day(shift_days(today, 2), i + 4);
            }
            ("the", "day") if self.is(i + 2, "before") && self.is(i + 3, "yesterday") && self.start_cue_before(i) => {
                return day(shift_days(today, -2), i + 4);
            }
            ("next" | "coming", "week") if !self.is(i + 2, "of") => {
                return day(shift_days(monday_of(today), 7), i + 2);
            }
            ("next" | "coming", "month") => {
                let s = shift_months(month_start(today), 1);
                return Some((What::Period(When::Fixed(s, last_day(s.year(), s.month())?)), i + 2));
            }
            ("this" | "current", "month") => {
                let e = last_day(today.year(), today.month())?;
                let s = shift_days(today, 1).min(e);
                return Some((What::Period(When::Fixed(s, e)), i + 2));
            }
            ("next" | "this" | "current", "quarter") => {
                let q0 = month_start(today).with_month((today.month() - 1) / 3 * 3 + 1)?;
                let next = self.is(i, "next");
                let s = if next { shift_months(q0, 3) } else { shift_days(today, 1) };
                let e = shift_days(shift_months(q0, if next { 6 } else { 3 }), -1);
                return Some((What::Period(When::Fixed(s.min(e), e)), i + 2));
            }
            ("next", "year") => {
                let y = today.year().checked_add(1)?;
                let s = NaiveDate::from_ymd_opt(y, 1, 1)?;
                return Some((What::Period(When::Fixed(s, NaiveDate::from_ymd_opt(y, 12, 31)?)), i + 2));
            }
            _ => {}
        }
        None
    }

    fn start_cue_before(&self, i: usize) -> bool {
        i > 0 && self.is_any(i - 1, START_CUES)
    }

    /// Weekdays: "monday" (the next one strictly after today), "next tuesday" (in next week),
    /// "this friday", "last sunday", "wednesday of next week", "last week's sunday",
    /// "friday after next".
    fn weekday(&self, i: usize) -> Found {
        let today = self.today;
        let monday = monday_of(today);
        let at_week = |base: i64, wd: Weekday| shift_days(monday, 7 * base + i64::from(wd.num_days_from_monday()));
        let day = |d: NaiveDate, hi: usize| Some((What::Date(When::day(d)), hi));
        if let Some(wd) = self.weekday_at(i + 1) {
            match self.w(i) {
                "next" => return day(at_week(1, wd), i + 2),
                "this" => return day(next_weekday(shift_days(today, -1), wd), i + 2),
                "last" | "past" | "previous" => return day(prev_weekday(today, wd), i + 2),
                _ => {}
            }
        }
        if self.is(i, "last") && self.is(i + 1, "week") && self.t.get(i + 1).is_some_and(|t| t.possessive) {
            let wd = self.weekday_at(i + 2)?;
            return day(at_week(-1, wd), i + 3);
        }
        let wd = self.weekday_at(i)?;
        let full = WEEKDAYS.iter().any(|(k, _)| k.len() > 4 && *k == self.w(i));
        if !full && self.t.get(i + 1).is_some_and(|t| t.kind == Kind::Word) {
            return None; // "sat down", "sun shines"
        }
        let j = if self.is_any(i + 1, &["of", "from"]) { i + 2 } else { i + 1 };
        if let Some((base, unit_at)) = self.relative_base(j).filter(|(_, u)| self.is(*u, "week") && *u > j) {
            return day(at_week(base, wd), unit_at + 1);
        }
        if self.is(i + 1, "after") && self.is(i + 2, "next") {
            return day(shift_days(next_weekday(today, wd), 7), i + 3);
        }
        day(next_weekday(today, wd), i + 1)
    }

    /// "Q1".."Q4", optionally with a year ("Q2 2027").
    fn quarter(&self, i: usize) -> Found {
        if !self.is(i, "q") || !self.glued(i) {
            return None;
        }
        let t = self.t.get(i + 1)?;
        let q = u32::try_from(t.val?).ok().filter(|q| (1..=4).contains(q) && t.text.len() == 1)?;
        if self.glued(i + 1) && self.t.get(i + 2).is_some_and(|t| t.kind == Kind::Word) {
            return None;
        }
        let y = Yearly::Range(DayRule::Md(q * 3 - 2, 1), DayRule::LastDay(q * 3, 1));
        Some(self.with_year(y, i + 2, true))
    }

    /// A month name on its own: "in March", "February", "for November", "May 2027".
    fn month_alone(&self, i: usize) -> Found {
        let m = self.month(i)?;
        let t = self.t.get(i)?;
        if t.possessive {
            return None;
        }
        let has_year = self.year(i + 1).is_some();
        let prep = i > 0
            && self.is_any(
                i - 1,
                &[
                    "in",
                    "for",
                    "during",
                    "of",
                    "from",
                    "until",
                    "till",
                    "through",
                    "thru",
                    "to",
                    "throughout",
                    "starting",
                    "before",
                    "all",
                    "over",
                ],
            );
        if !(has_year || prep || MONTHS_ALONE.contains(&t.text)) {
            return None;
        }
        Some(self.with_year(Yearly::Range(DayRule::Md(m, 1), DayRule::LastDay(m, 1)), i + 1, true))
    }

    /// "on the 15th", "the 1st", "on the first": the next such day of a month.
    fn the_ordinal(&self, i: usize) -> Found {
        if !self.is(i, "the") {
            return None;
        }
        let t = self.t.get(i + 1)?;
        let word_ok = t.kind == Kind::Word && i > 0 && self.is(i - 1, "on");
        if !(t.ordinal || word_ok) || self.t.get(i + 2).is_some_and(|n| n.kind == Kind::Word) {
            return None;
        }
        let d = u32::try_from(self.ordinal_num(i + 1)?).ok()?;
        let first = month_start(self.today);
        let date = (0..3).find_map(|k| {
            let m = shift_months(first, k);
            NaiveDate::from_ymd_opt(m.year(), m.month(), d).filter(|x| *x >= self.today)
        })?;
        Some((What::Date(When::day(date)), i + 2))
    }

    /// Lengths: "30 days", "six weeks", "a fortnight", "4 wks", "30d", "3-week", "2 years and
    /// 3 months", "a month and a half"; relative changes: "extend by two weeks", "add a week",
    /// "two more weeks", "a week longer", "shorten by 5 days". Not: "a day" (a daily budget),
    /// "once a week", "18 year olds", "last 2 days".
    fn duration(&self, i: usize) -> Found {
        let (n, article) = self.number(i)?;
        let mut j = i + 1;
        if self.is_dash(j) {
            j += 1;
        }
        let mut sign = None;
        if self.is_any(j, &["more", "extra", "additional"]) {
            sign = Some(1);
            j += 1;
        } else if self.is_any(j, &["fewer", "less"]) {
            sign = Some(-1);
            j += 1;
        }
        let unit = self.unit(j)?;
        if article && matches!(unit, Span::Months(3)) {
            return None; // "a quarter of the budget"
        }
        let prev = i.checked_sub(1).map_or("", |k| self.w(k));
        let single_day = unit == Span::Days(1) && n == 1 && !self.is_dash(i + 1);
        if (article || single_day) && unit == Span::Days(1) && prev != "for" {
            return None; // "2,000 a day", "one day we'd love to"
        }
        if FREQUENCY_WORDS.contains(&prev) || matches!(prev, "last" | "past") || (self.is(i, "couple") && prev != "a") {
            return None;
        }
        let after = if self.is_dash(j + 1) { j + 2 } else { j + 1 };
        if self.is_any(after, &["old", "olds", "older"]) {
            return None;
        }
        let mut span = scale(unit, n);
        let mut hi = j + 1;
        (span, hi) = self.compound(span, hi);
        if self.is_any(hi, &["longer", "more", "extra"]) {
            sign = Some(1);
            hi += 1;
        } else if self.is(hi, "shorter") {
            sign = Some(-1);
            hi += 1;
        }
        let sign = sign.or_else(|| self.change_verb(i));
        Some((What::Length(span, sign), hi))
    }

    /// Continues a length with "and 3 months", ", 3 months", "and a half".
    fn compound(&self, span: Span, hi: usize) -> (Span, usize) {
        let j = if self.is(hi, "and") || self.w(hi) == "," { hi + 1 } else { hi };
        if self.is(j, "half") || (self.is(j, "a") && self.is(j + 1, "half")) {
            if let Span::Months(m) = span {
                return (Span::Days(30 * m + 15), if self.is(j, "half") { j + 1 } else { j + 2 });
            }
            return (span, hi);
        }
        let Some(n) = self.int(j).or_else(|| self.t.get(j).and_then(|t| t.lex.number)) else {
            return (span, hi);
        };
        match (span, self.unit(j + 1).map(|u| scale(u, n))) {
            (Span::Months(a), Some(Span::Months(b))) => (Span::Months(a + b), j + 2),
            (Span::Days(a), Some(Span::Days(b))) => (Span::Days(a + b), j + 2),
            _ => (span, hi),
        }
    }

    /// Looks back from a length for "extend ... by", "add", "another", "shorten ... by".
    fn change_verb(&self, i: usize) -> Option<i64> {
        let lo = i.saturating_sub(5);
        let by = i > 0 && self.is(i - 1, "by");
        if i > 0 && self.is(i - 1, "another") {
            return Some(1);
        }
        for k in (lo..i).rev() {
            let w = self.w(k);
            if matches!(w, "to" | "." | "?" | "!" | "," | ";") {
                return None;
            }
            if LONGER_VERBS.contains(&w) && (by || matches!(w, "add" | "adding")) {
                return Some(1);
            }
            if SHORTER_VERBS.contains(&w) && by {
                return Some(-1);
            }
        }
        None
    }
}

fn scale(unit: Span, n: i64) -> Span {
    match unit {
        Span::Days(k) => Span::Days(k.saturating_mul(n)),
        Span::Months(k) => Span::Months(k.saturating_mul(n)),
    }
}

// ---------------------------------------------------------------------------------------------
// Combining matches into a finding.
// ---------------------------------------------------------------------------------------------

fn when_of(what: What) -> Option<When> {
    match what {
        What::Date(w) | What::Period(w) => Some(w),
        What::Length(..) => None,
    }
}

/// Turns cue-tagged matches into a finding.
///
/// - lengths: the last absolute one is the duration, the last relative one is `extend_by`;
/// - the last start-cued date is the start, the last end-cued date the end (resolved on/after
///   the start, so "Dec 1, 2026 through Jan 15" ends in 2027);
/// - with an end but no start cue, the last bare date before the end is the start ("Black
///   Friday through Cyber Monday", "20 March 2027 to 5 March 2027");
/// - with neither, the first bare period gives start and end (only its start when a length is
///   stated: "next month, 6 weeks"), else the first bare date gives the start.
fn combine(hits: &[Hit], today: NaiveDate) -> ScheduleFinding {
    let mut f = ScheduleFinding::default();
    for h in hits {
        if let What::Length(span, sign) = h.what {
            match sign {
                Some(s) => f.extend_by = Some((s, span)),
                None => f.duration = Some(span),
            }
        }
    }
    let dated = |c: fn(Cue) -> bool| hits.iter().filter(move |h| when_of(h.what).is_some() && c(h.cue));
    let end_hit = dated(|c| matches!(c, Cue::End | Cue::Before)).next_back();
    let start_hit = dated(|c| c == Cue::Start).next_back().or_else(|| {
        let end = end_hit?;
        dated(|c| c == Cue::Bare).rfind(|h| h.lo < end.lo)
    });
    if let Some((s, _)) = start_hit.and_then(|h| when_of(h.what)?.resolve_from_today(today)) {
        f.start = Some(s);
    }
    if let Some(h) = end_hit {
        let floor = f.start.unwrap_or(today);
        let resolved = when_of(h.what).and_then(|w| match (w, f.start) {
            (When::Yearly(Yearly::Range(..)), None) => w.resolve_from_today(today),
            _ => w.resolve(floor),
        });
        if let Some((s, e)) = resolved {
            f.end = Some(if h.cue == Cue::Before { shift_days(s, -1) } else { e });
        }
    }
    if start_hit.is_none() && end_hit.is_none() {
        let bare = || dated(|c| c == Cue::Bare);
        let pick = bare().find(|h| matches!(h.what, What::Period(_))).or_else(|| bare().next());
        let resolved = pick.and_then(|h| Some((h, when_of(h.what)?.resolve_from_today(today)?)));
        if let Some((h, (s, e))) = resolved {
            f.start = Some(s);
            if matches!(h.what, What::Period(_)) && f.duration.is_none() {
                f.end = Some(e);
            }
        }
    }
    f.past_start_stated = f.start.is_some_and(|s| s < today);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn run(msgs: &[&str], today: &str) -> ScheduleState {
        let t = d(today);
        msgs.iter().fold(ScheduleState::default(), |st, m| apply(&st, &extract(m, t), t))
    }

    fn check(msgs: &[&str], today: &str, start: &str, end: &str) {
        let st = run(msgs, today);
        assert_eq!(
            (st.start, st.end),
            (Some(d(start)), Some(d(end))),
            "{msgs:?} today {today}: {st:?} / {:?}",
            extract(msgs[msgs.len() - 1], d(today))
        );
    }

    fn none(msg: &str, today: &str) {
        let f = extract(msg, d(today));
        assert!(f.is_empty(), "{msg:?} should say nothing, got {f:?}");
    }

    #[test]
    fn span_end_from() {
        assert_eq!(Span::Days(30).end_from(d("2026-11-24")), d("2026-12-23"));
        assert_eq!(Span::Months(3).end_from(d("2027-01-04")), d("2027-04-03"));
        assert_eq!(Span::Months(1).end_from(d("2026-01-31")), d("2026-02-27"));
        assert_eq!(Span::Months(1).end_from(d("2024-01-31")), d("2024-02-28"));
        assert_eq!(Span::Months(12).end_from(d("2024-02-29")), d("2025-02-27"));
        assert_eq!(Span::Days(28).start_until(d("2026-12-24")), d("2026-11-27"));
    }

    #[test]
    fn days_formula_not_fixed() {
        let st = ScheduleState { start: Some(d("2027-03-20")), end: Some(d("2027-03-05")), span: None };
        assert_eq!(st.days(), Some(-14));
        assert_eq!(ScheduleState::default().days(), None);
    }

    #[test]
    fn durations_in_words_digits_and_abbreviations() {
        let t = "2026-03-09";
        check(&["six weeks"], t, "2026-03-10", "2026-04-20");
        check(&["two weeks"], t, "2026-03-10", "2026-03-23");
        check(&["ten days"], t, "2026-03-10", "2026-03-19");
        check(&["4 wks"], t, "2026-03-10", "2026-04-06");
        check(&["run 3 wks"], t, "2026-03-10", "2026-03-30");
        check(&["30d flight"], t, "2026-03-10", "2026-04-08");
        check(&["a fortnight"], t, "2026-03-10", "2026-03-23");
        check(&["a 3-week burst"], t, "2026-03-10", "2026-03-30");
        check(&["for a month"], t, "2026-03-10", "2026-04-09");
        check(&["3 months"], t, "2026-03-10", "2026-06-09");
        check(&["a year"], t, "2026-03-10", "2027-03-09");
        check(&["1 week"], t, "2026-03-10", "2026-03-16");
        check(&["a week"], t, "2026-03-10", "2026-03-16");
        check(&["£4k a fortnight"], t, "2026-03-10", "2026-03-23");
        check(&["for a day"], t, "2026-03-10", "2026-03-10");
        check(&["a one-day takeover"], t, "2026-03-10", "2026-03-10");
        assert_eq!(extract("2 years and 3 months", d(t)).duration, Some(Span::Months(27)));
        assert_eq!(extract("a month and a half", d(t)).duration, Some(Span::Days(45)));
    }

    #[test]
    fn default_start_is_tomorrow_even_at_year_end() {
        check(&["30 days"], "2026-12-31", "2027-01-01", "2027-01-30");
    }

    #[test]
    fn leap_years() {
        check(&["a month"], "2028-01-30", "2028-01-31", "2028-02-28");
        check(&["a month"], "2028-01-28", "2028-01-29", "2028-02-28");
        check(&["in February"], "2028-01-10", "2028-02-01", "2028-02-29");
        check(&["through the end of February"], "2027-01-10", "2027-01-11", "2027-02-28");
        check(&["from Feb 29 for 2 days"], "2027-01-10", "2028-02-29", "2028-03-01");
    }

    #[test]
    fn starting_next_month_and_next_month_alone() {
        check(&["starting next month for 8 weeks"], "2026-01-14", "2026-02-01", "2026-03-28");
        check(&["next month, Italy"], "2026-12-28", "2027-01-01", "2027-01-31");
        check(&["next month, 2 weeks"], "2026-12-28", "2027-01-01", "2027-01-14");
        let st = run(&["from next month"], "2026-01-14");
        assert_eq!((st.start, st.end, st.days()), (Some(d("2026-02-01")), None, None), "a stated start alone");
    }

    #[test]
    fn next_week_is_its_monday() {
        check(&["starting next week for 3 weeks"], "2026-07-19", "2026-07-20", "2026-08-09");
        check(&["starting next week, 6 weeks"], "2026-12-28", "2027-01-04", "2027-02-14");
        check(&["next week, 1 week"], "2026-03-14", "2026-03-16", "2026-03-22");
    }

    #[test]
    fn weekday_is_strictly_after_today() {
        check(&["3 weeks starting Monday"], "2026-05-22", "2026-05-25", "2026-06-14");
        check(&["a fortnight from Monday"], "2026-03-09", "2026-03-16", "2026-03-29");
        check(&["start monday, run 3 wks"], "2026-11-23", "2026-11-30", "2026-12-20");
        check(&["from Thursday for 10 days"], "2026-09-03", "2026-09-10", "2026-09-19");
        check(&["from sunday for 1 week"], "2026-07-19", "2026-07-26", "2026-08-01");
    }

    #[test]
    fn explicit_dates_in_many_shapes() {
        let t = d("2026-01-14");
        let start = |s: &str| extract(s, t).start;
        assert_eq!(start("from Sept 15"), Some(d("2026-09-15")));
        assert_eq!(start("starting March 1"), Some(d("2026-03-01")));
        assert_eq!(start("starting 1 March"), Some(d("2026-03-01")));
        assert_eq!(start("from 20 March 2027"), Some(d("2027-03-20")));
        assert_eq!(start("from Nov 2, 2026"), Some(d("2026-11-02")));
        assert_eq!(start("start January 4"), Some(d("2027-01-04")));
        assert_eq!(start("start January 14"), Some(d("2026-01-14")), "today counts");
        assert_eq!(start("from the 1st of march"), Some(d("2026-03-01")));
        assert_eq!(start("from 15th february"), Some(d("2026-02-15")));
        assert_eq!(start("from 2/15"), Some(d("2026-02-15")));
        assert_eq!(start("from 2013-03-01"), Some(d("2013-03-01")));
        assert_eq!(start("from 3/3/15"), Some(d("2015-03-03")));
        assert_eq!(start("kicking off on November 2"), Some(d("2026-11-02")));
    }

    #[test]
    fn ranges_include_both_ends() {
        check(&["from March 1 to April 15"], "2027-02-10", "2027-03-01", "2027-04-15");
        check(&["March 1 - April 15"], "2027-02-10", "2027-03-01", "2027-04-15");
        check(&["March 1 through April 15"], "2027-02-10", "2027-03-01", "2027-04-15");
        check(&["March 1 until April 15"], "2027-02-10", "2027-03-01", "2027-04-15");
        check(&["July 13-15"], "2027-02-10", "2027-07-13", "2027-07-15");
        check(&["from 13 to 15 July"], "2027-02-10", "2027-07-13", "2027-07-15");
        check(&["between May 3 and May 9"], "2027-02-10", "2027-05-03", "2027-05-09");
    }

    #[test]
    fn end_without_year_follows_the_start() {
        check(&["plan it from Dec 1, 2026 through Jan 15"], "2026-12-28", "2026-12-01", "2027-01-15");
        check(&["from Christmas to New Year's Eve"], "2026-12-28", "2027-12-25", "2027-12-31");
        check(&["from Christmas to New Year's Eve"], "2026-11-23", "2026-12-25", "2026-12-31");
    }

    #[test]
    fn end_before_start_is_kept() {
        let st = run(&["flight 20 March 2027 to 5 March 2027"], "2026-12-28");
        assert_eq!(st.days(), Some(-14));
    }

    #[test]
    fn until_through_before() {
        check(&["until Christmas"], "2026-11-23", "2026-11-24", "2026-12-25");
        check(&["wrap up before Christmas"], "2026-11-23", "2026-11-24", "2026-12-24");
        check(&["till Dec 5"], "2026-11-23", "2026-11-24", "2026-12-05");
        check(&["running through the end of February"], "2026-01-14", "2026-01-15", "2026-02-28");
        check(&["through the end of September"], "2026-07-19", "2026-07-20", "2026-09-30");
        check(&["until Valentine's Day"], "2027-02-10", "2027-02-11", "2027-02-14");
        check(&["until Father's Day"], "2026-05-22", "2026-05-23", "2026-06-21");
    }

    #[test]
    fn by_is_not_a_flight_end() {
        none("Can I get a plan by EOD?", "2026-11-23");
        none("send it by Friday please", "2026-11-23");
        check(&["4 weeks, need the plan by March 1"], "2026-01-14", "2026-01-15", "2026-02-11");
    }

    #[test]
    fn named_months_next_not_ended() {
        check(&["in March"], "2026-11-23", "2027-03-01", "2027-03-31");
        check(&["for November"], "2025-10-15", "2025-11-01", "2025-11-30");
        check(&["June."], "2026-05-22", "2026-06-01", "2026-06-30");
        check(&["in January"], "2026-12-28", "2027-01-01", "2027-01-31");
        check(&["for November"], "2026-11-23", "2026-11-24", "2026-11-30");
        check(&["in May"], "2026-05-31", "2027-05-01", "2027-05-31");
        check(&["in March 2027"], "2026-03-09", "2027-03-01", "2027-03-31");
        none("we may want to revisit", "2026-03-09");
    }

    #[test]
    fn quarters() {
        check(&["Q2. steady all quarter"], "2026-03-09", "2026-04-01", "2026-06-30");
        check(&["Q1"], "2026-12-28", "2027-01-01", "2027-03-31");
        check(&["Q4 push"], "2026-11-23", "2026-11-24", "2026-12-31");
        check(&["Q4 push"], "2026-12-31", "2027-10-01", "2027-12-31");
        none("Q&A session", "2026-03-09");
        none("all quarter", "2026-03-09");
    }

    #[test]
    fn seasons_and_named_periods() {
        check(&["this summer"], "2026-01-14", "2026-06-01", "2026-08-31");
        check(&["this summer"], "2026-07-19", "2026-07-20", "2026-08-31");
        check(&["Back to school push"], "2026-05-22", "2026-08-01", "2026-09-15");
        check(&["over the holidays"], "2025-10-15", "2025-12-01", "2025-12-31");
        check(&["holiday season"], "2025-12-10", "2025-12-11", "2025-12-31");
        none("hey, happy holidays! 🎄", "2026-12-28");
    }

    #[test]
    fn named_days() {
        check(&["Black Friday through Cyber Monday"], "2026-11-23", "2026-11-27", "2026-11-30");
        check(&["one-day takeover on New Year's Eve"], "2026-12-28", "2026-12-31", "2026-12-31");
        check(&["on Black Friday"], "2026-11-23", "2026-11-27", "2026-11-27");
        check(&["on Black Friday"], "2026-11-28", "2027-11-26", "2027-11-26");
        check(&["thanksgiving"], "2026-01-01", "2026-11-26", "2026-11-26");
        check(&["on halloween"], "2026-01-01", "2026-10-31", "2026-10-31");
        check(&["Mother's Day"], "2026-03-09", "2026-05-10", "2026-05-10");
        check(&["easter"], "2026-01-01", "2026-04-05", "2026-04-05");
        check(&["easter"], "2024-01-01", "2024-03-31", "2024-03-31");
        check(&["christmas eve"], "2026-01-01", "2026-12-24", "2026-12-24");
        check(&["new year's day"], "2026-12-28", "2027-01-01", "2027-01-01");
        check(&["valentines day"], "2026-03-01", "2027-02-14", "2027-02-14");
        check(&["on thanksgiving 2027"], "2026-01-01", "2027-11-25", "2027-11-25");
        check(&["presidents' day"], "2026-01-01", "2026-02-16", "2026-02-16");
        check(&["st paddy's day"], "2026-01-01", "2026-03-17", "2026-03-17");
    }

    #[test]
    fn a_start_month_keeps_the_length() {
        check(&["awareness in Germany, 4 weeks", "start in January"], "2026-11-23", "2027-01-01", "2027-01-28");
    }

    #[test]
    fn a_cue_may_take_it() {
        check(&["awareness in Germany, 4 weeks", "end it on Dec 31 instead"], "2026-11-23", "2026-11-24", "2026-12-31");
    }

    #[test]
    fn long_weekends_are_periods() {
        check(&["sales over the Easter period"], "2026-11-23", "2027-03-26", "2027-03-29");
        check(&["easter weekend"], "2026-01-01", "2026-04-03", "2026-04-06");
        check(&["black friday weekend"], "2026-11-01", "2026-11-27", "2026-11-30");
        check(&["thanksgiving weekend"], "2026-11-01", "2026-11-26", "2026-11-29");
    }

    #[test]
    fn context_mention_then_cued_range() {
        check(
            &["Mother's Day is our biggest moment of the year. From April 20 until Mother's Day, US"],
            "2026-03-09",
            "2026-04-20",
            "2026-05-10",
        );
    }

    #[test]
    fn past_start_is_kept() {
        let f = extract(
            "Our launch was supposed to be Nov 2, 2026 — can we still plan it from then through Dec 15?",
            d("2026-11-23"),
        );
        assert_eq!((f.start, f.end), (Some(d("2026-11-02")), Some(d("2026-12-15"))));
        assert!(f.past_start_stated);
    }

    #[test]
    fn follow_ups() {
        let t = "2026-11-23";
        check(&["€5,000 budget over 30 days", "what if we extended it to 60 days?"], t, "2026-11-24", "2027-01-22");
        check(&["4 weeks", "let's extend it by two weeks"], "2026-05-22", "2026-05-23", "2026-07-03");
        check(&["4 weeks", "add a week"], "2026-05-22", "2026-05-23", "2026-06-26");
        check(&["4 weeks", "two weeks longer"], "2026-05-22", "2026-05-23", "2026-07-03");
        check(&["4 weeks", "shorten by 5 days"], "2026-05-22", "2026-05-23", "2026-06-14");
        check(&["in January", "shorten to 3 weeks"], "2026-12-28", "2027-01-01", "2027-01-21");
        check(&["5 weeks", "make it 12k and push it to 8 weeks"], "2026-03-09", "2026-03-10", "2026-05-04");
        check(&["8 weeks", "can we start next week instead? still 8 weeks"], "2026-09-03", "2026-09-07", "2026-11-01");
        check(&["SEK 80,000", "6 weeks", "starting June 1"], "2026-05-22", "2026-06-01", "2026-07-12");
        check(&["for September", "what about Q4 instead?"], "2026-07-19", "2026-10-01", "2026-12-31");
        check(&["€9k", "oh and run it for November please"], "2025-10-15", "2025-11-01", "2025-11-30");
        check(
            &["reach, NL, €10,000 for 30 days", "make it 400 a day instead"],
            "2026-12-28",
            "2026-12-29",
            "2027-01-27",
        );
        check(&["3 months", "extend by 1 month"], "2026-12-28", "2026-12-29", "2027-04-28");
    }

    #[test]
    fn extend_without_end_is_nothing() {
        let st = run(&["let's extend it by two weeks"], "2026-05-22");
        assert_eq!(st, ScheduleState::default());
    }

    #[test]
    fn start_only_keeps_previous_end() {
        let st = run(&["until Christmas", "starting Dec 1"], "2026-11-23");
        assert_eq!((st.start, st.end), (Some(d("2026-12-01")), Some(d("2026-12-25"))));
    }

    #[test]
    fn duration_with_end_counts_back() {
        check(&["4 weeks before Christmas"], "2026-10-01", "2026-11-27", "2026-12-24");
    }

    #[test]
    fn non_schedule_phrases() {
        let t = "2026-03-09";
        for s in [
            "18-24 year olds",
            "25-44",
            "men 18 to 30 in the us",
            "35+ men",
            "women over 35",
            "parents in their 40s",
            "under 30s",
            "20-30 yr olds",
            "a 25-year-old",
            "$5,000",
            "5k",
            "€10.000",
            "2,000 a day",
            "€300 a day",
            "per day",
            "daily budget 500 CAD",
            "weekly interview show",
            "by EOD",
            "dates flexible",
            "flight TBD",
            "how long should we run it?",
            "following up from yesterday's call",
            "hope everyone had a relaxing break",
            "biggest moment of the year",
            "happy holidays!",
            "Gen Z",
            "Q&A",
            "20%",
            "iOS 17",
            "24/7",
            "US/GB/AU",
            "twice a week",
            "for months",
            "in days",
            "last 2 days",
            "February's numbers were great",
            "can you send the plan tomorrow?",
            "I need this today",
            "one day we'd love to try video",
            "once a month",
        ] {
            none(s, t);
        }
    }

    #[test]
    fn no_panic_on_odd_input() {
        let t = d("2026-03-09");
        for s in [
            "",
            "’s",
            "'",
            "1",
            "q",
            "q1",
            "5-",
            "/",
            "2/",
            "31/2",
            "99999999999999 days",
            "é—–😴 March",
            "Feb 30",
            "in 999999999 years",
        ] {
            let _ = extract(s, t);
        }
        let far = NaiveDate::from_ymd_opt(262_000, 12, 31).expect("far date");
        let _ = apply(&ScheduleState::default(), &extract("30 days until christmas, in march, Q4", far), far);
    }

    #[test]
    fn no_panic_on_random_token_soup() {
        const PIECES: &[&str] = &[
            "from",
            "to",
            "until",
            "before",
            "by",
            "the",
            "of",
            "next",
            "last",
            "q",
            "4",
            "31",
            "2027",
            "/",
            "-",
            "–",
            "—",
            "é",
            "😴",
            "'s",
            "’",
            "march",
            "may",
            "monday",
            "sun",
            "weeks",
            "a",
            "day",
            "christmas",
            "eve",
            "new",
            "year",
            "end",
            "beginning",
            "in",
            "3",
            "1st",
            "29",
            "feb",
            "2",
            ",",
            ".",
            "and",
            "half",
            "ago",
            "fridays",
            "now",
            "extend",
            "shorten",
            "99999",
            "0",
            "13",
            "summer",
            "holidays",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let today = d("2028-02-29");
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..12 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let k = usize::try_from(seed % PIECES.len() as u64).unwrap_or(0);
                text.push_str(PIECES[k]);
                if !seed.is_multiple_of(3) {
                    text.push(' ');
                }
            }
            let f = extract(&text, today);
            let _ = apply(&ScheduleState::default(), &f, today).days();
        }
    }

    #[test]
    fn duckling_style_relative_dates() {
        let t = d("2013-02-12");
        let start = |s: &str| extract(s, t).start;
        assert_eq!(start("next tuesday"), Some(d("2013-02-19")));
        assert_eq!(start("next wednesday"), Some(d("2013-02-20")));
        assert_eq!(start("last sunday"), Some(d("2013-02-10")));
        assert_eq!(start("last tuesday"), Some(d("2013-02-05")), "today is a Tuesday");
        assert_eq!(start("in a week"), Some(d("2013-02-19")));
        assert_eq!(start("three months ago"), Some(d("2012-11-12")));
        assert_eq!(start("3 fridays from now"), Some(d("2013-03-01")));
        assert_eq!(start("end of this week"), Some(d("2013-02-15")));
        assert_eq!(start("beginning of next week"), Some(d("2013-02-18")));
        assert_eq!(start("last friday of october"), Some(d("2013-10-25")));
        assert_eq!(start("20 of next month"), Some(d("2013-03-20")));
        assert_eq!(start("Fri, Jul 18"), Some(d("2014-07-18")));
        assert_eq!(start("Thu 15th"), Some(d("2013-08-15")));
        assert_eq!(start("starting tomorrow"), Some(d("2013-02-13")));
        assert_eq!(start("tomorrow"), None, "needs a start cue");
        assert_eq!(start("the 1st"), Some(d("2013-03-01")));
    }
}
