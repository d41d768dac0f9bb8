//! The router: decides from cheap cues which specialists a message needs.
//!
//! One lexicon pass over the message with every specialist's trigger vocabulary
//! (`fixtures/taxonomy/router.tsv` plus the goal, targeting and format vocabularies), and a few
//! character rules: digits may be money, dates or ages; currency symbols are money; a capital
//! letter or an unrecognised content word may be a place. A follow-up that only says "bump it to
//! 10k" runs the budget specialist (and those a digit may concern), not the goal specialist.

use std::sync::OnceLock;

use super::lexicon::{tsv_rows, Case, Hit, Lexicon};
use super::text::Text;
use super::Specialist;

const ROUTER: &str = include_str!("../../fixtures/taxonomy/router.tsv");
const GOALS: &str = include_str!("../../fixtures/taxonomy/goals.tsv");
const TARGETING: &str = include_str!("../../fixtures/taxonomy/targeting.tsv");
const FORMATS: &str = include_str!("../../fixtures/taxonomy/formats.tsv");
const GOAL_FRAMES: &str = include_str!("../../fixtures/taxonomy/goal_frames.tsv");

/// A set of specialists (bit i = `Specialist::ALL[i]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Route(u8);

impl Route {
    /// Adds a specialist.
    pub fn add(&mut self, s: Specialist) {
        self.0 |= 1 << s as u8;
    }
    /// Whether the route includes a specialist.
    pub fn has(self, s: Specialist) -> bool {
        self.0 & (1 << s as u8) != 0
    }
    /// The specialists in this route, in `Specialist::ALL` order.
    pub fn specialists(self) -> impl Iterator<Item = Specialist> {
        Specialist::ALL.into_iter().filter(move |s| self.has(*s))
    }
    /// Whether no specialist is needed.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Every specialist.
    pub fn all() -> Route {
        let mut r = Route::default();
        for s in Specialist::ALL {
            r.add(s);
        }
        r
    }
}

struct Cues {
    lexicon: Lexicon<Route>,
}

fn parse_route(list: &str) -> Route {
    let mut r = Route::default();
    for name in list.split_whitespace() {
        if let Some(s) = Specialist::ALL.into_iter().find(|s| s.name() == name) {
            r.add(s);
        }
    }
    r
}

fn cues() -> &'static Cues {
    static C: OnceLock<Cues> = OnceLock::new();
    C.get_or_init(|| {
        let mut entries: Vec<(String, Route, Case)> = Vec::new();
        let mut by_phrase: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut add = |phrase: &str, route: Route| {
            let key = phrase.to_lowercase();
            match by_phrase.get(&key) {
                Some(&i) => entries[i].1 .0 |= route.0,
                None => {
                    by_phrase.insert(key, entries.len());
                    entries.push((phrase.to_string(), route, Case::Any));
                }
            }
        };
        for row in tsv_rows(ROUTER) {
            if let (Some(p), Some(s)) = (row.first(), row.get(1)) {
                add(p, parse_route(s));
            }
        }
        for (data, specialist) in
            [(GOALS, Specialist::Goal), (TARGETING, Specialist::Audience), (FORMATS, Specialist::Formats)]
        {
            let mut r = Route::default();
            r.add(specialist);
            for row in tsv_rows(data) {
                // A word that is a genre only among fans ("country") is no cue alone: the
                // fan noun beside it is one when it counts.
                if let Some(p) = row.first().filter(|_| row.get(1) != Some(&"fan_genre")) {
                    add(p, r);
                }
            }
        }
        // Goals written as verbs ("get people to book a table"): each verb form is a goal cue.
        let mut goal = Route::default();
        goal.add(Specialist::Goal);
        for row in tsv_rows(GOAL_FRAMES) {
            for verb in row.first().iter().flat_map(|v| v.split('|')) {
                add(verb, goal);
            }
        }
        Cues { lexicon: Lexicon::new(entries) }
    })
}

/// The cue phrases of the text, found once per text (the router, the account of unread words
/// and the unknown-place check all ask).
fn hits(text: &Text) -> &[Hit<Route>] {
    text.cues.get_or_init(|| cues().lexicon.find(text))
}

/// The byte ranges of the text that are cue phrases of some specialist.
pub(crate) fn cue_spans(text: &Text) -> impl Iterator<Item = (usize, usize)> + '_ {
    hits(text).iter().map(|h| (h.start, h.end))
}

/// The cue phrases of the message that belong to one specialist alone, with their byte ranges
/// of `Text::norm` (a phrase shared by several, such as "extend" for the budget and the
/// schedule, and the character rules for digits, currency signs, capitals and unknown words are
/// left out). Where such a specialist finds nothing, it was called for and may have fallen short.
pub fn cued(text: &Text) -> Vec<(Specialist, usize, usize)> {
    let hits = hits(text).iter().filter(|h| h.value.0.count_ones() == 1);
    hits.filter_map(|h| h.value.specialists().next().map(|s| (s, h.start, h.end))).collect()
}

/// Which specialists a message needs.
pub fn route(text: &Text) -> Route {
    let mut r = Route::default();
    let hits = hits(text);
    for h in hits {
        r.0 |= h.value.0;
    }
    if text.norm.bytes().any(|b| b.is_ascii_digit()) {
        r.add(Specialist::Budget);
        r.add(Specialist::Schedule);
        r.add(Specialist::Audience);
    }
    if text.norm.contains(['$', '€', '£', '¥', '₹', '₩', '₺']) {
        r.add(Specialist::Budget);
    }
    if !text.all_lowercase() {
        r.add(Specialist::Audience);
    }
    if text.norm.contains('%') {
        // A share: a format cap ("make that 40%") or a budget change ("20% more").
        r.add(Specialist::Formats);
    }
    if !r.has(Specialist::Audience) && super::gazetteer::Gazetteer::get().has_coded_list(text) {
        r.add(Specialist::Audience);
    }
    if !r.has(Specialist::Audience) || !r.has(Specialist::Goal) {
        // A content word nothing else recognised may be a place ("add austria") or a misspelt
        // goal ("awarness"): the two specialists that read typos.
        // The hits are in order and disjoint: only the last one starting at or before a word can
        // hold it (a scan of every hit per word was quadratic).
        let in_hit = |w: &super::text::Word| {
            let i = hits.partition_point(|h| h.start <= w.start);
            i > 0 && w.end <= hits[i - 1].end
        };
        let unknown = text.words.iter().enumerate().any(|(k, w)| {
            let word = text.word(*w);
            word.chars().count() >= 4 && !super::lang::words::at(text, k).is_stopword() && !in_hit(w)
        });
        if unknown {
            r.add(Specialist::Audience);
            r.add(Specialist::Goal);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use Specialist::*;

    fn routed(s: &str) -> Vec<Specialist> {
        route(&Text::new(s)).specialists().collect()
    }

    #[test]
    fn a_full_brief_runs_everything_it_mentions() {
        let r =
            routed("I want to grow brand awareness among 18–24 year olds in Austria with a €6,000 budget over 30 days");
        assert_eq!(r, vec![Goal, Audience, Budget, Schedule]);
    }

    #[test]
    fn follow_ups_run_only_what_they_touch() {
        assert_eq!(routed("no video"), vec![Formats]);
        assert_eq!(routed("can we extend it by two weeks"), vec![Budget, Schedule]);
        assert_eq!(routed("change the objective to site traffic"), vec![Goal]);
        assert_eq!(routed("add austria"), vec![Goal, Audience]);
        assert_eq!(routed("cut the budget in half"), vec![Budget, Schedule]);
        assert!(routed("actually keep video").contains(&Formats));
    }

    #[test]
    fn long_input_is_linear() {
        // Every word covered by a cue: each word used to scan the hits from the start.
        let long = "budget ".repeat(20_000);
        let start = std::time::Instant::now();
        assert_eq!(routed(&long), vec![Budget]);
        assert!(start.elapsed().as_secs_f64() < 2.0, "{:?}", start.elapsed());
        assert!(routed("budget zzyzx").contains(&Audience));
    }

    #[test]
    fn goal_verbs_run_the_goal_specialist() {
        for s in ["try our app", "sell more", "people to book a table"] {
            assert!(routed(s).contains(&Goal), "{s}");
        }
    }

    #[test]
    fn vocabulary_cues_are_told_from_character_rules() {
        let cued = |s: &str| {
            let mut r: Vec<Specialist> = cued(&Text::new(s)).into_iter().map(|c| c.0).collect();
            r.dedup();
            r
        };
        assert_eq!(cued("no video"), vec![Formats]);
        assert!(cued("Zzyzx 42").is_empty(), "digits and capitals are no vocabulary");
        assert!(cued("grow awareness").contains(&Goal));
        assert!(!cued("extend it").contains(&Budget), "a cue shared with the schedule");
    }

    #[test]
    fn nothing_to_do() {
        assert!(route(&Text::new("thanks!")).is_empty());
    }
}
