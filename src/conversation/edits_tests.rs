//! Tests of follow-up edits in the conversation: each names its field and operation (issue 9
//! "Follow-up edits"), over phrasings of our own.

use super::*;
use crate::brief::{Format, Platform};
use crate::markets::Markets;
use crate::understand::understand;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn brief(messages: &[&str]) -> Conversation {
    let mut c = Conversation::new(today());
    for m in messages {
        c.apply(&understand(m, today()));
    }
    c
}

fn countries(messages: &[&str]) -> Vec<String> {
    brief(messages).brief.audience.countries().into_iter().map(String::from).collect()
}

#[test]
fn replacing_one_place_by_another_keeps_the_rest() {
    let start = "reach in Spain and France, €10k, 4 weeks";
    for edit in ["switch Spain for Italy", "Italy instead of Spain", "swap Spain with Italy", "Italy rather than Spain"]
    {
        assert_eq!(countries(&[start, edit]), ["FR", "IT"], "{edit}");
    }
}

#[test]
fn dropping_removes_only_what_is_named() {
    let start = "awareness in Germany, Austria and Switzerland, €10k";
    assert_eq!(countries(&[start, "drop Austria"]), ["DE", "CH"]);
    assert_eq!(countries(&[start, "please remove Austria"]), ["DE", "CH"]);
    assert_eq!(countries(&[start, "no Switzerland"]), ["DE", "AT"]);
    assert_eq!(countries(&["Benelux push, €7,500", "no Luxembourg", "add Germany"]), ["BE", "NL", "DE"]);
}

#[test]
fn a_noun_that_looks_like_an_edit_is_not_one() {
    assert_eq!(countries(&["trainer drop for 18-25s in Ireland"]), ["IE"]);
    assert_eq!(countries(&["awareness in the US for a sneaker drop, $10k"]), ["US"]);
    assert_eq!(countries(&["brand lift in Spain and Portugal without any video spots"]), ["ES", "PT"]);
}

#[test]
fn ages_are_replaced_not_widened_by_a_swap() {
    for edit in ["replace the 18-24s with 25-34s", "change to 25-34", "make it 25-34 instead of 18-24"] {
        let c = brief(&["reach in the UK, 18-24, £10k", edit]);
        assert_eq!((c.brief.audience.age_min, c.brief.audience.age_max), (Some(25), Some(34)), "{edit}");
    }
    let c = brief(&["reach in the UK, 25-34, £10k", "add 18-24 too"]);
    assert_eq!((c.brief.audience.age_min, c.brief.audience.age_max), (Some(18), Some(34)));
}

#[test]
fn platforms_are_replaced_or_negated_into_the_others() {
    let c = brief(&["installs in the US, iOS and Android", "iOS rather than Android"]);
    assert_eq!(c.brief.audience.platforms, [Platform::Ios]);
    for m in ["reach in the US, no desktop", "exclude tablets and desktop", "everything but desktop please"] {
        let c = brief(&[m]);
        assert_eq!(c.brief.audience.platforms, [Platform::Ios, Platform::Android], "{m}");
    }
}

#[test]
fn lifting_a_filter_clears_it() {
    for edit in ["open it up to all genders", "no need to restrict gender after all", "drop the gender filter"] {
        let c = brief(&["reach in the UK, men 30-50", edit]);
        assert!(c.brief.audience.genders.is_empty(), "{edit}");
        assert_eq!(c.brief.audience.age_min, Some(30), "{edit} keeps the ages");
        assert_eq!(c.brief.audience.countries(), ["GB"], "{edit} keeps the place");
    }
}

#[test]
fn removing_a_moment_or_the_podcast_thing() {
    let c = brief(&["installs, sleep and chill moments, US", "remove sleep"]);
    assert_eq!(c.brief.audience.contexts, ["chill"]);
    let c = brief(&["reach podcast listeners in the US, $10k", "forget the podcast thing"]);
    assert!(c.brief.formats.placements.is_empty());
    let c = brief(&["awareness in Italy, no audio", "no, audio is fine after all"]);
    assert!(c.brief.formats.exclude.is_empty());
}

#[test]
fn the_seed_example_keeps_the_place_and_caps_video() {
    let c = brief(&["I want to reach young music fans in Brazil without blowing my whole budget on video ads"]);
    assert_eq!(c.brief.audience.countries(), ["BR"]);
    assert_eq!(c.brief.formats.max_share.get(&Format::Video), Some(&0.3));
    let c = brief(&["reach in Spain, without blowing our budget on video"]);
    assert_eq!(c.brief.formats.max_share.get(&Format::Video), Some(&0.3));
}

#[test]
fn a_bare_share_changes_the_one_cap() {
    let c = brief(&["awareness, DE, audio + video but no more than 20% on video", "make that 40%"]);
    assert_eq!(c.brief.formats.max_share.get(&Format::Video), Some(&0.4));
    assert_eq!(c.brief.formats.include, [Format::Audio, Format::Video]);
}

#[test]
fn a_message_with_nothing_in_it_gets_a_question() {
    for m in ["hello", "hi there!", "thanks :)"] {
        let mut c = Conversation::new(today());
        c.apply(&understand(m, today()));
        let r = c.report(Markets::embedded(), "US");
        assert_eq!(r.questions.first().map(|q| q.field.as_str()), Some("brief"), "{m}");
    }
    let mut c = Conversation::new(today());
    c.apply(&understand("reach in Spain, €5k", today()));
    c.apply(&understand("thanks!", today()));
    let r = c.report(Markets::embedded(), "US");
    assert!(r.questions.iter().all(|q| q.field != "brief"), "a brief is there: {r:?}");
}

#[test]
fn unread_words_are_reported() {
    let mut c = Conversation::new(today());
    c.apply(&understand("reach in Spain with zorblax quuxing, €5k", today()));
    let r = c.report(Markets::embedded(), "US");
    assert_eq!(r.not_understood.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(), ["zorblax quuxing"]);
}

#[test]
fn an_excluded_city_is_reported_not_understood() {
    let mut c = Conversation::new(today());
    c.apply(&understand("awareness in France but not Paris, €5k", today()));
    assert_eq!(c.brief.audience.countries(), ["FR"]);
    let r = c.report(Markets::embedded(), "US");
    assert!(r.not_understood.iter().any(|n| n.text == "Paris" && n.reason.contains("not supported")), "{r:?}");
}

#[test]
fn a_new_start_said_to_keep_the_length_moves_the_end_with_it() {
    let schedule = |messages: &[&str]| {
        let s = brief(messages).brief.schedule;
        (s.start.map(|d| d.to_string()), s.end.map(|d| d.to_string()), s.days)
    };
    let d = |s: &str| Some(s.to_string());
    // The first flight is two dates (no length said): the cue carries its 14 days over.
    let start = "reach in Germany, €6k, 1-14 February";
    for edit in [
        "push the start to Feb 8, same length",
        "start on 8 February instead and keep the duration",
        "begin Feb 8 but keep it as long",
        "let's go live on February 8th for the same number of days",
    ] {
        assert_eq!(schedule(&[start, edit]), (d("2027-02-08"), d("2027-02-21"), Some(14)), "{edit}");
    }
    // A new end said with the cue moves the start back.
    assert_eq!(schedule(&[start, "end it on Feb 28, same duration"]), (d("2027-02-15"), d("2027-02-28"), Some(14)));
    // Without the cue, a new start keeps the stated end.
    assert_eq!(schedule(&[start, "push the start to Feb 8"]), (d("2027-02-08"), d("2027-02-14"), Some(7)));
}
