//! Places and languages in a message, with the role a place plays.
//!
//! A place is the audience's unless the message makes it the advertiser's ("a Brazilian brand",
//! "Italian deli in Boston": an organisation noun right after it). Misspelt countries ("Germny")
//! and unknown names ("Narnia") are looked for only where a place is expected: after a place
//! preposition ("in"), as a list item of their own, or joined to a known place by "and", "or", a
//! comma or "+". A language counts only when the message is about language ("Spanish speakers").

use std::cell::OnceCell;
use std::collections::HashSet;

use super::{words_around, AudienceFinding};
use crate::brief::Location;
use crate::understand::gazetteer::{Gazetteer, Place};
use crate::understand::lang::spans::Spans;
use crate::understand::lang::words::{self, Class};
use crate::understand::lang::{marks, Edit, Scope};
use crate::understand::lexicon::Hit;
use crate::understand::text::{Text, Word};
use crate::understand::KnownWords;

pub(super) fn read_languages(text: &Text, scope: &Scope, f: &mut AudienceFinding, covered: &mut Vec<(usize, usize)>) {
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
            let edit = scope.edit(h.start, h.end);
            f.languages.push(g.language_codes[h.value as usize].clone(), edit);
            covered.push((h.start, h.end));
        }
    }
}

/// The organisation noun a phrase ending at byte `end` describes: right after it ("a Brazilian
/// brand") or after one or two plain lower-case words naming the product ("an Irish whiskey
/// brand", "a gaming headset company"), joined by spaces or hyphens only. An organisation noun
/// some other reading `took` ("Irish business owners": an audience) counts for nothing; a word
/// that `stops` the run (another place), an audience noun or an intent word ends it: "UK gamers,
/// brand lift" and "Irish fans brand" stay audiences.
pub(super) fn org_after(
    text: &Text,
    end: usize,
    took: impl Fn(Word) -> bool,
    stops: impl Fn(Word) -> bool,
) -> Option<Word> {
    let first = text.words.partition_point(|w| w.start < end);
    let mut at = end;
    for &w in text.words.iter().skip(first).take(3) {
        if !text.norm[at..w.start].chars().all(|c| c.is_whitespace() || c == '-') || stops(w) {
            return None;
        }
        let word = text.word(w);
        let classes = words::classes(word);
        if classes.has(Class::Org) {
            return (!took(w)).then_some(w);
        }
        let plain = word.chars().all(char::is_alphabetic)
            && (text.all_lowercase() || !text.is_capitalised(w.start))
            && !classes.has(Class::AudienceNoun)
            && !classes.has(Class::Intent)
            && !classes.is_stopword();
        if !plain {
            return None;
        }
        at = w.end;
    }
    None
}

/// Whether the text between two places joins them into one list ("NL, DE and BE", "DE+AT").
pub(crate) fn joins(gap: &str) -> bool {
    let gap = gap.trim();
    matches!(gap, "and" | "or" | "," | "/" | "&" | "+" | ", and" | ", or" | "&amp;" | "")
}

pub(super) fn read_places(text: &Text, scope: &Scope, f: &mut AudienceFinding, covered: &mut Vec<(usize, usize)>) {
    let g = Gazetteer::get();
    let read = Spans::new(covered.to_vec());
    let hits: Vec<Hit<Place>> = g.find_places(text).into_iter().filter(|h| !read.overlaps(h.start, h.end)).collect();
    let mut found: Vec<(Location, Edit, (usize, usize))> = Vec::new();
    // Places where the advertiser is ("a surf school in Biarritz"): targets only when the message
    // names no other place.
    let mut advertiser: Vec<(Location, Edit, (usize, usize))> = Vec::new();
    for h in &hits {
        covered.push((h.start, h.end));
        let edit = scope.edit(h.start, h.end);
        let at = (h.start, h.end);
        let after_advertiser = advertiser.last().is_some_and(|(_, _, at)| joins(&text.norm[at.1..h.start]));
        if located_advertiser(text, h.start, h.end) || after_advertiser {
            if let Some(loc) = location_of(g, h.value) {
                advertiser.push((loc, edit, at));
            }
            continue;
        }
        match h.value {
            Place::Country(i) | Place::Code(i) => {
                // A word another specialist read may name the product ("a Swedish indie game
                // developer"); only another place ends the run.
                let place_at = |w: Word| hits.iter().any(|o| o.start < w.end && w.start < o.end);
                if org_after(text, h.end, |w| read.overlaps(w.start, w.end), place_at).is_some() {
                    continue; // "We're a Brazilian brand": who they are, not whom they target
                }
                found.push((Location::country(&g.countries[i as usize].code), edit, at));
            }
            Place::Region(i) | Place::ListRegion(i) => {
                let r = &g.regions[i as usize];
                found.push((
                    Location { country: r.country.clone(), region: Some(r.code.clone()), city: None },
                    edit,
                    at,
                ));
            }
            Place::City(i) => {
                let c = &g.cities[i as usize];
                found.push((
                    Location { country: c.country.clone(), region: None, city: Some(c.name.clone()) },
                    edit,
                    at,
                ));
            }
            Place::Group(i) => {
                for code in &g.groups[i as usize].1 {
                    found.push((Location::country(code), edit, at));
                }
            }
        }
    }
    // Typos and unknown names, only where a place is expected. A word read here covers only
    // itself, so `read` need not learn of it.
    let read = Spans::new(covered.to_vec());
    let known = OnceCell::new();
    // The hits are resolved: in text order, disjoint, so starts and ends both ascend.
    let place_at = |start: usize, end: usize| {
        hits.binary_search_by_key(&start, |h| h.start).is_ok() || hits.binary_search_by_key(&end, |h| h.end).is_ok()
    };
    for (k, w) in text.words.iter().enumerate() {
        let word = text.word(*w);
        if read.overlaps(w.start, w.end) || !word.chars().all(char::is_alphabetic) {
            continue;
        }
        let prev = k.checked_sub(1).map(|p| text.words[p]);
        let next = text.words.get(k + 1).copied();
        // The cheap tests first: most words are in no place position, and those need no
        // stopword or clause lookups.
        let capital = text.is_capitalised(w.start) || text.all_lowercase();
        let after_preposition = prev.is_some_and(|p| words::is(Class::PlacePreposition, text.word(p)));
        if (!capital && !after_preposition) || words::is_stopword(word) {
            continue;
        }
        let clause = scope.clause_index(w.start);
        let first_in_clause = prev.is_none_or(|p| scope.clause_index(p.start) != clause);
        let alone = first_in_clause && next.is_none_or(|n| scope.clause_index(n.start) != clause);
        // Joined to a known place: "Germany and Narnia", "Narnia, Germany".
        let joined = prev.is_some_and(|_| {
            let before = text.words[..k].iter().rev().take(2).find(|q| place_at(q.start, q.end));
            before.is_some_and(|q| joins(&text.norm[q.end..w.start]))
        }) || next.is_some_and(|_| {
            let after = text.words[k + 1..].iter().take(2).find(|q| place_at(q.start, q.end));
            after.is_some_and(|q| joins(&text.norm[w.end..q.start]))
        });
        let place_position = after_preposition || ((first_in_clause || joined) && capital);
        // Words of some specialist's vocabulary ("reach", "weeks") are no misspelt country;
        // checking first spares the fuzzy search.
        if !place_position
            || (!after_preposition && known.get_or_init(|| KnownWords::new(text)).contains(w.start, w.end))
        {
            continue;
        }
        // A typo is read only where a place is all the clause can mean: after "in"/"from", in a
        // list of places, alone or before a number ("Germnay, 25-34", "Itlay 25-34"). A
        // capitalised first word of a sentence ("Dates are flexible") is an ordinary word.
        let next_plain = next.is_some_and(|n| {
            scope.clause_index(n.start) == clause
                && !text.is_capitalised(n.start)
                && text.word(n).chars().all(char::is_alphabetic)
        });
        let typo_position = after_preposition || joined || alone || (first_in_clause && !next_plain);
        if let Some((i, name)) = typo_position.then(|| g.fuzzy_country(word)).flatten() {
            let code = &g.countries[i as usize].code;
            f.notes.push(("audience.locations".into(), format!("Read \"{word}\" as {name} ({code})")));
            found.push((Location::country(code), scope.edit(w.start, w.end), (w.start, w.end)));
            covered.push((w.start, w.end));
        } else if (after_preposition || alone || joined)
            && text.is_capitalised(w.start)
            && !text.all_lowercase()
            && !known.get_or_init(|| KnownWords::new(text)).contains(w.start, w.end)
        {
            f.unknown_places.push(raw_word(text, *w));
            covered.push((w.start, w.end));
        }
    }
    if found.is_empty() {
        found = advertiser;
    }
    found.sort_by_key(|(_, _, at)| at.0);
    // A city or region narrows its own country when both are named ("Brazil, São Paulo"); one
    // being excluded ("France but not Paris") does not.
    let narrowed: HashSet<String> = found
        .iter()
        .filter(|(l, e, _)| (l.region.is_some() || l.city.is_some()) && *e != Edit::Remove)
        .map(|(l, _, _)| l.country.clone())
        .collect();
    for (loc, edit, at) in found {
        if loc.region.is_none() && loc.city.is_none() && narrowed.contains(&loc.country) {
            continue;
        }
        if edit == Edit::Remove && (loc.region.is_some() || loc.city.is_some()) {
            f.excluded_areas.push((loc.clone(), text.original(at.0, at.1)));
        }
        f.locations.push(loc, edit);
    }
}

/// Whether the place starting at `start` is where the advertiser is: an organisation noun, then
/// "in", "from" or "based in", then the place ("a surf school in Biarritz", "our deli based in
/// Boston"); a greeting, then "from" ("Hello from Toronto"); or a sentence about the advertiser
/// ("I'm a florist in Edinburgh", "my bakery is in Toulouse", "I'm a Swedish developer"): a
/// first-person word before the place, with no audience noun or intent word in between.
fn located_advertiser(text: &Text, start: usize, end: usize) -> bool {
    let k = text.words.partition_point(|w| w.start < start);
    // "our UK customers", "Irish business owners": the place describes the audience.
    // Only when nothing but spaces separates them: "a festival in Lisbon: fans in Spain" is not.
    let next = text.words.get(text.words.partition_point(|w| w.start < end));
    if next.is_some_and(|w| {
        words::is(Class::AudienceNoun, text.word(*w)) && text.norm[end..w.start].chars().all(char::is_whitespace)
    }) {
        return false;
    }
    let word = |i: Option<usize>| i.and_then(|i| text.words.get(i)).map_or("", |w| text.word(*w));
    let back = |n: usize| k.checked_sub(n);
    let (p1, p2, p3) = (word(back(1)), word(back(2)), word(back(3)));
    let org = match (p1, p2) {
        ("in" | "from", "based") => words::is(Class::Org, p3),
        ("in" | "from", org) => {
            words::is(Class::Org, org) || (p1 == "from" && back(2).is_some_and(|g| greeting_opens(text, g)))
        }
        _ => false,
    };
    if org {
        return true;
    }
    // Back through the clause, at most a dozen words.
    let mut i = k;
    while let Some(j) = i.checked_sub(1).filter(|j| k - j <= 12) {
        let (w, next) = (text.words[j], text.words[i.min(text.words.len() - 1)]);
        if i < k && text.norm[w.end..next.start].contains(crate::understand::lang::scope::is_break) {
            return false;
        }
        let classes = words::classes(text.word(w));
        if classes.has(Class::AudienceNoun) || classes.has(Class::Intent) {
            return false;
        }
        if classes.has(Class::FirstPerson) {
            return true;
        }
        i = j;
    }
    false
}

/// Whether word `k` ends a greeting that opens the message or a clause ("Hello from Toronto",
/// "Hi all, good morning from Lisbon"; not "ads in the morning from Berlin").
fn greeting_opens(text: &Text, k: usize) -> bool {
    marks::greeting_ending_at(text, k).is_some_and(|g| {
        let before = text.norm[..text.words[g].start].trim_end();
        before.chars().next_back().is_none_or(|c| !c.is_alphanumeric())
    })
}

/// The location a single place names (a group names several: none here).
fn location_of(g: &Gazetteer, place: Place) -> Option<Location> {
    Some(match place {
        Place::Country(i) | Place::Code(i) => Location::country(&g.countries[i as usize].code),
        Place::Region(i) | Place::ListRegion(i) => {
            let r = &g.regions[i as usize];
            Location { country: r.country.clone(), region: Some(r.code.clone()), city: None }
        }
        Place::City(i) => {
            let c = &g.cities[i as usize];
            Location { country: c.country.clone(), region: None, city: Some(c.name.clone()) }
        }
        Place::Group(_) => return None,
    })
}

/// The word as the user wrote it (capitalised), for messages.
fn raw_word(text: &Text, w: Word) -> String {
    let s = text.word(w);
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
