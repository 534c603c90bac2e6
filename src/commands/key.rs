//! `keyward key NAME`: inside a package started by `keyward run`, print one of its
//! granted keys, from wherever this run delivers them: the run socket
//! (`KEYWARD_SOCKET` + `KEYWARD_RUN_TOKEN`), then `$CREDENTIALS_DIRECTORY/NAME`, then
//! the environment. Opens no vault: the run's keyward already decided what is given.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::os::unix::ffi::OsStringExt;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use base64::Engine;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::error::{Error, Kind, Result};
use crate::secret::SecretBytes;

/// Prints one granted value (exactly, plus a newline on a terminal).
pub fn cmd_key(name: &str) -> Result<()> {
    crate::names::check_name(name)?;
    let Some(package) = std::env::var_os("KEYWARD_PACKAGE") else {
        return Err(Error::not_found(format!(
            "`keyward key {name}` works only inside a package started by `keyward run`, and this process is not in one"
        ))
        .code("not-in-run")
        .hint("run the package with `keyward run PACKAGE`; its code can then call `keyward key NAME`")
        .hint("outside a run, the owner reads a value with `keyward secret get NAME`"));
    };
    let package = package.to_string_lossy().into_owned();
    let requested = list_var("KEYWARD_KEYS");
    if !requested.iter().any(|k| k == name) {
        let list = if requested.is_empty() {
            "none".to_owned()
        } else {
            requested.join(", ")
        };
        return Err(Error::not_found(format!(
            "{package} never requested {name}: its manifest requests {list}"
        ))
        .code("not-requested")
        .hint(format!(
            "add {name} to `keys` in instant.package.json; the owner then approves it"
        )));
    }
    let value = if let (Some(socket), Some(token)) = (
        std::env::var_os("KEYWARD_SOCKET"),
        std::env::var_os("KEYWARD_RUN_TOKEN"),
    ) {
        from_socket(&socket, &token, name)?
    } else if let Some(dir) = std::env::var_os("CREDENTIALS_DIRECTORY") {
        match std::fs::read(std::path::Path::new(&dir).join(name)) {
            Ok(bytes) => Some(SecretBytes::new(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(Error::general(format!(
                    "cannot read {name} from the run folder {}: {e}",
                    std::path::Path::new(&dir).display()
                ))
                .hint(
                    "the run may have ended; keyward removes its folder when the package exits",
                ));
            }
        }
    } else {
        std::env::var_os(name).map(|v| SecretBytes::new(v.into_vec()))
    };
    let Some(value) = value else {
        let required = list_var("KEYWARD_REQUIRED").iter().any(|k| k == name);
        return Err(Error::not_found(format!(
            "{name} was not given to {package}{}",
            if required {
                ""
            } else {
                ": it is optional and the owner did not approve it, or the keychain has no value for it"
            }
        ))
        .code("not-granted")
        .hint(format!("the owner approves it with `keyward approve {package} {name}`")));
    };
    let mut out = std::io::stdout().lock();
    let newline = std::io::stdout().is_terminal();
    out.write_all(value.expose())
        .and_then(|()| {
            if newline {
                out.write_all(b"\n")
            } else {
                Ok(())
            }
        })
        .and_then(|()| out.flush())
        .or_else(|e| {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                Ok(())
            } else {
                Err(Error::general(format!(
                    "cannot write the value to stdout: {e}"
                )))
            }
        })
}

fn list_var(var: &str) -> Vec<String> {
    std::env::var(var)
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Asks the run socket for `name`. `Ok(None)`: the run does not give it.
fn from_socket(socket: &OsString, token: &OsString, name: &str) -> Result<Option<SecretBytes>> {
    let path = std::path::Path::new(socket);
    let unreachable = |e: std::io::Error| {
        Error::general(format!("cannot reach the run socket {}: {e}", path.display()))
            .code("socket")
            .hint("the run may have ended (keyward stops serving when the package exits); start it again with `keyward run`")
    };
    let mut conn = UnixStream::connect(path).map_err(unreachable)?;
    let timeout = Some(Duration::from_secs(30));
    conn.set_read_timeout(timeout).map_err(unreachable)?;
    let request = Zeroizing::new(format!(
        "{}\n",
        serde_json::json!({"token": token.to_string_lossy(), "key": name})
    ));
    conn.write_all(request.as_bytes()).map_err(unreachable)?;
    let mut line = Zeroizing::new(Vec::new());
    BufReader::new(&conn)
        .read_until(b'\n', &mut line)
        .map_err(unreachable)?;
    let doc: Zeroizing<String> = Zeroizing::new(String::from_utf8_lossy(&line).into_owned());
    let parsed: Value = serde_json::from_str(&doc).map_err(|_| {
        Error::general("the run socket answered something that is not one JSON line")
            .code("socket")
            .hint("is KEYWARD_SOCKET the socket keyward gave this package?")
    })?;
    if let Some(text) = parsed.get("value").and_then(Value::as_str) {
        return Ok(Some(SecretBytes::new(text.as_bytes().to_vec())));
    }
    if let Some(b64) = parsed.get("value_b64").and_then(Value::as_str) {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| Error::general("the run socket sent a value_b64 that is not base64"))?;
        return Ok(Some(SecretBytes::new(bytes)));
    }
    let code = parsed["error"]["code"].as_str().unwrap_or("socket");
    let message = parsed["error"]["message"]
        .as_str()
        .unwrap_or("no message")
        .to_owned();
    if code == "not-granted" {
        return Ok(None);
    }
    let kind = match code {
        "bad-request" | "busy" | "vault" | "audit" => Kind::General,
        _ => Kind::Denied,
    };
    Err(
        Error::new(kind, format!("the run socket refused {name}: {message}"))
            .code("socket-refused")
            .hint(format!("refusal code: {code}")),
    )
}
