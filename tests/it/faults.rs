//! Fault tests: the store and the process fail under load and nothing is lost, duplicated or
//! stuck. Redis is stopped and restarted mid-load and frozen (SIGSTOP); a redb store fills its
//! disk (a small tmpfs mounted for the test) and recovers once space is freed; a server is
//! killed with SIGKILL between a request and its retry.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use adsai::brain::Brain;
use adsai::coordinator::{self, CoordError, Coordinator};
use adsai::store::RedbStore;
use adsai::surface::http;
use adsai::telemetry::Metrics;
use chrono::NaiveDate;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use crate::http::{call, client, get_json, Server};
use crate::redis::{note_skip, replica, RedisServer};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// Sends a message with its idempotency key until it is answered, as a client would; returns
/// how long it took. A `not_found` or any error but a store outage fails the test.
async fn send_until_answered(c: &Coordinator, id: &str, text: &str, key: &str) -> Duration {
    let started = Instant::now();
    loop {
        match c.message_once(id, text, Some(key), None).await {
            Ok(_) => return started.elapsed(),
            Err(e @ CoordError::Store(_)) => {
                assert!(started.elapsed() < Duration::from_secs(30), "stuck on {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("message {text:?} of {id}: {e} ({})", e.code()),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_and_restarted_mid_load_loses_nothing_and_stalls_no_longer_than_a_lease() {
    let dir = std::env::temp_dir().join(format!("adsai-faults-redis-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let Some(mut redis) = RedisServer::start_durable(&dir) else { return };
    let replicas = [replica(&redis.url).await, replica(&redis.url).await];
    let lease = coordinator::Config::default().lock_lease();
    let mut ids = Vec::new();
    for _ in 0..12 {
        ids.push(replicas[0].create(None, today()).await.expect("created"));
    }
    let messages: Vec<String> = (1..=8).map(|k| format!("make it {k}k")).collect();
    let mut tasks = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        let (replicas, id, messages) = (replicas.clone(), id.clone(), messages.clone());
        tasks.push(tokio::spawn(async move {
            let mut worst = Duration::ZERO;
            for (k, m) in messages.iter().enumerate() {
                let took = send_until_answered(&replicas[(n + k) % 2], &id, m, &format!("{id}-{k}")).await;
                worst = worst.max(took);
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
            worst
        }));
    }
    tokio::time::sleep(Duration::from_millis(250)).await;
    let down = Instant::now();
    redis.stop();
    tokio::time::sleep(Duration::from_millis(700)).await;
    redis.restart();
    let outage = down.elapsed();
    let mut worst = Duration::ZERO;
    for t in tasks {
        worst = worst.max(t.await.expect("client task"));
    }
    let limit = outage + lease + Duration::from_secs(3);
    assert!(worst < limit, "a message waited {worst:?} (outage {outage:?}, lease {lease:?})");
    for id in &ids {
        let view = replicas[1].get(id).await.expect("every conversation is still there");
        let texts: Vec<&str> = view.messages.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, messages.iter().map(String::as_str).collect::<Vec<_>>(), "each once, in order");
        assert_eq!(view.response.brief.budget.as_ref().unwrap().amount, 8000.0);
    }
    eprintln!("redis restart: outage {outage:?}, slowest message {worst:?}, lease {lease:?}");
    drop(redis);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_redis_delays_no_one_shot_plan_and_readiness_follows_it() {
    let Some(redis) = RedisServer::start() else { return };
    let store = Arc::new(adsai::store::RedisStore::open(&redis.url, Duration::from_secs(3600)).await.expect("redis"));
    let s = Server::start(store, http::Config::default(), coordinator::Config::default()).await;
    let c = client();
    let (st, created) = crate::http::post_json(&c, &format!("{}/v1/conversations", s.base), json!({})).await;
    assert_eq!(st, 201);
    let id = created["id"].as_str().unwrap().to_string();
    redis.freeze();
    // A message of a conversation needs the store: it fails within the time limit, as a 503.
    let url = format!("{}/v1/conversations/{id}/messages", s.base);
    let msg = {
        let (c, url) = (c.clone(), url.clone());
        tokio::spawn(async move {
            let started = Instant::now();
            let (st, _, body) = call(&c, "POST", &url, &[], br#"{"text": "reach in Spain"}"#).await;
            (st, body, started.elapsed())
        })
    };
    let mut slowest = Duration::ZERO;
    for n in 0..6 {
        let started = Instant::now();
        let body = json!({"text": format!("awareness in Italy, €{}k, 30 days", n + 2), "today": "2026-11-23"});
        let (st, v) = crate::http::post_json(&c, &format!("{}/v1/plans", s.base), body).await;
        slowest = slowest.max(started.elapsed());
        assert_eq!(st, 200, "{v}");
    }
    assert!(slowest < Duration::from_millis(800), "a one-shot plan waited {slowest:?} on a frozen store");
    let (st, body, took) = msg.await.unwrap();
    assert_eq!(st, 503, "{body}");
    assert!(body.contains("store_unavailable"), "{body}");
    assert!(took < Duration::from_secs(6), "failed in {took:?}");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (st, _) = get_json(&c, &format!("{}/readyz", s.base)).await;
    assert_eq!(st, 503, "not ready while the store is frozen");
    let head = crate::http::raw(&s.base, b"GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n", Duration::from_secs(3)).await;
    assert!(head.to_lowercase().contains("retry-after: 1"), "{head}");
    redis.thaw();
    let mut ready = false;
    for _ in 0..50 {
        if get_json(&c, &format!("{}/readyz", s.base)).await.0 == 200 {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(ready, "ready again by itself");
    let (st, _, body) = call(&c, "POST", &url, &[], br#"{"text": "reach in Spain"}"#).await;
    assert_eq!(st, 200, "{body}");
    eprintln!("frozen redis: slowest one-shot {slowest:?}, the stuck message failed after {took:?}");
    s.stop().await;
}

/// A small tmpfs, unmounted on drop.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = std::env::temp_dir().join(format!("adsai-faults-disk-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = std::fs::remove_dir(&dir);
            note_skip("cannot mount a tmpfs here (needs root); the disk-full test did not run");
            return None;
        }
        Some(Tmpfs(dir))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// Fills the file system holding `dir` with one file; returns its path.
fn fill(dir: &std::path::Path) -> std::path::PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).expect("filler");
    let block = vec![0u8; 64 * 1024];
    while f.write_all(&block).is_ok() {}
    let small = [0u8; 512];
    while f.write_all(&small).is_ok() {}
    let _ = f.sync_all();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_a_503_and_the_store_recovers_once_space_is_freed() {
    let Some(disk) = Tmpfs::mount("4m") else { return };
    let store = Arc::new(RedbStore::open(&disk.0.join("state")).expect("redb on tmpfs"));
    let s = Server::start(store, http::Config::default(), coordinator::Config::default()).await;
    let c = client();
    let (st, created) = crate::http::post_json(&c, &format!("{}/v1/conversations", s.base), json!({})).await;
    assert_eq!(st, 201);
    let id = created["id"].as_str().unwrap().to_string();
    let url = format!("{}/v1/conversations/{id}/messages", s.base);
    let (st, _, _) = call(&c, "POST", &url, &[], br#"{"text": "awareness in Germany, 5k, 30 days"}"#).await;
    assert_eq!(st, 200);
    let filler = fill(&disk.0);
    // Messages grow the record until a write needs space that is not there.
    let mut failed = None;
    for k in 0..400 {
        let text = format!(r#"{{"text": "make it {}k and add a note {}"}}"#, 6 + k % 50, "x".repeat(2000));
        let (st, _, body) = call(&c, "POST", &url, &[], text.as_bytes()).await;
        if st != 200 {
            failed = Some((st, body));
            break;
        }
    }
    let (st, body) = failed.expect("a full disk fails a write");
    assert_eq!(st, 503, "{body}");
    assert!(body.contains("store_unavailable"), "{body}");
    let (st, _) = get_json(&c, &format!("{}/readyz", s.base)).await;
    assert_eq!(st, 503, "not ready while the disk is full");
    std::fs::remove_file(&filler).expect("free the disk");
    let started = Instant::now();
    let mut ready = false;
    while started.elapsed() < Duration::from_secs(10) {
        if get_json(&c, &format!("{}/readyz", s.base)).await.0 == 200 {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(ready, "the store recovers without a restart");
    let (st, _, body) = call(&c, "POST", &url, &[], br#"{"text": "make it 9k"}"#).await;
    assert_eq!(st, 200, "writes work again: {body}");
    let (st, view) = get_json(&c, &format!("{}/v1/conversations/{id}", s.base)).await;
    assert_eq!(st, 200);
    assert_eq!(view["brief"]["budget"]["amount"], 9000.0);
    eprintln!("full disk: recovered {:?} after space was freed", started.elapsed());
    s.stop().await;
    drop(disk);
}

/// Starts the real binary on a free port with its store in `dir`; (child, base URL).
fn serve(dir: &std::path::Path) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_adsai"))
        .args(["serve", "--http", "127.0.0.1:0"])
        .env("ADSAI_STATE_DIR", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
    let base = lines
        .find_map(|l| l.ok()?.split("listening on ").nth(1)?.split_whitespace().next().map(String::from))
        .expect("the server says where it listens");
    (child, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_retries_after_kill_9_apply_nothing_twice() {
    let dir = std::env::temp_dir().join(format!("adsai-faults-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let c = client();
    let (mut child, base) = serve(&dir);
    let create = |base: &str| format!("{base}/v1/conversations");
    let key = |k: &'static str| [("idempotency-key", k), ("content-type", "application/json")];
    let (st, _, first) = call(&c, "POST", &create(&base), &key("create-1"), b"{}").await;
    assert_eq!(st, 201);
    let id = serde_json::from_str::<Value>(&first).unwrap()["id"].as_str().unwrap().to_string();
    let url = |base: &str| format!("{base}/v1/conversations/{id}/messages");
    let body = br#"{"text": "awareness in Canada, $8k, 4 weeks"}"#;
    let (st, _, answer) = call(&c, "POST", &url(&base), &key("msg-1"), body).await;
    assert_eq!(st, 200);
    let (st, _, follow) = call(&c, "POST", &url(&base), &key("msg-2"), br#"{"text": "extend it by two weeks"}"#).await;
    assert_eq!(st, 200);
    child.kill().expect("kill -9");
    let _ = child.wait();
    // The client did not see the answers and retries everything after the restart.
    let (mut child, base) = serve(&dir);
    let (st, _, again) = call(&c, "POST", &create(&base), &key("create-1"), b"{}").await;
    assert_eq!((st, again.as_str()), (201, first.as_str()), "the same conversation, not a new one");
    let (st, _, answer2) = call(&c, "POST", &url(&base), &key("msg-1"), body).await;
    assert_eq!((st, &answer2), (200, &answer), "the same status and body");
    let (st, _, follow2) = call(&c, "POST", &url(&base), &key("msg-2"), br#"{"text": "extend it by two weeks"}"#).await;
    assert_eq!((st, &follow2), (200, &follow));
    let (st, view) = get_json(&c, &format!("{base}/v1/conversations/{id}")).await;
    assert_eq!(st, 200);
    assert_eq!(view["messages"].as_array().unwrap().len(), 2, "each message applied once");
    assert_eq!(view["brief"]["schedule"]["days"], 42, "extended once, not twice");
    // A key is scoped to its route and conversation: the same key elsewhere is a new request.
    let (st, _, other) = call(&c, "POST", &create(&base), &key("msg-1"), b"{}").await;
    assert_eq!(st, 201);
    assert_ne!(other, first);
    child.kill().expect("kill");
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_store_failure_is_never_read_as_not_found() {
    // A conversation stored by "another process", then the store goes away.
    let Some(mut redis) = RedisServer::start() else { return };
    let a = Coordinator::start(
        Brain::default(),
        Arc::new(adsai::store::RedisStore::open(&redis.url, Duration::from_secs(3600)).await.expect("redis")),
        coordinator::Config::default(),
        Arc::new(Metrics::default()),
        CancellationToken::new(),
    )
    .expect("starts");
    let id = a.create(None, today()).await.unwrap();
    redis.stop();
    let e = a.message_once(&id, "reach in Spain", None, None).await.unwrap_err();
    assert_eq!(e.code(), "store_unavailable", "{e}");
    assert_eq!(a.get(&id).await.unwrap_err().code(), "store_unavailable");
    redis.restart();
    // Without persistence the conversation is gone with Redis: now it is really not found.
    let mut answered = None;
    for _ in 0..40 {
        match a.message_once(&id, "reach in Spain", None, None).await {
            Err(CoordError::Store(_)) => tokio::time::sleep(Duration::from_millis(100)).await,
            other => {
                answered = Some(other);
                break;
            }
        }
    }
    let answered = answered.expect("Redis answers again");
    assert!(matches!(answered, Err(CoordError::NotFound(_))), "{answered:?}");
}
