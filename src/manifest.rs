//! `instant.package.json`: the package manifest, parsed strictly.
//!
//! This module owns the manifest's format and every rule on it (DESIGN.md "Manifest"):
//! the size, UTF-8, duplicate-key and depth limits that apply to the whole document,
//! and the meaning and validation of `name`, `version`, `description`, `keys`, `env`
//! and `run`. Unknown top-level fields are kept out of [`Manifest`] but must still
//! obey the document-wide rules.
//!
//! serde_json alone would accept duplicate keys (keeping the last), so the document
//! is first read into a `serde_json::Value` through a strict visitor that refuses
//! duplicates and excessive nesting, and only then checked field by field.

use std::cell::RefCell;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::names::check_name;

/// The largest manifest accepted, in bytes.
pub const MAX_MANIFEST_BYTES: usize = 64 * 1024;

/// The deepest nesting of arrays and objects accepted; the top-level object is 1.
pub const MAX_DEPTH: usize = 32;

/// Environment variables that carry keyward's own credentials: a package may never
/// ask for them through `env`.
const FORBIDDEN_ENV: [&str; 3] = ["KEYWARD_TOKEN", "KEYWARD_MASTER_KEY", "KEYWARD_PASSPHRASE"];

const NAME_HELP: &str = "a package name is `name` or `@scope/name` by npm's rules: lowercase \
     letters, digits and - . _ ~, each part non-empty and not starting with . or _, at most \
     214 characters, e.g. \"@acme/stripe-charge\"";
const VERSION_HELP: &str = "must be 1 to 64 printable characters, e.g. \"1.2.0\" or \"v-20250101\"";
const KEY_HELP: &str = "a key is a name or an object {\"name\": \"STRIPE_SECRET_KEY\", \
     \"optional\": false, \"description\": \"…\"}";
const RUN_HELP: &str = "must be a non-empty array of strings, e.g. [\"python3\", \"./main.py\"]";

/// One key a package asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRequest {
    /// The secret's name, valid by [`crate::names::NAME_RULE`].
    pub name: String,
    /// Whether `run` may start without it.
    #[serde(default)]
    pub optional: bool,
    /// What the package uses it for, shown to the owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A validated `instant.package.json`. Build it with [`parse`]: the derived
/// `Deserialize` is for keyward's own storage and checks nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `name` or `@scope/name`, by npm's rules.
    pub name: String,
    /// 1–64 printable characters.
    pub version: String,
    /// Free text for the owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The keys requested, each once, in manifest order.
    #[serde(default)]
    pub keys: Vec<KeyRequest>,
    /// Caller environment variables (not secrets) the package may see.
    #[serde(default)]
    pub env: Vec<String>,
    /// The argv to launch; never empty.
    pub run: Vec<String>,
}

impl Manifest {
    /// The request for `key`, if the manifest makes one.
    pub fn requests(&self, key: &str) -> Option<&KeyRequest> {
        self.keys.iter().find(|k| k.name == key)
    }
}

/// Why a manifest was refused. Each message names the file and, where there is one,
/// the field, and says what would be valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// Over [`MAX_MANIFEST_BYTES`].
    #[error(
        "{}: is larger than {MAX_MANIFEST_BYTES} bytes (64 KiB), the most a manifest may hold; \
         keep data in other files of the package",
        .file.display()
    )]
    TooLarge {
        /// The manifest's path.
        file: PathBuf,
    },
    /// Not UTF-8, or starting with a byte-order mark.
    #[error("{}: {problem}; save the manifest as UTF-8 without a byte-order mark", .file.display())]
    NotUtf8 {
        /// The manifest's path.
        file: PathBuf,
        /// What is wrong, with the byte offset.
        problem: String,
    },
    /// Not JSON.
    #[error("{}: is not valid JSON: {message}; fix the syntax", .file.display())]
    Syntax {
        /// The manifest's path.
        file: PathBuf,
        /// serde_json's message, with line and column.
        message: String,
    },
    /// A field (or the document as a whole) breaks a rule.
    #[error("{}: {}: {problem}", .file.display(), FieldLabel(.field))]
    Field {
        /// The manifest's path.
        file: PathBuf,
        /// JSON-pointer-ish location, e.g. `keys[1].name`; empty for the whole document.
        field: String,
        /// What is wrong and what would be valid.
        problem: String,
    },
}

struct FieldLabel<'a>(&'a str);

impl fmt::Display for FieldLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("top level")
        } else {
            write!(f, "field `{}`", self.0)
        }
    }
}

/// Parses and validates a manifest. `file` is used only in error messages.
pub fn parse(bytes: &[u8], file: &Path) -> Result<Manifest, ManifestError> {
    let value = parse_strict(bytes, file)?;
    let ck = Checker { file };
    let Value::Object(top) = value else {
        return Err(ck.err(
            "",
            "must be a JSON object, e.g. {\"name\": \"@acme/tool\", \"version\": \"1.0.0\", \
             \"run\": [\"./tool\"]}",
        ));
    };
    // Checked in the manifest's documented order, so the first error is predictable.
    let name = ck.name(top.get("name"))?;
    let version = ck.version(top.get("version"))?;
    let description = ck.opt_string(top.get("description"), "description")?;
    let keys = ck.keys(top.get("keys"))?;
    let env = ck.env(top.get("env"), &keys)?;
    let run = ck.run(top.get("run"))?;
    Ok(Manifest {
        name,
        version,
        description,
        keys,
        env,
        run,
    })
}

// ---------------------------------------------------------------------------------
// Document-wide rules: size, UTF-8, syntax, duplicates, depth.

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

fn parse_strict(bytes: &[u8], file: &Path) -> Result<Value, ManifestError> {
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
fn write_key(f: &mut fmt::Formatter<'_>, key: &str, dot: bool) -> fmt::Result {
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

// ---------------------------------------------------------------------------------
// Field rules.

struct Checker<'a> {
    file: &'a Path,
}

impl Checker<'_> {
    fn err(&self, field: &str, problem: impl Into<String>) -> ManifestError {
        ManifestError::Field {
            file: self.file.to_path_buf(),
            field: field.to_owned(),
            problem: problem.into(),
        }
    }

    fn name(&self, v: Option<&Value>) -> Result<String, ManifestError> {
        let name = match v {
            None => return Err(self.err("name", format!("is required; {NAME_HELP}"))),
            Some(Value::String(s)) => s,
            Some(_) => return Err(self.err("name", format!("must be a string; {NAME_HELP}"))),
        };
        check_package_name(name)
            .map_err(|why| self.err("name", format!("{} {why}; {NAME_HELP}", echo(name))))?;
        Ok(name.clone())
    }

    fn version(&self, v: Option<&Value>) -> Result<String, ManifestError> {
        let version = match v {
            None => return Err(self.err("version", format!("is required and {VERSION_HELP}"))),
            Some(Value::String(s)) => s,
            Some(_) => {
                return Err(self.err("version", format!("is not a string; it {VERSION_HELP}")));
            }
        };
        let len = version.chars().count();
        if len == 0 || len > 64 || version.chars().any(char::is_control) {
            return Err(self.err("version", format!("{} {VERSION_HELP}", echo(version))));
        }
        Ok(version.clone())
    }

    fn opt_string(&self, v: Option<&Value>, field: &str) -> Result<Option<String>, ManifestError> {
        match v {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.err(
                field,
                "must be a string, e.g. \"Charges a card with Stripe\"",
            )),
        }
    }

    fn keys(&self, v: Option<&Value>) -> Result<Vec<KeyRequest>, ManifestError> {
        let items = match v {
            None => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(_) => return Err(self.err("keys", format!("must be an array; {KEY_HELP}"))),
        };
        let mut keys: Vec<KeyRequest> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let key = self.key(item, i)?;
            if let Some(first) = keys.iter().position(|k| k.name == key.name) {
                let problem = format!(
                    "`{}` is already requested by keys[{first}]; request each key once",
                    key.name
                );
                return Err(self.err(&format!("keys[{i}]"), problem));
            }
            keys.push(key);
        }
        Ok(keys)
    }

    fn key(&self, item: &Value, i: usize) -> Result<KeyRequest, ManifestError> {
        let at = format!("keys[{i}]");
        match item {
            Value::String(name) => Ok(KeyRequest {
                name: self.key_name(name, &at)?,
                optional: false,
                description: None,
            }),
            Value::Object(fields) => self.key_object(fields, &at),
            _ => Err(self.err(&at, format!("must be a string or an object; {KEY_HELP}"))),
        }
    }

    fn key_object(
        &self,
        fields: &Map<String, Value>,
        at: &str,
    ) -> Result<KeyRequest, ManifestError> {
        let known = ["name", "optional", "description"];
        if let Some(unknown) = fields.keys().find(|k| !known.contains(&k.as_str())) {
            let field = format!("{at}{}", KeyPath(unknown));
            return Err(self.err(&field, format!("is not a known field of a key; {KEY_HELP}")));
        }
        let name_at = format!("{at}.name");
        let name = match fields.get("name") {
            Some(Value::String(name)) => self.key_name(name, &name_at)?,
            Some(_) => {
                return Err(self.err(&name_at, "must be a string, e.g. \"STRIPE_SECRET_KEY\""));
            }
            None => return Err(self.err(&name_at, "is required, e.g. \"STRIPE_SECRET_KEY\"")),
        };
        let optional = match fields.get("optional") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(self.err(&format!("{at}.optional"), "must be true or false")),
        };
        let description =
            self.opt_string(fields.get("description"), &format!("{at}.description"))?;
        Ok(KeyRequest {
            name,
            optional,
            description,
        })
    }

    fn key_name(&self, name: &str, at: &str) -> Result<String, ManifestError> {
        check_name(name).map_err(|e| self.err(at, e.to_string()))?;
        Ok(name.to_owned())
    }

    fn env(&self, v: Option<&Value>, keys: &[KeyRequest]) -> Result<Vec<String>, ManifestError> {
        let items = match v {
            None => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(_) => {
                return Err(self.err(
                    "env",
                    "must be an array of variable names, e.g. [\"HTTPS_PROXY\"]",
                ));
            }
        };
        let mut env = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = format!("env[{i}]");
            let Value::String(name) = item else {
                return Err(self.err(&at, "must be a string, e.g. \"HTTPS_PROXY\""));
            };
            if let Err(problem) = check_env_name(name, keys) {
                return Err(self.err(&at, problem));
            }
            env.push(name.clone());
        }
        Ok(env)
    }

    fn run(&self, v: Option<&Value>) -> Result<Vec<String>, ManifestError> {
        let items = match v {
            Some(Value::Array(items)) if !items.is_empty() => items,
            None => return Err(self.err("run", format!("is required and {RUN_HELP}"))),
            Some(_) => return Err(self.err("run", RUN_HELP)),
        };
        let mut argv = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(arg) if !arg.is_empty() && !arg.contains('\0') => {
                    argv.push(arg.clone())
                }
                _ => {
                    let problem =
                        "must be a non-empty string without NUL characters, e.g. \"./main.py\"";
                    return Err(self.err(&format!("run[{i}]"), problem));
                }
            }
        }
        Ok(argv)
    }
}

/// Renders `.key` or `["odd key"]`, as the strict parser does.
struct KeyPath<'a>(&'a str);

impl fmt::Display for KeyPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_key(f, self.0, true)
    }
}

/// Quotes a refused value for a message, shortened and with control characters
/// escaped, so the message stays one readable line.
fn echo(value: &str) -> String {
    let short: String = value.chars().take(64).collect();
    // Serializing a plain string cannot fail; an empty echo would still be a fine message.
    let mut quoted = serde_json::to_string(&short).unwrap_or_default();
    if value.chars().count() > 64 {
        quoted.push('…');
    }
    quoted
}

/// npm's rules for new package names, returning why a name breaks them.
fn check_package_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("is empty".to_owned());
    }
    if name.len() > 214 {
        return Err(format!("is {} characters long", name.len()));
    }
    match name.strip_prefix('@') {
        Some(scoped) => {
            let Some((scope, pkg)) = scoped.split_once('/') else {
                return Err("has a scope but no `/name` after it".to_owned());
            };
            check_name_part(scope, "scope")?;
            check_name_part(pkg, "name after the scope")
        }
        None if ["node_modules", "favicon.ico"].contains(&name) => {
            Err("is reserved by npm".to_owned())
        }
        None => check_name_part(name, "name"),
    }
}

fn check_name_part(part: &str, what: &str) -> Result<(), String> {
    if part.is_empty() {
        return Err(format!("has an empty {what}"));
    }
    if part.starts_with('.') || part.starts_with('_') {
        return Err(format!("has a {what} starting with `.` or `_`"));
    }
    if part.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("is not lowercase".to_owned());
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-._~".contains(c);
    if let Some(bad) = part.chars().find(|c| !allowed(*c)) {
        return Err(format!(
            "contains {}, which is not allowed",
            echo(&bad.to_string())
        ));
    }
    Ok(())
}

fn check_env_name(name: &str, keys: &[KeyRequest]) -> Result<(), String> {
    let bytes = name.as_bytes();
    let valid = !bytes.is_empty()
        && (bytes[0].is_ascii_alphabetic() || bytes[0] == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_');
    if !valid {
        return Err(format!(
            "{} is not a variable name; names match ^[A-Za-z_][A-Za-z0-9_]*$, e.g. \"HTTPS_PROXY\"",
            echo(name)
        ));
    }
    if FORBIDDEN_ENV.contains(&name) {
        return Err(format!(
            "`{name}` holds keyward's own credentials and never reaches a package; remove it"
        ));
    }
    if keys.iter().any(|k| k.name == name) {
        return Err(format!(
            "`{name}` is also requested in `keys`; a requested key is set only from the \
             keychain — remove it from `env`"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "/pkg/instant.package.json";

    const DESIGN_EXAMPLE: &str = r#"{
      "name": "@acme/stripe-charge",
      "version": "v-20250101",
      "description": "Charges a card with Stripe",
      "keys": ["STRIPE_SECRET_KEY",
               {"name": "STRIPE_ACCOUNT", "optional": true, "description": "connected account"}],
      "env": ["HTTPS_PROXY"],
      "run": ["python3", "./charge.py"]
    }"#;

    fn parse_str(json: &str) -> Result<Manifest, ManifestError> {
        parse(json.as_bytes(), Path::new(FILE))
    }

    /// A valid manifest with one top-level field replaced (or removed, for `None`).
    /// `value` is spliced in as raw text, so it may break rules serde_json would hide.
    fn with(field: &str, value: Option<&str>) -> String {
        let mut top: Map<String, Value> = serde_json::from_str(DESIGN_EXAMPLE).unwrap();
        top.remove(field);
        let json = serde_json::to_string(&top).unwrap();
        match value {
            Some(v) => format!("{}, \"{field}\": {v}}}", &json[..json.len() - 1]),
            None => json,
        }
    }

    /// Asserts the manifest is refused for `field`, with a message naming the file and
    /// the field and containing `hint`.
    fn refused(json: &str, field: &str, hint: &str) {
        let err = parse_str(json).unwrap_err();
        let msg = err.to_string();
        assert!(
            matches!(&err, ManifestError::Field { field: f, .. } if f == field),
            "{msg}"
        );
        assert!(
            msg.starts_with(&format!("{FILE}: field `{field}`: ")),
            "{msg}"
        );
        assert!(msg.contains(hint), "{msg} lacks {hint:?}");
    }

    #[test]
    fn design_example_parses() {
        let m = parse_str(DESIGN_EXAMPLE).unwrap();
        let expected = Manifest {
            name: "@acme/stripe-charge".into(),
            version: "v-20250101".into(),
            description: Some("Charges a card with Stripe".into()),
            keys: vec![
                KeyRequest {
                    name: "STRIPE_SECRET_KEY".into(),
                    optional: false,
                    description: None,
                },
                KeyRequest {
                    name: "STRIPE_ACCOUNT".into(),
                    optional: true,
                    description: Some("connected account".into()),
                },
            ],
            env: vec!["HTTPS_PROXY".into()],
            run: vec!["python3".into(), "./charge.py".into()],
        };
        assert_eq!(m, expected);
        assert!(m.requests("STRIPE_ACCOUNT").is_some_and(|k| k.optional));
        assert_eq!(m.requests("OPENAI_API_KEY"), None);
    }

    #[test]
    fn minimal_manifest_parses_with_defaults() {
        let m = parse_str(r#"{"name": "tool", "version": "1", "run": ["./tool"]}"#).unwrap();
        assert_eq!((m.keys.len(), m.env.len(), m.description), (0, 0, None));
    }

    #[test]
    fn unknown_top_level_fields_are_ignored() {
        let json = with(
            "x-extra",
            Some(r#"{"deep": [1, 2.5, -3, null, true, {"a": "b"}]}"#),
        );
        assert_eq!(
            parse_str(&json).unwrap(),
            parse_str(DESIGN_EXAMPLE).unwrap()
        );
    }

    #[test]
    fn refuses_over_64_kib_before_parsing() {
        // Not even JSON: the size is checked first.
        let big = vec![b'x'; 1 << 20];
        let err = parse(&big, Path::new(FILE)).unwrap_err();
        assert!(matches!(err, ManifestError::TooLarge { .. }), "{err}");
        assert!(err.to_string().starts_with(FILE), "{err}");
        let mut padded = DESIGN_EXAMPLE.as_bytes().to_vec();
        padded.resize(MAX_MANIFEST_BYTES, b' ');
        parse(&padded, Path::new(FILE)).unwrap();
        padded.push(b' ');
        let err = parse(&padded, Path::new(FILE)).unwrap_err();
        assert!(matches!(err, ManifestError::TooLarge { .. }), "{err}");
    }

    #[test]
    fn refuses_non_utf8_and_bom() {
        let err = parse(b"{\"name\": \"\xff\"}", Path::new(FILE)).unwrap_err();
        assert!(matches!(err, ManifestError::NotUtf8 { .. }), "{err}");
        assert!(err.to_string().contains("offset 10"), "{err}");
        let bom = [b"\xEF\xBB\xBF", DESIGN_EXAMPLE.as_bytes()].concat();
        let err = parse(&bom, Path::new(FILE)).unwrap_err();
        assert!(err.to_string().contains("byte-order mark"), "{err}");
    }

    #[test]
    fn refuses_bad_json_syntax() {
        for bad in ["", "{", r#"{"name": "x",}"#, "{} {}", "{'name': 1}"] {
            let err = parse_str(bad).unwrap_err();
            assert!(matches!(err, ManifestError::Syntax { .. }), "{bad}: {err}");
            assert!(err.to_string().contains("line 1"), "{err}");
        }
    }

    #[test]
    fn refuses_a_top_level_that_is_not_an_object() {
        for bad in ["[]", "\"name\"", "null", "3"] {
            let msg = parse_str(bad).unwrap_err().to_string();
            assert!(
                msg.starts_with(&format!("{FILE}: top level: must be a JSON object")),
                "{msg}"
            );
        }
    }

    #[test]
    fn refuses_10000_deep_nesting_without_crashing() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse_str(&deep).unwrap_err();
        assert!(matches!(err, ManifestError::Field { .. }), "{err}");
        assert!(err.to_string().contains("deeper than 32"), "{err}");
        // Also inside an ignored field, and with objects.
        let deep = with(
            "x",
            Some(&format!(
                "{}1{}",
                "{\"a\":".repeat(5_000),
                "}".repeat(5_000)
            )),
        );
        let err = parse_str(&deep).unwrap_err();
        assert!(err.to_string().contains("deeper than 32"), "{err}");
    }

    #[test]
    fn nesting_limit_is_exactly_32() {
        // The top-level object is level 1, so 31 arrays inside it reach 32.
        let ok = with("x", Some(&format!("{}{}", "[".repeat(31), "]".repeat(31))));
        parse_str(&ok).unwrap();
        let over = with("x", Some(&format!("{}{}", "[".repeat(32), "]".repeat(32))));
        let field = format!("x{}", "[0]".repeat(31));
        refused(&over, &field, "deeper than 32 levels");
    }

    #[test]
    fn refuses_duplicate_keys_at_top_level() {
        let json = r#"{"name": "a", "version": "1", "run": ["x"], "name": "b"}"#;
        refused(json, "name", "appears twice");
    }

    #[test]
    fn refuses_duplicate_keys_nested() {
        let json = with(
            "keys",
            Some(r#"["A", {"name": "B", "optional": true, "name": "C"}]"#),
        );
        refused(&json, "keys[1].name", "appears twice");
        let json = with("x", Some(r#"{"odd key": {"y": 1, "y": 2}}"#));
        refused(&json, r#"x["odd key"].y"#, "appears twice");
    }

    #[test]
    fn name_is_required_and_follows_npm_rules() {
        refused(&with("name", None), "name", "is required");
        refused(&with("name", Some("7")), "name", "must be a string");
        for (bad, why) in [
            (r#""""#, "is empty"),
            (r#""Acme""#, "not lowercase"),
            (r#""a b""#, "not allowed"),
            (r#""café""#, "not allowed"),
            (r#"".hidden""#, "starting with"),
            (r#""_private""#, "starting with"),
            (r#""@acme""#, "no `/name`"),
            (r#""@/x""#, "empty scope"),
            (r#""@acme/""#, "empty name after the scope"),
            (r#""@acme/a/b""#, "not allowed"),
            (r#""node_modules""#, "reserved"),
        ] {
            refused(&with("name", Some(bad)), "name", why);
        }
        let long = format!("\"{}\"", "a".repeat(215));
        refused(&with("name", Some(&long)), "name", "215 characters");
        for good in [
            "a",
            "a-b.c_d~e",
            "@acme/stripe-charge",
            "@a/b",
            &"a".repeat(214),
        ] {
            let json = with("name", Some(&format!("\"{good}\"")));
            assert_eq!(parse_str(&json).unwrap().name, good);
        }
    }

    #[test]
    fn version_is_required_and_printable() {
        refused(&with("version", None), "version", "is required");
        refused(&with("version", Some("1")), "version", "1 to 64 printable");
        refused(
            &with("version", Some(r#""""#)),
            "version",
            "1 to 64 printable",
        );
        refused(
            &with("version", Some(r#""1\n2""#)),
            "version",
            "1 to 64 printable",
        );
        let long = format!("\"{}\"", "é".repeat(65));
        refused(
            &with("version", Some(&long)),
            "version",
            "1 to 64 printable",
        );
        let max = format!("\"{}\"", "é".repeat(64));
        parse_str(&with("version", Some(&max))).unwrap();
    }

    #[test]
    fn description_must_be_a_string() {
        refused(
            &with("description", Some("[]")),
            "description",
            "must be a string",
        );
    }

    #[test]
    fn keys_must_be_an_array_of_names_or_objects() {
        refused(&with("keys", Some(r#""A""#)), "keys", "must be an array");
        refused(
            &with("keys", Some("[1]")),
            "keys[0]",
            "a string or an object",
        );
    }

    #[test]
    fn key_names_follow_the_name_rule() {
        refused(
            &with("keys", Some(r#"["A", "lower"]"#)),
            "keys[1]",
            "^[A-Z_][A-Z0-9_]{0,127}$",
        );
        refused(
            &with("keys", Some(r#"["LD_PRELOAD"]"#)),
            "keys[0]",
            "reserved",
        );
        refused(
            &with("keys", Some(r#"[{"name": "a-b"}]"#)),
            "keys[0].name",
            "not a valid name",
        );
    }

    #[test]
    fn key_objects_are_checked_field_by_field() {
        refused(
            &with("keys", Some(r#"[{"optional": true}]"#)),
            "keys[0].name",
            "is required",
        );
        refused(
            &with("keys", Some(r#"[{"name": 1}]"#)),
            "keys[0].name",
            "must be a string",
        );
        let bad = r#"[{"name": "A", "optional": "yes"}]"#;
        refused(
            &with("keys", Some(bad)),
            "keys[0].optional",
            "true or false",
        );
        let bad = r#"[{"name": "A", "description": 5}]"#;
        refused(
            &with("keys", Some(bad)),
            "keys[0].description",
            "must be a string",
        );
        let bad = r#"["B", {"name": "A", "requried": true}]"#;
        refused(
            &with("keys", Some(bad)),
            "keys[1].requried",
            "not a known field",
        );
    }

    #[test]
    fn a_key_is_requested_once() {
        let bad = r#"["A", "B", {"name": "A", "optional": true}]"#;
        refused(
            &with("keys", Some(bad)),
            "keys[2]",
            "already requested by keys[0]",
        );
    }

    #[test]
    fn env_holds_variable_names() {
        refused(&with("env", Some(r#""HOME""#)), "env", "must be an array");
        refused(
            &with("env", Some(r#"["HOME", 1]"#)),
            "env[1]",
            "must be a string",
        );
        for bad in [r#""1X""#, r#""A-B""#, r#""""#, r#""A=B""#] {
            refused(
                &with("env", Some(&format!("[{bad}]"))),
                "env[0]",
                "^[A-Za-z_][A-Za-z0-9_]*$",
            );
        }
        let ok = parse_str(&with("env", Some(r#"["https_proxy", "_X1", "PATH"]"#))).unwrap();
        assert_eq!(ok.env, ["https_proxy", "_X1", "PATH"]);
    }

    #[test]
    fn env_never_names_keyward_credentials() {
        for name in FORBIDDEN_ENV {
            let json = with("env", Some(&format!(r#"["HTTPS_PROXY", "{name}"]"#)));
            refused(&json, "env[1]", "keyward's own credentials");
        }
    }

    #[test]
    fn env_does_not_repeat_a_requested_key() {
        refused(
            &with("env", Some(r#"["STRIPE_ACCOUNT"]"#)),
            "env[0]",
            "also requested in `keys`",
        );
    }

    #[test]
    fn run_is_a_non_empty_argv() {
        refused(
            &with("run", None),
            "run",
            r#"e.g. ["python3", "./main.py"]"#,
        );
        refused(&with("run", Some("[]")), "run", "non-empty array");
        refused(&with("run", Some(r#""./x""#)), "run", "non-empty array");
        refused(
            &with("run", Some(r#"["python3", 1]"#)),
            "run[1]",
            "non-empty string",
        );
        refused(
            &with("run", Some(r#"["python3", ""]"#)),
            "run[1]",
            "non-empty string",
        );
        refused(
            &with("run", Some(r#"["a\u0000b"]"#)),
            "run[0]",
            "without NUL",
        );
    }

    #[test]
    fn echoed_values_are_escaped_and_short() {
        let json = with("name", Some(&format!("\"\\u001b[31m{}\"", "x".repeat(300))));
        let msg = parse_str(&json).unwrap_err().to_string();
        assert!(!msg.chars().any(char::is_control), "{msg:?}");
        assert!(msg.len() < 600, "{msg}");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = parse(&bytes, Path::new(FILE));
        }

        #[test]
        fn valid_manifests_round_trip(
            name in "(@[a-z0-9][a-z0-9-]{0,8}/)?[a-z0-9][a-z0-9._~-]{0,20}",
            version in "[ -~]{1,64}",
            keys in proptest::collection::btree_map("[A-Z][A-Z0-9_]{0,10}", (proptest::bool::ANY, proptest::option::of(".{0,20}")), 0..5),
            run in proptest::collection::vec("[^\u{0}]{1,10}", 1..4),
        ) {
            proptest::prop_assume!(check_package_name(&name).is_ok());
            let keys: Vec<KeyRequest> = keys.into_iter()
                .filter(|(k, _)| check_name(k).is_ok())
                .map(|(name, (optional, description))| KeyRequest { name, optional, description })
                .collect();
            let m = Manifest { name, version, description: None, keys, env: vec!["HTTPS_PROXY".into()], run };
            let json = serde_json::to_vec(&m).unwrap();
            proptest::prop_assert_eq!(parse(&json, Path::new(FILE)).unwrap(), m);
        }
    }
}
