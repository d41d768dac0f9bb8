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
}
