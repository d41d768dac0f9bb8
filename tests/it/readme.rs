//! The README cannot go stale: every `$ adsai …` command in its example blocks runs through the
//! real binary and its output must be exactly what the README shows below it; every ```slack
//! block (`@adsai <brief>`, follow-ups as `> …`, then the last reply drawn as text) must be what
//! the bot renders for that conversation. Commands must fix `--today` so the output does not depend on the day.

use std::path::Path;

use serde_json::Value;

use adsai::surface::slack::blocks::{self, Actions};
use adsai::surface::slack::bot::conversation_id;

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).expect("README.md")
}

/// `UPDATE_SNAPSHOTS=1` rewrites the README's example output instead of comparing (review the
/// diff before committing).
fn update() -> bool {
    std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1")
}

/// Applies (old, new) text replacements to the README, one test at a time.
fn rewrite_readme(replacements: &[(String, String)]) {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut text = readme();
    for (old, new) in replacements {
        text = text.replacen(old, new, 1);
    }
    std::fs::write(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"), text).expect("write README.md");
    eprintln!("[readme] rewrote the README's example output");
}

/// The fenced blocks of a Markdown text: (info string, body lines without the fence's indent, the
/// indent).
fn fenced(md: &str) -> Vec<(String, Vec<String>, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize, Vec<String>)> = None;
    for line in md.lines() {
        let indent = line.len() - line.trim_start().len();
        match (&mut open, line.trim_start().strip_prefix("```")) {
            (None, Some(info)) => open = Some((info.trim().to_string(), indent, Vec::new())),
            (Some(_), Some(_)) => out.extend(open.take().map(|(info, at, body)| (info, body, at))),
            (Some((_, at, body)), None) => body.push(line.get((*at).min(indent)..).unwrap_or_default().to_string()),
            (None, None) => {}
        }
    }
    out
}

/// Splits a command line the way a POSIX shell would for plain words and quoted strings.
fn shell_words(s: &str) -> Vec<String> {
    let (mut words, mut cur, mut quote, mut any) = (Vec::new(), String::new(), None, false);
    for ch in s.chars() {
        match (quote, ch) {
            (None, '"' | '\'') => {
                quote = Some(ch);
                any = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if any {
                    words.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (_, c) => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(cur);
    }
    words
}

/// (command line, expected output) for every `$ adsai` line in the README's example blocks.
fn commands(md: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (_, body, _) in fenced(md) {
        let mut i = 0;
        while i < body.len() {
            if let Some(cmd) = body[i].strip_prefix("$ adsai ") {
                let mut expected = Vec::new();
                i += 1;
                while i < body.len() && !body[i].starts_with("$ ") {
                    expected.push(body[i].as_str());
                    i += 1;
                }
                out.push((cmd.to_string(), expected.join("\n")));
            } else {
                i += 1;
            }
        }
    }
    out
}

#[test]
fn readme_commands_print_what_the_readme_shows() {
    let md = readme();
    let mut updates = Vec::new();
    let cmds = commands(&md);
    assert!(cmds.len() >= 2, "the README shows commands with their output");
    for (cmd, expected) in cmds {
        let args = shell_words(&cmd);
        assert!(args.iter().any(|a| a == "--today"), "`adsai {cmd}`: fix the day with --today");
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = crate::cli::adsai(&argv, b"");
        let got = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "`adsai {cmd}`: {}", String::from_utf8_lossy(&out.stderr));
        if update() {
            let head = format!("$ adsai {cmd}\n");
            updates.push((format!("{head}{expected}"), format!("{head}{}", got.trim_end())));
            continue;
        }
        assert!(
            got.trim_end() == expected.trim_end(),
            "README.md is stale for `adsai {cmd}`: it prints\n{got}\n(the README shows)\n{expected}\n(UPDATE_SNAPSHOTS=1 rewrites it)"
        );
    }
    if update() && !updates.is_empty() {
        rewrite_readme(&updates);
    }
}

/// A Slack message drawn as text: header, sections, context lines, and `[buttons]`.
fn as_text(blocks: &[Value]) -> String {
    let mut lines = Vec::new();
    for b in blocks {
        let text = |v: &Value| v["text"].as_str().unwrap_or_default().to_string();
        match b["type"].as_str().unwrap_or_default() {
            "header" => lines.push(format!("# {}", text(&b["text"]))),
            "section" => lines.push(text(&b["text"])),
            "context" => {
                lines.push(b["elements"].as_array().into_iter().flatten().map(text).collect::<Vec<_>>().join(" · "))
            }
            "actions" => {
                lines.push(
                    b["elements"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|e| {
                            if e["type"] == "overflow" {
                                "[⋮]".to_string()
                            } else {
                                format!("[{}]", text(&e["text"]))
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(" "),
                )
            }
            other => lines.push(format!("({other})")),
        }
    }
    lines.join("\n")
}

#[tokio::test]
async fn readme_slack_reply_is_what_the_bot_renders() {
    let md = readme();
    let replies: Vec<(Vec<String>, usize)> =
        fenced(&md).into_iter().filter(|(info, _, _)| info == "slack").map(|(_, b, at)| (b, at)).collect();
    assert!(!replies.is_empty(), "the README shows a Slack reply");
    let mut updates = Vec::new();
    for (body, indent) in replies {
        // `@adsai <brief>`, then any follow-ups as `> <reply in the thread>`, then the last reply.
        let brief = body[0].strip_prefix("@adsai ").expect("a ```slack block starts with `@adsai <brief>`");
        let mut messages = vec![brief];
        messages.extend(body[1..].iter().map_while(|l| l.strip_prefix("> ")));
        let n = messages.len();
        let (r, changes) = crate::slack_blocks::turns(&messages).await.pop().expect("a turn");
        let actions = Actions::Refine { conversation: conversation_id("T1", "C1", "1.1"), first: n == 1 };
        let got = as_text(&blocks::plan(&r, &changes, &actions).blocks);
        let expected = body[n..].join("\n");
        if update() {
            let pad = " ".repeat(indent);
            let indented = |t: &str| t.lines().map(|l| format!("{pad}{l}")).collect::<Vec<_>>().join("\n");
            let head = indented(&body[..n].join("\n"));
            updates.push((format!("{head}\n{}", indented(&expected)), format!("{head}\n{}", indented(got.trim_end()))));
            continue;
        }
        assert!(got.trim_end() == expected.trim_end(), "README.md's Slack reply is stale: the bot renders\n{got}");
    }
    if update() && !updates.is_empty() {
        rewrite_readme(&updates);
    }
}

#[test]
fn shell_words_split_like_a_shell() {
    assert_eq!(
        shell_words(r#"plan --today 2026-11-23 "a b" 'c "d"' e"#),
        ["plan", "--today", "2026-11-23", "a b", "c \"d\"", "e"]
    );
    assert_eq!(shell_words(r#"plan """#), ["plan", ""]);
}

/// The chart in the README is what the binary draws for the command the README shows beside it.
#[test]
fn readme_chart_is_what_the_binary_draws() {
    let md = readme();
    let line = md
        .lines()
        .find(|l| l.starts_with("`adsai plan") && l.contains("--chart "))
        .expect("the README shows the command that draws its chart");
    let cmd = line.trim_matches(|c| c == '`' || c == '.' || c == ',').trim_start_matches("adsai ");
    let mut args = shell_words(cmd);
    assert!(args.iter().any(|a| a == "--today"), "`{cmd}`: fix the day with --today");
    let at = args.iter().position(|a| a == "--chart").expect("--chart") + 1;
    let shown = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(&args[at]);
    let drawn = std::env::temp_dir().join(format!("adsai-readme-chart-{}.png", std::process::id()));
    args[at] = drawn.to_string_lossy().into_owned();
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = crate::cli::adsai(&argv, b"");
    assert!(out.status.success(), "`{cmd}`: {}", String::from_utf8_lossy(&out.stderr));
    let got = std::fs::read(&drawn).expect("the chart was drawn");
    let _ = std::fs::remove_file(&drawn);
    if update() {
        std::fs::write(&shown, &got).expect("rewrite the README's chart");
        return;
    }
    let want = std::fs::read(&shown).unwrap_or_default();
    assert!(got == want, "{} is stale (UPDATE_SNAPSHOTS=1 redraws it)", shown.display());
}

/// The README's layout list matches the tree: every path under `src/` or `docs/` it names in
/// backticks exists, and every file and folder directly under `src/` (and in `src/surface/`)
/// is named.
#[test]
fn the_layout_list_matches_the_tree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let md = readme();
    let named: Vec<&str> = md
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| (s.starts_with("src/") || s.starts_with("docs/")) && !s.contains(' '))
        .collect();
    assert!(named.len() > 10, "the README names its files");
    for path in &named {
        assert!(root.join(path.trim_end_matches('/')).exists(), "the README names {path}, which does not exist");
    }
    for dir in ["src", "src/surface"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("src") {
            let name = entry.expect("entry").file_name().to_string_lossy().to_string();
            if name.ends_with("_tests.rs") || name == "lib.rs" || name == "mod.rs" {
                continue;
            }
            let path = format!("{dir}/{name}");
            let short = format!("`{name}`");
            let short_dir = format!("`{name}/`");
            let listed = named.iter().any(|n| n.trim_end_matches('/') == path)
                || (dir != "src" && (md.contains(&short) || md.contains(&short_dir)));
            assert!(listed, "{path} is not in the README's layout list");
        }
    }
}
