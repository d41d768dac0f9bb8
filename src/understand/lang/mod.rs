//! The language layer every specialist shares: the normalised [`Text`](super::text::Text) (one
//! tokenizer, one lowercasing), small word classes loaded once from `fixtures/lang/`
//! ([`words`]), the scope of edit and negation words ([`scope`]: "drop", "without", "instead of"
//! bind to the phrases they govern inside their clause, never to the whole message), the parts
//! that are not prose ([`marks`]: e-mail and web addresses), the ranges readers have read
//! ([`spans`]), and the
//! account of what a message said that no specialist used ([`unread`]).

pub mod marks;
pub mod scope;
pub mod spans;
pub mod tokens;
pub mod unread;
pub mod words;

pub use scope::{Edit, Scope};
