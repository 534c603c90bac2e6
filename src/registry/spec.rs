//! `npm:NAME@VERSION` and `pypi:NAME==VERSION`: parsing, and refusing anything that is
//! not one exact version (a range, a tag, `latest`) with the newest exact version the
//! registry reports.

use std::fmt;

use crate::error::{Error, Result};

/// Which registry a package comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ecosystem {
    /// The npm registry (fetched with `npm`).
    Npm,
    /// PyPI (fetched with `pip`).
    Pypi,
}

impl Ecosystem {
    /// `npm` or `pypi`.
    pub fn word(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::Pypi => "pypi",
        }
    }
}

/// One exact version of one registry package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The registry.
    pub eco: Ecosystem,
    /// The package name as the registry spells it.
    pub name: String,
    /// One exact version.
    pub version: String,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.eco {
            Ecosystem::Npm => write!(f, "npm:{}@{}", self.name, self.version),
            Ecosystem::Pypi => write!(f, "pypi:{}=={}", self.name, self.version),
        }
    }
}

/// Whether `arg` names a registry package (`npm:` / `pypi:`) rather than a folder.
pub fn is_registry(arg: &str) -> bool {
    arg.starts_with("npm:") || arg.starts_with("pypi:")
}

impl Source {
    /// Parses `npm:NAME@VERSION` / `pypi:NAME==VERSION`. A floating version is refused,
    /// naming the newest exact version the registry reports (`latest` looks it up).
    pub fn parse(arg: &str, latest: impl Fn(Ecosystem, &str) -> Option<String>) -> Result<Source> {
        let (eco, rest) = if let Some(rest) = arg.strip_prefix("npm:") {
            (Ecosystem::Npm, rest)
        } else if let Some(rest) = arg.strip_prefix("pypi:") {
            (Ecosystem::Pypi, rest)
        } else {
            return Err(Error::usage(format!(
                "`{}` is not a registry package",
                crate::output::sanitize(arg)
            ))
            .hint("write npm:NAME@VERSION or pypi:NAME==VERSION"));
        };
        let (name, version) = match eco {
            Ecosystem::Npm => split_npm(rest),
            Ecosystem::Pypi => split_pypi(rest),
        };
        let shown = crate::output::sanitize(arg);
        let name_ok = match eco {
            // A leading `-` would reach npm as an option.
            Ecosystem::Npm => {
                crate::manifest::check_package_name(name).is_ok() && !name.starts_with('-')
            }
            Ecosystem::Pypi => pypi_name_ok(name),
        };
        if !name_ok {
            return Err(Error::usage(format!(
                "`{shown}`: `{}` is not a valid {} package name",
                crate::output::sanitize(name),
                eco.word()
            ))
            .hint(example(eco)));
        }
        let exact = match (eco, version) {
            (Ecosystem::Npm, Some(v)) => npm_exact(v),
            (Ecosystem::Pypi, Some(v)) => pypi_exact(v),
            (_, None) => false,
        };
        if !exact {
            let what = match version {
                None => "names no version".to_owned(),
                Some(v) => format!("`{}` is not one exact version", crate::output::sanitize(v)),
            };
            let mut err = Error::usage(format!(
                "`{shown}` {what}: keyward installs exact versions only, so the pin means one release"
            ))
            .code("floating-version");
            err = match latest(eco, name) {
                Some(newest) => {
                    let pinned = Source {
                        eco,
                        name: name.to_owned(),
                        version: newest.clone(),
                    };
                    err.hint(format!(
                        "the newest version the registry reports is {newest}: keyward install {pinned}"
                    ))
                }
                None => err.hint(format!(
                    "{}; `{}` lists the versions",
                    example(eco),
                    match eco {
                        Ecosystem::Npm => format!("npm view {name} versions"),
                        Ecosystem::Pypi => format!("pip index versions {name}"),
                    }
                )),
            };
            return Err(err);
        }
        Ok(Source {
            eco,
            name: name.to_owned(),
            version: version.unwrap_or_default().to_owned(),
        })
    }

    /// A name for the store folder: ecosystem, name and version, file-name safe.
    pub fn folder_stem(&self) -> String {
        let raw = format!("{}-{}-{}", self.eco.word(), self.name, self.version);
        raw.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }
}

fn example(eco: Ecosystem) -> &'static str {
    match eco {
        Ecosystem::Npm => "e.g. npm:@modelcontextprotocol/server-everything@2026.1.26",
        Ecosystem::Pypi => "e.g. pypi:cowsay==6.1",
    }
}

/// `@scope/name@1.2.3` → (`@scope/name`, `1.2.3`): the version follows the last `@`
/// that is not the scope's.
fn split_npm(rest: &str) -> (&str, Option<&str>) {
    let from = usize::from(rest.starts_with('@'));
    match rest[from..].rfind('@') {
        Some(i) => (&rest[..from + i], Some(&rest[from + i + 1..])),
        None => (rest, None),
    }
}

/// `name==1.2` → (`name`, `1.2`); any other operator leaves no exact version.
fn split_pypi(rest: &str) -> (&str, Option<&str>) {
    if let Some((name, version)) = rest.split_once("==") {
        if version.starts_with('=') {
            return (name, Some(version));
        }
        return (name.trim(), Some(version.trim()));
    }
    let end = rest
        .find(['<', '>', '=', '~', '!', '@', ' ', ';', '['])
        .unwrap_or(rest.len());
    (
        &rest[..end],
        if end < rest.len() {
            Some(&rest[end..])
        } else {
            None
        },
    )
}

fn pypi_name_ok(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 200
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

/// Semantic version 2.0: `MAJOR.MINOR.PATCH[-pre][+build]`, numbers without leading zeros.
pub fn npm_exact(v: &str) -> bool {
    let (core, _build) = match v.split_once('+') {
        Some((c, b)) => {
            if !idents_ok(b, false) {
                return false;
            }
            (c, Some(b))
        }
        None => (v, None),
    };
    let (nums, pre) = match core.split_once('-') {
        Some((n, p)) => (n, Some(p)),
        None => (core, None),
    };
    if pre.is_some_and(|p| !idents_ok(p, true)) {
        return false;
    }
    let parts: Vec<&str> = nums.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| numeric_ok(p))
}

fn numeric_ok(p: &str) -> bool {
    !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && (p == "0" || !p.starts_with('0'))
}

fn idents_ok(s: &str, pre: bool) -> bool {
    s.split('.').all(|id| {
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && (!pre || !id.bytes().all(|b| b.is_ascii_digit()) || numeric_ok(id))
    })
}

/// A PEP 440 version with no wildcard or operator: `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`.
pub fn pypi_exact(v: &str) -> bool {
    let v = v.to_ascii_lowercase();
    let (public, local) = match v.split_once('+') {
        Some((p, l)) => (p.to_owned(), Some(l.to_owned())),
        None => (v.clone(), None),
    };
    if local.is_some_and(|l| {
        l.is_empty()
            || !l
                .split('.')
                .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric()))
    }) {
        return false;
    }
    let mut s = public.as_str();
    if let Some((epoch, rest)) = s.split_once('!') {
        if !epoch.bytes().all(|b| b.is_ascii_digit()) || epoch.is_empty() {
            return false;
        }
        s = rest;
    }
    // The release: digits and dots.
    let release_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let release = &s[..release_end];
    if release.is_empty()
        || release.starts_with('.')
        || release.ends_with('.')
        || release.contains("..")
    {
        return false;
    }
    let mut rest = &s[release_end..];
    for tag in ["a", "b", "rc", ".post", ".dev"] {
        if let Some(after) = rest.strip_prefix(tag) {
            let n_end = after
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(after.len());
            if n_end == 0 {
                return false;
            }
            rest = &after[n_end..];
        }
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(arg: &str) -> Result<Source> {
        Source::parse(arg, |_, _| Some("9.9.9".into()))
    }

    #[test]
    fn exact_versions_parse() {
        let s = parse("npm:@modelcontextprotocol/server-everything@2026.1.26").unwrap();
        assert_eq!(s.name, "@modelcontextprotocol/server-everything");
        assert_eq!(s.version, "2026.1.26");
        assert_eq!(
            s.to_string(),
            "npm:@modelcontextprotocol/server-everything@2026.1.26"
        );
        let s = parse("pypi:cowsay==6.1").unwrap();
        assert_eq!((s.name.as_str(), s.version.as_str()), ("cowsay", "6.1"));
        assert!(parse("npm:left-pad@1.3.0-beta.1+b.2").is_ok());
        assert!(parse("pypi:x==1.0rc1.post2.dev3").is_ok());
    }

    #[test]
    fn floating_versions_are_refused_with_the_newest() {
        for arg in [
            "npm:left-pad",
            "npm:left-pad@latest",
            "npm:left-pad@^1.3.0",
            "npm:left-pad@1.x",
            "npm:left-pad@1.3",
            "npm:left-pad@>=1.0.0",
            "npm:@scope/x",
            "pypi:cowsay",
            "pypi:cowsay>=6",
            "pypi:cowsay~=6.1",
            "pypi:cowsay==6.*",
            "pypi:cowsay===6.1",
        ] {
            let err = parse(arg).expect_err(arg);
            assert_eq!(err.code, "floating-version", "{arg}");
            assert!(err.hints.join(" ").contains("9.9.9"), "{arg}: {err}");
        }
    }

    #[test]
    fn bad_names_are_refused() {
        assert!(parse("npm:-rf@1.0.0").is_err());
        assert!(parse("npm:Bad Name@1.0.0").is_err());
        assert!(parse("pypi:-x==1.0").is_err());
    }
}
