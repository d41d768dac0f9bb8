//! Spotify's rules (docs/brief.md §2, after the Spotify Ads API v3): which formats, placements and
//! platforms each objective may use, which targeting each placement takes, the bid strategy,
//! the KPI labels and the creative checklist. Enforced where the planner builds candidates, so no
//! plan ever holds an ad set Spotify would not sell. The words live in `fixtures/plan/*.tsv`.

use std::sync::OnceLock;

use super::Metric;
use crate::brief::{Audience, Brief, Format, Objective, Placement, Platform, Warning, WarningCode};
use crate::understand::lexicon::tsv_rows;

const KPIS: &str = include_str!("../../fixtures/plan/kpis.tsv");
const CREATIVE: &str = include_str!("../../fixtures/plan/creative.tsv");

/// Formats × placements an objective allows (docs/brief.md §2 compatibility).
pub fn allowed_combinations(o: Objective) -> Vec<(Format, Placement)> {
    use Format::*;
    use Placement::*;
    match o {
        Objective::VideoViews => vec![(Video, Music)],
        Objective::PodcastStreams => vec![(Audio, Podcast)],
        Objective::LeadGen => vec![(Audio, Music), (Audio, Podcast)],
        Objective::AppInstalls => vec![(Audio, Music), (Video, Music), (Audio, Podcast)],
        Objective::EvenImpressionDelivery => {
            vec![(Audio, Music), (Audio, Podcast), (Video, Music), (Video, Podcast), (Image, Music)]
        }
        // REACH, CLICKS, WEBSITE_VISITS, CONVERSIONS: audio or video, never display.
        _ => vec![(Audio, Music), (Audio, Podcast), (Video, Music), (Video, Podcast)],
    }
}

fn names(combos: &[(Format, Placement)]) -> String {
    let mut formats: Vec<&str> = combos.iter().map(|(f, _)| f.id()).collect();
    formats.dedup();
    formats.join(" and ")
}

/// The combinations the plan uses: the objective's, within the brief's constraints. When the
/// brief asks for something Spotify does not sell for the objective, the nearest legal plan —
/// first without the format the brief insisted on, then also without its placement — with a
/// `FORMAT_CONFLICT` warning saying what was done.
pub fn legal_combinations(brief: &Brief, objective: Objective) -> (Vec<(Format, Placement)>, Option<Warning>) {
    let f = &brief.formats;
    let all = allowed_combinations(objective);
    let keep = |include: bool, placements: bool| -> Vec<(Format, Placement)> {
        all.iter()
            .copied()
            .filter(|(fmt, pl)| {
                !f.exclude.contains(fmt)
                    && (!include || f.include.is_empty() || f.include.contains(fmt))
                    && (!placements || f.placements.is_empty() || f.placements.contains(pl))
            })
            .collect()
    };
    let within = keep(true, true);
    if !within.is_empty() {
        return (within, None);
    }
    let asked: Vec<&str> = f.include.iter().map(|x| x.id()).collect();
    let (combos, what) =
        [(keep(false, true), "the formats asked for"), (keep(false, false), "the formats and placements asked for")]
            .into_iter()
            .find(|(c, _)| !c.is_empty())
            .unwrap_or((all.clone(), "the format constraints"));
    let message = format!(
        "Spotify sells {} as {} only{}: the plan drops {what} and uses {}",
        objective.id(),
        names(&all),
        if asked.is_empty() { String::new() } else { format!(", not {}", asked.join("/")) },
        names(&combos)
    );
    (combos, Some(Warning::new(WarningCode::FormatConflict, "formats", message)))
}

/// The platforms an ad set may target for the objective: never desktop for video views and app
/// installs (and app installs target exactly one platform per ad set, see [`ad_set_platforms`]).
/// A brief that asks only for a platform the objective excludes gets the allowed ones, with a
/// warning.
pub fn targeting_platforms(objective: Objective, asked: &[Platform]) -> (Vec<Platform>, Option<Warning>) {
    if !matches!(objective, Objective::VideoViews | Objective::AppInstalls) {
        return (asked.to_vec(), None);
    }
    let mobile: Vec<Platform> = asked.iter().copied().filter(|p| *p != Platform::Desktop).collect();
    if asked.is_empty() {
        return (
            if objective == Objective::VideoViews { vec![Platform::Ios, Platform::Android] } else { mobile },
            None,
        );
    }
    if mobile.is_empty() {
        let w = Warning::new(
            WarningCode::FormatConflict,
            "audience.platforms",
            format!("Spotify runs {} on iOS and Android, never desktop: planned on mobile", objective.id()),
        );
        return (vec![Platform::Ios, Platform::Android], Some(w));
    }
    (mobile, None)
}

/// One entry per ad set to build for each combination: app installs get one ad set per mobile
/// platform; other objectives one ad set covering the targeted platforms.
pub fn ad_set_platforms(objective: Objective, platforms: &[Platform]) -> Vec<Option<Platform>> {
    if objective != Objective::AppInstalls {
        return vec![None];
    }
    let p: Vec<Platform> =
        if platforms.is_empty() { vec![Platform::Ios, Platform::Android] } else { platforms.to_vec() };
    p.into_iter().map(Some).collect()
}

/// Targeting as the placement takes it: genres and moments (contexts) only on MUSIC, podcast
/// topics only on PODCAST. Returns what was left out, for the plan's assumptions.
pub fn fit_to_placement(t: &mut Audience, placement: Placement) -> Vec<&'static str> {
    let mut dropped = Vec::new();
    match placement {
        Placement::Podcast => {
            if !t.genres.is_empty() {
                t.genres.clear();
                dropped.push("genres");
            }
            if !t.contexts.is_empty() {
                t.contexts.clear();
                dropped.push("moments");
            }
        }
        Placement::Music => {
            if !t.podcast_topics.is_empty() {
                t.podcast_topics.clear();
                dropped.push("podcast topics");
            }
        }
    }
    dropped
}

/// How an objective is described and bought.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiInfo {
    pub metric: Metric,
    pub label: String,
    pub cost_label: String,
    pub bid_strategy: String,
}

/// The objective's row of `fixtures/plan/kpis.tsv`, when it has one whose metric the plan's JSON
/// knows (a test checks that every objective has).
fn kpi_row(o: Objective) -> Option<KpiInfo> {
    tsv_rows(KPIS).filter(|r| r.len() >= 5 && r[0] == o.id()).find_map(|r| {
        Some(KpiInfo {
            metric: r[1].parse::<Metric>().ok()?,
            label: r[2].to_string(),
            cost_label: r[3].to_string(),
            bid_strategy: r[4].to_string(),
        })
    })
}

/// The KPI of an objective (`fixtures/plan/kpis.tsv`), read once for every objective (every
/// forecast of every point of the budget curve asks).
pub fn kpi(o: Objective) -> &'static KpiInfo {
    static BY_OBJECTIVE: OnceLock<Vec<KpiInfo>> = OnceLock::new();
    let all = BY_OBJECTIVE.get_or_init(|| {
        Objective::ALL
            .iter()
            .map(|&o| {
                kpi_row(o).unwrap_or_else(|| KpiInfo {
                    metric: Metric::Impressions,
                    label: "impressions".into(),
                    cost_label: "CPM".into(),
                    bid_strategy: "MAX_BID".into(),
                })
            })
            .collect()
    });
    let i = Objective::ALL.iter().position(|x| *x == o).unwrap_or(0);
    &all[i]
}

/// The creative a trafficker needs for a format (`fixtures/plan/creative.tsv`), read once.
pub fn creative_checklist(format: Format) -> &'static [String] {
    static BY_FORMAT: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    let all = BY_FORMAT.get_or_init(|| {
        Format::ALL
            .iter()
            .map(|f| tsv_rows(CREATIVE).filter(|r| r.len() >= 2 && r[0] == f.id()).map(|r| r[1].to_string()).collect())
            .collect()
    });
    Format::ALL.iter().position(|x| *x == format).map_or(&[], |i| &all[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_objective_has_labels_and_every_format_a_checklist() {
        for o in Objective::ALL {
            // A row of its own (not the fallback), with a metric the plan's JSON knows.
            assert!(kpi_row(o).is_some(), "{o:?} has no row in kpis.tsv");
            let k = kpi(o);
            assert!(!k.label.contains('_') && !k.label.is_empty(), "{o:?}");
            assert_eq!(k.bid_strategy == "COST_PER_RESULT", o == Objective::Clicks);
            assert!(!allowed_combinations(o).is_empty());
        }
        for f in Format::ALL {
            assert!(!creative_checklist(f).is_empty(), "{f:?}");
        }
        assert!(creative_checklist(Format::Audio).iter().any(|r| r.contains("640×640")));
    }

    #[test]
    fn display_is_sold_only_for_even_delivery() {
        for o in Objective::ALL {
            let image = allowed_combinations(o).iter().any(|(f, _)| *f == Format::Image);
            assert_eq!(image, o == Objective::EvenImpressionDelivery, "{o:?}");
        }
    }

    #[test]
    fn placements_take_only_their_own_targeting() {
        let mut t = Audience {
            genres: vec!["jazz".into()],
            contexts: vec!["workout".into()],
            podcast_topics: vec!["science".into()],
            ..Audience::default()
        };
        let mut music = t.clone();
        assert_eq!(fit_to_placement(&mut t, Placement::Podcast), ["genres", "moments"]);
        assert!(t.genres.is_empty() && t.contexts.is_empty() && !t.podcast_topics.is_empty());
        assert_eq!(fit_to_placement(&mut music, Placement::Music), ["podcast topics"]);
        assert!(!music.genres.is_empty() && music.podcast_topics.is_empty());
    }
}
