//! The coordinator's loop. It owns the cache's bookkeeping and does no I/O: each command is a
//! few map operations, after which a task does the work. A conversation's messages queue in its
//! slot and one task per conversation ([`drain`]) handles them strictly in arrival order, so
//! different conversations — and one-shot plans — never wait for each other or for the store.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::cache::{report, Slot};
use super::record::Record;
use super::scenario::message_turn;
use super::{Answer, Command, CoordError, Event, Job, Shared, Turn};

pub(super) async fn run(shared: Arc<Shared>, mut rx: mpsc::Receiver<Command>, shutdown: CancellationToken) {
    loop {
        let cmd = tokio::select! {
            _ = shutdown.cancelled() => break,
            cmd = rx.recv() => match cmd { Some(c) => c, None => break },
        };
        match cmd {
            Command::Create { id, given, today, reply } => {
                let known = shared.slots.get(&id).is_some_and(|s| s.record.is_some() || s.busy);
                if known {
                    let _ = reply.send(Ok(id));
                } else {
                    // The creation is the conversation's first piece of work: messages that
                    // arrive meanwhile queue behind it.
                    shared.slots.insert(id.clone(), Slot::new(None, true));
                    tokio::spawn(create(shared.clone(), id, given, today, reply));
                }
            }
            Command::Message { id, create, job } => {
                let start = {
                    let mut slot = shared.slots.entry(id.clone()).or_insert_with(|| Slot::new(None, false));
                    if slot.create.is_none() {
                        slot.create = create;
                    }
                    slot.queue.push_back(job);
                    slot.last_active = Instant::now();
                    let start = !slot.busy;
                    slot.busy = true;
                    start
                };
                if start {
                    tokio::spawn(drain(shared.clone(), id));
                }
            }
            Command::Peek { id, reply } => {
                let seen = shared.slots.get(&id).map(|s| (s.busy, s.record.clone()));
                let _ = reply.send(seen);
            }
            Command::Forget { id, reply } => {
                shared.slots.remove_if(&id, |_, s| !s.busy && s.queue.is_empty());
                let _ = reply.send(());
            }
        }
        report(&shared);
    }
}

/// Creates a conversation (a given id may be stored already: then it is loaded, not replaced),
/// then handles the messages that queued meanwhile.
async fn create(
    shared: Arc<Shared>,
    id: String,
    given: bool,
    today: chrono::NaiveDate,
    reply: oneshot::Sender<Result<String, CoordError>>,
) {
    let stored = if given { shared.persist.get(&id).await } else { Ok(None) };
    let outcome = match stored {
        Ok(Some(record)) => Ok(record),
        Ok(None) => {
            let record = Record::new(&id, today);
            shared.persist.put(&record, None).await.map(|()| record)
        }
        Err(e) => Err(e),
    };
    let result = match outcome {
        Ok(record) => {
            if let Some(mut slot) = shared.slots.get_mut(&id) {
                slot.record = Some(record);
            }
            Ok(id.clone())
        }
        Err(e) => Err(CoordError::from(e)),
    };
    let _ = reply.send(result);
    drain(shared, id).await;
}

/// Handles the queued messages of one conversation, in order, until its queue is empty.
pub(super) async fn drain(shared: Arc<Shared>, id: String) {
    loop {
        let next = {
            let Some(mut slot) = shared.slots.get_mut(&id) else { return };
            match slot.queue.pop_front() {
                Some(job) => Some((job, slot.record.take(), slot.create)),
                None => {
                    slot.busy = false;
                    None
                }
            }
        };
        let Some((job, cached, create)) = next else {
            // Nothing of it in memory (creation failed, or it does not exist): forget the slot.
            shared.slots.remove_if(&id, |_, s| s.record.is_none() && !s.busy && s.queue.is_empty());
            return;
        };
        let kept = handle(&shared, &id, job, cached, create).await;
        if let Some(mut slot) = shared.slots.get_mut(&id) {
            slot.record = kept;
            slot.last_active = Instant::now();
        }
    }
}

/// Handles one message; returns the record to keep in memory (`None`: read it from the store
/// next time).
async fn handle(
    shared: &Arc<Shared>,
    id: &str,
    job: Job,
    cached: Option<Record>,
    create: Option<chrono::NaiveDate>,
) -> Option<Record> {
    // A shared store: other replicas may have moved the conversation on. Take its lock (renewed
    // while the turn runs) and read the latest record; the lock is released after the write.
    let lease = match shared.persist.lock(id, shared.config.lock_lease()).await {
        Ok(l) => l,
        Err(e) => {
            let _ = job.reply.send(Err(e.into()));
            return cached;
        }
    };
    let cached = if lease.is_some() { None } else { cached };
    let record = match cached {
        Some(r) => Some(r),
        None => match shared.persist.get(id).await {
            Ok(r) => r,
            Err(e) => {
                if let Some(l) = lease {
                    l.release().await;
                }
                let _ = job.reply.send(Err(e.into()));
                return None;
            }
        },
    };
    let mut record = match (record, create) {
        (Some(r), _) => r,
        (None, Some(today)) => Record::new(id, today),
        (None, None) => {
            if let Some(l) = lease {
                l.release().await;
            }
            let _ = job.reply.send(Err(CoordError::NotFound(id.to_string())));
            return None;
        }
    };
    // A retry of a message already applied: its kept reply, nothing applied again.
    if let Some(key) = job.key.as_deref().filter(|k| record.has_applied(k)) {
        let answer = repeat(shared, id, key, &record).await;
        if let Some(l) = lease {
            l.release().await;
        }
        let _ = job.reply.send(answer);
        return Some(record);
    }
    // The turn runs in its own task: a panic anywhere in understanding or planning is an error
    // reply, and the conversation stays as it was before the message.
    let before = record.clone();
    let turn_task = {
        let shared = shared.clone();
        let (text, key, events) = (job.text.clone(), job.key.clone(), job.events.clone());
        tokio::spawn(async move {
            let r = message_turn(&shared, &mut record, text.as_str(), key.as_deref(), events.as_ref()).await;
            (record, r)
        })
    };
    let (record, result) = match turn_task.await {
        Ok(done) => done,
        Err(e) => {
            tracing::error!(conversation = %id, error = %e, "a turn crashed; the conversation is kept as it was");
            (before.clone(), Err(CoordError::Internal))
        }
    };
    let result = match result {
        Ok(t) => match shared.persist.put(&record, lease.as_ref()).await {
            Ok(()) => Ok(t),
            Err(e) => Err(e.into()),
        },
        Err(e) => Err(e),
    };
    if let Some(l) = lease {
        l.release().await;
    }
    // Not stored, not applied: a retry of the message must not apply it twice.
    let record = if result.is_ok() { record } else { before };
    if let (Ok(t), Some(key)) = (&result, job.key.as_deref()) {
        keep_reply(shared, id, key, t).await;
    }
    if let (Ok(t), Some(tx)) = (&result, &job.events) {
        let _ = tx.send(Event::Plan(Box::new(t.clone()))).await;
    }
    let _ = job.reply.send(result.map(|t| Answer::Fresh(Box::new(t))));
    Some(record)
}

/// The store key of a message's kept reply.
pub(super) fn reply_key(id: &str, key: &str) -> String {
    format!("messages:{id}:{key}")
}

/// Keeps a reply for retries with the same key (a failure is logged: a retry then gets the
/// conversation's current plan, still without applying anything twice).
async fn keep_reply(shared: &Shared, id: &str, key: &str, turn: &Turn) {
    match serde_json::to_vec(turn) {
        Ok(bytes) => {
            if let Err(e) = shared.persist.remember(&reply_key(id, key), &bytes, shared.config.ttl).await {
                tracing::warn!(conversation = %id, error = %e, "could not keep a reply for retries");
            }
        }
        Err(e) => tracing::warn!(conversation = %id, error = %e, "could not encode a reply for retries"),
    }
}

/// The answer to a retry: the kept reply, or (if it was lost) the conversation's plan now.
async fn repeat(shared: &Shared, id: &str, key: &str, record: &Record) -> Result<Answer, CoordError> {
    if let Some(bytes) = shared.persist.recall(&reply_key(id, key)).await? {
        return Ok(Answer::Repeat(bytes));
    }
    let brain = shared.brain.current();
    let response = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| brain.plan(&record.conversation)))
        .map_err(|_| CoordError::Internal)?;
    let changes = record.messages.last().map(|m| m.changes.clone()).unwrap_or_default();
    let turn = Turn { response, changes };
    serde_json::to_vec(&turn).map(Answer::Repeat).map_err(|_| CoordError::Internal)
}
