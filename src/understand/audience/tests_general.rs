//! Classes of phrasing found with a fresh labelled set (`tests/eval/briefs_own_c.jsonl`): each
//! test holds several phrasings of our own, none taken from an evaluation set.

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, 20).unwrap()
}

fn aud(s: &str) -> AudienceFinding {
    extract(&Text::new(s), today())
}

fn countries(s: &str) -> Vec<String> {
    aud(s).locations.add.iter().map(|l| l.country.clone()).collect()
}

fn cities(s: &str) -> Vec<String> {
    aud(s).locations.add.iter().filter_map(|l| l.city.clone()).collect()
}

#[test]
fn a_product_between_a_nationality_and_the_organisation_describes_the_advertiser() {
    assert_eq!(countries("a Scottish gin brand wants listeners in Canada"), vec!["CA"]);
    assert_eq!(countries("(a Danish furniture company) - audience: Spain and Italy"), vec!["ES", "IT"]);
    assert_eq!(countries("Belgian chocolate maker brand, targeting France"), vec!["FR"]);
    // No organisation noun: the nationality is the audience.
    assert_eq!(countries("Irish whiskey drinkers, 25-54"), vec!["IE"]);
    assert_eq!(countries("French football fans, brand awareness"), vec!["FR"]);
}

#[test]
fn a_product_before_the_organisation_is_no_interest() {
    assert!(aud("for a gaming chair company, UK 18-34").interests.add.is_empty());
    assert!(aud("our fitness tracker brand wants US listeners").interests.add.is_empty());
    assert_eq!(aud("gaming fans in the UK for our brand").interests.add, vec!["gaming"]);
}

#[test]
fn mums_and_dads_are_parents_of_one_gender() {
    let f = aud("working mums in Leeds");
    assert_eq!((f.genders.add.clone(), f.interests.add.clone()), (vec![Gender::Female], vec!["parenting".to_string()]));
    let f = aud("new dads, 28-40, Canada");
    assert_eq!((f.genders.add.clone(), f.interests.add.clone()), (vec![Gender::Male], vec!["parenting".to_string()]));
    let f = aud("moms and dads of toddlers");
    assert!(f.genders.add.is_empty());
    assert_eq!(f.interests.add, vec!["parenting"]);
}

#[test]
fn city_demonyms_are_the_city() {
    assert_eq!(cities("get Parisians to try it"), vec!["Paris"]);
    assert_eq!(cities("New Yorkers and Angelenos 25-40"), vec!["New York", "Los Angeles"]);
    assert_eq!(countries("reach Sydneysiders"), vec!["AU"]);
}

#[test]
fn singular_generations_and_spectator_sports() {
    let f = aud("Millennial homeowners in Germany");
    assert_eq!(f.ages.map(|a| (a.min, a.max)), Some((Some(31), Some(46))));
    let f = aud("boomer golfers");
    assert_eq!(f.ages.map(|a| (a.min, a.max)), Some((Some(63), Some(81))));
    assert_eq!(aud("rugby fans in NZ").interests.add, vec!["sports"]);
    assert_eq!(aud("NBA fans, 18-34").interests.add, vec!["sports"]);
}

#[test]
fn an_event_is_where_the_product_is_not_the_audience() {
    assert_eq!(cities("tickets for a festival in Lisbon: fans in Spain and France"), Vec::<String>::new());
    assert_eq!(countries("tickets for a festival in Lisbon: fans in Spain and France"), vec!["ES", "FR"]);
    // With no audience place, the event's city is the target.
    assert_eq!(cities("promote our food festival in Lyon"), vec!["Lyon"]);
}

fn regions(s: &str) -> Vec<String> {
    aud(s).locations.add.iter().filter_map(|l| l.region.clone()).collect()
}

#[test]
fn region_codes_and_shared_names_count_inside_a_list_of_regions() {
    assert_eq!(regions("M25-54 / OH + IN + MI / $30k"), vec!["US-OH", "US-IN", "US-MI"]);
    assert_eq!(regions("reach in WA, OR and CA"), vec!["US-WA", "US-OR", "US-CA"]);
    assert_eq!(regions("BC/AB/ON, 18-34"), vec!["CA-BC", "CA-AB", "CA-ON"]);
    assert_eq!(regions("Alabama, Georgia and Tennessee"), vec!["US-AL", "US-GA", "US-TN"]);
    // Codes that are countries too, with no state-only member: still the countries.
    assert_eq!(countries("DE+AT, 25-44"), vec!["DE", "AT"]);
    assert_eq!(countries("CA / $30k / awareness"), vec!["CA"]);
    assert_eq!(countries("Georgia and Armenia"), vec!["GE", "AM"]);
    // A lone code is no state.
    assert!(regions("OK, let's go with 30k for FL").is_empty());
}
