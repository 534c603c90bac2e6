//! `keyward mcp bridge`: a stdio MCP server that forwards every message to a remote MCP
//! server over Streamable HTTP (or the older HTTP+SSE transport), adding headers whose
//! values come from the environment the run delivered (`Authorization: Bearer ${KEY}`).
//!
//! This is what `mcp import` turns an HTTP server entry into: a local package whose
//! `run` is this bridge, so the header's secret lives in the vault and reaches the
//! bridge only through `keyward run`. No async runtime: ureq and one thread per
//! request. The header values never appear in argv (only `${NAME}` does), in errors or
//! on stderr: a server's error text is shown with them concealed.

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use ureq::http::Uri;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::output::sanitize;

/// Time allowed to connect; answers themselves may take as long as the tool does.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest JSON (non-streamed) answer read.
const MAX_BODY: u64 = 64 * 1024 * 1024;
/// How a concealed header value is shown in a server's error text.
const CONCEALED: &str = "<concealed by keyward>";

/// The remote transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Transport {
    /// Streamable HTTP (MCP 2025-03-26 and later): one POST per message
    StreamableHttp,
    /// HTTP+SSE (MCP 2024-11-05): a GET event stream and POSTs to its endpoint
    Sse,
}

/// One header to send: its name and its value, `${NAME}` already filled in.
struct Header {
    name: String,
    value: Zeroizing<String>,
    /// Each `${NAME}`'s value on its own: a server may echo just the token.
    parts: Vec<Zeroizing<String>>,
}

/// What every request of a bridge shares.
struct Remote {
    agent: ureq::Agent,
    headers: Vec<Header>,
    session: Mutex<Option<String>>,
    protocol: Mutex<Option<String>>,
    out: Mutex<std::io::Stdout>,
}

/// Runs the bridge until stdin ends.
pub fn run(url: &str, header_args: &[String], transport: Transport) -> Result<()> {
    let uri = check_url(url)?;
    let headers = header_args
        .iter()
        .map(|h| expand_header(h, |name| std::env::var(name).ok()))
        .collect::<Result<Vec<_>>>()?;
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        // A redirect would carry the headers to wherever it points.
        .max_redirects(0)
        // Never through a proxy from the environment: it would see the headers, and a
        // loopback URL (allowed over plain http) would leave the machine.
        .proxy(None)
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .user_agent(concat!("keyward/", env!("CARGO_PKG_VERSION")))
        .build();
    let remote = Arc::new(Remote {
        agent: config.new_agent(),
        headers,
        session: Mutex::new(None),
        protocol: Mutex::new(None),
        out: Mutex::new(std::io::stdout()),
    });
    match transport {
        Transport::StreamableHttp => streamable(&remote, url),
        Transport::Sse => sse(&remote, url, &uri),
    }
}

/// `https://…`, or `http://` to a loopback host only.
pub fn check_url(url: &str) -> Result<Uri> {
    let bad = |why: &str| {
        Error::usage(format!("the MCP server URL {} {why}", sanitize(url)))
            .code("bridge-url")
            .hint(
                "use the server's https:// address (http:// only for 127.0.0.1, ::1 or localhost)",
            )
    };
    let uri: Uri = url.parse().map_err(|_| bad("is not a URL"))?;
    let host = uri.host().ok_or_else(|| bad("has no host"))?;
    match uri.scheme_str() {
        Some("https") => Ok(uri),
        Some("http") if is_loopback(host) => Ok(uri),
        Some("http") => Err(bad(
            "is plain http to a host that is not loopback: the header's key would cross the network unencrypted",
        )),
        _ => Err(bad("is neither https:// nor http://")),
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `NAME: VALUE` with each `${VAR}` in VALUE read through `lookup`.
fn expand_header(arg: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<Header> {
    let Some((name, template)) = arg.split_once(':') else {
        return Err(
            Error::usage(format!("--header `{}` is not `NAME: VALUE`", sanitize(arg)))
                .hint("e.g. --header 'Authorization: Bearer ${API_TOKEN}'"),
        );
    };
    let name = name.trim();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
        return Err(Error::usage(format!(
            "--header `{}` has no valid header name",
            sanitize(arg)
        )));
    }
    let mut value = Zeroizing::new(String::new());
    let mut parts = Vec::new();
    let mut rest = template.trim_start();
    while let Some(start) = rest.find("${") {
        value.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}').ok_or_else(|| {
            Error::usage(format!("--header {name}: `${{` without a closing `}}`"))
        })?;
        let var = &after[..end];
        crate::names::check_name(var).map_err(|e| Error::usage(format!("--header {name}: {e}")))?;
        let got = Zeroizing::new(lookup(var).ok_or_else(|| {
            Error::denied(format!(
                "header {name} needs {var}, which this run did not deliver"
            ))
            .code("not-approved")
            .hint(format!(
                "run the bridge through `keyward run PACKAGE`, with {var} approved (keyward approve PACKAGE {var})"
            ))
        })?);
        value.push_str(&got);
        parts.push(got);
        rest = &after[end + 1..];
    }
    value.push_str(rest);
    if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(Error::usage(format!(
            "header {name}: its value holds a line break or NUL, which HTTP does not allow"
        ))
        .hint("store the key without the line break: keyward secret set NAME"));
    }
    Ok(Header {
        name: name.to_owned(),
        value,
        parts,
    })
}

impl Remote {
    /// Writes one message to stdout, as one line.
    fn emit(&self, msg: &Value) {
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(out, "{msg}");
        let _ = out.flush();
    }

    /// A JSON-RPC error for each request in `msg`, so the client does not wait forever;
    /// and one line on stderr.
    fn fail(&self, msg: &Value, why: &str) {
        let why = self.conceal(why);
        eprintln!("keyward: error[bridge]: {why}");
        let ids: Vec<&Value> = match msg {
            Value::Array(items) => items.iter().filter_map(request_id).collect(),
            one => request_id(one).into_iter().collect(),
        };
        for id in ids {
            self.emit(&json!({
                "jsonrpc": "2.0",
                "id": id,
                "error": {"code": -32000, "message": format!("keyward bridge: {why}")},
            }));
        }
    }

    /// `text` with every header value taken out.
    fn conceal(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for h in &self.headers {
            let token = h.value.split_once(' ').map(|(_, t)| t);
            let whole = std::iter::once(h.value.as_str()).chain(token);
            for secret in whole.chain(h.parts.iter().map(|p| p.as_str())) {
                if secret.len() >= 4 {
                    out = out.replace(secret, CONCEALED);
                }
            }
        }
        sanitize(&out).into_owned()
    }

    /// A request to `url` with the bridge's headers (and the session's).
    fn request(&self, method: &str, url: &str) -> ureq::http::request::Builder {
        let mut req = ureq::http::Request::builder().method(method).uri(url);
        for h in &self.headers {
            req = req.header(h.name.as_str(), h.value.as_str());
        }
        if let Some(id) = self.session.lock().expect("not poisoned").as_deref() {
            req = req.header("Mcp-Session-Id", id);
        }
        if let Some(v) = self.protocol.lock().expect("not poisoned").as_deref() {
            req = req.header("MCP-Protocol-Version", v);
        }
        req
    }

    fn post(&self, url: &str, accept: &str, body: &[u8]) -> std::result::Result<Reply, String> {
        let req = self
            .request("POST", url)
            .header("Content-Type", "application/json")
            .header("Accept", accept)
            .body(body.to_vec())
            .map_err(|e| format!("cannot build the request: {e}"))?;
        let resp = self.agent.run(req).map_err(|e| transport_reason(url, &e))?;
        Ok(Reply(resp))
    }

    /// Remembers the protocol version an `initialize` result names.
    fn note(&self, msg: &Value) {
        if let Some(v) = msg["result"]["protocolVersion"].as_str() {
            *self.protocol.lock().expect("not poisoned") = Some(v.to_owned());
        }
    }
}

struct Reply(ureq::http::Response<ureq::Body>);

fn request_id(msg: &Value) -> Option<&Value> {
    msg.get("method")?;
    msg.get("id").filter(|id| !id.is_null())
}

fn transport_reason(url: &str, err: &ureq::Error) -> String {
    let url = sanitize(url);
    match err {
        ureq::Error::HostNotFound => format!("{url}: the host name does not resolve"),
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            format!("{url}: connection refused (nothing listens there)")
        }
        ureq::Error::Timeout(_) => format!("{url}: no answer in time"),
        other => format!("{url}: {}", other.to_string().lines().next().unwrap_or("")),
    }
}

// ---------------------------------------------------------------------------------
// Streamable HTTP

fn streamable(remote: &Arc<Remote>, url: &str) -> Result<()> {
    let mut workers = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let Ok(msg) = serde_json::from_str::<Value>(&line) else {
            eprintln!("keyward: error[bridge]: a line on stdin is not JSON; it was not sent");
            continue;
        };
        let is_request = match &msg {
            Value::Array(items) => items.iter().any(|m| request_id(m).is_some()),
            one => request_id(one).is_some(),
        };
        // `initialize` first, alone: its answer carries the session id the rest need.
        // Notifications and responses are quick (202) and keep their order.
        if !is_request || msg["method"] == "initialize" {
            exchange(remote, url, &msg, line.as_bytes());
        } else {
            let (remote, url) = (Arc::clone(remote), url.to_owned());
            workers.push(std::thread::spawn(move || {
                exchange(&remote, &url, &msg, line.as_bytes());
            }));
        }
        workers.retain(|w| !w.is_finished());
    }
    for w in workers {
        let _ = w.join();
    }
    end_session(remote, url);
    Ok(())
}

/// POSTs one message and writes what comes back.
fn exchange(remote: &Remote, url: &str, msg: &Value, body: &[u8]) {
    let Reply(resp) = match remote.post(url, "application/json, text/event-stream", body) {
        Ok(r) => r,
        Err(why) => return remote.fail(msg, &why),
    };
    if let Some(id) = resp
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
    {
        *remote.session.lock().expect("not poisoned") = Some(id.to_owned());
    }
    let status = resp.status().as_u16();
    let kind = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut body = resp.into_body();
    if !(200..300).contains(&status) {
        let text = body
            .with_config()
            .limit(4096)
            .read_to_string()
            .unwrap_or_default();
        // Concealed before it is cut: a value cut in half would no longer match.
        let excerpt: String = remote.conceal(&text).chars().take(200).collect();
        let why = match status {
            401 | 403 => format!(
                "the server refused the request (HTTP {status}): check the key in the vault (keyward secret set NAME) {excerpt}"
            ),
            404 if remote.session.lock().expect("not poisoned").is_some() => {
                format!("the server ended the session (HTTP 404); restart the server {excerpt}")
            }
            _ => format!("the server answered HTTP {status} {excerpt}"),
        };
        return remote.fail(msg, why.trim_end());
    }
    if status == 202 || status == 204 {
        return;
    }
    if kind.starts_with("text/event-stream") {
        let mut reader = BufReader::new(body.into_reader());
        read_events(&mut reader, |event, data| {
            if event == "message" {
                forward(remote, data);
            }
            true
        });
    } else {
        match body.with_config().limit(MAX_BODY).read_to_string() {
            Ok(text) if !text.trim().is_empty() => forward(remote, &text),
            Ok(_) => {}
            Err(e) => remote.fail(msg, &format!("cannot read the server's answer: {e}")),
        }
    }
}

/// Writes one JSON text (a message or a batch) as lines.
fn forward(remote: &Remote, text: &str) {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => {
            for m in &items {
                remote.note(m);
                remote.emit(m);
            }
        }
        Ok(m) => {
            remote.note(&m);
            remote.emit(&m);
        }
        Err(_) => eprintln!("keyward: error[bridge]: the server sent a message that is not JSON"),
    }
}

/// Ends the session (best effort) when the client has gone.
fn end_session(remote: &Remote, url: &str) {
    if remote.session.lock().expect("not poisoned").is_none() {
        return;
    }
    if let Ok(req) = remote.request("DELETE", url).body(()) {
        let _ = remote.agent.run(req);
    }
}

/// Reads server-sent events, calling `each(event, data)` until it returns false or the
/// stream ends.
fn read_events(reader: &mut impl BufRead, mut each: impl FnMut(&str, &str) -> bool) {
    let (mut event, mut data) = (String::new(), String::new());
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let l = line.trim_end_matches(['\n', '\r']);
        if l.is_empty() {
            if !data.is_empty() {
                data.pop();
                let kind = if event.is_empty() { "message" } else { &event };
                if !each(kind, &data) {
                    return;
                }
            }
            event.clear();
            data.clear();
            continue;
        }
        if l.starts_with(':') {
            continue;
        }
        let (field, value) = l.split_once(':').unwrap_or((l, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "data" => {
                data.push_str(value);
                data.push('\n');
            }
            "event" => value.clone_into(&mut event),
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------
// HTTP+SSE (2024-11-05)

fn sse(remote: &Arc<Remote>, url: &str, base: &Uri) -> Result<()> {
    let req = remote
        .request("GET", url)
        .header("Accept", "text/event-stream")
        .body(())
        .map_err(|e| Error::general(format!("cannot build the request: {e}")))?;
    let resp = remote
        .agent
        .run(req)
        .map_err(|e| Error::general(transport_reason(url, &e)).code("bridge"))?;
    let status = resp.status().as_u16();
    if status != 200 {
        return Err(Error::general(format!(
            "the MCP server at {} answered HTTP {status} to its event stream",
            sanitize(url)
        ))
        .code("bridge")
        .hint(
            "check the URL and the key in the vault; an https://…/mcp URL speaks streamable-http",
        ));
    }
    let (tx, rx) = mpsc::channel::<String>();
    let events = Arc::clone(remote);
    let base = base.clone();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(resp.into_body().into_reader());
        let mut tx = Some(tx);
        read_events(&mut reader, |event, data| {
            match event {
                "endpoint" => {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(data.to_owned());
                    }
                }
                "message" => forward(&events, data),
                _ => {}
            }
            true
        });
        eprintln!("keyward: error[bridge]: the MCP server closed its event stream");
        // The bridge runs under `run`'s statuses: 125 is keyward's own failure.
        std::process::exit(125);
    });
    let endpoint = rx
        .recv_timeout(CONNECT_TIMEOUT)
        .map_err(|_| {
            Error::general(format!(
                "the MCP server at {} sent no `endpoint` event",
                sanitize(url)
            ))
            .code("bridge")
            .hint("this URL may speak streamable-http: use --transport streamable-http")
        })
        .and_then(|e| same_origin(&base, &e))?;
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let msg: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        match remote.post(
            &endpoint,
            "application/json, text/event-stream",
            line.as_bytes(),
        ) {
            Ok(Reply(resp)) if resp.status().is_success() => {
                let _ = resp.into_body().into_reader().read_to_end(&mut Vec::new());
            }
            Ok(Reply(resp)) => {
                let why = format!("the server answered HTTP {}", resp.status().as_u16());
                remote.fail(&msg, &why);
            }
            Err(why) => remote.fail(&msg, &why),
        }
    }
    Ok(())
}

/// The endpoint an SSE server names, resolved against its URL; another origin is
/// refused (the headers would go there).
fn same_origin(base: &Uri, endpoint: &str) -> Result<String> {
    let origin = format!(
        "{}://{}",
        base.scheme_str().unwrap_or("https"),
        base.authority().map_or("", |a| a.as_str())
    );
    let url = if endpoint.starts_with("http://") || endpoint.starts_with("https://") {
        endpoint.to_owned()
    } else if endpoint.starts_with('/') {
        format!("{origin}{endpoint}")
    } else {
        let path = base.path();
        let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
        format!("{origin}{dir}{endpoint}")
    };
    let same = url
        .strip_prefix(&origin)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'));
    if !same {
        return Err(Error::general(format!(
            "the MCP server's endpoint {} is on another origin than {origin}; keyward does not send the headers there",
            sanitize(endpoint)
        ))
        .code("bridge"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_take_values_from_the_environment_only() {
        let h = expand_header("Authorization: Bearer ${API_TOKEN}", |n| {
            (n == "API_TOKEN").then(|| "sk-1".to_owned())
        })
        .unwrap();
        assert_eq!(
            (h.name.as_str(), h.value.as_str()),
            ("Authorization", "Bearer sk-1")
        );
        let err = expand_header("X-Key: ${MISSING}", |_| None).err().unwrap();
        assert!(err.message.contains("needs MISSING"), "{}", err.message);
        assert!(expand_header("X-Key ${A}", |_| None).is_err());
        assert!(expand_header("X: ${A}", |_| Some("a\nb".into())).is_err());
    }

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(check_url("https://mcp.example.com/mcp").is_ok());
        assert!(check_url("http://127.0.0.1:8080/mcp").is_ok());
        assert!(check_url("http://[::1]:8080/mcp").is_ok());
        assert!(check_url("http://localhost/mcp").is_ok());
        assert!(check_url("http://mcp.example.com/mcp").is_err());
        assert!(check_url("ftp://127.0.0.1/").is_err());
    }

    #[test]
    fn events_are_split_and_joined() {
        let text =
            "event: endpoint\ndata: /messages?s=1\n\n: ping\ndata: {\"a\":\ndata: 1}\r\n\r\n";
        let mut got = Vec::new();
        read_events(&mut text.as_bytes(), |e, d| {
            got.push((e.to_owned(), d.to_owned()));
            true
        });
        assert_eq!(
            got,
            [
                ("endpoint".to_owned(), "/messages?s=1".to_owned()),
                ("message".to_owned(), "{\"a\":\n1}".to_owned())
            ]
        );
    }

    #[test]
    fn an_sse_endpoint_must_stay_on_the_origin() {
        let base: Uri = "https://h.example/sse".parse().unwrap();
        assert_eq!(
            same_origin(&base, "/messages?x=1").unwrap(),
            "https://h.example/messages?x=1"
        );
        assert_eq!(same_origin(&base, "msg").unwrap(), "https://h.example/msg");
        assert!(same_origin(&base, "https://evil.example/m").is_err());
        assert!(same_origin(&base, "https://h.example.evil/m").is_err());
    }
}
