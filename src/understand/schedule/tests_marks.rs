//! Unit tests: text that is not prose (a salutation's name, a signature, a labelled number, a
//! header line) names no flight; a subject line or a reply's subject still may.

use super::*;
use crate::understand::Text;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

const TODAY: &str = "2027-01-10";

/// The messages of `cases` whose flight is not the expected (start, end), with what was read.
fn wrong(cases: &[(&str, &str, &str)]) -> Vec<String> {
    let t = d(TODAY);
    cases
        .iter()
        .filter_map(|&(msg, start, end)| {
            let st = apply(&ScheduleState::default(), &extract(&Text::new(msg), t), t);
            ((st.start, st.end) != (Some(d(start)), Some(d(end)))).then(|| format!("{msg:?}: {st:?}"))
        })
        .collect()
}

/// The messages of `msgs` that say something about the flight.
fn said(msgs: &[&str]) -> Vec<String> {
    msgs.iter()
        .map(|m| (m, extract(&Text::new(m), d(TODAY))))
        .filter(|(_, f)| !f.is_empty())
        .map(|(m, f)| format!("{m:?}: {f:?}"))
        .collect()
}

#[test]
fn a_month_that_names_the_person_addressed_is_no_flight() {
    let w = wrong(&[
        ("Hi June, can you plan awareness in Spain in September, €8k?", "2027-09-01", "2027-09-30"),
        ("Hey April - reach in Italy for October", "2027-10-01", "2027-10-31"),
        ("Morning August! Clicks in Germany for 3 weeks", "2027-01-11", "2027-01-31"),
        ("hi june, reach in spain for 2 weeks", "2027-01-11", "2027-01-24"),
        ("Hi June Walker,\nreach in Spain in September", "2027-09-01", "2027-09-30"),
    ]);
    assert!(w.is_empty(), "{w:#?}");
    // "may" alone was never the month without a preposition, a year or a field of its own: the
    // salutation keeps it so.
    let w = wrong(&[("Dear May,\n\nplease plan leads in France, 4 weeks.\n\nThanks", "2027-01-11", "2027-02-07")]);
    assert!(w.is_empty(), "{w:#?}");
}

#[test]
fn a_message_whose_only_month_is_the_name_gives_no_flight() {
    let s = said(&[
        "Hi June, can you plan awareness in Spain, €8k?",
        "Dear May,\nreach in Portugal please",
        "Hey April - clicks in Italy",
        "Morning August! Leads in Austria, 5k",
    ]);
    assert!(s.is_empty(), "{s:#?}");
}

#[test]
fn a_month_that_is_no_addressee_is_still_the_flight() {
    let w = wrong(&[
        ("June, 4 weeks, reach in Spain", "2027-06-01", "2027-06-28"),
        ("hi, June please, reach in Spain", "2027-06-01", "2027-06-30"),
        ("Subject: June push\n\nreach in Spain", "2027-06-01", "2027-06-30"),
        ("Re: August push\n\nreach in Spain", "2027-08-01", "2027-08-31"),
        ("Hi June launch in Spain, reach", "2027-06-01", "2027-06-30"),
        ("Hey Jan 15 - reach in Spain, 3 weeks", "2027-01-15", "2027-02-04"),
    ]);
    assert!(w.is_empty(), "{w:#?}");
}

#[test]
fn signatures_and_labelled_numbers_name_no_flight() {
    let w = wrong(&[
        ("Reach in Spain, 3 weeks.\n\nThanks,\nJune", "2027-01-11", "2027-01-31"),
        ("Reach in Spain, 2 weeks. Booking ref 2027-03-15-0042", "2027-01-11", "2027-01-24"),
        ("Leads in Spain in May.\n\nCheers,\nMay Li\nMobile 0412 555 019", "2027-05-01", "2027-05-31"),
    ]);
    assert!(w.is_empty(), "{w:#?}");
}

#[test]
fn the_words_of_a_salutation_are_not_reported_unread() {
    for msg in ["Hi June Walker, reach in Spain, 4 weeks from March 2", "Dear May, clicks in Italy"] {
        let unread: Vec<String> =
            crate::understand::understand(msg, d(TODAY)).not_understood.into_iter().map(|n| n.text).collect();
        assert!(unread.is_empty(), "{msg:?}: {unread:?}");
    }
}
