//! Conversations kept nowhere: a one-shot plan (`POST /v1/plan`, `/adsai` previews) and the
//! messages of a `plan --jsonl` request. They touch no slot, no cache and no store, so they run
//! in the caller's task instead of passing through the actor's loop (which exists to keep a
//! kept conversation's messages in order): no channel, no extra task, no wake-up of another
//! thread per request. After shutdown they are refused like everything else.

use std::sync::Arc;

use futures_util::FutureExt;
use tokio::sync::mpsc;

use super::record::Record;
use super::scenario::{message_merge, message_turn};
use super::turn::turn;
use super::{CoordError, Event, Shared, Turn};
use crate::brain::{InputError, Response};
use crate::conversation::Conversation;
use crate::message::Message;

/// Plans one message on a new conversation; a panic in the turn is an internal error.
pub(super) async fn one_shot(
    shared: &Arc<Shared>,
    today: chrono::NaiveDate,
    text: &Message,
    events: Option<mpsc::Sender<Event>>,
) -> Result<Turn, CoordError> {
    let mut conv = Conversation::new(today);
    let read = crate::understand::Text::new(text.as_str());
    // Boxed: the turn's state is kilobytes, and every caller's future would carry (and move) it.
    let run = std::panic::AssertUnwindSafe(Box::pin(turn(shared, &mut conv, &read, text.as_str(), events.as_ref())));
    let response = match run.catch_unwind().await {
        Ok(result) => result?,
        Err(_) => {
            tracing::error!("a one-shot turn crashed; the request gets an internal error");
            return Err(CoordError::Internal);
        }
    };
    let t = Turn { response, changes: Vec::new() };
    if let Some(tx) = &events {
        let _ = tx.send(Event::Plan(Box::new(t.clone()))).await;
    }
    Ok(t)
}

/// Runs the messages in order on one conversation; the response after the last, or the index
/// of the message that failed (a panic in a turn is an internal error of that message).
pub(super) async fn ephemeral(
    shared: &Arc<Shared>,
    today: chrono::NaiveDate,
    messages: &[Message],
) -> Result<Response, (usize, CoordError)> {
    let mut record = Record::new("", today);
    let mut last = None;
    for (i, text) in messages.iter().enumerate() {
        // Only the last message's plan is answered: the ones before it only change the brief.
        let outcome = if i + 1 < messages.len() {
            // Boxed like the turn in `one_shot`.
            let merge = std::panic::AssertUnwindSafe(Box::pin(message_merge(shared, &mut record, text.as_str())));
            merge.catch_unwind().await.map(|r| r.map(|()| None))
        } else {
            let turn =
                std::panic::AssertUnwindSafe(Box::pin(message_turn(shared, &mut record, text.as_str(), None, None)));
            turn.catch_unwind().await.map(|r| r.map(|t| Some(t.response)))
        };
        match outcome {
            Ok(Ok(response)) => last = response,
            Ok(Err(e)) => return Err((i, e)),
            Err(_) => {
                tracing::error!(message = i + 1, "a turn crashed; the request gets an internal error");
                return Err((i, CoordError::Internal));
            }
        }
    }
    last.ok_or((0, CoordError::Input(InputError::Empty)))
}
