//! The model-backed side of a specialist: a validated [`Reading`] (what the message states, as
//! the model read it) becomes that specialist's [`Finding`], and a brief part is described in a
//! few words so a plan can say what the model read and where it disagrees with the built-in
//! reading.
//!
//! The model's answer states values, never edits: where the built-in reading saw an edit of a
//! follow-up ("add Austria", "double it", "extend by a week", "keep video"), that edit stays as
//! read, and the model's values fill in what a plain statement sets.

use chrono::NaiveDate;

use super::Reading;
use crate::brief::{Audience, Budget, BudgetType, Formats, Schedule};
use crate::present::{date, money};
use crate::understand::audience::{AgeFinding, AudienceFinding, ListChange};
use crate::understand::budget::{BudgetFinding, CurrencyHint};
use crate::understand::formats::FormatsFinding;
use crate::understand::goal::GoalFinding;
use crate::understand::schedule::{ScheduleFinding, Span};
use crate::understand::Finding;

/// The finding a validated reading stands for; `built_in` is the deterministic finding of the
/// same specialist on the same message, if it ran (its spans and its follow-up edits are kept).
pub fn finding(reading: Reading, built_in: Option<&Finding>, today: NaiveDate) -> Finding {
    match reading {
        Reading::Goal(objective) => {
            let spans = match built_in {
                Some(Finding::Goal(g)) => g.spans.clone(),
                _ => Vec::new(),
            };
            Finding::Goal(GoalFinding { objective, spans, ..GoalFinding::default() })
        }
        Reading::Audience(a) => {
            let det = match built_in {
                Some(Finding::Audience(f)) => (**f).clone(),
                _ => AudienceFinding::default(),
            };
            Finding::Audience(Box::new(audience(a, det)))
        }
        Reading::Budget(b) => {
            let det = match built_in {
                Some(Finding::Budget(f)) => f.clone(),
                _ => BudgetFinding::default(),
            };
            Finding::Budget(budget(b, det))
        }
        Reading::Schedule(s) => {
            let det = match built_in {
                Some(Finding::Schedule(f)) => f.clone(),
                _ => ScheduleFinding::default(),
            };
            Finding::Schedule(schedule(s, det, today))
        }
        Reading::Formats(f) => {
            let det = match built_in {
                Some(Finding::Formats(f)) => f.clone(),
                _ => FormatsFinding::default(),
            };
            Finding::Formats(formats(f, det))
        }
    }
}

/// A list as the model states it: the built-in edit when it saw one (add, remove, clear), else
/// the stated values replace the list (as a plainly stated value does in the built-in reading).
fn stated<T: Clone + PartialEq>(values: Vec<T>, det: ListChange<T>) -> ListChange<T> {
    let edit = !det.is_empty() && !det.replace;
    if edit {
        det
    } else if values.is_empty() {
        ListChange::default()
    } else {
        ListChange { clear: false, replace: true, add: values, remove: Vec::new() }
    }
}

fn audience(a: Audience, det: AudienceFinding) -> AudienceFinding {
    let ages = match (a.age_min, a.age_max) {
        (None, None) => None,
        (min, max) => Some(AgeFinding { min, max, extend: false, clear: false, minors: false, said: ages(min, max) }),
    };
    // Place names the built-in reading could not resolve stay unknown unless the model named
    // places itself.
    let unknown_places = if a.locations.is_empty() { det.unknown_places } else { Vec::new() };
    AudienceFinding {
        ages,
        genders: stated(a.genders, det.genders),
        locations: stated(a.locations, det.locations),
        interests: stated(a.interests, det.interests),
        genres: stated(a.genres, det.genres),
        contexts: stated(a.contexts, det.contexts),
        podcast_topics: stated(a.podcast_topics, det.podcast_topics),
        languages: stated(a.languages, det.languages),
        platforms: stated(a.platforms, det.platforms),
        podcast: det.podcast,
        podcast_off: det.podcast_off,
        unknown_places,
        excluded_areas: det.excluded_areas,
        notes: Vec::new(),
        spans: det.spans,
    }
}

fn budget(b: Option<Budget>, det: BudgetFinding) -> BudgetFinding {
    match b {
        // Nothing stated: a follow-up's change by a factor or an amount stays as read.
        None => BudgetFinding { scale: det.scale, delta: det.delta, spans: det.spans, ..BudgetFinding::default() },
        Some(b) => BudgetFinding {
            amount: Some(b.amount),
            min: b.min,
            currency: CurrencyHint::Code(b.currency),
            daily: b.kind == BudgetType::Daily,
            approximate: b.approximate,
            spans: det.spans,
            ..BudgetFinding::default()
        },
    }
}

fn schedule(s: Schedule, det: ScheduleFinding, today: NaiveDate) -> ScheduleFinding {
    // With both dates the length follows from them; otherwise a stated length is the span.
    let duration = match (s.start, s.end) {
        (Some(_), Some(_)) => None,
        _ => s.days.filter(|d| *d > 0).map(Span::Days),
    };
    let stated_nothing = s.start.is_none() && s.end.is_none() && duration.is_none();
    ScheduleFinding {
        start: s.start,
        end: s.end,
        duration,
        extend_by: if stated_nothing { det.extend_by } else { None },
        shift_by: if stated_nothing { det.shift_by } else { None },
        past_start_stated: s.start.is_some_and(|d| d < today),
        keep_length: det.keep_length,
        spans: det.spans,
    }
}

fn formats(f: Formats, det: FormatsFinding) -> FormatsFinding {
    FormatsFinding {
        include: (!f.include.is_empty()).then_some(f.include),
        exclude: f.exclude,
        keep: det.keep,
        max_share: f.max_share.into_iter().collect(),
        placements: (!f.placements.is_empty()).then_some(f.placements),
        share: if det.max_share.is_empty() { det.share } else { None },
        notes: Vec::new(),
        spans: det.spans,
    }
}

fn ages(min: Option<u8>, max: Option<u8>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("{a}–{b}"),
        (Some(a), None) => format!("{a}+"),
        (None, Some(b)) => format!("up to {b}"),
        (None, None) => String::new(),
    }
}

fn list<T>(label: &str, items: &[T], id: impl Fn(&T) -> String, out: &mut Vec<String>) {
    if !items.is_empty() {
        let ids: Vec<String> = items.iter().map(id).collect();
        out.push(if label.is_empty() { ids.join(", ") } else { format!("{label} {}", ids.join(", ")) });
    }
}

/// An audience in a few words: "ages 18–24 · DE, AT/Vienna · interests fitness".
pub fn describe_audience(a: &Audience) -> String {
    let mut out = Vec::new();
    if a.age_min.is_some() || a.age_max.is_some() {
        out.push(format!("ages {}", ages(a.age_min, a.age_max)));
    }
    list("", &a.genders, |g| g.id().to_string(), &mut out);
    let place = |l: &crate::brief::Location| {
        let mut s = l.country.clone();
        for part in [&l.region, &l.city].into_iter().flatten() {
            s.push('/');
            s.push_str(part);
        }
        s
    };
    list("", &a.locations, place, &mut out);
    list("interests", &a.interests, String::clone, &mut out);
    list("genres", &a.genres, String::clone, &mut out);
    list("moments", &a.contexts, String::clone, &mut out);
    list("podcast topics", &a.podcast_topics, String::clone, &mut out);
    list("languages", &a.languages, String::clone, &mut out);
    list("platforms", &a.platforms, |p| p.id().to_string(), &mut out);
    if out.is_empty() {
        "no audience".into()
    } else {
        out.join(" · ")
    }
}

/// A budget in a few words: "about €5,000 a day".
pub fn describe_budget(b: Option<&Budget>) -> String {
    let Some(b) = b else { return "no budget".into() };
    let about = if b.approximate { "about " } else { "" };
    let low = b.min.map(|m| format!("{}–", money(m, &b.currency))).unwrap_or_default();
    let daily = if b.kind == BudgetType::Daily { " a day" } else { "" };
    format!("{about}{low}{}{daily}", money(b.amount, &b.currency))
}

/// A schedule in a few words: "Dec 1, 2026 – Dec 31, 2026 (31 days)".
pub fn describe_schedule(s: &Schedule) -> String {
    let when = match (s.start, s.end) {
        (Some(a), Some(b)) => format!("{} – {}", date(a), date(b)),
        (Some(a), None) => format!("from {}", date(a)),
        (None, Some(b)) => format!("until {}", date(b)),
        (None, None) => String::new(),
    };
    match (when.is_empty(), s.days) {
        (true, None) => "no dates".into(),
        (true, Some(d)) => format!("{d} days"),
        (false, Some(d)) => format!("{when} ({d} days)"),
        (false, None) => when,
    }
}

/// Format constraints in a few words: "only AUDIO · no VIDEO · VIDEO ≤ 40% · on PODCAST".
pub fn describe_formats(f: &Formats) -> String {
    let mut out = Vec::new();
    list("only", &f.include, |x| x.id().to_string(), &mut out);
    list("no", &f.exclude, |x| x.id().to_string(), &mut out);
    for (format, share) in &f.max_share {
        out.push(format!("{} ≤ {:.0}%", format.id(), share * 100.0));
    }
    list("on", &f.placements, |x| x.id().to_string(), &mut out);
    if out.is_empty() {
        "no format constraints".into()
    } else {
        out.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brief::{Format, Location, Objective};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()
    }

    #[test]
    fn stated_lists_replace_unless_the_built_in_reading_saw_an_edit() {
        let det_add = ListChange { add: vec![Location::country("AT")], ..ListChange::default() };
        let kept = stated(vec![Location::country("AT")], det_add.clone());
        assert_eq!(kept, det_add, "an added place stays an addition");
        let plain = stated(vec![Location::country("FR")], ListChange::default());
        assert!(plain.replace && plain.add == vec![Location::country("FR")]);
        assert!(stated(Vec::<String>::new(), ListChange::default()).is_empty());
    }

    #[test]
    fn readings_become_findings_with_the_built_in_edits_kept() {
        let det = Finding::Budget(BudgetFinding { scale: Some(2.0), spans: vec![(0, 6)], ..BudgetFinding::default() });
        let Finding::Budget(b) = finding(Reading::Budget(None), Some(&det), today()) else { panic!("budget") };
        assert_eq!((b.scale, b.amount, b.spans.len()), (Some(2.0), None, 1));
        let stated =
            Budget { amount: 900.0, currency: "SEK".into(), kind: BudgetType::Daily, min: None, approximate: true };
        let Finding::Budget(b) = finding(Reading::Budget(Some(stated)), None, today()) else { panic!("budget") };
        assert_eq!((b.amount, b.daily, b.currency), (Some(900.0), true, CurrencyHint::Code("SEK".into())));
        let Finding::Goal(g) = finding(Reading::Goal(Some(Objective::LeadGen)), None, today()) else { panic!("goal") };
        assert_eq!(g.objective, Some(Objective::LeadGen));
        let s = Schedule { start: NaiveDate::from_ymd_opt(2026, 12, 1), end: None, days: Some(14) };
        let Finding::Schedule(s) = finding(Reading::Schedule(s), None, today()) else { panic!("schedule") };
        assert_eq!(s.duration, Some(Span::Days(14)));
        assert!(!s.past_start_stated);
    }

    #[test]
    fn parts_are_described_in_a_few_words() {
        let a = Audience {
            age_min: Some(25),
            age_max: None,
            locations: vec![Location::country("DE")],
            interests: vec!["fitness".into()],
            ..Audience::default()
        };
        assert_eq!(describe_audience(&a), "ages 25+ · DE · interests fitness");
        assert_eq!(describe_audience(&Audience::default()), "no audience");
        assert_eq!(describe_budget(None), "no budget");
        let f = Formats { exclude: vec![Format::Video], ..Formats::default() };
        assert_eq!(describe_formats(&f), "no VIDEO");
        let s = Schedule { start: None, end: None, days: Some(21) };
        assert_eq!(describe_schedule(&s), "21 days");
    }
}
