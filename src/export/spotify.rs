//! The plan as a draft for the Spotify Ads API v3: one campaign and its ad sets, shaped after the
//! API's create payloads (`shared/SPOTIFY-ADS.md` §3). Nothing is sent anywhere. Money is in micros
//! of the plan's currency, times are UTC, the flight's end is inclusive (the ad set ends at the end
//! of its last day). What only the ad account can supply (`campaign_id`, `category`,
//! `mobile_app_id`) is `null`, and places are listed by ISO code and name under `unresolved_geo`
//! until they are looked up as Spotify geo ids.

use serde_json::{json, Value};

use crate::brain::Response;
use crate::brief::Objective;
use crate::plan::AdSet;

/// The draft: `{"campaign": {…}, "ad_sets": [{…}]}`.
pub(super) fn draft(response: &Response) -> Value {
    let plan = &response.plan;
    let objective = plan.objective.or(response.brief.objective).unwrap_or(Objective::Reach);
    let (start, end) = match &plan.schedule {
        Some(s) => (s.start.format("%Y-%m-%dT00:00:00Z").to_string(), s.end.format("%Y-%m-%dT23:59:59Z").to_string()),
        None => (String::new(), String::new()),
    };
    let ad_sets: Vec<Value> = plan.ad_sets.iter().map(|a| ad_set(a, &plan.currency, &start, &end)).collect();
    json!({
        "campaign": {
            "name": campaign_name(response),
            "objective": objective.id(),
        },
        "ad_sets": ad_sets,
    })
}

fn campaign_name(response: &Response) -> String {
    let objective = response.plan.objective.or(response.brief.objective).unwrap_or(Objective::Reach);
    let countries = response.brief.audience.countries().join("+");
    let start = response.plan.schedule.as_ref().map(|s| s.start.to_string()).unwrap_or_default();
    [objective.label().to_string(), countries, start]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

fn micros(amount: f64) -> i64 {
    (amount * 1_000_000.0).round() as i64
}

fn ad_set(a: &AdSet, currency: &str, start: &str, end: &str) -> Value {
    let t = &a.targeting;
    let ids = |v: &[String]| v.to_vec();
    let country = t.countries().first().map(|c| c.to_string()).unwrap_or_default();
    let regions: Vec<&str> = t.locations.iter().filter_map(|l| l.region.as_deref()).collect();
    let cities: Vec<&str> = t.locations.iter().filter_map(|l| l.city.as_deref()).collect();
    let platforms: Vec<&str> = match a.platform {
        Some(p) => vec![p.id()],
        None => t.platforms.iter().map(|p| p.id()).collect(),
    };
    let genders: Vec<&str> = t.genders.iter().map(|g| g.id()).collect();
    json!({
        "name": a.name,
        "campaign_id": null,
        "category": null,
        "start_time": start,
        "end_time": end,
        "budget": {"micro_amount": micros(a.budget), "type": "LIFETIME", "currency": currency},
        "asset_format": a.format.id(),
        "bid_strategy": a.bid_strategy,
        // A CPM cap under MAX_BID; a cost-per-result ad set bids no CPM.
        "bid_micro_amount": (a.bid_strategy == "MAX_BID").then(|| micros(a.bid_cpm)),
        "pacing": format!("PACING_{}", a.pacing),
        "frequency_caps": [{"frequency_unit": "WEEK", "frequency_period": 1, "max_impressions": a.frequency_cap.round() as i64}],
        "targets": {
            "age_ranges": [{"min": t.age_min.unwrap_or(18), "max": t.age_max}],
            "genders": genders,
            "geo_targets": {"country_code": country, "region_ids": [], "city_ids": []},
            "platforms": platforms,
            "placements": [a.placement.id()],
            "genre_ids": ids(&t.genres),
            "interest_ids": ids(&t.interests),
            "podcast_episode_topic_ids": ids(&t.podcast_topics),
            "language": t.languages.first(),
        },
        "unresolved_geo": {"regions": regions, "cities": cities},
        "mobile_app_id": null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_campaign_and_every_ad_set_in_micros() {
        let r = crate::export::tests::response();
        let v = draft(&r);
        assert_eq!(v["campaign"]["objective"], "REACH");
        let sets = v["ad_sets"].as_array().expect("ad sets");
        assert_eq!(sets.len(), r.plan.ad_sets.len());
        for (s, a) in sets.iter().zip(&r.plan.ad_sets) {
            assert_eq!(s["budget"]["micro_amount"].as_i64(), Some((a.budget * 1e6).round() as i64));
            assert_eq!(s["budget"]["currency"], "EUR");
            assert_eq!(s["asset_format"], a.format.id());
            assert_eq!(s["targets"]["genders"], json!(["FEMALE"]));
            assert_eq!(s["targets"]["age_ranges"][0]["min"], 18);
            assert_eq!(s["targets"]["age_ranges"][0]["max"], 34);
            assert!(s["start_time"].as_str().is_some_and(|t| t.ends_with("T00:00:00Z")));
            assert_eq!(s["bid_strategy"], &*a.bid_strategy);
            assert_eq!(s["pacing"], "PACING_EVEN");
            assert_eq!(s["frequency_caps"][0]["max_impressions"].as_i64(), Some(a.frequency_cap.round() as i64));
        }
    }
}
