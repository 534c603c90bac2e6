//! What an MCP server entry's command stands for: `npx -y pkg@ver …` is an npm
//! package, `uvx pkg==ver …` a PyPI one, `keyward run P` is already guarded, anything
//! else a local command.

use super::config::Server;

/// What a server runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `keyward run PACKAGE` already.
    Guarded {
        /// `-k` of the entry.
        keychain: Option<String>,
        /// The package.
        package: String,
    },
    /// An HTTP (or SSE) server: `url`, no command.
    Http,
    /// A registry package; `version` is `None` or not exact when floating.
    Registry {
        /// npm or PyPI.
        eco: crate::registry::Ecosystem,
        /// Package name.
        name: String,
        /// As written (may be a tag or range, or missing).
        version: Option<String>,
        /// Arguments after the package.
        extra: Vec<String>,
    },
    /// Any other command: run as written.
    Local {
        /// command and args.
        run: Vec<String>,
    },
    /// No command and no url: nothing keyward can run.
    Nothing,
}

fn base(cmd: &str) -> &str {
    cmd.rsplit('/').next().unwrap_or(cmd)
}

/// Classifies a server entry.
pub fn classify(server: &Server) -> Target {
    if let Some((keychain, package)) = server.guarded() {
        return Target::Guarded { keychain, package };
    }
    let Some(cmd) = server.command.as_deref() else {
        return if server.url.is_some() {
            Target::Http
        } else {
            Target::Nothing
        };
    };
    let local = || Target::Local {
        run: std::iter::once(cmd.to_owned())
            .chain(server.args.iter().cloned())
            .collect(),
    };
    let args = &server.args;
    match base(cmd) {
        "npx" => npx(args).unwrap_or_else(local),
        "uvx" => uvx(args).unwrap_or_else(local),
        "uv" if args.len() > 2 && args[0] == "tool" && args[1] == "run" => {
            uvx(&args[2..]).unwrap_or_else(local)
        }
        _ => local(),
    }
}

fn npx(args: &[String]) -> Option<Target> {
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-y" | "--yes" | "-q" | "--quiet" | "--prefer-offline" | "--no" => i += 1,
            "-p" | "--package" | "-c" | "--call" => return None,
            _ if a.starts_with('-') => return None,
            _ => break,
        }
    }
    let spec = args.get(i)?;
    let (name, version) = split_npm(spec);
    Some(Target::Registry {
        eco: crate::registry::Ecosystem::Npm,
        name: name.to_owned(),
        version: version.map(str::to_owned),
        extra: args[i + 1..].to_vec(),
    })
}

fn uvx(args: &[String]) -> Option<Target> {
    let mut i = 0;
    let mut from = None;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "--from" => {
                from = Some(args.get(i + 1)?.clone());
                i += 2;
            }
            "-q" | "--quiet" | "--offline" | "--isolated" => i += 1,
            _ if a.starts_with('-') => return None,
            _ => break,
        }
    }
    let spec = match &from {
        Some(f) => f.clone(),
        None => args.get(i)?.clone(),
    };
    // With --from, args[i] is the command to run (the default entry point is used).
    let extra_from = i + 1;
    let (name, version) = match spec.split_once("==") {
        Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
        None => match spec.split_once('@') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (spec.clone(), None),
        },
    };
    if from.is_some() && args.get(i).is_none() {
        return None;
    }
    Some(Target::Registry {
        eco: crate::registry::Ecosystem::Pypi,
        name,
        version,
        extra: args
            .get(extra_from..)
            .map(<[String]>::to_vec)
            .unwrap_or_default(),
    })
}

/// `@scope/name@1.2.3` → (`@scope/name`, `1.2.3`).
fn split_npm(spec: &str) -> (&str, Option<&str>) {
    let from = usize::from(spec.starts_with('@'));
    match spec[from..].rfind('@') {
        Some(i) => (&spec[..from + i], Some(&spec[from + i + 1..])),
        None => (spec, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Ecosystem;

    fn server(cmd: &str, args: &[&str]) -> Server {
        Server {
            loc: vec![],
            name: "s".into(),
            command: Some(cmd.into()),
            args: args.iter().map(|s| s.to_string()).collect(),
            env: vec![],
            headers: vec![],
            header_vars: vec![],
            url: None,
            kind: None,
        }
    }

    #[test]
    fn commands_map_to_packages() {
        assert_eq!(
            classify(&server(
                "npx",
                &[
                    "-y",
                    "@modelcontextprotocol/server-everything@2026.1.26",
                    "stdio"
                ]
            )),
            Target::Registry {
                eco: Ecosystem::Npm,
                name: "@modelcontextprotocol/server-everything".into(),
                version: Some("2026.1.26".into()),
                extra: vec!["stdio".into()],
            }
        );
        assert_eq!(
            classify(&server("npx", &["-y", "left-pad"])),
            Target::Registry {
                eco: Ecosystem::Npm,
                name: "left-pad".into(),
                version: None,
                extra: vec![],
            }
        );
        assert_eq!(
            classify(&server(
                "uvx",
                &["mcp-server-time==0.6.2", "--local-timezone", "UTC"]
            )),
            Target::Registry {
                eco: Ecosystem::Pypi,
                name: "mcp-server-time".into(),
                version: Some("0.6.2".into()),
                extra: vec!["--local-timezone".into(), "UTC".into()],
            }
        );
        assert_eq!(
            classify(&server("keyward", &["-k", "agents", "run", "@x/y"])),
            Target::Guarded {
                keychain: Some("agents".into()),
                package: "@x/y".into()
            }
        );
        assert_eq!(
            classify(&server("node", &["/srv/mcp/index.js"])),
            Target::Local {
                run: vec!["node".into(), "/srv/mcp/index.js".into()]
            }
        );
    }
}
