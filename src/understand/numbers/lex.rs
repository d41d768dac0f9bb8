//! The number lexer: splits a message's normalised text ([`crate::understand::Text::norm`]: the
//! one lowercasing) into words, numbers, currency signs and punctuation with byte offsets (see
//! the module docs of [`super`]).

use super::vocab::{is_sign_char, suffix_multiplier};
use super::{TokKind, Token};

/// Split a normalised string into tokens (see the module docs).
pub fn tokenize(s: &str) -> Vec<Token<'_>> {
    let bytes = s.as_bytes();
    let mut toks = Vec::with_capacity(s.len() / 3 + 1);
    let mut i = 0;
    let mut space = true;
    while i < s.len() {
        // Most text is ASCII: a byte below 0x80 is its own character, with nothing to decode.
        let c = match bytes[i] {
            b if b.is_ascii() => char::from(b),
            _ => match s[i..].chars().next() {
                Some(c) => c,
                None => break,
            },
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
        } else if is_sign_char(c) {
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
        let is_suffix = suffix_multiplier(&s[j..j + letters]).is_some();
        if is_suffix && !after.is_some_and(char::is_alphanumeric) {
            j += letters;
        }
    }
    (j, TokKind::Number)
}

/// Lex a word starting at `i` (letters with internal `-`, `'`, `&`); 1–3 letters glued to `$`
/// make a currency symbol (`us$`).
fn lex_word(s: &str, i: usize) -> (usize, TokKind) {
    let bytes = s.as_bytes();
    let mut j = i;
    loop {
        // The common case, a run of ASCII letters, in a tight loop over bytes.
        while bytes.get(j).is_some_and(u8::is_ascii_alphabetic) {
            j += 1;
        }
        if let Some(n) = alphabetic_at(s, j) {
            j += n;
        } else if matches!(bytes.get(j), Some(b'-' | b'\'' | b'&')) && alphabetic_at(s, j + 1).is_some() {
            j += 1;
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

/// Length in bytes of the character at byte `k` (a character boundary) when it is alphabetic;
/// an ASCII byte is tested without decoding.
fn alphabetic_at(s: &str, k: usize) -> Option<usize> {
    match *s.as_bytes().get(k)? {
        b if b.is_ascii() => b.is_ascii_alphabetic().then_some(1),
        _ => s[k..].chars().next().filter(|c| c.is_alphabetic()).map(char::len_utf8),
    }
}

/// Lex a currency sign; `€ur` (as written in some corpora) stays one symbol.
fn lex_sign(s: &str, i: usize, c: char) -> (usize, TokKind) {
    let end = i + c.len_utf8();
    if c == '€' && s[end..].starts_with("ur") && !s[end + 2..].starts_with(char::is_alphabetic) {
        return (end + 2, TokKind::Symbol);
    }
    (end, TokKind::Symbol)
}
