//! The running Slack bot: Socket Mode callbacks, the reply flow, and the Web API calls.
//!
//! Callbacks (plain `fn`s, as slack-morphism requires) find the [`App`] in the listener's user
//! state, drop duplicates, and spawn the work on a `TaskTracker`; they return within
//! microseconds so the ack goes out at once. A reply posts "Planning…" in the thread, feeds the
//! message to the coordinator with a progress channel, updates the reply as specialists finish
//! (throttled), and finally replaces it with the plan, whose metadata (string values only)
//! carries what is needed to rebuild the conversation after a restart that lost the store.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use dashmap::DashMap;
use serde_json::{json, Value};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use tokio::sync::{mpsc, Mutex};
use tokio::time::Instant;
use tokio_util::task::TaskTracker;

use super::blocks::{self, Actions, Rendered};
use super::dedupe::Dedupe;
use super::files;
use super::pacing::Pacer;
use super::{Config, SlackError};
use crate::brain::InputError;
use crate::coordinator::{CoordError, Coordinator, Event};
use crate::export;

/// `event_type` of the metadata on plan messages.
pub const METADATA_EVENT: &str = "adsai_plan";
/// Largest `messages` entry written into metadata, in characters; a longer conversation is
/// not recoverable from metadata (the store still has it).
const METADATA_MESSAGES_MAX: usize = 8_000;

/// The running bot. [`SlackBot::stop`] shuts it down.
pub struct SlackBot {
    listener: SlackClientSocketModeListener<SlackClientHyperHttpsConnector>,
    app: Arc<App>,
}

/// Shared state of the callbacks and the reply tasks.
pub struct App {
    config: Config,
    coordinator: Coordinator,
    client: Arc<SlackHyperClient>,
    bot_token: SlackApiToken,
    bot_user: String,
    bot_id: Option<String>,
    /// `event_id`s already handled.
    events: Dedupe,
    /// `channel:ts` of user posts already handled (the app_mention + message pair).
    posts: Dedupe,
    /// Threads known to hold no conversation of ours (saves a `conversations.replies` per reply).
    foreign: Dedupe,
    /// Per channel and call kind: a token bucket.
    pacer: Pacer,
    /// Per conversation: held while a conversation is being rebuilt from metadata.
    recovering: DashMap<String, Arc<Mutex<()>>>,
    tracker: TaskTracker,
}

/// Holds the [`App`] in the listener's user state.
#[derive(Clone)]
struct AppState(Arc<App>);

/// A Web API call that did not succeed.
#[derive(Debug)]
enum CallError {
    Timeout,
    RateLimited,
    Slack(SlackClientError),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Timeout => write!(f, "timed out"),
            CallError::RateLimited => write!(f, "still rate limited after the retries"),
            CallError::Slack(e) => write!(f, "{e}"),
        }
    }
}

/// Where a reply goes: a channel and, unless it starts a thread, the thread's ts.
#[derive(Debug, Clone)]
struct Target {
    team: String,
    channel: String,
    thread_ts: Option<String>,
}

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

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The message content of a rendered message (blocks parsed into slack-morphism's types).
pub fn content(r: &Rendered) -> SlackMessageContent {
    let blocks: Vec<SlackBlock> = r.blocks.iter().filter_map(|b| serde_json::from_value(b.clone()).ok()).collect();
    SlackMessageContent::new().with_text(r.text.clone()).with_blocks(blocks)
}

/// Builds the slack-morphism client: plain `http://` and HTTP/1.1 allowed (a local stand-in),
/// the rustls `ring` provider installed first, no built-in rate control (ours is per channel).
pub fn client(api_url: &str) -> Result<Arc<SlackHyperClient>, SlackError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let builder = match hyper_rustls::HttpsConnectorBuilder::new().with_native_roots() {
        Ok(b) => b,
        Err(e) if api_url.starts_with("https://") => return Err(SlackError::Tls(format!("no CA certificates: {e}"))),
        Err(_) => hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(
            rustls::ClientConfig::builder()
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth(),
        ),
    };
    let https = builder.https_or_http().enable_http1().enable_http2().build();
    let connector = SlackClientHyperConnector::with_connector(https).with_slack_api_url(api_url);
    Ok(Arc::new(SlackClient::new(connector)))
}

impl SlackBot {
    /// Checks both tokens against Slack (a bad one is a start-up error, not a retry loop),
    /// then opens the Socket Mode connections and starts answering.
    pub async fn start(config: Config, coordinator: Coordinator) -> Result<SlackBot, SlackError> {
        let client = client(&config.api_url)?;
        let bot_token = SlackApiToken::new(config.bot_token.clone().into());
        let app_token = SlackApiToken::new(config.app_token.clone().into());
        let unreachable = |e: String| SlackError::Unreachable { url: config.api_url.clone(), error: e };
        let auth = match tokio::time::timeout(config.call_timeout, client.open_session(&bot_token).auth_test()).await {
            Err(_) => return Err(unreachable("auth.test timed out".into())),
            Ok(Err(SlackClientError::ApiError(e))) => {
                return Err(SlackError::Auth { token: "bot token", error: e.code })
            }
            Ok(Err(e)) => return Err(unreachable(e.to_string())),
            Ok(Ok(a)) => a,
        };
        // Slack's socket loop retries a refused app token for ever; find out now instead.
        let open = client.open_session(&app_token);
        match tokio::time::timeout(
            config.call_timeout,
            open.apps_connections_open(&SlackApiAppsConnectionOpenRequest::new()),
        )
        .await
        {
            Err(_) => return Err(unreachable("apps.connections.open timed out".into())),
            Ok(Err(SlackClientError::ApiError(e))) => {
                return Err(SlackError::Auth { token: "app-level token", error: e.code })
            }
            Ok(Err(e)) => return Err(unreachable(e.to_string())),
            Ok(Ok(_)) => {}
        }
        let bot_user = auth.user_id.to_string();
        let bot_id = auth.bot_id.as_ref().map(|b| b.to_string());
        tracing::info!(team = %auth.team_id, bot_user = %bot_user, "slack: authenticated");
        let app = Arc::new(App {
            events: Dedupe::new(config.dedupe_ttl, config.dedupe_capacity),
            posts: Dedupe::new(config.dedupe_ttl, config.dedupe_capacity),
            foreign: Dedupe::new(config.dedupe_ttl, config.dedupe_capacity),
            config: config.clone(),
            coordinator,
            client: client.clone(),
            bot_token,
            bot_user,
            bot_id,
            pacer: Pacer::default(),
            recovering: DashMap::new(),
            tracker: TaskTracker::new(),
        });
        let env = Arc::new(
            SlackClientEventsListenerEnvironment::new(client)
                .with_error_handler(on_error)
                .with_user_state(AppState(app.clone())),
        );
        let callbacks = SlackSocketModeListenerCallbacks::new()
            .with_hello_events(|ev, _client, _state| async move {
                tracing::info!(connections = ev.num_connections, "slack: socket connected");
            })
            .with_push_events(on_push)
            .with_command_events(on_command)
            .with_interaction_events(on_interaction);
        let s = &config.socket;
        let socket_config = SlackClientSocketModeConfig::new()
            .with_max_connections_count(s.connections)
            .with_initial_backoff_in_seconds(s.initial_backoff_secs)
            .with_reconnect_timeout_in_seconds(s.reconnect_timeout_secs)
            .with_ping_interval_in_seconds(s.ping_interval_secs)
            .with_ping_failure_threshold_times(s.ping_failure_threshold);
        let listener = SlackClientSocketModeListener::new(&socket_config, env, callbacks);
        listener.listen_for(&app_token).await.map_err(|e| unreachable(e.to_string()))?;
        listener.start().await;
        Ok(SlackBot { listener, app })
    }

    /// The bot's user id (from `auth.test`).
    pub fn bot_user(&self) -> &str {
        &self.app.bot_user
    }

    /// Closes the sockets, then waits (at most `drain_timeout`) for replies in progress.
    pub async fn stop(self) {
        self.listener.shutdown().await;
        self.app.tracker.close();
        if tokio::time::timeout(self.app.config.drain_timeout, self.app.tracker.wait()).await.is_err() {
            tracing::warn!(left = self.app.tracker.len(), "slack: replies still running at shutdown");
        }
    }
}

async fn app_of(state: &SlackClientEventsUserState) -> Option<Arc<App>> {
    state.read().await.get_user_state::<AppState>().map(|s| s.0.clone())
}

fn on_error(
    err: Box<dyn std::error::Error + Send + Sync>,
    _client: Arc<SlackHyperClient>,
    _state: SlackClientEventsUserState,
) -> HttpStatusCode {
    // The error may quote the frame (message text): details at debug level only.
    tracing::error!("slack: a Socket Mode frame could not be handled (acked; details at debug level)");
    tracing::debug!(error = %err, "slack: listener error");
    HttpStatusCode::OK
}

async fn on_push(
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

async fn on_command(
    ev: SlackCommandEvent,
    _client: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    let reply = |r: Rendered| {
        Ok(SlackCommandEventResponse::new(content(&r)).with_response_type(SlackMessageResponseType::Ephemeral))
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

async fn on_interaction(
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

fn decline() -> Rendered {
    blocks::notice("Sorry, I'm not enabled here. Ask your Slack admin which channels I plan campaigns in.")
}

fn error_notice(e: &CoordError, bot_user: &str) -> Rendered {
    match e {
        CoordError::Input(InputError::Empty) => blocks::usage(bot_user),
        CoordError::Input(e) => blocks::notice(&blocks::esc(&e.to_string())),
        CoordError::Closed => blocks::notice("I'm restarting; please send that again in a minute."),
        CoordError::NotFound(_) | CoordError::Store(_) | CoordError::Internal => {
            blocks::notice("Sorry, something went wrong on my side; please try again.")
        }
    }
}

/// What looking a thread up found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Recovery {
    /// The conversation exists now (it was known, or rebuilt from the thread).
    Rebuilt,
    /// The thread was read and holds no plan of ours.
    NotOurs,
    /// The thread could not be read or replayed; try again later.
    Failed,
}

impl App {
    // ---- events ---------------------------------------------------------------------------

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

    /// Whether the thread has a conversation: in the coordinator (memory or store), or rebuilt
    /// now from the metadata of our plan message in the thread.
    async fn ensure(&self, id: &str, channel: &str, thread_ts: &str) -> bool {
        if self.coordinator.exists(id).await {
            // It may exist because a replay is under way (the replay registers before its first
            // message): wait for the replay, so this message comes after every replayed one.
            self.replay_done(id).await;
            return true;
        }
        if self.foreign.contains(id) {
            return false;
        }
        let lock = self.recovering.entry(id.to_string()).or_insert_with(|| Arc::new(Mutex::new(()))).clone();
        let _held = lock.lock().await;
        let found = if self.coordinator.exists(id).await {
            Recovery::Rebuilt
        } else if self.foreign.contains(id) {
            // Another reply in the same thread looked it up while we waited.
            Recovery::NotOurs
        } else {
            self.recover(id, channel, thread_ts).await
        };
        drop(_held);
        self.recovering.remove_if(id, |_, l| Arc::strong_count(l) <= 2);
        // Only a thread that was read and holds no plan of ours is remembered as not ours; a
        // failed lookup (429, time-out) is tried again on the next reply.
        if found == Recovery::NotOurs {
            self.foreign.claim(id);
        }
        found == Recovery::Rebuilt
    }

    /// Waits for a replay of this conversation in progress, if any.
    async fn replay_done(&self, id: &str) {
        let replay = self.recovering.get(id).map(|l| l.value().clone());
        if let Some(lock) = replay {
            drop(lock.lock().await);
        }
    }

    /// Rebuilds a conversation from the newest plan message of ours in the thread: its
    /// metadata holds the conversation's messages and reference date, replayed through the
    /// coordinator (understanding is deterministic, so the brief comes out the same).
    async fn recover(&self, id: &str, channel: &str, thread_ts: &str) -> Recovery {
        let session = self.client.open_session(&self.bot_token);
        let params = vec![
            ("channel", Some(channel.to_string())),
            ("ts", Some(thread_ts.to_string())),
            ("include_all_metadata", Some("true".to_string())),
            ("limit", Some("200".to_string())),
        ];
        let thread: Value = match self
            .call(None, || {
                session.http_session_api.http_get::<Value, _, String>("conversations.replies", &params, None)
            })
            .await
        {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(%channel, error = %e, "slack: conversations.replies failed; thread not recovered");
                return Recovery::Failed;
            }
        };
        let Some((today, messages)) = find_state(&thread, id, self.bot_id.as_deref()) else { return Recovery::NotOurs };
        tracing::info!(%channel, thread = %thread_ts, messages = messages.len(), "slack: conversation rebuilt from metadata");
        let mut ok = false;
        for m in &messages {
            match self.coordinator.message(id, m, Some(today), None).await {
                Ok(_) => ok = true,
                Err(e) => tracing::warn!(error = %e, "slack: replaying a recovered message failed"),
            }
        }
        if ok {
            Recovery::Rebuilt
        } else {
            Recovery::Failed
        }
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

    // ---- replies --------------------------------------------------------------------------

    /// Answers one message in its thread: usage hint, decline, or a coordinator turn shown as
    /// "Planning…" → progress → plan.
    async fn answer(&self, target: Target, text: String, decline_elsewhere: bool) {
        if !self.config.allows(&target.team, &target.channel) {
            if decline_elsewhere {
                self.post(&target, &decline(), None).await;
            }
            return;
        }
        if text.is_empty() {
            self.post(&target, &blocks::usage(&self.bot_user), None).await;
            return;
        }
        self.turn(target, text, today()).await;
    }

    /// Posts the first reply, runs the turn with progress, and replaces the reply with the plan.
    async fn turn(&self, target: Target, text: String, day: NaiveDate) {
        let (tx, mut rx) = mpsc::channel::<Event>(32);
        // A follow-up is queued in its conversation before the first reply is posted: posting
        // may wait (pacing, 429s), and the next follow-up must not overtake this one.
        let queued = match &target.thread_ts {
            Some(t) => {
                let id = conversation_id(&target.team, &target.channel, t);
                Some(self.coordinator.submit(&id, &text, Some(day), Some(tx.clone())).await)
            }
            None => None,
        };
        let first = self.post(&target, &blocks::progress(&[]), None).await;
        let thread_ts = match (&target.thread_ts, &first) {
            (Some(t), _) => t.clone(),
            (None, Some(ts)) => ts.clone(),
            (None, None) => return,
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
        let mut done: Vec<(String, bool)> = Vec::new();
        let mut updates = 0usize;
        let mut last = Instant::now();
        let mut pending = false;
        let mut events_open = true;
        let result = loop {
            let wake = last + self.config.progress_gap;
            tokio::select! {
                r = &mut run => break r,
                ev = rx.recv(), if events_open => match ev {
                    Some(Event::Specialist { specialist, .. }) => { done.push((specialist.name().to_string(), true)); pending = true; }
                    Some(Event::Failed { specialist, .. }) => { done.push((specialist.name().to_string(), false)); pending = true; }
                    Some(Event::Plan(_)) => {}
                    None => events_open = false,
                },
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
        match &first {
            Some(ts) => {
                if !self.update(&target.channel, ts, &rendered, metadata.clone()).await {
                    // The placeholder could not be replaced: post the plan instead.
                    let t = Target { thread_ts: Some(thread_ts.clone()), ..target.clone() };
                    self.post(&t, &rendered, metadata).await;
                }
            }
            None => {
                self.post(&target, &rendered, metadata).await;
            }
        }
    }

    /// The plan message's metadata: the conversation key, a brief summary, the reference date
    /// and the conversation's messages (JSON, as a string: every value is a string).
    async fn metadata(&self, id: &str, summary: &str) -> Option<SlackMessageMetadata> {
        let view = self.coordinator.get(id).await.ok()?;
        let texts: Vec<&str> = view.messages.iter().map(|m| m.text.as_str()).collect();
        let messages = serde_json::to_string(&texts).unwrap_or_default();
        let mut payload = HashMap::from([
            ("conversation".to_string(), id.to_string()),
            ("summary".to_string(), summary.to_string()),
            ("today".to_string(), view.today.to_string()),
            ("version".to_string(), "1".to_string()),
        ]);
        if messages.chars().count() <= METADATA_MESSAGES_MAX {
            payload.insert("messages".to_string(), messages);
        }
        Some(SlackMessageMetadata::new(METADATA_EVENT.to_string()).with_event_payload(payload))
    }

    /// `/adsai <brief>`: a one-shot plan sent privately to the `response_url`, with a button
    /// that posts it to the channel.
    async fn quick_plan(&self, text: String, response_url: SlackResponseUrl) {
        let day = today();
        let rendered = match self.coordinator.one_shot(&text, day, None).await {
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
    async fn post_preview(&self, team: &str, channel: &str, value: &str, response_url: Option<&SlackResponseUrl>) {
        let parsed: Option<(NaiveDate, String)> = serde_json::from_str::<Value>(value).ok().and_then(|v| {
            let day = v.get("today")?.as_str()?.parse().ok()?;
            Some((day, v.get("text")?.as_str()?.to_string()))
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

    // ---- Web API --------------------------------------------------------------------------

    /// Posts a message (in the thread when the target has one); its ts, or `None` (logged).
    async fn post(&self, target: &Target, r: &Rendered, metadata: Option<SlackMessageMetadata>) -> Option<String> {
        let mut c = content(r);
        if let Some(m) = metadata {
            c = c.with_metadata(m);
        }
        let mut req = SlackApiChatPostMessageRequest::new(target.channel.clone().into(), c);
        if let Some(t) = &target.thread_ts {
            req = req.with_thread_ts(t.clone().into());
        }
        let session = self.client.open_session(&self.bot_token);
        let key = format!("post:{}", target.channel);
        let since = unix_secs();
        match self.call(Some((&key, self.config.post_interval)), || session.chat_post_message(&req)).await {
            Ok(resp) => Some(resp.ts.to_string()),
            Err(CallError::Timeout) => {
                // The post may have gone through all the same: look for it before anything is
                // posted again (a placeholder found is updated instead of a second reply).
                let thread = target.thread_ts.as_deref()?;
                let text = req.content.text.clone().unwrap_or_default();
                let found = self.find_own_post(&target.channel, thread, &text, since).await;
                match &found {
                    Some(ts) => {
                        tracing::info!(channel = %target.channel, %ts, "slack: a timed-out post had gone through")
                    }
                    None => tracing::warn!(channel = %target.channel, "slack: chat.postMessage timed out"),
                }
                found
            }
            Err(e) => {
                tracing::warn!(channel = %target.channel, error = %e, "slack: chat.postMessage failed");
                None
            }
        }
    }

    /// Our newest message in a thread with this text, posted at or after `since` (unix seconds).
    async fn find_own_post(&self, channel: &str, thread_ts: &str, text: &str, since: f64) -> Option<String> {
        let session = self.client.open_session(&self.bot_token);
        let params = vec![
            ("channel", Some(channel.to_string())),
            ("ts", Some(thread_ts.to_string())),
            ("oldest", Some(format!("{:.6}", since - 1.0))),
            ("limit", Some("200".to_string())),
        ];
        let thread: Value = self
            .call(None, || {
                session.http_session_api.http_get::<Value, _, String>("conversations.replies", &params, None)
            })
            .await
            .ok()?;
        own_post(&thread, self.bot_id.as_deref(), &self.bot_user, text, since)
    }

    /// Replaces a message of ours; whether it worked (logged when not).
    async fn update(&self, channel: &str, ts: &str, r: &Rendered, metadata: Option<SlackMessageMetadata>) -> bool {
        let mut c = content(r);
        if let Some(m) = metadata {
            c = c.with_metadata(m);
        }
        let req = SlackApiChatUpdateRequest::new(channel.to_string().into(), c, ts.to_string().into());
        let session = self.client.open_session(&self.bot_token);
        let key = format!("update:{channel}");
        match self.call(Some((&key, self.config.update_interval)), || session.chat_update(&req)).await {
            Ok(_) => true,
            Err(e) => {
                tracing::warn!(%channel, error = %e, "slack: chat.update failed");
                false
            }
        }
    }

    /// Runs one Web API call: paced per channel (`pace`: key and interval), with a time limit,
    /// retried after `Retry-After` when Slack answers 429.
    async fn call<T, F, Fut>(&self, pace: Option<(&str, Duration)>, f: F) -> Result<T, CallError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, SlackClientError>>,
    {
        if let Some((key, interval)) = pace {
            self.pace(key, interval).await;
        }
        let mut attempt = 0;
        loop {
            match tokio::time::timeout(self.config.call_timeout, f()).await {
                Err(_) => return Err(CallError::Timeout),
                Ok(Ok(v)) => return Ok(v),
                Ok(Err(SlackClientError::RateLimitError(e))) => {
                    let wait = e.retry_after.unwrap_or(Duration::from_secs(1));
                    if attempt >= self.config.max_retries || wait > self.config.max_retry_wait {
                        return Err(CallError::RateLimited);
                    }
                    attempt += 1;
                    tracing::info!(
                        wait_ms = wait.as_millis() as u64,
                        attempt,
                        "slack: rate limited; retrying after Retry-After"
                    );
                    tokio::time::sleep(wait).await;
                }
                Ok(Err(e)) => return Err(CallError::Slack(e)),
            }
        }
    }

    /// Waits for the key's token bucket (a burst, then one call per `interval`, in order).
    async fn pace(&self, key: &str, interval: Duration) {
        self.pacer.acquire(key, self.config.post_burst, interval).await;
    }
}

/// Unix seconds now, as Slack's `ts` counts them.
fn unix_secs() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// In a `conversations.replies` answer: the ts of our newest message with this text, posted at
/// or after `since` (a second of clock skew allowed).
pub fn own_post(thread: &Value, bot_id: Option<&str>, bot_user: &str, text: &str, since: f64) -> Option<String> {
    let messages = thread.get("messages")?.as_array()?;
    messages
        .iter()
        .filter(|m| {
            let ours = match bot_id {
                Some(b) => m.get("bot_id").and_then(Value::as_str) == Some(b),
                None => m.get("user").and_then(Value::as_str) == Some(bot_user),
            };
            let ts = m.get("ts").and_then(Value::as_str).and_then(|t| t.parse::<f64>().ok()).unwrap_or(0.0);
            ours && ts >= since - 1.0 && m.get("text").and_then(Value::as_str) == Some(text)
        })
        .filter_map(|m| m.get("ts").and_then(Value::as_str).map(String::from))
        .next_back()
}

/// Finds our newest plan message of conversation `id` in a `conversations.replies` answer and
/// reads (reference date, messages) from its metadata.
pub fn find_state(thread: &Value, id: &str, bot_id: Option<&str>) -> Option<(NaiveDate, Vec<String>)> {
    if thread.get("ok").and_then(Value::as_bool) != Some(true) {
        return None;
    }
    let messages = thread.get("messages")?.as_array()?;
    messages.iter().rev().find_map(|m| {
        if let Some(b) = bot_id {
            if m.get("bot_id").and_then(Value::as_str) != Some(b) {
                return None;
            }
        }
        let md = m.get("metadata")?;
        if md.get("event_type").and_then(Value::as_str) != Some(METADATA_EVENT) {
            return None;
        }
        let p = md.get("event_payload")?;
        if p.get("conversation").and_then(Value::as_str) != Some(id) {
            return None;
        }
        let today: NaiveDate = p.get("today")?.as_str()?.parse().ok()?;
        let texts: Vec<String> = serde_json::from_str(p.get("messages")?.as_str()?).ok()?;
        (!texts.is_empty()).then_some((today, texts))
    })
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

    #[test]
    fn state_is_found_in_our_newest_plan_message() {
        let md = |conv: &str, msgs: &str| json!({"event_type": METADATA_EVENT, "event_payload": {"conversation": conv, "today": "2026-11-23", "messages": msgs}});
        let thread = json!({"ok": true, "messages": [
            {"ts": "1", "user": "U1", "text": "brief"},
            {"ts": "2", "bot_id": "B1", "metadata": md("slack:T:C:1", "[\"a\"]")},
            {"ts": "3", "bot_id": "B1", "metadata": md("slack:T:C:1", "[\"a\",\"b\"]")},
            {"ts": "4", "bot_id": "B2", "metadata": md("slack:T:C:1", "[\"x\"]")},
        ]});
        let (day, msgs) = find_state(&thread, "slack:T:C:1", Some("B1")).unwrap();
        assert_eq!(day.to_string(), "2026-11-23");
        assert_eq!(msgs, vec!["a", "b"]);
        assert!(find_state(&thread, "slack:T:C:9", Some("B1")).is_none());
        assert!(find_state(&json!({"ok": false}), "slack:T:C:1", None).is_none());
    }

    #[test]
    fn a_timed_out_post_is_found_in_its_thread() {
        let thread = json!({"ok": true, "messages": [
            {"ts": "1700000000.000100", "user": "U1", "text": "Planning…"},
            {"ts": "1700000005.000200", "bot_id": "B1", "text": "Planning…"},
            {"ts": "1700000009.000300", "bot_id": "B1", "text": "Planning…"},
            {"ts": "1700000010.000400", "bot_id": "B2", "text": "Planning…"},
        ]});
        let found = own_post(&thread, Some("B1"), "U0BOT", "Planning…", 1_700_000_008.5);
        assert_eq!(found.as_deref(), Some("1700000009.000300"), "ours, that text, after the attempt");
        assert_eq!(own_post(&thread, Some("B1"), "U0BOT", "Planning…", 1_700_000_020.0), None, "older ones are not it");
        assert_eq!(own_post(&thread, Some("B1"), "U0BOT", "Other text", 1_700_000_000.0), None);
        assert_eq!(own_post(&thread, Some("B9"), "U0BOT", "Planning…", 1_700_000_000.0), None, "another bot's");
        assert_eq!(own_post(&json!({"ok": false}), Some("B1"), "U0BOT", "x", 0.0), None);
    }
}
