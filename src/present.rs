//! Numbers, money and places as a person reads them: shared by every surface and by the
//! messages the brain writes (assumptions, warnings).

use crate::brief::{Audience, Budget, BudgetType, Location};
use crate::understand::gazetteer::Gazetteer;

/// "EUR 5,000" with thousands separators and no decimals for whole amounts.
pub fn money(amount: f64, currency: &str) -> String {
    let whole = amount.round() == amount || amount.abs() >= 1000.0;
    let s = if whole { format!("{:.0}", amount.round()) } else { format!("{amount:.2}") };
    let (int, frac) = s.split_once('.').map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let neg = int.starts_with('-');
    let digits = int.trim_start_matches('-');
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if neg { "-" } else { "" };
    match frac {
        Some(f) => format!("{currency} {sign}{grouped}.{f}"),
        None => format!("{currency} {sign}{grouped}"),
    }
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

/// "1.2M", "350k", "9.5k", "950".
pub fn compact(x: f64) -> String {
    match x.abs() {
        v if v >= 1e9 => format!("{:.1}B", x / 1e9),
        v if v >= 1e6 => format!("{:.1}M", x / 1e6),
        v if v >= 1e4 => format!("{:.0}k", x / 1e3),
        v if v >= 1e3 => format!("{:.1}k", x / 1e3),
        _ => format!("{x:.0}"),
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
    fn money_formats() {
        assert_eq!(money(5000.0, "EUR"), "EUR 5,000");
        assert_eq!(money(1_200_000.0, "USD"), "USD 1,200,000");
        assert_eq!(money(3.5, "GBP"), "GBP 3.50");
        assert_eq!(money(250.0, "USD"), "USD 250");
    }

    #[test]
    fn compact_numbers() {
        assert_eq!(compact(1_234_567.0), "1.2M");
        assert_eq!(compact(350_400.0), "350k");
        assert_eq!(compact(9_500.0), "9.5k");
        assert_eq!(compact(950.0), "950");
    }

    #[test]
    fn budgets_and_places() {
        let b = Budget {
            amount: 10_000.0,
            currency: "EUR".into(),
            kind: BudgetType::Lifetime,
            min: Some(8_000.0),
            approximate: true,
        };
        assert_eq!(budget_label(&b), "about EUR 8,000–EUR 10,000");
        let mut a = Audience::default();
        assert_eq!(age_label(&a), "18+ (all adults)");
        a.age_min = Some(35);
        assert_eq!(age_label(&a), "35+");
        assert_eq!(country_label("DE"), "Germany (DE)");
        let by = Location { country: "DE".into(), region: Some("DE-BY".into()), city: None };
        assert_eq!(location_label(&by), "Bavaria (DE-BY)");
    }
}
