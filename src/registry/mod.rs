//! Registry packages: `npm:NAME@VERSION` and `pypi:NAME==VERSION`.
//!
//! [`fetch`] puts one exact version, with its dependencies, into a new store folder
//! using the ecosystem's own client, checks the registry's integrity values, writes the
//! package's manifest as the tree's `instant.package.json` (so it is pinned with the
//! code), and makes the tree read-only. The folder is then installed like any package
//! folder: its `kw1:` digest is the pin.
//!
//! Where the manifest came from and the source are recorded inside that manifest, under
//! `"keyward"`, which is pinned and MAC'd with the installation row; [`origin`] reads it
//! back, only for folders in the store (a local package cannot claim a source).

pub mod install;
pub mod spec;
pub mod store;

mod npm;
mod pypi;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

pub use spec::{Ecosystem, Source, is_registry};
pub use store::StoreDir;

use crate::digest::MANIFEST_FILE as MANIFEST_FILE_NAME;
use crate::error::{Error, Result};

/// What the owner declares for a package that ships no manifest of its own.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    /// A whole manifest written by the owner (`--manifest FILE`).
    pub manifest: Option<PathBuf>,
    /// Keys the package needs (`--key`), all required.
    pub keys: Vec<String>,
    /// The argv (`--run`); default: the package's own entry point.
    pub run: Vec<String>,
    /// Caller variables (not secrets) the package may see (`${VAR}` references of an
    /// MCP config's `env`).
    pub env: Vec<String>,
    /// Arguments appended to the default entry point (from an MCP config's `args`).
    pub extra_args: Vec<String>,
    /// Use the overlay only when the package declares nothing itself (`mcp import`),
    /// instead of refusing to override the package's own declaration.
    pub fallback: bool,
}

impl Overlay {
    /// Whether the owner declared anything.
    pub fn given(&self) -> bool {
        self.manifest.is_some() || !self.keys.is_empty() || !self.run.is_empty()
    }
}

/// Where an installation's manifest came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `npm:NAME@VERSION`, `pypi:NAME==VERSION`, or `local:COMMAND` for an imported
    /// local MCP server.
    pub source: String,
    /// `package` (its own instant.package.json), `server.json`, `owner-declared`, or
    /// `derived` (no declaration: no keys, the default entry point).
    pub manifest: String,
}

impl Origin {
    /// Whether the owner, not the package, declared its keys.
    pub fn owner_declared(&self) -> bool {
        self.manifest == "owner-declared"
    }

    /// Whether it came from a registry (not a local command).
    pub fn registry(&self) -> Option<&str> {
        is_registry(&self.source).then_some(self.source.as_str())
    }
}

/// The origin of an installation at `path` pinned with `manifest` bytes, when `path` is
/// a folder of the store beside `vault_path`.
pub fn origin(vault_path: &Path, path: &str, manifest: &[u8]) -> Option<Origin> {
    if !store::contains(&store::root(vault_path), Path::new(path)) {
        return None;
    }
    let value: Value = serde_json::from_slice(manifest).ok()?;
    let k = value.get("keyward")?;
    Some(Origin {
        source: k.get("source")?.as_str()?.to_owned(),
        manifest: k.get("manifest")?.as_str()?.to_owned(),
    })
}

/// A store folder filled and checked, ready to be planned like any package folder.
pub struct Fetched {
    /// The folder (removed on drop unless kept).
    pub dir: StoreDir,
    /// What was checked, one line each, for the owner.
    pub checks: Vec<String>,
    /// Where the manifest came from.
    pub origin: Origin,
}

/// The newest exact version the registry reports, for hints.
pub fn latest(eco: Ecosystem, name: &str) -> Option<String> {
    match eco {
        Ecosystem::Npm => npm::latest(name),
        Ecosystem::Pypi => pypi::latest(name),
    }
}

/// Parses an `install` argument as a registry source (floating versions refused).
pub fn parse_source(arg: &str) -> Result<Source> {
    Source::parse(arg, latest)
}

/// Fetches `src` into a new folder of the store beside `vault_path`.
pub fn fetch(
    vault_path: &Path,
    src: &Source,
    overlay: &Overlay,
    allow_build: bool,
) -> Result<Fetched> {
    let root = store::root(vault_path);
    let dir = StoreDir::create(&root, &src.folder_stem())?;
    let scratch = StoreDir::create(&root, ".scratch")?;
    let mut checks = Vec::new();
    let (declared, default_run, launcher, description) = match src.eco {
        Ecosystem::Npm => {
            let f = npm::fetch(src, dir.path(), scratch.path())?;
            checks.push(format!(
                "integrity: the tarball of {src} matches the registry's {} (checked by keyward), and each of the {} package(s) in the tree matched its package-lock.json integrity (checked by npm); no install script ran",
                short_sri(&f.integrity),
                f.packages
            ));
            let pkg_root = dir.path().join(&f.root);
            let declared = declared_manifest(&pkg_root, &f.root, src)?;
            let description = f.package_json["description"].as_str().map(str::to_owned);
            (declared, npm::default_run(src, &f), None, description)
        }
        Ecosystem::Pypi => {
            let f = pypi::fetch(src, dir.path(), scratch.path(), allow_build)?;
            checks.push(format!(
                "integrity: {} file(s) matched the sha256 the index publishes ({} --require-hashes){}",
                f.files.len(),
                f.client,
                if allow_build {
                    "; --allow-build: source distributions were built, running their build scripts"
                } else {
                    "; wheels only, no build script ran"
                }
            ));
            let (run, launcher) = match pypi::default_run(src, &f) {
                Some((run, launcher)) => (Some(run), Some(launcher)),
                None => (None, None),
            };
            (None, run, launcher, f.summary.clone())
        }
    };
    drop(scratch);
    let (mut manifest, how) = match declared {
        Some(found) if overlay.given() && !overlay.fallback => {
            return Err(Error::usage(format!(
                "{src} declares its own keys ({}); --key, --run and --manifest are only for packages that declare none",
                found.1
            ))
            .hint("drop --key/--run/--manifest to use the package's own declaration"));
        }
        Some((m, how)) => (m, how),
        None => owner_manifest(src, overlay, default_run.clone(), description.as_deref())?,
    };
    if manifest.get("run").is_none() || manifest["run"].as_array().is_some_and(Vec::is_empty) {
        let Some(mut run) = default_run.clone() else {
            return Err(Error::usage(format!(
                "{src} has no entry point keyward can find (no npm `bin`, no console script)"
            ))
            .hint("say how to start it: --run CMD… (`./` is the store folder, e.g. ./node_modules/NAME/cli.js or ./site/…)"));
        };
        run.extend(overlay.extra_args.iter().cloned());
        manifest["run"] = json!(run);
    }
    let uses_launcher = manifest["run"]
        .as_array()
        .is_some_and(|r| r.iter().any(|a| a == "./keyward-run.py"));
    if let (true, Some(text)) = (uses_launcher, launcher) {
        write_file(&dir.path().join("keyward-run.py"), text.as_bytes())?;
    }
    let origin = Origin {
        source: src.to_string(),
        manifest: how.to_owned(),
    };
    manifest["keyward"] = json!({"source": origin.source, "manifest": origin.manifest});
    let bytes = serde_json::to_vec_pretty(&manifest).expect("a manifest serialises");
    let file = dir.path().join(MANIFEST_FILE_NAME);
    crate::manifest::parse(&bytes, &file).map_err(|e| {
        Error::usage(format!("the manifest for {src} is not valid: {e}"))
            .hint("fix the --key/--run/--manifest you gave")
    })?;
    write_file(&file, &bytes)?;
    store::make_read_only(dir.path())?;
    checks.push(match how {
        "package" => format!("manifest: {src}'s own instant.package.json"),
        "server.json" => format!("manifest: derived from {src}'s MCP server.json"),
        "owner-declared" => "manifest: owner-declared (the package declares no keys itself)".into(),
        _ => format!(
            "manifest: {src} declares no keys (no instant.package.json, no server.json), so it gets none; declare them with --key NAME"
        ),
    });
    Ok(Fetched {
        dir,
        checks,
        origin,
    })
}

/// A local MCP server's command as a package in the store: a folder holding only the
/// owner-declared manifest, whose `run` is the command. Only the manifest is pinned.
pub fn local_command(
    vault_path: &Path,
    name: &str,
    keys: &[String],
    env: &[String],
    run: &[String],
) -> Result<Fetched> {
    let root = store::root(vault_path);
    let stem: String = format!("local-{name}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let dir = StoreDir::create(&root, &stem)?;
    let origin = Origin {
        source: format!("local:{}", run.join(" ")),
        manifest: "owner-declared".into(),
    };
    // `keyward mcp bridge --url URL …`: an HTTP server, reached through keyward itself.
    let bridged = run.get(1..4).and_then(|w| {
        (w[0] == "mcp" && w[1] == "bridge" && w[2] == "--url")
            .then(|| run.get(4))
            .flatten()
    });
    let (description, check) = match bridged {
        Some(url) => (
            "An MCP HTTP server, reached through keyward mcp bridge (imported by keyward mcp import)".to_owned(),
            format!("HTTP server {url}: run through keyward's own bridge, which sends the keys in its headers to that URL only"),
        ),
        None => (
            "An MCP server's local command, imported by keyward mcp import".to_owned(),
            "local command: only its command line is pinned, not the code it runs; install its folder as a package to pin that too".to_owned(),
        ),
    };
    let manifest = json!({
        "name": name,
        "version": "local",
        "description": description,
        "keys": keys,
        "env": env,
        "run": run,
        "keyward": {"source": origin.source, "manifest": origin.manifest},
    });
    let bytes = serde_json::to_vec_pretty(&manifest).expect("a manifest serialises");
    let file = dir.path().join(MANIFEST_FILE_NAME);
    crate::manifest::parse(&bytes, &file)
        .map_err(|e| Error::usage(format!("cannot declare a package for `{name}`: {e}")))?;
    write_file(&file, &bytes)?;
    store::make_read_only(dir.path())?;
    Ok(Fetched {
        dir,
        checks: vec![check],
        origin,
    })
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| {
        Error::general(format!("cannot write {}: {e}", path.display()))
            .hint("check free space and permissions of the vault's folder")
    })
}

fn short_sri(sri: &str) -> String {
    sri.chars().take(20).collect::<String>() + "…"
}

/// The package's own declaration: its instant.package.json, else its MCP server.json.
/// `prefix` is where the package sits in the tree (its `./` run elements move there).
fn declared_manifest(
    pkg_root: &Path,
    prefix: &str,
    src: &Source,
) -> Result<Option<(Value, &'static str)>> {
    let own = pkg_root.join(MANIFEST_FILE_NAME);
    if let Ok(bytes) = std::fs::read(&own) {
        crate::manifest::parse(&bytes, &own).map_err(|e| {
            Error::general(format!("{src} ships an invalid instant.package.json: {e}"))
                .hint("report it to the package's authors; or pick another version")
        })?;
        let mut m: Value = serde_json::from_slice(&bytes).expect("parsed above");
        if let Some(run) = m.get_mut("run").and_then(Value::as_array_mut) {
            for a in run.iter_mut() {
                if let Some(rest) = a.as_str().and_then(|s| s.strip_prefix("./")) {
                    *a = json!(format!("./{prefix}/{rest}"));
                }
            }
        }
        m.as_object_mut().map(|o| o.remove("keyward"));
        return Ok(Some((m, "package")));
    }
    let Some(server) = std::fs::read(pkg_root.join("server.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    else {
        return Ok(None);
    };
    let packages = server["packages"].as_array().cloned().unwrap_or_default();
    let eco = src.eco.word();
    let entry = packages
        .iter()
        .find(|p| {
            let kind = p["registryType"]
                .as_str()
                .or(p["registry_type"].as_str())
                .or(p["registry_name"].as_str());
            let id = p["identifier"].as_str().or(p["name"].as_str());
            kind == Some(eco) && id == Some(src.name.as_str())
        })
        .or(packages.first());
    let Some(entry) = entry else {
        return Ok(None);
    };
    let vars = entry["environmentVariables"]
        .as_array()
        .or(entry["environment_variables"].as_array())
        .cloned()
        .unwrap_or_default();
    let mut keys = Vec::new();
    let mut env = Vec::new();
    for v in &vars {
        let Some(name) = v["name"].as_str() else {
            continue;
        };
        if v["isSecret"].as_bool().or(v["is_secret"].as_bool()) == Some(true) {
            let mut k = json!({"name": name});
            if v["isRequired"].as_bool().or(v["is_required"].as_bool()) != Some(true) {
                k["optional"] = json!(true);
            }
            if let Some(d) = v["description"].as_str() {
                k["description"] = json!(d);
            }
            keys.push(k);
        } else {
            env.push(json!(name));
        }
    }
    let mut m = json!({
        "name": src.name,
        "version": src.version,
        "keys": keys,
        "env": env,
    });
    if let Some(d) = server["description"].as_str() {
        m["description"] = json!(d);
    }
    Ok(Some((m, "server.json")))
}

/// The owner's overlay, or (none given) a manifest with no keys.
fn owner_manifest(
    src: &Source,
    overlay: &Overlay,
    default_run: Option<Vec<String>>,
    description: Option<&str>,
) -> Result<(Value, &'static str)> {
    let name = match src.eco {
        Ecosystem::Npm => src.name.clone(),
        Ecosystem::Pypi => pypi::normalize(&src.name),
    };
    if let Some(file) = &overlay.manifest {
        let bytes = std::fs::read(file).map_err(|e| {
            Error::not_found(format!("cannot read --manifest {}: {e}", file.display()))
                .hint("give the path of an instant.package.json you wrote for this package")
        })?;
        crate::manifest::parse(&bytes, file).map_err(|e| Error::usage(e.to_string()))?;
        let mut m: Value = serde_json::from_slice(&bytes).expect("parsed above");
        m.as_object_mut().map(|o| o.remove("keyward"));
        return Ok((m, "owner-declared"));
    }
    let mut m = json!({"name": name, "version": src.version});
    if let Some(d) = description {
        m["description"] = json!(d.chars().take(500).collect::<String>());
    }
    m["keys"] = json!(overlay.keys);
    if !overlay.env.is_empty() {
        m["env"] = json!(overlay.env);
    }
    if !overlay.run.is_empty() {
        m["run"] = json!(overlay.run);
    } else if let Some(mut run) = default_run {
        run.extend(overlay.extra_args.iter().cloned());
        m["run"] = json!(run);
    }
    let how = if overlay.given() {
        "owner-declared"
    } else {
        "derived"
    };
    Ok((m, how))
}
