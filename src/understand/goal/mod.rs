//! Goal specialist: which objective the message asks for.
//!
//! Cues come from `fixtures/taxonomy/goals.tsv`, each with a weight (3 names the objective, 2
//! hints strongly, 1 weakly). The strongest cue wins; ties go to the objective with more cues,
//! then to the first mentioned. A cue right after a negation ("not clicks") is ignored; a
//! misspelt strong cue ("awarness") still counts. Two different objectives each introduced as
//! *the* goal ("Objective: awareness … Objective: sales") are a contradiction: the first is kept
//! and the finding is marked ambiguous. Goals written as verbs ("get people to book a table") are
//! read by [`frames`].

mod frames;

use std::sync::OnceLock;

use super::lang::{marks, words};
use super::lexicon::{tsv_rows, Case, Hit, Lexicon};
use super::text::Text;
use crate::brief::Objective;
use frames::Frames;

const GOALS: &str = include_str!("../../../fixtures/taxonomy/goals.tsv");

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

/// How many words a negation may stand before a goal verb and still govern it ("don't want
/// to sell"). A cue phrase is negated only right after the negation ("not clicks").
const VERB_NEGATION_REACH: usize = 3;

/// How far before a cue a goal label may stand ("Objective: app installs").
const LABEL_WINDOW: usize = 24;

/// The word classes of `goal_words.tsv` the cue reading needs.
struct Context<'a> {
    text: &'a Text,
    words: Vec<Hit<u16>>,
    negation: Option<u16>,
    label: Option<u16>,
    intent: Option<u16>,
}

impl Context<'_> {
    /// The negation governing a cue at byte `start`, if any: right before it (only punctuation
    /// between), or up to `reach` words before it in the same clause ("not trying to sell more").
    fn negation(&self, start: usize, reach: usize) -> Option<(usize, usize)> {
        self.words
            .iter()
            .find(|w| {
                if Some(w.value) != self.negation || w.end > start {
                    return false;
                }
                let between = &self.text.norm[w.end..start];
                let words = self.text.words.iter().filter(|x| x.start >= w.end && x.end <= start).count();
                words == 0 && !between.chars().any(char::is_alphanumeric)
                    || words <= reach && !between.contains(frames::CLAUSE_END)
            })
            .map(|w| (w.start, w.end))
    }

    /// The goal label standing shortly before byte `start`, if any.
    fn label(&self, start: usize) -> Option<(usize, usize)> {
        self.words
            .iter()
            .find(|w| Some(w.value) == self.label && w.end <= start && w.start + LABEL_WINDOW >= start)
            .map(|w| (w.start, w.end))
    }

    /// The intent verb right before byte `start` ("*grow* brand awareness"), if any.
    fn intent(&self, start: usize) -> Option<(usize, usize)> {
        self.words
            .iter()
            .find(|w| Some(w.value) == self.intent && w.end <= start && self.text.norm[w.end..start].trim().is_empty())
            .map(|w| (w.start, w.end))
    }

    /// Records a cue at `start..end`: its span and the label or negation that governs it.
    /// Returns whether the cue counts (is not negated) and whether it is labelled as the goal.
    fn read(&self, start: usize, end: usize, reach: usize, spans: &mut Vec<(usize, usize)>) -> (bool, bool) {
        spans.push((start, end));
        let negation = self.negation(start, reach);
        let label = self.label(start);
        spans.extend(negation.into_iter().chain(label).chain(self.intent(start)));
        (negation.is_none(), label.is_some())
    }
}

/// Reads the objective from one message.
pub fn extract(text: &Text) -> GoalFinding {
    let cues = cues();
    let frames = Frames::get();
    let measured_class = frames.class("measured");
    let ctx = Context {
        text,
        words: frames.words(text),
        negation: frames.class("negation"),
        label: frames.class("goal_label"),
        intent: frames.class("intent"),
    };
    let measured = ctx.words.iter().any(|w| Some(w.value) == measured_class);
    let mut spans: Vec<(usize, usize)> = Vec::new();
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
    // Headers, reply subjects and labelled numbers ask for nothing ("Re: Site visits — …",
    // "Purchase order 4500-1"): their cues do not count. A subject line may name the goal.
    let skip = |start: usize, end: usize| text.in_marked(start, end) && !marks::in_subject_line(text, start);
    let mut hits = cues.lexicon.find(text);
    hits.retain(|h| !skip(h.start, h.end));
    for h in &hits {
        let (counts, labelled) = ctx.read(h.start, h.end, 0, &mut spans);
        if counts {
            let (target, weight) = h.value;
            found.push((resolve(target, &mut notes), weight, h.start, labelled));
        }
    }
    for f in frames.find(text, &ctx.words) {
        if hits.iter().any(|h| h.start <= f.start && f.end <= h.end) || skip(f.start, f.end) {
            continue;
        }
        let (counts, labelled) = ctx.read(f.start, f.end, VERB_NEGATION_REACH, &mut spans);
        if counts {
            found.push((resolve(f.target, &mut notes), f.weight, f.start, labelled));
        }
    }
    if measured {
        spans.extend(ctx.words.iter().filter(|w| Some(w.value) == measured_class).map(|w| (w.start, w.end)));
    }
    for w in &text.words {
        let word = text.word(*w);
        if word.len() < 6 || hits.iter().any(|h| h.start <= w.start && w.end <= h.end) || skip(w.start, w.end) {
            continue;
        }
        let first = word.chars().next();
        if let Some((cue, target)) = cues.fuzzy.iter().find(|(cue, _)| {
            cue.chars().next() == first && cue.len().abs_diff(word.len()) <= 1 && words::one_edit_apart(cue, word)
        }) {
            let obj = resolve(*target, &mut notes);
            notes.push(format!("Read \"{word}\" as \"{cue}\""));
            spans.push((w.start, w.end));
            found.push((obj, 3, w.start, false));
        }
    }
    found.sort_by_key(|f| f.2);
    spans.sort_unstable();
    spans.dedup();
    let labelled: Vec<Objective> = found.iter().filter(|f| f.3 && f.1 >= 2).map(|f| f.0).collect();
    if let Some(&first) = labelled.first() {
        if let Some(&other) = labelled.iter().find(|&&o| o != first) {
            return GoalFinding { objective: Some(first), conflict: Some((first, other)), notes, spans };
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
    GoalFinding { objective, conflict: None, notes, spans }
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
        assert_eq!(goal("we need people to really watch it. video views"), Some(VideoViews));
        assert_eq!(goal("How can I grow my podcast?"), Some(PodcastStreams));
        assert_eq!(goal("we want more downloads of our podcast in the US"), Some(PodcastStreams));
        assert_eq!(goal("Drive downloads of our app"), Some(AppInstalls));
        assert_eq!(goal("Goal: more newsletter sign-ups"), Some(LeadGen));
        assert_eq!(goal("Client wants bookings"), Some(Conversions));
    }

    #[test]
    fn headers_subjects_and_reference_numbers_name_no_goal() {
        for (message, want) in [
            ("Re: App installs — make it 3 weeks", None),
            ("Subject: Awareness Chile\n\nHi, 20k for May please", Some(Reach)),
            ("Awareness in Norway. Purchase order 7781-2234 follows", Some(Reach)),
            ("Fwd: Leads Q3 - reach in Peru", Some(Reach)),
            ("brand awareness, PO 55120093 to come", Some(Reach)),
        ] {
            assert_eq!(goal(message), want, "{message}");
        }
    }

    #[test]
    fn growing_ones_own_show_or_more_listeners() {
        for message in [
            "help me grow our true crime podcast in Ireland",
            "we're building our weekly cycling show, US only",
            "want more students and teachers listening, 10k",
            "hoping for extra commuters tuning in this spring",
        ] {
            assert_eq!(goal(message), Some(PodcastStreams), "{message}");
        }
        // An audience that listens is no goal by itself.
        assert_eq!(goal("target people listening to podcasts about food"), None);
        assert_eq!(goal("brand awareness with folks listening to jazz"), Some(Reach));
    }

    #[test]
    fn goals_written_as_verbs() {
        let cases = [
            ("sell more scented soaps through our webshop", Conversions),
            ("we'd love to sell out the last 200 seats", Conversions),
            ("get diners to reserve a table for Friday nights", Conversions),
            ("more guests booking a stay at the lodge", Conversions),
            ("want customers to buy the new trainers", Conversions),
            ("people to order from our online store", Conversions),
            ("more people filling out the contact form", LeadGen),
            ("get homeowners to request a quote", LeadGen),
            ("we want folks to book a demo", LeadGen),
            ("people joining our mailing list", LeadGen),
            ("get more people listening to my show", PodcastStreams),
            ("subscribe to our podcast", PodcastStreams),
            ("get fans to watch our new music video", VideoViews),
            ("make sure people see the trailer", VideoViews),
            ("get the app on more phones", AppInstalls),
            ("people to download our game", AppInstalls),
            ("send people to our landing page", Clicks),
            ("so more people know about us", Reach),
            ("make people aware of the brand", Reach),
            ("just want to get my name out there", Reach),
            ("put our little shop on the map", Reach),
            ("we'd like families in the Lakes to come in and order a hamper", Conversions),
            ("I want people in Leeds to order our pies online", Conversions),
            ("more climbers booking taster sessions", Conversions),
            ("more people to book a gaming station", Conversions),
            ("more teens booking trial lessons", Conversions),
            // Audience nouns of every kind stand before "to order"/"to buy" like "people" does.
            ("we'd like French speakers 30-50 to order our cheese boxes", Conversions),
            ("Lyon residents to order takeaway from us", Conversions),
            ("get commuters to buy a coffee on the way in", Conversions),
            ("small business owners to purchase our invoicing plan", Conversions),
        ];
        for (s, want) in cases {
            assert_eq!(goal(s), Some(want), "{s}");
        }
    }

    #[test]
    fn verbs_that_are_not_goals_leave_the_objective_open() {
        for s in [
            "a surf shop in Biarritz, 25-44",
            "book lovers in France, €3k",
            "we want to buy audio ads in Germany",
            "women listening to podcasts in Spain",
            "people who watch videos on their phones",
            "in order to reach more of them",
        ] {
            assert!(!matches!(goal(s), Some(Conversions | LeadGen | PodcastStreams | VideoViews)), "{s}");
        }
    }

    #[test]
    fn a_negated_verb_goal_does_not_count() {
        assert_eq!(goal("not trying to sell more, just awareness"), Some(Reach));
    }

    #[test]
    fn the_cues_read_are_the_finding_spans() {
        let t = Text::new("Goal: get people to book a table");
        let f = extract(&t);
        let read: Vec<&str> = f.spans.iter().map(|&(a, b)| &t.norm[a..b]).collect();
        assert_eq!(read, vec!["goal", "book a table"]);
        for (s, verb) in [("we want to grow brand awareness", "grow"), ("boost app installs in Spain", "boost")] {
            let t = Text::new(s);
            let f = extract(&t);
            assert!(f.spans.iter().any(|&(a, b)| &t.norm[a..b] == verb), "{s}: the intent verb is read");
        }
    }

    #[test]
    fn no_cue_leaves_the_objective_open() {
        assert_eq!(goal("Belgium, adults 30-55, €9,000, 4 weeks"), None);
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
        assert_eq!(goal("KPI is website visits, measured in our own analytics (not clicks)"), Some(WebsiteVisits));
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
