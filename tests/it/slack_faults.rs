//! Slack under faults: a thread rebuilt from metadata while follow-ups keep arriving. The
//! replay is exclusive with the thread's follow-ups: they are applied after every replayed
//! message, in the order they were sent, each once.

use std::sync::Arc;
use std::time::Duration;

use adsai::coordinator;
use adsai::store::MemoryStore;
use adsai::surface::slack::bot::conversation_id;

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
    let bot = Bot::start(&s, Arc::new(MemoryStore::default()), coordinator::Config::default(), |_| {}).await;
    s.reply_in_thread(CHANNEL, &ts, "U0ALICE", "make it 9k");
    s.reply_in_thread(CHANNEL, &ts, "U0ALICE", "undo");
    let thread = wait_plans(&s, CHANNEL, &ts, 6).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(s.state(|st| st.thread_of(CHANNEL, &ts).into_iter().filter(|m| is_plan(m)).count()), 6, "each once");
    let view = bot.coordinator.get(&conversation_id(TEAM, CHANNEL, &ts)).await.expect("rebuilt");
    let texts: Vec<&str> = view.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        vec![
            "awareness in Germany, €5k, 30 days",
            "make it 8k",
            "extend it by two weeks",
            "add Austria",
            "make it 9k",
            "undo"
        ],
        "replayed first, then the follow-ups in their order"
    );
    let brief = &view.response.brief;
    assert_eq!(brief.budget.as_ref().map(|b| b.amount), Some(8000.0), "the undo took back the 9k");
    assert_eq!(brief.schedule.days, Some(44));
    assert_eq!(brief.audience.countries(), vec!["DE", "AT"]);
    assert!(thread.iter().filter(|m| is_plan(m)).count() >= 6);
    bot.stop().await;
}
