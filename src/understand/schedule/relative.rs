//! Matchers relative to today and lengths: "tomorrow", "next week", weekdays, quarters, a month
//! alone, "the 15th", and durations ("30 days", "extend by two weeks").

use chrono::{Datelike, NaiveDate, Weekday};

use super::calendar::{
    last_day, monday_of, month_start, next_weekday, prev_weekday, shift_days, shift_months, DayRule,
};
use super::scan::{scale, Scanner};
use super::tokens::Kind;
use super::vocab::{vocab, Class};
use super::when::{Found, What, When, Yearly};
use super::Span;

impl Scanner<'_, '_> {
    /// "tomorrow", "the day after tomorrow", "today", "yesterday" (after a start cue only: alone
    /// they are mostly about the conversation, "need the plan tomorrow"),
    /// "next week" (its Monday), "next month", "next quarter", "next year", "this month".
    pub(super) fn relative_day(&self, i: usize) -> Found {
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

    pub(super) fn start_cue_before(&self, i: usize) -> bool {
        i > 0 && self.in_class(i - 1, Class::Start)
    }

    /// Weekdays: "monday" (the next one strictly after today), "next tuesday" (in next week),
    /// "this friday", "last sunday", "wednesday of next week", "last week's sunday",
    /// "friday after next".
    pub(super) fn weekday(&self, i: usize) -> Found {
        let today = self.today;
        let monday = monday_of(today);
        let at_week = |base: i64, wd: Weekday| shift_days(monday, 7 * base + i64::from(wd.num_days_from_monday()));
        let day = |d: NaiveDate, hi: usize| Some((What::Date(When::day(d)), hi));
        if let Some(wd) = self.weekday_at(i + 1) {
            match self.w(i) {
                "next" => return day(at_week(1, wd), i + 2),
                "this" => return day(next_weekday(shift_days(today, -1), wd), i + 2),
                _ if self.in_class(i, Class::RelLast) => return day(prev_weekday(today, wd), i + 2),
                _ => {}
            }
        }
        if self.is(i, "last") && self.is(i + 1, "week") && self.t.get(i + 1).is_some_and(|t| t.possessive) {
            let wd = self.weekday_at(i + 2)?;
            return day(at_week(-1, wd), i + 3);
        }
        let wd = self.weekday_at(i)?;
        let full = self.w(i).len() > 4;
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
    pub(super) fn quarter(&self, i: usize) -> Found {
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
    pub(super) fn month_alone(&self, i: usize) -> Found {
        let m = self.month(i)?;
        let t = self.t.get(i)?;
        if t.possessive {
            return None;
        }
        let has_year = self.year(i + 1).is_some();
        let prep = i > 0 && self.in_class(i - 1, Class::MonthPreposition);
        // "make it may", "actually, may": a correction names the month.
        let corrected = (i.saturating_sub(3)..i).any(|k| self.in_class(k, Class::Correction));
        if !(has_year || prep || corrected || vocab().month_alone(t.text) || self.is_field(i, i + 1)) {
            return None;
        }
        Some(self.with_year(Yearly::Range(DayRule::Md(m, 1), DayRule::LastDay(m, 1)), i + 1, true))
    }

    /// "on the 15th", "the 1st", "on the first": the next such day of a month.
    pub(super) fn the_ordinal(&self, i: usize) -> Found {
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
    pub(super) fn duration(&self, i: usize) -> Found {
        // A unit standing alone as a field: "6k, fortnight, women 25-44" is 14 days.
        // Not after an amount and a slash ("€500 / day" is a rate).
        let rate = i >= 2
            && self.is(i - 1, "/")
            && self
                .t
                .get(i - 2)
                .is_some_and(|t| t.kind == Kind::Num || (i >= 3 && self.glued(i - 3) && t.kind == Kind::Word));
        if let Some(unit) = self.unit(i).filter(|_| self.w(i).len() > 2 && !rate && self.is_field(i, i + 1)) {
            return Some((What::Length(unit, None), i + 1));
        }
        let (n, article) = self.number(i)?;
        let mut j = i + 1;
        if self.is_dash(j) {
            j += 1;
        }
        let mut sign = None;
        if self.in_class(j, Class::MoreUnits) {
            sign = Some(1);
            j += 1;
        } else if self.in_class(j, Class::FewerUnits) {
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
        if vocab().is(prev, Class::Frequency)
            || vocab().is(prev, Class::RelLast)
            || (self.is(i, "couple") && prev != "a")
        {
            return None;
        }
        let after = if self.is_dash(j + 1) { j + 2 } else { j + 1 };
        if self.in_class(after, Class::AgeWord) {
            return None;
        }
        let mut span = scale(unit, n);
        let mut hi = j + 1;
        (span, hi) = self.compound(span, hi);
        if self.in_class(hi, Class::LongerAfter) {
            sign = Some(1);
            hi += 1;
        } else if self.in_class(hi, Class::ShorterAfter) {
            sign = Some(-1);
            hi += 1;
        }
        if sign.is_none() {
            if let Some(direction) = self.shift_word(i) {
                return Some((What::Shift(span, direction), hi));
            }
        }
        let sign = sign.or_else(|| self.change_verb(i));
        Some((What::Length(span, sign), hi))
    }

    /// Continues a length with "and 3 months", ", 3 months", "and a half".
    pub(super) fn compound(&self, span: Span, hi: usize) -> (Span, usize) {
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

    /// Looks back from a length for a word that moves the whole flight ("push it back a week",
    /// "postpone by 2 weeks", "bring it forward 3 days"): +1 later, -1 earlier. "for" or
    /// punctuation in between ends the search ("delayed launch, for 6 weeks" is a length).
    pub(super) fn shift_word(&self, i: usize) -> Option<i64> {
        for k in (i.saturating_sub(5)..i).rev() {
            let w = self.w(k);
            if matches!(w, "to" | "for" | "." | "?" | "!" | "," | ";" | "") {
                return None;
            }
            if vocab().is(w, Class::ShiftLater) {
                return Some(1);
            }
            if vocab().is(w, Class::ShiftEarlier) {
                return Some(-1);
            }
        }
        None
    }

    /// Looks back from a length for "extend ... by", "add", "another", "shorten ... by".
    pub(super) fn change_verb(&self, i: usize) -> Option<i64> {
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
            if vocab().is(w, Class::Longer) && (by || matches!(w, "add" | "adding")) {
                return Some(1);
            }
            if vocab().is(w, Class::Shorter) && by {
                return Some(-1);
            }
        }
        None
    }
}
