//! The encoder against serde_json, byte for byte.

use super::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn same<T: Serialize + ?Sized>(v: &T) {
    let ours = to_vec_with_capacity(v, 0).expect("ours encodes");
    let theirs = serde_json::to_vec(v).expect("serde_json encodes");
    assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
}

#[test]
fn strings_escape_as_serde_json_does() {
    // Every byte JSON escapes, at every offset within and across the 8-byte words.
    for special in ['"', '\\', '\n', '\r', '\t', '\u{8}', '\u{c}', '\u{0}', '\u{1f}', '\u{7f}', 'é', '€', '😀'] {
        for before in 0..18 {
            for after in [0, 1, 7, 8, 9] {
                let s = format!("{}{special}{}", "a".repeat(before), "z".repeat(after));
                same(&s);
                same(&json!({ s.clone(): s }));
            }
        }
    }
    // Bytes next to the escaped ones in value (0x20, '!', '#', '[', ']', 0x80+) stay raw.
    same(" !#[]^_`{|}~ \u{80}\u{ff}\u{100}\u{7ff}\u{800}");
    same("");
}

#[test]
fn clean_strings_of_every_length_encode_as_serde_json_does() {
    // The scan reads words and overlapping halves: strings of every length, as values and keys,
    // with no two positions holding the same character.
    let ascii: String = ('0'..='9').chain('A'..='Z').chain('a'..='z').collect();
    for len in 0..=40 {
        for shift in [0, 1, 13] {
            let s: String = ascii.chars().cycle().skip(shift).take(len).collect();
            same(&s);
            same(&json!({ s.clone(): [s.clone(), s] }));
        }
    }
    let mixed = "é€😀 an ünïcödé key";
    for len in 0..mixed.len() {
        if let Some(s) = mixed.get(..len) {
            same(&json!({ s: s }));
        }
    }
}

/// A struct whose field names are given at run time, as serde's derive gives them at compile time.
struct Fields(Vec<&'static str>);

impl Serialize for Fields {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use ser::SerializeStruct;
        let mut st = s.serialize_struct("Fields", self.0.len())?;
        for (i, name) in self.0.iter().enumerate() {
            st.serialize_field(name, &i)?;
        }
        st.end()
    }
}

#[test]
fn field_names_of_every_length_and_any_character_encode_as_serde_json_does() {
    // Names take their own path (`field_name`): clean ones of every length, then ones with a
    // byte to escape or a non-ASCII character at every position, as first and later fields.
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let clean: Vec<&'static str> = (0..=40).map(|n| leak("field_name_".chars().cycle().take(n).collect())).collect();
    same(&Fields(clean.clone()));
    for special in ['"', '\\', '\n', '\u{1f}', 'é', '😀'] {
        for at in 0..18 {
            let name = leak(format!("{}{special}{}", "k".repeat(at), "v".repeat(17 - at)));
            same(&Fields(vec![name]));
            same(&Fields(vec![clean[3], name, clean[9]]));
        }
    }
    same(&Fields(Vec::new()));
}

#[test]
fn random_strings_encode_as_serde_json_does() {
    // A fixed linear congruential sequence over characters that matter to the scan.
    let alphabet: Vec<char> = "ab \"\\\n\t\u{0}\u{1}\u{1f} !~\u{7f}\u{80}é€😀".chars().collect();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..20_000 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let len = (x >> 59) as usize;
        let s: String = (0..len).map(|i| alphabet[((x >> (i * 3 % 56)) as usize ^ i) % alphabet.len()]).collect();
        same(&s);
    }
}

#[test]
fn floats_have_serde_json_digits() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut values = vec![
        0.0,
        -0.0,
        0.01,
        -0.01,
        0.005,
        0.015,
        0.1,
        0.3,
        1.0,
        -1.0,
        1e13,
        1e13 - 0.01,
        9_999_999_999_999.99,
        1e15,
        1e16,
        9_007_199_254_740_991.0,
        9_007_199_254_740_992.0,
        9_007_199_254_740_994.0,
        -9_007_199_254_740_992.0,
        1.3782715021593215,
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
        1e-5,
        1e-6,
        0.07,
        2.5,
        1234.5,
        1234.56,
    ];
    for _ in 0..200_000 {
        let r = next();
        let magnitude = 10f64.powi((r % 17) as i32);
        values.push((next() % 1_000_000) as f64); // whole numbers
        values.push((next() % 10_000_000_000) as f64 / 100.0); // whole cents
        values.push(-((next() % 1_000_000_000) as f64) / 100.0);
        values.push((next() >> 11) as f64 / (1u64 << 53) as f64 * magnitude); // anything
        values.push(f64::from_bits(next()));
    }
    for v in values.into_iter().filter(|v| v.is_finite()) {
        let mut ours = Vec::new();
        float(&mut ours, v);
        assert_eq!(String::from_utf8_lossy(&ours), serde_json::to_string(&v).unwrap(), "{v:e}");
    }
}

#[test]
fn values_encode_as_serde_json_does() {
    same(&json!({
        "n": null, "t": true, "f": false, "i": -42, "u": 18_446_744_073_709_551_615u64,
        "x": 1.3782715021593215, "y": 0.1, "z": 1e300, "w": -0.0, "big": 12345678.0,
        "a": [], "o": {}, "nested": [[1, [2, {"k": [3.5]}]], {"": ""}],
    }));
    same(&[f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 2.5, 1e-7]);
    same(&[f32::NAN, 1.5f32, 0.1f32]);
    same(&(1u8, 'x', "y", (), Some(3), None::<i32>, i128::MIN, u128::MAX));
    same(&b"bytes"[..]);
    let keys: BTreeMap<i32, &str> = [(-1, "a"), (7, "b")].into();
    same(&keys);
    let bools: BTreeMap<bool, u8> = [(true, 1), (false, 0)].into();
    same(&bools);
    let optional: BTreeMap<Option<char>, u8> = [(Some('k'), 1)].into();
    same(&optional);
}

#[derive(serde::Serialize)]
enum Shape {
    Unit,
    New(u32),
    Tuple(u8, String),
    Struct { a: Option<f64>, b: Vec<Shape> },
}

#[derive(serde::Serialize)]
struct Unit;

#[derive(serde::Serialize)]
struct Wrapper(Vec<Shape>);

#[derive(serde::Serialize)]
struct Pair(u8, u8);

#[derive(serde::Serialize)]
struct Outer {
    #[serde(rename = "we\"ird\nkey")]
    weird: Unit,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<u8>,
    #[serde(flatten)]
    inner: BTreeMap<String, Pair>,
    shapes: Wrapper,
    by_shape: BTreeMap<Kind, u8>,
}

#[derive(serde::Serialize, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Audio,
    Video,
}

#[test]
fn derived_types_encode_as_serde_json_does() {
    let shapes = vec![
        Shape::Unit,
        Shape::New(4),
        Shape::Tuple(1, "t".into()),
        Shape::Struct { a: Some(0.25), b: vec![Shape::Unit, Shape::Struct { a: None, b: vec![] }] },
    ];
    same(&Outer {
        weird: Unit,
        skipped: None,
        inner: [("p".to_string(), Pair(1, 2))].into(),
        shapes: Wrapper(shapes),
        by_shape: [(Kind::Audio, 1), (Kind::Video, 2)].into(),
    });
}

#[test]
fn answers_encode_as_serde_json_does() {
    let brain = crate::brain::Brain::default();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date");
    let mut conv = crate::conversation::Conversation::new(today);
    for text in [
        "brand awareness for 18-24s in Germany, €5,000, 30 days",
        "what if we ran it 60 days? and add \"Austria\" — no video",
        "hello",
        "compare €5k vs €10k",
        "leads in the Nordics, NOK 400 000, podcasts only, 25-44 women, from March 3rd to the 30th",
    ] {
        let response = brain.handle(&mut conv, text).expect("a response");
        same(&response);
    }
}

#[test]
fn keys_that_are_not_strings_are_refused_like_serde_json() {
    let by_list: BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
    assert!(serde_json::to_vec(&by_list).is_err());
    assert_eq!(to_vec_with_capacity(&by_list, 0), Err(key_must_be_a_string()));
    let nan: Vec<(f64, u8)> = vec![(f64::NAN, 1)];
    let as_map = |v: &Vec<(f64, u8)>| -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        let mut enc = Encoder { out: &mut out };
        let mut m = ser::Serializer::serialize_map(&mut enc, None)?;
        for (k, x) in v {
            ser::SerializeMap::serialize_entry(&mut m, k, x)?;
        }
        ser::SerializeMap::end(m)?;
        Ok(out)
    };
    assert!(as_map(&nan).is_err());
    assert_eq!(as_map(&vec![(2.5, 1)]).unwrap(), serde_json::to_vec(&json!({"2.5": 1})).unwrap());
    let _: Value = serde_json::from_slice(&as_map(&vec![(2.5, 1)]).unwrap()).unwrap();
}
