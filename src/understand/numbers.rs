//! Numbers written in digits or words.
//!
//! Two layers:
//!
//! * [`normalize`] + [`tokenize`]: a small lexer over lowercased text that keeps byte offsets.
//! * [`parse_number`] / [`parse_number_detail`]: the value of a number phrase at the start of a
//!   slice of token texts.
//!
//! # Tokenisation
//!
//! [`tokenize`] splits a normalised (lowercased) string into [`Token`]s:
//!
//! * **Number**: digits with internal separators, e.g. `10,000`, `10.000`, `1.2`, `2,5`, `1'000`,
//!   `.77`, and space-grouped thousands (`75 000`, only when every group after the first has
//!   exactly three digits). A glued multiplier suffix belongs to the number: `5k`, `1.5m`,
//!   `2bn`, `3mil`. Other glued letters become their own token (`15th` → `15` + `th`,
//!   `42myr` → `42` + `myr`), marked as glued.
//! * **Word**: letters, with internal `-`, `'` or `&` between letters (`k-pop`, `twenty-five`,
//!   `i've`, `r&b`). Letters glued to digits split (`q2` → `q` + `2`, `usd3.14` → `usd` + `3.14`).
//! * **Symbol**: currency signs `$ € £ ¥ ₹ ¢ …`, and 1–3 letters glued to `$` (`us$`, `r$`, `a$`).
//! * **Punct**: any other single character (`-`, `–`, `%`, `+`, `/`, `~`, emoji, …); a
//!   newline is a `"\n"` punct token (it ends a clause), other whitespace separates tokens.
//!
//! Every token records whether whitespace precedes it (`space_before`), so callers can tell
//! `5k` (one token) from `5 k`, and `q2` (glued) from `q 2`.
//!
//! # Number phrases
//!
//! [`parse_number`] reads the longest number phrase at the start of its slice: one digit token
//! (`"10,000"`, `"5k"`, `"1.2"`) optionally followed by `point …`, a standalone `k`, a scale word
//! (`thousand`, `million`, `mil`, `lakh`, `dozen`, …) or a fraction (`1 / 5`); or a sequence of
//! number words (`"one hundred thousand"`, `"twenty-five"`, `"half a million"`, `"a dozen"`,
//! `"a couple"`, `"seven hundred twenty-one thousand and twelve"`). A leading `-`, `minus` or
//! `negative` negates. It never reads more than [`MAX_PHRASE`] tokens.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Longest number phrase (in tokens) that [`parse_number`] will read.
pub const MAX_PHRASE: usize = 24;

/// Kind of a lexer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    /// Letters (with internal hyphens/apostrophes).
    Word,
    /// Digit-led number, possibly with separators and a multiplier suffix.
    Number,
    /// Currency sign (`$`, `€`, `us$`, …).
    Symbol,
    /// Any other single character.
    Punct,
}

/// One token of a normalised string; `start..end` are byte offsets into that string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// The token's text (a slice of the normalised string).
    pub text: &'a str,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// What kind of token this is.
    pub kind: TokKind,
    /// Whether whitespace (or the start of text) comes right before the token.
    pub space_before: bool,
}

/// Multiplier suffixes glued to digits, with their factor.
const SUFFIX_MULTIPLIERS: &[(&str, f64)] =
    &[("k", 1e3), ("m", 1e6), ("mm", 1e6), ("mn", 1e6), ("mil", 1e6), ("b", 1e9), ("bn", 1e9)];

/// Single currency-sign characters.
const SIGN_CHARS: &[char] = &['$', '€', '£', '¥', '₹', '¢', '₩', '₽', '₪', '₦', '₱', '₺', '₴', '₫', '฿', '₵', '₸'];

/// Basic number words (the contract of [`word_value`]), sorted.
const WORD_VALUES: &[(&str, f64)] = &[
    ("a", 1.0),
    ("an", 1.0),
    ("billion", 1e9),
    ("dozen", 12.0),
    ("eight", 8.0),
    ("eighteen", 18.0),
    ("eighty", 80.0),
    ("eleven", 11.0),
    ("fifteen", 15.0),
    ("fifty", 50.0),
    ("five", 5.0),
    ("forty", 40.0),
    ("four", 4.0),
    ("fourteen", 14.0),
    ("fourty", 40.0),
    ("hundred", 100.0),
    ("million", 1e6),
    ("nine", 9.0),
    ("nineteen", 19.0),
    ("ninety", 90.0),
    ("one", 1.0),
    ("seven", 7.0),
    ("seventeen", 17.0),
    ("seventy", 70.0),
    ("six", 6.0),
    ("sixteen", 16.0),
    ("sixty", 60.0),
    ("ten", 10.0),
    ("thirteen", 13.0),
    ("thirty", 30.0),
    ("thousand", 1e3),
    ("three", 3.0),
    ("twelve", 12.0),
    ("twenty", 20.0),
    ("two", 2.0),
    ("zero", 0.0),
];

/// Scale words (and plurals/abbreviations) that multiply what precedes them.
const SCALE_WORDS: &[(&str, f64)] = &[
    ("thousand", 1e3),
    ("thousands", 1e3),
    ("million", 1e6),
    ("millions", 1e6),
    ("mil", 1e6),
    ("mio", 1e6),
    ("billion", 1e9),
    ("billions", 1e9),
    ("trillion", 1e12),
    ("lakh", 1e5),
    ("lakhs", 1e5),
    ("lac", 1e5),
    ("lacs", 1e5),
    ("lkh", 1e5),
    ("lkhs", 1e5),
    ("crore", 1e7),
    ("crores", 1e7),
    ("krore", 1e7),
    ("krores", 1e7),
    ("cr", 1e7),
    ("koti", 1e7),
];

/// Words that stand alone as a small quantity (only at the start of a phrase).
const QUANTITY_WORDS: &[(&str, f64)] =
    &[("nil", 0.0), ("naught", 0.0), ("nought", 0.0), ("single", 1.0), ("few", 3.0), ("couple", 2.0), ("pair", 2.0)];

/// Lowercase `text` and normalise a few look-alike characters: curly apostrophes become `'`,
/// non-breaking and narrow spaces become a plain space. Offsets of [`tokenize`] refer to the
/// returned string.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{2019}' | '\u{2018}' | '\u{2032}' => out.push('\''),
            '\u{a0}' | '\u{202f}' | '\u{2007}' | '\u{2009}' => out.push(' '),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Split a normalised string into tokens (see the module docs).
pub fn tokenize(s: &str) -> Vec<Token<'_>> {
    let bytes = s.as_bytes();
    let mut toks = Vec::with_capacity(s.len() / 3 + 1);
    let mut i = 0;
    let mut space = true;
    while i < s.len() {
        let Some(c) = s[i..].chars().next() else {
            break;
        };
        if c.is_whitespace() && c != '\n' {
            space = true;
            i += c.len_utf8();
            continue;
        }
        let starts_decimal = c == '.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        let (end, kind) = if c.is_ascii_digit() || (starts_decimal && !after_alnum(s, i)) {
            lex_number(s, i)
        } else if c.is_alphabetic() {
            lex_word(s, i)
        } else if SIGN_CHARS.contains(&c) {
            lex_sign(s, i, c)
        } else {
            (i + c.len_utf8(), TokKind::Punct)
        };
        toks.push(Token { text: &s[i..end], start: i, end, kind, space_before: space });
        space = c == '\n';
        i = end;
    }
    toks
}

/// Whether the character before byte `i` is alphanumeric.
fn after_alnum(s: &str, i: usize) -> bool {
    s[..i].chars().next_back().is_some_and(char::is_alphanumeric)
}

/// Number of ASCII digits starting at byte `i`.
fn digit_run(bytes: &[u8], i: usize) -> usize {
    bytes.get(i..).map_or(0, |b| b.iter().take_while(|c| c.is_ascii_digit()).count())
}

/// Lex a digit-led number starting at `i`; returns its end and kind.
fn lex_number(s: &str, i: usize) -> (usize, TokKind) {
    let b = s.as_bytes();
    let mut j = i + digit_run(b, i);
    let mut group = j - i;
    let mut spaced_ok = group <= 3; // space grouping needs a first group of 1-3 digits
    while let Some(&sep) = b.get(j) {
        let next = digit_run(b, j + 1);
        let joins = match sep {
            b',' | b'.' | b'\'' => next > 0,
            b' ' => spaced_ok && group <= 3 && next == 3,
            _ => false,
        };
        if !joins {
            break;
        }
        if sep != b' ' {
            spaced_ok = false;
        }
        j += 1 + next;
        group = next;
    }
    // glued multiplier suffix (5k, 1.5m, 2bn) when followed by a non-alphanumeric
    let letters = b.get(j..).map_or(0, |r| r.iter().take_while(|c| c.is_ascii_alphabetic()).count());
    if letters > 0 {
        let after = s[j + letters..].chars().next();
        let is_suffix = SUFFIX_MULTIPLIERS.iter().any(|(w, _)| *w == &s[j..j + letters]);
        if is_suffix && !after.is_some_and(char::is_alphanumeric) {
            j += letters;
        }
    }
    (j, TokKind::Number)
}

/// Lex a word starting at `i` (letters with internal `-`, `'`, `&`); 1–3 letters glued to `$`
/// make a currency symbol (`us$`).
fn lex_word(s: &str, i: usize) -> (usize, TokKind) {
    let mut j = i;
    let mut chars = s[i..].char_indices().peekable();
    while let Some((off, c)) = chars.next() {
        if c.is_alphabetic() {
            j = i + off + c.len_utf8();
        } else if matches!(c, '-' | '\'' | '&') && chars.peek().is_some_and(|(_, n)| n.is_alphabetic()) {
            continue;
        } else {
            break;
        }
    }
    let word = &s[i..j];
    if word.len() <= 3 && word.bytes().all(|c| c.is_ascii_alphabetic()) && s[j..].starts_with('$') {
        return (j + 1, TokKind::Symbol);
    }
    (j, TokKind::Word)
}

/// Lex a currency sign; `€ur` (as written in some corpora) stays one symbol.
fn lex_sign(s: &str, i: usize, c: char) -> (usize, TokKind) {
    let end = i + c.len_utf8();
    if c == '€' && s[end..].starts_with("ur") && !s[end + 2..].starts_with(char::is_alphabetic) {
        return (end + 2, TokKind::Symbol);
    }
    (end, TokKind::Symbol)
}

/// Single number word value: `"one"`..`"nineteen"`, `"twenty"`..`"ninety"`, `"hundred"`,
/// `"thousand"`, `"million"`, `"billion"`, `"a"`/`"an"` = 1, `"dozen"` = 12 (and `"zero"`).
pub fn word_value(w: &str) -> Option<f64> {
    match word_index().get(w) {
        Some(WordEntry::Value(v)) => Some(*v),
        _ => None,
    }
}

/// What a word is in the number tables.
#[derive(Debug, Clone, Copy)]
enum WordEntry {
    /// A [`WORD_VALUES`] word.
    Value(f64),
    /// Another word that can start a number phrase (`few`, `half`, `point`, `minus`…).
    Starter,
}

/// Hash index over [`WORD_VALUES`] and the other phrase-starting words, built once.
fn word_index() -> &'static HashMap<&'static str, WordEntry> {
    static INDEX: OnceLock<HashMap<&'static str, WordEntry>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let starters = QUANTITY_WORDS.iter().map(|(w, _)| *w).chain(["half", "point", "minus", "negative"]);
        let mut map: HashMap<&'static str, WordEntry> = starters.map(|w| (w, WordEntry::Starter)).collect();
        map.extend(WORD_VALUES.iter().map(|(w, v)| (*w, WordEntry::Value(*v))));
        map
    })
}

/// `w` can start a number phrase written in words (`five`, `twenty-one`, `a`, `half`, `few`…).
pub fn is_number_word(w: &str) -> bool {
    word_index().contains_key(w) || (w.contains('-') && small_word(w).is_some())
}

/// Value of a scale word (`thousand`, `millions`, `mil`, `lakh`, `crore`, …).
pub fn scale_value(w: &str) -> Option<f64> {
    SCALE_WORDS.iter().find(|(k, _)| *k == w).map(|(_, v)| *v)
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
    let mult =
        if suffix.is_empty() { 1.0 } else { SUFFIX_MULTIPLIERS.iter().find(|(w, _)| *w == suffix).map(|(_, m)| *m)? };
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
    if let Some((_, v)) = QUANTITY_WORDS.iter().find(|(k, _)| *k == words[0]) {
        let of = usize::from(words.get(1) == Some(&"of"));
        return Some(vague(*v, 1 + of));
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
    if let Some((_, v)) = QUANTITY_WORDS.iter().find(|(k, _)| *k == next && matches!(next, "few" | "couple" | "pair")) {
        let of = usize::from(words.get(2) == Some(&"of"));
        return Some(vague(*v, 2 + of));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Option<f64> {
        let n = normalize(s);
        let toks = tokenize(&n);
        let words: Vec<&str> = toks.iter().map(|t| t.text).collect();
        parse_number(&words).map(|(v, _)| v)
    }

    fn texts(s: &str) -> Vec<String> {
        let n = normalize(s);
        tokenize(&n).iter().map(|t| t.text.to_string()).collect()
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
    fn tokenizer_offsets_and_unicode() {
        let n = normalize("é 5k – 🎉 ÀB");
        for t in tokenize(&n) {
            assert_eq!(&n[t.start..t.end], t.text);
        }
        let n = normalize("İ 5");
        assert!(tokenize(&n).iter().any(|t| t.text == "5"));
    }

    #[test]
    fn glued_flags() {
        let n = normalize("5k q2");
        let t = tokenize(&n);
        assert!(t[0].space_before);
        assert!(!t[2].space_before);
    }
}

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn word_values_sorted_and_unique() {
        assert!(WORD_VALUES.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
