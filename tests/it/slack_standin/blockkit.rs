//! Block Kit validation: Slack's documented message limits, checked on every message-writing
//! call (a violation is Slack's `invalid_blocks` answer), and the metadata check.

use std::collections::HashSet;

use serde_json::Value;

/// Checks `blocks` against Slack's documented message limits. Returns Slack-style error
/// strings (`"… [json-pointer:/blocks/0/text/text]"`); empty means valid. Unknown block types
/// pass (Slack keeps adding them).
pub fn validate_blocks(blocks: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    let Some(arr) = blocks.as_array() else {
        errs.push("must be an array [json-pointer:/blocks]".into());
        return errs;
    };
    if arr.len() > 50 {
        errs.push(format!("must provide at most 50 items, got {} [json-pointer:/blocks]", arr.len()));
    }
    let mut block_ids = HashSet::new();
    let mut action_ids = HashSet::new();
    for (i, b) in arr.iter().enumerate() {
        let p = format!("/blocks/{i}");
        let Some(ty) = b.get("type").and_then(Value::as_str) else {
            errs.push(format!("missing required field: type [json-pointer:{p}]"));
            continue;
        };
        if let Some(id) = b.get("block_id") {
            match id.as_str() {
                Some(s) if s.chars().count() <= 255 => {
                    if !block_ids.insert(s.to_string()) {
                        errs.push(format!("duplicate block_id {s} [json-pointer:{p}/block_id]"));
                    }
                }
                _ => errs.push(format!("must be a string of at most 255 characters [json-pointer:{p}/block_id]")),
            }
        }
        match ty {
            "section" => {
                let text = b.get("text");
                let fields = b.get("fields");
                if text.is_none() && fields.is_none() {
                    errs.push(format!("must provide either text or fields [json-pointer:{p}]"));
                }
                if let Some(t) = text {
                    check_text(t, &format!("{p}/text"), 1, 3000, false, &mut errs);
                }
                if let Some(f) = fields {
                    match f.as_array() {
                        Some(fs) => {
                            if fs.len() > 10 {
                                errs.push(format!("must provide at most 10 items [json-pointer:{p}/fields]"));
                            }
                            for (j, t) in fs.iter().enumerate() {
                                check_text(t, &format!("{p}/fields/{j}"), 1, 2000, false, &mut errs);
                            }
                        }
                        None => errs.push(format!("must be an array [json-pointer:{p}/fields]")),
                    }
                }
                if let Some(acc) = b.get("accessory") {
                    check_element(acc, &format!("{p}/accessory"), &mut action_ids, &mut errs);
                }
            }
            "header" => match b.get("text") {
                Some(t) => check_text(t, &format!("{p}/text"), 1, 150, true, &mut errs),
                None => errs.push(format!("missing required field: text [json-pointer:{p}]")),
            },
            "context" => match b.get("elements").and_then(Value::as_array) {
                Some(els) if !els.is_empty() && els.len() <= 10 => {
                    for (j, el) in els.iter().enumerate() {
                        if matches!(el.get("type").and_then(Value::as_str), Some("plain_text" | "mrkdwn")) {
                            check_text(el, &format!("{p}/elements/{j}"), 1, 3000, false, &mut errs);
                        }
                    }
                }
                _ => errs.push(format!("must provide 1 to 10 elements [json-pointer:{p}/elements]")),
            },
            "actions" => match b.get("elements").and_then(Value::as_array) {
                Some(els) if !els.is_empty() && els.len() <= 25 => {
                    for (j, el) in els.iter().enumerate() {
                        check_element(el, &format!("{p}/elements/{j}"), &mut action_ids, &mut errs);
                    }
                }
                _ => errs.push(format!("must provide 1 to 25 elements [json-pointer:{p}/elements]")),
            },
            "markdown" => match b.get("text").and_then(Value::as_str) {
                Some(s) if s.chars().count() <= 12_000 => {}
                _ => errs.push(format!("must be a string of at most 12000 characters [json-pointer:{p}/text]")),
            },
            "image" if b.get("alt_text").and_then(Value::as_str).is_none() => {
                errs.push(format!("missing required field: alt_text [json-pointer:{p}]"));
            }
            _ => {}
        }
    }
    errs
}

pub(super) fn check_text(t: &Value, p: &str, min: usize, max: usize, plain_only: bool, errs: &mut Vec<String>) {
    let ty = t.get("type").and_then(Value::as_str);
    match ty {
        Some("plain_text") => {}
        Some("mrkdwn") if !plain_only => {}
        _ => {
            let allowed = if plain_only { "plain_text" } else { "plain_text, mrkdwn" };
            errs.push(format!("must be one of [{allowed}] [json-pointer:{p}/type]"));
        }
    }
    match t.get("text").and_then(Value::as_str) {
        Some(s) => {
            let n = s.chars().count();
            if n < min {
                errs.push(format!("must be more than {} characters [json-pointer:{p}/text]", min - 1));
            }
            if n > max {
                errs.push(format!("must be less than {} characters [json-pointer:{p}/text]", max + 1));
            }
        }
        None => errs.push(format!("missing required field: text [json-pointer:{p}]")),
    }
}

pub(super) fn check_element(el: &Value, p: &str, action_ids: &mut HashSet<String>, errs: &mut Vec<String>) {
    if let Some(a) = el.get("action_id") {
        match a.as_str() {
            Some(s) if s.chars().count() <= 255 => {
                if !action_ids.insert(s.to_string()) {
                    errs.push(format!("duplicate action_id {s} [json-pointer:{p}/action_id]"));
                }
            }
            _ => errs.push(format!("must be a string of at most 255 characters [json-pointer:{p}/action_id]")),
        }
    }
    if el.get("type").and_then(Value::as_str) == Some("overflow") {
        match el.get("options").and_then(Value::as_array) {
            Some(opts) if (2..=5).contains(&opts.len()) => {
                for (j, o) in opts.iter().enumerate() {
                    match o.get("text") {
                        Some(t) => check_text(t, &format!("{p}/options/{j}/text"), 1, 75, true, errs),
                        None => errs.push(format!("missing required field: text [json-pointer:{p}/options/{j}]")),
                    }
                    if o.get("value").and_then(Value::as_str).is_none_or(|v| v.is_empty() || v.chars().count() > 150) {
                        errs.push(format!(
                            "must be a string of 1 to 150 characters [json-pointer:{p}/options/{j}/value]"
                        ));
                    }
                }
            }
            _ => errs.push(format!("must provide 2 to 5 options [json-pointer:{p}/options]")),
        }
        return;
    }
    if el.get("type").and_then(Value::as_str) != Some("button") {
        return;
    }
    match el.get("text") {
        Some(t) => check_text(t, &format!("{p}/text"), 1, 75, true, errs),
        None => errs.push(format!("missing required field: text [json-pointer:{p}]")),
    }
    for (field, max) in [("value", 2000), ("url", 3000), ("accessibility_label", 75)] {
        if el.get(field).is_some_and(|v| v.as_str().is_none_or(|s| s.chars().count() > max)) {
            errs.push(format!("must be a string of at most {max} characters [json-pointer:{p}/{field}]"));
        }
    }
}

/// Keys of `metadata.event_payload` whose values are not strings.
pub(super) fn non_string_metadata_keys(metadata: &Value) -> Vec<String> {
    metadata
        .get("event_payload")
        .and_then(Value::as_object)
        .map(|o| o.iter().filter(|(_, v)| !v.is_string()).map(|(k, _)| k.clone()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn blocks_limits() {
        assert!(validate_blocks(&json!([{"type": "divider"}])).is_empty());
        let many: Vec<Value> = (0..51).map(|_| json!({"type": "divider"})).collect();
        assert_eq!(validate_blocks(&Value::Array(many)).len(), 1);
        let header = json!([{"type": "header", "text": {"type": "plain_text", "text": "x".repeat(151)}}]);
        assert_eq!(validate_blocks(&header).len(), 1);
        let header_md = json!([{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}]);
        assert_eq!(validate_blocks(&header_md).len(), 1);
        let section = json!([{"type": "section", "text": {"type": "mrkdwn", "text": "x".repeat(3001)}}]);
        assert_eq!(validate_blocks(&section).len(), 1);
        let fields: Vec<Value> = (0..11).map(|_| json!({"type": "mrkdwn", "text": "f"})).collect();
        assert_eq!(validate_blocks(&json!([{"type": "section", "fields": fields}])).len(), 1);
        let button = json!([{"type": "actions", "elements": [
            {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "x".repeat(76)}}]}]);
        assert_eq!(validate_blocks(&button).len(), 1);
        let dup = json!([{"type": "divider", "block_id": "b"}, {"type": "divider", "block_id": "b"}]);
        assert_eq!(validate_blocks(&dup).len(), 1);
        let empty_section = json!([{"type": "section", "text": {"type": "mrkdwn", "text": ""}}]);
        assert_eq!(validate_blocks(&empty_section).len(), 1);
        let opt = |v: &str| json!({"text": {"type": "plain_text", "text": "Undo"}, "value": v});
        let menu = |opts: Vec<Value>| {
            json!([{"type": "actions", "elements": [
            {"type": "overflow", "action_id": "m", "options": opts}]}])
        };
        assert!(validate_blocks(&menu(vec![opt("a"), opt("b")])).is_empty());
        assert_eq!(validate_blocks(&menu(vec![opt("a")])).len(), 1, "one option is too few");
        assert_eq!(validate_blocks(&menu(vec![opt("a"); 6])).len(), 1, "six are too many");
        assert_eq!(validate_blocks(&menu(vec![opt("a"), opt(&"v".repeat(151))])).len(), 1, "value over 150");
    }
}
