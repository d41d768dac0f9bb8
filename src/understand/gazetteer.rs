//! Places and languages: every ISO 3166-1 country, the ISO 3166-2 regions of the main markets,
//! the largest cities of the default markets and the well-known cities elsewhere (1M+ people or a
//! capital: "Seoul" is KR, an unsupported market, not an unknown place), named groups (DACH,
//! Nordics, Benelux), and the ISO 639-1 languages.
//!
//! The data lives in `fixtures/gazetteer/` (generated once from public data sets, see the README
//! there) and `fixtures/taxonomy/groups.tsv`; it is compiled into the binary and loaded once into
//! two [`Lexicon`]s on first use.

use std::collections::HashMap;
use std::sync::OnceLock;

mod coded;

use super::lang::words::{self, Class};
use super::lexicon::{resolve, tsv_rows, Case, Hit, Lexicon};
use super::numbers::WordMap;
use super::text::Text;

const COUNTRIES: &str = include_str!("../../fixtures/gazetteer/countries.tsv");
const REGIONS: &str = include_str!("../../fixtures/gazetteer/regions.tsv");
const CITIES: &str = include_str!("../../fixtures/gazetteer/cities.tsv");
const LANGUAGES: &str = include_str!("../../fixtures/gazetteer/languages.tsv");
const GROUPS: &str = include_str!("../../fixtures/taxonomy/groups.tsv");
const LIST_REGIONS: &str = include_str!("../../fixtures/gazetteer/list_regions.tsv");

/// A country.
#[derive(Debug, Clone)]
pub struct Country {
    pub code: String,
    pub name: String,
    pub currency: String,
}

/// A first-level subdivision.
#[derive(Debug, Clone)]
pub struct Region {
    pub code: String,
    pub country: String,
    pub name: String,
}

/// A city.
#[derive(Debug, Clone)]
pub struct City {
    pub name: String,
    pub country: String,
    pub region: Option<String>,
}

/// What a place phrase refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Country(u16),
    /// A country written as its ISO code.
    Code(u16),
    Region(u16),
    /// A region only inside a list of its country's regions ("TX + TN + GA"); read as
    /// [`Place::Region`] there and dropped elsewhere.
    ListRegion(u16),
    City(u16),
    Group(u16),
}

/// The loaded gazetteer.
pub struct Gazetteer {
    pub countries: Vec<Country>,
    pub regions: Vec<Region>,
    pub cities: Vec<City>,
    /// Named groups and their member countries.
    pub groups: Vec<(String, Vec<String>)>,
    pub language_codes: Vec<String>,
    by_code: WordMap<String, u16>,
    places: Lexicon<Place>,
    languages: Lexicon<u16>,
    /// Single-word country names and demonyms, for typo tolerance ("Germnay"), grouped by
    /// first character (a stable sort: the order within a group is the table's), so a search
    /// compares only the names that share a word's first letter.
    fuzzy: Vec<(char, String, u16)>,
    /// Two-letter postal codes of regions ("tx" → Texas; "wa" → Washington and Western
    /// Australia), lower-cased: read in any case inside a coded list ([`coded`]).
    postal: WordMap<String, Vec<u16>>,
}

fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split(';').map(str::trim).filter(|a| !a.is_empty())
}

/// Column lookup by header name, so column order in the data files is free.
struct Columns(HashMap<String, usize>);

impl Columns {
    fn of(data: &str) -> Columns {
        let header = data.lines().find(|l| !l.trim().is_empty() && !l.starts_with('#')).unwrap_or("");
        Columns(header.split('\t').enumerate().map(|(i, h)| (h.trim().to_string(), i)).collect())
    }
    fn get<'a>(&self, row: &[&'a str], name: &str) -> &'a str {
        self.0.get(name).and_then(|&i| row.get(i)).copied().unwrap_or("")
    }
}

/// The case rule of a case-sensitive alias: codes in capitals, names capitalised.
fn strict_case(alias: &str) -> Case {
    if alias.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase) {
        Case::Upper
    } else {
        Case::Strict
    }
}

fn case_of(flags: &str) -> Case {
    if flags.split([';', ',', ' ']).any(|f| f == "cs") {
        Case::Capitalised
    } else {
        Case::Any
    }
}

impl Gazetteer {
    /// The process-wide gazetteer, loaded on first use.
    pub fn get() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(Gazetteer::load)
    }

    fn load() -> Gazetteer {
        let mut entries: Vec<(String, Place, Case)> = Vec::new();
        let mut countries = Vec::new();
        let mut by_code = WordMap::default();
        let mut fuzzy = Vec::new();
        let cols = Columns::of(COUNTRIES);
        for row in tsv_rows(COUNTRIES) {
            let code = cols.get(&row, "alpha2").to_string();
            if code.len() != 2 {
                continue;
            }
            let i = countries.len() as u16;
            let name = cols.get(&row, "name").to_string();
            let place = Place::Country(i);
            for a in split_list(cols.get(&row, "aliases")).chain(split_list(cols.get(&row, "demonyms"))) {
                entries.push((a.to_string(), place, Case::Any));
                if !a.contains(' ') && a.chars().count() >= 5 {
                    fuzzy.push((a.chars().next().unwrap_or_default(), a.to_string(), i));
                }
            }
            for a in split_list(cols.get(&row, "cs_aliases")) {
                entries.push((a.to_string(), place, strict_case(a)));
            }
            entries.push((code.clone(), Place::Code(i), Case::Upper));
            by_code.insert(code.clone(), i);
            countries.push(Country { code, name, currency: cols.get(&row, "currency").to_string() });
        }
        let mut regions = Vec::new();
        let cols = Columns::of(REGIONS);
        for row in tsv_rows(REGIONS) {
            let code = cols.get(&row, "code").to_string();
            let country = cols.get(&row, "country").to_string();
            if code.is_empty() || !by_code.contains_key(&country) {
                continue;
            }
            let place = Place::Region(regions.len() as u16);
            let case = case_of(cols.get(&row, "flags"));
            let name = cols.get(&row, "name").to_string();
            for a in split_list(cols.get(&row, "aliases")) {
                entries.push((a.to_string(), place, case));
            }
            regions.push(Region { code, country, name });
        }
        let by_region: HashMap<&str, u16> =
            regions.iter().enumerate().map(|(i, r): (usize, &Region)| (r.code.as_str(), i as u16)).collect();
        let cols = Columns::of(LIST_REGIONS);
        let mut postal: WordMap<String, Vec<u16>> = WordMap::default();
        for row in tsv_rows(LIST_REGIONS) {
            let Some(&i) = by_region.get(cols.get(&row, "region")) else { continue };
            let alias = cols.get(&row, "alias");
            let case = match cols.get(&row, "case") {
                "upper" => Case::Upper,
                "code" => {
                    postal.entry(alias.to_lowercase()).or_default().push(i);
                    Case::Upper
                }
                _ => Case::Any,
            };
            entries.push((alias.to_string(), Place::ListRegion(i), case));
        }
        let mut cities = Vec::new();
        let cols = Columns::of(CITIES);
        for row in tsv_rows(CITIES) {
            let country = cols.get(&row, "country").to_string();
            let name = cols.get(&row, "name").to_string();
            if name.is_empty() || !by_code.contains_key(&country) {
                continue;
            }
            let place = Place::City(cities.len() as u16);
            let case = case_of(cols.get(&row, "flags"));
            for a in split_list(cols.get(&row, "aliases")) {
                entries.push((a.to_string(), place, case));
            }
            for a in split_list(cols.get(&row, "cs_aliases")) {
                entries.push((a.to_string(), place, strict_case(a)));
            }
            let region = Some(cols.get(&row, "region").to_string()).filter(|r| !r.is_empty());
            cities.push(City { name, country, region });
        }
        let mut groups = Vec::new();
        for row in tsv_rows(GROUPS) {
            let (Some(phrase), Some(members)) = (row.first(), row.get(1)) else { continue };
            let members: Vec<String> =
                members.split_whitespace().filter(|c| by_code.contains_key(*c)).map(String::from).collect();
            entries.push((phrase.to_string(), Place::Group(groups.len() as u16), Case::Any));
            groups.push((phrase.to_string(), members));
        }
        let mut lang_entries = Vec::new();
        let mut language_codes = Vec::new();
        let cols = Columns::of(LANGUAGES);
        for row in tsv_rows(LANGUAGES) {
            let code = cols.get(&row, "code").to_string();
            let i = language_codes.len() as u16;
            lang_entries.push((cols.get(&row, "name").to_string(), i, Case::Any));
            for a in split_list(cols.get(&row, "aliases")) {
                lang_entries.push((a.to_string(), i, Case::Any));
            }
            language_codes.push(code);
        }
        fuzzy.sort_by_key(|f| f.0);
        Gazetteer {
            countries,
            regions,
            cities,
            groups,
            language_codes,
            by_code,
            places: Lexicon::new(entries),
            languages: Lexicon::new(lang_entries),
            fuzzy,
            postal,
        }
    }

    /// Place hits in text order. Word-like codes ("IT", "NO") only count next to another place;
    /// where such a code is dropped, another reading of the same letters may win ("LA").
    pub fn find_places(&self, text: &Text) -> Vec<Hit<Place>> {
        let candidates = self.places.candidates(text);
        // "DE+AT", "US/GB", "NL, DE and BE": places joined into one list.
        let joined = |a: usize, b: usize| {
            a <= b
                && text.norm.get(a..b).is_some_and(|s| {
                    let s = s.trim();
                    s.len() <= 5
                        && (s.chars().all(|c| "+/,&".contains(c)) || matches!(s, "and" | "or" | ", and" | ", or"))
                })
        };
        // "the new jersey video": a name that starts with an ordinary word ("new", "north"),
        // written in lower case after a determiner in a message that has capitals, is no place.
        let ordinary = |h: &Hit<Place>| {
            if text.all_lowercase() || text.is_capitalised(h.start) {
                return false;
            }
            let k = text.words.partition_point(|w| w.start < h.start);
            let first = text.words.get(k).map(|w| text.word(*w)).unwrap_or("");
            let before = k.checked_sub(1).map(|p| text.word(text.words[p])).unwrap_or("");
            first.len() < h.end - h.start && words::is(Class::CommonPlaceWord, first) && words::is(Class::Owner, before)
        };
        let next_to_place = |h: &Hit<Place>| {
            candidates
                .iter()
                .any(|o| (o.start, o.end) != (h.start, h.end) && (joined(o.end, h.start) || joined(h.end, o.start)))
        };
        // Readings inside such a phrase go too ("the new york launch" is not York either).
        let not_names: Vec<(usize, usize)> = candidates
            .iter()
            .filter(|h| !matches!(h.value, Place::Country(_) | Place::Code(_)) && ordinary(h))
            .map(|h| (h.start, h.end))
            .collect();
        let max_end: Vec<usize> = not_names
            .iter()
            .scan(0, |m, r| {
                *m = (*m).max(r.1);
                Some(*m)
            })
            .collect();
        let inside_not_name = |h: &Hit<Place>| {
            let n = not_names.partition_point(|r| r.0 < h.end);
            n > 0 && max_end[n - 1] > h.start
        };
        // "/ IT /", "NO / kr 250k", "| FR |": a code standing alone as a field between separators.
        let is_field = |h: &Hit<Place>| {
            let sep = |c: char| "/|,;:\u{b7}\u{2022}".contains(c);
            let before = text.norm[..h.start].trim_end();
            let after = text.norm[h.end..].trim_start();
            (before.is_empty() || before.ends_with(sep)) && (after.is_empty() || after.starts_with(sep))
        };
        // "I'm a DJ", "the IO is signed": a code after an article is a word, but "the US".
        let after_article = |h: &Hit<Place>| {
            let k = text.words.partition_point(|w| w.start < h.start);
            let code = text.norm[h.start..h.end].to_uppercase();
            let article = k.checked_sub(1).is_some_and(|p| match text.word(text.words[p]) {
                "a" | "an" => true,
                "the" => !words::is(Class::TheCode, &code),
                _ => false,
            });
            // "DM-2027-014", "PO-4471": a code glued to a number is a reference.
            let mut after = text.norm[h.end..].chars();
            let reference =
                matches!(after.next(), Some('-' | '/' | '#')) && after.next().is_some_and(|c| c.is_ascii_digit());
            article || reference
        };
        // "add AT", "drop IT": a code right after an edit verb.
        let after_edit_verb = |h: &Hit<Place>| {
            let k = text.words.partition_point(|w| w.start < h.start);
            k.checked_sub(1).is_some_and(|p| {
                let w = text.words[p];
                words::is(Class::CodeLead, text.word(w)) && text.norm[w.end..h.start].trim().is_empty()
            })
        };
        let in_lists = self.region_lists(&candidates, &joined);
        let kept: Vec<Hit<Place>> = candidates
            .iter()
            .filter(|h| !inside_not_name(h))
            .filter(|h| match h.value {
                Place::ListRegion(r) => in_lists.contains(&(h.start, h.end, r)),
                // A list of regions takes its spans: "NY" there is the state, "CA" California.
                _ if in_lists.iter().any(|l| (l.0, l.1) == (h.start, h.end)) => false,
                Place::Code(c) => {
                    let code = self.countries[c as usize].code.as_str();
                    let other_reading = candidates.iter().any(|o| {
                        (o.start, o.end) == (h.start, h.end)
                            && !matches!(o.value, Place::Code(_) | Place::ListRegion(_))
                    });
                    !other_reading
                        && !after_article(h)
                        && (!words::is(Class::WordLikeCode, code)
                            || next_to_place(h)
                            || is_field(h)
                            || after_edit_verb(h))
                }
                _ => true,
            })
            .map(|h| match h.value {
                Place::ListRegion(i) => Hit { value: Place::Region(i), ..*h },
                _ => *h,
            })
            .collect();
        // "tx/ok/ar": postal codes in lower case, read only as a whole coded list.
        let coded = coded::lists(self, text);
        if coded.is_empty() {
            return resolve(kept);
        }
        let mut kept: Vec<Hit<Place>> =
            kept.into_iter().filter(|h| !coded.iter().any(|c| c.start < h.end && h.start < c.end)).collect();
        kept.extend(coded);
        kept.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        resolve(kept)
    }

    /// The [`Place::ListRegion`] candidates (span and region) that stand in a list of their
    /// country's regions: a run of regions of one country joined one to the next, with at least
    /// two members, one of which reads as nothing but a region ("TX", "Florida"): "TN + GA" alone
    /// stays Tunisia and Gabon, "TX + TN + GA" is three states. A code several countries share
    /// ("WA": Washington, Western Australia) takes the country of its list.
    fn region_lists(
        &self,
        candidates: &[Hit<Place>],
        joined: &dyn Fn(usize, usize) -> bool,
    ) -> Vec<(usize, usize, u16)> {
        let region_of = |p: Place| match p {
            Place::Region(i) | Place::ListRegion(i) => Some(i),
            _ => None,
        };
        // The region readings of each span, in text order, and whether only regions read it.
        let mut spans: Vec<(usize, usize, Vec<Place>, bool)> = Vec::new();
        for h in candidates {
            let (span, region) = ((h.start, h.end), region_of(h.value).is_some());
            match spans.last_mut() {
                Some(last) if (last.0, last.1) == span => {
                    last.3 &= region;
                    if region {
                        last.2.push(h.value);
                    }
                }
                _ => spans.push((h.start, h.end, if region { vec![h.value] } else { Vec::new() }, region)),
            }
        }
        spans.retain(|s| !s.2.is_empty());
        let country = |p: &Place| region_of(*p).map(|i| self.regions[i as usize].country.as_str());
        let mut out = Vec::new();
        for i in 0..spans.len() {
            for p in &spans[i].2 {
                let c = country(p);
                // Runs start where the previous span does not continue them.
                let continues =
                    i > 0 && joined(spans[i - 1].1, spans[i].0) && spans[i - 1].2.iter().any(|q| country(q) == c);
                if continues {
                    continue;
                }
                let mut j = i;
                while j + 1 < spans.len()
                    && joined(spans[j].1, spans[j + 1].0)
                    && spans[j + 1].2.iter().any(|q| country(q) == c)
                {
                    j += 1;
                }
                if j > i
                    && spans[i..=j].iter().any(|s| s.3 && s.2.iter().filter(|q| country(q) == c).count() == s.2.len())
                {
                    for s in &spans[i..=j] {
                        for q in &s.2 {
                            if let (Place::ListRegion(r), true) = (q, country(q) == c) {
                                out.push((s.0, s.1, *r));
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// Whether `text` holds a coded list of regions in lower case ("tx/ok/ar"): a message of
    /// such codes alone names places although no word of it looks like one.
    pub fn has_coded_list(&self, text: &Text) -> bool {
        !coded::lists(self, text).is_empty()
    }

    /// Language hits (any mention; the audience specialist decides which are about language).
    /// Found once per text and kept on it (there is one gazetteer per process).
    pub fn find_languages<'t>(&self, text: &'t Text) -> &'t [Hit<u16>] {
        text.languages.get_or_init(|| self.languages.find(text))
    }

    /// The country with this ISO alpha-2 code.
    pub fn country(&self, code: &str) -> Option<&Country> {
        self.by_code.get(code).map(|&i| &self.countries[i as usize])
    }

    /// The currency of a country, e.g. `DE` → `EUR`.
    pub fn currency_of(&self, code: &str) -> Option<&str> {
        self.country(code).map(|c| c.currency.as_str()).filter(|c| !c.is_empty())
    }

    /// A country for a misspelt single word ("germnay" → Germany): Damerau–Levenshtein distance 1,
    /// same first letter, at least five letters. `None` when no or several countries fit.
    pub fn fuzzy_country(&self, word: &str) -> Option<(u16, &str)> {
        if word.chars().count() < 5 {
            return None;
        }
        let first = word.chars().next().unwrap_or_default();
        let from = self.fuzzy.partition_point(|f| f.0 < first);
        let to = from + self.fuzzy[from..].partition_point(|f| f.0 == first);
        let mut found: Option<(u16, &str)> = None;
        for (_, name, i) in &self.fuzzy[from..to] {
            if name.len().abs_diff(word.len()) > 1 {
                continue;
            }
            if words::one_edit_apart(name, word) {
                match found {
                    Some((j, _)) if j != *i => return None,
                    _ => found = Some((*i, name.as_str())),
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(s: &str) -> Vec<String> {
        let g = Gazetteer::get();
        g.find_places(&Text::new(s))
            .into_iter()
            .map(|h| match h.value {
                Place::Country(i) | Place::Code(i) => g.countries[i as usize].code.clone(),
                Place::Region(i) | Place::ListRegion(i) => g.regions[i as usize].code.clone(),
                Place::City(i) => format!("{}/{}", g.cities[i as usize].country, g.cities[i as usize].name),
                Place::Group(i) => g.groups[i as usize].1.join("+"),
            })
            .collect()
    }

    #[test]
    fn names_aliases_demonyms_codes() {
        assert_eq!(resolve("the UK and the States"), vec!["GB", "US"]);
        assert_eq!(resolve("Brits, Aussies and Italians"), vec!["GB", "AU", "IT"]);
        assert_eq!(resolve("DE+AT"), vec!["DE", "AT"]);
        assert_eq!(resolve("US/GB/AU"), vec!["US", "GB", "AU"]);
        assert_eq!(resolve("Holland"), vec!["NL"]);
        assert_eq!(resolve("Russia"), vec!["RU"]);
    }

    #[test]
    fn word_like_codes_need_a_neighbour() {
        assert!(resolve("our IT team says NO video").is_empty());
        assert_eq!(resolve("DE, AT"), vec!["DE", "AT"]);
        assert_eq!(resolve("fans in NL, DE and BE"), vec!["NL", "DE", "BE"]);
        assert_eq!(resolve("IT or DE"), vec!["IT", "DE"]);
        assert!(resolve("we could BE there, IT said").is_empty());
        assert_eq!(resolve("traffic / CA / $30k"), vec!["CA"]);
        assert_eq!(resolve("add AT"), vec!["AT"]);
        assert_eq!(resolve("ok, drop IT please"), vec!["IT"]);
        assert_eq!(resolve("NO / kr 250k / leads"), vec!["NO"]);
        assert_eq!(resolve("reach | IT | 20k"), vec!["IT"]);
        assert!(resolve("I'm a DJ with a techno night").is_empty());
        assert!(resolve("the IO is signed, the PO too").is_empty());
        assert!(resolve("deal memo DM-2027-014, order GB-4471").is_empty());
        assert_eq!(resolve("reach in the US and the UK"), vec!["US", "GB"]);
        assert!(resolve("our IT / ops team").is_empty());
    }

    #[test]
    fn regions_cities_groups() {
        assert_eq!(resolve("Bavaria"), vec!["DE-BY"]);
        assert_eq!(resolve("North Rhine-Westphalia and Hesse"), vec!["DE-NW", "DE-HE"]);
        assert_eq!(resolve("California"), vec!["US-CA"]);
        assert_eq!(resolve("NYC"), vec!["US/New York"]);
        assert_eq!(resolve("a record store in LA"), vec!["US/Los Angeles"]);
        assert_eq!(resolve("NYC, LA and SF"), vec!["US/New York", "US/Los Angeles", "US/San Francisco"]);
        assert_eq!(resolve("São Paulo"), vec!["BR/São Paulo"]);
        assert_eq!(resolve("Mexico City"), vec!["MX/Mexico City"]);
        assert_eq!(resolve("DACH"), vec!["DE+AT+CH"]);
        assert_eq!(resolve("the Nordics"), vec!["SE+NO+DK+FI+IS"]);
        assert!(resolve("Wakanda").is_empty());
        // Ordinary words that start a place name: a place only when written as a name.
        assert!(resolve("Video views for the new jersey video").is_empty());
        assert!(resolve("Sales for our north carolina team? No, for the new york launch").is_empty());
        assert_eq!(resolve("Reach in New Jersey"), vec!["US-NJ"]);
        assert_eq!(resolve("reach in new jersey"), vec!["US-NJ"]);
    }

    #[test]
    fn covers_every_default_market_with_cities() {
        let g = Gazetteer::get();
        assert!(g.countries.len() >= 240, "{} countries", g.countries.len());
        assert!(g.cities.len() >= 300, "{} cities", g.cities.len());
        for m in crate::markets::DEFAULT_MARKETS.iter() {
            assert!(g.country(m).is_some(), "{m}");
            assert!(g.currency_of(m).is_some(), "{m} currency");
            assert!(g.cities.iter().filter(|c| c.country == *m).count() >= 3, "{m} cities");
        }
    }

    #[test]
    fn typos() {
        let g = Gazetteer::get();
        let (i, _) = g.fuzzy_country("germnay").unwrap();
        assert_eq!(g.countries[i as usize].code, "DE");
        let (i, _) = g.fuzzy_country("spian").unwrap();
        assert_eq!(g.countries[i as usize].code, "ES");
        assert!(g.fuzzy_country("brand").is_none());
    }
}
