//! The running Slack bot: [`SlackBot`] starts and stops it; [`App`] is the state that the
//! Socket Mode callbacks and the reply tasks share. Each concern has its own file:
//!
//! - [`events`]: intake — the callbacks (plain `fn`s, as slack-morphism requires) find the
//!   [`App`] in the listener's user state, drop duplicates, and spawn the work on a
//!   `TaskTracker`; they return within microseconds so the ack goes out at once. Mentions,
//!   messages, button clicks and file requests are sorted out there.
//! - [`reply`]: a turn and its progress — "Planning…" is posted in the thread, the message goes
//!   to the coordinator with a progress channel, the reply is updated as specialists finish
//!   (throttled), and finally replaced with the plan.
//! - [`recovery`]: the plan message's metadata (string values only) and the rebuilding of a
//!   thread's conversation from it after a restart that lost the store.
//! - [`api`]: Web API calls — paced per channel, time-limited, retried after `Retry-After`; a
//!   post that timed out is looked for before anything is posted again.

mod api;
mod events;
mod recovery;
mod reply;

use std::sync::Arc;

use dashmap::DashMap;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use tokio::sync::Mutex;
use tokio_util::task::TaskTracker;

use super::dedupe::Dedupe;
use super::pacing::Pacer;
use super::{Config, SlackError};
use crate::coordinator::Coordinator;

pub use api::{client, content, own_post};
pub use events::{clean_text, conversation_id, parse_conversation_id};
pub use recovery::{find_state, METADATA_EVENT};

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

/// Where a reply goes: a channel and, unless it starts a thread, the thread's ts.
#[derive(Debug, Clone)]
struct Target {
    team: String,
    channel: String,
    thread_ts: Option<String>,
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
                .with_error_handler(events::on_error)
                .with_user_state(AppState(app.clone())),
        );
        let callbacks = SlackSocketModeListenerCallbacks::new()
            .with_hello_events(|ev, _client, _state| async move {
                tracing::info!(connections = ev.num_connections, "slack: socket connected");
            })
            .with_push_events(events::on_push)
            .with_command_events(events::on_command)
            .with_interaction_events(events::on_interaction);
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
