//! Unit tests of ranges, occasions, shorthand fields and dates that are not the flight.

use super::*;
use crate::understand::Text;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn run(msgs: &[&str], today: &str) -> ScheduleState {
    let t = d(today);
    msgs.iter().fold(ScheduleState::default(), |st, m| apply(&st, &extract(&Text::new(m), t), t))
}

fn check(msgs: &[&str], today: &str, start: &str, end: &str) {
    let st = run(msgs, today);
    assert_eq!((st.start, st.end), (Some(d(start)), Some(d(end))), "{msgs:?} today {today}: {st:?}");
}

fn nothing(msg: &str, today: &str) {
    let f = extract(&Text::new(msg), d(today));
    assert!(f.is_empty(), "{msg:?} should say nothing about the flight, got {f:?}");
}

#[test]
fn an_end_before_its_start_is_kept_not_moved_a_year() {
    for msg in ["from August 30 to August 3", "run it Sept 20 - Sept 2", "from 2027-05-10 until 2027-05-01"] {
        let st = run(&[msg], "2027-04-01");
        let (s, e) = (st.start.unwrap_or_default(), st.end.unwrap_or_default());
        assert!(e < s && (s - e).num_days() < 40, "{msg}: {st:?}");
        assert!(st.days().is_some_and(|n| n <= 0), "{msg}: days keep the formula");
    }
    // Crossing the new year is still forward.
    check(&["from Dec 10 through Jan 20"], "2027-11-01", "2027-12-10", "2028-01-20");
}

#[test]
fn until_an_occasion_starts_tomorrow_even_when_it_was_named_before() {
    check(&["halloween push: spooky playlists until halloween"], "2027-10-01", "2027-10-02", "2027-10-31");
    check(&["xmas campaign / £9k / until xmas"], "2027-12-01", "2027-12-02", "2027-12-25");
    check(&["Valentine's offer for couples, run it until Valentine's"], "2027-01-20", "2027-01-21", "2027-02-14");
    check(&["dating app, till vday"], "2027-01-20", "2027-01-21", "2027-02-14");
    // A range of two occasions still starts on the first.
    check(&["Thanksgiving through Cyber Monday"], "2027-10-01", "2027-11-25", "2027-11-29");
}

#[test]
fn ranges_written_with_arrows_ordinals_and_month_names() {
    check(&["Mar 3 → Mar 30"], "2027-01-10", "2027-03-03", "2027-03-30");
    check(&["apr 2 -> may 20, $4k"], "2027-01-10", "2027-04-02", "2027-05-20");
    check(&["7th–21st, 25-34"], "2027-01-10", "2027-02-07", "2027-02-21");
    check(&["can we do the 12th to the 26th?"], "2027-01-10", "2027-01-12", "2027-01-26");
    check(&["from the 3rd till the 9th"], "2027-01-02", "2027-01-03", "2027-01-09");
    check(&["April-May, awareness"], "2027-01-10", "2027-04-01", "2027-05-31");
    check(&["run it june through august"], "2027-01-10", "2027-06-01", "2027-08-31");
}

#[test]
fn occasions_as_periods() {
    check(&["Black Friday week push"], "2027-09-01", "2027-11-22", "2027-11-28");
    check(&["cyber week, 40k"], "2027-09-01", "2027-11-25", "2027-11-29");
    check(&["chocolate ads over Easter"], "2027-01-10", "2027-03-26", "2027-03-29");
    check(&["during christmas only"], "2027-11-01", "2027-12-24", "2027-12-26");
    // Without "over", Easter is the day.
    check(&["Easter"], "2027-01-10", "2027-03-28", "2027-03-28");
}

#[test]
fn an_explicit_date_or_range_outranks_an_occasion_named_beside_it() {
    check(&["New Year's Eve party promo, Dec 18-31, £6k"], "2027-11-10", "2027-12-18", "2027-12-31");
    check(&["xmas campaign in Germany, 1-24 December"], "2027-11-10", "2027-12-01", "2027-12-24");
    check(&["Black Friday deals: Nov 19 - Nov 30, US"], "2027-09-01", "2027-11-19", "2027-11-30");
    check(&["Valentine's gifting, 2/1-2/14"], "2027-01-10", "2027-02-01", "2027-02-14");
    check(&["Halloween costumes, whole of October"], "2027-09-01", "2027-10-01", "2027-10-31");
    // The occasion alone still gives the dates; a lone bare date (often a meeting) does not outrank it.
    check(&["Halloween push"], "2027-09-01", "2027-10-31", "2027-10-31");
    check(&["summer push in the US; can we talk on Monday 8 March?"], "2027-03-06", "2027-06-01", "2027-08-31");
}

#[test]
fn greetings_meetings_and_reply_deadlines_are_not_the_flight() {
    nothing("merry xmas team! quick one about budgets", "2027-12-20");
    nothing("happy new year all", "2027-12-30");
    nothing("need this by Friday please", "2027-03-01");
    nothing("can we meet on 3 Feb to go through it?", "2027-01-20");
    nothing("before the meeting on Monday, send me the numbers", "2027-03-01");
    nothing("I'm out of office 12-19 July", "2027-06-01");
    // What is not the flight is not reported as read either (the language layer lists it).
    let t = Text::new("can we meet on 3 Feb? 4 weeks please");
    let f = extract(&t, d("2027-01-20"));
    let read: Vec<&str> = f.spans.iter().map(|&(s, e)| &t.norm[s..e]).collect();
    assert_eq!(read, vec!["4 weeks"]);
    // A date in a message with a meeting still counts when it is the flight's.
    check(&["6 weeks from 1 March, can we meet on Monday?"], "2027-02-01", "2027-03-01", "2027-04-11");
}

#[test]
fn shorthand_fields_name_months_and_lengths() {
    check(&["W25-34 / DE / may / 40k"], "2027-01-10", "2027-05-01", "2027-05-31");
    check(&["P18+ | NL | dec | reach"], "2027-01-10", "2027-12-01", "2027-12-31");
    check(&["FR, jan, clicks"], "2027-03-10", "2028-01-01", "2028-01-31");
    check(&["leads, fortnight, 5k"], "2027-01-10", "2027-01-11", "2027-01-24");
    // In prose "may" is a verb.
    nothing("you may want to add Austria", "2027-01-10");
}

#[test]
fn a_range_said_with_from_beats_a_month_named_elsewhere() {
    check(&["Subject: June push\n\nfrom 4 to 18 June please"], "2027-03-01", "2027-06-04", "2027-06-18");
    check(&["our new winter coat, December"], "2027-10-01", "2027-12-01", "2027-12-31");
}

#[test]
fn day_month_when_the_first_number_is_over_twelve() {
    check(&["2 wks from 20/04"], "2027-03-01", "2027-04-20", "2027-05-03");
    check(&["from 4/20, 14 days"], "2027-03-01", "2027-04-20", "2027-05-03");
    check(&["until 30/4"], "2027-03-01", "2027-03-02", "2027-04-30");
    nothing("support is 24/7", "2027-03-01");
}

#[test]
fn from_then_refers_back_and_extend_to_names_the_end() {
    check(&["we said Oct 4, 2027 - can we go from then through Nov 20?"], "2027-09-01", "2027-10-04", "2027-11-20");
    check(&["from May 3 to May 20", "lengthen it to the end of June"], "2027-04-01", "2027-05-03", "2027-06-30");
}

#[test]
fn spans_cover_each_date_phrase_with_its_cue() {
    let t = Text::new("clicks, €5k, from March 3 until April 10, thanks");
    let f = extract(&t, d("2027-01-10"));
    let read: Vec<&str> = f.spans.iter().map(|&(s, e)| &t.norm[s..e]).collect();
    assert!(read.contains(&"from march 3"), "{read:?}");
    assert!(read.contains(&"until april 10"), "{read:?}");
    assert!(!read.iter().any(|r| r.contains("5k") || r.contains("thanks")), "{read:?}");
}

#[test]
fn corrections_events_and_past_events() {
    check(&["Re: March push - actually make it May"], "2027-01-10", "2027-05-01", "2027-05-31");
    check(&["June, or rather July"], "2027-01-10", "2027-07-01", "2027-07-31");
    nothing("great seeing you at the conference on 14 October", "2027-10-20");
    nothing("we launched the app last year and it crashed on Friday", "2027-03-01");
    check(&["the pixel was installed on Monday; 3 weeks, €9k"], "2027-03-03", "2027-03-04", "2027-03-24");
}

#[test]
fn the_sending_date_of_an_email_is_not_the_flight() {
    check(
        &["From: Jo\nSent: Tuesday, 5 October 2027 10:02\nSubject: plan\n\nreach in Wales, 3 weeks"],
        "2027-10-01",
        "2027-10-02",
        "2027-10-22",
    );
    check(&["Date: Wed, 6 Oct 2027\nleads, 2 weeks"], "2027-10-01", "2027-10-02", "2027-10-15");
    // "start date:" still starts the flight.
    check(&["start date: 1 November, 2 weeks"], "2027-10-05", "2027-11-01", "2027-11-14");
}

#[test]
fn parts_of_months_and_relative_weeks_from_the_table() {
    check(&["mid-May"], "2027-01-10", "2027-05-11", "2027-05-20");
    check(&["late June"], "2027-01-10", "2027-06-21", "2027-06-30");
    check(&["the beginning of August"], "2027-01-10", "2027-08-01", "2027-08-10");
    check(&["beginning March 3, 2 weeks"], "2027-01-10", "2027-03-03", "2027-03-16");
    check(&["the end of the following month"], "2027-01-10", "2027-02-21", "2027-02-28");
}

#[test]
fn a_keep_length_cue_is_read_with_its_span() {
    for m in ["from May 3, same length", "start May 3 and keep the duration", "May 3 start, length unchanged"] {
        let f = extract(&Text::new(m), d("2027-01-10"));
        assert!(f.keep_length, "{m}: {f:?}");
        assert_eq!(f.spans.len(), 2, "{m}: the date and the cue are read: {f:?}");
    }
    assert!(!extract(&Text::new("from May 3, 2 weeks"), d("2027-01-10")).keep_length);
    // Applied to a flight of two dates: the new start moves the end.
    check(&["1-10 March", "from March 5, same length"], "2027-01-10", "2027-03-05", "2027-03-14");
    check(&["1-10 March", "from March 5"], "2027-01-10", "2027-03-05", "2027-03-10");
}
