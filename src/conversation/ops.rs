//! Edits as a table: what one message does to the brief, as explicit operations per field.
//!
//! The specialists say what a message names and how ("drop Austria": Austria, removed). This file
//! turns their findings into rows of [`Row`] — a [`Field`] and an [`Op`] (set, add, remove,
//! replace A→B, clear, scale, shift) — so that every follow-up form is one row, not a special
//! case: "switch Spain for Italy" and "Italy instead of Spain" are both `Locations: Replace(ES →
//! IT)`, "open it up to all genders" is `Genders: Clear`, "double the budget" is `Budget:
//! Scale(2)`, "push it back a week" is `Schedule: Shift(+7 days)`. [`super::merge`] applies the
//! rows, in order, in one place.

use crate::brief::{Format, Gender, Location, Objective, Placement, Platform};
use crate::understand::audience::{AgeFinding, ListChange};
use crate::understand::budget::{BudgetFinding, CurrencyHint};
use crate::understand::schedule::{ScheduleFinding, Span};
use crate::understand::Findings;

/// A field of the brief that an edit names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Objective,
    Ages,
    Genders,
    Locations,
    Interests,
    Genres,
    Contexts,
    PodcastTopics,
    Languages,
    Platforms,
    Placements,
    FormatsInclude,
    FormatsExclude,
    /// The share caps per format ("no more than 30% on video").
    MaxShare,
    Budget,
    /// The flight as a whole (start, end and stated length).
    Schedule,
    /// The flight's end alone ("extend it by a week").
    ScheduleEnd,
}

/// A value an edit sets, adds or removes.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Objective(Objective),
    /// An age range (either bound may be open).
    Ages(Option<u8>, Option<u8>),
    Gender(Gender),
    Location(Location),
    /// An id of a taxonomy list: interest, genre, context, podcast topic, language.
    Id(String),
    Platform(Platform),
    Placement(Placement),
    Format(Format),
    /// A cap on one format's share of the budget; `None`: the one cap there is ("make that 40%").
    Share(Option<Format>, f64),
    /// A stated budget: amount (upper bound), lower bound, currency as written, per day,
    /// approximate.
    Money {
        amount: f64,
        min: Option<f64>,
        currency: CurrencyHint,
        daily: bool,
        approximate: bool,
    },
    /// An amount added to the budget (negative: taken off).
    Amount(f64),
    /// A stated flight: start, end, length (any may be missing); `keep_length`: the flight keeps
    /// the length it had ("move the start to May 3, same length").
    Flight {
        start: Option<chrono::NaiveDate>,
        end: Option<chrono::NaiveDate>,
        length: Option<Span>,
        keep_length: bool,
    },
}

/// What an edit does to its field.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// The field becomes exactly these values ("just iOS", "25-34", "€10k").
    Set(Vec<Value>),
    /// One value joins the list ("add Belgium", "Switzerland too").
    Add(Value),
    /// One value leaves the list ("drop Austria", "no desktop", "forget the podcast thing").
    Remove(Value),
    /// One value takes another's place ("switch Spain for Italy"): `Replace(old, new)`.
    Replace(Value, Value),
    /// The field is emptied: no filter ("all genders", "any age").
    Clear,
    /// The field is multiplied ("double the budget": 2.0).
    Scale(f64),
    /// The field moves by a length: +1 later or longer, -1 earlier or shorter.
    Shift(i64, Span),
}

/// One operation on one field.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub field: Field,
    pub op: Op,
}

impl Row {
    fn new(field: Field, op: Op) -> Row {
        Row { field, op }
    }
}

/// The rows one message's findings make, in the order they are applied: the audience first (the
/// budget's currency follows the new target countries), then the objective, the budget, the
/// schedule and the formats. Within a list, a new value (set or add) comes before removals.
pub fn rows(findings: &Findings) -> Vec<Row> {
    let mut out = Vec::new();
    if let Some(a) = &findings.audience {
        if let Some(ages) = &a.ages {
            out.push(age_row(ages));
        }
        list_rows(&mut out, Field::Genders, &a.genders, Value::Gender);
        list_rows(&mut out, Field::Locations, &a.locations, Value::Location);
        list_rows(&mut out, Field::Interests, &a.interests, Value::Id);
        list_rows(&mut out, Field::Genres, &a.genres, Value::Id);
        list_rows(&mut out, Field::Contexts, &a.contexts, Value::Id);
        list_rows(&mut out, Field::PodcastTopics, &a.podcast_topics, Value::Id);
        list_rows(&mut out, Field::Languages, &a.languages, Value::Id);
        list_rows(&mut out, Field::Platforms, &a.platforms, Value::Platform);
        // The formats specialist's placements, when it read any, say the same more precisely
        // ("skip the podcasts": music only): one row, not two.
        let placements_stated = findings.formats.as_ref().is_some_and(|f| f.placements.is_some());
        if a.podcast_off && !placements_stated {
            out.push(Row::new(Field::Placements, Op::Remove(Value::Placement(Placement::Podcast))));
        }
        if a.podcast && !placements_stated {
            out.push(Row::new(Field::Placements, Op::Set(vec![Value::Placement(Placement::Podcast)])));
        }
    }
    if let Some(objective) = findings.goal.as_ref().and_then(|g| g.objective) {
        out.push(Row::new(Field::Objective, Op::Set(vec![Value::Objective(objective)])));
    }
    if let Some(b) = &findings.budget {
        out.extend(budget_row(b));
    }
    if let Some(s) = &findings.schedule {
        schedule_rows(&mut out, s);
    }
    if let Some(f) = &findings.formats {
        if let Some(include) = &f.include {
            out.push(Row::new(Field::FormatsInclude, Op::Set(include.iter().map(|x| Value::Format(*x)).collect())));
        }
        for x in &f.exclude {
            out.push(Row::new(Field::FormatsExclude, Op::Add(Value::Format(*x))));
        }
        for x in &f.keep {
            out.push(Row::new(Field::FormatsExclude, Op::Remove(Value::Format(*x))));
        }
        for (x, share) in &f.max_share {
            out.push(Row::new(Field::MaxShare, Op::Add(Value::Share(Some(*x), *share))));
        }
        if let Some(share) = f.share {
            out.push(Row::new(Field::MaxShare, Op::Set(vec![Value::Share(None, share)])));
        }
        if let Some(p) = &f.placements {
            out.push(Row::new(Field::Placements, Op::Set(p.iter().map(|x| Value::Placement(*x)).collect())));
        }
    }
    out
}

fn age_row(ages: &AgeFinding) -> Row {
    let value = Value::Ages(ages.min, ages.max);
    let op = if ages.clear {
        Op::Clear
    } else if ages.extend {
        Op::Add(value)
    } else {
        Op::Set(vec![value])
    };
    Row::new(Field::Ages, op)
}

/// A list change as rows: clear; set (a plain statement of the list); one replacement ("Italy
/// instead of Spain": one value in, one out); else the additions, then the removals.
fn list_rows<T: Clone + PartialEq>(out: &mut Vec<Row>, field: Field, c: &ListChange<T>, value: fn(T) -> Value) {
    if c.clear {
        out.push(Row::new(field, Op::Clear));
    }
    let values = |xs: &[T]| xs.iter().cloned().map(value).collect::<Vec<_>>();
    if c.replace && !c.add.is_empty() {
        out.push(Row::new(field, Op::Set(values(&c.add))));
    } else if let ([new], [old]) = (c.add.as_slice(), c.remove.as_slice()) {
        out.push(Row::new(field, Op::Replace(value(old.clone()), value(new.clone()))));
        return;
    } else {
        out.extend(values(&c.add).into_iter().map(|v| Row::new(field, Op::Add(v))));
    }
    out.extend(values(&c.remove).into_iter().map(|v| Row::new(field, Op::Remove(v))));
}

/// A stated amount sets the budget; else a factor scales it; else an amount is added to it.
fn budget_row(b: &BudgetFinding) -> Option<Row> {
    let op = if let Some(amount) = b.amount {
        Op::Set(vec![Value::Money {
            amount,
            min: b.min,
            currency: b.currency.clone(),
            daily: b.daily,
            approximate: b.approximate,
        }])
    } else if let Some(s) = b.scale {
        Op::Scale(s)
    } else {
        Op::Add(Value::Amount(b.delta?))
    };
    Some(Row::new(Field::Budget, op))
}

fn schedule_rows(out: &mut Vec<Row>, s: &ScheduleFinding) {
    if s.start.is_some() || s.end.is_some() || s.duration.is_some() {
        let flight = Value::Flight { start: s.start, end: s.end, length: s.duration, keep_length: s.keep_length };
        out.push(Row::new(Field::Schedule, Op::Set(vec![flight])));
    }
    if let Some((sign, by)) = s.extend_by {
        out.push(Row::new(Field::ScheduleEnd, Op::Shift(sign, by)));
    }
    if let Some((sign, by)) = s.shift_by {
        out.push(Row::new(Field::Schedule, Op::Shift(sign, by)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::understand::understand;

    fn rows_of(message: &str) -> Vec<Row> {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
        rows(&understand(message, today))
    }

    fn country(code: &str) -> Value {
        Value::Location(Location::country(code))
    }

    /// Each follow-up form is exactly one row.
    fn one_row(message: &str) -> Row {
        let rows = rows_of(message);
        assert_eq!(rows.len(), 1, "{message}: {rows:?}");
        rows.into_iter().next().unwrap_or_else(|| Row::new(Field::Objective, Op::Clear))
    }

    #[test]
    fn replacements_are_one_row_however_written() {
        for m in [
            "switch Portugal for Greece",
            "Greece instead of Portugal",
            "swap Portugal with Greece",
            "Greece rather than Portugal",
        ] {
            assert_eq!(one_row(m), Row::new(Field::Locations, Op::Replace(country("PT"), country("GR"))), "{m}");
        }
        assert_eq!(
            one_row("Android rather than iOS"),
            Row::new(Field::Platforms, Op::Replace(Value::Platform(Platform::Ios), Value::Platform(Platform::Android)))
        );
        assert_eq!(
            one_row("swap the 25-34s for 35-44s"),
            Row::new(Field::Ages, Op::Set(vec![Value::Ages(Some(35), Some(44))]))
        );
    }

    #[test]
    fn removals_clears_and_additions() {
        assert_eq!(one_row("drop Belgium"), Row::new(Field::Locations, Op::Remove(country("BE"))));
        assert_eq!(one_row("add Norway too"), Row::new(Field::Locations, Op::Add(country("NO"))));
        assert_eq!(one_row("any gender is fine"), Row::new(Field::Genders, Op::Clear));
        assert_eq!(one_row("open it to all ages"), Row::new(Field::Ages, Op::Clear));
        assert_eq!(
            one_row("forget the podcast idea"),
            Row::new(Field::Placements, Op::Remove(Value::Placement(Placement::Podcast)))
        );
        assert_eq!(one_row("skip the podcasts").field, Field::Placements);
        assert_eq!(
            one_row("actually video is fine after all"),
            Row::new(Field::FormatsExclude, Op::Remove(Value::Format(Format::Video)))
        );
    }

    #[test]
    fn scales_and_shifts() {
        assert_eq!(one_row("triple the budget"), Row::new(Field::Budget, Op::Scale(3.0)));
        assert_eq!(one_row("halve the budget"), Row::new(Field::Budget, Op::Scale(0.5)));
        assert_eq!(one_row("push it back two weeks"), Row::new(Field::Schedule, Op::Shift(1, Span::Days(14))));
        assert_eq!(one_row("bring it forward by 3 days"), Row::new(Field::Schedule, Op::Shift(-1, Span::Days(3))));
        assert_eq!(one_row("extend it by a week"), Row::new(Field::ScheduleEnd, Op::Shift(1, Span::Days(7))));
    }

    #[test]
    fn a_first_brief_sets_its_fields() {
        let rows = rows_of("clicks from women 25-44 in France, €8k, 3 weeks");
        let fields: Vec<Field> = rows.iter().map(|r| r.field).collect();
        assert_eq!(
            fields,
            [Field::Ages, Field::Genders, Field::Locations, Field::Objective, Field::Budget, Field::Schedule]
        );
        assert!(rows.iter().all(|r| matches!(r.op, Op::Set(_))), "{rows:?}");
    }
}
