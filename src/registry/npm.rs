//! npm packages, fetched with `npm` itself so the user's registry settings (`.npmrc`,
//! `npm_config_*`) apply. No lifecycle script runs (`--ignore-scripts`). The tarball's
//! sha512 is checked against the registry's `dist.integrity` by keyward, and every
//! installed package's against package-lock.json by npm.

use std::path::Path;

use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha512};

use super::spec::Source;
use super::store::{tail, tool};
use crate::error::{Error, Result};

/// The newest version the registry reports (`npm view NAME version`).
pub fn latest(name: &str) -> Option<String> {
    let out = tool(
        "npm",
        &["view", name, "version"],
        "look up the newest version",
    )
    .ok()?;
    let v = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !v.is_empty()).then_some(v)
}

/// What was fetched and checked.
pub struct Fetched {
    /// The registry's `dist.integrity` of the root package, matched by its tarball.
    pub integrity: String,
    /// Packages in the tree (the root and its dependencies), each checked by npm.
    pub packages: usize,
    /// The root package's package.json.
    pub package_json: Value,
    /// Where the root package is in the tree, relative to it.
    pub root: String,
}

fn npm_failed(what: &str, src: &Source, out: &std::process::Output) -> Error {
    let stderr = tail(&out.stderr);
    if stderr.contains("EINTEGRITY") {
        return Error::integrity(format!(
            "npm refused {src}: its tarball does not match the integrity the registry publishes; nothing was installed\n  | {stderr}"
        ))
        .code("registry-integrity")
        .hint("the registry or a mirror in between serves altered files: check your npm registry settings (`npm config get registry`)");
    }
    Error::general(format!(
        "`npm {what}` failed for {src}; nothing was installed\n  | {stderr}"
    ))
    .code("registry-fetch")
    .hint("check the name and version (`npm view NAME versions`) and your npm registry settings")
}

/// Fetches `src` and its dependencies into `dir` (empty), checking integrity.
pub fn fetch(src: &Source, dir: &Path, scratch: &Path) -> Result<Fetched> {
    let spec = format!("{}@{}", src.name, src.version);
    let dir_s = dir.to_str().expect("store paths are UTF-8");
    // 1. What the registry says the tarball is.
    let out = tool(
        "npm",
        &["view", &spec, "dist.integrity"],
        "read the registry's integrity",
    )?;
    if !out.status.success() {
        return Err(npm_failed("view", src, &out));
    }
    let expected = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if expected.is_empty() {
        return Err(Error::not_found(format!(
            "the npm registry has no version {} of {}; nothing was installed",
            src.version, src.name
        ))
        .hint(format!("see `npm view {} versions`", src.name)));
    }
    if !expected.starts_with("sha512-") {
        return Err(Error::integrity(format!(
            "the registry publishes no sha512 integrity for {src} (it says `{}`); keyward installs only what it can check",
            crate::output::sanitize(&expected)
        ))
        .code("registry-integrity")
        .hint("pick a version published with a sha512 integrity"));
    }
    // 2. The tarball itself, checked here.
    let scratch_s = scratch.to_str().expect("store paths are UTF-8");
    let out = tool(
        "npm",
        &[
            "pack",
            &spec,
            "--pack-destination",
            scratch_s,
            "--json",
            "--ignore-scripts",
        ],
        "download the package",
    )?;
    if !out.status.success() {
        return Err(npm_failed("pack", src, &out));
    }
    let packed: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        Error::general(format!("`npm pack` printed no JSON for {src}: {e}"))
            .hint("update npm (keyward needs `npm pack --json`)")
    })?;
    let filename = packed[0]["filename"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let tarball = std::fs::read(scratch.join(&filename)).map_err(|e| {
        Error::general(format!(
            "cannot read the tarball npm fetched for {src}: {e}"
        ))
        .hint("retry; check free space in the vault's folder")
    })?;
    let got = sri_sha512(&tarball);
    check_integrity(src, &expected, &got, "its tarball")?;
    // 3. The tree, with its dependencies, no scripts.
    std::fs::write(
        dir.join("package.json"),
        format!(
            // A fixed name: npm copies it into the lockfiles, which are part of the pin.
            "{{\n  \"name\": \"keyward-store\",\n  \"private\": true,\n  \"description\": \"keyward store: {}\"\n}}\n",
            src.to_string().replace('"', "")
        ),
    )
    .map_err(|e| Error::general(format!("cannot write into the store: {e}")))?;
    let out = tool(
        "npm",
        &[
            "install",
            "--prefix",
            dir_s,
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--save-exact",
            "--package-lock",
            "--no-update-notifier",
            &spec,
        ],
        "install the package",
    )?;
    if !out.status.success() {
        return Err(npm_failed("install", src, &out));
    }
    // 4. The lock's integrity for the root must be the registry's.
    let root = format!("node_modules/{}", src.name);
    let lock: Value = std::fs::read(dir.join("package-lock.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| {
            Error::general(format!("npm wrote no readable package-lock.json for {src}"))
                .hint("update npm (keyward needs lockfile version 2 or 3)")
        })?;
    let packages = lock["packages"]
        .as_object()
        .map_or(0, |p| p.len().saturating_sub(1));
    let locked = lock["packages"][&root]["integrity"]
        .as_str()
        .unwrap_or_default();
    check_integrity(
        src,
        &expected,
        locked,
        "the installed copy (package-lock.json)",
    )?;
    let locked_version = lock["packages"][&root]["version"]
        .as_str()
        .unwrap_or_default();
    if locked_version != src.version {
        return Err(Error::general(format!(
            "npm installed version `{}` of {}, not {}; nothing was installed",
            crate::output::sanitize(locked_version),
            src.name,
            src.version
        ))
        .hint("check your npm registry settings"));
    }
    let package_json: Value = std::fs::read(dir.join(&root).join("package.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    Ok(Fetched {
        integrity: expected,
        packages,
        package_json,
        root,
    })
}

fn check_integrity(src: &Source, expected: &str, got: &str, what: &str) -> Result<()> {
    if expected == got {
        return Ok(());
    }
    Err(Error::integrity(format!(
        "{what} of {src} does not match the registry's integrity: the registry publishes {expected}, the bytes are {}; nothing was installed",
        if got.is_empty() { "unrecorded" } else { got }
    ))
    .code("registry-integrity")
    .hint("the registry or a mirror in between serves altered files: check your npm registry settings (`npm config get registry`)"))
}

/// `sha512-BASE64`, the subresource-integrity form npm publishes.
pub fn sri_sha512(bytes: &[u8]) -> String {
    format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha512::digest(bytes))
    )
}

/// The default `run` of an npm package: `node` and its `bin` entry.
pub fn default_run(src: &Source, fetched: &Fetched) -> Option<Vec<String>> {
    let bin = &fetched.package_json["bin"];
    let unscoped = src.name.rsplit('/').next().unwrap_or(&src.name);
    let path = match bin {
        Value::String(p) => Some(p.clone()),
        Value::Object(map) => map
            .get(unscoped)
            .or_else(|| (map.len() == 1).then(|| map.values().next()).flatten())
            .or_else(|| map.values().next())
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    }?;
    let path = path.trim_start_matches("./");
    if path.is_empty() || path.split('/').any(|p| p == "..") {
        return None;
    }
    Some(vec!["node".into(), format!("./{}/{path}", fetched.root)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sri_matches_npm() {
        // `printf hello | openssl dgst -sha512 -binary | base64`
        assert_eq!(
            sri_sha512(b"hello"),
            "sha512-m3HSJL1i83hdltRq0+o9czGb+8KJDKra4t/3JRlnPKcjI8PZm6XBHXx6zG4UuMXaDEZjR1wuXDre9G9zvN7AQw=="
        );
    }
}
