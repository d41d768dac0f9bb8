//! Comparison and choice phrasings, several per form (own wordings).

use chrono::NaiveDate;

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// [`super::comparison`] of a message.
fn comparison(message: &str, today: NaiveDate) -> Option<Comparison> {
    super::comparison(&Text::new(message), today)
}

/// [`super::pick`] of a message.
fn pick(message: &str) -> Option<Pick> {
    super::pick(&Text::new(message))
}

fn alts(message: &str) -> Vec<String> {
    comparison(message, today())
        .unwrap_or_else(|| panic!("not a comparison: {message}"))
        .alternatives
        .into_iter()
        .map(|a| a.text)
        .collect()
}

#[test]
fn one_alternative_with_a_cue_word() {
    for (message, alternative) in [
        ("compare with €10k", "€10k"),
        ("Compare it to a 20k budget", "20k budget"),
        ("could you compare against 15000 EUR?", "15000 EUR"),
        ("show audio only side by side", "audio only"),
        ("put video only next to each other", "put video only"),
        ("comparison: 9 weeks", "9 weeks"),
    ] {
        let got = alts(message);
        assert_eq!(got.last().map(String::as_str), Some(alternative), "{message}: {got:?}");
    }
}

#[test]
fn alternatives_split_at_versus_or_and_lists() {
    for (message, expected) in [
        ("what about 20k vs 30k?", vec!["20k", "30k"]),
        ("12k versus 18k please", vec!["12k", "18k"]),
        ("side by side: Germany vs Austria", vec!["Germany", "Austria"]),
        ("compare France or Spain", vec!["France", "Spain"]),
        ("give me options at 10k, 20k and 40k", vec!["10k", "20k", "40k"]),
        ("alternatives: €8,000, €12,500 or €2.5k", vec!["€8,000", "€12,500", "€2.5k"]),
        ("compare Italy and Norway", vec!["Italy", "Norway"]),
    ] {
        assert_eq!(alts(message), expected, "{message}");
    }
}

#[test]
fn a_bare_number_borrows_its_siblings_unit() {
    assert_eq!(alts("compare 6 vs 8 weeks"), vec!["6 weeks", "8 weeks"]);
    assert_eq!(alts("4 or 5 weeks side by side"), vec!["4 weeks", "5 weeks"]);
    assert_eq!(alts("compare 30 vs 45 days"), vec!["30 days", "45 days"]);
}

#[test]
fn and_stays_inside_an_alternative_whose_parts_say_nothing_alone() {
    assert_eq!(alts("compare with audio and video"), vec!["audio and video"]);
}

#[test]
fn at_most_three_alternatives_the_rest_reported() {
    let c = comparison("options at 5k, 10k, 15k, 20k and 25k", today()).unwrap();
    assert_eq!(c.alternatives.len(), MAX_ALTERNATIVES);
    assert_eq!(c.dropped, vec!["20k", "25k"]);
}

#[test]
fn a_cue_alone_has_no_alternatives() {
    for message in ["compare", "show me some options", "side by side please"] {
        assert_eq!(comparison(message, today()).unwrap().alternatives, vec![], "{message}");
    }
}

#[test]
fn edits_and_questions_are_no_comparison() {
    for message in [
        "what if we stretched the flight to 60 days?",
        "make it 8k",
        "add Austria",
        "no video",
        "focus on women 25-34 for the whole period",
        "drop the podcast ad set and use audio only",
    ] {
        assert_eq!(comparison(message, today()), None, "{message}");
    }
}

#[test]
fn choices_of_the_latest_scenario() {
    for message in ["go with that", "Let's go with that one.", "ok, use it", "we'll take that please", "Pick this one!"]
    {
        assert_eq!(pick(message), Some(Pick::Latest), "{message}");
    }
}

#[test]
fn choices_of_a_numbered_option() {
    for (message, n) in [
        ("use option 2", 2),
        ("let's go with option 1", 1),
        ("option 3 please", 3),
        ("Option two, thanks", 2),
        ("go with scenario 1", 1),
        ("take the second option", 2),
        ("we will go with alternative 3", 3),
        ("use option 7", 7),
    ] {
        assert_eq!(pick(message), Some(Pick::Option(n)), "{message}");
    }
}

#[test]
fn other_messages_are_no_choice() {
    for message in
        ["go with 10k", "use audio only", "option", "that one", "2", "use Germany", "go with option 2 and 8k"]
    {
        assert_eq!(pick(message), None, "{message}");
    }
}

#[test]
fn odd_input_never_panics() {
    let odd = "|vs|vs vs vs|, , and or|compare 🎉 vs 🚀|side by side: ,,,|compare São Paulo vs İstanbul|\
               compare 1,000,000 vs 2.5|option ٣|use option 99999999999999999999|compare\nwith\n€10k";
    for message in odd.split('|') {
        let _ = comparison(message, today());
        let _ = pick(message);
    }
    assert_eq!(pick("use option 99999999999999999999"), None);
}
