//! The Slack bot end to end: the real bot (`adsai::surface::slack`) with a real coordinator,
//! driven through the local Slack stand-in (`slack_standin`) on 127.0.0.1 — Socket Mode over
//! ws://, the Web API over http://. The renderer's snapshots and limits are in `slack_blocks`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use adsai::brain::Brain;
use adsai::coordinator::{self, Coordinator, Fault, FaultHook};
use adsai::store::{ConversationStore, MemoryStore, RedbStore};
use adsai::surface::slack::blocks;
use adsai::surface::slack::bot::conversation_id;
use adsai::surface::slack::{Config, SlackBot, SocketSettings};
use adsai::telemetry::Metrics;
use adsai::understand::Specialist;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::slack_standin::{Message, SlackStandIn, StandInConfig, StandInState};

/// Upper bound of every wait.
const WAIT: Duration = Duration::from_secs(10);
const TEAM: &str = "T0STANDIN";
const CHANNEL: &str = "C0PLAN";
pub(crate) const BRIEF: &str =
    "grow brand awareness among 18-24 year olds in Germany with a €5,000 budget over 30 days";

/// A bot and its coordinator, started against a stand-in.
pub(crate) struct Bot {
    pub(crate) bot: SlackBot,
    pub(crate) coordinator: Coordinator,
    shutdown: CancellationToken,
}

impl Bot {
    pub(crate) async fn start(
        s: &SlackStandIn,
        store: Arc<dyn ConversationStore>,
        coord: coordinator::Config,
        tweak: impl FnOnce(&mut Config),
    ) -> Bot {
        let shutdown = CancellationToken::new();
        let coordinator =
            Coordinator::start(Brain::default(), store, coord, Arc::new(Metrics::default()), shutdown.child_token())
                .expect("coordinator");
        let mut config = Config::new(&s.app_token(), &s.bot_token(), &s.api_url()).expect("config");
        config.socket = SocketSettings {
            connections: 1,
            initial_backoff_secs: 1,
            reconnect_timeout_secs: 1,
            ping_interval_secs: 2,
            ping_failure_threshold: 3,
        };
        config.post_interval = Duration::from_millis(5);
        config.update_interval = Duration::from_millis(5);
        config.progress_gap = Duration::from_millis(60);
        config.call_timeout = Duration::from_secs(5);
        config.drain_timeout = Duration::from_secs(3);
        tweak(&mut config);
        let before = s.state(|st| st.connections_opened);
        let bot = SlackBot::start(config, coordinator.clone()).await.expect("bot starts");
        s.wait_for(|st| st.connections_opened > before && st.live_connections >= 1, WAIT).await.expect("socket open");
        // slack-morphism mishandles a disconnect within a millisecond of hello (stand-in notes).
        tokio::time::sleep(Duration::from_millis(100)).await;
        Bot { bot, coordinator, shutdown }
    }

    pub(crate) async fn default(s: &SlackStandIn) -> Bot {
        Bot::start(s, Arc::new(MemoryStore::default()), coordinator::Config::default(), |_| {}).await
    }

    pub(crate) async fn stop(self) {
        self.bot.stop().await;
        self.shutdown.cancel();
    }
}

pub(crate) async fn standin() -> SlackStandIn {
    SlackStandIn::start(StandInConfig::default()).await.expect("stand-in")
}

pub(crate) fn is_plan(m: &Message) -> bool {
    m.bot_id.is_some() && m.metadata.as_ref().is_some_and(|md| md["event_type"] == "adsai_plan")
}

/// Waits until the thread holds `n` bot replies that are plans; returns the thread.
pub(crate) async fn wait_plans(s: &SlackStandIn, channel: &str, ts: &str, n: usize) -> Vec<Message> {
    let (c, t) = (channel.to_string(), ts.to_string());
    s.wait_map(
        move |st: &StandInState| {
            let thread: Vec<Message> = st.thread_of(&c, &t).into_iter().cloned().collect();
            (thread.iter().filter(|m| is_plan(m)).count() >= n).then_some(thread)
        },
        WAIT,
    )
    .await
    .expect("plans in the thread")
}

/// Waits for a bot reply in the thread whose text contains `needle`.
pub(crate) async fn wait_reply(s: &SlackStandIn, channel: &str, ts: &str, needle: &str) -> Message {
    let (c, t, n) = (channel.to_string(), ts.to_string(), needle.to_string());
    s.wait_map(
        move |st: &StandInState| {
            st.thread_of(&c, &t)
                .into_iter()
                .find(|m| m.bot_id.is_some() && m.text.as_deref().is_some_and(|x| x.contains(&n)))
                .cloned()
        },
        WAIT,
    )
    .await
    .expect("reply")
}

fn bot_replies(s: &SlackStandIn, channel: &str, ts: &str) -> Vec<Message> {
    let ours = s.config().bot_id.clone();
    s.thread(channel, ts).into_iter().filter(|m| m.bot_id.as_ref() == Some(&ours)).collect()
}

fn block_text(m: &Message) -> String {
    m.blocks.as_ref().map(|b| b.to_string()).unwrap_or_default()
}

/// The `value` of the button `action_id` in a message's blocks.
fn button_value(blocks: &Value, action_id: &str) -> String {
    blocks
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .find(|e| e["action_id"] == action_id)
        .and_then(|e| e["value"].as_str().map(String::from))
        .unwrap_or_else(|| panic!("no button {action_id} in {blocks}"))
}

fn changes_of(m: &Message) -> String {
    m.blocks
        .as_ref()
        .and_then(|b| b.as_array())
        .and_then(|b| b.iter().find(|x| x["text"]["text"].as_str().is_some_and(|t| t.starts_with("*What changed*"))))
        .map(|b| b["text"]["text"].as_str().unwrap_or_default().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn slack_mention_then_follow_up_then_buttons() {
    let s = standin().await;
    let bot = Bot::default(&s).await;

    // Mention → the plan, posted once in the thread (ready at once: no "Planning…" first).
    let ts = s.mention(CHANNEL, "U0ALICE", BRIEF);
    let thread = wait_plans(&s, CHANNEL, &ts, 1).await;
    let replies: Vec<&Message> = thread.iter().filter(|m| m.bot_id.is_some()).collect();
    assert_eq!(replies.len(), 1, "one reply: {thread:?}");
    let plan = replies[0];
    assert_eq!(plan.thread_ts.as_deref(), Some(ts.as_str()));
    let posts = s.calls("chat.postMessage");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].args["thread_ts"], ts.as_str());
    assert!(s.calls("chat.update").is_empty(), "nothing to update");
    let note = posts[0].args["text"].as_str().unwrap_or_default();
    assert!(note.starts_with("Reach plan · Germany · 18–24\n€5,000 over 30 days"), "{note}");
    assert!(!note.contains("REACH") && !note.contains("EUR"), "no codes in the notification: {note}");
    let text = block_text(plan);
    assert!(text.contains("Reach plan · Germany") && text.contains("people reached"), "{text}");
    // A first plan: Details, Curve and Export in the menu, nothing to undo, the hint line.
    let conv = conversation_id(TEAM, CHANNEL, &ts);
    for option in ["details", blocks::CURVE_OPTION, blocks::EXPORT_OPTION] {
        assert!(text.contains(&format!("{option}|{conv}")), "{option}: {text}");
    }
    assert!(!text.contains("undo|") && !text.contains("adsai_refine_undo") && text.contains("make it 8k"));
    // Metadata: string values only, the conversation key and a summary.
    let md = plan.metadata.as_ref().expect("metadata");
    let payload = md["event_payload"].as_object().expect("payload");
    assert!(payload.values().all(Value::is_string), "{md}");
    assert_eq!(payload["conversation"], conv.as_str());
    assert!(payload["summary"].as_str().unwrap_or_default().contains("€5,000"));
    assert!(s.state(|st| st.metadata_violations.is_empty()));

    // A reply in the thread, no mention: a follow-up that shows what changed.
    s.reply_in_thread(CHANNEL, &ts, "U0ALICE", "make it 8k");
    let thread = wait_plans(&s, CHANNEL, &ts, 2).await;
    let second = thread.iter().filter(|m| is_plan(m)).nth(1).expect("second plan").clone();
    assert!(changes_of(&second).contains("Budget: €5,000 → €8,000"), "{}", changes_of(&second));
    assert!(!block_text(&second).contains("make it 8k"), "the hint only on the first plan");
    let view = bot.coordinator.get(&conv).await.expect("conversation");
    assert_eq!(view.response.brief.budget.as_ref().map(|b| b.amount), Some(8000.0));

    // Refinement buttons act as follow-ups of the thread.
    let value = button_value(second.blocks.as_ref().expect("blocks"), "adsai_refine_extend_30");
    assert_eq!(value, conv);
    s.click_button(&second.ts, "adsai_refine_extend_30", &value).expect("click");
    let thread = wait_plans(&s, CHANNEL, &ts, 3).await;
    let third = thread.iter().filter(|m| is_plan(m)).nth(2).expect("third plan").clone();
    assert!(changes_of(&third).contains("Days: 30 → 60"), "{}", changes_of(&third));
    // After a change, Details and Undo sit in the overflow menu (⋮).
    s.choose_option(&third.ts, blocks::MORE_ACTION, &format!("undo|{conv}")).expect("undo from the menu");
    let thread = wait_plans(&s, CHANNEL, &ts, 4).await;
    let fourth = thread.iter().filter(|m| is_plan(m)).nth(3).expect("fourth plan").clone();
    assert!(changes_of(&fourth).contains("Days: 60 → 30"), "{}", changes_of(&fourth));
    // Details: ranges and evidence in the thread, not a new plan.
    s.choose_option(&fourth.ts, blocks::MORE_ACTION, &format!("details|{conv}")).expect("details from the menu");
    let details = wait_reply(&s, CHANNEL, &ts, "Details of Reach plan").await;
    let shown = block_text(&details);
    assert!(shown.contains("past ad sets") && shown.contains("advertisers in Germany"), "{shown}");
    assert!(!is_plan(&details));
    // Every envelope acked; the bot's own echoed posts were not answered.
    s.wait_for(|st| st.delivered.iter().all(|d| st.ack_for(&d.envelope_id).is_some()), WAIT).await.expect("acked");
    assert_eq!(bot_replies(&s, CHANNEL, &ts).len(), 5, "four plans and the details");
    bot.stop().await;
    s.shutdown().await;
}

#[tokio::test]
async fn slack_curve_and_export_upload_into_the_thread() {
    let s = standin().await;
    let bot = Bot::default(&s).await;
    let ts = s.mention(CHANNEL, "U0ALICE", BRIEF);
    let thread = wait_plans(&s, CHANNEL, &ts, 1).await;
    let plan = thread.iter().find(|m| is_plan(m)).expect("a plan").clone();
    let conv = conversation_id(TEAM, CHANNEL, &ts);
    s.choose_option(&plan.ts, blocks::MORE_ACTION, &format!("{}|{conv}", blocks::CURVE_OPTION)).expect("curve");
    s.choose_option(&plan.ts, blocks::MORE_ACTION, &format!("{}|{conv}", blocks::EXPORT_OPTION)).expect("export");
    s.wait_for(|st| st.files.len() == 2, WAIT).await.expect("two files shared");
    let files = s.files();
    for f in &files {
        assert_eq!((f.channel.as_str(), f.thread_ts.as_deref()), (CHANNEL, Some(ts.as_str())), "in the thread");
    }
    let png = files.iter().find(|f| f.filename.ends_with(".png")).expect("the chart");
    assert_eq!(&png.bytes[..8], b"\x89PNG\r\n\x1a\n");
    let xlsx = files.iter().find(|f| f.filename.ends_with(".xlsx")).expect("the workbook");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx.bytes.clone())).expect("a zip archive");
    let mut book = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/workbook.xml").expect("workbook"), &mut book).expect("xml");
    assert!(book.contains("name=\"Ad sets\""));
    // Each upload is Slack's three steps; no plan was re-posted for them.
    assert_eq!(s.calls("files.getUploadURLExternal").len(), 2);
    assert_eq!(s.calls("files.completeUploadExternal").len(), 2);
    assert_eq!(bot_replies(&s, CHANNEL, &ts).len(), 1);
    bot.stop().await;
    s.shutdown().await;
}

/// A `chat.postMessage` that times out but went through is found in the thread: one reply,
/// never a second one.
#[tokio::test]
async fn slack_a_timed_out_post_that_went_through_is_not_posted_twice() {
    let s = standin().await;
    let bot = Bot::start(&s, Arc::new(MemoryStore::default()), coordinator::Config::default(), |c| {
        c.call_timeout = Duration::from_millis(400);
    })
    .await;
    s.slow_responses("chat.postMessage", 1, Duration::from_millis(1500));
    let ts = s.mention(CHANNEL, "U0ALICE", BRIEF);
    let thread = wait_plans(&s, CHANNEL, &ts, 1).await;
    // The plan is in the thread at once; the bot learns it only by reading the thread.
    s.wait_for_calls("conversations.replies", 1, WAIT).await.expect("the thread was read after the time-out");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(s.calls("chat.postMessage").len(), 1, "posted once");
    let replies = bot_replies(&s, CHANNEL, &ts);
    assert_eq!(replies.len(), 1, "one reply: {thread:?}");
    assert!(is_plan(&replies[0]), "the post that went through is the plan");
    bot.stop().await;
    s.shutdown().await;
}

/// The Web API calls received since the `from`th: (method, arguments).
fn calls_since(s: &SlackStandIn, from: usize) -> Vec<(String, Value)> {
    s.state(|st| st.calls[from..].iter().map(|c| (c.method.clone(), c.args.clone())).collect())
}

/// Every specialist answers at once: the plan is the first and only post of the reply —
/// a first message, a follow-up and a button alike.
#[tokio::test]
async fn slack_a_plan_ready_at_once_costs_one_post() {
    let s = standin().await;
    let bot = Bot::default(&s).await;
    let start = s.state(|st| st.calls.len());
    let ts = s.mention(CHANNEL, "U0ALICE", "<@U0ADSAI> app installs in Brazil, R$30k, 5 weeks, Android");
    let thread = wait_plans(&s, CHANNEL, &ts, 1).await;
    let calls = calls_since(&s, start);
    assert_eq!(calls.len(), 1, "one call: {calls:?}");
    assert_eq!(calls[0].0, "chat.postMessage");
    assert!(calls[0].1["text"].as_str().is_some_and(|t| t.contains("Brazil")), "{}", calls[0].1["text"]);
    assert!(!calls[0].1["blocks"].to_string().contains("Planning"), "no progress shown");
    assert_eq!(thread.iter().filter(|m| m.bot_id.is_some()).count(), 1);
    // A follow-up in the thread: again one post.
    s.reply_in_thread(CHANNEL, &ts, "U0ALICE", "only iOS");
    wait_plans(&s, CHANNEL, &ts, 2).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let methods: Vec<String> = calls_since(&s, start).into_iter().map(|(m, _)| m).collect();
    assert_eq!(methods, ["chat.postMessage", "chat.postMessage"]);
    bot.stop().await;
    s.shutdown().await;
}

/// A specialist still running after `first_reply_wait`: "Planning…" with what has finished,
/// then (throttled) progress, then the plan in the same message.
#[tokio::test]
async fn slack_a_slow_specialist_gets_planning_then_the_plan() {
    let s = standin().await;
    let hook: FaultHook =
        Arc::new(|sp, _m| (sp == Specialist::Budget).then_some(Fault::Delay(Duration::from_millis(700))));
    let coord =
        coordinator::Config { fault: Some(hook), specialist_timeout: Duration::from_secs(3), ..Default::default() };
    let bot = Bot::start(&s, Arc::new(MemoryStore::default()), coord, |_| {}).await;
    let ts = s.mention(CHANNEL, "U0ALICE", BRIEF);
    let thread = wait_plans(&s, CHANNEL, &ts, 1).await;
    let posts = s.calls("chat.postMessage");
    assert_eq!(posts.len(), 1, "one reply");
    let progress = &posts[0].args;
    assert_eq!(progress["text"], "Planning…");
    assert_eq!(progress["thread_ts"], ts.as_str());
    assert!(progress["blocks"].to_string().contains("✓ goal"), "{}", progress["blocks"]);
    assert!(!progress["blocks"].to_string().contains("✓ budget"), "budget still running");
    let updates = s.calls("chat.update");
    assert!(!updates.is_empty() && updates.len() <= 1 + 2, "progress updates are throttled: {}", updates.len());
    let plan = thread.iter().find(|m| is_plan(m)).expect("the plan");
    let last = updates.last().expect("the plan replaces the progress reply");
    assert_eq!(last.args["ts"], plan.ts.as_str());
    assert!(last.args["text"].as_str().is_some_and(|t| t.starts_with("Reach plan · Germany")), "{}", last.args["text"]);
    assert_eq!(bot_replies(&s, CHANNEL, &ts).len(), 1, "one message in the thread");
    bot.stop().await;
    s.shutdown().await;
}

#[tokio::test]
async fn slack_slash_command_preview_post_and_follow_up() {
    let s = standin().await;
    let bot = Bot::default(&s).await;

    // Empty command: usage hint in the ack itself.
    let env = s.slash_command("/adsai", "  ", CHANNEL, "U0ALICE");
    let ack = s.wait_for_ack(&env, WAIT).await.expect("ack");
    assert!(ack.payload.expect("payload")["text"].as_str().unwrap_or_default().contains("Tell me about the campaign"));

    let env = s.slash_command("/adsai", "website traffic in France, 3k, 2 weeks", CHANNEL, "U0ALICE");
    let ack = s.wait_for_ack(&env, WAIT).await.expect("ack");
    let payload = ack.payload.expect("payload");
    assert_eq!(payload["response_type"], "ephemeral");
    assert!(ack.payload_errors.is_empty(), "{:?}", ack.payload_errors);
    let preview = s
        .wait_map(|st| st.ephemerals.iter().find(|e| e.source == "response_url").cloned(), WAIT)
        .await
        .expect("preview");
    assert!(preview.text.as_deref().unwrap_or_default().contains("France"), "{:?}", preview.text);
    assert!(s.state(|st| st.messages.iter().all(|m| m.bot_id.is_none())), "nothing public yet");
    let value = button_value(preview.blocks.as_ref().expect("blocks"), "adsai_post");
    s.click_button(&preview.ts, "adsai_post", &value).expect("click post");
    let posted = s
        .wait_map(|st| st.messages.iter().find(|m| m.thread_ts.is_none() && is_plan(m)).cloned(), WAIT)
        .await
        .expect("posted to the channel");
    assert!(block_text(&posted).contains("France"));
    s.wait_for(|st| st.ephemerals.iter().all(|e| e.source != "response_url"), WAIT).await.expect("preview removed");
    // The posted plan is a conversation: its thread takes follow-ups.
    s.reply_in_thread(CHANNEL, &posted.ts, "U0ALICE", "make it 5k");
    let thread = wait_plans(&s, CHANNEL, &posted.ts, 2).await;
    let follow = thread.iter().filter(|m| is_plan(m)).nth(1).expect("follow-up").clone();
    assert!(changes_of(&follow).contains("€5,000"), "{}", changes_of(&follow));
    bot.stop().await;
    s.shutdown().await;
}

#[tokio::test]
async fn slack_duplicate_deliveries_give_one_reply() {
    let s = standin().await;
    let bot = Bot::default(&s).await;
    let ts = s.mention(CHANNEL, "U0ALICE", BRIEF);
    wait_plans(&s, CHANNEL, &ts, 1).await;
    // Slack retries both events of the post (same event_ids).
    let ids: Vec<String> =
        s.delivered().iter().filter(|d| d.event_type.is_some()).filter_map(|d| d.event_id.clone()).collect();
    assert!(ids.len() >= 2, "app_mention and message: {ids:?}");
    for id in &ids {
        s.redeliver(id).expect("redeliver");
    }
    // A mention inside our thread also arrives twice (app_mention + message).
    let m2 = s.mention_in_thread(CHANNEL, &ts, "U0ALICE", "add Austria");
    wait_plans(&s, CHANNEL, &ts, 2).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(bot_replies(&s, CHANNEL, &ts).len(), 2, "one reply per post");
    assert_eq!(s.calls("chat.postMessage").len(), 2);
    let kinds: Vec<String> = s
        .delivered()
        .iter()
        .filter(|d| d.envelope["payload"]["event"]["ts"] == m2.as_str())
        .filter_map(|d| d.event_type.clone())
        .collect();
    assert!(kinds.contains(&"app_mention".to_string()) && kinds.contains(&"message".to_string()), "{kinds:?}");
    bot.stop().await;
    s.shutdown().await;
}

#[tokio::test]
async fn slack_thread_survives_restart_from_store_and_from_metadata() {
    let s = standin().await;
    let dir = std::env::temp_dir().join(format!("adsai-slack-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store: Arc<dyn ConversationStore> = Arc::new(RedbStore::open(&dir).expect("store"));
    let bot = Bot::start(&s, store.clone(), coordinator::Config::default(), |_| {}).await;
    let ts = s.mention(CHANNEL, "U0ALICE", BRIEF);
    wait_plans(&s, CHANNEL, &ts, 1).await;
    bot.stop().await;

    // A new bot and coordinator on the same store: the follow-up continues the brief.
    let bot = Bot::start(&s, store.clone(), coordinator::Config::default(), |_| {}).await;
    s.reply_in_thread(CHANNEL, &ts, "U0ALICE", "make it 8k");
    let thread = wait_plans(&s, CHANNEL, &ts, 2).await;
    let second = thread.iter().filter(|m| is_plan(m)).nth(1).expect("second").clone();
    assert!(changes_of(&second).contains("€5,000 → €8,000"), "{}", changes_of(&second));
    assert!(s.calls("conversations.replies").is_empty(), "the store had it");
    bot.stop().await;

    // An empty store: the conversation is rebuilt from the plan message's metadata.
    let bot = Bot::start(&s, Arc::new(MemoryStore::default()), coordinator::Config::default(), |_| {}).await;
    s.reply_in_thread(CHANNEL, &ts, "U0ALICE", "add Austria");
    let thread = wait_plans(&s, CHANNEL, &ts, 3).await;
    let third = thread.iter().filter(|m| is_plan(m)).nth(2).expect("third").clone();
    assert_eq!(s.calls("conversations.replies").len(), 1);
    let conv = conversation_id(TEAM, CHANNEL, &ts);
    let view = bot.coordinator.get(&conv).await.expect("rebuilt");
    let brief = &view.response.brief;
    assert_eq!(brief.budget.as_ref().map(|b| b.amount), Some(8000.0), "kept the 8k follow-up");
    assert_eq!(brief.audience.countries(), vec!["DE", "AT"]);
    assert_eq!(brief.schedule.days, Some(30));
    assert!(block_text(&third).contains("Austria"));
    // A thread that is not ours stays unanswered (and is looked up once).
    // (`direct_message` to a C… channel is a plain top-level post without a mention.)
    let other = s.direct_message(CHANNEL, "U0BOB", "lunch?");
    s.reply_in_thread(CHANNEL, &other, "U0ALICE", "sure");
    s.reply_in_thread(CHANNEL, &other, "U0ALICE", "at noon");
    s.wait_for_calls("conversations.replies", 2, WAIT).await.expect("looked up");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(bot_replies(&s, CHANNEL, &other).is_empty());
    assert_eq!(s.calls("conversations.replies").len(), 2, "foreign threads are remembered");
    bot.stop().await;
    s.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn slack_rate_limit_retry_after_is_honoured() {
    let s = standin().await;
    let bot = Bot::default(&s).await;
    s.rate_limit("chat.postMessage", 1, 1);
    let ts = s.mention(CHANNEL, "U0ALICE", BRIEF);
    wait_plans(&s, CHANNEL, &ts, 1).await;
    let calls = s.calls("chat.postMessage");
    assert_eq!(calls.iter().map(|c| c.status).collect::<Vec<_>>(), vec![429, 200]);
    let waited = calls[1].at - calls[0].at;
    assert!(waited >= Duration::from_secs(1), "retried after {waited:?}");
    assert_eq!(bot_replies(&s, CHANNEL, &ts).len(), 1);
    bot.stop().await;
    s.shutdown().await;
}

#[tokio::test]
async fn slack_access_usage_dms_and_bots() {
    let s = standin().await;
    let bot = Bot::start(&s, Arc::new(MemoryStore::default()), coordinator::Config::default(), |c| {
        c.allowed_teams = Some(vec![TEAM.into()]);
        c.allowed_channels = Some(vec![CHANNEL.into(), "dm".into()]);
    })
    .await;
    // Elsewhere: a polite decline, nothing planned.
    let ts = s.mention("C0ELSEWHERE", "U0ALICE", BRIEF);
    let reply = wait_reply(&s, "C0ELSEWHERE", &ts, "not enabled here").await;
    assert!(reply.metadata.is_none());
    assert!(!bot.coordinator.exists(&conversation_id(TEAM, "C0ELSEWHERE", &ts)).await);
    let env = s.slash_command("/adsai", BRIEF, "C0ELSEWHERE", "U0ALICE");
    let ack = s.wait_for_ack(&env, WAIT).await.expect("ack");
    assert!(ack.payload.expect("payload")["text"].as_str().unwrap_or_default().contains("not enabled"));

    // An empty mention: the usage hint.
    let ts = s.mention(CHANNEL, "U0ALICE", "");
    wait_reply(&s, CHANNEL, &ts, "Tell me about the campaign").await;

    // A DM works like a mention (answered in a thread under it).
    let dm = s.direct_message("D0ALICE", "U0ALICE", "leads in Spain, 2k");
    let thread = wait_plans(&s, "D0ALICE", &dm, 1).await;
    assert!(block_text(thread.iter().find(|m| is_plan(m)).expect("plan")).contains("Spain"));

    // Other bots' posts, in a channel and in our thread, are ignored.
    let ts = s.mention(CHANNEL, "U0ALICE", BRIEF);
    wait_plans(&s, CHANNEL, &ts, 1).await;
    let before = s.calls("chat.postMessage").len();
    s.bot_message(CHANNEL, Some(&ts), "B0OTHER", "make it 9k", false);
    s.bot_message(CHANNEL, Some(&ts), "B0LEGACY", "make it 9k", true);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(s.calls("chat.postMessage").len(), before);
    assert_eq!(bot_replies(&s, CHANNEL, &ts).len(), 1);
    bot.stop().await;
    s.shutdown().await;
}

async fn mention_answered(s: &SlackStandIn) {
    let ts = s.mention(CHANNEL, "U0ALICE", BRIEF);
    wait_plans(s, CHANNEL, &ts, 1).await;
}

#[tokio::test]
async fn slack_reconnects_after_disconnects_and_drops() {
    let s = standin().await;
    let bot = Bot::default(&s).await;
    mention_answered(&s).await;
    for what in ["disconnect with debug_info", "disconnect without debug_info", "dropped socket"] {
        let opened = s.state(|st| st.connections_opened);
        let t0 = Instant::now();
        match what {
            "disconnect with debug_info" => s.disconnect("refresh_requested", true),
            "disconnect without debug_info" => s.disconnect("warning", false),
            _ => s.drop_connections(),
        };
        s.wait_for(|st| st.connections_opened > opened && st.live_connections == 1, WAIT)
            .await
            .unwrap_or_else(|e| panic!("{what}: no reconnect: {e}"));
        eprintln!("[slack] {what}: reconnected in {:?}", t0.elapsed());
        tokio::time::sleep(Duration::from_millis(100)).await;
        mention_answered(&s).await;
    }
    bot.stop().await;
    s.shutdown().await;
}

/// Mention → first reply latency on loopback (printed; no timed assertion).
#[tokio::test]
async fn slack_mention_to_first_reply_latency() {
    let s = SlackStandIn::start(StandInConfig { echo_bot_messages: false, ..StandInConfig::default() })
        .await
        .expect("stand-in");
    let bot = Bot::default(&s).await;
    let mut samples = Vec::new();
    for i in 0..100 {
        let channel = format!("C0LAT{i:03}");
        let t0 = Instant::now();
        let ts = s.mention(&channel, "U0ALICE", BRIEF);
        let at = s
            .wait_map(
                |st| {
                    st.calls_of("chat.postMessage")
                        .into_iter()
                        .find(|c| c.args["thread_ts"] == ts.as_str())
                        .map(|c| c.at)
                },
                WAIT,
            )
            .await
            .expect("first reply");
        samples.push(at.saturating_duration_since(t0));
        wait_plans(&s, &channel, &ts, 1).await;
    }
    samples.sort();
    let p = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    eprintln!(
        "[slack] mention → first reply over {} mentions (loopback, debug build): p50 {:?}, p99 {:?}, max {:?}",
        samples.len(),
        p(0.50),
        p(0.99),
        samples[samples.len() - 1]
    );
    bot.stop().await;
    s.shutdown().await;
}

/// A fix button clicked in Slack: the follow-up goes through the thread's conversation.
#[tokio::test]
async fn slack_fix_button_raises_the_budget() {
    let s = standin().await;
    let bot = Bot::default(&s).await;
    let ts = s.mention(CHANNEL, "U0ALICE", "<@U0ADSAI> awareness in Germany, 100 euros, 30 days");
    let thread = wait_plans(&s, CHANNEL, &ts, 1).await;
    let plan = thread.iter().find(|m| is_plan(m)).expect("plan").clone();
    let value = button_value(plan.blocks.as_ref().expect("blocks"), "adsai_fix_0");
    s.click_button(&plan.ts, "adsai_fix_0", &value).expect("click fix");
    let thread = wait_plans(&s, CHANNEL, &ts, 2).await;
    let second = thread.iter().filter(|m| is_plan(m)).nth(1).expect("second plan").clone();
    assert!(changes_of(&second).contains("Budget: €100 →"), "{}", changes_of(&second));
    assert!(!block_text(&second).contains("below the minimum"), "{}", block_text(&second));
    bot.stop().await;
    s.shutdown().await;
}
