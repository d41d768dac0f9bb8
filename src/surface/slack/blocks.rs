//! Block Kit rendering of plans, progress and notices for the Slack surface.
//!
//! Everything here is pure: a [`Response`] (plus the changes of a follow-up) goes in, a
//! [`Rendered`] message — a plain `text` fallback and the blocks as JSON — comes out. It renders
//! what `present::glance` says, in its order; it decides nothing.
//!
//! Slack's limits (50 blocks, section text 3000 chars, 10 fields of 2000, header 150, context 10
//! elements, actions 25 elements, button text 75, value 2000) are enforced here for *any* plan:
//! long lists are capped and summarised ("+3 more ad sets"), every text is clipped. The layout is
//! built for a phone: the answer first, one line per ad set, the rest behind Details.

use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::brain::Response;
use crate::coordinator::Change;
use crate::present::glance::Glance;
use crate::present::{self, money, plural};

/// Most blocks in one message (Slack: 50).
pub const MAX_BLOCKS: usize = 50;
/// Longest section text (Slack: 3000).
pub const MAX_SECTION_TEXT: usize = 3000;
/// Most fields in a section (Slack: 10).
pub const MAX_FIELDS: usize = 10;
/// Longest field text (Slack: 2000).
pub const MAX_FIELD_TEXT: usize = 2000;
/// Longest header text (Slack: 150).
pub const MAX_HEADER_TEXT: usize = 150;
/// Most elements in a context block (Slack: 10).
pub const MAX_CONTEXT_ELEMENTS: usize = 10;
/// Most elements in an actions block (Slack: 25).
pub const MAX_ACTIONS: usize = 25;
/// Longest button text (Slack: 75; visibly cut near 30, so ours stay short).
pub const MAX_BUTTON_TEXT: usize = 75;
/// Longest button value (Slack: 2000).
pub const MAX_BUTTON_VALUE: usize = 2000;
/// Longest `text` fallback we send (Slack truncates at 40,000; notifications want it short).
pub const MAX_FALLBACK_TEXT: usize = 3000;

/// Ad sets shown as their own section; the rest are summarised in one line.
const SHOWN_AD_SETS: usize = 8;
/// Warnings, questions, assumptions or changes listed before "…and N more".
const SHOWN_ITEMS: usize = 8;

/// Prefix of the refinement buttons' `action_id`s.
pub const REFINE_PREFIX: &str = "adsai_refine_";
/// `action_id` of the preview's "Post to channel" button.
pub const POST_ACTION: &str = "adsai_post";
/// Prefix of a warning's fix button (`adsai_fix_<n>`); its value is [`fix_value`].
pub const FIX_PREFIX: &str = "adsai_fix_";
/// `action_id` of the Details button (value: the conversation).
pub const DETAILS_ACTION: &str = "adsai_details";
/// Overflow option that uploads the budget→reach chart (PNG) into the thread.
pub const CURVE_OPTION: &str = "curve";
/// Overflow option that uploads the plan as an xlsx workbook into the thread.
pub const EXPORT_OPTION: &str = "export";
/// `action_id` of the overflow menu (⋮); each option's value is `<what>|<conversation>`.
pub const MORE_ACTION: &str = "adsai_more";
/// Longest overflow option value (Slack: 150).
pub const MAX_OPTION_VALUE: usize = 150;

/// A refinement button: what it says and the follow-up it sends through the coordinator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refinement {
    /// Stable id, appended to [`REFINE_PREFIX`] for the `action_id`.
    pub id: &'static str,
    /// Button label.
    pub label: &'static str,
    /// The follow-up message it stands for (checked against the understanding layer).
    pub message: &'static str,
}

/// Every refinement a plan can offer; [`plan`] shows those that fit the plan.
pub const REFINEMENTS: [Refinement; 4] = [
    Refinement { id: "extend_30", label: "+30 days", message: "extend it by 30 days" },
    Refinement { id: "budget_20", label: "+20% budget", message: "increase the budget by 20%" },
    Refinement { id: "audio_only", label: "Audio only", message: "audio only" },
    Refinement { id: "undo", label: "Undo", message: "undo" },
];

/// The refinement behind an `action_id`, if it is one of ours.
pub fn refinement(action_id: &str) -> Option<Refinement> {
    let id = action_id.strip_prefix(REFINE_PREFIX)?;
    REFINEMENTS.into_iter().find(|r| r.id == id)
}

/// The refinement behind an overflow option's id ("undo").
pub fn refinement_by_id(id: &str) -> Option<Refinement> {
    REFINEMENTS.into_iter().find(|r| r.id == id)
}

/// A fix button's value: the conversation and the follow-up, as JSON.
pub fn fix_value(conversation: &str, message: &str) -> String {
    json!({"conversation": conversation, "message": message}).to_string()
}

/// The conversation and follow-up of a fix button's value.
pub fn parse_fix_value(value: &str) -> Option<(String, String)> {
    let v: Value = serde_json::from_str(value).ok()?;
    Some((v.get("conversation")?.as_str()?.to_string(), v.get("message")?.as_str()?.to_string()))
}

/// What an overflow option asks for ("details", "undo") and the conversation.
pub fn parse_more_value(value: &str) -> Option<(&str, &str)> {
    value.split_once('|')
}

/// A message ready to send: the notification fallback and the blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// Plain-text fallback (notifications, screen readers, old clients). Never empty.
    pub text: String,
    /// Block Kit blocks as JSON.
    pub blocks: Vec<Value>,
}

/// Which buttons go under a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actions {
    /// Refinement buttons acting on this conversation (their `value`). `first`: the
    /// conversation's first plan (no Undo; the hint line shown).
    Refine { conversation: String, first: bool },
    /// A slash-command preview: one button that posts the plan to the channel; `value` is what
    /// the click needs to plan it again (at most [`MAX_BUTTON_VALUE`] chars, else no button).
    Preview { value: String },
    /// No buttons.
    None,
}

/// Cuts `s` to at most `max` characters, ending with "…" when cut.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Escapes the three characters Slack's mrkdwn treats as control characters.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn mrkdwn(text: &str, max: usize) -> Value {
    json!({"type": "mrkdwn", "text": clip(text, max)})
}

fn plain(text: &str, max: usize) -> Value {
    json!({"type": "plain_text", "text": clip(text, max), "emoji": true})
}

fn header(text: &str) -> Value {
    json!({"type": "header", "text": plain(text, MAX_HEADER_TEXT)})
}

fn section(text: &str) -> Value {
    json!({"type": "section", "text": mrkdwn(text, MAX_SECTION_TEXT)})
}

fn context(items: &[String]) -> Value {
    let elements: Vec<Value> = items.iter().take(MAX_CONTEXT_ELEMENTS).map(|t| mrkdwn(t, MAX_FIELD_TEXT)).collect();
    json!({"type": "context", "elements": elements})
}

fn button(label: &str, action_id: &str, value: &str, primary: bool) -> Value {
    let mut b = json!({
        "type": "button",
        "text": plain(label, MAX_BUTTON_TEXT),
        "action_id": action_id,
        "value": clip(value, MAX_BUTTON_VALUE),
    });
    if primary {
        b["style"] = json!("primary");
    }
    b
}

/// The ⋮ menu: (label, value) options, 2 to 5 of them.
fn overflow(options: &[(&str, String)]) -> Value {
    let options: Vec<Value> = options
        .iter()
        .take(5)
        .map(|(label, value)| json!({"text": plain(label, MAX_BUTTON_TEXT), "value": clip(value, MAX_OPTION_VALUE)}))
        .collect();
    json!({"type": "overflow", "action_id": MORE_ACTION, "options": options})
}

/// A bulleted list of at most [`SHOWN_ITEMS`] lines, then "…and N more", under a bold title;
/// the whole text within the section limit.
fn bullets(title: &str, bullet: &str, items: &[String]) -> String {
    let mut s = format!("*{title}*");
    for item in items.iter().take(SHOWN_ITEMS) {
        let _ = write!(s, "\n{bullet} {}", clip(item, 280));
    }
    if items.len() > SHOWN_ITEMS {
        let _ = write!(s, "\n…and {} more", items.len() - SHOWN_ITEMS);
    }
    clip(&s, MAX_SECTION_TEXT)
}

/// One line per change of a follow-up, e.g. "Budget: €5,000 → €8,000".
pub fn change_lines(changes: &[Change], plan: &crate::plan::Plan) -> Vec<String> {
    present::changes::change_lines(changes, plan)
}

/// A one-line summary of the plan, for the metadata and logs at debug level.
pub fn summary(r: &Response) -> String {
    clip(&format!("{} · {}", present::glance::title(r), present::glance::cost_line(r)), 300)
}

/// The notification fallback of a plan: the summary in words, what changed, what needs an
/// answer.
fn fallback(g: &Glance, changes: &[Change], plan: &crate::plan::Plan) -> String {
    let mut s = present::glance::notification(g);
    if !changes.is_empty() {
        let _ = write!(s, "\nChanged: {}", change_lines(changes, plan).join("; "));
    }
    if !g.warnings.is_empty() {
        let _ = write!(s, "\n{}", plural(g.warnings.len() as i64, "warning"));
    }
    if let Some(q) = g.questions.first() {
        let _ = write!(s, "\nQuestion: {q}");
    }
    if !plan.scenarios.is_empty() {
        let options: Vec<String> = plan.scenarios.iter().map(|o| format!("option {}: {}", o.option, o.label)).collect();
        let _ = write!(s, "\nSide by side: {}", options.join("; "));
    }
    clip(&s, MAX_FALLBACK_TEXT)
}

/// The plan message, summary first: the title; what it costs and what it buys (with
/// saturation); warnings, questions and what was not used, with fix buttons; what changed;
/// one line per ad set; the rest of the brief and what was assumed; and the buttons that fit
/// the plan. Ranges, evidence and per-ad-set forecasts are behind Details ([`details`]).
pub fn plan(r: &Response, changes: &[Change], actions: &Actions) -> Rendered {
    let p = &r.plan;
    let g = present::glance::glance(r);
    let mut blocks = vec![header(&g.title)];
    let mut summary = format!("*{}*", esc(&g.cost));
    if let Some(b) = &g.buys {
        let _ = write!(summary, "\n{}", esc(b));
    }
    if let Some(s) = &g.saturation {
        let _ = write!(summary, "\n:warning: {}", esc(s));
    }
    if let Some(e) = &g.empty {
        let _ = write!(summary, "\n{}", esc(e));
    }
    blocks.push(section(&summary));
    // What needs a look comes right under the summary.
    let mut attention: Vec<String> = g.warnings.iter().map(|w| format!(":warning: {}", esc(&w.text))).collect();
    attention.extend(g.questions.iter().map(|q| format!(":question: {}", esc(q))));
    attention.extend(g.not_used.iter().map(|n| format!(":grey_question: {}", esc(n))));
    if !attention.is_empty() {
        let mut s = attention.iter().take(SHOWN_ITEMS).map(|l| clip(l, 300)).collect::<Vec<_>>().join("\n");
        if attention.len() > SHOWN_ITEMS {
            let _ = write!(s, "\n…and {} more", attention.len() - SHOWN_ITEMS);
        }
        blocks.push(section(&s));
    }
    if let Actions::Refine { conversation, .. } = actions {
        let fixes: Vec<Value> = g
            .warnings
            .iter()
            .filter_map(|w| w.fix.as_ref())
            .enumerate()
            .take(5)
            .map(|(i, f)| button(&f.label, &format!("{FIX_PREFIX}{i}"), &fix_value(conversation, &f.message), false))
            .collect();
        if !fixes.is_empty() {
            blocks.push(json!({"type": "actions", "block_id": "adsai_fix", "elements": fixes}));
        }
    }
    scenario_blocks(r, actions, &mut blocks);
    if !changes.is_empty() {
        let lines: Vec<String> = change_lines(changes, p).iter().map(|l| esc(l)).collect();
        blocks.push(section(&bullets("What changed", "•", &lines)));
    }
    if !g.ad_sets.is_empty() {
        let mut lines: Vec<String> = g.ad_sets.iter().take(SHOWN_AD_SETS).map(|l| esc(&clip(l, 200))).collect();
        if p.ad_sets.len() > SHOWN_AD_SETS {
            let rest = &p.ad_sets[SHOWN_AD_SETS..];
            let budget: f64 = rest.iter().map(|a| a.budget).sum();
            lines.push(format!("+{} · {}", plural(rest.len() as i64, "more ad set"), money(budget, &p.currency)));
        }
        blocks.push(section(&clip(&lines.join("\n"), MAX_SECTION_TEXT)));
    }
    let mut notes: Vec<String> = Vec::new();
    if !g.brief.is_empty() {
        notes.push(esc(&clip(&g.brief.join(" · "), 600)));
    }
    if !g.assumptions.is_empty() {
        let shown: Vec<String> = g.assumptions.iter().take(SHOWN_ITEMS).map(|a| clip(a, 200)).collect();
        let mut s = format!("Assumed: {}", shown.join("; "));
        if g.assumptions.len() > SHOWN_ITEMS {
            let _ = write!(s, "; …and {} more", g.assumptions.len() - SHOWN_ITEMS);
        }
        notes.push(esc(&s));
    }
    if !notes.is_empty() {
        blocks.push(context(&notes));
    }
    match actions {
        Actions::Refine { conversation, first } => {
            let mut elements = Vec::new();
            let mut show = |id: &str| {
                if let Some(x) = refinement_by_id(id) {
                    elements.push(button(x.label, &format!("{REFINE_PREFIX}{}", x.id), conversation, false));
                }
            };
            if !p.ad_sets.is_empty() {
                show("extend_30");
                if !g.saturated {
                    show("budget_20");
                }
                if g.audio_only_fits {
                    show("audio_only");
                }
            }
            // Details, the curve and the export only when there is a plan to show; Undo only
            // after a change. All behind one overflow menu (⋮).
            let undo = refinement_by_id("undo").filter(|_| !*first);
            match (p.ad_sets.is_empty(), undo) {
                (false, undo) => {
                    let mut options = vec![("Details", format!("details|{conversation}"))];
                    if !p.curve.is_empty() {
                        options.push(("Curve (chart)", format!("{CURVE_OPTION}|{conversation}")));
                    }
                    options.push(("Export (xlsx)", format!("{EXPORT_OPTION}|{conversation}")));
                    if let Some(u) = undo {
                        options.push((u.label, format!("{}|{conversation}", u.id)));
                    }
                    elements.push(overflow(&options));
                }
                (true, Some(u)) => {
                    elements.push(button(u.label, &format!("{REFINE_PREFIX}{}", u.id), conversation, false))
                }
                (true, None) => {}
            }
            if !elements.is_empty() {
                blocks.push(json!({"type": "actions", "block_id": "adsai_refine", "elements": elements}));
            }
            if *first {
                blocks.push(context(&[
                    "Reply in this thread to change the plan, e.g. _make it 8k_ or _add Austria_.".into()
                ]));
            }
        }
        Actions::Preview { value } if value.chars().count() <= MAX_BUTTON_VALUE => {
            let elements = vec![button("Post to channel", POST_ACTION, value, true)];
            blocks.push(json!({"type": "actions", "block_id": "adsai_preview", "elements": elements}));
            blocks.push(context(&["Only you can see this preview.".into()]));
        }
        Actions::Preview { .. } => {
            blocks.push(context(&[
                "Only you can see this preview. Mention me in a channel to share a plan this long.".into(),
            ]));
        }
        Actions::None => {}
    }
    blocks.truncate(MAX_BLOCKS);
    Rendered { text: fallback(&g, changes, p), blocks }
}

/// Prefix of a scenario's "Use option N" button (`adsai_fix_option_<n>`): it sends the
/// message "use option N" like a fix button.
pub const OPTION_PREFIX: &str = "adsai_fix_option_";

/// The scenarios side by side: the table as preformatted text (the same table the CLI prints)
/// and a "Use option N" button per option.
fn scenario_blocks(r: &Response, actions: &Actions, blocks: &mut Vec<Value>) {
    let Some(t) = present::scenarios::table(r) else { return };
    let table = clip(&present::scenarios::aligned(&t), MAX_SECTION_TEXT - 40);
    blocks.push(section(&format!("*Side by side*\n```\n{}\n```", esc(&table))));
    if let Actions::Refine { conversation, .. } = actions {
        let buttons: Vec<Value> = r
            .plan
            .scenarios
            .iter()
            .map(|s| {
                let message = present::scenarios::choose_message(s.option);
                let value = fix_value(conversation, &message);
                button(&format!("Use option {}", s.option), &format!("{OPTION_PREFIX}{}", s.option), &value, false)
            })
            .collect();
        blocks.push(json!({"type": "actions", "block_id": "adsai_options", "elements": buttons}));
    }
}

/// The Details of a plan, posted in its thread: the forecast with its ranges, the brief as
/// understood, every assumption, and each ad set's forecast and evidence.
pub fn details(r: &Response) -> Rendered {
    let g = present::glance::glance(r);
    let d = &g.details;
    let mut blocks = vec![header(&format!("Details · {}", g.title))];
    let mut top: Vec<String> = d.brief.iter().map(|(k, v)| format!("*{}:* {}", esc(k), esc(v))).collect();
    top.extend(d.forecast.iter().map(|l| esc(l)));
    blocks.push(section(&clip(&top.join("\n"), MAX_SECTION_TEXT)));
    // Leave room for the summary lines around the ad sets.
    let room = MAX_BLOCKS - 4;
    for a in d.ad_sets.iter().take(room) {
        let text = format!(
            "*{}*\n{}",
            esc(&clip(&a.name, 150)),
            a.lines.iter().map(|l| esc(l)).collect::<Vec<_>>().join("\n")
        );
        blocks.push(section(&clip(&text, MAX_SECTION_TEXT)));
    }
    if d.ad_sets.len() > room {
        blocks.push(context(&[format!("+{} not shown", plural((d.ad_sets.len() - room) as i64, "ad set"))]));
    }
    if !d.assumptions.is_empty() {
        let items: Vec<String> = d.assumptions.iter().map(|a| esc(a)).collect();
        blocks.push(section(&bullets("Assumed", "·", &items)));
    }
    blocks.truncate(MAX_BLOCKS);
    let text = clip(&format!("Details of {}", g.title), MAX_FALLBACK_TEXT);
    Rendered { text, blocks }
}

/// The first reply and its updates while the specialists work: `done` are the finished
/// specialists (name and whether it succeeded).
pub fn progress(done: &[(String, bool)]) -> Rendered {
    let mut lines = String::from("*Planning…* :hourglass_flowing_sand:");
    if !done.is_empty() {
        let items: Vec<String> =
            done.iter().map(|(n, ok)| if *ok { format!("✓ {n}") } else { format!("✗ {n} (skipped)") }).collect();
        let _ = write!(lines, "\n{}", items.join("  "));
    }
    Rendered { text: "Planning…".into(), blocks: vec![section(&lines)] }
}

/// A short notice (usage hint, decline, error) as one section.
pub fn notice(text: &str) -> Rendered {
    Rendered { text: clip(text, MAX_FALLBACK_TEXT), blocks: vec![section(text)] }
}

/// The usage hint for an empty mention.
pub fn usage(bot_user: &str) -> Rendered {
    notice(&format!(
        "Tell me about the campaign and I'll plan it, e.g.\n>`<@{bot_user}> grow awareness among 18–24s in Germany, €5k, 30 days`\nThen reply in the thread to refine it (_make it 8k_, _add Austria_, _no video_). `/adsai <brief>` gives a private quick plan."
    ))
}

/// Checks a message against Slack's Block Kit limits; the list of problems (empty when fine).
/// Used by the tests and as a last guard before sending.
pub fn check_limits(r: &Rendered) -> Vec<String> {
    let mut errs = Vec::new();
    let count = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    if r.text.trim().is_empty() {
        errs.push("empty text fallback".into());
    }
    if r.blocks.len() > MAX_BLOCKS {
        errs.push(format!("{} blocks", r.blocks.len()));
    }
    for (i, b) in r.blocks.iter().enumerate() {
        match b["type"].as_str().unwrap_or_default() {
            "header" if count(&b["text"]["text"]) > MAX_HEADER_TEXT => errs.push(format!("block {i}: header too long")),
            "section" => {
                let t = count(&b["text"]["text"]);
                if b.get("text").is_some() && (t == 0 || t > MAX_SECTION_TEXT) {
                    errs.push(format!("block {i}: section text {t} chars"));
                }
                let fields = b["fields"].as_array().map(Vec::as_slice).unwrap_or_default();
                if fields.len() > MAX_FIELDS {
                    errs.push(format!("block {i}: {} fields", fields.len()));
                }
                if fields.iter().any(|f| count(&f["text"]) > MAX_FIELD_TEXT || count(&f["text"]) == 0) {
                    errs.push(format!("block {i}: field text out of bounds"));
                }
                if b.get("text").is_none() && fields.is_empty() {
                    errs.push(format!("block {i}: empty section"));
                }
            }
            "context" if b["elements"].as_array().map_or(0, Vec::len) > MAX_CONTEXT_ELEMENTS => {
                errs.push(format!("block {i}: too many context elements"))
            }
            "actions" => {
                let els = b["elements"].as_array().map(Vec::as_slice).unwrap_or_default();
                if els.len() > MAX_ACTIONS {
                    errs.push(format!("block {i}: {} actions", els.len()));
                }
                for e in els {
                    if e["type"] == "overflow" {
                        let opts = e["options"].as_array().map(Vec::as_slice).unwrap_or_default();
                        if !(2..=5).contains(&opts.len())
                            || opts.iter().any(|o| {
                                count(&o["text"]["text"]) > MAX_BUTTON_TEXT || count(&o["value"]) > MAX_OPTION_VALUE
                            })
                        {
                            errs.push(format!("block {i}: overflow menu out of bounds"));
                        }
                    } else if count(&e["text"]["text"]) > MAX_BUTTON_TEXT || count(&e["value"]) > MAX_BUTTON_VALUE {
                        errs.push(format!("block {i}: button out of bounds"));
                    }
                }
            }
            _ => {}
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_is_char_safe() {
        assert_eq!(clip("héllo", 10), "héllo");
        assert_eq!(clip("héllo wörld", 5), "héll…");
        assert_eq!(clip("ab", 0), "…");
    }

    #[test]
    fn refinements_round_trip_their_action_ids() {
        for r in REFINEMENTS {
            assert_eq!(refinement(&format!("{REFINE_PREFIX}{}", r.id)), Some(r));
            assert_eq!(refinement_by_id(r.id), Some(r));
            assert!(r.label.chars().count() <= 30);
        }
        assert_eq!(refinement("adsai_post"), None);
        let v = fix_value("slack:T1:C1:1.2", "budget 250 USD");
        assert_eq!(parse_fix_value(&v), Some(("slack:T1:C1:1.2".into(), "budget 250 USD".into())));
        assert_eq!(parse_more_value("undo|slack:T1:C1:1.2"), Some(("undo", "slack:T1:C1:1.2")));
    }

    #[test]
    fn notices_and_progress_are_within_limits() {
        assert!(check_limits(&usage("U1")).is_empty());
        assert!(check_limits(&progress(&[("goal".into(), true), ("budget".into(), false)])).is_empty());
        assert!(check_limits(&notice(&"x".repeat(10_000))).is_empty());
    }
}
