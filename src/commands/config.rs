//! `keyward config export` and `config apply FILE [--prune]`: the keychain's packages
//! and grants as a JSON file that CI can commit and apply, all or nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cli::ConfigCommand;
use crate::commands::Ctx;
use crate::commands::render::{AppliedDoc, PackageKey, SyncedDoc};
use crate::error::{Error, Kind, Result};
use crate::keychain::{
    Endpoints, InstallKind, Installed, Keychain, Plan, Planned, Role, requested_list,
};
use crate::output::print_line;
use crate::registry::install::Prepared;

/// Largest config file read.
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// One package in the config file. Unknown fields are refused: a misspelt `sha256`
/// must not silently turn the pin check off.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Expected manifest version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Exactly the keys to approve.
    #[serde(default)]
    pub keys: Vec<String>,
    /// Package directory, relative to the config file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Registry package in place of `path`: `npm:NAME@VERSION` / `pypi:NAME==VERSION`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// For a `source` whose keys the owner declared: its `run` (with `keys`, that
    /// declaration is made again on a machine that fetches it anew).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<Vec<String>>,
    /// Expected `kw1:` digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Keys whose value comes from OpenBao: `{"KEY": "openbao:MOUNT/PATH#FIELD"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, String>,
    /// The endpoints the gateway serves (the seed's field): absent or `{}` is every one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Permissions>,
}

/// `"permissions": {"endpoints": ["GET /forecast", …]}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permissions {
    /// Only these endpoints; absent means every one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<String>>,
}

/// What an entry's `permissions` asks for, each endpoint checked.
fn wanted_endpoints(at: &str, entry: &Entry) -> Result<Endpoints> {
    let Some(list) = entry
        .permissions
        .as_ref()
        .and_then(|p| p.endpoints.as_ref())
    else {
        return Ok(Endpoints::All);
    };
    let set = list
        .iter()
        .map(|e| {
            crate::endpoints::parse(e).map_err(|why| {
                Error::general(format!(
                    "{at}: permissions.endpoints: {why}; nothing was applied"
                ))
                .code("config-invalid")
                .hint("write each as \"METHOD /path\", e.g. \"GET /forecast\"")
            })
        })
        .collect::<Result<_>>()?;
    Ok(Endpoints::Only(set))
}

/// Dispatches the config subcommands.
pub fn cmd_config(ctx: &Ctx, cmd: &ConfigCommand) -> Result<()> {
    match cmd {
        ConfigCommand::Export { output, packages } => export(ctx, output.as_deref(), packages),
        ConfigCommand::Apply { file, prune } => apply(ctx, file, *prune),
    }
}

fn export(ctx: &Ctx, output: Option<&Path>, only: &[String]) -> Result<()> {
    let kc = ctx.open(Role::Any)?;
    let loaded = kc.packages()?;
    // Named packages are resolved as every command resolves PACKAGE (name or path).
    let mut wanted = BTreeSet::new();
    for arg in only {
        wanted.insert(kc.package(arg)?.name().to_owned());
    }
    let base = match output {
        Some(file) => Base::File(output_folder(file)?),
        None => Base::Cwd(std::env::current_dir().ok()),
    };
    let source_rows = kc.sources()?;
    let mut doc = BTreeMap::new();
    for inst in &loaded.packages {
        if !wanted.is_empty() && !wanted.contains(inst.name()) {
            continue;
        }
        let keys = inst.granted_requested();
        let origin = crate::registry::origin(&ctx.vault_path, &inst.row.path, &inst.row.manifest)
            .filter(|o| o.registry().is_some());
        let run = origin
            .as_ref()
            .filter(|o| o.owner_declared())
            .map(|_| inst.manifest.run.clone());
        let source = origin.map(|o| o.source);
        let sources = keys
            .iter()
            .filter_map(|k| {
                source_rows
                    .iter()
                    .find(|r| &r.name == k)
                    .map(|r| (k.clone(), r.source.clone()))
            })
            .collect();
        doc.insert(
            inst.name().to_owned(),
            Entry {
                version: Some(inst.row.version.clone()),
                keys,
                path: source
                    .is_none()
                    .then(|| base.show(Path::new(&inst.row.path))),
                source,
                run,
                sha256: Some(inst.row.digest.clone()),
                sources,
                permissions: match kc.endpoints(inst)? {
                    Endpoints::All => None,
                    Endpoints::Only(set) => Some(Permissions {
                        endpoints: Some(set.into_iter().collect()),
                    }),
                },
            },
        );
    }
    let text = serde_json::to_string_pretty(&doc).expect("the config serialises");
    match output {
        None => print_line(&text),
        Some(file) => {
            write_atomically(file, format!("{text}\n").as_bytes())?;
            ctx.out.info(format!(
                "Wrote {} package(s) to {}; their paths are relative to its folder, as `keyward config apply {}` reads them.",
                doc.len(),
                file.display(),
                file.display()
            ));
        }
    }
    kc.ensure_untampered(&loaded.tampered)
}

/// What exported paths are relative to.
enum Base {
    /// stdout: the current directory; packages outside it keep their absolute path.
    Cwd(Option<PathBuf>),
    /// `-o FILE`: FILE's folder (canonical), with `..` where needed.
    File(PathBuf),
}

impl Base {
    fn show(&self, path: &Path) -> String {
        let shown = match self {
            Base::Cwd(cwd) => cwd
                .as_deref()
                .and_then(|c| path.strip_prefix(c).ok())
                .map_or_else(|| path.to_path_buf(), Path::to_path_buf),
            Base::File(dir) => relative_to(dir, path),
        };
        if shown.as_os_str().is_empty() {
            ".".to_owned()
        } else {
            shown.to_string_lossy().into_owned()
        }
    }
}

/// The canonical folder of `file`, which must exist.
fn output_folder(file: &Path) -> Result<PathBuf> {
    let parent = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::canonicalize(&parent).map_err(|e| {
        Error::not_found(format!(
            "cannot write {}: its folder {} cannot be opened: {e}; nothing was written",
            file.display(),
            parent.display()
        ))
        .code("no-folder")
        .hint("create the folder first (mkdir -p), or choose another -o FILE")
    })
}

/// `target` (absolute) as a path relative to `base` (absolute), with `..` steps.
fn relative_to(base: &Path, target: &Path) -> PathBuf {
    let base: Vec<_> = base.components().collect();
    let target: Vec<_> = target.components().collect();
    let common = base.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..base.len() {
        out.push("..");
    }
    for part in &target[common..] {
        out.push(part);
    }
    out
}

/// Writes `bytes` to `file` through a temporary file in the same folder and a rename,
/// so a reader never sees half a config.
fn write_atomically(file: &Path, bytes: &[u8]) -> Result<()> {
    let failed = |e: std::io::Error| {
        Error::general(format!(
            "cannot write {}: {e}; nothing was written",
            file.display()
        ))
        .code("write-failed")
        .hint("check the folder's permissions and free space, or choose another -o FILE")
    };
    let name = file.file_name().ok_or_else(|| {
        Error::usage(format!("-o {}: not a file name", file.display()))
            .hint("name a file, e.g. -o keyward.json")
    })?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".keyward-{}.tmp", std::process::id()));
    let tmp = file.with_file_name(tmp_name);
    std::fs::write(&tmp, bytes).map_err(failed)?;
    std::fs::rename(&tmp, file).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        failed(e)
    })
}

fn read_config(file: &Path) -> Result<BTreeMap<String, Entry>> {
    let bad =
        |why: String| Error::general(format!("{}: {why}", file.display())).code("config-invalid");
    let meta = std::fs::metadata(file)
        .map_err(|e| Error::not_found(format!("cannot read {}: {e}", file.display())))?;
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(bad(format!("larger than {} MiB", MAX_CONFIG_BYTES >> 20)));
    }
    let bytes = std::fs::read(file).map_err(|e| bad(e.to_string()))?;
    let entries: Entries = serde_json::from_slice(&bytes).map_err(|e| {
        bad(format!("not a keyward config: {e}"))
            .hint(r#"expected {"@scope/name": {"path": "dir", "keys": ["KEY"], "version": "…", "sha256": "kw1:…"}}"#)
    })?;
    Ok(entries.0)
}

/// The top-level object, refusing a package named twice (JSON parsers keep the last).
struct Entries(BTreeMap<String, Entry>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of packages")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Entries, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((name, entry)) = map.next_entry::<String, Entry>()? {
                    if out.insert(name.clone(), entry).is_some() {
                        return Err(serde::de::Error::custom(format!(
                            "package `{name}` is named twice"
                        )));
                    }
                }
                Ok(Entries(out))
            }
        }
        de.deserialize_map(Visit)
    }
}

fn apply(ctx: &Ctx, file: &Path, prune: bool) -> Result<()> {
    let config = read_config(file)?;
    let base = file
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut kc = ctx.open(Role::Owner("applying a config"))?;
    // Everything is hashed and checked before the single write transaction.
    let mut work: Vec<Planned> = Vec::new();
    let mut prepared_all = Vec::new();
    let mut endpoints = Vec::new();
    for (name, entry) in &config {
        let at = format!("{}: `{name}`", file.display());
        endpoints.push((name.as_str(), wanted_endpoints(&at, entry)?));
        let (plan, prepared) = plan_entry(ctx, &kc, file, &base, name, entry)?;
        prepared_all.push(prepared);
        let wanted: BTreeSet<String> = entry.keys.iter().cloned().collect();
        work.push((plan, wanted));
    }
    let installed = if prune {
        kc.packages()?.packages
    } else {
        Vec::new()
    };
    let pruned: Vec<&Installed> = installed
        .iter()
        .filter(|p| !config.contains_key(p.name()))
        .collect();
    let changing: Vec<&Planned> = work
        .iter()
        .filter(|(plan, wanted)| plan.changes_with(wanted))
        .collect();
    let fetched = fetch_sources(&kc, file, &config)?;
    let present = kc.secret_names()?;
    let missing: Vec<(&str, &str)> = work
        .iter()
        .flat_map(|(p, w)| {
            w.iter()
                .filter(|k| !present.contains(*k) && !fetched.iter().any(|f| &f.0 == *k))
                .map(move |k| (k.as_str(), p.manifest.name.as_str()))
        })
        .collect();
    if !changing.is_empty() || !pruned.is_empty() {
        kc.apply_config(file, &changing, &pruned)?;
        for (prepared, (plan, _)) in prepared_all.into_iter().zip(&work) {
            if let Some(p) = prepared {
                p.commit(&ctx.vault_path, plan);
            }
        }
        for inst in &pruned {
            crate::registry::install::remove_uninstalled(&ctx.vault_path, inst);
        }
    }
    // After the grants, so each value's shared copy is made with it.
    let mut sourced = Vec::new();
    for (name, source, value, kv_version, before) in &fetched {
        let version = kc.set_sourced(name, value, source, *kv_version)?;
        sourced.push(SyncedDoc {
            name: name.clone(),
            source: source.clone(),
            from_kv_version: *before,
            kv_version: *kv_version,
            version,
        });
    }
    // Declarative like the rest: absent `permissions` means every endpoint again.
    let mut restricted = Vec::new();
    for (name, wanted) in &endpoints {
        let inst = kc.package(name)?;
        if kc.set_endpoints(&inst, wanted)? {
            restricted.push(*name);
        }
    }
    report(ctx, &changing, &pruned, &missing, &sourced, &restricted);
    Ok(())
}

/// A value read for a config's `sources`: key, source, value, KV version, and the KV
/// version stored before (when the key followed a source already).
type Fetched = (String, String, crate::secret::SecretBytes, u64, Option<u64>);

/// Reads from OpenBao the `sources` the keychain does not follow yet (a key with no
/// source row, or one pointing elsewhere), before anything is written. A key already
/// following its source is left to `secret sync`, so applying twice changes nothing.
fn fetch_sources(
    kc: &Keychain,
    file: &Path,
    config: &BTreeMap<String, Entry>,
) -> Result<Vec<Fetched>> {
    let mut wanted: BTreeMap<&str, (crate::openbao::Source, &str)> = BTreeMap::new();
    for (package, entry) in config {
        for (key, text) in &entry.sources {
            let at = format!("{}: `{package}`: sources.{key}", file.display());
            crate::names::check_name(key)?;
            if !entry.keys.contains(key) {
                return Err(Error::general(format!(
                    "{at}: {key} is not in the entry's `keys`; nothing was applied"
                ))
                .code("config-invalid")
                .hint(format!("add {key} to `keys`, or drop its source")));
            }
            let Some(rest) = text.strip_prefix("openbao:") else {
                return Err(Error::general(format!(
                    "{at}: `{}` is not a source keyward knows; nothing was applied",
                    crate::output::sanitize(text)
                ))
                .code("config-invalid")
                .hint("write it as openbao:MOUNT/PATH#FIELD, e.g. openbao:secret/stripe#key"));
            };
            let source = crate::openbao::Source::parse(rest).map_err(|e| {
                Error::general(format!("{at}: {}; nothing was applied", e.message))
                    .code("config-invalid")
            })?;
            if let Some((other, _)) = wanted.get(key.as_str())
                && other != &source
            {
                return Err(Error::general(format!(
                    "{at}: {key} is sourced from both {} and {}; nothing was applied",
                    other.display(),
                    source.display()
                ))
                .code("config-invalid")
                .hint("a key has one value in a keychain: give it one source"));
            }
            wanted.insert(key, (source, package));
        }
    }
    let rows = kc.sources()?;
    let mut client = None;
    let mut fetched = Vec::new();
    for (key, (source, _)) in wanted {
        let shown = source.display();
        let row = rows.iter().find(|r| r.name == key);
        if row.is_some_and(|r| r.verified && r.source == shown) {
            continue;
        }
        if client.is_none() {
            client = Some(crate::openbao::Client::from_env()?);
        }
        let c = client.as_ref().expect("just built");
        let (value, kv_version) = c
            .kv_read(&source)
            .map_err(|e| e.hint("nothing was applied"))?;
        super::secret::check_value(key, &value)?;
        fetched.push((
            key.to_owned(),
            shown,
            value,
            kv_version,
            row.map(|r| r.kv_version),
        ));
    }
    Ok(fetched)
}

fn plan_entry(
    ctx: &Ctx,
    kc: &Keychain,
    file: &Path,
    base: &Path,
    name: &str,
    entry: &Entry,
) -> Result<(Plan, Option<Prepared>)> {
    let at = |what: String| format!("{}: `{name}`: {what}", file.display());
    let (plan, prepared, path) = match (&entry.path, &entry.source) {
        (Some(_), Some(_)) => {
            return Err(Error::general(at("has both `path` and `source`".into()))
                .code("config-invalid")
                .hint("keep one: `path` for a folder, `source` for a registry package"));
        }
        (None, None) => {
            return Err(Error::general(at("has no `path` (or `source`)".into()))
                .code("config-invalid")
                .hint(
                "give the package directory, relative to the config file, or \"source\": \"npm:NAME@VERSION\"",
            ));
        }
        (Some(path), None) => {
            if entry.run.is_some() {
                return Err(
                    Error::general(at("has `run`, which only a `source` takes".into()))
                        .code("config-invalid")
                        .hint("a package folder declares its run in its own instant.package.json"),
                );
            }
            (kc.plan(&base.join(path), &ctx.out)?, None, path.clone())
        }
        (None, Some(source)) => {
            let src = crate::registry::parse_source(source)
                .map_err(|e| Error::usage(at(e.message.clone())).hint(e.hints.join("; ")))?;
            let prepared = crate::registry::install::prepare(
                kc,
                &ctx.vault_path,
                &src,
                &crate::registry::Overlay {
                    keys: entry.keys.clone(),
                    run: entry.run.clone().unwrap_or_default(),
                    fallback: true,
                    ..crate::registry::Overlay::default()
                },
                false,
                &ctx.out,
            )?;
            let plan = kc.plan(prepared.path(), &ctx.out)?;
            (plan, Some(prepared), src.to_string())
        }
    };
    if plan.manifest.name != name {
        return Err(Error::general(at(format!(
            "the manifest at `{path}` is named `{}`",
            plan.manifest.name
        )))
        .code("config-mismatch"));
    }
    if let Some(expected) = &entry.sha256
        && expected != &plan.tree.digest
    {
        let found = &plan.tree.digest;
        return Err(Error::new(
            Kind::Changed,
            at(format!(
                "digest is {found}, the config pins {expected}; nothing was applied"
            )),
        )
        .code("package-changed")
        .hint(format!(
            "review the change with `keyward install {path}`, or update `sha256` in the config"
        )));
    }
    if let Some(expected) = &entry.version
        && expected != &plan.manifest.version
    {
        let found = &plan.manifest.version;
        return Err(Error::general(at(format!(
            "version is `{found}`, the config expects `{expected}`; nothing was applied"
        )))
        .code("version-mismatch")
        .hint(format!(
            "if `{found}` is the version you mean to run, review it with `keyward install {path}` \
             and update `version` (and `sha256`) in the config"
        )));
    }
    for key in &entry.keys {
        if plan.manifest.requests(key).is_none() {
            return Err(Error::denied(at(format!("lists {key}, which the manifest does not request; a package gets only keys its manifest asks for; nothing was applied")))
                .code("not-requested")
                .hint(format!("requested keys: {}", requested_list(&plan.manifest)))
                .hints_from(crate::names::nearest(key, plan.manifest.keys.iter().map(|k| k.name.as_str()))
                    .map(|n| format!("did you mean {n}?"))));
        }
    }
    Ok((plan, prepared))
}

fn report(
    ctx: &Ctx,
    changing: &[&Planned],
    pruned: &[&Installed],
    missing: &[(&str, &str)],
    sourced: &[SyncedDoc],
    endpoints: &[&str],
) {
    let changed: Vec<&str> = changing
        .iter()
        .map(|(p, _)| p.manifest.name.as_str())
        .collect();
    let gone: Vec<&str> = pruned.iter().map(|p| p.name()).collect();
    if ctx.out.json {
        ctx.out.json_doc(&AppliedDoc {
            changed: &changed,
            pruned: &gone,
            missing_values: missing
                .iter()
                .map(|(key, package)| PackageKey {
                    package: (*package).to_owned(),
                    key: (*key).to_owned(),
                })
                .collect(),
            sourced,
            endpoints,
        });
    } else if changed.is_empty() && gone.is_empty() && sourced.is_empty() && endpoints.is_empty() {
        ctx.out
            .info("The keychain already matches the config; nothing changed.");
    } else {
        for (plan, wanted) in changing {
            let keys: Vec<&str> = wanted.iter().map(String::as_str).collect();
            ctx.out.info(format!(
                "{} {}: approved {}",
                plan.manifest.name,
                if plan.kind == InstallKind::New {
                    "installed"
                } else {
                    "updated"
                },
                if keys.is_empty() {
                    "nothing".into()
                } else {
                    keys.join(", ")
                }
            ));
        }
        for name in &gone {
            ctx.out
                .info(format!("{name} uninstalled (not in the config)"));
        }
        for name in endpoints {
            ctx.out.info(format!(
                "{name}: endpoint permissions set as the config says"
            ));
        }
        for s in sourced {
            ctx.out.info(format!(
                "{}: stored from {} (KV version {}) as version {}",
                s.name, s.source, s.kv_version, s.version
            ));
        }
    }
    for (key, package) in missing {
        ctx.out.warn(format!(
            "no value for {key} (for {package}): keyward secret set {key}"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::relative_to;
    use std::path::{Path, PathBuf};

    #[test]
    fn relative_paths_climb_with_dot_dot() {
        let rel = |b: &str, t: &str| relative_to(Path::new(b), Path::new(t));
        assert_eq!(rel("/p", "/p/tools/x"), PathBuf::from("tools/x"));
        assert_eq!(rel("/p/ci", "/p/tools/x"), PathBuf::from("../tools/x"));
        assert_eq!(rel("/p/tools/x", "/p/tools/x"), PathBuf::new());
        assert_eq!(rel("/a/b", "/c"), PathBuf::from("../../c"));
    }
}
