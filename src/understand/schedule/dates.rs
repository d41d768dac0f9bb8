//! Matchers for dates: named days and periods, parts of a period ("end of March"), n-th
//! weekdays, "Monday, Feb 18", "March 1", "1 March", "2/15", "2013-03-01".

use chrono::{Datelike, NaiveDate, Weekday};

use super::calendar::{
    last_day, monday_of, month_start, next_weekday, prev_weekday, shift_days, shift_months, shift_span, DayRule,
};
use super::scan::{scale, Scanner};
use super::tokens::Kind;
use super::vocab::{vocab, Class};
use super::when::{Found, What, When, Yearly};

impl Scanner<'_, '_> {
    /// Named days and periods from the tables, and "the holidays" after a period word.
    pub(super) fn named(&self, i: usize) -> Found {
        let seq = |words: &[&str]| words.iter().enumerate().all(|(k, w)| self.is(i + k, w));
        // Periods first: "easter weekend" is a period, not Easter Sunday.
        let first = self.t.get(i).is_some_and(|t| t.lex.named);
        let named = if first { vocab().named(self.w(i)).iter().find(|n| seq(&n.words)) } else { None };
        if let Some(n) = named {
            let hi = i + n.words.len();
            let over = n.over.filter(|_| i > 0 && self.in_class(i - 1, Class::Over));
            if let Some((a, b)) = over {
                return Some((What::Period(When::Yearly(Yearly::Range(a, b))), hi));
            }
            return Some(match n.last {
                Some(last) => (What::Period(When::Yearly(Yearly::Range(n.first, last))), hi),
                None => self.with_year(Yearly::Day(n.first), hi, true),
            });
        }
        let holidays =
            self.is(i, "the") && self.is(i + 1, "holidays") && i > 0 && self.in_class(i - 1, Class::HolidaysCue);
        holidays.then(|| (What::Period(When::Yearly(Yearly::Range(DayRule::Md(12, 1), DayRule::Md(12, 31)))), i + 2))
    }

    /// "in 2 weeks", "a week hence", "3 months ago", "3 fridays from now", "upcoming 2 days".
    pub(super) fn relative_offset(&self, i: usize) -> Found {
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
            if self.in_class(i + 2, Class::Ago) {
                return Some((What::Date(When::day(shift_days(prev_weekday(today, wd), -7 * k))), i + 3));
            }
            return None;
        }
        let unit = self.unit(i + 1)?;
        let span = scale(unit, n);
        if self.in_class(i + 2, Class::Hence) || (self.is(i + 2, "from") && self.is(i + 3, "now")) {
            let hi = if self.is(i + 2, "from") { i + 4 } else { i + 3 };
            return Some((What::Date(When::day(shift_span(today, span, 1))), hi));
        }
        if self.in_class(i + 2, Class::Ago) {
            return Some((What::Date(When::day(shift_span(today, span, -1))), i + 3));
        }
        None
    }

    /// "end of this week", "beginning of next week", "EOM", "the end of February", "mid March".
    pub(super) fn part_of_period(&self, i: usize) -> Found {
        let today = self.today;
        let som = month_start(today);
        let eom = last_day(today.year(), today.month()).unwrap_or(today);
        match self.w(i) {
            "eom" => return Some((What::Period(When::Fixed(shift_days(som, 20), eom)), i + 1)),
            "bom" => return Some((What::Period(When::Fixed(som, shift_days(som, 9))), i + 1)),
            _ => {}
        }
        let (early, mid, late) =
            (self.in_class(i, Class::PartEarly), self.in_class(i, Class::PartMid), self.in_class(i, Class::PartLate));
        let j = if self.is_dash(i + 1) { i + 2 } else { i + 1 };
        if let Some(m) = self.month(j).filter(|_| early || mid || late) {
            let (a, b) = if early {
                (DayRule::Md(m, 1), DayRule::Md(m, 10))
            } else if mid {
                (DayRule::Md(m, 11), DayRule::Md(m, 20))
            } else {
                (DayRule::Md(m, 21), DayRule::LastDay(m, 1))
            };
            return Some(self.with_year(Yearly::Range(a, b), j + 1, true));
        }
        let end = if self.in_class(i, Class::PartEnd) {
            true
        } else if self.in_class(i, Class::PartStart) {
            false
        } else {
            return None;
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
    pub(super) fn relative_base(&self, j: usize) -> Option<(i64, usize)> {
        let j = self.opt(j, "around");
        if self.in_class(j, Class::RelThis) {
            Some((0, j + 1))
        } else if self.in_class(j, Class::RelNext) {
            Some((1, j + 1))
        } else if self.in_class(j, Class::RelLast) {
            Some((-1, j + 1))
        } else {
            matches!(self.w(j), "week" | "month").then_some((0, j))
        }
    }

    /// A yearly period or day, with an optional year after it (which fixes it).
    pub(super) fn with_year(&self, y: Yearly, j: usize, period: bool) -> (What, usize) {
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
    pub(super) fn nth_in_month(&self, i: usize) -> Found {
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
    pub(super) fn day_of_relative_month(&self, i: usize) -> Found {
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
    pub(super) fn weekday_date(&self, i: usize) -> Found {
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
    pub(super) fn check_weekday(&self, what: What, wd: Weekday) -> What {
        let What::Date(When::Yearly(Yearly::Day(rule))) = what else {
            return what;
        };
        let y0 = self.today.year();
        (y0..=y0.saturating_add(28))
            .find_map(|y| rule.on(y).filter(|d| d.weekday() == wd))
            .map_or(what, |d| What::Date(When::day(d)))
    }

    /// The next month (from the current one) whose day `d` falls on `wd`.
    pub(super) fn month_with_weekday(&self, d: u32, wd: Weekday) -> Option<NaiveDate> {
        let first = month_start(self.today);
        (0..28).find_map(|k| {
            let m = shift_months(first, k);
            NaiveDate::from_ymd_opt(m.year(), m.month(), d).filter(|x| x.weekday() == wd && *x >= self.today)
        })
    }

    /// "March 1", "Sept 15th", "february the 15th", "march third 2015", "Nov 2, 2026",
    /// "July 13-15", "August 27th - 29th", "July 13 to 15".
    pub(super) fn month_first(&self, i: usize) -> Found {
        let m = self.month(i)?;
        if self.t.get(i).is_some_and(|t| t.possessive) {
            return None;
        }
        let j = if self.is_dash(i + 1) && self.glued(i) { i + 2 } else { self.opt(i + 1, "the") };
        let d = self.day_num(j)?;
        NaiveDate::from_ymd_opt(2000, m, d)?;
        let link = j + 1;
        let linked = self.is_dash(link) || self.in_class(link, Class::DateLink);
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

    /// "April-May", "from June to August", "march through april": whole months, the first to
    /// the last (within one year; "Nov-Jan" is left to the other matchers).
    pub(super) fn month_range(&self, i: usize) -> Found {
        let i0 = if self.is(i, "from") { i + 1 } else { i };
        let m1 = self.month(i0)?;
        let link = i0 + 1;
        let linked = (self.is_dash(link) && self.glued(i0) && self.glued(link)) || self.in_class(link, Class::DateLink);
        let m2 = self.month(link + 1).filter(|m2| linked && *m2 > m1)?;
        let alone = |k: usize| vocab().month_alone(self.w(k)) || self.t.get(k).is_some_and(|t| t.text.len() > 3);
        if !alone(i0) && !alone(link + 1)
            || self.day_num(link + 2).is_some()
            || self.t.get(i0).is_some_and(|t| t.possessive)
        {
            return None;
        }
        let y = Yearly::Range(DayRule::Md(m1, 1), DayRule::LastDay(m2, 1));
        Some(self.with_year(y, link + 2, true))
    }

    /// "the 5th to the 20th", "7th-21st", "from the 1st to the 15th": days of the next month in
    /// which the first day has not passed.
    pub(super) fn ordinal_range(&self, i: usize) -> Found {
        let from = self.is(i, "from");
        let a = self.opt(if from { i + 1 } else { i }, "the");
        let is_ord =
            |k: usize| self.t.get(k).is_some_and(|t| t.ordinal || (t.kind == Kind::Word && t.lex.ordinal.is_some()));
        if !is_ord(a) {
            return None;
        }
        let d1 = u32::try_from(self.ordinal_num(a)?).ok()?;
        let link = a + 1;
        if !(self.is_dash(link) || self.in_class(link, Class::DateLink)) {
            return None;
        }
        let b = self.opt(link + 1, "the");
        if !is_ord(b) || self.month(b + 1).is_some() || self.is(b + 1, "of") {
            return None;
        }
        let d2 = u32::try_from(self.ordinal_num(b)?).ok().filter(|d2| *d2 > d1)?;
        let first = month_start(self.today);
        let (s, e) = (0..3).find_map(|k| {
            let m = shift_months(first, k);
            let s = NaiveDate::from_ymd_opt(m.year(), m.month(), d1).filter(|x| *x > self.today)?;
            Some((s, NaiveDate::from_ymd_opt(m.year(), m.month(), d2)?))
        })?;
        Some((What::Period(When::Fixed(s, e)), b + 1))
    }

    /// "1 March", "the 1st of march", "first of march", "15 of february", "4th of July",
    /// "14april 2015", "31-Oct-74", "from 13 to 15 July", "the 13th to the 15th of July", "1-8 september".
    pub(super) fn day_first(&self, i: usize) -> Found {
        let from = self.is(i, "from");
        let i0 = self.opt(if from { i + 1 } else { i }, "the");
        let d = self.day_num(i0)?;
        let mut j = i0 + 1;
        let mut d2 = None;
        if self.is_dash(j) || self.in_class(j, Class::DateLink) {
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

    pub(super) fn short_year(&self, i: usize) -> Option<i32> {
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
    pub(super) fn numeric_date(&self, i: usize) -> Found {
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
        // US month/day first; a first number over 12 can only be a day ("15/03" is 15 March).
        // Only with a two-digit month or a cue in front: "24/7" is no date.
        let cued = i > 0 && (self.in_class(i - 1, Class::Start) || self.in_class(i - 1, Class::End));
        let (m, d) = match u32::try_from(a.val?).ok()? {
            m @ 1..=12 => (m, u32::try_from(b).ok()?),
            d if cued || self.t.get(i + 2).is_some_and(|t| t.text.len() == 2) => (u32::try_from(b).ok()?, d),
            _ => return None,
        };
        let m = Some(m).filter(|m| (1..=12).contains(m))?;
        let d = Some(d).filter(|d| (1..=31).contains(d))?;
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
}
