//! Combining the scanner's cue-tagged matches into one [`ScheduleFinding`].

use chrono::{Datelike, NaiveDate};

use super::calendar::{shift_days, DayRule};
use super::tokens::Tok;
use super::vocab::{vocab, Class};
use super::when::{Cue, Hit, What, When, Yearly};
use super::ScheduleFinding;

pub(super) fn when_of(what: What) -> Option<When> {
    match what {
        What::Date(w) | What::Period(w) => Some(w),
        What::Length(..) | What::Shift(..) => None,
    }
}

/// Turns cue-tagged matches into a finding.
///
/// - lengths: the last absolute one is the duration, the last relative one is `extend_by`;
/// - the last start-cued date is the start, the last end-cued date the end (resolved on/after
///   the start, so "Dec 2, 2026 through Jan 15" ends in 2027);
/// - with an end but no start cue, a bare date right before the end's link is the start ("Black
///   Friday through Cyber Monday", "21 March 2027 to 5 March 2027"); a date elsewhere is only
///   a topic ("xmas push ... until christmas" starts tomorrow);
/// - an end that is a single yearly day resolves to the occurrence nearest the start, so "Dec 1
///   through Jan 15" ends in the next year and "from June 20 to June 10" ends before it starts
///   (kept and warned as `END_BEFORE_START`, never moved a year);
/// - with neither, the first bare period said with "from" ("from 1 to 21 July"), else the
///   narrowest one said as a correction ("September ... actually, make it October"), else the narrowest bare period gives start and end (only its start when a length is stated: "next month,
///   6 weeks"), else the first bare date gives the start; an occasion from the named-day table
///   ("NYE", "Black Friday") counts only when no explicit range or period is said beside it.
pub(super) fn combine(hits: &[Hit], toks: &[Tok<'_>], today: NaiveDate) -> ScheduleFinding {
    let spans = hits
        .iter()
        .filter(|h| h.cue != Cue::Ignore)
        .filter_map(|h| Some((toks.get(h.from)?.start, toks.get(h.hi.checked_sub(1)?)?.end)))
        .collect();
    let mut f = ScheduleFinding { spans, ..ScheduleFinding::default() };
    for h in hits {
        match h.what {
            What::Length(span, Some(s)) => f.extend_by = Some((s, span)),
            // A length said of something else ("we trialled 3 weeks", "creatives due 2 weeks
            // before") is not the flight's, as such a date is no start. (A change of length,
            // "prolong the flight by 10 days", is one whatever its cue.)
            What::Length(_, None) if h.cue == Cue::Ignore => {}
            What::Length(span, None) => f.duration = Some(span),
            What::Shift(span, s) => f.shift_by = Some((s, span)),
            _ => {}
        }
    }
    let dated = |c: fn(Cue) -> bool| hits.iter().filter(move |h| when_of(h.what).is_some() && c(h.cue));
    let end_hit = dated(|c| matches!(c, Cue::End | Cue::Before)).next_back();
    let start_hit = dated(|c| c == Cue::Start).next_back().or_else(|| {
        let end = end_hit?;
        // "Nov 2 ... can we plan it from then through Dec 15": "from then" points back.
        let from_then = end.from >= 2
            && toks.get(end.from - 2).is_some_and(|t| t.text == "from")
            && toks.get(end.from - 1).is_some_and(|t| vocab().is(t.text, Class::Anaphor));
        let adjacent = |h: &&Hit| h.hi == end.from || (from_then && h.hi < end.from);
        dated(|c| c == Cue::Bare).rfind(adjacent)
    });
    if let Some((s, _)) = start_hit.and_then(|h| when_of(h.what)?.resolve_from_today(today)) {
        f.start = Some(s);
    }
    if let Some(h) = end_hit {
        let floor = f.start.unwrap_or(today);
        let resolved = when_of(h.what).and_then(|w| match (w, f.start) {
            (When::Yearly(Yearly::Range(..)), None) => w.resolve_from_today(today),
            (When::Yearly(Yearly::Day(rule)), Some(start)) => nearest(rule, start).map(|d| (d, d)),
            _ => w.resolve(floor),
        });
        if let Some((s, e)) = resolved {
            f.end = Some(if h.cue == Cue::Before { shift_days(s, -1) } else { e });
        }
    }
    if start_hit.is_none() && end_hit.is_none() {
        // An explicit range or period outranks an occasion ("NYE party, Dec 20-31" runs Dec 20-31);
        // the occasion is then only the campaign's theme. A lone bare date does not: it is as often
        // a meeting ("summer push ... let's talk on Monday 8 March"). Alone, the occasion gives the dates.
        let explicit = dated(|c| c == Cue::Bare).any(|h| !h.occasion && matches!(h.what, What::Period(_)));
        let bare = move || dated(|c| c == Cue::Bare).filter(move |h| !(explicit && h.occasion));
        // A range said with "from" ("from 1 to 21 July") is the flight; otherwise the narrowest
        // period ("our new summer lager ... June" is June), the first among equals.
        let said_from = |h: &&Hit| toks.get(h.from).is_some_and(|t| t.text == "from");
        let periods = || bare().filter(|h| matches!(h.what, What::Period(_)));
        let width =
            |h: &&Hit| when_of(h.what).and_then(|w| w.resolve_from_today(today)).map(|(s, e)| (e - s).num_days());
        let narrowest = || periods().filter(|h| width(h).is_some()).min_by_key(|h| width(h));
        let corrected = |h: &&Hit| {
            (h.from.saturating_sub(3)..h.from)
                .any(|k| toks.get(k).is_some_and(|t| vocab().is(t.text, Class::Correction)))
        };
        let pick = periods()
            .find(said_from)
            .or_else(|| periods().filter(corrected).filter(|h| width(h).is_some()).min_by_key(|h| width(h)))
            .or_else(narrowest)
            .or_else(|| bare().next());
        let resolved = pick.and_then(|h| Some((h, when_of(h.what)?.resolve_from_today(today)?)));
        if let Some((h, (s, e))) = resolved {
            f.start = Some(s);
            if matches!(h.what, What::Period(_)) && f.duration.is_none() {
                f.end = Some(e);
            }
        }
    }
    f.past_start_stated = f.start.is_some_and(|s| s < today);
    f
}

/// The occurrence of a yearly day nearest to `start` (the year before, of, or after it).
fn nearest(rule: DayRule, start: NaiveDate) -> Option<NaiveDate> {
    let y = start.year();
    [y.saturating_sub(1), y, y.saturating_add(1)]
        .into_iter()
        .filter_map(|year| rule.on(year))
        .min_by_key(|d| ((*d - start).num_days().abs(), *d < start))
}
