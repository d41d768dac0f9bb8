//! Budget specialist: money amounts, currencies, ranges, daily vs lifetime, and budget changes
//! in follow-ups.
//!
//! [`extract`] reads one message and returns a [`BudgetFinding`]; [`apply`] merges a finding
//! into the brief's previous [`Budget`] (docs/brief.md §2 "Budget").
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
//!
//! Files: [`scan`] finds the amounts with their currency, [`context`] reads the words around
//! them (cues, bounds, rates, metrics), [`change`] reads follow-up changes, [`currency`] and
//! [`cues`] load the words from `fixtures/lang/*.tsv`.

mod change;
mod context;
mod cues;
mod currency;
mod scan;
mod words;

use crate::understand::Text;
use currency::{currencies, Cur};
use scan::{Ctx, Mention, Role};

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
    /// The amount is per day, but the message also calls the budget a lifetime total.
    pub kind_conflict: bool,
    /// Follow-up change by an amount: "another 5k" +5000, "cut it by 2k" −2000.
    pub delta: Option<f64>,
    /// Byte ranges of [`crate::understand::Text::norm`] this specialist read: what is not covered
    /// by any specialist's spans is reported as not understood.
    #[serde(skip)]
    pub spans: Vec<(usize, usize)>,
}

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
        CurrencyHint::Dollar => first.filter(|c| currencies().in_family(c, "dollar")).unwrap_or("USD").to_string(),
        CurrencyHint::Kronor => nordic_first.unwrap_or("SEK").to_string(),
        CurrencyHint::Peso => first.filter(|c| currencies().in_family(c, "peso")).unwrap_or("MXN").to_string(),
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

/// Whether an ISO currency is one a bare "kr" can mean (SEK, NOK, DKK; docs/brief.md §2).
pub fn is_kronor(code: &str) -> bool {
    currencies().in_family(code, "kronor")
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
pub fn extract(text: &Text) -> BudgetFinding {
    let ctx = Ctx::new(text);
    let mentions = ctx.mentions();
    let scale = ctx.find_scale();
    let mut f = BudgetFinding { scale: scale.map(|s| s.0), ..BudgetFinding::default() };
    // What was read: every mention that is not ignored, and the word of a change by a factor.
    let read = mentions.iter().filter(|m| m.role != Role::Ignored).map(|m| (m.start, m.end));
    let scale_word = scale.map(|(_, i)| (i, i + 1));
    f.spans = read.chain(scale_word).filter_map(|(s, e)| ctx.byte_range(s, e)).collect();
    let budgets: Vec<&Mention> = mentions.iter().filter(|m| m.role == Role::Budget).collect();
    let chosen = budgets.first().copied().or_else(|| mentions.iter().find(|m| m.role == Role::Coin));
    if let Some(m) = chosen {
        f.amount = Some(m.value);
        f.min = m.min;
        f.currency = m.cur.map_or(CurrencyHint::None, Cur::hint);
        f.daily = m.daily;
        f.approximate = m.approximate;
        f.conflicting = budgets.iter().skip(1).any(|o| conflicts(m, o));
        f.kind_conflict = m.daily && (0..ctx.toks.len()).any(|i| ctx.has(i, cues::Class::Lifetime));
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

#[cfg(test)]
#[test]
fn a_per_day_amount_called_a_lifetime_budget_is_a_contradiction() {
    for s in [
        "Budget: $20,000 per day. Budget type: lifetime",
        "€500 a day, lifetime budget, 30 days",
        "lifetime cap of £900 daily",
    ] {
        assert!(extract(&Text::new(s)).kind_conflict, "{s}");
    }
    for s in ["$20,000 per day for 30 days", "a lifetime budget of $20k", "€500 a day"] {
        assert!(!extract(&Text::new(s)).kind_conflict, "{s}");
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_forms;
#[cfg(test)]
mod tests_shorthand;
