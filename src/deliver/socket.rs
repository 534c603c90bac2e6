//! The `socket` mode's server: a unix socket in the run folder, served from threads of
//! keyward's own process (no async runtime) while the package runs.
//!
//! Protocol: one JSON line in, one out, any number of times per connection.
//! `{"token": T, "key": NAME}` → `{"value": V}`, `{"value_b64": V}` (a value that is
//! not UTF-8, standard base64) or `{"error": {"code", "message"}}`. Every request is
//! checked in this order: the peer's uid is keyward's (`SO_PEERCRED`); the token is
//! the run's (constant time); the peer is the package or a descendant of it; the
//! package requested the key and was launched with it; then the caller's gate (the
//! grant still holds in the vault, and the read is recorded in the audit log). Any
//! failure is refused, and no value leaves without its audit entry.

use std::ffi::OsString;
use std::io::{PipeReader, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine;
use rustix::event::{PollFd, PollFlags};
use serde::Deserialize;
use serde_json::json;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::RunDir;
use super::peer;
use crate::error::{Error, Result};
use crate::secret::SecretBytes;

/// Connections served at once; more are answered `busy` and closed.
pub const MAX_CONNECTIONS: usize = 16;
/// Longest request line.
const MAX_LINE: usize = 16 * 1024;
/// Requests one connection may make.
const MAX_REQUESTS: usize = 256;
/// How long a connection may stay silent.
const IDLE: Duration = Duration::from_secs(10);

/// Why a request was refused: a code for programs, a message for people. Never a value.
#[derive(Debug)]
pub struct Refusal {
    /// `bad-request`, `wrong-user`, `bad-token`, `not-descendant`, `not-requested`,
    /// `not-granted`, `revoked`, `audit`, `busy`.
    pub code: &'static str,
    /// What failed and what to do.
    pub message: String,
}

impl Refusal {
    /// A refusal with `code` and `message`.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            code,
            message: message.into(),
        }
    }
}

/// The last check of a request, made by whoever holds the vault: `Ok` once the grant
/// of `key` still holds and the read by `pid` is recorded.
pub trait Gate: Sync {
    /// Re-checks the grant of `key` and records its read by `pid`.
    fn allow(&self, key: &str, pid: u32) -> std::result::Result<(), Refusal>;
}

/// A bound run socket and the token of this run.
pub struct RunSocket {
    listener: UnixListener,
    path: PathBuf,
    token: Zeroizing<String>,
}

#[derive(Deserialize)]
struct Request {
    token: String,
    key: String,
}

impl Drop for Request {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.token);
    }
}

impl RunSocket {
    /// Binds `socket` in the run folder and draws a new 256-bit run token.
    pub fn bind(dir: &RunDir) -> Result<RunSocket> {
        let path = dir.path().join("socket");
        let listener = UnixListener::bind(&path).map_err(|e| {
            Error::general(format!(
                "cannot create the run socket {}: {e}; the package was not started",
                path.display()
            ))
            .code("run-folder")
            .hint("use --deliver files or env, or set XDG_RUNTIME_DIR to a folder where sockets can be made")
        })?;
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut *bytes);
        let token = Zeroizing::new(crate::token::hex(&*bytes));
        Ok(RunSocket {
            listener,
            path,
            token,
        })
    }

    /// `KEYWARD_SOCKET` and `KEYWARD_RUN_TOKEN`, for the package's environment.
    pub fn vars(&self) -> Vec<(OsString, OsString)> {
        vec![
            ("KEYWARD_SOCKET".into(), self.path.clone().into()),
            ("KEYWARD_RUN_TOKEN".into(), self.token.as_str().into()),
        ]
    }

    /// Serves requests from the package `package` (a pid) until `stop` becomes
    /// readable (its writer is dropped when the package has exited).
    pub fn serve(
        &self,
        package: u32,
        values: &[(String, SecretBytes)],
        gate: &dyn Gate,
        stop: &PipeReader,
    ) {
        let server = Server {
            package,
            uid: rustix::process::geteuid().as_raw(),
            token: self.token.as_bytes(),
            values,
            gate,
            active: AtomicUsize::new(0),
        };
        std::thread::scope(|scope| {
            loop {
                if !wait_readable(self.listener.as_fd(), stop.as_fd(), None) {
                    break;
                }
                let Ok((conn, _)) = self.listener.accept() else {
                    continue;
                };
                if server.active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                    server.active.fetch_sub(1, Ordering::SeqCst);
                    let busy = Refusal::new(
                        "busy",
                        format!("more than {MAX_CONNECTIONS} connections at once; retry"),
                    );
                    let _ = respond(&conn, &Err(busy));
                    continue;
                }
                let server = &server;
                scope.spawn(move || {
                    server.connection(conn, stop);
                    server.active.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
    }
}

impl Drop for RunSocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

struct Server<'a> {
    package: u32,
    uid: u32,
    token: &'a [u8],
    values: &'a [(String, SecretBytes)],
    gate: &'a dyn Gate,
    active: AtomicUsize,
}

impl Server<'_> {
    fn connection(&self, mut conn: UnixStream, stop: &PipeReader) {
        let mut buf: Zeroizing<Vec<u8>> = Zeroizing::new(Vec::with_capacity(1024));
        let mut chunk = Zeroizing::new([0u8; 4096]);
        for _ in 0..MAX_REQUESTS {
            let line = loop {
                if let Some(end) = buf.iter().position(|&b| b == b'\n') {
                    let line: Zeroizing<Vec<u8>> = Zeroizing::new(buf.drain(..=end).collect());
                    break line;
                }
                if buf.len() > MAX_LINE {
                    let too_long = Refusal::new("bad-request", "request line longer than 16 KiB");
                    let _ = respond(&conn, &Err(too_long));
                    return;
                }
                if !wait_readable(conn.as_fd(), stop.as_fd(), Some(IDLE)) {
                    return;
                }
                match conn.read(&mut *chunk) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            };
            let answer = self.answer(&conn, &line);
            if respond(&conn, &answer).is_err() {
                return;
            }
            let _ = conn.flush();
        }
    }

    /// Checks one request line; the value to send, or why not.
    fn answer<'v>(
        &'v self,
        conn: &UnixStream,
        line: &[u8],
    ) -> std::result::Result<&'v SecretBytes, Refusal> {
        let (pid, uid) = peer::credentials(conn).ok_or_else(|| {
            Refusal::new("wrong-user", "cannot tell who is connected (SO_PEERCRED)")
        })?;
        if uid != self.uid {
            return Err(Refusal::new(
                "wrong-user",
                format!("the run socket serves uid {} only", self.uid),
            ));
        }
        let req: Request = serde_json::from_slice(line).map_err(|_| {
            Refusal::new(
                "bad-request",
                r#"send one JSON line: {"token": "$KEYWARD_RUN_TOKEN", "key": "NAME"}"#,
            )
        })?;
        if !bool::from(req.token.as_bytes().ct_eq(self.token)) {
            return Err(Refusal::new(
                "bad-token",
                "the token is not this run's: send $KEYWARD_RUN_TOKEN as given to the package",
            ));
        }
        if !peer::descends_from(pid, self.package) {
            return Err(Refusal::new(
                "not-descendant",
                format!(
                    "process {pid} is not the package (pid {}) or one of its descendants; only the package's own process tree may read its keys",
                    self.package
                ),
            ));
        }
        let Some((_, value)) = self.values.iter().find(|(name, _)| *name == req.key) else {
            return Err(Refusal::new(
                "not-granted",
                format!(
                    "{} was not given to this run: the package does not request it, or the owner did not approve it",
                    crate::output::sanitize(&req.key)
                ),
            ));
        };
        self.gate.allow(&req.key, pid)?;
        Ok(value)
    }
}

/// Writes one answer line: the value (as text, or base64 when not UTF-8) or the error.
fn respond(
    mut conn: &UnixStream,
    answer: &std::result::Result<&SecretBytes, Refusal>,
) -> std::io::Result<()> {
    let _ = conn.set_write_timeout(Some(IDLE));
    match answer {
        Ok(value) => {
            // Sized up front so the buffer holding the value is never reallocated
            // (which would leave a copy behind); zeroed when dropped.
            let mut out = Zeroizing::new(Vec::with_capacity(value.len() * 6 + 32));
            match std::str::from_utf8(value.expose()) {
                Ok(text) => {
                    out.extend_from_slice(br#"{"value":"#);
                    serde_json::to_writer(&mut *out, text).map_err(std::io::Error::other)?;
                }
                Err(_) => {
                    let b64 = Zeroizing::new(
                        base64::engine::general_purpose::STANDARD.encode(value.expose()),
                    );
                    out.extend_from_slice(br#"{"value_b64":"#);
                    serde_json::to_writer(&mut *out, b64.as_str())
                        .map_err(std::io::Error::other)?;
                }
            }
            out.extend_from_slice(b"}\n");
            conn.write_all(&out)
        }
        Err(refusal) => {
            let doc = json!({"error": {"code": refusal.code, "message": refusal.message}});
            conn.write_all(format!("{doc}\n").as_bytes())
        }
    }
}

/// Waits until `fd` is readable; `false` when `stop` became readable first (or the
/// wait failed or timed out).
fn wait_readable(fd: BorrowedFd<'_>, stop: BorrowedFd<'_>, timeout: Option<Duration>) -> bool {
    let timeout = timeout.map(|d| rustix::time::Timespec {
        tv_sec: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        tv_nsec: 0,
    });
    loop {
        let mut fds = [
            PollFd::from_borrowed_fd(fd, PollFlags::IN),
            PollFd::from_borrowed_fd(stop, PollFlags::IN),
        ];
        match rustix::event::poll(&mut fds, timeout.as_ref()) {
            Ok(0) => return false,
            Ok(_) => {
                if !fds[1].revents().is_empty() {
                    return false;
                }
                return !fds[0].revents().is_empty();
            }
            Err(rustix::io::Errno::INTR) => {}
            Err(_) => return false,
        }
    }
}
