//! Closed word classes (`fixtures/lang/word_classes.tsv`) and the stopword table
//! (`fixtures/lang/stopwords.tsv`), compiled in and loaded once.

use std::sync::OnceLock;

use crate::understand::lexicon::tsv_rows;
use crate::understand::numbers::{WordMap, WordSet};

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
            _ => return None,
        })
    }
}

struct Tables {
    /// Per word, the classes it belongs to (bit `Class as u32`): one lookup per question.
    classes: WordMap<&'static str, u32>,
    stopwords: WordSet<&'static str>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut classes: WordMap<&'static str, u32> = WordMap::default();
        for row in tsv_rows(WORD_CLASSES) {
            if let (Some(word), Some(class)) = (row.first(), row.get(1).and_then(|c| Class::parse(c))) {
                *classes.entry(word).or_default() |= 1 << class as u32;
            }
        }
        let stopwords = tsv_rows(STOPWORDS).filter_map(|r| r.first().copied()).collect();
        Tables { classes, stopwords }
    })
}

/// Whether `word` (normalised) belongs to `class`.
pub fn is(class: Class, word: &str) -> bool {
    tables().classes.get(word).is_some_and(|bits| bits & (1 << class as u32) != 0)
}

/// Whether `word` (normalised) is a stopword: a function word, a pleasantry or an ordinary word
/// that carries nothing for the brief, and is no place either.
pub fn is_stopword(word: &str) -> bool {
    tables().stopwords.contains(word)
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
        for w in ["the", "hello", "thanks", "monday", "december", "spotify"] {
            assert!(is_stopword(w), "{w}");
        }
        assert!(!is_stopword("germany"));
    }
}
