//! `serve: "http"`: the package's own server, started once with `PORT` and
//! `HOST=127.0.0.1`, ready when it accepts a connection, then reverse-proxied with
//! streaming through the masker. A watcher re-hashes its tree every second: when it
//! changes, the server is stopped and its grants revoked (as `run` would); the next
//! request after re-approval starts it again. A change of its granted keys or enabled
//! endpoints restarts it. It is told its enabled endpoints in `KEYWARD_ENDPOINTS` (a JSON
//! list of `"METHOD /path"`, or `*` for every one): the Instant API launcher offers only
//! those as MCP tools, since its tool calls reach its own server, not the gateway.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Frame;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response};
use tokio::io::AsyncReadExt;
use tokio::sync::{Mutex, mpsc};

use super::{Authorized, Body, Call, Outcome, Refusal, drop_response_header, record};
use crate::keychain::{Endpoints, Keychain};
use crate::mask::Masker;
use crate::output::Output;
use crate::runner::{self, Given, Launchable};
use crate::secret::SecretBytes;
use crate::vault::Id;

/// Responses up to this size are held, masked, and recorded with their exact size;
/// larger ones and event streams are recorded when they start, then streamed.
const HOLD: usize = 256 * 1024;

/// The running package servers, by installation.
#[derive(Clone, Default)]
pub struct Procs {
    map: Arc<Mutex<HashMap<Id, Arc<Proc>>>>,
}

/// One running package server.
struct Proc {
    port: u16,
    digest: String,
    keys: Vec<String>,
    endpoints: Endpoints,
    pid: Option<u32>,
    masker: Arc<Masker>,
    stopped: AtomicBool,
    child: Mutex<Option<tokio::process::Child>>,
}

impl Proc {
    async fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        if let Some(pid) = self
            .pid
            .and_then(|p| rustix::process::Pid::from_raw(p as i32))
        {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::TERM);
        }
        if let Some(mut child) = self.child.lock().await.take()
            && tokio::time::timeout(Duration::from_secs(2), child.wait())
                .await
                .is_err()
        {
            let _ = child.kill().await;
        }
    }
}

impl Procs {
    /// Stops every package server (the gateway is exiting).
    pub async fn stop_all(&self) {
        let all: Vec<Arc<Proc>> = self.map.lock().await.drain().map(|(_, p)| p).collect();
        for p in all {
            p.stop().await;
        }
    }

    /// The running server of `auth`'s package, started (or restarted) as needed.
    async fn get(&self, auth: &Starting<'_>, watcher: Watcher) -> Result<Arc<Proc>, Refusal> {
        let id = auth.inst.row.id;
        let mut map = self.map.lock().await;
        if let Some(p) = map.get(&id) {
            let current = !p.stopped.load(Ordering::SeqCst)
                && p.digest == auth.inst.row.digest
                && p.keys == auth.launch.names
                && p.endpoints == *auth.endpoints;
            if current {
                return Ok(p.clone());
            }
            let p = map.remove(&id).expect("present");
            p.stop().await;
        }
        let proc = Arc::new(start(auth).await?);
        map.insert(id, proc.clone());
        tokio::spawn(watch(self.clone(), id, proc.clone(), watcher));
        Ok(proc)
    }
}

/// What starting a server takes from an authorised call.
#[derive(Clone, Copy)]
struct Starting<'a> {
    inst: &'a crate::keychain::Installed,
    launch: &'a crate::keychain::Launch,
    guard: &'a crate::guard::Guard,
    pinned: &'a [crate::digest::Entry],
    endpoints: &'a Endpoints,
}

/// What the watcher needs to open its own keychain handle: the vault, the token, the
/// package.
pub struct Watcher {
    /// The vault file.
    pub vault: PathBuf,
    /// The token of the request that started the server.
    pub token: zeroize::Zeroizing<String>,
    /// The package name.
    pub package: String,
}

fn free_port() -> Result<u16, Refusal> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| {
            Refusal::new(
                503,
                "no-port",
                format!("no free loopback port for the package: {e}"),
            )
        })
}

async fn start(auth: &Starting<'_>) -> Result<Proc, Refusal> {
    let Starting {
        inst,
        launch,
        guard,
        pinned,
        endpoints,
    } = *auth;
    let dir = PathBuf::from(&inst.row.path);
    let port = free_port()?;
    let mut env = runner::environment(
        std::env::vars_os(),
        &inst.manifest,
        &dir,
        Given::Values(&launch.values),
        false,
    );
    env.insert("PORT".into(), port.to_string().into());
    env.insert("HOST".into(), "127.0.0.1".into());
    let enabled = match endpoints {
        Endpoints::All => "*".to_owned(),
        Endpoints::Only(list) => serde_json::to_string(list).unwrap_or_else(|_| "[]".into()),
    };
    env.insert("KEYWARD_ENDPOINTS".into(), enabled.into());
    let argv = runner::argv(&inst.manifest, &dir, &[]);
    let what = Launchable {
        argv: &argv,
        env: &env,
        guard,
        pinned,
    };
    let mut cmd = what.command().map_err(|e| match e {
        runner::LaunchError::Changed(file) => Refusal::new(
            403,
            "package-changed",
            format!(
                "{} changed after it was verified ({}); it was not started",
                inst.name(),
                crate::output::sanitize(&file)
            ),
        ),
        runner::LaunchError::Os { source, .. } => Refusal::new(
            502,
            "not-executable",
            format!("{} could not be started: {source}", inst.name()),
        )
        .hint("check the manifest's `run` and the package's files"),
    })?;
    cmd.current_dir(&dir);
    let mut child = super::spawn_package(cmd, Stdio::null(), inst.name())?;
    let values: Vec<SecretBytes> = launch.values.iter().map(|(_, v)| v.clone()).collect();
    let masker = Arc::new(Masker::new(&values));
    // The package's own output goes to keyward's stderr, masked.
    if let Some(out) = child.stdout.take() {
        tokio::spawn(pump(out, masker.clone()));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(pump(err, masker.clone()));
    }
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(u64::from(inst.manifest.timeout).max(15));
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(Refusal::new(502, "not-ready", format!(
                "{} exited ({status}) before it listened on its PORT",
                inst.name()
            ))
            .hint("the package must listen on 127.0.0.1:$PORT; its output is in keyward serve's stderr"));
        }
        if Instant::now() > deadline {
            let _ = child.kill().await;
            return Err(Refusal::new(
                504,
                "not-ready",
                format!("{} did not listen on its PORT in time", inst.name()),
            )
            .hint("the package must listen on 127.0.0.1:$PORT"));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let proc = Proc {
        port,
        digest: inst.row.digest.clone(),
        keys: launch.names.clone(),
        endpoints: endpoints.clone(),
        pid,
        masker,
        stopped: AtomicBool::new(false),
        child: Mutex::new(Some(child)),
    };
    Ok(proc)
}

async fn pump<R: tokio::io::AsyncRead + Unpin>(mut r: R, masker: Arc<Masker>) {
    let mut buf = vec![0u8; 8192];
    let mut stream = masker.stream();
    let mut shown = Vec::new();
    while let Ok(n) = r.read(&mut buf).await {
        if n == 0 {
            break;
        }
        shown.clear();
        stream.feed(&buf[..n], &mut shown);
        eprint!("{}", String::from_utf8_lossy(&shown));
    }
    shown.clear();
    stream.finish(&mut shown);
    eprint!("{}", String::from_utf8_lossy(&shown));
}

/// Re-hashes the package every second while it runs; a change stops it and revokes.
async fn watch(procs: Procs, id: Id, proc: Arc<Proc>, watcher: Watcher) {
    let opened = tokio::task::spawn_blocking(move || {
        super::open_package(&watcher.vault, &watcher.token, &watcher.package)
    })
    .await;
    let Ok(Ok((kc, inst))) = opened else {
        // Without its own handle the watcher cannot revoke: stop the server, the next
        // request starts it again (and re-checks everything).
        procs.map.lock().await.remove(&id);
        proc.stop().await;
        return;
    };
    let state = Arc::new(std::sync::Mutex::new((kc, inst)));
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if proc.stopped.load(Ordering::SeqCst) {
            return;
        }
        let exited = proc
            .child
            .lock()
            .await
            .as_mut()
            .is_none_or(|c| matches!(c.try_wait(), Ok(Some(_))));
        let st = state.clone();
        let changed = tokio::task::spawn_blocking(move || {
            let mut guard = st.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let (kc, inst) = &mut *guard;
            let quiet = Output::new(false, true, false, crate::cli::ColorWhen::Never);
            // Revokes the grants when the tree changed, as `run` does (through the same
            // verification cache: a big tree is a stat walk while nothing changed).
            kc.verify_pin_for_run(inst, &quiet, false)
                .map(|c| c.changed(inst))
                .unwrap_or(true)
        })
        .await
        .unwrap_or(true);
        if changed || exited {
            let mut map = procs.map.lock().await;
            if map.get(&id).is_some_and(|p| Arc::ptr_eq(p, &proc)) {
                map.remove(&id);
            }
            drop(map);
            proc.stop().await;
            return;
        }
    }
}

/// Proxies one call to the package's server.
pub async fn serve(
    procs: Procs,
    auth: Authorized,
    call: Call,
    watcher: Watcher,
    token_id: Option<[u8; 16]>,
    started: Instant,
) -> Result<Response<Body>, Refusal> {
    let Authorized {
        kc,
        inst,
        launch,
        guard,
        pinned,
        endpoints,
        ..
    } = auth;
    let timeout = Duration::from_secs(u64::from(inst.manifest.timeout));
    let package = watcher.package.clone();
    let starting = Starting {
        inst: &inst,
        launch: &launch,
        guard: &guard,
        pinned: &pinned,
        endpoints: &endpoints,
    };
    let proc = procs.get(&starting, watcher).await;
    drop((launch, guard));
    let kc = Some(kc);
    let proc = match proc {
        Ok(p) => p,
        Err(r) => return refused(kc, token_id, &package, &call, started, r).await,
    };
    let resp = match tokio::time::timeout(timeout, forward(&proc, &call)).await {
        Err(_) => Err(Refusal::new(
            504,
            "timeout",
            format!(
                "the package did not answer within its timeout of {} s",
                timeout.as_secs()
            ),
        )),
        Ok(r) => r,
    };
    let upstream = match resp {
        Ok(u) => u,
        Err(r) => return refused(kc, token_id, &package, &call, started, r).await,
    };
    // Every value: a second `Content-Encoding` line would reach the client too.
    if upstream
        .headers()
        .get_all(header::CONTENT_ENCODING)
        .iter()
        .any(|v| super::is_encoded(v.as_bytes()))
    {
        let r = super::encoded_refusal(&package);
        return refused(kc, token_id, &package, &call, started, r).await;
    }
    relay(
        upstream,
        proc.masker.clone(),
        kc,
        token_id,
        &package,
        &call,
        started,
    )
    .await
}

/// Records a call refused after it was let in (its audit entry is the refusal), then
/// refuses it.
async fn refused<T>(
    kc: Option<Keychain>,
    token_id: Option<[u8; 16]>,
    package: &str,
    call: &Call,
    started: Instant,
    r: Refusal,
) -> std::result::Result<T, Refusal> {
    let outcome = Outcome {
        status: r.status.as_u16(),
        bytes: 0,
        streamed: false,
    };
    record(kc, token_id, package, call, outcome, started).await?;
    Err(r)
}

async fn forward(proc: &Proc, call: &Call) -> Result<Response<hyper::body::Incoming>, Refusal> {
    let down = |e: String| {
        Refusal::new(
            502,
            "bad-gateway",
            format!("the package's server did not answer: {e}"),
        )
        .hint("its output is in keyward serve's stderr")
    };
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", proc.port))
        .await
        .map_err(|e| down(e.to_string()))?;
    let _ = tcp.set_nodelay(true);
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
            .await
            .map_err(|e| down(e.to_string()))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let mut uri = super::route::encode_path(&call.path);
    if !call.query.is_empty() {
        uri = format!("{uri}?{}", call.query);
    }
    let mut req = Request::builder().method(call.method.as_str()).uri(uri);
    for (name, value) in &call.headers {
        let n = name.as_str();
        if matches!(
            n,
            "connection"
                | "keep-alive"
                | "transfer-encoding"
                | "te"
                | "upgrade"
                | "proxy-connection"
                | "trailer"
                | "content-length"
                | "host"
        ) {
            continue;
        }
        req = req.header(name, value);
    }
    req = req.header(header::HOST, format!("127.0.0.1:{}", proc.port));
    req = req.header(header::ACCEPT_ENCODING, "identity");
    if !call.prefix.is_empty() {
        req = req.header("x-forwarded-prefix", call.prefix.as_str());
    }
    req = req.header("x-forwarded-host", call.host.as_str());
    let req = req
        .body(Full::new(call.body.clone()))
        .map_err(|e| down(e.to_string()))?;
    sender
        .send_request(req)
        .await
        .map_err(|e| down(e.to_string()))
}

/// Masks and relays the package's response; records the call before anything is sent.
async fn relay(
    upstream: Response<hyper::body::Incoming>,
    masker: Arc<Masker>,
    kc: Option<Keychain>,
    token_id: Option<[u8; 16]>,
    package: &str,
    call: &Call,
    started: Instant,
) -> Result<Response<Body>, Refusal> {
    let (parts, mut body) = upstream.into_parts();
    let status = parts.status;
    let event_stream = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    let mut resp = Response::builder().status(status);
    for (name, value) in &parts.headers {
        if drop_response_header(name.as_str()) {
            continue;
        }
        let mut masked = Vec::new();
        let mut s = masker.stream();
        s.feed(value.as_bytes(), &mut masked);
        s.finish(&mut masked);
        let mut value =
            HeaderValue::from_bytes(&masked).unwrap_or_else(|_| HeaderValue::from_static(""));
        if name == header::LOCATION
            && !call.prefix.is_empty()
            && value.as_bytes().starts_with(b"/")
            && !value.as_bytes().starts_with(b"//")
        {
            let joined = format!(
                "{}{}",
                call.prefix,
                String::from_utf8_lossy(value.as_bytes())
            );
            value = HeaderValue::from_str(&joined).unwrap_or(value);
        }
        resp = resp.header(name, value);
    }
    // Hold the start of the body: a short response is recorded with its exact size.
    let mut stream = masker.stream();
    let mut held = Vec::new();
    let mut ended = false;
    while event_stream_or_small(event_stream, held.len()) {
        match body.frame().await {
            None => {
                ended = true;
                break;
            }
            Some(Err(_)) => {
                ended = true;
                break;
            }
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    stream.feed(&data, &mut held);
                    if event_stream && !held.is_empty() {
                        break;
                    }
                }
            }
        }
    }
    if ended {
        stream.finish(&mut held);
    }
    let outcome = Outcome {
        status: status.as_u16(),
        bytes: held.len() as u64,
        streamed: !ended,
    };
    record(kc, token_id, package, call, outcome, started).await?;
    if ended {
        return resp.body(super::full(held)).map_err(|e| {
            Refusal::new(
                502,
                "bad-gateway",
                format!("cannot relay the package's response: {e}"),
            )
        });
    }
    let (tx, rx) = mpsc::channel::<Result<Frame<Bytes>, std::io::Error>>(16);
    tokio::spawn(async move {
        let mut stream = masker.stream();
        if !held.is_empty() && tx.send(Ok(Frame::data(Bytes::from(held)))).await.is_err() {
            return;
        }
        let mut out = Vec::new();
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else { break };
            let Ok(data) = frame.into_data() else {
                continue;
            };
            out.clear();
            stream.feed(&data, &mut out);
            if !out.is_empty()
                && tx
                    .send(Ok(Frame::data(Bytes::copy_from_slice(&out))))
                    .await
                    .is_err()
            {
                return;
            }
        }
        out.clear();
        stream.finish(&mut out);
        if !out.is_empty() {
            let _ = tx.send(Ok(Frame::data(Bytes::from(out)))).await;
        }
    });
    resp.body(BodyExt::boxed(ChannelBody(rx))).map_err(|e| {
        Refusal::new(
            502,
            "bad-gateway",
            format!("cannot relay the package's response: {e}"),
        )
    })
}

fn event_stream_or_small(event_stream: bool, held: usize) -> bool {
    event_stream || held < HOLD
}

/// A response body fed by the relay task.
struct ChannelBody(mpsc::Receiver<Result<Frame<Bytes>, std::io::Error>>);

impl hyper::body::Body for ChannelBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        self.0.poll_recv(cx)
    }
}
