//! The money reader's tokens: the message's shared tokens ([`lang::tokens`], the one
//! tokenizer) grouped by how amounts are written (see the module docs of [`super`]). Nothing
//! here reads characters the shared tokens did not already split; the rules only join
//! neighbouring tokens:
//!
//! * a number: `[.] digits (' digits | ␠ three-digits)* [suffix]` — ".77", "12'000",
//!   "75 000", "5k";
//! * a word: `letters ((- | ' | &) letters)*` — "k-pop", "r&b", "i've";
//! * a sign: a currency sign, "€ur", or 1–3 letters glued to "$" ("us$");
//! * anything else one character of punctuation.

use super::vocab::{is_sign_char, suffix_multiplier};
use super::{TokKind, Token};
use crate::understand::lang::tokens::{tokens, Kind};
use crate::understand::Text;

/// A shared token cut at its tail: an ordinal's letters ("15" "th") and a possessive's
/// apostrophe and "s" ("it" "'" "s") are pieces of their own, as the rules join them.
#[derive(Debug, Clone, Copy)]
struct Piece {
    kind: Kind,
    start: usize,
    end: usize,
}

/// The money reader's tokens of `text` (see the module docs).
pub fn tokenize(text: &Text) -> Vec<Token<'_>> {
    let s = text.norm.as_str();
    let pieces = pieces(tokens(text), s);
    let p = Pieces { s, p: &pieces };
    let mut out = Vec::with_capacity(pieces.len());
    let mut k = 0;
    while k < pieces.len() {
        let first = pieces[k];
        let (next, kind) = match first.kind {
            Kind::Num => (p.number(k), TokKind::Number),
            Kind::Word => p.word(k),
            Kind::Punct if p.is(k, ".") && p.glued(k, Kind::Num) && !after_alnum(s, first.start) => {
                (p.number(k), TokKind::Number)
            }
            Kind::Punct => p.sign(k),
        };
        let end = pieces[next - 1].end;
        let space_before = out.last().is_none_or(|t: &Token| t.end < first.start);
        out.push(Token { text: &s[first.start..end], start: first.start, end, kind, space_before });
        k = next;
    }
    out
}

/// The pieces of the shared tokens, in order.
fn pieces(shared: &[crate::understand::lang::tokens::Token], s: &str) -> Vec<Piece> {
    let mut out = Vec::with_capacity(shared.len() + 4);
    for t in shared {
        out.push(Piece { kind: t.kind, start: t.start, end: t.text_end });
        if t.end == t.text_end {
            continue;
        }
        if t.kind == Kind::Num {
            out.push(Piece { kind: Kind::Word, start: t.text_end, end: t.end });
            continue;
        }
        let mark = t.text_end + s[t.text_end..].chars().next().map_or(1, char::len_utf8);
        out.push(Piece { kind: Kind::Punct, start: t.text_end, end: mark });
        if t.end > mark {
            out.push(Piece { kind: Kind::Word, start: mark, end: t.end });
        }
    }
    out
}

/// The pieces and the text they cut.
struct Pieces<'s> {
    s: &'s str,
    p: &'s [Piece],
}

impl Pieces<'_> {
    fn text(&self, k: usize) -> &str {
        self.p.get(k).map_or("", |p| &self.s[p.start..p.end])
    }

    /// Piece `k` is the punctuation `c`.
    fn is(&self, k: usize, c: &str) -> bool {
        self.p.get(k).is_some_and(|p| p.kind == Kind::Punct) && self.text(k) == c
    }

    /// Piece `k + 1` is of `kind` and touches piece `k`.
    fn glued(&self, k: usize, kind: Kind) -> bool {
        match (self.p.get(k), self.p.get(k + 1)) {
            (Some(a), Some(b)) => b.kind == kind && b.start == a.end,
            _ => false,
        }
    }

    /// A number starting at piece `k` (digits, or a "." glued to digits); the piece after it.
    fn number(&self, mut k: usize) -> usize {
        // A group of three digits may follow a space only while every group so far is
        // space-separated and the first has 1–3 digits ("75 000", not "1,000 000").
        let mut spaced = true;
        if self.p[k].kind == Kind::Punct {
            spaced = false;
            k += 1;
        }
        let (lead, mut last, seps) = groups(self.text(k));
        spaced &= lead <= 3 && !seps;
        k += 1;
        loop {
            if self.is(k, "'") && self.p[k].start == self.p[k - 1].end && self.glued(k, Kind::Num) {
                // "12'000".
                spaced = false;
                last = groups(self.text(k + 1)).1;
                k += 2;
            } else if spaced && last <= 3 && self.spaced_group(k) {
                // "75 000".
                let (_, l, seps) = groups(self.text(k));
                spaced = !seps;
                last = l;
                k += 1;
            } else {
                break;
            }
        }
        // A multiplier glued to the digits ("5k", "1.5m", "2bn") before anything but a letter
        // or digit.
        if self.glued(k - 1, Kind::Word) {
            let suffix = self.text(k);
            let after = self.s[self.p[k].end..].chars().next();
            if suffix.is_ascii() && suffix_multiplier(suffix).is_some() && !after.is_some_and(char::is_alphanumeric) {
                k += 1;
            }
        }
        k
    }

    /// Piece `k` is digits starting with a group of exactly three, one space after piece `k - 1`.
    fn spaced_group(&self, k: usize) -> bool {
        self.p.get(k).is_some_and(|p| {
            p.kind == Kind::Num && &self.s[self.p[k - 1].end..p.start] == " " && groups(self.text(k)).0 == 3
        })
    }

    /// A word starting at piece `k`; the piece after it and its kind ("us$" is a sign).
    fn word(&self, k: usize) -> (usize, TokKind) {
        let start = self.p[k].start;
        let mut k = k + 1;
        loop {
            if self.glued(k - 1, Kind::Word) {
                // Letters cut by a shared token's tail ("15thé").
                k += 1;
            } else if matches!(self.text(k), "-" | "'" | "&")
                && self.p[k].kind == Kind::Punct
                && self.p[k].start == self.p[k - 1].end
                && self.glued(k, Kind::Word)
            {
                k += 2;
            } else {
                break;
            }
        }
        let end = self.p[k - 1].end;
        let word = &self.s[start..end];
        let short = word.len() <= 3 && word.bytes().all(|c| c.is_ascii_alphabetic());
        if short && self.is(k, "$") && self.p[k].start == end {
            return (k + 1, TokKind::Symbol);
        }
        (k, TokKind::Word)
    }

    /// A currency sign at piece `k` ("€ur", as written in some corpora, is one), or one
    /// character of punctuation.
    fn sign(&self, k: usize) -> (usize, TokKind) {
        match self.text(k).chars().next() {
            Some('€') if self.glued(k, Kind::Word) && self.text(k + 1) == "ur" => (k + 2, TokKind::Symbol),
            Some(c) if is_sign_char(c) => (k + 1, TokKind::Symbol),
            _ => (k + 1, TokKind::Punct),
        }
    }
}

/// Digits with `.`/`,` groups: the first group's length, the last group's, and whether there
/// is more than one.
fn groups(digits: &str) -> (usize, usize, bool) {
    let b = digits.as_bytes();
    let lead = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let last = b.iter().rev().take_while(|c| c.is_ascii_digit()).count();
    (lead, last, lead != b.len())
}

/// Whether the character before byte `i` is alphanumeric.
fn after_alnum(s: &str, i: usize) -> bool {
    s[..i].chars().next_back().is_some_and(char::is_alphanumeric)
}
