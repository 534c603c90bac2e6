//! Registry packages with real parts: `install npm:` of a real MCP server driven by the
//! real MCP SDK's stdio client through `keyward run`, `install pypi:` of a real wheel,
//! tampering with the store, a registry mirror serving a tarball whose integrity does
//! not match, and `config apply` from a `source`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::time::Instant;

use crate::common::net::{self, EVERYTHING, EVERYTHING_VERSION, PYPI_PACKAGE};
use crate::common::{PATH, TestEnv, stderr_of, stdout_of};

fn everything_source() -> String {
    format!("npm:{EVERYTHING}@{EVERYTHING_VERSION}")
}

fn store(env: &TestEnv) -> PathBuf {
    env.vault_dir().join("store")
}

/// The store's package folders (the scratch and temp folders start with a dot).
fn store_folders(env: &TestEnv) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(store(env)) else {
        return Vec::new();
    };
    entries
        .map(|e| e.expect("read the store").path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect()
}

fn install_everything(env: &TestEnv) -> PathBuf {
    let started = Instant::now();
    let out = env
        .net_cmd()
        .args([
            "install",
            &everything_source(),
            "--key",
            "API_KEY",
            "--approve",
            "API_KEY",
        ])
        .assert()
        .success();
    eprintln!(
        "install {} took {:?}",
        everything_source(),
        started.elapsed()
    );
    let text = stderr_of(&out) + &stdout_of(&out);
    assert!(
        text.contains("integrity: the tarball of") && text.contains("checked by keyward"),
        "install says what it checked: {text}"
    );
    let folders = store_folders(env);
    assert_eq!(
        folders.len(),
        1,
        "one store folder per installation: {folders:?}"
    );
    folders[0].clone()
}

fn write_mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o222
}

#[test]
fn npm_server_everything_runs_under_a_real_mcp_client_with_only_its_granted_key() {
    let env = TestEnv::with_vault();
    env.set_secret("API_KEY", "sk-granted-canary-4c1e9b");
    env.set_secret("OTHER_KEY", "sk-ungranted-canary-77aa01");
    let dir = install_everything(&env);

    // The tree is read-only, holds the dependencies, and its manifest is pinned with it.
    let index = dir.join(format!("node_modules/{EVERYTHING}/dist/index.js"));
    assert!(index.is_file(), "the package is in the store");
    assert!(
        dir.join("node_modules/@modelcontextprotocol/sdk/package.json")
            .is_file(),
        "its dependencies are part of the tree"
    );
    for p in [&dir, &index, &dir.join("instant.package.json")] {
        assert_eq!(write_mode(p), 0, "{} is read-only", p.display());
    }

    // list, inspect and config export show the source.
    let list = env.cmd().args(["list", "--json"]).assert().success();
    let doc: serde_json::Value = serde_json::from_str(&stdout_of(&list)).unwrap();
    assert_eq!(doc["packages"][0]["source"], everything_source().as_str());
    assert_eq!(doc["packages"][0]["owner_declared"], true);
    assert_eq!(doc["packages"][0]["state"], "ready");
    let text = stdout_of(&env.cmd().arg("list").assert().success());
    assert!(text.contains("(owner-declared)"), "{text}");
    let inspect = stdout_of(&env.cmd().args(["inspect", EVERYTHING]).assert().success());
    assert!(
        inspect.contains(&format!("source   {}", everything_source()))
            && inspect.contains("owner-declared"),
        "{inspect}"
    );
    let export = stdout_of(&env.cmd().args(["config", "export"]).assert().success());
    let exported: serde_json::Value = serde_json::from_str(&export).unwrap();
    assert_eq!(exported[EVERYTHING]["source"], everything_source().as_str());
    assert!(exported[EVERYTHING].get("path").is_none(), "{export}");

    // A real MCP client (the TypeScript SDK's stdio client) drives it through keyward.
    let client = net::mcp_client();
    let keyward = crate::common::keyward_bin();
    let started = Instant::now();
    let out = env
        .std_cmd("node")
        .arg(client.join("client.mjs"))
        .arg(&keyward)
        .args(["run", EVERYTHING])
        .env("MCP_TOOL", "get-env")
        .env("UNGRANTED_VARIABLE", "ungranted-canary-in-caller-env")
        .stdin(Stdio::null())
        .output()
        .expect("run the MCP client");
    eprintln!(
        "MCP session through keyward run took {:?}",
        started.elapsed()
    );
    assert!(
        out.status.success(),
        "the MCP client failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(
        out.stdout
            .trim_ascii_end()
            .rsplit(|b| *b == b'\n')
            .next()
            .unwrap(),
    )
    .expect("the client prints one JSON line");
    let tools: Vec<&str> = result["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        tools.contains(&"get-env") && tools.contains(&"echo"),
        "{tools:?}"
    );
    let server_env: serde_json::Value =
        serde_json::from_str(result["text"].as_str().unwrap()).expect("get-env prints JSON");
    assert_eq!(
        server_env["API_KEY"], "<concealed by keyward>",
        "{server_env}"
    );
    let all = result["text"].as_str().unwrap();
    for leak in [
        "sk-granted-canary-4c1e9b",
        "sk-ungranted-canary-77aa01",
        "OTHER_KEY",
        "UNGRANTED_VARIABLE",
        "ungranted-canary-in-caller-env",
    ] {
        assert!(!all.contains(leak), "{leak} reached the server: {all}");
    }
    let keyward_vars: Vec<&String> = server_env
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.starts_with("KEYWARD_"))
        .collect();
    assert_eq!(
        keyward_vars,
        [
            "KEYWARD_KEYS",
            "KEYWARD_PACKAGE",
            "KEYWARD_PACKAGE_DIR",
            "KEYWARD_REQUIRED"
        ],
        "no KEYWARD_* credential reaches the server (only names: package, folder, requested keys)"
    );
    assert_eq!(server_env["PYTHONDONTWRITEBYTECODE"], "1");

    // Tampering, as root would: chmod, edit one file; the next run revokes the grants.
    let victim = dir.join("node_modules/zod/package.json");
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut bytes = std::fs::read(&victim).unwrap();
    bytes.extend_from_slice(b"\n");
    std::fs::write(&victim, bytes).unwrap();
    let run = env
        .cmd()
        .args(["run", EVERYTHING])
        .write_stdin("")
        .assert()
        .code(125);
    let err = stderr_of(&run);
    assert!(err.contains("error[package-changed]"), "{err}");
    assert!(
        err.contains("node_modules/zod/package.json"),
        "names the file: {err}"
    );
    let list = env.cmd().args(["list", "--json"]).assert().success();
    let doc: serde_json::Value = serde_json::from_str(&stdout_of(&list)).unwrap();
    assert_eq!(doc["packages"][0]["state"], "revoked: changed");
    assert_eq!(doc["packages"][0]["keys_granted"], 0);

    // Reinstalling fetches a fresh copy, shows what changed, and asks again.
    let again = env
        .net_cmd()
        .args(["install", &everything_source(), "--key", "API_KEY", "--yes"])
        .assert()
        .success();
    let text = stderr_of(&again);
    assert!(
        text.contains("Its grants were revoked when its code changed; the code matches the pin"),
        "a fresh copy is the pinned code again: {text}"
    );
    assert!(
        text.contains("API_KEY  required  not approved"),
        "asks again: {text}"
    );
    let folders = store_folders(&env);
    assert_eq!(
        folders.len(),
        1,
        "the replaced folder is removed: {folders:?}"
    );
    assert_ne!(folders[0], dir);

    // Another version: what changed (files) is shown, and nothing is approved until asked.
    let other = format!("npm:{EVERYTHING}@{}", net::EVERYTHING_OTHER_VERSION);
    let update = env
        .net_cmd()
        .args([
            "install",
            &other,
            "--key",
            "API_KEY",
            "--approve",
            "API_KEY",
        ])
        .assert()
        .success();
    let text = stderr_of(&update);
    assert!(text.contains("Changed since the pin"), "{text}");
    assert!(
        text.contains(&format!("~ node_modules/{EVERYTHING}/package.json")),
        "names the changed files: {text}"
    );
    let folders = store_folders(&env);
    assert_eq!(folders.len(), 1, "one folder per installation: {folders:?}");

    // Uninstall removes the store folder.
    env.cmd().args(["uninstall", EVERYTHING]).assert().success();
    assert!(
        store_folders(&env).is_empty(),
        "uninstall removes the store folder"
    );
}

#[test]
fn floating_versions_are_refused_naming_the_newest_exact_one() {
    let env = TestEnv::with_vault();
    for arg in [
        format!("npm:{EVERYTHING}@latest"),
        format!("npm:{EVERYTHING}@^{EVERYTHING_VERSION}"),
        format!("npm:{EVERYTHING}"),
        "pypi:cowsay".to_owned(),
        "pypi:cowsay>=6".to_owned(),
    ] {
        let out = env.net_cmd().args(["install", &arg]).assert().code(2);
        let err = stderr_of(&out);
        assert!(err.contains("error[floating-version]"), "{arg}: {err}");
        let hint = err
            .lines()
            .find(|l| l.contains("the newest version the registry reports is"))
            .unwrap_or_else(|| panic!("{arg}: names the newest version: {err}"));
        let version = hint
            .split(" is ")
            .nth(1)
            .unwrap()
            .split(':')
            .next()
            .unwrap();
        assert!(
            version.chars().next().unwrap().is_ascii_digit() && version.contains('.'),
            "{arg}: an exact version: {hint}"
        );
        assert!(store_folders(&env).is_empty());
    }
}

#[test]
fn pypi_wheel_installs_pinned_and_runs_its_console_script() {
    let env = TestEnv::with_vault();
    let started = Instant::now();
    let out = env
        .net_cmd()
        .args(["install", &format!("pypi:{PYPI_PACKAGE}"), "--yes"])
        .assert()
        .success();
    eprintln!("install pypi:{PYPI_PACKAGE} took {:?}", started.elapsed());
    let text = stderr_of(&out);
    assert!(
        text.contains("matched the sha256 the index publishes") && text.contains("wheels only"),
        "{text}"
    );
    let run = env
        .cmd()
        .args(["run", "cowsay", "--", "-t", "pinned moo"])
        .assert()
        .success();
    assert!(
        stdout_of(&run).contains("pinned moo"),
        "{}",
        stdout_of(&run)
    );
    let dir = &store_folders(&env)[0];
    let pyc = StdCommand::new("find")
        .arg(dir)
        .args(["-name", "*.pyc"])
        .output()
        .unwrap();
    assert!(pyc.stdout.is_empty(), "no .pyc in the store: {:?}", pyc);
    // Running it again still matches the pin (nothing was written into the tree).
    env.cmd()
        .args(["run", "cowsay", "--", "-t", "again"])
        .assert()
        .success();
    let inspect = stdout_of(&env.cmd().args(["inspect", "cowsay"]).assert().success());
    assert!(inspect.contains("source   pypi:cowsay==6.1"), "{inspect}");
    assert!(inspect.contains("(matches the pin)"), "{inspect}");
    assert_eq!(installer(dir), "pip", "no uv on PATH: pip fetched it");
}

/// Who installed the root distribution: its `.dist-info/INSTALLER`.
fn installer(dir: &Path) -> String {
    let site = dir.join("site");
    let info = std::fs::read_dir(&site)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("cowsay-")
        })
        .expect("cowsay's dist-info");
    std::fs::read_to_string(info.join("INSTALLER"))
        .unwrap()
        .trim()
        .to_owned()
}

#[test]
fn pypi_installs_with_uv_when_it_is_on_path() {
    let uv = net::uv_bin();
    let env = TestEnv::with_vault();
    let started = Instant::now();
    let out = env
        .net_cmd()
        .env("PATH", format!("{}:{PATH}", uv.display()))
        .args(["install", &format!("pypi:{PYPI_PACKAGE}"), "--yes"])
        .assert()
        .success();
    eprintln!(
        "install pypi:{PYPI_PACKAGE} with uv took {:?}",
        started.elapsed()
    );
    let text = stderr_of(&out);
    assert!(
        text.contains("matched the sha256 the index publishes (uv pip --require-hashes)")
            && text.contains("wheels only"),
        "{text}"
    );
    let dir = &store_folders(&env)[0];
    assert_eq!(installer(dir), "uv", "uv installed it");
    let pyc = StdCommand::new("find")
        .arg(dir)
        .args(["-name", "*.pyc"])
        .output()
        .unwrap();
    assert!(pyc.stdout.is_empty(), "no .pyc in the store: {pyc:?}");
    let run = env
        .cmd()
        .args(["run", "cowsay", "--", "-t", "moo via uv"])
        .assert()
        .success();
    assert!(
        stdout_of(&run).contains("moo via uv"),
        "{}",
        stdout_of(&run)
    );
    let inspect = stdout_of(&env.cmd().args(["inspect", "cowsay"]).assert().success());
    assert!(inspect.contains("source   pypi:cowsay==6.1"), "{inspect}");
    assert!(inspect.contains("(matches the pin)"), "{inspect}");
}

#[test]
fn config_apply_installs_from_source_and_checks_sha256() {
    let env = TestEnv::with_vault();
    install_everything(&env);
    let export = stdout_of(&env.cmd().args(["config", "export"]).assert().success());
    let cfg = env.root().join("keyward.json");
    std::fs::write(&cfg, &export).unwrap();

    // A fresh vault (a CI machine) gets the same tree from the source alone.
    let ci = TestEnv::with_vault();
    let out = ci
        .net_cmd()
        .args(["config", "apply"])
        .arg(&cfg)
        .assert()
        .success();
    assert!(stderr_of(&out).contains("installed"), "{}", stderr_of(&out));
    let again = ci
        .net_cmd()
        .args(["config", "apply"])
        .arg(&cfg)
        .assert()
        .success();
    assert!(
        stderr_of(&again).contains("nothing changed"),
        "{}",
        stderr_of(&again)
    );

    // A sha256 that the fetched tree does not have: exit 6, nothing installed.
    let fresh = TestEnv::with_vault();
    let mut doc: serde_json::Value = serde_json::from_str(&export).unwrap();
    doc[EVERYTHING]["sha256"] = format!("kw1:{}", "0".repeat(64)).into();
    std::fs::write(&cfg, doc.to_string()).unwrap();
    let bad = fresh
        .net_cmd()
        .args(["config", "apply"])
        .arg(&cfg)
        .assert()
        .code(6);
    assert!(
        stderr_of(&bad).contains("error[package-changed]"),
        "{}",
        stderr_of(&bad)
    );
    let list = stdout_of(&fresh.cmd().args(["list", "--json"]).assert().success());
    assert!(list.contains("\"packages\": []"), "{list}");
    assert!(
        store_folders(&fresh).is_empty(),
        "nothing is left in the store"
    );
}

/// A registry mirror we control: a folder served over HTTP on loopback with one
/// packument and its tarball.
struct Mirror {
    child: std::process::Child,
    url: String,
}

impl Drop for Mirror {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn mirror(root: &Path, integrity_of: &[u8]) -> Mirror {
    use std::io::BufRead;
    // The package.
    let src = root.join("src");
    std::fs::create_dir_all(src.join("bin")).unwrap();
    std::fs::write(
        src.join("package.json"),
        r#"{"name": "kw-mirror-fixture", "version": "1.0.0", "bin": {"kw-mirror-fixture": "bin/cli.js"}}"#,
    )
    .unwrap();
    std::fs::write(
        src.join("bin/cli.js"),
        "console.log('hello from the mirror');\n",
    )
    .unwrap();
    let served = root.join("served");
    std::fs::create_dir_all(served.join("kw-mirror-fixture/-")).unwrap();
    let out = StdCommand::new("npm")
        .args(["pack", "--pack-destination"])
        .arg(served.join("kw-mirror-fixture/-"))
        .current_dir(&src)
        .env_clear()
        .env("PATH", PATH)
        .env("HOME", root)
        .env("npm_config_cache", root.join("npm-cache"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "npm pack: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tarball = served.join("kw-mirror-fixture/-/kw-mirror-fixture-1.0.0.tgz");
    let tarball_bytes = std::fs::read(&tarball).unwrap();
    let bytes = if integrity_of.is_empty() {
        &tarball_bytes[..]
    } else {
        integrity_of
    };
    let integrity = {
        use base64::Engine;
        use sha2::Digest;
        format!(
            "sha512-{}",
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha512::digest(bytes))
        )
    };
    // The HTTP server first, for its port.
    let mut child = StdCommand::new("python3")
        .args([
            "-u",
            "-m",
            "http.server",
            "0",
            "--bind",
            "127.0.0.1",
            "--directory",
        ])
        .arg(&served)
        .env_clear()
        .env("PATH", PATH)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start python3 -m http.server");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .split(" port ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("http.server said {line:?}"));
    let url = format!("http://127.0.0.1:{port}/");
    let packument = serde_json::json!({
        "name": "kw-mirror-fixture",
        "dist-tags": {"latest": "1.0.0"},
        "versions": {"1.0.0": {
            "name": "kw-mirror-fixture",
            "version": "1.0.0",
            "bin": {"kw-mirror-fixture": "bin/cli.js"},
            "dist": {
                "tarball": format!("{url}kw-mirror-fixture/-/kw-mirror-fixture-1.0.0.tgz"),
                "integrity": integrity,
            }
        }}
    });
    // npm asks for /kw-mirror-fixture: a file next to the folder of the same name
    // cannot exist, so the folder's index.html is the packument.
    std::fs::write(
        served.join("kw-mirror-fixture/index.html"),
        packument.to_string(),
    )
    .unwrap();
    Mirror { child, url }
}

fn mirror_cmd(env: &TestEnv, m: &Mirror, cache: &Path) -> assert_cmd::Command {
    let mut cmd = env.cmd();
    cmd.env("npm_config_registry", &m.url)
        .env("npm_config_cache", cache)
        .env("npm_config_update_notifier", "false")
        .timeout(net::NET_TIMEOUT);
    cmd
}

#[test]
fn a_tarball_whose_integrity_does_not_match_is_refused_and_nothing_is_installed() {
    // The control: the same mirror with the right integrity installs and runs.
    let env = TestEnv::with_vault();
    let good_root = env.root().join("good-mirror");
    let good = mirror(&good_root, b"");
    mirror_cmd(&env, &good, &good_root.join("cache"))
        .args(["install", "npm:kw-mirror-fixture@1.0.0", "--yes"])
        .assert()
        .success();
    let run = env
        .cmd()
        .args(["run", "kw-mirror-fixture"])
        .assert()
        .success();
    assert!(stdout_of(&run).contains("hello from the mirror"));
    drop(good);

    // The mirror publishes an integrity that the tarball it serves does not have.
    let env = TestEnv::with_vault();
    let bad_root = env.root().join("bad-mirror");
    let bad = mirror(&bad_root, b"some other tarball");
    let out = mirror_cmd(&env, &bad, &bad_root.join("cache"))
        .args(["install", "npm:kw-mirror-fixture@1.0.0", "--yes"])
        .assert()
        .code(7);
    let err = stderr_of(&out);
    assert!(err.contains("error[registry-integrity]"), "{err}");
    assert!(err.contains("nothing was installed"), "{err}");
    assert!(
        store_folders(&env).is_empty(),
        "nothing is left in the store"
    );
    let list = stdout_of(&env.cmd().args(["list", "--json"]).assert().success());
    assert!(list.contains("\"packages\": []"), "{list}");
}
