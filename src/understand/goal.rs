//! Goal specialist: which objective the message asks for.
//!
//! Cues come from `fixtures/taxonomy/goals.tsv`, each with a weight (3 names the objective, 2
//! hints strongly, 1 weakly). The strongest cue wins; ties go to the objective with more cues,
//! then to the first mentioned. A cue right after a negation ("not clicks") is ignored; a
//! misspelt strong cue ("awarness") still counts. Two different objectives each introduced as
//! *the* goal ("Objective: awareness … Objective: sales") are a contradiction: the first is kept
//! and the finding is marked ambiguous.

use std::sync::OnceLock;

use super::lexicon::{tsv_rows, Case, Lexicon};
use super::text::Text;
use crate::brief::Objective;

const GOALS: &str = include_str!("../../fixtures/taxonomy/goals.tsv");

/// What a cue points at: an objective, or measured visits (decided by context).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Objective(Objective),
    Visits,
}

/// The goal specialist's finding.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct GoalFinding {
    pub objective: Option<Objective>,
    /// Two objectives were stated as the goal.
    pub conflict: Option<(Objective, Objective)>,
    /// Notes for the user: typo readings, the visits-vs-clicks choice.
    pub notes: Vec<String>,
    /// Byte ranges of [`crate::understand::Text::norm`] this specialist read: what is not covered
    /// by any specialist's spans is reported as not understood.
    #[serde(skip)]
    pub spans: Vec<(usize, usize)>,
}

struct Cues {
    lexicon: Lexicon<(Target, u8)>,
    /// Single-word strong cues for typo tolerance.
    fuzzy: Vec<(String, Target)>,
}

fn cues() -> &'static Cues {
    static C: OnceLock<Cues> = OnceLock::new();
    C.get_or_init(|| {
        let mut entries = Vec::new();
        let mut fuzzy = Vec::new();
        for row in tsv_rows(GOALS) {
            let (Some(phrase), Some(obj), Some(w)) = (row.first(), row.get(1), row.get(2)) else { continue };
            let target = match *obj {
                "VISITS" => Target::Visits,
                id => match Objective::from_id(id) {
                    Some(o) => Target::Objective(o),
                    None => continue,
                },
            };
            let weight: u8 = w.parse().unwrap_or(1);
            if weight == 3 && !phrase.contains(' ') && phrase.len() >= 6 {
                fuzzy.push((phrase.to_string(), target));
            }
            entries.push((phrase.to_string(), (target, weight), Case::Any));
        }
        Cues { lexicon: Lexicon::new(entries), fuzzy }
    })
}

const NEGATIONS: &[&str] = &["not", "no", "nor", "without", "instead of", "rather than", "than"];
const GOAL_LABELS: &[&str] =
    &["goal", "objective", "kpi", "aim", "optimising for", "optimizing for", "optimise for", "optimize for"];
const MEASURED: &[&str] =
    &["measured", "tracked", "pixel", "analytics", "tracking", "on site", "on our site", "on their site"];

/// Text just before byte `pos`, at most `n` bytes, on a char boundary.
fn before(text: &Text, pos: usize, n: usize) -> &str {
    let mut start = pos.saturating_sub(n);
    while !text.fold.is_char_boundary(start) {
        start += 1;
    }
    &text.fold[start..pos]
}

fn ends_with_word(s: &str, words: &[&str]) -> bool {
    let s = s.trim_end_matches(|c: char| !c.is_alphanumeric());
    words
        .iter()
        .any(|w| s.ends_with(w) && s[..s.len() - w.len()].chars().next_back().is_none_or(|c| !c.is_alphanumeric()))
}

/// Reads the objective from one message.
pub fn extract(text: &Text) -> GoalFinding {
    let cues = cues();
    let measured = MEASURED.iter().any(|m| text.fold.contains(m));
    let mut notes = Vec::new();
    // (objective, weight, position, labelled as the goal)
    let mut found: Vec<(Objective, u8, usize, bool)> = Vec::new();
    let resolve = |target: Target, notes: &mut Vec<String>| match target {
        Target::Objective(o) => o,
        Target::Visits if measured => Objective::WebsiteVisits,
        Target::Visits => {
            notes.push(
                "Visits with no on-site measurement named: planning for CLICKS (measured visits need the pixel)".into(),
            );
            Objective::Clicks
        }
    };
    let hits = cues.lexicon.find(text);
    for h in &hits {
        let prefix = before(text, h.start, 14);
        if ends_with_word(prefix, NEGATIONS) {
            continue;
        }
        let labelled = GOAL_LABELS.iter().any(|l| before(text, h.start, 24).contains(l));
        let (target, weight) = h.value;
        found.push((resolve(target, &mut notes), weight, h.start, labelled));
    }
    for w in &text.words {
        let word = text.word(*w);
        if word.len() < 6 || hits.iter().any(|h| h.start <= w.start && w.end <= h.end) {
            continue;
        }
        let first = word.chars().next();
        if let Some((cue, target)) = cues.fuzzy.iter().find(|(cue, _)| {
            cue.chars().next() == first
                && cue.len().abs_diff(word.len()) <= 1
                && strsim::damerau_levenshtein(cue, word) == 1
        }) {
            let obj = resolve(*target, &mut notes);
            notes.push(format!("Read \"{word}\" as \"{cue}\""));
            found.push((obj, 3, w.start, false));
        }
    }
    found.sort_by_key(|f| f.2);
    let labelled: Vec<Objective> = found.iter().filter(|f| f.3 && f.1 >= 2).map(|f| f.0).collect();
    if let Some(&first) = labelled.first() {
        if let Some(&other) = labelled.iter().find(|&&o| o != first) {
            return GoalFinding { objective: Some(first), conflict: Some((first, other)), notes, spans: Vec::new() };
        }
    }
    let best = found.iter().map(|f| f.1).max();
    let objective = best.and_then(|top| {
        let mut candidates: Vec<(Objective, usize, usize)> = Vec::new(); // (objective, count, first position)
        for f in found.iter().filter(|f| f.1 == top) {
            match candidates.iter_mut().find(|c| c.0 == f.0) {
                Some(c) => c.1 += 1,
                None => candidates.push((f.0, 1, f.2)),
            }
        }
        candidates.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
        candidates.first().map(|c| c.0)
    });
    GoalFinding { objective, conflict: None, notes, spans: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Objective::*;

    fn goal(s: &str) -> Option<Objective> {
        extract(&Text::new(s)).objective
    }

    #[test]
    fn every_objective_from_plain_cues() {
        assert_eq!(goal("grow brand awareness among 18-24s"), Some(Reach));
        assert_eq!(goal("an always-on buy, steady presence"), Some(EvenImpressionDelivery));
        assert_eq!(goal("we need traffic to our online store"), Some(Clicks));
        assert_eq!(goal("landing-page visits, measured with the pixel"), Some(WebsiteVisits));
        assert_eq!(goal("we want people to actually watch it. video views"), Some(VideoViews));
        assert_eq!(goal("How do I grow my podcast?"), Some(PodcastStreams));
        assert_eq!(goal("we want more downloads of our podcast in the US"), Some(PodcastStreams));
        assert_eq!(goal("Drive downloads of our app"), Some(AppInstalls));
        assert_eq!(goal("Goal: newsletter sign-ups"), Some(LeadGen));
        assert_eq!(goal("Client wants bookings"), Some(Conversions));
    }

    #[test]
    fn no_cue_leaves_the_objective_open() {
        assert_eq!(goal("Netherlands, adults 30-55, €9,000, 4 weeks"), None);
        assert_eq!(goal("small watch shop in the US"), None);
    }

    #[test]
    fn strongest_cue_wins_over_weak_ones() {
        assert_eq!(goal("reach pet owners so people know we exist (awareness I guess?)"), Some(Reach));
        assert_eq!(goal("we want to reach gamers and drive app installs"), Some(AppInstalls));
        assert_eq!(goal("business podcast listeners, leads"), Some(LeadGen));
    }

    #[test]
    fn negated_cue_is_ignored() {
        assert_eq!(goal("KPI is website visits, tracked in our own site analytics (not clicks)"), Some(WebsiteVisits));
    }

    #[test]
    fn unmeasured_visits_plan_for_clicks_and_say_so() {
        let f = extract(&Text::new("we want more site visits"));
        assert_eq!(f.objective, Some(Clicks));
        assert!(!f.notes.is_empty());
    }

    #[test]
    fn typos_still_count() {
        assert_eq!(goal("awarness campaign in Germany"), Some(Reach));
        assert_eq!(goal("app dowloads"), Some(AppInstalls));
    }

    #[test]
    fn two_stated_goals_conflict() {
        let f = extract(&Text::new("Objective: awareness. Budget €10k. Objective: sales."));
        assert_eq!(f.objective, Some(Reach));
        assert_eq!(f.conflict, Some((Reach, Conversions)));
        let f = extract(&Text::new("- goal: app installs\n- market: UK\n- goal: leads"));
        assert_eq!(f.conflict, Some((AppInstalls, LeadGen)));
    }

    #[test]
    fn repeated_cues_are_not_a_conflict() {
        let f = extract(&Text::new("We need traffic. Drive clicks from women"));
        assert_eq!(f.objective, Some(Clicks));
        assert_eq!(f.conflict, None);
    }
}
