//! Scope of edit and negation words: which phrases of a message a cue such as "drop", "without",
//! "instead of", "swap … for", "too" or "only" governs.
//!
//! The cues are data (`fixtures/lang/edit_words.tsv`). A message is cut into clauses (at `.`, `;`,
//! `,`, `!`, `?`, `|`, brackets); a cue governs only phrases of its own clause: the phrases after
//! it (up to the next cue, and for a negation only the next few words) and, for cues such as
//! "too" and "instead of", the phrases before it. A phrase no cue governs is stated plainly,
//! which for a list means "this is the list" ([`Edit::Replace`]). Verbs that are also nouns ("a
//! sneaker drop") are cues only at the start of a clause or after a lead word ("please drop").
//! Building is one pass; each lookup is two binary searches, so long messages stay linear.

use std::sync::OnceLock;

use super::words::{self, Class};
use crate::understand::lexicon::{tsv_rows, Case, Lexicon};
use crate::understand::text::Text;

const EDIT_WORDS: &str = include_str!("../../../fixtures/lang/edit_words.tsv");

/// What a message does with one phrase it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// Stated plainly, or with "only": the phrase is (part of) the new value.
    Replace,
    /// "add Austria", "Switzerland too", "Italy instead of Spain" (for Italy).
    Add,
    /// "drop Austria", "without Paris", "Italy instead of Spain" (for Spain).
    Remove,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Remove,
    Only,
    Swap,
    To,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "add" => Op::Add,
            "remove" => Op::Remove,
            "only" => Op::Only,
            "swap" => Op::Swap,
            "to" => Op::To,
            _ => return None,
        })
    }

    fn edit(self) -> Edit {
        match self {
            Op::Add | Op::To => Edit::Add,
            Op::Remove | Op::Swap => Edit::Remove,
            Op::Only => Edit::Replace,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    before: Option<Op>,
    after: Option<Op>,
    verb: bool,
    reach: usize,
}

fn lexicon() -> &'static Lexicon<Entry> {
    static L: OnceLock<Lexicon<Entry>> = OnceLock::new();
    L.get_or_init(|| {
        let rows = tsv_rows(EDIT_WORDS).filter_map(|r| {
            let entry = Entry {
                before: Op::parse(r.get(1)?),
                after: Op::parse(r.get(2)?),
                verb: r.get(3) == Some(&"1"),
                reach: r.get(4).and_then(|n| n.parse().ok()).unwrap_or(0),
            };
            Some((r[0].to_string(), entry, Case::Any))
        });
        Lexicon::new(rows.collect::<Vec<_>>())
    })
}

/// One cue found in the message.
#[derive(Debug, Clone, Copy)]
struct Cue {
    start: usize,
    end: usize,
    clause: usize,
    op: Op,
    reach: usize,
}

/// The clauses of one message and the cues in them.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Byte offset where each clause starts (the first is 0), ascending.
    starts: Vec<usize>,
    /// Cues that govern what follows them, in text order.
    forward: Vec<Cue>,
    /// Cues that govern what precedes them, in text order.
    backward: Vec<Cue>,
    /// Per word of the text: its index (to count words between two offsets).
    word_starts: Vec<usize>,
    /// Byte ranges of every cue (read by the not-understood report).
    pub spans: Vec<(usize, usize)>,
}

/// Whether `c` ends a clause.
pub const fn is_break(c: char) -> bool {
    matches!(c, '.' | ';' | '!' | '?' | '|' | '\n' | ',' | '(' | ')' | ':')
}

/// [`is_break`] per byte (every break is ASCII, so a byte of a longer character is none): the
/// scan for clause starts looks each byte up once.
const BREAK_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = is_break(b as u8 as char);
        b += 1;
    }
    t
};

impl Scope {
    /// Finds the clauses and the edit cues of `text`.
    pub fn new(text: &Text) -> Scope {
        let starts = clause_starts(&text.norm);
        let word_starts: Vec<usize> = text.words.iter().map(|w| w.start).collect();
        let clause_of = |pos: usize| starts.partition_point(|&s| s <= pos).saturating_sub(1);
        let (mut forward, mut backward, mut spans) = (Vec::new(), Vec::new(), Vec::new());
        let mut swap_clause: Option<usize> = None;
        for h in lexicon().find(text) {
            let e = h.value;
            let clause = clause_of(h.start);
            if e.verb {
                let k = word_starts.partition_point(|&s| s < h.start);
                let lead = k.checked_sub(1).map(|p| text.words[p]).filter(|w| w.start >= starts[clause]);
                if lead.is_some_and(|w| !words::is(Class::VerbLead, text.word(w))) {
                    continue; // "a sneaker drop": a noun
                }
            }
            if e.after == Some(Op::To) && swap_clause != Some(clause) {
                continue; // "for", "with", "to" mean something only after "swap"
            }
            if e.after == Some(Op::Swap) {
                swap_clause = Some(clause);
            }
            let cue = |op| Cue { start: h.start, end: h.end, clause, op, reach: e.reach };
            if let Some(op) = e.after {
                forward.push(cue(op));
            }
            if let Some(op) = e.before {
                backward.push(cue(op));
            }
            spans.push((h.start, h.end));
        }
        Scope { starts, forward, backward, word_starts, spans }
    }

    fn clause(&self, pos: usize) -> usize {
        self.starts.partition_point(|&s| s <= pos).saturating_sub(1)
    }

    /// The clause index of byte `pos` (phrases in different clauses are separate list items).
    pub fn clause_index(&self, pos: usize) -> usize {
        self.clause(pos)
    }

    fn words_between(&self, a: usize, b: usize) -> usize {
        self.word_starts.partition_point(|&s| s < b).saturating_sub(self.word_starts.partition_point(|&s| s < a))
    }

    /// What the message does with the phrase at `start..end`.
    pub fn edit(&self, start: usize, end: usize) -> Edit {
        self.op(start, end).map_or(Edit::Replace, Op::edit)
    }

    /// Whether the phrase at `start..end` is added to what is there ("add", "too"), as opposed
    /// to being the target of a swap ("change it to 25-34"), which replaces.
    pub fn extends(&self, start: usize, end: usize) -> bool {
        self.op(start, end) == Some(Op::Add)
    }

    fn op(&self, start: usize, end: usize) -> Option<Op> {
        let clause = self.clause(start);
        let i = self.forward.partition_point(|c| c.end <= start);
        if let Some(c) = i.checked_sub(1).map(|i| self.forward[i]) {
            if c.clause == clause && (c.reach == 0 || self.words_between(c.end, start) <= c.reach) {
                return Some(c.op);
            }
        }
        let j = self.backward.partition_point(|c| c.start < end);
        if let Some(c) = self.backward.get(j) {
            if c.clause == clause && (c.reach == 0 || self.words_between(end, c.start) <= c.reach) {
                return Some(c.op);
            }
        }
        None
    }

    /// Whether any cue of the message adds ("add", "too", "also").
    pub fn adds_anywhere(&self) -> bool {
        self.forward.iter().chain(&self.backward).any(|c| c.op == Op::Add)
    }
}

/// Where each clause of `norm` starts, ascending: 0, after every break character (not a decimal
/// point) and after every spaced dash or slash ("Re: Spain — add Portugal", "no desktop / DK /
/// 200k"; a hyphen or slash inside a word, "hip-hop", "iOS/Android", breaks nothing). One pass
/// over the bytes: every break is ASCII, so no character decoding and no substring searcher.
fn clause_starts(norm: &str) -> Vec<usize> {
    let b = norm.as_bytes();
    let mut starts = Vec::with_capacity(8);
    starts.push(0);
    // Spaced dashes and slashes are found without overlaps, each kind on its own, as
    // `match_indices` would: the next one of a kind may start only after the last one ended.
    let (mut dash_from, mut slash_from) = (0, 0);
    for (i, &c) in b.iter().enumerate() {
        if BREAK_BYTES[usize::from(c)] && !is_decimal(norm, i) {
            starts.push(i + 1);
        }
        if c == b' ' && b.get(i + 2) == Some(&b' ') {
            match b[i + 1] {
                b'-' if i >= dash_from => {
                    starts.push(i + 3);
                    dash_from = i + 3;
                }
                b'/' if i >= slash_from => {
                    starts.push(i + 3);
                    slash_from = i + 3;
                }
                _ => {}
            }
        }
    }
    starts.sort_unstable();
    starts
}

/// A `.` between two digits is a decimal point, not a clause break.
fn is_decimal(s: &str, i: usize) -> bool {
    let b = s.as_bytes();
    matches!(b.get(i), Some(b'.' | b','))
        && i > 0
        && b[i - 1].is_ascii_digit()
        && b.get(i + 1).is_some_and(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edits(message: &str, phrases: &[&str]) -> Vec<Edit> {
        let t = Text::new(message);
        let s = Scope::new(&t);
        phrases
            .iter()
            .map(|p| {
                let i = t.norm.find(p).unwrap_or_else(|| panic!("{p} not in {message}"));
                s.edit(i, i + p.len())
            })
            .collect()
    }

    use Edit::{Add, Remove, Replace};

    #[test]
    fn a_cue_governs_its_own_clause_only() {
        assert_eq!(
            edits("add austria, drop germany; france (plus spain)", &["austria", "germany", "france", "spain"]),
            [Add, Remove, Replace, Add]
        );
        assert_eq!(
            edits("brand lift in spain and portugal without any video spots", &["spain", "portugal"]),
            [Replace, Replace]
        );
        assert_eq!(
            edits("reach in portugal and spain but not lisbon", &["portugal", "spain", "lisbon"]),
            [Replace, Replace, Remove]
        );
    }

    #[test]
    fn a_spaced_dash_ends_a_clause() {
        assert_eq!(edits("re: reach spain - add portugal", &["spain", "portugal"]), [Replace, Add]);
        assert_eq!(edits("re: december — drop switzerland", &["switzerland"]), [Remove]);
        assert_eq!(edits("hip-hop drop in spain", &["spain"]), [Replace]);
        assert_eq!(edits("no video, no desktop / dk / 200k", &["dk"]), [Replace]);
    }

    #[test]
    fn a_verb_that_is_also_a_noun_is_no_cue() {
        assert_eq!(edits("trainer drop for 18-25s in ireland", &["ireland"]), [Replace]);
        assert_eq!(edits("the us for a sneaker drop", &["us"]), [Replace]);
        assert_eq!(edits("merch drop in the uk", &["uk"]), [Replace]);
        assert_eq!(edits("drop austria", &["austria"]), [Remove]);
        assert_eq!(edits("ok please drop austria", &["austria"]), [Remove]);
        assert_eq!(edits("and remove sleep", &["sleep"]), [Remove]);
    }

    #[test]
    fn replacements_remove_one_side_and_add_the_other() {
        for (m, a, b) in [
            ("italy instead of spain", "italy", "spain"),
            ("ios rather than android", "ios", "android"),
            ("switch spain for italy", "italy", "spain"),
            ("swap spain with italy please", "italy", "spain"),
            ("replace android with ios", "ios", "android"),
        ] {
            assert_eq!(edits(m, &[a, b]), [Add, Remove], "{m}");
        }
        // "for" is no cue without a swap.
        assert_eq!(edits("video for italy", &["italy"]), [Replace]);
    }

    #[test]
    fn a_negation_reaches_a_few_words() {
        assert_eq!(edits("no luxembourg", &["luxembourg"]), [Remove]);
        assert_eq!(edits("exclude tablets and desktop", &["tablets", "desktop"]), [Remove, Remove]);
        assert_eq!(edits("everything but desktop", &["desktop"]), [Remove]);
        assert_eq!(edits("no budget yet, we are still waiting on the client for germany", &["germany"]), [Replace]);
        assert_eq!(
            edits("no budget figure yet from the people over in germany", &["germany"]),
            [Replace],
            "a negation does not reach across a whole clause"
        );
    }

    #[test]
    fn add_cues_reach_both_ways() {
        assert_eq!(edits("switzerland too", &["switzerland"]), [Add]);
        assert_eq!(edits("austria as well", &["austria"]), [Add]);
        assert_eq!(edits("also belgium", &["belgium"]), [Add]);
        assert_eq!(edits("just ios", &["ios"]), [Replace]);
    }

    #[test]
    fn a_cue_after_its_phrases_reaches_back_a_few_words() {
        assert_eq!(edits("tanzania out", &["tanzania"]), [Remove]);
        assert_eq!(edits("kenya and uganda out please", &["kenya", "uganda"]), [Remove, Remove]);
        assert_eq!(edits("ok, video out", &["video"]), [Remove]);
        assert_eq!(edits("party vibes all night, get the word out", &["party"]), [Replace], "too far back");
        assert_eq!(edits("the single is out in norway", &["norway"]), [Replace], "after the cue");
    }

    #[test]
    fn decimals_do_not_break_clauses_and_long_input_is_linear() {
        let t = Text::new("drop 2.5 austria");
        assert_eq!(Scope::new(&t).clause_index(t.norm.len() - 1), 0);
        let long = "too drop add austria, instead of ".repeat(5_000);
        let start = std::time::Instant::now();
        let t = Text::new(&long);
        let s = Scope::new(&t);
        let n = t.words.iter().filter(|w| s.edit(w.start, w.end) == Edit::Remove).count();
        assert!(n > 0);
        assert!(start.elapsed().as_secs_f64() < 2.0, "{:?}", start.elapsed());
    }
}
