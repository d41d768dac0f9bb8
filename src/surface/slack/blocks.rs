//! Block Kit rendering of plans, progress and notices for the Slack surface.
//!
//! Everything here is pure: a [`Response`] (plus the changes of a follow-up) goes in, a
//! [`Rendered`] message — a plain `text` fallback and the blocks as JSON — comes out. It renders;
//! it decides nothing (every figure comes from the plan).
//!
//! Slack's limits (50 blocks, section text 3000 chars, 10 fields of 2000, header 150, context 10
//! elements, actions 25 elements, button text 75, value 2000) are enforced here for *any* plan:
//! long lists are capped and summarised ("+3 more ad sets"), every text is clipped. The layout is
//! built for a phone: short lines, two-column `fields`, one section per ad set.

use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::brain::Response;
use crate::brief::Brief;
use crate::coordinator::Change;
use crate::plan::{AdSet, Plan, Range};
use crate::present::{age_label, budget_label, compact, location_label, money};

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

/// The buttons under every plan in a thread.
pub const REFINEMENTS: [Refinement; 4] = [
    Refinement { id: "extend_30", label: "+30 days", message: "extend it by 30 days" },
    Refinement { id: "budget_20", label: "+20 % budget", message: "increase the budget by 20%" },
    Refinement { id: "audio_only", label: "Audio only", message: "audio only" },
    Refinement { id: "undo", label: "Undo", message: "undo" },
];

/// The refinement behind an `action_id`, if it is one of ours.
pub fn refinement(action_id: &str) -> Option<Refinement> {
    let id = action_id.strip_prefix(REFINE_PREFIX)?;
    REFINEMENTS.into_iter().find(|r| r.id == id)
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
    /// Refinement buttons acting on this conversation (their `value`).
    Refine { conversation: String },
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

fn range(r: &Range) -> String {
    format!("{}–{}", compact(r.low), compact(r.high))
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

fn section_fields(text: Option<&str>, fields: &[(String, String)]) -> Value {
    let fields: Vec<Value> =
        fields.iter().take(MAX_FIELDS).map(|(k, v)| mrkdwn(&format!("*{}*\n{}", esc(k), v), MAX_FIELD_TEXT)).collect();
    let mut b = json!({"type": "section", "fields": fields});
    if let Some(t) = text {
        b["text"] = mrkdwn(t, MAX_SECTION_TEXT);
    }
    b
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

fn ages(brief: &Brief) -> String {
    age_label(&brief.audience)
}

fn objective(r: &Response) -> String {
    match (r.brief.objective, r.plan.objective) {
        (Some(o), _) => o.label().to_string(),
        (None, Some(o)) => format!("{} (assumed)", o.label()),
        (None, None) => "—".to_string(),
    }
}

fn places(brief: &Brief) -> String {
    let all: Vec<String> = brief.audience.locations.iter().map(location_label).collect();
    if all.is_empty() {
        return "default market (assumed)".into();
    }
    let shown: Vec<&str> = all.iter().take(6).map(String::as_str).collect();
    let mut s = shown.join(", ");
    if all.len() > 6 {
        let _ = write!(s, " +{} more", all.len() - 6);
    }
    s
}

fn budget(r: &Response) -> String {
    match (&r.brief.budget, r.plan.budget.as_ref()) {
        (Some(b), _) => budget_label(b),
        (None, Some(p)) => format!("{} (recommended)", money(p.total, &r.plan.currency)),
        (None, None) => "—".into(),
    }
}

fn flight(r: &Response) -> String {
    match r.plan.schedule.as_ref() {
        Some(p) => {
            let note = if p.recommended { ", recommended" } else { "" };
            format!("{} → {}\n({} days{note})", p.start.format("%b %-d %Y"), p.end.format("%b %-d %Y"), p.days)
        }
        None => "—".into(),
    }
}

fn formats(brief: &Brief) -> Option<String> {
    let f = &brief.formats;
    let mut parts = Vec::new();
    if !f.include.is_empty() {
        parts.push(format!("only {}", f.include.iter().map(|x| x.id().to_lowercase()).collect::<Vec<_>>().join(" + ")));
    }
    if !f.exclude.is_empty() {
        parts.push(format!("no {}", f.exclude.iter().map(|x| x.id().to_lowercase()).collect::<Vec<_>>().join(", ")));
    }
    for (x, share) in &f.max_share {
        parts.push(format!("{} ≤ {:.0} %", x.id().to_lowercase(), share * 100.0));
    }
    if !f.placements.is_empty() {
        parts
            .push(format!("on {}", f.placements.iter().map(|x| x.id().to_lowercase()).collect::<Vec<_>>().join(" + ")));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The resolved brief as (label, value) pairs, at most [`MAX_FIELDS`].
fn brief_fields(r: &Response) -> Vec<(String, String)> {
    let b = &r.brief;
    let mut who = ages(b);
    if !b.audience.genders.is_empty() {
        let g: Vec<String> = b.audience.genders.iter().map(|g| g.id().to_lowercase().replace('_', "-")).collect();
        let _ = write!(who, ", {}", g.join(" + "));
    }
    let mut fields = vec![
        ("Objective".to_string(), esc(&objective(r))),
        ("Where".to_string(), esc(&places(b))),
        ("Who".to_string(), esc(&who)),
        ("Budget".to_string(), esc(&budget(r))),
        ("Flight".to_string(), flight(r)),
    ];
    if let Some(f) = formats(b) {
        fields.push(("Formats".into(), esc(&f)));
    }
    let mut interests: Vec<String> = Vec::new();
    for list in [&b.audience.interests, &b.audience.genres, &b.audience.contexts, &b.audience.podcast_topics] {
        interests.extend(list.iter().map(|x| x.replace('_', " ")));
    }
    if !interests.is_empty() {
        fields.push(("Interests".into(), esc(&clip(&interests.join(", "), 300))));
    }
    if !b.audience.languages.is_empty() {
        fields.push(("Languages".into(), esc(&b.audience.languages.join(", "))));
    }
    if !b.audience.platforms.is_empty() {
        let p: Vec<&str> = b.audience.platforms.iter().map(|p| p.id()).collect();
        fields.push(("Platforms".into(), p.join(", ")));
    }
    fields.truncate(MAX_FIELDS);
    fields
}

fn kpi_label(metric: &str) -> String {
    let m = metric.replace('_', " ");
    let mut c = m.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => "KPI".into(),
    }
}

fn ad_set_block(a: &AdSet, currency: &str) -> Value {
    let e = &a.evidence;
    let f = &a.forecast;
    let title =
        format!("*{}*\n{} · {:.0} % of budget", esc(&clip(&a.name, 120)), money(a.budget, currency), a.share * 100.0);
    let mut fields = vec![
        ("CPM".to_string(), money(a.bid_cpm, currency)),
        ("Impressions".to_string(), format!("{} ({})", compact(f.impressions.mid), range(&f.impressions))),
        ("Reach".to_string(), format!("{} ({})", compact(f.reach.mid), range(&f.reach))),
    ];
    if f.kpi.metric != "reach" && f.kpi.metric != "impressions" && !f.kpi.metric.is_empty() {
        fields.push((
            kpi_label(&f.kpi.metric),
            format!("{} at {} each", compact(f.kpi.count.mid), money(f.kpi.cost_per.mid, currency)),
        ));
    }
    fields.push((
        "Evidence".to_string(),
        format!("{} ad sets, {} advertisers ({})", e.ad_sets, e.advertisers, esc(&e.level.replace('_', " "))),
    ));
    section_fields(Some(&title), &fields)
}

fn forecast_block(p: &Plan) -> Option<Value> {
    let f = p.forecast.as_ref()?;
    if p.ad_sets.is_empty() {
        return None;
    }
    let mut fields = vec![
        ("Impressions".to_string(), format!("{} ({})", compact(f.impressions.mid), range(&f.impressions))),
        (
            "Reach".to_string(),
            format!("{} ({}) of {}", compact(f.reach.mid), range(&f.reach), compact(f.audience_size as f64)),
        ),
        ("Frequency".to_string(), format!("{:.1}", f.frequency.mid)),
        ("Clicks".to_string(), compact(f.clicks.mid)),
        ("CPM".to_string(), money(f.cpm.mid, &p.currency)),
    ];
    if f.kpi.metric != "reach" && f.kpi.metric != "impressions" && f.kpi.metric != "clicks" && !f.kpi.metric.is_empty()
    {
        fields.push((
            kpi_label(&f.kpi.metric),
            format!("{} at {} each", compact(f.kpi.count.mid), money(f.kpi.cost_per.mid, &p.currency)),
        ));
    }
    fields.push((
        "Delivery".to_string(),
        if f.likely_to_deliver { "likely in full".to_string() } else { "unlikely in full".to_string() },
    ));
    Some(section_fields(Some("*Forecast*"), &fields))
}

fn change_value(field: &str, v: &Value, currency: &str) -> String {
    match v {
        Value::Null => "—".into(),
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or_default();
            match field {
                "budget" | "daily_spend" => money(x, currency),
                "reach" => compact(x),
                "frequency" => format!("{x:.1}"),
                _ => format!("{x}"),
            }
        }
        Value::String(s) => esc(s),
        other => esc(&other.to_string()),
    }
}

/// One line per change of a follow-up, e.g. "Budget: EUR 5,000 → EUR 6,000".
pub fn change_lines(changes: &[Change], currency: &str) -> Vec<String> {
    changes
        .iter()
        .map(|c| {
            let label = kpi_label(&c.field);
            format!(
                "{label}: {} → {}",
                change_value(&c.field, &c.from, currency),
                change_value(&c.field, &c.to, currency)
            )
        })
        .collect()
}

/// A one-line summary of the brief, for the metadata, the fallback text and logs at debug level.
pub fn summary(r: &Response) -> String {
    let planned = r.brief.objective.or(r.plan.objective);
    let mut parts = vec![planned.map_or("—", |o| o.id()).to_string()];
    let countries = r.brief.audience.countries();
    if !countries.is_empty() {
        let mut c = countries.iter().take(6).copied().collect::<Vec<_>>().join("+");
        if countries.len() > 6 {
            let _ = write!(c, "+{} more", countries.len() - 6);
        }
        parts.push(c);
    }
    parts.push(ages(&r.brief));
    if let Some(b) = r.plan.budget.as_ref() {
        parts.push(money(b.total, &r.plan.currency));
    }
    if let Some(s) = r.plan.schedule.as_ref() {
        parts.push(format!("{} days from {}", s.days, s.start));
    }
    if let Some(f) = formats(&r.brief) {
        parts.push(f);
    }
    clip(&parts.join(" · "), 300)
}

/// The notification fallback of a plan.
fn fallback(r: &Response, changes: &[Change]) -> String {
    let mut s = format!("Media plan: {}", summary(r));
    let p = &r.plan;
    let _ = write!(s, " · {} ad set{}", p.ad_sets.len(), if p.ad_sets.len() == 1 { "" } else { "s" });
    if let Some(f) = p.forecast.as_ref().filter(|_| !p.ad_sets.is_empty()) {
        let _ = write!(s, " · reach {}", compact(f.reach.mid));
    }
    if !changes.is_empty() {
        let _ = write!(s, "\nChanged: {}", change_lines(changes, &p.currency).join("; "));
    }
    if !p.warnings.is_empty() {
        let _ = write!(s, "\n{} warning{}", p.warnings.len(), if p.warnings.len() == 1 { "" } else { "s" });
    }
    if !p.questions.is_empty() {
        let _ = write!(s, "\nQuestion: {}", p.questions[0].message);
    }
    clip(&s, MAX_FALLBACK_TEXT)
}

/// The plan message: header, what changed, the brief with its assumptions, one section per ad
/// set, the forecast, warnings and questions, and the buttons.
pub fn plan(r: &Response, changes: &[Change], actions: &Actions) -> Rendered {
    let p = &r.plan;
    let mut blocks = Vec::new();
    let where_ = r.brief.audience.countries();
    let title = match where_.len() {
        0 => format!("Media plan · {}", objective(r)),
        1..=3 => format!("Media plan · {} · {}", objective(r), where_.join(", ")),
        n => format!("Media plan · {} · {} markets", objective(r), n),
    };
    blocks.push(header(&title));
    if !changes.is_empty() {
        blocks.push(section(&bullets("What changed", "•", &change_lines(changes, &p.currency))));
    }
    blocks.push(section_fields(None, &brief_fields(r)));
    if !p.assumptions.is_empty() {
        let items: Vec<String> = p.assumptions.iter().map(|a| esc(&a.message)).collect();
        blocks.push(section(&bullets("Assumed", "·", &items)));
    }
    blocks.push(json!({"type": "divider"}));
    if p.ad_sets.is_empty() {
        blocks.push(section("*No ad sets*\nNothing in this brief can be planned yet — see the warnings."));
    } else {
        blocks.push(section(&format!(
            "*{} ad set{}* ({})",
            p.ad_sets.len(),
            if p.ad_sets.len() == 1 { "" } else { "s" },
            esc(&p.currency)
        )));
        for a in p.ad_sets.iter().take(SHOWN_AD_SETS) {
            blocks.push(ad_set_block(a, &p.currency));
        }
        if p.ad_sets.len() > SHOWN_AD_SETS {
            let rest = &p.ad_sets[SHOWN_AD_SETS..];
            let budget: f64 = rest.iter().map(|a| a.budget).sum();
            let share: f64 = rest.iter().map(|a| a.share).sum();
            blocks.push(context(&[format!(
                "+{} more ad set{} · {} ({:.0} % of budget)",
                rest.len(),
                if rest.len() == 1 { "" } else { "s" },
                money(budget, &p.currency),
                share * 100.0
            )]));
        }
        if let Some(f) = forecast_block(p) {
            blocks.push(json!({"type": "divider"}));
            blocks.push(f);
        }
    }
    if !p.warnings.is_empty() {
        let items: Vec<String> = p.warnings.iter().map(|w| esc(&w.message)).collect();
        blocks.push(section(&bullets("Warnings", ":warning:", &items)));
    }
    if !p.questions.is_empty() {
        let items: Vec<String> = p.questions.iter().map(|q| esc(&q.message)).collect();
        blocks.push(section(&bullets("Questions", "?", &items)));
    }
    match actions {
        Actions::Refine { conversation } => {
            let elements: Vec<Value> = REFINEMENTS
                .iter()
                .take(MAX_ACTIONS)
                .map(|x| button(x.label, &format!("{REFINE_PREFIX}{}", x.id), conversation, false))
                .collect();
            blocks.push(json!({"type": "actions", "block_id": "adsai_refine", "elements": elements}));
            blocks.push(context(&[
                "Reply in this thread to change the plan, e.g. _make it 8k_ or _add Austria_.".into()
            ]));
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
    Rendered { text: fallback(r, changes), blocks }
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
                    if count(&e["text"]["text"]) > MAX_BUTTON_TEXT || count(&e["value"]) > MAX_BUTTON_VALUE {
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
            assert!(r.label.chars().count() <= 30);
        }
        assert_eq!(refinement("adsai_post"), None);
    }

    #[test]
    fn notices_and_progress_are_within_limits() {
        assert!(check_limits(&usage("U1")).is_empty());
        assert!(check_limits(&progress(&[("goal".into(), true), ("budget".into(), false)])).is_empty());
        assert!(check_limits(&notice(&"x".repeat(10_000))).is_empty());
    }
}
