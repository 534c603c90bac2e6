//! The field rules: what `name`, `version`, `description`, `keys`, `env` and `run`
//! may hold, npm's package-name rules included, and the messages that explain them.

use std::fmt;
use std::path::Path;

use serde_json::{Map, Value};

use super::strict::write_key;
use super::{KeyRequest, ManifestError};
use crate::names::check_name;

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

    pub(super) fn env(
        &self,
        v: Option<&Value>,
        keys: &[KeyRequest],
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
            if let Err(problem) = check_env_name(name, keys) {
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
}

/// Why a `./` element of `run` would name a file outside the hashed tree: only the
/// package's own pinned files may be launched as `./…`.
fn escapes_package(arg: &str) -> Option<&'static str> {
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
