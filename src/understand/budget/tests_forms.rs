//! Unit tests of the budget specialist: more money forms, changes and odd input.

use super::*;
use crate::understand::Text;

fn extract(text: &str) -> BudgetFinding {
    super::extract(&Text::new(text))
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
fn deltas() {
    assert_eq!(extract("another 5k").delta, Some(5000.0));
    assert_eq!(extract("add 5k to the budget").delta, Some(5000.0));
    assert_eq!(extract("increase the budget by $2k").delta, Some(2000.0));
    assert_eq!(extract("cut it by 2k").delta, Some(-2000.0));
    assert_eq!(extract("2k less").delta, Some(-2000.0));
    assert_eq!(extract("another 5k").amount, None);
}

#[test]
fn ages_are_not_money() {
    no_money(&[
        "18-24",
        "25-44",
        "aged 25 to 40",
        "35+",
        "over 35",
        "in their 40s",
        "16 and 17 year olds",
        "make it 25-44",
        "make it 35+ only",
        "18+",
        "18-34 F",
        "18-34 m, awareness",
        "not going below 25",
        "under 30s",
    ]);
}

#[test]
fn durations_and_dates_are_not_money() {
    no_money(&[
        "30 days",
        "4 weeks",
        "3 months",
        "2 weeks from Sept 15",
        "March 1",
        "Nov 2, 2026",
        "Q2",
        "2026",
        "6 weeks",
        "1 week",
        "one-day",
        "4 wks",
        "around 30 days",
        "make it 2027",
        "move it to 2027",
        "from Thursday for 11 days",
        "flight 21 March 2027 to 5 March 2027",
    ]);
}

#[test]
fn misc_non_money() {
    no_money(&[
        "iOS 17",
        "Gen Z",
        "$ sign in the middle of nothing",
        "24/7",
        "K-pop",
        "K-pop fans",
        "3 30",
        "25",
        "at 650-650-6500",
        "at 650.650.6500",
        "exactly dollars",
        "grand",
        "reach 100k listeners",
        "5k impressions",
        "sponsor our 5k run",
        "4k video ads",
        "top 10 markets",
        "3:30",
        "the 15th",
        "mp3 ads",
        "5G phones",
    ]);
}

#[test]
fn percentages_are_not_money() {
    no_money(&["no more than 15% on video", "cap video at 25%", "20 percent", "20 per cent"]);
}

#[test]
fn two_different_budgets_conflict() {
    let f = extract("Objective: awareness. Budget €10k, Germany, 25-44, 4 weeks. budget €12k");
    assert_eq!((f.amount, f.conflicting), (Some(10000.0), true));
}

#[test]
fn same_amount_twice_range_daily_total_and_conversions_do_not_conflict() {
    for t in
        ["Budget €10k, Germany, budget €10k", "budget 10-15k", "€300 a day, €9k total", "budget €10k (roughly $11k)"]
    {
        assert!(!extract(t).conflicting, "{t}");
    }
}

#[test]
fn metrics_and_prices_are_ignored() {
    assert_eq!(amount("$5 CPM, budget $20k"), Some(20000.0));
    assert_eq!(amount("target CPA of $20 with a $10k budget"), Some(10000.0));
    assert_eq!(amount("we pay $2 per click"), None);
    assert_eq!(amount("we did $1M in revenue"), None);
    assert!(!extract("we spent $50k last year, this time €20k").conflicting);
}

#[test]
fn superseded_values_are_ignored() {
    let f = extract("instead of 8k, make it 10k");
    assert_eq!((f.amount, f.conflicting), (Some(10000.0), false));
    assert_eq!(amount("not 10k but 12k"), Some(12000.0));
    assert_eq!(amount("how about 15k instead of 10k?"), Some(15000.0));
}

#[test]
fn minor_units_join_the_amount() {
    assert_eq!(amount("$20 and 43c"), Some(20.43));
    assert_eq!(amount("20 dollars 43 cents"), Some(20.43));
    assert_eq!(amount("US$3 and twenty-five"), Some(3.25));
    assert_eq!(amount("3 GBP 1 pence"), Some(3.01));
    assert_eq!(amount("$100 30 days"), Some(100.0));
    assert_eq!(amount("€300 5 weeks"), Some(300.0));
}

#[test]
fn coins_only_as_a_last_resort() {
    assert_eq!(am("a dime"), (Some(0.1), CurrencyHint::Dollar));
    assert_eq!(amount("ten dimes"), Some(1.0));
    assert_eq!(amount("we won't spend a dime on video"), None);
    assert_eq!(amount("not a dime on video, $5k on audio"), Some(5000.0));
}

#[test]
fn eval_style_sentences() {
    assert_eq!(amount("my budget is around £2.5k for a month. thank you!!"), Some(2500.0));
    assert_eq!(amount("video views, 18-34, US + Mexico, $25k, 2 weeks from Sept 15"), Some(25000.0));
    assert_eq!(amount("women 25-44 $30k"), Some(30000.0));
    assert_eq!(amount("€5k — 25-44, Germany"), Some(5000.0));
    assert_eq!(amount("- goal: app installs\n- market: Ireland\n- budget: £20k\n- flight: 6 weeks"), Some(20000.0));
}

#[test]
fn never_panics_on_odd_input() {
    let nasty =
        "é–—🎉İ$€£¥₹¢ 5k 1e400 $-5 ..5 5.. ,5 5,,5 '5 5' 9999999999999999999999999999k \u{a0}1\u{202f}000 ẞ ﬀ \u{0}";
    let mut cuts = vec![String::new()];
    for (i, _) in nasty.char_indices() {
        cuts.push(nasty[..i].to_string());
        cuts.push(nasty[i..].to_string());
    }
    for t in cuts
        .iter()
        .map(String::as_str)
        .chain(["$", "€", "k", "-", "between", "from", "a", "half", "point", "minus", "per", "by", "+", "%"])
    {
        let _ = extract(t);
    }
    let big = "budget €10k, 25-44, 18-24 year olds, 🎉 ".repeat(2600); // ~100 kB
    let f = extract(&big);
    assert_eq!(f.amount, Some(10000.0));
}

#[test]
fn random_inputs_never_panic() {
    const PIECES: &[&str] = &[
        "$",
        "€",
        "£",
        "kr",
        "r$",
        "us$",
        "5",
        "10",
        ",",
        ".",
        "000",
        "k",
        "m",
        "grand",
        "a",
        "half",
        "million",
        "between",
        "and",
        "to",
        "-",
        "–",
        "—",
        "%",
        "+",
        "/",
        ":",
        "per",
        "day",
        "budget",
        "make it",
        "up to",
        "by",
        "in half",
        "double",
        "halve",
        "cents",
        "dime",
        "é",
        "🎉",
        "İ",
        "\n",
        " ",
        " ",
        "ẞ",
        "9999999999999999999999",
        "point",
        "of",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..20_000 {
        let mut text = String::new();
        for _ in 0..(seed % 12) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(PIECES[(seed % PIECES.len() as u64) as usize]);
        }
        let f = extract(&text);
        let b = apply(None, &f, &["USD"], None);
        assert!(b.is_none_or(|b| b.amount.is_finite() && b.amount > 0.0), "{text:?}");
    }
}

#[test]
fn long_input_is_linear() {
    let words = "one ".repeat(25_000) + &"9,".repeat(10_000) + &"a ".repeat(10_000);
    let start = std::time::Instant::now();
    let _ = extract(&words);
    assert!(start.elapsed().as_secs_f64() < 2.0);
}

fn budget(amount: f64, currency: &str) -> Budget {
    Budget { amount, currency: currency.to_string(), kind: BudgetType::Lifetime, min: None, approximate: false }
}

fn apply_text(prev: Option<&Budget>, text: &str, targets: &[&str], nordic: Option<&str>) -> Option<Budget> {
    apply(prev, &extract(text), targets, nordic)
}

#[test]
fn apply_explicit_currency_wins() {
    let b = apply_text(None, "€5k", &["USD"], None);
    assert_eq!(b.map(|b| b.currency), Some("EUR".to_string()));
}

#[test]
fn apply_dollar_follows_first_target() {
    let cur = |targets: &[&str]| apply_text(None, "$5k", targets, None).map(|b| b.currency);
    assert_eq!(cur(&["CAD"]).as_deref(), Some("CAD"));
    assert_eq!(cur(&["AUD"]).as_deref(), Some("AUD"));
    assert_eq!(cur(&["MXN"]).as_deref(), Some("MXN"));
    assert_eq!(cur(&["USD", "CAD"]).as_deref(), Some("USD"));
    assert_eq!(cur(&["EUR", "CAD"]).as_deref(), Some("USD"));
    assert_eq!(cur(&[]).as_deref(), Some("USD"));
}

#[test]
fn apply_kronor_follows_nordic_first() {
    let cur = |nordic| apply_text(None, "75 000 kr", &["EUR", "NOK"], nordic).map(|b| b.currency);
    assert_eq!(cur(Some("NOK")).as_deref(), Some("NOK"));
    assert_eq!(cur(None).as_deref(), Some("SEK"));
}

#[test]
fn apply_peso_follows_target() {
    let b = apply_text(None, "20000 pesos", &["ARS"], None);
    assert_eq!(b.map(|b| b.currency).as_deref(), Some("ARS"));
    let b = apply_text(None, "20000 pesos", &["EUR"], None);
    assert_eq!(b.map(|b| b.currency).as_deref(), Some("MXN"));
}

#[test]
fn apply_no_currency_uses_first_target_or_usd() {
    let cur = |t: &[&str]| apply_text(None, "30k", t, None).map(|b| b.currency);
    assert_eq!(cur(&["EUR", "CHF"]).as_deref(), Some("EUR"));
    assert_eq!(cur(&[]).as_deref(), Some("USD"));
}

#[test]
fn apply_followup_amount_keeps_previous_currency() {
    let prev = budget(8000.0, "EUR");
    let b = apply_text(Some(&prev), "bump it to 10k", &["GBP"], None);
    assert_eq!(b, Some(budget(10000.0, "EUR")));
    let b = apply_text(Some(&prev), "make it 300 a day instead", &["EUR"], None);
    assert_eq!(b.map(|b| (b.amount, b.kind)), Some((300.0, BudgetType::Daily)));
}

#[test]
fn apply_scale_and_delta() {
    let mut prev = budget(16000.0, "GBP");
    prev.min = Some(10000.0);
    let b = apply_text(Some(&prev), "cut the budget in half", &["GBP"], None);
    assert_eq!(b.map(|b| (b.amount, b.min)), Some((8000.0, Some(5000.0))));
    let b = apply_text(Some(&prev), "another 4k", &["GBP"], None);
    assert_eq!(b.map(|b| b.amount), Some(20000.0));
    assert_eq!(apply_text(None, "halve it", &["GBP"], None), None);
}

#[test]
fn apply_never_leaves_an_implausible_amount() {
    // Under a cent, zero, or beyond f64: never a budget, and a follow-up that would lead
    // there keeps the previous budget.
    assert_eq!(apply_text(None, "$0.001", &[], None), None);
    let mut prev = budget(0.015, "EUR");
    assert_eq!(apply_text(Some(&prev), "cut the budget in half", &["EUR"], None), Some(prev.clone()));
    prev.amount = f64::MAX;
    assert_eq!(apply_text(Some(&prev), "double the budget", &["EUR"], None), Some(prev.clone()));
    let b = apply_text(None, "between 0 and 5k", &[], None);
    assert_eq!(b.map(|b| (b.amount, b.min)), Some((5000.0, None)));
    let mut prev = budget(16000.0, "GBP");
    prev.min = Some(0.015);
    let b = apply_text(Some(&prev), "cut the budget in half", &["GBP"], None);
    assert_eq!(b.map(|b| (b.amount, b.min)), Some((8000.0, None)));
}

#[test]
fn apply_without_budget_facts_keeps_previous() {
    let prev = budget(5000.0, "EUR");
    assert_eq!(apply_text(Some(&prev), "add Austria", &["EUR"], None), Some(prev.clone()));
    assert_eq!(apply_text(None, "add Austria", &["EUR"], None), None);
}

#[test]
fn apply_sets_range_type_and_approximation() {
    let b = apply_text(None, "around 10-15k USD a day", &[], None);
    let b = b.unwrap_or_else(|| budget(0.0, ""));
    assert_eq!((b.amount, b.min, b.kind, b.approximate), (15000.0, Some(10000.0), BudgetType::Daily, true));
}

#[test]
fn mil_is_a_thousand_in_portuguese_and_spanish_money_and_a_million_in_english() {
    assert_eq!(extract("R$ 40 mil").amount, Some(40_000.0));
    assert_eq!(extract("MXN 150 mil, 4 semanas").amount, Some(150_000.0));
    assert_eq!(extract("1.5 mil budget").amount, Some(1_500_000.0));
    assert_eq!(extract("$2 mil").amount, Some(2_000_000.0));
}

#[test]
fn a_range_may_name_the_dollar_at_the_end() {
    let f = extract("between $10k and $12k AUD");
    assert_eq!((f.amount, f.min, f.currency), (Some(12_000.0), Some(10_000.0), CurrencyHint::Code("AUD".into())));
    assert!(!f.conflicting);
    let f = extract("between €10k and $12k");
    assert!(f.min.is_none(), "different currencies are no range");
}
