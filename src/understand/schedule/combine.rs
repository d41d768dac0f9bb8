//! Combining the scanner's cue-tagged matches into one [`ScheduleFinding`].

use chrono::NaiveDate;

use super::calendar::shift_days;
use super::tokens::Tok;
use super::when::{Cue, Hit, What, When, Yearly};
use super::ScheduleFinding;

pub(super) fn when_of(what: What) -> Option<When> {
    match what {
        What::Date(w) | What::Period(w) => Some(w),
        What::Length(..) => None,
    }
}

/// Turns cue-tagged matches into a finding.
///
/// - lengths: the last absolute one is the duration, the last relative one is `extend_by`;
/// - the last start-cued date is the start, the last end-cued date the end (resolved on/after
///   the start, so "Dec 1, 2026 through Jan 15" ends in 2027);
/// - with an end but no start cue, the last bare date before the end is the start ("Black
///   Friday through Cyber Monday", "20 March 2027 to 5 March 2027");
/// - with neither, the first bare period gives start and end (only its start when a length is
///   stated: "next month, 6 weeks"), else the first bare date gives the start.
pub(super) fn combine(hits: &[Hit], toks: &[Tok<'_>], today: NaiveDate) -> ScheduleFinding {
    let spans = hits
        .iter()
        .filter(|h| h.cue != Cue::Ignore)
        .filter_map(|h| Some((toks.get(h.from)?.start, toks.get(h.hi.checked_sub(1)?)?.end)))
        .collect();
    let mut f = ScheduleFinding { spans, ..ScheduleFinding::default() };
    for h in hits {
        if let What::Length(span, sign) = h.what {
            match sign {
                Some(s) => f.extend_by = Some((s, span)),
                None => f.duration = Some(span),
            }
        }
    }
    let dated = |c: fn(Cue) -> bool| hits.iter().filter(move |h| when_of(h.what).is_some() && c(h.cue));
    let end_hit = dated(|c| matches!(c, Cue::End | Cue::Before)).next_back();
    let start_hit = dated(|c| c == Cue::Start).next_back().or_else(|| {
        let end = end_hit?;
        dated(|c| c == Cue::Bare).rfind(|h| h.lo < end.lo)
    });
    if let Some((s, _)) = start_hit.and_then(|h| when_of(h.what)?.resolve_from_today(today)) {
        f.start = Some(s);
    }
    if let Some(h) = end_hit {
        let floor = f.start.unwrap_or(today);
        let resolved = when_of(h.what).and_then(|w| match (w, f.start) {
            (When::Yearly(Yearly::Range(..)), None) => w.resolve_from_today(today),
            _ => w.resolve(floor),
        });
        if let Some((s, e)) = resolved {
            f.end = Some(if h.cue == Cue::Before { shift_days(s, -1) } else { e });
        }
    }
    if start_hit.is_none() && end_hit.is_none() {
        let bare = || dated(|c| c == Cue::Bare);
        let pick = bare().find(|h| matches!(h.what, What::Period(_))).or_else(|| bare().next());
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
