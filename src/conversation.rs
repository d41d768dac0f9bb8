//! A conversation: the brief as it stands after each message, and what changed.
//!
//! Findings from one message are merged into the brief here — a follow-up changes only what it
//! mentions — and every default, clamp or guess made along the way is kept as a labelled
//! assumption or warning (SPEC §2: nothing is ever silently changed). The warnings that follow
//! from the brief itself (dates in the past, unsupported markets, format conflicts, a budget under
//! the minimum) are recomputed from the state on every report, so they can never go stale.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::brief::{
    Assumption, Brief, Budget, BudgetType, Format, NotUnderstood, Objective, Placement, Platform, Question, Schedule,
    Warning, WarningCode,
};
use crate::markets::{Markets, DEFAULT_MIN_BUDGET_USD};
use crate::present::{country_label, date, money};
use crate::understand::budget::{self, CurrencyHint};
use crate::understand::gazetteer::Gazetteer;
use crate::understand::schedule::{self, ScheduleState, Span};
use crate::understand::Findings;

/// The objective planned for when the brief names none (SPEC §2).
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

    /// Merges one message's findings into the brief.
    pub fn apply(&mut self, findings: &Findings) {
        self.not_understood = findings.not_understood.clone();
        // The model's notes concern one message: a failure is not carried over, and what the
        // model read of the audience goes when a later message changes the audience.
        self.forget("model.");
        if findings.audience.as_ref().is_some_and(|a| *a != crate::understand::audience::AudienceFinding::default()) {
            self.notes.retain(|n| n.field != "audience");
        }
        // Audience first: the budget's currency follows the (new) target countries.
        if let Some(a) = &findings.audience {
            self.apply_audience(a);
        }
        if let Some(g) = &findings.goal {
            self.apply_goal(g);
        }
        if let Some(b) = &findings.budget {
            self.apply_budget(b);
        }
        if let Some(s) = &findings.schedule {
            self.apply_schedule(s);
        }
        if let Some(f) = &findings.formats {
            self.apply_formats(f);
        }
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

    fn apply_goal(&mut self, g: &crate::understand::goal::GoalFinding) {
        let Some(objective) = g.objective else { return };
        self.forget("objective");
        self.brief.objective = Some(objective);
        if let Some((a, b)) = g.conflict {
            self.note(
                "objective",
                Some(WarningCode::Ambiguous),
                format!("Two objectives stated ({} and {}): planning for {}", a.id(), b.id(), a.id()),
            );
        }
        for n in &g.notes {
            self.note("objective", None, n.clone());
        }
    }

    fn apply_audience(&mut self, a: &crate::understand::audience::AudienceFinding) {
        let aud = &mut self.brief.audience;
        let mut age_note = None;
        if let Some(ages) = &a.ages {
            if ages.clear {
                aud.age_min = None;
                aud.age_max = None;
            } else if ages.extend && (aud.age_min.is_some() || aud.age_max.is_some()) {
                aud.age_min = match (aud.age_min, ages.min) {
                    (Some(x), Some(y)) => Some(x.min(y)),
                    _ => None,
                };
                aud.age_max = match (aud.age_max, ages.max) {
                    (Some(x), Some(y)) => Some(x.max(y)),
                    _ => None,
                };
            } else {
                aud.age_min = ages.min;
                aud.age_max = ages.max;
            }
            if ages.minors {
                age_note = Some(format!("Under-18s can't be targeted: ages start at 18 (asked for {})", ages.said));
            }
        }
        let locations_changed = !a.locations.is_empty();
        a.genders.apply(&mut aud.genders);
        let unapplied = a.excluded_areas.iter().filter(|(area, _)| !aud.locations.contains(area));
        let unapplied: Vec<NotUnderstood> = unapplied
            .map(|(_, said)| NotUnderstood {
                text: said.clone(),
                reason: "excluding a city or region is not supported: the brief targets whole places".into(),
            })
            .collect();
        a.locations.apply(&mut aud.locations);
        a.interests.apply(&mut aud.interests);
        a.genres.apply(&mut aud.genres);
        a.contexts.apply(&mut aud.contexts);
        a.podcast_topics.apply(&mut aud.podcast_topics);
        a.languages.apply(&mut aud.languages);
        // "no desktop", "everything but desktop": with no platform chosen yet, excluding one
        // means the others.
        if aud.platforms.is_empty() && a.platforms.add.is_empty() && !a.platforms.remove.is_empty() {
            aud.platforms = [Platform::Ios, Platform::Android, Platform::Desktop]
                .into_iter()
                .filter(|p| !a.platforms.remove.contains(p))
                .collect();
        } else {
            a.platforms.apply(&mut aud.platforms);
        }
        self.not_understood.extend(unapplied);
        if a.ages.is_some() {
            self.forget("audience.age");
        }
        if let Some(msg) = age_note {
            self.note("audience.age_min", Some(WarningCode::Minors), msg);
        }
        if locations_changed || !a.unknown_places.is_empty() {
            self.forget("audience.locations");
        }
        for place in &a.unknown_places {
            self.note(
                "audience.locations",
                Some(WarningCode::UnknownLocation),
                format!("\"{place}\" is not a place we know: left out of the targeting"),
            );
        }
        for (field, n) in &a.notes {
            self.note(field, None, n.clone());
        }
        if a.podcast_off && self.brief.formats.placements == [Placement::Podcast] {
            self.brief.formats.placements.clear();
        }
        if a.podcast && self.brief.formats.placements != [Placement::Podcast] {
            self.brief.formats.placements = vec![Placement::Podcast];
        }
    }

    fn apply_budget(&mut self, b: &budget::BudgetFinding) {
        let g = Gazetteer::get();
        let countries: Vec<String> = self.brief.audience.countries().into_iter().map(String::from).collect();
        let currencies: Vec<&str> = countries.iter().filter_map(|c| g.currency_of(c)).collect();
        // "kr" follows the first-named target country that pays in kronor (SPEC §2).
        let nordic_first = currencies.iter().copied().find(|c| budget::is_kronor(c));
        let prev = self.brief.budget.clone();
        let Some(new) = budget::apply(prev.as_ref(), b, &currencies, nordic_first) else { return };
        if prev.as_ref() == Some(&new) && !b.conflicting {
            return;
        }
        self.forget("budget");
        let first = countries.first().map(|c| country_label(c));
        match &b.currency {
            CurrencyHint::None if b.amount.is_some() && prev.is_none() => {
                let why = match &first {
                    Some(c) => format!("the currency of {c}, the first target country"),
                    None => "no target country named".to_string(),
                };
                self.note("budget.currency", None, format!("No currency given: using {} ({why})", new.currency));
            }
            CurrencyHint::Dollar if new.currency != "USD" => {
                let c = first.clone().unwrap_or_default();
                self.note("budget.currency", None, format!("\"$\" read as {}, the dollar of {c}", new.currency));
            }
            CurrencyHint::Kronor => {
                self.note("budget.currency", None, format!("\"kr\" read as {}", new.currency));
            }
            _ => {}
        }
        if b.conflicting {
            self.note(
                "budget",
                Some(WarningCode::Ambiguous),
                format!("Two different budgets stated: using {}", money(new.amount, &new.currency)),
            );
        }
        if b.kind_conflict {
            self.note(
                "budget.type",
                Some(WarningCode::Ambiguous),
                format!(
                    "The budget is stated both per day and as a lifetime total: planned as {} a day",
                    money(new.amount, &new.currency)
                ),
            );
        }
        if b.approximate && new.approximate {
            self.note(
                "budget.amount",
                None,
                format!("\"About\" {}: planned as exactly that", money(new.amount, &new.currency)),
            );
        }
        self.brief.budget = Some(new);
    }

    fn apply_schedule(&mut self, f: &schedule::ScheduleFinding) {
        let prev = ScheduleState {
            start: self.brief.schedule.start,
            end: self.brief.schedule.end,
            span: self.span.map(Span::from),
        };
        let next = schedule::apply(&prev, f, self.today);
        if next == prev {
            return;
        }
        self.forget("schedule");
        if f.start.is_some() {
            self.start_stated = true;
        } else if next.start != prev.start {
            self.start_stated = false;
        }
        self.span = next.span.map(SpanState::from);
        self.brief.schedule = Schedule { start: next.start, end: next.end, days: next.days() };
    }

    fn apply_formats(&mut self, f: &crate::understand::formats::FormatsFinding) {
        if f.is_empty() {
            return;
        }
        self.forget("formats");
        let fm = &mut self.brief.formats;
        if let Some(include) = &f.include {
            fm.include = include.clone();
            fm.exclude.retain(|x| !include.contains(x));
        }
        for x in &f.exclude {
            if !fm.exclude.contains(x) {
                fm.exclude.push(*x);
            }
            fm.include.retain(|y| y != x);
            fm.max_share.remove(x);
        }
        for x in &f.keep {
            fm.exclude.retain(|y| y != x);
            if !fm.include.is_empty() && !fm.include.contains(x) {
                fm.include.push(*x);
            }
        }
        for (x, share) in &f.max_share {
            fm.max_share.insert(*x, *share);
        }
        // "make that 40%": the one cap there is takes the new share.
        if let Some(share) = f.share {
            if fm.max_share.len() == 1 {
                fm.max_share.values_mut().for_each(|v| *v = share);
            }
        }
        if let Some(p) = &f.placements {
            fm.placements = p.clone();
        }
        for n in &f.notes {
            self.note("formats.max_share", None, n.clone());
        }
    }

    /// Whether nothing of the conversation so far says anything about a brief ("hello"): then
    /// there is a question for a brief and no plan.
    pub fn nothing_yet(&self) -> bool {
        self.nothing_yet
    }

    /// Assumptions, warnings and questions for the current brief; `default_country` is the
    /// market planned for when the brief names none.
    pub fn report(&self, markets: &Markets, default_country: &str) -> Report {
        let mut r = Report { not_understood: self.not_understood.clone(), ..Report::default() };
        let b = &self.brief;
        if self.nothing_yet {
            r.questions.push(Question {
                field: "brief".into(),
                message: "I couldn't find a brief in that: what would you like to advertise, to whom, where, and with \
                          what budget?"
                    .into(),
            });
        }
        if b.objective.is_none() {
            r.assumptions.push(Assumption::new(
                "objective",
                format!("No objective stated: planning for {} ({})", DEFAULT_OBJECTIVE.id(), DEFAULT_OBJECTIVE.label()),
            ));
        }
        if b.audience.locations.is_empty() {
            r.assumptions.push(Assumption::new(
                "audience.locations",
                format!("No location given: planning for the default market, {}", country_label(default_country)),
            ));
            r.questions.push(Question {
                field: "audience.locations".into(),
                message: "Which countries, regions or cities should this run in?".into(),
            });
        }
        for c in b.audience.countries() {
            if !markets.is_market(c) {
                let w = Warning::new(
                    WarningCode::UnsupportedMarket,
                    "audience.locations",
                    format!("{} is not a configured market: no ad set is planned there", country_label(c)),
                );
                // Dropping it is a fix only when another market is left to plan.
                let others = b.audience.countries().iter().any(|o| o != &c && markets.is_market(o));
                let name = Gazetteer::get().country(c).map_or_else(|| c.to_string(), |x| x.name.clone());
                r.warnings.push(if others { w.with_fix(format!("Drop {name}"), format!("drop {name}")) } else { w });
            }
        }
        // A missing budget or flight is recommended by the planner, which says so itself.
        if let Some(budget) = &b.budget {
            if let Some(w) = self.below_minimum(budget, markets) {
                r.warnings.push(w);
            }
        }
        let s = &b.schedule;
        match (s.start, s.end) {
            (None, None) => {}
            (Some(start), end) => {
                if !self.start_stated {
                    let message = if start == self.default_start() {
                        format!("No start date given: starting {}", date(start))
                    } else {
                        format!("No start date given: starting {}, counted back from the end date", date(start))
                    };
                    r.assumptions.push(Assumption::new("schedule.start", message));
                }
                if start < self.today {
                    r.warnings.push(
                        Warning::new(
                            WarningCode::StartInPast,
                            "schedule.start",
                            format!("The start date {} is in the past (today is {})", date(start), date(self.today)),
                        )
                        .with_fix("Start tomorrow", "start tomorrow"),
                    );
                }
                if let Some(end) = end {
                    if end < start {
                        r.warnings.push(Warning::new(
                            WarningCode::EndBeforeStart,
                            "schedule.end",
                            format!("The end date {end} is before the start date {start}"),
                        ));
                    }
                }
            }
            (None, Some(_)) => {}
        }
        if let Some(w) = format_conflict(b) {
            r.warnings.push(w);
        }
        for n in &self.notes {
            match n.code {
                Some(code) => r.warnings.push(Warning::new(code, &n.field, n.message.clone())),
                None => r.assumptions.push(Assumption::new(&n.field, n.message.clone())),
            }
            if n.code == Some(WarningCode::Ambiguous) {
                r.questions.push(Question {
                    field: n.field.clone(),
                    message: format!("The message states two different values for {}: which one is right?", n.field),
                });
            }
        }
        r
    }

    fn below_minimum(&self, budget: &Budget, markets: &Markets) -> Option<Warning> {
        let total = match budget.kind {
            BudgetType::Lifetime => budget.amount,
            BudgetType::Daily => budget.amount * self.brief.schedule.days.filter(|d| *d > 0).unwrap_or(1) as f64,
        };
        let countries = self.brief.audience.countries();
        let min_usd = countries
            .iter()
            .filter_map(|c| markets.get(c))
            .map(|m| m.min_budget_usd)
            .fold(None, |acc: Option<f64>, v| Some(acc.map_or(v, |a| a.max(v))))
            .unwrap_or(DEFAULT_MIN_BUDGET_USD);
        let rate = markets.usd_rate(&budget.currency)?;
        let min_local = min_usd * rate;
        (total < min_local).then(|| {
            let min = money(min_local.ceil(), &budget.currency);
            // The minimum is set in US dollars: say so unless the brief is in dollars already.
            let usd = if budget.currency == "USD" { String::new() } else { format!(" (US${min_usd:.0})") };
            let w = Warning::new(
                WarningCode::BudgetBelowMinimum,
                "budget.amount",
                format!("{} is below the minimum of {min}{usd}", money(total, &budget.currency)),
            );
            match budget.kind {
                BudgetType::Lifetime => {
                    w.with_fix(format!("Raise to {min}"), format!("budget {:.0} {}", min_local.ceil(), budget.currency))
                }
                BudgetType::Daily => w,
            }
        })
    }

    /// The start used when none is stated: tomorrow (SPEC §2).
    pub fn default_start(&self) -> NaiveDate {
        self.today.checked_add_signed(Duration::days(1)).unwrap_or(self.today)
    }
}

/// The format constraints contradict the objective (SPEC §2 compatibility).
fn format_conflict(b: &Brief) -> Option<Warning> {
    let f = &b.formats;
    let allows = |x: Format| !f.exclude.contains(&x) && (f.include.is_empty() || f.include.contains(&x));
    let objective = b.objective?;
    let message = match objective {
        Objective::VideoViews if !allows(Format::Video) => "Video views need video ads, but the brief rules video out",
        Objective::VideoViews if f.placements == [Placement::Podcast] => {
            "Video views run on music, but the brief asks for podcasts only"
        }
        Objective::PodcastStreams if !allows(Format::Audio) => {
            "Podcast streams need audio ads, but the brief rules audio out"
        }
        Objective::PodcastStreams if f.placements == [Placement::Music] => {
            "Podcast streams run on podcasts, but the brief asks for music only"
        }
        Objective::LeadGen if !allows(Format::Audio) => {
            "Lead generation runs on audio ads, but the brief rules audio out"
        }
        Objective::AppInstalls if !allows(Format::Audio) && !allows(Format::Video) => {
            "App installs need audio or video ads, but the brief rules both out"
        }
        Objective::AppInstalls if b.audience.platforms == [Platform::Desktop] => {
            "App installs run on iOS and Android, never desktop"
        }
        _ => return None,
    };
    Some(Warning::new(WarningCode::FormatConflict, "formats", format!("{message}: the plan follows the objective")))
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let (_, r) = talk(&["16-24 year olds in Germany, awareness"]);
        assert!(codes(&r).contains(&WarningCode::Minors));
        let (_, r) = talk(&["16-24 year olds in Germany, awareness", "€5k"]);
        assert!(codes(&r).contains(&WarningCode::Minors), "a budget follow-up keeps it");
        let (_, r) = talk(&["16-24 year olds in Germany, awareness", "make it 25-34"]);
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
#[path = "conversation_edits_tests.rs"]
mod edit_tests;
