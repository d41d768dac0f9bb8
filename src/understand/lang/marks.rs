//! Parts of a message that are not prose: e-mail addresses, web addresses and domains
//! ("From: Grace <grace@koalakids.com.au>", "see northlight.co.uk"), and e-mail header lines
//! ("From: …", "To: …") and reply subjects ("Re: Trailer Germany — make it 5 weeks": the part
//! before the dash names the thread, it asks for nothing). Their words are no place, interest or
//! cue ("the .au of an address is not an audience in Australia").

use super::words::{self, Class};
use crate::understand::text::Text;

/// Byte ranges of `text.norm` that are addresses, in order.
pub fn addresses(text: &Text) -> Vec<(usize, usize)> {
    let s = text.norm.as_str();
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        if c.is_whitespace() {
            if let Some(st) = start.take() {
                let (a, b) = trim_wrapping(s, st, i);
                if a < b && is_address(&s[a..b]) {
                    out.push((a, b));
                }
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    out
}

/// Byte ranges of `text.norm` that are header lines, reply subjects or a signature.
pub fn headers(text: &Text) -> Vec<(usize, usize)> {
    let s = text.norm.as_str();
    let mut out = Vec::new();
    // A signature: everything after the last closing line ("Thanks,", "Best", "Cheers") when only
    // a few short lines follow it, and "Sent from my iPhone".
    let line_at = |k: usize| {
        let start = text.lines[k];
        let end = text.lines.get(k + 1).map_or(s.len(), |&n| n - 1).max(start);
        (start, end)
    };
    let n = text.lines.len();
    for k in (0..n).rev().take(4) {
        let (a, b) = line_at(k);
        let line = s[a..b].trim().trim_end_matches([',', '.', '!']);
        if k + 1 < n && words::is(Class::Closing, line) {
            let rest_end = s.len();
            let rest_start = line_at(k + 1).0;
            if s[rest_start..rest_end].split_whitespace().count() <= 8 {
                out.push((rest_start, rest_end));
            }
            break;
        }
    }
    for k in 0..n {
        let (a, b) = line_at(k);
        if s[a..b].trim_start().starts_with("sent from my") {
            out.push((a, b));
        }
    }
    for (k, &start) in text.lines.iter().enumerate() {
        let end = text.lines.get(k + 1).map_or(s.len(), |&n| n - 1).max(start);
        let line = &s[start..end];
        let lead = line.len() - line.trim_start().len();
        let body = line.trim_start();
        let field = ["from:", "to:", "cc:", "bcc:", "sent:", "date:"].iter().any(|h| body.starts_with(h));
        let reply = ["re:", "fwd:", "fw:", "aw:"].iter().any(|h| body.starts_with(h));
        if field {
            out.push((start + lead, end));
        } else if reply {
            let cut = [" - ", " -- ", ": "].iter().filter_map(|d| body[3..].find(d).map(|i| i + 3)).min();
            out.push((start + lead, start + lead + cut.unwrap_or(body.len())));
        }
    }
    out
}

/// Drops brackets and trailing punctuation around a chunk.
fn trim_wrapping(s: &str, mut a: usize, mut b: usize) -> (usize, usize) {
    let wrap = |c: char| "<>()[]{},;:'\"!?".contains(c);
    while let Some(c) = s[a..b].chars().next().filter(|c| wrap(*c)) {
        a += c.len_utf8();
    }
    while let Some(c) = s[a..b].chars().next_back().filter(|c| wrap(*c) || *c == '.') {
        b -= c.len_utf8();
    }
    (a, b)
}

fn is_address(chunk: &str) -> bool {
    if chunk.contains('@') || chunk.starts_with("http://") || chunk.starts_with("https://") || chunk.starts_with("www.")
    {
        return true;
    }
    // A domain: labels of letters, digits and hyphens joined by dots, ending in a 2–3 letter
    // top-level label, the first label longer than one letter ("koalakids.com.au", not "u.s").
    let labels: Vec<&str> = chunk.split('.').collect();
    labels.len() >= 2
        && labels[0].chars().count() > 1
        && labels.iter().all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        && labels.last().is_some_and(|t| (2..=3).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphabetic()))
        && labels[..labels.len() - 1].iter().any(|l| l.chars().any(|c| c.is_alphabetic()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(s: &str) -> Vec<String> {
        let t = Text::new(s);
        addresses(&t).into_iter().map(|(a, b)| t.norm[a..b].to_string()).collect()
    }

    #[test]
    fn header_lines_and_reply_subjects() {
        let t = Text::new("From: Grace Hall <g@x.com.au>\nSubject: Leads Australia\n\nHi team");
        let h: Vec<&str> = headers(&t).into_iter().map(|(a, b)| &t.norm[a..b]).collect();
        assert_eq!(h, ["from: grace hall <g@x.com.au>"]);
        let t = Text::new("Re: Trailer Germany — make it 5 weeks");
        let h: Vec<&str> = headers(&t).into_iter().map(|(a, b)| &t.norm[a..b]).collect();
        assert_eq!(h, ["re: trailer germany"]);
        assert!(headers(&Text::new("reach in Germany, re: the budget")).is_empty());
        let t = Text::new("Reach in the US, $120k.\n\nThanks,\nJordan\nSent from my iPhone");
        let h: Vec<&str> = headers(&t).into_iter().map(|(a, b)| &t.norm[a..b]).collect();
        assert_eq!(h, ["jordan\nsent from my iphone", "sent from my iphone"].map(|x| x.replace('\n', " ")));
    }

    #[test]
    fn addresses_and_domains() {
        assert_eq!(found("From: Grace Hall <grace@koalakids.com.au>"), ["grace@koalakids.com.au"]);
        assert_eq!(
            found("see https://shop.example.de/sale, or www.x.se."),
            ["https://shop.example.de/sale", "www.x.se"]
        );
        assert_eq!(found("our site anatolia-telecom.de is live"), ["anatolia-telecom.de"]);
        assert!(found("in the U.S. and e.g. Germany, 2.5k, 10.000 €").is_empty());
    }
}
