//! A turn and its reply: the usage hint or a decline, or the plan. The message is queued in its
//! conversation with a progress channel; a plan ready within `first_reply_wait` (~300 ms: every
//! deterministic specialist) is posted once, with its metadata — one `chat.postMessage`. Only a
//! turn still running then (a slow specialist) posts "Planning…" with what has finished, updates
//! it as specialists finish (throttled), and replaces it with the plan. The slash command's
//! private preview and its "Post to channel" button are turns too.

use chrono::NaiveDate;
use serde_json::{json, Value};
use slack_morphism::prelude::*;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::events::{conversation_id, decline, error_notice};
use super::{content, App, Target};
use crate::coordinator::{CoordError, Event};
use crate::message::{InputError, Message};
use crate::surface::slack::blocks::{self, Actions};

impl App {
    /// Answers one message in its thread: usage hint, decline, or a coordinator turn (the plan
    /// at once, or "Planning…" → progress → plan when it takes a while).
    pub(super) async fn answer(&self, target: Target, text: String, decline_elsewhere: bool) {
        if !self.config.allows(&target.team, &target.channel) {
            if decline_elsewhere {
                self.post(&target, &decline(), None).await;
            }
            return;
        }
        match Message::parse(text) {
            Ok(message) => self.turn(target, message, self.coordinator.today()).await,
            Err(InputError::Empty) => {
                self.post(&target, &blocks::usage(&self.bot_user), None).await;
            }
            Err(e) => {
                self.post(&target, &error_notice(&e.into(), &self.bot_user), None).await;
            }
        }
    }

    /// Runs a turn and replies: one post of the plan when it is ready within
    /// `first_reply_wait`, else a progress reply that the plan replaces.
    async fn turn(&self, target: Target, text: Message, day: NaiveDate) {
        let (tx, mut rx) = mpsc::channel::<Event>(32);
        // A follow-up is queued in its conversation before anything is posted: posting may wait
        // (pacing, 429s), and the next follow-up must not overtake this one.
        let queued = match &target.thread_ts {
            Some(t) => {
                let id = conversation_id(&target.team, &target.channel, t);
                Some(self.coordinator.submit(&id, &text, Some(day), Some(tx.clone())).await)
            }
            None => None,
        };
        // A new thread (a preview posted to the channel) is named by its first post, and its
        // conversation by the thread: that post has to come first, so it is the progress reply.
        let mut first = None;
        let thread_ts = match &target.thread_ts {
            Some(t) => t.clone(),
            None => {
                first = self.post(&target, &blocks::progress(&[]), None).await;
                match &first {
                    Some(ts) => ts.clone(),
                    None => return,
                }
            }
        };
        let id = conversation_id(&target.team, &target.channel, &thread_ts);
        let coordinator = self.coordinator.clone();
        let (msg_id, msg_text) = (id.clone(), text.clone());
        let run = tokio::spawn(async move {
            match queued {
                Some(Ok(reply)) => reply.await.unwrap_or(Err(CoordError::Closed)),
                Some(Err(e)) => Err(e),
                None => coordinator.message(&msg_id, &msg_text, Some(day), Some(tx)).await,
            }
        });
        tokio::pin!(run);
        let placeholder_at = Instant::now() + self.config.first_reply_wait;
        let mut placeholder_due = first.is_none();
        let mut done: Vec<(String, bool)> = Vec::new();
        let mut updates = 0usize;
        let mut last = Instant::now();
        let mut pending = false;
        let mut events_open = true;
        let result = loop {
            let wake = last + self.config.progress_gap;
            tokio::select! {
                biased;
                r = &mut run => break r,
                ev = rx.recv(), if events_open => match ev {
                    Some(Event::Specialist { specialist, .. }) => { done.push((specialist.name().to_string(), true)); pending = true; }
                    Some(Event::Failed { specialist, .. }) => { done.push((specialist.name().to_string(), false)); pending = true; }
                    Some(Event::Plan(_)) => {}
                    None => events_open = false,
                },
                // Still running: show that it is being worked on, and what has finished.
                _ = tokio::time::sleep_until(placeholder_at), if placeholder_due => {
                    placeholder_due = false;
                    first = self.post(&target, &blocks::progress(&done), None).await;
                    last = Instant::now();
                    pending = false;
                }
                _ = tokio::time::sleep_until(wake), if pending && updates < self.config.progress_updates && first.is_some() => {
                    if let Some(ts) = &first {
                        self.update(&target.channel, ts, &blocks::progress(&done), None).await;
                    }
                    updates += 1;
                    last = Instant::now();
                    pending = false;
                }
            }
        };
        let (rendered, metadata) = match result {
            Ok(Ok(turn)) => {
                // The first plan of a thread has nothing to undo and shows the hint.
                let first = self.coordinator.get(&id).await.map_or(true, |v| v.messages.len() <= 1);
                let actions = Actions::Refine { conversation: id.clone(), first };
                let rendered = blocks::plan(&turn.response, &turn.changes, &actions);
                (rendered, self.metadata(&id, &blocks::summary(&turn.response)).await)
            }
            Ok(Err(e)) => {
                tracing::warn!(code = e.code(), "slack: the coordinator could not handle a message");
                (error_notice(&e, &self.bot_user), None)
            }
            Err(e) => {
                tracing::error!(error = %e, "slack: a turn crashed");
                (blocks::notice("Sorry, something went wrong on my side; please try again."), None)
            }
        };
        let in_thread = Target { thread_ts: Some(thread_ts), ..target };
        match &first {
            Some(ts) => {
                if !self.update(&in_thread.channel, ts, &rendered, metadata.clone()).await {
                    // The progress reply could not be replaced: post the plan instead.
                    self.post(&in_thread, &rendered, metadata).await;
                }
            }
            // Ready at once: the plan is the only post.
            None => {
                self.post(&in_thread, &rendered, metadata).await;
            }
        }
    }

    /// `/adsai <brief>`: a one-shot plan sent privately to the `response_url`, with a button
    /// that posts it to the channel.
    pub(super) async fn quick_plan(&self, text: String, response_url: SlackResponseUrl) {
        let day = self.coordinator.today();
        let outcome = match Message::parse(text.as_str()) {
            Ok(message) => self.coordinator.one_shot(message, day, None).await,
            Err(e) => Err(e.into()),
        };
        let rendered = match outcome {
            Ok(turn) => {
                let value = json!({"today": day.to_string(), "text": text}).to_string();
                blocks::plan(&turn.response, &[], &Actions::Preview { value })
            }
            Err(e) => error_notice(&e, &self.bot_user),
        };
        let req = SlackApiPostWebhookMessageRequest::new(content(&rendered));
        if let Err(e) = self.call(None, || self.client.respond_to_event(&response_url, &req)).await {
            tracing::warn!(error = %e, "slack: could not send the quick plan");
        }
    }

    /// "Post to channel" on a preview: a new channel message that becomes a thread of its own.
    pub(super) async fn post_preview(
        &self,
        team: &str,
        channel: &str,
        value: &str,
        response_url: Option<&SlackResponseUrl>,
    ) {
        // The button carries what the preview was planned from; a text that is no message
        // (it was one when the preview was made) is dropped like a malformed value.
        let parsed: Option<(NaiveDate, Message)> = serde_json::from_str::<Value>(value).ok().and_then(|v| {
            let day = v.get("today")?.as_str()?.parse().ok()?;
            Some((day, Message::parse(v.get("text")?.as_str()?).ok()?))
        });
        let Some((day, text)) = parsed else { return };
        let target = Target { team: team.to_string(), channel: channel.to_string(), thread_ts: None };
        self.turn(target, text, day).await;
        if let Some(url) = response_url {
            let req = SlackApiPostWebhookMessageRequest::new(SlackMessageContent::new().with_text("Posted.".into()))
                .with_delete_original(true);
            if let Err(e) = self.call(None, || self.client.respond_to_event(url, &req)).await {
                tracing::debug!(error = %e, "slack: could not remove the preview");
            }
        }
    }
}
