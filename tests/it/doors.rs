//! Settings that cannot open the door, through the real binary: a blank token is an error, an
//! API reachable from other machines needs a token (or an explicit `allow_anonymous`), and
//! `config check` says when the API is anonymous without showing any secret.

use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn adsai(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_adsai"));
    cmd.args(args).env_remove("ADSAI_API_TOKEN").env_remove("ADSAI_HTTP_ADDR").stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_blank_token_is_a_settings_error_exit_2() {
    for blank in ["", " ", "\t"] {
        let out = adsai(&["serve", "--http", "127.0.0.1:0"], &[("ADSAI_API_TOKEN", blank)]);
        assert_eq!(out.status.code(), Some(2), "{blank:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("ADSAI_API_TOKEN"), "{}", stderr(&out));
        let out = adsai(&["config", "check"], &[("ADSAI_API_TOKEN", blank)]);
        assert_eq!(out.status.code(), Some(2));
    }
}

#[test]
fn an_open_address_without_a_token_refuses_to_start() {
    let out = adsai(&["serve", "--http", "0.0.0.0:0"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("allow_anonymous"), "says how to opt in: {}", stderr(&out));
    let out = adsai(&["config", "check"], &[("ADSAI_HTTP_ADDR", "0.0.0.0:8080")]);
    assert_eq!(out.status.code(), Some(2), "config check reports it too");
}

type Args<'a> = &'a [&'a str];
type Env<'a> = &'a [(&'a str, &'a str)];

#[test]
fn allow_anonymous_or_a_token_lets_an_open_address_start() {
    let dir = std::env::temp_dir().join(format!("adsai-doors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("open.toml");
    std::fs::write(&file, "[http]\nallow_anonymous = true\n").unwrap();
    let file = file.display().to_string();
    let state = dir.join("state").display().to_string();
    let cases: [(Args, Env); 2] = [
        (&["serve", "--http", "0.0.0.0:0", "--config", &file, "--state-dir", &state], &[]),
        (&["serve", "--http", "0.0.0.0:0", "--state-dir", &state], &[("ADSAI_API_TOKEN", "t0ken")]),
    ];
    for (args, env) in cases {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_adsai"));
        cmd.args(args).env_remove("ADSAI_API_TOKEN").stdout(Stdio::null()).stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("starts");
        let stderr = child.stderr.take().unwrap();
        let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
        let listening = lines.find_map(|l| l.ok().filter(|l| l.contains("listening on")));
        let _ = child.kill();
        let _ = child.wait();
        assert!(listening.is_some(), "{args:?} serves");
    }
    std::thread::sleep(Duration::from_millis(50));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn config_check_says_anonymous_and_shows_no_character_of_a_secret() {
    let out = adsai(&["config", "check"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("api_token = \"(none: anonymous)\""), "{shown}");
    let out = adsai(
        &["config", "check"],
        &[("ADSAI_API_TOKEN", "Zq9-tok"), ("SLACK_BOT_TOKEN", "xoxb-77-Wv"), ("ADSAI_REDIS_URL", "redis://u:pw@h:1/0")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    for part in ["Zq9", "-tok", "xoxb", "77-", "Wv", "pw@", "redis://"] {
        assert!(!shown.contains(part), "{part} shown:\n{shown}");
    }
}

#[test]
fn a_toml_error_names_the_place_not_the_line() {
    let dir = std::env::temp_dir().join(format!("adsai-doors-toml-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    std::fs::write(&file, "[slack]\nbot_token = \"xoxb-9-Hidden\n").unwrap();
    let out = adsai(&["config", "check", "--config", &file.display().to_string()], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(!err.contains("Hidden") && !err.contains("xoxb"), "{err}");
    assert!(err.contains("line 2"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
