//! One turn: route the message, run the chosen specialists concurrently ([`super::specialists`]:
//! futures joined in this task, each with a time limit; one that fails, times out or panics
//! becomes a warning and the others' findings are kept), then merge their findings and plan.
//! With a model configured, [`super::consult`] then asks it for the parts that need it.
//! Progress events (each specialist's finding as it completes) go to an optional channel for
//! streaming surfaces.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::record::{is_undo, Record};
use super::{CoordError, Event, Shared, Turn};
use crate::brain::{Brain, Response};
use crate::conversation::Conversation;
use crate::understand::{router, Text};

/// Applies one message to a conversation's record: "undo", or a turn; notes it and its changes.
pub(super) async fn message_turn(
    shared: &Arc<Shared>,
    record: &mut Record,
    read: &Text,
    text: &str,
    key: Option<&str>,
    events: Option<&mpsc::Sender<Event>>,
) -> Result<Turn, CoordError> {
    // The message was parsed at the edge (`Message`); "undo" is a valid one.
    let before = record.conversation.clone();
    let response = if is_undo(text) {
        if let Some(prev) = record.undo.pop() {
            record.conversation = prev;
        }
        shared.brain.current().plan(&record.conversation)
    } else {
        let response = turn(shared, &mut record.conversation, read, text, events).await?;
        record.push_undo(before);
        response
    };
    let changes = record.note(text, &response, key);
    Ok(Turn { response, changes })
}

/// Routes, runs the specialists concurrently with time limits, merges and plans.
/// `text` is `message` read once ([`Text::new`]) by the caller.
pub(super) async fn turn(
    shared: &Arc<Shared>,
    conv: &mut Conversation,
    text: &Text,
    message: &str,
    events: Option<&mpsc::Sender<Event>>,
) -> Result<Response, CoordError> {
    // One brain for the whole turn: a data reload mid-turn does not mix old and new.
    let brain = shared.brain.current();
    merge(shared, &brain, conv, text, message, events).await;
    Ok(brain.plan(conv))
}

/// The turn up to its plan: routes, runs the specialists and merges their findings into the
/// conversation. For a message whose plan nobody reads (an earlier message of a `--jsonl`
/// request), this is the whole turn.
pub(super) async fn merge(
    shared: &Arc<Shared>,
    brain: &Brain,
    conv: &mut Conversation,
    text: &Text,
    message: &str,
    events: Option<&mpsc::Sender<Event>>,
) {
    let route = router::route(text);
    let mut findings = super::specialists::dispatch(shared, route, text, message, conv.today, events).await;
    findings.account(text);
    super::consult::consult(shared, brain, conv, text, message, &mut findings).await;
    #[cfg(any(test, feature = "testing"))]
    super::fault::while_merging(shared, route.specialists(), message);
    conv.apply(&findings);
}
