//! An HTTP server entry (`url` + `headers`) as a package `keyward run` can start: a
//! local package whose `run` is `keyward mcp bridge --url URL --header 'H: ${KEY}'`.
//!
//! Each literal header value becomes a secret (a `Bearer ` scheme stays in the
//! template, so the secret is the token alone); a header that already references a
//! variable the client fills in (`${VAR}`, `${env:VAR}`, `${input:ID}`) stays a
//! reference: JSON clients get it in the entry's `env` block under a name the bridge
//! reads, Codex forwards its variable by name (`env_vars`).

use super::Client;
use super::bridge::check_url;
use super::config::Server;
use crate::output::sanitize;

/// One literal value moved into the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// The field in the config (`env` or `headers` key).
    pub field: String,
    /// The secret's name.
    pub key: String,
    /// What stays in front of the value in the field (`Bearer `), shown in the backup.
    pub prefix: String,
}

/// The package an HTTP entry becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bridged {
    /// The package's `run`: the bridge.
    pub run: Vec<String>,
    /// Literal header values, moved.
    pub moves: Vec<Move>,
    /// `env` entries the rewritten entry carries: (name, the client's reference).
    pub refs: Vec<(String, String)>,
    /// Variables Codex must forward by name (`env_vars`).
    pub forward: Vec<String>,
}

/// `SERVER_SUFFIX` in upper case, a valid key name.
fn key_name(server: &str, suffix: &str) -> String {
    let up = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect()
    };
    let (server, suffix) = (up(server), up(suffix));
    // `CONTEXT7_API_KEY` of server `context7` stays as it is.
    let mut name = if suffix.starts_with(&format!("{server}_")) {
        suffix
    } else {
        format!("{server}_{suffix}")
    };
    while name.contains("__") {
        name = name.replace("__", "_");
    }
    let name = name.trim_matches('_').to_owned();
    if name.starts_with(|c: char| c.is_ascii_digit()) || crate::names::check_name(&name).is_err() {
        format!("MCP_{name}")
    } else {
        name
    }
}

/// The secret's name for header `header` of `server`: `SERVER_TOKEN` for a bearer
/// token, else `SERVER_HEADER` (`X-` dropped): `LINEAR_TOKEN`, `CONTEXT7_API_KEY`.
pub fn header_key(server: &str, header: &str, bearer: bool) -> String {
    if bearer {
        return key_name(server, "TOKEN");
    }
    let h = header
        .strip_prefix("X-")
        .or_else(|| header.strip_prefix("x-"))
        .unwrap_or(header);
    key_name(server, h)
}

/// Plans the bridge for `server`, an entry with a `url`; `exe` starts keyward. Errors
/// are one sentence for the caller to wrap.
pub fn plan(server: &Server, client: Client, exe: &str) -> Result<Bridged, String> {
    let url = server.url.as_deref().expect("an HTTP entry has a url");
    check_url(url).map_err(|e| e.message)?;
    let mut run = vec![
        exe.to_owned(),
        "mcp".into(),
        "bridge".into(),
        "--url".into(),
        url.to_owned(),
    ];
    match server.kind.as_deref() {
        None | Some("http" | "streamable-http" | "streamableHttp" | "streamable_http") => {}
        Some("sse") => run.extend(["--transport".into(), "sse".into()]),
        Some(other) => {
            return Err(format!(
                "its type `{}` is not one keyward can bridge (http, sse)",
                sanitize(other)
            ));
        }
    }
    let mut out = Bridged {
        run,
        moves: Vec::new(),
        refs: Vec::new(),
        forward: Vec::new(),
    };
    for (header, value) in &server.headers {
        if header.contains(':') || value.contains(['\r', '\n']) {
            return Err(format!(
                "header `{}` cannot be sent as is",
                sanitize(header)
            ));
        }
        if Server::is_reference(value) {
            // The client fills it in; the bridge reads it from an env entry.
            let name = key_name(&server.name, header);
            out.run.push("--header".into());
            out.run.push(format!("{header}: ${{{name}}}"));
            out.refs.push((name, value.clone()));
            continue;
        }
        let (prefix, bearer) = match value.split_once(' ') {
            Some((scheme, _)) if scheme.eq_ignore_ascii_case("bearer") => {
                (format!("{scheme} "), true)
            }
            _ => (String::new(), false),
        };
        let key = header_key(&server.name, header, bearer);
        out.run.push("--header".into());
        out.run.push(format!("{header}: {prefix}${{{key}}}"));
        out.moves.push(Move {
            field: header.clone(),
            key,
            prefix,
        });
    }
    for (header, var) in &server.header_vars {
        crate::names::check_name(var).map_err(|e| e.to_string())?;
        let prefix = if header == "Authorization" && client == Client::Codex {
            "Bearer "
        } else {
            ""
        };
        out.run.push("--header".into());
        out.run.push(format!("{header}: {prefix}${{{var}}}"));
        out.forward.push(var.clone());
    }
    Ok(out)
}

/// The value a moved field held, without its kept prefix: what goes into the vault.
pub fn secret_part<'a>(value: &'a str, m: &Move) -> &'a str {
    value.strip_prefix(m.prefix.as_str()).unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(name: &str, headers: &[(&str, &str)]) -> Server {
        Server {
            loc: vec![],
            name: name.into(),
            command: None,
            args: vec![],
            env: vec![],
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            header_vars: vec![],
            url: Some("https://mcp.example.com/mcp".into()),
            kind: Some("http".into()),
        }
    }

    #[test]
    fn literal_headers_move_and_references_stay() {
        let s = http(
            "linear",
            &[
                ("Authorization", "Bearer lin_api_123"),
                ("X-Api-Key", "k-456"),
                ("X-Org", "${input:org}"),
            ],
        );
        let b = plan(&s, Client::Vscode, "keyward").unwrap();
        assert_eq!(
            b.run,
            [
                "keyward",
                "mcp",
                "bridge",
                "--url",
                "https://mcp.example.com/mcp",
                "--header",
                "Authorization: Bearer ${LINEAR_TOKEN}",
                "--header",
                "X-Api-Key: ${LINEAR_API_KEY}",
                "--header",
                "X-Org: ${LINEAR_X_ORG}",
            ]
        );
        let keys: Vec<&str> = b.moves.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, ["LINEAR_TOKEN", "LINEAR_API_KEY"]);
        assert_eq!(
            secret_part("Bearer lin_api_123", &b.moves[0]),
            "lin_api_123"
        );
        assert_eq!(b.refs, [("LINEAR_X_ORG".into(), "${input:org}".into())]);
        for arg in &b.run {
            assert!(!arg.contains("lin_api_123") && !arg.contains("k-456"));
        }
    }

    #[test]
    fn plain_http_elsewhere_is_refused() {
        let mut s = http("x", &[("Authorization", "Bearer t")]);
        s.url = Some("http://mcp.example.com/mcp".into());
        assert!(plan(&s, Client::Cursor, "keyward").is_err());
        s.url = Some("http://127.0.0.1:9/mcp".into());
        s.kind = Some("sse".into());
        let b = plan(&s, Client::ClaudeCode, "keyward").unwrap();
        assert!(b.run.windows(2).any(|w| w == ["--transport", "sse"]));
        assert_eq!(
            header_key("9lives", "Authorization", false),
            "MCP_9LIVES_AUTHORIZATION"
        );
        assert_eq!(
            header_key("context7", "CONTEXT7_API_KEY", false),
            "CONTEXT7_API_KEY"
        );
    }
}
