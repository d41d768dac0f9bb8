//! The report of a conversation's current state: assumptions, warnings and questions.
//!
//! The warnings that follow from the brief itself (dates in the past, unsupported markets,
//! format conflicts, a budget under the minimum) are recomputed from the state on every report,
//! so they can never go stale; the notes kept from messages join them.

use super::{Conversation, Report, DEFAULT_OBJECTIVE};
use crate::brief::{
    Assumption, Brief, Budget, BudgetType, Format, Objective, Placement, Platform, Question, Warning, WarningCode,
};
use crate::markets::{Markets, DEFAULT_MIN_BUDGET_USD};
use crate::present::{country_label, date, money};
use crate::understand::gazetteer::Gazetteer;

impl Conversation {
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
}

/// The format constraints contradict the objective (docs/brief.md §2 compatibility).
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
