//! A token holder who can write the vault file derives the RK from its token and the
//! `tokens` row, so it can make every RK MAC. These tests are that attacker: an
//! independent implementation of the RK MACs (HKDF, HMAC, XChaCha20-Poly1305 straight
//! from the crates) writing rows with `sqlite3`. The owner must act only on rows the
//! owner MAC covers (SECURITY.md), so none of these ever reaches a value.

use std::path::Path;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::common::forge::{aad, hex, hkdf, hmac, lp, open, unhex};
use crate::common::{TestEnv, kw1_digest, stderr_of, stdout_of, write_package};

const PKG: &str = "@acme/target";

/// What the token holder knows: the vault id, its keychain id, and the grant MAC key
/// derived from the RK it unwrapped with its token.
struct Forger {
    vault: Vec<u8>,
    keychain: Vec<u8>,
    rk: Vec<u8>,
    gk: [u8; 32],
}

impl Forger {
    fn new(env: &TestEnv, token: &str) -> Forger {
        let body = &token[3..token.len() - 8];
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body)
            .unwrap();
        let (kc, tid, secret) = (&payload[..16], &payload[16..32], &payload[32..64]);
        let vid = unhex(&env.sqlite("SELECT hex(value) FROM meta WHERE key = 'vault_id'"));
        let wrapped = unhex(&env.sqlite(&format!(
            "SELECT hex(rk) FROM tokens WHERE id = X'{}'",
            hex(tid)
        )));
        let wrap = hkdf(secret, &vid, &[b"keyward/v1/token", kc, tid]);
        let rk = open(&wrap, &wrapped, &aad(&[b"keyward/v1/token", &vid, kc, tid]))
            .expect("the holder's token opens the RK");
        Forger {
            gk: hkdf(&rk, &vid, &[b"keyward/v1/grant"]),
            vault: vid,
            keychain: kc.to_vec(),
            rk,
        }
    }

    /// Opens the shared copy of `key` with the RK this holder once unwrapped.
    fn open_shared(&self, env: &TestEnv, key: &str) -> Option<Vec<u8>> {
        let row = env.sqlite(&format!(
            "SELECT version, hex(value) FROM shared WHERE name = '{key}'"
        ));
        let (version, sealed) = row.split_once('|')?;
        let mut aad = aad(&[
            b"keyward/v1/shared",
            &self.vault,
            &self.keychain,
            key.as_bytes(),
        ]);
        aad.extend_from_slice(&version.parse::<u64>().unwrap().to_be_bytes());
        let rk: [u8; 32] = self.rk.clone().try_into().unwrap();
        open(&rk, &unhex(sealed), &aad)
    }

    /// The RK MAC of a grant of `key` to the installation `id` at its current pin.
    fn grant_mac(&self, env: &TestEnv, id: &str, key: &str) -> [u8; 32] {
        let row = env.sqlite(&format!(
            "SELECT digest, generation FROM installations WHERE hex(id) = '{id}'"
        ));
        let (digest, generation) = row.split_once('|').unwrap();
        let mut msg = Vec::new();
        lp(&mut msg, b"grant-v1");
        lp(&mut msg, &self.keychain);
        lp(&mut msg, &unhex(id));
        lp(&mut msg, key.as_bytes());
        lp(&mut msg, digest.as_bytes());
        msg.extend_from_slice(&generation.parse::<u64>().unwrap().to_be_bytes());
        hmac(&self.gk, &msg)
    }

    /// Inserts a grant of `key` with a valid RK MAC and a garbage owner MAC.
    fn insert_grant(&self, env: &TestEnv, key: &str) {
        let id = installation_id(env);
        let mac = self.grant_mac(env, &id, key);
        env.sqlite(&format!(
            "INSERT INTO grants (installation_id, key, created, mac, owner_mac) \
             VALUES (X'{id}', '{key}', 0, X'{}', X'{}')",
            hex(&mac),
            hex(&[0u8; 32])
        ));
    }

    /// Points the installation at `dir` (digest and manifest of that tree) and re-MACs
    /// the row under the RK, as the attack on `run` does.
    fn redirect(&self, env: &TestEnv, dir: &Path) {
        let id = installation_id(env);
        let digest = kw1_digest(dir);
        let manifest = std::fs::read(dir.join("instant.package.json")).unwrap();
        let path = dir.canonicalize().unwrap();
        let path = path.to_str().unwrap();
        env.sqlite(&format!(
            "UPDATE installations SET path = '{path}', digest = '{digest}', manifest = X'{}' \
             WHERE hex(id) = '{id}'",
            hex(&manifest)
        ));
        let row = env.sqlite(&format!(
            "SELECT name, version, hex(files), ifnull(revoked_reason, ''), ifnull(revoked_at, -1), \
             generation, installed, updated FROM installations WHERE hex(id) = '{id}'"
        ));
        let f: Vec<&str> = row.split('|').collect();
        let mut msg = Vec::new();
        lp(&mut msg, b"installation-v1");
        lp(&mut msg, &self.keychain);
        lp(&mut msg, &unhex(&id));
        lp(&mut msg, f[0].as_bytes());
        lp(&mut msg, path.as_bytes());
        lp(&mut msg, f[1].as_bytes());
        lp(&mut msg, &Sha256::digest(&manifest));
        lp(&mut msg, digest.as_bytes());
        lp(&mut msg, &Sha256::digest(unhex(f[2])));
        lp(&mut msg, f[3].as_bytes());
        for n in [f[4], f[5], f[6], f[7]] {
            msg.extend_from_slice(&n.parse::<i64>().unwrap().to_be_bytes());
        }
        let mac = hmac(&self.gk, &msg);
        env.sqlite(&format!(
            "UPDATE installations SET mac = X'{}' WHERE hex(id) = '{id}'",
            hex(&mac)
        ));
    }
}

fn installation_id(env: &TestEnv) -> String {
    env.sqlite(&format!(
        "SELECT hex(id) FROM installations WHERE name = '{PKG}'"
    ))
}

/// The owner's vault: REQ_A approved for the package, REQ_B requested but not, CKEY
/// requested by nobody, and a token for `default` in the attacker's hands.
fn setup() -> (TestEnv, Forger, String) {
    let env = TestEnv::with_vault();
    env.set_secret("REQ_A", "value-of-req-a");
    env.set_secret("REQ_B", "value-of-req-b");
    let dir = env.make_package("target", PKG, &["REQ_A", "REQ_B"]);
    env.install_json(&dir, &["--approve", "REQ_A"]);
    let token = env.rotate_default_token();
    let forger = Forger::new(&env, &token);
    (env, forger, token)
}

#[test]
fn the_forger_matches_keyward_so_its_grants_fool_a_token_holder() {
    // The forged RK MAC must be right, or the tests below prove nothing: a token holder,
    // who checks only RK MACs, sees the forged grant.
    let (env, forger, token) = setup();
    forger.insert_grant(&env, "REQ_B");
    let out = env
        .token_cmd(&token)
        .args(["--json", "list"])
        .assert()
        .success();
    let list: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(list["packages"][0]["keys_granted"], 2, "{list}");
}

#[test]
fn a_forged_grant_is_not_laundered_by_a_partial_revoke() {
    let (env, forger, _) = setup();
    forger.insert_grant(&env, "CKEY");
    // The owner revokes some other key: the forged row is named, nothing is re-MAC'd.
    let out = env.cmd().args(["revoke", PKG, "REQ_B"]).assert().code(7);
    assert!(
        stderr_of(&out).contains("grant of CKEY to `@acme/target` does not verify"),
        "{}",
        stderr_of(&out)
    );
    env.set_secret("CKEY", "value-of-ckey");
    assert_eq!(env.shared_names(), ["REQ_A"]);
    // A full revoke deletes the forged row with everything else.
    env.cmd().args(["revoke", PKG, "--all"]).assert().success();
    assert_eq!(env.sqlite("SELECT count(*) FROM grants"), "0");
    env.set_secret("CKEY", "value-of-ckey-2");
    assert!(env.shared_names().is_empty());
}

#[test]
fn a_forged_grant_is_not_laundered_by_install_approve() {
    let (env, forger, _) = setup();
    forger.insert_grant(&env, "REQ_B");
    let dir = env.package_path("target");
    let out = env
        .cmd()
        .args(["install"])
        .arg(&dir)
        .args(["--approve", "REQ_A"])
        .assert()
        .success();
    let text = stderr_of(&out);
    assert!(text.contains("Approved: REQ_A"), "{text}");
    assert!(
        !text.contains("REQ_B,") && !text.contains(", REQ_B"),
        "{text}"
    );
    assert_eq!(env.shared_names(), ["REQ_A"]);
    // The forged row is left where it is, never made the owner's: the owner's views
    // name it, and it earns nothing.
    let out = env.cmd().args(["--json", "inspect", PKG]).assert().code(7);
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["keys"][1]["approved"], false, "{doc}");
    assert!(stderr_of(&out).contains("grant of REQ_B to `@acme/target`"));
}

#[test]
fn the_owner_does_not_honour_a_grant_it_never_made() {
    let (env, forger, _) = setup();
    forger.insert_grant(&env, "REQ_B");
    let list = env.json(&["list"]);
    assert_eq!(list["packages"][0]["keys_granted"], 1, "{list}");
    assert_eq!(list["packages"][0]["state"], "needs approval", "{list}");
    let out = env.cmd().args(["run", PKG]).assert().code(125);
    assert!(stderr_of(&out).contains("error[not-approved]"));
}

#[test]
fn a_redirected_installation_never_runs_for_the_owner() {
    let (env, forger, _) = setup();
    let evil = env.root().join("evil");
    std::fs::create_dir_all(&evil).unwrap();
    write_package(&evil, PKG, &["REQ_A", "REQ_B"]);
    let marker = env.root().join("evil-ran");
    std::fs::write(
        evil.join("run.sh"),
        format!("#!/bin/sh\ntouch '{}'\n", marker.display()),
    )
    .unwrap();
    forger.redirect(&env, &evil);
    let out = env.cmd().args(["run", PKG]).assert().code(125);
    assert!(
        stderr_of(&out).contains("error[integrity]"),
        "{}",
        stderr_of(&out)
    );
    assert!(
        !marker.exists(),
        "the attacker's code ran with the owner's keys"
    );
    // Nothing shows it as ready; the owner is told the row does not verify.
    let out = env.cmd().args(["--json", "list"]).assert().success();
    let list: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(list["packages"], serde_json::json!([]), "{list}");
    assert!(stderr_of(&out).contains(&format!("installation of `{PKG}`")));
    let out = env.cmd().args(["inspect", PKG]).assert().code(7);
    assert!(stdout_of(&out).is_empty());
}

#[test]
fn rotation_makes_a_new_rk_and_an_old_token_row_written_back_is_refused() {
    let (env, forger, old_token) = setup();
    assert_eq!(
        forger.open_shared(&env, "REQ_A").as_deref(),
        Some(b"value-of-req-a".as_slice()),
        "the holder reads what it was granted"
    );
    let saved =
        env.sqlite("SELECT hex(id), hex(keychain_id), hex(verifier), hex(rk), created FROM tokens");
    let new_token = env.rotate_default_token();
    env.set_secret("REQ_A", "rotated-value-of-req-a");
    assert_eq!(
        forger.open_shared(&env, "REQ_A"),
        None,
        "the old RK must not open what is sealed after the rotation"
    );
    // Everything the RK covers moved: the new holder sees the grant and runs, and the
    // log still verifies for both.
    let out = env
        .token_cmd(&new_token)
        .args(["--json", "list"])
        .assert()
        .success();
    let list: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(list["packages"][0]["keys_granted"], 1, "{list}");
    env.cmd().args(["approve", PKG, "REQ_B"]).assert().success();
    env.token_cmd(&new_token)
        .args(["run", PKG])
        .assert()
        .success();
    env.cmd().args(["log", "--verify"]).assert().success();
    env.token_cmd(&new_token)
        .args(["log", "--verify"])
        .assert()
        .success();
    // The old token's row, written back, does not unlock anything.
    let f: Vec<&str> = saved.split('|').collect();
    env.sqlite(&format!(
        "INSERT INTO tokens (id, keychain_id, verifier, rk, created) VALUES (X'{}', X'{}', X'{}', X'{}', {})",
        f[0], f[1], f[2], f[3], f[4]
    ));
    let out = env.token_cmd(&old_token).args(["list"]).assert().code(3);
    assert!(stderr_of(&out).contains("not valid"), "{}", stderr_of(&out));
}

#[test]
fn swapped_keychain_names_are_refused_before_anything_is_written() {
    let env = TestEnv::with_vault();
    env.create_keychain("prod");
    env.create_keychain("agent");
    env.sqlite(
        "UPDATE keychains SET name = 'tmp' WHERE name = 'prod';
         UPDATE keychains SET name = 'prod' WHERE name = 'agent';
         UPDATE keychains SET name = 'agent' WHERE name = 'tmp';",
    );
    let before = env.sqlite("SELECT count(*) FROM secrets");
    let out = env
        .cmd()
        .args(["-k", "prod", "secret", "set", "PROD_KEY", "--stdin"])
        .write_stdin("prod-only-value")
        .assert()
        .code(7);
    assert!(stderr_of(&out).contains("keychain `prod` is not the keychain of that name"));
    assert_eq!(env.sqlite("SELECT count(*) FROM secrets"), before);
    env.cmd()
        .args(["keychain", "rm", "agent", "--yes"])
        .assert()
        .code(7);
    assert_eq!(env.sqlite("SELECT count(*) FROM keychains"), "3");
}
