//! Audience specialist: ages, genders, locations, interests, genres, contexts, podcast topics,
//! languages and platforms.
//!
//! Vocabulary comes from `fixtures/taxonomy/targeting.tsv` and the gazetteer; ages are read by a
//! small grammar over the words ("18–24", "18 to 30", "35+", "over 35", "under 30s", "in their
//! forties", "16 and 17 year olds", generations from `today`). Each list item carries how the
//! message changes the brief's list: add ("add Austria", "Switzerland too"), remove ("drop
//! Germany"), or replace (the default, and "only women", "make it iOS only").

use std::cell::OnceCell;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};

use super::gazetteer::{Gazetteer, Place};
use super::lexicon::{tsv_rows, Case, Hit, Lexicon};
use super::text::Text;
use super::KnownWords;
use crate::brief::{Gender, Location, Platform};

const TARGETING: &str = include_str!("../../fixtures/taxonomy/targeting.tsv");

/// The youngest targetable age (SPEC §2).
pub const MIN_AGE: u8 = 18;
/// The oldest age the brief holds.
pub const MAX_AGE: u8 = 99;

/// How a message changes one list of the brief.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ListChange<T> {
    /// Empty the list first ("drop the gender filter").
    pub clear: bool,
    /// Replace the list with `add` (instead of adding to it).
    pub replace: bool,
    pub add: Vec<T>,
    pub remove: Vec<T>,
}

impl<T> Default for ListChange<T> {
    fn default() -> Self {
        ListChange { clear: false, replace: false, add: Vec::new(), remove: Vec::new() }
    }
}

impl<T: PartialEq + Clone> ListChange<T> {
    /// Whether the message said anything about this list.
    pub fn is_empty(&self) -> bool {
        !self.clear && self.add.is_empty() && self.remove.is_empty()
    }

    fn push(&mut self, item: T, mode: Mode) {
        match mode {
            Mode::Remove => {
                if !self.remove.contains(&item) {
                    self.remove.push(item)
                }
            }
            Mode::Add | Mode::Replace => {
                if mode == Mode::Replace {
                    self.replace = true;
                }
                if !self.add.contains(&item) {
                    self.add.push(item)
                }
            }
        }
    }

    /// Applies the change to a list of the brief.
    pub fn apply(&self, list: &mut Vec<T>) {
        if self.clear || (self.replace && !self.add.is_empty()) {
            list.clear();
        }
        for item in &self.add {
            if !list.contains(item) {
                list.push(item.clone());
            }
        }
        list.retain(|x| !self.remove.contains(x));
    }
}

/// An age statement.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct AgeFinding {
    pub min: Option<u8>,
    pub max: Option<u8>,
    /// Widen the current range instead of replacing it ("include 16 and 17 year olds too").
    pub extend: bool,
    /// Remove the age filter ("all ages").
    pub clear: bool,
    /// Ages under 18 were asked for and clamped.
    pub minors: bool,
    /// What was read, for messages: "16-24".
    pub said: String,
}

/// The audience specialist's finding.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct AudienceFinding {
    pub ages: Option<AgeFinding>,
    pub genders: ListChange<Gender>,
    pub locations: ListChange<Location>,
    pub interests: ListChange<String>,
    pub genres: ListChange<String>,
    pub contexts: ListChange<String>,
    pub podcast_topics: ListChange<String>,
    pub languages: ListChange<String>,
    pub platforms: ListChange<Platform>,
    /// Podcast listening was mentioned: the PODCAST placement.
    pub podcast: bool,
    /// Place names that resolve to nothing.
    pub unknown_places: Vec<String>,
    /// (field, note) for the user: typo readings, dropped words.
    pub notes: Vec<(String, String)>,
    /// Byte ranges of [`crate::understand::Text::norm`] this specialist read: what is not covered
    /// by any specialist's spans is reported as not understood.
    #[serde(skip)]
    pub spans: Vec<(usize, usize)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Add,
    Remove,
    Replace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Interest,
    Genre,
    Context,
    /// Context only next to a moment cue; otherwise the alternative interest (if any).
    Moment,
    Topic,
    Podcast,
    Gender,
    Platform,
    Group,
    Ignore,
}

struct Vocab {
    lexicon: Lexicon<u16>,
    /// Per entry: kind, id, alternative id.
    entries: Vec<(Kind, String, String)>,
}

fn vocab() -> &'static Vocab {
    static V: OnceLock<Vocab> = OnceLock::new();
    V.get_or_init(|| {
        let mut entries = Vec::new();
        let mut phrases = Vec::new();
        for row in tsv_rows(TARGETING) {
            let (Some(phrase), Some(kind)) = (row.first(), row.get(1)) else { continue };
            let kind = match *kind {
                "interest" => Kind::Interest,
                "genre" => Kind::Genre,
                "context" => Kind::Context,
                "moment" => Kind::Moment,
                "topic" => Kind::Topic,
                "podcast" => Kind::Podcast,
                "gender" => Kind::Gender,
                "platform" => Kind::Platform,
                "group" => Kind::Group,
                "ignore" => Kind::Ignore,
                _ => continue,
            };
            let id = row.get(2).copied().unwrap_or("").to_string();
            let alt = row.get(3).copied().unwrap_or("").to_string();
            phrases.push((phrase.to_string(), entries.len() as u16, Case::Any));
            entries.push((kind, id, alt));
        }
        Vocab { lexicon: Lexicon::new(phrases), entries }
    })
}

const ADD_CUES: &[&str] =
    &["add", "also", "too", "plus", "include", "including", "as well", "additionally", "extend", "expand"];
const REMOVE_CUES: &[&str] = &[
    "drop",
    "remove",
    "exclude",
    "excluding",
    "without",
    "except",
    "no longer",
    "minus",
    "take out",
    "not in",
    "leave out",
];
const MOMENT_BEFORE: &[&str] = &["while", "whilst", "during", "when"];
const MOMENT_AFTER: &[&str] =
    &["moment", "moments", "playlist", "playlists", "vibes", "sessions", "session", "mode", "time"];
/// Words before a podcast mention that make it a limit rather than targeting.
const LIMIT_WORDS: &[&str] =
    &["no", "not", "without", "exclude", "excluding", "except", "max", "cap", "than", "most", "limit"];
const ORG_WORDS: &[&str] = &["brand", "company", "client", "business", "startup", "agency", "firm", "retailer"];
const PLACE_PREPOSITIONS: &[&str] = &["in", "across", "throughout", "within", "targeting", "target"];

/// Whether `hay` contains `needle` as whole words.
fn has_phrase(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The clauses of the folded text (split at clause breaks), each with how it changes the lists,
/// worked out once per clause. Per-hit scans of the text around each hit made long messages
/// without punctuation quadratic; a lookup here is a binary search.
struct Clauses<'a> {
    fold: &'a str,
    /// Byte offset where each clause starts (the first is 0), ascending.
    starts: Vec<usize>,
    modes: Vec<OnceCell<Mode>>,
}

impl<'a> Clauses<'a> {
    fn new(text: &'a Text) -> Clauses<'a> {
        let is_break = |c: char| matches!(c, '.' | ';' | '!' | '?' | '|' | '\n' | ',' | '(' | ')');
        let starts: Vec<usize> =
            std::iter::once(0).chain(text.fold.match_indices(is_break).map(|(i, b)| i + b.len())).collect();
        let modes = starts.iter().map(|_| OnceCell::new()).collect();
        Clauses { fold: &text.fold, starts, modes }
    }

    /// Index of the clause holding byte `pos` (a break belongs to the clause it ends).
    fn index(&self, pos: usize) -> usize {
        self.starts.partition_point(|&s| s <= pos).saturating_sub(1)
    }

    /// The clause holding byte `pos`, without its breaks.
    fn clause_of(&self, pos: usize) -> &'a str {
        let i = self.index(pos);
        let end = self.starts.get(i + 1).map_or(self.fold.len(), |&next| next - 1);
        &self.fold[self.starts[i]..end]
    }

    /// How the clause holding byte `pos` changes the lists.
    fn mode_at(&self, pos: usize) -> Mode {
        *self.modes[self.index(pos)].get_or_init(|| {
            let clause = self.clause_of(pos);
            if REMOVE_CUES.iter().any(|c| has_phrase(clause, c)) {
                Mode::Remove
            } else if ADD_CUES.iter().any(|c| has_phrase(clause, c)) {
                Mode::Add
            } else {
                Mode::Replace
            }
        })
    }
}

/// Up to `n` words before / after a byte range (binary search: the words are in order).
fn words_around(text: &Text, start: usize, end: usize, n: usize) -> (Vec<&str>, Vec<&str>) {
    let before = text.words.partition_point(|w| w.end <= start);
    let after = text.words.partition_point(|w| w.start < end);
    let word = |w: &super::text::Word| text.word(*w);
    (
        text.words[..before].iter().rev().take(n).map(word).collect(),
        text.words[after..].iter().take(n).map(word).collect(),
    )
}

/// The word right after byte `end` when only spaces separate them ("Brazilian brand", not
/// "Switzerland, brand awareness").
fn adjacent_word_after(text: &Text, end: usize) -> Option<&str> {
    let w = text.words.get(text.words.partition_point(|w| w.start < end))?;
    text.norm[end..w.start].chars().all(char::is_whitespace).then(|| text.word(*w))
}

/// Byte ranges already read, for overlap queries by binary search (a scan of every range per
/// word made long messages quadratic).
struct Covered {
    /// Starts, ascending.
    starts: Vec<usize>,
    /// The largest end among the ranges up to and including each start.
    max_end: Vec<usize>,
}

impl Covered {
    fn new(ranges: &[(usize, usize)]) -> Covered {
        let mut sorted = ranges.to_vec();
        sorted.sort_unstable();
        let max_end = sorted
            .iter()
            .scan(0, |m, r| {
                *m = (*m).max(r.1);
                Some(*m)
            })
            .collect();
        Covered { starts: sorted.iter().map(|r| r.0).collect(), max_end }
    }

    /// Whether any range overlaps `start..end`.
    fn overlaps(&self, start: usize, end: usize) -> bool {
        let n = self.starts.partition_point(|&s| s < end);
        n > 0 && self.max_end[n - 1] > start
    }
}

/// Reads the audience from one message.
pub fn extract(text: &Text, today: NaiveDate) -> AudienceFinding {
    let mut f = AudienceFinding::default();
    let vocab = vocab();
    let hits = vocab.lexicon.find(text);
    let mut covered: Vec<(usize, usize)> = hits.iter().map(|h| (h.start, h.end)).collect();
    let mut groups: Vec<&str> = Vec::new();
    let clauses = Clauses::new(text);
    for h in &hits {
        let (kind, id, alt) = &vocab.entries[h.value as usize];
        let mode = clauses.mode_at(h.start);
        match kind {
            Kind::Interest => f.interests.push(id.clone(), mode),
            Kind::Genre => f.genres.push(id.clone(), mode),
            Kind::Context => f.contexts.push(id.clone(), mode),
            Kind::Moment => {
                let (before, after) = words_around(text, h.start, h.end, 3);
                let moment =
                    before.iter().any(|w| MOMENT_BEFORE.contains(w)) || after.iter().any(|w| MOMENT_AFTER.contains(w));
                if moment {
                    f.contexts.push(id.clone(), mode);
                } else if !alt.is_empty() {
                    f.interests.push(alt.clone(), mode);
                }
            }
            Kind::Topic => {
                f.podcast_topics.push(id.clone(), mode);
                f.podcast = true;
            }
            Kind::Podcast => {
                let (before, _) = words_around(text, h.start, h.end, 6);
                let owned = before.first().is_some_and(|w| ["my", "our", "their", "the", "a", "your"].contains(w));
                // "no more than 30% on podcasts", "no podcasts": a limit (the formats
                // specialist's), not podcast targeting.
                let limited = before.iter().any(|w| LIMIT_WORDS.contains(w))
                    || text.norm[..h.start].trim_end().rsplit(' ').take(4).any(|w| w.ends_with('%'));
                if !owned && !limited {
                    f.podcast = true;
                }
            }
            Kind::Gender => {
                let g = match id.as_str() {
                    "FEMALE" => Gender::Female,
                    "MALE" => Gender::Male,
                    _ => Gender::NonBinary,
                };
                f.genders.push(g, mode);
            }
            Kind::Platform => {
                let p = match id.as_str() {
                    "IOS" => Platform::Ios,
                    "ANDROID" => Platform::Android,
                    _ => Platform::Desktop,
                };
                f.platforms.push(p, mode);
            }
            Kind::Group => groups.push(id),
            Kind::Ignore => {}
        }
    }
    // "drop the gender filter", "all genders"
    for (word, clears) in [("gender", 0), ("genders", 0), ("age", 1), ("ages", 1)] {
        // Whether a clause says "all ages" and the like, read once per clause (the matches come
        // in order): reading it per match made "ages ages ages …" quadratic.
        let mut said_all: Option<(usize, bool)> = None;
        for (i, _) in text.fold.match_indices(word) {
            if !text.is_bounded(i, i + word.len()) {
                continue;
            }
            let clause = clauses.index(i);
            let all = match said_all {
                Some((c, all)) if c == clause => all,
                _ => {
                    let text = clauses.clause_of(i);
                    let all = ["all", "any", "every", "both"].iter().any(|a| has_phrase(text, &format!("{a} {word}")));
                    said_all = Some((clause, all));
                    all
                }
            };
            if all || clauses.mode_at(i) == Mode::Remove {
                if clears == 0 {
                    f.genders = ListChange { clear: true, ..ListChange::default() };
                } else {
                    f.ages = Some(AgeFinding { clear: true, said: "all ages".into(), ..AgeFinding::default() });
                }
            }
        }
    }
    read_languages(text, &clauses, &mut f, &mut covered);
    read_places(text, &clauses, &mut f, &mut covered);
    if f.ages.is_none() {
        f.ages = read_ages(text, &clauses, today, &groups, &mut f);
    }
    if groups.contains(&"students") {
        f.interests.push("education".to_string(), Mode::Add);
    }
    f
}

fn read_languages(text: &Text, clauses: &Clauses, f: &mut AudienceFinding, covered: &mut Vec<(usize, usize)>) {
    let g = Gazetteer::get();
    let hits = g.find_languages(text);
    let speaking_at = |k: usize| {
        let h = &hits[k];
        let (before, after) = words_around(text, h.start, h.end, 1);
        after.first().is_some_and(|w| w.starts_with("speak") || *w == "language" || *w == "speakers")
            || before.first().is_some_and(|w| w.starts_with("speak"))
    };
    // "French and German speakers": a language joined to a spoken one by "and", "or", "/" or a
    // comma is spoken too.
    let joined = |a: usize, b: usize| {
        let gap = text.norm[hits[a].end..hits[b].start].trim();
        matches!(gap, "and" | "or" | "," | "/" | "&" | "+" | ", and" | ", or")
    };
    let mut speaking: Vec<bool> = (0..hits.len()).map(speaking_at).collect();
    for k in (0..hits.len().saturating_sub(1)).rev() {
        if !speaking[k] && speaking[k + 1] && joined(k, k + 1) {
            speaking[k] = true;
        }
    }
    for (k, h) in hits.iter().enumerate() {
        if speaking[k] {
            let mode = clauses.mode_at(h.start);
            f.languages.push(g.language_codes[h.value as usize].clone(), mode);
            covered.push((h.start, h.end));
        }
    }
}

fn read_places(text: &Text, clauses: &Clauses, f: &mut AudienceFinding, covered: &mut Vec<(usize, usize)>) {
    let g = Gazetteer::get();
    let read = Covered::new(covered);
    let hits: Vec<Hit<Place>> = g.find_places(text).into_iter().filter(|h| !read.overlaps(h.start, h.end)).collect();
    let mut found: Vec<(Location, Mode)> = Vec::new();
    for h in &hits {
        covered.push((h.start, h.end));
        let mode = clauses.mode_at(h.start);
        match h.value {
            Place::Country(i) | Place::Code(i) => {
                if adjacent_word_after(text, h.end).is_some_and(|w| ORG_WORDS.contains(&w)) {
                    continue; // "We're a Brazilian brand": who they are, not whom they target
                }
                found.push((Location::country(&g.countries[i as usize].code), mode));
            }
            Place::Region(i) => {
                let r = &g.regions[i as usize];
                found.push((Location { country: r.country.clone(), region: Some(r.code.clone()), city: None }, mode));
            }
            Place::City(i) => {
                let c = &g.cities[i as usize];
                found.push((Location { country: c.country.clone(), region: None, city: Some(c.name.clone()) }, mode));
            }
            Place::Group(i) => {
                for code in &g.groups[i as usize].1 {
                    found.push((Location::country(code), mode));
                }
            }
        }
    }
    // Typos and unknown names, only where a place is expected ("in Germnay", "in Wakanda"). A
    // word read here covers only itself, so `read` need not learn of it.
    let read = Covered::new(covered);
    let known = OnceCell::new();
    for (k, w) in text.words.iter().enumerate() {
        if read.overlaps(w.start, w.end) || k == 0 {
            continue;
        }
        let prev = text.word(text.words[k - 1]);
        let word = text.word(*w);
        if !PLACE_PREPOSITIONS.contains(&prev) || !word.chars().all(char::is_alphabetic) {
            continue;
        }
        if let Some((i, name)) = g.fuzzy_country(word) {
            let code = &g.countries[i as usize].code;
            f.notes.push(("audience.locations".into(), format!("Read \"{word}\" as {name} ({code})")));
            found.push((Location::country(code), clauses.mode_at(w.start)));
            covered.push((w.start, w.end));
        } else if text.is_capitalised(w.start)
            && !text.all_lowercase()
            && !known.get_or_init(|| KnownWords::new(text)).contains(w.start, w.end)
        {
            f.unknown_places.push(raw_word(text, *w));
        }
    }
    // A city or region narrows its own country when both are named ("Brazil, São Paulo").
    let narrowed: Vec<String> =
        found.iter().filter(|(l, _)| l.region.is_some() || l.city.is_some()).map(|(l, _)| l.country.clone()).collect();
    for (loc, mode) in found {
        if loc.region.is_none() && loc.city.is_none() && narrowed.contains(&loc.country) {
            continue;
        }
        f.locations.push(loc, mode);
    }
}

/// The word as the user wrote it (capitalised), for messages.
fn raw_word(text: &Text, w: super::text::Word) -> String {
    let s = text.word(w);
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A number word as an age: "18", "34s" → 34.
fn age_number(word: &str) -> Option<u32> {
    let digits = word.strip_suffix('s').unwrap_or(word);
    if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Words that make a number something other than an age.
const NOT_AGE_AFTER: &[&str] = &[
    "k",
    "m",
    "thousand",
    "million",
    "grand",
    "mil",
    "day",
    "days",
    "week",
    "weeks",
    "wk",
    "wks",
    "month",
    "months",
    "hour",
    "hours",
    "minutes",
    "mins",
    "dollars",
    "dollar",
    "euros",
    "euro",
    "usd",
    "eur",
    "gbp",
    "cad",
    "aud",
    "sek",
    "percent",
    "pct",
    "pm",
    "am",
    "bucks",
    "quid",
    "pounds",
    "jan",
    "january",
    "feb",
    "february",
    "mar",
    "march",
    "apr",
    "april",
    "may",
    "jun",
    "june",
    "jul",
    "july",
    "aug",
    "august",
    "sep",
    "sept",
    "september",
    "oct",
    "october",
    "nov",
    "november",
    "dec",
    "december",
    "impressions",
    "ads",
    "ad",
    "sets",
    "markets",
    "countries",
    "cities",
    "spots",
    "seconds",
    "sec",
];
const NOT_AGE_BEFORE: &[&str] = &[
    "jan",
    "january",
    "feb",
    "february",
    "mar",
    "march",
    "apr",
    "april",
    "may",
    "jun",
    "june",
    "jul",
    "july",
    "aug",
    "august",
    "sep",
    "sept",
    "september",
    "oct",
    "october",
    "nov",
    "november",
    "dec",
    "december",
    "q",
    "top",
    "first",
    "last",
    "next",
    "usd",
    "eur",
    "gbp",
    "cad",
    "aud",
    "sek",
    "chf",
    "nok",
    "dkk",
    "jpy",
    "mxn",
    "brl",
    "budget",
];
const DECADES: &[(&str, u8)] = &[
    ("twenties", 20),
    ("thirties", 30),
    ("forties", 40),
    ("fifties", 50),
    ("sixties", 60),
    ("seventies", 70),
    ("eighties", 80),
    ("twentysomethings", 20),
    ("thirtysomethings", 30),
    ("fortysomethings", 40),
    ("fiftysomethings", 50),
];

/// Generations as birth years (SPEC §2).
const GENERATIONS: &[(&str, i32, i32)] =
    &[("gen_z", 1997, 2012), ("millennials", 1981, 1996), ("gen_x", 1965, 1980), ("boomers", 1946, 1964)];

struct AgeReader<'a> {
    text: &'a Text,
    words: Vec<&'a str>,
}

impl AgeReader<'_> {
    fn word(&self, i: usize) -> &str {
        self.words.get(i).copied().unwrap_or("")
    }
    /// Text between word i and word i+1.
    fn gap(&self, i: usize) -> &str {
        match (self.text.words.get(i), self.text.words.get(i + 1)) {
            (Some(a), Some(b)) => self.text.norm[a.end..b.start].trim(),
            (Some(a), None) => self.text.norm[a.end..].trim(),
            _ => "",
        }
    }
    fn char_before(&self, i: usize) -> Option<char> {
        self.text.words.get(i).and_then(|w| self.text.norm[..w.start].chars().next_back())
    }
    fn usable(&self, i: usize, last: usize) -> bool {
        let before_ok = !matches!(self.char_before(i), Some('$' | '€' | '£' | '¥' | '.' | ',' | ':' | '#'))
            && (i == 0 || !NOT_AGE_BEFORE.contains(&self.word(i - 1)));
        let after = self.word(last + 1);
        let gap = self.gap(last);
        // A unit only counts when it follows directly ("30 days"), not as the next list item ("18-35, February").
        let unit_follows = NOT_AGE_AFTER.contains(&after) && (gap.is_empty() || gap == "-");
        let decimal = gap.starts_with('.') && !after.is_empty() && after.bytes().all(|b| b.is_ascii_digit());
        let money_or_share = gap.starts_with('%') || gap.starts_with('$');
        before_ok && !unit_follows && !money_or_share && !decimal
    }
}

fn read_ages(
    text: &Text,
    clauses: &Clauses,
    today: NaiveDate,
    groups: &[&str],
    f: &mut AudienceFinding,
) -> Option<AgeFinding> {
    let r = AgeReader { text, words: text.words.iter().map(|&w| text.word(w)).collect() };
    let mut spans: Vec<(Option<u32>, Option<u32>, String, bool)> = Vec::new(); // (min, max, said, clamp_is_definition)
    let n = r.words.len();
    let mut i = 0;
    while i < n {
        let w = r.word(i);
        if let Some(&(_, d)) = DECADES.iter().find(|(name, _)| *name == w) {
            spans.push((Some(d as u32), Some(d as u32 + 9), w.to_string(), false));
            i += 1;
            continue;
        }
        if let Some(a) = age_number(w) {
            let prev = if i > 0 { r.word(i - 1) } else { "" };
            let prev2 = if i > 1 { r.word(i - 2) } else { "" };
            // decades: "in their 40s", "40-somethings"
            if w.ends_with('s')
                && (prev == "their" || r.word(i + 1) == "somethings")
                && a % 10 == 0
                && (10..=90).contains(&a)
            {
                spans.push((Some(a), Some(a + 9), format!("{a}s"), false));
                i += 1;
                continue;
            }
            // ranges: "18-24", "18 to 30", "between 25 and 34"
            let to_b = if r.gap(i) == "-" && age_number(r.word(i + 1)).is_some() {
                Some(i + 1)
            } else if (r.word(i + 1) == "to" || (r.word(i + 1) == "and" && prev == "between"))
                && r.gap(i).is_empty()
                && age_number(r.word(i + 2)).is_some()
            {
                Some(i + 2)
            } else {
                None
            };
            if let Some(j) = to_b {
                let b = age_number(r.word(j)).unwrap_or(0);
                if (10..=99).contains(&a) && a < b && b <= 100 && r.usable(i, j) {
                    spans.push((Some(a), Some(b.min(99)), format!("{a}-{b}"), false));
                    read_gender_letter(&r, j + 1, f);
                    i = j + 1;
                    continue;
                }
                i = j + 1;
                continue;
            }
            if !(10..=99).contains(&a) || !r.usable(i, i) {
                i += 1;
                continue;
            }
            let negated = prev2 == "not" || (i > 2 && r.word(i - 3) == "not");
            let next = r.word(i + 1);
            let next2 = r.word(i + 2);
            let said = |s: &str| s.replace('#', &a.to_string());
            if r.gap(i).starts_with('+') || next == "plus" {
                spans.push((Some(a), None, said("#+"), false));
            } else if matches!(prev, "over" | "above") || (prev == "than" && matches!(prev2, "older" | "over")) {
                if negated {
                    spans.push((None, Some(a), said("up to #"), false));
                } else {
                    spans.push((Some(a + 1), None, said("over #"), false));
                }
            } else if matches!(prev, "under" | "below") || (prev == "than" && prev2 == "younger") {
                if negated {
                    spans.push((Some(a), None, said("# and over"), false));
                } else {
                    spans.push((Some(MIN_AGE as u32), Some(a.saturating_sub(1)), said("under #"), false));
                }
            } else if next == "and" && matches!(next2, "over" | "up" | "older" | "above")
                || next == "or" && matches!(next2, "older" | "over" | "above")
            {
                spans.push((Some(a), None, said("# and over"), false));
            } else if matches!((next, next2), ("and", "under") | ("and", "younger") | ("or", "younger")) {
                spans.push((Some(MIN_AGE as u32), Some(a), said("up to #"), false));
            } else if is_years_old(&r, i + 1) || list_then_years_old(&r, i).is_some() {
                let (lo, hi, end) = list_then_years_old(&r, i).unwrap_or((a, a, i));
                spans.push((Some(lo), Some(hi), format!("{lo}-{hi}"), false));
                i = end + 1;
                continue;
            } else if prev == "aged" || prev == "age" || prev == "ages" {
                spans.push((Some(a), Some(a), said("#"), false));
            }
        }
        i += 1;
    }
    let year = today.year();
    for g in groups {
        match *g {
            "young_adults" | "students" => spans.push((Some(18), Some(24), g.replace('_', " "), false)),
            "teens" => spans.push((Some(13), Some(19), "teens".into(), false)),
            other => {
                if let Some(&(name, from, to)) = GENERATIONS.iter().find(|(n, _, _)| *n == other) {
                    let lo = (year - to).max(0) as u32;
                    let hi = (year - from).max(0) as u32;
                    spans.push((Some(lo), Some(hi), name.replace('_', " "), true));
                }
            }
        }
    }
    let (mut min, mut max, mut said, definition_clamp) = spans.first().cloned()?;
    for (lo, hi, s, _) in spans.iter().skip(1) {
        // Later statements refine the first when compatible ("25-44 … not below 25").
        let new_min = match (min, *lo) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let new_max = match (max, *hi) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if new_min.zip(new_max).is_none_or(|(a, b)| a <= b) {
            min = new_min;
            max = new_max;
            said = format!("{said}, {s}");
        }
    }
    let extend = clauses.mode_at(text.words.first().map_or(0, |w| w.start)) == Mode::Add
        && ADD_CUES.iter().any(|c| has_phrase(&text.fold, c));
    let minors =
        !definition_clamp && (min.is_some_and(|m| m < MIN_AGE as u32) || max.is_some_and(|m| m < MIN_AGE as u32));
    let clamp = |v: u32| v.clamp(MIN_AGE as u32, MAX_AGE as u32) as u8;
    Some(AgeFinding { min: min.map(clamp), max: max.map(clamp), extend, clear: false, minors, said })
}

fn is_years_old(r: &AgeReader, i: usize) -> bool {
    let w = r.word(i);
    matches!(w, "yo" | "yos" | "olds")
        || (matches!(w, "year" | "years" | "yr" | "yrs") && matches!(r.word(i + 1), "old" | "olds"))
}

/// "16 and 17 year olds", "16, 17 and 18 year olds": (lowest, highest, index of last number).
fn list_then_years_old(r: &AgeReader, i: usize) -> Option<(u32, u32, usize)> {
    let mut nums = vec![age_number(r.word(i))?];
    let mut j = i;
    while matches!(r.word(j + 1), "and" | "or") || r.gap(j) == "," {
        let step = if r.gap(j) == "," && !matches!(r.word(j + 1), "and" | "or") { 1 } else { 2 };
        match age_number(r.word(j + step)) {
            Some(n) => {
                nums.push(n);
                j += step;
            }
            None => break,
        }
    }
    if !is_years_old(r, j + 1) {
        return None;
    }
    Some((*nums.iter().min()?, *nums.iter().max()?, j))
}

/// "18-34 F": a single gender letter right after an age range.
fn read_gender_letter(r: &AgeReader, i: usize, f: &mut AudienceFinding) {
    let Some(w) = r.text.words.get(i) else { return };
    if !r.text.is_all_upper(w.start, w.end) {
        return;
    }
    let g = match r.word(i) {
        "f" | "w" => Gender::Female,
        "m" => Gender::Male,
        _ => return,
    };
    f.genders.push(g, Mode::Replace);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn aud(s: &str) -> AudienceFinding {
        extract(&Text::new(s), today())
    }

    fn ages(s: &str) -> (Option<u8>, Option<u8>) {
        let a = aud(s).ages.unwrap_or_default();
        (a.min, a.max)
    }

    fn countries(s: &str) -> Vec<String> {
        aud(s).locations.add.into_iter().map(|l| l.country).collect()
    }

    #[test]
    fn age_ranges() {
        assert_eq!(ages("18–24 year olds in Germany"), (Some(18), Some(24)));
        assert_eq!(ages("men 18 to 30 in the us"), (Some(18), Some(30)));
        assert_eq!(ages("aged 25 to 40"), (Some(25), Some(40)));
        assert_eq!(ages("Clicks to our site from 18-34s in the UK"), (Some(18), Some(34)));
        assert_eq!(ages("between 25 and 34 years old"), (Some(25), Some(34)));
    }

    #[test]
    fn open_ended_ages() {
        assert_eq!(ages("women over 35 in Italy"), (Some(36), None));
        assert_eq!(ages("35+ men, UK"), (Some(35), None));
        assert_eq!(ages("audio and video, US, 18+"), (Some(18), None));
        assert_eq!(ages("under 30s in Spain"), (Some(18), Some(29)));
        assert_eq!(ages("Schlager fans 50+"), (Some(50), None));
    }

    #[test]
    fn decades_and_groups() {
        assert_eq!(ages("people in their twenties"), (Some(20), Some(29)));
        assert_eq!(ages("parents in their 40s"), (Some(40), Some(49)));
        assert_eq!(ages("young adults in Finland"), (Some(18), Some(24)));
        assert_eq!(ages("college students in Boston"), (Some(18), Some(24)));
        assert!(aud("students in the UK").interests.add.contains(&"education".to_string()));
    }

    #[test]
    fn generations_follow_today_and_clamp_silently() {
        let gz = extract(&Text::new("Gen Z pop fans"), NaiveDate::from_ymd_opt(2026, 1, 14).unwrap()).ages.unwrap();
        assert_eq!((gz.min, gz.max, gz.minors), (Some(18), Some(29), false));
        let m = extract(&Text::new("millennials"), NaiveDate::from_ymd_opt(2025, 10, 15).unwrap()).ages.unwrap();
        assert_eq!((m.min, m.max), (Some(29), Some(44)));
        let x = extract(&Text::new("Gen X listeners"), NaiveDate::from_ymd_opt(2027, 2, 10).unwrap()).ages.unwrap();
        assert_eq!((x.min, x.max), (Some(47), Some(62)));
        assert_eq!(ages("boomers in Florida"), (Some(62), Some(80)));
    }

    #[test]
    fn minors_are_clamped_and_flagged() {
        let a = aud("16-24 year olds in Germany").ages.unwrap();
        assert_eq!((a.min, a.max, a.minors), (Some(18), Some(24), true));
        let a = aud("include 16 and 17 year olds too").ages.unwrap();
        assert_eq!((a.min, a.max, a.minors, a.extend), (Some(18), Some(18), true, true));
        assert!(aud("teens in the US").ages.unwrap().minors);
        assert!(!aud("under 30s in Spain").ages.unwrap().minors);
    }

    #[test]
    fn numbers_that_are_not_ages() {
        assert_eq!(aud("$10-15k, 3-4 weeks, 20% on video, from 13 to 15th of July").ages, None);
        assert_eq!(aud("between 8 and 10 thousand euros").ages, None);
        assert_eq!(aud("10-15k USD").ages, None);
        assert_eq!(aud("over 30 days").ages, None);
        assert_eq!(aud("no more than 20% on video").ages, None);
    }

    #[test]
    fn not_below_refines() {
        assert_eq!(ages("25-44. They were adamant about not going below 25."), (Some(25), Some(44)));
    }

    #[test]
    fn genders() {
        assert_eq!(aud("women and non-binary folks 20-35").genders.add, vec![Gender::Female, Gender::NonBinary]);
        assert_eq!(aud("guys 21-35").genders.add, vec![Gender::Male]);
        assert_eq!(aud("18-34 F, DE+AT").genders.add, vec![Gender::Female]);
        assert!(aud("and drop the gender filter").genders.clear);
    }

    #[test]
    fn places() {
        assert_eq!(countries("US + Canada"), vec!["US", "CA"]);
        assert_eq!(countries("Target Italians 30-60"), vec!["IT"]);
        assert_eq!(countries("Scope: Nordics, awareness"), vec!["SE", "NO", "DK", "FI", "IS"]);
        let f = aud("We're a Brazilian brand. Budget R$ 20.000, target São Paulo");
        assert_eq!(f.locations.add.len(), 1);
        assert_eq!(f.locations.add[0].city.as_deref(), Some("São Paulo"));
    }

    #[test]
    fn typos_and_unknown_places() {
        let f = aud("awarness campaign in Germnay for 20-30 yr olds");
        assert_eq!(f.locations.add[0].country, "DE");
        assert!(f.unknown_places.is_empty());
        assert!(!f.notes.is_empty());
        let f = aud("I want to reach people in Wakanda lol, and Germany for real");
        assert_eq!(f.unknown_places, vec!["Wakanda"]);
        assert_eq!(f.locations.add[0].country, "DE");
        assert!(aud("Gen X listeners in the US, for April in March").unknown_places.is_empty());
    }

    #[test]
    fn long_input_is_linear() {
        // Every hit used to rescan its clause and every place word all earlier ranges: with
        // no clause breaks that was quadratic (seconds at this length in a debug build).
        let long = "hip-hop fans in Deutschland, add ages ".repeat(2_000);
        let start = std::time::Instant::now();
        let f = aud(&long);
        assert!(start.elapsed().as_secs_f64() < 2.0, "{:?}", start.elapsed());
        assert_eq!(f.genres.add, vec!["hip_hop".to_string()]);
        let long = "ages 0-17 all genders ".repeat(3_000);
        let start = std::time::Instant::now();
        let f = aud(&long);
        assert!(start.elapsed().as_secs_f64() < 2.0, "{:?}", start.elapsed());
        assert!(f.genders.clear);
        let long = "hip-hop fans in Deutschland ".repeat(3_000);
        let start = std::time::Instant::now();
        let f = aud(&long);
        assert!(start.elapsed().as_secs_f64() < 2.0, "{:?}", start.elapsed());
        assert_eq!(f.locations.add, vec![Location::country("DE")]);
    }

    #[test]
    fn clauses_give_each_hit_its_own_mode() {
        let t = Text::new("add Austria, drop Germany; France (plus Spain)");
        let c = Clauses::new(&t);
        let at = |w: &str| t.norm.find(w).unwrap_or(usize::MAX);
        assert_eq!(c.mode_at(at("austria")), Mode::Add);
        assert_eq!(c.mode_at(at("germany")), Mode::Remove);
        assert_eq!(c.mode_at(at("france")), Mode::Replace);
        assert_eq!(c.mode_at(at("spain")), Mode::Add);
        assert_eq!(c.clause_of(at("germany")), " drop germany");
        // A break belongs to the clause it ends.
        assert_eq!(c.clause_of(at(",")), "add austria");
        assert_eq!(c.clause_of(t.norm.len()), "");
        let f = aud("add Austria, drop Germany");
        assert_eq!((f.locations.add[0].country.as_str(), f.locations.remove[0].country.as_str()), ("AT", "DE"));
    }

    #[test]
    fn covered_ranges_overlap_like_a_scan() {
        let ranges = [(10, 14), (0, 3), (5, 30), (40, 41), (12, 13)];
        let covered = Covered::new(&ranges);
        for start in 0..45 {
            for end in start + 1..46 {
                let scan = ranges.iter().any(|&(s, e)| s < end && start < e);
                assert_eq!(covered.overlaps(start, end), scan, "{start}..{end}");
            }
        }
        assert!(!Covered::new(&[]).overlaps(0, 5));
    }

    #[test]
    fn words_around_and_after() {
        let t = Text::new("one two  three, four");
        let at = |w: &str| t.norm.find(w).unwrap_or(usize::MAX);
        let (before, after) = words_around(&t, at("three"), at("three") + 5, 2);
        assert_eq!((before, after), (vec!["two", "one"], vec!["four"]));
        assert_eq!(adjacent_word_after(&t, at("two") + 3), Some("three"));
        assert_eq!(adjacent_word_after(&t, at("three") + 5), None);
        assert_eq!(adjacent_word_after(&t, t.norm.len()), None);
    }

    #[test]
    fn list_modes() {
        let f = aud("add Austria");
        assert!(!f.locations.replace);
        let f = aud("drop Germany");
        assert_eq!(f.locations.remove[0].country, "DE");
        let f = aud("make it iOS only");
        assert!(f.platforms.replace);
        let mut list = vec![Platform::Ios, Platform::Android];
        f.platforms.apply(&mut list);
        assert_eq!(list, vec![Platform::Ios]);
    }

    #[test]
    fn languages_only_when_about_language() {
        let f = aud("target Spanish speakers only");
        assert_eq!(f.languages.add, vec!["es"]);
        assert!(f.locations.is_empty());
        let f = aud("Swiss users, French and German speakers");
        assert_eq!(f.languages.add, vec!["fr", "de"]);
        assert_eq!(f.locations.add.len(), 1, "French is a language here, not France");
        let f = aud("French-speaking Canadians");
        assert_eq!(f.languages.add, vec!["fr"]);
        assert_eq!(f.locations.add[0].country, "CA");
    }

    #[test]
    fn interests_contexts_genres_topics() {
        let f = aud("people interested in cooking, and people listening while they're cooking");
        assert_eq!(f.interests.add, vec!["cooking"]);
        assert_eq!(f.contexts.add, vec!["cooking"]);
        assert_eq!(aud("men 18-34 who are gamers").interests.add, vec!["gaming"]);
        assert_eq!(aud("ideally while they're gaming").contexts.add, vec!["gaming"]);
        assert_eq!(aud("gym-goers").interests.add, vec!["fitness"]);
        assert_eq!(aud("people working out").contexts.add, vec!["workout"]);
        assert_eq!(aud("chill and party moments").contexts.add, vec!["chill", "party"]);
        assert_eq!(aud("K-pop and R&B fans").genres.add, vec!["kpop", "rnb"]);
        assert!(aud("music fans in Germany").genres.is_empty());
        let f = aud("business podcast listeners in the US");
        assert_eq!(f.podcast_topics.add, vec!["business-and-finance"]);
        assert!(f.interests.is_empty());
        assert!(f.podcast);
        assert!(!aud("How do I grow my podcast?").podcast);
        assert!(!aud("no more than 30% on podcasts").podcast);
        assert!(!aud("exclude podcasts").podcast);
        assert!(aud("only on podcasts").podcast);
    }
}
