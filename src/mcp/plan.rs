//! What `mcp import` will do, decided before anything is fetched or written: each
//! server with a literal key becomes an [`Item`] (the package it runs as, the values it
//! moves, the references it keeps); servers already guarded, holding no literal key, or
//! with nothing to run are listed apart. A keychain holds one value per name and a
//! package one declaration, so conflicts across servers are refused here.

use std::collections::BTreeMap;

use super::config::{ConfigFile, Server};
use super::http::{Move, secret_part};
use super::target::{Target, classify};
use crate::error::{Error, Result};
use crate::output::sanitize;
use crate::registry::{Ecosystem, Source};

/// One server to import.
pub struct Item {
    /// Index of its file in the import's files.
    pub file: usize,
    /// The entry as read.
    pub server: Server,
    /// The package it becomes.
    pub want: Want,
    /// Secret names of the literal values moved into the vault.
    pub keys: Vec<String>,
    /// Where each moved value sits in the entry.
    pub moves: Vec<Move>,
    /// `${…}` references the entry keeps in `env` (their names become the manifest's
    /// `env`).
    pub refs: Vec<(String, String)>,
    /// Variables the client forwards by name (Codex `env_vars`; the manifest's `env`
    /// too).
    pub forward: Vec<String>,
}

impl Item {
    /// The manifest's `env`: the references' names and the forwarded variables.
    pub fn pass(&self) -> Vec<String> {
        self.refs
            .iter()
            .map(|(k, _)| k.clone())
            .chain(self.forward.iter().cloned())
            .collect()
    }

    /// Each moved secret with its value as the config holds it (a kept `Bearer `
    /// taken off).
    pub fn values(&self) -> Vec<(&str, &str)> {
        self.moves
            .iter()
            .filter_map(|m| {
                self.server
                    .env
                    .iter()
                    .chain(&self.server.headers)
                    .find(|(k, _)| *k == m.field)
                    .map(|(_, v)| (m.key.as_str(), secret_part(v, m)))
            })
            .collect()
    }
}

/// The package a server becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    /// A registry install, with the arguments after the package.
    Registry(Source, Vec<String>),
    /// A local package (name, run): a command, or the bridge of an HTTP server.
    Local(String, Vec<String>),
}

impl Want {
    /// What identifies the package across servers.
    pub fn key(&self) -> String {
        match self {
            Want::Registry(src, _) => src.to_string(),
            Want::Local(name, _) => name.clone(),
        }
    }

    /// One phrase for the plan.
    pub fn describe(&self) -> String {
        match self {
            Want::Registry(src, _) => format!("keyward install {src}"),
            Want::Local(name, run) => {
                format!(
                    "local package {name} running `{}`",
                    sanitize(&run.join(" "))
                )
            }
        }
    }

    /// The package name before fetching (a registry package's own manifest may rename it).
    pub fn name(&self) -> String {
        match self {
            Want::Registry(src, _) if src.eco == Ecosystem::Pypi => {
                src.name.to_ascii_lowercase().replace(['_', '.'], "-")
            }
            Want::Registry(src, _) => src.name.clone(),
            Want::Local(name, _) => name.clone(),
        }
    }
}

/// One package's declaration: what it runs, the keys it requests, the caller variables
/// it may see.
pub struct Declared {
    /// The package.
    pub want: Want,
    /// Requested (and approved) keys.
    pub keys: Vec<String>,
    /// The manifest's `env`.
    pub env: Vec<String>,
}

/// Every server of the files, sorted out.
pub struct Found {
    /// Servers to import.
    pub items: Vec<Item>,
    /// Already `keyward run` (labels).
    pub guarded: Vec<String>,
    /// Holding no literal key (labels).
    pub no_keys: Vec<String>,
    /// Not importable, with why.
    pub skipped: Vec<String>,
}

/// `mcp-NAME` for a local package made of server `server`.
pub fn local_name(server: &str) -> String {
    let mut name: String = server
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    name = name.trim_matches('-').to_owned();
    if name.is_empty() {
        name = "server".into();
    }
    format!("mcp-{name}")
}

/// The exact version of a registry server: (server, ecosystem, package, version as
/// written) → the source to install.
pub type PinFn<'a> = dyn FnMut(&Server, Ecosystem, &str, Option<&str>) -> Result<Source> + 'a;

/// Sorts out every server of `files`; `exe` starts keyward (for bridges), `pin` settles
/// a registry server's version.
pub fn found(files: &[ConfigFile], exe: &str, pin: &mut PinFn<'_>) -> Result<Found> {
    let mut out = Found {
        items: Vec::new(),
        guarded: Vec::new(),
        no_keys: Vec::new(),
        skipped: Vec::new(),
    };
    for (fi, f) in files.iter().enumerate() {
        for server in f.servers() {
            let label = format!("{} ({})", server.name, f.path.display());
            let literals: Vec<String> = server
                .literals()
                .iter()
                .map(|(k, _)| (*k).to_owned())
                .collect();
            let target = classify(&server);
            let mut moves: Vec<Move> = literals
                .iter()
                .map(|k| Move {
                    field: k.clone(),
                    key: k.clone(),
                    prefix: String::new(),
                })
                .collect();
            let mut refs: Vec<(String, String)> = server
                .env
                .iter()
                .filter(|(_, v)| Server::is_reference(v))
                .cloned()
                .collect();
            let mut forward = Vec::new();
            let want = match &target {
                Target::Guarded { .. } => {
                    out.guarded.push(label);
                    continue;
                }
                _ if literals.is_empty() => {
                    out.no_keys.push(label);
                    continue;
                }
                Target::Http => {
                    let bridged = super::http::plan(&server, f.client, exe).map_err(|why| {
                        Error::usage(format!("server {label}: {why}; nothing was changed"))
                            .hint("fix the entry (or remove it), then import again")
                    })?;
                    moves = bridged.moves;
                    refs = bridged.refs;
                    forward = bridged.forward;
                    Want::Local(local_name(&server.name), bridged.run)
                }
                Target::Nothing => {
                    out.skipped.push(format!("{label}: no command"));
                    continue;
                }
                Target::Registry {
                    eco,
                    name,
                    version,
                    extra,
                } => Want::Registry(pin(&server, *eco, name, version.as_deref())?, extra.clone()),
                Target::Local { run } => Want::Local(local_name(&server.name), run.clone()),
            };
            if !server.headers.is_empty() && target != Target::Http {
                return Err(Error::general(format!(
                    "server {label} has both a command and headers; keyward cannot tell what the headers are for; nothing was changed"
                ))
                .hint("remove the headers (or the command) from the entry, then import again"));
            }
            let keys: Vec<String> = moves.iter().map(|m| m.key.clone()).collect();
            for key in &keys {
                crate::names::check_name(key).map_err(|e| {
                    Error::usage(format!(
                        "server {label}: env `{}` cannot be a keyward key: {e}; nothing was changed",
                        sanitize(key)
                    ))
                    .hint("rename the variable in the config (the server reads keys under their own names), or keep it as ${VAR}")
                })?;
            }
            out.items.push(Item {
                file: fi,
                server,
                want,
                keys,
                moves,
                refs,
                forward,
            });
        }
    }
    Ok(out)
}

/// Each moved value by name, with the first server that sets it; two servers setting
/// different values under one name are refused.
pub fn values(items: &[Item]) -> Result<BTreeMap<String, (String, String)>> {
    let mut values: BTreeMap<String, (String, String)> = BTreeMap::new();
    for item in items {
        for (key, value) in item.values() {
            if let Some((v, first)) = values.get(key)
                && v != value
            {
                return Err(Error::general(format!(
                    "{key} has different values in servers {first} and {}; a keychain holds one value per name; nothing was changed",
                    item.server.name
                ))
                .hint("import one of them into another keychain: keyward -k NAME mcp import FILE"));
            }
            values.insert(key.to_owned(), (value.to_owned(), item.server.name.clone()));
        }
    }
    Ok(values)
}

/// One declaration per package; servers that run one package differently are refused.
pub fn packages(items: &[Item]) -> Result<BTreeMap<String, Declared>> {
    let mut packages: BTreeMap<String, Declared> = BTreeMap::new();
    for item in items {
        let env = item.pass();
        let d = packages.entry(item.want.key()).or_insert_with(|| Declared {
            want: item.want.clone(),
            keys: item.keys.clone(),
            env: env.clone(),
        });
        if d.want != item.want || d.keys != item.keys || d.env != env {
            return Err(Error::general(format!(
                "servers that run {} differ in their arguments or keys; keyward installs one declaration per package; nothing was changed",
                item.want.key()
            ))
            .hint("make their entries alike, or import them one file at a time into different keychains"));
        }
    }
    Ok(packages)
}
