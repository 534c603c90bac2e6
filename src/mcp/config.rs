//! One MCP client config file, parsed so that an edit changes only what it must: JSON
//! and JSONC through a concrete syntax tree (`jsonc-parser`, which keeps every byte it
//! is not asked to change, comments included), TOML through `toml_edit`.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use jsonc_parser::cst::{CstInputValue, CstObject, CstRootNode};
use serde_json::Value;

use super::Client;
use crate::error::{Error, Result};

/// Largest config file read (Claude Code's `~/.claude.json` grows with history).
const MAX_BYTES: u64 = 32 * 1024 * 1024;

/// Where a server sits in its file: the keys leading to the object of servers.
pub type Loc = Vec<String>;

/// One server entry as read.
#[derive(Clone)]
pub struct Server {
    /// Path to its container (`["mcpServers"]`, `["projects", P, "mcpServers"]`, …).
    pub loc: Loc,
    /// Its name in the config.
    pub name: String,
    /// `command`, for stdio servers.
    pub command: Option<String>,
    /// `args`.
    pub args: Vec<String>,
    /// `env`: every string value, in file order.
    pub env: Vec<(String, String)>,
    /// `headers` (HTTP servers; Codex: `http_headers`).
    pub headers: Vec<(String, String)>,
    /// Headers whose value is a variable's, by name (Codex: `env_http_headers`, and
    /// `bearer_token_env_var` as `Authorization`).
    pub header_vars: Vec<(String, String)>,
    /// `url` (HTTP servers).
    pub url: Option<String>,
    /// `type` (`stdio`, `http`, `sse`, …), when the entry has one.
    pub kind: Option<String>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values may be secrets: names only.
        f.debug_struct("Server")
            .field("name", &self.name)
            .field("command", &self.command)
            .field("env", &self.env.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Whether a value is a reference the client expands (`${VAR}`, `${env:VAR}`,
    /// `${input:ID}`), not a literal.
    pub fn is_reference(value: &str) -> bool {
        value.contains("${")
    }

    /// Literal values in `env` and `headers`.
    pub fn literals(&self) -> Vec<(&str, &str)> {
        self.env
            .iter()
            .chain(&self.headers)
            .filter(|(_, v)| !Self::is_reference(v))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// `keyward run PACKAGE` entries: (keychain, package).
    pub fn guarded(&self) -> Option<(Option<String>, String)> {
        let cmd = self.command.as_deref()?;
        if cmd != "keyward" && !cmd.ends_with("/keyward") {
            return None;
        }
        let mut keychain = None;
        let mut it = self.args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "-k" | "--keychain" => keychain = it.next().cloned(),
                "--vault" => {
                    it.next();
                }
                "run" => {
                    return it
                        .find(|a| !a.starts_with('-'))
                        .map(|p| (keychain, p.clone()));
                }
                _ => {}
            }
        }
        None
    }
}

enum Doc {
    Json(CstRootNode),
    Toml(toml_edit::DocumentMut),
}

/// A parsed config file.
pub struct ConfigFile {
    /// Which client reads it.
    pub client: Client,
    /// Its path.
    pub path: PathBuf,
    /// The text as read (empty for a file that does not exist yet).
    pub original: String,
    /// Whether the file exists.
    pub exists: bool,
    doc: Doc,
}

fn json_options() -> jsonc_parser::ParseOptions {
    jsonc_parser::ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        ..Default::default()
    }
}

fn parse_doc(client: Client, path: &Path, text: &str) -> Result<Doc> {
    let bad = |why: String| {
        Error::general(format!(
            "cannot parse {} ({} config): {why}; it was left untouched",
            path.display(),
            client.word()
        ))
        .code("config-unparsable")
        .hint("fix the file (the client itself would not read it either), then run keyward again")
    };
    if client == Client::Codex {
        let doc: toml_edit::DocumentMut = text
            .parse()
            .map_err(|e: toml_edit::TomlError| bad(e.message().to_owned()))?;
        return Ok(Doc::Toml(doc));
    }
    let root = CstRootNode::parse(text, &json_options()).map_err(|e| bad(e.to_string()))?;
    if root.value().is_some() && root.object_value().is_none() {
        return Err(bad("its top level is not an object".into()));
    }
    Ok(Doc::Json(root))
}

impl ConfigFile {
    /// Reads and parses `path`; a missing file is an empty config (`create` decides
    /// whether that is allowed).
    pub fn load(client: Client, path: &Path) -> Result<ConfigFile> {
        let (original, exists) = match std::fs::metadata(path) {
            Ok(meta) => {
                if meta.len() > MAX_BYTES {
                    return Err(Error::general(format!(
                        "{} is larger than {} MiB; it was left untouched",
                        path.display(),
                        MAX_BYTES >> 20
                    ))
                    .hint("trim the file, then run keyward again"));
                }
                let text = std::fs::read_to_string(path).map_err(|e| {
                    Error::general(format!("cannot read {}: {e}", path.display()))
                        .code("config-unparsable")
                        .hint("check the file's permissions (and that it is UTF-8)")
                })?;
                (text, true)
            }
            Err(_) => (String::new(), false),
        };
        let doc = parse_doc(client, path, &original)?;
        Ok(ConfigFile {
            client,
            path: path.to_path_buf(),
            original,
            exists,
            doc,
        })
    }

    /// A fresh parse of the same text (to build a second version, e.g. the backup).
    pub fn reparse(&self) -> ConfigFile {
        ConfigFile {
            client: self.client,
            path: self.path.clone(),
            original: self.original.clone(),
            exists: self.exists,
            doc: parse_doc(self.client, &self.path, &self.original).expect("parsed once already"),
        }
    }

    /// The text as it is now.
    pub fn text(&self) -> String {
        match &self.doc {
            Doc::Json(root) => root.to_string(),
            Doc::Toml(doc) => doc.to_string(),
        }
    }

    /// Where this client keeps servers in this file.
    fn containers(&self) -> Vec<Loc> {
        match &self.doc {
            Doc::Toml(_) => vec![vec!["mcp_servers".into()]],
            Doc::Json(root) => {
                let key = if self.client == Client::Vscode {
                    "servers"
                } else {
                    "mcpServers"
                };
                let mut locs = vec![vec![key.to_owned()]];
                if self.client == Client::ClaudeCode
                    && let Some(projects) =
                        root.object_value().and_then(|o| o.object_value("projects"))
                {
                    for p in projects.properties() {
                        let Some(name) = p.decoded_name() else {
                            continue;
                        };
                        if p.object_value()
                            .is_some_and(|o| o.object_value("mcpServers").is_some())
                        {
                            locs.push(vec!["projects".into(), name, "mcpServers".into()]);
                        }
                    }
                }
                locs
            }
        }
    }

    /// The key of `dir` under `projects` (Claude Code's `~/.claude.json`): the one
    /// already there for that folder, else its absolute path.
    pub fn project_key(&self, dir: &Path) -> String {
        let real = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        if let Doc::Json(root) = &self.doc
            && let Some(projects) = root.object_value().and_then(|o| o.object_value("projects"))
        {
            for p in projects.properties() {
                if let Some(name) = p.decoded_name()
                    && (Path::new(&name) == dir
                        || std::fs::canonicalize(&name).is_ok_and(|n| n == real))
                {
                    return name;
                }
            }
        }
        real.to_string_lossy().into_owned()
    }

    /// Every server entry in the file.
    pub fn servers(&self) -> Vec<Server> {
        let mut out = Vec::new();
        for loc in self.containers() {
            match &self.doc {
                Doc::Json(root) => {
                    let Some(obj) = json_container(root, &loc, false) else {
                        continue;
                    };
                    for prop in obj.properties() {
                        let (Some(name), Some(value)) = (prop.decoded_name(), prop.value()) else {
                            continue;
                        };
                        let Some(v) = value.to_serde_value() else {
                            continue;
                        };
                        out.push(server_from_json(loc.clone(), name, &v));
                    }
                }
                Doc::Toml(doc) => {
                    let Some(table) = doc.get("mcp_servers").and_then(|i| i.as_table_like()) else {
                        continue;
                    };
                    for (name, item) in table.iter() {
                        let Some(t) = item.as_table_like() else {
                            continue;
                        };
                        out.push(server_from_toml(loc.clone(), name.to_owned(), t));
                    }
                }
            }
        }
        out
    }

    /// Sets one string in a server's `env` (or `headers`) to `value`.
    pub fn set_value(&mut self, loc: &Loc, server: &str, key: &str, value: &str) -> bool {
        match &mut self.doc {
            Doc::Json(root) => {
                let Some(entry) =
                    json_container(root, loc, false).and_then(|o| o.object_value(server))
                else {
                    return false;
                };
                for block in ["env", "headers"] {
                    if let Some(prop) = entry.object_value(block).and_then(|b| b.get(key)) {
                        prop.set_value(CstInputValue::String(value.to_owned()));
                        return true;
                    }
                }
                false
            }
            Doc::Toml(doc) => {
                let Some(entry) = doc
                    .get_mut("mcp_servers")
                    .and_then(|i| i.as_table_like_mut())
                    .and_then(|t| t.get_mut(server))
                    .and_then(|i| i.as_table_like_mut())
                else {
                    return false;
                };
                for block in ["env", "http_headers", "headers"] {
                    if let Some(v) = entry
                        .get_mut(block)
                        .and_then(|i| i.as_table_like_mut())
                        .and_then(|t| t.get_mut(key))
                        .and_then(|i| i.as_value_mut())
                    {
                        let decor = v.decor().clone();
                        *v = toml_edit::Value::from(value);
                        *v.decor_mut() = decor;
                        return true;
                    }
                }
                false
            }
        }
    }

    /// Rewrites a server to run `command args`, keeping its other fields (an HTTP
    /// entry's `url` and headers go); `env` holds only `keep_env` (references the
    /// client expands: kept where they are, added when missing), or goes. `forward`
    /// (Codex only) are variables the client passes by name (`env_vars`).
    pub fn rewrite(
        &mut self,
        loc: &Loc,
        server: &str,
        command: &str,
        args: &[String],
        keep_env: &[(String, String)],
        forward: &[String],
    ) {
        let vscode = self.client == Client::Vscode;
        match &mut self.doc {
            Doc::Json(root) => {
                let container = json_container(root, loc, true).expect("created");
                let entry = match container.get(server) {
                    Some(p) => p.object_value_or_set(),
                    None => container
                        .append(server, CstInputValue::Object(Vec::new()))
                        .object_value_or_set(),
                };
                for gone in ["url", "headers"] {
                    if let Some(p) = entry.get(gone) {
                        p.remove();
                    }
                }
                if vscode || entry.get("type").is_some() {
                    set_prop(&entry, "type", CstInputValue::String("stdio".into()));
                }
                set_prop(&entry, "command", CstInputValue::String(command.into()));
                set_prop(
                    &entry,
                    "args",
                    CstInputValue::Array(
                        args.iter()
                            .map(|a| CstInputValue::String(a.clone()))
                            .collect(),
                    ),
                );
                match entry.get("env") {
                    Some(p) if keep_env.is_empty() => p.remove(),
                    Some(p) => {
                        // Only the moved values go; the references and their comments stay.
                        if let Some(env) = p.object_value() {
                            for prop in env.properties() {
                                let keep = prop
                                    .decoded_name()
                                    .is_some_and(|n| keep_env.iter().any(|(k, _)| *k == n));
                                if !keep {
                                    prop.remove();
                                }
                            }
                        }
                    }
                    None => {}
                }
                if !keep_env.is_empty() {
                    let env = entry.object_value_or_set("env");
                    for (k, v) in keep_env {
                        if env.get(k).is_none() {
                            env.append(k, CstInputValue::String(v.clone()));
                        }
                    }
                }
            }
            Doc::Toml(doc) => {
                if doc.get("mcp_servers").is_none() {
                    let mut t = toml_edit::Table::new();
                    t.set_implicit(true);
                    doc.insert("mcp_servers", toml_edit::Item::Table(t));
                }
                let servers = doc["mcp_servers"].as_table_like_mut().expect("a table");
                if servers.get(server).is_none() {
                    servers.insert(server, toml_edit::Item::Table(toml_edit::Table::new()));
                }
                let entry = servers
                    .get_mut(server)
                    .and_then(|i| i.as_table_like_mut())
                    .expect("a table");
                for gone in [
                    "url",
                    "http_headers",
                    "env_http_headers",
                    "bearer_token_env_var",
                    "bearer_token",
                ] {
                    entry.remove(gone);
                }
                set_toml(entry, "command", toml_edit::Value::from(command));
                let mut arr = toml_edit::Array::new();
                for a in args {
                    arr.push(a.as_str());
                }
                set_toml(entry, "args", toml_edit::Value::Array(arr));
                if keep_env.is_empty() {
                    entry.remove("env");
                } else if let Some(env) = entry.get_mut("env").and_then(|i| i.as_table_like_mut()) {
                    let names: Vec<String> = env.iter().map(|(k, _)| k.to_owned()).collect();
                    for k in names {
                        if !keep_env.iter().any(|(n, _)| *n == k) {
                            env.remove(&k);
                        }
                    }
                }
                if !forward.is_empty() {
                    let mut vars = entry
                        .get("env_vars")
                        .and_then(|i| i.as_array())
                        .cloned()
                        .unwrap_or_default();
                    for v in forward {
                        if !vars.iter().any(|x| x.as_str() == Some(v.as_str())) {
                            vars.push(v.as_str());
                        }
                    }
                    set_toml(entry, "env_vars", toml_edit::Value::Array(vars));
                }
            }
        }
    }

    /// Writes the current text atomically (temp file + rename), keeping the file's mode
    /// (0600 for a new file).
    pub fn save(&self) -> Result<()> {
        let mode = std::fs::metadata(&self.path).map_or(0o600, |m| m.permissions().mode() & 0o7777);
        write_atomic(&self.path, self.text().as_bytes(), mode)
    }
}

fn set_prop(obj: &CstObject, key: &str, value: CstInputValue) {
    match obj.get(key) {
        Some(p) => p.set_value(value),
        None => {
            obj.append(key, value);
        }
    }
}

fn set_toml(t: &mut dyn toml_edit::TableLike, key: &str, value: toml_edit::Value) {
    match t.get_mut(key).and_then(|i| i.as_value_mut()) {
        Some(v) => {
            let decor = v.decor().clone();
            *v = value;
            *v.decor_mut() = decor;
        }
        None => {
            t.insert(key, toml_edit::Item::Value(value));
        }
    }
}

/// The object at `loc`, created along the way when `create`.
fn json_container(root: &CstRootNode, loc: &Loc, create: bool) -> Option<CstObject> {
    let mut obj = if create {
        root.object_value_or_set()
    } else {
        root.object_value()?
    };
    for key in loc {
        obj = if create {
            obj.object_value_or_set(key)
        } else {
            obj.object_value(key)?
        };
    }
    Some(obj)
}

fn strings(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn server_from_json(loc: Loc, name: String, v: &Value) -> Server {
    Server {
        loc,
        name,
        command: v["command"].as_str().map(str::to_owned),
        args: v["args"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        env: strings(&v["env"]),
        headers: strings(&v["headers"]),
        header_vars: Vec::new(),
        url: v["url"].as_str().map(str::to_owned),
        kind: v["type"].as_str().map(str::to_owned),
    }
}

fn server_from_toml(loc: Loc, name: String, t: &dyn toml_edit::TableLike) -> Server {
    let table_strings = |key: &str| -> Vec<(String, String)> {
        t.get(key)
            .and_then(|i| i.as_table_like())
            .map(|e| {
                e.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.to_owned(), s.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    };
    Server {
        loc,
        name,
        command: t.get("command").and_then(|i| i.as_str()).map(str::to_owned),
        args: t
            .get("args")
            .and_then(|i| i.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        env: table_strings("env"),
        headers: table_strings("http_headers"),
        header_vars: {
            let mut vars = table_strings("env_http_headers");
            if let Some(var) = t.get("bearer_token_env_var").and_then(|i| i.as_str()) {
                vars.push(("Authorization".to_owned(), var.to_owned()));
            }
            vars
        },
        url: t.get("url").and_then(|i| i.as_str()).map(str::to_owned),
        kind: None,
    }
}

/// Writes `bytes` to `path` through a temp file in the same folder and a rename; the
/// folder is created (0700) when missing.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let io = |what: &str, e: std::io::Error| {
        Error::general(format!("cannot {what} {}: {e}", path.display()))
            .hint("check the folder's permissions and free space; the file was not changed")
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| io("create the folder of", e))?;
    }
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.keyward-{:08x}", rand::random::<u32>()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.set_permissions(std::fs::Permissions::from_mode(mode))?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io("write", e));
    }
    Ok(())
}
