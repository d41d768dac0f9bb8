//! One normalised view of a message that every specialist reads.
//!
//! Messages arrive as typed in Slack: mixed case, typographic dashes and quotes, emoji, non-breaking
//! spaces. `Text` lowercases once, folds the typographic variants to ASCII, and keeps, per byte of
//! the normalised text, whether the original character was upper case (country codes such as
//! "DE" and "LA" only count when written in capitals). `fold` is the same text with hyphens, slashes
//! and underscores turned into spaces, so "hip-hop" and "hip hop" match one lexicon entry; both
//! strings have identical byte offsets.

use super::lexicon::Hit;
use super::router::Route;

/// A word: a maximal run of alphanumeric characters, as byte offsets into [`Text::norm`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    pub start: usize,
    pub end: usize,
}

impl Word {
    /// Whether the word holds a digit.
    pub fn has_digit(&self, text: &Text) -> bool {
        text.norm.as_bytes()[self.start..self.end].iter().any(u8::is_ascii_digit)
    }
}

/// The normalised message.
#[derive(Debug, Clone)]
pub struct Text {
    /// Lowercased, typographic punctuation folded to ASCII.
    pub norm: String,
    /// `norm` with `-`, `/`, `_` and `+` replaced by spaces (same byte offsets).
    pub fold: String,
    /// Per byte of `norm`: the original character was upper case.
    upper: Vec<bool>,
    /// The words of `norm`, in order.
    pub words: Vec<Word>,
    /// Byte offsets where a whole-word phrase can start, ascending: the first character of a
    /// word, and a sign ("$", "#"; not a space) that no letter or digit precedes. Found once
    /// here for every lexicon that reads the message.
    pub starts: Vec<usize>,
    /// Byte offset where each line of the original message starts (the first is 0).
    pub lines: Vec<usize>,
    /// Whether any character was upper case (asked per word and per hit: kept, not rescanned).
    any_upper: bool,
    /// The parts that are not prose (headers, addresses, phone and reference numbers), found on
    /// first use and then shared by every specialist.
    marked: std::sync::OnceLock<Vec<(usize, usize)>>,
    /// The router's cue phrases ([`crate::understand::router`]) and the language names
    /// ([`crate::understand::gazetteer`]): each read by several specialists and by the account of
    /// unread words, so found on first use and kept.
    pub(crate) cues: std::sync::OnceLock<Vec<Hit<Route>>>,
    pub(crate) languages: std::sync::OnceLock<Vec<Hit<u16>>>,
    /// Per word, its closed classes and stopword mark ([`crate::understand::lang::words`]).
    pub(crate) word_classes: std::sync::OnceLock<Vec<u32>>,
    /// The tokens the date and money readers build on ([`crate::understand::lang::tokens`]).
    pub(crate) tokens: std::sync::OnceLock<Vec<crate::understand::lang::tokens::Token>>,
}

/// Maps typographic characters to their plain ASCII equivalent.
fn fold_char(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}' | '\u{2212}' => '-',
        '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\u{2009}' | '\u{200A}' | '\t' | '\r' | '\n' => ' ',
        c if c.is_control() => ' ',
        c => c,
    }
}

/// [`fold_char`] for an ASCII character, on bytes.
#[inline]
fn ascii_fold(a: u8) -> u8 {
    match a {
        b'`' => b'\'',
        // Tab, line breaks and the other control characters.
        a if a.is_ascii_control() => b' ',
        a => a,
    }
}

impl Text {
    /// Normalises `raw`.
    pub fn new(raw: &str) -> Text {
        let n = raw.len() + 8;
        let mut b = Builder {
            norm: Vec::with_capacity(n),
            fold: Vec::with_capacity(n),
            upper: Vec::with_capacity(n),
            words: Vec::with_capacity(n / 5),
            starts: Vec::with_capacity(n / 4),
            any_upper: false,
            word: None,
            prev_alnum: false,
        };
        let mut lines = vec![0];
        if raw.is_ascii() {
            // Most messages are plain ASCII: each view is one pass over the bytes, and only the
            // word and phrase starts are found character by character.
            let bytes = raw.as_bytes();
            b.norm.extend(bytes.iter().map(|&c| ascii_fold(c).to_ascii_lowercase()));
            b.fold.extend(b.norm.iter().map(|&c| if matches!(c, b'-' | b'/' | b'_' | b'+') { b' ' } else { c }));
            b.upper.extend(bytes.iter().map(u8::is_ascii_uppercase));
            b.any_upper = b.upper.contains(&true);
            lines.extend(bytes.iter().enumerate().filter(|(_, &c)| c == b'\n').map(|(i, _)| i + 1));
            for i in 0..bytes.len() {
                // Control characters are spaces by now: a space is the only ASCII white space left.
                b.mark(i, b.norm[i].is_ascii_alphanumeric(), b.fold[i] == b' ', false);
            }
            return b.finish(lines);
        }
        for c in raw.chars() {
            if c.is_ascii() {
                // An ASCII character among others: a byte, no case-mapping tables.
                let a = ascii_fold(c as u8);
                if c == '\n' {
                    lines.push(b.norm.len() + 1);
                }
                b.push_ascii(a.to_ascii_lowercase(), a.is_ascii_uppercase());
                continue;
            }
            let c = fold_char(c);
            let is_upper = c.is_uppercase();
            for lc in c.to_lowercase() {
                if lc.is_ascii() {
                    b.push_ascii(lc as u8, is_upper);
                } else {
                    b.push_other(lc, is_upper);
                }
            }
        }
        b.finish(lines)
    }

    /// Byte ranges of `norm` that are not prose ([`crate::understand::lang::marks`]): e-mail
    /// headers and subjects, addresses, phone and reference numbers with their labels. Sorted.
    pub fn marked(&self) -> &[(usize, usize)] {
        self.marked.get_or_init(|| crate::understand::lang::marks::all(self))
    }

    /// Whether `start..end` overlaps a part that is not prose.
    pub fn in_marked(&self, start: usize, end: usize) -> bool {
        // The marks are merged and disjoint: the last one starting before `end` decides.
        let m = self.marked();
        let n = m.partition_point(|r| r.0 < end);
        n > 0 && m[n - 1].1 > start
    }

    /// The normalised text of a word.
    pub fn word(&self, w: Word) -> &str {
        &self.norm[w.start..w.end]
    }

    /// Whether the original text had every letter in `start..end` in upper case.
    pub fn is_all_upper(&self, start: usize, end: usize) -> bool {
        let span = &self.norm[start..end];
        span.char_indices()
            .filter(|(_, c)| c.is_alphabetic())
            .all(|(i, _)| self.upper.get(start + i).copied().unwrap_or(false))
    }

    /// Whether the original character at byte `start` was upper case.
    pub fn is_capitalised(&self, start: usize) -> bool {
        self.upper.get(start).copied().unwrap_or(false)
    }

    /// Whether the message was typed without any capital letter (then capitalisation says nothing).
    pub fn all_lowercase(&self) -> bool {
        !self.any_upper
    }

    /// The text at `start..end` of `norm` with the user's capitals restored (for messages that
    /// quote the user).
    pub fn original(&self, start: usize, end: usize) -> String {
        let mut out = String::with_capacity(end.saturating_sub(start));
        for (i, c) in self.norm[start..end].char_indices() {
            if self.upper.get(start + i).copied().unwrap_or(false) {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
        }
        out
    }

    /// Whether no letter or digit starts at byte `end` of `norm` (a phrase ending there ends a
    /// word).
    #[inline]
    pub fn ends_word(&self, end: usize) -> bool {
        match self.norm.as_bytes().get(end) {
            None => true,
            Some(b) if b.is_ascii() => !b.is_ascii_alphanumeric(),
            Some(_) => !self.norm[end..].chars().next().is_some_and(char::is_alphanumeric),
        }
    }

    /// Whether byte range `start..end` of `norm` stands alone: no letter or digit touches it.
    pub fn is_bounded(&self, start: usize, end: usize) -> bool {
        let before = self.norm[..start].chars().next_back();
        let after = self.norm[end..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    }
}

/// The views of a [`Text`] while it is built, all in one pass over the message.
struct Builder {
    /// `norm` and `fold` as bytes: whole characters are appended, so both stay UTF-8.
    norm: Vec<u8>,
    fold: Vec<u8>,
    upper: Vec<bool>,
    words: Vec<Word>,
    starts: Vec<usize>,
    any_upper: bool,
    /// Start of the word being read.
    word: Option<usize>,
    /// Whether the previous character was a letter or digit.
    prev_alnum: bool,
}

impl Builder {
    /// The finished text: closes the last word.
    fn finish(self, lines: Vec<usize>) -> Text {
        let Builder { norm, fold, upper, mut words, starts, any_upper, word, .. } = self;
        if let Some(st) = word {
            words.push(Word { start: st, end: norm.len() });
        }
        let utf8 = "built from whole characters";
        Text {
            norm: String::from_utf8(norm).expect(utf8),
            fold: String::from_utf8(fold).expect(utf8),
            upper,
            words,
            starts,
            lines,
            any_upper,
            marked: std::sync::OnceLock::new(),
            cues: std::sync::OnceLock::new(),
            languages: std::sync::OnceLock::new(),
            word_classes: std::sync::OnceLock::new(),
            tokens: std::sync::OnceLock::new(),
        }
    }

    /// Appends one lower-case ASCII character of `norm` (`is_upper`: the original was a capital).
    #[inline]
    fn push_ascii(&mut self, lc: u8, is_upper: bool) {
        let at = self.norm.len();
        self.norm.push(lc);
        let fc = if matches!(lc, b'-' | b'/' | b'_' | b'+') { b' ' } else { lc };
        self.fold.push(fc);
        self.upper.push(is_upper);
        // Control characters are spaces by now: a space is the only ASCII white space left.
        self.mark(at, lc.is_ascii_alphanumeric(), fc == b' ', is_upper);
    }

    /// Appends one lower-case character beyond ASCII.
    fn push_other(&mut self, lc: char, is_upper: bool) {
        let at = self.norm.len();
        let mut buf = [0; 4];
        let bytes = lc.encode_utf8(&mut buf).as_bytes();
        self.norm.extend_from_slice(bytes);
        self.fold.extend_from_slice(bytes);
        self.upper.extend(std::iter::repeat_n(is_upper, bytes.len()));
        self.mark(at, lc.is_alphanumeric(), lc.is_whitespace(), is_upper);
    }

    /// Records where words and phrases may start, for the character just appended at `at`.
    #[inline]
    fn mark(&mut self, at: usize, alnum: bool, space: bool, is_upper: bool) {
        self.any_upper |= is_upper;
        if alnum {
            self.word.get_or_insert(at);
        } else if let Some(st) = self.word.take() {
            self.words.push(Word { start: st, end: at });
        }
        if !self.prev_alnum && (alnum || !space) {
            self.starts.push(at);
        }
        self.prev_alnum = alnum;
    }
}

/// Normalises a lexicon phrase the same way message text is normalised and folded.
pub fn normalise_phrase(phrase: &str) -> String {
    Text::new(phrase.trim()).fold
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_typography_and_keeps_offsets() {
        let t = Text::new("18–24 year olds in Germany’s South — DE");
        assert!(t.norm.starts_with("18-24 year olds in germany's"));
        assert_eq!(t.norm.len(), t.fold.len());
        assert!(t.fold.starts_with("18 24"));
        let de = t.norm.rfind("de").unwrap();
        assert!(t.is_all_upper(de, de + 2));
        let g = t.norm.find("germany").unwrap();
        assert!(t.is_capitalised(g));
        assert!(!t.is_all_upper(g, g + 7));
    }

    #[test]
    fn words_split_on_non_alphanumerics_and_survive_emoji() {
        let t = Text::new("São Paulo 🎉 hip-hop");
        let words: Vec<&str> = t.words.iter().map(|&w| t.word(w)).collect();
        assert_eq!(words, vec!["são", "paulo", "hip", "hop"]);
    }

    #[test]
    fn ascii_messages_read_as_the_character_path_reads_them() {
        // A trailing "é" sends the same text down the per-character path: every view of the
        // ASCII part must agree.
        for raw in [
            "Hi Team,\n\nReach 18-24s in DE/AT, $5k + `fees`\ttba.",
            "W25-34 / NL / 40K / Q3 #launch",
            "\r\nRe: UK_push -- 2 wks @ 3,000 GBP\u{7}ok",
        ] {
            let fast = Text::new(raw);
            let slow = Text::new(&format!("{raw} \u{e9}"));
            let n = raw.len();
            assert_eq!((&fast.norm[..], &fast.fold[..]), (&slow.norm[..n], &slow.fold[..n]), "{raw}");
            assert_eq!(fast.upper[..], slow.upper[..n], "{raw}");
            assert_eq!(fast.words[..], slow.words[..fast.words.len()], "{raw}");
            assert_eq!(slow.words.len(), fast.words.len() + 1, "{raw}");
            assert_eq!(fast.starts[..], slow.starts[..fast.starts.len()], "{raw}");
            assert_eq!((fast.lines.clone(), fast.any_upper), (slow.lines.clone(), slow.any_upper), "{raw}");
        }
    }

    #[test]
    fn phrases_start_at_words_and_free_signs() {
        let t = Text::new("Get $5k, k-pop fans (US) 5$ «é»");
        let at: Vec<&str> =
            t.starts.iter().map(|&s| &t.norm[s..]).map(|s| &s[..s.chars().next().map_or(0, char::len_utf8)]).collect();
        assert_eq!(at, vec!["g", "$", "5", "k", "p", "f", "(", "u", "5", "«", "é"]);
    }

    /// The ASCII path (a byte at a time) reads every ASCII character as the general one
    /// (folding, then case tables) does, and a space is the only white space it leaves.
    #[test]
    fn ascii_matches_the_general_path() {
        for a in 0u8..128 {
            let c = fold_char(char::from(a));
            let f = ascii_fold(a);
            assert_eq!(char::from(f.to_ascii_lowercase()), c.to_lowercase().next().unwrap_or(c), "{a}");
            assert_eq!(f.is_ascii_uppercase(), c.is_uppercase(), "{a}");
            assert_eq!(f.is_ascii_alphanumeric(), c.is_alphanumeric(), "{a}");
            assert_eq!(f == b' ', c.is_whitespace(), "{a}");
        }
    }

    #[test]
    fn control_characters_become_spaces() {
        let t = Text::new("a\u{0}b\nc");
        assert_eq!(t.norm, "a b c");
    }

    #[test]
    fn boundaries() {
        let t = Text::new("pop k-pop popular");
        assert!(t.is_bounded(0, 3));
        assert!(t.is_bounded(6, 9));
        assert!(!t.is_bounded(10, 13));
    }
}
