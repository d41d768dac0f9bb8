//! The answers' JSON encoder: the same bytes as `serde_json::to_writer` (compact), written
//! straight into one `Vec<u8>`.
//!
//! A plan's answer is ~7 KB of ~400 keys, ~60 strings and ~180 numbers, and encoding it through
//! serde_json took a third of a `--jsonl` request: its string escaping looks every byte up in a
//! table and writes each run through `io::Write`. Here a string is checked eight bytes at a time
//! for the bytes JSON escapes (`"`, `\`, controls) and copied in one piece when it has none, as
//! keys and nearly all values do; only a string that has one is walked byte by byte. Numbers are
//! written by serde_json's own formatter (whole numbers and cents by a shortcut to the same
//! digits), so they are the same digits. Tests compare the two encoders on the answers and on
//! random values.

use std::fmt;

use serde::ser::{self, Serialize};
use serde_json::ser::{CompactFormatter, Formatter};

/// Why a value could not be encoded: a map key that is not a string, number or unit variant,
/// or a `Serialize` implementation's own error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// Appends `v`'s JSON to `out`. On an error `out` holds a partial value.
pub fn write<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) -> Result<(), Error> {
    v.serialize(&mut Encoder { out })
}

/// `v`'s JSON in a new buffer with room for `capacity` bytes.
pub fn to_vec_with_capacity<T: Serialize + ?Sized>(v: &T, capacity: usize) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(capacity);
    write(&mut out, v)?;
    Ok(out)
}

/// Bytes the 8-byte word scan cares about, repeated in every lane.
const LANES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of `w` is a control (< 0x20), `"` or `\`.
#[inline(always)]
fn needs_escape(w: u64) -> bool {
    // A lane is flagged when it is below 0x20, or equal to one of the two characters (its XOR
    // with the character is zero, below 1). Bytes ≥ 0x80 are kept out by `!w`.
    let below = |x: u64, n: u8| x.wrapping_sub(LANES * n as u64);
    let flagged = below(w, 0x20) | below(w ^ (LANES * b'"' as u64), 1) | below(w ^ (LANES * b'\\' as u64), 1);
    flagged & !w & HIGH != 0
}

/// The escape of one byte that JSON does not allow raw in a string, as serde_json writes it.
fn escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x0C => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        _ => {
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[(b >> 4) as usize], HEX[(b & 0xF) as usize]]);
            return;
        }
    };
    out.extend_from_slice(&[b'\\', short]);
}

/// Whether `bytes` holds no byte JSON escapes: eight bytes a step, the last step overlapping
/// the one before (a string under eight bytes is read as two overlapping halves, one under
/// four as three bytes in a word).
#[inline(always)]
fn clean(bytes: &[u8]) -> bool {
    let n = bytes.len();
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8]));
    let half = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or([0; 4])) as u64;
    match n {
        8.. => {
            let whole = (0..n / 8).all(|k| !needs_escape(word(k * 8)));
            whole && (n.is_multiple_of(8) || !needs_escape(word(n - 8)))
        }
        4.. => !needs_escape(half(0) | half(n - 4) << 32),
        // Three reads cover every byte of one to three (some twice); the other lanes are 'A's.
        1.. => {
            let w = u64::from(bytes[0]) | u64::from(bytes[n / 2]) << 8 | u64::from(bytes[n - 1]) << 16;
            !needs_escape(w | 0x4141_4141_4100_0000)
        }
        0 => true,
    }
}

/// `s` as a JSON string, quotes included.
fn string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if clean(bytes) {
        out.extend_from_slice(bytes);
    } else {
        let mut from = 0; // bytes[from..i] wait to be copied as they are
        for (i, &b) in bytes.iter().enumerate() {
            if b < 0x20 || b == b'"' || b == b'\\' {
                out.extend_from_slice(&bytes[from..i]);
                escape(out, b);
                from = i + 1;
            }
        }
        out.extend_from_slice(&bytes[from..]);
    }
    out.push(b'"');
}

/// A struct field's name as an object key, `"name":`, after a comma unless it is the first.
///
/// An answer has ~450 of them. The name is a literal in the code serde derives, and this is
/// inlined there (as are `serialize_field` and [`clean`]), so the compiler sees the name's bytes:
/// the check for bytes to escape is decided while compiling and the copies are of a known
/// length, a few stores with no call. A name that needs escaping is written by [`string`].
#[inline(always)]
fn field_name(out: &mut Vec<u8>, comma: bool, key: &str) {
    let bytes = key.as_bytes();
    if !clean(bytes) {
        if comma {
            out.push(b',');
        }
        string(out, key);
        out.push(b':');
        return;
    }
    out.reserve(bytes.len() + 4);
    if comma {
        out.push(b',');
    }
    out.push(b'"');
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\":");
}

/// A finite `f64` in serde_json's digits (the shortest that read back as `v`).
///
/// Most of an answer's numbers are whole (impressions, people, whole-currency budgets) or whole
/// cents, and for those the shortest digits are known without the general search: a whole
/// number below 2^53 is its integer digits and ".0"; a multiple of 0.01 below 10^13 is its cents
/// with the point put back (no shorter decimal reads back as the same number, since the numbers
/// a `f64` cannot tell apart there lie closer together than 0.01). Anything else goes to
/// serde_json's formatter.
fn float(out: &mut Vec<u8>, v: f64) {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every whole number below is a distinct f64
    let whole = v as i64;
    if whole as f64 == v && v.abs() < EXACT && v.to_bits() != (-0.0f64).to_bits() {
        let _ = CompactFormatter.write_i64(out, whole);
        out.extend_from_slice(b".0");
        return;
    }
    let scaled = v * 100.0;
    let cents = (scaled + 0.5f64.copysign(scaled)) as i64;
    if v.abs() < 1e13 && v.abs() >= 0.01 && cents as f64 / 100.0 == v {
        if v < 0.0 {
            out.push(b'-');
        }
        let c = cents.unsigned_abs();
        let _ = CompactFormatter.write_u64(out, c / 100);
        let (tens, ones) = ((c % 100 / 10) as u8, (c % 10) as u8);
        out.extend_from_slice(&[b'.', b'0' + tens]);
        if ones != 0 {
            out.push(b'0' + ones);
        }
        return;
    }
    let _ = CompactFormatter.write_f64(out, v);
}

/// The encoder: a serde `Serializer` over the output buffer.
struct Encoder<'o> {
    out: &'o mut Vec<u8>,
}

/// The integer methods of a `Serializer`, each writing through serde_json's own formatter (the
/// same digits) by `$via`: as they are for a value, in quotes for a map key.
macro_rules! integers {
    ($via:ident) => {
        integers!($via: serialize_i8: i8 => write_i8, serialize_i16: i16 => write_i16,
            serialize_i32: i32 => write_i32, serialize_i64: i64 => write_i64,
            serialize_i128: i128 => write_i128, serialize_u8: u8 => write_u8,
            serialize_u16: u16 => write_u16, serialize_u32: u32 => write_u32,
            serialize_u64: u64 => write_u64, serialize_u128: u128 => write_u128);
    };
    ($via:ident: $($name:ident: $t:ty => $write:ident),*) => {$(
        fn $name(self, v: $t) -> Result<(), Error> {
            self.$via(|out| CompactFormatter.$write(out, v))
        }
    )*};
}

impl Encoder<'_> {
    /// Writes what serde_json's formatter writes; writing to a `Vec` cannot fail.
    fn formatted(&mut self, write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> Result<(), Error> {
        let _ = write(self.out);
        Ok(())
    }
}

impl<'e, 'o> ser::Serializer for &'e mut Encoder<'o> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'e, 'o>;
    type SerializeTuple = Compound<'e, 'o>;
    type SerializeTupleStruct = Compound<'e, 'o>;
    type SerializeTupleVariant = Compound<'e, 'o>;
    type SerializeMap = Compound<'e, 'o>;
    type SerializeStruct = Compound<'e, 'o>;
    type SerializeStructVariant = Compound<'e, 'o>;

    integers!(formatted);

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        match v.is_finite() {
            true => drop(CompactFormatter.write_f32(self.out, v)),
            false => self.out.extend_from_slice(b"null"),
        }
        Ok(())
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        match v.is_finite() {
            true => float(self.out, v),
            false => self.out.extend_from_slice(b"null"),
        }
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        string(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        string(self.out, v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.formatted(|out| CompactFormatter.write_byte_array(out, v))
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Error> {
        v.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result<(), Error> {
        v.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        self.out.push(b'{');
        string(self.out, variant);
        self.out.push(b':');
        v.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'e, 'o>, Error> {
        Ok(Compound::open(self, b"[", b"]"))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'e, 'o>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Compound<'e, 'o>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'e, 'o>, Error> {
        Ok(Compound::variant(self, variant, b"[", b"]}"))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'e, 'o>, Error> {
        Ok(Compound::open(self, b"{", b"}"))
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'e, 'o>, Error> {
        Ok(Compound::open(self, b"{", b"}"))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'e, 'o>, Error> {
        Ok(Compound::variant(self, variant, b"{", b"}}"))
    }
}

/// An array or object being written: its closing bytes, and whether an element was written.
struct Compound<'e, 'o> {
    enc: &'e mut Encoder<'o>,
    first: bool,
    close: &'static [u8],
}

impl<'e, 'o> Compound<'e, 'o> {
    fn open(enc: &'e mut Encoder<'o>, open: &[u8], close: &'static [u8]) -> Self {
        enc.out.extend_from_slice(open);
        Compound { enc, first: true, close }
    }

    /// An enum variant's array or object inside an object of its name: `{"Variant":[…]}`.
    fn variant(enc: &'e mut Encoder<'o>, variant: &str, open: &[u8], close: &'static [u8]) -> Self {
        enc.out.push(b'{');
        string(enc.out, variant);
        enc.out.push(b':');
        Compound::open(enc, open, close)
    }

    /// Whether an element was written before this one (and so a comma goes first).
    #[inline(always)]
    fn comma(&mut self) -> bool {
        !std::mem::replace(&mut self.first, false)
    }

    /// The comma before every element but the first.
    fn next(&mut self) {
        if self.comma() {
            self.enc.out.push(b',');
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.next();
        v.serialize(&mut *self.enc)
    }

    #[inline(always)]
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, v: &T) -> Result<(), Error> {
        let comma = self.comma();
        field_name(self.enc.out, comma, key);
        v.serialize(&mut *self.enc)
    }

    fn close(self) -> Result<(), Error> {
        self.enc.out.extend_from_slice(self.close);
        Ok(())
    }
}

/// The six ways serde writes an array's elements or an object's fields, all one of two calls.
macro_rules! compound {
    ($($trait:ident::$method:ident($($key:ident: $k:ty)?) => $call:ident),* $(,)?) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;
            #[inline(always)]
            fn $method<T: Serialize + ?Sized>(&mut self, $($key: $k,)? v: &T) -> Result<(), Error> {
                self.$call($($key,)? v)
            }
            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    )*};
}

compound! {
    SerializeSeq::serialize_element() => element,
    SerializeTuple::serialize_element() => element,
    SerializeTupleStruct::serialize_field() => element,
    SerializeTupleVariant::serialize_field() => element,
    SerializeStruct::serialize_field(key: &'static str) => field,
    SerializeStructVariant::serialize_field(key: &'static str) => field,
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.next();
        key.serialize(Key { out: self.enc.out })?;
        self.enc.out.push(b':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        v.serialize(&mut *self.enc)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// A map key: a string, or a number, bool or unit variant written as one (serde_json's rule).
struct Key<'k> {
    out: &'k mut Vec<u8>,
}

impl Key<'_> {
    /// A key written by serde_json's formatter, in quotes.
    fn quoted(self, write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> Result<(), Error> {
        self.out.push(b'"');
        let _ = write(self.out);
        self.out.push(b'"');
        Ok(())
    }
}

fn key_must_be_a_string() -> Error {
    Error("key must be a string".into())
}

macro_rules! refused_key {
    ($($name:ident($($arg:ty),*) -> $ret:ty),* $(,)?) => {$(
        fn $name(self, $(_: $arg),*) -> Result<$ret, Error> {
            Err(key_must_be_a_string())
        }
    )*};
}

impl ser::Serializer for Key<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    integers!(quoted);

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.quoted(|out| CompactFormatter.write_bool(out, v))
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        match v.is_finite() {
            true => self.quoted(|out| CompactFormatter.write_f32(out, v)),
            false => Err(Error("float key must be finite (got NaN or +/-inf)".into())),
        }
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        match v.is_finite() {
            true => self.quoted(|out| CompactFormatter.write_f64(out, v)),
            false => Err(Error("float key must be finite (got NaN or +/-inf)".into())),
        }
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    /// A string key is written as a string value is.
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        string(self.out, v);
        Ok(())
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result<(), Error> {
        v.serialize(self)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Error> {
        v.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }

    refused_key! {
        serialize_bytes(&[u8]) -> (),
        serialize_none() -> (),
        serialize_unit() -> (),
        serialize_unit_struct(&'static str) -> (),
        serialize_seq(Option<usize>) -> ser::Impossible<(), Error>,
        serialize_tuple(usize) -> ser::Impossible<(), Error>,
        serialize_tuple_struct(&'static str, usize) -> ser::Impossible<(), Error>,
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> ser::Impossible<(), Error>,
        serialize_map(Option<usize>) -> ser::Impossible<(), Error>,
        serialize_struct(&'static str, usize) -> ser::Impossible<(), Error>,
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> ser::Impossible<(), Error>,
    }
}

#[cfg(test)]
mod tests;
