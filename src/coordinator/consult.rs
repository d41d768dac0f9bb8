//! The model stage of a turn (`[model] mode` `fallback` or `always`): after the deterministic
//! specialists, ask the model for the parts that need it — all routed parts in `always`; in
//! `fallback` only those whose built-in reading left words unread, found nothing where the
//! message holds the specialist's own vocabulary, conflicted, or failed — concurrently, each
//! under `[model] timeout_ms` (retries included).
//!
//! A validated answer replaces that specialist's finding and is reported as an assumption "Read
//! by the model: …", naming the built-in reading when the two differ. Any failure leaves the
//! built-in finding in place and warns `MODEL_FAILED`: half-wrong answers never mix in. With the
//! mode off (the default) this stage does nothing and nothing leaves the machine.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::future::join_all;
use futures_util::FutureExt;

use super::Shared;
use crate::brain::Brain;
use crate::brief::{Brief, NotUnderstood, WarningCode};
use crate::conversation::Conversation;
use crate::model::{specialist as model_side, Answer, Mode, ModelClient, ModelError};
use crate::understand::{router, Finding, Findings, ReadNote, Route, Specialist, Text};

/// Which specialists the model is asked for on this message.
pub(super) fn to_ask(mode: Mode, findings: &Findings, text: &Text) -> Route {
    let route = findings.route;
    let mut ask = Route::default();
    match mode {
        Mode::Off => {}
        Mode::Always => ask = route,
        Mode::Fallback => {
            for nu in &findings.not_understood {
                for s in concerned(nu, route).specialists() {
                    ask.add(s);
                }
            }
            let cued = router::cued(text);
            for s in route.specialists() {
                let finding = findings.get(s);
                let nothing = finding.as_ref().is_none_or(said_nothing);
                // Its own cue, read by no other specialist, and nothing found: it fell short.
                let missed = || cued.iter().any(|&(c, start, end)| c == s && !read_by_another(findings, s, start, end));
                let conflict = finding.as_ref().is_some_and(conflicted);
                if (nothing && missed()) || conflict || findings.failed.contains(&s) {
                    ask.add(s);
                }
            }
        }
    }
    ask
}

/// The routed specialists unread words may concern: those the router would send the words to,
/// else (no cue in them) every routed one.
fn concerned(nu: &NotUnderstood, route: Route) -> Route {
    let mut r = Route::default();
    for s in router::route(&Text::new(&nu.text)).specialists().filter(|s| route.has(*s)) {
        r.add(s);
    }
    if r.is_empty() {
        route
    } else {
        r
    }
}

/// Whether a specialist other than `s` read the words `start..end` (its finding's spans).
fn read_by_another(findings: &Findings, s: Specialist, start: usize, end: usize) -> bool {
    let spans = |f: &Finding| -> Vec<(usize, usize)> {
        match f {
            Finding::Goal(g) => g.spans.clone(),
            Finding::Audience(a) => a.spans.clone(),
            Finding::Budget(b) => b.spans.clone(),
            Finding::Schedule(x) => x.spans.clone(),
            Finding::Formats(x) => x.spans.clone(),
        }
    };
    let others = findings.route.specialists().filter(|o| *o != s).filter_map(|o| findings.get(o));
    others.flat_map(|f| spans(&f)).any(|(a, b)| a < end && start < b)
}

/// The finding states nothing about its part of the brief.
fn said_nothing(f: &Finding) -> bool {
    match f {
        Finding::Goal(g) => g.objective.is_none(),
        Finding::Audience(a) => {
            a.ages.is_none()
                && a.genders.is_empty()
                && a.locations.is_empty()
                && a.interests.is_empty()
                && a.genres.is_empty()
                && a.contexts.is_empty()
                && a.podcast_topics.is_empty()
                && a.languages.is_empty()
                && a.platforms.is_empty()
                && !a.podcast
                && !a.podcast_off
        }
        Finding::Budget(b) => b.amount.is_none() && b.scale.is_none() && b.delta.is_none(),
        Finding::Schedule(s) => s.is_empty(),
        Finding::Formats(f) => f.is_empty() && f.share.is_none(),
    }
}

/// The built-in reading found two values for one thing.
fn conflicted(f: &Finding) -> bool {
    match f {
        Finding::Goal(g) => g.conflict.is_some(),
        Finding::Budget(b) => b.conflicting || b.kind_conflict,
        _ => false,
    }
}

/// The key of a specialist's part in the brief (and the field of its notes).
fn part(s: Specialist) -> &'static str {
    match s {
        Specialist::Goal => "objective",
        Specialist::Audience => "audience",
        Specialist::Budget => "budget",
        Specialist::Schedule => "schedule",
        Specialist::Formats => "formats",
    }
}

/// Specialist `s`'s part of a brief in a few words.
fn describe(s: Specialist, b: &Brief) -> String {
    match s {
        Specialist::Goal => b.objective.map_or_else(|| "no objective".to_string(), |o| o.id().to_string()),
        Specialist::Audience => model_side::describe_audience(&b.audience),
        Specialist::Budget => model_side::describe_budget(b.budget.as_ref()),
        Specialist::Schedule => model_side::describe_schedule(&b.schedule),
        Specialist::Formats => model_side::describe_formats(&b.formats),
    }
}

/// Asks the model where the mode says so and files what it read (or why not) in `findings`.
pub(super) async fn consult(
    shared: &Arc<Shared>,
    brain: &Brain,
    conv: &Conversation,
    text: &Text,
    message: &str,
    findings: &mut Findings,
) {
    let Some(client) = shared.config.model.as_ref() else { return };
    let asked = to_ask(client.config().mode, findings, text);
    if asked.is_empty() {
        return;
    }
    let today = conv.today;
    let questions = asked.specialists().map(|s| ask(client, s, message, today, brain));
    let mut answered = Route::default();
    for (s, answer) in join_all(questions).await {
        let result = answer.as_ref().map_or(Err(Failure::Crashed), |a| a.result.clone().map_err(Failure::Model));
        record(shared, s, answer.as_ref(), result.as_ref().err());
        match result {
            Ok(reading) => {
                let before = findings.get(s);
                let read = model_side::finding(reading, before.as_ref(), today);
                if let Some(note) = read_note(conv, findings, s, before.as_ref(), &read) {
                    findings.notes.push(note);
                }
                findings.insert(read);
                findings.failed.retain(|f| *f != s);
                answered.add(s);
            }
            Err(failure) => findings.notes.push(ReadNote {
                field: format!("model.{}", s.name()),
                code: Some(WarningCode::ModelFailed),
                message: format!(
                    "The model could not read the {} part ({}): the built-in reading is used",
                    s.name(),
                    failure.reason()
                ),
            }),
        }
    }
    // Unread words count as read once the model answered for every part they may concern.
    let route = findings.route;
    findings.not_understood.retain(|nu| concerned(nu, route).specialists().any(|s| !answered.has(s)));
}

/// The assumption "Read by the model: …" for a part the model answered, naming the built-in
/// reading when the two come out differently; none when neither reading says anything.
fn read_note(
    conv: &Conversation,
    findings: &Findings,
    s: Specialist,
    before: Option<&Finding>,
    read: &Finding,
) -> Option<ReadNote> {
    if said_nothing(read) && before.is_some_and(said_nothing) {
        return None;
    }
    let by_model = describe(s, &brief_after(conv, findings, read.clone()));
    let mut message = format!("Read by the model: {by_model}");
    match before {
        Some(f) => {
            let built_in = describe(s, &brief_after(conv, findings, f.clone()));
            if built_in != by_model {
                message.push_str(&format!(" (the built-in reading: {built_in})"));
            }
        }
        None => message.push_str(" (the built-in reading failed)"),
    }
    Some(ReadNote { field: part(s).into(), code: None, message })
}

/// Why a model answer was not used.
enum Failure {
    Model(ModelError),
    Crashed,
}

impl Failure {
    fn reason(&self) -> String {
        match self {
            Failure::Model(e) => e.to_string(),
            Failure::Crashed => "the call crashed".into(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Failure::Model(e) => e.kind(),
            Failure::Crashed => "crashed",
        }
    }
}

/// One question to the model, isolated: a panic in the call is a failure of this part only.
async fn ask(
    client: &ModelClient,
    s: Specialist,
    message: &str,
    today: chrono::NaiveDate,
    brain: &Brain,
) -> (Specialist, Option<Answer>) {
    let call = AssertUnwindSafe(client.read(s, message, today, brain.markets())).catch_unwind();
    (s, call.await.ok())
}

/// The brief after this message with `finding` standing for its specialist (the other findings
/// as read): how one reading of a part would come out, to compare two readings.
fn brief_after(conv: &Conversation, findings: &Findings, finding: Finding) -> Brief {
    let mut alone = Findings { route: findings.route, ..Findings::default() };
    alone.goal = findings.goal.clone();
    alone.audience = findings.audience.clone();
    alone.budget = findings.budget.clone();
    alone.schedule = findings.schedule.clone();
    alone.formats = findings.formats.clone();
    alone.insert(finding);
    let mut c = conv.clone();
    c.apply(&alone);
    c.brief
}

/// Metrics of one call: calls, failures by kind, latency, tokens. No message text, no prompt.
fn record(shared: &Shared, s: Specialist, answer: Option<&Answer>, failure: Option<&Failure>) {
    let m = &shared.metrics;
    let who = || vec![("specialist", s.name().to_string())];
    m.count("adsai_model_calls_total", "Questions asked to the model.", who(), 1);
    if let Some(f) = failure {
        let labels = vec![("specialist", s.name().to_string()), ("kind", f.kind().to_string())];
        m.count("adsai_model_failures_total", "Model answers not used, by kind of failure.", labels, 1);
    }
    if let Some(a) = answer {
        m.observe("adsai_model_seconds", "Time a question to the model took, retries included.", who(), a.elapsed);
        for (kind, n) in [("prompt", a.prompt_tokens), ("completion", a.completion_tokens)] {
            m.count("adsai_model_tokens_total", "Tokens the model API reported.", vec![("kind", kind.to_string())], n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::understand::understand;

    fn asked(mode: Mode, message: &str) -> Vec<Specialist> {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
        let findings = understand(message, today);
        to_ask(mode, &findings, &Text::new(message)).specialists().collect()
    }

    #[test]
    fn fallback_asks_only_where_the_built_in_reading_fell_short() {
        for clean in [
            "reach in Austria, 6k EUR, two weeks",
            "installs in Spain for 25-34s, €3,000 over 10 days",
            "make it 9k",
            "no video",
            "extend it by two weeks",
            "add austria",
            "cut the budget in half",
            "change the objective to site traffic",
            "drop the under-25s",
        ] {
            assert!(asked(Mode::Fallback, clean).is_empty(), "{clean}: {:?}", asked(Mode::Fallback, clean));
        }
        for (unread, part) in [
            ("reach in Austria for gym rats, 6k EUR, two weeks", Specialist::Audience),
            ("awareness among knitting grannies in Ireland, €4k, a month", Specialist::Audience),
        ] {
            assert!(asked(Mode::Fallback, unread).contains(&part), "{unread}: {:?}", asked(Mode::Fallback, unread));
        }
        for (silent, part) in [
            ("awareness in Spain, budget still to be agreed", Specialist::Budget),
            ("reach in Norway, spend TBD", Specialist::Budget),
        ] {
            let a = asked(Mode::Fallback, silent);
            assert!(a.contains(&part), "{silent}: its own cue and nothing found: {a:?}");
        }
        for conflicting in ["reach in Austria, budget 6k or 9k EUR", "awareness in Italy, €2k, no wait €3k"] {
            let a = asked(Mode::Fallback, conflicting);
            assert!(a.contains(&Specialist::Budget), "{conflicting}: {a:?}");
        }
    }

    #[test]
    fn always_asks_every_routed_part_and_off_asks_nothing() {
        let message = "reach in Austria, 6k EUR, two weeks";
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
        let route: Vec<Specialist> = understand(message, today).route.specialists().collect();
        assert_eq!(asked(Mode::Always, message), route);
        assert!(asked(Mode::Off, "reach in Austria for gym rats").is_empty());
    }
}
