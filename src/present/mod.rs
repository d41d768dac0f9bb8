//! What every surface shows of a brief and a plan, and how it reads: the one number style
//! (`format`), readable labels (`labels`), the plan at a glance with its details (`glance`) and
//! what changed between two plans (`changes`). Surfaces render these; they never compute.
//! The messages the brain writes (assumptions, warnings) use the same style.

pub mod changes;
pub mod format;
pub mod glance;
pub mod json;
pub mod labels;
pub mod scenarios;

pub use format::{compact, cost_range, date, date_span, money, pct, plural, range, shares, unit_cost};

use crate::brief::{Audience, Budget, BudgetType, Location};
use crate::understand::gazetteer::Gazetteer;

/// Bytes a plan's JSON takes (about 9 KB with its ad sets and curve), reserved up front.
pub const PLAN_JSON_BYTES: usize = 16 * 1024;

/// A value's JSON (serde_json's compact bytes, [`json`]) in one buffer sized for a plan, so that
/// encoding does not regrow and copy it.
pub fn to_json(v: &impl serde::Serialize) -> Result<Vec<u8>, json::Error> {
    json::to_vec_with_capacity(v, PLAN_JSON_BYTES)
}

/// "Bavaria (DE-BY)", "New York (US)", "Germany (DE)".
pub fn location_label(loc: &Location) -> String {
    match (&loc.city, &loc.region) {
        (Some(city), _) => format!("{city} ({})", loc.country),
        (None, Some(region)) => {
            let name = Gazetteer::get().regions.iter().find(|r| &r.code == region).map(|r| r.name.as_str());
            format!("{} ({region})", name.unwrap_or(region))
        }
        (None, None) => country_label(&loc.country),
    }
}

/// "Germany (DE)".
pub fn country_label(code: &str) -> String {
    match Gazetteer::get().country(code) {
        Some(c) => format!("{} ({code})", c.name),
        None => code.to_string(),
    }
}

/// The age range as a person reads it: "18–24", "35+", "18+ (all adults)".
pub fn age_label(a: &Audience) -> String {
    match (a.age_min, a.age_max) {
        (None, None) => "18+ (all adults)".into(),
        (Some(lo), None) => format!("{lo}+"),
        (None, Some(hi)) => format!("18–{hi}"),
        (Some(lo), Some(hi)) => format!("{lo}–{hi}"),
    }
}

/// The brief's budget as stated: "about EUR 8,000–EUR 10,000", "EUR 300 a day".
pub fn budget_label(b: &Budget) -> String {
    let mut t = money(b.amount, &b.currency);
    if let Some(min) = b.min {
        t = format!("{}–{t}", money(min, &b.currency));
    }
    if b.kind == BudgetType::Daily {
        t.push_str(" a day");
    }
    if b.approximate {
        t = format!("about {t}");
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_and_places() {
        let b = Budget {
            amount: 10_000.0,
            currency: "EUR".into(),
            kind: BudgetType::Lifetime,
            min: Some(8_000.0),
            approximate: true,
        };
        assert_eq!(budget_label(&b), "about €8,000–€10,000");
        let mut a = Audience::default();
        assert_eq!(age_label(&a), "18+ (all adults)");
        a.age_min = Some(35);
        assert_eq!(age_label(&a), "35+");
        assert_eq!(country_label("DE"), "Germany (DE)");
        let by = Location { country: "DE".into(), region: Some("DE-BY".into()), city: None };
        assert_eq!(location_label(&by), "Bavaria (DE-BY)");
    }
}
