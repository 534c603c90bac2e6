//! Dynamic shell completion of names: keychains, installed packages, secrets. Values are
//! never read: only names, which the vault stores in the clear, from a read-only
//! connection that never unlocks anything.
//!
//! Enabled with `source <(COMPLETE=bash keyward)` (zsh, fish, elvish, powershell alike);
//! the static scripts in `completions/` complete commands and flags only.

use std::path::PathBuf;

use clap_complete::CompletionCandidate;

use crate::vault::{self, Listed};

fn names(what: Listed) -> Vec<CompletionCandidate> {
    let Some(path) = std::env::var_os("KEYWARD_VAULT")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(vault::default_path)
    else {
        return Vec::new();
    };
    let keychain = std::env::var("KEYWARD_KEYCHAIN").unwrap_or_else(|_| "default".into());
    vault::completion_names(&path, what, &keychain)
        .into_iter()
        .map(CompletionCandidate::new)
        .collect()
}

/// Keychain names.
pub fn keychains() -> Vec<CompletionCandidate> {
    names(Listed::Keychains)
}

/// Packages installed in the current keychain (`KEYWARD_KEYCHAIN` or `default`).
pub fn packages() -> Vec<CompletionCandidate> {
    names(Listed::Packages)
}

/// Secret names in the current keychain.
pub fn secrets() -> Vec<CompletionCandidate> {
    names(Listed::Secrets)
}
