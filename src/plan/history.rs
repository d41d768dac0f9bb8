//! Historical performance: the docs/brief.md §4 history table, validated row by row.
//!
//! A bad row is reported with its file and line and skipped, never silently misread; a file with
//! no valid rows or a missing column is an error. Rows live only while the index is built
//! (`super::index`): no plan ever reads them.

use std::collections::HashMap;
use std::io::Read;

use chrono::NaiveDate;
use thiserror::Error;

use crate::brief::{Format, Objective, Placement, CONTEXT_IDS, GENRE_IDS, INTEREST_IDS};

/// The docs/brief.md §4 history columns.
pub const COLUMNS: [&str; 27] = [
    "ad_set_id",
    "campaign_id",
    "advertiser_id",
    "objective",
    "format",
    "placement",
    "country",
    "age_min",
    "age_max",
    "gender",
    "interests",
    "genres",
    "contexts",
    "platforms",
    "start_date",
    "end_date",
    "budget_usd",
    "spend_usd",
    "impressions",
    "reach",
    "clicks",
    "completes",
    "video_views",
    "streams",
    "installs",
    "leads",
    "conversions",
];

/// An optional column after the docs/brief.md §4 ones: the city or region an ad set targeted inside its
/// country (empty = the whole country). Histories without it load as whole-country ad sets.
pub const LOCAL_COLUMN: &str = "city";

/// The bit of a platform in [`Row::platforms`].
pub fn platform_bit(p: crate::brief::Platform) -> u8 {
    match p {
        crate::brief::Platform::Ios => 1,
        crate::brief::Platform::Android => 2,
        crate::brief::Platform::Desktop => 4,
    }
}

/// How many bad rows are listed one by one in a load report (the rest are counted).
pub const MAX_REPORTED_PROBLEMS: usize = 20;

/// Spend may exceed the booked budget by this factor (delivery systems over-deliver slightly).
const OVERSPEND_TOLERANCE: f64 = 1.1;

/// Gender of a historical ad set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GenderKey {
    All,
    Female,
    Male,
    NonBinary,
}

/// One validated historical ad set.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub campaign: u32,
    pub advertiser: u32,
    pub objective: Objective,
    pub format: Format,
    pub placement: Placement,
    pub country: [u8; 2],
    pub age_min: u8,
    /// `None` = open end.
    pub age_max: Option<u8>,
    pub gender: GenderKey,
    /// Interests, genres and contexts, as ids interned by the loader.
    pub targeting: Vec<u16>,
    /// Targeted platforms as a set of [`platform_bit`]s; 0 = every platform.
    pub platforms: u8,
    /// Targeted a city or region inside the country (the optional [`LOCAL_COLUMN`]).
    pub local: bool,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub budget_usd: f64,
    pub spend_usd: f64,
    pub impressions: u64,
    pub reach: u64,
    pub clicks: u64,
    pub completes: u64,
    pub video_views: u64,
    pub streams: u64,
    pub installs: u64,
    pub leads: u64,
    pub conversions: u64,
}

impl Row {
    /// The count of the objective's KPI (docs/brief.md §2 primary KPI). Site visits are measured on the
    /// site by the advertiser's pixel, so for WEBSITE_VISITS they are the `conversions` column.
    pub fn kpi(&self, objective: Objective) -> u64 {
        match objective {
            Objective::Reach => self.reach,
            Objective::EvenImpressionDelivery => self.impressions,
            Objective::Clicks => self.clicks,
            Objective::WebsiteVisits => self.conversions,
            Objective::VideoViews => self.completes.max(self.video_views),
            Objective::PodcastStreams => self.streams,
            Objective::AppInstalls => self.installs,
            Objective::LeadGen => self.leads,
            Objective::Conversions => self.conversions,
        }
    }

    /// Flight length in days.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

/// A problem that stops a history file from loading.
#[derive(Debug, Error)]
pub enum HistoryError {
    #[error("{file}: cannot read: {source}")]
    Io { file: String, source: std::io::Error },
    #[error("{file}: missing column `{column}` (the header must name the docs/brief.md §4 columns)")]
    MissingColumn { file: String, column: String },
    #[error("{file}: no valid rows ({skipped} skipped); first problem: {first}")]
    NoValidRows { file: String, skipped: usize, first: String },
}

/// What loading found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadReport {
    pub rows: usize,
    pub skipped: usize,
    /// The first [`MAX_REPORTED_PROBLEMS`] problems, as `file:line: reason`.
    pub problems: Vec<String>,
}

/// Interned ids of the loaded rows.
#[derive(Debug, Default)]
pub struct Interner {
    ids: HashMap<Box<[u8]>, u32, std::hash::BuildHasherDefault<FnvHasher>>,
}

/// FNV-1a: ids are short trusted strings, and SipHash was a tenth of the load time.
#[derive(Debug, Clone, Copy)]
struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> Self {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
    }
}

impl Interner {
    fn id(&mut self, s: &[u8]) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let next = self.ids.len() as u32;
        self.ids.insert(s.into(), next);
        next
    }
}

/// Parses `YYYY-MM-DD` without a format interpreter (the loader parses two per row).
fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as u32))
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// Targeting ids of the taxonomy (interests, genres, contexts) in one numbering; contexts are
/// prefixed `ctx:` ("cooking" and "gaming" are interests as well).
pub fn targeting_ids() -> &'static [String] {
    static IDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        let plain = INTEREST_IDS.iter().chain(GENRE_IDS.iter()).map(|s| s.to_string());
        plain.chain(CONTEXT_IDS.iter().map(|c| format!("ctx:{c}"))).collect()
    })
}

/// The number of a targeting id (`kind` is "interest", "genre" or "context").
pub fn targeting_id(kind: &str, id: &str) -> Option<u16> {
    static BY_NAME: std::sync::OnceLock<HashMap<&'static str, u16>> = std::sync::OnceLock::new();
    let by_name =
        BY_NAME.get_or_init(|| targeting_ids().iter().enumerate().map(|(i, t)| (t.as_str(), i as u16)).collect());
    if kind == "context" {
        let ctx = targeting_ids().iter().position(|t| t.strip_prefix("ctx:") == Some(id))?;
        Some(ctx as u16)
    } else {
        by_name.get(id).copied().filter(|&i| !targeting_ids()[i as usize].starts_with("ctx:"))
    }
}

fn parse_objective(s: &str) -> Option<Objective> {
    Objective::from_id(s)
}

fn parse_format(s: &str) -> Option<Format> {
    Format::ALL.into_iter().find(|f| f.id() == s)
}

fn parse_placement(s: &str) -> Option<Placement> {
    [Placement::Music, Placement::Podcast].into_iter().find(|p| p.id() == s)
}

fn parse_gender(s: &str) -> Option<GenderKey> {
    Some(match s {
        "ALL" | "" => GenderKey::All,
        "FEMALE" => GenderKey::Female,
        "MALE" => GenderKey::Male,
        "NON_BINARY" => GenderKey::NonBinary,
        _ => return None,
    })
}

/// Loads and validates a history CSV into memory. `file` names it in messages.
pub fn load<R: Read + Send>(reader: R, file: &str) -> Result<(Vec<Row>, LoadReport), HistoryError> {
    let mut rows = Vec::new();
    let report = load_each(reader, file, |r| rows.push(r))?;
    Ok((rows, report))
}

/// Rows handed from the parsing thread to the caller's thread at a time.
const BATCH: usize = 4096;

/// Loads and validates a history CSV, handing each valid row to `sink` as it is read (so an
/// index can be built without holding the rows). Parsing and validation run on a second thread,
/// `sink` on the caller's: the two halves of the work overlap on a two-core machine.
pub fn load_each<R: Read + Send>(reader: R, file: &str, mut sink: impl FnMut(Row)) -> Result<LoadReport, HistoryError> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Row>>(8);
    let result = std::thread::scope(|scope| {
        let parser = scope.spawn(move || parse_all(reader, file, tx));
        for batch in rx {
            for row in batch {
                sink(row);
            }
        }
        parser.join().unwrap_or_else(|_| {
            Err(HistoryError::Io { file: file.into(), source: std::io::Error::other("the parser thread panicked") })
        })
    });
    let report = result?;
    if report.rows == 0 {
        return Err(HistoryError::NoValidRows {
            file: file.into(),
            skipped: report.skipped,
            first: report.problems.first().cloned().unwrap_or_else(|| "the file has no data rows".into()),
        });
    }
    Ok(report)
}

fn parse_all<R: Read>(
    reader: R,
    file: &str,
    tx: std::sync::mpsc::SyncSender<Vec<Row>>,
) -> Result<LoadReport, HistoryError> {
    // Fields are trimmed where they are read (`parse_row`): the reader's own trimming copies
    // every record into a new one, a fifth of the parse.
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = csv.byte_headers().map_err(|e| HistoryError::Io { file: file.into(), source: e.into() })?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim_ascii() == name.as_bytes());
    let mut idx = [usize::MAX; 28];
    for (k, col) in COLUMNS.iter().enumerate() {
        idx[k] =
            column(col).ok_or_else(|| HistoryError::MissingColumn { file: file.into(), column: col.to_string() })?;
    }
    idx[27] = column(LOCAL_COLUMN).unwrap_or(usize::MAX);
    let mut campaigns = Interner::default();
    let mut advertisers = Interner::default();
    let mut report = LoadReport::default();
    let mut record = csv::ByteRecord::new();
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(HistoryError::Io { file: file.into(), source: std::io::Error::other(e.to_string()) });
                }
                let line = e.position().map_or(0, |p| p.line());
                note_problem(&mut report, file, line, &format!("unreadable row: {e}"));
                continue;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        match parse_row(&record, &idx, &mut campaigns, &mut advertisers) {
            Ok(row) => {
                report.rows += 1;
                batch.push(row);
                if batch.len() == BATCH && tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))).is_err() {
                    break;
                }
            }
            Err(reason) => note_problem(&mut report, file, line, &reason.to_string()),
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(batch);
    }
    Ok(report)
}

fn note_problem(report: &mut LoadReport, file: &str, line: u64, reason: &str) {
    report.skipped += 1;
    if report.problems.len() < MAX_REPORTED_PROBLEMS {
        report.problems.push(format!("{file}:{line}: {reason}"));
    }
}

/// Why one history row was skipped (reported with its file and line).
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RowError {
    #[error("missing field `{0}`")]
    Missing(&'static str),
    #[error("`{0}` is not UTF-8")]
    NotUtf8(&'static str),
    #[error("`{0}` is empty")]
    Empty(&'static str),
    #[error("`{0}` is not a whole non-negative number: {1:?}")]
    NotCount(&'static str, String),
    #[error("`{0}` is not a non-negative amount: {1:?}")]
    NotAmount(&'static str, String),
    #[error("`{0}` is not a date (YYYY-MM-DD): {1:?}")]
    NotDate(&'static str, String),
    #[error("`{0}` is not an age 13-99: {1:?}")]
    NotAge(&'static str, String),
    #[error("unknown {0} {1:?}")]
    Unknown(&'static str, String),
    #[error("`country` is not an ISO 3166-1 alpha-2 code: {0:?}")]
    NotCountry(String),
    #[error("`age_max` {max:?} is below `age_min` {min}")]
    AgesReversed { min: u8, max: Option<u8> },
    #[error("`end_date` {end} is before `start_date` {start}")]
    EndBeforeStart { start: NaiveDate, end: NaiveDate },
    #[error("`spend_usd` {spend} exceeds `budget_usd` {budget}")]
    Overspent { spend: f64, budget: f64 },
    #[error("`reach` {reach} exceeds `impressions` {impressions}")]
    ReachOverImpressions { reach: u64, impressions: u64 },
}

fn parse_row(
    record: &csv::ByteRecord,
    idx: &[usize; 28],
    campaigns: &mut Interner,
    advertisers: &mut Interner,
) -> Result<Row, RowError> {
    // The record is checked as UTF-8 once, all fields together, and a field is a slice of it;
    // only a record that fails is checked field by field, to name the column.
    let text = std::str::from_utf8(record.as_slice()).ok();
    let field = |k: usize| -> Result<&str, RowError> {
        let range = record.range(idx[k]).ok_or(RowError::Missing(COLUMNS[k]))?;
        let field = match text.and_then(|t| t.get(range.clone())) {
            Some(s) => s,
            None => std::str::from_utf8(&record.as_slice()[range]).map_err(|_| RowError::NotUtf8(COLUMNS[k]))?,
        };
        Ok(field.trim_ascii())
    };
    let required = |k: usize| -> Result<&str, RowError> {
        let v = field(k)?;
        if v.is_empty() {
            Err(RowError::Empty(COLUMNS[k]))
        } else {
            Ok(v)
        }
    };
    let count = |k: usize| -> Result<u64, RowError> {
        let v = field(k)?;
        if v.is_empty() {
            return Ok(0);
        }
        v.parse::<u64>().map_err(|_| RowError::NotCount(COLUMNS[k], v.to_string()))
    };
    let money = |k: usize| -> Result<f64, RowError> {
        let v = required(k)?;
        v.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x >= 0.0)
            .ok_or_else(|| RowError::NotAmount(COLUMNS[k], v.to_string()))
    };
    let date = |k: usize| -> Result<NaiveDate, RowError> {
        let v = required(k)?;
        parse_date(v).ok_or_else(|| RowError::NotDate(COLUMNS[k], v.to_string()))
    };
    let age = |k: usize, open_ok: bool| -> Result<Option<u8>, RowError> {
        let v = field(k)?;
        if v.is_empty() && open_ok {
            return Ok(None);
        }
        match v.parse::<u8>() {
            Ok(a) if (13..=99).contains(&a) => Ok(Some(a)),
            _ => Err(RowError::NotAge(COLUMNS[k], v.to_string())),
        }
    };
    required(0)?;
    let campaign = campaigns.id(required(1)?.as_bytes());
    let advertiser = advertisers.id(required(2)?.as_bytes());
    let (o, f, p) = (required(3)?, required(4)?, required(5)?);
    let objective = parse_objective(o).ok_or_else(|| RowError::Unknown("objective", o.to_string()))?;
    let format = parse_format(f).ok_or_else(|| RowError::Unknown("format", f.to_string()))?;
    let placement = parse_placement(p).ok_or_else(|| RowError::Unknown("placement", p.to_string()))?;
    let c = required(6)?.as_bytes();
    if c.len() != 2 || !c.iter().all(u8::is_ascii_uppercase) {
        return Err(RowError::NotCountry(field(6)?.to_string()));
    }
    let age_min = age(7, false)?.unwrap_or(18);
    let age_max = age(8, true)?;
    if age_max.is_some_and(|m| m < age_min) {
        return Err(RowError::AgesReversed { min: age_min, max: age_max });
    }
    let g = field(9)?;
    let gender = parse_gender(g).ok_or_else(|| RowError::Unknown("gender", g.to_string()))?;
    let mut targeting = Vec::new();
    for (k, kind) in [(10, "interest"), (11, "genre"), (12, "context")] {
        for id in field(k)?.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            targeting.push(targeting_id(kind, id).ok_or_else(|| RowError::Unknown(kind, id.to_string()))?);
        }
    }
    let mut platforms = 0u8;
    for p in field(13)?.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        use crate::brief::Platform;
        let platform = [Platform::Ios, Platform::Android, Platform::Desktop]
            .into_iter()
            .find(|x| x.id() == p)
            .ok_or_else(|| RowError::Unknown("platform", p.to_string()))?;
        platforms |= platform_bit(platform);
    }
    let local = idx[27] != usize::MAX && record.get(idx[27]).is_some_and(|v| !v.iter().all(u8::is_ascii_whitespace));
    let start = date(14)?;
    let end = date(15)?;
    if end < start {
        return Err(RowError::EndBeforeStart { start, end });
    }
    let budget_usd = money(16)?;
    let spend_usd = money(17)?;
    if spend_usd > budget_usd * OVERSPEND_TOLERANCE + 0.01 {
        return Err(RowError::Overspent { spend: spend_usd, budget: budget_usd });
    }
    let impressions = count(18)?;
    let reach = count(19)?;
    if reach > impressions {
        return Err(RowError::ReachOverImpressions { reach, impressions });
    }
    Ok(Row {
        campaign,
        advertiser,
        objective,
        format,
        placement,
        country: [c[0], c[1]],
        age_min,
        age_max,
        gender,
        targeting,
        platforms,
        local,
        start,
        end,
        budget_usd,
        spend_usd,
        impressions,
        reach,
        clicks: count(20)?,
        completes: count(21)?,
        video_views: count(22)?,
        streams: count(23)?,
        installs: count(24)?,
        leads: count(25)?,
        conversions: count(26)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "ad_set_id,campaign_id,advertiser_id,objective,format,placement,country,age_min,age_max,gender,interests,genres,contexts,platforms,start_date,end_date,budget_usd,spend_usd,impressions,reach,clicks,completes,video_views,streams,installs,leads,conversions";

    fn good(id: &str) -> String {
        format!("{id},c1,a1,REACH,AUDIO,MUSIC,DE,18,24,ALL,sports;fitness,pop,workout,,2026-01-01,2026-01-28,1000,990,90000,30000,120,80000,0,0,0,0,3")
    }

    #[test]
    fn loads_valid_rows() {
        let data = format!("{HEADER}\n{}\n{}\n", good("r1"), good("r2"));
        let (rows, report) = load(data.as_bytes(), "h.csv").unwrap();
        assert_eq!((rows.len(), report.skipped), (2, 0));
        let r = &rows[0];
        assert_eq!(
            (r.objective, r.format, r.placement, &r.country),
            (Objective::Reach, Format::Audio, Placement::Music, b"DE")
        );
        assert_eq!(r.targeting.len(), 4);
        assert_eq!(r.days(), 28);
        assert_eq!(r.kpi(Objective::Reach), 30000);
    }

    #[test]
    fn bad_rows_are_reported_with_file_and_line_and_skipped() {
        let bad_objective = good("r2").replace("REACH", "FAME");
        let overspent = good("r3").replace(",990,", ",5000,");
        let bad_date = good("r4").replace("2026-01-28", "2026-13-01");
        let short = "r5,c1,a1,REACH";
        let data = format!("{HEADER}\n{}\n{bad_objective}\n{overspent}\n{bad_date}\n{short}\n", good("r1"));
        let (rows, report) = load(data.as_bytes(), "h.csv").unwrap();
        assert_eq!((rows.len(), report.skipped), (1, 4));
        assert_eq!(report.problems[0], "h.csv:3: unknown objective \"FAME\"");
        assert!(report.problems[1].starts_with("h.csv:4: `spend_usd`"), "{:?}", report.problems);
        assert!(report.problems[2].starts_with("h.csv:5: `end_date` is not a date"), "{:?}", report.problems);
        assert!(report.problems[3].starts_with("h.csv:6:"), "{:?}", report.problems);
    }

    #[test]
    fn fields_are_trimmed_and_checked_as_utf8_by_column() {
        // Spaces around fields and names are not part of them; a header may be spaced too.
        let spaced = good("r1").replace(",DE,", ",  DE ,").replace(",REACH,", ", REACH\t,");
        let header = HEADER.replace(",country,", ", country ,");
        // A row whose bytes are not UTF-8 is reported by the column they are in, wherever a
        // valid multi-byte character elsewhere in the row sits — also when the bytes of two
        // neighbouring fields would make one character together.
        let mut data = format!("{header}\n{spaced}\n").into_bytes();
        for bad in [b",D\xff,18,".as_slice(), b",\xc3,18,", b",D\xc3,\xa918,", b",\xc3\xa9,18,"] {
            let row = good("r2").replace(",DE,18,", "@").replace("c1", "c\u{e9}");
            data.extend(row.bytes().flat_map(|b| if b == b'@' { bad.to_vec() } else { vec![b] }));
            data.push(b'\n');
        }
        let (rows, report) = load(&data[..], "h.csv").unwrap();
        assert_eq!((rows.len(), report.skipped), (1, 4), "{:?}", report.problems);
        assert_eq!((rows[0].objective, &rows[0].country), (Objective::Reach, b"DE"));
        for line in 3..=5 {
            assert_eq!(report.problems[line - 3], format!("h.csv:{line}: `country` is not UTF-8"));
        }
        assert_eq!(report.problems[3], "h.csv:6: `country` is not an ISO 3166-1 alpha-2 code: \"\u{e9}\"");
    }

    #[test]
    fn missing_columns_and_empty_files_are_errors() {
        let err = load("ad_set_id,campaign_id\nx,y\n".as_bytes(), "h.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "h.csv: missing column `advertiser_id` (the header must name the docs/brief.md §4 columns)"
        );
        let err = load(format!("{HEADER}\n").as_bytes(), "h.csv").unwrap_err();
        assert!(matches!(err, HistoryError::NoValidRows { .. }));
        let err = load(format!("{HEADER}\n{}\n", good("r").replace("DE", "Germany")).as_bytes(), "h.csv").unwrap_err();
        assert!(err.to_string().contains("h.csv:2: `country`"), "{err}");
    }
}
