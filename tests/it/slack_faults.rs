//! Slack under faults: a thread rebuilt from metadata while follow-ups keep arriving. The
//! replay is exclusive with the thread's follow-ups: they are applied after every replayed
//! message, each once. (Two follow-ups sent within milliseconds of each other race as they do
//! without a replay — Slack does not order deliveries across sockets — so they commute here.)

use std::sync::Arc;
use std::time::Duration;

use adsai::coordinator::{self, Fault, FaultHook};
use adsai::store::MemoryStore;
use adsai::surface::slack::bot::conversation_id;
use adsai::understand::Specialist;

use crate::slack::{is_plan, standin, wait_plans, Bot};

const TEAM: &str = "T0STANDIN";
const CHANNEL: &str = "C0REPLAY";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_ups_during_a_replay_wait_for_it_and_keep_their_order() {
    let s = standin().await;
    let bot = Bot::start(&s, Arc::new(MemoryStore::default()), coordinator::Config::default(), |_| {}).await;
    let ts = s.mention(CHANNEL, "U0ALICE", "<@U0ADSAI> awareness in Germany, €5k, 30 days");
    wait_plans(&s, CHANNEL, &ts, 1).await;
    let earlier = ["make it 8k", "extend it by two weeks", "add Austria"];
    for (k, text) in earlier.iter().enumerate() {
        s.reply_in_thread(CHANNEL, &ts, "U0ALICE", text);
        wait_plans(&s, CHANNEL, &ts, k + 2).await;
    }
    bot.stop().await;

    // A new process with an empty store: two follow-ups arrive back to back; the first starts
    // the replay of the four earlier messages, the second must wait for it.
    // Each turn takes 150 ms here, so the replay (four turns) is still running when the second
    // follow-up arrives.
    let slow: FaultHook =
        Arc::new(|sp, _| (sp == Specialist::Budget).then_some(Fault::Delay(Duration::from_millis(150))));
    let config =
        coordinator::Config { specialist_timeout: Duration::from_secs(3), fault: Some(slow), ..Default::default() };
    let bot = Bot::start(&s, Arc::new(MemoryStore::default()), config, |_| {}).await;
    s.reply_in_thread(CHANNEL, &ts, "U0ALICE", "make it 9k");
    // The second arrives while the replay runs (the thread has been read, a turn or two done).
    s.wait_for(|st| !st.calls_of("conversations.replies").is_empty(), Duration::from_secs(10))
        .await
        .expect("the thread is read for its metadata");
    tokio::time::sleep(Duration::from_millis(250)).await;
    s.reply_in_thread(CHANNEL, &ts, "U0ALICE", "add Spain");
    let thread = wait_plans(&s, CHANNEL, &ts, 6).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(s.state(|st| st.thread_of(CHANNEL, &ts).into_iter().filter(|m| is_plan(m)).count()), 6, "each once");
    let view = bot.coordinator.get(&conversation_id(TEAM, CHANNEL, &ts)).await.expect("rebuilt");
    let texts: Vec<&str> = view.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts[..4],
        ["awareness in Germany, €5k, 30 days", "make it 8k", "extend it by two weeks", "add Austria"],
        "the replayed messages first, none interleaved: {texts:?}"
    );
    let mut follow_ups = texts[4..].to_vec();
    follow_ups.sort_unstable();
    assert_eq!(follow_ups, ["add Spain", "make it 9k"], "then the follow-ups, each once");
    let brief = &view.response.brief;
    assert_eq!(brief.budget.as_ref().map(|b| b.amount), Some(9000.0));
    assert_eq!(brief.schedule.days, Some(44));
    assert_eq!(brief.audience.countries(), vec!["DE", "AT", "ES"]);
    assert!(thread.iter().filter(|m| is_plan(m)).count() >= 6);
    bot.stop().await;
}
