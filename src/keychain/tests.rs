//! The stateful core over an in-memory vault: approvals and shared copies, revocation
//! and generations, stale auto-revocations, the audit entry every write must make.

use std::collections::BTreeSet;
use std::path::Path;

use super::*;
use crate::cli::ColorWhen;
use crate::keys::Check;
use crate::keystore::Backend;
use crate::output::Output;
use crate::secret::SecretBytes;

fn quiet() -> Output {
    Output::new(false, true, false, ColorWhen::Never)
}

/// The owner's `default` keychain of a new in-memory vault.
fn owner() -> Keychain {
    let id = crate::vault::new_id();
    let mk = Key32::random();
    let vault = Vault::create_in_memory(id, |tx| {
        admin::fill_new_vault(tx, &id, &mk, Backend::Env, None)
    });
    let unlocked = Unlocked {
        vault,
        access: Access::Owner {
            mk,
            check: Check::V2,
            keyring: false,
        },
    };
    Keychain::open(unlocked, None, Role::Owner("testing")).expect("the owner opens default")
}

fn write_package(dir: &Path, name: &str, keys: &[&str]) {
    std::fs::create_dir_all(dir).unwrap();
    let manifest = serde_json::json!({"name": name, "version": "1", "keys": keys, "run": ["true"]});
    std::fs::write(dir.join("instant.package.json"), manifest.to_string()).unwrap();
    std::fs::write(dir.join("code.sh"), "echo one\n").unwrap();
}

fn set(kc: &mut Keychain, name: &str, value: &str) {
    kc.set_secret(name, &SecretBytes::new(value.as_bytes().to_vec()))
        .unwrap();
}

fn install(kc: &mut Keychain, dir: &Path, approve: &[&str]) -> Installed {
    let plan = kc.plan(dir, &quiet()).unwrap();
    let approvals: BTreeSet<String> = approve.iter().map(|k| (*k).to_owned()).collect();
    kc.install(&plan, &approvals, &[]).unwrap();
    kc.package(&plan.manifest.name).unwrap()
}

fn shared(kc: &Keychain) -> Vec<String> {
    kc.vault
        .shared_versions(&kc.row.id)
        .unwrap()
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

fn count(kc: &Keychain, sql: &str) -> i64 {
    kc.vault.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_shared_copy_exists_exactly_while_an_owner_grant_needs_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut kc = owner();
    set(&mut kc, "KEY_A", "value-a");
    set(&mut kc, "KEY_B", "value-b");
    assert!(shared(&kc).is_empty(), "no grant, no copy");
    let pkg = dir.path().join("pkg");
    write_package(&pkg, "pkg", &["KEY_A", "KEY_B"]);
    let inst = install(&mut kc, &pkg, &["KEY_A"]);
    assert_eq!(shared(&kc), ["KEY_A"]);
    assert_eq!(inst.granted, BTreeSet::from(["KEY_A".to_owned()]));
    // A new value of a granted key is shared at once; of an ungranted one, never.
    set(&mut kc, "KEY_A", "value-a-2");
    set(&mut kc, "KEY_B", "value-b-2");
    assert_eq!(shared(&kc), ["KEY_A"]);
    let launch = kc.launch(&kc.package("pkg").unwrap());
    // KEY_B is required and not approved: nothing is handed out.
    assert!(launch.is_err());
    kc.approve(&inst, &["KEY_B".to_owned()]).unwrap();
    let launch = kc.launch(&kc.package("pkg").unwrap()).unwrap();
    let values: Vec<(String, Vec<u8>)> = launch
        .values
        .iter()
        .map(|(k, v)| (k.clone(), v.expose().to_vec()))
        .collect();
    assert_eq!(
        values,
        [
            ("KEY_A".to_owned(), b"value-a-2".to_vec()),
            ("KEY_B".to_owned(), b"value-b-2".to_vec())
        ]
    );
    let inst = kc.package("pkg").unwrap();
    assert_eq!(kc.revoke(&inst, None).unwrap(), ["KEY_A", "KEY_B"]);
    assert!(shared(&kc).is_empty(), "the last grant gone, the copy goes");
    assert!(kc.remove_secret("KEY_A").unwrap());
    assert!(!kc.remove_secret("KEY_A").unwrap());
}

#[test]
fn a_revocation_moves_the_generation_so_a_grant_written_back_does_not_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut kc = owner();
    set(&mut kc, "KEY_A", "value-a");
    let pkg = dir.path().join("pkg");
    write_package(&pkg, "pkg", &["KEY_A"]);
    let inst = install(&mut kc, &pkg, &["KEY_A"]);
    let generation = inst.row.generation;
    let saved: (Vec<u8>, String, i64, Vec<u8>, Vec<u8>) = kc
        .vault
        .conn()
        .query_row(
            "SELECT installation_id, key, created, mac, owner_mac FROM grants",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    kc.revoke(&inst, None).unwrap();
    let inst = kc.package("pkg").unwrap();
    assert_eq!(inst.row.generation, generation + 1);
    kc.vault
        .conn()
        .execute(
            "INSERT INTO grants (installation_id, key, created, mac, owner_mac) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![saved.0, saved.1, saved.2, saved.3, saved.4],
        )
        .unwrap();
    let inst = kc.package("pkg").unwrap();
    assert!(
        inst.granted.is_empty(),
        "the old grant is of an older generation"
    );
    assert_eq!(inst.tampered, ["grant of KEY_A to `pkg`"]);
    // A partial revoke refuses to carry the forged row into the next generation.
    let err = kc.revoke(&inst, Some(&["OTHER".to_owned()])).unwrap_err();
    assert_eq!(err.kind, crate::error::Kind::Integrity);
}

#[test]
fn a_stale_auto_revocation_never_overwrites_a_newer_pin() {
    let dir = tempfile::tempdir().unwrap();
    let mut kc = owner();
    set(&mut kc, "KEY_A", "value-a");
    let pkg = dir.path().join("pkg");
    write_package(&pkg, "pkg", &["KEY_A"]);
    let mut stale = install(&mut kc, &pkg, &["KEY_A"]);
    // The code changes and the owner re-pins and re-approves it meanwhile.
    std::fs::write(pkg.join("code.sh"), "echo two\n").unwrap();
    install(&mut kc, &pkg, &["KEY_A"]);
    let entries = kc.log().unwrap().len();
    // A run that loaded the old pin now sees the change: its revocation is dropped.
    let check = kc.verify_pin(&mut stale, &quiet()).unwrap();
    assert!(check.changed(&stale));
    let now = kc.package("pkg").unwrap();
    assert!(!now.revoked(), "the newer pin stands");
    assert_eq!(now.granted, BTreeSet::from(["KEY_A".to_owned()]));
    assert_eq!(kc.log().unwrap().len(), entries, "nothing was written");
    // The same change seen against the current pin revokes.
    std::fs::write(pkg.join("code.sh"), "echo three\n").unwrap();
    let mut current = kc.package("pkg").unwrap();
    kc.verify_pin(&mut current, &quiet()).unwrap();
    let now = kc.package("pkg").unwrap();
    assert!(now.revoked() && now.granted.is_empty());
    assert!(shared(&kc).is_empty());
    assert_eq!(kc.log().unwrap().last().unwrap().action, "auto-revoke");
}

#[test]
fn every_write_records_an_entry_and_the_head_follows() {
    let mut kc = owner();
    let err = kc.write(|_| Ok(())).unwrap_err();
    assert!(
        err.message.contains("recorded no audit entry"),
        "{}",
        err.message
    );
    assert_eq!(kc.verify_log().unwrap(), 1, "only the vault's creation");
    set(&mut kc, "KEY_A", "value-a");
    set(&mut kc, "KEY_A", "value-a-2");
    assert_eq!(kc.verify_log().unwrap(), 3);
    let actions: Vec<String> = kc.log().unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["init", "secret-set", "secret-set"]);
    // The head names the newest entry: deleting it is seen.
    kc.vault
        .conn()
        .execute("DELETE FROM audit WHERE seq = 3", [])
        .unwrap();
    assert!(kc.verify_log().is_err());
    assert_eq!(count(&kc, "SELECT count(*) FROM audit"), 2);
}

#[test]
fn an_owner_decision_moves_the_write_generation_and_a_run_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut kc = owner();
    let generation = |kc: &Keychain| {
        let Keys::Owner { mk, .. } = &kc.keys else {
            panic!("the owner's keychain");
        };
        crate::unlock::generation(&kc.vault, mk).unwrap()
    };
    assert_eq!(generation(&kc), 0);
    set(&mut kc, "KEY_A", "value-a");
    assert_eq!(generation(&kc), 1);
    let pkg = dir.path().join("pkg");
    write_package(&pkg, "pkg", &["KEY_A"]);
    let inst = install(&mut kc, &pkg, &["KEY_A"]);
    assert_eq!(generation(&kc), 2);
    let how = launch::RunHow {
        masked: true,
        supervised: true,
        deliver: crate::manifest::Deliver::Env,
    };
    let names = ["KEY_A".to_owned()];
    kc.record_launch(&inst, &names, how).unwrap();
    kc.record_exit(&inst, &names, serde_json::json!(0), 1, how)
        .unwrap();
    assert_eq!(generation(&kc), 2, "runs are not decisions");
}
