//! Scenarios (issue 13): a comparison plans alternatives beside the brief without changing it,
//! and a choice applies one.
//!
//! Each alternative of a comparison ("compare 6 vs 8 weeks") is an ordinary follow-up run by the
//! same specialists on a *copy* of the conversation, so a scenario's plan is exactly what that
//! edit would have produced. Scenarios are kept in the conversation's record (and so in the
//! store) next to undo. Rules, as the README documents them:
//! - at most [`KEPT`] scenarios; each keeps its option number (1–3) while it is kept; a new one
//!   takes the lowest free number, else the number of the oldest, which it replaces; an
//!   alternative equal to a kept one replaces it;
//! - "go with that" applies the latest comparison's scenario (when it made several, the reply
//!   asks which); "use option N" a numbered one; an unknown number is a question, nothing changes;
//! - applying one is an ordinary change (undo returns to the brief before); any change of the
//!   brief (an edit, a choice, undo) drops the scenarios, which were alternatives to the old one;
//! - "undo" while scenarios are shown drops them and leaves the brief (it takes back the
//!   comparison, the last thing asked for).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::record::{is_undo, Record};
use super::{turn, CoordError, Event, Shared, Turn};
use crate::brain::{validate, Brain, Response};
use crate::brief::{Brief, NotUnderstood, Question};
use crate::conversation::Conversation;
use crate::plan::Scenario;
use crate::present::scenarios::label;
use crate::understand::compare::{self, Comparison, Pick};
use crate::understand::Text;

/// Scenarios kept per conversation.
pub const KEPT: usize = 3;

/// A kept scenario: its number, label and the conversation it would make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kept {
    pub option: u32,
    pub label: String,
    pub conversation: Conversation,
    /// Which comparison made it (a higher one is newer).
    pub comparison: u64,
}

/// What a message asks of the scenarios.
enum Ask {
    Choose(Pick),
    Compare(Comparison),
    Other,
}

/// A choice counts once there is a brief or a scenario to choose; a comparison once there is a
/// brief to compare with.
fn ask(record: &Record, read: &Text) -> Ask {
    let has_brief = !record.conversation.nothing_yet() && record.conversation.brief != Brief::default();
    if let Some(p) = compare::pick(read).filter(|_| has_brief || !record.scenarios.is_empty()) {
        return Ask::Choose(p);
    }
    match compare::comparison(read, record.conversation.today).filter(|_| has_brief) {
        Some(c) => Ask::Compare(c),
        None => Ask::Other,
    }
}

/// Handles one message: a choice of a scenario, a comparison, or (anything else) a turn; the
/// reply carries the scenarios kept after it.
pub(super) async fn message_turn(
    shared: &Arc<Shared>,
    record: &mut Record,
    text: &str,
    key: Option<&str>,
    events: Option<&mpsc::Sender<Event>>,
) -> Result<Turn, CoordError> {
    validate(text)?;
    let read = Text::new(text);
    match ask(record, &read) {
        Ask::Choose(p) => return Ok(choose(shared, record, text, key, p)),
        Ask::Compare(c) => return compare(shared, record, text, key, c, events).await,
        Ask::Other => {}
    }
    // "undo" right after a comparison takes the comparison back, not the change before it.
    if is_undo(text) && !record.scenarios.is_empty() {
        record.scenarios.clear();
        let response = shared.brain.current().plan(&record.conversation);
        let changes = record.note(text, &response, key);
        return Ok(Turn { response, changes });
    }
    let before = record.conversation.brief.clone();
    let mut t = turn::message_turn(shared, record, &read, text, key, events).await?;
    if record.conversation.brief != before {
        record.scenarios.clear();
    }
    attach(&shared.brain.current(), record, &mut t.response, &[]);
    Ok(t)
}

/// Applies a message whose reply nobody reads (an earlier message of a `--jsonl` request): the
/// conversation, its undo and its scenarios end as [`message_turn`] leaves them, but an
/// ordinary edit is not planned. A choice, a comparison or "undo" runs the whole turn.
pub(super) async fn message_merge(shared: &Arc<Shared>, record: &mut Record, text: &str) -> Result<(), CoordError> {
    validate(text)?;
    let read = Text::new(text);
    if is_undo(text) || !matches!(ask(record, &read), Ask::Other) {
        return message_turn(shared, record, text, None, None).await.map(|_| ());
    }
    let before = record.conversation.clone();
    turn::merge(shared, &shared.brain.current(), &mut record.conversation, &read, text, None).await;
    if record.conversation.brief != before.brief {
        record.scenarios.clear();
    }
    record.push_undo(before);
    Ok(())
}

/// Plans each alternative on a copy of the conversation and keeps the scenarios; the brief
/// stays as it was.
async fn compare(
    shared: &Arc<Shared>,
    record: &mut Record,
    text: &str,
    key: Option<&str>,
    c: Comparison,
    events: Option<&mpsc::Sender<Event>>,
) -> Result<Turn, CoordError> {
    let brain = shared.brain.current();
    let mut response = brain.plan(&record.conversation);
    let mut made: Vec<(String, Conversation, Response)> = Vec::new();
    for alt in &c.alternatives {
        let mut copy = record.conversation.clone();
        let r = turn::turn(shared, &mut copy, &Text::new(&alt.text), &alt.text, events).await?;
        match label(&response, &r) {
            Some(l) if !made.iter().any(|(_, c, _)| c.brief == copy.brief) => made.push((l, copy, r)),
            Some(_) => {}
            None => response.plan.not_understood.push(NotUnderstood {
                text: alt.text.clone(),
                reason: "as an option this changes nothing: it is the current brief".into(),
            }),
        }
    }
    for d in &c.dropped {
        response
            .plan
            .not_understood
            .push(NotUnderstood { text: d.clone(), reason: format!("at most {KEPT} options are compared at a time") });
    }
    if made.is_empty() {
        response.plan.questions.push(Question {
            field: "scenarios".into(),
            message: "What should the plan be compared with? For example \"compare with 12k\" or \"4 vs 6 weeks\"."
                .into(),
        });
    } else {
        record.comparisons += 1;
    }
    let mut fresh: Vec<(u32, Response)> = Vec::new();
    for (l, conv, r) in made {
        let option = keep(record, l, conv);
        fresh.push((option, r));
    }
    attach(&brain, record, &mut response, &fresh);
    let changes = record.note(text, &response, key);
    Ok(Turn { response, changes })
}

/// Keeps a new scenario under the rules above; returns its option number.
fn keep(record: &mut Record, label: String, conversation: Conversation) -> u32 {
    record.scenarios.retain(|k| k.conversation.brief != conversation.brief);
    let option = if record.scenarios.len() < KEPT {
        (1..=KEPT as u32).find(|n| !record.scenarios.iter().any(|k| k.option == *n)).unwrap_or(1)
    } else {
        let oldest = record.scenarios.iter().enumerate().min_by_key(|(_, k)| (k.comparison, k.option)).map(|(i, _)| i);
        oldest.map_or(1, |i| record.scenarios.remove(i).option)
    };
    record.scenarios.push(Kept { option, label, conversation, comparison: record.comparisons });
    record.scenarios.sort_by_key(|k| k.option);
    option
}

/// Applies a chosen scenario, or asks which when the choice names none.
fn choose(shared: &Arc<Shared>, record: &mut Record, text: &str, key: Option<&str>, pick: Pick) -> Turn {
    let brain = shared.brain.current();
    let latest = record.scenarios.iter().map(|k| k.comparison).max();
    let newest: Vec<&Kept> = record.scenarios.iter().filter(|k| Some(k.comparison) == latest).collect();
    let options = || record.scenarios.iter().map(|k| format!("option {} ({})", k.option, k.label)).collect::<Vec<_>>();
    let chosen = match pick {
        Pick::Option(n) => record.scenarios.iter().find(|k| k.option == n).cloned().ok_or_else(|| {
            if record.scenarios.is_empty() {
                "There are no options to choose from yet: ask for a comparison first, for example \"compare with 12k\"."
                    .to_string()
            } else {
                format!("There is no option {n}. Which one: {}?", options().join(", "))
            }
        }),
        Pick::Latest => match newest.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err("There is nothing to go with yet: ask for a comparison first, for example \"compare with 12k\"."
                .to_string()),
            _ => Err(format!("Which option should I use: {}?", options().join(", "))),
        },
    };
    let response = match chosen {
        Ok(k) => {
            let before = std::mem::replace(&mut record.conversation, k.conversation);
            record.push_undo(before);
            record.scenarios.clear();
            brain.plan(&record.conversation)
        }
        Err(question) => {
            let mut r = brain.plan(&record.conversation);
            r.plan.questions.push(Question { field: "scenarios".into(), message: question });
            attach(&brain, record, &mut r, &[]);
            r
        }
    };
    let changes = record.note(text, &response, key);
    Turn { response, changes }
}

/// Puts the kept scenarios into a reply (`plan.scenarios`), planning those not planned just now.
pub(super) fn attach(brain: &Brain, record: &Record, response: &mut Response, fresh: &[(u32, Response)]) {
    response.plan.scenarios = record
        .scenarios
        .iter()
        .map(|k| {
            let r = match fresh.iter().find(|(n, _)| *n == k.option) {
                Some((_, r)) => r.clone(),
                None => brain.plan(&k.conversation),
            };
            Scenario { option: k.option, label: k.label.clone(), brief: r.brief, plan: r.plan }
        })
        .collect();
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn conv(budget: f64) -> Conversation {
        let mut c = Conversation::new(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        c.apply(&crate::understand::understand(&format!("reach in Austria, EUR {budget}, 4 weeks"), c.today));
        c
    }

    #[test]
    fn records_written_before_scenarios_still_load() {
        let mut r = Record::new("c_old", NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        keep(&mut r, "€9,000".into(), conv(9000.0));
        let mut v: serde_json::Value = serde_json::from_slice(&r.encode().unwrap()).unwrap();
        assert_eq!(v["scenarios"][0]["option"], 1, "kept with the record");
        let o = v.as_object_mut().unwrap();
        o.remove("scenarios");
        o.remove("comparisons");
        let old: Record = serde_json::from_value(v).expect("an old record loads");
        assert!(old.scenarios.is_empty());
    }

    #[test]
    fn numbers_stay_while_kept_and_the_oldest_makes_room() {
        let mut r = Record::new("c", NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        for (batch, amounts) in [(1, vec![1000.0, 2000.0]), (2, vec![3000.0]), (3, vec![4000.0, 2000.0])] {
            r.comparisons = batch;
            for a in amounts {
                keep(&mut r, format!("{a}"), conv(a));
            }
        }
        let kept: Vec<(u32, &str)> = r.scenarios.iter().map(|k| (k.option, k.label.as_str())).collect();
        // 4000 took the oldest's number (1); 2000 again replaced its own equal (2) and kept 2.
        assert_eq!(kept, [(1, "4000"), (2, "2000"), (3, "3000")]);
    }
}
