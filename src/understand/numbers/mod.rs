//! Numbers written in digits or words.
//!
//! Two layers:
//!
//! * [`tokenize`]: the money reader's tokens, built from the message's shared tokens
//!   ([`crate::understand::lang::tokens`], the one tokenizer over `Text::norm`) by rules that
//!   join neighbours; byte offsets kept.
//! * [`parse_number`] / [`parse_number_detail`]: the value of a number phrase at the start of a
//!   slice of token texts.
//!
//! # Tokens
//!
//! [`tokenize`] groups the shared tokens into [`Token`]s:
//!
//! * **Number**: digits with internal separators, e.g. `10,000`, `10.000`, `1.2`, `2,5`, `1'000`,
//!   `.77`, and space-grouped thousands (`75 000`, only when every group after the first has
//!   exactly three digits). A glued multiplier suffix belongs to the number: `5k`, `1.5m`,
//!   `2bn`, `3mil`. Other glued letters are their own token (`15th` → `15` + `th`,
//!   `42myr` → `42` + `myr`), marked as glued.
//! * **Word**: letters, with internal `-`, `'` or `&` between letters (`k-pop`, `twenty-five`,
//!   `i've`, `r&b`). Letters glued to digits split (`q2` → `q` + `2`, `usd3.14` → `usd` + `3.14`).
//! * **Symbol**: currency signs `$ € £ ¥ ₹ ¢ …`, and 1–3 letters glued to `$` (`us$`, `r$`, `a$`).
//! * **Punct**: any other single character (`-`, `%`, `+`, `/`, `~`, emoji, …); whitespace
//!   separates tokens.
//!
//! Every token records whether whitespace precedes it (`space_before`), so callers can tell
//! `5k` (one token) from `5 k`, and `q2` (glued) from `q 2`.
//!
//! # Number phrases
//!
//! [`parse_number`] reads the longest number phrase at the start of its slice: one digit token
//! (`"10,000"`, `"5k"`, `"1.2"`) optionally followed by `point …`, a standalone `k`, a scale word
//! (`thousand`, `million`, `mil`, `lakh`, `dozen`, …) or a fraction (`1 / 5`); or a sequence of
//! number words (`"one hundred thousand"`, `"twenty-five"`, `"half a million"`, `"a dozen"`,
//! `"a couple"`, `"seven hundred twenty-one thousand and twelve"`). A leading `-`, `minus` or
//! `negative` negates. It never reads more than [`MAX_PHRASE`] tokens.

//!
//! The words (number words, scales such as lakh/crore/Mio., multiplier suffixes, ordinals) live
//! in `fixtures/lang/number_words.tsv`; currency signs in `fixtures/lang/currencies.tsv`.

mod fastmap;
mod lex;
mod parse;
mod vocab;

pub use fastmap::{hash_word, HashedWords, Shapes, WordMap, WordSet};
pub use lex::tokenize;
pub use parse::{
    digits_value, is_number_word, parse_number, parse_number_detail, scale_value, word_value, NumberParse,
};
pub use vocab::{count_word, number_word_starts, ordinal_and_count_words, ordinal_word};

/// Longest number phrase (in tokens) that [`parse_number`] will read.
pub const MAX_PHRASE: usize = 24;

/// Kind of a lexer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    /// Letters (with internal hyphens/apostrophes).
    Word,
    /// Digit-led number, possibly with separators and a multiplier suffix.
    Number,
    /// Currency sign (`$`, `€`, `us$`, …).
    Symbol,
    /// Any other single character.
    Punct,
}

/// One token of a normalised string; `start..end` are byte offsets into that string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// The token's text (a slice of the normalised string).
    pub text: &'a str,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// What kind of token this is.
    pub kind: TokKind,
    /// Whether whitespace (or the start of text) comes right before the token.
    pub space_before: bool,
}

#[cfg(test)]
mod tests;
