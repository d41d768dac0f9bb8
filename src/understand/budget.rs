//! Budget specialist: money amounts, currencies, ranges, daily vs lifetime, and budget changes
//! in follow-ups.
//!
//! [`extract`] reads one message and returns a [`BudgetFinding`]; [`apply`] merges a finding
//! into the brief's previous [`Budget`] (SPEC §2 "Budget").
//!
//! # How a message is read
//!
//! The text is normalised and tokenised by the numbers module (byte offsets over the lowercased
//! text). Every token position is tried as the start of a *money mention*:
//!
//! ```text
//! [prefix currency] number [grand] [suffix currency | coin] [minor units]
//!     [range connector + second amount] [daily/weekly/monthly marker]
//! ```
//!
//! A mention is money when it names a currency (symbol, ISO code or word), says `grand`, has a
//! thousands scale (`5k`, `five thousand`, `1.2 million`), is a per-day amount (`2,000 a day`),
//! or follows a budget cue (`budget 6000`, `we have 6000`, `make it 400`). Numbers glued to
//! letters (`Q2`, `15th`, `40s`), percentages, ages (`35+`, `18-24`), times (`3:30`), fractions
//! (`24/7`) and numbers followed by a non-money word (`30 days`, `25 year olds`) are not money.
//! Mentions that describe a price or a metric (`$5 CPM`, `$2 per click`, `$1M in revenue`) are
//! ignored; `instead of $8k` / `rather than $8k` are superseded and ignored.
//!
//! Follow-up changes: `halve it`, `cut the budget in half`, `double the budget`, `+20% budget`,
//! `20% more budget`, `increase the budget by 20%`, `10% less` give a `scale`;
//! `another 5k`, `add 5k`, `increase the budget by 5k`, `2k less` give a `delta`.

use crate::understand::numbers::{is_number_word, normalize, parse_number_detail, tokenize, TokKind, Token};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Currency stated next to an amount, before it is resolved against the target countries.
/// Serialised as a person reads it ("GBP", "$", "kr", "peso", `null`), never as the enum's shape.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum CurrencyHint {
    /// No currency stated.
    #[default]
    None,
    /// An explicit currency: `€`, `£`, `¥`, `R$`, `A$`, `C$`, `US$`, `EUR`, `euros`, `quid`…
    Code(String),
    /// A bare dollar: `$`, `dollars`, `bucks`.
    Dollar,
    /// A bare krona/krone: `kr`, `kronor`, `kroner`.
    Kronor,
    /// A bare peso: `pesos`.
    Peso,
}

impl serde::Serialize for CurrencyHint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            CurrencyHint::None => s.serialize_none(),
            CurrencyHint::Code(c) => s.serialize_str(c),
            CurrencyHint::Dollar => s.serialize_str("$"),
            CurrencyHint::Kronor => s.serialize_str("kr"),
            CurrencyHint::Peso => s.serialize_str("peso"),
        }
    }
}

#[cfg(test)]
#[test]
fn currency_hints_serialise_as_plain_codes() {
    let j = |h: CurrencyHint| serde_json::to_string(&h).unwrap_or_default();
    assert_eq!(j(CurrencyHint::Code("GBP".into())), "\"GBP\"");
    assert_eq!(j(CurrencyHint::Dollar), "\"$\"");
    assert_eq!(j(CurrencyHint::None), "null");
}

pub use crate::brief::{Budget, BudgetType};

/// Budget facts found in one message.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct BudgetFinding {
    /// New amount (upper bound of a range; the bound of "up to 5k").
    pub amount: Option<f64>,
    /// Lower bound of a range.
    pub min: Option<f64>,
    /// Currency stated with the amount.
    pub currency: CurrencyHint,
    /// The amount is per day.
    pub daily: bool,
    /// The amount is approximate.
    pub approximate: bool,
    /// Follow-up multiplier of the previous budget: halve 0.5, double 2.0, +20% 1.2, 10% less 0.9.
    pub scale: Option<f64>,
    /// Two different budget amounts in one message (the finding keeps the first).
    pub conflicting: bool,
    /// Follow-up change by an amount: "another 5k" +5000, "cut it by 2k" −2000.
    pub delta: Option<f64>,
    /// Byte ranges of [`crate::understand::Text::norm`] this specialist read: what is not covered
    /// by any specialist's spans is reported as not understood.
    #[serde(skip)]
    pub spans: Vec<(usize, usize)>,
}

/// Currency as the tables name it (const-friendly form of [`CurrencyHint`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cur {
    Iso(&'static str),
    Dollar,
    Kronor,
    Peso,
}

impl Cur {
    /// The public form of this currency.
    fn hint(self) -> CurrencyHint {
        match self {
            Cur::Iso(c) => CurrencyHint::Code(c.to_string()),
            Cur::Dollar => CurrencyHint::Dollar,
            Cur::Kronor => CurrencyHint::Kronor,
            Cur::Peso => CurrencyHint::Peso,
        }
    }
}

use Cur::{Dollar, Iso, Kronor, Peso};

/// Currency signs (symbol tokens).
const SYMBOLS: &[(&str, Cur)] = &[
    ("$", Dollar),
    ("us$", Iso("USD")),
    ("u$", Iso("USD")),
    ("a$", Iso("AUD")),
    ("au$", Iso("AUD")),
    ("c$", Iso("CAD")),
    ("ca$", Iso("CAD")),
    ("nz$", Iso("NZD")),
    ("s$", Iso("SGD")),
    ("sg$", Iso("SGD")),
    ("hk$", Iso("HKD")),
    ("nt$", Iso("TWD")),
    ("r$", Iso("BRL")),
    ("mx$", Iso("MXN")),
    ("j$", Iso("JMD")),
    ("tt$", Iso("TTD")),
    ("bds$", Iso("BBD")),
    ("bz$", Iso("BZD")),
    ("g$", Iso("GYD")),
    ("€", Iso("EUR")),
    ("€ur", Iso("EUR")),
    ("£", Iso("GBP")),
    ("¥", Iso("JPY")),
    ("₹", Iso("INR")),
    ("₩", Iso("KRW")),
    ("₽", Iso("RUB")),
    ("₪", Iso("ILS")),
    ("₦", Iso("NGN")),
    ("₱", Iso("PHP")),
    ("₺", Iso("TRY")),
    ("₴", Iso("UAH")),
    ("₫", Iso("VND")),
    ("฿", Iso("THB")),
    ("₵", Iso("GHS")),
    ("₸", Iso("KZT")),
];

/// Currency codes and words (word tokens), sorted by word. Codes that are also common English
/// words (`all`, `top`, `try`, `pen`, `cup`, `mad`, `won`…) are left out
/// on purpose.
const CURRENCY_WORDS: &[(&str, Cur)] = &[
    ("aed", Iso("AED")),
    ("ars", Iso("ARS")),
    ("aud", Iso("AUD")),
    ("baht", Iso("THB")),
    ("bbd", Iso("BBD")),
    ("bgn", Iso("BGN")),
    ("brl", Iso("BRL")),
    ("buck", Dollar),
    ("bucks", Dollar),
    ("bzd", Iso("BZD")),
    ("cad", Iso("CAD")),
    ("cedi", Iso("GHS")),
    ("cedis", Iso("GHS")),
    ("chf", Iso("CHF")),
    ("clp", Iso("CLP")),
    ("cny", Iso("CNY")),
    ("cop", Iso("COP")),
    ("czk", Iso("CZK")),
    ("dirham", Iso("AED")),
    ("dirhams", Iso("AED")),
    ("dkk", Iso("DKK")),
    ("dollar", Dollar),
    ("dollars", Dollar),
    ("egp", Iso("EGP")),
    ("egyptianpound", Iso("EGP")),
    ("eur", Iso("EUR")),
    ("euro", Iso("EUR")),
    ("euros", Iso("EUR")),
    ("franc", Iso("CHF")),
    ("francs", Iso("CHF")),
    ("gbp", Iso("GBP")),
    ("ghs", Iso("GHS")),
    ("gyd", Iso("GYD")),
    ("hkd", Iso("HKD")),
    ("huf", Iso("HUF")),
    ("idr", Iso("IDR")),
    ("ils", Iso("ILS")),
    ("inr", Iso("INR")),
    ("isk", Iso("ISK")),
    ("jmd", Iso("JMD")),
    ("jpy", Iso("JPY")),
    ("kes", Iso("KES")),
    ("kr", Kronor),
    ("krona", Kronor),
    ("krone", Kronor),
    ("kroner", Kronor),
    ("kronor", Kronor),
    ("krw", Iso("KRW")),
    ("kwd", Iso("KWD")),
    ("lbp", Iso("LBP")),
    ("mnt", Iso("MNT")),
    ("mxn", Iso("MXN")),
    ("myr", Iso("MYR")),
    ("naira", Iso("NGN")),
    ("ngn", Iso("NGN")),
    ("nok", Iso("NOK")),
    ("nzd", Iso("NZD")),
    ("peso", Peso),
    ("pesos", Peso),
    ("pln", Iso("PLN")),
    ("pound", Iso("GBP")),
    ("pounds", Iso("GBP")),
    ("qar", Iso("QAR")),
    ("quid", Iso("GBP")),
    ("rand", Iso("ZAR")),
    ("reais", Iso("BRL")),
    ("reals", Iso("BRL")),
    ("renminbi", Iso("CNY")),
    ("ringgit", Iso("MYR")),
    ("ringgits", Iso("MYR")),
    ("rm", Iso("MYR")),
    ("rmb", Iso("CNY")),
    ("roubles", Iso("RUB")),
    ("rs", Iso("INR")),
    ("rub", Iso("RUB")),
    ("rubles", Iso("RUB")),
    ("rupee", Iso("INR")),
    ("rupees", Iso("INR")),
    ("sar", Iso("SAR")),
    ("saudiriyal", Iso("SAR")),
    ("sek", Iso("SEK")),
    ("sfr", Iso("CHF")),
    ("sgd", Iso("SGD")),
    ("shekel", Iso("ILS")),
    ("shekels", Iso("ILS")),
    ("sterling", Iso("GBP")),
    ("thb", Iso("THB")),
    ("ttd", Iso("TTD")),
    ("tugrik", Iso("MNT")),
    ("tugriks", Iso("MNT")),
    ("twd", Iso("TWD")),
    ("tzs", Iso("TZS")),
    ("uah", Iso("UAH")),
    ("ugx", Iso("UGX")),
    ("usd", Iso("USD")),
    ("vnd", Iso("VND")),
    ("yen", Iso("JPY")),
    ("yuan", Iso("CNY")),
    ("zar", Iso("ZAR")),
    ("zloty", Iso("PLN")),
    ("zlotys", Iso("PLN")),
];

/// Multi-word currency names, sorted by first word (tried before single words).
const CURRENCY_PHRASES: &[(&[&str], Cur)] = &[
    (&["american", "dollars"], Iso("USD")),
    (&["argentine", "pesos"], Iso("ARS")),
    (&["aussie", "dollars"], Iso("AUD")),
    (&["australian", "dollars"], Iso("AUD")),
    (&["brazilian", "reais"], Iso("BRL")),
    (&["british", "pounds"], Iso("GBP")),
    (&["canadian", "dollars"], Iso("CAD")),
    (&["chilean", "pesos"], Iso("CLP")),
    (&["colombian", "pesos"], Iso("COP")),
    (&["danish", "kroner"], Iso("DKK")),
    (&["danish", "krone"], Iso("DKK")),
    (&["egyptian", "pounds"], Iso("EGP")),
    (&["hong", "kong", "dollars"], Iso("HKD")),
    (&["indian", "rupees"], Iso("INR")),
    (&["jamaican", "dollars"], Iso("JMD")),
    (&["japanese", "yen"], Iso("JPY")),
    (&["kuwaiti", "dinar"], Iso("KWD")),
    (&["kuwaiti", "dinars"], Iso("KWD")),
    (&["lebanese", "pounds"], Iso("LBP")),
    (&["malaysia", "ringgit"], Iso("MYR")),
    (&["malaysia", "ringgits"], Iso("MYR")),
    (&["malaysian", "ringgit"], Iso("MYR")),
    (&["malaysian", "ringgits"], Iso("MYR")),
    (&["mexican", "pesos"], Iso("MXN")),
    (&["new", "zealand", "dollars"], Iso("NZD")),
    (&["norwegian", "kroner"], Iso("NOK")),
    (&["norwegian", "krone"], Iso("NOK")),
    (&["nz", "dollars"], Iso("NZD")),
    (&["pounds", "sterling"], Iso("GBP")),
    (&["qatari", "riyals"], Iso("QAR")),
    (&["saudi", "riyals"], Iso("SAR")),
    (&["singapore", "dollars"], Iso("SGD")),
    (&["south", "african", "rand"], Iso("ZAR")),
    (&["swedish", "kronor"], Iso("SEK")),
    (&["swedish", "krona"], Iso("SEK")),
    (&["swiss", "francs"], Iso("CHF")),
    (&["us", "dollars"], Iso("USD")),
    (&["us", "dollar"], Iso("USD")),
];

/// US coins (en_US), in dollars. `quarter` is left out: it is a time period in briefs.
const COINS: &[(&str, f64)] = &[
    ("cent", 0.01),
    ("cents", 0.01),
    ("¢", 0.01),
    ("penny", 0.01),
    ("pennies", 0.01),
    ("nickel", 0.05),
    ("nickels", 0.05),
    ("dime", 0.1),
    ("dimes", 0.1),
];

/// Minor-unit words after a major amount ("$20 and 43 cents", "3 GBP 1 pence").
const MINOR_UNITS: &[&str] = &[
    "c", "¢", "cent", "cents", "pence", "p", "penny", "pennies", "sen", "sens", "kopiyka", "kopiykas", "kopecks",
    "centavos", "centimes", "öre", "ore", "paise",
];

/// Currencies whose unit is written `$` (Mexico's peso included).
const DOLLAR_CURRENCIES: &[&str] = &[
    "USD", "CAD", "AUD", "NZD", "SGD", "MXN", "JMD", "TTD", "BBD", "BZD", "GYD", "HKD", "TWD", "BSD", "BMD", "KYD",
    "XCD", "FJD", "LRD", "NAD", "SRD", "SBD", "BND",
];

/// Currencies called "peso".
const PESO_CURRENCIES: &[&str] = &["MXN", "ARS", "CLP", "COP", "UYU", "DOP", "PHP", "CUP"];

/// Punctuation that ends a clause for look-back purposes.
const CLAUSE_BREAKS: &[&str] = &[".", ",", ";", "!", "?", "|", "\n", "(", ")", "[", "]", "—", "•", "·"];

/// Words right before an amount that mark it approximate.
const APPROX_WORDS: &[&str] = &[
    "around",
    "about",
    "roughly",
    "approximately",
    "approx",
    "circa",
    "ca",
    "~",
    "≈",
    "some",
    "ballpark",
    "est",
    "estimated",
    "like",
];

/// Words before an amount that make a bare number a budget (`budget 6000`).
const STRONG_CUES: &[&str] = &[
    "budget",
    "budgets",
    "budgeted",
    "budgeting",
    "spend",
    "spending",
    "invest",
    "investing",
    "investment",
    "allocate",
    "allocated",
    "allocating",
    "allocation",
    "afford",
    "got",
    "have",
    "total",
];

/// Verbs of a follow-up change (`make it 400 a day`, `bump it to 10k`).
const CHANGE_VERBS: &[&str] = &[
    "make", "bump", "increase", "raise", "up", "change", "set", "go", "try", "boost", "lift", "say", "lower", "reduce",
    "drop", "cut", "decrease", "move", "adjust", "update", "take", "scale", "ramp", "trim", "slash", "grow", "shrink",
];

/// Words before a 4-digit number that make it a year (`for 2026`, `in 2027`).
const YEAR_PREPOSITIONS: &[&str] = &["for", "in", "since", "until", "till", "by", "from", "through", "during"];

/// Change verbs that lower an amount.
const DECREASE_VERBS: &[&str] = &["lower", "reduce", "drop", "cut", "decrease", "trim", "slash", "shrink"];

/// Words allowed right after a currency-less amount (`30k, DACH`, `50k for awareness`).
const SAFE_FOLLOWERS: &[&str] = &[
    "for",
    "to",
    "in",
    "on",
    "over",
    "across",
    "and",
    "budget",
    "budgets",
    "total",
    "overall",
    "lifetime",
    "max",
    "maximum",
    "tops",
    "spend",
    "please",
    "pls",
    "plz",
    "instead",
    "then",
    "but",
    "with",
    "from",
    "starting",
    "start",
    "this",
    "next",
    "so",
    "or",
    "ish",
    "only",
    "just",
    "through",
    "until",
    "till",
    "thru",
    "now",
    "too",
    "as",
    "is",
    "was",
    "would",
    "will",
    "should",
    "we",
    "i",
    "if",
    "that",
    "which",
    "ballpark",
    "all-in",
    "altogether",
    "ok",
    "okay",
    "thanks",
    "thank",
    "cheers",
    "a",
    "at",
    "campaign",
    "flight",
    "worth",
    "of",
    "media",
    "ad",
    "ads",
    "all",
    "per",
    "each",
    "every",
    "daily",
    "weekly",
    "monthly",
    "right",
    "yeah",
    "cool",
    "lol",
    "maybe",
    "ideally",
    "roughly",
    "approx",
    "approximately",
    "give",
    "or",
    "into",
    "towards",
    "toward",
    "spread",
    "split",
    "more",
    "less",
    "extra",
    "additional",
];

/// Words before an amount that make it a price or a metric, not a budget.
const METRIC_BEFORE: &[&str] = &[
    "cpm", "cpc", "cpa", "cpi", "cpl", "cpv", "cpcv", "ecpm", "cac", "aov", "ltv", "roas", "price", "priced", "prices",
    "costs", "spent", "revenue", "turnover", "arr", "mrr", "raised", "earned", "made", "worth", "valued", "salary",
    "ticket", "tickets", "discount",
];

/// Words after an amount that make it a price or a metric, not a budget.
const METRIC_AFTER: &[&str] = &[
    "cpm",
    "cpc",
    "cpa",
    "cpi",
    "cpl",
    "cpv",
    "cpcv",
    "ecpm",
    "each",
    "apiece",
    "off",
    "discount",
    "voucher",
    "coupon",
    "revenue",
    "turnover",
    "arr",
    "mrr",
    "valuation",
    "product",
    "products",
    "item",
    "items",
    "ticket",
    "tickets",
    "salary",
];

/// Words that may follow `per` for a time rate (everything else after `per` is a metric).
const PER_TIME: &[&str] = &["day", "diem", "week", "wk", "month", "mo", "year", "annum", "quarter", "fortnight"];

/// Words that can be the object of "halve"/"double"/"cut … in half" for a budget change.
const BUDGET_OBJECTS: &[&str] = &[
    "budget",
    "budgets",
    "spend",
    "spending",
    "money",
    "investment",
    "it",
    "that",
    "this",
    "amount",
    "everything",
    "total",
];

/// Determiners skipped when looking for a verb's object.
const DETERMINERS: &[&str] = &["the", "our", "my", "your", "their", "his", "her", "its", "a"];

/// Bounds written before an amount: (phrase, is upper bound).
const BOUNDS_BEFORE: &[(&[&str], bool)] = &[
    (&["no", "more", "than"], true),
    (&["not", "more", "than"], true),
    (&["no", "higher", "than"], true),
    (&["not", "to", "exceed"], true),
    (&["a", "cap", "of"], true),
    (&["up", "to"], true),
    (&["at", "most"], true),
    (&["less", "than"], true),
    (&["lower", "than"], true),
    (&["capped", "at"], true),
    (&["cap", "of"], true),
    (&["cap", "at"], true),
    (&["maximum", "of"], true),
    (&["max", "of"], true),
    (&["max"], true),
    (&["maximum"], true),
    (&["under"], true),
    (&["below"], true),
    (&["within"], true),
    (&["no", "less", "than"], false),
    (&["not", "less", "than"], false),
    (&["at", "least"], false),
    (&["more", "than"], false),
    (&["upwards", "of"], false),
    (&["north", "of"], false),
    (&["minimum", "of"], false),
    (&["minimum"], false),
    (&["min"], false),
    (&["over"], false),
    (&["above"], false),
];

/// Bounds written after an amount: (phrase, is upper bound).
const BOUNDS_AFTER: &[(&[&str], bool)] = &[
    (&["at", "most"], true),
    (&["or", "less"], true),
    (&["or", "under"], true),
    (&["max"], true),
    (&["maximum"], true),
    (&["tops"], true),
    (&["or", "more"], false),
    (&["at", "least"], false),
    (&["minimum"], false),
    (&["+"], false),
];

/// Rate markers after an amount: (phrase, days per period).
const RATES_AFTER: &[(&[&str], f64)] = &[
    (&["a", "day"], 1.0),
    (&["per", "day"], 1.0),
    (&["/", "day"], 1.0),
    (&["/", "d"], 1.0),
    (&["each", "day"], 1.0),
    (&["every", "day"], 1.0),
    (&["per", "diem"], 1.0),
    (&["daily"], 1.0),
    (&["pd"], 1.0),
    (&["p", "/", "d"], 1.0),
    (&["per", "week"], 7.0),
    (&["/", "week"], 7.0),
    (&["/", "wk"], 7.0),
    (&["each", "week"], 7.0),
    (&["every", "week"], 7.0),
    (&["weekly"], 7.0),
    (&["per", "month"], 30.0),
    (&["/", "month"], 30.0),
    (&["/", "mo"], 30.0),
    (&["each", "month"], 30.0),
    (&["every", "month"], 30.0),
    (&["monthly"], 30.0),
];

/// Words that may stand between `daily` and the amount (`a daily budget of $800`).
const DAILY_BRIDGE: &[&str] = &[
    "budget",
    "spend",
    "spending",
    "cap",
    "limit",
    "max",
    "maximum",
    "amount",
    "of",
    "is",
    ":",
    "=",
    "-",
    "at",
    "around",
    "about",
    "~",
    "roughly",
    "approximately",
    "approx",
    "up",
    "to",
    "should",
    "be",
    "will",
    "would",
    "set",
];

/// Phrases after an amount that mark it approximate.
const APPROX_AFTER: &[&[&str]] = &[&["ish"], &["-", "ish"], &["or", "so"], &["give", "or", "take"]];

/// Words after a percentage that raise / lower the budget.
const MORE_WORDS: &[&str] = &["more", "extra", "higher", "bigger", "up", "increase"];
const LESS_WORDS: &[&str] = &["less", "lower", "smaller", "down", "fewer", "cut", "decrease", "off"];

/// Filler that may follow "20% more" / "10% less" in a budget follow-up.
const FILLERS: &[&str] =
    &["please", "pls", "plz", "then", "instead", "overall", "total", "thanks", "thank", "if", "for"];

/// Longest word in [`CURRENCY_WORDS`] and first word of [`CURRENCY_PHRASES`] (a cheap filter).
const MAX_CURRENCY_WORD: usize = 13;

/// How long a look-back may reach (tokens).
const LOOKBACK: usize = 6;

/// Finish a currency resolution: hint → ISO code.
fn resolve_currency(
    hint: &CurrencyHint,
    prev: Option<&Budget>,
    targets: &[&str],
    nordic_first: Option<&str>,
) -> String {
    let first = targets.first().copied();
    match hint {
        CurrencyHint::Code(c) => c.clone(),
        CurrencyHint::Dollar => first.filter(|c| DOLLAR_CURRENCIES.contains(c)).unwrap_or("USD").to_string(),
        CurrencyHint::Kronor => nordic_first.unwrap_or("SEK").to_string(),
        CurrencyHint::Peso => first.filter(|c| PESO_CURRENCIES.contains(c)).unwrap_or("MXN").to_string(),
        CurrencyHint::None => match prev {
            Some(p) => p.currency.clone(),
            None => first.unwrap_or("USD").to_string(),
        },
    }
}

/// Merge a finding into the brief's previous budget. `targets` = ISO 4217 currencies of the
/// brief's target countries in the order they were named (already merged for this message),
/// `nordic_first` = currency of the first-named of SE/NO/DK if any; the default currency is USD.
///
/// A new amount replaces amount/min/type/approximate (its currency: explicit > `$`/`kr`/pesos
/// resolved against the targets > the previous budget's currency > the first target > USD).
/// Without a new amount, a scale multiplies the previous amount and min, and a delta adds to
/// them (a result that is not a [`plausible_amount`] keeps the previous budget). Otherwise the
/// previous budget is kept. A min that is not a plausible amount below the amount is dropped.
pub fn apply(prev: Option<&Budget>, f: &BudgetFinding, targets: &[&str], nordic_first: Option<&str>) -> Option<Budget> {
    let below = |amount: f64| move |m: &f64| plausible_amount(*m) && *m < amount;
    if let Some(amount) = f.amount.filter(|a| plausible_amount(*a)) {
        return Some(Budget {
            amount,
            currency: resolve_currency(&f.currency, prev, targets, nordic_first),
            kind: if f.daily { BudgetType::Daily } else { BudgetType::Lifetime },
            min: f.min.filter(below(amount)),
            approximate: f.approximate,
        });
    }
    let p = prev?;
    let changed = |amount: f64, min: Option<f64>| Budget { amount, min: min.filter(below(amount)), ..p.clone() };
    if let Some(s) = f.scale.filter(|s| plausible_amount(p.amount * s)) {
        return Some(changed(p.amount * s, p.min.map(|m| m * s)));
    }
    if let Some(d) = f.delta.filter(|d| plausible_amount(p.amount + d)) {
        return Some(changed(p.amount + d, p.min.map(|m| m + d)));
    }
    Some(p.clone())
}

/// The smallest budget amount there is: one minor unit (a cent). Anything smaller rounds to
/// nothing when the plan splits the budget into cents.
pub const MIN_AMOUNT: f64 = 0.01;

/// Whether `x` can be a budget amount: finite and at least one minor unit. Repeated follow-ups
/// ("cut the budget in half" twenty times, "double it" past `f64::MAX`) stop at this bound.
pub fn plausible_amount(x: f64) -> bool {
    x.is_finite() && x >= MIN_AMOUNT
}

/// Find budget facts in one message. Pure, never panics, linear in the length of the text.
pub fn extract(text: &str) -> BudgetFinding {
    let lowered = normalize(text);
    let ctx = Ctx::new(&lowered);
    let mentions = ctx.mentions();
    let mut f = BudgetFinding { scale: ctx.find_scale(), ..BudgetFinding::default() };
    let budgets: Vec<&Mention> = mentions.iter().filter(|m| m.role == Role::Budget).collect();
    let chosen = budgets.first().copied().or_else(|| mentions.iter().find(|m| m.role == Role::Coin));
    if let Some(m) = chosen {
        f.amount = Some(m.value);
        f.min = m.min;
        f.currency = m.cur.map_or(CurrencyHint::None, Cur::hint);
        f.daily = m.daily;
        f.approximate = m.approximate;
        f.conflicting = budgets.iter().skip(1).any(|o| conflicts(m, o));
    }
    f.delta = mentions.iter().find_map(|m| match m.role {
        Role::Delta(sign) => Some(sign * m.value),
        _ => None,
    });
    f
}

/// Two budget mentions disagree: a different amount or range for the same kind. A daily and a
/// lifetime figure in one message are two views of one budget, and an approximate figure in
/// another explicit currency is a conversion (`€10k (~$11k)`); neither is a conflict.
fn conflicts(a: &Mention, b: &Mention) -> bool {
    let differs = |x: f64, y: f64| (x - y).abs() > 1e-9 * x.abs().max(y.abs()).max(1.0);
    let conversion = matches!((a.cur, b.cur), (Some(x), Some(y)) if x != y) && b.approximate;
    a.daily == b.daily
        && !conversion
        && (differs(a.value, b.value)
            || match (a.min, b.min) {
                (Some(x), Some(y)) => differs(x, y),
                (None, None) => false,
                _ => true,
            })
}

/// What a money mention is for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    /// A budget amount.
    Budget,
    /// A change by an amount (+1 / −1).
    Delta(f64),
    /// A coin amount ("a dime"): used only when nothing else is found.
    Coin,
    /// A price, a metric or a superseded value: ignored.
    Ignored,
}

/// A number phrase with its multiplier (`15k`, `fifteen grand`).
#[derive(Debug, Clone, Copy)]
struct Amount {
    value: f64,
    /// Value before the last multiplier (15 for `15k`).
    base: f64,
    /// Last multiplier (1000 for `15k`).
    scale: f64,
    end: usize,
    /// Has a thousands scale (`k`, `thousand`, `million`, `grand`), which is money-like alone.
    moneyish: bool,
    grand: bool,
    vague: bool,
    /// A plain integer with no separators (`2026`).
    plain_int: bool,
}

/// `[currency] amount [currency|coin] [minor units]`.
#[derive(Debug, Clone, Copy)]
struct Simple {
    start: usize,
    end: usize,
    value: f64,
    amount: Amount,
    cur: Option<Cur>,
    coin: bool,
}

/// A money mention with its context.
#[derive(Debug, Clone)]
struct Mention {
    end: usize,
    value: f64,
    min: Option<f64>,
    cur: Option<Cur>,
    daily: bool,
    approximate: bool,
    role: Role,
}

/// Strength of the budget cue before a bare number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Cue {
    None,
    Weak,
    Strong,
}

/// Tokens of one message and the look-up helpers over them.
struct Ctx<'a> {
    toks: Vec<Token<'a>>,
    words: Vec<&'a str>,
    /// Currency starting at each token (computed once).
    currencies: Vec<Option<(Cur, usize)>>,
}

impl<'a> Ctx<'a> {
    /// Tokenise a normalised message and look up currencies once.
    fn new(lowered: &'a str) -> Self {
        let toks = tokenize(lowered);
        let words = toks.iter().map(|t| t.text).collect();
        let mut ctx = Ctx { toks, words, currencies: Vec::new() };
        ctx.currencies = (0..ctx.toks.len()).map(|i| ctx.lookup_currency(i)).collect();
        ctx
    }

    /// Token `i` can start a money mention (cheap pre-filter).
    fn may_start(&self, i: usize) -> bool {
        match self.kind(i) {
            Some(TokKind::Number | TokKind::Symbol) => true,
            Some(TokKind::Word) => {
                let w = self.w(i);
                self.currency_at(i).is_some() || is_number_word(w) || coin_value(w).is_some()
            }
            _ => false,
        }
    }

    /// Token text at `i`, or "" past the end.
    fn w(&self, i: usize) -> &'a str {
        self.words.get(i).copied().unwrap_or("")
    }

    /// Token text before `i`, or "" at the start.
    fn before(&self, i: usize, back: usize) -> &'a str {
        i.checked_sub(back).map_or("", |j| self.w(j))
    }

    /// Kind of token `i`.
    fn kind(&self, i: usize) -> Option<TokKind> {
        self.toks.get(i).map(|t| t.kind)
    }

    /// Token `i` touches the one before it (no whitespace between).
    fn glued(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| !t.space_before)
    }

    /// Token `i` is a digit-led number.
    fn is_num(&self, i: usize) -> bool {
        self.kind(i) == Some(TokKind::Number)
    }

    /// Token `i` ends a clause.
    fn is_break(&self, i: usize) -> bool {
        self.kind(i) == Some(TokKind::Punct) && CLAUSE_BREAKS.contains(&self.w(i))
    }

    /// Tokens `i..` spell `seq`.
    fn seq(&self, i: usize, seq: &[&str]) -> bool {
        seq.iter().enumerate().all(|(k, s)| self.w(i + k) == *s)
    }

    /// Tokens ending right before `end` spell `seq`.
    fn seq_ending(&self, end: usize, seq: &[&str]) -> bool {
        end >= seq.len() && self.seq(end - seq.len(), seq)
    }

    /// First index of the clause containing `i`, looking back at most [`LOOKBACK`] tokens.
    fn clause_start(&self, i: usize) -> usize {
        let floor = i.saturating_sub(LOOKBACK);
        (floor..i).rev().find(|&j| self.is_break(j)).map_or(floor, |j| j + 1)
    }

    /// Indices of the look-back window before `i`, nearest first.
    fn back(&self, i: usize) -> impl Iterator<Item = usize> {
        (self.clause_start(i)..i).rev()
    }

    /// Currency at `i`: (currency, tokens), from the cache.
    fn currency_at(&self, i: usize) -> Option<(Cur, usize)> {
        self.currencies.get(i).copied().flatten()
    }

    /// Currency at `i`: (currency, tokens), computed.
    fn lookup_currency(&self, i: usize) -> Option<(Cur, usize)> {
        let t = self.toks.get(i)?;
        if t.kind == TokKind::Symbol {
            return SYMBOLS.iter().find(|(s, _)| *s == t.text).map(|(_, c)| (*c, 1));
        }
        if t.kind != TokKind::Word {
            return None;
        }
        if t.text.len() > MAX_CURRENCY_WORD {
            return None;
        }
        let entry = currency_index().get(t.text)?;
        if let Some(from) = entry.phrases {
            let phrase =
                CURRENCY_PHRASES[from..].iter().take_while(|(p, _)| p[0] == t.text).find(|(p, _)| self.seq(i, p));
            if let Some((p, c)) = phrase {
                return Some((*c, p.len()));
            }
        }
        entry.word.map(|c| (c, 1))
    }

    /// Token `i` names a currency or a coin.
    fn is_currency_word(&self, i: usize) -> bool {
        self.currency_at(i).is_some() || coin_value(self.w(i)).is_some()
    }

    /// A real (not vague) number starts at `i`.
    fn number_starts(&self, i: usize) -> bool {
        match self.kind(i) {
            Some(TokKind::Number) => true,
            Some(TokKind::Word) => parse_number_detail(&self.words[i..]).is_some_and(|p| !p.vague && p.value > 0.0),
            _ => false,
        }
    }

    /// The digit token at `i` sits in a non-money shape: glued to letters (`q2`, `15th`),
    /// a percentage, `35+`, a time `3:30`, a fraction `24/7`, the end of `18-24`.
    fn digit_context_bad(&self, i: usize, after_prefix: bool) -> bool {
        let prev_glued = self.glued(i) && i > 0;
        if prev_glued && !after_prefix {
            let p = self.before(i, 1);
            let num_before = i >= 2 && self.is_num(i - 2) && self.glued(i - 1);
            if self.kind(i - 1) == Some(TokKind::Word) && !self.is_currency_word(i - 1) {
                return true;
            }
            if matches!(p, "/" | ":" | "-" | "–" | ".") && num_before {
                return true;
            }
            if p == "#" {
                return true;
            }
        }
        let next = self.w(i + 1);
        let next_glued = self.glued(i + 1);
        if next == "%" || matches!(next, "percent" | "pct") || self.seq(i + 1, &["per", "cent"]) {
            return true;
        }
        if next_glued && self.kind(i + 1) == Some(TokKind::Word) && !self.is_currency_word(i + 1) {
            return true;
        }
        next_glued && matches!(next, "/" | ":") && self.is_num(i + 2)
    }

    /// A number phrase at `i` plus a trailing `grand`.
    fn amount_at(&self, i: usize, after_prefix: bool) -> Option<Amount> {
        let t = self.toks.get(i)?;
        match t.kind {
            TokKind::Number if self.digit_context_bad(i, after_prefix) => return None,
            TokKind::Number | TokKind::Word => {}
            _ => return None,
        }
        let p = parse_number_detail(&self.words[i..])?;
        if p.value.is_nan() || p.value <= 0.0 {
            return None;
        }
        let mut end = i + p.used;
        let (mut value, mut scale) = (p.value, p.scale);
        let base = value / scale;
        let grand = matches!(self.w(end), "grand" | "grands" | "g's");
        if grand {
            value *= 1e3;
            scale = if scale > 1.0 { scale * 1e3 } else { 1e3 };
            end += 1;
        }
        let glued_suffix = t.text.ends_with(|c: char| c.is_ascii_alphabetic());
        let k_suffix = t.text.ends_with('k') || self.w(i + 1) == "k";
        let moneyish = grand || (scale >= 1e3 && (!glued_suffix || k_suffix));
        let plain_int = t.kind == TokKind::Number && t.text.bytes().all(|b| b.is_ascii_digit());
        Some(Amount {
            value,
            base: if grand { value / scale } else { base },
            scale,
            end,
            moneyish,
            grand,
            vague: p.vague,
            plain_int,
        })
    }

    /// A currency after an amount. A sign followed by a number belongs to that number.
    fn suffix_currency_at(&self, i: usize) -> Option<(Cur, usize)> {
        let (c, n) = self.currency_at(i)?;
        let sign = self.kind(i) == Some(TokKind::Symbol);
        (!sign || !self.number_starts(i + n)).then_some((c, n))
    }

    /// A coin word after an amount: (dollars per coin, tokens).
    fn coin_at(&self, i: usize) -> Option<(f64, usize)> {
        coin_value(self.w(i)).map(|v| (v, 1))
    }

    /// Minor units after a whole major amount: `and 43c`, `43 cents`, `and fourteen`, `43`.
    fn cents_at(&self, i: usize, a: &Amount) -> Option<(f64, usize)> {
        if a.scale != 1.0 || a.value.fract() != 0.0 {
            return None;
        }
        let j = if self.w(i) == "and" { i + 1 } else { i };
        let t = self.toks.get(j)?;
        let short_digits = t.kind == TokKind::Number && t.text.len() <= 2 && t.text.bytes().all(|b| b.is_ascii_digit());
        if !(short_digits || t.kind == TokKind::Word) {
            return None;
        }
        let p = parse_number_detail(&self.words[j..])?;
        if p.vague || p.value.fract() != 0.0 || !(1.0..100.0).contains(&p.value) {
            return None;
        }
        let after = j + p.used;
        if MINOR_UNITS.contains(&self.w(after)) {
            return Some((p.value / 100.0, after + 1 - i));
        }
        let ends = match self.kind(after) {
            None => true,
            Some(TokKind::Punct) => !matches!(self.w(after), "-" | "–" | "%" | "/" | ":" | "+"),
            _ => false,
        };
        ends.then_some((p.value / 100.0, after - i))
    }

    /// `[currency] amount [currency | coin] [minor units]` at `i`.
    fn simple_at(&self, i: usize, in_range: bool) -> Option<Simple> {
        let (prefix, j) = match self.currency_at(i) {
            Some((c, n)) if self.number_starts(i + n) => (Some(c), i + n),
            _ => (None, i),
        };
        let a = self.amount_at(j, prefix.is_some() || in_range)?;
        let (mut end, mut value, mut cur, mut coin) = (a.end, a.value, prefix, false);
        if let Some((c, n)) = self.suffix_currency_at(end) {
            cur = match (prefix, c) {
                (Some(Iso(p)), _) => Some(Iso(p)),
                _ => Some(c),
            };
            end += n;
        } else if let (None, Some((v, n))) = (prefix, self.coin_at(end)) {
            value *= v;
            cur = Some(Dollar);
            coin = true;
            end += n;
        }
        let cents = (cur.is_some() && !coin).then(|| self.cents_at(end, &a));
        if let Some((c, n)) = cents.flatten() {
            value += c;
            end += n;
        }
        if a.vague && cur.is_none() && !a.grand {
            return None;
        }
        Some(Simple { start: i, end, value, amount: a, cur, coin })
    }

    /// A bare coin word (`dime`, `a nickel` is handled by [`Self::simple_at`]).
    fn bare_coin_at(&self, i: usize) -> Option<Simple> {
        let (v, _) = self.coin_at(i)?;
        let after_number = i > 0 && self.number_starts(i - 1);
        if matches!(self.w(i), "cent" | "cents" | "¢") || after_number {
            return None;
        }
        Some(bare_coin(i, v))
    }

    /// A range continuing `a`: `-`/`–`/`to` (and `and` after `between`/`from`) + an amount.
    /// Returns (lower, upper); `lower` is None for `from 8k to 10k` after a change verb.
    fn range_after(&self, a: &Simple) -> Option<(Option<f64>, Simple)> {
        let k = a.end;
        let lead = self.before(a.start, 1);
        let conn = self.w(k);
        let ok = matches!(conn, "-" | "–" | "to") || (conn == "and" && matches!(lead, "between" | "from"));
        if !ok {
            return None;
        }
        let b = self.simple_at(k + 1, true)?;
        // "$10k and $12k AUD": a bare dollar agrees with any dollar code.
        let dollar_code = |c: Cur| matches!(c, Iso(code) if code.ends_with('D'));
        let agree = |x: Cur, y: Cur| x == y || (x == Dollar && dollar_code(y)) || (y == Dollar && dollar_code(x));
        if matches!((a.cur, b.cur), (Some(x), Some(y)) if !agree(x, y)) {
            return None;
        }
        let mut lower = a.value;
        if a.amount.scale == 1.0 && b.amount.scale > 1.0 && a.value < b.amount.base {
            lower *= b.amount.scale;
        }
        if lower >= b.value {
            return None;
        }
        let change = conn == "to" && lead == "from" && self.change_verb_before(a.start - 1);
        Some(((!change).then_some(lower), b))
    }

    /// A change verb in the clause before `i`.
    fn change_verb_before(&self, i: usize) -> bool {
        self.back(i).any(|j| CHANGE_VERBS.contains(&self.w(j)))
    }

    /// Rate and approximation markers after an amount: (end, days per period, approx, bound).
    fn post_markers(&self, mut k: usize) -> (usize, Option<f64>, bool, Option<bool>) {
        let (mut rate, mut approx, mut bound) = (None, false, None);
        for _ in 0..3 {
            if let Some((p, d)) = RATES_AFTER.iter().find(|(p, _)| self.seq(k, p)) {
                if rate.is_none() {
                    rate = Some(*d);
                }
                k += p.len();
            } else if let Some(p) = APPROX_AFTER.iter().find(|p| self.seq(k, p)) {
                approx = true;
                k += p.len();
            } else if let Some((p, up)) =
                BOUNDS_AFTER.iter().find(|(p, _)| self.seq(k, p) && (p[0] != "+" || self.glued(k)))
            {
                bound = Some(*up);
                k += p.len();
            } else {
                break;
            }
        }
        (k, rate, approx, bound)
    }

    /// `daily` (or `per day`) before the amount, joined by bridge words
    /// (`a daily budget of $800`).
    fn daily_before(&self, start: usize) -> bool {
        for j in self.back(start) {
            let w = self.w(j);
            if w == "daily" || (w == "day" && self.before(j, 1) == "per") {
                return true;
            }
            if !DAILY_BRIDGE.contains(&w) {
                return false;
            }
        }
        false
    }

    /// Strength of the budget cue in the clause before `start`.
    fn cue_before(&self, start: usize) -> Cue {
        let mut cue = Cue::None;
        for j in self.back(start) {
            if self.is_num(j) {
                break;
            }
            let w = self.w(j);
            if STRONG_CUES.contains(&w) || (w == "do" && matches!(self.before(j, 1), "can" | "could")) {
                return Cue::Strong;
            }
            if CHANGE_VERBS.contains(&w) || (w == "about" && matches!(self.before(j, 1), "how" | "what")) {
                cue = Cue::Weak;
            }
        }
        cue
    }

    /// The word after the amount (and its markers) is compatible with money.
    fn follower_ok(&self, k: usize) -> bool {
        match self.kind(k) {
            None | Some(TokKind::Number) | Some(TokKind::Symbol) => true,
            Some(TokKind::Punct) => !matches!(self.w(k), "+" | "%" | "'" | "/" | ":"),
            Some(TokKind::Word) => SAFE_FOLLOWERS.contains(&self.w(k)) || self.currency_at(k).is_some(),
        }
    }

    /// An approximation word right before the mention (`about`, `~`; `like` only as a hedge).
    fn approx_before(&self, start: usize) -> bool {
        self.back(start).take(3).any(|j| {
            let w = self.w(j);
            let prev = self.before(j, 1);
            APPROX_WORDS.contains(&w)
                && (w != "like" || !matches!(prev, "i'd" | "we'd" | "would" | "i" | "we" | "you" | "they"))
                && (w != "about" || !matches!(prev, "how" | "what"))
        })
    }

    /// A bound phrase right before the mention (skipping one approximation word):
    /// Some(true) = upper bound, Some(false) = lower bound.
    fn bound_before(&self, start: usize) -> Option<bool> {
        let at = |end: usize| {
            BOUNDS_BEFORE.iter().find(|(p, _)| self.seq_ending(end, p)).map(|(p, up)| (end - p.len(), *up))
        };
        let skip_approx = start > 0 && APPROX_WORDS.contains(&self.w(start - 1));
        let (s, up) = at(start).or_else(|| skip_approx.then(|| at(start - 1)).flatten())?;
        // "bump it up to 10k" is a change, not a bound
        let change = self.w(s) == "up" && {
            let p = self.before(s, 1);
            CHANGE_VERBS.contains(&p) || matches!(p, "it" | "that" | "push" | "go")
        };
        (!change).then_some(up)
    }

    /// The mention is a price or a metric (`$5 CPM`, `CPA of $20`, `$2 per click`).
    fn is_metric(&self, start: usize, end: usize) -> bool {
        let before =
            self.back(start).take(3).any(|j| METRIC_BEFORE.contains(&self.w(j)) || self.seq(j, &["cost", "per"]));
        let w = self.w(end);
        let per_other = matches!(w, "per" | "/")
            && self.kind(end + 1) == Some(TokKind::Word)
            && !PER_TIME.contains(&self.w(end + 1));
        let in_sales = matches!(w, "in" | "of") && matches!(self.w(end + 1), "revenue" | "sales" | "turnover");
        before || per_other || in_sales || METRIC_AFTER.contains(&w)
    }

    /// The mention is an old value (`instead of $8k`, `rather than 8k`, `not 8k`).
    fn is_superseded(&self, start: usize) -> bool {
        self.seq_ending(start, &["instead", "of"])
            || self.seq_ending(start, &["rather", "than"])
            || self.seq_ending(start, &["not"])
    }

    /// A change by an amount: Some(+1 / −1).
    fn delta_sign(&self, start: usize, end: usize) -> Option<f64> {
        let p1 = self.before(start, 1);
        if matches!(p1, "another" | "extra" | "additional" | "add" | "plus") || (p1 == "+" && self.glued(start)) {
            return Some(1.0);
        }
        if p1 == "by" {
            let verb = self.back(start - 1).map(|j| self.w(j)).find(|w| CHANGE_VERBS.contains(w))?;
            return Some(if DECREASE_VERBS.contains(&verb) { -1.0 } else { 1.0 });
        }
        match self.w(end) {
            "more" | "extra" | "additional" => Some(1.0),
            "less" | "fewer" => Some(-1.0),
            _ => None,
        }
    }

    /// Every money mention, left to right.
    fn mentions(&self) -> Vec<Mention> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.toks.len() {
            if !self.may_start(i) {
                i += 1;
                continue;
            }
            match self.mention_at(i) {
                Some(m) => {
                    i = m.end.max(i + 1);
                    out.push(m);
                }
                None => i += 1,
            }
        }
        out
    }

    /// A money mention starting at `i`, if any.
    fn mention_at(&self, i: usize) -> Option<Mention> {
        let a = self.simple_at(i, false).or_else(|| self.bare_coin_at(i))?;
        let (lower, s) = match self.range_after(&a) {
            Some((lower, b)) => (lower, b),
            None => (None, a),
        };
        let is_range = s.start != a.start;
        let cur = s.cur.or(a.cur);
        let (tail, rate, approx_after, bound_after) = self.post_markers(s.end);
        let moneyish = s.amount.moneyish || a.amount.moneyish;
        let money = cur.is_some() || self.bare_is_money(&a, &s, tail, rate, moneyish);
        if !money {
            return None;
        }
        let bound = self.bound_before(a.start).or(bound_after);
        let min = if is_range { lower } else { None };
        let daily = rate.is_some() || self.daily_before(a.start);
        // In Portuguese and Spanish "mil" is a thousand ("R$ 40 mil"); in English a million.
        let iberian = matches!(cur, Some(Peso) | Some(Iso("BRL" | "MXN" | "ARS" | "CLP" | "COP" | "PEN" | "UYU")));
        let mil = iberian && self.words.get(a.start..s.end.min(self.words.len())).is_some_and(|w| w.contains(&"mil"));
        let unit = if mil { 1e-3 } else { 1.0 };
        let value = s.value / rate.unwrap_or(1.0) * unit;
        let role = self.role(&a, &s, tail);
        Some(Mention {
            end: tail.max(s.end),
            value,
            min: min.map(|m| m / rate.unwrap_or(1.0) * unit).filter(|_| bound.is_none() || is_range),
            cur,
            daily,
            approximate: approx_after || self.approx_before(a.start) || rate.is_some_and(|d| d > 7.0),
            role,
        })
    }

    /// A currency-less amount (or range) is money: `grand`, a thousands scale, a per-day
    /// amount, or a bare number after a budget cue.
    fn bare_is_money(&self, a: &Simple, s: &Simple, tail: usize, rate: Option<f64>, moneyish: bool) -> bool {
        if !self.follower_ok(tail) || (a.amount.vague && !a.amount.grand) {
            return false;
        }
        if moneyish {
            return true;
        }
        let cue = if self.seq(tail, &["budget"]) { Cue::Strong } else { self.cue_before(a.start) };
        let v = s.value;
        let year_like = s.amount.plain_int && (1900.0..=2100.0).contains(&v);
        if year_like && YEAR_PREPOSITIONS.contains(&self.before(a.start, 1)) {
            return false; // "budget for 2026 is …"
        }
        (rate == Some(1.0) && v >= 20.0)
            || (cue == Cue::Strong && v >= 50.0)
            || (cue == Cue::Weak && v >= 100.0 && !year_like)
    }

    /// Budget, delta, coin or ignored.
    fn role(&self, a: &Simple, s: &Simple, tail: usize) -> Role {
        if self.is_metric(a.start, tail) || self.is_superseded(a.start) {
            return Role::Ignored;
        }
        if let Some(sign) = self.delta_sign(a.start, tail) {
            return Role::Delta(sign);
        }
        if a.coin || s.coin {
            let negated = self
                .back(a.start)
                .take(3)
                .any(|j| matches!(self.w(j), "not" | "no" | "never" | "without") || self.w(j).ends_with("n't"));
            return if negated { Role::Ignored } else { Role::Coin };
        }
        Role::Budget
    }

    /// A follow-up multiplier: halve/double/triple, cut … in half, ±N %.
    fn find_scale(&self) -> Option<f64> {
        (0..self.toks.len()).find_map(|i| self.verb_scale_at(i).or_else(|| self.percent_scale_at(i)))
    }

    /// `halve it`, `double the budget`, `cut the budget in half`, `reduce it by half`.
    fn verb_scale_at(&self, i: usize) -> Option<f64> {
        let factor = match self.w(i) {
            "halve" | "halved" | "halving" => 0.5,
            "double" | "doubled" | "doubling" => 2.0,
            "triple" | "tripled" | "tripling" => 3.0,
            "quadruple" | "quadrupled" => 4.0,
            "half" if matches!(self.before(i, 1), "in" | "by") => {
                let verb = self.back(i - 1).find(|&j| DECREASE_VERBS.contains(&self.w(j)))?;
                return self.budget_object(verb + 1).then_some(0.5);
            }
            _ => return None,
        };
        self.budget_object(i + 1).then_some(factor)
    }

    /// The object starting at `i` (after determiners) is the budget, `it`, or absent.
    fn budget_object(&self, i: usize) -> bool {
        let mut j = i;
        while DETERMINERS.contains(&self.w(j)) {
            j += 1;
        }
        match self.kind(j) {
            None | Some(TokKind::Punct) => true,
            _ => BUDGET_OBJECTS.contains(&self.w(j)),
        }
    }

    /// `+20% budget`, `20% more budget`, `10% less`, `increase the budget by 20%`.
    fn percent_scale_at(&self, i: usize) -> Option<f64> {
        if !self.is_num(i) {
            return None;
        }
        let pct = match self.w(i + 1) {
            "%" | "percent" | "pct" => i + 2,
            "per" if self.w(i + 2) == "cent" => i + 3,
            _ => return None,
        };
        let p = parse_number_detail(&self.words[i..i + 1])?.value / 100.0;
        let clause_has_budget = || {
            let end = (pct + LOOKBACK).min(self.toks.len());
            (self.clause_start(i)..end)
                .take_while(|&j| j < pct || !self.is_break(j))
                .any(|j| matches!(self.w(j), "budget" | "spend" | "spending"))
        };
        let sign = self.before(i, 1);
        if matches!(sign, "+" | "-") && self.glued(i) {
            let s = if sign == "+" { 1.0 } else { -1.0 };
            let next_ok = self.budget_object(pct) || clause_has_budget();
            return next_ok.then_some(1.0 + s * p).filter(|f| *f > 0.0);
        }
        let after = self.w(pct);
        if MORE_WORDS.contains(&after) || LESS_WORDS.contains(&after) {
            let s = if MORE_WORDS.contains(&after) { 1.0 } else { -1.0 };
            let n = pct + 1;
            let next_ok = self.budget_object(n) || FILLERS.contains(&self.w(n));
            return next_ok.then_some(1.0 + s * p).filter(|f| *f > 0.0);
        }
        // "add 20% to the budget", "put 10% on top of the budget".
        if matches!(sign, "add" | "adding") && matches!(after, "to" | "onto") && clause_has_budget() {
            return Some(1.0 + p);
        }
        if sign == "by" {
            let verb = self.back(i - 1).find(|&j| CHANGE_VERBS.contains(&self.w(j)))?;
            let s = if DECREASE_VERBS.contains(&self.w(verb)) { -1.0 } else { 1.0 };
            let object_ok = verb + 1 == i - 1 || self.budget_object(verb + 1);
            return object_ok.then_some(1.0 + s * p).filter(|f| *f > 0.0);
        }
        None
    }
}

/// What a word means in the currency tables.
#[derive(Debug, Clone, Copy, Default)]
struct CurrencyEntry {
    /// The currency the word names on its own.
    word: Option<Cur>,
    /// Index of the first [`CURRENCY_PHRASES`] entry starting with the word.
    phrases: Option<usize>,
    /// Dollar value of a coin word ([`COINS`]).
    coin: Option<f64>,
}

/// Hash index over [`CURRENCY_WORDS`], [`COINS`] and the first words of [`CURRENCY_PHRASES`],
/// built once.
fn currency_index() -> &'static HashMap<&'static str, CurrencyEntry> {
    static INDEX: OnceLock<HashMap<&'static str, CurrencyEntry>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut map: HashMap<&'static str, CurrencyEntry> = HashMap::new();
        for (w, c) in CURRENCY_WORDS {
            map.entry(w).or_default().word = Some(*c);
        }
        for (w, v) in COINS {
            map.entry(w).or_default().coin = Some(*v);
        }
        for (i, (p, _)) in CURRENCY_PHRASES.iter().enumerate() {
            if let Some(first) = p.first() {
                map.entry(first).or_default().phrases.get_or_insert(i);
            }
        }
        map
    })
}

/// Dollar value of a coin word.
fn coin_value(w: &str) -> Option<f64> {
    currency_index().get(w).and_then(|e| e.coin)
}

/// A coin with no number before it (`dime` = 0.10 USD).
fn bare_coin(i: usize, v: f64) -> Simple {
    Simple {
        start: i,
        end: i + 1,
        value: v,
        amount: Amount {
            value: v,
            base: v,
            scale: 1.0,
            end: i + 1,
            moneyish: false,
            grand: false,
            vague: false,
            plain_int: false,
        },
        cur: Some(Dollar),
        coin: true,
    }
}

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn currency_words_sorted_and_unique() {
        assert!(CURRENCY_WORDS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(CURRENCY_PHRASES.windows(2).all(|w| w[0].0[0] <= w[1].0[0]));
        let longest = CURRENCY_WORDS.iter().map(|(w, _)| w.len());
        let first = CURRENCY_PHRASES.iter().map(|(p, _)| p[0].len());
        assert_eq!(longest.chain(first).max(), Some(MAX_CURRENCY_WORD));
    }
}

#[cfg(test)]
mod mil_tests {
    use super::*;

    #[test]
    fn mil_is_a_thousand_in_portuguese_and_spanish_money_and_a_million_in_english() {
        assert_eq!(extract("R$ 40 mil").amount, Some(40_000.0));
        assert_eq!(extract("MXN 150 mil, 4 semanas").amount, Some(150_000.0));
        assert_eq!(extract("1.5 mil budget").amount, Some(1_500_000.0));
        assert_eq!(extract("$2 mil").amount, Some(2_000_000.0));
    }

    #[test]
    fn a_range_may_name_the_dollar_at_the_end() {
        let f = extract("between $10k and $12k AUD");
        assert_eq!((f.amount, f.min, f.currency), (Some(12_000.0), Some(10_000.0), CurrencyHint::Code("AUD".into())));
        assert!(!f.conflicting);
        let f = extract("between €10k and $12k");
        assert!(f.min.is_none(), "different currencies are no range");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(c: &str) -> CurrencyHint {
        CurrencyHint::Code(c.to_string())
    }

    /// Amount and currency of a message.
    fn am(text: &str) -> (Option<f64>, CurrencyHint) {
        let f = extract(text);
        (f.amount, f.currency)
    }

    fn amount(text: &str) -> Option<f64> {
        extract(text).amount
    }

    fn no_money(texts: &[&str]) {
        for t in texts {
            let f = extract(t);
            assert_eq!(f.amount, None, "{t:?} gave {f:?}");
            assert_eq!(f.scale, None, "{t:?} gave {f:?}");
            assert_eq!(f.delta, None, "{t:?} gave {f:?}");
        }
    }

    #[test]
    fn dollar_sign_with_separators() {
        assert_eq!(am("$5,000"), (Some(5000.0), CurrencyHint::Dollar));
        assert_eq!(am("$ 5 000"), (Some(5000.0), CurrencyHint::Dollar));
    }

    #[test]
    fn k_suffix_without_currency() {
        assert_eq!(am("5k"), (Some(5000.0), CurrencyHint::None));
        assert_eq!(am("5K"), (Some(5000.0), CurrencyHint::None));
        assert_eq!(am("30k, DACH"), (Some(30000.0), CurrencyHint::None));
        assert_eq!(amount("50k for awareness"), Some(50000.0));
    }

    #[test]
    fn euro_prefix_and_suffix() {
        assert_eq!(am("€10,000"), (Some(10000.0), code("EUR")));
        assert_eq!(am("10.000 € Budget"), (Some(10000.0), code("EUR")));
        assert_eq!(am("20€"), (Some(20.0), code("EUR")));
        assert_eq!(am("20 €ur"), (Some(20.0), code("EUR")));
    }

    #[test]
    fn iso_codes_before_and_after() {
        assert_eq!(am("EUR 7,500"), (Some(7500.0), code("EUR")));
        assert_eq!(am("JPY 3,000,000"), (Some(3e6), code("JPY")));
        assert_eq!(am("MXN 150,000"), (Some(150000.0), code("MXN")));
        assert_eq!(am("SEK 50,000"), (Some(50000.0), code("SEK")));
        assert_eq!(am("8k EUR"), (Some(8000.0), code("EUR")));
        assert_eq!(am("USD3.25"), (Some(3.25), code("USD")));
        assert_eq!(am("$5,000 USD"), (Some(5000.0), code("USD")));
    }

    #[test]
    fn prefixed_dollar_symbols() {
        assert_eq!(am("A$8,000"), (Some(8000.0), code("AUD")));
        assert_eq!(am("R$ 20.000"), (Some(20000.0), code("BRL")));
        assert_eq!(am("C$12k"), (Some(12000.0), code("CAD")));
        assert_eq!(am("US$4.7 billion"), (Some(4.7e9), code("USD")));
        assert_eq!(am("3.25US$"), (Some(3.25), code("USD")));
    }

    #[test]
    fn pound_with_decimal_k() {
        assert_eq!(am("£2.5k"), (Some(2500.0), code("GBP")));
    }

    #[test]
    fn grand_multiplies_by_thousand() {
        let f = extract("around fifteen grand");
        assert_eq!((f.amount, f.approximate), (Some(15000.0), true));
        assert_eq!(am("about 3 grand AUD"), (Some(3000.0), code("AUD")));
        assert_eq!(amount("a grand"), Some(1000.0));
        assert_eq!(amount("a couple grand"), Some(2000.0));
    }

    #[test]
    fn millions_in_words_and_suffixes() {
        assert_eq!(am("1.2 million dollars"), (Some(1.2e6), CurrencyHint::Dollar));
        assert_eq!(am("$1.2M"), (Some(1.2e6), CurrencyHint::Dollar));
        assert_eq!(am("1.5 mil budget"), (Some(1.5e6), CurrencyHint::None));
        assert_eq!(am("half a million dollars"), (Some(5e5), CurrencyHint::Dollar));
        assert_eq!(am("€2,5 Mio"), (Some(2.5e6), code("EUR")));
    }

    #[test]
    fn glued_m_alone_is_not_money() {
        // "18-34M" (men) and "1.5m listeners" must not become budgets
        assert_eq!(amount("18-34M, awareness"), None);
        assert_eq!(amount("1.5m listeners"), None);
        assert_eq!(amount("$1.5m"), Some(1.5e6));
    }

    #[test]
    fn kronor_with_space_thousands() {
        assert_eq!(am("75 000 kr"), (Some(75000.0), CurrencyHint::Kronor));
        assert_eq!(am("we have 75 000 kr to spend"), (Some(75000.0), CurrencyHint::Kronor));
        assert_eq!(am("500 kroner"), (Some(500.0), CurrencyHint::Kronor));
    }

    #[test]
    fn currency_words() {
        assert_eq!(am("5000 bucks"), (Some(5000.0), CurrencyHint::Dollar));
        assert_eq!(am("800 quid"), (Some(800.0), code("GBP")));
        assert_eq!(am("five thousand euros"), (Some(5000.0), code("EUR")));
        assert_eq!(am("6000 dollars"), (Some(6000.0), CurrencyHint::Dollar));
        assert_eq!(am("20000 pesos"), (Some(20000.0), CurrencyHint::Peso));
        assert_eq!(am("3 yen"), (Some(3.0), code("JPY")));
        assert_eq!(am("100 reais"), (Some(100.0), code("BRL")));
    }

    #[test]
    fn multi_word_currency_names() {
        assert_eq!(am("5000 canadian dollars"), (Some(5000.0), code("CAD")));
        assert_eq!(am("50,000 swedish kronor"), (Some(50000.0), code("SEK")));
        assert_eq!(am("malaysian ringgits 42"), (Some(42.0), code("MYR")));
    }

    #[test]
    fn bare_number_after_budget_cue() {
        assert_eq!(amount("budget 20k"), Some(20000.0));
        assert_eq!(amount("budget 6000"), Some(6000.0));
        assert_eq!(amount("budget: 2000"), Some(2000.0));
        assert_eq!(amount("budget of 1,000,000"), Some(1e6));
        assert_eq!(amount("we have 6000 to spend"), Some(6000.0));
        assert_eq!(amount("I can do 6000"), Some(6000.0));
        assert_eq!(amount("budget is 5.000"), Some(5000.0));
    }

    #[test]
    fn bare_number_cue_limits() {
        assert_eq!(amount("budget: 30"), None); // below 50: not a budget
        assert_eq!(amount("we have 200 stores in Germany"), None);
        assert_eq!(amount("budget for 2026 is 5000"), None);
        assert_eq!(amount("spend 3 weeks"), None);
        assert_eq!(amount("Pay ABC 2000"), None);
    }

    #[test]
    fn daily_after_amount() {
        let f = extract("2,000 a day");
        assert_eq!((f.amount, f.daily), (Some(2000.0), true));
        let f = extract("€300 a day");
        assert_eq!((f.amount, f.daily, f.currency), (Some(300.0), true, code("EUR")));
        assert!(extract("$50/day").daily);
        assert!(extract("$50 per day").daily);
        assert!(extract("500 CAD daily").daily);
    }

    #[test]
    fn daily_before_amount() {
        let f = extract("Daily budget 500 CAD");
        assert_eq!((f.amount, f.daily, f.currency), (Some(500.0), true, code("CAD")));
        let f = extract("make it a daily budget of $800 instead");
        assert_eq!((f.amount, f.daily), (Some(800.0), true));
    }

    #[test]
    fn lifetime_by_default() {
        let f = extract("£4k a fortnight");
        assert_eq!((f.amount, f.daily), (Some(4000.0), false));
        assert!(!extract("€5,000 budget over 30 days").daily);
    }

    #[test]
    fn weekly_and_monthly_rates_become_daily() {
        let f = extract("$700 per week");
        assert_eq!((f.amount, f.daily, f.approximate), (Some(100.0), true, false));
        let f = extract("€3,000 per month");
        assert_eq!((f.amount, f.daily, f.approximate), (Some(100.0), true, true));
    }

    #[test]
    fn ranges_take_upper_and_lower() {
        let f = extract("10-15k USD");
        assert_eq!((f.amount, f.min, f.currency), (Some(15000.0), Some(10000.0), code("USD")));
        let f = extract("between 8 and 10 thousand euros");
        assert_eq!((f.amount, f.min), (Some(10000.0), Some(8000.0)));
        let f = extract("$10-$20");
        assert_eq!((f.amount, f.min), (Some(20.0), Some(10.0)));
        let f = extract("£5k–£8k");
        assert_eq!((f.amount, f.min), (Some(8000.0), Some(5000.0)));
        let f = extract("from 10 dollars to 20 dollars");
        assert_eq!((f.amount, f.min), (Some(20.0), Some(10.0)));
        let f = extract("$500-2k");
        assert_eq!((f.amount, f.min), (Some(2000.0), Some(500.0)));
    }

    #[test]
    fn upper_bounds_give_amount_without_min() {
        for t in ["up to 5k", "max 5k", "no more than 5k", "budget up to 5k", "$5k max"] {
            let f = extract(t);
            assert_eq!((f.amount, f.min), (Some(5000.0), None), "{t}");
        }
        assert_eq!(amount("max 3k GBP"), Some(3000.0));
        assert_eq!(amount("under seven euros"), Some(7.0));
    }

    #[test]
    fn lower_bounds_give_the_floor() {
        for t in ["at least $5k", "$5k+", "more than $5k", "$5k or more"] {
            let f = extract(t);
            assert_eq!((f.amount, f.min), (Some(5000.0), None), "{t}");
        }
    }

    #[test]
    fn up_to_after_a_change_verb_is_not_a_bound() {
        let f = extract("bump it up to 10k");
        assert_eq!((f.amount, f.min), (Some(10000.0), None));
    }

    #[test]
    fn approximate_markers() {
        for t in ["around 5k", "about $5k", "roughly $4,000", "~5k", "5k-ish", "$5k or so", "with like 50 quid"] {
            assert!(extract(t).approximate, "{t}");
        }
        for t in ["$5k", "what about 7500?", "I'd like 5k"] {
            assert!(!extract(t).approximate, "{t}");
        }
    }

    #[test]
    fn followup_new_amounts() {
        assert_eq!(amount("bump it to 10k"), Some(10000.0));
        assert_eq!(amount("bump it to 8k 🙏"), Some(8000.0));
        assert_eq!(amount("and make it 6k"), Some(6000.0));
        assert_eq!(amount("make it 12k and push it to 8 weeks"), Some(12000.0));
        assert_eq!(amount("budget SEK 80,000"), Some(80000.0));
        assert_eq!(amount("what about 7500?"), Some(7500.0));
        let f = extract("make it 400 a day instead");
        assert_eq!((f.amount, f.daily), (Some(400.0), true));
    }

    #[test]
    fn change_from_to_takes_the_new_value() {
        let f = extract("increase it from 8k to 10k");
        assert_eq!((f.amount, f.min), (Some(10000.0), None));
        let f = extract("from €5k to €8k");
        assert_eq!((f.amount, f.min), (Some(8000.0), Some(5000.0)));
    }

    #[test]
    fn scale_halving() {
        assert_eq!(extract("cut the budget in half").scale, Some(0.5));
        assert_eq!(extract("hmm client pushed back on cost — cut the budget in half").scale, Some(0.5));
        assert_eq!(extract("halve it").scale, Some(0.5));
        assert_eq!(extract("reduce the budget by half").scale, Some(0.5));
    }

    #[test]
    fn scale_doubling() {
        assert_eq!(extract("double the budget").scale, Some(2.0));
        assert_eq!(extract("double it").scale, Some(2.0));
        assert_eq!(extract("triple the spend").scale, Some(3.0));
    }

    #[test]
    fn scale_percentages() {
        let close = |t: &str, want: f64| {
            let s = extract(t).scale.unwrap_or(f64::NAN);
            assert!((s - want).abs() < 1e-9, "{t}: {s}");
        };
        close("+20% budget", 1.2);
        close("20% more budget", 1.2);
        close("increase the budget by 20%", 1.2);
        close("add 20% to the budget", 1.2);
        close("10% less", 0.9);
        close("reduce it by 10 percent", 0.9);
        close("budget -15%", 0.85);
    }

    #[test]
    fn scale_needs_a_budget_object() {
        no_money(&[
            "double the flight",
            "cut the flight in half",
            "increase reach by 20%",
            "20% more reach",
            "no more than 20% on video",
            "cap video at 25%",
        ]);
    }

    #[test]
    fn deltas() {
        assert_eq!(extract("another 5k").delta, Some(5000.0));
        assert_eq!(extract("add 5k to the budget").delta, Some(5000.0));
        assert_eq!(extract("increase the budget by $2k").delta, Some(2000.0));
        assert_eq!(extract("cut it by 2k").delta, Some(-2000.0));
        assert_eq!(extract("2k less").delta, Some(-2000.0));
        assert_eq!(extract("another 5k").amount, None);
    }

    #[test]
    fn ages_are_not_money() {
        no_money(&[
            "18-24",
            "25-44",
            "aged 25 to 40",
            "35+",
            "over 35",
            "in their 40s",
            "16 and 17 year olds",
            "make it 25-44",
            "make it 35+ only",
            "18+",
            "18-34 F",
            "18-34 m, awareness",
            "not going below 25",
            "under 30s",
        ]);
    }

    #[test]
    fn durations_and_dates_are_not_money() {
        no_money(&[
            "30 days",
            "4 weeks",
            "3 months",
            "2 weeks from Sept 15",
            "March 1",
            "Nov 2, 2026",
            "Q2",
            "2026",
            "6 weeks",
            "1 week",
            "one-day",
            "4 wks",
            "around 30 days",
            "make it 2027",
            "move it to 2027",
            "from Thursday for 10 days",
            "flight 20 March 2027 to 5 March 2027",
        ]);
    }

    #[test]
    fn misc_non_money() {
        no_money(&[
            "iOS 17",
            "Gen Z",
            "$ sign in the middle of nothing",
            "24/7",
            "K-pop",
            "K-pop fans",
            "3 30",
            "25",
            "at 650-650-6500",
            "at 650.650.6500",
            "exactly dollars",
            "grand",
            "reach 100k listeners",
            "5k impressions",
            "sponsor our 5k run",
            "4k video ads",
            "top 10 markets",
            "3:30",
            "the 15th",
            "mp3 ads",
            "5G phones",
        ]);
    }

    #[test]
    fn percentages_are_not_money() {
        no_money(&["no more than 20% on video", "cap video at 25%", "20 percent", "20 per cent"]);
    }

    #[test]
    fn two_different_budgets_conflict() {
        let f = extract("Objective: awareness. Budget €10k, Germany, 25-44, 4 weeks. budget €12k");
        assert_eq!((f.amount, f.conflicting), (Some(10000.0), true));
    }

    #[test]
    fn same_amount_twice_range_daily_total_and_conversions_do_not_conflict() {
        for t in [
            "Budget €10k, Germany, budget €10k",
            "budget 10-15k",
            "€300 a day, €9k total",
            "budget €10k (roughly $11k)",
        ] {
            assert!(!extract(t).conflicting, "{t}");
        }
    }

    #[test]
    fn metrics_and_prices_are_ignored() {
        assert_eq!(amount("$5 CPM, budget $20k"), Some(20000.0));
        assert_eq!(amount("target CPA of $20 with a $10k budget"), Some(10000.0));
        assert_eq!(amount("we pay $2 per click"), None);
        assert_eq!(amount("we did $1M in revenue"), None);
        assert!(!extract("we spent $50k last year, this time €20k").conflicting);
    }

    #[test]
    fn superseded_values_are_ignored() {
        let f = extract("instead of 8k, make it 10k");
        assert_eq!((f.amount, f.conflicting), (Some(10000.0), false));
        assert_eq!(amount("not 10k but 12k"), Some(12000.0));
        assert_eq!(amount("how about 15k instead of 10k?"), Some(15000.0));
    }

    #[test]
    fn minor_units_join_the_amount() {
        assert_eq!(amount("$20 and 43c"), Some(20.43));
        assert_eq!(amount("20 dollars 43 cents"), Some(20.43));
        assert_eq!(amount("US$3 and twenty-five"), Some(3.25));
        assert_eq!(amount("3 GBP 1 pence"), Some(3.01));
        assert_eq!(amount("$100 30 days"), Some(100.0));
        assert_eq!(amount("€300 5 weeks"), Some(300.0));
    }

    #[test]
    fn coins_only_as_a_last_resort() {
        assert_eq!(am("a dime"), (Some(0.1), CurrencyHint::Dollar));
        assert_eq!(amount("ten dimes"), Some(1.0));
        assert_eq!(amount("we won't spend a dime on video"), None);
        assert_eq!(amount("not a dime on video, $5k on audio"), Some(5000.0));
    }

    #[test]
    fn eval_style_sentences() {
        assert_eq!(amount("my budget is about £2.5k for a month. thanks so much!!"), Some(2500.0));
        assert_eq!(amount("video views, 18-34, US + Canada, $25k, 2 weeks from Sept 15"), Some(25000.0));
        assert_eq!(amount("women 25-44 $30k"), Some(30000.0));
        assert_eq!(amount("€5k — 25-44, Germany"), Some(5000.0));
        assert_eq!(amount("- goal: app installs\n- market: UK\n- budget: £20k\n- flight: 6 weeks"), Some(20000.0));
    }

    #[test]
    fn never_panics_on_odd_input() {
        let nasty = "é–—🎉İ$€£¥₹¢ 5k 1e400 $-5 ..5 5.. ,5 5,,5 '5 5' 9999999999999999999999999999k \u{a0}1\u{202f}000 ẞ ﬀ \u{0}";
        let mut cuts = vec![String::new()];
        for (i, _) in nasty.char_indices() {
            cuts.push(nasty[..i].to_string());
            cuts.push(nasty[i..].to_string());
        }
        for t in cuts
            .iter()
            .map(String::as_str)
            .chain(["$", "€", "k", "-", "between", "from", "a", "half", "point", "minus", "per", "by", "+", "%"])
        {
            let _ = extract(t);
        }
        let big = "budget €10k, 25-44, 18-24 year olds, 🎉 ".repeat(2600); // ~100 kB
        let f = extract(&big);
        assert_eq!(f.amount, Some(10000.0));
    }

    #[test]
    fn random_inputs_never_panic() {
        const PIECES: &[&str] = &[
            "$",
            "€",
            "£",
            "kr",
            "r$",
            "us$",
            "5",
            "10",
            ",",
            ".",
            "000",
            "k",
            "m",
            "grand",
            "a",
            "half",
            "million",
            "between",
            "and",
            "to",
            "-",
            "–",
            "—",
            "%",
            "+",
            "/",
            ":",
            "per",
            "day",
            "budget",
            "make it",
            "up to",
            "by",
            "in half",
            "double",
            "halve",
            "cents",
            "dime",
            "é",
            "🎉",
            "İ",
            "\n",
            " ",
            " ",
            "ẞ",
            "9999999999999999999999",
            "point",
            "of",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(seed % 12) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(PIECES[(seed % PIECES.len() as u64) as usize]);
            }
            let f = extract(&text);
            let b = apply(None, &f, &["USD"], None);
            assert!(b.is_none_or(|b| b.amount.is_finite() && b.amount > 0.0), "{text:?}");
        }
    }

    #[test]
    fn long_input_is_linear() {
        let words = "one ".repeat(25_000) + &"9,".repeat(10_000) + &"a ".repeat(10_000);
        let start = std::time::Instant::now();
        let _ = extract(&words);
        assert!(start.elapsed().as_secs_f64() < 2.0);
    }

    fn budget(amount: f64, currency: &str) -> Budget {
        Budget { amount, currency: currency.to_string(), kind: BudgetType::Lifetime, min: None, approximate: false }
    }

    fn apply_text(prev: Option<&Budget>, text: &str, targets: &[&str], nordic: Option<&str>) -> Option<Budget> {
        apply(prev, &extract(text), targets, nordic)
    }

    #[test]
    fn apply_explicit_currency_wins() {
        let b = apply_text(None, "€5k", &["USD"], None);
        assert_eq!(b.map(|b| b.currency), Some("EUR".to_string()));
    }

    #[test]
    fn apply_dollar_follows_first_target() {
        let cur = |targets: &[&str]| apply_text(None, "$5k", targets, None).map(|b| b.currency);
        assert_eq!(cur(&["CAD"]).as_deref(), Some("CAD"));
        assert_eq!(cur(&["AUD"]).as_deref(), Some("AUD"));
        assert_eq!(cur(&["MXN"]).as_deref(), Some("MXN"));
        assert_eq!(cur(&["USD", "CAD"]).as_deref(), Some("USD"));
        assert_eq!(cur(&["EUR", "CAD"]).as_deref(), Some("USD"));
        assert_eq!(cur(&[]).as_deref(), Some("USD"));
    }

    #[test]
    fn apply_kronor_follows_nordic_first() {
        let cur = |nordic| apply_text(None, "75 000 kr", &["EUR", "NOK"], nordic).map(|b| b.currency);
        assert_eq!(cur(Some("NOK")).as_deref(), Some("NOK"));
        assert_eq!(cur(None).as_deref(), Some("SEK"));
    }

    #[test]
    fn apply_peso_follows_target() {
        let b = apply_text(None, "20000 pesos", &["ARS"], None);
        assert_eq!(b.map(|b| b.currency).as_deref(), Some("ARS"));
        let b = apply_text(None, "20000 pesos", &["EUR"], None);
        assert_eq!(b.map(|b| b.currency).as_deref(), Some("MXN"));
    }

    #[test]
    fn apply_no_currency_uses_first_target_or_usd() {
        let cur = |t: &[&str]| apply_text(None, "30k", t, None).map(|b| b.currency);
        assert_eq!(cur(&["EUR", "CHF"]).as_deref(), Some("EUR"));
        assert_eq!(cur(&[]).as_deref(), Some("USD"));
    }

    #[test]
    fn apply_followup_amount_keeps_previous_currency() {
        let prev = budget(8000.0, "EUR");
        let b = apply_text(Some(&prev), "bump it to 10k", &["GBP"], None);
        assert_eq!(b, Some(budget(10000.0, "EUR")));
        let b = apply_text(Some(&prev), "make it 400 a day instead", &["EUR"], None);
        assert_eq!(b.map(|b| (b.amount, b.kind)), Some((400.0, BudgetType::Daily)));
    }

    #[test]
    fn apply_scale_and_delta() {
        let mut prev = budget(16000.0, "GBP");
        prev.min = Some(10000.0);
        let b = apply_text(Some(&prev), "cut the budget in half", &["GBP"], None);
        assert_eq!(b.map(|b| (b.amount, b.min)), Some((8000.0, Some(5000.0))));
        let b = apply_text(Some(&prev), "another 4k", &["GBP"], None);
        assert_eq!(b.map(|b| b.amount), Some(20000.0));
        assert_eq!(apply_text(None, "halve it", &["GBP"], None), None);
    }

    #[test]
    fn apply_never_leaves_an_implausible_amount() {
        // Under a cent, zero, or beyond f64: never a budget, and a follow-up that would lead
        // there keeps the previous budget.
        assert_eq!(apply_text(None, "$0.001", &[], None), None);
        let mut prev = budget(0.015, "EUR");
        assert_eq!(apply_text(Some(&prev), "cut the budget in half", &["EUR"], None), Some(prev.clone()));
        prev.amount = f64::MAX;
        assert_eq!(apply_text(Some(&prev), "double the budget", &["EUR"], None), Some(prev.clone()));
        let b = apply_text(None, "between 0 and 5k", &[], None);
        assert_eq!(b.map(|b| (b.amount, b.min)), Some((5000.0, None)));
        let mut prev = budget(16000.0, "GBP");
        prev.min = Some(0.015);
        let b = apply_text(Some(&prev), "cut the budget in half", &["GBP"], None);
        assert_eq!(b.map(|b| (b.amount, b.min)), Some((8000.0, None)));
    }

    #[test]
    fn apply_without_budget_facts_keeps_previous() {
        let prev = budget(5000.0, "EUR");
        assert_eq!(apply_text(Some(&prev), "add Austria", &["EUR"], None), Some(prev.clone()));
        assert_eq!(apply_text(None, "add Austria", &["EUR"], None), None);
    }

    #[test]
    fn apply_sets_range_type_and_approximation() {
        let b = apply_text(None, "around 10-15k USD a day", &[], None);
        let b = b.unwrap_or_else(|| budget(0.0, ""));
        assert_eq!((b.amount, b.min, b.kind, b.approximate), (15000.0, Some(10000.0), BudgetType::Daily, true));
    }
}
