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

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

mod fields;
mod strict;

use fields::Checker;
use strict::parse_strict;

/// The largest manifest accepted, in bytes.
pub const MAX_MANIFEST_BYTES: usize = 64 * 1024;

/// The deepest nesting of arrays and objects accepted; the top-level object is 1.
pub const MAX_DEPTH: usize = 32;

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

#[cfg(test)]
mod tests;
