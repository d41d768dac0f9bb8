//! Genres named by a word that means a genre only among fans: "country" is the genre in
//! "country fans", "country + rock fans", "pop and country listeners", "country/folk fans" and
//! "fans of pop and country", and an ordinary word in "country manager" or "a country with…"
//! (the `fan_genre` rows of `fixtures/taxonomy/targeting.tsv`; the fan nouns are the `fan_noun`
//! class of `fixtures/lang/word_classes.tsv`).

use super::places::joins;
use crate::understand::lang::words::{self, Class};
use crate::understand::text::{Text, Word};

/// How many list members may stand between such a word and its fan noun.
const MAX_MEMBERS: usize = 4;

/// Whether the word at `start..end` stands among fans: followed by a fan noun, directly or through
/// a list ("country + rock fans"), or after a fan noun and "of" ("fans of pop and country"). A
/// list member is a `genre` word (`is_genre` tells by its span), or a plain word joined by a sign
/// or "and"/"or" ("country/folk fans").
pub(super) fn among_fans(text: &Text, start: usize, end: usize, is_genre: impl Fn(Word) -> bool) -> bool {
    let ws = &text.words;
    let first = ws.partition_point(|w| w.start < start);
    let last = ws.partition_point(|w| w.start < end).saturating_sub(1);
    let plain = |w: Word| {
        let word = text.word(w);
        word.chars().all(char::is_alphabetic)
            && !words::is_stopword(word)
            && !words::is(Class::AudienceNoun, word)
            && !words::is(Class::Org, word)
    };
    let member = |w: Word, joined: bool| is_genre(w) || (joined && plain(w));
    before_fans(text, last, &member) || after_fans_of(text, first, &member)
}

/// Forward from word `k`: list members, then a fan noun ("country + rock fans").
fn before_fans(text: &Text, mut k: usize, member: &dyn Fn(Word, bool) -> bool) -> bool {
    let ws = &text.words;
    for _ in 0..=MAX_MEMBERS {
        let Some(&next) = ws.get(k + 1) else { return false };
        let gap = &text.norm[ws[k].end..next.start];
        let spaced = gap.trim().is_empty();
        if spaced && words::is(Class::FanNoun, text.word(next)) {
            return true;
        }
        // "and"/"or" are words of their own: the member is the word after them.
        let (joined, m) = match text.word(next) {
            "and" | "or" if spaced => (true, k + 2),
            _ => (joins(gap) && !spaced, k + 1),
        };
        // Side by side ("country rock fans") only genres stand.
        if !ws.get(m).is_some_and(|&w| member(w, joined)) || !(joined || spaced) {
            return false;
        }
        k = m;
    }
    false
}

/// Backward from word `k`: list members, then "of" after a fan noun ("fans of pop and country").
fn after_fans_of(text: &Text, mut k: usize, member: &dyn Fn(Word, bool) -> bool) -> bool {
    let ws = &text.words;
    for _ in 0..=MAX_MEMBERS {
        let Some(p) = k.checked_sub(1) else { return false };
        if text.word(ws[p]) == "of" {
            return p.checked_sub(1).is_some_and(|f| words::is(Class::FanNoun, text.word(ws[f])));
        }
        let gap = &text.norm[ws[p].end..ws[k].start];
        let (joined, m) = match text.word(ws[p]) {
            "and" | "or" if gap.trim().is_empty() => (true, p.checked_sub(1)),
            _ => (joins(gap) && !gap.trim().is_empty(), Some(p)),
        };
        match m {
            Some(m) if joined && member(ws[m], true) => k = m,
            _ => return false,
        }
    }
    false
}
