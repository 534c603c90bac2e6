//! `serve: "cgi"`: one process per request under CGI/1.1 (RFC 3875): meta-variables in
//! the environment, the body on stdin, a CGI response on stdout; killed at the
//! manifest's `timeout` (504). The whole output is masked before it is parsed.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use hyper::header::{HeaderName, HeaderValue};
use hyper::{Response, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Authorized, Body, Call, Outcome, Refusal, drop_response_header, full};
use crate::keychain::Keychain;
use crate::mask::Masker;
use crate::runner::{self, Given, Launchable};
use crate::secret::SecretBytes;

/// Largest CGI response keyward holds (it is masked whole, then sent).
const MAX_OUTPUT: usize = 16 << 20;

/// Runs one CGI request; returns the keychain (for the audit entry), the response and
/// what to record.
pub async fn serve(auth: Authorized, call: &Call) -> (Option<Keychain>, Response<Body>, Outcome) {
    let Authorized {
        kc,
        inst,
        launch,
        guard,
        pinned,
        ..
    } = auth;
    let dir = PathBuf::from(&inst.row.path);
    let values: Vec<SecretBytes> = launch.values.iter().map(|(_, v)| v.clone()).collect();
    let mut env = runner::environment(
        std::env::vars_os(),
        &inst.manifest,
        &dir,
        Given::Values(&launch.values),
        false,
    );
    env.extend(meta_variables(call));
    let argv = runner::argv(&inst.manifest, &dir, &[]);
    let what = Launchable {
        argv: &argv,
        env: &env,
        guard: &guard,
        pinned: &pinned,
    };
    let timeout = Duration::from_secs(u64::from(inst.manifest.timeout));
    let result = match what.command() {
        Ok(cmd) => run(cmd, call, timeout, &values).await,
        Err(runner::LaunchError::Changed(file)) => Err(Refusal::new(
            403,
            "package-changed",
            format!(
                "{} changed after it was verified ({} is no longer the file that was hashed); it was not run",
                inst.name(),
                crate::output::sanitize(&file)
            ),
        )),
        Err(e) => Err(Refusal::new(
            502,
            "not-executable",
            format!("{} could not be started: {e:?}", inst.name()),
        )),
    };
    drop(guard);
    let (resp, outcome) = match result {
        Ok(resp) => resp,
        Err(r) => {
            let status = r.status.as_u16();
            (
                r.response(),
                Outcome {
                    status,
                    bytes: 0,
                    streamed: false,
                },
            )
        }
    };
    (Some(kc), resp, outcome)
}

/// RFC 3875 §4.1, plus `HTTP_*` for every header but `Authorization` (already
/// removed), `Proxy` (httpoxy: it would become `HTTP_PROXY`) and the two the spec
/// carries itself.
fn meta_variables(call: &Call) -> BTreeMap<OsString, OsString> {
    let mut env: BTreeMap<OsString, OsString> = BTreeMap::new();
    let mut set = |k: &str, v: String| {
        env.insert(k.into(), v.into());
    };
    set("GATEWAY_INTERFACE", "CGI/1.1".into());
    set("SERVER_PROTOCOL", "HTTP/1.1".into());
    set("SERVER_SOFTWARE", "keyward".into());
    set("REQUEST_METHOD", call.method.clone());
    set("SCRIPT_NAME", call.prefix.clone());
    set("PATH_INFO", call.path.clone());
    set("QUERY_STRING", call.query.clone());
    let (name, _) = call.host.rsplit_once(':').unwrap_or((&call.host, ""));
    set("SERVER_NAME", name.to_owned());
    set("SERVER_PORT", call.local.port().to_string());
    set("REMOTE_ADDR", call.peer.ip().to_string());
    let mut uri = format!("{}{}", call.prefix, super::route::encode_path(&call.path));
    if !call.query.is_empty() {
        uri = format!("{uri}?{}", call.query);
    }
    set("REQUEST_URI", uri);
    if !call.body.is_empty() || call.headers.contains_key(hyper::header::CONTENT_LENGTH) {
        set("CONTENT_LENGTH", call.body.len().to_string());
    }
    if let Some(ct) = call
        .headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        set("CONTENT_TYPE", ct.to_owned());
    }
    for (name, value) in &call.headers {
        let n = name.as_str();
        if matches!(
            n,
            "content-type" | "content-length" | "proxy" | "authorization" | "proxy-authorization"
        ) {
            continue;
        }
        let Ok(value) = value.to_str() else { continue };
        let var = format!("HTTP_{}", n.to_ascii_uppercase().replace('-', "_"));
        if !var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        env.entry(var.into())
            .and_modify(|v: &mut OsString| {
                v.push(", ");
                v.push(value);
            })
            .or_insert_with(|| value.into());
    }
    env
}

async fn run(
    cmd: std::process::Command,
    call: &Call,
    timeout: Duration,
    values: &[SecretBytes],
) -> Result<(Response<Body>, Outcome), Refusal> {
    let mut child = super::spawn_package(cmd, Stdio::piped(), "the package")?;
    let pid = child.id();
    let mut stdin = child.stdin.take();
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let body = call.body.clone();
    let masker = Masker::new(values);
    let work = async {
        let write = async {
            if let Some(mut s) = stdin.take() {
                let _ = s.write_all(&body).await;
            }
        };
        let read = async {
            let mut out = Vec::new();
            if let Some(s) = stdout.as_mut() {
                let mut limited = s.take(MAX_OUTPUT as u64 + 1);
                let _ = limited.read_to_end(&mut out).await;
            }
            out
        };
        let errs = async {
            let mut err = Vec::new();
            if let Some(s) = stderr.as_mut() {
                let _ = s.take(1 << 20).read_to_end(&mut err).await;
            }
            err
        };
        let ((), out, err) = tokio::join!(write, read, errs);
        let status = child.wait().await;
        (out, err, status)
    };
    let (out, err, status) = match tokio::time::timeout(timeout, work).await {
        Ok(done) => done,
        Err(_) => {
            kill_group(pid);
            return Err(Refusal::new(
                504,
                "timeout",
                format!(
                    "the package did not answer within its timeout of {} s and was stopped",
                    timeout.as_secs()
                ),
            )
            .hint("the package's manifest sets \"timeout\" (1–300 s)"));
        }
    };
    kill_group(pid);
    if !err.is_empty() {
        let mut shown = Vec::new();
        let mut stream = masker.stream();
        stream.feed(&err, &mut shown);
        stream.finish(&mut shown);
        eprint!("{}", String::from_utf8_lossy(&shown));
    }
    if out.len() > MAX_OUTPUT {
        return Err(Refusal::new(
            502,
            "response-too-large",
            format!("the package's CGI response is larger than {MAX_OUTPUT} bytes"),
        ));
    }
    let mut masked = Vec::with_capacity(out.len());
    let mut stream = masker.stream();
    stream.feed(&out, &mut masked);
    stream.finish(&mut masked);
    let exited_ok = status.as_ref().is_ok_and(std::process::ExitStatus::success);
    parse_response(&masked).map_err(|why| {
        Refusal::new(502, "bad-gateway", format!(
            "the package's answer is not a CGI response ({why}){}",
            if exited_ok { "" } else { "; it exited with an error" }
        ))
        .hint("a CGI program prints headers (at least Content-Type or Status), a blank line, then the body")
    })
}

fn kill_group(pid: Option<u32>) {
    if let Some(pid) = pid.and_then(|p| rustix::process::Pid::from_raw(p as i32)) {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

/// Parses a CGI response: header lines, a blank line, the body.
fn parse_response(out: &[u8]) -> Result<(Response<Body>, Outcome), &'static str> {
    let (head, body) = split_head(out).ok_or("no blank line after the headers")?;
    let head = std::str::from_utf8(head).map_err(|_| "its headers are not UTF-8")?;
    let mut status = None;
    let mut headers = Vec::new();
    let mut location = false;
    for line in head.lines() {
        let (name, value) = line
            .split_once(':')
            .ok_or("a header line without a colon")?;
        let (name, value) = (name.trim(), value.trim());
        if name.eq_ignore_ascii_case("status") {
            let code = value
                .split_whitespace()
                .next()
                .and_then(|c| c.parse::<u16>().ok())
                .ok_or("a Status line without a code")?;
            status = Some(StatusCode::from_u16(code).map_err(|_| "a Status code out of range")?);
            continue;
        }
        location |= name.eq_ignore_ascii_case("location");
        if name.eq_ignore_ascii_case("content-encoding") && super::is_encoded(value.as_bytes()) {
            return Err(
                "a Content-Encoding: keyward masks the body and cannot read a compressed one",
            );
        }
        if drop_response_header(name) {
            continue;
        }
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| "an invalid header name")?;
        let value = HeaderValue::from_str(value).map_err(|_| "an invalid header value")?;
        headers.push((name, value));
    }
    if headers.is_empty() && status.is_none() {
        return Err("no header at all");
    }
    // RFC 3875 §6.2.3: a Location without a Status is a redirect; keyward follows none.
    let status = status.unwrap_or(if location {
        StatusCode::FOUND
    } else {
        StatusCode::OK
    });
    let bytes = body.len() as u64;
    let mut resp = Response::new(full(body.to_vec()));
    *resp.status_mut() = status;
    for (n, v) in headers {
        resp.headers_mut().append(n, v);
    }
    Ok((
        resp,
        Outcome {
            status: status.as_u16(),
            bytes,
            streamed: false,
        },
    ))
}

fn split_head(out: &[u8]) -> Option<(&[u8], &[u8])> {
    let crlf = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| (p, p + 4));
    let lf = out
        .windows(2)
        .position(|w| w == b"\n\n")
        .map(|p| (p, p + 2));
    let (end, start) = match (crlf, lf) {
        (Some(a), Some(b)) => {
            if a.0 < b.0 {
                a
            } else {
                b
            }
        }
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => return None,
    };
    Some((&out[..end], &out[start..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cgi_responses_parse_with_status_location_and_bare_lf() {
        let (r, o) =
            parse_response(b"Status: 201 Created\r\nContent-Type: text/plain\r\n\r\nhi").unwrap();
        assert_eq!((r.status().as_u16(), o.bytes), (201, 2));
        let (r, _) = parse_response(b"Location: /x\n\n").unwrap();
        assert_eq!(r.status().as_u16(), 302);
        let (r, _) = parse_response(
            b"Content-Type: text/plain\nServer: evil\nAccess-Control-Allow-Origin: *\n\nbody",
        )
        .unwrap();
        assert!(r.headers().get("server").is_none());
        assert!(r.headers().get("access-control-allow-origin").is_none());
        assert!(parse_response(b"just text").is_err());
        // A compressed body would carry a value past the masker.
        assert!(parse_response(b"Content-Encoding: gzip\r\n\r\nxx").is_err());
        assert!(parse_response(b"Content-Encoding: identity\r\n\r\nxx").is_ok());
    }
}
