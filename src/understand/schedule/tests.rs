//! Unit tests of the schedule specialist.

use super::*;
use crate::understand::Text;

fn extract(text: &str, today: NaiveDate) -> ScheduleFinding {
    super::extract(&Text::new(text), today)
}

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
    check(&["until the end of February"], "2027-01-10", "2027-01-11", "2027-02-28");
    check(&["from Feb 29 for 2 days"], "2027-01-10", "2028-02-29", "2028-03-01");
}

#[test]
fn starting_next_month_and_next_month_alone() {
    check(&["starting next month, for 8 weeks"], "2026-01-14", "2026-02-01", "2026-03-28");
    check(&["next month, Italy"], "2026-12-28", "2027-01-01", "2027-01-31");
    check(&["next month, 2 weeks"], "2026-12-28", "2027-01-01", "2027-01-14");
    let st = run(&["from next month"], "2026-01-14");
    assert_eq!((st.start, st.end, st.days()), (Some(d("2026-02-01")), None, None), "a stated start alone");
}

#[test]
fn next_week_is_its_monday() {
    check(&["starting next week, for 3 weeks"], "2026-07-19", "2026-07-20", "2026-08-09");
    check(&["starting next week, six weeks"], "2026-12-28", "2027-01-04", "2027-02-14");
    check(&["next week, 1 week"], "2026-03-14", "2026-03-16", "2026-03-22");
}

#[test]
fn weekday_is_strictly_after_today() {
    check(&["3 weeks starting Monday"], "2026-05-22", "2026-05-25", "2026-06-14");
    check(&["a fortnight from Monday"], "2026-03-09", "2026-03-16", "2026-03-29");
    check(&["start monday, run 3 wks"], "2026-11-23", "2026-11-30", "2026-12-20");
    check(&["from Thursday for 11 days"], "2026-09-03", "2026-09-10", "2026-09-20");
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
    assert_eq!(start("kicking things off on November 2"), Some(d("2026-11-02")));
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
    check(&["plan it from Dec 2, 2026 through Jan 15"], "2026-12-28", "2026-12-02", "2027-01-15");
    check(&["from Christmas Day to New Year's Eve"], "2026-12-28", "2027-12-25", "2027-12-31");
    check(&["from Christmas Day to New Year's Eve"], "2026-11-23", "2026-12-25", "2026-12-31");
}

#[test]
fn end_before_start_is_kept() {
    let st = run(&["flight 21 March 2027 to 5 March 2027"], "2026-12-28");
    assert_eq!(st.days(), Some(-15));
}

#[test]
fn until_through_before() {
    check(&["until Christmas"], "2026-11-23", "2026-11-24", "2026-12-25");
    check(&["wrap up before Christmas"], "2026-11-23", "2026-11-24", "2026-12-24");
    check(&["till Dec 5"], "2026-11-23", "2026-11-24", "2026-12-05");
    check(&["running until the end of February"], "2026-01-14", "2026-01-15", "2026-02-28");
    check(&["until the end of September"], "2026-07-19", "2026-07-20", "2026-09-30");
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
    check(&["Black Friday until Cyber Monday"], "2026-11-23", "2026-11-27", "2026-11-30");
    check(&["a one-day takeover on New Year's Eve"], "2026-12-28", "2026-12-31", "2026-12-31");
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
        &["Mother's Day is our peak of the year. From April 20 until Mother's Day, US"],
        "2026-03-09",
        "2026-04-20",
        "2026-05-10",
    );
}

#[test]
fn past_start_is_kept() {
    let f = extract(
        "Our launch was meant to be Nov 2, 2026 — can we still plan it from then through Dec 15?",
        d("2026-11-23"),
    );
    assert_eq!((f.start, f.end), (Some(d("2026-11-02")), Some(d("2026-12-15"))));
    assert!(f.past_start_stated);
}

#[test]
fn follow_ups() {
    let t = "2026-11-23";
    check(&["€6,000 budget over 30 days", "what if we stretched it to 60 days?"], t, "2026-11-24", "2027-01-22");
    check(&["4 weeks", "can we extend it by two weeks"], "2026-05-22", "2026-05-23", "2026-07-03");
    check(&["4 weeks", "add a week"], "2026-05-22", "2026-05-23", "2026-06-26");
    check(&["4 weeks", "two weeks longer"], "2026-05-22", "2026-05-23", "2026-07-03");
    check(&["4 weeks", "shorten by 5 days"], "2026-05-22", "2026-05-23", "2026-06-14");
    check(&["in January", "shorten to 3 weeks"], "2026-12-28", "2027-01-01", "2027-01-21");
    check(&["5 weeks", "make it 14k and push it to 8 weeks"], "2026-03-09", "2026-03-10", "2026-05-04");
    check(&["8 weeks", "could we start next week instead? still 8 weeks"], "2026-09-03", "2026-09-07", "2026-11-01");
    check(&["SEK 80,000", "6 weeks", "starting June 1"], "2026-05-22", "2026-06-01", "2026-07-12");
    check(&["for September", "what about Q4 instead?"], "2026-07-19", "2026-10-01", "2026-12-31");
    check(&["€9k", "oh and run it for November pls"], "2025-10-15", "2025-11-01", "2025-11-30");
    check(&["reach, BE, €10,000 for 30 days", "make it 300 a day instead"], "2026-12-28", "2026-12-29", "2027-01-27");
    check(&["3 months", "extend by 1 month"], "2026-12-28", "2026-12-29", "2027-04-28");
}

#[test]
fn extend_without_end_is_nothing() {
    let st = run(&["can we extend it by two weeks"], "2026-05-22");
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
        "how long should this run?",
        "following up on yesterday's call",
        "hope everyone had a restful break",
        "peak moment of the year",
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

#[test]
fn another_periods_start_or_end_is_no_flight() {
    for msg in [
        "our financial year ends 30 June",
        "the lease starts on 1 May",
        "their school term ends June 20",
        "my contract ends in March, FY ends March 31",
    ] {
        none(msg, "2026-08-23");
    }
    // The flight's own end is still read.
    check(&["reach in Spain, campaign ends 31 March"], "2026-08-23", "2026-08-24", "2027-03-31");
}

#[test]
fn a_period_word_before_a_preposition_is_no_other_period() {
    // "from" is no verb: a flight of a year from the date after it.
    check(&["a year from 1 March, reach in Spain"], "2026-08-23", "2027-03-01", "2028-02-29");
}

#[test]
fn a_shift_moves_the_whole_flight() {
    let base = "reach in Spain from 1 March 2027 for 4 weeks";
    for (edit, start, end) in [
        ("push it back a week", "2027-03-08", "2027-04-04"),
        ("can we postpone by 2 weeks", "2027-03-15", "2027-04-11"),
        ("delay the whole thing three days", "2027-03-04", "2027-03-31"),
        ("bring it forward 1 week please", "2027-02-22", "2027-03-21"),
        ("push the launch back by a month", "2027-04-01", "2027-04-28"),
    ] {
        check(&[base, edit], "2027-01-10", start, end);
    }
    // A length after "for" is a length, not a shift; "extend by" still lengthens.
    check(&[base, "delayed start is fine, for 6 weeks"], "2027-01-10", "2027-03-01", "2027-04-11");
    check(&[base, "extend it by a week"], "2027-01-10", "2027-03-01", "2027-04-04");
}

/// A length said of something else — after a past-tense verb or a deadline word — is not the
/// flight's length; the flight's own length stands (a change "by" a length stays a change).
#[test]
fn a_length_said_of_something_else_is_no_flight_length() {
    for (msg, weeks) in [
        ("reach in Spain, 6 weeks; we trialled 3 weeks in Italy before", 6),
        ("awareness in Poland for 5 weeks, assets are due 10 days before launch", 5),
        ("clicks in Austria, 8 weeks, the old campaign lasted 3 weeks", 8),
        ("reach in Chile, 7 weeks. We piloted 2 weeks with another agency", 7),
    ] {
        let f = extract(msg, d("2026-11-23"));
        assert_eq!(
            f.duration.map(|s| s.end_from(d("2027-01-01"))),
            Some(d("2027-01-01") + chrono::Duration::days(7 * weeks - 1)),
            "{msg}: {f:?}"
        );
    }
    check(&["reach in Norway, 4 weeks", "prolong the flight by 10 days"], "2026-05-22", "2026-05-23", "2026-06-29");
    check(&["clicks in Peru, 3 weeks", "lengthen it by a fortnight please"], "2026-05-22", "2026-05-23", "2026-06-26");
}
