//! Merging: one message's findings into the brief, in one place.
//!
//! [`super::ops::rows`] turns the findings into operation rows; [`Conversation::apply_row`]
//! applies one row to its field. Around the rows, each part keeps the notes that explain what
//! was read (a currency guessed, a typo read, two budgets stated): a note stays until its field
//! changes again.

use super::ops::{self, Field, Op, Row, Value};
use super::{Conversation, SpanState};
use crate::brief::{NotUnderstood, Platform, WarningCode};
use crate::present::{country_label, money};
use crate::understand::audience::AudienceFinding;
use crate::understand::budget::{self, BudgetFinding, CurrencyHint};
use crate::understand::gazetteer::Gazetteer;
use crate::understand::goal::GoalFinding;
use crate::understand::schedule::{self, ScheduleFinding, ScheduleState, Span};
use crate::understand::Findings;

impl Conversation {
    /// Merges one message's findings into the brief: its rows in order, then the notes.
    pub(super) fn merge(&mut self, findings: &Findings) {
        self.not_understood = findings.not_understood.clone();
        // The model's notes concern one message: a failure is not carried over, and what the
        // model read of the audience goes when a later message changes the audience.
        self.forget("model.");
        if findings.audience.as_ref().is_some_and(|a| *a != AudienceFinding::default()) {
            self.notes.retain(|n| n.field != "audience");
        }
        // An excluded city the targeting does not hold cannot be applied: say so.
        if let Some(a) = &findings.audience {
            let locations = &self.brief.audience.locations;
            let unapplied = a.excluded_areas.iter().filter(|(area, _)| !locations.contains(area));
            let unapplied: Vec<NotUnderstood> = unapplied
                .map(|(_, said)| NotUnderstood {
                    text: said.clone(),
                    reason: "excluding a city or region is not supported: the brief targets whole places".into(),
                })
                .collect();
            self.not_understood.extend(unapplied);
        }
        let budget_before = self.brief.budget.clone();
        let schedule_before = self.brief.schedule.clone();
        for row in ops::rows(findings) {
            self.apply_row(&row);
        }
        if let Some(a) = &findings.audience {
            self.audience_notes(a);
        }
        if let Some(g) = &findings.goal {
            self.goal_notes(g);
        }
        if let Some(b) = &findings.budget {
            self.budget_notes(b, budget_before.as_ref());
        }
        if self.brief.schedule != schedule_before {
            self.forget("schedule");
        }
        if let Some(f) = &findings.formats {
            if !f.is_empty() {
                self.forget("formats");
            }
            for n in &f.notes {
                self.note("formats.max_share", None, n.clone());
            }
        }
    }

    /// Applies one operation row to its field.
    pub(super) fn apply_row(&mut self, row: &Row) {
        let aud = &mut self.brief.audience;
        let fm = &mut self.brief.formats;
        match row.field {
            Field::Objective => {
                if let Op::Set(v) = &row.op {
                    if let Some(Value::Objective(o)) = v.first() {
                        self.brief.objective = Some(*o);
                    }
                }
            }
            Field::Ages => match &row.op {
                Op::Clear => (aud.age_min, aud.age_max) = (None, None),
                Op::Add(Value::Ages(min, max)) if aud.age_min.is_some() || aud.age_max.is_some() => {
                    // Widening: an open bound on either side stays open.
                    aud.age_min = aud.age_min.zip(*min).map(|(a, b)| a.min(b));
                    aud.age_max = aud.age_max.zip(*max).map(|(a, b)| a.max(b));
                }
                op => {
                    if let Some((min, max)) = ages_of(op) {
                        (aud.age_min, aud.age_max) = (min, max);
                    }
                }
            },
            Field::Genders => edit_list(&mut aud.genders, &row.op, |v| match v {
                Value::Gender(g) => Some(*g),
                _ => None,
            }),
            Field::Locations => edit_list(&mut aud.locations, &row.op, |v| match v {
                Value::Location(l) => Some(l.clone()),
                _ => None,
            }),
            Field::Interests => edit_list(&mut aud.interests, &row.op, id),
            Field::Genres => edit_list(&mut aud.genres, &row.op, id),
            Field::Contexts => edit_list(&mut aud.contexts, &row.op, id),
            Field::PodcastTopics => edit_list(&mut aud.podcast_topics, &row.op, id),
            Field::Languages => edit_list(&mut aud.languages, &row.op, id),
            Field::Platforms => {
                // "no desktop", "everything but desktop": with no platform chosen, excluding one
                // means the others.
                if aud.platforms.is_empty() && matches!(row.op, Op::Remove(_)) {
                    aud.platforms = vec![Platform::Ios, Platform::Android, Platform::Desktop];
                }
                edit_list(&mut aud.platforms, &row.op, |v| match v {
                    Value::Platform(p) => Some(*p),
                    _ => None,
                });
            }
            Field::Placements => edit_list(&mut fm.placements, &row.op, |v| match v {
                Value::Placement(p) => Some(*p),
                _ => None,
            }),
            Field::FormatsInclude => {
                edit_list(&mut fm.include, &row.op, format);
                let include = fm.include.clone();
                fm.exclude.retain(|x| !include.contains(x));
            }
            Field::FormatsExclude => match &row.op {
                Op::Add(Value::Format(x)) => {
                    if !fm.exclude.contains(x) {
                        fm.exclude.push(*x);
                    }
                    fm.include.retain(|y| y != x);
                    fm.max_share.remove(x);
                }
                Op::Remove(Value::Format(x)) => {
                    // "actually keep video": no longer excluded, and back in a chosen list.
                    fm.exclude.retain(|y| y != x);
                    if !fm.include.is_empty() && !fm.include.contains(x) {
                        fm.include.push(*x);
                    }
                }
                op => edit_list(&mut fm.exclude, op, format),
            },
            Field::MaxShare => match &row.op {
                Op::Add(Value::Share(Some(x), share)) => {
                    fm.max_share.insert(*x, *share);
                }
                // "make that 40%": the one cap there is takes the new share.
                Op::Set(v) => {
                    if let Some(Value::Share(None, share)) = v.first() {
                        if fm.max_share.len() == 1 {
                            fm.max_share.values_mut().for_each(|s| *s = *share);
                        }
                    }
                }
                Op::Clear => fm.max_share.clear(),
                _ => {}
            },
            Field::Budget => self.apply_budget_row(&row.op),
            Field::Schedule | Field::ScheduleEnd => self.apply_schedule_row(row),
        }
    }

    fn apply_budget_row(&mut self, op: &Op) {
        let mut f = BudgetFinding::default();
        match op {
            Op::Set(v) => {
                let Some(Value::Money { amount, min, currency, daily, approximate }) = v.first() else { return };
                f.amount = Some(*amount);
                f.min = *min;
                f.currency = currency.clone();
                f.daily = *daily;
                f.approximate = *approximate;
            }
            Op::Scale(s) => f.scale = Some(*s),
            Op::Add(Value::Amount(d)) => f.delta = Some(*d),
            _ => return,
        }
        let g = Gazetteer::get();
        let countries = self.brief.audience.countries();
        let currencies: Vec<&str> = countries.iter().filter_map(|c| g.currency_of(c)).collect();
        // "kr" follows the first-named target country that pays in kronor (docs/brief.md §2).
        let nordic_first = currencies.iter().copied().find(|c| budget::is_kronor(c));
        if let Some(new) = budget::apply(self.brief.budget.as_ref(), &f, &currencies, nordic_first) {
            self.brief.budget = Some(new);
        }
    }

    fn apply_schedule_row(&mut self, row: &Row) {
        let mut f = ScheduleFinding::default();
        match (&row.op, row.field) {
            (Op::Set(v), Field::Schedule) => {
                let Some(Value::Flight { start, end, length, keep_length }) = v.first() else { return };
                (f.start, f.end, f.duration, f.keep_length) = (*start, *end, *length, *keep_length);
            }
            (Op::Shift(sign, by), Field::Schedule) => f.shift_by = Some((*sign, *by)),
            (Op::Shift(sign, by), Field::ScheduleEnd) => f.extend_by = Some((*sign, *by)),
            _ => return,
        }
        let prev = ScheduleState {
            start: self.brief.schedule.start,
            end: self.brief.schedule.end,
            span: self.span.map(Span::from),
        };
        let next = schedule::apply(&prev, &f, self.today);
        if next == prev {
            return;
        }
        if f.start.is_some() {
            self.start_stated = true;
        } else if next.start != prev.start && f.shift_by.is_none() {
            // A moved flight keeps a stated start stated; a start recomputed from a new length
            // or end is a default again.
            self.start_stated = false;
        }
        self.span = next.span.map(SpanState::from);
        self.brief.schedule = crate::brief::Schedule { start: next.start, end: next.end, days: next.days() };
    }

    fn goal_notes(&mut self, g: &GoalFinding) {
        if g.objective.is_none() {
            return;
        }
        self.forget("objective");
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

    fn audience_notes(&mut self, a: &AudienceFinding) {
        if let Some(ages) = &a.ages {
            self.forget("audience.age");
            if ages.minors {
                let msg = format!("Under-18s can't be targeted: ages start at 18 (asked for {})", ages.said);
                self.note("audience.age_min", Some(WarningCode::Minors), msg);
            }
        }
        if !a.locations.is_empty() || !a.unknown_places.is_empty() {
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
    }

    fn budget_notes(&mut self, b: &BudgetFinding, prev: Option<&crate::brief::Budget>) {
        let Some(new) = self.brief.budget.clone() else { return };
        if prev == Some(&new) && !b.conflicting {
            return;
        }
        self.forget("budget");
        let countries = self.brief.audience.countries();
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
    }
}

/// The age range an age row sets or widens to.
fn ages_of(op: &Op) -> Option<(Option<u8>, Option<u8>)> {
    match op {
        Op::Set(v) => match v.first() {
            Some(Value::Ages(min, max)) => Some((*min, *max)),
            _ => None,
        },
        Op::Add(Value::Ages(min, max)) => Some((*min, *max)),
        _ => None,
    }
}

fn id(v: &Value) -> Option<String> {
    match v {
        Value::Id(s) => Some(s.clone()),
        _ => None,
    }
}

fn format(v: &Value) -> Option<crate::brief::Format> {
    match v {
        Value::Format(f) => Some(*f),
        _ => None,
    }
}

/// One operation on a list field: set, add, remove, replace, clear. Values of another type than
/// the list's are ignored (`get` returns `None`).
fn edit_list<T: PartialEq + Clone>(list: &mut Vec<T>, op: &Op, get: impl Fn(&Value) -> Option<T>) {
    let push = |list: &mut Vec<T>, x: T| {
        if !list.contains(&x) {
            list.push(x);
        }
    };
    match op {
        Op::Set(values) => {
            list.clear();
            for x in values.iter().filter_map(&get) {
                push(list, x);
            }
        }
        Op::Add(v) => {
            if let Some(x) = get(v) {
                push(list, x);
            }
        }
        Op::Remove(v) => {
            if let Some(x) = get(v) {
                list.retain(|y| *y != x);
            }
        }
        Op::Replace(old, new) => {
            if let Some(x) = get(new) {
                push(list, x);
            }
            if let Some(x) = get(old) {
                list.retain(|y| *y != x);
            }
        }
        Op::Clear => list.clear(),
        Op::Scale(_) | Op::Shift(..) => {}
    }
}
