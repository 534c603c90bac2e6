//! `instant.package.json`: the package manifest, parsed strictly.
//!
//! This module owns the manifest's format and every rule on it (DESIGN.md "Manifest"):
//! the size, UTF-8, duplicate-key and depth limits that apply to the whole document,
//! and the meaning and validation of `name`, `version`, `description`, `keys` (or the
//! seed's `keychain`), `env`, `run`, `timeout`, `deliver` and `serve`. Unknown
//! top-level fields are kept out of [`Manifest`] but must still obey the document-wide
//! rules; one that looks like a misspelt known field becomes a warning
//! ([`Manifest::warnings`]), because silently ignoring `"key": [...]` would install a
//! package with no keys.
//!
//! serde_json alone would accept duplicate keys (keeping the last), so the document
//! is first read into a `serde_json::Value` through a strict visitor that refuses
//! duplicates and excessive nesting, and only then checked field by field.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

mod fields;
mod strict;

use fields::Checker;
pub(crate) use fields::edit_distance;
use strict::parse_strict;

/// The `run` of an Instant API project in the seed's shape (`keychain` in place of
/// `keys`) that gives none: keyward's own launcher (`sdk/node/instant-launcher.mjs`,
/// see [`crate::runner::argv`]). A manifest may also write it out as
/// `"run": ["keyward:instant-api"]`.
pub const INSTANT_API_RUN: &str = "keyward:instant-api";

/// The largest manifest accepted, in bytes.
pub const MAX_MANIFEST_BYTES: usize = 64 * 1024;

/// The deepest nesting of arrays and objects accepted; the top-level object is 1.
pub const MAX_DEPTH: usize = 32;

/// `timeout` when the manifest gives none, in seconds.
pub const DEFAULT_TIMEOUT: u32 = 10;

/// The longest `timeout` accepted, in seconds.
pub const MAX_TIMEOUT: u32 = 300;

/// The top-level fields keyward reads; any other field is kept and ignored, and warned
/// about when it is a near miss of one of these.
pub const KNOWN_FIELDS: [&str; 10] = [
    "name",
    "version",
    "description",
    "keys",
    "keychain",
    "env",
    "run",
    "timeout",
    "deliver",
    "serve",
];

/// How `run` hands the granted keys to the package (DESIGN.md "Delivering keys").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Deliver {
    /// As environment variables (the default).
    #[default]
    Env,
    /// As 0400 files in a private run folder.
    Files,
    /// Read one at a time over a unix socket.
    Socket,
}

impl Deliver {
    /// Every value, in the order the manifest's documentation lists them.
    pub const ALL: [Deliver; 3] = [Deliver::Env, Deliver::Files, Deliver::Socket];

    /// The manifest's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Deliver::Env => "env",
            Deliver::Files => "files",
            Deliver::Socket => "socket",
        }
    }
}

/// How the gateway serves the package (DESIGN.md "Gateway").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Serve {
    /// CGI/1.1, one process per request.
    Cgi,
    /// Started once and reverse-proxied (Instant API projects).
    Http,
}

impl Serve {
    /// Every value, in the order the manifest's documentation lists them.
    pub const ALL: [Serve; 2] = [Serve::Cgi, Serve::Http];

    /// The manifest's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Serve::Cgi => "cgi",
            Serve::Http => "http",
        }
    }
}

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
    /// The keys requested, each once, in manifest order: from `keys`, or from the seed's
    /// `keychain` (its `required` keys first, then its `optional` ones).
    #[serde(default)]
    pub keys: Vec<KeyRequest>,
    /// Caller environment variables (not secrets) the package may see.
    #[serde(default)]
    pub env: Vec<String>,
    /// The argv to launch; never empty. [`INSTANT_API_RUN`] when a manifest in the
    /// seed's shape gives none.
    pub run: Vec<String>,
    /// Seconds the gateway lets one request take: 1 to [`MAX_TIMEOUT`], default
    /// [`DEFAULT_TIMEOUT`]. Validated here; not enforced yet.
    #[serde(default = "default_timeout")]
    pub timeout: u32,
    /// How keys reach the package; `env` unless the manifest says otherwise.
    #[serde(default)]
    pub deliver: Deliver,
    /// How the gateway serves the package, when the manifest says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serve: Option<Serve>,
    /// What the owner should hear about but that does not stop the install: one line
    /// each, e.g. "unknown field `key`; did you mean `keys`?". Already safe to print
    /// (manifest text in it is escaped). Not part of the manifest, so never serialized.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

fn default_timeout() -> u32 {
    DEFAULT_TIMEOUT
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
    let (keys, keys_field) = match (top.get("keys"), top.get("keychain")) {
        (Some(_), Some(_)) => {
            return Err(ck.err(
                "keychain",
                "cannot be used together with `keys`: both list the keys the package \
                 requests; keep one of the two fields",
            ));
        }
        (None, Some(keychain)) => (ck.keychain(keychain)?, "keychain"),
        (keys, None) => (ck.keys(keys)?, "keys"),
    };
    let env = ck.env(top.get("env"), &keys, keys_field)?;
    // The seed's manifests have no `run`: the hosted gateway knew how to start an
    // Instant API project, and so does keyward.
    let run = match top.get("run") {
        None if keys_field == "keychain" => vec![INSTANT_API_RUN.to_owned()],
        given => ck.run(given)?,
    };
    let timeout = ck.timeout(top.get("timeout"))?;
    let deliver = ck.deliver(top.get("deliver"))?;
    let serve = ck.serve(top.get("serve"))?;
    let warnings = top
        .keys()
        .filter(|field| !KNOWN_FIELDS.contains(&field.as_str()))
        .filter_map(|field| {
            let known = fields::near_miss(field, &KNOWN_FIELDS)?;
            Some(format!(
                "unknown field `{}`; did you mean `{known}`?",
                fields::shown_key(field)
            ))
        })
        .collect();
    Ok(Manifest {
        name,
        version,
        description,
        keys,
        env,
        run,
        timeout,
        deliver,
        serve,
        warnings,
    })
}

/// Checks a package name by the manifest's `name` rule (npm's), for commands that
/// write manifests (`keyward new`). The error is a sentence: what is wrong with the
/// name and what a valid one looks like.
pub fn check_package_name(name: &str) -> Result<(), String> {
    fields::package_name_problem(name).map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests;
