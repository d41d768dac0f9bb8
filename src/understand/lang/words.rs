//! Closed word classes (`fixtures/lang/word_classes.tsv`) and the stopword table
//! (`fixtures/lang/stopwords.tsv`), compiled in and loaded once.

use std::sync::OnceLock;

use crate::understand::lexicon::tsv_rows;
use crate::understand::numbers::HashedWords;
use crate::understand::text::Text;

const WORD_CLASSES: &str = include_str!("../../../fixtures/lang/word_classes.tsv");
const STOPWORDS: &str = include_str!("../../../fixtures/lang/stopwords.tsv");

/// A closed class of words named in `word_classes.tsv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    VerbLead,
    MomentBefore,
    MomentAfter,
    Limit,
    Org,
    PlacePreposition,
    Owner,
    All,
    CommonPlaceWord,
    WordLikeCode,
    FirstPerson,
    AudienceNoun,
    Intent,
    Greeting,
    CodeLead,
    TheCode,
    Closing,
    NumberLabel,
    FanNoun,
    GivenName,
    HeaderField,
    SubjectField,
    ReplyPrefix,
    DeviceSignature,
}

impl Class {
    fn parse(s: &str) -> Option<Class> {
        Some(match s {
            "verb_lead" => Class::VerbLead,
            "moment_before" => Class::MomentBefore,
            "moment_after" => Class::MomentAfter,
            "limit" => Class::Limit,
            "org" => Class::Org,
            "place_preposition" => Class::PlacePreposition,
            "owner" => Class::Owner,
            "all" => Class::All,
            "common_place_word" => Class::CommonPlaceWord,
            "word_like_code" => Class::WordLikeCode,
            "first_person" => Class::FirstPerson,
            "audience_noun" => Class::AudienceNoun,
            "intent" => Class::Intent,
            "greeting" => Class::Greeting,
            "code_lead" => Class::CodeLead,
            "the_code" => Class::TheCode,
            "closing" => Class::Closing,
            "number_label" => Class::NumberLabel,
            "fan_noun" => Class::FanNoun,
            "given_name" => Class::GivenName,
            "header_field" => Class::HeaderField,
            "subject_field" => Class::SubjectField,
            "reply_prefix" => Class::ReplyPrefix,
            "device_signature" => Class::DeviceSignature,
            _ => return None,
        })
    }
}

/// In a word's class set ([`Classes`]), the bit of the stopword table (the classes take the low bits).
const STOPWORD: u32 = 1 << 31;

struct Tables {
    /// Per word, the classes it belongs to (bit `Class as u32`) and whether it is a stopword
    /// ([`STOPWORD`]): one lookup answers every question about a word.
    classes: HashedWords<u32>,
    /// Per class, the byte length of its longest entry (a longer text is in no class).
    longest: Vec<usize>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut classes: HashedWords<u32> = HashedWords::default();
        let mut longest: Vec<usize> = Vec::new();
        for row in tsv_rows(WORD_CLASSES) {
            if let (Some(word), Some(class)) = (row.first(), row.get(1).and_then(|c| Class::parse(c))) {
                *classes.entry(word) |= 1 << class as u32;
                let c = class as usize;
                if longest.len() <= c {
                    longest.resize(c + 1, 0);
                }
                longest[c] = longest[c].max(word.len());
            }
        }
        for word in tsv_rows(STOPWORDS).filter_map(|r| r.first().copied()) {
            *classes.entry(word) |= STOPWORD;
        }
        Tables { classes, longest }
    })
}

/// Everything the tables say about one word, looked up once: readers that ask several
/// questions of the same word (a class, another class, a stopword) hash it once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Classes(u32);

impl Classes {
    /// Whether the word belongs to `class`.
    #[inline]
    pub fn has(self, class: Class) -> bool {
        self.0 & (1 << class as u32) != 0
    }

    /// Whether the word is a stopword ([`is_stopword`]).
    #[inline]
    pub fn is_stopword(self) -> bool {
        self.0 & STOPWORD != 0
    }
}

/// The classes of `word` (normalised) and whether it is a stopword.
pub fn classes(word: &str) -> Classes {
    Classes(tables().classes.get_word(word).copied().unwrap_or(0))
}

/// Whether `word` (normalised) belongs to `class`.
pub fn is(class: Class, word: &str) -> bool {
    word.len() <= longest(class) && classes(word).has(class)
}

/// The byte length of the longest entry of `class` (a line longer than that is no closing).
pub fn longest(class: Class) -> usize {
    tables().longest.get(class as usize).copied().unwrap_or(0)
}

/// The classes of word `k` of `text` ([`Text::words`]), as [`classes`] of its text: every word's
/// are looked up once per message, on first use, for every reader that asks by word index.
pub fn at(text: &Text, k: usize) -> Classes {
    let all = text.word_classes.get_or_init(|| {
        // By the hashes every lexicon reads too: each word is hashed once per message.
        let table = &tables().classes;
        let words = text.words.iter().zip(text.word_hashes());
        words.map(|(w, &h)| table.get(h, text.word(*w).as_bytes()).copied().unwrap_or(0)).collect()
    });
    Classes(all.get(k).copied().unwrap_or(0))
}

/// Whether `word` (normalised) is a stopword: a function word, a pleasantry or an ordinary word
/// that carries nothing for the brief, and is no place either.
pub fn is_stopword(word: &str) -> bool {
    classes(word).is_stopword()
}

/// Whether `a` becomes `b` by exactly one edit: a character replaced, added or removed, or two
/// neighbouring characters swapped (Damerau–Levenshtein distance 1). The typo readers ask this
/// of many word pairs; one pass with no table and no allocation answers it.
pub fn one_edit_apart(a: &str, b: &str) -> bool {
    let (mut a, mut b) = (a.chars(), b.chars());
    // Skip the common prefix; the first difference decides which edit it can be.
    loop {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (None, None) => return false,
            // One side ended: the other must have exactly one character left.
            (None, Some(_)) => return b.next().is_none(),
            (Some(_), None) => return a.next().is_none(),
            (Some(x), Some(y)) => {
                let (ra, rb) = (a.as_str(), b.as_str());
                let replaced = ra == rb;
                let added = rb.strip_prefix(x) == Some(ra);
                let removed = ra.strip_prefix(y) == Some(rb);
                let swapped = ra.strip_prefix(y).is_some_and(|p| Some(p) == rb.strip_prefix(x));
                return replaced || added || removed || swapped;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_and_stopwords_load() {
        assert!(is(Class::VerbLead, "please"));
        assert!(is(Class::Org, "brand"));
        assert!(is(Class::PlacePreposition, "in"));
        assert!(!is(Class::Org, "germany"));
        let t = Text::new("Hello Org brand in Germany");
        assert!(at(&t, 2).has(Class::Org) && !at(&t, 3).has(Class::Org) && at(&t, 3).has(Class::PlacePreposition));
        assert!(at(&t, 0).is_stopword() && !at(&t, 4).is_stopword() && !at(&t, 9).has(Class::Org));
        for w in ["the", "hello", "thanks", "monday", "december", "spotify"] {
            assert!(is_stopword(w), "{w}");
        }
        assert!(!is_stopword("germany"));
    }

    /// Damerau–Levenshtein distance by the textbook table (optimal string alignment, which
    /// agrees with it on whether the distance is 1).
    fn distance(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                }
            }
        }
        d[a.len()][b.len()]
    }

    #[test]
    fn one_edit_apart_is_distance_one() {
        // Every pair of strings of up to four letters from a three-letter alphabet (and "é").
        let mut level = vec![String::new()];
        let mut all = level.clone();
        for _ in 0..4 {
            level = level.iter().flat_map(|s| ["a", "b", "é"].map(|c| format!("{s}{c}"))).collect();
            all.extend_from_slice(&level);
        }
        for a in &all {
            for b in &all {
                assert_eq!(one_edit_apart(a, b), distance(a, b) == 1, "{a:?} {b:?}");
            }
        }
        assert!(one_edit_apart("germnay", "germany") && one_edit_apart("awarness", "awareness"));
        assert!(!one_edit_apart("germany", "germany") && !one_edit_apart("grmnay", "germany"));
    }
}
