//! The not-understood report: the content words of a message that no specialist read.
//!
//! Every finding lists the byte ranges of [`Text::norm`] its specialist read (`spans`). What no
//! span covers, no cue of the router's vocabulary covers, and the stopword table does not excuse
//! is reported, in runs of neighbouring words ("Not used: 'vibes check'"). Words with digits are
//! numbers, dates, money or ages: when no specialist claimed spans of its own (the budget and
//! schedule specialists may not report theirs) they count as read rather than as noise.

use super::spans::Spans;
use super::words;
use crate::brief::NotUnderstood;
use crate::understand::text::Text;

/// The reason given for words nothing read.
pub const NOT_READ: &str = "not understood: no part of the brief uses these words";

/// The runs of content words of `text` that none of `read` covers, as the user wrote them.
pub fn unread(text: &Text, read: Vec<(usize, usize)>, numbers_read: bool) -> Vec<NotUnderstood> {
    let read = Spans::new(read);
    let mut out: Vec<NotUnderstood> = Vec::new();
    let mut run: Option<(usize, usize, usize)> = None; // (start, end, last word index)
    for (k, w) in text.words.iter().enumerate() {
        let word = text.word(*w);
        let has_digit = word.bytes().any(|b| b.is_ascii_digit());
        let skip = read.covers(w.start, w.end)
            || words::at(text, k).is_stopword()
            || (numbers_read && has_digit)
            || word.chars().count() == 1;
        if skip {
            continue;
        }
        match &mut run {
            Some((_, end, last)) if *last + 1 == k && text.norm[*end..w.start].trim().is_empty() => {
                *end = w.end;
                *last = k;
            }
            _ => {
                if let Some((s, e, _)) = run.take() {
                    out.push(NotUnderstood { text: text.original(s, e), reason: NOT_READ.into() });
                }
                run = Some((w.start, w.end, k));
            }
        }
    }
    if let Some((s, e, _)) = run {
        out.push(NotUnderstood { text: text.original(s, e), reason: NOT_READ.into() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_runs_of_unread_content_words() {
        let t = Text::new("Hello team, reach Germany with zorblax vibes please, 5k");
        let at = |w: &str| t.norm.find(w).map(|i| (i, i + w.len())).unwrap_or_default();
        let got = unread(&t, vec![at("reach"), at("germany")], true);
        let texts: Vec<&str> = got.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(texts, ["zorblax vibes"]);
        let got = unread(&t, vec![at("reach"), at("germany"), at("zorblax vibes")], false);
        let texts: Vec<&str> = got.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(texts, ["5k"], "numbers count when no specialist claimed them");
    }

    #[test]
    fn keeps_the_users_capitals() {
        let t = Text::new("Quux Frobnitz");
        assert_eq!(unread(&t, Vec::new(), true)[0].text, "Quux Frobnitz");
    }
}
