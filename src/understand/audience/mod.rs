//! Audience specialist: ages, genders, locations, interests, genres, contexts, podcast topics,
//! languages and platforms.
//!
//! Vocabulary comes from `fixtures/taxonomy/targeting.tsv` and the gazetteer; ages are read by a
//! small grammar over the words ([`ages`]), places and languages with the role they play
//! ([`places`]). Each list item carries what the message does with it, decided by the scope of
//! the edit words around it ([`Scope`]): add ("add Austria", "Switzerland too"), remove ("drop
//! Germany", "no desktop"), or replace (stated plainly, or "only women").

mod ages;
mod genres;
mod places;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_general;
#[cfg(test)]
mod tests_lists;

use std::sync::OnceLock;

use chrono::NaiveDate;

use super::lang::words::{self, Class};
use super::lang::{Edit, Scope};
use super::lexicon::{tsv_rows, Case, Lexicon};
use super::text::Text;
use crate::brief::{Gender, Location, Platform};

const TARGETING: &str = include_str!("../../../fixtures/taxonomy/targeting.tsv");

/// The youngest targetable age (docs/brief.md §2).
pub const MIN_AGE: u8 = 18;
/// The oldest age the brief holds.
pub const MAX_AGE: u8 = 99;

/// How a message changes one list of the brief.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ListChange<T> {
    /// Empty the list first ("drop the gender filter").
    pub clear: bool,
    /// Replace the list with `add` (instead of adding to it).
    pub replace: bool,
    pub add: Vec<T>,
    pub remove: Vec<T>,
}

impl<T> Default for ListChange<T> {
    fn default() -> Self {
        ListChange { clear: false, replace: false, add: Vec::new(), remove: Vec::new() }
    }
}

impl<T: PartialEq + Clone> ListChange<T> {
    /// Whether the message said anything about this list.
    pub fn is_empty(&self) -> bool {
        !self.clear && self.add.is_empty() && self.remove.is_empty()
    }

    fn push(&mut self, item: T, edit: Edit) {
        match edit {
            Edit::Remove => {
                if !self.remove.contains(&item) {
                    self.remove.push(item)
                }
            }
            Edit::Add | Edit::Replace => {
                if edit == Edit::Replace {
                    self.replace = true;
                }
                if !self.add.contains(&item) {
                    self.add.push(item)
                }
            }
        }
    }

    /// Applies the change to a list of the brief.
    pub fn apply(&self, list: &mut Vec<T>) {
        if self.clear || (self.replace && !self.add.is_empty()) {
            list.clear();
        }
        for item in &self.add {
            if !list.contains(item) {
                list.push(item.clone());
            }
        }
        list.retain(|x| !self.remove.contains(x));
    }
}

/// An age statement.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct AgeFinding {
    pub min: Option<u8>,
    pub max: Option<u8>,
    /// Widen the current range instead of replacing it ("include the 16 and 17 year olds too").
    pub extend: bool,
    /// Remove the age filter ("all ages").
    pub clear: bool,
    /// Ages under 18 were asked for and clamped.
    pub minors: bool,
    /// What was read, for messages: "16-24".
    pub said: String,
}

/// The audience specialist's finding.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct AudienceFinding {
    pub ages: Option<AgeFinding>,
    pub genders: ListChange<Gender>,
    pub locations: ListChange<Location>,
    pub interests: ListChange<String>,
    pub genres: ListChange<String>,
    pub contexts: ListChange<String>,
    pub podcast_topics: ListChange<String>,
    pub languages: ListChange<String>,
    pub platforms: ListChange<Platform>,
    /// Podcast listening was mentioned: the PODCAST placement.
    pub podcast: bool,
    /// Podcasts were taken back ("forget the podcast thing"): no PODCAST-only placement.
    pub podcast_off: bool,
    /// Place names that resolve to nothing.
    pub unknown_places: Vec<String>,
    /// Cities and regions the message excludes ("France but not Paris"), as written: the brief
    /// cannot express excluding part of a country, so the conversation reports them when the
    /// exclusion removes nothing.
    pub excluded_areas: Vec<(Location, String)>,
    /// (field, note) for the user: typo readings, dropped words.
    pub notes: Vec<(String, String)>,
    /// Byte ranges of [`crate::understand::Text::norm`] this specialist read: what is not covered
    /// by any specialist's spans is reported as not understood.
    #[serde(skip)]
    pub spans: Vec<(usize, usize)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Interest,
    Genre,
    Context,
    /// Context only next to a moment cue; otherwise the alternative interest (if any).
    Moment,
    Topic,
    Podcast,
    Gender,
    Platform,
    Group,
    Ignore,
    /// A genre only among fans ("country + rock fans"), otherwise an ordinary word.
    FanGenre,
}

struct Vocab {
    lexicon: Lexicon<u16>,
    /// Per entry: kind, id, alternative id.
    entries: Vec<(Kind, String, String)>,
}

fn vocab() -> &'static Vocab {
    static V: OnceLock<Vocab> = OnceLock::new();
    V.get_or_init(|| {
        let mut entries = Vec::new();
        let mut phrases = Vec::new();
        for row in tsv_rows(TARGETING) {
            let (Some(phrase), Some(kind)) = (row.first(), row.get(1)) else { continue };
            let kind = match *kind {
                "interest" => Kind::Interest,
                "genre" => Kind::Genre,
                "context" => Kind::Context,
                "moment" => Kind::Moment,
                "topic" => Kind::Topic,
                "podcast" => Kind::Podcast,
                "gender" => Kind::Gender,
                "platform" => Kind::Platform,
                "group" => Kind::Group,
                "ignore" => Kind::Ignore,
                "fan_genre" => Kind::FanGenre,
                _ => continue,
            };
            let id = row.get(2).copied().unwrap_or("").to_string();
            let alt = row.get(3).copied().unwrap_or("").to_string();
            let index = entries.len() as u16;
            if kind == Kind::Topic {
                // A topic is written "X podcast", "X podcasts" or "X podcast listeners": one row
                // in the table stands for every form.
                let stem = phrase.trim_end_matches("podcasts").trim_end_matches("podcast").trim_end();
                for form in ["podcast", "podcasts", "podcast listeners", "podcast fans"] {
                    phrases.push((format!("{stem} {form}"), index, Case::Any));
                }
            } else {
                phrases.push((phrase.to_string(), index, Case::Any));
            }
            entries.push((kind, id, alt));
        }
        Vocab { lexicon: Lexicon::new(phrases), entries }
    })
}

/// Up to `n` words before / after a byte range (binary search: the words are in order).
pub(super) fn words_around(text: &Text, start: usize, end: usize, n: usize) -> (Vec<&str>, Vec<&str>) {
    let before = text.words.partition_point(|w| w.end <= start);
    let after = text.words.partition_point(|w| w.start < end);
    let word = |w: &super::text::Word| text.word(*w);
    (
        text.words[..before].iter().rev().take(n).map(word).collect(),
        text.words[after..].iter().take(n).map(word).collect(),
    )
}

/// Reads the audience from one message.
pub fn extract(text: &Text, today: NaiveDate) -> AudienceFinding {
    let mut f = AudienceFinding::default();
    let vocab = vocab();
    // Header lines, subjects, addresses and phone numbers name no audience.
    let hits: Vec<_> = vocab.lexicon.find(text).into_iter().filter(|h| !text.in_marked(h.start, h.end)).collect();
    // A word that names a genre only among fans ("country") is read nowhere else.
    let kind_at = |w: super::text::Word| {
        let i = hits.partition_point(|h| h.start < w.start);
        hits.get(i).filter(|h| h.start == w.start).map(|h| vocab.entries[h.value as usize].0)
    };
    let is_genre = |w| matches!(kind_at(w), Some(Kind::Genre | Kind::FanGenre));
    let hits: Vec<_> = hits
        .iter()
        .filter(|h| {
            vocab.entries[h.value as usize].0 != Kind::FanGenre || genres::among_fans(text, h.start, h.end, is_genre)
        })
        .copied()
        .collect();
    let mut covered: Vec<(usize, usize)> = hits.iter().map(|h| (h.start, h.end)).collect();
    covered.extend(text.marked().iter().copied());
    let mut groups: Vec<&str> = Vec::new();
    let scope = Scope::new(text);
    for h in &hits {
        let (kind, id, alt) = &vocab.entries[h.value as usize];
        let edit = scope.edit(h.start, h.end);
        // "a fitness coach", "our fashion retailer", "a cooking show": the advertiser's line of
        // business, not the audience's interest.
        // Also a product between them: "a gaming headset brand".
        let industry = matches!(kind, Kind::Interest | Kind::Genre | Kind::Moment) && {
            let hit_at = |w: super::text::Word| hits.binary_search_by_key(&w.start, |o| o.start).is_ok();
            places::org_after(text, h.end, hit_at, hit_at).is_some()
        };
        if industry {
            continue;
        }
        match kind {
            Kind::Interest => {
                f.interests.push(id.clone(), edit);
                // "mums", "dads": parents of one gender (`alt` in the table).
                match alt.as_str() {
                    "FEMALE" => f.genders.push(Gender::Female, edit),
                    "MALE" => f.genders.push(Gender::Male, edit),
                    _ => {}
                }
            }
            Kind::Genre | Kind::FanGenre => f.genres.push(id.clone(), edit),
            Kind::Context => f.contexts.push(id.clone(), edit),
            Kind::Moment => {
                let (before, after) = words_around(text, h.start, h.end, 3);
                let moment = before.iter().any(|w| words::is(Class::MomentBefore, w))
                    || after.iter().any(|w| words::is(Class::MomentAfter, w));
                if moment {
                    f.contexts.push(id.clone(), edit);
                } else if edit == Edit::Remove {
                    // "remove sleep": whichever list holds it.
                    f.contexts.push(id.clone(), edit);
                    if !alt.is_empty() {
                        f.interests.push(alt.clone(), edit);
                    }
                } else if !alt.is_empty() {
                    f.interests.push(alt.clone(), edit);
                }
            }
            Kind::Topic => {
                f.podcast_topics.push(id.clone(), edit);
                f.podcast |= edit != Edit::Remove;
            }
            Kind::Podcast => {
                let (before, _) = words_around(text, h.start, h.end, 6);
                let owned = before.first().is_some_and(|w| words::is(Class::Owner, w));
                // "no more than 30% on podcasts", "no podcasts": a limit (the formats
                // specialist's), not podcast targeting.
                let limited = before.iter().any(|w| words::is(Class::Limit, w))
                    || text.norm[..h.start].trim_end().rsplit(' ').take(4).any(|w| w.ends_with('%'));
                if edit == Edit::Remove && !limited {
                    f.podcast_off = true;
                } else if !owned && !limited {
                    f.podcast = true;
                }
            }
            Kind::Gender => {
                let g = match id.as_str() {
                    "FEMALE" => Gender::Female,
                    "MALE" => Gender::Male,
                    // "guys and girls", "men and women": everyone, no filter.
                    "ALL" => {
                        f.genders = ListChange { clear: true, ..ListChange::default() };
                        continue;
                    }
                    _ => Gender::NonBinary,
                };
                f.genders.push(g, edit);
            }
            Kind::Platform => {
                let platforms: &[Platform] = match id.as_str() {
                    "IOS" => &[Platform::Ios],
                    "ANDROID" => &[Platform::Android],
                    // "mobile only": the phone platforms.
                    "MOBILE" => &[Platform::Ios, Platform::Android],
                    _ => &[Platform::Desktop],
                };
                for p in platforms {
                    f.platforms.push(*p, edit);
                }
            }
            Kind::Group => groups.push(id),
            Kind::Ignore => {}
        }
    }
    read_filters_lifted(text, &scope, &mut f, &mut covered);
    places::read_languages(text, &scope, &mut f, &mut covered);
    places::read_places(text, &scope, &mut f, &mut covered);
    if f.ages.is_none() {
        f.ages = ages::read_ages(text, &scope, today, &groups, &mut f, &mut covered);
    }
    if groups.contains(&"students") {
        f.interests.push("education".to_string(), Edit::Add);
    }
    covered.extend(scope.spans.iter().copied());
    f.spans = covered;
    f
}

/// "drop the gender filter", "all genders", "don't restrict gender", "any age", "drop the
/// platform filter": the filter is lifted. One pass over the words.
fn read_filters_lifted(text: &Text, scope: &Scope, f: &mut AudienceFinding, covered: &mut Vec<(usize, usize)>) {
    for (k, w) in text.words.iter().enumerate() {
        let word = text.word(*w);
        let gender = matches!(word, "gender" | "genders");
        let platform = matches!(word, "platform" | "platforms");
        if !gender && !platform && !matches!(word, "age" | "ages") {
            continue;
        }
        let all = k > 0 && words::is(Class::All, text.word(text.words[k - 1]));
        if !all && scope.edit(w.start, w.end) != Edit::Remove {
            continue;
        }
        let start = if all { text.words[k - 1].start } else { w.start };
        covered.push((start, w.end));
        if gender {
            f.genders = ListChange { clear: true, ..ListChange::default() };
        } else if platform {
            f.platforms = ListChange { clear: true, ..ListChange::default() };
        } else {
            f.ages = Some(AgeFinding { clear: true, said: "all ages".into(), ..AgeFinding::default() });
        }
    }
}
