//! Phrase dictionaries compiled once into one byte trie each.
//!
//! Specialists keep their vocabulary in data files (`fixtures/`), never in match arms. A
//! [`Lexicon`] walks its trie over [`Text::fold`] from each position where a whole word can start
//! ([`Text::starts`]), keeps only whole-word hits that satisfy the entry's case rule, and resolves
//! overlaps leftmost-longest, so "k-pop" wins over "pop" and "mexico city" over "mexico".
//! From a word, the walk starts after the word: a phrase's first word is looked up once by the
//! hash the message computed for it ([`Text::word_hashes`]), and words that begin no phrase are
//! passed over by a small bit set.

mod trie;

use super::numbers::{hash_word, HashedWords};
use super::text::{normalise_phrase, Text};
use trie::Trie;

/// How the original capitalisation must look for an entry to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Any case.
    Any,
    /// First letter upper case in the original text, unless the whole message is lower case
    /// (city names that are also English words: "Reading", "Nice").
    Capitalised,
    /// First letter upper case in the original text, always ("Chad", "Turkey": everyday words).
    Strict,
    /// Every letter upper case in the original text (codes: "DE", "LA", "NYC").
    Upper,
}

/// One hit of a lexicon entry in a text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit<T> {
    /// Byte range in the text's `norm`/`fold`.
    pub start: usize,
    pub end: usize,
    pub value: T,
}

/// A compiled dictionary from phrases to values.
pub struct Lexicon<T> {
    trie: Trie,
    entries: Vec<(T, Case)>,
    /// The first words of the phrases, as bits of their hashes ([`FirstWords`]).
    first_words: FirstWords,
    /// Each first word's node of the trie: a walk from a word jumps over the word in one
    /// look-up (by the hash the message already has) instead of a step per byte.
    after_first: HashedWords<u32>,
}

/// Which words some phrase of a lexicon starts with, as one bit per hash bucket: a word whose
/// bit is clear starts no phrase, and its walk is skipped. A whole-word hit that starts at a word
/// is that word's full length at least (it ends where a word ends), so its phrase's first word
/// is the word itself. The words' hashes are found once per message ([`Text::word_hashes`]) for
/// every lexicon.
///
/// The bits are sized to the lexicon (about 16 buckets a first word, so few words pass by
/// chance): a message asks every lexicon about every word, and small bit sets stay in cache.
struct FirstWords {
    bits: Box<[u64]>,
    mask: usize,
}

impl FirstWords {
    fn new(words: usize) -> FirstWords {
        let buckets = (words * 16).next_power_of_two().clamp(512, 1 << 16);
        FirstWords { bits: vec![0; buckets / 64].into_boxed_slice(), mask: buckets - 1 }
    }

    fn bucket(&self, hash: u64) -> usize {
        ((hash ^ (hash >> 29)) as usize) & self.mask
    }

    fn insert(&mut self, hash: u64) {
        let b = self.bucket(hash);
        self.bits[b / 64] |= 1 << (b % 64);
    }

    fn may_start(&self, hash: u64) -> bool {
        let b = self.bucket(hash);
        self.bits[b / 64] & (1 << (b % 64)) != 0
    }
}

impl<T: Copy> Lexicon<T> {
    /// Compiles `(phrase, value, case)` entries. Phrases are normalised like message text; an
    /// empty phrase is skipped. A phrase may be listed with several values: all are candidates.
    pub fn new<I, S>(entries: I) -> Lexicon<T>
    where
        I: IntoIterator<Item = (S, T, Case)>,
        S: AsRef<str>,
    {
        let mut patterns: Vec<String> = Vec::new();
        let mut values: Vec<(T, Case)> = Vec::new();
        for (phrase, value, case) in entries {
            let p = normalise_phrase(phrase.as_ref());
            if p.is_empty() {
                continue;
            }
            patterns.push(p);
            values.push((value, case));
        }
        let trie = Trie::new(patterns.iter().map(String::as_bytes));
        // A phrase that starts with a sign ("$", "#") is walked at signs only.
        let firsts: std::collections::HashSet<&str> = patterns
            .iter()
            .map(|p| p.split(|c: char| !c.is_alphanumeric()).next().unwrap_or(""))
            .filter(|w| !w.is_empty())
            .collect();
        let mut first_words = FirstWords::new(firsts.len());
        let mut after_first = HashedWords::default();
        for word in firsts {
            first_words.insert(hash_word(word.as_bytes()));
            if let Some(node) = trie.node_of(word.as_bytes()) {
                *after_first.entry(word) = node;
            }
        }
        Lexicon { trie, entries: values, first_words, after_first }
    }

    /// All whole-word hits, non-overlapping, leftmost-longest, in text order.
    pub fn find(&self, text: &Text) -> Vec<Hit<T>> {
        resolve(self.candidates(text))
    }

    /// Every whole-word hit that satisfies its case rule, overlapping, sorted by start and then
    /// longest first (the input of [`resolve`] for callers that filter candidates first).
    pub fn candidates(&self, text: &Text) -> Vec<Hit<T>> {
        // A whole-word hit starts at a word start or at a sign ("$", "#"), and the trie walk from
        // such a position goes only as far as some phrase continues: no search inside words
        // ("us" in "business"), and most positions end after a byte or two.
        let hay = text.fold.as_bytes();
        let (words, hashes) = (&text.words, text.word_hashes());
        let mut hits: Vec<Hit<T>> = Vec::new();
        let mut k = 0; // the first word not before `start`
        for &start in &text.starts {
            if !self.trie.starts_with(hay[start]) {
                continue;
            }
            while words.get(k).is_some_and(|w| w.start < start) {
                k += 1;
            }
            let first = hits.len();
            // Nothing alphanumeric precedes a start: only the end needs checking.
            let mut found = |end: usize, id: u32| {
                let (value, case) = self.entries[id as usize];
                if text.ends_word(end) && case_ok(text, start, end, case) {
                    hits.push(Hit { start, end, value });
                }
            };
            match words.get(k).filter(|w| w.start == start) {
                // A hit from a word's start covers the whole word (it ends where a word ends):
                // the word must be a phrase's first word, and the walk goes on after it.
                Some(w) => {
                    if !self.first_words.may_start(hashes[k]) {
                        continue;
                    }
                    let Some(&node) = self.after_first.get(hashes[k], &hay[w.start..w.end]) else { continue };
                    self.trie.walk_from(node, hay, w.end, &mut found);
                }
                None => self.trie.walk(hay, start, &mut found),
            }
            // The walk reports shortest first; callers want the longest first, and one phrase's
            // several values in the order they were listed: reverse, then restore that order
            // within each run of one end.
            // One hit or none (nearly every start) is in order already.
            if hits.len() - first < 2 {
                continue;
            }
            let found = &mut hits[first..];
            found.reverse();
            for run in found.chunk_by_mut(|a, b| a.end == b.end) {
                run.reverse();
            }
        }
        hits
    }
}

/// Keeps the leftmost-longest non-overlapping hits of sorted candidates; among equal spans the
/// first candidate wins.
pub fn resolve<T>(mut candidates: Vec<Hit<T>>) -> Vec<Hit<T>> {
    let mut end = 0;
    candidates.retain(|h| {
        let keep = h.start >= end;
        if keep {
            end = h.end;
        }
        keep
    });
    candidates
}

fn case_ok(text: &Text, start: usize, end: usize, case: Case) -> bool {
    match case {
        Case::Any => true,
        Case::Capitalised => text.all_lowercase() || text.is_capitalised(start),
        Case::Strict => text.is_capitalised(start),
        Case::Upper => text.is_all_upper(start, end),
    }
}

/// Parses a tab-separated data file: skips blank lines, `#` comments and the header line.
pub fn tsv_rows(data: &str) -> impl Iterator<Item = Vec<&str>> {
    data.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .skip(1)
        .map(|l| l.split('\t').map(str::trim).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> Lexicon<u8> {
        Lexicon::new([
            ("pop", 1, Case::Any),
            ("k-pop", 2, Case::Any),
            ("mexico", 3, Case::Any),
            ("mexico city", 4, Case::Any),
            ("LA", 5, Case::Upper),
            ("Reading", 6, Case::Capitalised),
        ])
    }

    #[test]
    fn longest_whole_word_wins() {
        let t = Text::new("K-pop and pop fans in Mexico City, not popular");
        let v: Vec<u8> = lex().find(&t).into_iter().map(|h| h.value).collect();
        assert_eq!(v, vec![2, 1, 4]);
    }

    #[test]
    fn only_words_that_start_a_phrase_are_walked_and_none_is_missed() {
        let l = Lexicon::new([
            ("#1 hits", 1, Case::Any),
            ("r&b", 2, Case::Any),
            ("Zürich", 3, Case::Any),
            ("new york", 4, Case::Any),
            ("$5 deal", 5, Case::Any),
        ]);
        let found = |s: &str| l.find(&Text::new(s)).into_iter().map(|h| h.value).collect::<Vec<u8>>();
        assert_eq!(found("R&B and #1 hits in ZÜRICH, a $5 deal in New York"), [2, 1, 3, 5, 4]);
        assert!(found("new yorkers from zürichsee love rnb").is_empty());
    }

    #[test]
    fn case_rules() {
        let l = lex();
        assert!(l.find(&Text::new("fans in la la land")).is_empty());
        assert_eq!(l.find(&Text::new("fans in LA")).len(), 1);
        assert!(l.find(&Text::new("Fans who like reading")).is_empty());
        assert_eq!(l.find(&Text::new("Fans in Reading")).len(), 1);
        assert_eq!(l.find(&Text::new("fans in reading")).len(), 1, "all-lowercase message");
    }

    #[test]
    fn tsv_skips_header_and_comments() {
        let rows: Vec<Vec<&str>> = tsv_rows("# c\na\tb\n\nx\ty\n").collect();
        assert_eq!(rows, vec![vec!["x", "y"]]);
    }
}
