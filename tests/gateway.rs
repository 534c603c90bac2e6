//! `keyward serve`: the real binary on a loopback port, driven over raw TCP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::common::{TestEnv, write_manifest};

const VALUE: &str = "gw-canary-9f8e7d6c5b4a";

/// A running `keyward serve` (the Instant API tests drive it too).
pub(crate) struct Gateway {
    child: Child,
    /// The port it listens on.
    pub(crate) port: u16,
}

impl Gateway {
    /// `keyward serve --listen 127.0.0.1:0`, the master key not in its environment.
    pub(crate) fn start(env: &TestEnv) -> Gateway {
        Gateway::start_with(env, &["--listen", "127.0.0.1:0"])
    }

    /// `keyward serve ARGS…`, once it prints its (first) listen line.
    pub(crate) fn start_with(env: &TestEnv, args: &[&str]) -> Gateway {
        let mut cmd = env.std_cmd(crate::common::keyward_bin());
        cmd.env_remove("KEYWARD_MASTER_KEY");
        cmd.arg("serve")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("start keyward serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the listen line");
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        Gateway { child, port }
    }

    /// Sends raw bytes; returns (status, head, body).
    pub(crate) fn raw(&self, request: &[u8]) -> (u16, String, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let _ = s.write_all(request);
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        (status, head.to_owned(), body.to_owned())
    }

    pub(crate) fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &str,
    ) -> (u16, String, String) {
        self.request_host(
            method,
            path,
            &format!("127.0.0.1:{}", self.port),
            token,
            body,
        )
    }

    pub(crate) fn request_host(
        &self,
        method: &str,
        path: &str,
        host: &str,
        token: Option<&str>,
        body: &str,
    ) -> (u16, String, String) {
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.raw(req.as_bytes())
    }

    pub(crate) fn fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id())).map_or(0, |d| d.count())
    }
}

impl Drop for Gateway {
    /// SIGTERM first, so `serve` stops the http packages it started (a SIGKILL would
    /// leave them running after the test); SIGKILL only if it does not end in time.
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A CGI package in sh: prints its method, path, whether it saw Authorization, its key.
fn cgi_package(env: &TestEnv, keys: &str) -> std::path::PathBuf {
    let dir = env.root().join("cgi");
    std::fs::create_dir_all(&dir).unwrap();
    write_manifest(
        &dir,
        format!(
            r#"{{"name": "@acme/hello", "version": "v1", "keys": [{keys}], "run": ["sh", "./hello.sh"],
               "serve": "cgi", "timeout": 2, "endpoints": ["GET /hello", "POST /echo", "GET /slow"]}}"#
        ),
    );
    std::fs::write(
        dir.join("hello.sh"),
        r#"echo hit >> "$TMPDIR/hits"
if [ "$PATH_INFO" = /slow ]; then sleep 30; fi
printf 'Status: 200 OK\r\nContent-Type: text/plain\r\nServer: pkg\r\nAccess-Control-Allow-Origin: *\r\n\r\n'
echo "method=$REQUEST_METHOD path=$PATH_INFO query=$QUERY_STRING auth=${HTTP_AUTHORIZATION:-none} key=$API_KEY"
if [ -n "${CONTENT_LENGTH:-}" ]; then head -c "$CONTENT_LENGTH"; fi
"#,
    )
    .unwrap();
    dir
}

fn setup() -> (TestEnv, String, String, std::path::PathBuf) {
    let env = TestEnv::with_vault();
    let token = env.create_keychain("agents");
    let other = env.create_keychain("other");
    env.set_secret_in("agents", "API_KEY", VALUE);
    let dir = cgi_package(&env, r#""API_KEY", {"name": "EXTRA", "optional": true}"#);
    env.cmd()
        .args(["-k", "agents", "install"])
        .arg(&dir)
        .args(["--approve", "API_KEY"])
        .assert()
        .success();
    (env, token, other, dir)
}

fn hits(env: &TestEnv) -> usize {
    std::fs::read_to_string(env.root().join("tmp/hits")).map_or(0, |s| s.lines().count())
}

fn calls(env: &TestEnv) -> Vec<serde_json::Value> {
    let out = env
        .cmd()
        .args(["-k", "agents", "--json", "log", "--limit", "100000"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let entries = doc
        .as_array()
        .cloned()
        .or_else(|| doc["entries"].as_array().cloned())
        .unwrap_or_default();
    entries
        .into_iter()
        .filter(|e| e["action"] == "call")
        .collect()
}

#[test]
fn cgi_package_answers_a_token_with_its_key_masked_and_never_sees_the_token() {
    let (env, token, _, _) = setup();
    let gw = Gateway::start(&env);
    let (status, head, body) = gw.request("POST", "/@acme/hello/echo?x=1", Some(&token), "payload");
    assert_eq!(status, 200, "{head}\n{body}");
    assert!(
        body.contains("method=POST path=/echo query=x=1 auth=none"),
        "{body}"
    );
    assert!(
        body.contains("key=<concealed by keyward>") && body.ends_with("payload"),
        "{body}"
    );
    assert!(!body.contains(VALUE) && !head.contains(VALUE));
    let lower = head.to_ascii_lowercase();
    assert!(
        !lower.contains("server:") && !lower.contains("access-control-"),
        "{head}"
    );
    // By host name too.
    let (status, _, body) = gw.request_host(
        "GET",
        "/hello",
        &format!("hello.acme.localhost:{}", gw.port),
        Some(&token),
        "",
    );
    assert_eq!(status, 200, "{body}");
    let calls = calls(&env);
    assert_eq!(calls.len(), 2);
    let detail = &calls[0]["detail"];
    assert_eq!(detail["status"], 200);
    assert_eq!(detail["method"], "POST");
    assert_eq!(detail["endpoint"], "/echo");
    assert!(detail["token"].as_str().is_some_and(|t| t.len() == 32));
}

#[test]
fn cgi_refusals_have_the_right_status_and_never_reach_the_package() {
    let (env, token, other, dir) = setup();
    let gw = Gateway::start(&env);
    let (s, head, _) = gw.request("GET", "/@acme/hello/hello", None, "");
    assert_eq!(s, 401);
    assert!(
        head.to_ascii_lowercase()
            .contains("www-authenticate: bearer"),
        "{head}"
    );
    // The token with its last character changed (to one it is not already).
    let last = if token.ends_with('A') { 'B' } else { 'A' };
    let wrong = format!("{}{last}", &token[..token.len() - 1]);
    assert_eq!(
        gw.request("GET", "/@acme/hello/hello", Some(&wrong), "").0,
        401
    );
    assert_eq!(
        gw.request("GET", "/@acme/hello/hello", Some("kw_nonsense"), "")
            .0,
        401
    );
    let (s, _, body) = gw.request("GET", "/@acme/hello/hello", Some(&other), "");
    assert_eq!(s, 403, "{body}");
    assert!(body.contains("not-installed"));
    let (s, _, body) = gw.request_host(
        "GET",
        "/hello",
        &format!("evil.example:{}", gw.port),
        Some(&token),
        "",
    );
    assert_eq!(s, 421, "{body}");
    // Disabled endpoint.
    env.cmd()
        .args([
            "-k",
            "agents",
            "endpoints",
            "@acme/hello",
            "--disable",
            "POST /echo",
        ])
        .assert()
        .success();
    let (s, _, body) = gw.request("POST", "/@acme/hello/echo", Some(&token), "x");
    assert_eq!(s, 403, "{body}");
    assert!(body.contains("\"endpoint-disabled\""), "{body}");
    assert_eq!(
        gw.request("GET", "/@acme/hello/hello", Some(&token), "").0,
        200
    );
    assert_eq!(hits(&env), 1);
    // Timeout.
    let (s, _, body) = gw.request("GET", "/@acme/hello/slow", Some(&token), "");
    assert_eq!(s, 504, "{body}");
    // A changed file revokes, as run does.
    std::fs::write(dir.join("extra.txt"), "new").unwrap();
    let (s, _, body) = gw.request("GET", "/@acme/hello/hello", Some(&token), "");
    assert_eq!(s, 403, "{body}");
    assert!(body.contains("\"package-changed\""), "{body}");
    env.token_cmd(&token)
        .args(["run", "@acme/hello"])
        .assert()
        .code(125);
    // Re-approved: served again; then an unapproved required key.
    env.cmd()
        .args(["-k", "agents", "install"])
        .arg(&dir)
        .args(["--approve", "API_KEY"])
        .assert()
        .success();
    assert_eq!(
        gw.request("GET", "/@acme/hello/hello", Some(&token), "").0,
        200
    );
    env.cmd()
        .args(["-k", "agents", "revoke", "@acme/hello", "API_KEY"])
        .assert()
        .success();
    let (s, _, body) = gw.request("GET", "/@acme/hello/hello", Some(&token), "");
    assert_eq!(s, 403, "{body}");
    assert!(body.contains("\"not-approved\""), "{body}");
    assert_eq!(hits(&env), 3, "only the allowed calls reached the package");
}

#[test]
fn bad_requests_get_clean_4xx_answers_and_never_reach_the_package() {
    let (env, token, _, _) = setup();
    let gw = Gateway::start(&env);
    let auth = format!("Authorization: Bearer {token}\r\n");
    let host = format!("Host: 127.0.0.1:{}\r\n", gw.port);
    let huge = format!("X-Big: {}\r\n", "a".repeat(20_000));
    let cases: Vec<Vec<u8>> = vec![
        b"GARBAGE\r\n\r\n".to_vec(),
        b"GET\r\n\r\n".to_vec(),
        format!("GET /@acme/hello/hello HTTP/1.1\r\n{host}{auth}{huge}\r\n").into_bytes(),
        format!("POST /@acme/hello/echo HTTP/1.1\r\n{host}{auth}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /@acme/hello/hello HTTP/1.1\r\n{host}{auth}\r\n").into_bytes(),
        format!("POST /@acme/hello/echo HTTP/1.1\r\n{host}{auth}Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n").into_bytes(),
        format!("POST /@acme/hello/echo HTTP/1.1\r\n{host}{auth}Content-Length: 4\r\nContent-Length: 5\r\n\r\nabcd").into_bytes(),
        format!("POST /@acme/hello/echo HTTP/1.1\r\n{host}{auth}Transfer-Encoding: identity\r\n\r\n").into_bytes(),
        format!("GET /@acme/hello/../hello HTTP/1.1\r\n{host}{auth}\r\n").into_bytes(),
        format!("GET /@acme/hello/%2e%2e/hello HTTP/1.1\r\n{host}{auth}\r\n").into_bytes(),
        format!("GET /@acme/hello/%2E%2E%2fhello HTTP/1.1\r\n{host}{auth}\r\n").into_bytes(),
        [b"GET /@acme/hello/".as_slice(), b"\xff\xfe", format!(" HTTP/1.1\r\n{host}{auth}\r\n").as_bytes()].concat(),
        format!("GET /@acme/hello/%ff HTTP/1.1\r\n{host}{auth}\r\n").into_bytes(),
        format!("GET /@acme/hello/hello HTTP/1.1\r\n{host}{auth}X-Folded: a\r\n b\r\n\r\n").into_bytes(),
        format!("GET /@acme/hello/hello HTTP/1.1\r\n{host}{auth}Bad Name: x\r\n\r\n").into_bytes(),
        format!("GET /@acme/hello/hello HTTP/1.1\n{host}{auth}\r\n").into_bytes(),
        format!("GET http://evil/@acme/hello/hello HTTP/1.1\r\n{host}{auth}\r\n").into_bytes(),
        format!("GET /@acme/hello/hello HTTP/9.9\r\n{host}{auth}\r\n").into_bytes(),
        format!("GET /@acme/hello/hello HTTP/1.1\r\n{auth}\r\n").into_bytes(),
        format!("POST /@acme/hello/echo HTTP/1.1\r\n{host}{auth}Content-Length: 99999999\r\n\r\n").into_bytes(),
        format!("POST /@acme/hello/echo HTTP/1.1\r\n{host}{auth}Transfer-Encoding: chunked\r\n\r\nzz\r\n").into_bytes(),
    ];
    // A small seeded mutation fuzzer on top: random bytes flipped in a valid request.
    let valid =
        format!("POST /@acme/hello/echo HTTP/1.1\r\n{host}{auth}Content-Length: 3\r\n\r\nabc")
            .into_bytes();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut fuzzed = Vec::new();
    for _ in 0..60 {
        let mut req = valid.clone();
        for _ in 0..3 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = (seed % (req.len() as u64 - 30)) as usize;
            req[at] =
                [b'\r', b'\n', b' ', b'\0', 0xff, b':', b'%', b'.'][(seed >> 40) as usize % 8];
        }
        fuzzed.push(req);
    }
    let before = hits(&env);
    for case in &cases {
        let (status, head, _) = gw.raw(case);
        assert!(
            (400..500).contains(&status) || status == 501 || status == 505,
            "{status} for {:?}\n{head}",
            String::from_utf8_lossy(case)
        );
    }
    assert_eq!(
        hits(&env),
        before,
        "no malformed request reached the package"
    );
    for case in &fuzzed {
        let (status, _, body) = gw.raw(case);
        // A mutation may leave a valid request (200, served as written) or any clean refusal.
        assert!(
            status == 200 || (400..=505).contains(&status),
            "{status} for {:?}",
            String::from_utf8_lossy(case)
        );
        if status == 200 {
            assert!(body.contains("path=/echo"), "{body}");
        }
    }
    assert_eq!(
        gw.request("GET", "/@acme/hello/hello", Some(&token), "").0,
        200,
        "still serving"
    );
}

#[test]
fn bounded_load_loses_no_audit_entry_and_leaks_no_descriptor() {
    let (env, token, _, _) = setup();
    let gw = Gateway::start(&env);
    assert_eq!(
        gw.request("GET", "/@acme/hello/hello", Some(&token), "").0,
        200
    );
    let fds_before = gw.fds();
    let port = gw.port;
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let token = token.clone();
            std::thread::spawn(move || {
                let gw = Gateway2 { port };
                (0..50).filter(|_| gw.get(&token) == 200).count()
            })
        })
        .collect();
    let ok: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(ok, 400, "every request answered 200");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(calls(&env).len(), 401, "one audit entry per call");
    let fds_after = gw.fds();
    assert!(
        fds_after <= fds_before + 2,
        "descriptors: {fds_before} before, {fds_after} after"
    );
    assert!(gw_alive(&gw));
}

struct Gateway2 {
    port: u16,
}

impl Gateway2 {
    fn get(&self, token: &str) -> u16 {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        let req = format!(
            "GET /@acme/hello/hello HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {token}\r\n\r\n",
            self.port
        );
        s.write_all(req.as_bytes()).unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        String::from_utf8_lossy(&out)
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }
}

fn gw_alive(gw: &Gateway) -> bool {
    Path::new(&format!("/proc/{}", gw.child.id())).exists()
}

#[test]
fn http_package_is_started_once_proxied_masked_and_stopped_when_it_changes() {
    let env = TestEnv::with_vault();
    let token = env.create_keychain("agents");
    env.set_secret_in("agents", "API_KEY", VALUE);
    let dir = env.root().join("web");
    std::fs::create_dir_all(&dir).unwrap();
    write_manifest(
        &dir,
        r#"{"name": "web", "version": "v1", "keys": ["API_KEY"], "run": ["python3", "./server.py"], "serve": "http"}"#,
    );
    std::fs::write(
        dir.join("server.py"),
        r#"import os, http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("pid=%d path=%s auth=%s key=%s" % (os.getpid(), self.path, self.headers.get("Authorization"), os.environ["API_KEY"])).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer((os.environ["HOST"], int(os.environ["PORT"])), H).serve_forever()
"#,
    )
    .unwrap();
    env.cmd()
        .args(["-k", "agents", "install"])
        .arg(&dir)
        .args(["--approve", "API_KEY"])
        .assert()
        .success();
    let gw = Gateway::start(&env);
    let (s, _, first) = gw.request("GET", "/web/a?b=1", Some(&token), "");
    assert_eq!(s, 200, "{first}");
    assert!(
        first.contains("path=/a?b=1 auth=None key=<concealed by keyward>"),
        "{first}"
    );
    let (_, _, second) = gw.request_host(
        "GET",
        "/x",
        &format!("web.localhost:{}", gw.port),
        Some(&token),
        "",
    );
    let pid = |b: &str| b.split_whitespace().next().unwrap_or("").to_owned();
    assert_eq!(
        pid(&first),
        pid(&second),
        "started once: {first} / {second}"
    );
    let server_pid: u32 = pid(&first).trim_start_matches("pid=").parse().unwrap();
    std::fs::write(
        dir.join("server.py"),
        std::fs::read_to_string(dir.join("server.py")).unwrap() + "\n# changed\n",
    )
    .unwrap();
    // The watcher stops it within a couple of seconds, and the grants are revoked.
    let mut gone = false;
    for _ in 0..50 {
        std::thread::sleep(Duration::from_millis(100));
        if !Path::new(&format!("/proc/{server_pid}")).exists() {
            gone = true;
            break;
        }
    }
    assert!(gone, "the changed package's server was stopped");
    let (s, _, body) = gw.request("GET", "/web/a", Some(&token), "");
    assert_eq!(s, 403, "{body}");
    assert!(body.contains("package-changed"), "{body}");
    env.cmd()
        .args(["-k", "agents", "install"])
        .arg(&dir)
        .args(["--approve", "API_KEY"])
        .assert()
        .success();
    let (s, _, third) = gw.request("GET", "/web/a", Some(&token), "");
    assert_eq!(s, 200, "{third}");
    assert_ne!(pid(&third), pid(&first), "restarted after re-approval");
}

#[test]
fn install_refuses_a_package_whose_host_name_would_collide() {
    let env = TestEnv::with_vault();
    let a = env.root().join("a");
    let b = env.root().join("b");
    for (dir, name) in [(&a, "@b/a"), (&b, "a.b")] {
        std::fs::create_dir_all(dir).unwrap();
        write_manifest(
            dir,
            format!(r#"{{"name": "{name}", "version": "v1", "run": ["true"]}}"#),
        );
    }
    env.cmd().arg("install").arg(&a).assert().success();
    let out = env.cmd().arg("install").arg(&b).assert().code(1);
    let err = crate::common::stderr_of(&out);
    assert!(
        err.contains("name-collision") && err.contains("a.b.localhost"),
        "{err}"
    );
}

#[test]
fn config_carries_endpoint_permissions_both_ways() {
    let env = TestEnv::with_vault();
    let dir = cgi_package(&env, "");
    env.install_json(&dir, &[]);
    let file = env.root().join("keyward.json");
    let write = |permissions: Option<serde_json::Value>| {
        let mut entry = serde_json::json!({"keys": [], "path": dir.to_str().unwrap()});
        if let Some(p) = permissions {
            entry["permissions"] = p;
        }
        std::fs::write(&file, serde_json::json!({"@acme/hello": entry}).to_string()).unwrap();
    };
    let apply = || env.json(&["config", "apply", file.to_str().unwrap()]);
    let exported = || -> serde_json::Value { serde_json::from_str(&env.config_export()).unwrap() };
    // Restricted by the config, exported as such; a second apply changes nothing.
    write(Some(serde_json::json!({"endpoints": ["POST /charge"]})));
    assert_eq!(apply()["endpoints"], serde_json::json!(["@acme/hello"]));
    assert_eq!(apply()["endpoints"], serde_json::json!([]));
    assert_eq!(
        exported()["@acme/hello"]["permissions"],
        serde_json::json!({"endpoints": ["POST /charge"]})
    );
    let out = env
        .cmd()
        .args(["endpoints", "@acme/hello"])
        .assert()
        .success();
    assert!(crate::common::stdout_of(&out).contains("POST /charge"));
    let listed = env.json(&["inspect", "@acme/hello"])["endpoints"].clone();
    let listed = listed.as_array().unwrap();
    assert!(
        listed.contains(&serde_json::json!({"endpoint": "POST /charge", "enabled": true})),
        "{listed:?}"
    );
    assert!(
        listed.contains(&serde_json::json!({"endpoint": "GET /hello", "enabled": false})),
        "{listed:?}"
    );
    // Declarative: without `permissions`, every endpoint again.
    write(None);
    assert_eq!(apply()["endpoints"], serde_json::json!(["@acme/hello"]));
    assert!(exported()["@acme/hello"].get("permissions").is_none());
    // A malformed endpoint is refused before anything is written.
    write(Some(serde_json::json!({"endpoints": ["nonsense"]})));
    let out = env
        .cmd()
        .args(["config", "apply"])
        .arg(&file)
        .assert()
        .code(1);
    assert!(crate::common::stderr_of(&out).contains("error[config-invalid]"));
    assert!(exported()["@acme/hello"].get("permissions").is_none());
}

#[test]
fn a_compressed_answer_never_carries_a_value_past_the_masker() {
    let env = TestEnv::with_vault();
    let token = env.create_keychain("agents");
    env.set_secret_in("agents", "API_KEY", VALUE);
    let dir = env.root().join("gz");
    std::fs::create_dir_all(&dir).unwrap();
    write_manifest(
        &dir,
        r#"{"name": "gz", "version": "v1", "keys": ["API_KEY"], "run": ["python3", "./server.py"], "serve": "http"}"#,
    );
    // Compresses whenever the client accepts gzip; /always compresses anyway.
    std::fs::write(
        dir.join("server.py"),
        r#"import gzip, os, http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ae = self.headers.get("Accept-Encoding") or "none"
        body = ("ae=%s key=%s" % (ae, os.environ["API_KEY"])).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        if self.path == "/twice":
            # A first, harmless Content-Encoding line and a second, real one.
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "identity")
            self.send_header("Content-Encoding", "gzip")
        elif "gzip" in ae or self.path == "/always":
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer((os.environ["HOST"], int(os.environ["PORT"])), H).serve_forever()
"#,
    )
    .unwrap();
    env.cmd()
        .args(["-k", "agents", "install"])
        .arg(&dir)
        .args(["--approve", "API_KEY"])
        .assert()
        .success();
    let gw = Gateway::start(&env);
    let (status, head, body) = gw.raw(
        format!(
            "GET /gz/ HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {token}\r\nAccept-Encoding: gzip, br\r\n\r\n",
            gw.port
        )
        .as_bytes(),
    );
    // The client's Accept-Encoding is not passed on: the package is asked for none.
    assert_eq!(status, 200, "{head}\n{body}");
    assert_eq!(body, "ae=identity key=<concealed by keyward>", "{head}");
    // A package that compresses anyway is refused, its body not passed on, whichever
    // of its Content-Encoding lines says so.
    for path in ["/gz/always", "/gz/twice"] {
        let (status, head, body) = gw.request("GET", path, Some(&token), "");
        assert_eq!(status, 502, "{path}: {head}\n{body}");
        assert!(body.contains("encoded-response"), "{path}: {body}");
        assert!(
            !head.to_ascii_lowercase().contains("content-encoding"),
            "{path}: {head}"
        );
    }
}

#[test]
fn a_non_loopback_address_without_tls_is_refused_with_a_usage_error() {
    let env = TestEnv::with_vault();
    for addr in ["0.0.0.0:0", "192.0.2.1:7777", "[::]:0"] {
        let out = env
            .cmd_without_key()
            .args(["serve", "--listen", "127.0.0.1:0", "--listen", addr])
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            err.contains("is not a loopback address") && err.contains("--tls-cert"),
            "{addr}: {err}"
        );
        assert!(
            out.get_output().stdout.is_empty(),
            "nothing listened: {addr}"
        );
    }
    // Half a TLS configuration is a usage error too.
    env.cmd_without_key()
        .args(["serve", "--listen", "0.0.0.0:0", "--tls-cert", "cert.pem"])
        .assert()
        .code(2);
}

/// A self-signed certificate for localhost and 127.0.0.1, made by openssl.
fn self_signed(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let out = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "1", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        // An end-entity certificate (webpki refuses a CA one as a server's).
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-addext", "extendedKeyUsage=serverAuth"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("run openssl (scripts/test installs it)");
    assert!(
        out.status.success(),
        "openssl req: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (cert, key)
}

#[test]
fn a_non_loopback_address_with_tls_serves_a_request_over_rustls() {
    let (env, token, _, _) = setup();
    let (cert, key) = self_signed(env.root());
    let gw = Gateway::start_with(
        &env,
        &[
            "--listen",
            "0.0.0.0:0",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    let pem = std::fs::read(&cert).unwrap();
    let roots = ureq::tls::RootCerts::Specific(std::sync::Arc::new(vec![
        ureq::tls::Certificate::from_pem(&pem)
            .expect("parse the certificate")
            .to_owned(),
    ]));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .tls_config(ureq::tls::TlsConfig::builder().root_certs(roots).build())
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("https://127.0.0.1:{}/@acme/hello/hello", gw.port);
    let mut resp = agent
        .get(&url)
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .expect("a TLS request to the gateway");
    assert_eq!(resp.status().as_u16(), 200);
    let body = resp.body_mut().read_to_string().unwrap();
    assert!(
        body.contains("method=GET path=/hello") && body.contains("key=<concealed by keyward>"),
        "{body}"
    );
    // Still a token per request, over TLS too.
    let resp = agent.get(&url).call().expect("a TLS request");
    assert_eq!(resp.status().as_u16(), 401);
    // Plain HTTP on the TLS port gets no answer.
    let (status, _, _) = gw.request("GET", "/@acme/hello/hello", Some(&token), "");
    assert_eq!(status, 0, "no plaintext answer on a TLS listener");
}
