//! Unit tests of money in more forms, shorthand separators, follow-up factors and spans.

use super::*;
use crate::understand::Text;

fn extract(text: &str) -> BudgetFinding {
    super::extract(&Text::new(text))
}

fn money(text: &str) -> (Option<f64>, CurrencyHint) {
    let f = extract(text);
    (f.amount, f.currency)
}

fn code(c: &str) -> CurrencyHint {
    CurrencyHint::Code(c.to_string())
}

#[test]
fn money_in_regional_forms() {
    assert_eq!(money("R 75 000 for Joburg and Cape Town"), (Some(75_000.0), code("ZAR")));
    assert_eq!(money("spend R 1 200 000 over Q3"), (Some(1_200_000.0), code("ZAR")));
    assert_eq!(money("CHF 12'000, Zurich"), (Some(12_000.0), code("CHF")));
    assert_eq!(money("₹5 lakh for Mumbai"), (Some(500_000.0), code("INR")));
    assert_eq!(money("about 2.5 crore rupees"), (Some(25_000_000.0), code("INR")));
    assert_eq!(money("1,5 Mio. € Gesamtbudget"), (Some(1_500_000.0), code("EUR")));
    assert_eq!(money("Budget 2 Mrd. ₩ in Seoul"), (Some(2e9), code("KRW")));
    assert_eq!(money("€3,5k please"), (Some(3_500.0), code("EUR")));
    assert_eq!(money("12k EUR total"), (Some(12_000.0), code("EUR")));
    assert_eq!(money("Warsaw, 40 000 zł"), (Some(40_000.0), code("PLN")));
    assert_eq!(money("¥3,000,000 in Osaka"), (Some(3_000_000.0), code("JPY")));
    // A lower-case "r" before a number is no rand.
    assert_ne!(money("r 500 left").1, code("ZAR"));
}

#[test]
fn spaced_slashes_and_pipes_separate_fields_not_rates() {
    assert_eq!(money("W18-34 / AT / €22k / Q3 / leads"), (Some(22_000.0), code("EUR")));
    assert_eq!(money("M25+ | IE | €9k | reach"), (Some(9_000.0), code("EUR")));
    assert_eq!(money("clicks / BE / 15k€ / no audio"), (Some(15_000.0), code("EUR")));
    assert_eq!(money("SE / kr 300k / awareness"), (Some(300_000.0), CurrencyHint::Kronor));
    assert_eq!(money("NZ / $18k / under 25s"), (Some(18_000.0), CurrencyHint::Dollar));
    // Glued slashes and time words after a slash are still rates; other words after a glued
    // slash are still prices.
    let f = extract("€600 / day");
    assert!(f.daily && f.amount == Some(600.0), "{f:?}");
    let f = extract("8k/month");
    assert!(f.daily, "{f:?}");
    assert_eq!(extract("$3/click is our target, budget 6k").amount, Some(6_000.0));
}

#[test]
fn follow_up_factors() {
    assert_eq!(extract("half the budget").scale, Some(0.5));
    assert_eq!(extract("ok, half of our spend then").scale, Some(0.5));
    assert_eq!(extract("halve it").scale, Some(0.5));
    assert_eq!(extract("triple the budget").scale, Some(3.0));
    assert_eq!(extract("budget up 15%").scale, Some(1.15));
    assert_eq!(extract("spend down 20% please").scale, Some(0.8));
    assert_eq!(extract("half the audience is in Lyon").scale, None);
    assert_eq!(extract("up 10% on last year's reach").scale, None);
}

#[test]
fn spans_cover_the_amount_its_currency_and_cue_words() {
    let t = Text::new("Hi! budget of about €5k for Germany, thanks");
    let f = super::extract(&t);
    let read: Vec<&str> = f.spans.iter().map(|&(s, e)| &t.norm[s..e]).collect();
    assert_eq!(read, vec!["budget of about €5k"]);
    let t = Text::new("no more than $8,000 a day in Ohio");
    let read: Vec<String> = super::extract(&t).spans.iter().map(|&(s, e)| t.norm[s..e].to_string()).collect();
    assert_eq!(read, vec!["no more than $8,000 a day".to_string()]);
    let t = Text::new("double the budget");
    assert_eq!(super::extract(&t).spans.len(), 1);
    // A price is not read as the budget.
    let t = Text::new("CPM of $5 is fine");
    assert!(super::extract(&t).spans.is_empty());
}

#[test]
fn kronor_are_the_nordic_currencies_of_the_table() {
    assert!(is_kronor("SEK") && is_kronor("NOK") && is_kronor("DKK"));
    assert!(!is_kronor("ISK") && !is_kronor("EUR"));
}
