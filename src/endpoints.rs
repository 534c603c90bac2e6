//! Endpoints: `"METHOD /path"` specs (the config file's `"permissions"`), matching a
//! request against them, and finding the endpoints a package serves: an Instant API
//! project's `functions/**` files, or the manifest's own `"endpoints"` list.

use std::collections::BTreeSet;
use std::path::Path;

/// Methods a spec may name; `*` is any method.
const METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*",
];

/// Normalises `spec` (`"get /forecast/"` → `"GET /forecast"`), or says what is wrong.
pub fn parse(spec: &str) -> Result<String, String> {
    let bad = |why: &str| {
        format!(
            "endpoint `{}` is not valid: {why}; write it as METHOD /path, e.g. \"GET /forecast\"",
            crate::output::sanitize(spec)
        )
    };
    let (method, path) = spec
        .trim()
        .split_once(' ')
        .ok_or_else(|| bad("no space between method and path"))?;
    let method = method.to_ascii_uppercase();
    if !METHODS.contains(&method.as_str()) {
        return Err(bad("unknown method"));
    }
    let path = path.trim();
    if !path.starts_with('/') || path.len() > 512 {
        return Err(bad("the path must start with /"));
    }
    if path
        .bytes()
        .any(|b| !(0x21..0x7f).contains(&b) || b == b'?' || b == b'#')
    {
        return Err(bad("the path has a space, a control character, ? or #"));
    }
    if path.split('/').any(|s| s == ".." || s == ".") {
        return Err(bad("the path has a . or .. segment"));
    }
    Ok(format!("{method} {}", trim_slash(path)))
}

fn trim_slash(path: &str) -> &str {
    let t = path.trim_end_matches('/');
    if t.is_empty() { "/" } else { t }
}

/// Whether `list` allows `method` on the package-relative `path`. `HEAD` goes where
/// `GET` does; a `:param` or `[param]` segment matches one segment, a last `*` the rest.
pub fn allows(list: &BTreeSet<String>, method: &str, path: &str) -> bool {
    let path = trim_slash(path);
    list.iter().any(|spec| {
        let Some((m, p)) = spec.split_once(' ') else {
            return false;
        };
        let method_ok = m == "*" || m == method || (method == "HEAD" && m == "GET");
        method_ok && path_matches(p, path)
    })
}

fn path_matches(pattern: &str, path: &str) -> bool {
    let mut pat = pattern.split('/');
    let mut got = path.split('/');
    loop {
        match (pat.next(), got.next()) {
            (None, None) => return true,
            (Some("*"), Some(_)) => return true,
            (Some(p), Some(g)) => {
                let param = (p.starts_with(':') && p.len() > 1)
                    || (p.starts_with('[') && p.ends_with(']') && p.len() > 2);
                if (!param || g.is_empty()) && p != g {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// What a package says it serves.
#[derive(Debug, Default)]
pub struct Discovered {
    /// `"METHOD /path"`, sorted.
    pub endpoints: Vec<String>,
    /// An Instant API project (`@instant.dev/api` in `package.json`).
    pub instant_api: bool,
}

/// Whether `dir` is an Instant API project.
pub fn is_instant_api(dir: &Path) -> bool {
    let Ok(bytes) = std::fs::read(dir.join("package.json")) else {
        return false;
    };
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return false;
    };
    ["dependencies", "devDependencies"]
        .iter()
        .any(|k| doc[k].get("@instant.dev/api").is_some())
}

/// The endpoints of the package in `dir` whose manifest bytes are `manifest`.
pub fn discover(dir: &Path, manifest: &[u8]) -> Discovered {
    let mut found = BTreeSet::new();
    let instant_api = is_instant_api(dir);
    if instant_api {
        walk_functions(&dir.join("functions"), "", 0, &mut found);
        // The framework's MCP endpoint (streamable HTTP: POST, and GET for its stream).
        found.insert("POST /server.mcp".to_owned());
        found.insert("GET /server.mcp".to_owned());
    }
    if let Ok(doc) = serde_json::from_slice::<serde_json::Value>(manifest)
        && let Some(list) = doc.get("endpoints").and_then(|v| v.as_array())
    {
        found.extend(
            list.iter()
                .filter_map(|e| e.as_str())
                .filter_map(|e| parse(e).ok()),
        );
    }
    Discovered {
        endpoints: found.into_iter().collect(),
        instant_api,
    }
}

/// `functions/v1/forecast.mjs` exporting `GET` → `GET /v1/forecast`; `index`/`__main__`
/// name their folder; `404` files are not endpoints.
fn walk_functions(dir: &Path, prefix: &str, depth: usize, found: &mut BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    if depth > 32 {
        return;
    }
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk_functions(&entry.path(), &format!("{prefix}/{name}"), depth + 1, found);
            continue;
        }
        let Some(stem) = [".mjs", ".js", ".cjs"]
            .iter()
            .find_map(|ext| name.strip_suffix(ext))
        else {
            continue;
        };
        let route = match stem {
            "404" => continue,
            "index" | "__main__" => {
                trim_slash(if prefix.is_empty() { "/" } else { prefix }).to_owned()
            }
            s => format!("{prefix}/{s}"),
        };
        let Ok(source) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        for method in exported_methods(&source) {
            found.insert(format!("{method} {route}"));
        }
    }
}

/// The HTTP methods a module exports (`export async function GET`, `export const POST`).
fn exported_methods(source: &str) -> BTreeSet<&'static str> {
    let mut methods = BTreeSet::new();
    for line in source.lines() {
        let words: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == '(' || c == '=')
            .filter(|w| !w.is_empty())
            .collect();
        if words.first() != Some(&"export") {
            continue;
        }
        for m in ["GET", "POST", "PUT", "DELETE"] {
            if words.iter().skip(1).take(3).any(|w| *w == m) {
                methods.insert(m);
            }
        }
    }
    methods
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_are_normalised_and_bad_ones_named() {
        assert_eq!(parse("get /forecast/").unwrap(), "GET /forecast");
        assert_eq!(parse("POST /").unwrap(), "POST /");
        assert!(parse("GET forecast").is_err());
        assert!(parse("FETCH /x").is_err());
        assert!(parse("GET /a/../b").is_err());
        assert!(parse("GET /a b").is_err());
    }

    #[test]
    fn matching_follows_methods_params_and_wildcards() {
        let list: BTreeSet<String> = ["GET /forecast", "POST /users/:id", "* /files/*"]
            .map(String::from)
            .into();
        assert!(allows(&list, "GET", "/forecast/"));
        assert!(allows(&list, "HEAD", "/forecast"));
        assert!(!allows(&list, "POST", "/forecast"));
        assert!(allows(&list, "POST", "/users/7"));
        assert!(!allows(&list, "POST", "/users/7/x"));
        assert!(allows(&list, "DELETE", "/files/a/b"));
        assert!(!allows(&list, "GET", "/"));
    }

    #[test]
    fn exported_methods_are_found() {
        let src = "export async function GET (a) {}\nexport const POST = async () => {}\nfunction PUT(){}";
        assert_eq!(exported_methods(src), ["GET", "POST"].into());
    }
}
