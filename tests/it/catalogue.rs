//! One catalogue of bad input, sent through every surface — the command line, the HTTP API and
//! the Slack bot — each answering with a clear error (or, for a message with no brief in it, a
//! plan that asks for what is missing), never a panic, a hang or silence.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};

use crate::slack::{standin, Bot};
use crate::slack_standin::{Message, SlackStandIn, StandInState};

/// Waits for a bot reply in the thread whose text or blocks contain `needle`.
async fn wait_reply(s: &SlackStandIn, channel: &str, ts: &str, needle: &str) -> Message {
    let (c, t, n) = (channel.to_string(), ts.to_string(), needle.to_string());
    let found = s
        .wait_map(
            move |st: &StandInState| {
                st.thread_of(&c, &t).into_iter().find(|m| m.bot_id.is_some() && shown(m).contains(&n)).cloned()
            },
            Duration::from_secs(10),
        )
        .await;
    found.unwrap_or_else(|e| {
        let thread: Vec<String> = s.thread(channel, ts).iter().map(shown).collect();
        panic!("no reply containing {needle:?}: {e}\n{thread:#?}")
    })
}

fn shown(m: &Message) -> String {
    format!("{} {}", m.text.clone().unwrap_or_default(), m.blocks.clone().unwrap_or_default())
}

/// A bad input and what each surface must say about it.
struct Case {
    name: &'static str,
    text: String,
    /// The error code of the CLI and the API (`None`: a plan comes back).
    code: Option<&'static str>,
    /// Words the Slack reply must contain.
    slack: &'static str,
}

fn catalogue() -> Vec<Case> {
    vec![
        Case {
            name: "whitespace",
            text: "   \n\t  ".into(),
            code: Some("empty_message"),
            slack: "Tell me about the campaign",
        },
        Case {
            name: "control characters",
            text: "\u{0}\u{7}\u{1b}\u{8}".into(),
            code: Some("empty_message"),
            slack: "Tell me about the campaign",
        },
        Case {
            name: "too long",
            text: "awareness in Germany ".repeat(300),
            code: Some("message_too_long"),
            slack: "too long",
        },
        Case { name: "no brief at all", text: "🎉🎉🎉 lol".into(), code: None, slack: "couldn't find a brief" },
    ]
}

fn cli_jsonl(line: &[u8]) -> Value {
    let out = crate::cli::adsai(&["plan", "--jsonl"], &[line, b"\n"].concat());
    serde_json::from_slice(out.stdout.split(|&b| b == b'\n').next().unwrap_or_default()).expect("one JSON line")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_surface_answers_bad_input_clearly() {
    // The HTTP API, on the production code path.
    let server = crate::http::Server::default().await;
    let url = format!("{}/v1/plans", server.base);
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let post = |body: Vec<u8>| {
        let client = client.clone();
        let url = url.clone();
        async move {
            let req = hyper::Request::post(&url).body(Full::new(Bytes::from(body))).expect("request");
            let resp = client.request(req).await.expect("response");
            let status = resp.status().as_u16();
            let body = resp.into_body().collect().await.expect("body").to_bytes();
            (status, serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null))
        }
    };
    // The Slack bot, through the stand-in.
    let s = standin().await;
    let bot = Bot::default(&s).await;

    for case in catalogue() {
        // Command line.
        let line = json!({"id": case.name, "today": "2026-11-23", "messages": [case.text]}).to_string();
        let v = cli_jsonl(line.as_bytes());
        assert_eq!(v["id"], case.name);
        match case.code {
            Some(code) => assert_eq!(v["error"]["code"], code, "CLI, {}: {v}", case.name),
            None => {
                assert!(v["plan"]["questions"].as_array().is_some_and(|q| !q.is_empty()), "CLI, {}: {v}", case.name)
            }
        }
        // HTTP.
        let (status, v) = post(json!({"text": case.text, "today": "2026-11-23"}).to_string().into_bytes()).await;
        match case.code {
            Some(code) => {
                assert_eq!(status, 422, "HTTP, {}", case.name);
                assert_eq!(v["error"]["code"], code, "HTTP, {}", case.name);
                assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
            }
            None => assert_eq!(status, 200, "HTTP, {}", case.name),
        }
        // Slack: a mention carrying the same text gets a reply in its thread that says what is wrong.
        let ts = s.mention("C0PLAN", "U0ALICE", &format!("<@U0ADSAI> {}", case.text));
        let reply = wait_reply(&s, "C0PLAN", &ts, case.slack).await;
        assert!(reply.text.as_deref().is_some_and(|t| !t.trim().is_empty()), "Slack, {}: a text fallback", case.name);
    }

    // Input that is not even a request.
    let v = cli_jsonl(b"{\"id\": \"x\", \"messages\": ");
    assert_eq!(v["error"]["code"], "invalid_json");
    let v = cli_jsonl(b"\xff\xfe not utf-8");
    assert_eq!(v["error"]["code"], "invalid_utf8");
    let (status, v) = post(b"\xff\xfe".to_vec()).await;
    assert_eq!((status, v["error"]["code"].as_str()), (400, Some("invalid_json")));
    let (status, v) = post(br#"{"text": 42}"#.to_vec()).await;
    assert_eq!((status, v["error"]["code"].as_str()), (400, Some("invalid_request")));

    // Slack markup in a brief is shown, never executed: no @channel ping in the reply.
    let ts = s.mention("C0PLAN", "U0ALICE", "<@U0ADSAI> <!channel> awareness in Germany, €5k, 30 days");
    let reply = wait_reply(&s, "C0PLAN", &ts, "Germany").await;
    assert!(!shown(&reply).contains("<!channel>"), "{}", shown(&reply));

    tokio::time::timeout(Duration::from_secs(10), bot.stop()).await.expect("the bot stops");
    server.stop().await;
}
