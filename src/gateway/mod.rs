//! `keyward serve`: the HTTP gateway (DESIGN.md "Gateway").
//!
//! One tokio runtime (two workers), started only here: `run` never starts one. Each
//! connection carries one request, whose head is checked before hyper parses it
//! ([`conn`]). A request is routed ([`route`]), its bearer token unlocks its keychain
//! (the owner's master key never serves a request), and the package is checked as `run`
//! checks it, per request: installed there, digest equal to the pin (a change revokes),
//! endpoint enabled, required keys granted. Then it is served by CGI ([`cgi`]) or by
//! its own server, started once ([`http`]); the response passes the streaming masker.
//! Every call is one audit entry, written before the response is sent: a call that
//! cannot be recorded is refused (503).

mod cgi;
mod conn;
mod http;
pub mod route;

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited, combinators::BoxBody};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::digest::Entry;
use crate::endpoints;
use crate::error::{Error, Kind, Result};
use crate::guard::Guard;
use crate::keychain::{Endpoints, Installed, Keychain, Launch, Role};
use crate::manifest::Serve;
use crate::output::Output;
use crate::token::hex;
use crate::unlock::{Access, Unlocked};
use crate::vault::Vault;

/// The response body type.
pub type Body = BoxBody<Bytes, std::io::Error>;

/// What `serve` was asked for.
pub struct Config {
    /// The vault file.
    pub vault: PathBuf,
    /// `--listen` values (empty: the loopback defaults).
    pub listen: Vec<String>,
    /// `--tls-cert`, `--tls-key`.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Limits.
    pub limits: Limits,
}

/// Bounds on what one client can take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Requests at once, in all.
    pub concurrent: usize,
    /// Requests at once, per package.
    pub per_package: usize,
    /// Largest request body.
    pub body: usize,
}

/// Time a client has to send its body.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest a connection may stay open (server-sent events included).
const CONN_TIMEOUT: Duration = Duration::from_secs(600);

/// Shared by every connection.
struct State {
    vault: PathBuf,
    limits: Limits,
    all: Arc<Semaphore>,
    per_package: Mutex<HashMap<String, Arc<Semaphore>>>,
    procs: http::Procs,
}

/// Parses, checks and binds the listen addresses, then serves until SIGINT or SIGTERM.
pub fn serve(cfg: Config, out: &Output) -> Result<()> {
    let addrs = listen_addrs(&cfg.listen)?;
    if cfg.tls.is_none()
        && let Some(addr) = addrs.iter().find(|a| !a.ip().is_loopback())
    {
        return Err(Error::usage(format!(
            "{addr} is not a loopback address; keyward serves other addresses only over TLS"
        ))
        .hint("add --tls-cert FILE --tls-key FILE, or listen on 127.0.0.1 / [::1]"));
    }
    let tls = cfg
        .tls
        .as_ref()
        .map(|(c, k)| tls_acceptor(c, k))
        .transpose()?;
    // Fail now, not at the first request, when the vault cannot be opened.
    drop(Vault::open(&cfg.vault)?);
    let mut std_listeners = Vec::new();
    for addr in &addrs {
        let l = std::net::TcpListener::bind(addr).map_err(|e| {
            Error::general(format!("cannot listen on {addr}: {e}"))
                .hint("pick another address with --listen ADDR (port 0 picks a free port)")
        })?;
        l.set_nonblocking(true)
            .map_err(|e| Error::general(format!("cannot listen on {addr}: {e}")))?;
        std_listeners.push(l);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(128)
        .thread_name("keyward-serve")
        .enable_all()
        .build()
        .map_err(|e| Error::general(format!("cannot start the gateway's runtime: {e}")))?;
    let state = Arc::new(State {
        vault: cfg.vault.clone(),
        limits: cfg.limits,
        all: Arc::new(Semaphore::new(cfg.limits.concurrent)),
        per_package: Mutex::new(HashMap::new()),
        procs: http::Procs::default(),
    });
    let scheme = if tls.is_some() { "https" } else { "http" };
    rt.block_on(async {
        for l in std_listeners {
            let listener = TcpListener::from_std(l)
                .map_err(|e| Error::general(format!("cannot listen: {e}")))?;
            let local = listener
                .local_addr()
                .map_err(|e| Error::general(format!("cannot listen: {e}")))?;
            crate::output::print_line(&format!("listening on {scheme}://{local}"));
            tokio::spawn(accept_loop(listener, state.clone(), tls.clone()));
        }
        out.info("keyward serve: ready; stop with Ctrl-C");
        wait_for_stop().await;
        state.procs.stop_all().await;
        Ok::<(), Error>(())
    })?;
    rt.shutdown_timeout(Duration::from_secs(2));
    Ok(())
}

async fn wait_for_stop() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

fn listen_addrs(given: &[String]) -> Result<Vec<SocketAddr>> {
    if given.is_empty() {
        return Ok(vec![
            "127.0.0.1:7777".parse().expect("literal"),
            "[::1]:7777".parse().expect("literal"),
        ]);
    }
    given
        .iter()
        .map(|a| {
            a.parse::<SocketAddr>().map_err(|_| {
                Error::usage(format!(
                    "--listen {} is not an IP:PORT address",
                    crate::output::sanitize(a)
                ))
                .hint("e.g. --listen 127.0.0.1:7777 or --listen [::1]:7777")
            })
        })
        .collect()
}

fn tls_acceptor(cert: &Path, key: &Path) -> Result<tokio_rustls::TlsAcceptor> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    use tokio_rustls::rustls;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<std::result::Result<_, _>>())
        .map_err(|e| {
            Error::general(format!(
                "cannot read the certificate chain {}: {e}",
                cert.display()
            ))
            .hint("--tls-cert takes a PEM file of certificates")
        })?;
    if certs.is_empty() {
        return Err(
            Error::general(format!("{} holds no PEM certificate", cert.display()))
                .hint("--tls-cert takes a PEM file of certificates"),
        );
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        Error::general(format!(
            "cannot read the private key {}: {e}",
            key.display()
        ))
        .hint("--tls-key takes a PEM private key (PKCS#8, PKCS#1 or SEC1)")
    })?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .and_then(|b| b.with_no_client_auth().with_single_cert(certs, key))
    .map_err(|e| {
        Error::general(format!(
            "the TLS certificate and key do not make a server configuration: {e}"
        ))
        .hint("check that --tls-key is the key of --tls-cert")
    })?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

async fn accept_loop(
    listener: TcpListener,
    state: Arc<State>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            // Out of descriptors, most likely: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let Ok(local) = stream.local_addr() else {
            continue;
        };
        let state = state.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let serve = async {
                match tls {
                    Some(acceptor) => {
                        if let Ok(Ok(s)) =
                            tokio::time::timeout(conn::HEAD_TIMEOUT, acceptor.accept(stream)).await
                        {
                            serve_conn(s, state, local, peer).await;
                        }
                    }
                    None => serve_conn(stream, state, local, peer).await,
                }
            };
            let _ = tokio::time::timeout(CONN_TIMEOUT, serve).await;
        });
    }
}

async fn serve_conn<S>(mut stream: S, state: Arc<State>, local: SocketAddr, peer: SocketAddr)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let head = match conn::read_head(&mut stream).await {
        Ok(head) => head,
        Err(Some(refused)) => return conn::refuse(&mut stream, &refused).await,
        Err(None) => return,
    };
    let io = hyper_util::rt::TokioIo::new(conn::Rewind::new(head, stream));
    let service = hyper::service::service_fn(move |req| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(handle(state, local, peer, req).await) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .keep_alive(false)
        .max_buf_size(64 * 1024)
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(conn::HEAD_TIMEOUT)
        .serve_connection(io, service)
        .await;
}

/// A refusal: status, code, message, hints.
pub struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
    hints: Vec<String>,
}

impl Refusal {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// A keyward error as the gateway answers it.
    fn from_error(e: &Error) -> Self {
        let status = match (e.kind, e.code) {
            (Kind::Locked, _) => 401,
            (Kind::NotFound, "missing-secret") => 403,
            (Kind::NotFound, _) => 404,
            (Kind::Denied | Kind::Changed, _) => 403,
            (Kind::Integrity, _) => 500,
            (_, "audit") => 503,
            _ => 500,
        };
        let mut r = Refusal::new(status, e.code, e.message.clone());
        r.hints = e.hints.clone();
        r
    }

    fn response(&self) -> Response<Body> {
        let mut resp = json_response(
            self.status,
            error_body(self.code, &self.message, &self.hints),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"keyward\""),
            );
        }
        if self.status == StatusCode::TOO_MANY_REQUESTS
            || self.status == StatusCode::SERVICE_UNAVAILABLE
        {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        resp
    }
}

/// `{"error": {"code", "message", "hints"}}`.
/// Starts a package for the gateway: its own process group (so stopping it stops what
/// it started), killed when the handle drops, stdout and stderr piped. `name` says what
/// could not be started.
pub(crate) fn spawn_package(
    mut cmd: std::process::Command,
    stdin: std::process::Stdio,
    name: &str,
) -> std::result::Result<tokio::process::Child, Refusal> {
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    cmd.stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut cmd = tokio::process::Command::from(cmd);
    cmd.kill_on_drop(true);
    cmd.spawn().map_err(|e| {
        Refusal::new(
            502,
            "not-executable",
            format!("{name} could not be started: {e}"),
        )
        .hint("check the manifest's `run` and the package's files")
    })
}

pub(crate) fn error_body(code: &str, message: &str, hints: &[String]) -> Vec<u8> {
    let doc = json!({"error": {"code": code, "message": message, "hints": hints}});
    let mut v = serde_json::to_vec(&doc).unwrap_or_default();
    v.push(b'\n');
    v
}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response<Body> {
    let mut resp = Response::new(full(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// The request as a package gets it: checked, decoded, its body read.
pub struct Call {
    /// The method.
    pub method: String,
    /// The package-relative path, decoded and checked.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    /// `/@scope/name` for a path-routed request, else empty (`SCRIPT_NAME`).
    pub prefix: String,
    /// The headers, `Authorization` removed.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// The `Host` the client used.
    pub host: String,
    /// The connection's local and peer addresses.
    pub local: SocketAddr,
    /// The client.
    pub peer: SocketAddr,
}

/// A call that passed every check.
pub struct Authorized {
    kc: Keychain,
    inst: Installed,
    launch: Launch,
    guard: Guard,
    /// The tree just verified (its digest is the pin's): what the launch rechecks the
    /// guard's held files against, without parsing the pinned list again.
    pinned: Vec<Entry>,
    serve: Serve,
    /// The endpoints enabled for the installation (an http package is told them).
    endpoints: Endpoints,
}

/// What the audit entry of a call says.
struct Outcome {
    status: u16,
    bytes: u64,
    streamed: bool,
}

async fn handle(
    state: Arc<State>,
    local: SocketAddr,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Response<Body> {
    let started = Instant::now();
    match handle_inner(&state, local, peer, req, started).await {
        Ok(resp) => resp,
        Err(r) => r.response(),
    }
}

async fn handle_inner(
    state: &Arc<State>,
    local: SocketAddr,
    peer: SocketAddr,
    req: Request<Incoming>,
    started: Instant,
) -> std::result::Result<Response<Body>, Refusal> {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| Refusal::new(400, "bad-request", "the request has no Host header"))?;
    let by_host = route::host_route(&host, local).map_err(|()| {
        Refusal::new(
            421,
            "misdirected",
            format!(
                "this gateway does not serve the host `{}`",
                crate::output::sanitize(&host)
            ),
        )
        .hint("use http://{name}.{scope}.localhost:PORT/… or http://127.0.0.1:PORT/@scope/name/…")
    })?;
    let path = route::clean_path(req.uri().path())
        .map_err(|why| {
            Refusal::new(
                400,
                "bad-path",
                format!("{why}; the request was not passed on"),
            )
        })?
        .0;
    let token = bearer(req.headers())?.to_owned();
    let (package, rest, prefix) = match by_host {
        route::HostRoute::Package(name) => (name, path, String::new()),
        route::HostRoute::Address if path == "/.well-known/keyward" => {
            return well_known(state, &token).await;
        }
        route::HostRoute::Address => {
            let (name, rest) = route::split_package(&path).ok_or_else(|| {
                Refusal::new(404, "not-found", "no package named in the path")
                    .hint("call /@scope/name/ENDPOINT, or GET /.well-known/keyward for what this token may call")
            })?;
            let prefix = route::prefix_of(&name);
            (name, rest, prefix)
        }
    };
    // Limits before any work: all requests, then this package's.
    let _all = try_permit(&state.all, "the gateway")?;
    let sem = {
        let mut map = state
            .per_package
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(package.clone())
            .or_insert_with(|| Arc::new(Semaphore::new(state.limits.per_package)))
            .clone()
    };
    let _one = try_permit(&sem, &package)?;
    let method = req.method().as_str().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let (parts, body) = req.into_parts();
    let body = read_body(body, &parts.headers, state.limits.body).await?;
    let mut headers = parts.headers;
    headers.remove(header::AUTHORIZATION);
    headers.remove(header::PROXY_AUTHORIZATION);
    // The masker reads the response as sent: a compressed one would carry a value past
    // it, so packages are asked for none (and a compressed answer is refused).
    headers.remove(header::ACCEPT_ENCODING);
    let call = Call {
        method,
        path: rest,
        query,
        prefix,
        headers,
        body,
        host,
        local,
        peer,
    };

    let vault = state.vault.clone();
    let (pkg, m, p) = (package.clone(), call.method.clone(), call.path.clone());
    let token_owned = token.to_owned();
    let (token_id, authorized) =
        tokio::task::spawn_blocking(move || authorize(&vault, &token_owned, &pkg, &m, &p))
            .await
            .map_err(|_| Refusal::new(500, "internal", "the authorisation task failed; retry"))??;
    let auth = match authorized {
        Ok(auth) => auth,
        Err((kc, refusal)) => {
            let outcome = Outcome {
                status: refusal.status.as_u16(),
                bytes: 0,
                streamed: false,
            };
            record(kc, token_id, &package, &call, outcome, started).await?;
            return Err(refusal);
        }
    };
    match auth.serve {
        Serve::Cgi => {
            let (kc, resp, outcome) = cgi::serve(auth, &call).await;
            record(kc, token_id, &package, &call, outcome, started).await?;
            Ok(resp)
        }
        Serve::Http => {
            let watcher = http::Watcher {
                vault: state.vault.clone(),
                token: zeroize::Zeroizing::new(token.to_owned()),
                package,
            };
            http::serve(state.procs.clone(), auth, call, watcher, token_id, started).await
        }
    }
}

fn try_permit(
    sem: &Arc<Semaphore>,
    what: &str,
) -> std::result::Result<OwnedSemaphorePermit, Refusal> {
    sem.clone().try_acquire_owned().map_err(|_| {
        Refusal::new(
            429,
            "too-many-requests",
            format!("{what} is serving as many requests as it allows"),
        )
        .hint("retry after the Retry-After delay")
    })
}

fn bearer(headers: &HeaderMap) -> std::result::Result<&str, Refusal> {
    let missing = || {
        Refusal::new(401, "unauthorized", "this request has no keychain token")
            .hint("send Authorization: Bearer <token>, the token `keyward keychain create` or `keychain token --rotate` printed")
    };
    let value = headers.get(header::AUTHORIZATION).ok_or_else(missing)?;
    let value = value.to_str().map_err(|_| missing())?;
    let (scheme, token) = value.split_once(' ').ok_or_else(missing)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(missing());
    }
    Ok(token.trim())
}

async fn read_body(
    body: Incoming,
    headers: &HeaderMap,
    limit: usize,
) -> std::result::Result<Bytes, Refusal> {
    let too_large = || {
        Refusal::new(
            413,
            "body-too-large",
            format!("the request body is larger than {limit} bytes"),
        )
        .hint(
            "send a smaller body (the owner sets the limit with `keyward serve --max-body BYTES`)",
        )
    };
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > limit as u64
    {
        return Err(too_large());
    }
    match tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, limit).collect()).await {
        Err(_) => Err(Refusal::new(
            408,
            "request-timeout",
            format!(
                "the request body did not arrive within {} s",
                BODY_TIMEOUT.as_secs()
            ),
        )),
        Ok(Err(e))
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(too_large())
        }
        Ok(Err(_)) => Err(Refusal::new(
            400,
            "bad-request",
            "the request body could not be read (a malformed chunked body?)",
        )),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

/// Outcome of checking one call: the token id (for the audit entry), then the
/// authorisation or the refusal with the keychain to record it in (none when the
/// token did not open one).
type Checked = (
    Option<[u8; 16]>,
    std::result::Result<Authorized, (Option<Keychain>, Refusal)>,
);

/// The checks of `run`, per request, for a token holder (blocking: SQLite and hashing).
fn authorize(
    vault: &Path,
    token: &str,
    package: &str,
    method: &str,
    path: &str,
) -> std::result::Result<Checked, Refusal> {
    let opened = Vault::open(vault).map_err(|e| Refusal::from_error(&e.into()))?;
    let unlocked = Unlocked::with_token(opened, token).map_err(|e| {
        let mut r = Refusal::from_error(&e);
        if r.status == StatusCode::UNAUTHORIZED {
            r.code = "unauthorized";
            r.message = "the keychain token is not valid for this vault (wrong, rotated away or from another vault)".into();
        }
        r
    })?;
    let Access::Token { token_id, .. } = &unlocked.access else {
        return Err(Refusal::new(
            401,
            "unauthorized",
            "only keychain tokens are served",
        ));
    };
    let token_id = *token_id;
    let mut kc = Keychain::open(unlocked, None, Role::Any).map_err(|e| Refusal::from_error(&e))?;
    match check(&mut kc, package, method, path) {
        Ok(passed) => Ok((
            Some(token_id),
            Ok(Authorized {
                kc,
                inst: passed.inst,
                launch: passed.launch,
                guard: passed.guard,
                pinned: passed.pinned,
                serve: passed.serve,
                endpoints: passed.endpoints,
            }),
        )),
        Err(r) => Ok((Some(token_id), Err((Some(kc), r)))),
    }
}

/// A keychain handle and installation for the token (the http watcher's own).
pub(crate) fn open_package(
    vault: &Path,
    token: &str,
    package: &str,
) -> Result<(Keychain, Installed)> {
    let kc = Keychain::open(
        Unlocked::with_token(Vault::open(vault)?, token)?,
        None,
        Role::Any,
    )?;
    let inst = kc.package(package)?;
    Ok((kc, inst))
}

fn check(
    kc: &mut Keychain,
    package: &str,
    method: &str,
    path: &str,
) -> std::result::Result<Passed, Refusal> {
    let refuse = |e: Error| Refusal::from_error(&e);
    let mut inst = kc.package(package).map_err(|e| {
        let mut r = refuse(e);
        if r.status == StatusCode::NOT_FOUND {
            r.status = StatusCode::FORBIDDEN;
            r.code = "not-installed";
            r.message = format!("no package `{package}` is installed in this token's keychain");
            r.hints = vec!["GET /.well-known/keyward lists what this token may call".into()];
        }
        r
    })?;
    if inst.revoked() {
        return Err(Refusal::new(403, "package-changed", format!(
            "{} changed since it was approved; its grants are revoked",
            inst.name()
        ))
        .hint(format!("the owner reviews it (keyward inspect {} --diff) and re-approves it with keyward install", inst.name())));
    }
    let dir = PathBuf::from(&inst.row.path);
    // As `run` does: a long pinned list is not parsed (a big tree's guard holds its
    // entry point only), and the launch rechecks against the tree just verified.
    let pinned = inst
        .pinned_entries_up_to(crate::guard::SMALL_ENTRIES)
        .unwrap_or_default();
    let guard = Guard::open(&dir, &inst.manifest, &pinned);
    let quiet = Output::new(false, true, false, crate::cli::ColorWhen::Never);
    let check = kc
        .verify_pin_for_run(&mut inst, &quiet, false)
        .map_err(refuse)?;
    if check.changed(&inst) {
        return Err(Refusal::new(403, "package-changed", format!(
            "{} changed since it was approved ({} file(s)); its grants are now revoked and it was not run",
            inst.name(),
            check.changes.len()
        ))
        .hint(format!("the owner reviews it (keyward inspect {} --diff) and re-approves it with keyward install", inst.name())));
    }
    let serve = match inst.manifest.serve {
        Some(s) => s,
        None if endpoints::is_instant_api(&dir) => Serve::Http,
        None => {
            return Err(Refusal::new(
                403,
                "not-served",
                format!("{} does not say how to serve it over HTTP", inst.name()),
            )
            .hint("its manifest needs \"serve\": \"cgi\" or \"serve\": \"http\""));
        }
    };
    let enabled = kc.endpoints(&inst).map_err(refuse)?;
    if let Endpoints::Only(list) = &enabled
        && !endpoints::allows(list, method, path)
    {
        return Err(Refusal::new(
            403,
            "endpoint-disabled",
            format!(
                "{method} {path} is not enabled for {} in this keychain",
                inst.name()
            ),
        )
        .hint(format!(
            "the owner enables it: keyward endpoints {} --enable \"{method} {path}\"",
            inst.name()
        )));
    }
    let launch = kc.launch(&inst).map_err(refuse)?;
    Ok(Passed {
        inst,
        launch,
        guard,
        pinned: check.entries,
        serve,
        endpoints: enabled,
    })
}

/// What [`check`] found: everything an [`Authorized`] call holds but the keychain.
struct Passed {
    inst: Installed,
    launch: Launch,
    guard: Guard,
    pinned: Vec<Entry>,
    serve: Serve,
    endpoints: Endpoints,
}

/// Writes the call's audit entry; a call that cannot be recorded is refused (503).
async fn record(
    kc: Option<Keychain>,
    token_id: Option<[u8; 16]>,
    package: &str,
    call: &Call,
    outcome: Outcome,
    started: Instant,
) -> std::result::Result<Option<Keychain>, Refusal> {
    let Some(mut kc) = kc else { return Ok(None) };
    let detail = json!({
        "token": token_id.map(|t| hex(&t)),
        "method": call.method,
        "endpoint": call.path,
        "status": outcome.status,
        "duration_ms": u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "bytes": outcome.bytes,
        "streamed": outcome.streamed,
    });
    let package = package.to_owned();
    tokio::task::spawn_blocking(move || kc.record_call(&package, detail).map(|()| kc))
        .await
        .map_err(|_| Refusal::new(503, "audit", "the call could not be recorded in the audit log, so it was refused"))?
        .map(Some)
        .map_err(|e| {
            Refusal::new(503, "audit", format!(
                "the call could not be recorded in the audit log, so it was refused: {}",
                e.message
            ))
            .hint("a call that cannot be recorded is never answered; the owner fixes the vault (disk space, permissions) and the client retries")
        })
}

/// `GET /.well-known/keyward`: the packages and endpoints this token may call.
async fn well_known(
    state: &Arc<State>,
    token: &str,
) -> std::result::Result<Response<Body>, Refusal> {
    let vault = state.vault.clone();
    let token = token.to_owned();
    let doc =
        tokio::task::spawn_blocking(move || -> std::result::Result<serde_json::Value, Refusal> {
            let opened = Vault::open(&vault).map_err(|e| Refusal::from_error(&e.into()))?;
            let unlocked = Unlocked::with_token(opened, &token).map_err(|e| {
                let mut r = Refusal::from_error(&e);
                r.code = "unauthorized";
                r
            })?;
            let kc =
                Keychain::open(unlocked, None, Role::Any).map_err(|e| Refusal::from_error(&e))?;
            let loaded = kc.packages().map_err(|e| Refusal::from_error(&e))?;
            let mut list = Vec::new();
            for inst in &loaded.packages {
                let dir = Path::new(&inst.row.path);
                let found = endpoints::discover(dir, &inst.row.manifest);
                let serve = inst
                    .manifest
                    .serve
                    .or_else(|| endpoints::is_instant_api(dir).then_some(Serve::Http));
                let perm = kc.endpoints(inst).map_err(|e| Refusal::from_error(&e))?;
                let enabled: Vec<&String> = match &perm {
                    Endpoints::All => found.endpoints.iter().collect(),
                    Endpoints::Only(set) => set.iter().collect(),
                };
                list.push(json!({
                    "name": inst.name(),
                    "version": inst.manifest.version,
                    "serve": serve.map(Serve::as_str),
                    "revoked": inst.revoked(),
                    "path": route::prefix_of(inst.name()),
                    "host": format!("{}.localhost", route::host_key(inst.name())),
                    "all_endpoints": matches!(perm, Endpoints::All),
                    "endpoints": enabled,
                }));
            }
            Ok(json!({"keychain": kc.name(), "packages": list}))
        })
        .await
        .map_err(|_| Refusal::new(500, "internal", "the listing task failed; retry"))??;
    let mut body = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    body.push(b'\n');
    Ok(json_response(StatusCode::OK, body))
}

/// Whether a package's `Content-Encoding` (the value of the header) hides the body from
/// the masker: anything but `identity`.
pub(crate) fn is_encoded(value: &[u8]) -> bool {
    !value.trim_ascii().eq_ignore_ascii_case(b"identity") && !value.trim_ascii().is_empty()
}

/// A response whose body keyward cannot mask.
fn encoded_refusal(what: &str) -> Refusal {
    Refusal::new(
        502,
        "encoded-response",
        format!("{what} answered with a Content-Encoding; keyward masks what packages send and cannot read a compressed body, so it was not passed on"),
    )
    .hint("the gateway sends no Accept-Encoding: the package must answer uncompressed")
}

/// Response headers a package may not set: hop-by-hop, lengths keyward recomputes,
/// a `Server` banner, and CORS (browsers on other origins get no access).
fn drop_response_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "connection"
            | "keep-alive"
            | "transfer-encoding"
            | "upgrade"
            | "proxy-connection"
            | "te"
            | "trailer"
            | "content-length"
            | "server"
            | "x-powered-by"
    ) || n.starts_with("access-control-")
}
