//! A small, fast hash map for the word tables. The keys are short words from our own fixtures,
//! so the hash needs no protection against chosen collisions, and it is computed for nearly
//! every word of a message (SipHash, the default, costs several times more): eight bytes a
//! step, one multiply each (most words are one step), folded at the end so that the low bits
//! a table indexes by depend on every byte.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A multiply-rotate hash over eight-byte words (the scheme of rustc's `FxHasher`).
#[derive(Debug, Clone, Copy, Default)]
pub struct WordHasher(u64);

impl WordHasher {
    const K: u64 = 0xf135_7aea_2e62_a9c5;

    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(Self::K).rotate_left(20);
    }
}

impl Hasher for WordHasher {
    #[inline]
    fn finish(&self) -> u64 {
        let h = self.0.wrapping_mul(Self::K);
        h ^ (h >> 32)
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while let Some((head, tail)) = rest.split_first_chunk::<8>().filter(|(_, t)| !t.is_empty()) {
            self.add(u64::from_le_bytes(*head));
            rest = tail;
        }
        // The length tells apart last parts whose loads overlap or repeat.
        self.add(last(rest) ^ ((rest.len() as u64) << 59));
    }

    #[inline]
    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }
}

/// The last 0–8 bytes as one number, without a loop: two 4-byte loads (overlapping below 8),
/// or the first, middle and last byte below 4.
#[inline]
fn last(b: &[u8]) -> u64 {
    let n = b.len();
    let four = |q: &[u8]| q.first_chunk::<4>().map_or(0, |q| u64::from(u32::from_le_bytes(*q)));
    match n {
        0 => 0,
        1..=3 => u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16,
        _ => four(b) | four(&b[n - 4..]) << 32,
    }
}

/// The hash of a word's bytes, as [`HashedWords`] and [`crate::understand::Text::word_hashes`]
/// find it.
pub fn hash_word(word: &[u8]) -> u64 {
    let mut h = WordHasher::default();
    h.write(word);
    h.finish()
}

/// A word table looked up by the word's hash ([`hash_word`]), which a message computes once per
/// word ([`crate::understand::Text::word_hashes`]) for every table that reads its words; the
/// word itself is then checked eight bytes at a time, with no call to `memcmp`. Two table words
/// whose 64-bit hashes clash stop the table from loading.
#[derive(Debug, Clone)]
pub struct HashedWords<V> {
    map: HashMap<u64, (Box<[u8]>, V), BuildHasherDefault<Hashed>>,
}

impl<V> Default for HashedWords<V> {
    fn default() -> Self {
        HashedWords { map: HashMap::default() }
    }
}

impl<V> HashedWords<V> {
    /// The value of `word`, inserted with `V::default()` if absent.
    pub fn entry(&mut self, word: &str) -> &mut V
    where
        V: Default,
    {
        let (w, v) =
            self.map.entry(hash_word(word.as_bytes())).or_insert_with(|| (word.as_bytes().into(), V::default()));
        assert!(same_word(w, word.as_bytes()), "two table words share a 64-bit hash: {word}");
        v
    }

    /// The value of `word`, whose hash is `hash`.
    #[inline]
    pub fn get(&self, hash: u64, word: &[u8]) -> Option<&V> {
        self.map.get(&hash).filter(|(w, _)| same_word(w, word)).map(|(_, v)| v)
    }

    /// The value of `word`.
    pub fn get_word(&self, word: &str) -> Option<&V> {
        self.get(hash_word(word.as_bytes()), word.as_bytes())
    }
}

/// The hasher of a map whose keys are hashes already.
#[derive(Debug, Default)]
pub struct Hashed(u64);

impl Hasher for Hashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed here; any other input still hashes to something.
        self.0 = hash_word(bytes);
    }

    fn write_u64(&mut self, h: u64) {
        self.0 = h;
    }
}

/// Whether two short words are equal, compared eight bytes at a time in registers.
#[inline]
fn same_word(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut a, mut b) = (a, b);
    while let (Some((x, ra)), Some((y, rb))) = (a.split_first_chunk::<8>(), b.split_first_chunk::<8>()) {
        if x != y {
            return false;
        }
        (a, b) = (ra, rb);
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// A hash map keyed by table words.
pub type WordMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// A set of table words.
pub type WordSet<K> = HashSet<K, BuildHasherDefault<WordHasher>>;

/// The shapes of a table's words — first byte and byte length (lengths from 31 on share one
/// bit) — so that a word of a shape no table word has is known to be absent without hashing it.
/// Most words of a message are absent from a small table by their shape alone.
#[derive(Debug, Clone)]
pub struct Shapes(Box<[u32; 256]>);

impl Default for Shapes {
    fn default() -> Shapes {
        Shapes(Box::new([0; 256]))
    }
}

impl Shapes {
    fn bit(w: &str) -> u32 {
        1 << w.len().min(31)
    }

    /// Records the shape of table word `w`.
    pub fn insert(&mut self, w: &str) {
        if let Some(&b) = w.as_bytes().first() {
            self.0[usize::from(b)] |= Self::bit(w);
        }
    }

    /// Whether some table word has `w`'s shape (then `w` may be in the table).
    pub fn may_hold(&self, w: &str) -> bool {
        w.as_bytes().first().is_some_and(|&b| self.0[usize::from(b)] & Self::bit(w) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_and_the_length_count() {
        let words: Vec<&[u8]> = vec![
            b"",
            b"a",
            b"b",
            b"ab",
            b"ba",
            b"abc",
            b"acb",
            b"abcd",
            b"abce",
            b"abcdefg",
            b"abcdefgh",
            b"abcdefgh\0",
            b"\0",
        ];
        let hashes: std::collections::HashSet<u64> = words.iter().map(|w| hash_word(w)).collect();
        assert_eq!(hashes.len(), words.len());
    }

    #[test]
    fn words_compare_by_every_byte_and_length() {
        let words = ["", "a", "b", "ab", "abcdefgh", "abcdefgi", "abcdefghijklmnopq", "abcdefghijklmnopr", "zürich"];
        for a in words {
            for b in words {
                assert_eq!(same_word(a.as_bytes(), b.as_bytes()), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn hashed_words_find_only_their_words() {
        let mut t: HashedWords<u8> = HashedWords::default();
        *t.entry("lakh") = 1;
        *t.entry("crore") |= 2;
        assert_eq!((t.get_word("lakh"), t.get_word("crore"), t.get_word("lak")), (Some(&1), Some(&2), None));
        // A hash that is not the word's finds nothing, even if it is another word's.
        assert_eq!(t.get(hash_word(b"lakh"), b"crore"), None);
    }

    #[test]
    fn maps_words() {
        let mut m: WordMap<&str, u8> = WordMap::default();
        m.insert("lakh", 1);
        m.insert("crore", 2);
        assert_eq!((m.get("lakh"), m.get("crore"), m.get("mio")), (Some(&1), Some(&2), None));
    }

    #[test]
    fn shapes_hold_every_table_word() {
        let mut s = Shapes::default();
        for w in ["lakh", "crore", "a-very-long-table-word-over-thirty-one-bytes"] {
            s.insert(w);
        }
        assert!(s.may_hold("lakh") && s.may_hold("lamb") && s.may_hold("crore"));
        assert!(s.may_hold("a-very-long-table-word-over-thirty-one-bytes-and-more"));
        assert!(!s.may_hold("lak") && !s.may_hold("mio") && !s.may_hold(""));
    }
}
