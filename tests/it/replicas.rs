//! Two replicas of the real binary (`adsai serve --slack`) against one Slack stand-in and one
//! Redis: Socket Mode spreads a thread's events over both processes' connections, and every
//! follow-up must still land on the thread's latest brief, exactly once.

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::redis::RedisServer;
use crate::slack_standin::{EnvelopeKind, Message, SlackStandIn, StandInConfig, StandInState};

const CHANNEL: &str = "C0GENERAL";
const WAIT: Duration = Duration::from_secs(20);

struct Replica(Child);

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn replica(s: &SlackStandIn, redis: &RedisServer, n: usize) -> Replica {
    let dir = std::env::temp_dir().join(format!("adsai-replica-{}-{n}", std::process::id()));
    let child = Command::new(env!("CARGO_BIN_EXE_adsai"))
        .args(["serve", "--slack"])
        .env("SLACK_APP_TOKEN", s.app_token())
        .env("SLACK_BOT_TOKEN", s.bot_token())
        .env("SLACK_API_URL", s.api_url())
        .env("ADSAI_REDIS_URL", &redis.url)
        .env("ADSAI_STATE_DIR", dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the replica starts");
    Replica(child)
}

fn plans(st: &StandInState, ts: &str) -> Vec<Message> {
    st.thread_of(CHANNEL, ts)
        .into_iter()
        .filter(|m| m.bot_id.is_some() && m.metadata.as_ref().is_some_and(|md| md["event_type"] == "adsai_plan"))
        .cloned()
        .collect()
}

async fn wait_plans(s: &SlackStandIn, ts: &str, n: usize) -> Vec<Message> {
    let t = ts.to_string();
    s.wait_map(move |st: &StandInState| Some(plans(st, &t)).filter(|p| p.len() >= n), WAIT)
        .await
        .unwrap_or_else(|e| panic!("{n} plans in the thread: {e}"))
}

fn text_of(m: &Message) -> String {
    format!("{} {}", m.text.clone().unwrap_or_default(), m.blocks.as_ref().map(|b| b.to_string()).unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_threads_follow_ups_are_right_whichever_replica_gets_them() {
    let Some(redis) = RedisServer::start() else { return };
    let s = SlackStandIn::start(StandInConfig::default()).await.expect("stand-in");
    let _a = replica(&s, &redis, 1);
    let _b = replica(&s, &redis, 2);
    s.wait_for(|st| st.live_connections >= 2 && st.connections_opened >= 2, WAIT).await.expect("both replicas connect");
    // Both processes hold a socket before the conversation starts (each opens its first at once).
    tokio::time::sleep(Duration::from_millis(300)).await;

    let ts = s.mention(CHANNEL, "U0ALICE", "<@U0ADSAI> awareness in Germany, €5k, 30 days");
    wait_plans(&s, &ts, 1).await;
    let follow_ups = ["make it 8k", "add Austria", "extend it by two weeks", "no video"];
    for (k, text) in follow_ups.iter().enumerate() {
        s.reply_in_thread(CHANNEL, &ts, "U0ALICE", text);
        wait_plans(&s, &ts, k + 2).await;
    }
    // A mention inside the thread arrives twice (app_mention + message), possibly at both
    // replicas: one reply.
    s.mention_in_thread(CHANNEL, &ts, "U0ALICE", "<@U0ADSAI> make it 9k");
    let all = wait_plans(&s, &ts, 6).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let all_now = s.state(|st| plans(st, &ts));
    assert_eq!(all_now.len(), all.len(), "the in-thread mention was answered once");

    let last = text_of(all_now.last().expect("a plan"));
    assert!(last.contains("9,000"), "budget from the last follow-up: {last}");
    assert!(last.contains("Austria") || last.contains("AT"), "Austria added earlier: {last}");
    assert!(last.contains("44"), "the flight extended to 44 days: {last}");

    let connections: HashSet<u64> =
        s.delivered().into_iter().filter(|d| d.kind == EnvelopeKind::EventsApi).map(|d| d.connection).collect();
    assert!(connections.len() >= 2, "events went over several connections: {connections:?}");
}
