//! Unit tests of the budget specialist: amounts, currencies, ranges, rates and cues.

use super::*;
use crate::understand::Text;

fn extract(text: &str) -> BudgetFinding {
    super::extract(&Text::new(text))
}
fn code(c: &str) -> CurrencyHint {
    CurrencyHint::Code(c.to_string())
}

/// Amount and currency of a message.
fn am(text: &str) -> (Option<f64>, CurrencyHint) {
    let f = extract(text);
    (f.amount, f.currency)
}

fn amount(text: &str) -> Option<f64> {
    extract(text).amount
}

fn no_money(texts: &[&str]) {
    for t in texts {
        let f = extract(t);
        assert_eq!(f.amount, None, "{t:?} gave {f:?}");
        assert_eq!(f.scale, None, "{t:?} gave {f:?}");
        assert_eq!(f.delta, None, "{t:?} gave {f:?}");
    }
}

#[test]
fn dollar_sign_with_separators() {
    assert_eq!(am("$5,000"), (Some(5000.0), CurrencyHint::Dollar));
    assert_eq!(am("$ 5 000"), (Some(5000.0), CurrencyHint::Dollar));
}

#[test]
fn k_suffix_without_currency() {
    assert_eq!(am("5k"), (Some(5000.0), CurrencyHint::None));
    assert_eq!(am("5K"), (Some(5000.0), CurrencyHint::None));
    assert_eq!(am("30k, DACH"), (Some(30000.0), CurrencyHint::None));
    assert_eq!(amount("50k for awareness"), Some(50000.0));
}

#[test]
fn euro_prefix_and_suffix() {
    assert_eq!(am("€10,000"), (Some(10000.0), code("EUR")));
    assert_eq!(am("10.000 € Budget"), (Some(10000.0), code("EUR")));
    assert_eq!(am("20€"), (Some(20.0), code("EUR")));
    assert_eq!(am("20 €ur"), (Some(20.0), code("EUR")));
}

#[test]
fn iso_codes_before_and_after() {
    assert_eq!(am("EUR 7,500"), (Some(7500.0), code("EUR")));
    assert_eq!(am("JPY 3,000,000"), (Some(3e6), code("JPY")));
    assert_eq!(am("MXN 150,000"), (Some(150000.0), code("MXN")));
    assert_eq!(am("SEK 50,000"), (Some(50000.0), code("SEK")));
    assert_eq!(am("8k EUR"), (Some(8000.0), code("EUR")));
    assert_eq!(am("USD3.25"), (Some(3.25), code("USD")));
    assert_eq!(am("$5,000 USD"), (Some(5000.0), code("USD")));
}

#[test]
fn prefixed_dollar_symbols() {
    assert_eq!(am("A$8,000"), (Some(8000.0), code("AUD")));
    assert_eq!(am("R$ 20.000"), (Some(20000.0), code("BRL")));
    assert_eq!(am("C$12k"), (Some(12000.0), code("CAD")));
    assert_eq!(am("US$4.7 billion"), (Some(4.7e9), code("USD")));
    assert_eq!(am("3.25US$"), (Some(3.25), code("USD")));
}

#[test]
fn pound_with_decimal_k() {
    assert_eq!(am("£2.5k"), (Some(2500.0), code("GBP")));
}

#[test]
fn grand_multiplies_by_thousand() {
    let f = extract("around fifteen grand");
    assert_eq!((f.amount, f.approximate), (Some(15000.0), true));
    assert_eq!(am("about 3 grand AUD"), (Some(3000.0), code("AUD")));
    assert_eq!(amount("a grand"), Some(1000.0));
    assert_eq!(amount("a couple grand"), Some(2000.0));
}

#[test]
fn millions_in_words_and_suffixes() {
    assert_eq!(am("1.2 million dollars"), (Some(1.2e6), CurrencyHint::Dollar));
    assert_eq!(am("$1.2M"), (Some(1.2e6), CurrencyHint::Dollar));
    assert_eq!(am("1.5 mil budget"), (Some(1.5e6), CurrencyHint::None));
    assert_eq!(am("half a million dollars"), (Some(5e5), CurrencyHint::Dollar));
    assert_eq!(am("€2,5 Mio"), (Some(2.5e6), code("EUR")));
    // The Nordic and European abbreviations, with a decimal comma or point, before or after
    // the currency.
    assert_eq!(am("1,5 mill NOK"), (Some(1.5e6), code("NOK")));
    assert_eq!(am("NOK 2 mill for the spring"), (Some(2e6), code("NOK")));
    assert_eq!(am("€1.2 mln in total"), (Some(1.2e6), code("EUR")));
    assert_eq!(am("3mln SEK"), (Some(3e6), code("SEK")));
    assert_eq!(am("budget 4 mn EUR"), (Some(4e6), code("EUR")));
}

#[test]
fn glued_m_alone_is_not_money() {
    // "18-34M" (men) and "1.5m listeners" must not become budgets
    assert_eq!(amount("18-34M, awareness"), None);
    assert_eq!(amount("1.5m listeners"), None);
    assert_eq!(amount("$1.5m"), Some(1.5e6));
}

#[test]
fn kronor_with_space_thousands() {
    assert_eq!(am("75 000 kr"), (Some(75000.0), CurrencyHint::Kronor));
    assert_eq!(am("we have 60 000 kr to spend"), (Some(60000.0), CurrencyHint::Kronor));
    assert_eq!(am("500 kroner"), (Some(500.0), CurrencyHint::Kronor));
}

#[test]
fn currency_words() {
    assert_eq!(am("5000 bucks"), (Some(5000.0), CurrencyHint::Dollar));
    assert_eq!(am("800 quid"), (Some(800.0), code("GBP")));
    assert_eq!(am("five thousand euros"), (Some(5000.0), code("EUR")));
    assert_eq!(am("6000 dollars"), (Some(6000.0), CurrencyHint::Dollar));
    assert_eq!(am("20000 pesos"), (Some(20000.0), CurrencyHint::Peso));
    assert_eq!(am("3 yen"), (Some(3.0), code("JPY")));
    assert_eq!(am("100 reais"), (Some(100.0), code("BRL")));
}

#[test]
fn multi_word_currency_names() {
    assert_eq!(am("5000 canadian dollars"), (Some(5000.0), code("CAD")));
    assert_eq!(am("50,000 swedish kronor"), (Some(50000.0), code("SEK")));
    assert_eq!(am("malaysian ringgits 42"), (Some(42.0), code("MYR")));
}

#[test]
fn bare_number_after_budget_cue() {
    assert_eq!(amount("budget 20k"), Some(20000.0));
    assert_eq!(amount("budget 6000"), Some(6000.0));
    assert_eq!(amount("budget: 2000"), Some(2000.0));
    assert_eq!(amount("budget of 1,000,000"), Some(1e6));
    assert_eq!(amount("we have 6000 to spend"), Some(6000.0));
    assert_eq!(amount("I can do 6000"), Some(6000.0));
    assert_eq!(amount("budget is 5.000"), Some(5000.0));
}

#[test]
fn bare_number_cue_limits() {
    assert_eq!(amount("budget: 30"), None); // below 50: not a budget
    assert_eq!(amount("we have 200 stores in Germany"), None);
    assert_eq!(amount("budget for 2026 is 5000"), None);
    assert_eq!(amount("spend 3 weeks"), None);
    assert_eq!(amount("Pay ABC 2000"), None);
}

#[test]
fn daily_after_amount() {
    let f = extract("2,000 a day");
    assert_eq!((f.amount, f.daily), (Some(2000.0), true));
    let f = extract("€300 a day");
    assert_eq!((f.amount, f.daily, f.currency), (Some(300.0), true, code("EUR")));
    assert!(extract("$50/day").daily);
    assert!(extract("$50 per day").daily);
    assert!(extract("500 CAD daily").daily);
}

#[test]
fn daily_before_amount() {
    let f = extract("Daily budget 500 CAD");
    assert_eq!((f.amount, f.daily, f.currency), (Some(500.0), true, code("CAD")));
    let f = extract("make it a daily budget of $700 instead");
    assert_eq!((f.amount, f.daily), (Some(700.0), true));
}

#[test]
fn lifetime_by_default() {
    let f = extract("£4k a fortnight");
    assert_eq!((f.amount, f.daily), (Some(4000.0), false));
    assert!(!extract("€6,000 budget over 30 days").daily);
}

#[test]
fn weekly_and_monthly_rates_become_daily() {
    let f = extract("$700 per week");
    assert_eq!((f.amount, f.daily, f.approximate), (Some(100.0), true, false));
    let f = extract("€3,000 per month");
    assert_eq!((f.amount, f.daily, f.approximate), (Some(100.0), true, true));
}

#[test]
fn ranges_take_upper_and_lower() {
    let f = extract("10-15k USD");
    assert_eq!((f.amount, f.min, f.currency), (Some(15000.0), Some(10000.0), code("USD")));
    let f = extract("between 7 and 9 thousand euros");
    assert_eq!((f.amount, f.min), (Some(9000.0), Some(7000.0)));
    let f = extract("$10-$20");
    assert_eq!((f.amount, f.min), (Some(20.0), Some(10.0)));
    let f = extract("£5k–£8k");
    assert_eq!((f.amount, f.min), (Some(8000.0), Some(5000.0)));
    let f = extract("from 10 dollars to 20 dollars");
    assert_eq!((f.amount, f.min), (Some(20.0), Some(10.0)));
    let f = extract("$500-2k");
    assert_eq!((f.amount, f.min), (Some(2000.0), Some(500.0)));
}

#[test]
fn upper_bounds_give_amount_without_min() {
    for t in ["up to 5k", "max 5k", "no more than 5k", "budget up to 5k", "$5k max"] {
        let f = extract(t);
        assert_eq!((f.amount, f.min), (Some(5000.0), None), "{t}");
    }
    assert_eq!(amount("max 3k GBP"), Some(3000.0));
    assert_eq!(amount("under seven euros"), Some(7.0));
}

#[test]
fn lower_bounds_give_the_floor() {
    for t in ["at least $5k", "$5k+", "more than $5k", "$5k or more"] {
        let f = extract(t);
        assert_eq!((f.amount, f.min), (Some(5000.0), None), "{t}");
    }
}

#[test]
fn up_to_after_a_change_verb_is_not_a_bound() {
    let f = extract("bump it up to 10k");
    assert_eq!((f.amount, f.min), (Some(10000.0), None));
}

#[test]
fn approximate_markers() {
    for t in ["around 5k", "about $5k", "roughly $4,000", "~5k", "5k-ish", "$5k or so", "with like 50 quid"] {
        assert!(extract(t).approximate, "{t}");
    }
    for t in ["$5k", "what about 7500?", "I'd like 5k"] {
        assert!(!extract(t).approximate, "{t}");
    }
}

#[test]
fn followup_new_amounts() {
    assert_eq!(amount("bump it to 10k"), Some(10000.0));
    assert_eq!(amount("bump it to 8k 🙏"), Some(8000.0));
    assert_eq!(amount("and make it 6k"), Some(6000.0));
    assert_eq!(amount("make it 14k and push it to 8 weeks"), Some(14000.0));
    assert_eq!(amount("budget SEK 80,000"), Some(80000.0));
    assert_eq!(amount("what about 7500?"), Some(7500.0));
    let f = extract("make it 300 a day instead");
    assert_eq!((f.amount, f.daily), (Some(300.0), true));
}

#[test]
fn change_from_to_takes_the_new_value() {
    let f = extract("increase it from 8k to 10k");
    assert_eq!((f.amount, f.min), (Some(10000.0), None));
    let f = extract("from €5k to €8k");
    assert_eq!((f.amount, f.min), (Some(8000.0), Some(5000.0)));
}

#[test]
fn scale_halving() {
    assert_eq!(extract("cut the budget in half").scale, Some(0.5));
    assert_eq!(extract("hmm the client balked at cost — cut the budget in half").scale, Some(0.5));
    assert_eq!(extract("halve it").scale, Some(0.5));
    assert_eq!(extract("reduce the budget by half").scale, Some(0.5));
}

#[test]
fn scale_doubling() {
    assert_eq!(extract("double the budget").scale, Some(2.0));
    assert_eq!(extract("double it").scale, Some(2.0));
    assert_eq!(extract("triple the spend").scale, Some(3.0));
}

#[test]
fn scale_percentages() {
    let close = |t: &str, want: f64| {
        let s = extract(t).scale.unwrap_or(f64::NAN);
        assert!((s - want).abs() < 1e-9, "{t}: {s}");
    };
    close("+20% budget", 1.2);
    close("20% more budget", 1.2);
    close("increase the budget by 20%", 1.2);
    close("add 20% to the budget", 1.2);
    close("10% less", 0.9);
    close("reduce it by 10 percent", 0.9);
    close("budget -15%", 0.85);
}

#[test]
fn scale_needs_a_budget_object() {
    no_money(&[
        "double the flight",
        "cut the flight in half",
        "increase reach by 20%",
        "20% more reach",
        "no more than 15% on video",
        "cap video at 25%",
    ]);
}
