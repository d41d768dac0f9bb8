//! Date arithmetic for schedules (never panics: out-of-range results fall back to the input
//! date) and the rules by which a named day falls in a given year.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

use super::Span;

pub(super) fn shift_days(d: NaiveDate, n: i64) -> NaiveDate {
    let r = if n >= 0 {
        d.checked_add_days(Days::new(n.unsigned_abs()))
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs()))
    };
    r.unwrap_or(d)
}

pub(super) fn shift_months(d: NaiveDate, n: i64) -> NaiveDate {
    let m = u32::try_from(n.unsigned_abs()).unwrap_or(0);
    let r = if n >= 0 { d.checked_add_months(Months::new(m)) } else { d.checked_sub_months(Months::new(m)) };
    r.unwrap_or(d)
}

pub(super) fn shift_span(d: NaiveDate, span: Span, sign: i64) -> NaiveDate {
    match span {
        Span::Days(n) => shift_days(d, sign * n),
        Span::Months(n) => shift_months(d, sign * n),
    }
}

pub(super) fn last_day(y: i32, m: u32) -> Option<NaiveDate> {
    let (ny, nm) = if m >= 12 { (y.checked_add(1)?, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()
}

pub(super) fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

pub(super) fn monday_of(d: NaiveDate) -> NaiveDate {
    shift_days(d, -i64::from(d.weekday().num_days_from_monday()))
}

/// The first `wd` strictly after `d`.
pub(super) fn next_weekday(d: NaiveDate, wd: Weekday) -> NaiveDate {
    let diff = (7 + i64::from(wd.num_days_from_monday()) - i64::from(d.weekday().num_days_from_monday())) % 7;
    shift_days(d, if diff == 0 { 7 } else { diff })
}

/// The last `wd` strictly before `d`.
pub(super) fn prev_weekday(d: NaiveDate, wd: Weekday) -> NaiveDate {
    let diff = (7 + i64::from(d.weekday().num_days_from_monday()) - i64::from(wd.num_days_from_monday())) % 7;
    shift_days(d, if diff == 0 { -7 } else { -diff })
}

/// `n`-th `wd` of a month (n = -1: the last one).
pub(super) fn nth_weekday(y: i32, m: u32, wd: Weekday, n: i32) -> Option<NaiveDate> {
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
pub(super) fn easter(y: i32) -> Option<NaiveDate> {
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

/// How a single named day falls in a given year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DayRule {
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
    pub(super) fn on(self, y: i32) -> Option<NaiveDate> {
        match self {
            DayRule::Md(m, d) => NaiveDate::from_ymd_opt(y, m, d),
            DayRule::LastDay(m, k) => last_day(y, m).map(|d| shift_days(d, 1 - i64::from(k))),
            DayRule::Nth(m, wd, n, plus) => nth_weekday(y, m, wd, n).map(|d| shift_days(d, plus)),
            DayRule::Easter(plus) => easter(y).map(|d| shift_days(d, plus)),
        }
    }
}
