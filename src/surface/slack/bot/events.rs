//! Intake: the Socket Mode callbacks (ack at once, dedupe, spawn), and what a mention, a
//! message, a slash command or a button click asks of the bot. Conversation ids for threads and
//! the cleaning of message text live here too.

use std::sync::Arc;

use slack_morphism::prelude::*;

use super::{App, AppState, Target};
use crate::brain::InputError;
use crate::coordinator::CoordError;
use crate::export;
use crate::surface::slack::blocks::{self, Rendered};
use crate::surface::slack::files;

/// A conversation id for a Slack thread.
pub fn conversation_id(team: &str, channel: &str, thread_ts: &str) -> String {
    format!("slack:{team}:{channel}:{thread_ts}")
}

/// Splits a conversation id back into (team, channel, thread ts).
pub fn parse_conversation_id(id: &str) -> Option<(&str, &str, &str)> {
    let mut parts = id.splitn(4, ':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("slack"), Some(t), Some(c), Some(ts)) if !t.is_empty() && !c.is_empty() && !ts.is_empty() => {
            Some((t, c, ts))
        }
        _ => None,
    }
}

/// The message text without mentions of the bot, with Slack's escapes undone.
pub fn clean_text(text: &str, bot_user: &str) -> String {
    let tag = format!("<@{bot_user}>");
    let mut t = text.replace(&tag, " ");
    // "<@U123|name>" form.
    let tag_named = format!("<@{bot_user}|");
    while let Some(i) = t.find(&tag_named) {
        match t[i..].find('>') {
            Some(j) => t.replace_range(i..i + j + 1, " "),
            None => break,
        }
    }
    let t = t.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn app_of(state: &SlackClientEventsUserState) -> Option<Arc<App>> {
    state.read().await.get_user_state::<AppState>().map(|s| s.0.clone())
}

pub(super) fn on_error(
    err: Box<dyn std::error::Error + Send + Sync>,
    _client: Arc<SlackHyperClient>,
    _state: SlackClientEventsUserState,
) -> HttpStatusCode {
    // The error may quote the frame (message text): details at debug level only.
    tracing::error!("slack: a Socket Mode frame could not be handled (acked; details at debug level)");
    tracing::debug!(error = %err, "slack: listener error");
    HttpStatusCode::OK
}

pub(super) async fn on_push(
    ev: SlackPushEventCallback,
    _client: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let Some(app) = app_of(&state).await else { return Ok(()) };
    if !app.events.claim(ev.event_id.as_ref()) {
        tracing::debug!(event_id = %ev.event_id, "slack: duplicate delivery dropped");
        return Ok(());
    }
    let team = ev.team_id.to_string();
    match ev.event {
        SlackEventCallbackBody::AppMention(m) => {
            let a = app.clone();
            app.tracker.spawn(async move { a.on_mention(team, m).await });
        }
        SlackEventCallbackBody::Message(m) => {
            let a = app.clone();
            app.tracker.spawn(async move { a.on_message(team, m).await });
        }
        _ => {}
    }
    Ok(())
}

pub(super) async fn on_command(
    ev: SlackCommandEvent,
    _client: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    let reply = |r: Rendered| {
        Ok(SlackCommandEventResponse::new(super::content(&r)).with_response_type(SlackMessageResponseType::Ephemeral))
    };
    let Some(app) = app_of(&state).await else { return reply(blocks::notice("I'm not ready yet, try again shortly.")) };
    tracing::info!(channel = %ev.channel_id, "slack: slash command");
    if !app.config.allows(ev.team_id.as_ref(), ev.channel_id.as_ref()) {
        return reply(decline());
    }
    let text = clean_text(ev.text.as_deref().unwrap_or_default(), &app.bot_user);
    if text.is_empty() {
        return reply(blocks::usage(&app.bot_user));
    }
    let a = app.clone();
    let url = ev.response_url.clone();
    app.tracker.spawn(async move { a.quick_plan(text, url).await });
    reply(blocks::notice("Planning a quick preview…"))
}

pub(super) async fn on_interaction(
    ev: SlackInteractionEvent,
    _client: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let Some(app) = app_of(&state).await else { return Ok(()) };
    if let SlackInteractionEvent::BlockActions(b) = ev {
        let a = app.clone();
        app.tracker.spawn(async move { a.on_click(b).await });
    }
    Ok(())
}

pub(super) fn decline() -> Rendered {
    blocks::notice("Sorry, I'm not enabled here. Ask your Slack admin which channels I plan campaigns in.")
}

pub(super) fn error_notice(e: &CoordError, bot_user: &str) -> Rendered {
    match e {
        CoordError::Input(InputError::Empty) => blocks::usage(bot_user),
        CoordError::Input(e) => blocks::notice(&blocks::esc(&e.to_string())),
        CoordError::Closed => blocks::notice("I'm restarting; please send that again in a minute."),
        CoordError::NotFound(_) | CoordError::Store(_) | CoordError::Internal => {
            blocks::notice("Sorry, something went wrong on my side; please try again.")
        }
    }
}

impl App {
    async fn on_mention(self: Arc<Self>, team: String, m: SlackAppMentionEvent) {
        let channel = m.channel.to_string();
        let ts = m.origin.ts.to_string();
        if m.user.to_string() == self.bot_user || (m.content.text.is_none() && m.content.blocks.is_none()) {
            return;
        }
        if !self.claim_post(&channel, &ts).await {
            return;
        }
        tracing::info!(%channel, %ts, "slack: mention");
        let thread_ts = m.origin.thread_ts.as_ref().map(|t| t.to_string()).unwrap_or_else(|| ts.clone());
        let text = clean_text(m.content.text.as_deref().unwrap_or_default(), &self.bot_user);
        if thread_ts != ts {
            // A mention inside an existing thread: bring its conversation back first if the
            // store lost it, so the mention continues it instead of starting over.
            let id = conversation_id(&team, &channel, &thread_ts);
            self.ensure(&id, &channel, &thread_ts).await;
        }
        let target = Target { team, channel, thread_ts: Some(thread_ts) };
        self.answer(target, text, true).await;
    }

    async fn on_message(self: Arc<Self>, team: String, m: SlackMessageEvent) {
        // Bots (ours included), edits, deletions, joins: never answered.
        let other_subtype = m.subtype.as_ref().is_some_and(|s| *s != SlackMessageEventType::ThreadBroadcast);
        if m.sender.bot_id.is_some() || other_subtype {
            return;
        }
        let Some(user) = m.sender.user.as_ref().map(|u| u.to_string()) else { return };
        if user == self.bot_user {
            return;
        }
        let Some(channel) = m.origin.channel.as_ref().map(|c| c.to_string()) else { return };
        let Some(text) = m.content.as_ref().and_then(|c| c.text.clone()) else {
            // Possibly content lost to another app's non-string metadata (SLACK-NOTES 3.2).
            tracing::debug!(%channel, "slack: message without readable content ignored");
            return;
        };
        let ts = m.origin.ts.to_string();
        let dm = m.origin.channel_type.as_ref().is_some_and(|t| t.to_string() == "im") || channel.starts_with('D');
        let thread_ts = m.origin.thread_ts.as_ref().map(|t| t.to_string());
        let target = match (&thread_ts, dm) {
            // A top-level channel post: only its app_mention twin concerns us.
            (None, false) => return,
            // A direct message works like a mention and starts a thread.
            (None, true) => Target { team, channel, thread_ts: Some(ts.clone()) },
            (Some(t), _) => Target { team, channel, thread_ts: Some(t.clone()) },
        };
        let thread = target.thread_ts.clone().unwrap_or_default();
        let id = conversation_id(&target.team, &target.channel, &thread);
        let ours = thread_ts.is_none() || self.ensure(&id, &target.channel, &thread).await;
        if !ours && !dm {
            return;
        }
        if !self.claim_post(&target.channel, &ts).await {
            return;
        }
        tracing::info!(channel = %target.channel, %ts, follow_up = ours && thread_ts.is_some(), "slack: message");
        self.answer(target, clean_text(&text, &self.bot_user), true).await;
    }

    /// Claims a user's post once: in this process, then across replicas sharing the store.
    async fn claim_post(&self, channel: &str, ts: &str) -> bool {
        let key = format!("{channel}:{ts}");
        self.posts.claim(&key) && self.coordinator.claim(&format!("slack-post:{key}"), self.config.dedupe_ttl).await
    }

    async fn on_click(self: Arc<Self>, b: SlackInteractionBlockActionsEvent) {
        let team = b.team.id.to_string();
        let (channel, message_ts) = match &b.container {
            SlackInteractionActionContainer::Message(c) => {
                (c.channel_id.as_ref().map(|c| c.to_string()), c.message_ts.to_string())
            }
            _ => (None, String::new()),
        };
        let Some(channel) = channel.or_else(|| b.channel.as_ref().map(|c| c.id.to_string())) else { return };
        if !self.config.allows(&team, &channel) {
            return;
        }
        for action in b.actions.iter().flatten() {
            let action_id = action.action_id.to_string();
            // A button carries `value`; an overflow menu the chosen option's.
            let value = action
                .value
                .clone()
                .or_else(|| action.selected_option.as_ref().map(|o| o.value.clone()))
                .unwrap_or_default();
            if !self.posts.claim(&format!(
                "click:{channel}:{message_ts}:{action_id}:{}",
                action.action_ts.as_ref().map(|t| t.to_string()).unwrap_or_default()
            )) {
                continue;
            }
            tracing::info!(%channel, action = %action_id, "slack: button");
            if action_id == blocks::POST_ACTION {
                self.post_preview(&team, &channel, &value, b.response_url.as_ref()).await;
            } else {
                // Every other action is a follow-up of, or a look at, the thread's conversation.
                let (conversation, follow_up) = if let Some(r) = blocks::refinement(&action_id) {
                    (value.clone(), Some(r.message.to_string()))
                } else if action_id.starts_with(blocks::FIX_PREFIX) {
                    let Some((c, m)) = blocks::parse_fix_value(&value) else { continue };
                    (c, Some(m))
                } else if action_id == blocks::DETAILS_ACTION {
                    (value.clone(), None)
                } else if action_id == blocks::MORE_ACTION {
                    let Some((what, c)) = blocks::parse_more_value(&value) else { continue };
                    match blocks::refinement_by_id(what) {
                        Some(r) => (c.to_string(), Some(r.message.to_string())),
                        None if what == "details" => (c.to_string(), None),
                        None if what == blocks::CURVE_OPTION || what == blocks::EXPORT_OPTION => {
                            self.share_file(&team, &channel, c, what).await;
                            continue;
                        }
                        None => continue,
                    }
                } else {
                    continue;
                };
                let Some((t, c, thread)) = parse_conversation_id(&conversation) else { continue };
                if t != team || c != channel {
                    continue;
                }
                let target =
                    Target { team: team.clone(), channel: channel.clone(), thread_ts: Some(thread.to_string()) };
                if !self.ensure(&conversation, &channel, thread).await {
                    continue;
                }
                match follow_up {
                    Some(text) => self.answer(target, text, false).await,
                    None => self.post_details(&target, &conversation).await,
                }
            }
        }
    }

    /// Uploads the thread's current plan as a chart (`curve`) or an xlsx (`export`) into the
    /// thread; a short notice when it cannot.
    async fn share_file(&self, team: &str, channel: &str, conversation: &str, what: &str) {
        let Some((t, c, thread)) = parse_conversation_id(conversation) else { return };
        if t != team || c != channel || !self.ensure(conversation, channel, thread).await {
            return;
        }
        let target =
            Target { team: team.to_string(), channel: channel.to_string(), thread_ts: Some(thread.to_string()) };
        let view = match self.coordinator.get(conversation).await {
            Ok(v) => v,
            Err(e) => {
                self.post(&target, &error_notice(&e, &self.bot_user), None).await;
                return;
            }
        };
        let file = match what {
            blocks::CURVE_OPTION => export::chart::png(&view.response).map(|bytes| files::Upload {
                filename: "adsai-curve.png".into(),
                title: "Reach by budget".into(),
                content_type: "image/png",
                bytes,
            }),
            _ => export::render(export::ExportFormat::Xlsx, &view.response).map(|bytes| files::Upload {
                filename: "adsai-plan.xlsx".into(),
                title: "Media plan".into(),
                content_type: export::ExportFormat::Xlsx.content_type(),
                bytes,
            }),
        };
        let session = self.client.open_session(&self.bot_token);
        let result = match file {
            Ok(f) => files::upload(&session, channel, Some(thread), f, self.config.call_timeout)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = result {
            tracing::warn!(%channel, error = %e, what, "slack: file upload failed");
            self.post(&target, &blocks::notice(&format!("Sorry, I could not attach the {what}: {e}")), None).await;
        }
    }

    /// Details of the thread's current plan, posted in the thread.
    async fn post_details(&self, target: &Target, conversation: &str) {
        let rendered = match self.coordinator.get(conversation).await {
            Ok(view) => blocks::details(&view.response),
            Err(e) => error_notice(&e, &self.bot_user),
        };
        self.post(target, &rendered, None).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversation_ids_round_trip() {
        let id = conversation_id("T1", "C1", "1700000000.000100");
        assert_eq!(parse_conversation_id(&id), Some(("T1", "C1", "1700000000.000100")));
        assert_eq!(parse_conversation_id("c_123"), None);
        assert_eq!(parse_conversation_id("slack:T1::1.2"), None);
    }

    #[test]
    fn mentions_and_escapes_are_removed() {
        assert_eq!(clean_text("<@U0BOT> awareness in DE, &lt;5k &amp; more", "U0BOT"), "awareness in DE, <5k & more");
        assert_eq!(clean_text("  <@U0BOT|adsai>  ", "U0BOT"), "");
        assert_eq!(clean_text("hi <@U0OTHER>", "U0BOT"), "hi <@U0OTHER>");
    }
}
