//! A byte trie over a lexicon's normalised phrases, walked anchored from one position.
//!
//! A lexicon only asks "which phrases start exactly here?", at each word start of a message. An
//! Aho-Corasick automaton answers a wider question (every phrase ending anywhere, through failure
//! links and suffix matches) and pays for it on every call; a plain trie walk stops at the first
//! byte no phrase continues with, which in running text is usually the second or third byte.

/// No node: the walk ends.
const NONE: u32 = u32::MAX;

/// Above this many children a node's edges are binary-searched instead of scanned.
const LINEAR: usize = 12;

/// One node: where its edges and its phrases are (one load per step of a walk).
#[derive(Debug, Clone, Copy, Default)]
struct Node {
    /// Its edges are `edge_bytes[edges..edges + n_edges]` (sorted) and the same range of
    /// `edge_next`.
    edges: u32,
    n_edges: u32,
    /// Its phrases (indices into the lexicon's entries, in the order they were given) are
    /// `ids[ids..ids + n_ids]`.
    ids: u32,
    n_ids: u32,
}

/// The compiled trie: nodes in insertion order, edges and phrases in flat arrays.
#[derive(Debug)]
pub(super) struct Trie {
    /// The root's child per first byte (the hottest lookup: one load, no search).
    root: Box<[u32; 256]>,
    nodes: Vec<Node>,
    edge_bytes: Vec<u8>,
    edge_next: Vec<u32>,
    ids: Vec<u32>,
}

impl Trie {
    /// Builds the trie of `phrases`; phrase `i` reports id `i`. Empty phrases never match.
    pub(super) fn new<'a>(phrases: impl IntoIterator<Item = &'a [u8]>) -> Trie {
        // Node 0 is the root; children as unsorted (byte, node) lists while building.
        let mut children: Vec<Vec<(u8, u32)>> = vec![Vec::new()];
        let mut ends: Vec<Vec<u32>> = vec![Vec::new()];
        for (id, phrase) in phrases.into_iter().enumerate() {
            if phrase.is_empty() {
                continue;
            }
            let mut node = 0usize;
            for &b in phrase {
                node = match children[node].iter().find(|e| e.0 == b) {
                    Some(&(_, next)) => next as usize,
                    None => {
                        let next = children.len();
                        children.push(Vec::new());
                        ends.push(Vec::new());
                        children[node].push((b, index(next)));
                        next
                    }
                };
            }
            ends[node].push(index(id));
        }
        let mut t = Trie {
            root: Box::new([NONE; 256]),
            nodes: Vec::with_capacity(children.len()),
            edge_bytes: Vec::new(),
            edge_next: Vec::new(),
            ids: Vec::new(),
        };
        for &(b, next) in &children[0] {
            t.root[usize::from(b)] = next;
        }
        for (kids, ids) in children.iter_mut().zip(&ends) {
            kids.sort_unstable_by_key(|e| e.0);
            t.nodes.push(Node {
                edges: index(t.edge_bytes.len()),
                n_edges: index(kids.len()),
                ids: index(t.ids.len()),
                n_ids: index(ids.len()),
            });
            t.edge_bytes.extend(kids.iter().map(|e| e.0));
            t.edge_next.extend(kids.iter().map(|e| e.1));
            t.ids.extend_from_slice(ids);
        }
        t
    }

    /// Whether some phrase starts with byte `b`.
    #[inline]
    pub(super) fn starts_with(&self, b: u8) -> bool {
        self.root[usize::from(b)] != NONE
    }

    /// Calls `found(end, id)` for every phrase that `hay[at..]` starts with, shortest first and,
    /// for one phrase listed several times, in the order given.
    #[inline]
    pub(super) fn walk(&self, hay: &[u8], at: usize, found: impl FnMut(usize, u32)) {
        let Some(&first) = hay.get(at) else { return };
        self.walk_from(self.root[usize::from(first)], hay, at + 1, found);
    }

    /// The node that `bytes` lead to from the root, if some phrase starts with them.
    pub(super) fn node_of(&self, bytes: &[u8]) -> Option<u32> {
        let (&first, rest) = bytes.split_first()?;
        let mut next = self.root[usize::from(first)];
        for &b in rest {
            next = self.child(self.nodes.get(next as usize)?, b);
        }
        (next != NONE).then_some(next)
    }

    /// [`Trie::walk`] from `node`, reached with the bytes before `end`: its phrases end at `end`.
    #[inline]
    pub(super) fn walk_from(&self, node: u32, hay: &[u8], end: usize, mut found: impl FnMut(usize, u32)) {
        let (mut next, mut end) = (node, end);
        while let Some(node) = self.nodes.get(next as usize) {
            if node.n_ids > 0 {
                let from = node.ids as usize;
                for &id in &self.ids[from..from + node.n_ids as usize] {
                    found(end, id);
                }
            }
            let Some(&b) = hay.get(end) else { return };
            next = self.child(node, b);
            end += 1;
        }
    }

    #[inline]
    fn child(&self, node: &Node, b: u8) -> u32 {
        let from = node.edges as usize;
        let bytes = &self.edge_bytes[from..from + node.n_edges as usize];
        let at = if bytes.len() <= LINEAR { bytes.iter().position(|&x| x == b) } else { bytes.binary_search(&b).ok() };
        at.map_or(NONE, |k| self.edge_next[from + k])
    }
}

/// A count or position as a `u32` (lexicons hold far fewer than 4G phrases and bytes).
fn index(n: usize) -> u32 {
    u32::try_from(n).expect("lexicon under 4G entries")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(t: &Trie, hay: &str, at: usize) -> Vec<(usize, u32)> {
        let mut out = Vec::new();
        t.walk(hay.as_bytes(), at, |end, id| out.push((end, id)));
        out
    }

    #[test]
    fn reports_every_prefix_phrase_shortest_first() {
        let t = Trie::new(["new", "new york", "york", "", "new"].map(str::as_bytes));
        assert_eq!(all(&t, "new york city", 0), vec![(3, 0), (3, 4), (8, 1)]);
        assert_eq!(all(&t, "new york city", 4), vec![(8, 2)]);
        assert!(all(&t, "new york city", 3).is_empty());
        assert!(all(&t, "ne", 0).is_empty());
        assert!(t.starts_with(b'y') && !t.starts_with(b'c'));
    }

    #[test]
    fn wide_nodes_are_searched() {
        let words: Vec<String> = (b'a'..=b'z').map(|c| format!("x{}", c as char)).collect();
        let t = Trie::new(words.iter().map(String::as_bytes));
        for (i, w) in words.iter().enumerate() {
            assert_eq!(all(&t, w, 0), vec![(2, i as u32)]);
        }
        assert!(all(&t, "x!", 0).is_empty());
    }
}
