//! The shared conversation store against a real `redis-server` the tests start on 127.0.0.1
//! (Debian's package; `.ci/run` installs it). Two coordinators on one Redis stand for two
//! replicas that Slack or a load balancer spread one conversation's messages over.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use adsai::brain::Brain;
use adsai::coordinator::{self, Coordinator};
use adsai::store::{ConversationStore, RedisStore};
use adsai::telemetry::Metrics;
use chrono::NaiveDate;
use tokio_util::sync::CancellationToken;

/// A redis-server child process, killed on drop.
pub struct RedisServer {
    child: Child,
    pub url: String,
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl RedisServer {
    /// Starts redis-server on a free loopback port; `None` (with a note) when it is not installed.
    pub fn start() -> Option<RedisServer> {
        let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(child) = child else {
            eprintln!("skipping: redis-server is not installed (.ci/run installs it)");
            return None;
        };
        let server = RedisServer { child, url: format!("redis://127.0.0.1:{port}/") };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(server);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("redis-server did not start on port {port}");
    }
}

fn store(url: &str) -> Arc<RedisStore> {
    Arc::new(RedisStore::open(url, Duration::from_secs(3600)).expect("connects"))
}

fn replica(url: &str) -> Coordinator {
    Coordinator::start(
        Brain::default(),
        store(url),
        coordinator::Config::default(),
        Arc::new(Metrics::default()),
        CancellationToken::new(),
    )
    .expect("starts")
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

#[test]
fn records_round_trip_and_locks_exclude() {
    let Some(redis) = RedisServer::start() else { return };
    let s = store(&redis.url);
    s.put("a", b"one").unwrap();
    assert_eq!(s.get("a").unwrap().as_deref(), Some(&b"one"[..]));
    s.remove("a").unwrap();
    assert_eq!(s.get("a").unwrap(), None);
    let other = store(&redis.url);
    let token = s.lock("c1", Duration::from_secs(5), Duration::from_millis(10)).unwrap();
    assert!(other.lock("c1", Duration::from_secs(5), Duration::from_millis(60)).is_err(), "held by the first");
    other.unlock("c1", "not-the-token").unwrap();
    assert!(
        other.lock("c1", Duration::from_secs(5), Duration::from_millis(30)).is_err(),
        "a wrong token releases nothing"
    );
    s.unlock("c1", &token).unwrap();
    let t2 = other.lock("c1", Duration::from_secs(5), Duration::from_millis(30)).expect("free again");
    other.unlock("c1", &t2).unwrap();
    let short = s.lock("c2", Duration::from_millis(50), Duration::from_millis(10)).unwrap();
    std::thread::sleep(Duration::from_millis(80));
    assert!(other.lock("c2", Duration::from_secs(5), Duration::from_millis(10)).is_ok(), "a lease runs out");
    let _ = short;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_moves_between_replicas_without_losing_a_message() {
    let Some(redis) = RedisServer::start() else { return };
    let (a, b) = (replica(&redis.url), replica(&redis.url));
    let id = "slack:T1:C1:1700000000.000100";
    let steps = [
        (&a, "awareness in Germany, €5k, 30 days"),
        (&b, "make it 8k"),
        (&a, "extend it by two weeks"),
        (&b, "no video"),
    ];
    for (replica, text) in steps {
        replica.message(id, text, Some(today()), None).await.expect("handled");
    }
    for replica in [&a, &b] {
        let view = replica.get(id).await.expect("both see it");
        assert_eq!(view.messages.len(), 4);
        let brief = &view.response.brief;
        assert_eq!(brief.budget.as_ref().unwrap().amount, 8000.0);
        assert_eq!(brief.schedule.days, Some(44));
        assert_eq!(brief.formats.exclude.len(), 1);
    }
    // Both replicas get a follow-up of the same thread at the same moment: both are applied,
    // one after the other.
    let (ra, rb) = tokio::join!(a.message(id, "add Austria", None, None), b.message(id, "add Switzerland", None, None));
    ra.expect("a");
    rb.expect("b");
    let view = b.get(id).await.unwrap();
    assert_eq!(view.messages.len(), 6);
    let countries: Vec<String> = view.response.brief.audience.locations.iter().map(|l| l.country.clone()).collect();
    assert!(countries.contains(&"AT".to_string()) && countries.contains(&"CH".to_string()), "{countries:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_threads_spread_over_two_replicas() {
    let Some(redis) = RedisServer::start() else { return };
    let replicas = [replica(&redis.url), replica(&redis.url)];
    let mut tasks = Vec::new();
    for n in 0..40 {
        let replicas = replicas.clone();
        tasks.push(tokio::spawn(async move {
            let id = format!("thread-{n}");
            let messages = ["reach in Spain, €4k, 3 weeks", "make it 5k", "add Portugal", "make it 6k", "only women"];
            for (k, m) in messages.iter().enumerate() {
                replicas[(n + k) % 2].message(&id, m, Some(today()), None).await.expect("handled");
            }
            let view = replicas[n % 2].get(&id).await.unwrap();
            let texts: Vec<&str> = view.messages.iter().map(|m| m.text.as_str()).collect();
            assert_eq!(texts, messages.to_vec(), "in order, none lost");
            assert_eq!(view.response.brief.budget.as_ref().unwrap().amount, 6000.0);
            assert_eq!(view.response.brief.audience.locations.len(), 2);
            assert_eq!(view.response.brief.audience.genders.len(), 1);
        }));
    }
    for t in tasks {
        t.await.expect("thread task");
    }
}
