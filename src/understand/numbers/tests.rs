//! Unit tests of the number lexer and parser.

use super::*;
use crate::understand::text::Text;

fn num(s: &str) -> Option<f64> {
    let n = Text::new(s);
    let toks = tokenize(&n);
    let words: Vec<&str> = toks.iter().map(|t| t.text).collect();
    parse_number(&words).map(|(v, _)| v)
}

fn texts(s: &str) -> Vec<String> {
    tokenize(&Text::new(s)).iter().map(|t| t.text.to_string()).collect()
}

#[test]
fn word_values() {
    assert_eq!(word_value("fifteen"), Some(15.0));
    assert_eq!(word_value("ninety"), Some(90.0));
    assert_eq!(word_value("a"), Some(1.0));
    assert_eq!(word_value("dozen"), Some(12.0));
    assert_eq!(word_value("billion"), Some(1e9));
    assert_eq!(word_value("grand"), None);
}

#[test]
fn simple_words() {
    assert_eq!(num("fifteen"), Some(15.0));
    assert_eq!(num("twenty-five"), Some(25.0));
    assert_eq!(num("twenty five"), Some(25.0));
    assert_eq!(num("one hundred thousand"), Some(100000.0));
    assert_eq!(num("five thousand"), Some(5000.0));
    assert_eq!(num("seven hundred twenty-one thousand and twelve"), Some(721012.0));
    assert_eq!(num("thirty-one million two hundred fifty-six thousand seven hundred twenty-one"), Some(31256721.0));
    assert_eq!(num("one twenty two"), Some(122.0));
    assert_eq!(num("three thousand millions"), Some(3e9));
}

#[test]
fn articles_and_quantities() {
    assert_eq!(parse_number(&["a"]), Some((1.0, 1)));
    assert_eq!(num("a dozen"), Some(12.0));
    assert_eq!(num("two dozen"), Some(24.0));
    assert_eq!(num("a couple"), Some(2.0));
    assert_eq!(num("a few"), Some(3.0));
    assert_eq!(num("a million"), Some(1e6));
    assert_eq!(num("half a million"), Some(500000.0));
    assert_eq!(parse_number(&["a", "couple", "of", "weeks"]), Some((2.0, 3)));
}

#[test]
fn digits_and_separators() {
    assert_eq!(num("1.2"), Some(1.2));
    assert_eq!(num("10,000"), Some(10000.0));
    assert_eq!(num("10.000"), Some(10000.0));
    assert_eq!(num("2,5"), Some(2.5));
    assert_eq!(num("3.25"), Some(3.25));
    assert_eq!(num("1,234.56"), Some(1234.56));
    assert_eq!(num("1.234,56"), Some(1234.56));
    assert_eq!(num("3,000,000"), Some(3e6));
    assert_eq!(num("75 000"), Some(75000.0));
    assert_eq!(num("1'000"), Some(1000.0));
    assert_eq!(num("7.20000"), Some(7.2));
    assert_eq!(num("0.500"), Some(0.5));
    assert_eq!(num(".77"), Some(0.77));
    assert_eq!(num("0033"), Some(33.0));
    assert_eq!(num("15.03.2026"), None);
}

#[test]
fn suffixes_and_scales() {
    assert_eq!(num("5k"), Some(5000.0));
    assert_eq!(num("5K"), Some(5000.0));
    assert_eq!(num("5 k"), Some(5000.0));
    assert_eq!(num("1.5m"), Some(1.5e6));
    assert_eq!(num("1.2 million"), Some(1.2e6));
    assert_eq!(num("1.5 mil"), Some(1.5e6));
    assert_eq!(num("two point two million"), Some(2.2e6));
    assert_eq!(num("2bn"), Some(2e9));
    assert_eq!(num("200 dozens"), Some(2400.0));
    assert_eq!(num("1 point 1"), Some(1.1));
    assert_eq!(num("30 lakh"), Some(3e6));
}

#[test]
fn signs_and_fractions() {
    assert_eq!(num("-504"), Some(-504.0));
    assert_eq!(num("minus 1,200,000"), Some(-1.2e6));
    assert_eq!(num("1/5"), Some(0.2));
    assert_eq!(num("1/0"), Some(1.0));
}

#[test]
fn non_numbers() {
    assert_eq!(num("hello"), None);
    assert_eq!(num(""), None);
    assert_eq!(num("k-pop"), None);
    assert_eq!(num("and five"), None);
}

#[test]
fn tokenizer_shapes() {
    assert_eq!(texts("K-pop fans"), ["k-pop", "fans"]);
    assert_eq!(texts("$10K"), ["$", "10k"]);
    assert_eq!(texts("US$3.14"), ["us$", "3.14"]);
    assert_eq!(texts("USD3.14"), ["usd", "3.14"]);
    assert_eq!(texts("15th"), ["15", "th"]);
    assert_eq!(texts("Q2"), ["q", "2"]);
    assert_eq!(texts("18-24"), ["18", "-", "24"]);
    assert_eq!(texts("75 000 kr"), ["75 000", "kr"]);
    assert_eq!(texts("3 30"), ["3", "30"]);
    assert_eq!(texts("20 €ur"), ["20", "€ur"]);
    assert_eq!(texts("24/7"), ["24", "/", "7"]);
    assert_eq!(texts("10k$"), ["10k", "$"]);
    assert_eq!(texts("i’ve got"), ["i've", "got"]);
}

#[test]
fn tokens_join_the_shared_tokens_by_rule() {
    // Groups with an apostrophe, a space before exactly three digits, a leading decimal point.
    assert_eq!(texts("CHF 12'000.50"), ["chf", "12'000.50"]);
    assert_eq!(texts("R 1 250 000"), ["r", "1 250 000"]);
    assert_eq!(texts("1,000 000 and 12 3456"), ["1,000", "000", "and", "12", "3456"]);
    assert_eq!(texts("$.77 v.5"), ["$", ".77", "v", ".", "5"]);
    // A multiplier only before something that is not a letter or digit.
    assert_eq!(texts("5k's 5kg 5m2"), ["5k", "'", "s", "5", "kg", "5", "m", "2"]);
    // Words across the shared tokens' tails (possessive, ordinal letters) and joiners.
    assert_eq!(texts("it's r&b's 15th-century 0thé"), ["it's", "r&b's", "15", "th-century", "0", "thé"]);
    assert_eq!(texts("presidents' day"), ["presidents", "'", "day"]);
    // Signs: "€ur" only as a whole word, 1–3 letters glued to "$".
    assert_eq!(texts("€ur's €uro abc$ abcd$"), ["€ur", "'", "s", "€", "uro", "abc$", "abcd", "$"]);
}

#[test]
fn tokenizer_offsets_and_unicode() {
    let n = Text::new("é 5k – 🎉 ÀB");
    for t in tokenize(&n) {
        assert_eq!(&n.norm[t.start..t.end], t.text);
    }
    let n = Text::new("İ 5");
    assert!(tokenize(&n).iter().any(|t| t.text == "5"));
}

#[test]
fn glued_flags() {
    let n = Text::new("5k q2");
    let t = tokenize(&n);
    assert!(t[0].space_before);
    assert!(!t[2].space_before);
}
