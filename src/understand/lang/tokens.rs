//! The message's tokens, found once and shared: words (runs of letters, with a possessive "'s"),
//! numbers (digit runs with inner `.`/`,` groups, with an ordinal suffix) and single punctuation
//! characters, as byte offsets into [`Text::norm`]. Letters and digits are split apart ("30d" →
//! "30", "d"). The date reader builds its phrases from these tokens, and the money reader
//! groups them into amounts ("1 000", "12'000", "5k": `numbers::lex`); the lexicons read
//! [`Text::words`] and [`Text::starts`], found by the same normalisation pass.

use crate::understand::text::Text;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Word,
    Num,
    Punct,
}

/// One token; `start..text_end` is its text, `start..end` also covers an ordinal suffix ("15th")
/// or a possessive ("mother's").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub text_end: usize,
    pub end: usize,
    /// Integer value of a plain digit run (no separators, at most 9 digits).
    pub val: Option<i64>,
    /// Digits followed by st/nd/rd/th ("15th").
    pub ordinal: bool,
    /// A word followed by "'s" ("mother's") or a plural's "'" ("presidents' day").
    pub possessive: bool,
}

/// The tokens of `text`, found on first use and kept.
pub fn tokens(text: &Text) -> &[Token] {
    text.tokens.get_or_init(|| tokenize(&text.norm))
}

/// Whether `c` is an apostrophe (straight or typographic).
fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

fn tokenize(s: &str) -> Vec<Token> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(s.len() / 3 + 1);
    let mut i = 0;
    while i < b.len() {
        // ASCII a byte at a time; other characters are decoded.
        let a = b[i];
        if a.is_ascii() {
            if a.is_ascii_digit() {
                i = push_number(b, i, &mut out);
            } else if a.is_ascii_alphabetic() {
                i = push_word(s, i, &mut out);
            } else if char::from(a).is_whitespace() {
                i += 1;
            } else {
                i = push_sign(i, i + 1, &mut out);
            }
            continue;
        }
        let Some(c) = s.get(i..).and_then(|r| r.chars().next()) else { break };
        if c.is_whitespace() {
            i += c.len_utf8();
        } else if c.is_alphabetic() {
            i = push_word(s, i, &mut out);
        } else {
            i = push_sign(i, i + c.len_utf8(), &mut out);
        }
    }
    out
}

/// A single sign at `start..end`; returns its end.
fn push_sign(start: usize, end: usize, out: &mut Vec<Token>) -> usize {
    out.push(Token { kind: Kind::Punct, start, text_end: end, end, val: None, ordinal: false, possessive: false });
    end
}

fn push_number(b: &[u8], st: usize, out: &mut Vec<Token>) -> usize {
    let mut j = st;
    let mut sep = false;
    loop {
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j + 1 < b.len() && (b[j] == b'.' || b[j] == b',') && b[j + 1].is_ascii_digit() {
            sep = true;
            j += 1;
            continue;
        }
        break;
    }
    // Only digits, dots and commas: ASCII.
    let digits = std::str::from_utf8(&b[st..j]).unwrap_or("");
    let val = if sep || digits.len() > 9 { None } else { digits.parse().ok() };
    let suffix = b.get(j..j + 2).unwrap_or(&[]);
    let after = b.get(j + 2).is_some_and(|c| c.is_ascii_alphabetic());
    let ordinal = matches!(suffix, b"st" | b"nd" | b"rd" | b"th") && !after && val.is_some();
    let end = if ordinal { j + 2 } else { j };
    out.push(Token { kind: Kind::Num, start: st, text_end: j, end, val, ordinal, possessive: false });
    end
}

fn push_word(s: &str, st: usize, out: &mut Vec<Token>) -> usize {
    // ASCII letters a byte at a time; any other character is decoded.
    let ascii = s.as_bytes().get(st..).map_or(0, |r| r.iter().take_while(|c| c.is_ascii_alphabetic()).count());
    let mut j = st + ascii;
    while let Some(c) = s.get(j..).and_then(|r| r.chars().next()) {
        if !c.is_alphabetic() {
            break;
        }
        j += c.len_utf8();
    }
    let mut end = j;
    let mut possessive = false;
    let mut rest = s.get(j..).unwrap_or("").chars();
    let (a, b, c) = (rest.next(), rest.next(), rest.next());
    match (a, b) {
        (Some(a), Some('s')) if is_apostrophe(a) && !c.is_some_and(char::is_alphabetic) => {
            possessive = true;
            end = j + a.len_utf8() + 1;
        }
        // Plural possessive: "presidents' day".
        (Some(a), next) if is_apostrophe(a) && s[st..j].ends_with('s') && !next.is_some_and(char::is_alphabetic) => {
            possessive = true;
            end = j + a.len_utf8();
        }
        _ => {}
    }
    out.push(Token { kind: Kind::Word, start: st, text_end: j, end, val: None, ordinal: false, possessive });
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes(raw: &str) -> Vec<(Kind, String, bool, bool)> {
        let t = Text::new(raw);
        tokens(&t).iter().map(|k| (k.kind, t.norm[k.start..k.text_end].to_string(), k.ordinal, k.possessive)).collect()
    }

    #[test]
    fn words_numbers_and_signs_apart() {
        use Kind::*;
        let s = |k: Kind, x: &str| (k, x.to_string(), false, false);
        assert_eq!(shapes("30d, 1.5k"), [s(Num, "30"), s(Word, "d"), s(Punct, ","), s(Num, "1.5"), s(Word, "k")]);
        assert_eq!(shapes("the 15th of Mother's Day")[1], (Num, "15".into(), true, false));
        assert_eq!(shapes("Mother's Day")[0], (Word, "mother".into(), false, true));
        assert_eq!(shapes("Presidents' Day")[0], (Word, "presidents".into(), false, true));
        assert_eq!(shapes("Zürich–Köln")[..2], [s(Word, "zürich"), s(Punct, "-")]);
    }
}
