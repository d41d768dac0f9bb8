//! Understanding: from one message to the specialists' findings.
//!
//! The router picks the specialists a message needs; each specialist reads the normalised
//! [`Text`] on its own (no shared mutable state, so the coordinator may run them in parallel) and
//! returns a [`Finding`]: what this message says about its part of the brief. Merging findings into
//! a conversation's brief is `crate::conversation`'s job.

pub mod audience;
pub mod budget;
pub mod compare;
pub mod formats;
pub mod gazetteer;
pub mod goal;
pub mod lang;
pub mod lexicon;
pub mod numbers;
pub mod router;
pub mod schedule;
pub mod text;

use chrono::NaiveDate;
use serde::Serialize;

pub use router::Route;
pub use text::Text;

/// The specialists, in a fixed order (the order findings are merged in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Specialist {
    Goal = 0,
    Audience = 1,
    Budget = 2,
    Schedule = 3,
    Formats = 4,
}

impl Specialist {
    /// Every specialist.
    pub const ALL: [Specialist; 5] =
        [Specialist::Goal, Specialist::Audience, Specialist::Budget, Specialist::Schedule, Specialist::Formats];

    /// Lower-case name, as used in progress events and data files.
    pub fn name(self) -> &'static str {
        match self {
            Specialist::Goal => "goal",
            Specialist::Audience => "audience",
            Specialist::Budget => "budget",
            Specialist::Schedule => "schedule",
            Specialist::Formats => "formats",
        }
    }

    /// Runs this specialist on a message.
    pub fn run(self, text: &Text, today: NaiveDate) -> Finding {
        match self {
            Specialist::Goal => Finding::Goal(goal::extract(text)),
            Specialist::Audience => Finding::Audience(Box::new(audience::extract(text, today))),
            Specialist::Budget => Finding::Budget(budget::extract(text)),
            Specialist::Schedule => Finding::Schedule(schedule::extract(text, today)),
            Specialist::Formats => Finding::Formats(formats::extract(text)),
        }
    }
}

/// One specialist's finding.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    Goal(goal::GoalFinding),
    Audience(Box<audience::AudienceFinding>),
    Budget(budget::BudgetFinding),
    Schedule(schedule::ScheduleFinding),
    Formats(formats::FormatsFinding),
}

impl Finding {
    /// The finding as JSON, for progress events.
    pub fn to_json(&self) -> serde_json::Value {
        let v = match self {
            Finding::Goal(f) => serde_json::to_value(f),
            Finding::Audience(f) => serde_json::to_value(f),
            Finding::Budget(f) => serde_json::to_value(f),
            Finding::Schedule(f) => serde_json::to_value(f),
            Finding::Formats(f) => serde_json::to_value(f),
        };
        v.unwrap_or(serde_json::Value::Null)
    }
}

/// Everything the specialists found in one message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    pub route: Route,
    pub goal: Option<goal::GoalFinding>,
    pub audience: Option<audience::AudienceFinding>,
    pub budget: Option<budget::BudgetFinding>,
    pub schedule: Option<schedule::ScheduleFinding>,
    pub formats: Option<formats::FormatsFinding>,
    /// Specialists that failed (timed out or crashed) on this message.
    pub failed: Vec<Specialist>,
    /// What the message said that no specialist used, or that could not be applied.
    pub not_understood: Vec<crate::brief::NotUnderstood>,
    /// How parts of the message were read, for the plan (the model-backed specialists: what the
    /// model read, and where it could not be used).
    pub notes: Vec<ReadNote>,
}

/// A note on how a message was read: an assumption (`code` is `None`) or a warning.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadNote {
    /// The brief field concerned (`budget`, `audience`…) or `model.<specialist>`.
    pub field: String,
    pub code: Option<crate::brief::WarningCode>,
    pub message: String,
}

impl Findings {
    /// One specialist's finding, if it ran.
    pub fn get(&self, s: Specialist) -> Option<Finding> {
        match s {
            Specialist::Goal => self.goal.clone().map(Finding::Goal),
            Specialist::Audience => self.audience.clone().map(|a| Finding::Audience(Box::new(a))),
            Specialist::Budget => self.budget.clone().map(Finding::Budget),
            Specialist::Schedule => self.schedule.clone().map(Finding::Schedule),
            Specialist::Formats => self.formats.clone().map(Finding::Formats),
        }
    }

    /// Files one specialist's finding.
    pub fn insert(&mut self, finding: Finding) {
        match finding {
            Finding::Goal(f) => self.goal = Some(f),
            Finding::Audience(f) => self.audience = Some(*f),
            Finding::Budget(f) => self.budget = Some(f),
            Finding::Schedule(f) => self.schedule = Some(f),
            Finding::Formats(f) => self.formats = Some(f),
        }
    }
}

impl Findings {
    /// Whether any specialist found anything at all in the message.
    pub fn found_anything(&self) -> bool {
        fn said<T: Default + PartialEq>(f: &Option<T>) -> bool {
            f.as_ref().is_some_and(|f| *f != T::default())
        }
        said(&self.goal) || said(&self.audience) || said(&self.budget) || said(&self.schedule) || said(&self.formats)
    }

    /// Accounts for the whole message once every finding is in: the runs of content words no
    /// specialist read become `not_understood` entries. The one place both the sequential
    /// [`understand`] and the coordinator's concurrent turn call.
    pub fn account(&mut self, text: &Text) {
        let mut read: Vec<(usize, usize)> = router::cue_spans(text).collect();
        if self.audience.is_none() {
            // The audience specialist's spans hold the edit cues and the addresses it skipped;
            // without it, find them here.
            read.extend(lang::Scope::new(text).spans);
            read.extend_from_slice(text.marked());
        }
        let mut numbers_claimed = false;
        let mut claim = |spans: &[(usize, usize)], numbers: bool| {
            read.extend_from_slice(spans);
            numbers_claimed |= numbers && !spans.is_empty();
        };
        if let Some(f) = &self.goal {
            claim(&f.spans, false);
        }
        if let Some(f) = &self.audience {
            claim(&f.spans, false);
        }
        if let Some(f) = &self.budget {
            claim(&f.spans, true);
        }
        if let Some(f) = &self.schedule {
            claim(&f.spans, true);
        }
        if let Some(f) = &self.formats {
            claim(&f.spans, false);
        }
        // Until both number readers report what they read, words with digits count as read.
        let numbers_read = !numbers_claimed;
        self.not_understood.extend(lang::unread::unread(text, read, numbers_read));
    }
}

/// Routes a message and runs the chosen specialists one after the other. The coordinator runs
/// the same specialists concurrently instead; the result is the same.
pub fn understand(message: &str, today: NaiveDate) -> Findings {
    let text = Text::new(message);
    let route = router::route(&text);
    let mut findings = Findings { route, ..Findings::default() };
    for s in route.specialists() {
        findings.insert(s.run(&text, today));
    }
    findings.account(&text);
    findings
}

/// The words of one message that are part of some specialist's vocabulary (used to tell an
/// unknown place name from an ordinary word). The language and cue phrases of the message are
/// found once, here: finding them again for every word made long messages quadratic.
pub(crate) struct KnownWords<'a> {
    text: &'a Text,
    /// Starts of the language and cue phrases, ascending.
    starts: Vec<usize>,
    /// The largest end among the phrases up to and including each start.
    max_end: Vec<usize>,
}

impl<'a> KnownWords<'a> {
    /// Finds the language and cue phrases of `text`.
    pub(crate) fn new(text: &'a Text) -> KnownWords<'a> {
        let languages = gazetteer::Gazetteer::get().find_languages(text).iter().map(|h| (h.start, h.end));
        let mut spans: Vec<(usize, usize)> = languages.chain(router::cue_spans(text)).collect();
        spans.sort_unstable();
        let max_end = spans
            .iter()
            .scan(0, |m, s| {
                *m = (*m).max(s.1);
                Some(*m)
            })
            .collect();
        KnownWords { text, starts: spans.iter().map(|s| s.0).collect(), max_end }
    }

    /// Whether the word at `start..end` is a known word or lies inside a language or cue phrase.
    pub(crate) fn contains(&self, start: usize, end: usize) -> bool {
        let n = self.starts.partition_point(|&s| s <= start);
        lang::words::is_stopword(&self.text.norm[start..end]) || (n > 0 && self.max_end[n - 1] >= end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_words_are_vocabulary_languages_and_cues() {
        let t = Text::new("Spanish speakers, brand awareness in Zzyzx on Monday");
        let known = KnownWords::new(&t);
        let word = |w: &str| {
            let start = t.norm.find(w).unwrap_or(0);
            known.contains(start, start + w.len())
        };
        for w in ["spanish", "awareness", "monday"] {
            assert!(word(w), "{w}");
        }
        assert!(!word("zzyzx"));
    }

    #[test]
    fn many_unknown_words_are_linear() {
        let long = "in Zzyzx ".repeat(5_000);
        let start = std::time::Instant::now();
        let f = understand(&long, chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default());
        assert!(start.elapsed().as_secs_f64() < 4.0, "{:?}", start.elapsed());
        let unknown = f.audience.map(|a| a.unknown_places).unwrap_or_default();
        assert_eq!(unknown.first().map(String::as_str), Some("Zzyzx"));
    }
}
