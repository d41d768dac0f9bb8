//! The money scanner: tokens of one message, and amounts with their currency
//! (`[currency] amount [currency | coin] [minor units] [range]`).

use super::cues::Class;
use super::currency::{bare_coin, coin_value, currencies, Cur};
use super::words::{facts, Facts, CAPITAL_PREFIX, COIN, CURRENCY_WORD, NUMBER_WORD};
use crate::understand::numbers::{parse_number_detail, scale_value, tokenize, TokKind, Token};
use crate::understand::Text;
use Cur::{Dollar, Iso};

/// What a money mention is for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Role {
    /// A budget amount.
    Budget,
    /// A change by an amount (+1 / −1).
    Delta(f64),
    /// A coin amount ("a dime"): used only when nothing else is found.
    Coin,
    /// A price, a metric or a superseded value: ignored.
    Ignored,
}

/// A number phrase with its multiplier (`15k`, `fifteen grand`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Amount {
    pub(super) value: f64,
    /// Value before the last multiplier (15 for `15k`).
    pub(super) base: f64,
    /// Last multiplier (1000 for `15k`).
    pub(super) scale: f64,
    pub(super) end: usize,
    /// Has a thousands scale (`k`, `thousand`, `million`, `grand`), which is money-like alone.
    pub(super) moneyish: bool,
    pub(super) grand: bool,
    pub(super) vague: bool,
    /// A plain integer with no separators (`2026`).
    pub(super) plain_int: bool,
}

/// `[currency] amount [currency|coin] [minor units]`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Simple {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) value: f64,
    pub(super) amount: Amount,
    pub(super) cur: Option<Cur>,
    pub(super) coin: bool,
}

/// A money mention with its context.
#[derive(Debug, Clone)]
pub(super) struct Mention {
    /// First token read: the amount, or the bound, approximation or cue word right before it.
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) value: f64,
    pub(super) min: Option<f64>,
    pub(super) cur: Option<Cur>,
    pub(super) daily: bool,
    pub(super) approximate: bool,
    pub(super) role: Role,
}

/// Strength of the budget cue before a bare number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Cue {
    None,
    Weak,
    Strong,
}

/// How long a look-back may reach (tokens).
pub(super) const LOOKBACK: usize = 6;

/// What the scanner knows of one token, found once when the message is read.
#[derive(Debug, Clone, Copy)]
pub(super) struct TokInfo {
    /// The tables' facts about the token's text.
    pub(super) facts: Facts,
    /// Currency starting at the token: (currency, tokens).
    pub(super) currency: Option<(Cur, usize)>,
}

/// Tokens of one message and the look-up helpers over them.
pub(super) struct Ctx<'a> {
    pub(super) text: &'a Text,
    pub(super) toks: Vec<Token<'a>>,
    pub(super) words: Vec<&'a str>,
    /// Per token: its facts and currency (looked up once).
    pub(super) info: Vec<TokInfo>,
}

impl<'a> Ctx<'a> {
    /// Tokenise a normalised message and look every token up once. Only a sign or a word that
    /// starts a currency name or is a capital prefix can start a currency, so only those pay
    /// for the currency look-up.
    pub(super) fn new(text: &'a Text) -> Self {
        let toks = tokenize(text);
        let words = toks.iter().map(|t| t.text).collect();
        let info = toks.iter().map(|t| TokInfo { facts: facts(t.text), currency: None }).collect();
        let mut ctx = Ctx { text, toks, words, info };
        for i in 0..ctx.toks.len() {
            let may_name = ctx.info[i].facts.flags & (CURRENCY_WORD | CAPITAL_PREFIX) != 0;
            if may_name || ctx.toks[i].kind == TokKind::Symbol {
                ctx.info[i].currency = ctx.lookup_currency(i);
            }
        }
        ctx
    }

    /// Token `i` is a cue word of `class`.
    pub(super) fn has(&self, i: usize, class: Class) -> bool {
        self.info.get(i).is_some_and(|t| t.facts.classes & (1 << class as u32) != 0)
    }

    /// The token `back` tokens before `i` is a cue word of `class` (false at the start).
    pub(super) fn has_before(&self, i: usize, back: usize, class: Class) -> bool {
        i.checked_sub(back).is_some_and(|j| self.has(j, class))
    }

    /// Token `i` has one of the table `flags` of [`super::words`].
    pub(super) fn flagged(&self, i: usize, flags: u16) -> bool {
        self.info.get(i).is_some_and(|t| t.facts.flags & flags != 0)
    }

    /// Dollar value of token `i` when it is a coin word.
    pub(super) fn coin(&self, i: usize) -> Option<f64> {
        if self.flagged(i, COIN) {
            coin_value(self.w(i))
        } else {
            None
        }
    }

    /// Byte range of [`Text::norm`] covered by tokens `start..end`.
    pub(super) fn byte_range(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        Some((self.toks.get(start)?.start, self.toks.get(end.checked_sub(1)?)?.end))
    }

    /// Token `i` can start a money mention (cheap pre-filter).
    pub(super) fn may_start(&self, i: usize) -> bool {
        match self.kind(i) {
            Some(TokKind::Number | TokKind::Symbol) => true,
            Some(TokKind::Word) => self.currency_at(i).is_some() || self.flagged(i, NUMBER_WORD | COIN),
            _ => false,
        }
    }

    /// Token text at `i`, or "" past the end.
    pub(super) fn w(&self, i: usize) -> &'a str {
        self.words.get(i).copied().unwrap_or("")
    }

    /// Token text before `i`, or "" at the start.
    pub(super) fn before(&self, i: usize, back: usize) -> &'a str {
        i.checked_sub(back).map_or("", |j| self.w(j))
    }

    /// Kind of token `i`.
    pub(super) fn kind(&self, i: usize) -> Option<TokKind> {
        self.toks.get(i).map(|t| t.kind)
    }

    /// Token `i` touches the one before it (no whitespace between).
    pub(super) fn glued(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| !t.space_before)
    }

    /// Token `i` is a digit-led number.
    pub(super) fn is_num(&self, i: usize) -> bool {
        self.kind(i) == Some(TokKind::Number)
    }

    /// Token `i` ends a clause.
    pub(super) fn is_break(&self, i: usize) -> bool {
        self.kind(i) == Some(TokKind::Punct) && self.has(i, Class::ClauseBreak) || self.is_separator(i)
    }

    /// Token `i` separates the fields of a shorthand brief: a "/" or "|" with spaces around it
    /// ("DE+AT / €40k / Q2"); "5k/month" is a rate.
    pub(super) fn is_separator(&self, i: usize) -> bool {
        let spaced_after = self.toks.get(i + 1).is_none_or(|t| t.space_before);
        self.kind(i) == Some(TokKind::Punct) && !self.glued(i) && spaced_after && self.has(i, Class::FieldSeparator)
    }

    /// Tokens `i..` spell `seq`.
    pub(super) fn seq(&self, i: usize, seq: &[&str]) -> bool {
        seq.iter().enumerate().all(|(k, s)| self.w(i + k) == *s)
    }

    /// The token right before `end` has one of the table `flags` (false at the start).
    pub(super) fn flagged_before(&self, end: usize, flags: u16) -> bool {
        end.checked_sub(1).is_some_and(|j| self.flagged(j, flags))
    }

    /// Tokens ending right before `end` spell `seq`.
    pub(super) fn seq_ending(&self, end: usize, seq: &[&str]) -> bool {
        end >= seq.len() && self.seq(end - seq.len(), seq)
    }

    /// First index of the clause containing `i`, looking back at most [`LOOKBACK`] tokens.
    pub(super) fn clause_start(&self, i: usize) -> usize {
        let floor = i.saturating_sub(LOOKBACK);
        (floor..i).rev().find(|&j| self.is_break(j)).map_or(floor, |j| j + 1)
    }

    /// Indices of the look-back window before `i`, nearest first.
    pub(super) fn back(&self, i: usize) -> impl Iterator<Item = usize> {
        (self.clause_start(i)..i).rev()
    }

    /// Currency at `i`: (currency, tokens), from the cache.
    pub(super) fn currency_at(&self, i: usize) -> Option<(Cur, usize)> {
        self.info.get(i).and_then(|t| t.currency)
    }
    /// Token `i` names a currency or a coin.
    pub(super) fn is_currency_word(&self, i: usize) -> bool {
        self.currency_at(i).is_some() || self.coin(i).is_some()
    }

    /// A real (not vague) number starts at `i`.
    pub(super) fn number_starts(&self, i: usize) -> bool {
        match self.kind(i) {
            Some(TokKind::Number) => true,
            Some(TokKind::Word) => parse_number_detail(&self.words[i..]).is_some_and(|p| !p.vague && p.value > 0.0),
            _ => false,
        }
    }

    /// The digit token at `i` sits in a non-money shape: glued to letters (`q2`, `15th`),
    /// a percentage, `35+`, a time `3:30`, a fraction `24/7`, the end of `18-24`.
    pub(super) fn digit_context_bad(&self, i: usize, after_prefix: bool) -> bool {
        let prev_glued = self.glued(i) && i > 0;
        if prev_glued && !after_prefix {
            let p = self.before(i, 1);
            let num_before = i >= 2 && self.is_num(i - 2) && self.glued(i - 1);
            if self.kind(i - 1) == Some(TokKind::Word) && !self.is_currency_word(i - 1) {
                return true;
            }
            if matches!(p, "/" | ":" | "-" | "–" | ".") && num_before {
                return true;
            }
            if p == "#" {
                return true;
            }
        }
        let next = self.w(i + 1);
        let next_glued = self.glued(i + 1);
        if next == "%" || self.has(i + 1, Class::Percent) || self.seq(i + 1, &["per", "cent"]) {
            return true;
        }
        if next_glued && self.kind(i + 1) == Some(TokKind::Word) && !self.is_currency_word(i + 1) {
            return true;
        }
        next_glued && matches!(next, "/" | ":") && self.is_num(i + 2)
    }

    /// A number phrase at `i` plus a trailing `grand`.
    pub(super) fn amount_at(&self, i: usize, after_prefix: bool) -> Option<Amount> {
        let t = self.toks.get(i)?;
        match t.kind {
            TokKind::Number if self.digit_context_bad(i, after_prefix) => return None,
            TokKind::Number | TokKind::Word => {}
            _ => return None,
        }
        let p = parse_number_detail(&self.words[i..])?;
        if p.value.is_nan() || p.value <= 0.0 {
            return None;
        }
        let mut end = i + p.used;
        let (mut value, mut scale) = (p.value, p.scale);
        let base = value / scale;
        // "1,5 Mio. €": the dot of an abbreviated scale word belongs to it.
        let abbreviated = end > i && self.w(end - 1).len() <= 3 && scale_value(self.w(end - 1)).is_some();
        if abbreviated && self.w(end) == "." && self.glued(end) {
            end += 1;
        }
        let grand = self.has(end, Class::Grand);
        if grand {
            value *= 1e3;
            scale = if scale > 1.0 { scale * 1e3 } else { 1e3 };
            end += 1;
        }
        let glued_suffix = t.text.ends_with(|c: char| c.is_ascii_alphabetic());
        let k_suffix = t.text.ends_with('k') || self.w(i + 1) == "k";
        let moneyish = grand || (scale >= 1e3 && (!glued_suffix || k_suffix));
        let plain_int = t.kind == TokKind::Number && t.text.bytes().all(|b| b.is_ascii_digit());
        Some(Amount {
            value,
            base: if grand { value / scale } else { base },
            scale,
            end,
            moneyish,
            grand,
            vague: p.vague,
            plain_int,
        })
    }

    /// A currency after an amount. A sign followed by a number belongs to that number.
    pub(super) fn suffix_currency_at(&self, i: usize) -> Option<(Cur, usize)> {
        let (c, n) = self.currency_at(i)?;
        let sign = self.kind(i) == Some(TokKind::Symbol);
        (!sign || !self.number_starts(i + n)).then_some((c, n))
    }

    /// A coin word after an amount: (dollars per coin, tokens).
    pub(super) fn coin_at(&self, i: usize) -> Option<(f64, usize)> {
        self.coin(i).map(|v| (v, 1))
    }

    /// Minor units after a whole major amount: `and 43c`, `43 cents`, `and fourteen`, `43`.
    pub(super) fn cents_at(&self, i: usize, a: &Amount) -> Option<(f64, usize)> {
        if a.scale != 1.0 || a.value.fract() != 0.0 {
            return None;
        }
        let j = if self.w(i) == "and" { i + 1 } else { i };
        let t = self.toks.get(j)?;
        let short_digits = t.kind == TokKind::Number && t.text.len() <= 2 && t.text.bytes().all(|b| b.is_ascii_digit());
        if !(short_digits || t.kind == TokKind::Word) {
            return None;
        }
        let p = parse_number_detail(&self.words[j..])?;
        if p.vague || p.value.fract() != 0.0 || !(1.0..100.0).contains(&p.value) {
            return None;
        }
        let after = j + p.used;
        if currencies().is_minor_unit(self.w(after)) {
            return Some((p.value / 100.0, after + 1 - i));
        }
        let ends = match self.kind(after) {
            None => true,
            Some(TokKind::Punct) => !matches!(self.w(after), "-" | "–" | "%" | "/" | ":" | "+"),
            _ => false,
        };
        ends.then_some((p.value / 100.0, after - i))
    }

    /// `[currency] amount [currency | coin] [minor units]` at `i`.
    pub(super) fn simple_at(&self, i: usize, in_range: bool) -> Option<Simple> {
        let (prefix, j) = match self.currency_at(i) {
            Some((c, n)) if self.number_starts(i + n) => (Some(c), i + n),
            _ => (None, i),
        };
        let a = self.amount_at(j, prefix.is_some() || in_range)?;
        let (mut end, mut value, mut cur, mut coin) = (a.end, a.value, prefix, false);
        if let Some((c, n)) = self.suffix_currency_at(end) {
            cur = match (prefix, c) {
                (Some(Iso(p)), _) => Some(Iso(p)),
                _ => Some(c),
            };
            end += n;
        } else if let (None, Some((v, n))) = (prefix, self.coin_at(end)) {
            value *= v;
            cur = Some(Dollar);
            coin = true;
            end += n;
        }
        let cents = (cur.is_some() && !coin).then(|| self.cents_at(end, &a));
        if let Some((c, n)) = cents.flatten() {
            value += c;
            end += n;
        }
        if a.vague && cur.is_none() && !a.grand {
            return None;
        }
        Some(Simple { start: i, end, value, amount: a, cur, coin })
    }

    /// A bare coin word (`dime`, `a nickel` is handled by [`Self::simple_at`]).
    pub(super) fn bare_coin_at(&self, i: usize) -> Option<Simple> {
        let (v, _) = self.coin_at(i)?;
        let after_number = i > 0 && self.number_starts(i - 1);
        if matches!(self.w(i), "cent" | "cents" | "¢") || after_number {
            return None;
        }
        Some(bare_coin(i, v))
    }

    /// A range continuing `a`: `-`/`–`/`to` (and `and` after `between`/`from`) + an amount.
    /// Returns (lower, upper); `lower` is None for `from 8k to 10k` after a change verb.
    pub(super) fn range_after(&self, a: &Simple) -> Option<(Option<f64>, Simple)> {
        let k = a.end;
        let lead = self.before(a.start, 1);
        let conn = self.w(k);
        let ok = matches!(conn, "-" | "–" | "to") || (conn == "and" && matches!(lead, "between" | "from"));
        if !ok {
            return None;
        }
        let b = self.simple_at(k + 1, true)?;
        // "$10k and $12k AUD": a bare dollar agrees with any dollar code.
        let dollar_code = |c: Cur| matches!(c, Iso(code) if code.ends_with('D'));
        let agree = |x: Cur, y: Cur| x == y || (x == Dollar && dollar_code(y)) || (y == Dollar && dollar_code(x));
        if matches!((a.cur, b.cur), (Some(x), Some(y)) if !agree(x, y)) {
            return None;
        }
        let mut lower = a.value;
        if a.amount.scale == 1.0 && b.amount.scale > 1.0 && a.value < b.amount.base {
            lower *= b.amount.scale;
        }
        if lower >= b.value {
            return None;
        }
        let change = conn == "to" && lead == "from" && self.change_verb_before(a.start - 1);
        Some(((!change).then_some(lower), b))
    }
}
