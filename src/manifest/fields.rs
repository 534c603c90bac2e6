//! The field rules: what `name`, `version`, `description`, `keys`, `keychain`, `env`,
//! `run`, `timeout`, `deliver` and `serve` may hold, npm's package-name rules included,
//! the messages that explain them, and the did-you-mean for misspelt field names.

use std::fmt;
use std::path::Path;

use serde_json::{Map, Value};

use super::strict::write_key;
use super::{DEFAULT_TIMEOUT, Deliver, KeyRequest, MAX_TIMEOUT, ManifestError, Serve};
use crate::names::{NameError, check_name};

/// Environment variables that carry keyward's own credentials: a package may never
/// ask for them through `env`.
pub(super) const FORBIDDEN_ENV: [&str; 3] =
    ["KEYWARD_TOKEN", "KEYWARD_MASTER_KEY", "KEYWARD_PASSPHRASE"];

const NAME_HELP: &str = "a package name is `name` or `@scope/name` by npm's rules: lowercase \
     letters, digits and - . _, each part non-empty and not starting with . or _, at most \
     214 characters, e.g. \"@acme/stripe-charge\"";
const VERSION_HELP: &str = "must be 1 to 64 printable characters, e.g. \"1.2.0\" or \"v-20250101\"";
const KEY_HELP: &str = "a key is a name or an object {\"name\": \"STRIPE_SECRET_KEY\", \
     \"optional\": false, \"description\": \"…\"}";
const KEYCHAIN_HELP: &str = "the seed's shape is {\"required\": [{\"name\": \"STRIPE_SECRET_KEY\", \
     \"description\": \"…\"}], \"optional\": [...]}";
const RUN_HELP: &str = "must be a non-empty array of strings, e.g. [\"python3\", \"./main.py\"]";

pub(super) struct Checker<'a> {
    pub(super) file: &'a Path,
}

impl Checker<'_> {
    pub(super) fn err(&self, field: &str, problem: impl Into<String>) -> ManifestError {
        ManifestError::Field {
            file: self.file.to_path_buf(),
            field: field.to_owned(),
            problem: problem.into(),
        }
    }

    pub(super) fn name(&self, v: Option<&Value>) -> Result<String, ManifestError> {
        let name = match v {
            None => return Err(self.err("name", format!("is required; {NAME_HELP}"))),
            Some(Value::String(s)) => s,
            Some(_) => return Err(self.err("name", format!("must be a string; {NAME_HELP}"))),
        };
        check_package_name(name)
            .map_err(|why| self.err("name", format!("{} {why}; {NAME_HELP}", echo(name))))?;
        Ok(name.clone())
    }

    pub(super) fn version(&self, v: Option<&Value>) -> Result<String, ManifestError> {
        let version = match v {
            None => return Err(self.err("version", format!("is required and {VERSION_HELP}"))),
            Some(Value::String(s)) => s,
            Some(_) => {
                return Err(self.err("version", format!("is not a string; it {VERSION_HELP}")));
            }
        };
        let len = version.chars().count();
        if len == 0 || len > 64 || version.chars().any(crate::output::is_unprintable) {
            return Err(self.err("version", format!("{} {VERSION_HELP}", echo(version))));
        }
        Ok(version.clone())
    }

    pub(super) fn opt_string(
        &self,
        v: Option<&Value>,
        field: &str,
    ) -> Result<Option<String>, ManifestError> {
        match v {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.err(
                field,
                "must be a string, e.g. \"Charges a card with Stripe\"",
            )),
        }
    }

    pub(super) fn keys(&self, v: Option<&Value>) -> Result<Vec<KeyRequest>, ManifestError> {
        let items = match v {
            None => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(_) => return Err(self.err("keys", format!("must be an array; {KEY_HELP}"))),
        };
        let mut keys = Requested::default();
        for (i, item) in items.iter().enumerate() {
            let at = format!("keys[{i}]");
            let key = match item {
                Value::String(name) => KeyRequest {
                    name: self.key_name(name, &at)?,
                    optional: false,
                    description: None,
                },
                Value::Object(fields) => self.key_object(fields, &at, None)?,
                _ => {
                    return Err(self.err(&at, format!("must be a string or an object; {KEY_HELP}")));
                }
            };
            keys.push(self, key, at)?;
        }
        Ok(keys.keys)
    }

    /// The seed's shape: `{"required": [...], "optional": [...]}`, each a list of key
    /// objects (or bare names); which list a key is in says whether it is optional.
    pub(super) fn keychain(&self, v: &Value) -> Result<Vec<KeyRequest>, ManifestError> {
        let Value::Object(lists) = v else {
            return Err(self.err("keychain", format!("must be an object; {KEYCHAIN_HELP}")));
        };
        let known = ["required", "optional"];
        if let Some(unknown) = lists.keys().find(|k| !known.contains(&k.as_str())) {
            let field = format!("keychain{}", KeyPath(unknown));
            let problem = format!(
                "is not a known field of `keychain`{}; {KEYCHAIN_HELP}",
                did_you_mean(unknown, &known)
            );
            return Err(self.err(&field, problem));
        }
        let mut keys = Requested::default();
        // Required first, whatever the order in the file: the order keys are shown in.
        for (list, optional) in [("required", false), ("optional", true)] {
            let items = match lists.get(list) {
                None => continue,
                Some(Value::Array(items)) => items,
                Some(_) => {
                    let problem = format!("must be an array of keys; {KEYCHAIN_HELP}");
                    return Err(self.err(&format!("keychain.{list}"), problem));
                }
            };
            for (i, item) in items.iter().enumerate() {
                let at = format!("keychain.{list}[{i}]");
                let key = match item {
                    Value::String(name) => KeyRequest {
                        name: self.key_name(name, &at)?,
                        optional,
                        description: None,
                    },
                    Value::Object(fields) => self.key_object(fields, &at, Some(optional))?,
                    _ => {
                        let problem = format!("must be an object or a name; {KEYCHAIN_HELP}");
                        return Err(self.err(&at, problem));
                    }
                };
                keys.push(self, key, at)?;
            }
        }
        Ok(keys.keys)
    }

    /// A key object. `listed` is `Some(optional)` when the list holding it (the seed's
    /// `required` / `optional`) decides, and then the object may not say `optional`.
    fn key_object(
        &self,
        fields: &Map<String, Value>,
        at: &str,
        listed: Option<bool>,
    ) -> Result<KeyRequest, ManifestError> {
        let known: &[&str] = match listed {
            None => &["name", "optional", "description"],
            Some(_) => &["name", "description"],
        };
        if let Some(unknown) = fields.keys().find(|k| !known.contains(&k.as_str())) {
            let field = format!("{at}{}", KeyPath(unknown));
            let problem = match listed {
                Some(_) if unknown == "optional" => "is not a known field of a key in \
                    `keychain`: the list holding the key (`required` or `optional`) says \
                    whether it is optional; remove the field"
                    .to_owned(),
                Some(_) => format!(
                    "is not a known field of a key{}; {KEYCHAIN_HELP}",
                    did_you_mean(unknown, known)
                ),
                None => format!(
                    "is not a known field of a key{}; {KEY_HELP}",
                    did_you_mean(unknown, known)
                ),
            };
            return Err(self.err(&field, problem));
        }
        let name_at = format!("{at}.name");
        let name = match fields.get("name") {
            Some(Value::String(name)) => self.key_name(name, &name_at)?,
            Some(_) => {
                return Err(self.err(&name_at, "must be a string, e.g. \"STRIPE_SECRET_KEY\""));
            }
            None => return Err(self.err(&name_at, "is required, e.g. \"STRIPE_SECRET_KEY\"")),
        };
        let optional = match (listed, fields.get("optional")) {
            (Some(optional), _) => optional,
            (None, None) => false,
            (None, Some(Value::Bool(b))) => *b,
            (None, Some(_)) => {
                return Err(self.err(&format!("{at}.optional"), "must be true or false"));
            }
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

    /// `keys_field` is where `keys` came from (`keys` or `keychain`), for the message
    /// about a variable that is also a requested key.
    pub(super) fn env(
        &self,
        v: Option<&Value>,
        keys: &[KeyRequest],
        keys_field: &str,
    ) -> Result<Vec<String>, ManifestError> {
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
            if let Err(problem) = check_env_name(name, keys, keys_field) {
                return Err(self.err(&at, problem));
            }
            env.push(name.clone());
        }
        Ok(env)
    }

    pub(super) fn run(&self, v: Option<&Value>) -> Result<Vec<String>, ManifestError> {
        let items = match v {
            Some(Value::Array(items)) if !items.is_empty() => items,
            None => return Err(self.err("run", format!("is required and {RUN_HELP}"))),
            Some(_) => return Err(self.err("run", RUN_HELP)),
        };
        let mut argv = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(arg) if !arg.is_empty() && !arg.contains('\0') => {
                    if let Some(problem) = escapes_package(arg) {
                        return Err(self.err(&format!("run[{i}]"), problem));
                    }
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

    pub(super) fn timeout(&self, v: Option<&Value>) -> Result<u32, ManifestError> {
        let help = format!(
            "must be a whole number of seconds from 1 to {MAX_TIMEOUT}, e.g. 30 \
             (default {DEFAULT_TIMEOUT})"
        );
        match v {
            None => Ok(DEFAULT_TIMEOUT),
            Some(Value::Number(n)) => match n.as_u64().and_then(|s| u32::try_from(s).ok()) {
                Some(secs @ 1..=MAX_TIMEOUT) => Ok(secs),
                _ => Err(self.err("timeout", format!("is {n}; it {help}"))),
            },
            Some(_) => Err(self.err("timeout", format!("is not a number; it {help}"))),
        }
    }

    pub(super) fn deliver(&self, v: Option<&Value>) -> Result<Deliver, ManifestError> {
        let Some(v) = v else {
            return Ok(Deliver::default());
        };
        let allowed = Deliver::ALL.map(Deliver::as_str);
        self.one_of(v, "deliver", &allowed, " (default \"env\")")
            .map(|i| Deliver::ALL[i])
    }

    pub(super) fn serve(&self, v: Option<&Value>) -> Result<Option<Serve>, ManifestError> {
        let Some(v) = v else {
            return Ok(None);
        };
        let allowed = Serve::ALL.map(Serve::as_str);
        let i = self.one_of(v, "serve", &allowed, "; Instant API projects are \"http\"")?;
        Ok(Some(Serve::ALL[i]))
    }

    /// The index in `allowed` of the string `v`; otherwise an error listing them.
    fn one_of(
        &self,
        v: &Value,
        field: &str,
        allowed: &[&str],
        note: &str,
    ) -> Result<usize, ManifestError> {
        let list: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
        let expected = format!("must be one of {}{note}", list.join(", "));
        let Value::String(s) = v else {
            return Err(self.err(field, format!("is not a string; it {expected}")));
        };
        allowed.iter().position(|a| a == s).ok_or_else(|| {
            self.err(
                field,
                format!("is {}, which is not allowed; it {expected}", echo(s)),
            )
        })
    }
}

/// The keys requested so far, with where each was requested, so a second request of
/// the same key names the first.
#[derive(Default)]
struct Requested {
    keys: Vec<KeyRequest>,
    at: Vec<String>,
}

impl Requested {
    fn push(&mut self, ck: &Checker<'_>, key: KeyRequest, at: String) -> Result<(), ManifestError> {
        if let Some(first) = self.keys.iter().position(|k| k.name == key.name) {
            let problem = format!(
                "`{}` is already requested by {}; request each key once",
                key.name, self.at[first]
            );
            return Err(ck.err(&at, problem));
        }
        self.keys.push(key);
        self.at.push(at);
        Ok(())
    }
}

/// Why a `./` element of `run` would name a file outside the hashed tree: only the
/// package's own pinned files may be launched as `./…`.
pub(super) fn escapes_package(arg: &str) -> Option<&'static str> {
    let rest = arg.strip_prefix("./")?;
    let mut parts = rest.split('/');
    if rest.is_empty()
        || rest
            .split('/')
            .any(|p| p.is_empty() || p == "." || p == "..")
    {
        return Some(
            "a `./` path must name a file inside the package: no empty, `.` or `..` parts, e.g. \"./bin/tool\"",
        );
    }
    if parts.next() == Some(".git") {
        return Some(
            "a `./` path may not point into the top-level .git folder, which is not part of the digest",
        );
    }
    None
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

/// The full sentence `keyward new` shows for a refused name (the parser adds the
/// field and file itself).
pub(super) fn package_name_problem(name: &str) -> Option<String> {
    let why = check_package_name(name).err()?;
    Some(format!("{} {why}; {NAME_HELP}", echo(name)))
}

/// npm's rules for new package names, returning why a name breaks them.
pub(super) fn check_package_name(name: &str) -> Result<(), String> {
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
    // npm refuses `~'!()*` in new package names; only these remain.
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-._".contains(c);
    if let Some(bad) = part.chars().find(|c| !allowed(*c)) {
        return Err(format!(
            "contains {}, which is not allowed",
            echo(&bad.to_string())
        ));
    }
    Ok(())
}

fn check_env_name(name: &str, keys: &[KeyRequest], keys_field: &str) -> Result<(), String> {
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
    if is_reserved_env(name) {
        return Err(format!(
            "`{name}` is reserved: it changes how the package's program or its interpreter \
             starts, so a package may not take it from the caller; remove it from `env` \
             ({})",
            crate::names::NAME_RULE
        ));
    }
    if keys.iter().any(|k| k.name == name) {
        return Err(format!(
            "`{name}` is also requested in `{keys_field}`; a requested key is set only from \
             the keychain — remove it from `env`"
        ));
    }
    Ok(())
}

/// Whether `name` is a reserved name (the rule keys follow, from [`crate::names`]) that
/// `env` may not pass through. `KEYWARD_*` is refused whatever follows the prefix, as
/// `run` drops every such variable anyway. `PATH` and `HOME` are reserved as key names
/// but every package already gets the caller's (the base allowlist of `run`), so naming
/// them in `env` changes nothing and stays allowed.
fn is_reserved_env(name: &str) -> bool {
    if name.starts_with("KEYWARD_") {
        return true;
    }
    if crate::runner::BASE_ALLOWLIST.contains(&name) {
        return false;
    }
    // `env` allows longer names than keys; the reserved names and prefixes all fit in
    // the first 128 characters (the name is ASCII by now, so any cut is a boundary).
    let head = &name[..name.len().min(128)];
    matches!(check_name(head), Err(NameError::Reserved(_)))
}

/// The known field `field` most likely misspells: equal but for case, or within a
/// small edit distance (a third of the known name's length, at least 1, at most 2, so
/// short names like `run` do not claim every three-letter word).
pub(super) fn near_miss<'k>(field: &str, known: &[&'k str]) -> Option<&'k str> {
    let lower = field.to_lowercase();
    known
        .iter()
        .map(|k| (edit_distance(&lower, k), *k))
        .filter(|(d, k)| *d <= (k.len() / 3).clamp(1, 2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// " (did you mean `x`?)" when `field` is a near miss of one of `known`, else "".
fn did_you_mean(field: &str, known: &[&str]) -> String {
    near_miss(field, known).map_or_else(String::new, |k| format!(" (did you mean `{k}`?)"))
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and
/// transpositions of neighbours (`kyes` is one edit from `keys`), counted in chars.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: two back (for transpositions), the previous one, the current one.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(before[j - 2] + 1);
            }
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// A top-level field name as a warning shows it: plain, or JSON-quoted in brackets
/// when odd, with anything that could drive a terminal escaped.
pub(super) fn shown_key(key: &str) -> String {
    struct Top<'a>(&'a str);
    impl fmt::Display for Top<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_key(f, self.0, false)
        }
    }
    crate::output::sanitize(&Top(key).to_string()).into_owned()
}
