//! Understanding: from one message to the specialists' findings.
//!
//! The router picks the specialists a message needs; each specialist reads the normalised
//! [`Text`] on its own (no shared mutable state, so the coordinator may run them in parallel) and
//! returns a [`Finding`]: what this message says about its part of the brief. Merging findings into
//! a conversation's brief is `crate::conversation`'s job.

pub mod audience;
pub mod budget;
pub mod formats;
pub mod gazetteer;
pub mod goal;
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
            Specialist::Budget => Finding::Budget(budget::extract(&text.norm)),
            Specialist::Schedule => Finding::Schedule(schedule::extract(&text.norm, today)),
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
    /// Which specialist found it.
    pub fn specialist(&self) -> Specialist {
        match self {
            Finding::Goal(_) => Specialist::Goal,
            Finding::Audience(_) => Specialist::Audience,
            Finding::Budget(_) => Specialist::Budget,
            Finding::Schedule(_) => Specialist::Schedule,
            Finding::Formats(_) => Specialist::Formats,
        }
    }

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
}

impl Findings {
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

/// Routes a message and runs the chosen specialists one after the other. The coordinator runs
/// the same specialists concurrently instead; the result is the same.
pub fn understand(message: &str, today: NaiveDate) -> Findings {
    let text = Text::new(message);
    let route = router::route(&text);
    let mut findings = Findings { route, ..Findings::default() };
    for s in route.specialists() {
        findings.insert(s.run(&text, today));
    }
    findings
}

/// Whether the word at `start..end` is part of any specialist's vocabulary (used to tell an
/// unknown place name from an ordinary word).
pub(crate) fn is_known_word(text: &Text, start: usize, end: usize) -> bool {
    let word = &text.norm[start..end];
    const KNOWN: &[&str] = &[
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "q1",
        "q2",
        "q3",
        "q4",
        "the",
        "their",
        "our",
        "my",
        "your",
        "spotify",
        "slack",
        "total",
        "advance",
        "general",
        "particular",
        "addition",
        "terms",
        "total",
        "time",
        "summer",
        "winter",
        "spring",
        "autumn",
        "fall",
        "christmas",
        "december",
        "english",
        "spanish",
        "french",
        "german",
        "january",
    ];
    KNOWN.contains(&word)
        || gazetteer::Gazetteer::get().find_languages(text).iter().any(|h| h.start <= start && end <= h.end)
        || router::is_cue(text, start, end)
}
