//! The value of a number phrase at the start of a slice of token texts: digits with separators
//! and suffixes ("10.000", "2,5", "5k"), and phrases in words ("half a million", "twenty-five").

use super::vocab::{number_words, suffix_multiplier, WordEntry};
use super::MAX_PHRASE;

/// Single number word value: `"one"`..`"nineteen"`, `"twenty"`..`"ninety"`, `"hundred"`,
/// `"thousand"`, `"million"`, `"billion"`, `"a"`/`"an"` = 1, `"dozen"` = 12 (and `"zero"`).
pub fn word_value(w: &str) -> Option<f64> {
    match number_words().index.get(w) {
        Some(WordEntry::Value(v)) => Some(*v),
        _ => None,
    }
}

/// `w` can start a number phrase written in words (`five`, `twenty-one`, `a`, `half`, `few`…).
pub fn is_number_word(w: &str) -> bool {
    number_words().index.contains_key(w) || (w.contains('-') && small_word(w).is_some())
}

/// Value of a scale word (`thousand`, `millions`, `mil`, `lakh`, `crore`, `mio`, …).
pub fn scale_value(w: &str) -> Option<f64> {
    number_words().scales.get(w).copied()
}

/// Value of a quantity word (`few`, `couple`, `pair`, `single`, `nil`).
fn quantity(w: &str) -> Option<f64> {
    number_words().quantities.get(w).copied()
}

/// Value of a 1–99 number word, including hyphenated compounds (`"twenty-five"`).
fn small_word(w: &str) -> Option<f64> {
    if let Some((tens, ones)) = w.split_once('-') {
        let t = small_word(tens)?;
        let o = small_word(ones)?;
        return (t >= 20.0 && t % 10.0 == 0.0 && t < 100.0 && (1.0..10.0).contains(&o)).then_some(t + o);
    }
    word_value(w).filter(|v| *v < 100.0 && !matches!(w, "a" | "an" | "dozen"))
}

/// Detailed result of [`parse_number_detail`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NumberParse {
    /// The phrase's value.
    pub value: f64,
    /// Tokens consumed.
    pub used: usize,
    /// The last multiplier applied (1 when none): 1000 for `15k` / `fifteen thousand`.
    pub scale: f64,
    /// Written only with words (no digit token).
    pub words_only: bool,
    /// The phrase is a bare article or quantity word (`a`, `an`, `few`, `couple`, `single`, …)
    /// with no real number after it.
    pub vague: bool,
}

/// Value of an English number phrase at the start of `words` (token texts from [`tokenize`]):
/// "fifteen", "twenty-five", "one hundred thousand", "a", "half a million", "1.2", "10,000",
/// "10.000" (European thousands), "2,5" (European decimal), "3.14", "5k", "1.5m",
/// "1.2 million", "a dozen", "a couple"… Returns (value, tokens consumed).
pub fn parse_number(words: &[&str]) -> Option<(f64, usize)> {
    parse_number_detail(words).map(|p| (p.value, p.used))
}

/// Like [`parse_number`], with the scale and the kind of phrase.
pub fn parse_number_detail(words: &[&str]) -> Option<NumberParse> {
    let words = &words[..words.len().min(MAX_PHRASE)];
    let first = *words.first()?;
    if matches!(first, "-" | "minus" | "negative") {
        let mut p = parse_unsigned(words.get(1..)?)?;
        p.value = -p.value;
        p.used += 1;
        return Some(p);
    }
    parse_unsigned(words)
}

/// Parse without a sign.
fn parse_unsigned(words: &[&str]) -> Option<NumberParse> {
    let first = *words.first()?;
    let p = if first.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        parse_digit_phrase(words)?
    } else {
        parse_word_phrase(words)?
    };
    p.value.is_finite().then_some(p)
}

/// Value of one digit token (separators and glued suffix); returns (value, suffix multiplier).
pub fn digits_value(tok: &str) -> Option<(f64, f64)> {
    let split = tok.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(tok.len());
    let (num, suffix) = tok.split_at(split);
    let mult = if suffix.is_empty() { 1.0 } else { suffix_multiplier(suffix)? };
    // Plain digits (`2026`, `40` of `40k`) need no separator analysis; up to 15 digits the
    // integer is exact in an f64, the same value parsing the string gives.
    if !num.is_empty() && num.len() <= 15 && num.bytes().all(|b| b.is_ascii_digit()) {
        let n = num.bytes().fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0'));
        let v = n as f64 * mult;
        return v.is_finite().then_some((v, mult));
    }
    let plain = plain_digits(num)?;
    let v = plain.parse::<f64>().ok()? * mult;
    v.is_finite().then_some((v, mult))
}

/// Rewrite a digit string with separators into a plain `1234.5` form, deciding which
/// separator is the decimal mark.
fn plain_digits(num: &str) -> Option<String> {
    if num.is_empty() || !num.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = num.replace([' ', '\''], "");
    let commas = num.matches(',').count();
    let dots = num.matches('.').count();
    let decimal = match (commas, dots) {
        (0, 0) => None,
        (_, 0) => decimal_mark_single_kind(&num, ',', commas)?,
        (0, _) => decimal_mark_single_kind(&num, '.', dots)?,
        _ => {
            let last_comma = num.rfind(',')?;
            let last_dot = num.rfind('.')?;
            Some(if last_comma > last_dot { ',' } else { '.' })
        }
    };
    let mut out = String::with_capacity(num.len());
    let mut seen_decimal = false;
    for c in num.chars() {
        match c {
            '0'..='9' => out.push(c),
            c if Some(c) == decimal => {
                if seen_decimal {
                    return None;
                }
                seen_decimal = true;
                out.push('.');
            }
            _ => {} // thousands separator
        }
    }
    grouping_ok(&num, decimal).then_some(out)
}

/// With only one kind of separator (`sep`, `count` times): `Some(None)` when it groups
/// thousands, `Some(Some(sep))` when it is the decimal mark, `None` when malformed.
fn decimal_mark_single_kind(num: &str, sep: char, count: usize) -> Option<Option<char>> {
    let groups: Vec<&str> = num.split(sep).collect();
    let head = groups.first()?;
    let tail_all_three = groups[1..].iter().all(|g| g.len() == 3);
    if count > 1 {
        // 1,000,000 / 1.000.000: thousands only
        return (tail_all_three && !head.is_empty() && head.len() <= 3).then_some(None);
    }
    let thousands = tail_all_three && !head.is_empty() && head.len() <= 3 && *head != "0";
    Some(if thousands { None } else { Some(sep) })
}

/// Thousands groups (everything before the decimal mark except the first) have 3 digits.
fn grouping_ok(num: &str, decimal: Option<char>) -> bool {
    let int_part = match decimal {
        Some(d) => num.rsplit_once(d).map_or(num, |(a, _)| a),
        None => num,
    };
    let mut groups = int_part.split([',', '.']);
    let head_ok = groups.next().is_some_and(|g| g.len() <= 3 || !int_part.contains([',', '.']));
    head_ok && groups.all(|g| g.len() == 3)
}

/// A phrase led by a digit token: `1.2`, `5k`, `1 point 1`, `5 thousand`, `1.2 million`,
/// `200 dozens`, `3000 millions`, `1 / 5`, `5 k`.
fn parse_digit_phrase(words: &[&str]) -> Option<NumberParse> {
    let (mut value, mut scale) = digits_value(words.first()?)?;
    let mut used = 1;
    let plain_int = scale == 1.0 && words[0].bytes().all(|b| b.is_ascii_digit());
    if scale == 1.0 {
        if words.get(1) == Some(&"point") {
            if let Some((frac, n)) = fraction_digits(&words[2..]) {
                value += frac;
                used += 1 + n;
            }
        } else if let Some(den) = plain_int.then(|| denominator(words)).flatten() {
            return Some(NumberParse { value: value / den, used: 3, scale: 1.0, words_only: false, vague: false });
        }
        if words.get(used) == Some(&"k") {
            value *= 1e3;
            scale = 1e3;
            used += 1;
        }
    }
    apply_scales(&mut value, &mut scale, &mut used, words);
    Some(NumberParse { value, used, scale, words_only: false, vague: false })
}

/// Denominator of a fraction `n / d` (tokens 1 and 2 of `words`), when not zero.
fn denominator(words: &[&str]) -> Option<f64> {
    let d = words.get(2).filter(|d| d.bytes().all(|b| b.is_ascii_digit()))?;
    let den = d.parse::<u64>().ok().filter(|v| *v != 0)?;
    (words.get(1) == Some(&"/")).then_some(den as f64)
}

/// Apply trailing scale words and `dozen(s)` after position `used`.
fn apply_scales(value: &mut f64, scale: &mut f64, used: &mut usize, words: &[&str]) {
    while let Some(w) = words.get(*used) {
        if let Some(s) = scale_value(w) {
            if *scale > 1.0 && s <= *scale {
                break; // "5k thousand" and repeats stop here
            }
            *value *= s;
            *scale = if *scale > 1.0 { *scale * s } else { s };
        } else if matches!(*w, "dozen" | "dozens") {
            *value *= 12.0;
        } else {
            break;
        }
        *used += 1;
    }
}

/// Digits after `point`: a digit token (`point 77`) or digit words (`point seven seven`).
fn fraction_digits(words: &[&str]) -> Option<(f64, usize)> {
    let first = words.first()?;
    if first.bytes().all(|b| b.is_ascii_digit()) && !first.is_empty() {
        let v = format!("0.{first}").parse::<f64>().ok()?;
        return Some((v, 1));
    }
    let mut digits = String::new();
    for w in words.iter().take(8) {
        match word_value(w) {
            Some(v) if v < 10.0 && *w != "a" && *w != "an" => digits.push_str(&format!("{v}")),
            _ => break,
        }
    }
    let n = digits.len();
    if n == 0 {
        return None;
    }
    Some((format!("0.{digits}").parse::<f64>().ok()?, n))
}

/// Accumulator for a phrase written in words.
#[derive(Default)]
struct WordAcc {
    total: f64,
    current: f64,
    /// Last token was a 1–9 unit (allows "one twenty two").
    last_unit: bool,
    /// Last token was a tens word (allows "twenty two").
    last_tens: bool,
    /// Last token was a teen or a tens+unit (nothing small may follow).
    closed_small: bool,
    /// Largest scale seen so far.
    last_scale: f64,
    any: bool,
}

impl WordAcc {
    /// Feed a 1–99 value; false when it cannot join the phrase.
    fn small(&mut self, v: f64) -> bool {
        let unit = v < 10.0;
        let tens = v >= 20.0 && v % 10.0 == 0.0;
        if self.closed_small {
            return false;
        }
        if self.last_tens && unit {
            self.current += v;
            self.closed_small = true;
        } else if self.last_unit && tens {
            // "one twenty two" = 122
            self.current = self.current * 100.0 + v;
            self.closed_small = false;
            self.last_unit = false;
            self.last_tens = true;
            self.any = true;
            return true;
        } else if self.last_unit || self.last_tens {
            return false;
        } else {
            self.current += v;
            self.closed_small = !(unit || tens);
        }
        self.last_unit = unit && !self.closed_small;
        self.last_tens = tens && !self.closed_small;
        self.any = true;
        true
    }

    /// Feed `hundred`.
    fn hundred(&mut self) {
        self.current = if self.current == 0.0 { 100.0 } else { self.current * 100.0 };
        self.reset_small();
        self.any = true;
    }

    /// Feed a scale word (thousand, million, …).
    fn scale(&mut self, s: f64) {
        if self.current == 0.0 && self.total > 0.0 && s > self.last_scale {
            self.total *= s; // "three thousand millions"
        } else {
            let c = if self.current == 0.0 { 1.0 } else { self.current };
            self.total += c * s;
        }
        self.current = 0.0;
        self.last_scale = self.last_scale.max(s);
        self.reset_small();
        self.any = true;
    }

    /// Forget the 1–99 state after `hundred` or a scale word.
    fn reset_small(&mut self) {
        self.last_unit = false;
        self.last_tens = false;
        self.closed_small = false;
    }

    /// Value read so far.
    fn value(&self) -> f64 {
        self.total + self.current
    }
}

/// A phrase written in words: `one hundred thousand`, `twenty-five`, `half a million`,
/// `a dozen`, `a couple of`, `two point two million`, `one twenty two`.
fn parse_word_phrase(words: &[&str]) -> Option<NumberParse> {
    if let Some(p) = parse_half(words) {
        return Some(p);
    }
    if let Some(p) = parse_article_phrase(words) {
        return Some(p);
    }
    if let Some(v) = quantity(words[0]) {
        let of = usize::from(words.get(1) == Some(&"of"));
        return Some(vague(v, 1 + of));
    }
    if words[0] == "point" {
        let (frac, n) = fraction_digits(&words[1..])?;
        return Some(plain_words(frac, 1 + n, 1.0));
    }
    parse_word_sequence(words)
}

/// A word-number phrase with no vagueness.
fn plain_words(value: f64, used: usize, scale: f64) -> NumberParse {
    NumberParse { value, used, scale, words_only: true, vague: false }
}

/// A vague quantity (`a`, `few`, `a couple of`).
fn vague(value: f64, used: usize) -> NumberParse {
    NumberParse { value, used, scale: 1.0, words_only: true, vague: true }
}

/// `half a million`, `half a dozen`, `a half` → 0.5 × scale.
fn parse_half(words: &[&str]) -> Option<NumberParse> {
    match words {
        ["half", "a" | "an", w, ..] => {
            let s = scale_value(w).or_else(|| (*w == "dozen").then_some(12.0))?;
            Some(plain_words(0.5 * s, 3, s))
        }
        ["half", ..] => Some(vague(0.5, 1)),
        _ => None,
    }
}

/// Phrases that start with `a`/`an`: `a hundred`, `a million`, `a dozen`, `a couple (of)`,
/// `a few`, `a pair`; a bare `a` is 1 (vague).
fn parse_article_phrase(words: &[&str]) -> Option<NumberParse> {
    if !matches!(words[0], "a" | "an") {
        return None;
    }
    let next = words.get(1).copied().unwrap_or("");
    // "a few", "a couple", "a pair" (not "a single", "a nil").
    if let Some(v) = quantity(next).filter(|v| *v >= 2.0) {
        let of = usize::from(words.get(2) == Some(&"of"));
        return Some(vague(v, 2 + of));
    }
    if next == "dozen" {
        let of = usize::from(words.get(2) == Some(&"of"));
        return Some(plain_words(12.0, 2 + of, 1.0));
    }
    if next == "hundred" || scale_value(next).is_some() {
        // "a hundred thousand", "a million": parse as if it said "one"
        let mut shifted: Vec<&str> = Vec::with_capacity(words.len());
        shifted.push("one");
        shifted.extend_from_slice(&words[1..]);
        return parse_word_sequence(&shifted);
    }
    Some(vague(1.0, 1))
}

/// Number words joined by hyphens or `and`, with `point`, `dozen` and scale words.
fn parse_word_sequence(words: &[&str]) -> Option<NumberParse> {
    let mut acc = WordAcc::default();
    let mut used = 0;
    let mut scale = 1.0;
    while let Some(w) = words.get(used) {
        if let Some(v) = small_word(w) {
            if !acc.small(v) {
                break;
            }
            scale = 1.0;
        } else if *w == "hundred" {
            acc.hundred();
            scale = 100.0;
        } else if let Some(s) = scale_value(w).filter(|_| acc.any) {
            acc.scale(s);
            scale = s;
        } else if matches!(*w, "dozen" | "dozens") && acc.any {
            acc.current = if acc.current == 0.0 { 12.0 } else { acc.current * 12.0 };
            acc.reset_small();
        } else if *w == "and" && acc.any && continues_after_and(words.get(used + 1..)) {
            // "seven hundred and twelve"
        } else if *w == "point" && acc.any {
            let Some((frac, n)) = fraction_digits(words.get(used + 1..).unwrap_or(&[])) else {
                break;
            };
            let mut value = acc.value() + frac;
            let mut sc = 1.0;
            let mut u = used + 1 + n;
            apply_scales(&mut value, &mut sc, &mut u, words);
            return Some(plain_words(value, u, sc));
        } else {
            break;
        }
        used += 1;
    }
    if !acc.any {
        return None;
    }
    Some(plain_words(acc.value(), used, scale))
}

/// `and` continues a word number only when a number word follows it.
fn continues_after_and(rest: Option<&[&str]>) -> bool {
    rest.and_then(|r| r.first()).is_some_and(|w| small_word(w).is_some())
}
