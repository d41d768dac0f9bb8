//! Formats specialist: include / exclude / max_share / placements.
//!
//! A format word only becomes a constraint next to a cue (vocabulary in
//! `fixtures/taxonomy/formats.tsv`): "audio only" includes, "no video" excludes, "cap video at 25%"
//! caps a share, "without blowing the whole budget on video" caps it at the SPEC's 30 %, "actually
//! keep video" undoes an exclusion, "audio and video" names the mix. The message is read clause
//! by clause (split at `.`, `;`, `,`, `!`, `?`, `|` and line breaks) so a cue never reaches
//! into the next item of a list.

use std::sync::OnceLock;

use super::lexicon::{tsv_rows, Case, Hit, Lexicon};
use super::text::Text;
use crate::brief::{Format, Placement};

const FORMATS: &str = include_str!("../../fixtures/taxonomy/formats.tsv");

/// The share used when the brief caps a format without a number (docs/brief.md §2).
pub const SOFT_CAP_SHARE: f64 = 0.3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Format(Format),
    Placement(Placement),
    Only,
    /// "just": an "only" that counts before the format word, never after it.
    OnlyBefore,
    Negate,
    Keep,
    Cap,
    SoftCap,
}

/// The formats specialist's finding: changes to apply to the brief's `formats`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct FormatsFinding {
    /// Replace `include` with these ("audio only", "audio and video").
    pub include: Option<Vec<Format>>,
    /// Add to `exclude`.
    pub exclude: Vec<Format>,
    /// Remove from `exclude` ("actually keep video").
    pub keep: Vec<Format>,
    pub max_share: Vec<(Format, f64)>,
    /// Replace `placements`.
    pub placements: Option<Vec<Placement>>,
    /// A share with no format named ("make that 40%"): the new value of the brief's one cap.
    pub share: Option<f64>,
    pub notes: Vec<String>,
    /// Byte ranges of [`crate::understand::Text::norm`] this specialist read: what is not covered
    /// by any specialist's spans is reported as not understood.
    #[serde(skip)]
    pub spans: Vec<(usize, usize)>,
}

impl FormatsFinding {
    /// Whether the message said anything about formats.
    pub fn is_empty(&self) -> bool {
        self.include.is_none()
            && self.exclude.is_empty()
            && self.keep.is_empty()
            && self.max_share.is_empty()
            && self.placements.is_none()
            && self.share.is_none()
            && self.notes.is_empty()
    }
}

fn lexicon() -> &'static Lexicon<Token> {
    static L: OnceLock<Lexicon<Token>> = OnceLock::new();
    L.get_or_init(|| {
        let entries = tsv_rows(FORMATS).filter_map(|row| {
            let (phrase, kind, id) = (*row.first()?, *row.get(1)?, row.get(2).copied().unwrap_or(""));
            let token = match kind {
                "format" => Token::Format(match id {
                    "AUDIO" => Format::Audio,
                    "VIDEO" => Format::Video,
                    "IMAGE" => Format::Image,
                    _ => return None,
                }),
                "placement" => Token::Placement(if id == "PODCAST" { Placement::Podcast } else { Placement::Music }),
                "only" => Token::Only,
                "only_before" => Token::OnlyBefore,
                "negate" => Token::Negate,
                "keep" => Token::Keep,
                "cap" => Token::Cap,
                "soft_cap" => Token::SoftCap,
                _ => return None,
            };
            Some((phrase.to_string(), token, Case::Any))
        });
        Lexicon::new(entries.collect::<Vec<_>>())
    })
}

/// Percentages in a slice of normalised text: "20%", "25 %", "20 percent".
fn percentages(s: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            let num = &s[start..i];
            let rest = s[i..].trim_start();
            if rest.starts_with('%') || rest.starts_with("percent") || rest.starts_with("pct") {
                if let Ok(v) = num.parse::<f64>() {
                    if v > 0.0 && v <= 100.0 {
                        out.push(v / 100.0);
                    }
                }
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Number of words strictly between two byte offsets (the words are in order and disjoint, so
/// they form one run: two binary searches, where a scan per hit made long messages quadratic).
fn words_between(text: &Text, a: usize, b: usize) -> usize {
    let first = text.words.partition_point(|w| w.start < a);
    let end = text.words.partition_point(|w| w.end <= b);
    end.saturating_sub(first)
}

/// Reads format constraints from one message.
pub fn extract(text: &Text) -> FormatsFinding {
    let mut f = FormatsFinding::default();
    let hits = lexicon().find(text);
    let mut clause_start = 0;
    for (i, c) in text.norm.char_indices().chain(std::iter::once((text.norm.len(), '.'))) {
        if matches!(c, '.' | ';' | ',' | '!' | '?' | '|' | '\n') && !is_decimal_point(&text.norm, i) {
            // The hits are in order and disjoint: the clause's hits are one run of them.
            let first = hits.partition_point(|h| h.start < clause_start);
            let end = hits.partition_point(|h| h.end <= i).max(first);
            read_clause(text, &text.norm[clause_start..i], &hits[first..end], &mut f);
            f.spans.extend(hits[first..end].iter().map(|h| (h.start, h.end)));
            clause_start = i + c.len_utf8();
        }
    }
    f
}

fn is_decimal_point(s: &str, i: usize) -> bool {
    let b = s.as_bytes();
    b.get(i) == Some(&b'.') && i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit)
}

fn read_clause(text: &Text, clause: &str, hits: &[Hit<Token>], f: &mut FormatsFinding) {
    let pct = percentages(clause);
    // "make that 40%": a bare share with no format word changes the one cap the brief has.
    if hits.is_empty() && pct.len() == 1 && bare_share(clause) {
        f.share = pct.first().copied();
    }
    let mut listed: Vec<Format> = Vec::new();
    let mut include: Vec<Format> = Vec::new();
    let mut placements: Vec<Placement> = Vec::new();
    let is_cue = |h: &Hit<Token>| !matches!(h.value, Token::Format(_) | Token::Placement(_));
    // The nearest cue after each hit, found in one backward pass.
    let mut next_cue: Vec<Option<usize>> = vec![None; hits.len()];
    for k in (0..hits.len().saturating_sub(1)).rev() {
        next_cue[k] = if is_cue(&hits[k + 1]) { Some(k + 1) } else { next_cue[k + 1] };
    }
    let mut last_cue: Option<usize> = None;
    for (k, h) in hits.iter().enumerate() {
        if k > 0 && is_cue(&hits[k - 1]) {
            last_cue = Some(k - 1);
        }
        let (fmt, place) = match h.value {
            Token::Format(x) => (Some(x), None),
            Token::Placement(p) => (None, Some(p)),
            _ => continue,
        };
        // The nearest cue before this word (other formats in between are part of the same list),
        // or an "only"/"capped" right after it.
        let cue_before = last_cue.map(|c| &hits[c]).filter(|c| words_between(text, c.end, h.start) <= 3);
        let cue_after = next_cue[k].map(|c| &hits[c]).filter(|c| words_between(text, h.end, c.start) <= 1);
        // A cap right after a format word is its cap ("video capped at 20%", "video max 20%");
        // one a word further ("video but no more than 20% on …") governs what follows it.
        let cap_after = cue_after.is_some_and(|c| words_between(text, h.end, c.start) == 0);
        let cue = match (cue_before.map(|c| c.value), cue_after.map(|c| c.value)) {
            (_, Some(Token::Only)) => Some(Token::Only),
            // "audio is fine after all": a keep right after the format word.
            (_, Some(Token::Keep)) => Some(Token::Keep),
            (_, Some(Token::Cap)) if place.is_none() && cap_after => Some(Token::Cap),
            (Some(Token::OnlyBefore), _) => Some(Token::Only),
            (Some(c), _) => Some(c),
            _ => None,
        };
        match (cue, fmt, place) {
            (Some(Token::Cap), Some(x), _) => {
                if let Some(&share) = pct.first() {
                    f.max_share.push((x, share));
                }
            }
            (Some(Token::SoftCap), Some(x), _) => {
                let share = pct.first().copied().unwrap_or(SOFT_CAP_SHARE);
                if pct.is_empty() {
                    f.notes.push(format!(
                        "No number given for the {} cap: capping it at {:.0} % of the budget",
                        x.id().to_lowercase(),
                        SOFT_CAP_SHARE * 100.0
                    ));
                }
                f.max_share.push((x, share));
            }
            (Some(Token::Negate), Some(x), _) => f.exclude.push(x),
            (Some(Token::Negate), _, Some(p)) => {
                placements.push(if p == Placement::Podcast { Placement::Music } else { Placement::Podcast })
            }
            (Some(Token::Keep), Some(x), _) => f.keep.push(x),
            (Some(Token::Only), Some(x), _) => include.push(x),
            (Some(Token::Only), _, Some(p)) => placements.push(p),
            (Some(Token::Cap | Token::SoftCap), _, Some(p)) => f.notes.push(format!(
                "A share cap on {} can't be set (caps are per format: audio, video, display): not applied",
                p.id().to_lowercase()
            )),
            (None, Some(x), _) => listed.push(x),
            _ => {}
        }
    }
    // "audio and video" names a mix; "audio and display only" extends the "only" to the list.
    if (listed.len() >= 2 || (!listed.is_empty() && !include.is_empty())) && joined_by_and(clause) {
        include.extend(listed);
    }
    if !include.is_empty() {
        include.sort();
        include.dedup();
        f.include = Some(include);
    }
    if !placements.is_empty() {
        placements.sort();
        placements.dedup();
        f.placements = Some(placements);
    }
}

/// Whether a clause is only a share, with only stopwords before it ("make that 40%", "40
/// percent", "actually 25%"), and nothing after it ("40% more" is the budget's).
fn bare_share(clause: &str) -> bool {
    let c = clause.trim();
    let Some(num) = c.find(|ch: char| ch.is_ascii_digit()) else { return false };
    let tail = c[num..].trim_start_matches(|ch: char| ch.is_ascii_digit() || ch == '.').trim();
    let head_is_filler = c[..num].split_whitespace().all(super::lang::words::is_stopword);
    matches!(tail, "%" | "percent" | "pct") && head_is_filler
}

fn joined_by_and(clause: &str) -> bool {
    clause.contains(" and ") || clause.contains('+') || clause.contains('&') || clause.contains(" plus ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use Format::*;

    fn fmt(s: &str) -> FormatsFinding {
        extract(&Text::new(s))
    }

    #[test]
    fn only_includes() {
        assert_eq!(fmt("Audio only.").include, Some(vec![Audio]));
        assert_eq!(fmt("actually audio only").include, Some(vec![Audio]));
        assert_eq!(fmt("video views, $15k — audio only though").include, Some(vec![Audio]));
    }

    #[test]
    fn a_named_mix_includes_both() {
        assert_eq!(fmt("audio and display only, US").include, Some(vec![Audio, Image]));
        assert_eq!(fmt("audio and video, US, 18+").include, Some(vec![Audio, Video]));
    }

    #[test]
    fn negations_exclude() {
        assert_eq!(fmt("No video please, they don't have assets").exclude, vec![Video]);
        assert_eq!(fmt("exclude display ads").exclude, vec![Image]);
        let f = fmt("we want video views but no video ads");
        assert_eq!(f.exclude, vec![Video]);
        assert_eq!(f.include, None);
    }

    #[test]
    fn caps() {
        assert_eq!(fmt("no more than 20% on video. US").max_share, vec![(Video, 0.2)]);
        assert_eq!(fmt("and cap video at 25%").max_share, vec![(Video, 0.25)]);
        assert_eq!(fmt("video capped at 15 percent").max_share, vec![(Video, 0.15)]);
        let f = fmt("a mix of formats, just without blowing the whole budget on video");
        assert_eq!(f.max_share, vec![(Video, 0.3)]);
        assert!(f.include.is_none());
        assert!(!f.notes.is_empty());
    }

    #[test]
    fn a_cap_on_a_placement_is_reported_not_ignored() {
        let f = fmt("no more than 30% on podcasts");
        assert!(f.max_share.is_empty() && f.placements.is_none());
        assert_eq!(f.notes.len(), 1);
    }

    #[test]
    fn keep_undoes() {
        assert_eq!(fmt("actually keep video").keep, vec![Video]);
    }

    #[test]
    fn placements() {
        assert_eq!(fmt("only on podcasts").placements, Some(vec![Placement::Podcast]));
        assert_eq!(fmt("no podcasts").placements, Some(vec![Placement::Music]));
    }

    #[test]
    fn long_input_is_linear() {
        // Each format word used to count the words of the whole message (and each clause to
        // filter every hit): quadratic, seconds at this length in a debug build.
        let long = "audio only no video ".repeat(2_000) + "; " + &"no more than 20% on video, ".repeat(1_500);
        let start = std::time::Instant::now();
        let f = fmt(&long);
        assert!(start.elapsed().as_secs_f64() < 2.0, "{:?}", start.elapsed());
        assert!(f.include.is_some_and(|i| i.contains(&Audio)));
        assert!(f.exclude.contains(&Video) && f.max_share.contains(&(Video, 0.2)));
    }

    #[test]
    fn words_between_counts_whole_words_in_range() {
        let t = Text::new("cap video, at most 20% on audio");
        let at = |w: &str| t.norm.find(w).unwrap_or(usize::MAX);
        assert_eq!(words_between(&t, at("video") + 5, at("audio")), 4);
        assert_eq!(words_between(&t, 0, t.norm.len()), 7);
        assert_eq!(words_between(&t, at("video") + 1, at("video") + 4), 0);
        assert_eq!(words_between(&t, at("audio"), at("video")), 0);
    }

    #[test]
    fn format_words_without_cues_say_nothing() {
        assert!(fmt("move some money into audio. Video views campaign").is_empty());
        assert!(fmt("new music video just dropped").is_empty());
        assert!(fmt("No budget set yet, what would you recommend?").is_empty());
    }
}
