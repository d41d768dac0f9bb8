//! Names and lists whose reading depends on where they stand: the person a message greets,
//! lower-case postal codes in a coded list, and a genre word among fans. Each test holds phrasings of our own, none
//! taken from an evaluation set.

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, 20).unwrap()
}

fn places(s: &str) -> Vec<(String, Option<String>, Option<String>)> {
    let f = extract(&Text::new(s), today());
    f.locations.add.iter().map(|l| (l.country.clone(), l.region.clone(), l.city.clone())).collect()
}

fn countries(s: &str) -> Vec<String> {
    places(s).into_iter().map(|p| p.0).collect()
}

/// What the whole understanding left unread, as the user wrote it.
fn unread(s: &str) -> Vec<String> {
    crate::understand::understand(s, today()).not_understood.into_iter().map(|n| n.text).collect()
}

#[test]
fn a_name_after_a_greeting_is_the_person_addressed() {
    for (msg, want) in [
        ("Hi Austin, can we get reach across Germany for six weeks?", vec!["DE"]),
        ("Hey Florence - awareness among 25-34s in Spain please", vec!["ES"]),
        ("Dear Victoria,\nplease plan a reach campaign in Ireland, €9k", vec!["IE"]),
        ("Good morning Sofia! Clicks in Poland, 4 weeks", vec!["PL"]),
        ("Thanks Adelaide: now make it Canada only", vec!["CA"]),
        ("hello Lincoln Park, quick one: 18-24s in Mexico", vec!["MX"]),
        ("Brief below.\nHi Regina Jones,\nwe want installs in Kenya", vec!["KE"]),
        ("Hi Austin can you plan reach in Norway", vec!["NO"]),
        ("Hiya Paris\nawareness in Italy, 3 weeks", vec!["IT"]),
    ] {
        assert_eq!(countries(msg), want, "{msg}");
        let left = unread(msg);
        for name in ["Austin", "Florence", "Victoria", "Sofia", "Adelaide", "Lincoln", "Regina", "Paris", "Dear"] {
            assert!(!left.iter().any(|u| u.contains(name)), "{msg}: {left:?}");
        }
    }
}

#[test]
fn a_place_after_a_greeting_that_is_no_addressee_stays_a_place() {
    let city = |c: &str, city: &str| (c.to_string(), None, Some(city.to_string()));
    // A comma right after the greeting: what follows is the message, here a list of places.
    assert_eq!(places("Hi, Austin and Dallas please, $20k"), [city("US", "Austin"), city("US", "Dallas")]);
    // The name joined to another place, or an audience after it.
    assert_eq!(places("Hi Austin and Dallas please"), [city("US", "Austin"), city("US", "Dallas")]);
    assert_eq!(places("hey Austin/Dallas, 18-34"), [city("US", "Austin"), city("US", "Dallas")]);
    assert_eq!(countries("Hey Texas folks, reach 18-34"), ["US"]);
    // A greeting, then "from": where the advertiser writes from.
    assert_eq!(places("hello from Berlin, reach, €5k"), [city("DE", "Berlin")]);
    assert_eq!(places("Good morning from Lisbon, 18-34"), [city("PT", "Lisbon")]);
    // A greeting word inside a sentence greets no one.
    assert_eq!(places("listeners in the morning, Sofia and Austin"), [city("BG", "Sofia"), city("US", "Austin")]);
    assert_eq!(places("reach in Austin, thanks"), [city("US", "Austin")]);
}

/// A word of the brief's vocabulary after a greeting is what the message asks for, not a name.
#[test]
fn a_brief_word_after_a_greeting_is_no_addressee() {
    for (msg, objective) in [
        ("Hello Awareness in Spain please, €5k", crate::brief::Objective::Reach),
        ("Hi Clicks for our shop in Ireland, 3 weeks", crate::brief::Objective::Clicks),
        ("Hey Installs in Kenya for our app, $8k", crate::brief::Objective::AppInstalls),
    ] {
        let f = crate::understand::understand(msg, today());
        assert_eq!(f.goal.and_then(|g| g.objective), Some(objective), "{msg}");
    }
    // Guard (the fan noun after it already keeps it): a genre after a greeting ("Hi Jazz fans")
    // is the audience, read and not left unread.
    for msg in ["Hi Jazz fans in Canada, reach", "Hey Metal lovers in Finland, 4 weeks"] {
        let f = extract(&Text::new(msg), today());
        assert_eq!(f.genres.add.len(), 1, "{msg}: {:?}", f.genres);
        assert!(unread(msg).is_empty(), "{msg}: nothing is left unread");
    }
}

fn regions(s: &str) -> Vec<String> {
    places(s).into_iter().filter_map(|p| p.1).collect()
}

#[test]
fn lower_case_postal_codes_in_a_coded_list_are_regions() {
    for (msg, want) in [
        ("tx/ok/ar 25-44 W, $15k", vec!["US-TX", "US-OK", "US-AR"]),
        ("awareness in ga / fl / sc for 3 weeks", vec!["US-GA", "US-FL", "US-SC"]),
        ("reach, nm, az, nv, 18+", vec!["US-NM", "US-AZ", "US-NV"]),
        ("in oh, in, ky 25+", vec!["US-OH", "US-IN", "US-KY"]),
        ("on/bc/qc, 4 weeks, CA$20k", vec!["CA-ON", "CA-BC", "CA-QC"]),
        ("Wa/Sa/Nt adults, a month", vec!["AU-WA", "AU-SA", "AU-NT"]),
    ] {
        assert_eq!(regions(msg), want, "{msg}");
        assert!(unread(msg).is_empty(), "{msg}: {:?}", unread(msg));
    }
    // The router calls the audience specialist for a message of codes alone.
    let f = crate::understand::understand("tx/ok/ar", today());
    let got: Vec<_> =
        f.audience.map(|a| a.locations.add.iter().filter_map(|l| l.region.clone()).collect()).unwrap_or_default();
    assert_eq!(got, ["US-TX", "US-OK", "US-AR"]);
}

#[test]
fn lower_case_two_letter_words_outside_a_coded_list_are_words() {
    for msg in [
        "ok, or in Q2",
        "ok, hi, me again",
        "ok, hi, me, thanks",
        "tx/ok is fine",
        "tx, ok, ar and more",
        "tx/ok/de/at",
        "tx/on/bc",
        "me or hi, in 2 weeks",
    ] {
        assert!(regions(msg).is_empty(), "{msg}: {:?}", places(msg));
    }
}

fn genres(s: &str) -> Vec<String> {
    extract(&Text::new(s), today()).genres.add
}

#[test]
fn a_genre_word_in_a_list_before_fans_is_the_genre() {
    for (msg, want) in [
        ("country + rock fans in Texas, $12k", vec!["country", "rock"]),
        ("pop and country listeners 18-34", vec!["pop", "country"]),
        ("country/folk fans, 25+", vec!["country"]),
        ("Country, Pop & Rock lovers in Canada", vec!["country", "pop", "rock"]),
        ("fans of jazz or country, UK", vec!["jazz", "country"]),
        ("reach country listeners in Ohio", vec!["country"]),
    ] {
        assert_eq!(genres(msg), want, "{msg}");
    }
}

#[test]
fn a_genre_word_away_from_fans_is_an_ordinary_word() {
    for msg in [
        "awareness across the country, 6 weeks",
        "our country manager wants reach in Spain",
        "the biggest country for us, rock fans aside",
        "every country in the EU",
        "country: Portugal, fans of the brand",
    ] {
        assert!(!genres(msg).contains(&"country".to_string()), "{msg}: {:?}", genres(msg));
    }
    assert_eq!(unread("our country manager wants reach in Spain"), ["country manager"]);
}
