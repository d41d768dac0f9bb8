//! The planner follows the data: plans from generated histories, checked against the rows.

use adsai::brain::{Brain, Response};
use adsai::brief::{Format, Placement, Platform, WarningCode};
use adsai::conversation::Conversation;
use adsai::markets::Markets;
use adsai::plan::history::{self, GenderKey, Row};
use adsai::plan::index::{age_band, region_of, Index, BROAD};
use adsai::plan::planner::Settings;
use adsai::plan::synth::{write_history, GenOptions};
use chrono::NaiveDate;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn history_rows(opts: &GenOptions) -> Vec<Row> {
    let mut csv = Vec::new();
    write_history(&mut csv, Markets::embedded().all(), opts).expect("generate");
    history::load(&csv[..], "generated.csv").expect("loads").0
}

fn brain(opts: &GenOptions) -> Brain {
    Brain::new(Markets::embedded().clone(), Index::build(history_rows(opts)), Settings::default())
}

fn plan(brain: &Brain, messages: &[&str]) -> Response {
    let mut conv = Conversation::new(today());
    let mut last = None;
    for m in messages {
        last = Some(brain.handle(&mut conv, m).expect("valid message"));
    }
    last.expect("a message")
}

fn opts() -> GenOptions {
    GenOptions { rows: 20_000, ..GenOptions::default() }
}

#[test]
fn arithmetic_is_exact_for_many_briefs() {
    let brain = Brain::default();
    let briefs: &[&[&str]] = &[
        &["awareness among 18-24 year olds in Germany, €5,000, 30 days"],
        &["clicks from women 25-44 in France and Belgium, 8k EUR, 3 weeks"],
        &["app installs in the US, iOS and Android, $40k, 30 days"],
        &["video views, 18-34, US/GB/AU, $60k, 4 weeks"],
        &["grow my podcast in Australia, about 3 grand AUD, 6 weeks"],
        &["leads, Nordics, EUR 40k, 90 days, 25-44", "no more than 20% on podcasts"],
        &["conversions in Spain, €12k, in January", "cap video at 25%", "make it 20k"],
        &["reach, NL, €400 a day, 30 days"],
        &["awareness in Germany"],
    ];
    for messages in briefs {
        let r = plan(&brain, messages);
        let p = &r.plan;
        let total = p.budget.as_ref().expect("planned budget").total;
        assert!(!p.ad_sets.is_empty(), "{messages:?}: no ad sets");
        let cents: i64 = p.ad_sets.iter().map(|a| (a.budget * 100.0).round() as i64).sum();
        assert_eq!(cents, (total * 100.0).round() as i64, "{messages:?}: budgets must sum to the total");
        let shares: f64 = p.ad_sets.iter().map(|a| a.share).sum();
        assert!((shares - 1.0).abs() < 1e-9, "{messages:?}: shares sum to {shares}");
        for a in &p.ad_sets {
            let f = &a.forecast;
            assert!((f.impressions.mid - a.budget / f.cpm.mid * 1000.0).abs() <= 0.5, "{messages:?} {}", a.name);
            assert!(f.reach.mid <= f.audience_size as f64, "{messages:?} {}: reach over audience", a.name);
            assert!(f.reach.low <= f.reach.mid && f.reach.mid <= f.reach.high, "{messages:?} {}", a.name);
            assert!((f.frequency.mid - f.impressions.mid / f.reach.mid).abs() < 1e-9, "{messages:?} {}", a.name);
            let countries: Vec<&str> = a.targeting.locations.iter().map(|l| l.country.as_str()).collect();
            assert!(countries.windows(2).all(|w| w[0] == w[1]) && !countries.is_empty(), "one country per ad set");
            assert!(a.evidence.advertisers >= 5, "privacy: {} advertisers", a.evidence.advertisers);
        }
        let f = p.forecast.as_ref().expect("forecast");
        assert!(f.reach.mid <= f.audience_size as f64);
        assert!((f.frequency.mid - f.impressions.mid / f.reach.mid).abs() < 1e-9);
        if let Some(b) = &r.brief.budget {
            assert_eq!(p.currency, b.currency, "all money in the brief's currency");
        }
    }
}

fn format_share(r: &Response, format: Format) -> f64 {
    r.plan.ad_sets.iter().filter(|a| a.format == format).map(|a| a.share).sum()
}

#[test]
fn opposite_format_costs_give_opposite_recommendations() {
    let brief = ["awareness in the US, audio and video, $20k, 4 weeks"];
    let video_dear = plan(&brain(&GenOptions { format_cost: [1.0, 3.0, 1.0], ..opts() }), &brief);
    let audio_dear = plan(&brain(&GenOptions { format_cost: [3.0, 1.0, 1.0], ..opts() }), &brief);
    let (a1, v1) = (format_share(&video_dear, Format::Audio), format_share(&video_dear, Format::Video));
    let (a2, v2) = (format_share(&audio_dear, Format::Audio), format_share(&audio_dear, Format::Video));
    assert!(a1 > v1, "video expensive: audio {a1} should outweigh video {v1}");
    assert!(v2 > a2, "audio expensive: video {v2} should outweigh audio {a2}");
}

/// Rows in the segment an ad set's evidence names (its level), for a brief with no ages,
/// genders or targeting.
fn segment_rows<'a>(rows: &'a [Row], a: &adsai::plan::AdSet, country: &[u8; 2]) -> Vec<&'a Row> {
    rows.iter()
        .filter(|r| r.objective == a.objective && r.format == a.format && r.placement == a.placement)
        .filter(|r| match a.evidence.level.as_str() {
            "audience" => {
                &r.country == country && age_band(Some(r.age_min), r.age_max) == BROAD && r.gender == GenderKey::All
            }
            "all_ages" => &r.country == country && r.gender == GenderKey::All,
            "market" => &r.country == country,
            "region" => region_of(&r.country) == region_of(country),
            "global" => true,
            other => panic!("unexpected level {other}"),
        })
        .filter(|r| r.impressions > 0 && r.reach > 0 && r.budget_usd > 0.0)
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[test]
fn forecast_cpm_is_the_empirical_median_of_its_segment() {
    let rows = history_rows(&opts());
    let brain = Brain::new(Markets::embedded().clone(), Index::build(rows.clone()), Settings::default());
    let r = plan(&brain, &["clicks in Germany, €5k, 4 weeks"]);
    let rate = Markets::embedded().usd_rate("EUR").unwrap();
    assert!(!r.plan.ad_sets.is_empty());
    for a in &r.plan.ad_sets {
        let seg = segment_rows(&rows, a, b"DE");
        assert_eq!(seg.len() as u32, a.evidence.ad_sets, "{}: evidence count", a.name);
        let want = median(seg.iter().map(|r| (r.spend_usd / r.impressions as f64 * 1000.0) as f32 as f64).collect());
        let got = a.forecast.cpm.mid / rate;
        assert!((got - want).abs() / want < 1e-6, "{}: forecast CPM {got} vs segment median {want}", a.name);
    }
}

#[test]
fn a_thin_segment_backs_off_and_says_so() {
    let r = plan(&Brain::default(), &["clicks from women 18-24 in Guyana who love jazz, $2k, 2 weeks"]);
    assert!(!r.plan.ad_sets.is_empty());
    for a in &r.plan.ad_sets {
        assert_ne!(a.evidence.level, "targeted", "{}", a.name);
        assert!(a.evidence.method.contains("backoff"), "{}: {}", a.name, a.evidence.method);
        assert!(a.evidence.ad_sets >= 30 && a.evidence.advertisers >= 5);
    }
}

#[test]
fn the_budget_tier_sets_the_number_of_ad_sets() {
    let brain = Brain::default();
    for (budget, count) in [("$500", 1), ("$3,000", 2), ("$10,000", 3), ("$30,000", 4), ("$100,000", 5)] {
        let r = plan(&brain, &[&format!("awareness in the US, {budget}, 4 weeks")]);
        assert_eq!(r.plan.ad_sets.len(), count, "{budget}");
        let mut combos: Vec<_> = r.plan.ad_sets.iter().map(|a| (a.format, a.placement, a.objective)).collect();
        combos.dedup();
        assert_eq!(combos.len(), count, "{budget}: each ad set a distinct combination");
    }
}

#[test]
fn objectives_get_only_compatible_formats() {
    let brain = Brain::default();
    let r = plan(&brain, &["video views, US, $20k, 3 weeks"]);
    assert!(!r.plan.ad_sets.is_empty());
    assert!(r.plan.ad_sets.iter().all(|a| a.format == Format::Video && a.placement == Placement::Music));
    let r = plan(&brain, &["grow my podcast in the UK, £10k, 4 weeks"]);
    assert!(!r.plan.ad_sets.is_empty());
    assert!(r.plan.ad_sets.iter().all(|a| a.format == Format::Audio && a.placement == Placement::Podcast));
    let r = plan(&brain, &["app installs in Germany, €20k, 30 days, desktop only"]);
    assert!(r.plan.warnings.iter().any(|w| w.code == WarningCode::FormatConflict));
    assert!(!r.plan.ad_sets.is_empty(), "the objective wins over the conflicting constraint");
    for a in &r.plan.ad_sets {
        assert!(matches!(a.platform, Some(Platform::Ios | Platform::Android)), "{}", a.name);
        assert_ne!(a.format, Format::Image);
    }
}

#[test]
fn missing_budget_and_flight_are_recommended_from_similar_campaigns() {
    let r = plan(&Brain::default(), &["awareness in Germany"]);
    assert!(r.brief.budget.is_none() && r.brief.schedule.days.is_none(), "the brief stays as stated");
    let b = r.plan.budget.as_ref().unwrap();
    let s = r.plan.schedule.as_ref().unwrap();
    assert!(b.recommended && b.total > 0.0 && s.recommended && s.days > 0);
    let fields: Vec<&str> = r.plan.assumptions.iter().map(|a| a.field.as_str()).collect();
    assert!(fields.contains(&"plan.budget") && fields.contains(&"plan.schedule"), "{fields:?}");
    assert!(r.plan.assumptions.iter().any(|a| a.message.contains("median budget")));
}

#[test]
fn a_budget_the_audience_cannot_absorb_is_flagged() {
    let r = plan(&Brain::default(), &["awareness in Guyana, $2,000,000, 1 week"]);
    let f = r.plan.forecast.as_ref().unwrap();
    assert!(!f.likely_to_deliver);
    assert!(r.plan.warnings.iter().any(|w| w.code == WarningCode::UnlikelyToDeliver));
    let ok = plan(&Brain::default(), &["awareness in the US, $20,000, 4 weeks"]);
    assert!(ok.plan.forecast.as_ref().unwrap().likely_to_deliver);
}

#[test]
fn unsupported_markets_get_no_ad_sets() {
    let r = plan(&Brain::default(), &["awareness in Germany and Russia, €15k, 4 weeks"]);
    assert!(r.plan.warnings.iter().any(|w| w.code == WarningCode::UnsupportedMarket));
    assert!(!r.plan.ad_sets.is_empty(), "Germany is still planned");
    assert!(r.plan.ad_sets.iter().all(|a| a.targeting.locations.iter().all(|l| l.country == "DE")));
    let none = plan(&Brain::default(), &["awareness in Russia, €15k, 4 weeks"]);
    assert!(none.plan.ad_sets.is_empty());
}
