//! Checks a model's answer against the SPEC before anything of it is used: ids from the SPEC
//! lists, ISO codes the gazetteer knows, currencies the markets table can convert, 18 ≤ ages ≤ 99,
//! real dates near `today`. An answer that fails any check is refused whole (half-wrong answers
//! never mix into a brief); one that passes becomes the specialist's part of the brief as typed
//! values ([`Reading`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

use super::ModelError;
use crate::brief::{
    Audience, Budget, BudgetType, Format, Formats, Gender, Location, Objective, Placement, Platform, Schedule,
    CONTEXT_IDS, GENRE_IDS, INTEREST_IDS, PODCAST_TOPIC_IDS,
};
use crate::markets::Markets;
use crate::understand::gazetteer::Gazetteer;
use crate::understand::Specialist;

/// How far from `today` a model's date may lie before it is taken for a mistake.
const MAX_YEARS_AWAY: i64 = 3;

/// A specialist's part of the brief, as the model read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    Goal(Option<Objective>),
    Audience(Audience),
    Budget(Option<Budget>),
    Schedule(Schedule),
    Formats(Formats),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GoalAnswer {
    objective: Option<Objective>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AudienceAnswer {
    audience: Audience,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BudgetAnswer {
    budget: Option<Budget>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleAnswer {
    schedule: Schedule,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Share {
    format: Format,
    share: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormatsPart {
    include: Vec<Format>,
    exclude: Vec<Format>,
    max_share: Vec<Share>,
    placements: Vec<Placement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormatsAnswer {
    formats: FormatsPart,
}

fn invalid(why: impl Into<String>) -> ModelError {
    ModelError::Invalid(why.into())
}

fn parse<T: for<'de> Deserialize<'de>>(answer: &Value) -> Result<T, ModelError> {
    T::deserialize(answer).map_err(|e| invalid(format!("does not match the schema: {e}")))
}

/// Checks `answer` for specialist `s`; `today` is the date the model was given.
pub fn validate(s: Specialist, answer: &Value, today: NaiveDate, markets: &Markets) -> Result<Reading, ModelError> {
    match s {
        Specialist::Goal => Ok(Reading::Goal(parse::<GoalAnswer>(answer)?.objective)),
        Specialist::Audience => audience(parse::<AudienceAnswer>(answer)?.audience).map(Reading::Audience),
        Specialist::Budget => budget(parse::<BudgetAnswer>(answer)?.budget, markets).map(Reading::Budget),
        Specialist::Schedule => schedule(parse::<ScheduleAnswer>(answer)?.schedule, today).map(Reading::Schedule),
        Specialist::Formats => formats(parse::<FormatsAnswer>(answer)?.formats).map(Reading::Formats),
    }
}

fn subset(field: &str, values: &[String], allowed: &[&str]) -> Result<(), ModelError> {
    match values.iter().find(|v| !allowed.contains(&v.as_str())) {
        Some(v) => Err(invalid(format!("unknown {field} id {v:?}"))),
        None => Ok(()),
    }
}

fn audience(a: Audience) -> Result<Audience, ModelError> {
    for age in [a.age_min, a.age_max].into_iter().flatten() {
        if !(18..=99).contains(&age) {
            return Err(invalid(format!("age {age} outside 18-99")));
        }
    }
    if let (Some(min), Some(max)) = (a.age_min, a.age_max) {
        if min > max {
            return Err(invalid(format!("age range {min}-{max} is reversed")));
        }
    }
    let gazetteer = Gazetteer::get();
    for loc in &a.locations {
        location(loc, gazetteer)?;
    }
    subset("interest", &a.interests, &INTEREST_IDS)?;
    subset("genre", &a.genres, &GENRE_IDS)?;
    subset("context", &a.contexts, &CONTEXT_IDS)?;
    subset("podcast topic", &a.podcast_topics, &PODCAST_TOPIC_IDS)?;
    if let Some(l) = a.languages.iter().find(|l| l.len() != 2 || !l.bytes().all(|b| b.is_ascii_lowercase())) {
        return Err(invalid(format!("language {l:?} is not an ISO 639-1 code")));
    }
    let _: (&[Gender], &[Platform]) = (&a.genders, &a.platforms); // typed by serde already
    Ok(a)
}

fn location(loc: &Location, gazetteer: &Gazetteer) -> Result<(), ModelError> {
    if gazetteer.country(&loc.country).is_none() {
        return Err(invalid(format!("unknown country code {:?}", loc.country)));
    }
    if let Some(region) = &loc.region {
        let prefix = format!("{}-", loc.country);
        let code = region.strip_prefix(&prefix).unwrap_or_default();
        if code.is_empty() || code.len() > 3 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(invalid(format!("region {region:?} is not an ISO 3166-2 code of {}", loc.country)));
        }
    }
    if loc.city.as_ref().is_some_and(|c| c.trim().is_empty() || c.len() > 80) {
        return Err(invalid("empty or overlong city name"));
    }
    Ok(())
}

fn budget(b: Option<Budget>, markets: &Markets) -> Result<Option<Budget>, ModelError> {
    let Some(b) = b else { return Ok(None) };
    if !(b.amount.is_finite() && b.amount > 0.0) {
        return Err(invalid(format!("budget amount {} is not a positive number", b.amount)));
    }
    if markets.usd_rate(&b.currency).is_none() {
        return Err(invalid(format!("currency {:?} is not one the markets table converts", b.currency)));
    }
    if b.min.is_some_and(|m| !(m.is_finite() && m > 0.0 && m <= b.amount)) {
        return Err(invalid("budget range lower bound is not between 0 and the amount"));
    }
    let _: BudgetType = b.kind;
    Ok(Some(b))
}

fn schedule(s: Schedule, today: NaiveDate) -> Result<Schedule, ModelError> {
    for d in [s.start, s.end].into_iter().flatten() {
        if (d - today).num_days().abs() > MAX_YEARS_AWAY * 366 {
            return Err(invalid(format!("date {d} is too far from today ({today})")));
        }
    }
    if let (Some(start), Some(end), Some(days)) = (s.start, s.end, s.days) {
        if (end - start).num_days() + 1 != days {
            return Err(invalid(format!("{days} days does not match {start} to {end}")));
        }
    }
    if s.days.is_some_and(|d| d.abs() > MAX_YEARS_AWAY * 366) {
        return Err(invalid("flight length out of range"));
    }
    Ok(s)
}

fn formats(f: FormatsPart) -> Result<Formats, ModelError> {
    let mut max_share = BTreeMap::new();
    for s in f.max_share {
        if !(s.share > 0.0 && s.share <= 1.0) {
            return Err(invalid(format!("share {} is not within 0-1", s.share)));
        }
        max_share.insert(s.format, s.share);
    }
    Ok(Formats { include: f.include, exclude: f.exclude, max_share, placements: f.placements })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(s: Specialist, v: Value) -> Result<Reading, ModelError> {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
        validate(s, &v, today, Markets::embedded())
    }

    fn audience_json(extra: Value) -> Value {
        let mut a = json!({"age_min": 18, "age_max": 24, "genders": [], "locations": [{"country": "DE", "region": null, "city": null}],
            "interests": [], "genres": [], "contexts": [], "podcast_topics": [], "languages": [], "platforms": []});
        if let (Some(a), Some(extra)) = (a.as_object_mut(), extra.as_object()) {
            a.extend(extra.clone());
        }
        json!({"audience": a})
    }

    #[test]
    fn a_valid_answer_becomes_typed_values() {
        assert_eq!(
            check(Specialist::Goal, json!({"objective": "LEAD_GEN"})).ok(),
            Some(Reading::Goal(Some(Objective::LeadGen)))
        );
        let Ok(Reading::Audience(a)) = check(Specialist::Audience, audience_json(json!({"interests": ["fitness"]})))
        else {
            panic!("valid audience refused")
        };
        assert_eq!(a.locations[0].country, "DE");
        let b = check(
            Specialist::Budget,
            json!({"budget": {"amount": 5000, "currency": "EUR", "type": "LIFETIME", "min": null, "approximate": false}}),
        );
        assert!(matches!(b, Ok(Reading::Budget(Some(_)))));
        let s =
            check(Specialist::Schedule, json!({"schedule": {"start": "2026-11-24", "end": "2026-12-23", "days": 30}}));
        assert!(s.is_ok());
        let f = check(
            Specialist::Formats,
            json!({"formats": {"include": [], "exclude": ["VIDEO"], "max_share": [], "placements": []}}),
        );
        assert!(f.is_ok());
    }

    #[test]
    fn an_answer_with_anything_wrong_is_refused_whole() {
        let bad = [
            (Specialist::Goal, json!({"objective": "SALES"})),
            (Specialist::Goal, json!({"objective": "REACH", "why": "because"})),
            (Specialist::Audience, audience_json(json!({"age_min": 12}))),
            (Specialist::Audience, audience_json(json!({"interests": ["skydiving"]}))),
            (
                Specialist::Audience,
                audience_json(json!({"locations": [{"country": "XX", "region": null, "city": null}]})),
            ),
            (Specialist::Audience, audience_json(json!({"age_min": 40, "age_max": 30}))),
            (
                Specialist::Budget,
                json!({"budget": {"amount": -5, "currency": "EUR", "type": "LIFETIME", "min": null, "approximate": false}}),
            ),
            (
                Specialist::Budget,
                json!({"budget": {"amount": 5000, "currency": "ZZZ", "type": "LIFETIME", "min": null, "approximate": false}}),
            ),
            (Specialist::Schedule, json!({"schedule": {"start": "2026-11-24", "end": "2026-12-23", "days": 12}})),
            (Specialist::Schedule, json!({"schedule": {"start": "2046-01-01", "end": null, "days": null}})),
            (Specialist::Schedule, json!({"schedule": {"start": "next week", "end": null, "days": null}})),
            (
                Specialist::Formats,
                json!({"formats": {"include": [], "exclude": [], "max_share": [{"format": "VIDEO", "share": 3}], "placements": []}}),
            ),
            (Specialist::Formats, json!(["not", "an", "object"])),
        ];
        for (s, v) in bad {
            assert!(matches!(check(s, v.clone()), Err(ModelError::Invalid(_))), "{} accepted {v}", s.name());
        }
    }
}
