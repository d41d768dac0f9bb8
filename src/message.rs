//! A message from a planner, parsed once at the edge: [`Message::parse`] refuses an empty or
//! overlong text with an [`InputError`], and everything past the surfaces (the coordinator,
//! the brain) takes a [`Message`], so nothing checks the text a second time.

use std::fmt;

use thiserror::Error;

/// Longest message accepted, in characters. A brief is one to three sentences; a pasted
/// template stays well under this. Should become configuration.
pub const MAX_MESSAGE_CHARS: usize = 4_000;

/// Why a message was not accepted.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum InputError {
    #[error("the message is empty: describe the campaign, e.g. \"awareness in Germany, €5k, 30 days\"")]
    Empty,
    #[error("the message is too long ({chars} characters; at most {max}): send the brief itself")]
    TooLong { chars: usize, max: usize },
}

impl InputError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            InputError::Empty => "empty_message",
            InputError::TooLong { .. } => "message_too_long",
        }
    }
}

/// A message's text that is known to be acceptable: not blank, at most
/// [`MAX_MESSAGE_CHARS`] characters. The text is kept as it was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message(String);

impl Message {
    /// Accepts a text, or says why not.
    pub fn parse(text: impl Into<String>) -> Result<Message, InputError> {
        let text = text.into();
        if text.chars().all(|c| c.is_whitespace() || c.is_control()) {
            return Err(InputError::Empty);
        }
        let chars = text.chars().count();
        if chars > MAX_MESSAGE_CHARS {
            return Err(InputError::TooLong { chars, max: MAX_MESSAGE_CHARS });
        }
        Ok(Message(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the coordinator and the brain accept as a message: a [`Message`] (already parsed at a
/// surface, passed through untouched) or a text that library callers and tests hand in
/// directly (parsed on the way in, once).
pub trait IntoMessage {
    /// The message, or why the text is not one.
    fn into_message(self) -> Result<Message, InputError>;
}

impl IntoMessage for Message {
    fn into_message(self) -> Result<Message, InputError> {
        Ok(self)
    }
}

impl IntoMessage for &Message {
    fn into_message(self) -> Result<Message, InputError> {
        Ok(self.clone())
    }
}

/// Any borrowed text (`&str`, `&String`, `&&str`…). [`Message`] itself is deliberately not
/// `AsRef<str>`, so a parsed message never takes this path.
impl<T: AsRef<str> + ?Sized> IntoMessage for &T {
    fn into_message(self) -> Result<Message, InputError> {
        Message::parse(self.as_ref())
    }
}

impl IntoMessage for String {
    fn into_message(self) -> Result<Message, InputError> {
        Message::parse(self)
    }
}

/// Checks a text without keeping it (for callers that only need the verdict).
pub fn validate(text: &str) -> Result<(), InputError> {
    Message::parse(text).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_and_overlong_texts_are_refused() {
        for blank in ["", "   \n\t", "\u{0}\u{1}", " \r\n "] {
            assert_eq!(Message::parse(blank), Err(InputError::Empty), "{blank:?}");
        }
        let long = "a".repeat(MAX_MESSAGE_CHARS + 1);
        assert_eq!(Message::parse(long).unwrap_err().code(), "message_too_long");
        let edge = "é".repeat(MAX_MESSAGE_CHARS);
        assert!(Message::parse(edge).is_ok(), "characters are counted, not bytes");
    }

    #[test]
    fn accepted_text_is_kept_as_sent() {
        for text in ["reach in Spain", "  make it 8k  ", "undo"] {
            let m = Message::parse(text).unwrap();
            assert_eq!(m.as_str(), text);
            assert_eq!(m.to_string(), text);
        }
    }

    #[test]
    fn a_parsed_message_passes_through_and_text_is_parsed_once() {
        let m = Message::parse("awareness in Austria").unwrap();
        assert_eq!((&m).into_message().unwrap(), m);
        assert_eq!("awareness in Austria".into_message().unwrap(), m);
        assert_eq!(String::from(" ").into_message(), Err(InputError::Empty));
    }
}
