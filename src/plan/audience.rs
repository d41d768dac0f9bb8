//! The audience model: how many people of a market an ad set's targeting can reach.
//!
//! One function serves both the planner (from a brief's audience) and the index (from a history
//! row, to fit the reach curve against the audience each past ad set had). The shares below are
//! the same as the synthetic history's world model (`synth`), so the fit is not biased by a
//! different idea of audience size; with a real history they are estimates to be replaced by the
//! ad server's audience counts (configuration).

use crate::brief::{Gender, Placement, CONTEXT_IDS, GENRE_IDS, INTEREST_IDS};
use crate::markets::Market;

/// Share of users matched by one id of each targeting list (interests, genres, contexts); ids of
/// one list are OR-ed (independent), lists are AND-ed.
pub const LIST_SHARE: [f64; 3] = [0.15, 0.12, 0.10];
/// Share of podcast topics' listeners per topic (OR-ed like the lists).
pub const TOPIC_SHARE: f64 = 0.12;
/// Share of users who listen to podcasts.
pub const PODCAST_SHARE: f64 = 0.35;
/// Share of users on each platform (IOS, ANDROID, DESKTOP).
pub const PLATFORM_SHARE: [f64; 3] = [0.40, 0.55, 0.15];
/// Share of users who identify as non-binary.
pub const NON_BINARY_SHARE: f64 = 0.01;
/// Share of users who speak a targeted language (when it is not the market's main one).
pub const LANGUAGE_SHARE: f64 = 0.15;
/// Share of a market's users in a named region, and in a named city.
pub const REGION_SHARE: f64 = 0.12;
pub const CITY_SHARE: f64 = 0.06;

/// What the audience model needs to know about an ad set's targeting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Targeting<'t> {
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    /// Empty = everyone.
    pub genders: &'t [Gender],
    /// Ids targeted in each list (interests, genres, contexts).
    pub lists: [usize; 3],
    pub podcast_topics: usize,
    pub languages: usize,
    /// Platform bits (`history::platform_bit`); 0 = all.
    pub platforms: u8,
    pub placement: Option<Placement>,
    /// Share of the country inside the targeted cities/regions (1 = the whole country).
    pub local_share: f64,
}

/// Share of a market's users in an age range, from its age-band shares (55+ read as 55–74,
/// uniform inside a band).
pub fn age_share(m: &Market, min: Option<u8>, max: Option<u8>) -> f64 {
    let lo = min.unwrap_or(18) as f64;
    let hi = max.map_or(74.0, |x| (x as f64).min(74.0));
    let bands = [(18.0, 24.0), (25.0, 34.0), (35.0, 44.0), (45.0, 54.0), (55.0, 74.0)];
    bands
        .iter()
        .zip(m.age_shares)
        .map(|(&(a, b), share)| {
            let overlap = (hi.min(b) - lo.max(a) + 1.0).max(0.0);
            share * overlap / (b - a + 1.0)
        })
        .sum()
}

/// Share of users matched by `n` OR-ed ids of share `p` each.
fn any_of(n: usize, p: f64) -> f64 {
    1.0 - (1.0 - p).powi(n as i32)
}

/// People in the market matching the targeting.
pub fn people(m: &Market, t: &Targeting) -> f64 {
    let mut size = m.ad_users as f64 * age_share(m, t.age_min, t.age_max);
    if !t.genders.is_empty() {
        let share: f64 = t
            .genders
            .iter()
            .map(|g| match g {
                Gender::Female => m.share_female,
                Gender::Male => (1.0 - m.share_female - NON_BINARY_SHARE).max(0.0),
                Gender::NonBinary => NON_BINARY_SHARE,
            })
            .sum();
        size *= share.min(1.0);
    }
    for (n, p) in t.lists.iter().zip(LIST_SHARE) {
        if *n > 0 {
            size *= any_of(*n, p);
        }
    }
    if t.podcast_topics > 0 {
        size *= any_of(t.podcast_topics, TOPIC_SHARE);
    }
    if t.languages > 0 {
        size *= LANGUAGE_SHARE;
    }
    if t.platforms != 0 {
        let share: f64 = (0..3).filter(|b| t.platforms & (1 << b) != 0).map(|b| PLATFORM_SHARE[b]).sum();
        size *= share.min(1.0);
    }
    if t.placement == Some(Placement::Podcast) {
        size *= PODCAST_SHARE;
    }
    size * t.local_share.clamp(0.0, 1.0)
}

/// Which list (0 interests, 1 genres, 2 contexts) a `history::targeting_id` number belongs to:
/// the numbering puts interests first, then genres, then contexts.
pub fn list_of(id: u16) -> usize {
    let id = id as usize;
    if id < INTEREST_IDS.len() {
        0
    } else if id < INTEREST_IDS.len() + GENRE_IDS.len() {
        1
    } else {
        debug_assert!(id < INTEREST_IDS.len() + GENRE_IDS.len() + CONTEXT_IDS.len());
        2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markets::Markets;

    #[test]
    fn narrowing_only_shrinks_the_audience() {
        let de = Markets::embedded().get("DE").unwrap().clone();
        let all = people(&de, &Targeting { local_share: 1.0, ..Targeting::default() });
        assert!((all - de.ad_users as f64).abs() < 1.0, "everyone 18+ is everyone");
        let mut t = Targeting { age_min: Some(18), age_max: Some(24), local_share: 1.0, ..Targeting::default() };
        let young = people(&de, &t);
        t.lists = [1, 0, 0];
        let fans = people(&de, &t);
        t.lists = [2, 0, 0];
        let two = people(&de, &t);
        t.placement = Some(Placement::Podcast);
        let podcast = people(&de, &t);
        t.local_share = CITY_SHARE;
        let city = people(&de, &t);
        assert!(all > young && young > two && two > fans && fans > podcast && podcast > city);
        assert_eq!(list_of(0), 0);
        assert_eq!(list_of(INTEREST_IDS.len() as u16), 1);
        assert_eq!(list_of((INTEREST_IDS.len() + GENRE_IDS.len()) as u16), 2);
    }
}
