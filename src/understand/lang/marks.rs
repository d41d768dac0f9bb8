//! Parts of a message that are not prose: e-mail addresses, web addresses and domains
//! ("From: Grace <grace@koalakids.com.au>", "see northlight.co.uk"), and e-mail header lines
//! ("From: …", "To: …") and reply subjects ("Re: Trailer Germany — make it 5 weeks": the part
//! before the dash names the thread, it asks for nothing), subject lines (a title over a body that
//! states the brief), and phone and reference numbers with the label in front of them ("Mobile
//! 0412 555 019", "Purchase order 4500-88812"; the labels are the `number_label` class of
//! `fixtures/lang/word_classes.tsv`), and salutations (a greeting, then the name of the person
//! addressed: "Hi Austin,", "Dear Victoria"). Their words are no place, interest, goal or cue
//! ("the .au of an address is not an audience in Australia", "Mobile" before a phone number is
//! no city, "Hi Sofia," asks nothing of Bulgaria).

use super::words::{self, Class};
use crate::understand::text::Text;

/// Every part of `text` that is not prose, sorted and merged (disjoint): what
/// [`Text::marked`] holds.
pub fn all(text: &Text) -> Vec<(usize, usize)> {
    let mut m = headers(text);
    m.extend(addresses(text));
    m.extend(numbers(text));
    m.extend(salutations(text));
    m.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(m.len());
    for (a, b) in m {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// The fewest digits a phone or reference number has.
const MIN_DIGITS: usize = 5;

/// How many words may stand between a number's label and the number.
const LABEL_REACH: usize = 5;

/// Phone and reference numbers after a label: one or more label words ("mobile", "tel",
/// "purchase order", "invoice no."), then a run of digits and separators with at least
/// [`MIN_DIGITS`] digits. The label and the number are marked together. Without a label a long
/// number may be money ("1 500 000 €") or a date, so it stays prose.
pub fn numbers(text: &Text) -> Vec<(usize, usize)> {
    let s = text.norm.as_bytes();
    let mut out = Vec::new();
    let ws = &text.words;
    let mut k = 0;
    while k < ws.len() {
        if !words::at(text, k).has(Class::NumberLabel) {
            k += 1;
            continue;
        }
        let first = k;
        while k + 1 < ws.len() && words::at(text, k + 1).has(Class::NumberLabel) {
            k += 1;
        }
        // The number starts at the first word with a digit, at most a few words on in the same
        // clause ("booking ref from the venue was 7781-22").
        let mut n = k + 1;
        while n < ws.len() && n <= k + LABEL_REACH && !ws[n].has_digit(text) {
            n += 1;
        }
        let Some(first_digit) = ws.get(n).filter(|w| w.has_digit(text)) else {
            k += 1;
            continue;
        };
        if text.norm[ws[k].end..first_digit.start].contains([',', ';', '!', '?', '\n', '$', '€', '£']) {
            k += 1;
            continue;
        }
        // The number: over digits and separators; it ends at the first letter or other sign.
        let mut i = first_digit.start;
        let mut digits = 0;
        let mut end = i;
        while i < s.len() {
            let c = s[i];
            if c.is_ascii_digit() {
                digits += 1;
                end = i + 1;
            } else if !matches!(c, b' ' | b'-' | b'.' | b'/' | b'+' | b'(' | b')' | b'#' | b':') {
                break;
            }
            i += 1;
        }
        if digits >= MIN_DIGITS {
            out.push((ws[first].start, end));
        }
        k += 1;
    }
    out
}

/// The greeting (`greeting` class of `fixtures/lang/word_classes.tsv`, one or two words: "hi",
/// "good morning") that ends with word `k`, as the index of its first word.
pub fn greeting_ending_at(text: &Text, k: usize) -> Option<usize> {
    let ws = &text.words;
    let two = k.checked_sub(1).filter(|&j| &text.norm[ws[j].end..ws[k].start] == " ");
    if let Some(j) = two.filter(|&j| words::is(Class::Greeting, &text.norm[ws[j].start..ws[k].end])) {
        return Some(j);
    }
    words::at(text, k).has(Class::Greeting).then_some(k)
}

/// Whether word `k` may be the name of the person a message greets: a capitalised word of two
/// letters or more (any word when the message has no capitals) that is no stopword ("Hi There",
/// "Hi I'm…") unless it is also a first name ("June"), and no greeting.
fn is_name(text: &Text, k: usize) -> bool {
    let w = text.words[k];
    let (word, classes) = (text.word(w), words::at(text, k));
    (text.is_capitalised(w.start) || text.all_lowercase())
        && word.chars().count() > 1
        && word.chars().all(char::is_alphabetic)
        && (!classes.is_stopword() || classes.has(Class::GivenName))
        && !classes.has(Class::Greeting)
        && !classes.has(Class::FirstPerson)
        // A word of the brief's vocabulary (a goal, a format, an interest: "Hello Awareness in
        // Spain") is what the message asks for, not whom it greets; a month that is also a first
        // name is the one exception the given names make.
        && (classes.has(Class::GivenName)
            || !crate::understand::router::cue_spans(text).any(|(a, b)| a < w.end && w.start < b))
}

/// Salutations: a greeting that opens the message or a line, then the name of the person
/// addressed ("Hi Austin, can you…", "Dear Victoria", "Hey Florence - …", "Thanks Sofia!"; a
/// surname may follow). The name is a person, never a place or an unread word. It is the
/// addressee only when it follows the greeting after spaces alone ("Hi, Austin and Dallas" is a
/// list) and is followed by a sign, the end of its line, or a lower-case word that neither joins
/// it to more ("Hi Austin and Dallas", "Hey Austin/Dallas") nor makes it an audience ("Hey Texas
/// folks"). In a message without capitals, a sign or the end of the line must follow. A name
/// that is also a month (`given_name`: "Hi June,", "Hey April - …") is the addressee only before
/// the end of its line, a sign right after it, or a spaced dash ("Hi June launch", "Hey Jan-Mar"
/// keep the month). The greeting and the name are marked together.
pub fn salutations(text: &Text) -> Vec<(usize, usize)> {
    let (s, ws) = (text.norm.as_str(), &text.words);
    let mut out = Vec::new();
    for (l, &line) in text.lines.iter().enumerate() {
        let line_end = text.lines.get(l + 1).map_or(s.len(), |&n| n - 1).max(line);
        let first = ws.partition_point(|w| w.start < line);
        let on_line = |k: usize| ws.get(k).is_some_and(|w| w.end <= line_end);
        // Only spaces or quote marks ("> Hi Austin,") before the greeting on its line.
        if !on_line(first) || !s[line..ws[first].start].chars().all(|c| c == ' ' || c == '>') {
            continue;
        }
        let greeting = (first..(first + 2).min(ws.len()))
            .rev()
            .find(|&k| on_line(k) && greeting_ending_at(text, k) == Some(first));
        let Some(g) = greeting else { continue };
        let name = g + 1;
        if !on_line(name) || !s[ws[g].end..ws[name].start].chars().all(|c| c == ' ') || !is_name(text, name) {
            continue;
        }
        let surname = name + 1;
        let last = if on_line(surname) && &s[ws[name].end..ws[surname].start] == " " && is_name(text, surname) {
            surname
        } else {
            name
        };
        let after = &s[ws[last].end..line_end];
        let rest = after.trim_start();
        let given = (name..=last).any(|k| words::at(text, k).has(Class::GivenName));
        let addressee = match rest.chars().next() {
            None => true,
            Some(c) if given => {
                let spaced_dash = matches!(c, '-' | '–' | '—') && after.starts_with(' ');
                !c.is_alphanumeric()
                    && (spaced_dash || (!after.starts_with(' ') && !matches!(c, '-' | '/' | '+' | '&')))
            }
            Some('/' | '+' | '&') => false,
            Some(c) if !c.is_alphanumeric() => true,
            Some(_) => {
                let next = ws[last + 1];
                let word = text.word(next);
                !text.all_lowercase()
                    && !text.is_capitalised(next.start)
                    && !matches!(word, "and" | "or" | "n")
                    && !words::is(Class::AudienceNoun, word)
                    && !words::is(Class::Org, word)
            }
        };
        if addressee {
            out.push((ws[first].start, ws[last].end));
        }
    }
    out
}

/// Byte ranges of `text.norm` that are addresses, in order.
pub fn addresses(text: &Text) -> Vec<(usize, usize)> {
    let s = text.norm.as_str();
    let mut out = Vec::new();
    // Every address holds an "@", a dot before a label's character ("shop.de", not "Germany.
    // We") or after "www", or a scheme's colon before "//": only the whitespace-separated chunks
    // around those characters are looked at, each once.
    let bytes = s.as_bytes();
    let label = |c: Option<&u8>| c.is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'-' || !c.is_ascii());
    let mut looked = 0;
    for p in 0..bytes.len() {
        let trigger = match bytes[p] {
            b'@' => true,
            b'.' => label(bytes.get(p + 1)) || s[..p].ends_with("www"),
            b':' => bytes.get(p + 1) == Some(&b'/'),
            _ => false,
        };
        if !trigger || p < looked {
            continue;
        }
        let start = s[..p].char_indices().rev().find(|(_, c)| c.is_whitespace()).map_or(0, |(i, c)| i + c.len_utf8());
        let end = s[p..].char_indices().find(|(_, c)| c.is_whitespace()).map_or(s.len(), |(i, _)| p + i);
        looked = end;
        let (a, b) = trim_wrapping(s, start, end);
        if a < b && is_address(&s[a..b]) {
            out.push((a, b));
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
        if opens_with(s[a..b].trim_start(), Class::DeviceSignature) {
            out.push((a, b));
        }
    }
    for (k, &start) in text.lines.iter().enumerate() {
        let end = text.lines.get(k + 1).map_or(s.len(), |&n| n - 1).max(start);
        let line = &s[start..end];
        let lead = line.len() - line.trim_start().len();
        let body = line.trim_start();
        let reply = reply_prefix(body);
        // A subject line is the title of the e-mail below it, as a reply subject is.
        let field =
            field_label(body).is_some_and(|l| words::is(Class::HeaderField, l) || words::is(Class::SubjectField, l));
        if field {
            out.push((start + lead, end));
        } else if let Some(p) = reply {
            let cut = [" - ", " -- ", ": "].iter().filter_map(|d| body[p..].find(d).map(|i| i + p)).min();
            out.push((start + lead, start + lead + cut.unwrap_or(body.len())));
        }
    }
    out
}

/// Whether byte `pos` of `text.norm` lies on a subject line ("Subject: Reach Spain"). A subject
/// names no place or audience, but an e-mail's title may be the only place its goal is named;
/// a reply's subject ("Re: …") only repeats the thread's.
pub fn in_subject_line(text: &Text, pos: usize) -> bool {
    field_label(line_from(text, pos)).is_some_and(|l| words::is(Class::SubjectField, l))
}

/// Whether byte `pos` of `text.norm` lies on a reply's subject line ("Re: March push - …"). Its
/// words are the thread's title: they name no place, but may still name the flight.
pub fn in_reply_subject(text: &Text, pos: usize) -> bool {
    reply_prefix(line_from(text, pos)).is_some()
}

/// The text of `text.norm` from the start of the line holding byte `pos` (leading spaces
/// trimmed) to the end of the message: what a line's label is read from.
fn line_from(text: &Text, pos: usize) -> &str {
    let k = text.lines.partition_point(|&l| l <= pos).saturating_sub(1);
    let start = text.lines.get(k).copied().unwrap_or(0);
    text.norm.get(start..).unwrap_or("").trim_start()
}

/// The length of the reply or forward prefix ("re:", "fwd:") a line's text starts with.
fn reply_prefix(body: &str) -> Option<usize> {
    field_label(body).filter(|l| words::is(Class::ReplyPrefix, l)).map(str::len)
}

/// The label a line's text opens with: letters, then a colon ("subject:", "re:").
fn field_label(body: &str) -> Option<&str> {
    let colon = body.find(':')?;
    body[..colon].chars().all(char::is_alphabetic).then(|| &body[..=colon]).filter(|l| l.len() > 1)
}

/// Whether a line's text opens with a phrase of `class` ("sent from my …"), looked up at each
/// of its first word ends (the phrases of such a class are a few words long).
fn opens_with(body: &str, class: Class) -> bool {
    const MAX_WORDS: usize = 5;
    let mut end = 0;
    for (n, w) in body.split(' ').enumerate().take(MAX_WORDS) {
        end += w.len() + usize::from(n > 0);
        if end > words::longest(class) {
            return false;
        }
        if words::is(class, &body[..end]) {
            return true;
        }
    }
    false
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
    // Most chunks are plain words with no dot: no labels to collect.
    if !chunk.contains('.') {
        return false;
    }
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
        assert_eq!(h, ["from: grace hall <g@x.com.au>", "subject: leads australia"]);
        let t = Text::new("Re: Trailer Germany — make it 5 weeks");
        let h: Vec<&str> = headers(&t).into_iter().map(|(a, b)| &t.norm[a..b]).collect();
        assert_eq!(h, ["re: trailer germany"]);
        assert!(headers(&Text::new("reach in Germany, re: the budget")).is_empty());
        let t = Text::new("Reach in the US, $120k.\n\nThanks,\nJordan\nSent from my iPhone");
        let h: Vec<&str> = headers(&t).into_iter().map(|(a, b)| &t.norm[a..b]).collect();
        assert_eq!(h, ["jordan\nsent from my iphone", "sent from my iphone"].map(|x| x.replace('\n', " ")));
    }

    #[test]
    fn phone_and_reference_numbers_after_a_label() {
        let marked = |s: &str| {
            let t = Text::new(s);
            numbers(&t).into_iter().map(|(a, b)| t.norm[a..b].to_string()).collect::<Vec<_>>()
        };
        for (msg, want) in [
            ("call me, Mobile 0398 111 222, anytime", "mobile 0398 111 222"),
            ("Tel: +44 20 7946 0000.", "tel: +44 20 7946 0000"),
            ("PO 7731-220 attached", "po 7731-220"),
            ("our Purchase Order 12345678 follows", "purchase order 12345678"),
            ("invoice no. 2026/00417 paid", "invoice no. 2026/00417"),
            ("the booking ref we got was 55-1209 ok", "booking ref we got was 55-1209"),
        ] {
            assert_eq!(marked(msg), [want], "{msg}");
        }
        // No label, or too few digits: prose (money, dates, counts).
        for msg in [
            "budget 1 500 000 €",
            "from 2027-04-14",
            "order 500 units",
            "Mobile, AL, 25-34",
            "bookings, 25 000 EUR",
            "purchases for € 15 000",
            "no video, no desktop / DK / 200.000 kr",
        ] {
            assert!(marked(msg).is_empty(), "{msg}");
        }
    }

    #[test]
    fn all_marks_are_merged_and_sorted() {
        let t = Text::new("From: A <a@b.com.au>\nSubject: Reach Chile\n\nPhone 555 0101 999, Peru please");
        let m = all(&t);
        assert!(m.windows(2).all(|w| w[0].1 < w[1].0), "{m:?}");
        let peru = t.norm.find("peru").unwrap_or(0);
        assert!(!t.in_marked(peru, peru + 4));
        let chile = t.norm.find("chile").unwrap_or(0);
        assert!(t.in_marked(chile, chile + 5));
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
