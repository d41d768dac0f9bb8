//! Tests of the audience specialist over phrasings of our own.

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn aud(s: &str) -> AudienceFinding {
    extract(&Text::new(s), today())
}

fn ages(s: &str) -> (Option<u8>, Option<u8>) {
    let a = aud(s).ages.unwrap_or_default();
    (a.min, a.max)
}

fn countries(s: &str) -> Vec<String> {
    aud(s).locations.add.into_iter().map(|l| l.country).collect()
}

#[test]
fn age_ranges() {
    assert_eq!(ages("18–24 year olds in Austria"), (Some(18), Some(24)));
    assert_eq!(ages("men 18 to 30 in the us"), (Some(18), Some(30)));
    assert_eq!(ages("aged 25 to 40"), (Some(25), Some(40)));
    assert_eq!(ages("Clicks to our shop from 18-34s in Ireland"), (Some(18), Some(34)));
    assert_eq!(ages("between 25 and 34 years old"), (Some(25), Some(34)));
}

#[test]
fn open_ended_ages() {
    assert_eq!(ages("women over 35 in Italy"), (Some(36), None));
    assert_eq!(ages("35+ men, UK"), (Some(35), None));
    assert_eq!(ages("audio and video, US, 18+"), (Some(18), None));
    assert_eq!(ages("under 30s in Spain"), (Some(18), Some(29)));
    assert_eq!(ages("Schlager fans 50+"), (Some(50), None));
}

#[test]
fn decades_and_groups() {
    assert_eq!(ages("people in their twenties"), (Some(20), Some(29)));
    assert_eq!(ages("parents in their 40s"), (Some(40), Some(49)));
    assert_eq!(ages("young adults in Finland"), (Some(18), Some(24)));
    assert_eq!(ages("college students in Chicago"), (Some(18), Some(24)));
    assert!(aud("students in the UK").interests.add.contains(&"education".to_string()));
}

#[test]
fn generations_follow_today_and_clamp_silently() {
    let gz = extract(&Text::new("Gen Z pop fans"), NaiveDate::from_ymd_opt(2026, 1, 14).unwrap()).ages.unwrap();
    assert_eq!((gz.min, gz.max, gz.minors), (Some(18), Some(29), false));
    let m = extract(&Text::new("millennials"), NaiveDate::from_ymd_opt(2025, 10, 15).unwrap()).ages.unwrap();
    assert_eq!((m.min, m.max), (Some(29), Some(44)));
    let x = extract(&Text::new("Gen X listeners"), NaiveDate::from_ymd_opt(2027, 2, 10).unwrap()).ages.unwrap();
    assert_eq!((x.min, x.max), (Some(47), Some(62)));
    assert_eq!(ages("boomers in Florida"), (Some(62), Some(80)));
    // Several groups: everyone in any of them.
    let both = extract(&Text::new("reach Gen Z and Millennials"), NaiveDate::from_ymd_opt(2027, 1, 4).unwrap());
    assert_eq!(both.ages.map(|a| (a.min, a.max)), Some((Some(18), Some(46))));
    assert_eq!(ages("millennials + gen x"), (Some(30), Some(61)));
}

#[test]
fn minors_are_clamped_and_flagged() {
    let a = aud("16-24 year olds in Austria").ages.unwrap();
    assert_eq!((a.min, a.max, a.minors), (Some(18), Some(24), true));
    let a = aud("include the 16 and 17 year olds too").ages.unwrap();
    assert_eq!((a.min, a.max, a.minors, a.extend), (Some(18), Some(18), true, true));
    assert!(aud("teens in the US").ages.unwrap().minors);
    assert!(!aud("under 30s in Spain").ages.unwrap().minors);
}

#[test]
fn numbers_that_are_not_ages() {
    assert_eq!(aud("$10-15k, 3-4 weeks, 20% on video, from 13 to 15th of July").ages, None);
    assert_eq!(aud("between 7 and 9 thousand euros").ages, None);
    assert_eq!(aud("10-15k USD").ages, None);
    assert_eq!(aud("over 30 days").ages, None);
    assert_eq!(aud("no more than 15% on video").ages, None);
}

#[test]
fn not_below_refines() {
    assert_eq!(ages("25-44. They insist on not going below 25."), (Some(25), Some(44)));
}

#[test]
fn genders() {
    assert_eq!(aud("women and non-binary people 21-35").genders.add, vec![Gender::Female, Gender::NonBinary]);
    assert_eq!(aud("guys 21-35").genders.add, vec![Gender::Male]);
    assert_eq!(aud("18-34 F, DE+AT").genders.add, vec![Gender::Female]);
    assert!(aud("and remove the gender filter").genders.clear);
}

#[test]
fn places() {
    assert_eq!(countries("US + Canada"), vec!["US", "CA"]);
    assert_eq!(countries("Target Italians 30-60"), vec!["IT"]);
    assert_eq!(countries("Scope: the Nordics, awareness"), vec!["SE", "NO", "DK", "FI", "IS"]);
    let f = aud("We are a Brazilian label. Budget R$ 35.000, target São Paulo");
    assert_eq!(f.locations.add.len(), 1);
    assert_eq!(f.locations.add[0].city.as_deref(), Some("São Paulo"));
}

#[test]
fn typos_and_unknown_places() {
    let f = aud("awarness push in Germnay for 22-30 yr olds");
    assert_eq!(f.locations.add[0].country, "DE");
    assert!(f.unknown_places.is_empty());
    assert!(!f.notes.is_empty());
    let f = aud("we'd love listeners in Wakanda haha, and Germany for real");
    assert_eq!(f.unknown_places, vec!["Wakanda"]);
    assert_eq!(f.locations.add[0].country, "DE");
    assert!(aud("Gen X listeners in the US, for April in March").unknown_places.is_empty());
}

#[test]
fn a_typo_is_read_only_where_a_place_is_expected() {
    // Ordinary words one letter from a country name, at the start of a sentence: no place.
    for message in ["Dates are open, reach in the US", "Spaim is a typo but Dates are not", "Thanks. Dates move."] {
        let f = aud(message);
        assert!(f.locations.add.iter().all(|l| l.country != "DK"), "{message}: {:?}", f.locations.add);
    }
    // After a place preposition, in a list, or alone in its field: a typo.
    for message in ["reach folks in Germnay", "Austria and Germnay, 20k", "Germnay / 25-34 / 40k"] {
        assert_eq!(countries(message).last().map(String::as_str), Some("DE"), "{message}");
    }
}

#[test]
fn food_wine_and_health_are_interests() {
    for (message, want) in [
        ("people who enjoy food and wine in France", "food_drink"),
        ("wine drinkers 30+", "food_drink"),
        ("adults keen on health, 40-60", "health"),
        ("into health & fitness", "health"),
    ] {
        assert!(aud(message).interests.add.iter().any(|i| i == want), "{message}");
    }
    // The advertiser's trade is no interest.
    assert!(aud("a wine shop in Lyon wants reach").interests.add.is_empty());
}

#[test]
fn phone_numbers_subjects_and_addresses_name_no_place() {
    for (message, want) in [
        ("Leads in Australia, 20k.\nMobile 0400 123 456", vec!["AU"]),
        ("Reach in Canada, Phone: 555-0199-22", vec!["CA"]),
        ("Subject: Mexican audience\n\nHi, Spanish speakers in the US please", vec!["US"]),
        ("From: Jo <jo@shop.co.nz>\n\nawareness in Ireland", vec!["IE"]),
    ] {
        assert_eq!(countries(message), want, "{message}");
    }
}

#[test]
fn long_input_is_linear() {
    // Every hit used to rescan its clause and every place word all earlier ranges: with
    // no clause breaks that was quadratic (seconds at this length in a debug build).
    aud("warm up: the vocabularies load once, outside the timing");
    let long = "hip-hop fans in Deutschland, add ages ".repeat(2_000);
    let start = std::time::Instant::now();
    let f = aud(&long);
    assert!(start.elapsed().as_secs_f64() < 2.0, "{:?}", start.elapsed());
    assert_eq!(f.genres.add, vec!["hip_hop".to_string()]);
    let long = "ages 0-17 all genders ".repeat(3_000);
    let start = std::time::Instant::now();
    let f = aud(&long);
    assert!(start.elapsed().as_secs_f64() < 2.0, "{:?}", start.elapsed());
    assert!(f.genders.clear);
    let long = "hip-hop fans in Deutschland ".repeat(3_000);
    let start = std::time::Instant::now();
    let f = aud(&long);
    assert!(start.elapsed().as_secs_f64() < 2.0, "{:?}", start.elapsed());
    assert_eq!(f.locations.add, vec![Location::country("DE")]);
}

#[test]
fn each_place_gets_its_own_edit() {
    let f = aud("add Austria, drop Germany; France (plus Spain)");
    let adds: Vec<&str> = f.locations.add.iter().map(|l| l.country.as_str()).collect();
    let removes: Vec<&str> = f.locations.remove.iter().map(|l| l.country.as_str()).collect();
    assert_eq!((adds, removes), (vec!["AT", "FR", "ES"], vec!["DE"]));
}

#[test]
fn words_around_a_range() {
    let t = Text::new("one two  three, four");
    let at = |w: &str| t.norm.find(w).unwrap_or(usize::MAX);
    let (before, after) = words_around(&t, at("three"), at("three") + 5, 2);
    assert_eq!((before, after), (vec!["two", "one"], vec!["four"]));
}

#[test]
fn list_modes() {
    let f = aud("add Austria");
    assert!(!f.locations.replace);
    let f = aud("drop Germany");
    assert_eq!(f.locations.remove[0].country, "DE");
    let f = aud("make it iOS only");
    assert!(f.platforms.replace);
    let mut list = vec![Platform::Ios, Platform::Android];
    f.platforms.apply(&mut list);
    assert_eq!(list, vec![Platform::Ios]);
}

#[test]
fn languages_only_when_about_language() {
    let f = aud("target only Spanish speakers");
    assert_eq!(f.languages.add, vec!["es"]);
    assert!(f.locations.is_empty());
    let f = aud("Swiss users, French and German speakers");
    assert_eq!(f.languages.add, vec!["fr", "de"]);
    assert_eq!(f.locations.add.len(), 1, "French is a language here, not France");
    let f = aud("French-speaking Canadians 25+");
    assert_eq!(f.languages.add, vec!["fr"]);
    assert_eq!(f.locations.add[0].country, "CA");
}

#[test]
fn interests_contexts_genres_topics() {
    let f = aud("people interested in cooking, and people listening while they're cooking");
    assert_eq!(f.interests.add, vec!["cooking"]);
    assert_eq!(f.contexts.add, vec!["cooking"]);
    assert_eq!(aud("men 18-34 who are gamers").interests.add, vec!["gaming"]);
    assert_eq!(aud("best while they're gaming").contexts.add, vec!["gaming"]);
    assert_eq!(aud("gym-goers").interests.add, vec!["fitness"]);
    assert_eq!(aud("people working out").contexts.add, vec!["workout"]);
    assert_eq!(aud("chill and party moments").contexts.add, vec!["chill", "party"]);
    assert_eq!(aud("K-pop and R&B fans").genres.add, vec!["kpop", "rnb"]);
    assert!(aud("music fans in Germany").genres.is_empty());
    let f = aud("business podcast fans in the US");
    assert_eq!(f.podcast_topics.add, vec!["business-and-finance"]);
    assert!(f.interests.is_empty());
    assert!(f.podcast);
    assert!(!aud("How can I grow my podcast?").podcast);
    assert!(!aud("no more than 30% on podcasts").podcast);
    assert!(!aud("exclude podcasts").podcast);
    assert!(aud("only on podcasts").podcast);
}

fn gender_list(s: &str) -> Vec<Gender> {
    aud(s).genders.add
}

#[test]
fn planner_shorthand_reads_gender_and_ages() {
    assert_eq!((gender_list("W25-34 in Spain"), ages("W25-34 in Spain")), (vec![Gender::Female], (Some(25), Some(34))));
    assert_eq!((gender_list("M18+, UK, £5k"), ages("M18+, UK, £5k")), (vec![Gender::Male], (Some(18), None)));
    assert_eq!((gender_list("A35-54 DE"), ages("A35-54 DE")), (vec![], (Some(35), Some(54))));
    assert_eq!((gender_list("P18-49 / US"), ages("P18-49 / US")), (vec![], (Some(18), Some(49))));
    assert_eq!((gender_list("F 25-34 / FR"), ages("F 25-34 / FR")), (vec![Gender::Female], (Some(25), Some(34))));
    assert_eq!(gender_list("30-45 M, Italy"), vec![Gender::Male]);
    // Lower-case letters and letters far from an age are no shorthand.
    assert!(gender_list("a 25-34 audience").is_empty());
    assert!(gender_list("m25 in Spain").is_empty());
}

#[test]
fn dates_are_not_ages() {
    assert_eq!(aud("flight 2027-03-10 until 2027-02-28, Spain").ages, None);
    assert_eq!(aud("starting 11/15, 25-34").ages.map(|a| (a.min, a.max)), Some((Some(25), Some(34))));
    // Fields between slashes are separate: a range before "/ 6 wks" or after "jul /" is an age.
    assert_eq!(ages("reach / ES / €15k / 18-44 / 6 wks"), (Some(18), Some(44)));
    assert_eq!(ages("NO / kr 250k / leads / jul / 25-54"), (Some(25), Some(54)));
    assert_eq!(ages("diy crowd / NZ / apr / 35+"), (Some(35), None));
    // A sentence that ends after the range is no decimal point.
    assert_eq!(ages("fans in the US, 18-29. $700."), (Some(18), Some(29)));
    assert_eq!(ages("travelers aged 30-60. $6,000 USD"), (Some(30), Some(60)));
    assert_eq!(ages("dancers, ages 16 to 24. $2,000"), (Some(18), Some(24)));
    assert_eq!(aud("budget 18.5k").ages, None);
}

#[test]
fn misspelt_and_unknown_places_in_list_positions() {
    assert_eq!(countries("Itlay 25-34 €7k 30d"), vec!["IT"]);
    assert_eq!(countries("Germny, 25-34 F, 8k eur"), vec!["DE"]);
    assert_eq!(countries("Spian and Germany"), vec!["ES", "DE"]);
    assert_eq!(aud("Westeros, 18-34, $5k").unknown_places, vec!["Westeros"]);
    let f = aud("Austria and Mordor, 30-49");
    assert_eq!(
        (f.unknown_places, countries("Austria and Mordor, 30-49")),
        (vec!["Mordor".to_string()], vec!["AT".to_string()])
    );
    // Ordinary capitalised words are no place.
    assert!(aud("Thanks, Monday works. Spotify rocks").unknown_places.is_empty());
    assert!(aud("Nike ads for runners in Germany").unknown_places.is_empty());
}

#[test]
fn places_play_roles() {
    assert_eq!(countries("Irish business owners 35+"), vec!["IE"]);
    assert_eq!(
        countries("we're a surf school in Biarritz looking for customers from Spain and the UK"),
        vec!["ES", "GB"]
    );
    let f = aud("Italian deli in Boston, locals only");
    assert_eq!(f.locations.add.len(), 1);
    assert_eq!(f.locations.add[0].city.as_deref(), Some("Boston"));
    assert_eq!(countries("a bakery in Lyon, awareness"), vec!["FR"], "the only place named is the target");
    assert_eq!(countries("grow our show: UK business podcast listeners"), vec!["GB"]);
}

#[test]
fn an_excluded_city_is_kept_apart() {
    let f = aud("France but not Paris");
    assert_eq!(countries("France but not Paris"), vec!["FR"]);
    assert_eq!(f.locations.remove[0].city.as_deref(), Some("Paris"));
    assert_eq!(f.excluded_areas[0].1, "Paris");
}

#[test]
fn moments_and_topics_in_more_words() {
    assert_eq!(aud("find people while they cook supper").contexts.add, vec!["cooking"]);
    assert_eq!(aud("reach people in the kitchen while they're making dinner").contexts.add, vec!["cooking"]);
    let f = aud("gaming podcast fans in Ireland");
    assert_eq!((f.podcast_topics.add, f.interests.add, f.podcast), (vec!["video-gaming".to_string()], vec![], true));
    let f = aud("personal finance podcast fans in Canada");
    assert_eq!((f.podcast_topics.add, f.interests.is_empty()), (vec!["personal-finance".to_string()], true));
    let f = aud("remove sleep");
    assert_eq!(f.contexts.remove, vec!["sleep"]);
}

#[test]
fn spans_cover_what_was_read() {
    let t = Text::new("W25-34 hip-hop fans in Germany");
    let f = extract(&t, today());
    let covered = |w: &str| {
        let i = t.norm.find(w).unwrap_or(usize::MAX);
        f.spans.iter().any(|&(a, b)| a <= i && i + w.len() <= b)
    };
    for w in ["w25", "34", "hip-hop", "germany"] {
        assert!(covered(w), "{w}: {:?}", f.spans);
    }
}

#[test]
fn addresses_and_header_lines_name_no_audience() {
    let f = aud("From: Emre <emre@anatolia-telecom.de>\nSubject: Q3\n\nHi, reach in Germany please");
    assert_eq!(f.locations.add, vec![Location::country("DE")]);
    let f = aud("From: Erik Lund <erik@fjordhem.se>\nUK and Ireland, 25-44");
    assert_eq!(countries("From: Erik Lund <erik@fjordhem.se>\nUK and Ireland, 25-44"), vec!["GB", "IE"]);
    assert!(f.unknown_places.is_empty());
    // A reply subject names the thread; the edit comes after the dash.
    assert!(aud("Re: Trailer Germany — make it 5 weeks").locations.is_empty());
    assert_eq!(countries("Re: Spain push - add Portugal"), vec!["PT"]);
}

#[test]
fn everyone_and_mobile() {
    for m in ["guys and girls 18-30", "men and women in Spain", "Women and men, 25+"] {
        let f = aud(m);
        assert!(f.genders.clear && f.genders.add.is_empty(), "{m}");
    }
    for m in ["mobile only please", "only mobile", "reach smartphone users in Spain"] {
        assert_eq!(aud(m).platforms.add, vec![Platform::Ios, Platform::Android], "{m}");
    }
    assert!(aud("Mobile 0412 555 019").platforms.is_empty());
}

#[test]
fn more_audience_words() {
    assert_eq!(aud("footie fans in the UK").interests.add, vec!["sports"]);
    assert_eq!(aud("beer lovers in Bavaria").interests.add, vec!["food_drink"]);
    assert_eq!(aud("finance + business ppl").interests.add, vec!["finance", "business"]);
    assert_eq!(aud("people cooking dinner").contexts.add, vec!["cooking"]);
    assert_eq!(aud("people who run").interests.add, vec!["fitness"]);
    assert_eq!(aud("health-conscious folks").interests.add, vec!["health"]);
    assert_eq!(aud("people into cooking").interests.add, vec!["cooking"]);
    assert_eq!(aud("gym-goers").interests.add, vec!["fitness"]);
}

#[test]
fn the_advertisers_place_gives_way_to_the_audiences() {
    assert_eq!(countries("my bakery is in Toulouse and I want more people in Paris to order"), vec!["FR"]);
    let f = aud("my bakery is in Toulouse and I want more people in Paris to order");
    assert_eq!(f.locations.add[0].city.as_deref(), Some("Paris"));
    assert_eq!(countries("Yoga retreat business in Bali, Indonesia: sign-ups from people in Australia"), vec!["AU"]);
    assert_eq!(countries("Hello from Toronto! I'm an app developer, installs in the US"), vec!["US"]);
    assert_eq!(countries("I'm a Swedish indie game developer. I want players in the US and UK"), vec!["US", "GB"]);
    // With no audience place, the advertiser's place is the target.
    assert_eq!(countries("Hi I'm a florist in Edinburgh and want more online orders"), vec!["GB"]);
    assert_eq!(countries("we sell to our UK customers and Irish ones"), vec!["GB", "IE"]);
    assert_eq!(countries("promote our Asia cruises to retirees in Germany"), vec!["DE"]);
    // "we want … in X" is the audience's.
    assert_eq!(countries("We want more customers in Spain"), vec!["ES"]);
}

#[test]
fn the_advertisers_line_of_business_is_no_interest() {
    for m in [
        "hi im a fitness coach, installs in Brazil",
        "online fashion retailer, W18-34 France",
        "a cooking show trailer",
    ] {
        assert!(aud(m).interests.is_empty(), "{m}");
    }
    assert!(aud("I'm a Swedish indie game developer").genres.is_empty());
    assert_eq!(aud("fitness fans in Brazil").interests.add, vec!["fitness"]);
    assert_eq!(aud("indie and rock fans").genres.add, vec!["indie", "rock"]);
}

#[test]
fn signatures_and_references_name_no_place() {
    let m = "Reach people while they're working out, 18-40, US.\n\nThanks,\nJordan\nSent from my iPhone";
    assert_eq!(countries(m), vec!["US"]);
    assert!(aud(m).platforms.is_empty());
    assert_eq!(countries("video views in Germany. The deal memo is DM-2027-014."), vec!["DE"]);
    assert_eq!(countries("BF push / US / $200k"), vec!["US"]);
}

#[test]
fn a_platform_filter_can_be_lifted() {
    for m in ["drop the platform filter", "any platform is fine", "all platforms"] {
        assert!(aud(m).platforms.clear, "{m}");
    }
}
