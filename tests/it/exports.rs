//! `adsai plan --chart/--export` end to end: the binary writes a PNG of the budget→reach curve,
//! and the plan as CSV, xlsx and a Spotify Ads API–shaped JSON draft, each holding the plan the
//! same run printed.

use std::path::PathBuf;

use serde_json::Value;

use crate::cli::adsai;

const BRIEF: &str = "brand awareness for 25-44 year olds in Germany and Austria, €20,000, 6 weeks";

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("adsai-exports-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default()
}

/// Runs `plan --json` with extra arguments; returns the printed plan.
fn plan_with(extra: &[&str]) -> Value {
    let mut args = vec!["plan", "--json", "--today", "2026-11-23"];
    args.extend_from_slice(extra);
    args.push(BRIEF);
    let out = adsai(&args, b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json on stdout")
}

#[test]
fn json_carries_a_curve_of_eight_points_around_the_plan() {
    let v = plan_with(&[]);
    let curve = v["plan"]["curve"].as_array().expect("plan.curve");
    assert_eq!(curve.len(), 8);
    let total = v["plan"]["budget"]["total"].as_f64().expect("budget total");
    let at_one = &curve[3];
    assert!((at_one["budget"].as_f64().unwrap_or_default() - total).abs() < 0.01, "the point at ×1 is the plan");
    assert_eq!(at_one["reach"], v["plan"]["forecast"]["reach"], "the point at ×1 is the plan's forecast");
    let audience = v["plan"]["forecast"]["audience_size"].as_f64().expect("audience size");
    for p in curve {
        assert!(p["reach"]["high"].as_f64().unwrap_or(f64::MAX) <= audience, "reach within the audience: {p}");
    }
    let reach: Vec<f64> = curve.iter().map(|p| p["reach"]["mid"].as_f64().unwrap_or_default()).collect();
    assert!(reach.windows(2).all(|w| w[1] >= w[0]), "reach never falls as the budget grows: {reach:?}");
    assert!(reach[7] < 4.0 * reach[3], "four times the budget buys less than four times the reach: {reach:?}");
}

#[test]
fn a_saturating_brief_says_where_extra_budget_stops_paying() {
    let out = adsai(
        &["plan", "--json", "--today", "2026-11-23", "reach women 25-34 in Ireland who like jazz, €30k, 2 weeks"],
        b"",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let note = v["plan"]["curve_note"].as_str().expect("a curve note");
    assert!(note.starts_with("Past about €"), "{note}");
}

#[test]
fn chart_is_a_png_of_the_curve() {
    let d = dir();
    let path = d.join("curve.png");
    plan_with(&["--chart", path.to_str().expect("utf-8 path")]);
    let bytes = std::fs::read(&path).expect("the chart was written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes.as_slice()));
    let reader = decoder.read_info().expect("a valid png");
    assert_eq!((reader.info().width, reader.info().height), (800, 450));
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn exports_hold_the_printed_plan() {
    let d = dir();
    let csv = d.join("plan.csv");
    let v = plan_with(&["--export", csv.to_str().expect("utf-8 path")]);
    let ad_sets = v["plan"]["ad_sets"].as_array().expect("ad sets");
    let text = std::fs::read_to_string(&csv).expect("csv written");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), ad_sets.len() + 2, "header, ad sets, Total:\n{text}");
    assert!(lines[0].starts_with("Ad set,"));
    assert!(lines.last().is_some_and(|l| l.starts_with("Total,")));
    assert!(lines[1].starts_with(ad_sets[0]["name"].as_str().expect("name")));

    let draft_path = d.join("plan.json");
    plan_with(&["--export", draft_path.to_str().expect("utf-8 path")]);
    let draft: Value = serde_json::from_slice(&std::fs::read(&draft_path).expect("json written")).expect("json");
    assert_eq!(draft["campaign"]["objective"], "REACH");
    let sets = draft["ad_sets"].as_array().expect("ad sets");
    assert_eq!(sets.len(), ad_sets.len());
    let micros: i64 = sets.iter().map(|s| s["budget"]["micro_amount"].as_i64().unwrap_or_default()).sum();
    assert!((micros - 20_000_000_000).abs() <= sets.len() as i64 * 10_000, "budgets in micros add up: {micros}");

    let xlsx = d.join("plan.xlsx");
    plan_with(&["--export", xlsx.to_str().expect("utf-8 path")]);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&xlsx).expect("xlsx written")).expect("a zip archive");
    let mut book = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/workbook.xml").expect("workbook"), &mut book).expect("xml");
    for sheet in ["Brief", "Ad sets", "Forecast", "Curve"] {
        assert!(book.contains(&format!("name=\"{sheet}\"")), "{sheet}");
    }
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn an_unknown_export_format_is_refused_before_any_work() {
    let out = adsai(&["plan", "--export", "plan.pdf", BRIEF], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown export format"));
}

/// A GET with a bearer token; status, content type and the raw body.
async fn get_bytes(c: &crate::http::HttpClient, url: &str, token: Option<&str>) -> (u16, String, Vec<u8>) {
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", a.as_str())).collect();
    crate::http::call_bytes(c, "GET", url, &headers, b"").await
}

#[tokio::test]
async fn chart_and_exports_over_http_need_the_token_and_hold_the_plan() {
    use adsai::store::MemoryStore;
    use adsai::surface::http as api;
    let config = api::Config { token: Some("s3cret".into()), ..api::Config::default() };
    let server = crate::http::Server::start(
        std::sync::Arc::new(MemoryStore::default()),
        config,
        adsai::coordinator::Config::default(),
    )
    .await;
    let c = crate::http::client();
    let auth = [("authorization", "Bearer s3cret"), ("content-type", "application/json")];
    let (status, _, body) = crate::http::call(
        &c,
        "POST",
        &format!("{}/v1/conversations", server.base),
        &auth,
        br#"{"today": "2026-11-23"}"#,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = serde_json::from_str::<Value>(&body).expect("json")["id"].as_str().expect("id").to_string();
    let text = serde_json::json!({ "text": BRIEF }).to_string();
    let url = format!("{}/v1/conversations/{id}", server.base);
    let (status, _, body) = crate::http::call(&c, "POST", &format!("{url}/messages"), &auth, text.as_bytes()).await;
    assert_eq!(status, 200, "{body}");
    let plan: Value = serde_json::from_str(&body).expect("json");

    let (status, ctype, png) = get_bytes(&c, &format!("{url}/chart.png"), Some("s3cret")).await;
    assert_eq!((status, ctype.as_str()), (200, "image/png"));
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");

    let (status, ctype, csv) = get_bytes(&c, &format!("{url}/export?format=csv"), Some("s3cret")).await;
    assert_eq!(status, 200);
    assert!(ctype.starts_with("text/csv"));
    let csv = String::from_utf8(csv).expect("utf-8");
    assert_eq!(csv.lines().count(), plan["plan"]["ad_sets"].as_array().map_or(0, Vec::len) + 2, "{csv}");

    let (status, _, xlsx) = get_bytes(&c, &format!("{url}/export?format=xlsx"), Some("s3cret")).await;
    assert_eq!(status, 200);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("a zip archive");
    assert!(zip.by_name("xl/worksheets/sheet4.xml").is_ok(), "four sheets");

    let (status, ctype, draft) = get_bytes(&c, &format!("{url}/export?format=spotify"), Some("s3cret")).await;
    assert_eq!((status, ctype.as_str()), (200, "application/json"));
    let draft: Value = serde_json::from_slice(&draft).expect("json");
    assert_eq!(draft["ad_sets"].as_array().map(Vec::len), plan["plan"]["ad_sets"].as_array().map(Vec::len));

    // The same token as the rest of the API; clear errors for a bad format or conversation.
    assert_eq!(get_bytes(&c, &format!("{url}/chart.png"), None).await.0, 401);
    assert_eq!(get_bytes(&c, &format!("{url}/export?format=pdf"), Some("s3cret")).await.0, 400);
    let missing = format!("{}/v1/conversations/nope/export?format=csv", server.base);
    assert_eq!(get_bytes(&c, &missing, Some("s3cret")).await.0, 404);
    server.stop().await;
}
