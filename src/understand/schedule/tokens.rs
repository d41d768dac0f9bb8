//! The schedule tokenizer: words, numbers (with ordinal suffixes) and punctuation with byte
//! offsets into [`crate::understand::Text::norm`]; each word is looked up in the tables once.

use std::sync::OnceLock;

use chrono::Weekday;

use super::vocab::vocab;
use super::Span;
use crate::understand::numbers::{count_word, ordinal_and_count_words, ordinal_word, WordMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Word,
    Num,
    Punct,
}

/// One token of the lowercased message; `start..end` are byte offsets into it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tok<'a> {
    pub(super) kind: Kind,
    pub(super) text: &'a str,
    pub(super) start: usize,
    pub(super) end: usize,
    /// Integer value of a plain digit run (no separators, at most 9 digits).
    pub(super) val: Option<i64>,
    /// Digits followed by st/nd/rd/th ("15th").
    pub(super) ordinal: bool,
    /// A word followed by "'s" ("mother's").
    pub(super) possessive: bool,
    /// Table lookups done once per word (month, weekday, unit, number word, ordinal word).
    pub(super) lex: Lex,
}

/// What a word means in the data tables, looked up once by the tokenizer.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Lex {
    pub(super) month: Option<u32>,
    pub(super) weekday: Option<Weekday>,
    pub(super) unit: Option<Span>,
    pub(super) number: Option<i64>,
    pub(super) ordinal: Option<i64>,
    /// Cue classes ([`super::vocab::Class`]) as a bit set.
    pub(super) classes: u64,
    /// The first word of a cue phrase ("same length").
    pub(super) phrase: bool,
    /// The first word of a named day or period ("black" of "black friday").
    pub(super) named: bool,
}

impl Lex {
    /// What `w` means in the tables: one lookup in a map of every table word, not one per table.
    pub(super) fn of(w: &str) -> Lex {
        static ALL: OnceLock<WordMap<&'static str, Lex>> = OnceLock::new();
        let all = ALL.get_or_init(|| {
            // A word in none of the tables means nothing: those words are all the keys needed.
            let words = vocab().calendar_words().chain(ordinal_and_count_words());
            words.map(|w| (w, Lex::look_up(w))).collect()
        });
        all.get(w).copied().unwrap_or_default()
    }

    fn look_up(w: &str) -> Lex {
        let v = vocab();
        Lex {
            month: v.month(w),
            weekday: v.weekday(w),
            unit: v.unit(w),
            number: count_word(w),
            ordinal: ordinal_word(w),
            classes: v.classes(w),
            phrase: v.starts_phrase(w),
            named: !v.named(w).is_empty(),
        }
    }

    /// Whether the word is in no schedule table (nor an opener): no date phrase begins with it.
    pub(super) fn inert(&self) -> bool {
        let Lex { month, weekday, unit, number, ordinal, classes, phrase, named } = *self;
        month.is_none()
            && weekday.is_none()
            && unit.is_none()
            && number.is_none()
            && ordinal.is_none()
            && classes == 0
            && !phrase
            && !named
    }
}

pub(super) fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Splits lowercased text into words (letters), numbers (digits with inner `.`/`,` groups) and
/// single punctuation characters. Letters and digits are split apart ("30d" → "30", "d").
pub(super) fn tokenize(s: &str) -> Vec<Tok<'_>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(s.len() / 3 + 1);
    let mut i = 0;
    while let Some(c) = s.get(i..).and_then(|r| r.chars().next()) {
        if c.is_whitespace() {
            i += c.len_utf8();
        } else if c.is_ascii_digit() {
            i = push_number(s, b, i, &mut out);
        } else if c.is_alphabetic() {
            i = push_word(s, i, &mut out);
        } else {
            let end = i + c.len_utf8();
            let text = &s[i..end];
            // Punctuation is a cue too ("–" links dates, "/" separates fields).
            let lex = Lex { classes: vocab().classes(text), ..Lex::default() };
            out.push(Tok { kind: Kind::Punct, text, start: i, end, val: None, ordinal: false, possessive: false, lex });
            i = end;
        }
    }
    out
}

pub(super) fn push_number<'a>(s: &'a str, b: &[u8], st: usize, out: &mut Vec<Tok<'a>>) -> usize {
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
    let text = &s[st..j];
    let val = if sep || text.len() > 9 { None } else { text.parse().ok() };
    let suffix = b.get(j..j + 2).unwrap_or(&[]);
    let after = b.get(j + 2).is_some_and(|c| c.is_ascii_alphabetic());
    let ordinal = matches!(suffix, b"st" | b"nd" | b"rd" | b"th") && !after && val.is_some();
    let end = if ordinal { j + 2 } else { j };
    out.push(Tok { kind: Kind::Num, text, start: st, end, val, ordinal, possessive: false, lex: Lex::default() });
    end
}

pub(super) fn push_word<'a>(s: &'a str, st: usize, out: &mut Vec<Tok<'a>>) -> usize {
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
    out.push(Tok {
        kind: Kind::Word,
        text: &s[st..j],
        start: st,
        end,
        val: None,
        ordinal: false,
        possessive,
        lex: Lex::of(&s[st..j]),
    });
    end
}
