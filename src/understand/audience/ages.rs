//! Ages: a small grammar over the words ("18–24", "18 to 30", "35+", "over 35", "under 30s", "in
//! their forties", "16 and 17 year olds", planner shorthand "W25-34" / "M18+" / "F 25-34",
//! generations from `today`). The words around numbers that make them no age, decades,
//! generations and shorthand letters are data: `fixtures/lang/age_words.tsv`.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};

use super::{AgeFinding, AudienceFinding, MAX_AGE, MIN_AGE};
use crate::brief::Gender;
use crate::understand::lang::{Edit, Scope};
use crate::understand::lexicon::tsv_rows;
use crate::understand::numbers::{Shapes, WordMap, WordSet};
use crate::understand::text::{Text, Word};

const AGE_WORDS: &str = include_str!("../../../fixtures/lang/age_words.tsv");

/// A number word as an age: "18", "34s" → 34.
fn age_number(word: &str) -> Option<u32> {
    let digits = word.strip_suffix('s').unwrap_or(word);
    if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[derive(Default)]
struct AgeWords {
    not_after: WordSet<&'static str>,
    not_before: WordSet<&'static str>,
    decades: WordMap<&'static str, u32>,
    /// The decade words' shapes: most words of a message are no decade by their shape alone,
    /// and skip the lookup.
    decade_shapes: Shapes,
    /// (group id, first birth year, last birth year).
    generations: Vec<(&'static str, i32, i32)>,
    shorthand: WordMap<&'static str, Option<Gender>>,
    years_old: WordSet<&'static str>,
    year_words: WordSet<&'static str>,
    span_before: WordSet<&'static str>,
    span_after: WordSet<&'static str>,
}

fn age_words() -> &'static AgeWords {
    static W: OnceLock<AgeWords> = OnceLock::new();
    W.get_or_init(|| {
        let mut w = AgeWords::default();
        for row in tsv_rows(AGE_WORDS) {
            let (Some(&word), Some(&kind)) = (row.first(), row.get(1)) else { continue };
            let from = row.get(2).copied().unwrap_or("");
            let num = |s: &str| s.parse::<i32>().ok();
            match kind {
                "not_age_after" => drop(w.not_after.insert(word)),
                "not_age_before" => drop(w.not_before.insert(word)),
                "years_old" => drop(w.years_old.insert(word)),
                "year_word" => drop(w.year_words.insert(word)),
                "span_before" => drop(w.span_before.insert(word)),
                "span_after" => drop(w.span_after.insert(word)),
                "decade" => {
                    if let Some(d) = num(from) {
                        w.decades.insert(word, d as u32);
                        w.decade_shapes.insert(word);
                    }
                }
                "generation" => {
                    if let (Some(a), Some(b)) = (num(from), row.get(3).and_then(|s| num(s))) {
                        w.generations.push((word, a, b));
                    }
                }
                "shorthand" => {
                    let g = match from {
                        "FEMALE" => Some(Gender::Female),
                        "MALE" => Some(Gender::Male),
                        _ => None,
                    };
                    w.shorthand.insert(word, g);
                }
                _ => {}
            }
        }
        w
    })
}

/// The decade a word names ("thirties" → 30).
fn decade(word: &str) -> Option<u32> {
    let w = age_words();
    if !w.decade_shapes.may_hold(word) {
        return None;
    }
    w.decades.get(word).copied()
}

/// Planner shorthand glued to an age: "W25" (women 25…), "M18", "A35", "P18" → (gender, digits).
fn shorthand_age<'a>(text: &Text, w: Word, word: &'a str) -> Option<(Option<Gender>, &'a str)> {
    let letter = word.get(..1)?;
    let digits = &word[1..];
    if digits.len() != 2 || !digits.bytes().all(|b| b.is_ascii_digit()) || !text.is_capitalised(w.start) {
        return None;
    }
    age_words().shorthand.get(letter).map(|g| (*g, digits))
}

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
    /// Whether word `i` is a capital shorthand letter standing apart ("30-45 M": men, not
    /// millions).
    fn gender_letter(&self, i: usize) -> bool {
        let (Some(w), Some(prev)) = (self.text.words.get(i), i.checked_sub(1).and_then(|p| self.text.words.get(p)))
        else {
            return false;
        };
        w.end - w.start == 1
            && prev.end < w.start
            && self.text.is_all_upper(w.start, w.end)
            && age_words().shorthand.contains_key(self.word(i))
    }

    /// Whether only spaces separate word `i` from word `i + 1` ("Mar 30", not "jul / 25-54").
    fn adjacent(&self, i: usize) -> bool {
        match (self.text.words.get(i), self.text.words.get(i + 1)) {
            (Some(a), Some(b)) => self.text.norm[a.end..b.start].chars().all(char::is_whitespace),
            _ => false,
        }
    }

    /// Whether word `i` is glued to a number before it by `-` or `/` ("2026-11-15", "11/15").
    fn date_part_before(&self, i: usize) -> bool {
        let Some(w) = self.text.words.get(i) else { return false };
        let mut before = self.text.norm[..w.start].chars().rev();
        matches!(before.next(), Some('-' | '/')) && before.next().is_some_and(|c| c.is_ascii_digit())
    }

    /// Whether word `last` is glued to a number after it by `-` or `/` ("11-15-2026").
    fn date_part_after(&self, last: usize) -> bool {
        let glued = match (self.text.words.get(last), self.text.words.get(last + 1)) {
            (Some(a), Some(b)) => matches!(&self.text.norm[a.end..b.start], "-" | "/"),
            _ => false,
        };
        glued && self.words.get(last + 1).is_some_and(|w| w.bytes().next().is_some_and(|b| b.is_ascii_digit()))
    }

    fn usable(&self, i: usize, last: usize) -> bool {
        if self.date_part_before(i) || (last > i && self.date_part_after(last)) {
            return false;
        }
        let before_ok = !matches!(self.char_before(i), Some('$' | '€' | '£' | '¥' | '.' | ',' | ':' | '#'))
            && (i == 0 || !age_words().not_before.contains(self.word(i - 1)) || !self.adjacent(i - 1));
        let after = self.word(last + 1);
        let gap = self.gap(last);
        // A unit only counts when it follows directly ("30 days"), not as the next list item ("18-35, February").
        let unit_follows =
            age_words().not_after.contains(after) && (gap.is_empty() || gap == "-") && !self.gender_letter(last + 1);
        // "18.5": a decimal only when the point is glued to both numbers ("18-29. $700" is a range).
        let glued_point = match (self.text.words.get(last), self.text.words.get(last + 1)) {
            (Some(a), Some(b)) => &self.text.norm[a.end..b.start] == ".",
            _ => false,
        };
        let decimal = glued_point && !after.is_empty() && after.bytes().all(|b| b.is_ascii_digit());
        let money_or_share = gap.starts_with('%') || gap.starts_with('$');
        before_ok && !unit_follows && !money_or_share && !decimal
    }
}

/// One age statement: (first word, min, max, what was said, whether clamping is part of the
/// definition, as for generations); groups have no first word (`usize::MAX`).
type AgeSpan = (usize, Option<u32>, Option<u32>, String, bool);

pub(super) fn read_ages(
    text: &Text,
    scope: &Scope,
    today: NaiveDate,
    groups: &[&str],
    f: &mut AudienceFinding,
    covered: &mut Vec<(usize, usize)>,
) -> Option<AgeFinding> {
    // Without a digit there is no number, shorthand or range: only decades and named groups
    // can state an age, and a message with neither has nothing here to read.
    if groups.is_empty()
        && !text.norm.bytes().any(|b| b.is_ascii_digit())
        && !text.words.iter().any(|&w| decade(text.word(w)).is_some())
    {
        return None;
    }
    let mut shorthand: Vec<(usize, Option<Gender>)> = Vec::new();
    let words = text
        .words
        .iter()
        .enumerate()
        .map(|(k, &w)| match shorthand_age(text, w, text.word(w)) {
            Some((g, digits)) => {
                shorthand.push((k, g));
                digits
            }
            None => text.word(w),
        })
        .collect();
    let r = AgeReader { text, words };
    let mut spans: Vec<AgeSpan> = Vec::new();
    let n = r.words.len();
    let mut i = 0;
    while i < n {
        let w = r.word(i);
        if let Some(d) = decade(w) {
            spans.push((i, Some(d), Some(d + 9), w.to_string(), false));
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
                spans.push((i, Some(a), Some(a + 9), format!("{a}s"), false));
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
                    spans.push((i, Some(a), Some(b.min(99)), format!("{a}-{b}"), false));
                    read_gender_letter(&r, j + 1, f, covered);
                    if i > 0 {
                        read_gender_letter(&r, i - 1, f, covered);
                    }
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
                spans.push((i, Some(a), None, said("#+"), false));
            } else if matches!(prev, "over" | "above") || (prev == "than" && matches!(prev2, "older" | "over")) {
                if negated {
                    spans.push((i, None, Some(a), said("up to #"), false));
                } else {
                    spans.push((i, Some(a + 1), None, said("over #"), false));
                }
            } else if matches!(prev, "under" | "below") || (prev == "than" && prev2 == "younger") {
                if negated {
                    spans.push((i, Some(a), None, said("# and over"), false));
                } else {
                    spans.push((i, Some(MIN_AGE as u32), Some(a.saturating_sub(1)), said("under #"), false));
                }
            } else if next == "and" && matches!(next2, "over" | "up" | "older" | "above")
                || next == "or" && matches!(next2, "older" | "over" | "above")
            {
                spans.push((i, Some(a), None, said("# and over"), false));
            } else if matches!((next, next2), ("and", "under") | ("and", "younger") | ("or", "younger")) {
                spans.push((i, Some(MIN_AGE as u32), Some(a), said("up to #"), false));
            } else if is_years_old(&r, i + 1) || list_then_years_old(&r, i).is_some() {
                let (lo, hi, end) = list_then_years_old(&r, i).unwrap_or((a, a, i));
                spans.push((i, Some(lo), Some(hi), format!("{lo}-{hi}"), false));
                i = end + 1;
                continue;
            } else if prev == "aged" || prev == "age" || prev == "ages" {
                spans.push((i, Some(a), Some(a), said("#"), false));
            }
        }
        i += 1;
    }
    let year = today.year();
    for g in groups {
        match *g {
            "young_adults" | "students" => spans.push((usize::MAX, Some(18), Some(24), g.replace('_', " "), false)),
            "teens" => spans.push((usize::MAX, Some(13), Some(19), "teens".into(), false)),
            other => {
                if let Some(&(name, from, to)) = age_words().generations.iter().find(|(n, _, _)| *n == other) {
                    let lo = (year - to).max(0) as u32;
                    let hi = (year - from).max(0) as u32;
                    spans.push((usize::MAX, Some(lo), Some(hi), name.replace('_', " "), true));
                }
            }
        }
    }
    // An age range the message removes or replaces ("replace the 18-24s with 25-34s", "not
    // 18-24 but 25-34") is not the new range; "not below 25" is read above.
    spans.retain(|s| {
        let Some(w) = text.words.get(s.0) else { return true };
        let comparison = s.0 > 0 && matches!(r.word(s.0 - 1), "over" | "above" | "under" | "below" | "than");
        comparison || scope.edit(w.start, w.end) != Edit::Remove
    });
    for s in &spans {
        if s.0 != usize::MAX {
            covered.push(age_span(&r, s.0));
        }
    }
    let mut starts: Vec<usize> = spans.iter().map(|s| s.0).collect();
    starts.sort_unstable();
    for (k, g) in shorthand {
        if starts.binary_search(&k).is_ok() {
            if let Some(g) = g {
                f.genders.push(g, Edit::Replace);
            }
        }
    }
    let first_at = spans.first().map(|s| s.0)?;
    let (_, mut min, mut max, mut said, definition_clamp) = spans.first().cloned()?;
    // Only named groups ("Gen Z and Millennials"): everyone in any of them.
    let only_groups = spans.len() > 1 && spans.iter().all(|s| s.0 == usize::MAX);
    for (_, lo, hi, s, _) in spans.iter().skip(1) {
        if only_groups {
            min = min.zip(*lo).map(|(a, b)| a.min(b));
            max = max.zip(*hi).map(|(a, b)| a.max(b));
            said = format!("{said} and {s}");
            continue;
        }
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
    let extend = match text.words.get(first_at) {
        Some(w) => scope.extends(w.start, w.end),
        None => scope.adds_anywhere(),
    };
    let minors =
        !definition_clamp && (min.is_some_and(|m| m < MIN_AGE as u32) || max.is_some_and(|m| m < MIN_AGE as u32));
    let clamp = |v: u32| v.clamp(MIN_AGE as u32, MAX_AGE as u32) as u8;
    Some(AgeFinding { min: min.map(clamp), max: max.map(clamp), extend, clear: false, minors, said })
}

fn is_years_old(r: &AgeReader, i: usize) -> bool {
    let words = age_words();
    let w = r.word(i);
    words.years_old.contains(w) || (words.year_words.contains(w) && matches!(r.word(i + 1), "old" | "olds"))
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

/// "18-34 F", "F 25-34": a single capital gender letter right after or before an age range.
fn read_gender_letter(r: &AgeReader, i: usize, f: &mut AudienceFinding, covered: &mut Vec<(usize, usize)>) {
    let Some(w) = r.text.words.get(i) else { return };
    if w.end - w.start != 1 || !r.text.is_all_upper(w.start, w.end) {
        return;
    }
    if let Some(Some(g)) = age_words().shorthand.get(r.word(i)) {
        f.genders.push(*g, Edit::Replace);
        covered.push((w.start, w.end));
    }
}

/// The bytes an age statement starting at word `i` covers: the comparison word before it and
/// the numbers and age words after it ("over 35", "18-24 year olds", "25 and over").
fn age_span(r: &AgeReader, i: usize) -> (usize, usize) {
    let words = &r.text.words;
    let vocab = age_words();
    let first = if i > 0 && vocab.span_before.contains(r.word(i - 1)) { i - 1 } else { i };
    let mut last = i;
    while last + 1 < words.len()
        && last < i + 4
        && (age_number(r.word(last + 1)).is_some() || vocab.span_after.contains(r.word(last + 1)))
    {
        last += 1;
    }
    (words[first].start, words[last].end)
}
