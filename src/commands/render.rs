//! How commands show results: tables, change lists, state words, and one
//! `#[derive(Serialize)]` struct per `--json` document (README "JSON output"). Fields
//! are only ever added, never renamed or removed.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::digest::Change;
use crate::keychain::{Installed, KeyState, decide};
use crate::output::{sanitize, table};

/// The one-word state shown by `list`, `inspect` and `status`.
pub fn state_word(inst: &Installed, present: &BTreeSet<String>) -> &'static str {
    if inst.revoked() {
        return "revoked: changed";
    }
    let d = decide(&inst.manifest, &inst.granted, present);
    if !d.not_approved.is_empty() {
        "needs approval"
    } else if !d.missing.is_empty() {
        "needs secret"
    } else {
        "ready"
    }
}

/// Lines describing key states, for text output.
pub fn key_lines(states: &[KeyState]) -> String {
    let rows: Vec<Vec<String>> = states
        .iter()
        .map(|k| {
            vec![
                k.name.clone(),
                if k.optional { "optional" } else { "required" }.into(),
                if k.approved {
                    "approved"
                } else {
                    "not approved"
                }
                .into(),
                if k.value_present {
                    "value present"
                } else {
                    "no value"
                }
                .into(),
                sanitize(k.description.as_deref().unwrap_or("")).into_owned(),
            ]
        })
        .collect();
    table(&["KEY", "NEED", "APPROVAL", "VALUE", "DESCRIPTION"], &rows)
}

/// Lines for a file diff: `+ added`, `- removed`, `~ changed`.
pub fn change_lines(changes: &[Change]) -> String {
    changes
        .iter()
        .map(|c| {
            let sign = match c {
                Change::Added(_) => '+',
                Change::Removed(_) => '-',
                Change::Changed(_) => '~',
            };
            format!("  {sign} {}", sanitize(c.path()))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One changed file in `--json`.
#[derive(Serialize)]
pub struct ChangeDoc<'a> {
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    /// Path in the package.
    pub path: &'a str,
}

/// A file diff in `--json`.
pub fn change_docs(changes: &[Change]) -> Vec<ChangeDoc<'_>> {
    changes
        .iter()
        .map(|c| ChangeDoc {
            change: match c {
                Change::Added(_) => "added",
                Change::Removed(_) => "removed",
                Change::Changed(_) => "changed",
            },
            path: c.path(),
        })
        .collect()
}

/// A package and one of its keys, as `status` and `config apply` list them.
#[derive(Serialize, Clone)]
pub struct PackageKey {
    /// The package.
    pub package: String,
    /// The key.
    pub key: String,
}

/// `install --json`.
#[derive(Serialize)]
pub struct InstallDoc<'a> {
    pub package: &'a str,
    pub version: &'a str,
    pub path: &'a str,
    pub digest: &'a str,
    pub status: &'static str,
    pub changed: bool,
    pub changes: Vec<ChangeDoc<'a>>,
    pub new_keys: &'a [String],
    pub keys: &'a [KeyState],
}

/// `approve --json`.
#[derive(Serialize)]
pub struct ApprovedDoc<'a> {
    pub package: &'a str,
    pub approved: &'a [String],
}

/// `revoke --json`.
#[derive(Serialize)]
pub struct RevokedDoc<'a> {
    pub package: &'a str,
    pub revoked: &'a [String],
}

/// `uninstall --json`.
#[derive(Serialize)]
pub struct UninstalledDoc<'a> {
    pub package: &'a str,
    pub uninstalled: bool,
}

/// One package in `list --json`.
#[derive(Serialize)]
pub struct ListedDoc<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub state: &'static str,
    pub keys_granted: usize,
    pub keys_requested: usize,
    pub path: &'a str,
    pub digest: &'a str,
    /// `npm:NAME@VERSION` / `pypi:NAME==VERSION` for a registry package, else null.
    pub source: Option<&'a str>,
    /// Whether the owner, not the package, declared its keys.
    pub owner_declared: bool,
}

/// `list --json`.
#[derive(Serialize)]
pub struct ListDoc<'a> {
    pub keychain: &'a str,
    pub packages: Vec<ListedDoc<'a>>,
}

/// `inspect --json`.
#[derive(Serialize)]
pub struct InspectDoc<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub description: Option<&'a str>,
    pub path: &'a str,
    pub pinned_digest: &'a str,
    pub current_digest: &'a str,
    pub matches: bool,
    pub state: &'static str,
    pub revoked_at: Option<String>,
    pub keys: &'a [KeyState],
    pub env: &'a [String],
    pub run: &'a [String],
    pub short_values: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<ChangeDoc<'a>>>,
    /// `npm:NAME@VERSION` / `pypi:NAME==VERSION` for a registry package, else null.
    pub source: Option<&'a str>,
    /// Where the manifest came from: `package`, `server.json`, `owner-declared`,
    /// `derived` (registry packages only).
    pub manifest_origin: Option<&'a str>,
    /// Whether the owner, not the package, declared its keys.
    pub owner_declared: bool,
    /// The package's endpoints and whether the gateway serves each.
    pub endpoints: &'a [EndpointState],
}

/// One endpoint of a package in `inspect --json`.
#[derive(Serialize)]
pub struct EndpointState {
    /// `METHOD /path`.
    pub endpoint: String,
    /// Whether the gateway serves it.
    pub enabled: bool,
}

/// A revoked package in `status --json`.
#[derive(Serialize)]
pub struct RevokedPackage {
    pub package: String,
    pub path: String,
}

/// A package that cannot be hashed, in `status --json`.
#[derive(Serialize)]
pub struct Unreadable {
    pub package: String,
    pub error: String,
}

/// `status --json`.
#[derive(Serialize)]
pub struct StatusDoc<'a> {
    pub keychain: &'a str,
    pub pending: usize,
    pub missing_values: &'a [PackageKey],
    pub not_approved: &'a [PackageKey],
    pub revoked_changed: &'a [RevokedPackage],
    pub unreadable: &'a [Unreadable],
    pub tampered: &'a [String],
    /// With `--remote`: sourced secrets whose KV version moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources_moved: Option<&'a [MovedSource]>,
}

/// `config apply --json`.
#[derive(Serialize)]
pub struct AppliedDoc<'a> {
    pub changed: &'a [&'a str],
    pub pruned: &'a [&'a str],
    /// The same shape as `status --json`'s `missing_values`.
    pub missing_values: Vec<PackageKey>,
    /// Values read from the entries' `sources` and stored.
    pub sourced: &'a [SyncedDoc],
    /// Packages whose endpoint permissions changed.
    pub endpoints: &'a [&'a str],
}

/// One secret in `secret list --json`.
#[derive(Serialize)]
pub struct SecretDoc<'a> {
    pub name: &'a str,
    pub version: u64,
    pub created: String,
    pub updated: String,
    pub used_by: Vec<&'a str>,
    /// `openbao:MOUNT/PATH#FIELD` for a sourced secret (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'a str>,
    /// The KV version last stored from the source (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kv_version: Option<u64>,
}

/// `secret list --json`.
#[derive(Serialize)]
pub struct SecretsDoc<'a> {
    pub keychain: &'a str,
    pub secrets: Vec<SecretDoc<'a>>,
}

/// `secret set --json`.
#[derive(Serialize)]
pub struct StoredDoc<'a> {
    pub keychain: &'a str,
    pub name: &'a str,
    pub version: u64,
    /// With `--from-openbao`: the source and its KV version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kv_version: Option<u64>,
}

/// A sourced secret that `secret sync` stored anew, or `config apply` stored.
#[derive(Serialize)]
pub struct SyncedDoc {
    pub name: String,
    pub source: String,
    /// The KV version stored before (null when there was none).
    pub from_kv_version: Option<u64>,
    pub kv_version: u64,
    /// The keychain's new version of the secret.
    pub version: u64,
}

/// `secret sync --json`.
#[derive(Serialize)]
pub struct SyncDoc<'a> {
    pub keychain: &'a str,
    pub synced: &'a [SyncedDoc],
    pub unchanged: &'a [String],
}

/// A sourced secret whose KV version moved since its last sync (`status --remote`).
#[derive(Serialize)]
pub struct MovedSource {
    pub name: String,
    pub source: String,
    pub synced_kv_version: u64,
    pub remote_kv_version: u64,
}

/// `keychain create --json`, `keychain token --rotate --json`.
#[derive(Serialize)]
pub struct TokenDoc<'a> {
    pub keychain: &'a str,
    pub token: Option<&'a str>,
}

/// One keychain in `keychain list --json`.
#[derive(Serialize)]
pub struct KeychainDoc<'a> {
    pub name: &'a str,
    pub tokens: u64,
    pub secrets: usize,
    pub created: String,
}

/// `keychain list --json`.
#[derive(Serialize)]
pub struct KeychainsDoc<'a> {
    pub keychains: Vec<KeychainDoc<'a>>,
}

/// One entry in `log --json`.
#[derive(Serialize)]
pub struct LogEntryDoc<'a> {
    pub seq: u64,
    pub at: String,
    pub action: &'a str,
    pub package: Option<&'a str>,
    pub detail: serde_json::Value,
}

/// `log --json`.
#[derive(Serialize)]
pub struct LogDoc<'a> {
    pub keychain: &'a str,
    pub entries: Vec<LogEntryDoc<'a>>,
}

/// `log --verify --json`.
#[derive(Serialize)]
pub struct VerifiedDoc<'a> {
    pub keychain: &'a str,
    pub verified: bool,
    pub entries: usize,
}
