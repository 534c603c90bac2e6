//! The document-wide rules, checked before any field: size, UTF-8, syntax, duplicate
//! keys and nesting depth.

use std::cell::RefCell;
use std::fmt;
use std::path::Path;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::{MAX_DEPTH, MAX_MANIFEST_BYTES, ManifestError};

/// The rules that hold before the bytes are read as JSON.
fn check_bytes(bytes: &[u8], file: &Path) -> Result<(), ManifestError> {
    if bytes.len() > MAX_MANIFEST_BYTES {
        return Err(ManifestError::TooLarge {
            file: file.to_path_buf(),
        });
    }
    let not_utf8 = |problem: String| ManifestError::NotUtf8 {
        file: file.to_path_buf(),
        problem,
    };
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Err(not_utf8("starts with a UTF-8 byte-order mark".to_owned()));
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        let offset = e.valid_up_to();
        return Err(not_utf8(format!(
            "is not valid UTF-8 (bad byte at offset {offset})"
        )));
    }
    Ok(())
}

pub(super) fn parse_strict(bytes: &[u8], file: &Path) -> Result<Value, ManifestError> {
    check_bytes(bytes, file)?;
    let violation = RefCell::new(None);
    let seed = Strict {
        violation: &violation,
        at: &Seg::Root,
        depth: 0,
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| match violation.into_inner() {
        Some((field, problem)) => ManifestError::Field {
            file: file.to_path_buf(),
            field,
            problem,
        },
        None => ManifestError::Syntax {
            file: file.to_path_buf(),
            message: e.to_string(),
        },
    })
}

/// Where a value sits in the document, rendered only when an error needs it.
enum Seg<'a> {
    Root,
    Key(&'a Seg<'a>, &'a str),
    Index(&'a Seg<'a>, usize),
}

impl fmt::Display for Seg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seg::Root => Ok(()),
            Seg::Key(Seg::Root, key) => write_key(f, key, false),
            Seg::Key(parent, key) => {
                write!(f, "{parent}")?;
                write_key(f, key, true)
            }
            Seg::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// Plain keys read as `a.b`; anything else is quoted, so a hostile key cannot forge
/// a path or put control characters into the message.
pub(super) fn write_key(f: &mut fmt::Formatter<'_>, key: &str, dot: bool) -> fmt::Result {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$');
    if !plain {
        let quoted = serde_json::to_string(key).map_err(|_| fmt::Error)?;
        return write!(f, "[{quoted}]");
    }
    if dot {
        f.write_str(".")?;
    }
    f.write_str(key)
}

/// A seed that builds a `Value`, refusing duplicate keys and deep nesting. The rule
/// broken is left in `violation`, because serde's error type can only carry text.
#[derive(Clone, Copy)]
struct Strict<'a> {
    violation: &'a RefCell<Option<(String, String)>>,
    at: &'a Seg<'a>,
    /// Containers enclosing this value.
    depth: usize,
}

impl<'a> Strict<'a> {
    fn child(self, at: &'a Seg<'a>, depth: usize) -> Strict<'a> {
        Strict { at, depth, ..self }
    }

    fn fail<E: de::Error>(self, at: &Seg<'_>, problem: &str) -> E {
        *self.violation.borrow_mut() = Some((at.to_string(), problem.to_owned()));
        E::custom(problem)
    }

    /// Checked before descending, so that deep input stops at our limit, long before
    /// serde_json's own recursion limit (128) or the stack.
    fn enter<E: de::Error>(self) -> Result<usize, E> {
        let depth = self.depth + 1;
        if depth > MAX_DEPTH {
            let problem = format!("nests deeper than {MAX_DEPTH} levels; flatten this value");
            return Err(self.fail(self.at, &problem));
        }
        Ok(depth)
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let depth = self.enter()?;
        let mut items = Vec::new();
        loop {
            let at = Seg::Index(self.at, items.len());
            match seq.next_element_seed(self.child(&at, depth))? {
                Some(v) => items.push(v),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let depth = self.enter()?;
        let mut fields = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = {
                let at = Seg::Key(self.at, &key);
                if fields.contains_key(&key) {
                    let problem = "appears twice in the same object; JSON keys must be unique \
                                   — keep only one";
                    return Err(self.fail(&at, problem));
                }
                map.next_value_seed(self.child(&at, depth))?
            };
            fields.insert(key, value);
        }
        Ok(Value::Object(fields))
    }
}
