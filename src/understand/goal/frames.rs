//! Goals written as verbs: "sell more candles online", "get people to book a table", "get the app
//! on more phones".
//!
//! A cue phrase (`goals.tsv`) names a goal as a noun ("bookings", "app installs"). People often
//! write the verb instead, with an object a few words later. A *frame* (`goal_frames.tsv`) is a
//! verb, the class of object it needs (`goal_words.tsv`), and optionally a class of word that must
//! stand between them (a possessive: "listen to *our* podcast" is a goal, "people listening to
//! podcasts" an audience) or right before the verb (a buyer: "customers buy", not "a media buy").
//! The object must follow within [`MAX_GAP`] words in the same clause. The rows are data; this
//! file only matches them.

use crate::understand::numbers::WordMap;
use std::sync::OnceLock;

use super::super::lexicon::{tsv_rows, Case, Hit, Lexicon};
use super::super::text::Text;
use super::Target;
use crate::brief::Objective;

const FRAMES: &str = include_str!("../../../fixtures/taxonomy/goal_frames.tsv");
const WORDS: &str = include_str!("../../../fixtures/taxonomy/goal_words.tsv");

/// Words allowed between a verb and its object ("get *people to* book a table"), and between a
/// subject and its verb ("people *in Paris to* order").
const MAX_GAP: usize = 4;

/// Characters that end a clause: a verb's object never lies beyond one.
pub(super) const CLAUSE_END: &[char] = &[',', ';', '.', ':', '!', '?', '(', ')', '|', '\n'];

/// What a frame names when it fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Names {
    Goal(Target, u8),
    /// The verb is not a goal here ("buy audio ads": the advertiser buying media).
    Nothing,
}

struct Frame {
    via: Option<u16>,
    /// `None`: the verb alone is enough.
    object: Option<u16>,
    after: Option<u16>,
    names: Names,
}

/// The compiled frames and word classes.
pub(super) struct Frames {
    verbs: Lexicon<u16>,
    frames: Vec<Frame>,
    words: Lexicon<u16>,
    classes: WordMap<String, u16>,
}

/// A frame that fits: what it names, where the verb starts, and the span it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FrameHit {
    pub target: Target,
    pub weight: u8,
    pub start: usize,
    pub end: usize,
}

impl Frames {
    /// The frames and word classes of the data files, compiled once.
    pub(super) fn get() -> &'static Frames {
        static F: OnceLock<Frames> = OnceLock::new();
        F.get_or_init(|| Frames::parse(FRAMES, WORDS))
    }

    fn parse(frames_tsv: &str, words_tsv: &str) -> Frames {
        let mut classes: WordMap<String, u16> = WordMap::default();
        let mut word_entries = Vec::new();
        for row in tsv_rows(words_tsv) {
            let (Some(class), Some(phrases)) = (row.first(), row.get(1)) else { continue };
            let next = classes.len() as u16;
            let id = *classes.entry(class.to_string()).or_insert(next);
            word_entries.extend(phrases.split('|').map(|p| (p.to_string(), id, Case::Any)));
        }
        let class = |name: Option<&&str>| {
            name.filter(|n| !matches!(**n, "-" | "*" | "")).and_then(|n| classes.get(*n)).copied()
        };
        let mut frames = Vec::new();
        let mut verb_entries = Vec::new();
        for row in tsv_rows(frames_tsv) {
            let names = match row.get(3).copied() {
                Some("-") => Names::Nothing,
                Some("VISITS") => Names::Goal(Target::Visits, weight(&row)),
                Some(id) => match Objective::from_id(id) {
                    Some(o) => Names::Goal(Target::Objective(o), weight(&row)),
                    None => continue,
                },
                None => continue,
            };
            let Some(verbs) = row.first() else { continue };
            let id = frames.len() as u16;
            frames.push(Frame { via: class(row.get(1)), object: class(row.get(2)), after: class(row.get(5)), names });
            verb_entries.extend(verbs.split('|').map(|v| (v.to_string(), id, Case::Any)));
        }
        Frames { verbs: Lexicon::new(verb_entries), frames, words: Lexicon::new(word_entries), classes }
    }

    /// The word class called `name` (a class of `goal_words.tsv`).
    pub(super) fn class(&self, name: &str) -> Option<u16> {
        self.classes.get(name).copied()
    }

    /// Every hit of every word class in `text`, overlapping, in text order.
    pub(super) fn words(&self, text: &Text) -> Vec<Hit<u16>> {
        self.words.candidates(text)
    }

    /// The frames that fit in `text`. Where verb occurrences overlap ("to book" and "book"), the
    /// first row of the table that fits wins.
    pub(super) fn find(&self, text: &Text, words: &[Hit<u16>]) -> Vec<FrameHit> {
        let mut fits: Vec<(u16, &Hit<u16>, usize)> = Vec::new();
        let verbs = self.verbs.candidates(text);
        for v in &verbs {
            let Some(frame) = self.frames.get(usize::from(v.value)) else { continue };
            if let Some(end) = self.fits(text, words, v, frame) {
                fits.push((v.value, v, end));
            }
        }
        fits.sort_by_key(|f| f.0);
        let mut taken: Vec<(usize, usize)> = Vec::new();
        let mut out: Vec<FrameHit> = Vec::new();
        for (row, v, end) in fits {
            if taken.iter().any(|&(s, e)| v.start < e && s < v.end) {
                continue;
            }
            taken.push((v.start, v.end));
            if let Names::Goal(target, weight) = self.frames[usize::from(row)].names {
                out.push(FrameHit { target, weight, start: v.start, end });
            }
        }
        out.sort_by_key(|f| f.start);
        out
    }

    /// Where the frame ends when it fits the verb hit `v`.
    fn fits(&self, text: &Text, words: &[Hit<u16>], v: &Hit<u16>, frame: &Frame) -> Option<usize> {
        if let Some(after) = frame.after {
            let first = text.words.partition_point(|w| w.end <= v.start);
            let subject = words.iter().any(|w| {
                w.value == after
                    && w.end <= v.start
                    && !text.norm[w.end..v.start].contains(CLAUSE_END)
                    && text.words[..first].iter().rev().take_while(|x| x.start >= w.end).count() <= MAX_GAP
            });
            if !subject {
                return None;
            }
        }
        let Some(object) = frame.object else { return Some(v.end) };
        let first_word = text.words.partition_point(|w| w.start < v.end);
        let object_hit = words.iter().find(|w| {
            w.value == object
                && w.start >= v.end
                && !text.norm[v.end..w.start].contains(CLAUSE_END)
                && text.words[first_word..].iter().take_while(|x| x.start < w.start).count() <= MAX_GAP
        })?;
        if let Some(via) = frame.via {
            let between = words.iter().any(|w| w.value == via && w.start >= v.end && w.end <= object_hit.start);
            if !between {
                return None;
            }
        }
        Some(object_hit.end)
    }
}

fn weight(row: &[&str]) -> u8 {
    row.get(4).and_then(|w| w.parse().ok()).unwrap_or(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(s: &str) -> Vec<(Target, u8)> {
        let t = Text::new(s);
        let f = Frames::get();
        f.find(&t, &f.words(&t)).into_iter().map(|h| (h.target, h.weight)).collect()
    }

    #[test]
    fn every_data_row_compiles() {
        let f = Frames::get();
        assert_eq!(f.frames.len(), tsv_rows(FRAMES).count());
        for name in ["own", "buyer", "app", "show", "video", "site", "media", "negation", "goal_label", "measured"] {
            assert!(f.class(name).is_some(), "{name}");
        }
    }

    #[test]
    fn object_must_follow_in_the_same_clause() {
        assert!(!frames("get the app on more phones").is_empty());
        assert!(frames("get 18-24s, app: none").is_empty());
        assert!(frames("download, then later our app").is_empty());
        assert!(frames("download the very best new and shiny app").is_empty(), "more than four words between");
    }

    #[test]
    fn possessive_separates_a_goal_from_an_audience() {
        assert_eq!(frames("more people listening to our podcast").len(), 1);
        assert!(frames("women listening to podcasts in Spain").is_empty());
        assert!(frames("people who watch videos on their phones").is_empty());
    }

    #[test]
    fn nouns_that_look_like_verbs_are_not_goals() {
        assert!(frames("an always-on buy across DACH").is_empty());
        assert!(frames("a surf shop in Biarritz").is_empty());
        assert!(frames("we want to buy audio ads in Germany").is_empty());
        assert!(frames("book lovers in France").is_empty());
        assert!(frames("in order to grow").is_empty());
    }
}
