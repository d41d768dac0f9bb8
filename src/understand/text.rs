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
    /// The tokens the date reader builds on ([`crate::understand::lang::tokens`]).
    pub(crate) tokens: std::sync::OnceLock<Vec<crate::understand::lang::tokens::Token>>,
    /// Per word, the hash every lexicon checks before walking from it.
    word_hashes: std::sync::OnceLock<Vec<u64>>,
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
/// Written without branches, so that a run of ASCII is folded many bytes at a time.
#[inline]
fn ascii_fold(a: u8) -> u8 {
    // Tab, line breaks and the other control characters.
    let a = if a.is_ascii_control() { b' ' } else { a };
    if a == b'`' {
        b'\''
    } else {
        a
    }
}

impl Text {
    /// Normalises `raw`.
    pub fn new(raw: &str) -> Text {
        let n = raw.len() + 8;
        let (mut norm, mut upper) = (Vec::with_capacity(n), Vec::with_capacity(n));
        let mut lines = vec![0];
        let bytes = raw.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // Most of a message is ASCII: its runs go a byte at a time, no case-mapping tables.
            let rest = &bytes[i..];
            let run = match rest.is_ascii() {
                true => rest,
                false => &rest[..rest.iter().position(|c| !c.is_ascii()).unwrap_or(rest.len())],
            };
            let base = norm.len();
            if run.contains(&b'\n') {
                lines.extend(run.iter().enumerate().filter(|(_, &c)| c == b'\n').map(|(k, _)| base + k + 1));
            }
            norm.extend(run.iter().map(|&c| ascii_fold(c).to_ascii_lowercase()));
            upper.extend(run.iter().map(u8::is_ascii_uppercase));
            i += run.len();
            let Some(c) = raw.get(i..).and_then(|r| r.chars().next()) else { break };
            i += c.len_utf8();
            let c = fold_char(c);
            let is_upper = c.is_uppercase();
            for lc in c.to_lowercase() {
                let mut buf = [0; 4];
                let encoded = lc.encode_utf8(&mut buf).as_bytes();
                norm.extend_from_slice(encoded);
                upper.extend(std::iter::repeat_n(is_upper, encoded.len()));
            }
        }
        // Bytes of characters beyond ASCII are all >= 0x80: only the ASCII signs change.
        let mut fold = norm.clone();
        for c in &mut fold {
            // Four compares and no branch: the loop runs many bytes at a time.
            let sign = (*c == b'-') | (*c == b'/') | (*c == b'_') | (*c == b'+');
            *c = if sign { b' ' } else { *c };
        }
        let utf8 = "built from whole characters";
        let (norm, fold) = (String::from_utf8(norm).expect(utf8), String::from_utf8(fold).expect(utf8));
        let (words, starts) = words_and_starts(&norm, &fold);
        Text {
            any_upper: upper.contains(&true),
            norm,
            fold,
            upper,
            words,
            starts,
            lines,
            marked: std::sync::OnceLock::new(),
            cues: std::sync::OnceLock::new(),
            languages: std::sync::OnceLock::new(),
            word_classes: std::sync::OnceLock::new(),
            tokens: std::sync::OnceLock::new(),
            word_hashes: std::sync::OnceLock::new(),
        }
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

    /// Per word ([`Text::words`]), the hash of its text ([`crate::understand::numbers::hash_word`]),
    /// found on first use and shared by every lexicon.
    pub fn word_hashes(&self) -> &[u64] {
        self.word_hashes.get_or_init(|| {
            self.words.iter().map(|w| crate::understand::numbers::hash_word(self.word(*w).as_bytes())).collect()
        })
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

/// The words of `norm` (runs of letters and digits) and the offsets where a phrase can start:
/// a word's first character, or a sign that no letter or digit precedes and that is no space
/// in `fold` (so "-" in "k-pop" starts nothing).
fn words_and_starts(norm: &str, fold: &str) -> (Vec<Word>, Vec<usize>) {
    let (b, f) = (norm.as_bytes(), fold.as_bytes());
    let mut words = Vec::with_capacity(b.len() / 5 + 1);
    let mut starts = Vec::with_capacity(b.len() / 4 + 1);
    let (mut prev_alnum, mut word_start) = (false, 0);
    let mut at = 0;
    while at < b.len() {
        let (alnum, space, width) = if b[at].is_ascii() {
            // Control characters are spaces by now: a space is the only ASCII white space left.
            (b[at].is_ascii_alphanumeric(), f[at] == b' ', 1)
        } else {
            let c = norm[at..].chars().next().unwrap_or(' ');
            (c.is_alphanumeric(), c.is_whitespace(), c.len_utf8())
        };
        if alnum && !prev_alnum {
            word_start = at;
        } else if !alnum && prev_alnum {
            words.push(Word { start: word_start, end: at });
        }
        if !prev_alnum && (alnum || !space) {
            starts.push(at);
        }
        prev_alnum = alnum;
        at += width;
    }
    if prev_alnum {
        words.push(Word { start: word_start, end: b.len() });
    }
    (words, starts)
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
    fn a_character_beyond_ascii_leaves_the_views_of_the_ascii_before_it_alone() {
        // ASCII runs are normalised a run at a time, other characters one by one: a trailing
        // "é" must not change any view of the text before it.
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
