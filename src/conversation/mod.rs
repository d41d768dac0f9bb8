//! A conversation: the brief as it stands after each message, and what changed.
//!
//! Findings from one message are merged into the brief here — a follow-up changes only what it
//! mentions — and every default, clamp or guess made along the way is kept as a labelled
//! assumption or warning (docs/brief.md §2: nothing is ever silently changed). The parts, a file each:
//! [`ops`] turns findings into explicit operation rows per field (set, add, remove, replace A→B,
//! clear, scale, shift), `merge` applies them in one place, and `report` recomputes the
//! warnings that follow from the brief itself on every report, so they can never go stale.

mod merge;
pub mod ops;
mod report;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::brief::{Assumption, Brief, NotUnderstood, Objective, Question, Warning, WarningCode};
use crate::understand::schedule::Span;
use crate::understand::Findings;

/// The objective planned for when the brief names none (docs/brief.md §2).
pub const DEFAULT_OBJECTIVE: Objective = Objective::Reach;

/// A message-derived note that stays until its field changes again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Note {
    field: String,
    code: Option<WarningCode>,
    message: String,
}

/// Everything needed to continue a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// The reference date for relative expressions.
    pub today: NaiveDate,
    pub brief: Brief,
    /// The schedule with its stated span (a "3 months" flight keeps calendar months on a new start).
    span: Option<SpanState>,
    /// Whether the start date was stated (otherwise it is the default, today + 1).
    start_stated: bool,
    notes: Vec<Note>,
    /// What the latest message said that no specialist used, or that could not be applied.
    #[serde(default)]
    not_understood: Vec<NotUnderstood>,
    /// Nothing of the conversation so far says anything about a brief ("hello").
    #[serde(default)]
    nothing_yet: bool,
}

/// Serialisable mirror of [`Span`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum SpanState {
    Days(i64),
    Months(i64),
}

impl From<Span> for SpanState {
    fn from(s: Span) -> Self {
        match s {
            Span::Days(n) => SpanState::Days(n),
            Span::Months(n) => SpanState::Months(n),
        }
    }
}

impl From<SpanState> for Span {
    fn from(s: SpanState) -> Self {
        match s {
            SpanState::Days(n) => Span::Days(n),
            SpanState::Months(n) => Span::Months(n),
        }
    }
}

/// The assumptions, warnings and questions of the current state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub assumptions: Vec<Assumption>,
    pub warnings: Vec<Warning>,
    pub questions: Vec<Question>,
    /// What the latest message said that was not used, and why.
    pub not_understood: Vec<NotUnderstood>,
}

impl Conversation {
    /// A new, empty conversation.
    pub fn new(today: NaiveDate) -> Conversation {
        Conversation {
            today,
            brief: Brief::default(),
            span: None,
            start_stated: false,
            notes: Vec::new(),
            not_understood: Vec::new(),
            nothing_yet: false,
        }
    }

    fn forget(&mut self, field_prefix: &str) {
        self.notes.retain(|n| !n.field.starts_with(field_prefix));
    }

    fn note(&mut self, field: &str, code: Option<WarningCode>, message: impl Into<String>) {
        let message = message.into();
        if !self.notes.iter().any(|n| n.field == field && n.message == message) {
            self.notes.push(Note { field: field.to_string(), code, message });
        }
    }

    /// Merges one message's findings into the brief (see [`merge`]: the findings become
    /// operation rows, [`ops::Row`], applied in one place).
    pub fn apply(&mut self, findings: &Findings) {
        self.merge(findings);
        for s in &findings.failed {
            self.note(
                &format!("specialist.{}", s.name()),
                Some(WarningCode::SpecialistFailed),
                format!("The {} part of this message could not be read in time; it was left as it was", s.name()),
            );
        }
        if findings.failed.is_empty() {
            self.forget("specialist.");
        }
        for n in &findings.notes {
            self.note(&n.field, n.code, n.message.clone());
        }
        self.nothing_yet = !findings.found_anything() && findings.failed.is_empty() && self.brief == Brief::default();
    }

    /// Whether nothing of the conversation so far says anything about a brief ("hello"): then
    /// there is a question for a brief and no plan.
    pub fn nothing_yet(&self) -> bool {
        self.nothing_yet
    }

    /// The start used when none is stated: tomorrow (docs/brief.md §2).
    pub fn default_start(&self) -> NaiveDate {
        self.today.checked_add_signed(Duration::days(1)).unwrap_or(self.today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markets::Markets;
    use crate::understand::understand;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn talk(messages: &[&str]) -> (Conversation, Report) {
        let markets = Markets::embedded();
        let mut c = Conversation::new(today());
        for m in messages {
            c.apply(&understand(m, today()));
        }
        let r = c.report(markets, "US");
        (c, r)
    }

    fn codes(r: &Report) -> Vec<WarningCode> {
        r.warnings.iter().map(|w| w.code).collect()
    }

    #[test]
    fn a_follow_up_changes_only_what_it_mentions() {
        let (c, _) = talk(&["clicks from women 25-44 in France, €8k, 3 weeks", "add Belgium", "make it 10k"]);
        let b = &c.brief;
        assert_eq!(b.objective, Some(Objective::Clicks));
        assert_eq!((b.audience.age_min, b.audience.age_max), (Some(25), Some(44)));
        assert_eq!(b.audience.countries(), vec!["FR", "BE"]);
        assert_eq!(b.budget.as_ref().map(|x| (x.amount, x.currency.as_str())), Some((10_000.0, "EUR")));
        assert_eq!(b.schedule.days, Some(21));
    }

    #[test]
    fn message_warnings_stay_until_their_field_changes() {
        let (_, r) = talk(&["awareness in Germany for 16-24 year olds"]);
        assert!(codes(&r).contains(&WarningCode::Minors));
        let (_, r) = talk(&["awareness in Germany for 16-24 year olds", "€5k"]);
        assert!(codes(&r).contains(&WarningCode::Minors), "a budget follow-up keeps it");
        let (_, r) = talk(&["awareness in Germany for 16-24 year olds", "make it 25-34"]);
        assert!(!codes(&r).contains(&WarningCode::Minors), "new ages clear it");
    }

    #[test]
    fn state_warnings_are_recomputed() {
        let (_, r) = talk(&["video views in the US, $10k, 2 weeks", "no video"]);
        assert!(codes(&r).contains(&WarningCode::FormatConflict));
        let (_, r) = talk(&["video views in the US, $10k, 2 weeks", "no video", "actually keep video"]);
        assert!(!codes(&r).contains(&WarningCode::FormatConflict), "undoing the exclusion clears it");
        let (_, r) = talk(&["awareness in the UK, £9k, from Nov 2, 2026 through Dec 15"]);
        assert!(codes(&r).contains(&WarningCode::StartInPast));
        let (_, r) = talk(&["awareness in Germany and Russia, €5k"]);
        assert!(codes(&r).contains(&WarningCode::UnsupportedMarket));
        let (_, r) = talk(&["reach in the UK, 50 quid, 2 weeks"]);
        assert!(codes(&r).contains(&WarningCode::BudgetBelowMinimum));
    }

    #[test]
    fn defaults_are_assumptions_and_a_missing_place_is_a_question() {
        let (c, r) = talk(&["5k, 30 days"]);
        assert!(c.brief.objective.is_none() && c.brief.audience.locations.is_empty());
        let fields: Vec<&str> = r.assumptions.iter().map(|a| a.field.as_str()).collect();
        for f in ["objective", "audience.locations", "schedule.start", "budget.currency"] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
        assert_eq!(r.questions.len(), 1);
    }
}

#[cfg(test)]
mod edits_tests;
