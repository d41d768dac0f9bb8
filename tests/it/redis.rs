//! The shared conversation store against a real `redis-server` the tests start on 127.0.0.1
//! (Debian's package; `.ci/run` installs it). Two coordinators on one Redis stand for two
//! replicas that Slack or a load balancer spread one conversation's messages over.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use adsai::brain::Brain;
use adsai::coordinator::{self, Coordinator};
use adsai::store::{ConversationStore, RedisStore, StoreError};
use adsai::telemetry::Metrics;
use chrono::NaiveDate;
use tokio_util::sync::CancellationToken;

/// A redis-server child process on a fixed loopback port, killed on drop. It can be stopped,
/// restarted on the same port, frozen (SIGSTOP) and thawed — the fault tests use that.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    /// Persistence arguments (none: nothing survives a stop).
    durable: Vec<String>,
    pub url: String,
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.thaw();
        self.stop();
    }
}

/// Says that a test is skipped, past the test harness's output capture (which only takes
/// `print!`/`eprint!`), so a skip is never silent.
pub fn note_skip(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipping: {why}");
}

impl RedisServer {
    /// Starts redis-server on a free loopback port; `None` (with a printed note) when it is not
    /// installed — and a failure instead when `CI=true`: CI must not pass without these tests.
    pub fn start() -> Option<RedisServer> {
        RedisServer::start_with(Vec::new())
    }

    /// Like [`RedisServer::start`], with every write on disk before it is acknowledged
    /// (`appendfsync always` in `dir`): a stop and restart keeps the data, locks included.
    pub fn start_durable(dir: &std::path::Path) -> Option<RedisServer> {
        std::fs::create_dir_all(dir).expect("redis dir");
        let dir = dir.display().to_string();
        let args = ["--dir", &dir, "--appendonly", "yes", "--appendfsync", "always"];
        RedisServer::start_with(args.iter().map(|a| a.to_string()).collect())
    }

    fn start_with(durable: Vec<String>) -> Option<RedisServer> {
        let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let url = format!("redis://127.0.0.1:{port}/");
        let mut server = RedisServer { child: None, port, durable, url };
        if let Err(e) = server.spawn() {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true");
            assert!(!ci, "CI=true and redis-server cannot start ({e}): the Redis tests must run in CI");
            note_skip("redis-server is not installed (.ci/run installs it)");
            return None;
        }
        Some(server)
    }

    fn spawn(&mut self) -> std::io::Result<()> {
        let port = self.port.to_string();
        let mut args: Vec<String> = ["--port", &port, "--bind", "127.0.0.1", "--save", ""].map(String::from).to_vec();
        if self.durable.is_empty() {
            args.extend(["--appendonly".to_string(), "no".to_string()]);
        }
        args.extend(self.durable.iter().cloned());
        let child = Command::new("redis-server").args(&args).stdout(Stdio::null()).stderr(Stdio::null()).spawn()?;
        self.child = Some(child);
        for _ in 0..300 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("redis-server did not start on port {port}");
    }

    /// Kills the server (its data goes with it: no persistence).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn().expect("redis-server restarts");
    }

    fn signal(&self, sig: &str) {
        if let Some(c) = &self.child {
            let _ = Command::new("kill").args([sig, &c.id().to_string()]).status();
        }
    }

    /// Freezes the server: connections stay open, nothing is answered.
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    pub fn thaw(&self) {
        self.signal("-CONT");
    }
}

async fn store(url: &str) -> Arc<RedisStore> {
    Arc::new(RedisStore::open(url, Duration::from_secs(3600)).await.expect("connects"))
}

pub async fn replica(url: &str) -> Coordinator {
    Coordinator::start(
        Brain::default(),
        store(url).await,
        coordinator::Config::default(),
        Arc::new(Metrics::default()),
        CancellationToken::new(),
    )
    .expect("starts")
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

#[tokio::test]
async fn records_round_trip_and_locks_exclude_renew_and_fence() {
    let Some(redis) = RedisServer::start() else { return };
    let s = store(&redis.url).await;
    s.put("a", b"one", None).await.unwrap();
    assert_eq!(s.get("a").await.unwrap().as_deref(), Some(&b"one"[..]));
    s.remove("a").await.unwrap();
    assert_eq!(s.get("a").await.unwrap(), None);
    let other = store(&redis.url).await;
    let (lease, short) = (Duration::from_secs(5), Duration::from_millis(60));
    let token = s.lock("c1", lease, Duration::from_millis(10)).await.unwrap();
    assert!(other.lock("c1", lease, short).await.is_err(), "held by the first");
    other.unlock("c1", "not-the-token").await.unwrap();
    assert!(other.lock("c1", lease, Duration::from_millis(30)).await.is_err(), "a wrong token releases nothing");
    // Writes are fenced by the token.
    s.put("c1", b"mine", Some(&token)).await.expect("the holder writes");
    let refused = other.put("c1", b"stale", Some("not-the-token")).await.unwrap_err();
    assert!(matches!(refused, StoreError::Fenced(_)), "{refused:?}");
    assert_eq!(s.get("c1").await.unwrap().as_deref(), Some(&b"mine"[..]));
    assert!(s.renew("c1", &token, lease).await.unwrap(), "the holder renews");
    assert!(!other.renew("c1", "not-the-token", lease).await.unwrap(), "nobody else does");
    s.unlock("c1", &token).await.unwrap();
    let t2 = other.lock("c1", lease, Duration::from_millis(30)).await.expect("free again");
    assert!(s.put("c1", b"late", Some(&token)).await.is_err(), "a released token writes nothing");
    other.unlock("c1", &t2).await.unwrap();
    let brief = s.lock("c2", Duration::from_millis(50), Duration::from_millis(10)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert!(other.lock("c2", lease, Duration::from_millis(10)).await.is_ok(), "a lease runs out");
    assert!(!s.renew("c2", &brief, lease).await.unwrap(), "and cannot be renewed after");
    // Replies kept for retries, shared by every replica.
    assert_eq!(s.remember("k", b"reply", lease).await.unwrap(), None);
    assert_eq!(other.remember("k", b"other", lease).await.unwrap().as_deref(), Some(&b"reply"[..]));
    assert_eq!(other.recall("k").await.unwrap().as_deref(), Some(&b"reply"[..]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_moves_between_replicas_without_losing_a_message() {
    let Some(redis) = RedisServer::start() else { return };
    let (a, b) = (replica(&redis.url).await, replica(&redis.url).await);
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
    let replicas = [replica(&redis.url).await, replica(&redis.url).await];
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
