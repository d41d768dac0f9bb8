//! Readable labels for ids ("iOS", "Spanish", "women", "€"), from `fixtures/present/labels.tsv`
//! and the gazetteer's language table; loaded once.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::brief::{Format, Gender, Objective, Placement, Platform};
use crate::plan::Metric;

const LABELS: &str = include_str!("../../fixtures/present/labels.tsv");
const LANGUAGES: &str = include_str!("../../fixtures/gazetteer/languages.tsv");

struct Labels {
    /// (kind, id) → (label, extra).
    by_id: HashMap<(String, String), (String, String)>,
    /// ISO 639-1 code → English name.
    languages: HashMap<String, String>,
}

fn labels() -> &'static Labels {
    static L: OnceLock<Labels> = OnceLock::new();
    L.get_or_init(|| {
        let mut by_id = HashMap::new();
        for line in LABELS.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let mut cols = line.split('\t');
            let (Some(kind), Some(id), Some(label)) = (cols.next(), cols.next(), cols.next()) else { continue };
            let extra = cols.next().unwrap_or_default();
            by_id.insert((kind.to_string(), id.to_string()), (label.to_string(), extra.to_string()));
        }
        let languages = LANGUAGES
            .lines()
            .skip(1)
            .filter_map(|l| {
                let mut c = l.split('\t');
                Some((c.next()?.to_string(), c.next()?.to_string()))
            })
            .collect();
        Labels { by_id, languages }
    })
}

fn get(kind: &str, id: &str) -> Option<&'static (String, String)> {
    labels().by_id.get(&(kind.to_string(), id.to_string()))
}

/// A readable form of an unlisted id: "FASHION_BEAUTY" → "fashion beauty".
fn words(id: &str) -> String {
    id.to_lowercase().replace('_', " ")
}

/// The symbol shown for a currency ("€"), if it has one of its own.
pub fn currency_symbol(code: &str) -> Option<&'static str> {
    get("currency", code).map(|(l, _)| l.as_str())
}

/// Whether unit costs in this currency show cents (not for yen or won).
pub fn currency_has_cents(code: &str) -> bool {
    get("currency", code).is_none_or(|(_, extra)| extra != "0")
}

/// "iOS", "Android", "desktop".
pub fn platform(p: Platform) -> String {
    get("platform", p.id()).map_or_else(|| words(p.id()), |(l, _)| l.clone())
}

/// "women", "men", "non-binary people".
pub fn gender(g: Gender) -> String {
    get("gender", g.id()).map_or_else(|| words(g.id()), |(l, _)| l.clone())
}

/// "audio", "video", "display".
pub fn format(f: Format) -> String {
    get("format", f.id()).map_or_else(|| words(f.id()), |(l, _)| l.clone())
}

/// "music", "podcasts".
pub fn placement(p: Placement) -> String {
    get("placement", p.id()).map_or_else(|| words(p.id()), |(l, _)| l.clone())
}

/// The plan's kind, as its title says it: "Reach", "App installs".
pub fn objective(o: Objective) -> String {
    get("objective", o.id()).map_or_else(|| words(o.id()), |(l, _)| l.clone())
}

/// What the KPI counts ("clicks") and one of them ("click"), for "€0.42 per click".
pub fn kpi(metric: Metric) -> (String, String) {
    let id = metric.as_str();
    get("kpi", id).map_or_else(|| (words(id), words(id)), |(l, e)| (l.clone(), e.clone()))
}

/// "Spanish" for `es`; an unknown code as it is.
pub fn language(code: &str) -> String {
    labels().languages.get(code).cloned().unwrap_or_else(|| code.to_string())
}

/// Where an ad set's evidence comes from, in words: "in Germany, all ages".
pub fn evidence_level(level: &str, place: &str) -> String {
    get("level", level).map_or_else(|| format!("in {place} ({})", words(level)), |(l, _)| l.replace("{place}", place))
}

/// An interest, genre, moment or topic id in words: "fashion_beauty" → "fashion beauty".
pub fn topic(id: &str) -> String {
    words(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_as_words() {
        assert_eq!(platform(Platform::Ios), "iOS");
        assert_eq!(platform(Platform::Android), "Android");
        assert_eq!(language("es"), "Spanish");
        assert_eq!(language("de"), "German");
        assert_eq!(gender(Gender::Female), "women");
        assert_eq!(objective(Objective::AppInstalls), "App installs");
        assert_eq!(kpi(Metric::Clicks), ("clicks".to_string(), "click".to_string()));
        assert_eq!(kpi(Metric::Installs).1, "install");
        assert_eq!(currency_symbol("EUR"), Some("€"));
        assert_eq!(currency_symbol("SEK"), None);
        assert!(currency_has_cents("EUR") && currency_has_cents("SEK") && !currency_has_cents("JPY"));
        assert_eq!(evidence_level("all_ages", "Germany"), "in Germany, all ages");
        assert_eq!(topic("fashion_beauty"), "fashion beauty");
    }

    #[test]
    fn every_objective_and_kpi_has_a_label() {
        for o in Objective::ALL {
            assert!(get("objective", o.id()).is_some(), "{o:?}");
            assert!(get("kpi", crate::plan::planner::kpi_metric(o).as_str()).is_some(), "{o:?}");
        }
    }
}
