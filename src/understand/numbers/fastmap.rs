//! A small, fast hash map for the word tables: FNV-1a over the key's bytes. The keys are short
//! words from our own fixtures, so the hash needs no protection against chosen collisions, and
//! it is looked up for nearly every token (SipHash, the default, costs several times more).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a, 64 bit.
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A hash map keyed by table words.
pub type WordMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// A set of table words.
pub type WordSet<K> = HashSet<K, BuildHasherDefault<Fnv>>;

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
