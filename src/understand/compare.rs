//! Comparison wording and scenario choices (issue 13).
//!
//! A comparison ("compare with €10k", "6 vs 8 weeks", "options at 10k, 20k and 40k") asks for
//! plans beside the current one without changing the brief. [`comparison`] finds the cue and
//! splits the rest into alternatives — at "vs", "or", commas, and "and" in a list — each an
//! ordinary follow-up the specialists understand on a copy of the conversation. [`pick`] reads a
//! choice of one of them ("go with that", "use option 2"). The words live in
//! `fixtures/lang/compare.tsv`; this file only holds the rules.

use std::sync::OnceLock;

use chrono::NaiveDate;

use super::lexicon::tsv_rows;
use super::numbers::{WordMap, WordSet};
use super::text::{normalise_phrase, Text, Word};

const TABLE: &str = include_str!("../../fixtures/lang/compare.tsv");

/// The most alternatives one comparison makes (more are reported as not used).
pub const MAX_ALTERNATIVES: usize = 3;

/// What a phrase of the table does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Cue,
    Split,
    Both,
    And,
    Filler,
    Choose,
    Option,
    Latest,
    Polite,
    Number(u32),
}

impl Role {
    fn parse(role: &str, value: Option<&str>) -> Option<Role> {
        Some(match role {
            "cue" => Role::Cue,
            "split" => Role::Split,
            "both" => Role::Both,
            "and" => Role::And,
            "filler" => Role::Filler,
            "choose" => Role::Choose,
            "option" => Role::Option,
            "latest" => Role::Latest,
            "polite" => Role::Polite,
            "number" => Role::Number(value?.parse().ok()?),
            _ => return None,
        })
    }

    /// Roles that matter when reading a comparison (the others when reading a choice).
    fn of_comparison(self) -> bool {
        matches!(self, Role::Cue | Role::Split | Role::Both | Role::And | Role::Filler)
    }
}

struct Table {
    /// Phrase (its words joined by one space) → roles.
    phrases: WordMap<String, Vec<Role>>,
    /// First words of the phrases of two words or more (other words are looked up alone).
    starts: WordSet<String>,
    /// First words of the comparison cues: a message with none of them is no comparison.
    cue_starts: WordSet<String>,
    longest: usize,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        let mut phrases: WordMap<String, Vec<Role>> = WordMap::default();
        let mut starts = WordSet::default();
        let mut cue_starts = WordSet::default();
        let mut longest = 1;
        for row in tsv_rows(TABLE) {
            let (Some(phrase), Some(role)) = (row.first(), row.get(1)) else { continue };
            let Some(role) = Role::parse(role, row.get(2).copied()) else { continue };
            let words: Vec<String> = normalise_phrase(phrase).split_whitespace().map(str::to_string).collect();
            let words: Vec<String> = words
                .iter()
                .flat_map(|w| w.split(|c: char| !c.is_alphanumeric()).filter(|p| !p.is_empty()).map(str::to_string))
                .collect();
            if words.len() > 1 {
                starts.insert(words[0].clone());
            }
            if matches!(role, Role::Cue | Role::Both) {
                cue_starts.extend(words.first().cloned());
            }
            longest = longest.max(words.len());
            if !words.is_empty() {
                phrases.entry(words.join(" ")).or_default().push(role);
            }
        }
        Table { phrases, starts, cue_starts, longest }
    })
}

/// One matched phrase: words `start..end` of the message and its roles of interest.
#[derive(Debug, Clone)]
struct Token {
    start: usize,
    end: usize,
    roles: Vec<Role>,
}

/// Matches the table's phrases (longest first) over the message's words, keeping the roles
/// `keep` says matter; a word no phrase covers is a token without roles. With `until_plain`,
/// the tokens end after the first such word (a choice is read no further).
fn tokens(text: &Text, keep: fn(Role) -> bool, until_plain: bool) -> Vec<Token> {
    let t = table();
    let words: Vec<&str> = text.words.iter().map(|&w| text.word(w)).collect();
    let mut out = Vec::new();
    let mut key = String::new();
    let mut i = 0;
    while i < words.len() {
        let mut matched = None;
        let longest = if t.starts.contains(words[i]) { t.longest.min(words.len() - i) } else { 1 };
        for len in (1..=longest).rev() {
            key.clear();
            for (n, w) in words[i..i + len].iter().enumerate() {
                if n > 0 {
                    key.push(' ');
                }
                key.push_str(w);
            }
            if let Some(roles) = t.phrases.get(key.as_str()) {
                let roles: Vec<Role> = roles.iter().copied().filter(|r| keep(*r)).collect();
                if !roles.is_empty() {
                    matched = Some((len, roles));
                    break;
                }
            }
        }
        let (len, roles) = matched.unwrap_or((1, Vec::new()));
        let plain = roles.is_empty() && option_number(words[i]).is_none();
        out.push(Token { start: i, end: i + len, roles });
        if plain && until_plain {
            break;
        }
        i += len;
    }
    out
}

/// An option number written in digits ("2"; at most two of them).
fn option_number(word: &str) -> Option<u32> {
    (word.len() <= 2 && word.bytes().all(|b| b.is_ascii_digit())).then(|| word.parse().ok()).flatten()
}

/// A choice of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// "go with that": the latest scenario.
    Latest,
    /// "use option 2": a numbered one.
    Option(u32),
}

/// Reads a whole message as a choice of a scenario; `None` when it says anything else.
pub fn pick(text: &Text) -> Option<Pick> {
    let (mut choose, mut option, mut latest, mut number) = (false, false, false, None);
    for tok in tokens(text, |r| !r.of_comparison(), true) {
        let digits = (tok.end - tok.start == 1).then(|| option_number(text.word(text.words[tok.start]))).flatten();
        // A phrase's own role first; a number in words counts only where a number can stand.
        if let Some(n) = digits {
            number = Some(n);
        } else if tok.roles.contains(&Role::Choose) {
            choose = true;
        } else if tok.roles.contains(&Role::Option) {
            option = true;
        } else if let (true, Some(Role::Number(n))) =
            (option || choose, tok.roles.iter().find(|r| matches!(r, Role::Number(_))))
        {
            number = Some(*n);
        } else if tok.roles.contains(&Role::Latest) {
            latest = true;
        } else if !tok.roles.contains(&Role::Polite) {
            return None;
        }
    }
    match (number, latest) {
        (Some(n), false) if option || choose => Some(Pick::Option(n)),
        (None, true) if choose => Some(Pick::Latest),
        _ => None,
    }
}

/// One alternative of a comparison: a follow-up message of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternative {
    /// The words of the message that say it, with the user's capitals ("€10k", "8 weeks").
    pub text: String,
}

/// A comparison: the alternatives to plan beside the current brief, and the ones left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    pub alternatives: Vec<Alternative>,
    /// Alternatives beyond [`MAX_ALTERNATIVES`].
    pub dropped: Vec<String>,
}

/// A piece of the message between separators, as word indexes, and whether an "and" joins it
/// to the piece before.
#[derive(Debug, Clone)]
struct Piece {
    words: std::ops::Range<usize>,
    after_and: bool,
}

/// Reads a message as a comparison: `None` unless it carries a comparison cue. A cue with
/// nothing to compare gives a comparison without alternatives (the caller asks what to compare).
pub fn comparison(text: &Text, today: NaiveDate) -> Option<Comparison> {
    let cue_starts = &table().cue_starts;
    if !text.words.iter().any(|&w| cue_starts.contains(text.word(w))) {
        return None;
    }
    let toks = tokens(text, Role::of_comparison, false);
    if !toks.iter().any(|t| t.roles.iter().any(|r| matches!(r, Role::Cue | Role::Both))) {
        return None;
    }
    let mut pieces: Vec<Piece> = Vec::new();
    let mut current: Option<Piece> = None;
    let mut next_after_and = false;
    let close = |current: &mut Option<Piece>, pieces: &mut Vec<Piece>| {
        if let Some(p) = current.take() {
            pieces.push(p);
        }
    };
    for (k, tok) in toks.iter().enumerate() {
        // Punctuation between this token and the one before separates pieces too.
        if k > 0 && separates(text, text.words[toks[k - 1].end - 1], text.words[tok.start]) {
            close(&mut current, &mut pieces);
            next_after_and = false;
        }
        let boundary = tok.roles.iter().find(|r| matches!(r, Role::Cue | Role::Split | Role::Both | Role::And));
        match boundary {
            Some(Role::And) => {
                close(&mut current, &mut pieces);
                next_after_and = true;
            }
            Some(_) => {
                close(&mut current, &mut pieces);
                next_after_and = false;
            }
            None => {
                let filler = tok.roles.contains(&Role::Filler);
                match current.as_mut() {
                    Some(p) => p.words.end = tok.end,
                    None if filler => {}
                    None => {
                        current = Some(Piece { words: tok.start..tok.end, after_and: next_after_and });
                        next_after_and = false;
                    }
                }
            }
        }
    }
    close(&mut current, &mut pieces);
    // Trim fillers at the end of each piece ("20k for me" → "20k").
    let fillers: Vec<(usize, usize)> =
        toks.iter().filter(|t| t.roles.contains(&Role::Filler)).map(|t| (t.start, t.end)).collect();
    for p in &mut pieces {
        while let Some(&(s, _)) = fillers.iter().find(|&&(s, e)| e == p.words.end && s > p.words.start) {
            p.words.end = s;
        }
    }
    let mut texts: Vec<(String, bool)> = pieces.iter().map(|p| (span(text, &p.words), p.after_and)).collect();
    borrow_units(&mut texts, today);
    // "and" joins two parts of one alternative when either alone says nothing ("audio and video").
    let mut merged: Vec<String> = Vec::new();
    for (t, after_and) in texts {
        match merged.last_mut() {
            Some(prev) if after_and && (!says_something(prev, today) || !says_something(&t, today)) => {
                *prev = format!("{prev} and {t}");
            }
            _ => merged.push(t),
        }
    }
    let mut out = Comparison::default();
    for t in merged {
        if out.alternatives.len() < MAX_ALTERNATIVES {
            out.alternatives.push(Alternative { text: t });
        } else {
            out.dropped.push(t);
        }
    }
    Some(out)
}

/// Whether the punctuation between two words separates alternatives: a comma, semicolon,
/// colon, sentence end or line break — but not the comma or point inside a number ("10,000").
fn separates(text: &Text, before: Word, after: Word) -> bool {
    let gap = &text.norm[before.end..after.start];
    let digit_ends = text.norm[..before.end].ends_with(|c: char| c.is_ascii_digit())
        && text.norm[after.start..].starts_with(|c: char| c.is_ascii_digit());
    if digit_ends && (gap == "," || gap == ".") {
        return false;
    }
    gap.contains([',', ';', ':', '!', '?', '.', '\n'])
}

/// The message's text over words `range`, with the user's capitals and the signs attached to
/// its first and last word ("€10k", "10k€").
fn span(text: &Text, range: &std::ops::Range<usize>) -> String {
    let mut start = text.words[range.start].start;
    let mut end = text.words[range.end - 1].end;
    let attached = |c: char| !c.is_whitespace() && !matches!(c, ',' | ';' | ':' | '!' | '?' | '.' | '(' | ')' | '"');
    while let Some(c) = text.norm[..start].chars().next_back().filter(|&c| attached(c)) {
        start -= c.len_utf8();
    }
    while let Some(c) = text.norm[end..].chars().next().filter(|&c| attached(c)) {
        end += c.len_utf8();
    }
    text.original(start, end)
}

/// Whether a piece alone says anything that would change a brief (a word such as "audio" is
/// read by a specialist but changes nothing by itself).
fn says_something(piece: &str, today: NaiveDate) -> bool {
    let mut conv = crate::conversation::Conversation::new(today);
    conv.apply(&super::understand(piece, today));
    conv.brief != crate::brief::Brief::default()
}

/// A bare number takes the unit of a sibling that has one: "6 vs 8 weeks" → "6 weeks".
fn borrow_units(texts: &mut [(String, bool)], today: NaiveDate) {
    let bare = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',');
    let unit = |t: &str| {
        let (first, rest) = t.split_once(' ')?;
        (bare(first) && !rest.trim().is_empty()).then(|| rest.trim().to_string())
    };
    let units: Vec<Option<String>> = texts.iter().map(|(t, _)| unit(t)).collect();
    for i in 0..texts.len() {
        if !bare(&texts[i].0) || says_something(&texts[i].0, today) {
            continue;
        }
        let sibling = units[i + 1..].iter().chain(units[..i].iter().rev()).flatten().next();
        if let Some(u) = sibling {
            texts[i].0 = format!("{} {u}", texts[i].0);
        }
    }
}

#[cfg(test)]
#[path = "compare_tests.rs"]
mod tests;
