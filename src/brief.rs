//! The campaign brief: the domain types of docs/brief.md §2 and their JSON shape (§3).
//!
//! Every id mirrors the public Spotify Ads API v3 enums, so a brief is "API-shaped". The types
//! are plain data: understanding fills them (`crate::understand`), the conversation merges them
//! (`crate::conversation`), the planner reads them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What the campaign is for (docs/brief.md §2 "Objective").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Objective {
    Reach,
    EvenImpressionDelivery,
    Clicks,
    WebsiteVisits,
    VideoViews,
    PodcastStreams,
    AppInstalls,
    LeadGen,
    Conversions,
}

impl Objective {
    /// Every objective, in SPEC order.
    pub const ALL: [Objective; 9] = [
        Objective::Reach,
        Objective::EvenImpressionDelivery,
        Objective::Clicks,
        Objective::WebsiteVisits,
        Objective::VideoViews,
        Objective::PodcastStreams,
        Objective::AppInstalls,
        Objective::LeadGen,
        Objective::Conversions,
    ];

    /// The SPEC id, e.g. `"LEAD_GEN"`.
    pub fn id(self) -> &'static str {
        match self {
            Objective::Reach => "REACH",
            Objective::EvenImpressionDelivery => "EVEN_IMPRESSION_DELIVERY",
            Objective::Clicks => "CLICKS",
            Objective::WebsiteVisits => "WEBSITE_VISITS",
            Objective::VideoViews => "VIDEO_VIEWS",
            Objective::PodcastStreams => "PODCAST_STREAMS",
            Objective::AppInstalls => "APP_INSTALLS",
            Objective::LeadGen => "LEAD_GEN",
            Objective::Conversions => "CONVERSIONS",
        }
    }

    /// Parses a SPEC id (as used in data files).
    pub fn from_id(id: &str) -> Option<Objective> {
        Objective::ALL.into_iter().find(|o| o.id() == id)
    }

    /// A short human label for summaries.
    pub fn label(self) -> &'static str {
        match self {
            Objective::Reach => "reach / awareness",
            Objective::EvenImpressionDelivery => "even impression delivery",
            Objective::Clicks => "clicks",
            Objective::WebsiteVisits => "website visits",
            Objective::VideoViews => "video views",
            Objective::PodcastStreams => "podcast streams",
            Objective::AppInstalls => "app installs",
            Objective::LeadGen => "leads",
            Objective::Conversions => "conversions",
        }
    }
}

/// Creative format (docs/brief.md §2 "Formats and placements"). `IMAGE` is display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Format {
    Audio,
    Video,
    Image,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 3] = [Format::Audio, Format::Video, Format::Image];

    /// The SPEC id.
    pub fn id(self) -> &'static str {
        match self {
            Format::Audio => "AUDIO",
            Format::Video => "VIDEO",
            Format::Image => "IMAGE",
        }
    }
}

/// Where the ad runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Placement {
    Music,
    Podcast,
}

impl Placement {
    /// The SPEC id.
    pub fn id(self) -> &'static str {
        match self {
            Placement::Music => "MUSIC",
            Placement::Podcast => "PODCAST",
        }
    }
}

/// Device platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Platform {
    Ios,
    Android,
    Desktop,
}

impl Platform {
    /// The SPEC id.
    pub fn id(self) -> &'static str {
        match self {
            Platform::Ios => "IOS",
            Platform::Android => "ANDROID",
            Platform::Desktop => "DESKTOP",
        }
    }
}

/// Gender filter value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Gender {
    Female,
    Male,
    NonBinary,
}

impl Gender {
    /// The SPEC id.
    pub fn id(self) -> &'static str {
        match self {
            Gender::Female => "FEMALE",
            Gender::Male => "MALE",
            Gender::NonBinary => "NON_BINARY",
        }
    }
}

/// One targeted place: a country, optionally narrowed to an ISO 3166-2 region or a city.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// ISO 3166-2 code, e.g. `DE-BY`.
    pub region: Option<String>,
    /// City name as a planner writes it, e.g. `New York`.
    pub city: Option<String>,
}

impl Location {
    /// A whole country.
    pub fn country(code: &str) -> Location {
        Location { country: code.to_string(), region: None, city: None }
    }
}

/// Who the campaign targets. Empty lists mean "everyone".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Audience {
    /// 18 ≤ age_min ≤ age_max ≤ 99; `None` = open end.
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    pub genders: Vec<Gender>,
    pub locations: Vec<Location>,
    pub interests: Vec<String>,
    pub genres: Vec<String>,
    pub contexts: Vec<String>,
    pub podcast_topics: Vec<String>,
    /// ISO 639-1 codes.
    pub languages: Vec<String>,
    pub platforms: Vec<Platform>,
}

impl Audience {
    /// Countries in the order they were named, without repeats.
    pub fn countries(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::with_capacity(self.locations.len());
        for loc in &self.locations {
            if !out.contains(&loc.country.as_str()) {
                out.push(&loc.country);
            }
        }
        out
    }
}

/// Lifetime total or per-day amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BudgetType {
    Lifetime,
    Daily,
}

/// The money side of the brief, in major units of `currency`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    pub amount: f64,
    /// ISO 4217.
    pub currency: String,
    #[serde(rename = "type")]
    pub kind: BudgetType,
    /// Lower bound of a range ("10–15k"); `amount` is then the upper bound.
    pub min: Option<f64>,
    pub approximate: bool,
}

/// The flight. `end` is inclusive; `days = end − start + 1` (≤ 0 when the end is before the start).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub days: Option<i64>,
}

/// Format constraints stated in the brief.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Formats {
    pub include: Vec<Format>,
    pub exclude: Vec<Format>,
    /// Largest share of the budget a format may take, 0–1.
    pub max_share: BTreeMap<Format, f64>,
    pub placements: Vec<Placement>,
}

/// The resolved campaign fields (docs/brief.md §3 `brief`). Unstated scalars are `null`, lists empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Brief {
    pub objective: Option<Objective>,
    pub audience: Audience,
    pub budget: Option<Budget>,
    pub schedule: Schedule,
    pub formats: Formats,
}

/// Interest ids (docs/brief.md §2).
pub const INTEREST_IDS: [&str; 24] = [
    "books",
    "business",
    "comedy",
    "commuting",
    "cooking",
    "culture",
    "diy",
    "education",
    "health",
    "history",
    "fitness",
    "gaming",
    "in_car",
    "dating",
    "news",
    "parenting",
    "travel",
    "technology",
    "sports",
    "fashion_beauty",
    "pets",
    "automotive",
    "finance",
    "food_drink",
];
/// Genre ids (docs/brief.md §2).
pub const GENRE_IDS: [&str; 15] = [
    "pop",
    "hip_hop",
    "rock",
    "electronic",
    "latin",
    "rnb",
    "indie",
    "country",
    "jazz",
    "classical",
    "metal",
    "kpop",
    "reggaeton",
    "afrobeats",
    "schlager",
];
/// Context (real-time moment) ids (docs/brief.md §2).
pub const CONTEXT_IDS: [&str; 8] = ["workout", "chill", "cooking", "party", "focus", "commute", "sleep", "gaming"];
/// Podcast topic ids, the Spotify API slugs (docs/brief.md §2).
pub const PODCAST_TOPIC_IDS: [&str; 29] = [
    "automotive",
    "books-and-literature",
    "business-and-finance",
    "careers",
    "education",
    "events-and-attractions",
    "family-and-relationships",
    "fine-art",
    "food-and-drink",
    "healthy-living",
    "hobbies-and-interests",
    "home-and-garden",
    "medical-health",
    "movies",
    "music-and-audio",
    "news-and-politics",
    "personal-finance",
    "pets",
    "pop-culture",
    "real-estate",
    "religion-and-spirituality",
    "science",
    "shopping",
    "sports",
    "style-and-fashion",
    "technology-and-computing",
    "television",
    "travel",
    "video-gaming",
];

/// Warning codes of docs/brief.md §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WarningCode {
    Minors,
    BudgetBelowMinimum,
    EndBeforeStart,
    StartInPast,
    UnsupportedMarket,
    UnknownLocation,
    UnlikelyToDeliver,
    FormatConflict,
    Ambiguous,
    /// A specialist failed or timed out; its part of the brief was left as it was.
    SpecialistFailed,
    /// The model was asked for a part of the brief and its answer could not be used (time
    /// limit, HTTP error, malformed or invalid answer); the built-in reading was used.
    ModelFailed,
}

impl WarningCode {
    /// The SPEC id, e.g. `START_IN_PAST`.
    pub fn id(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
    }
}

/// Something the planner should look at: never a silent change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub code: WarningCode,
    /// Dotted path of the brief field concerned, e.g. `audience.age_min`.
    pub field: String,
    pub message: String,
    /// A one-click fix, when there is one (surfaces show it as a button).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// A fix for a warning: the button's label and the follow-up message it sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// Short, e.g. "Raise to $250".
    pub label: String,
    /// The follow-up, as if typed, e.g. "make the budget 250 USD".
    pub message: String,
}

/// A default, clamp or guess made on the user's behalf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assumption {
    pub field: String,
    pub message: String,
}

/// Part of a message that no specialist used, or that was found but could not be applied
/// (`plan.not_understood`): nothing the user wrote is dropped without saying so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotUnderstood {
    /// The words as the user wrote them.
    pub text: String,
    /// Why they were not used, in words ("excluding a city is not supported").
    pub reason: String,
}

/// A fact that changes the plan materially and could not be inferred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub field: String,
    pub message: String,
}

impl Warning {
    /// Shorthand constructor.
    pub fn new(code: WarningCode, field: &str, message: impl Into<String>) -> Warning {
        Warning { code, field: field.to_string(), message: message.into(), fix: None }
    }

    /// The warning with a one-click fix.
    pub fn with_fix(mut self, label: impl Into<String>, message: impl Into<String>) -> Warning {
        self.fix = Some(Fix { label: label.into(), message: message.into() });
        self
    }
}

impl Assumption {
    /// Shorthand constructor.
    pub fn new(field: &str, message: impl Into<String>) -> Assumption {
        Assumption { field: field.to_string(), message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brief_serialises_to_the_spec_shape() {
        let mut brief = Brief { objective: Some(Objective::LeadGen), ..Brief::default() };
        brief.audience.locations.push(Location::country("DE"));
        brief.budget = Some(Budget {
            amount: 5000.0,
            currency: "EUR".into(),
            kind: BudgetType::Lifetime,
            min: None,
            approximate: false,
        });
        brief.formats.max_share.insert(Format::Video, 0.2);
        let v = serde_json::to_value(&brief).unwrap();
        assert_eq!(v["objective"], "LEAD_GEN");
        assert_eq!(v["audience"]["age_min"], serde_json::Value::Null);
        assert_eq!(v["audience"]["locations"][0]["country"], "DE");
        assert_eq!(v["audience"]["locations"][0]["region"], serde_json::Value::Null);
        assert_eq!(v["budget"]["type"], "LIFETIME");
        assert_eq!(v["schedule"]["start"], serde_json::Value::Null);
        assert_eq!(v["formats"]["max_share"]["VIDEO"], 0.2);
        let back: Brief = serde_json::from_value(v).unwrap();
        assert_eq!(back, brief);
    }

    #[test]
    fn objective_ids_round_trip() {
        for o in Objective::ALL {
            assert_eq!(Objective::from_id(o.id()), Some(o));
            assert_eq!(serde_json::to_value(o).unwrap(), o.id());
        }
    }

    #[test]
    fn the_vocabulary_uses_only_taxonomy_ids() {
        let data = include_str!("../fixtures/taxonomy/targeting.tsv");
        for row in crate::understand::lexicon::tsv_rows(data) {
            let (kind, id, alt) = (row[1], row.get(2).copied().unwrap_or(""), row.get(3).copied().unwrap_or(""));
            match kind {
                "interest" => assert!(INTEREST_IDS.contains(&id), "{id}"),
                "genre" => assert!(GENRE_IDS.contains(&id), "{id}"),
                "context" | "moment" => {
                    assert!(CONTEXT_IDS.contains(&id), "{id}");
                    assert!(alt.is_empty() || INTEREST_IDS.contains(&alt), "{alt}");
                }
                _ => {}
            }
        }
    }

    #[test]
    fn countries_keep_naming_order_without_repeats() {
        let mut a = Audience::default();
        for c in ["US", "CA", "US"] {
            a.locations.push(Location::country(c));
        }
        assert_eq!(a.countries(), vec!["US", "CA"]);
    }
}
