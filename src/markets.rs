//! Configured markets (docs/brief.md §4's markets table): which countries can be planned, their currency,
//! exchange rate, ad-supported audience and minimum budget.
//!
//! The default table (`fixtures/markets.csv`) is compiled in; `--markets FILE` replaces it.

use std::collections::HashMap;
use std::sync::OnceLock;

use thiserror::Error;

const EMBEDDED: &str = include_str!("../fixtures/markets.csv");

/// The country planned for when a brief names none (a labelled assumption plus a question).
pub const DEFAULT_COUNTRY: &str = "US";
/// Minimum budget in USD when a market sets none (docs/brief.md §2 `BUDGET_BELOW_MINIMUM`).
pub const DEFAULT_MIN_BUDGET_USD: f64 = 250.0;

/// Column names of the markets table, in SPEC order.
pub const COLUMNS: [&str; 12] = [
    "country",
    "name",
    "currency",
    "usd_rate",
    "ad_users",
    "share_18_24",
    "share_25_34",
    "share_35_44",
    "share_45_54",
    "share_55_plus",
    "share_female",
    "min_budget_usd",
];

/// One market.
#[derive(Debug, Clone, PartialEq)]
pub struct Market {
    pub country: String,
    pub name: String,
    pub currency: String,
    /// Units of `currency` per USD.
    pub usd_rate: f64,
    pub ad_users: u64,
    /// Shares of 18–24, 25–34, 35–44, 45–54, 55+.
    pub age_shares: [f64; 5],
    pub share_female: f64,
    pub min_budget_usd: f64,
}

/// A problem in a markets table.
#[derive(Debug, Error, PartialEq)]
pub enum MarketsError {
    #[error("{file}: missing column `{column}`")]
    MissingColumn { file: String, column: String },
    #[error("{file}:{line}: {reason}")]
    BadRow { file: String, line: usize, reason: String },
    #[error("{file}:{line}: unknown currency {currency:?} (not the ISO 4217 currency of any country)")]
    UnknownCurrency { file: String, line: usize, currency: String },
    #[error("{file}: no valid market rows; first problem: {first}")]
    Empty { file: String, first: String },
}

/// The markets table.
#[derive(Debug, Clone)]
pub struct Markets {
    markets: Vec<Market>,
    by_country: HashMap<String, usize>,
}

impl Markets {
    /// The embedded default table.
    pub fn embedded() -> &'static Markets {
        static M: OnceLock<Markets> = OnceLock::new();
        M.get_or_init(|| {
            Markets::parse(EMBEDDED, "fixtures/markets.csv").expect("the embedded markets table is valid").0
        })
    }

    /// Parses a markets CSV (header line with the SPEC columns in any order; no quoted fields).
    /// A bad row is skipped and reported as `file:line: reason`; a missing column, an unknown
    /// currency or a table with no valid row is an error.
    pub fn parse(data: &str, file: &str) -> Result<(Markets, Vec<String>), MarketsError> {
        let mut lines = data.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let header: Vec<&str> = lines.next().map(|(_, l)| l.split(',').map(str::trim).collect()).unwrap_or_default();
        let mut idx = [0usize; 12];
        for (k, col) in COLUMNS.iter().enumerate() {
            idx[k] = header
                .iter()
                .position(|h| h == col)
                .ok_or_else(|| MarketsError::MissingColumn { file: file.to_string(), column: col.to_string() })?;
        }
        let mut markets = Vec::new();
        let mut by_country = HashMap::new();
        let mut problems = Vec::new();
        let known = known_currencies();
        for (n, line) in lines {
            match parse_row(line, &idx, file, n + 1) {
                Ok(m) if !known.contains(m.currency.as_str()) => {
                    return Err(MarketsError::UnknownCurrency { file: file.into(), line: n + 1, currency: m.currency })
                }
                Ok(m) => {
                    by_country.insert(m.country.clone(), markets.len());
                    markets.push(m);
                }
                Err(e) => problems.push(e.to_string()),
            }
        }
        if markets.is_empty() {
            let first = problems.first().cloned().unwrap_or_else(|| "the file has no data rows".into());
            return Err(MarketsError::Empty { file: file.to_string(), first });
        }
        Ok((Markets { markets, by_country }, problems))
    }

    /// The market of a country, if configured.
    pub fn get(&self, country: &str) -> Option<&Market> {
        self.by_country.get(country).map(|&i| &self.markets[i])
    }

    /// Whether a country is a configured market.
    pub fn is_market(&self, country: &str) -> bool {
        self.by_country.contains_key(country)
    }

    /// All markets in table order.
    pub fn all(&self) -> &[Market] {
        &self.markets
    }

    /// Units of `currency` per USD, from any market that uses it (USD is 1).
    pub fn usd_rate(&self, currency: &str) -> Option<f64> {
        if currency == "USD" {
            return Some(1.0);
        }
        self.markets.iter().find(|m| m.currency == currency).map(|m| m.usd_rate)
    }

    /// Converts an amount between currencies through USD.
    pub fn convert(&self, amount: f64, from: &str, to: &str) -> Option<f64> {
        Some(amount / self.usd_rate(from)? * self.usd_rate(to)?)
    }
}

/// Parses one data row of the markets table.
fn parse_row(text: &str, idx: &[usize; 12], file: &str, line: usize) -> Result<Market, MarketsError> {
    let cells: Vec<&str> = text.split(',').map(str::trim).collect();
    let bad = |reason: String| MarketsError::BadRow { file: file.to_string(), line, reason };
    let cell = |k: usize| cells.get(idx[k]).copied().unwrap_or("");
    let num = |k: usize| -> Result<f64, MarketsError> {
        cell(k)
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| bad(format!("`{}` is not a non-negative number: {:?}", COLUMNS[k], cell(k))))
    };
    let country = cell(0).to_string();
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(bad(format!("`country` must be an ISO 3166-1 alpha-2 code: {country:?}")));
    }
    let currency = cell(2).to_string();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(bad(format!("`currency` must be an ISO 4217 code: {currency:?}")));
    }
    let usd_rate = num(3)?;
    if usd_rate <= 0.0 {
        return Err(bad("`usd_rate` must be positive".into()));
    }
    Ok(Market {
        country,
        name: cell(1).to_string(),
        currency,
        usd_rate,
        ad_users: num(4)? as u64,
        age_shares: [num(5)?, num(6)?, num(7)?, num(8)?, num(9)?],
        share_female: num(10)?,
        min_budget_usd: num(11)?,
    })
}

/// ISO 4217 codes in use: the currency of any country in the gazetteer.
fn known_currencies() -> std::collections::HashSet<&'static str> {
    let g = crate::understand::gazetteer::Gazetteer::get();
    g.countries.iter().map(|c| c.currency.as_str()).filter(|c| !c.is_empty()).collect()
}

/// The SPEC's default markets (§2), which the shipped data must cover.
pub const DEFAULT_MARKETS: [&str; 39] = [
    "AT", "AU", "BB", "BZ", "CA", "DE", "DK", "ES", "FI", "FR", "GB", "GH", "GY", "IT", "JM", "KE", "MX", "NG", "NL",
    "NO", "NZ", "SE", "SG", "TT", "TZ", "UG", "US", "AR", "BE", "BR", "CH", "CL", "CO", "IE", "IN", "JP", "PL", "PT",
    "ZA",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_covers_the_default_markets() {
        let m = Markets::embedded();
        for c in DEFAULT_MARKETS {
            assert!(m.is_market(c), "{c}");
        }
        assert!(!m.is_market("RU"));
        assert_eq!(m.get("SE").unwrap().currency, "SEK");
        assert_eq!(m.usd_rate("USD"), Some(1.0));
        let eur = m.convert(100.0, "USD", "EUR").unwrap();
        assert!(eur > 50.0 && eur < 150.0);
    }

    #[test]
    fn bad_tables_are_clear_errors() {
        assert!(matches!(Markets::parse("country,name\nDE,Germany", "m.csv"), Err(MarketsError::MissingColumn { .. })));
        let header = COLUMNS.join(",");
        let rows = format!("{header}\nDE,Germany,EUR,abc,1,0.2,0.2,0.2,0.2,0.2,0.5,250\nAT,Austria,EUR,0.92,1,0.2,0.2,0.2,0.2,0.2,0.5,250");
        let (m, problems) = Markets::parse(&rows, "m.csv").unwrap();
        assert!(m.is_market("AT") && !m.is_market("DE"));
        assert_eq!(problems, vec!["m.csv:2: `usd_rate` is not a non-negative number: \"abc\"".to_string()]);
        let unknown = format!("{header}\nDE,Germany,XXX,1,1,0.2,0.2,0.2,0.2,0.2,0.5,250");
        assert!(matches!(Markets::parse(&unknown, "m.csv"), Err(MarketsError::UnknownCurrency { .. })));
        assert!(matches!(Markets::parse(&header, "m.csv"), Err(MarketsError::Empty { .. })));
    }
}
