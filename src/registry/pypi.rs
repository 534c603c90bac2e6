//! PyPI packages, fetched with `uv` when it is on PATH, else `pip`, so the user's index
//! settings apply (`uv.toml` and `UV_*` for uv; `pip.conf` and `PIP_*` for pip). Wheels
//! only (no build backend runs) unless `--allow-build`. The tree is first resolved
//! (`uv pip compile --generate-hashes`, or pip's `--dry-run --report`), which gives each
//! file's sha256 as the index publishes it; the install then runs with
//! `--require-hashes`, so the client refuses any file whose bytes differ. Both write
//! the same layout: `site/` (`--target`), no bytecode.

use std::path::Path;

use serde_json::Value;

use super::spec::Source;
use super::store::{tail, tool, tool_in};
use crate::error::{Error, Result};

/// The interpreter keyward uses for pip (and that runs the package).
const PYTHON: &str = "python3";

/// The newest version the index reports (`pip index versions NAME`).
pub fn latest(name: &str) -> Option<String> {
    let out = tool(
        PYTHON,
        &["-m", "pip", "index", "versions", name],
        "look up the newest version",
    )
    .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    // "NAME (1.2.3)"
    let first = text.lines().next()?;
    let v = first
        .split_once('(')?
        .1
        .split_once(')')?
        .0
        .trim()
        .to_owned();
    (out.status.success() && !v.is_empty()).then_some(v)
}

/// What was fetched and checked.
pub struct Fetched {
    /// The client that fetched it: `uv pip` or `pip`.
    pub client: &'static str,
    /// Files installed, each with the sha256 the index published.
    pub files: Vec<(String, String)>,
    /// The interpreter's absolute path.
    pub python: String,
    /// The console scripts of the root distribution: (script, `module:attr`).
    pub scripts: Vec<(String, String)>,
    /// The root distribution's summary, if any.
    pub summary: Option<String>,
}

fn pip_failed(what: &str, src: &Source, out: &std::process::Output, allow_build: bool) -> Error {
    let stderr = tail(&out.stderr);
    let client = what.split(' ').next().unwrap_or("pip");
    if stderr.contains("THESE PACKAGES DO NOT MATCH THE HASHES") || stderr.contains("Hash mismatch")
    {
        return Error::integrity(format!(
            "{client} refused {src}: a file does not match the sha256 the index publishes; nothing was installed\n  | {stderr}"
        ))
        .code("registry-integrity")
        .hint("the index or a mirror in between serves altered files: check your pip index settings (`pip config list`)");
    }
    let mut err = Error::general(format!(
        "`{what}` failed for {src}; nothing was installed\n  | {stderr}"
    ))
    .code("registry-fetch")
    .hint("check the name and version (`pip index versions NAME`) and your pip index settings");
    if !allow_build
        && (stderr.contains("No matching distribution")
            || stderr.contains("no wheels")
            || stderr.contains("only-binary")
            || stderr.contains("--no-build"))
    {
        err = err.hint("keyward installs wheels only; a package published only as source needs --allow-build, which runs its build scripts on this machine");
    }
    err
}

/// Fetches `src` and its dependencies into `dir/site`, checking every file's hash: with
/// uv when it is on PATH, else with pip.
pub fn fetch(src: &Source, dir: &Path, scratch: &Path, allow_build: bool) -> Result<Fetched> {
    match find_uv() {
        Some(uv) => fetch_uv(&uv, src, dir, scratch, allow_build),
        None => fetch_pip(src, dir, scratch, allow_build),
    }
}

fn fetch_pip(src: &Source, dir: &Path, scratch: &Path, allow_build: bool) -> Result<Fetched> {
    let spec = format!("{}=={}", src.name, src.version);
    let report = scratch.join("report.json");
    let report_s = report.to_str().expect("store paths are UTF-8");
    let mut args = vec![
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--ignore-installed",
        "--quiet",
        "--report",
        report_s,
    ];
    if !allow_build {
        args.extend(["--only-binary", ":all:"]);
    }
    args.push(&spec);
    let out = tool(PYTHON, &args, "resolve the package")?;
    if !out.status.success() {
        return Err(pip_failed("pip install --dry-run", src, &out, allow_build));
    }
    let report: Value = std::fs::read(&report)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| {
            Error::general(format!("pip wrote no readable report for {src}"))
                .hint("update pip (keyward needs `pip install --report`, pip 22.2 or later)")
        })?;
    let mut files = Vec::new();
    let mut requirements = String::new();
    for item in report["install"].as_array().into_iter().flatten() {
        let name = item["metadata"]["name"].as_str().unwrap_or_default();
        let version = item["metadata"]["version"].as_str().unwrap_or_default();
        let info = &item["download_info"];
        let url = info["url"].as_str().unwrap_or_default();
        let sha = info["archive_info"]["hashes"]["sha256"]
            .as_str()
            .or_else(|| {
                info["archive_info"]["hash"]
                    .as_str()
                    .and_then(|h| h.strip_prefix("sha256="))
            })
            .unwrap_or_default();
        if name.is_empty() || version.is_empty() {
            continue;
        }
        if sha.is_empty() {
            return Err(Error::integrity(format!(
                "the index publishes no sha256 for {name} {version} ({}); keyward installs only what it can check; nothing was installed",
                crate::output::sanitize(url)
            ))
            .code("registry-integrity")
            .hint("use an index that publishes file hashes (PyPI does)"));
        }
        let file = url.rsplit('/').next().unwrap_or(url).to_owned();
        if !allow_build && !file.ends_with(".whl") {
            return Err(Error::denied(format!(
                "{name} {version} is not a wheel ({file}): building it would run its build scripts; nothing was installed"
            ))
            .hint("pass --allow-build to let pip build it (its setup code runs on this machine, as you)"));
        }
        requirements.push_str(&format!("{name}=={version} --hash=sha256:{sha}\n"));
        files.push((file, sha.to_owned()));
    }
    if files.is_empty() {
        return Err(Error::general(format!("pip resolved nothing for {src}"))
            .hint("check the name and version (`pip index versions NAME`)"));
    }
    let req = scratch.join("requirements.txt");
    std::fs::write(&req, requirements)
        .map_err(|e| Error::general(format!("cannot write into the store: {e}")))?;
    let site = dir.join("site");
    let site_s = site.to_str().expect("store paths are UTF-8");
    let req_s = req.to_str().expect("store paths are UTF-8");
    let mut args = vec![
        "-m",
        "pip",
        "install",
        "--target",
        site_s,
        "--no-compile",
        "--no-deps",
        "--require-hashes",
        "--ignore-installed",
        "--no-warn-script-location",
        "--quiet",
        "-r",
        req_s,
    ];
    if !allow_build {
        args.extend(["--only-binary", ":all:"]);
    }
    let out = tool(PYTHON, &args, "install the package")?;
    if !out.status.success() {
        return Err(pip_failed("pip install", src, &out, allow_build));
    }
    finish("pip", src, &site, files)
}

/// The interpreter, the root distribution's scripts and summary, after an install.
fn finish(
    client: &'static str,
    src: &Source,
    site: &Path,
    files: Vec<(String, String)>,
) -> Result<Fetched> {
    let out = tool(
        PYTHON,
        &["-c", "import sys; print(sys.executable)"],
        "find the interpreter",
    )?;
    let python = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let (scripts, summary) = root_dist(site, &src.name);
    Ok(Fetched {
        client,
        files,
        python,
        scripts,
        summary,
    })
}

/// `uv` on PATH, when there is one.
fn find_uv() -> Option<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|d| d.is_absolute())
        .map(|d| d.join("uv"))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// The same as [`fetch_pip`], with uv: `uv pip compile --generate-hashes` resolves the
/// tree with the index's hashes, `uv pip install --require-hashes` installs it. Run in
/// the scratch folder, so a project's own uv settings in the current folder do not
/// steer it (the user's `uv.toml` and `UV_*` still apply).
fn fetch_uv(
    uv: &Path,
    src: &Source,
    dir: &Path,
    scratch: &Path,
    allow_build: bool,
) -> Result<Fetched> {
    let uv_s = uv.to_str().ok_or_else(|| {
        Error::general(format!("the path of uv ({}) is not UTF-8", uv.display()))
            .hint("put uv in a folder whose path is UTF-8, or take it off PATH to use pip")
    })?;
    let path = |p: &Path| p.to_str().expect("store paths are UTF-8").to_owned();
    let input = scratch.join("requirements.in");
    let req = scratch.join("requirements.txt");
    std::fs::write(&input, format!("{}=={}\n", src.name, src.version))
        .map_err(|e| Error::general(format!("cannot write into the store: {e}")))?;
    let (input_s, req_s) = (path(&input), path(&req));
    let mut args = vec![
        "pip",
        "compile",
        input_s.as_str(),
        "--generate-hashes",
        "--no-header",
        "--no-annotate",
        "--quiet",
        "--python",
        PYTHON,
        "-o",
        req_s.as_str(),
    ];
    if !allow_build {
        args.extend(["--only-binary", ":all:"]);
    }
    let out = tool_in(scratch, uv_s, &args, "resolve the package")?;
    if !out.status.success() {
        return Err(pip_failed("uv pip compile", src, &out, allow_build));
    }
    let text = std::fs::read_to_string(&req).unwrap_or_default();
    let files = hashed_requirements(&text);
    if files.is_empty() || files.iter().any(|(_, sha)| sha.is_empty()) {
        return Err(Error::integrity(format!(
            "uv resolved {src} without a sha256 for every file; keyward installs only what it can check; nothing was installed"
        ))
        .code("registry-integrity")
        .hint("use an index that publishes file hashes (PyPI does)"));
    }
    let site = dir.join("site");
    let site_s = path(&site);
    let mut args = vec![
        "pip",
        "install",
        "--target",
        site_s.as_str(),
        "--no-deps",
        "--require-hashes",
        "--quiet",
        "--python",
        PYTHON,
        "-r",
        req_s.as_str(),
    ];
    if !allow_build {
        args.extend(["--only-binary", ":all:"]);
    }
    let out = tool_in(scratch, uv_s, &args, "install the package")?;
    if !out.status.success() {
        return Err(pip_failed("uv pip install", src, &out, allow_build));
    }
    finish("uv pip", src, &site, files)
}

/// `name==version` and its first `--hash=sha256:` of each entry of a hashed
/// requirements file.
fn hashed_requirements(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim().trim_end_matches('\\').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(sha) = line.strip_prefix("--hash=sha256:") {
            if let Some(last) = out.last_mut()
                && last.1.is_empty()
            {
                sha.clone_into(&mut last.1);
            }
        } else if !line.starts_with('-') {
            out.push((line.to_owned(), String::new()));
        }
    }
    out
}

/// PEP 503 normalisation: lowercase, runs of `-_.` as one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The console scripts and summary of the distribution named `name` in `site`.
fn root_dist(site: &Path, name: &str) -> (Vec<(String, String)>, Option<String>) {
    let want = normalize(name);
    let Ok(entries) = std::fs::read_dir(site) else {
        return (Vec::new(), None);
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = file.strip_suffix(".dist-info") else {
            continue;
        };
        let dist = stem.rsplit_once('-').map_or(stem, |(n, _)| n);
        if normalize(dist) != want {
            continue;
        }
        let meta = std::fs::read_to_string(entry.path().join("METADATA")).unwrap_or_default();
        let summary = meta
            .lines()
            .find_map(|l| l.strip_prefix("Summary: "))
            .map(str::to_owned);
        let eps =
            std::fs::read_to_string(entry.path().join("entry_points.txt")).unwrap_or_default();
        let mut scripts = Vec::new();
        let mut in_section = false;
        for line in eps.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                in_section = line == "[console_scripts]";
            } else if in_section && let Some((k, v)) = line.split_once('=') {
                let target = v.trim();
                let target = target.split('[').next().unwrap_or(target).trim();
                scripts.push((k.trim().to_owned(), target.to_owned()));
            }
        }
        return (scripts, summary);
    }
    (Vec::new(), None)
}

/// The default `run`: the console script named like the project (else the first), under
/// the interpreter that installed it, through a launcher written into the tree. Returns
/// the argv and the launcher's text.
pub fn default_run(src: &Source, fetched: &Fetched) -> Option<(Vec<String>, String)> {
    let want = normalize(&src.name);
    let (script, target) = fetched
        .scripts
        .iter()
        .find(|(s, _)| normalize(s) == want)
        .or_else(|| fetched.scripts.first())?;
    let (module, attr) = target.split_once(':')?;
    let ident = |s: &str| {
        !s.is_empty()
            && s.split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    };
    if !ident(module.trim()) || !ident(attr.trim()) {
        return None;
    }
    let launcher = format!(
        "# Written by keyward: runs the console script `{script}` of {src} from this folder.\n\
         import importlib, os, sys\n\
         sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), \"site\"))\n\
         sys.argv[0] = {script:?}\n\
         target = importlib.import_module({module:?})\n\
         for part in {attr:?}.split(\".\"):\n    target = getattr(target, part)\n\
         sys.exit(target())\n",
        module = module.trim(),
        attr = attr.trim(),
    );
    Some((
        vec![
            fetched.python.clone(),
            "-B".into(),
            "-s".into(),
            "./keyward-run.py".into(),
        ],
        launcher,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_requirements_file_gives_each_package_its_hash() {
        let text = "cowsay==6.1 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\nwcwidth==0.2 \\\n    --hash=sha256:cc\n# via x\nnohash==1\n";
        assert_eq!(
            hashed_requirements(text),
            [
                ("cowsay==6.1".to_owned(), "aa".to_owned()),
                ("wcwidth==0.2".to_owned(), "cc".to_owned()),
                ("nohash==1".to_owned(), String::new()),
            ]
        );
    }
}
