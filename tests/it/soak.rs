//! Soak: 200 threads started at once against the Slack stand-in while it redelivers events,
//! drops and refreshes sockets and answers 429s. Every thread must be answered exactly once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use adsai::store::MemoryStore;

use crate::slack::{is_plan, Bot};
use crate::slack_standin::{SlackStandIn, StandInConfig, StandInState};

const THREADS: usize = 200;
const CHANNELS: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_threads_through_retries_disconnects_and_rate_limits_are_answered_once() {
    let s = SlackStandIn::start(StandInConfig { ack_timeout: Duration::from_millis(700), ..StandInConfig::default() })
        .await
        .expect("stand-in");
    let bot = Bot::start(&s, Arc::new(MemoryStore::default()), adsai::coordinator::Config::default(), |c| {
        c.max_retries = 5;
    })
    .await;
    let started = Instant::now();
    // A plan ready at once is one chat.postMessage (no placeholder to update): the posts take
    // all ten 429s.
    s.rate_limit("chat.postMessage", 10, 1);
    let countries = ["Germany", "France", "Spain", "Italy", "the UK", "Sweden", "Canada", "Brazil"];
    let mut threads = Vec::with_capacity(THREADS);
    let mut reconnected = 1;
    for n in 0..THREADS {
        let channel = format!("C0SOAK{:02}", n % CHANNELS);
        let text = format!(
            "<@U0ADSAI> awareness in {}, €{}k, {} weeks",
            countries[n % countries.len()],
            3 + n % 20,
            2 + n % 6
        );
        let ts = s.mention(&channel, &format!("U0USER{n}"), &text);
        threads.push((channel, ts));
        if n % 25 == 24 {
            // A burst every 25 mentions; faults between bursts, once a socket is up again.
            // Each fault only once the client has come back from the one before, so that the
            // faults are three separate reconnects however fast the bot answers.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let back = reconnected;
            s.wait_for(move |st| st.live_connections >= 1 && st.connections_opened >= back, Duration::from_secs(10))
                .await
                .expect("a live socket");
            if matches!(n, 49 | 99 | 149) {
                reconnected = s.state(|st| st.connections_opened) + 1;
            }
            match n {
                49 => {
                    s.disconnect("refresh_requested", true);
                }
                99 => {
                    s.drop_connections();
                }
                149 => {
                    s.disconnect("warning", false);
                }
                _ => {}
            }
        }
    }
    // Slack retries some deliveries on its own as well.
    let event_ids: Vec<String> = s.delivered().into_iter().filter_map(|d| d.event_id).take(40).collect();
    for id in event_ids.iter().step_by(2) {
        let _ = s.redeliver(id);
    }
    let all = threads.clone();
    let answered = s
        .wait_for(
            move |st: &StandInState| {
                all.iter().all(|(c, ts)| st.thread_of(c, ts).into_iter().filter(|m| is_plan(m)).count() >= 1)
            },
            Duration::from_secs(90),
        )
        .await;
    let elapsed = started.elapsed();
    // Late duplicates would show up now.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let counts: Vec<usize> = s.state(|st| {
        threads.iter().map(|(c, ts)| st.thread_of(c, ts).into_iter().filter(|m| is_plan(m)).count()).collect()
    });
    let unanswered = counts.iter().filter(|&&n| n == 0).count();
    let twice = counts.iter().filter(|&&n| n > 1).count();
    let (redelivered, reconnects, limited) = s.state(|st| {
        (
            st.delivered.iter().filter(|d| d.retry_attempt > 0).count(),
            st.connections_opened,
            st.calls.iter().filter(|c| c.status == 429).count(),
        )
    });
    println!(
        "soak: {THREADS} threads in {CHANNELS} channels answered in {:.1} s; {redelivered} redeliveries, {reconnects} sockets opened, {limited} calls answered 429; unanswered {unanswered}, answered twice {twice}",
        elapsed.as_secs_f64()
    );
    assert!(answered.is_ok(), "unanswered threads: {unanswered}");
    assert_eq!(twice, 0, "threads answered more than once");
    assert!(redelivered > 0 && limited >= 10 && reconnects >= 4, "the faults really happened");
    bot.stop().await;
}

/// Slack grants short bursts per channel: 20 mentions in one channel within 4 s each get their
/// first reply ("Planning…") within 2 s, with the production pacing (burst 20, then 1 a second).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_mentions_in_one_channel_all_get_a_first_reply_within_two_seconds() {
    let s = Arc::new(SlackStandIn::start(StandInConfig::default()).await.expect("stand-in"));
    let production = adsai::surface::slack::Config::new(&s.app_token(), &s.bot_token(), &s.api_url()).expect("config");
    let bot = Bot::start(&s, Arc::new(MemoryStore::default()), adsai::coordinator::Config::default(), |c| {
        c.post_burst = production.post_burst;
        c.post_interval = production.post_interval;
        c.update_interval = production.update_interval;
    })
    .await;
    assert_eq!((production.post_burst, production.post_interval), (20, Duration::from_secs(1)), "the defaults");
    let channel = "C0BURST";
    // Mentions go out every 190 ms while the replies are watched.
    let sent: Arc<std::sync::Mutex<Vec<(String, Instant)>>> = Arc::default();
    let sender = {
        let (s, sent) = (s.clone(), sent.clone());
        tokio::spawn(async move {
            for n in 0..20 {
                let text = format!("<@U0ADSAI> reach in Spain, €{}k, 3 weeks", n + 2);
                let ts = s.mention(channel, &format!("U0B{n}"), &text);
                sent.lock().unwrap().push((ts, Instant::now()));
                tokio::time::sleep(Duration::from_millis(190)).await;
            }
        })
    };
    let mut first: Vec<Option<Duration>> = vec![None; 20];
    let deadline = Instant::now() + Duration::from_secs(20);
    while first.iter().any(Option::is_none) && Instant::now() < deadline {
        let now: Vec<(String, Instant)> = sent.lock().unwrap().clone();
        let replied: Vec<bool> = s.state(|st| {
            now.iter().map(|(ts, _)| st.thread_of(channel, ts).iter().any(|m| m.bot_id.is_some())).collect()
        });
        for (k, r) in replied.into_iter().enumerate() {
            if r && first[k].is_none() {
                first[k] = Some(now[k].1.elapsed());
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    sender.await.expect("mentions sent");
    let sent = sent.lock().unwrap().clone();
    let waits: Vec<Duration> = first.iter().map(|w| w.expect("every mention gets a first reply")).collect();
    let slowest = waits.iter().max().copied().unwrap_or_default();
    println!("burst: 20 mentions over {:?}; slowest first reply {slowest:?}", sent[19].1 - sent[0].1);
    assert!(slowest < Duration::from_secs(2), "a first reply took {slowest:?}: {waits:?}");
    bot.stop().await;
}
