//! `config export` / `config apply FILE [--prune]`: declarative and idempotent, all or
//! nothing (a wrong `sha256`, `version` or key leaves the vault exactly as it was),
//! `--prune` removes what the file does not name, and `path` is relative to the file.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::common::{TestEnv, key_approvals, kw1_digest, stderr_of, stdout_of, write_package};

const STRIPE: &str = "@acme/stripe-charge";
const MAILER: &str = "@acme/mailer";

/// A vault with values for every key, and `root/proj` holding two packages under
/// `tools/` (not installed yet).
struct Project {
    env: TestEnv,
    proj: PathBuf,
    stripe: PathBuf,
    mail: PathBuf,
}

fn project() -> Project {
    let env = TestEnv::with_vault();
    for key in ["STRIPE_SECRET_KEY", "STRIPE_ACCOUNT", "MAIL_KEY"] {
        env.set_secret(key, &format!("value-of-{key}"));
    }
    let proj = fs::canonicalize(env.root()).unwrap().join("proj");
    let stripe = proj.join("tools/stripe");
    let mail = proj.join("tools/mail");
    write_package(&stripe, STRIPE, &["STRIPE_SECRET_KEY", "STRIPE_ACCOUNT"]);
    write_package(&mail, MAILER, &["MAIL_KEY"]);
    fs::create_dir_all(env.root().join("elsewhere")).unwrap();
    Project {
        env,
        proj,
        stripe,
        mail,
    }
}

impl Project {
    /// Both packages, each with one approved key, pinned by version and digest.
    fn good_config(&self) -> serde_json::Value {
        json!({
            STRIPE: {"version": "1.0.0", "keys": ["STRIPE_SECRET_KEY"], "path": "tools/stripe",
                     "sha256": kw1_digest(&self.stripe)},
            MAILER: {"version": "1.0.0", "keys": ["MAIL_KEY"], "path": "tools/mail",
                     "sha256": kw1_digest(&self.mail)},
        })
    }

    /// Writes `doc` to `proj/NAME` and returns the file's path.
    fn write_config(&self, name: &str, doc: &serde_json::Value) -> PathBuf {
        let file = self.proj.join(name);
        fs::write(&file, serde_json::to_vec_pretty(doc).unwrap()).unwrap();
        file
    }

    /// `config apply FILE ARGS…` run from `root/elsewhere`, a folder with no `tools/`.
    fn apply(&self, file: &Path, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = self.env.cmd();
        cmd.current_dir(self.env.root().join("elsewhere"))
            .args(["config", "apply"])
            .arg(file)
            .args(args);
        cmd
    }

    /// Applies the good config, which must succeed.
    fn apply_good(&self) -> PathBuf {
        let file = self.write_config("keyward.json", &self.good_config());
        self.apply(&file, &[]).assert().success();
        file
    }
}

#[test]
fn config_apply_installs_and_approves_exactly_the_listed_keys() {
    let p = project();
    let file = p.write_config("keyward.json", &p.good_config());
    let out = p.apply(&file, &["--json"]).assert().success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["changed"], json!([MAILER, STRIPE]), "{doc}");
    assert_eq!(doc["pruned"], json!([]));
    assert_eq!(doc["missing_values"], json!([]));

    assert_eq!(
        key_approvals(&p.env.inspect_json(STRIPE)),
        [
            ("STRIPE_SECRET_KEY".to_owned(), true),
            ("STRIPE_ACCOUNT".to_owned(), false)
        ]
    );
    assert_eq!(p.env.listed(MAILER).unwrap()["state"], "ready");
    assert_eq!(
        p.env.granted_pairs(),
        [
            format!("{MAILER}|MAIL_KEY"),
            format!("{STRIPE}|STRIPE_SECRET_KEY")
        ]
    );

    // Exported from the config's folder, it is the file that was applied.
    let out = p
        .env
        .cmd()
        .current_dir(&p.proj)
        .args(["config", "export"])
        .assert()
        .success();
    let exported: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(exported, p.good_config());
}

#[test]
fn config_apply_twice_changes_nothing_the_second_time() {
    let p = project();
    let file = p.apply_good();
    let before = p.env.package_state();

    let out = p.apply(&file, &[]).assert().success();
    let stderr = stderr_of(&out);
    assert!(stderr.contains("nothing changed"), "{stderr}");
    assert_eq!(stdout_of(&out), "");
    assert_eq!(
        p.env.package_state(),
        before,
        "no row rewritten, no audit entry"
    );

    let out = p.apply(&file, &["--json"]).assert().success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["changed"], json!([]), "{doc}");
    assert_eq!(doc["pruned"], json!([]), "{doc}");
    assert_eq!(p.env.package_state(), before);
}

#[test]
fn config_apply_with_wrong_sha256_exits_6_and_changes_nothing() {
    let p = project();
    p.apply_good();
    let before = p.env.package_state();

    let mut doc = p.good_config();
    // A change that would be applied, and a wrong pin: all or nothing.
    doc[MAILER]["keys"] = json!([]);
    doc[STRIPE]["sha256"] = json!(format!("kw1:{}", "0".repeat(64)));
    let file = p.write_config("wrong-sha.json", &doc);
    let out = p.apply(&file, &[]).assert().code(6).stdout("");
    let stderr = stderr_of(&out);
    assert!(stderr.contains("error[package-changed]"), "{stderr}");
    assert!(stderr.contains(STRIPE), "names the package: {stderr}");
    assert!(
        stderr.contains(&kw1_digest(&p.stripe)),
        "shows the digest found: {stderr}"
    );
    assert!(stderr.contains("nothing was applied"), "{stderr}");
    assert_eq!(p.env.package_state(), before);
}

#[test]
fn config_apply_with_wrong_sha256_installs_nothing_in_an_empty_keychain() {
    let p = project();
    let before = p.env.package_state();
    let mut doc = p.good_config();
    doc[STRIPE]["sha256"] = json!(kw1_digest(&p.mail));
    let file = p.write_config("wrong-sha.json", &doc);
    p.apply(&file, &[]).assert().code(6);
    assert_eq!(p.env.package_state(), before);
    assert!(p.env.listed_names().is_empty());
}

#[test]
fn config_apply_with_wrong_version_exits_1_and_changes_nothing() {
    let p = project();
    p.apply_good();
    let before = p.env.package_state();
    let mut doc = p.good_config();
    doc[MAILER]["keys"] = json!([]);
    doc[STRIPE]["version"] = json!("2.0.0");
    let file = p.write_config("wrong-version.json", &doc);
    let out = p.apply(&file, &[]).assert().code(1).stdout("");
    let stderr = stderr_of(&out);
    assert!(stderr.contains(STRIPE), "{stderr}");
    assert!(
        stderr.contains("`1.0.0`") && stderr.contains("`2.0.0`"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was applied"), "{stderr}");
    assert_eq!(p.env.package_state(), before);
}

#[test]
fn config_apply_listing_an_unrequested_key_exits_5_and_changes_nothing() {
    let p = project();
    p.apply_good();
    let before = p.env.package_state();
    let mut doc = p.good_config();
    doc[MAILER]["keys"] = json!([]);
    doc[STRIPE]["keys"] = json!(["STRIPE_SECRET_KEY", "MAIL_KEY"]);
    let file = p.write_config("unrequested.json", &doc);
    let out = p.apply(&file, &[]).assert().code(5).stdout("");
    let stderr = stderr_of(&out);
    assert!(stderr.contains("error[not-requested]"), "{stderr}");
    assert!(stderr.contains("MAIL_KEY"), "{stderr}");
    assert!(
        stderr.contains("a package gets only keys its manifest asks for"),
        "{stderr}"
    );
    assert_eq!(p.env.package_state(), before);
}

#[test]
fn config_apply_approves_exactly_the_listed_keys_revoking_others() {
    let p = project();
    p.env.install_json(&p.stripe, &["--approve-all"]);
    p.apply_good();
    assert_eq!(
        key_approvals(&p.env.inspect_json(STRIPE)),
        [
            ("STRIPE_SECRET_KEY".to_owned(), true),
            ("STRIPE_ACCOUNT".to_owned(), false)
        ]
    );
    assert!(!p.env.shared_names().contains(&"STRIPE_ACCOUNT".to_owned()));
}

#[test]
fn config_apply_prune_uninstalls_what_the_file_does_not_name() {
    let p = project();
    p.env.set_secret("EXTRA_KEY", "value-of-extra");
    let extra = p.env.make_package("extra", "@acme/extra", &["EXTRA_KEY"]);
    p.env.install_json(&extra, &["--approve-all"]);

    let file = p.apply_good();
    assert_eq!(
        p.env.listed_names(),
        ["@acme/extra", MAILER, STRIPE],
        "kept without --prune"
    );

    let out = p.apply(&file, &["--prune", "--json"]).assert().success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["pruned"], json!(["@acme/extra"]), "{doc}");
    assert_eq!(doc["changed"], json!([]), "{doc}");
    assert_eq!(p.env.listed_names(), [MAILER, STRIPE]);
    assert!(!p.env.granted_pairs().iter().any(|g| g.contains("extra")));
    assert!(!p.env.shared_names().contains(&"EXTRA_KEY".to_owned()));

    // Pruning again: nothing left to prune, nothing changed.
    let before = p.env.package_state();
    let out = p.apply(&file, &["--prune"]).assert().success();
    assert!(stderr_of(&out).contains("nothing changed"));
    assert_eq!(p.env.package_state(), before);
}

#[test]
fn config_apply_path_is_relative_to_the_config_file_not_the_cwd() {
    let p = project();
    // A decoy with the same name where a cwd-relative lookup would find it.
    let decoy = p.env.root().join("elsewhere/tools/stripe");
    write_package(&decoy, STRIPE, &["STRIPE_SECRET_KEY"]);
    fs::write(decoy.join("evil.sh"), "curl evil\n").unwrap();

    let mut doc = p.good_config();
    doc[STRIPE].as_object_mut().unwrap().remove("sha256");
    p.write_config("keyward.json", &doc);
    p.env
        .cmd()
        .current_dir(p.env.root().join("elsewhere"))
        .args(["config", "apply", "../proj/keyward.json"])
        .assert()
        .success();
    let listed = p.env.listed(STRIPE).unwrap();
    assert_eq!(listed["path"], p.stripe.to_str().unwrap(), "{listed}");
    assert_eq!(listed["digest"], kw1_digest(&p.stripe));
}

#[test]
fn config_apply_without_sha256_or_version_pins_what_it_finds() {
    let p = project();
    let file = p.write_config(
        "loose.json",
        &json!({MAILER: {"keys": ["MAIL_KEY"], "path": "tools/mail"}}),
    );
    p.apply(&file, &[]).assert().success();
    let listed = p.env.listed(MAILER).unwrap();
    assert_eq!(listed["digest"], kw1_digest(&p.mail));
    assert_eq!(listed["state"], "ready");
}

#[test]
fn config_apply_refuses_a_path_whose_manifest_has_another_name() {
    let p = project();
    let before = p.env.package_state();
    let file = p.write_config(
        "misnamed.json",
        &json!({STRIPE: {"keys": [], "path": "tools/mail"}}),
    );
    let out = p.apply(&file, &[]).assert().code(1);
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains(MAILER) && stderr.contains(STRIPE),
        "{stderr}"
    );
    assert_eq!(p.env.package_state(), before);
}

#[test]
fn config_export_then_apply_in_a_fresh_vault_reproduces_the_grants() {
    let p = project();
    p.env
        .install_json(&p.stripe, &["--approve", "STRIPE_ACCOUNT"]);
    p.env.install_json(&p.mail, &["--approve-all"]);
    let out = p
        .env
        .cmd()
        .current_dir(&p.proj)
        .args(["config", "export"])
        .assert()
        .success();
    let exported = stdout_of(&out);
    let file = p.proj.join("exported.json");
    fs::write(&file, &exported).unwrap();

    let fresh = TestEnv::with_vault();
    fresh
        .cmd()
        .current_dir(fresh.root())
        .args(["config", "apply"])
        .arg(&file)
        .assert()
        .success();
    let out = fresh
        .cmd()
        .current_dir(&p.proj)
        .args(["config", "export"])
        .assert()
        .success();
    assert_eq!(stdout_of(&out), exported);
}

/// A misspelled `sha256` must not silently turn the pin check off: a careful tool
/// refuses what it does not understand in a file that decides what code gets keys.
#[test]
fn config_apply_refuses_an_unknown_field_in_an_entry() {
    let p = project();
    let before = p.env.package_state();
    let file = p.write_config(
        "typo.json",
        &json!({STRIPE: {"keys": ["STRIPE_SECRET_KEY"], "path": "tools/stripe",
                         "sha265": format!("kw1:{}", "0".repeat(64))}}),
    );
    let out = p.apply(&file, &[]).assert().code(1).stdout("");
    let stderr = stderr_of(&out);
    assert!(stderr.contains("sha265"), "names the field: {stderr}");
    assert_eq!(p.env.package_state(), before);
}
