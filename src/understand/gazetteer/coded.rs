//! Coded lists of regions in lower case: "tx/ok/ar", "on / bc / qc", "tx, ok, ar, 18-34".
//!
//! Two-letter postal codes are read in capitals anywhere a list of regions stands ("TX/OK/AR").
//! In lower case most of them are English words ("ok", "or", "in", "me", "hi"), so they count
//! only where the list is unmistakably a list of codes: three or more two-letter codes of one
//! country's regions (the `code` rows of `fixtures/gazetteer/list_regions.tsv`), every one joined
//! to the next by "/" and nothing more joined to it ("tx/ok/de/at" is no list of states) — or
//! every one by a comma, the list then standing as a field of its own (a sign, the message's
//! edge or a place preposition before it; a sign, a number or the edge after it: "tx, ok, ar,
//! 18-34", "in tx, ok, ar 25+"), one member at least no stopword. "ok, or in" and "ok, hi, me"
//! stay words.

use super::{Gazetteer, Place};
use crate::understand::lang::words::{self, Class};
use crate::understand::lexicon::Hit;
use crate::understand::text::Text;

/// The fewest members a coded list has.
const MIN_MEMBERS: usize = 3;

/// How a list's members are joined.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Joint {
    Slash,
    Comma,
}

/// The region hits of every coded list in `text` that has a member not in capitals (a list in
/// capitals is read by the general rules), in text order.
pub(super) fn lists(g: &Gazetteer, text: &Text) -> Vec<Hit<Place>> {
    let mut out = Vec::new();
    // Bytes, not characters: both signs are ASCII, and a char-set search decodes every character.
    if !text.norm.bytes().any(|b| b == b'/' || b == b',') {
        return out;
    }
    let ws = &text.words;
    let codes = |k: usize| {
        let w = text.word(ws[k]);
        (w.len() == 2 && w.bytes().all(|b| b.is_ascii_alphabetic())).then(|| g.postal.get(w)).flatten()
    };
    let joint = |a: usize, b: usize| match text.norm[ws[a].end..ws[b].start].trim() {
        "/" => Some(Joint::Slash),
        "," if text.norm[ws[a].end..].starts_with(',') => Some(Joint::Comma),
        _ => None,
    };
    let mut k = 0;
    while k < ws.len() {
        if codes(k).is_none() {
            k += 1;
            continue;
        }
        // The run of codes from `k`, all joined the same way.
        let mut j = k;
        let mut how = None;
        while j + 1 < ws.len() && codes(j + 1).is_some() {
            match joint(j, j + 1) {
                Some(x) if how.is_none_or(|h| h == x) => how = Some(x),
                _ => break,
            }
            j += 1;
        }
        let members = k..=j;
        let before = text.norm[..ws[k].start].trim_end();
        let after = text.norm[ws[j].end..].trim_start();
        let clear = match how {
            // The whole list: "tx/ok/de/at" holds a member that is no code.
            Some(Joint::Slash) => !before.ends_with('/') && !after.starts_with('/'),
            // A field of its own: a sign or the edge before it ("reach, tx, ok, ar") or a place
            // preposition ("in tx, ok, ar"), a sign, a number or the edge after it.
            Some(Joint::Comma) => {
                let prev = k.checked_sub(1).map(|p| ws[p]).filter(|p| p.end == before.len());
                let lead = match prev {
                    Some(p) => words::is(Class::PlacePreposition, text.word(p)),
                    None => true,
                };
                // And one member at least that is no English word: "ok, hi, me" is chat.
                let coded = (k..=j).any(|m| !words::is_stopword(text.word(ws[m])));
                lead && coded && after.chars().next().is_none_or(|c| !c.is_alphabetic())
            }
            None => false,
        };
        let lower = members.clone().any(|m| !text.is_all_upper(ws[m].start, ws[m].end));
        let clear = clear && j + 1 - k >= MIN_MEMBERS && lower;
        if let Some(country) = clear.then(|| common_country(g, members.clone().filter_map(codes))).flatten() {
            for m in members {
                let region = codes(m).and_then(|rs| rs.iter().find(|&&r| g.regions[r as usize].country == country));
                if let Some(&r) = region {
                    out.push(Hit { start: ws[m].start, end: ws[m].end, value: Place::Region(r) });
                }
            }
        }
        k = j + 1;
    }
    out
}

/// The one country every member names a region of ("wa/sa/nt": Australia, though "wa" is also
/// Washington); `None` when there is none or more than one.
fn common_country<'g>(g: &'g Gazetteer, mut members: impl Iterator<Item = &'g Vec<u16>>) -> Option<&'g str> {
    let country = |r: &u16| g.regions[*r as usize].country.as_str();
    let first: Vec<&str> = members.next()?.iter().map(country).collect();
    let mut common = first;
    for m in members {
        common.retain(|c| m.iter().any(|r| country(r) == *c));
    }
    match common.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}
